"""Retrain requests: asked by a drift run or by ops, claimed and answered by the trainer.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "retrain_requests",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trigger", sa.String(20), nullable=False),
        sa.Column("run_id", ID, sa.ForeignKey("drift_runs.id"), nullable=True),
        sa.Column("requested_by", sa.String(100), nullable=False),
        sa.Column("model_name", sa.String(200), nullable=False),
        sa.Column("champion_version", sa.String(50), nullable=True),
        sa.Column("reasons", JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(100), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("trainer_run_id", sa.String(100), nullable=True),
        sa.Column("challenger_version", sa.String(50), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
    )
    op.create_index("ix_retrain_requests_status", "retrain_requests", ["status"])


def downgrade() -> None:
    op.drop_table("retrain_requests")
