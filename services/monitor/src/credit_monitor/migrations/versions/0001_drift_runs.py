"""Drift runs and their per-column results.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "drift_runs",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trigger", sa.String(20), nullable=False),
        sa.Column("model_name", sa.String(200), nullable=False),
        sa.Column("model_version", sa.String(50), nullable=False),
        sa.Column("window", JSON, nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("current_rows", sa.Integer(), nullable=False),
        sa.Column("reference_rows", sa.Integer(), nullable=False),
        sa.Column("dataset_drift", sa.Boolean(), nullable=False),
        sa.Column("drifted_columns", sa.Integer(), nullable=False),
        sa.Column("columns", sa.Integer(), nullable=False),
        sa.Column("drift_share", sa.Float(), nullable=False),
        sa.Column("drifted_importance", sa.Float(), nullable=False),
        sa.Column("probability_drift", sa.Float(), nullable=True),
        sa.Column("decision_rate_reference", sa.Float(), nullable=True),
        sa.Column("decision_rate_current", sa.Float(), nullable=True),
        sa.Column("performance", JSON, nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("reasons", JSON, nullable=False),
        sa.Column("report_uri", sa.String(1000), nullable=True),
        sa.Column("settings", JSON, nullable=False),
    )
    op.create_index("ix_drift_runs_created_at", "drift_runs", ["created_at"])
    op.create_table(
        "drift_columns",
        sa.Column("run_id", ID, sa.ForeignKey("drift_runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("column", sa.String(100), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("method", sa.String(50), nullable=False),
        sa.Column("statistic", sa.Float(), nullable=True),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("drifted", sa.Boolean(), nullable=False),
        sa.Column("importance", sa.Float(), nullable=False),
        sa.Column("reference_mean", sa.Float(), nullable=True),
        sa.Column("current_mean", sa.Float(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("drift_columns")
    op.drop_table("drift_runs")
