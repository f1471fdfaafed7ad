"""A refusal records its principal reasons and the catalogue version they come from.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("predictions", sa.Column("reasons", sa.JSON(), nullable=True))
    op.add_column("predictions", sa.Column("reason_catalogue", sa.String(20), nullable=True))


def downgrade() -> None:
    op.drop_column("predictions", "reason_catalogue")
    op.drop_column("predictions", "reasons")
