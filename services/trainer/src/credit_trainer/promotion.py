"""The promotion policy: a challenger becomes champion only if its business cost on its own
hold-out applicants beats the champion's on the same applicants with the stated confidence
(``TRAINER_PROMOTION_CONFIDENCE``): a paired bootstrap of the cost difference, so that a challenger
better only by the luck of this hold-out (the same model with another seed) is not promoted. The
decision, its reason and the interval are tags of the challenger's version."""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

import mlflow
import numpy as np
import polars as pl
from credit_core.contracts.model_card import ModelCard
from credit_core.costs import business_cost, per_1000
from credit_core.loader import RawTables
from credit_core.registry import CHALLENGER, CHAMPION, HOLDOUT_FILE, load_version
from credit_core.scoring import CompiledModel
from credit_core.uncertainty import paired_cost_comparison
from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion
from mlflow.exceptions import MlflowException

from credit_trainer.config import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Promotion:
    promoted: bool
    reason: str


def _scored(model: CompiledModel, application: pl.DataFrame, history: dict[str, pl.DataFrame]) -> np.ndarray:
    """Whether ``model`` refuses each applicant of ``application`` (in its order)."""
    scored = model.score_frame(application.drop("TARGET"), history)
    ordered = application.select("SK_ID_CURR").join(scored, on="SK_ID_CURR", how="left", maintain_order="left")
    return np.asarray(ordered.get_column("probability").to_numpy() >= model.threshold)


def fairness_failures(card: ModelCard, minimum: float | None) -> list[str]:
    """The attributes whose approval-rate ratio is below the gate (none when there is no gate)."""
    if minimum is None or card.fairness is None:
        return []
    return [
        f"{s.attribute} {s.demographic_parity_ratio:.2f} ({s.lowest_approval_group} vs {s.highest_approval_group})"
        for s in card.fairness.summary
        if s.demographic_parity_ratio is not None and s.demographic_parity_ratio < minimum
    ]


def promote(
    settings: Settings, tables: RawTables, challenger_version: str | None = None, fairness_override: str | None = None
) -> Promotion:
    """Move ``champion`` to the challenger if it beats the champion on the challenger's hold-out
    applicants (from ``tables``, the data it was trained on) and passes the fairness gate, unless
    ``fairness_override`` says why it may pass without it; record why on the version."""
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
        challenger_model, card, artifacts = load_version(uri, name, str(challenger.version), Path(tmp))
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
        y = application.get_column("TARGET").to_numpy()
        challenger_refused = _scored(challenger_model, application, history)
        challenger_cost = per_1000(business_cost(y, challenger_refused), len(y))
        tags: dict[str, str] = {}
        if champion is None:
            promoted = True
            reason = (
                f"first model: version {challenger.version} becomes champion "
                f"(hold-out cost {challenger_cost:.1f} per 1,000)"
            )
        else:
            champion_model, _, _ = load_version(uri, name, str(champion.version), Path(tmp))
            champion_refused = _scored(champion_model, application, history)
            champion_cost = per_1000(business_cost(y, champion_refused), len(y))
            comparison = paired_cost_comparison(
                y,
                challenger_refused,
                champion_refused,
                confidence=settings.promotion_confidence,
                resamples=settings.bootstrap_resamples,
                seed=settings.seed,
            )
            promoted = comparison.better
            verdict = "beats" if promoted else "does not beat"
            reason = (
                f"version {challenger.version} {verdict} champion version {champion.version} with "
                f"{settings.promotion_confidence:.0%} confidence on the same {application.height:,} hold-out applicants: "
                f"cost {challenger_cost:.1f} vs {champion_cost:.1f} per 1,000; {comparison.text()}"
            )
            d = comparison.difference
            tags = {
                "promotion_cost_difference": f"{d.estimate:.3f}",
                "promotion_interval": f"[{d.low:.3f}, {d.high:.3f}]",
                "promotion_confidence": f"{d.confidence}",
                "promotion_share_better": f"{comparison.share_better:.4f}",
                "promotion_compared_with": str(champion.version),
            }
    unfair = fairness_failures(card, settings.fairness_min_parity_ratio)
    if promoted and unfair:
        gate = f"approval-rate ratio below {settings.fairness_min_parity_ratio}: {'; '.join(unfair)}"
        if fairness_override:
            reason += f"; fairness gate overridden ({gate}): {fairness_override}"
            tags["fairness_override"] = fairness_override
        else:
            promoted = False
            reason += f"; but it fails the fairness gate, {gate}"
    for key, value in tags.items():
        client.set_model_version_tag(name, challenger.version, key, value)
    client.set_model_version_tag(name, challenger.version, "promotion_decision", "promoted" if promoted else "refused")
    client.set_model_version_tag(name, challenger.version, "promotion_reason", reason)
    if promoted:
        client.set_registered_model_alias(name, CHAMPION, challenger.version)
    log.info("%s", reason)
    return Promotion(promoted, reason)
