"""The registered model as an MLflow pyfunc, for MLflow users (``mlflow.pyfunc.load_model``): input
raw application rows (a DataFrame, or a dict with ``application`` and any history tables), output
``SK_ID_CURR, probability, decision, threshold``. It reads the same compiled model files as the
services (no pickle of ours). Logged by the trainer; no service imports this module (it brings
MLflow's pyfunc machinery and pandas).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
from mlflow.pyfunc.model import PythonModel

from credit_core.scoring import CompiledModel


class CreditDefaultModel(PythonModel):  # type: ignore[misc]
    """MLflow pyfunc: the compiled model read from the version's artifacts (no pickle)."""

    model: CompiledModel

    def load_context(self, context: Any) -> None:
        self.model = CompiledModel.load(Path(context.artifacts["model"]).parent)

    # no type hints here: MLflow would try to derive a signature from them
    def predict(self, context, model_input, params=None):  # type: ignore[no-untyped-def]
        def frame(rows: Any) -> pl.DataFrame:
            return rows if isinstance(rows, pl.DataFrame) else pl.from_pandas(rows)

        if isinstance(model_input, dict):
            history = {name: rows for name, rows in model_input.items() if name != "application"}
            return self.model.score_frame(frame(model_input["application"]), history).to_pandas()
        return self.model.score_frame(frame(model_input)).to_pandas()
