"""One training run end to end: EDA, candidates, choice, bundle, registration, promotion."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import mlflow
from credit_core.catalogue import features_using
from credit_core.costs import reference_costs
from credit_core.loader import RawTables
from credit_core.scoring import CompiledModel
from matplotlib import pyplot as plt

from credit_trainer import plots
from credit_trainer.candidates import Grid, make_candidates
from credit_trainer.config import Settings
from credit_trainer.documentation import documentation
from credit_trainer.eda import eda_report
from credit_trainer.fairness import fairness_report
from credit_trainer.promotion import Promotion, promote
from credit_trainer.registration import Registered, holdout_frame, model_card, reference_sample, register
from credit_trainer.scorecard import information_values
from credit_trainer.tracking import (
    catalogue_hash,
    comparison_table,
    configure,
    data_fingerprint,
    experiment,
    git_commit,
    log_candidate,
    log_evaluation_plots,
    log_fairness,
)
from credit_trainer.training import choose, prepare, run_candidates


@dataclass
class Outcome:
    registered: Registered
    model: CompiledModel
    promotion: Promotion | None
    summary: list[str] = field(default_factory=list)


def train_and_register(
    tables: RawTables,
    settings: Settings,
    *,
    source: str,
    grid: Grid,
    families: tuple[str, ...],
    imbalances: tuple[str, ...],
    max_applicants: int | None,
    constraints: tuple[str, ...] = ("none",),
    exclude: tuple[str, ...] = (),
    promote_after: bool,
    progress: Callable[[str], None],
) -> Outcome:
    """``exclude``: application fields the model is trained without (with every feature built
    from them), e.g. ``("CODE_GENDER",)``."""
    data = prepare(tables, settings.holdout, settings.seed, max_applicants)
    uri = configure(settings)
    progress(
        f"training on {len(data.train):,} applicants (+{len(data.holdout):,} held out), "
        f"{data.y.mean():.2%} defaults; MLflow at {uri}"
    )
    excluded = features_using(exclude)
    candidates = make_candidates(families, imbalances, grid, data.y[data.train], settings.seed, constraints, excluded)
    run_name = f"train {datetime.now(UTC):%Y-%m-%d %H:%M}"
    with mlflow.start_run(experiment_id=experiment(settings), run_name=run_name) as parent:
        mlflow.set_tags(
            {
                "data_source": source,
                "data_fingerprint": data_fingerprint(tables),
                "git_commit": git_commit(),
                "feature_catalogue_hash": catalogue_hash(),
            }
        )
        mlflow.log_params(
            {
                "grid": grid,
                "folds": settings.folds,
                "holdout": settings.holdout,
                "seed": settings.seed,
                "applicants": len(data.y),
                "candidates": ",".join(c.name for c in candidates),
                "excluded_attributes": ",".join(exclude) or "none",
            }
        )
        results = run_candidates(candidates, data, settings.folds, settings.seed, progress)
        progress("EDA report ...")
        binned = next((iv for r in results if (iv := information_values(r.estimator)) is not None), None)
        with tempfile.TemporaryDirectory() as tmp:
            report = Path(tmp) / "eda.html"
            report.write_text(eda_report(tables, source, binned))
            mlflow.log_artifact(str(report), "eda")
        for result in results:
            log_candidate(result, data)
        choice = choose(results, data, settings.folds, settings.seed)
        comparison = comparison_table(results, choice.result.name)
        mlflow.log_table(comparison, "candidates.json")
        with tempfile.TemporaryDirectory() as tmp:
            comparison.to_csv(Path(tmp) / "candidates.csv", index=False)
            mlflow.log_artifact(str(Path(tmp) / "candidates.csv"))
        figure = plots.candidates(comparison)
        mlflow.log_figure(figure, "plots/candidates.png")
        plt.close(figure)

        y_hold = data.y[data.holdout]
        baseline = reference_costs(y_hold)
        mlflow.log_metrics({f"chosen_holdout_{k}": v for k, v in choice.holdout.items()})
        mlflow.log_metrics({"chosen_cv_auc": choice.result.cv["cv_auc"], **baseline})
        mlflow.set_tag("chosen_candidate", choice.result.name)
        mlflow.set_tag("choice_reasons", " | ".join(choice.reasons))
        method = choice.calibration.method
        before = choice.result.holdout_proba if method != "none" else None
        log_evaluation_plots(y_hold, choice.holdout_proba, choice.holdout, before_calibration=before, method=method)
        importance = choice.result.importance
        figure = plots.importance(importance, "mean_abs_shap", f"Chosen model ({choice.result.name}): mean |SHAP|")
        mlflow.log_figure(figure, "plots/importance_shap.png")
        plt.close(figure)

        compiled = CompiledModel.from_pipeline(
            choice.result.estimator, choice.threshold.threshold, choice.calibration.platt, choice.calibration.isotonic
        )
        final_fairness = fairness_report(
            y_hold, choice.holdout_proba >= choice.threshold.threshold, data.holdout_groups()
        )
        log_fairness(final_fairness, f"Chosen model ({choice.result.name})")
        card = model_card(choice, tables, data, settings, comparison, final_fairness, exclude)
        reference = reference_sample(tables, data, choice, settings.seed)
        documents = dict(zip(("markdown", "html"), documentation(card, settings), strict=True))
        registered = register(compiled, card, reference, importance, holdout_frame(data, choice), settings, documents)
        run_id = parent.info.run_id

    summary = [
        f"chosen: {choice.result.name} — " + "; ".join(choice.reasons),
        f"cross-validated AUC {choice.result.cv['cv_auc']:.3f} (± {choice.result.cv['cv_auc_std']:.3f}); "
        f"hold-out AUC {choice.holdout['auc']:.3f}, threshold {choice.threshold.threshold:.3f}",
        f"hold-out cost per 1,000 applicants: model {choice.holdout['cost_per_1000']:.0f}, "
        f"accept everyone {baseline['accept_everyone_per_1000']:.0f}, refuse everyone {baseline['refuse_everyone_per_1000']:.0f}",
        f"registered {settings.model_name} version {registered.version} as challenger (run {run_id})",
    ]
    decision = None
    if promote_after:
        decision = promote(settings, tables, registered.version)
        summary.append(("promoted: " if decision.promoted else "not promoted: ") + decision.reason)
    return Outcome(registered, compiled, decision, summary)
