"""Prometheus metrics of the scoring API (per worker process)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

REQUESTS = Counter("scoring_requests_total", "HTTP requests", ["route", "method", "status"])
LATENCY = Histogram(
    "scoring_request_seconds",
    "HTTP request latency",
    ["route"],
    buckets=(0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
DECISIONS = Counter("scoring_decisions_total", "Applications scored, by decision", ["decision", "model_version"])
LOG_BACKLOG = Gauge("scoring_prediction_log_backlog", "Predictions waiting to be written to the database")
LOG_WRITTEN = Counter("scoring_prediction_log_written_total", "Predictions written to the database")
LOG_DROPPED = Counter("scoring_prediction_log_dropped_total", "Predictions dropped because the log buffer was full")
LOG_DATABASE_UP = Gauge("scoring_prediction_log_database_up", "1 if the last write to the database succeeded")
MODEL_RELOADS = Counter("scoring_model_reloads_total", "New champion versions loaded without restart")
