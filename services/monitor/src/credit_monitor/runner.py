"""One drift run: the window of logged predictions against the reference sample of the model
version that made them, realised performance where outcomes exist, the recommendation; stored
in the database with its HTML report. Also the scheduled runs."""

from __future__ import annotations

import logging
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
import sqlalchemy as sa
from credit_core.contracts.decisions import OverrideSummary
from credit_core.contracts.drift import EstimatedPerformance, RealisedPerformance, SegmentResult
from credit_core.contracts.model_card import HoldoutMetrics
from credit_core.model_store import ModelStore
from credit_core.registry import IMPORTANCE_FILE, REFERENCE_FILE

from credit_monitor import retrain, telemetry
from credit_monitor.config import Settings
from credit_monitor.db import (
    PredictionLogMissingError,
    drift_columns,
    drift_runs,
    outcomes_for,
    override_summary,
    prediction_window,
)
from credit_monitor.drift import OUTPUTS, DriftResult, compute_drift, monitored_columns
from credit_monitor.estimation import estimate
from credit_monitor.reports import ReportStore
from credit_monitor.segments import segment_results
from credit_monitor.status import OK, RETRAIN, WATCH, realised_performance, recommend
from credit_monitor.workspace import RunWorkspace

log = logging.getLogger(__name__)
STATUSES = (OK, WATCH, RETRAIN)


class MonitorError(Exception):
    """A run that cannot be made as asked (empty window, no reference...): said to the caller."""


class RunInProgressError(MonitorError):
    """Another run is being made: one at a time (each holds a window and a reference in memory)."""


SCHEDULE_LOCK = 0x6D6F6E69746F72  # pg_try_advisory_lock key: one scheduled run at a time across replicas


def _reference(artifacts: Path, version: str) -> tuple[pd.DataFrame, dict[str, float]]:
    path = artifacts / REFERENCE_FILE
    if not path.exists():
        raise MonitorError(f"model version {version} has no reference sample ({REFERENCE_FILE})")
    importance: dict[str, float] = {}
    if (artifacts / IMPORTANCE_FILE).exists():
        table = pd.read_csv(artifacts / IMPORTANCE_FILE)
        importance = dict(zip(table["feature"], table["mean_abs_shap"], strict=True))
    return pd.read_parquet(path), importance


class Monitor:
    def __init__(
        self,
        settings: Settings,
        engine: sa.Engine,
        models: ModelStore,
        reports: ReportStore,
        workspace: RunWorkspace | None = None,
    ):
        self.settings, self.engine, self.models, self.reports = settings, engine, models, reports
        self.workspace = workspace
        self._lock = threading.Lock()  # one run at a time: each holds a window and a reference in memory
        self._stop = threading.Event()

    def run(
        self,
        *,
        last: int | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        model_version: str | None = None,
        trigger: str = "api",
    ) -> int:
        """Make and store one run; its id. Raises RunInProgressError at once when a run is being
        made, MonitorError, UnknownVersionError, RuntimeError."""
        if not self._lock.acquire(blocking=False):
            raise RunInProgressError("a drift run is in progress: ask again when it is done")
        try:
            return self._run(last, start, end, model_version, trigger)
        finally:
            self._lock.release()

    def _run(
        self, last: int | None, start: datetime | None, end: datetime | None, version: str | None, trigger: str
    ) -> int:
        if last is None and start is None and end is None:
            last = self.settings.window
        model = self.models.get(version)
        reference, importance = _reference(model.artifacts, model.version)
        cap = self.settings.max_window
        if last is not None and last > cap:
            raise MonitorError(f"a window of {last:,} predictions: at most {cap:,} (MONITOR_MAX_WINDOW)")
        try:
            current = prediction_window(
                self.engine, last=last or cap + 1, start=start, end=end, model_version=model.version
            )
        except PredictionLogMissingError as error:
            raise MonitorError(str(error)) from error
        window = {"last": last, "start": start.isoformat() if start else None, "end": end.isoformat() if end else None}
        if len(current) > cap:
            raise MonitorError(f"the time range holds more than {cap:,} predictions (MONITOR_MAX_WINDOW): narrow it")
        if current.empty:
            raise MonitorError(f"no prediction of {model.name} version {model.version} in the window {window}")
        drift: DriftResult | None = None
        segments: list[SegmentResult] = []
        note = None
        if len(current) < self.settings.min_rows:
            note = f"only {len(current)} predictions in the window; at least {self.settings.min_rows} for a verdict"
        else:
            columns = [*monitored_columns(importance, self.settings.top_features), *OUTPUTS]
            drift = compute_drift(reference, current, columns, self.settings, importance)
            settings = self.settings
            segments = segment_results(
                reference,
                current,
                importance,
                settings,
                settings.segments,
                settings.segment_min_rows,
                settings.segment_top_features,
            )
        holdout = model.card.holdout
        refused = (current["decision"] == "refused").to_numpy()
        estimated = estimate(current["probability"].to_numpy(float), refused, holdout)
        performance = self._performance(current, holdout)
        status, reasons = recommend(drift, performance, self.settings, note, estimated, segments)
        row: dict[str, Any] = {
            "created_at": datetime.now(UTC),
            "trigger": trigger,
            "model_name": model.name,
            "model_version": model.version,
            "window": window,
            "window_start": current["_scored_at"].min().to_pydatetime(),
            "window_end": current["_scored_at"].max().to_pydatetime(),
            "current_rows": len(current),
            "reference_rows": drift.reference_rows if drift else len(reference),
            "dataset_drift": bool(drift and drift.dataset_drift),
            "drifted_columns": len(drift.drifted) if drift else 0,
            "columns": len(drift.columns) if drift else 0,
            "drift_share": drift.drift_share if drift else 0.0,
            "drifted_importance": drift.drifted_importance if drift else 0.0,
            "probability_drift": drift.probability_drift if drift else None,
            "decision_rate_reference": drift.decision_rate_reference if drift else None,
            "decision_rate_current": drift.decision_rate_current if drift else None,
            "performance": performance.model_dump(),
            "estimated": estimated.model_dump() if estimated else None,
            "segments": [s.model_dump() for s in segments] if drift else None,
            "status": status,
            "reasons": reasons,
            "settings": self.settings.model_dump(include=_DRIFT_SETTINGS),
        }
        with self.engine.begin() as connection:
            run_id = int(connection.execute(sa.insert(drift_runs).values(row).returning(drift_runs.c.id)).scalar_one())
            if drift:
                connection.execute(sa.insert(drift_columns), [{"run_id": run_id, **c} for c in drift.column_rows()])
        if drift:
            with tempfile.TemporaryDirectory() as tmp:
                html = Path(tmp) / "report.html"
                drift.save_html(html)
                uri = self.reports.save(f"drift-run-{run_id}.html", html)
            with self.engine.begin() as connection:
                connection.execute(sa.update(drift_runs).where(drift_runs.c.id == run_id).values(report_uri=uri))
        log.info("drift run %s: %s (%s)", run_id, status, "; ".join(reasons))
        self._publish(run_id, row, model, drift, estimated, performance)
        return run_id

    def _publish(
        self,
        run_id: int,
        row: dict[str, Any],
        model: Any,
        drift: DriftResult | None,
        estimated: EstimatedPerformance | None,
        performance: RealisedPerformance,
    ) -> None:
        """What follows a stored run: the gauges, Evidently's workspace, the webhook. Each may fail
        (logged): the run is stored and answered either way."""
        telemetry.publish_status(row["status"], STATUSES, row["dataset_drift"], row["drifted_importance"])
        telemetry.publish_estimate(estimated, self.settings.estimated_cost_rise)
        override_rate = None
        try:  # the override gauges kept fresh by the (scheduled) runs
            override_rate = {v.model_version: v.rate for v in self.override_summary().versions}.get(model.version)
        except Exception as error:
            log.warning("override summary after run %s failed: %s", run_id, error)
        if drift and self.workspace is not None:
            holdout = model.card.holdout
            figures = {
                "drift_share": drift.drift_share,
                "drifted_importance": drift.drifted_importance,
                "probability_psi": drift.probability_drift,
                "refusal_rate": drift.decision_rate_current,
                "expected_cost_per_1000": estimated.cost_per_1000.value if estimated else None,
                "realised_cost_per_1000": performance.cost_per_1000,
                "holdout_cost_per_1000": holdout.cost_per_1000 if holdout else None,
                "override_rate": override_rate,
            }
            inputs = [c.column for c in sorted(drift.columns, key=lambda c: -c.importance) if c.kind != "output"]
            try:
                self.workspace.add_run(run_id, model.name, model.version, drift.snapshot, figures, inputs)
            except Exception as error:
                log.warning(
                    "run %s not written to the Evidently workspace: %s: %s", run_id, type(error).__name__, error
                )
        if row["status"] == RETRAIN and self.settings.retrain_on_recommendation:
            try:
                asked = retrain.ask(
                    self.engine,
                    trigger="drift run",
                    run_id=run_id,
                    requested_by="monitor",
                    model_name=model.name,
                    champion_version=model.version,
                    reasons=row["reasons"],
                )
                log.info("drift run %s: retrain request %s for the trainer", run_id, asked.id)
            except retrain.RetrainConflictError as error:
                log.info("drift run %s: no new retrain request (%s)", run_id, error)
        if row["status"] == RETRAIN and self.settings.webhook_url:
            self._notify(run_id, row)

    def override_summary(self) -> OverrideSummary:
        """Overrides of the last ``override_window_days`` per version and reason; the gauges set."""
        settings = self.settings
        since = datetime.now(UTC) - timedelta(days=settings.override_window_days)
        summary = override_summary(self.engine, since, settings.override_alert_rate, settings.override_min_decisions)
        telemetry.publish_overrides(summary)
        return summary

    def _performance(self, current: pd.DataFrame, holdout: HoldoutMetrics) -> RealisedPerformance:
        outcomes = outcomes_for(self.engine, [str(r) for r in current["_request_id"]])
        known = current[current["_request_id"].isin(list(outcomes))]
        defaulted = np.array([outcomes[str(r)] for r in known["_request_id"]], dtype=int)
        probability, refused = known["probability"].to_numpy(float), (known["decision"] == "refused").to_numpy()
        performance = realised_performance(probability, refused, defaulted, holdout)
        performance.expected = estimate(probability, refused, holdout)  # what the same decisions predicted
        return performance

    def _notify(self, run_id: int, row: dict[str, Any]) -> None:
        body = {
            "run_id": run_id,
            "status": row["status"],
            "reasons": row["reasons"],
            "model_version": row["model_version"],
        }
        try:
            httpx.post(self.settings.webhook_url, json=body, timeout=5).raise_for_status()
        except httpx.HTTPError as error:
            log.error("webhook %s failed: %s", self.settings.webhook_url, error)

    def start_schedule(self) -> None:
        if self.settings.schedule_interval <= 0:
            return

        def loop() -> None:
            while not self._stop.wait(self.settings.schedule_interval):
                try:
                    self.run_scheduled()
                except Exception as error:  # a failed run is logged; the next one will try again
                    log.error("scheduled drift run failed: %s: %s", error.__class__.__name__, error)

        threading.Thread(target=loop, name="drift-schedule", daemon=True).start()

    def run_scheduled(self) -> int | None:
        """The scheduled run of this interval, unless another replica makes (or made) it: on
        Postgres an advisory lock lets one replica at a time in, which runs only if no scheduled
        run is younger than the interval. The run's id, or None."""
        with self.engine.connect() as connection:
            postgres = self.engine.dialect.name == "postgresql"
            if postgres and not connection.execute(sa.select(sa.func.pg_try_advisory_lock(SCHEDULE_LOCK))).scalar():
                return None
            try:
                latest = connection.execute(
                    sa.select(sa.func.max(drift_runs.c.created_at)).where(drift_runs.c.trigger == "schedule")
                ).scalar()
                connection.commit()
                if latest is not None:
                    age = datetime.now(UTC) - (latest if latest.tzinfo else latest.replace(tzinfo=UTC))
                    if age.total_seconds() < 0.9 * self.settings.schedule_interval:
                        return None  # another replica made this interval's run
                return self.run(trigger="schedule")
            finally:
                if postgres:
                    connection.execute(sa.select(sa.func.pg_advisory_unlock(SCHEDULE_LOCK)))
                    connection.commit()

    def stop(self) -> None:
        self._stop.set()


_DRIFT_SETTINGS = {
    "numeric_method",
    "numeric_threshold",
    "categorical_method",
    "categorical_threshold",
    "probability_method",
    "probability_threshold",
    "false_alarm_rate",
    "drift_share",
    "min_drifted_columns",
    "top_features",
    "max_reference_rows",
    "window",
    "min_rows",
    "estimated_cost_rise",
    "segments",
    "segment_min_rows",
    "segment_top_features",
}
