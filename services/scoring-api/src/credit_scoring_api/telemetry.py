"""Telemetry of the scoring API: its Prometheus metrics (per worker process)."""

from __future__ import annotations

from credit_core.http import request_metrics
from prometheus_client import Counter, Gauge, Histogram

HTTP = request_metrics("scoring")
DECISIONS = Counter("scoring_decisions_total", "Applications scored, by decision", ["decision", "model_version"])
MODEL_RELOADS = Counter("scoring_model_reloads_total", "New champion versions loaded without restart")
# the durable spool (recorded before answered)
SPOOL_REFUSED = Counter("scoring_spool_refused_total", "Decisions refused (503) because the spool was full or broken")
SPOOL_UNRECORDED = Counter("scoring_spool_unrecorded_total", "Decisions answered without a record (fail open only)")
SPOOL_COMMIT_SECONDS = Histogram(
    "scoring_spool_commit_seconds",
    "Time to make a group of decisions durable",
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5),
)
SPOOL_RESTARTS = Counter("scoring_spool_committer_restarts_total", "Times the spool's committer thread was restarted")
# the prediction log (spool -> database)
LOG_BACKLOG_BYTES = Gauge(
    "scoring_prediction_log_backlog_bytes", "Bytes of decisions in the spool, not yet in the database"
)
LOG_WRITTEN = Counter("scoring_prediction_log_written_total", "Decisions written to the database")
LOG_REJECTED = Counter("scoring_prediction_log_rejected_total", "Decisions the database refused (logged, not retried)")
LOG_DATABASE_UP = Gauge("scoring_prediction_log_database_up", "1 if the last write to the database succeeded")
LOG_WRITE_SECONDS = Histogram(
    "scoring_prediction_log_write_seconds", "Time to write one batch of decisions to the database"
)
LOG_DRAINER_RESTARTS = Counter(
    "scoring_prediction_log_drainer_restarts_total", "Times the drainer thread was restarted"
)
