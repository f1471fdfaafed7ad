"""Drift runs and their per-column results (written), the prediction log and outcomes (read).

The monitor shares the scoring API's database: it reads ``predictions`` and ``outcomes``, which
the scoring API owns and migrates (their columns are the fields of the ``DecisionRecord`` and
``OutcomeRecord`` contracts; the monitor reflects them and parses rows into the contract), and
keeps its own tables under its own Alembic version table.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from credit_core import database
from credit_core.contracts.decisions import (
    OVERRIDE_REASONS,
    DecisionFacts,
    DecisionRecord,
    OutcomeRecord,
    OverrideRate,
    OverrideRecord,
    OverrideSummary,
)
from pydantic import BaseModel
from sqlalchemy.dialects.postgresql import JSONB

JSON = sa.JSON().with_variant(JSONB(), "postgresql")
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
VERSION_TABLE = "monitor_alembic_version"
metadata = sa.MetaData()

drift_runs = sa.Table(
    "drift_runs",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("trigger", sa.String(20), nullable=False),  # api, schedule
    sa.Column("model_name", sa.String(200), nullable=False),
    sa.Column("model_version", sa.String(50), nullable=False),
    sa.Column("window", JSON, nullable=False),  # how the window was asked for
    sa.Column("window_start", sa.DateTime(timezone=True), nullable=True),
    sa.Column("window_end", sa.DateTime(timezone=True), nullable=True),
    sa.Column("current_rows", sa.Integer(), nullable=False),
    sa.Column("reference_rows", sa.Integer(), nullable=False),
    sa.Column("dataset_drift", sa.Boolean(), nullable=False),
    sa.Column("drifted_columns", sa.Integer(), nullable=False),
    sa.Column("columns", sa.Integer(), nullable=False),
    sa.Column("drift_share", sa.Float(), nullable=False),  # share of the columns that drifted
    sa.Column("drifted_importance", sa.Float(), nullable=False),  # share of model importance that drifted
    sa.Column("probability_drift", sa.Float(), nullable=True),
    sa.Column("decision_rate_reference", sa.Float(), nullable=True),
    sa.Column("decision_rate_current", sa.Float(), nullable=True),
    sa.Column("performance", JSON, nullable=False),
    sa.Column("estimated", JSON, nullable=True),  # performance expected before outcomes
    sa.Column("segments", JSON, nullable=True),  # drift and estimate per segment
    sa.Column("status", sa.String(30), nullable=False),
    sa.Column("reasons", JSON, nullable=False),
    sa.Column("report_uri", sa.String(1000), nullable=True),
    sa.Column("settings", JSON, nullable=False),  # methods and thresholds used
)

drift_columns = sa.Table(
    "drift_columns",
    metadata,
    sa.Column("run_id", ID, sa.ForeignKey("drift_runs.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("column", sa.String(100), primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),  # numeric, categorical, output
    sa.Column("method", sa.String(50), nullable=False),
    sa.Column("statistic", sa.Float(), nullable=True),
    sa.Column("threshold", sa.Float(), nullable=False),
    sa.Column("drifted", sa.Boolean(), nullable=False),
    sa.Column("importance", sa.Float(), nullable=False),
    sa.Column("reference_mean", sa.Float(), nullable=True),
    sa.Column("current_mean", sa.Float(), nullable=True),
    sa.Column("critical_value", sa.Float(), nullable=True),  # PSI, Jensen-Shannon: at the run's row counts
)

retrain_requests = sa.Table(
    "retrain_requests",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("trigger", sa.String(20), nullable=False),  # drift run, ops
    sa.Column("run_id", ID, sa.ForeignKey("drift_runs.id"), nullable=True),
    sa.Column("requested_by", sa.String(100), nullable=False),
    sa.Column("model_name", sa.String(200), nullable=False),
    sa.Column("champion_version", sa.String(50), nullable=True),
    sa.Column("reasons", JSON, nullable=False),
    sa.Column("status", sa.String(20), nullable=False, index=True),
    sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("claimed_by", sa.String(100), nullable=True),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("trainer_run_id", sa.String(100), nullable=True),
    sa.Column("challenger_version", sa.String(50), nullable=True),
    sa.Column("outcome", sa.Text(), nullable=True),
)


# What the monitor's own login may do (`credit-monitor migrate --service-role`): write its drift
# runs, read the decisions and outcomes (it never writes them)
SERVICE_PRIVILEGES = {
    VERSION_TABLE: "SELECT",  # serve checks the schema is at head
    "drift_runs": "SELECT, INSERT, UPDATE",
    "drift_columns": "SELECT, INSERT",
    "retrain_requests": "SELECT, INSERT, UPDATE",
    "predictions": "SELECT",
    "outcomes": "SELECT",
    "overrides": "SELECT",
}


def migrate(url: str) -> None:
    """The monitor's tables to the latest revision (its own version table)."""
    database.migrate(url, Path(__file__).parent / "migrations")


class PredictionLogMissingError(LookupError):
    """The scoring API has not created its tables in this database yet."""


def _reflected(engine: sa.Engine, name: str, contract: type[BaseModel]) -> sa.Table:
    """The scoring API's table as the database has it (the scoring API owns and migrates it),
    checked to hold every field of its contract."""
    try:
        table = sa.Table(name, sa.MetaData(), autoload_with=engine)
    except sa.exc.NoSuchTableError as error:
        raise PredictionLogMissingError(f"no {name} table yet: the scoring API creates it") from error
    missing = set(contract.model_fields) - set(table.c.keys())
    if missing:
        raise PredictionLogMissingError(f"{name} lacks {', '.join(sorted(missing))}: migrate the scoring API")
    return table


def override_summary(engine: sa.Engine, since: datetime, alert_rate: float, min_decisions: int) -> OverrideSummary:
    """Per model version: decisions scored since ``since`` and how many officers changed; per
    reason: how many overrides of those decisions gave it."""
    decisions = _reflected(engine, "predictions", DecisionRecord)
    changes = _reflected(engine, "overrides", OverrideRecord)
    window = (
        sa.select(decisions.c.request_id, decisions.c.model_version).where(decisions.c.scored_at >= since).subquery()
    )
    per_version = sa.select(window.c.model_version, sa.func.count().label("decisions")).group_by(window.c.model_version)
    joined = changes.join(window, changes.c.request_id == window.c.request_id)
    overridden = (
        sa.select(
            window.c.model_version,
            sa.func.count(sa.distinct(changes.c.request_id)).label("overridden"),
            *(
                sa.func.count(sa.distinct(sa.case((changes.c.from_decision == a, changes.c.request_id)))).label(
                    f"{a}_{b}"
                )
                for a, b in (("refused", "granted"), ("granted", "refused"))
            ),
        )
        .select_from(joined)
        .group_by(window.c.model_version)
    )
    reasons = sa.select(changes.c.reason, sa.func.count().label("n")).select_from(joined).group_by(changes.c.reason)
    with engine.connect() as connection:
        counts = {r.model_version: r.decisions for r in connection.execute(per_version)}
        changed = {r.model_version: r for r in connection.execute(overridden)}
        given = {r.reason: r.n for r in connection.execute(reasons)}
    versions = []
    for version in sorted(counts, key=lambda v: (len(v), v)):
        row, n = changed.get(version), counts[version]
        rate = (row.overridden if row else 0) / n
        versions.append(
            OverrideRate(
                model_version=version,
                decisions=n,
                overridden=row.overridden if row else 0,
                rate=rate,
                refused_to_granted=row.refused_granted if row else 0,
                granted_to_refused=row.granted_refused if row else 0,
                above_alert=n >= min_decisions and rate > alert_rate,
            )
        )
    return OverrideSummary(
        since=since,
        alert_rate=alert_rate,
        min_decisions=min_decisions,
        versions=versions,
        reasons={reason: given.get(reason, 0) for reason in OVERRIDE_REASONS},
        alert=any(v.above_alert for v in versions),
    )


def prediction_window(
    engine: sa.Engine,
    *,
    last: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    model_version: str | None = None,
) -> pd.DataFrame:
    """Logged decisions (features, probability, decision, time): the last ``last`` ones, or those
    between ``start`` and ``end``; of one model version if given. Oldest first."""
    table = _reflected(engine, "predictions", DecisionRecord)
    facts = [table.c[name] for name in DecisionFacts.model_fields]
    # erased decisions keep their facts but not their inputs: nothing to measure drift on
    query = sa.select(*facts, table.c.features).where(table.c.features.is_not(None)).order_by(table.c.id.desc())
    if model_version is not None:
        query = query.where(table.c.model_version == model_version)
    if start is not None:
        query = query.where(table.c.scored_at >= start)
    if end is not None:
        query = query.where(table.c.scored_at < end)
    if last is not None:
        query = query.limit(last)
    with engine.connect() as connection:
        rows = connection.execute(query).mappings().all()
    return pd.DataFrame([_flat(row) for row in reversed(rows)])


def _flat(row: Any) -> dict[str, Any]:
    facts = DecisionFacts.model_validate({name: row[name] for name in DecisionFacts.model_fields})
    return {
        **row["features"],
        "probability": facts.probability,
        "decision": facts.decision,
        "_scored_at": facts.scored_at,
        "_applicant_id": facts.applicant_id,
        "_request_id": facts.request_id,
        "_model_version": facts.model_version,
    }


def outcomes_for(engine: sa.Engine, request_ids: list[str]) -> dict[str, bool]:
    """The recorded outcome of each of these decisions (one per decision at most)."""
    if not request_ids:
        return {}
    table = _reflected(engine, "outcomes", OutcomeRecord)
    found: dict[str, bool] = {}
    with engine.connect() as connection:
        for start in range(0, len(request_ids), 10_000):  # bounded IN lists
            chunk = request_ids[start : start + 10_000]
            query = sa.select(table.c.request_id, table.c.defaulted).where(table.c.request_id.in_(chunk))
            found |= {str(r): bool(d) for r, d in connection.execute(query)}
    return found
