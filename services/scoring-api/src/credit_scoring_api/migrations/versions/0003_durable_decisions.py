"""Durable decisions: one row per request id, one outcome per decision, erasure of inputs.

- predictions: request_id unique (the drain from the spool is idempotent), applicant_id, raw_input
  and features nullable (erased on request), erased_at;
- outcomes: tied to a decision: request_id required and unique. Outcomes recorded before this
  revision without a request id are attached to the applicant's latest decision; those whose
  applicant has none are removed (they could never be measured), and of several outcomes for one
  decision the latest is kept.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("predictions") as batch:
        batch.drop_index("ix_predictions_request_id")
        batch.create_index("ix_predictions_request_id", ["request_id"], unique=True)
        batch.alter_column("applicant_id", existing_type=sa.BigInteger(), nullable=True)
        batch.alter_column("raw_input", existing_type=sa.JSON(), nullable=True)
        batch.alter_column("features", existing_type=sa.JSON(), nullable=True)
        batch.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE outcomes SET request_id = (SELECT p.request_id FROM predictions p"
        " WHERE p.applicant_id = outcomes.applicant_id ORDER BY p.scored_at DESC LIMIT 1)"
        " WHERE request_id IS NULL"
    )
    op.execute("DELETE FROM outcomes WHERE request_id IS NULL")
    op.execute("DELETE FROM outcomes WHERE id NOT IN (SELECT MAX(id) FROM outcomes GROUP BY request_id)")
    with op.batch_alter_table("outcomes") as batch:
        batch.alter_column("request_id", existing_type=sa.String(64), nullable=False)
        batch.alter_column("applicant_id", existing_type=sa.BigInteger(), nullable=True)
        batch.create_index("ix_outcomes_request_id", ["request_id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("outcomes") as batch:
        batch.drop_index("ix_outcomes_request_id")
        batch.alter_column("request_id", existing_type=sa.String(64), nullable=True)
    with op.batch_alter_table("predictions") as batch:
        batch.drop_column("erased_at")
        batch.drop_index("ix_predictions_request_id")
        batch.create_index("ix_predictions_request_id", ["request_id"])
