"""Each column's critical value at the run's row counts (window-size-aware thresholds).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("drift_columns", sa.Column("critical_value", sa.Float(), nullable=True))


def downgrade() -> None:
    op.drop_column("drift_columns", "critical_value")
