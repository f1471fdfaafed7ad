"""Prediction log, applicant store, outcomes.

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
        "predictions",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applicant_id", sa.BigInteger(), nullable=False),
        sa.Column("model_name", sa.String(200), nullable=False),
        sa.Column("model_version", sa.String(50), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("decision", sa.String(10), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("raw_input", JSON, nullable=False),
        sa.Column("features", JSON, nullable=False),
    )
    for column in ("request_id", "scored_at", "applicant_id", "model_version"):
        op.create_index(f"ix_predictions_{column}", "predictions", [column])
    op.create_table(
        "applicants",
        sa.Column("applicant_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("application", JSON, nullable=False),
        sa.Column("history", JSON, nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "outcomes",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("applicant_id", sa.BigInteger(), nullable=False),
        sa.Column("defaulted", sa.Boolean(), nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request_id", sa.String(64), nullable=True),
    )
    op.create_index("ix_outcomes_applicant_id", "outcomes", ["applicant_id"])


def downgrade() -> None:
    op.drop_table("outcomes")
    op.drop_table("applicants")
    op.drop_table("predictions")
