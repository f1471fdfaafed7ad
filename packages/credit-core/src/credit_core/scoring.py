"""The model as every service runs it: the fitted preprocessing compiled to arrays in front of the
classifier in its native form (a LightGBM or XGBoost booster, coefficients, or a constant).

The sklearn pipeline costs milliseconds per single-row call (a pandas frame, a ColumnTransformer,
the sklearn wrapper of the booster). :class:`CompiledModel` reads the *fitted* preprocessing
(imputation values, missing indicators, scaling, one-hot levels including the infrequent bucket)
once (:meth:`CompiledModel.from_pipeline`, in the trainer), builds the model row with numpy and
calls the booster itself. It is saved as data (:meth:`CompiledModel.save`: ``model.json`` + the
booster's own file format) and loaded from it without sklearn and without unpickling anything
(:meth:`CompiledModel.load`). Tests prove it equals the fitted pipeline's ``predict_proba`` to
1e-9 for every candidate family, before and after the round trip through the files.
"""

from __future__ import annotations

import ctypes
import threading
from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from math import isnan, nan
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from credit_core.contracts.decisions import Decision
from credit_core.contracts.model_artifacts import (
    BinnedBlock,
    Block,
    Classifier,
    Isotonic,
    ModelSpec,
    NumericBlock,
    OneHotBlock,
)
from credit_core.features import applicant_features, build_features
from credit_core.loader import clean_history, clean_record, clean_rows, conform
from credit_core.schema import APPLICATION_TEST, HISTORY_TABLES

MISSING_CATEGORY = "missing"
GRANTED: Decision = "granted"
REFUSED: Decision = "refused"
MODEL_FILE = "model.json"
BOOSTER_FILES = {"lightgbm": "booster.txt", "xgboost": "booster.json"}


def apply_platt(probability: np.ndarray, calibration: tuple[float, float]) -> np.ndarray:
    """Platt scaling on the log-odds: sigmoid(a * logit(p) + b)."""
    a, b = calibration
    clipped = np.clip(probability, 1e-12, 1 - 1e-12)
    return np.asarray(1.0 / (1.0 + np.exp(-(a * np.log(clipped / (1 - clipped)) + b))))


def apply_isotonic(probability: np.ndarray, isotonic: Isotonic) -> np.ndarray:
    """Isotonic calibration: linear between the fitted points, held beyond them."""
    return np.asarray(np.interp(probability, isotonic.x, isotonic.y), dtype=float)


def _numeric_row(block: NumericBlock, arrays: dict[str, np.ndarray | None], values: np.ndarray) -> np.ndarray:
    """The block's output for value rows (n x columns): imputation, indicators, scaling."""
    fill, indicators, mean, scale = (arrays[k] for k in ("fill", "indicators", "mean", "scale"))
    if fill is not None:
        missing = np.isnan(values)
        values = np.where(missing, fill, values)
        if indicators is not None and len(indicators):
            values = np.concatenate([values, missing[:, indicators].astype(float)], axis=1)
    if mean is not None and scale is not None:
        values = (values - mean) / scale
    return np.asarray(values, dtype=float)


@dataclass(frozen=True)
class _Numeric:
    spec: NumericBlock
    arrays: dict[str, np.ndarray | None]

    @classmethod
    def of(cls, spec: NumericBlock) -> _Numeric:
        def array(values: list[float] | list[int] | None, dtype: type) -> np.ndarray | None:
            return None if values is None else np.asarray(values, dtype=dtype)

        arrays = {
            "fill": array(spec.fill, float),
            "indicators": array(spec.indicators, int),
            "mean": array(spec.mean, float),
            "scale": array(spec.scale, float),
        }
        return cls(spec, arrays)

    @property
    def sources(self) -> list[str]:
        columns = self.spec.columns
        return columns + (
            [columns[i] for i in self.spec.indicators] if self.spec.fill is not None and self.spec.indicators else []
        )

    def transform(self, features: Mapping[str, Any]) -> np.ndarray:
        values = np.array([nan if features[c] is None else features[c] for c in self.spec.columns], dtype=float)
        return np.asarray(_numeric_row(self.spec, self.arrays, values[None, :])[0])

    def transform_frame(self, features: pl.DataFrame) -> np.ndarray:
        values = features.select(pl.col(c).cast(pl.Float64) for c in self.spec.columns).to_numpy()
        return _numeric_row(self.spec, self.arrays, np.asarray(values, dtype=float))


@dataclass(frozen=True)
class _OneHot:
    spec: OneHotBlock

    @property
    def sources(self) -> list[str]:
        sources = [""] * self.spec.width
        for column, positions in zip(self.spec.columns, self.spec.positions, strict=True):
            for position in positions.values():
                sources[position] = column
        return sources

    def transform(self, features: Mapping[str, Any]) -> np.ndarray:
        out = np.zeros(self.spec.width)
        for column, positions in zip(self.spec.columns, self.spec.positions, strict=True):
            value = features[column]
            position = positions.get(MISSING_CATEGORY if value is None else value)
            if position is not None:  # unknown levels are ignored, as the encoder does
                out[position] = 1.0
        return out

    def transform_frame(self, features: pl.DataFrame) -> np.ndarray:
        out = np.zeros((features.height, self.spec.width))
        rows = np.arange(features.height)
        for column, positions in zip(self.spec.columns, self.spec.positions, strict=True):
            codes = (
                features.get_column(column)
                .cast(pl.String)
                .fill_null(MISSING_CATEGORY)
                .replace_strict(positions, default=-1, return_dtype=pl.Int64)
                .to_numpy()
            )
            known = codes >= 0
            out[rows[known], codes[known]] = 1.0
        return out


@dataclass(frozen=True)
class _Binned:
    """A scorecard's characteristics: each value replaced by the weight of evidence of its bin."""

    spec: BinnedBlock
    tables: tuple[tuple[np.ndarray, np.ndarray] | dict[str, float], ...]  # (splits, woe) or level -> woe

    @classmethod
    def of(cls, spec: BinnedBlock) -> _Binned:
        tables: list[tuple[np.ndarray, np.ndarray] | dict[str, float]] = []
        for v in spec.variables:
            if v.splits is not None:
                tables.append((np.asarray(v.splits, dtype=float), np.asarray(v.woe, dtype=float)))
            else:
                tables.append(
                    {level: w for levels, w in zip(v.categories or [], v.woe, strict=True) for level in levels}
                )
        return cls(spec, tuple(tables))

    @property
    def sources(self) -> list[str]:
        return [v.column for v in self.spec.variables]

    def transform(self, features: Mapping[str, Any]) -> np.ndarray:
        out = np.empty(len(self.tables))
        for i, (variable, table) in enumerate(zip(self.spec.variables, self.tables, strict=True)):
            x = features[variable.column]
            if isinstance(table, dict):
                out[i] = table.get(MISSING_CATEGORY if x is None else x, variable.missing_woe)
            elif x is None or isnan(x):
                out[i] = variable.missing_woe
            else:
                out[i] = variable.woe[bisect_right(variable.splits or [], x)]
        return out

    def transform_frame(self, features: pl.DataFrame) -> np.ndarray:
        out = np.empty((features.height, len(self.tables)))
        for i, (variable, table) in enumerate(zip(self.spec.variables, self.tables, strict=True)):
            column = features.get_column(variable.column)
            if isinstance(table, dict):
                levels = column.cast(pl.String).fill_null(MISSING_CATEGORY)
                out[:, i] = levels.replace_strict(
                    table, default=variable.missing_woe, return_dtype=pl.Float64
                ).to_numpy()
            else:
                splits, woe = table
                x = column.cast(pl.Float64).fill_nan(None).to_numpy()
                missing = np.isnan(x)
                out[:, i] = np.where(
                    missing, variable.missing_woe, woe[np.searchsorted(splits, np.where(missing, 0, x), side="right")]
                )
        return out


def woe_matrix(block: BinnedBlock, features: pl.DataFrame) -> np.ndarray:
    """A scorecard block's output for feature rows: what the trainer fits its regression on."""
    return _Binned.of(block).transform_frame(features)


class _LightGBM:
    """LightGBM's probabilities. One row (a request) goes through the C API's single-row fast path,
    its configuration prepared once per thread: ``Booster.predict`` spends some 30 µs per call
    setting up what takes 7 µs to compute. Several rows go through ``Booster.predict``: one thread
    for requests (a service's workers share the cores), all of them for big batches."""

    def __init__(self, booster: Any):
        self.booster = booster
        self._configs = threading.local()

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        if len(rows) != 1:
            return np.asarray(self.booster.predict(rows, num_threads=1 if len(rows) < 1_000 else 0), dtype=float)
        row = np.ascontiguousarray(rows[0], dtype=np.float64)
        out, length = np.empty(1), ctypes.c_int64()
        _lightgbm_call(
            "LGBM_BoosterPredictForMatSingleRowFast",
            self._config().handle,
            row.ctypes.data_as(ctypes.c_void_p),
            ctypes.byref(length),
            out.ctypes.data_as(ctypes.POINTER(ctypes.c_double)),
        )
        return out

    def _config(self) -> _FastConfig:
        config: _FastConfig | None = getattr(self._configs, "config", None)
        if config is None:
            config = self._configs.config = _FastConfig(self.booster)
        return config


class _FastConfig:
    """A prepared single-row prediction of a LightGBM booster (normal prediction, all trees,
    float64 rows, one thread), freed with the object."""

    def __init__(self, booster: Any):
        self.booster = booster  # the booster outlives its configuration
        self.handle = ctypes.c_void_p()
        _lightgbm_call(
            "LGBM_BoosterPredictForMatSingleRowFastInit",
            booster._handle,
            ctypes.c_int(0),  # C_API_PREDICT_NORMAL
            ctypes.c_int(0),  # start iteration
            ctypes.c_int(-1),  # every iteration
            ctypes.c_int(1),  # C_API_DTYPE_FLOAT64
            ctypes.c_int32(booster.num_feature()),
            b"num_threads=1",
            ctypes.byref(self.handle),
        )

    def __del__(self) -> None:
        if self.handle:
            _lightgbm_call("LGBM_FastConfigFree", self.handle)


def _lightgbm_call(function: str, *arguments: Any) -> None:
    """A function of LightGBM's C API, through the library its Python package loaded; raises
    LightGBM's error when it fails."""
    import lightgbm.basic

    lightgbm.basic._safe_call(getattr(lightgbm.basic._LIB, function)(*arguments))  # type: ignore[attr-defined]


def _predictor(classifier: Classifier, booster: Any) -> Callable[[np.ndarray], np.ndarray]:
    """The classifier's probability of default for a matrix of model rows, single-threaded."""
    if classifier.kind == "lightgbm":
        return _LightGBM(booster)
    if classifier.kind == "xgboost":
        return lambda rows: np.asarray(booster.inplace_predict(rows), dtype=float)
    if classifier.kind == "linear":
        assert classifier.weights is not None and classifier.bias is not None
        weights, bias = np.asarray(classifier.weights, dtype=float), float(classifier.bias)
        return lambda rows: 1.0 / (1.0 + np.exp(-(rows @ weights + bias)))
    prior = float(classifier.prior if classifier.prior is not None else nan)
    return lambda rows: np.full(len(rows), prior)


def _load_booster(kind: str, text: bytes) -> Any:
    if kind == "lightgbm":
        import lightgbm

        return lightgbm.Booster(model_str=text.decode())
    import xgboost

    booster = xgboost.Booster()
    booster.load_model(bytearray(text))
    booster.set_param({"nthread": 1})
    return booster


@dataclass(frozen=True)
class CompiledModel:
    """A model ready to score one raw application in well under a millisecond, or a batch."""

    spec: ModelSpec
    blocks: tuple[_Numeric | _OneHot | _Binned, ...]
    booster: Any  # lightgbm.Booster, xgboost.Booster, or None for linear and constant models
    predict: Callable[[np.ndarray], np.ndarray]

    @classmethod
    def from_spec(cls, spec: ModelSpec, booster: Any = None) -> CompiledModel:
        compile_block: dict[type, Callable[[Any], _Numeric | _OneHot | _Binned]] = {
            NumericBlock: _Numeric.of,
            OneHotBlock: _OneHot,
            BinnedBlock: _Binned.of,
        }
        blocks = tuple(compile_block[type(b)](b) for b in spec.blocks)
        return cls(spec, blocks, booster, _predictor(spec.classifier, booster))

    @classmethod
    def from_pipeline(
        cls,
        estimator: Any,
        threshold: float,
        calibration: tuple[float, float] | None = None,
        isotonic: Isotonic | None = None,
    ) -> CompiledModel:
        """Compile a fitted pipeline (``prep`` -> [``smote``] -> ``model``, see
        :func:`credit_core.pipeline.preprocessing`): reads its fitted attributes, imports nothing."""
        prep = estimator.named_steps["prep"]
        blocks: list[Block] = list(prep.compiled_blocks()) if hasattr(prep, "compiled_blocks") else []
        for _name, transformer, columns in getattr(prep, "transformers_", ()):
            if transformer == "drop" or not len(columns):
                continue
            if type(transformer).__name__ == "OneHotEncoder":
                blocks.append(_one_hot_spec(transformer, list(columns)))
            else:
                blocks.append(_numeric_spec(transformer, list(columns)))
        classifier, booster = _classifier_spec(estimator.named_steps["model"])
        spec = ModelSpec(
            blocks=blocks, classifier=classifier, threshold=threshold, calibration=calibration, isotonic=isotonic
        )
        return cls.from_spec(spec, booster)

    def save(self, folder: Path) -> list[Path]:
        """``model.json`` and the booster's file in ``folder``; the files written."""
        folder.mkdir(parents=True, exist_ok=True)
        written = [folder / MODEL_FILE]
        written[0].write_text(self.spec.model_dump_json(indent=1))
        kind, name = self.spec.classifier.kind, self.spec.classifier.booster_file
        if name is not None:
            path = folder / name
            path.write_bytes(
                self.booster.model_to_string().encode() if kind == "lightgbm" else self.booster.save_raw("json")
            )
            written.append(path)
        return written

    @classmethod
    def load(cls, folder: Path) -> CompiledModel:
        """The model saved in ``folder`` (see :meth:`save`); raises ``ValueError`` on a file that
        does not parse as a model."""
        spec = ModelSpec.model_validate_json((folder / MODEL_FILE).read_bytes())
        name = spec.classifier.booster_file
        if name is not None and name != BOOSTER_FILES.get(spec.classifier.kind):
            raise ValueError(f"{MODEL_FILE}: unexpected booster file {name!r} for a {spec.classifier.kind} model")
        booster = None if name is None else _load_booster(spec.classifier.kind, (folder / name).read_bytes())
        return cls.from_spec(spec, booster)

    @property
    def kind(self) -> str:
        return self.spec.classifier.kind

    @property
    def threshold(self) -> float:
        return self.spec.threshold

    @property
    def calibration(self) -> tuple[float, float] | None:
        return self.spec.calibration

    @property
    def calibration_method(self) -> str:
        """platt, isotonic or none."""
        return "platt" if self.spec.calibration else "isotonic" if self.spec.isotonic else "none"

    @property
    def column_sources(self) -> list[str]:
        """The model feature each model column comes from (indicators and levels included)."""
        return [source for block in self.blocks for source in block.sources]

    def row(self, features: Mapping[str, Any]) -> np.ndarray:
        """The model's input row for one applicant's features."""
        return np.concatenate([block.transform(features) for block in self.blocks])

    def matrix(self, features: pl.DataFrame) -> np.ndarray:
        """The model's input rows for feature rows (output of ``build_features``)."""
        return np.concatenate([block.transform_frame(features) for block in self.blocks], axis=1)

    def probability_of(self, features: Mapping[str, Any]) -> float:
        return float(self.probabilities(self.row(features)[None, :])[0])

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """Probability of default for a matrix of model rows (see :meth:`row`)."""
        probability = self.predict(rows)
        if self.spec.isotonic is not None:
            return apply_isotonic(probability, self.spec.isotonic)
        return probability if self.calibration is None else apply_platt(probability, self.calibration)

    def probability(self, record: Mapping[str, Any], history: Mapping[str, Any] | None = None) -> float:
        """Probability of default for one raw application record and its raw history rows."""
        return self.probability_of(applicant_features(clean_record(record), clean_history(history)))

    def decision(self, probability: float) -> Decision:
        return REFUSED if probability >= self.threshold else GRANTED

    def score_frame(
        self, application: pl.DataFrame, history: Mapping[str, pl.DataFrame | None] | None = None
    ) -> pl.DataFrame:
        """Raw application rows (any subset of columns) + raw history tables -> SK_ID_CURR,
        probability, decision, threshold; the batch path (the same features as one request)."""
        features = build_features(conform(application, APPLICATION_TEST), clean_history(history))
        probability = self.probabilities(self.matrix(features))
        return pl.DataFrame(
            {
                "SK_ID_CURR": features.get_column("SK_ID_CURR"),
                "probability": probability,
                "decision": np.where(probability >= self.threshold, REFUSED, GRANTED),
                "threshold": np.full(len(probability), self.threshold),
            }
        )


def _numeric_spec(transformer: Any, columns: list[str]) -> NumericBlock:
    if transformer == "passthrough" or type(transformer).__name__ == "FunctionTransformer":
        # a fitted ColumnTransformer holds "passthrough" as an identity FunctionTransformer
        return NumericBlock(columns=columns, fill=None, indicators=None, mean=None, scale=None)
    steps = dict(transformer.steps)
    imputer, scaler = steps.get("impute"), steps.get("scale")
    fill = indicators = None
    if imputer is not None:
        # keep_empty_features: columns never seen filled are imputed with 0
        fill = np.where(np.isnan(imputer.statistics_), 0.0, imputer.statistics_).tolist()
        if imputer.indicator_ is not None:
            indicators = [int(i) for i in imputer.indicator_.features_]
    return NumericBlock(
        columns=columns,
        fill=fill,
        indicators=indicators,
        mean=None if scaler is None else scaler.mean_.tolist(),
        scale=None if scaler is None else scaler.scale_.tolist(),
    )


def _one_hot_spec(encoder: Any, columns: list[str]) -> OneHotBlock:
    positions: list[dict[str, int]] = []
    offset = 0
    infrequent = getattr(encoder, "infrequent_categories_", [None] * len(columns))
    for levels, rare in zip(encoder.categories_, infrequent, strict=True):
        rare_set = set() if rare is None else {str(level) for level in rare.tolist()}
        frequent = [str(level) for level in levels.tolist() if str(level) not in rare_set]
        mapping = {level: offset + i for i, level in enumerate(frequent)}
        offset += len(frequent)
        if rare_set:
            mapping |= dict.fromkeys(sorted(rare_set), offset)
            offset += 1
        positions.append(mapping)
    return OneHotBlock(columns=columns, positions=positions, width=offset)


def _classifier_spec(model: Any) -> tuple[Classifier, Any]:
    """The classifier as data, and its native booster (None for linear and constant models)."""
    bases = {cls.__name__ for cls in type(model).__mro__}  # a subclass (e.g. with constraints) compiles as its base
    kind = next(
        (k for k in ("LGBMClassifier", "XGBClassifier", "LogisticRegression", "DummyClassifier") if k in bases), ""
    )
    if kind == "LGBMClassifier":
        booster = model.booster_
        return Classifier(kind="lightgbm", booster_file=BOOSTER_FILES["lightgbm"]), booster
    if kind == "XGBClassifier":
        booster = model.get_booster().copy()
        booster.set_param({"nthread": 1})
        return Classifier(kind="xgboost", booster_file=BOOSTER_FILES["xgboost"]), booster
    if kind == "LogisticRegression":
        return Classifier(
            kind="linear", weights=model.coef_[0].astype(float).tolist(), bias=float(model.intercept_[0])
        ), None
    if kind == "DummyClassifier":
        return Classifier(kind="constant", prior=float(model.class_prior_[1])), None
    raise TypeError(f"no compiled form for a {type(model).__name__}")


def request_features(
    application: Mapping[str, Any], history: Mapping[str, list[dict[str, Any]]] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """One request's cleaned application record and its features; the history as JSON rows."""
    frames = {name: clean_rows(rows, HISTORY_TABLES[name]) for name, rows in (history or {}).items() if rows}
    record = clean_record(application)
    return record, applicant_features(record, frames)
