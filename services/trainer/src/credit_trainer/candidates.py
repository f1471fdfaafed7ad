"""Candidate models: classifiers, imbalance handling, hyperparameter grids (the preprocessing is\n``credit_core.pipeline``'s, the layout the compiled model reads)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from credit_core.pipeline import preprocessing
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import Pipeline as ImbPipeline
from lightgbm import LGBMClassifier
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from xgboost import XGBClassifier

FAMILIES = ("dummy", "logreg", "lightgbm", "xgboost")
IMBALANCE = ("none", "weights", "smote")
Grid = Literal["small", "full"]

GRIDS: dict[str, dict[str, dict[str, list[Any]]]] = {
    "small": {
        "dummy": {},
        "logreg": {"model__C": [0.05, 0.5]},
        "lightgbm": {"model__num_leaves": [8, 24], "model__n_estimators": [300], "model__learning_rate": [0.03]},
        "xgboost": {"model__max_depth": [3, 5], "model__n_estimators": [250], "model__learning_rate": [0.05]},
    },
    "full": {
        "dummy": {},
        "logreg": {"model__C": [0.01, 0.05, 0.2, 1.0]},
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

    @property
    def name(self) -> str:
        return self.family if self.family == "dummy" else f"{self.family}+{self.imbalance}"


def _classifier(family: str, imbalance: str, positive_share: float, seed: int) -> Any:
    weighted = imbalance == "weights"
    if family == "dummy":
        return DummyClassifier(strategy="prior")
    if family == "logreg":
        return LogisticRegression(max_iter=3_000, class_weight="balanced" if weighted else None)
    if family == "lightgbm":
        return LGBMClassifier(
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
        )
    if family == "xgboost":
        return XGBClassifier(
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
        )
    raise ValueError(f"unknown model family {family!r}; choose from {', '.join(FAMILIES)}")


def make_candidate(family: str, imbalance: str, grid: Grid, positive_share: float, seed: int) -> Candidate:
    if imbalance not in IMBALANCE:
        raise ValueError(f"unknown imbalance handling {imbalance!r}; choose from {', '.join(IMBALANCE)}")
    linear = family == "logreg"
    smote = imbalance == "smote"
    prep = preprocessing(impute=linear or smote, scale=linear)
    model = _classifier(family, imbalance, positive_share, seed)
    if smote:
        # imblearn's Pipeline resamples only inside fit: validation and hold-out rows are never seen
        pipeline: Any = ImbPipeline([("prep", prep), ("smote", SMOTE(random_state=seed)), ("model", model)])
    else:
        pipeline = Pipeline([("prep", prep), ("model", model)])
    return Candidate(family, imbalance, pipeline, GRIDS[grid][family])


def make_candidates(
    families: tuple[str, ...], imbalances: tuple[str, ...], grid: Grid, y: np.ndarray, seed: int
) -> list[Candidate]:
    positive_share = float(np.mean(y))
    candidates = []
    for family in families:
        for imbalance in ("none",) if family == "dummy" else imbalances:
            candidates.append(make_candidate(family, imbalance, grid, positive_share, seed))
    return candidates
