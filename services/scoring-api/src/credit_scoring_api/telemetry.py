"""Telemetry of the scoring API: its Prometheus metrics (per worker process)."""

from __future__ import annotations

from credit_core.http import request_metrics
from prometheus_client import Counter, Gauge

HTTP = request_metrics("scoring")
DECISIONS = Counter("scoring_decisions_total", "Applications scored, by decision", ["decision", "model_version"])
LOG_BACKLOG = Gauge("scoring_prediction_log_backlog", "Predictions waiting to be written to the database")
LOG_WRITTEN = Counter("scoring_prediction_log_written_total", "Predictions written to the database")
LOG_DROPPED = Counter("scoring_prediction_log_dropped_total", "Predictions dropped because the log buffer was full")
LOG_DATABASE_UP = Gauge("scoring_prediction_log_database_up", "1 if the last write to the database succeeded")
MODEL_RELOADS = Counter("scoring_model_reloads_total", "New champion versions loaded without restart")
