"""The prediction log written for speed, on Postgres: raw input and features as ``json`` (the text
as sent, checked but not decomposed as ``jsonb`` is on every insert), compressed with lz4 rather
than pglz where the server has it (Postgres 14+ built with lz4, as Debian's and Azure's are).
Existing rows are rewritten once.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

DOCUMENTS = ("raw_input", "features")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE predictions " + ", ".join(f"ALTER COLUMN {c} TYPE json USING {c}::json" for c in DOCUMENTS))
    if (bind.dialect.server_version_info or (0,)) >= (14,):
        lz4 = ", ".join(f"ALTER COLUMN {c} SET COMPRESSION lz4" for c in DOCUMENTS)
        op.execute(
            f"DO $$ BEGIN ALTER TABLE predictions {lz4}; "
            "EXCEPTION WHEN feature_not_supported THEN RAISE NOTICE 'no lz4 on this server: pglz stays'; END $$"
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    changes = [f"ALTER COLUMN {c} TYPE jsonb USING {c}::jsonb" for c in DOCUMENTS]
    if (bind.dialect.server_version_info or (0,)) >= (14,):
        changes += [f"ALTER COLUMN {c} SET COMPRESSION default" for c in DOCUMENTS]
    op.execute("ALTER TABLE predictions " + ", ".join(changes))
