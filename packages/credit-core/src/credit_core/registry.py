"""The registered model as MLflow sees it: a pyfunc around :class:`CreditModel`, and loading by alias.

Input of the pyfunc: a pandas DataFrame of raw application rows, or a dict with the key
``application`` (that DataFrame) and any history tables by name (``bureau``, ...). Output: one
row per applicant with ``SK_ID_CURR``, ``probability``, ``decision`` and ``threshold``.
Imports MLflow: only code that talks to the registry imports this module.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import mlflow.artifacts
import mlflow.pyfunc
from mlflow.pyfunc.model import PythonModel

from credit_core.model import CreditModel

MODEL_NAME = "credit-default"
CHAMPION, CHALLENGER = "champion", "challenger"
BUNDLE_ARTIFACT = "bundle"


class CreditDefaultModel(PythonModel):  # type: ignore[misc]
    """MLflow pyfunc wrapper; the pickled :class:`CreditModel` is the ``bundle`` artifact."""

    model: CreditModel

    def load_context(self, context: Any) -> None:
        with open(context.artifacts[BUNDLE_ARTIFACT], "rb") as f:
            self.model = pickle.load(f)  # the bundle is written by our own trainer

    # no type hints here: MLflow would try to derive a signature from them
    def predict(self, context, model_input, params=None):  # type: ignore[no-untyped-def]
        if isinstance(model_input, dict):
            history = {name: rows for name, rows in model_input.items() if name != "application"}
            return self.model.score_raw(model_input["application"], history).to_pandas()
        return self.model.score_raw(model_input).to_pandas()


def model_uri(name: str = MODEL_NAME, alias: str = CHAMPION) -> str:
    return f"models:/{name}@{alias}"


def download_model(uri: str, destination: Path) -> Path:
    """A local copy of a registered model's folder; its files are under ``artifacts/``
    (``bundle.pkl``, ``reference.parquet``, ``importance.csv``, ...)."""
    return Path(mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=str(destination)))


def read_bundle(folder: Path) -> CreditModel:
    """The :class:`CreditModel` in a downloaded model folder (written by our own trainer)."""
    with open(folder / "artifacts" / f"{BUNDLE_ARTIFACT}.pkl", "rb") as f:
        bundle: CreditModel = pickle.load(f)
    return bundle


def load_credit_model(uri: str) -> CreditModel:
    """The :class:`CreditModel` inside a registered pyfunc (e.g. ``models:/credit-default@champion``)."""
    pyfunc = mlflow.pyfunc.load_model(uri)
    wrapper: CreditDefaultModel = pyfunc.unwrap_python_model()
    return wrapper.model
