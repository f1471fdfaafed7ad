"""Each run's performance expected before outcomes, and its drift per segment.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.add_column("drift_runs", sa.Column("estimated", JSON, nullable=True))
    op.add_column("drift_runs", sa.Column("segments", JSON, nullable=True))


def downgrade() -> None:
    op.drop_column("drift_runs", "segments")
    op.drop_column("drift_runs", "estimated")
