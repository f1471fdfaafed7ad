"""Fitted pipelines of every classifier family in the layout the compiled model reads
(``credit_core.pipeline``), for tests that need a model without running the trainer."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from credit_core.features import build_features
from credit_core.loader import load_tables
from credit_core.pipeline import model_frame, preprocessing
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import Pipeline as ImbPipeline
from lightgbm import LGBMClassifier
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from xgboost import XGBClassifier

FAMILIES = ("lightgbm", "lightgbm+smote", "xgboost", "logreg", "logreg+smote", "dummy")


@dataclass(frozen=True)
class Data:
    features: pl.DataFrame  # SK_ID_CURR + model features
    x: Any  # the pandas frame the pipeline takes
    y: np.ndarray


def load(folder: Path) -> Data:
    tables = load_tables(folder)
    return of(build_features(tables.application, tables.history), tables.application.get_column("TARGET").to_numpy())


def of(features: pl.DataFrame, y: np.ndarray) -> Data:
    return Data(features, model_frame(features), y)


def fitted(family: str, data: Data, **params: Any) -> Any:
    """A fitted pipeline: prep -> [smote] -> model (``params`` override the classifier's)."""
    base, _, imbalance = family.partition("+")
    linear = base == "logreg"
    classifier: Any = {
        "lightgbm": lambda: LGBMClassifier(
            **({"n_estimators": 60, "num_leaves": 8, "random_state": 0, "n_jobs": 1, "verbose": -1} | params)
        ),
        "xgboost": lambda: XGBClassifier(n_estimators=60, max_depth=3, random_state=0, n_jobs=1, scale_pos_weight=5),
        "logreg": lambda: LogisticRegression(max_iter=2_000),
        "dummy": lambda: DummyClassifier(strategy="prior"),
    }[base]()
    prep = preprocessing(impute=linear or imbalance == "smote", scale=linear)
    if imbalance == "smote":
        pipeline: Any = ImbPipeline([("prep", prep), ("smote", SMOTE(random_state=0)), ("model", classifier)])
    else:
        pipeline = Pipeline([("prep", prep), ("model", classifier)])
    return pipeline.fit(data.x, data.y)
