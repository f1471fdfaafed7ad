"""The model a service serves: the version an alias points at, loaded from the MLflow registry as
data (its artifacts checked against the SHA-256 recorded at registration), swapped atomically when
the alias moves (requests in flight keep the version they started with), plus a few pinned
versions on request. A version that fails its checks is refused and the service keeps the model
it has, with the reason in ``error`` (``/ready`` shows it).

Used by every service that scores or explains, so that they all follow the champion the same way.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from credit_core.contracts.model_card import ModelCard, ReloadReport
from credit_core.registry import load_version
from credit_core.scoring import CompiledModel

log = logging.getLogger(__name__)


class UnknownVersionError(LookupError):
    """The registry has no such version of the model."""


@dataclass(frozen=True)
class LoadedModel:
    name: str
    version: str
    alias: str  # the alias it was loaded through ("" when pinned by version)
    compiled: CompiledModel
    card: ModelCard
    artifacts: Path  # the version's verified artifacts: reference.parquet, importance.csv, ...
    extra: Any = None  # what the service builds once per version (e.g. the SHAP explainer)

    @property
    def threshold(self) -> float:
        return self.compiled.threshold


class ModelStore:
    """``prepare`` runs once per loaded version, before the version is served; ``on_change``
    after the champion changed (not on the first load)."""

    def __init__(
        self,
        tracking_uri: str,
        name: str,
        alias: str,
        reload_interval: float = 0.0,
        *,
        prepare: Callable[[LoadedModel], Any] | None = None,
        on_change: Callable[[LoadedModel], None] | None = None,
        pinned_versions: int = 2,
    ):
        self.tracking_uri, self.name, self.alias = tracking_uri, name, alias
        self.reload_interval = reload_interval
        self.prepare, self.on_change = prepare, on_change
        self.current: LoadedModel | None = None
        self.error: str | None = None
        self._pinned: OrderedDict[str, LoadedModel] = OrderedDict()
        self._pinned_versions = pinned_versions
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._folder = tempfile.TemporaryDirectory(prefix="credit-models-")

    def _client(self) -> MlflowClient:
        return MlflowClient(self.tracking_uri, self.tracking_uri)

    def _load(self, version: str, alias: str) -> LoadedModel:
        compiled, card, artifacts = load_version(self.tracking_uri, self.name, version, Path(self._folder.name))
        loaded = LoadedModel(self.name, version, alias, compiled, card, artifacts)
        return replace(loaded, extra=self.prepare(loaded)) if self.prepare else loaded

    def refresh(self) -> bool:
        """Load the version the alias points at if it is not the one in use; True if it changed."""
        with self._lock:
            try:
                version = str(self._client().get_model_version_by_alias(self.name, self.alias).version)
                if self.current is not None and self.current.version == version:
                    return False
                loaded = self._pinned.pop(version, None)
                loaded = replace(loaded, alias=self.alias) if loaded else self._load(version, self.alias)
            except Exception as error:  # the service keeps the model it has
                self.error = f"cannot load models:/{self.name}@{self.alias}: {error.__class__.__name__}: {error}"
                log.error("%s", self.error)
                return False
            changed = self.current is not None
            self.current = loaded
            self.error = None
        log.info("serving %s version %s (%s), threshold %.4f", self.name, version, self.alias, loaded.threshold)
        if changed and self.on_change:
            self.on_change(loaded)
        return True

    def reload(self) -> ReloadReport:
        """:meth:`refresh` now, as the services' ``POST /v1/admin/reload`` reports it."""
        changed = self.refresh()
        current = self.current
        return ReloadReport(changed=changed, version=current.version if current else None, error=self.error)

    def get(self, version: str | None = None) -> LoadedModel:
        """The champion, or a pinned version (kept for later requests, the least recent dropped).

        Raises :class:`UnknownVersionError` for a version the registry does not have and
        ``RuntimeError`` when no champion could be loaded or the version's artifacts are refused.
        """
        current = self.current
        if version is None or (current is not None and current.version == version):
            if current is None:
                raise RuntimeError(self.error or "no model loaded yet")
            return current
        with self._lock:
            if version in self._pinned:
                self._pinned.move_to_end(version)
                return self._pinned[version]
            try:
                self._client().get_model_version(self.name, version)
            except MlflowException as error:
                raise UnknownVersionError(f"{self.name} has no version {version!r}") from error
            try:
                loaded = self._load(version, "")
            except (ValueError, OSError) as error:  # tampered or unreadable artifacts
                raise RuntimeError(f"version {version} refused: {error}") from error
            self._pinned[version] = loaded
            while len(self._pinned) > self._pinned_versions:
                self._pinned.popitem(last=False)
            return loaded

    def start_polling(self) -> None:
        if self.reload_interval <= 0:
            return

        def poll() -> None:
            while not self._stop.wait(self.reload_interval):
                self.refresh()

        threading.Thread(target=poll, name="model-alias-poller", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        self._folder.cleanup()
