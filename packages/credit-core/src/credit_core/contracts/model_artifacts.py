"""The compiled model as files in the registry (``model.json`` beside the booster in its native
format): written by the trainer, loaded by every service that scores or explains. Data only: the
fitted preprocessing as arrays, the classifier as a LightGBM model text, an XGBoost JSON model or
coefficients, the threshold and the calibration. Parsing it runs no code."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

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


class WoeVariable(BaseModel):
    """One characteristic of a scorecard: its bins and the weight of evidence of each. Numeric:
    bin i holds ``splits[i-1] <= x < splits[i]`` (open at both ends). Categorical: bin i holds the
    levels listed in ``categories[i]`` (a missing value is the level ``missing``). Missing values,
    and levels never seen in training, take ``missing_woe``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    column: str
    splits: list[float] | None = None
    categories: list[list[str]] | None = None
    woe: list[float]
    missing_woe: float

    @model_validator(mode="after")
    def _bins_match(self) -> "WoeVariable":
        if (self.splits is None) == (self.categories is None):
            raise ValueError(f"{self.column}: a variable has splits (numeric) or categories, one of them")
        if self.splits is not None:
            if len(self.woe) != len(self.splits) + 1 or any(
                b <= a for a, b in zip(self.splits, self.splits[1:], strict=False)
            ):
                raise ValueError(f"{self.column}: splits must increase and give one bin more than there are splits")
        elif self.categories is not None and len(self.woe) != len(self.categories):
            raise ValueError(f"{self.column}: one weight of evidence per group of categories")
        return self


class BinnedBlock(BaseModel):
    """A scorecard's characteristics: each model column is one variable's weight of evidence."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["binned"] = "binned"
    variables: list[WoeVariable]


Block = Annotated[NumericBlock | OneHotBlock | BinnedBlock, Field(discriminator="type")]


class Classifier(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Kind
    booster_file: str | None = Field(default=None, description="booster.txt (LightGBM) or booster.json (XGBoost)")
    weights: list[float] | None = Field(default=None, description="Linear: one weight per model column")
    bias: float | None = Field(default=None, description="Linear: intercept (log-odds)")
    prior: float | None = Field(default=None, description="Constant: the probability of default it always gives")


class Isotonic(BaseModel):
    """Isotonic calibration as the points of its step function: the probability is interpolated
    linearly between them and held at the ends (``numpy.interp``, as scikit-learn predicts)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    x: list[float] = Field(min_length=2, description="Uncalibrated probabilities, increasing")
    y: list[float] = Field(min_length=2, description="Calibrated probabilities, non-decreasing, within (0, 1)")

    @model_validator(mode="after")
    def _a_step_function(self) -> "Isotonic":
        if len(self.x) != len(self.y):
            raise ValueError(f"isotonic: {len(self.x)} x points but {len(self.y)} y points")
        if any(b <= a for a, b in zip(self.x, self.x[1:], strict=False)):
            raise ValueError("isotonic: x must increase")
        if any(b < a for a, b in zip(self.y, self.y[1:], strict=False)) or not 0 < self.y[0] <= self.y[-1] < 1:
            raise ValueError("isotonic: y must not decrease and must stay within (0, 1)")
        return self


class ModelSpec(BaseModel):
    """``model.json``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format_version: Literal[1] = FORMAT_VERSION
    blocks: list[Block]
    classifier: Classifier
    threshold: float
    calibration: tuple[float, float] | None = Field(description="Platt scaling on the log-odds: sigmoid(a * z + b)")
    isotonic: Isotonic | None = Field(default=None, description="Isotonic calibration (never with Platt scaling)")

    @model_validator(mode="after")
    def _one_calibration(self) -> "ModelSpec":
        if self.calibration is not None and self.isotonic is not None:
            raise ValueError("a model has Platt scaling or isotonic calibration, not both")
        return self
