"""Who looked at which applicant and why (the access log), and the person a decision was asked for.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column("predictions", sa.Column("on_behalf_of", sa.String(100), nullable=True))
    op.create_table(
        "access_log",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("accessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client", sa.String(100), nullable=True),
        sa.Column("on_behalf_of", sa.String(100), nullable=True),
        sa.Column("applicant_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("reason", sa.String(30), nullable=True),
    )
    op.create_index("ix_access_log_applicant_id", "access_log", ["applicant_id"])
    op.create_index("ix_access_log_accessed_at", "access_log", ["accessed_at"])


def downgrade() -> None:
    op.drop_table("access_log")
    op.drop_column("predictions", "on_behalf_of")
