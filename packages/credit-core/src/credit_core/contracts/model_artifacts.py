"""The compiled model as files in the registry (``model.json`` beside the booster in its native
format): written by the trainer, loaded by every service that scores or explains. Data only: the
fitted preprocessing as arrays, the classifier as a LightGBM model text, an XGBoost JSON model or
coefficients, the threshold and the calibration. Parsing it runs no code."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

FORMAT_VERSION: Literal[1] = 1
Kind = Literal["lightgbm", "xgboost", "linear", "constant"]


class NumericBlock(BaseModel):
    """Numeric columns: optional imputation (with "was missing" indicators appended after the
    values) and optional scaling of the whole block."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["numeric"] = "numeric"
    columns: list[str]
    fill: list[float] | None = Field(description="Imputation value per column; None keeps NaN for the trees")
    indicators: list[int] | None = Field(description="Positions of the columns that get a missing indicator")
    mean: list[float] | None
    scale: list[float] | None


class OneHotBlock(BaseModel):
    """Categorical columns: level -> output position (infrequent levels share one); unknown levels
    set no position."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["one_hot"] = "one_hot"
    columns: list[str]
    positions: list[dict[str, int]]
    width: int


Block = Annotated[NumericBlock | OneHotBlock, Field(discriminator="type")]


class Classifier(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Kind
    booster_file: str | None = Field(default=None, description="booster.txt (LightGBM) or booster.json (XGBoost)")
    weights: list[float] | None = Field(default=None, description="Linear: one weight per model column")
    bias: float | None = Field(default=None, description="Linear: intercept (log-odds)")
    prior: float | None = Field(default=None, description="Constant: the probability of default it always gives")


class ModelSpec(BaseModel):
    """``model.json``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format_version: Literal[1] = FORMAT_VERSION
    blocks: list[Block]
    classifier: Classifier
    threshold: float
    calibration: tuple[float, float] | None = Field(description="Platt scaling on the log-odds: sigmoid(a * z + b)")
