"""Officers' overrides, kept beside the decisions they change.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "overrides",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("overridden_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(100), nullable=False),
        sa.Column("client", sa.String(100), nullable=True),
        sa.Column("model_version", sa.String(50), nullable=False),
        sa.Column("from_decision", sa.String(10), nullable=False),
        sa.Column("to_decision", sa.String(10), nullable=False),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("comment", sa.String(1000), nullable=True),
    )
    op.create_index("ix_overrides_request_id", "overrides", ["request_id"])
    op.create_index("ix_overrides_overridden_at", "overrides", ["overridden_at"])


def downgrade() -> None:
    op.drop_table("overrides")
