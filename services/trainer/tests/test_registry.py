"""A full `credit-trainer train --grid small` against a real MLflow server (SQLite + S3 on moto)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import boto3
import mlflow
import numpy as np
import polars as pl
import pytest
from credit_core.contracts.model_card import ModelCard
from credit_core.registry import MODEL_NAME, model_uri
from credit_core.schema import HISTORY_TABLES
from credit_trainer.cli import app
from mlflow import MlflowClient
from typer.testing import CliRunner

pytestmark = [pytest.mark.integration, pytest.mark.slow]
runner = CliRunner()


@pytest.fixture(scope="module")
def first_training(mlflow_server: str, small_data: Path) -> Iterator[str]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TRAINER_MLFLOW_TRACKING_URI", mlflow_server)
        result = runner.invoke(
            app, ["train", "--data", str(small_data), "--grid", "small", "--constraints", "none", "--promote"]
        )
        assert result.exit_code == 0, result.output
        yield result.output


def _raw_rows(folder: Path, ids: pl.Series) -> dict[str, object]:
    """What a client would send: raw application rows and their history, as pandas frames."""
    application = pl.read_parquet(folder / "application_train.parquet").filter(
        pl.col("SK_ID_CURR").is_in(ids.implode())
    )
    bureau = pl.read_parquet(folder / "bureau.parquet").filter(pl.col("SK_ID_CURR").is_in(ids.implode()))
    rows: dict[str, object] = {"application": application.drop("TARGET").to_pandas()}
    for name in HISTORY_TABLES:
        table = pl.read_parquet(folder / f"{name}.parquet")
        key = (
            pl.col("SK_ID_BUREAU").is_in(bureau["SK_ID_BUREAU"].implode())
            if name == "bureau_balance"
            else pl.col("SK_ID_CURR").is_in(ids.implode())
        )
        rows[name] = table.filter(key).to_pandas()
    return rows


def test_champion_loads_by_alias_and_scores_like_training(
    first_training: str, mlflow_server: str, small_data: Path, s3_endpoint: str, s3_bucket: str
) -> None:
    assert f"registered {MODEL_NAME} version 1 as challenger" in first_training
    assert "promoted: first model: version 1 becomes champion" in first_training
    mlflow.set_tracking_uri(mlflow_server)
    client = MlflowClient()
    champion = client.get_model_version_by_alias(MODEL_NAME, "champion")
    assert champion.version == "1"
    threshold = float(champion.tags["threshold"])

    # the hold-out probabilities the trainer computed
    holdout = pl.read_parquet(
        mlflow.artifacts.download_artifacts(f"runs:/{champion.run_id}/model/artifacts/holdout.parquet")
    )
    # scored again from raw rows by the registered model, loaded by alias
    model = mlflow.pyfunc.load_model(model_uri(MODEL_NAME, "champion"))
    scored = pl.from_pandas(model.predict(_raw_rows(small_data, holdout["SK_ID_CURR"])))
    joined = holdout.join(scored, on="SK_ID_CURR", suffix="_served")
    assert joined.height == holdout.height > 100
    assert np.abs(joined["probability"] - joined["probability_served"]).max() < 1e-9
    assert (joined["threshold"] == threshold).all()
    expected = np.where(joined["probability_served"].to_numpy() >= threshold, "refused", "granted")
    assert (joined["decision"].to_numpy() == expected).all()

    # one parent run with a nested run per candidate, all in the trainer's experiment
    runs = mlflow.search_runs(
        experiment_names=["credit-default"], filter_string=f"tags.mlflow.parentRunId = '{champion.run_id}'"
    )
    assert len(runs) == 12 and set(runs["tags.candidate"]) >= {
        "scorecard+weights",
        "dummy",
        "lightgbm+smote",
        "xgboost+weights",
        "logreg+none",
    }

    # the artifacts really went to the S3 endpoint
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=s3_bucket)["Contents"]]
    assert any(k.endswith("model.json") for k in keys) and any(
        k.endswith("booster.txt") or k.endswith("booster.json") for k in keys
    )
    assert not any(k.endswith("bundle.pkl") for k in keys)
    assert any(k.endswith("eda.html") for k in keys)
    assert any(k.endswith("cost_vs_threshold.png") for k in keys)

    # the card says how sure its figures are and how the calibration was chosen
    card = ModelCard.model_validate_json(
        Path(
            mlflow.artifacts.download_artifacts(f"runs:/{champion.run_id}/model/artifacts/model_card.json")
        ).read_text()
    )
    assert card.intervals is not None and card.calibration is not None
    assert card.intervals.auc.low <= card.holdout.auc <= card.intervals.auc.high
    assert card.intervals.cost_per_1000.low <= card.holdout.cost_per_1000 <= card.intervals.cost_per_1000.high
    assert set(card.calibration.oof_brier) == {"none", "platt", "isotonic"}
    assert card.calibration.method == min(card.calibration.oof_brier, key=lambda m: card.calibration.oof_brier[m])  # type: ignore[union-attr]
    assert sum(card.calibration.reliability_counts) == card.holdout_applicants
    assert all(c.holdout_auc_low is not None and c.holdout_auc_low <= c.holdout_auc for c in card.candidates)
    assert champion.tags["calibration"] == card.calibration.method

    # the model documentation, generated from the run: every Annex IV section there and filled
    page = Path(
        mlflow.artifacts.download_artifacts(f"runs:/{champion.run_id}/model/artifacts/documentation.html")
    ).read_text()
    sections = re.findall(r"<section><h2>(.*?)</h2>(.*?)</section>", page, re.DOTALL)
    titles = [t for t, _ in sections]
    assert titles[0].startswith("1. General description") and titles[-1] == "9. Post-market monitoring plan"
    for title in ("2(e). Performance on the hold-out, with intervals", "2(f). Calibration", "2(g). Fairness"):
        assert title in titles
    for title, body in sections:
        text = re.sub(r"<[^>]+>", "", body).strip()
        assert len(text) > 80, f"section {title!r} is empty"
    assert page.count("data:image/png;base64,") >= 2  # the cost curve and the reliability diagram


def test_promotion_refuses_a_worse_challenger(
    first_training: str, mlflow_server: str, small_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAINER_MLFLOW_TRACKING_URI", mlflow_server)
    # a challenger that can only predict the base rate
    result = runner.invoke(app, ["train", "--data", str(small_data), "--models", "dummy", "--promote"])
    assert result.exit_code == 0, result.output
    assert "not promoted: version 2 does not beat champion version 1" in result.output
    client = MlflowClient(mlflow_server)
    assert client.get_model_version_by_alias(MODEL_NAME, "champion").version == "1"
    assert client.get_model_version_by_alias(MODEL_NAME, "challenger").version == "2"
    refused = client.get_model_version(MODEL_NAME, "2")
    assert refused.tags["promotion_decision"] == "refused"
    assert "does not beat" in refused.tags["promotion_reason"]
    # the paired bootstrap's interval of the cost difference is recorded with the decision
    low, high = (float(v) for v in refused.tags["promotion_interval"].strip("[]").split(","))
    assert low <= float(refused.tags["promotion_cost_difference"]) <= high and high >= 0
    assert refused.tags["promotion_confidence"] == "0.95" and refused.tags["promotion_compared_with"] == "1"

    # asking again through the promote command gives the same answer
    again = runner.invoke(app, ["promote", "--data", str(small_data)])
    assert again.exit_code == 0 and "not promoted" in again.output
