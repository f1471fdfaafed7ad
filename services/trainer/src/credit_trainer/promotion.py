"""The promotion policy: a challenger becomes champion only if its business cost on its own
hold-out applicants beats the champion's on the same applicants. The decision and its reason are
tags of the challenger's version."""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

import mlflow
import polars as pl
from credit_core.costs import evaluate
from credit_core.loader import RawTables
from credit_core.registry import CHALLENGER, CHAMPION, HOLDOUT_FILE, load_version
from credit_core.scoring import CompiledModel
from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion
from mlflow.exceptions import MlflowException

from credit_trainer.config import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Promotion:
    promoted: bool
    reason: str


def _cost_per_1000(model: CompiledModel, application: pl.DataFrame, history: dict[str, pl.DataFrame]) -> float:
    scored = model.score_frame(application.drop("TARGET"), history)
    y = application.get_column("TARGET").to_numpy()
    return evaluate(y, scored.get_column("probability").to_numpy(), model.threshold)["cost_per_1000"]


def promote(settings: Settings, tables: RawTables, challenger_version: str | None = None) -> Promotion:
    """Move ``champion`` to the challenger if it beats the champion on the challenger's hold-out
    applicants (from ``tables``, the data it was trained on); record why on the version."""
    client = MlflowClient()
    name = settings.model_name
    try:
        challenger = (
            client.get_model_version_by_alias(name, CHALLENGER)
            if challenger_version is None
            else client.get_model_version(name, challenger_version)
        )
    except MlflowException as error:
        raise ValueError(f"no challenger to promote for {name!r}: train one first") from error
    try:
        champion: ModelVersion | None = client.get_model_version_by_alias(name, CHAMPION)
    except MlflowException:
        champion = None
    if champion is not None and champion.version == challenger.version:
        return Promotion(False, f"version {challenger.version} is already the champion")

    with tempfile.TemporaryDirectory() as tmp:
        uri = mlflow.get_tracking_uri()
        challenger_model, _, artifacts = load_version(uri, name, str(challenger.version), Path(tmp))
        holdout = pl.read_parquet(artifacts / HOLDOUT_FILE)
        application = tables.application.join(holdout.select("SK_ID_CURR"), on="SK_ID_CURR", how="semi")
        if application.height != holdout.height:
            raise ValueError(
                f"the data given holds {application.height} of the challenger's {holdout.height} hold-out applicants: "
                "promote with the data the challenger was trained on"
            )
        history = {
            t: f.join(application.select("SK_ID_CURR"), on="SK_ID_CURR", how="semi") if "SK_ID_CURR" in f.columns else f
            for t, f in tables.history.items()
        }
        challenger_cost = _cost_per_1000(challenger_model, application, history)
        if champion is None:
            promoted = True
            reason = (
                f"first model: version {challenger.version} becomes champion "
                f"(hold-out cost {challenger_cost:.1f} per 1,000)"
            )
        else:
            champion_model, _, _ = load_version(uri, name, str(champion.version), Path(tmp))
            champion_cost = _cost_per_1000(champion_model, application, history)
            promoted = challenger_cost < champion_cost
            verdict = "beats" if promoted else "does not beat"
            reason = (
                f"version {challenger.version} {verdict} champion version {champion.version} on the same "
                f"{application.height:,} hold-out applicants: cost {challenger_cost:.1f} vs {champion_cost:.1f} per 1,000"
            )
    client.set_model_version_tag(name, challenger.version, "promotion_decision", "promoted" if promoted else "refused")
    client.set_model_version_tag(name, challenger.version, "promotion_reason", reason)
    if promoted:
        client.set_registered_model_alias(name, CHAMPION, challenger.version)
    log.info("%s", reason)
    return Promotion(promoted, reason)
