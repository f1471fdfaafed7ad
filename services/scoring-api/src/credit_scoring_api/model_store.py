"""The champion model, loaded from the registry, compiled for the fast path, swapped atomically
when the alias moves: requests in flight keep the version they started with."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

import mlflow
from credit_core.features import feature_catalogue
from credit_core.model import CreditModel
from credit_core.registry import load_credit_model
from credit_core.scoring import CompiledModel
from mlflow import MlflowClient

from credit_scoring_api import metrics
from credit_scoring_api.config import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadedModel:
    name: str
    version: str
    alias: str
    bundle: CreditModel
    compiled: CompiledModel

    @property
    def threshold(self) -> float:
        return self.bundle.threshold


class ModelStore:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.current: LoadedModel | None = None
        self.error: str | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.catalogue = feature_catalogue()

    def _client(self) -> MlflowClient:
        return MlflowClient(self.settings.mlflow_tracking_uri, self.settings.mlflow_tracking_uri)

    def refresh(self) -> bool:
        """Load the version the alias points at if it is not the one in use; True if it changed."""
        name, alias = self.settings.model_name, self.settings.model_alias
        with self._lock:
            try:
                version = str(self._client().get_model_version_by_alias(name, alias).version)
                if self.current is not None and self.current.version == version:
                    return False
                mlflow.set_registry_uri(self.settings.mlflow_tracking_uri)
                mlflow.set_tracking_uri(self.settings.mlflow_tracking_uri)
                bundle = load_credit_model(f"models:/{name}/{version}")
                loaded = LoadedModel(name, version, alias, bundle, CompiledModel.compile(bundle))
            except Exception as error:  # the service keeps the model it has
                self.error = f"cannot load models:/{name}@{alias}: {error.__class__.__name__}: {error}"
                log.error("%s", self.error)
                return False
            changed = self.current is not None
            self.current = loaded
            self.error = None
        log.info("serving %s version %s (%s), threshold %.4f", name, version, alias, loaded.threshold)
        if changed:
            metrics.MODEL_RELOADS.inc()
        return True

    def start_polling(self) -> None:
        if self.settings.reload_interval <= 0:
            return

        def poll() -> None:
            while not self._stop.wait(self.settings.reload_interval):
                self.refresh()

        self._thread = threading.Thread(target=poll, name="model-alias-poller", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
