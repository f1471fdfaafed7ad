"""An outcome names the client that reported it.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("outcomes", sa.Column("client", sa.String(100), nullable=True))


def downgrade() -> None:
    op.drop_column("outcomes", "client")
