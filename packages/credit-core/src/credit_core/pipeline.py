"""The sklearn side of the model: the preprocessing every candidate is fitted with, and the frame
it takes. :meth:`credit_core.scoring.CompiledModel.from_pipeline` reads exactly this layout
(``prep`` with a ``numeric`` and a ``categorical`` block, then ``model``), so it is declared here,
beside the compiled form, and the trainer only adds classifiers and grids. Needs the ``training``
extra (scikit-learn, pandas); no service imports it.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from credit_core.catalogue import CATEGORICAL_FEATURES, NUMERIC_FEATURES, feature_columns
from credit_core.scoring import MISSING_CATEGORY


def preprocessing(*, impute: bool, scale: bool, excluded: frozenset[str] = frozenset()) -> ColumnTransformer:
    """One-hot encoding for the categorical fields; imputation (with missing-value indicators)
    and scaling only for the models that need them, tree models keep NaN. ``excluded`` model
    inputs are left out of the model entirely (see :func:`credit_core.catalogue.features_using`)."""
    steps: list[tuple[str, Any]] = []
    if impute:
        steps.append(("impute", SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True)))
    if scale:
        steps.append(("scale", StandardScaler()))
    numeric: Any = Pipeline(steps) if steps else "passthrough"
    categorical = OneHotEncoder(handle_unknown="ignore", min_frequency=0.005, sparse_output=False)
    return ColumnTransformer(
        # numeric first: a numeric feature keeps the same column position whatever the categories
        [
            ("numeric", numeric, [c for c in NUMERIC_FEATURES if c not in excluded]),
            ("categorical", categorical, [c for c in CATEGORICAL_FEATURES if c not in excluded]),
        ],
        verbose_feature_names_out=False,
    )


def model_frame(features: pl.DataFrame) -> Any:
    """Polars feature rows -> the pandas frame the preprocessing expects.

    Categorical text gets an explicit "missing" level and object dtype (pandas 3 reads text as
    ``str``, and the one-hot encoder cannot handle a missing value in a one-row ``str`` column).
    """
    frame = features.select(
        *(
            pl.col(c).fill_null(MISSING_CATEGORY) if c in CATEGORICAL_FEATURES else pl.col(c).cast(pl.Float64)
            for c in feature_columns()
        )
    ).to_pandas()
    for column in CATEGORICAL_FEATURES:
        frame[column] = frame[column].astype(object)
    return frame
