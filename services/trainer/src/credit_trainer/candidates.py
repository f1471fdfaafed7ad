"""Candidate models: classifiers, imbalance handling, hyperparameter grids (the preprocessing is\n``credit_core.pipeline``'s, the layout the compiled model reads)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from credit_core.catalogue import monotone_constraints
from credit_core.pipeline import preprocessing
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import Pipeline as ImbPipeline
from lightgbm import LGBMClassifier
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from xgboost import XGBClassifier

from credit_trainer.scorecard import WoeBinning

FAMILIES = ("dummy", "logreg", "scorecard", "lightgbm", "xgboost")
IMBALANCE = ("none", "weights", "smote")
CONSTRAINTS = ("none", "monotone")  # monotone: the catalogue's risk directions (trees only)
CONSTRAINABLE = ("lightgbm", "xgboost")
Grid = Literal["small", "full"]

GRIDS: dict[str, dict[str, dict[str, list[Any]]]] = {
    "small": {
        "dummy": {},
        "logreg": {"model__C": [0.05, 0.5]},
        "scorecard": {},  # the binning is the slow part: one setting
        "lightgbm": {"model__num_leaves": [8, 24], "model__n_estimators": [300], "model__learning_rate": [0.03]},
        "xgboost": {"model__max_depth": [3, 5], "model__n_estimators": [250], "model__learning_rate": [0.05]},
    },
    "full": {
        "dummy": {},
        "logreg": {"model__C": [0.01, 0.05, 0.2, 1.0]},
        "scorecard": {"prep__top": [12, 20, 30], "model__C": [0.1, 1.0]},
        "lightgbm": {
            "model__num_leaves": [8, 15, 31],
            "model__n_estimators": [300, 600],
            "model__learning_rate": [0.02, 0.05],
            "model__min_child_samples": [40, 100],
        },
        "xgboost": {
            "model__max_depth": [3, 4, 6],
            "model__n_estimators": [300, 600],
            "model__learning_rate": [0.03, 0.08],
            "model__min_child_weight": [1, 10],
        },
    },
}


@dataclass(frozen=True)
class Candidate:
    family: str
    imbalance: str
    pipeline: Any  # unfitted sklearn / imblearn pipeline
    grid: dict[str, list[Any]]
    constraints: str = "none"

    @property
    def name(self) -> str:
        name = self.family if self.family == "dummy" else f"{self.family}+{self.imbalance}"
        return name if self.constraints == "none" else f"{name}+{self.constraints}"


class _Monotone:
    """Monotone constraints given for the leading model columns (the numeric block, see
    :func:`credit_core.catalogue.monotone_constraints`) and padded with 0 (free) for the one-hot
    columns, whose number is known only when the encoder has been fitted on the fold. The
    parameter itself keeps the declared list, so that a clone refits on any fold."""

    get_params: Any

    def _set(self, constraints: list[int], training: bool) -> None:
        raise NotImplementedError

    def fit(self, X: Any, y: Any, **kwargs: Any) -> Any:  # noqa: N803 (sklearn's name)
        declared = list(self.get_params()["monotone_constraints"])
        self._set([*declared, *[0] * (X.shape[1] - len(declared))], training=True)
        try:
            return super().fit(X, y, **kwargs)  # type: ignore[misc]
        finally:
            self._set(declared, training=False)


class MonotoneLGBMClassifier(_Monotone, LGBMClassifier):  # type: ignore[misc]
    def _set(self, constraints: list[int], training: bool) -> None:
        self.set_params(monotone_constraints=constraints)  # LightGBM keeps it among its extra params


class MonotoneXGBClassifier(_Monotone, XGBClassifier):  # type: ignore[misc]
    def _set(self, constraints: list[int], training: bool) -> None:
        # XGBoost trains with a string; set_params would also send the value to the fitted booster
        value: Any = "(" + ",".join(map(str, constraints)) + ")" if training else constraints
        self.monotone_constraints = value


def _classifier(
    family: str, imbalance: str, positive_share: float, seed: int, monotone: bool, excluded: frozenset[str]
) -> Any:
    weighted = imbalance == "weights"
    constrained: dict[str, Any] = {"monotone_constraints": monotone_constraints(excluded)} if monotone else {}
    if family == "dummy":
        return DummyClassifier(strategy="prior")
    if family in ("logreg", "scorecard"):
        return LogisticRegression(max_iter=3_000, class_weight="balanced" if weighted else None)
    if family == "lightgbm":
        return (MonotoneLGBMClassifier if monotone else LGBMClassifier)(
            n_estimators=300,
            learning_rate=0.03,
            num_leaves=15,
            min_child_samples=40,
            subsample=0.8,
            subsample_freq=1,
            colsample_bytree=0.5,
            reg_lambda=5.0,
            class_weight="balanced" if weighted else None,
            random_state=seed,
            n_jobs=2,
            verbose=-1,
            **constrained,
        )
    if family == "xgboost":
        return (MonotoneXGBClassifier if monotone else XGBClassifier)(
            n_estimators=250,
            learning_rate=0.05,
            max_depth=4,
            subsample=0.8,
            colsample_bytree=0.5,
            tree_method="hist",
            eval_metric="logloss",
            scale_pos_weight=(1 - positive_share) / positive_share if weighted else 1.0,
            random_state=seed,
            n_jobs=2,
            **constrained,
        )
    raise ValueError(f"unknown model family {family!r}; choose from {', '.join(FAMILIES)}")


def make_candidate(
    family: str,
    imbalance: str,
    grid: Grid,
    positive_share: float,
    seed: int,
    constraints: str = "none",
    excluded: frozenset[str] = frozenset(),
) -> Candidate:
    """``excluded``: model inputs left out of the model (see :func:`credit_core.catalogue.features_using`)."""
    if imbalance not in IMBALANCE:
        raise ValueError(f"unknown imbalance handling {imbalance!r}; choose from {', '.join(IMBALANCE)}")
    if constraints not in CONSTRAINTS:
        raise ValueError(f"unknown constraints {constraints!r}; choose from {', '.join(CONSTRAINTS)}")
    if constraints != "none" and family not in CONSTRAINABLE:
        raise ValueError(f"{family} takes no monotone constraints; only {', '.join(CONSTRAINABLE)} do")
    if family == "scorecard" and imbalance == "smote":
        raise ValueError("the scorecard takes no SMOTE: its bins are counted on real applicants (use weights)")
    linear = family == "logreg"
    smote = imbalance == "smote"
    prep: Any = (
        WoeBinning(excluded=excluded)
        if family == "scorecard"
        else preprocessing(impute=linear or smote, scale=linear, excluded=excluded)
    )
    model = _classifier(family, imbalance, positive_share, seed, constraints == "monotone", excluded)
    if smote:
        # imblearn's Pipeline resamples only inside fit: validation and hold-out rows are never seen
        pipeline: Any = ImbPipeline([("prep", prep), ("smote", SMOTE(random_state=seed)), ("model", model)])
    else:
        pipeline = Pipeline([("prep", prep), ("model", model)])
    return Candidate(family, imbalance, pipeline, GRIDS[grid][family], constraints)


def make_candidates(
    families: tuple[str, ...],
    imbalances: tuple[str, ...],
    grid: Grid,
    y: np.ndarray,
    seed: int,
    constraints: tuple[str, ...] = ("none",),
    excluded: frozenset[str] = frozenset(),
) -> list[Candidate]:
    """Every family with every imbalance handling; the tree families also with each of
    ``constraints`` (a constrained model is a candidate of its own beside the free one)."""
    positive_share = float(np.mean(y))
    candidates = []
    for family in families:
        handled = (
            ("none",) if family == "dummy" else tuple(i for i in imbalances if family != "scorecard" or i != "smote")
        )
        for imbalance in handled or ("weights",):
            for constrained in constraints if family in CONSTRAINABLE else ("none",):
                candidates.append(make_candidate(family, imbalance, grid, positive_share, seed, constrained, excluded))
    return candidates
