"""The decision record names the client that asked.

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
    op.add_column("predictions", sa.Column("client", sa.String(100), nullable=True))


def downgrade() -> None:
    op.drop_column("predictions", "client")
