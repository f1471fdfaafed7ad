"""The explainer against models trained by the trainer: exact additivity (LightGBM and XGBoost),
reasons that read well and add up, sound reasons for arrears, refusals, pinned versions. (Its
agreement with the scoring API is in the root tests/test_parity.py.)"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from credit_core.contracts.explanations import Explanation
from credit_core.features import build_features
from credit_core.loader import clean_history, conform
from credit_core.registry import CHECKSUM_TAG, REFERENCE_FILE
from credit_core.schema import APPLICATION_TEST, HISTORY_TABLES
from credit_explainer.config import Settings
from credit_explainer.main import create_app
from fastapi.testclient import TestClient
from support import clients, registered_model, requests_from_folder

pytestmark = pytest.mark.integration
KEY = {"X-API-Key": "test-key"}


def _explainer(registry: str, **overrides: Any) -> TestClient:
    options: dict[str, Any] = {"api_clients": clients(), "reload_interval": 0} | overrides
    return TestClient(create_app(Settings(mlflow_tracking_uri=registry, **options)))


@pytest.fixture(scope="module")
def applications(synthetic: Path) -> list[dict[str, Any]]:
    """200 test applicants with their full history."""
    return requests_from_folder(synthetic, 200, True, "application_test")


def _all_contributions(explanation: dict[str, Any]) -> dict[str, float]:
    reasons = explanation["towards_default"] + explanation["towards_repayment"]
    return {f["feature"]: f["shap"] for r in reasons for f in r["features"]}


def _model_log_odds(registry: str, requests: list[dict[str, Any]], folder: Path) -> np.ndarray:
    """The model's own log-odds, through the batch feature path and the registered booster: raw
    margin (float64: LightGBM's own, XGBoost's trees summed by shap's traversal), then the
    version's Platt scaling."""
    model, _ = registered_model(registry, folder)
    application = conform(
        pl.DataFrame([r["application"] for r in requests], infer_schema_length=None), APPLICATION_TEST
    )
    history = {}
    for name in HISTORY_TABLES:
        rows = [row for r in requests for row in r.get(name, [])]
        if rows:
            history[name] = pl.DataFrame(rows, infer_schema_length=None)
    z = model.matrix(build_features(application, clean_history(history)))
    if model.kind == "lightgbm":
        margin = model.booster.predict(z, raw_score=True)
    else:
        import shap
        import xgboost

        margin = shap.TreeExplainer(model.booster).model.predict(z)
        own = model.booster.predict(xgboost.DMatrix(z), output_margin=True)
        assert np.abs(margin - own).max() < 2e-5  # XGBoost sums its trees in float32
    if model.calibration is not None:
        a, b = model.calibration
        margin = a * margin + b
    return np.asarray(margin)


@pytest.mark.parametrize("store", ["registry", "xgboost_registry"], ids=["lightgbm", "xgboost"])
def test_base_value_plus_contributions_is_the_models_log_odds(
    store: str, applications: list[dict[str, Any]], request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    registry = request.getfixturevalue(store)
    expected = _model_log_odds(registry, applications, tmp_path)
    gaps = []
    with _explainer(registry) as client:
        for body, log_odds in zip(applications, expected, strict=True):
            explanation = client.post("/v1/explanations?top=300", json=body, headers=KEY).json()
            contributions = _all_contributions(explanation)
            assert abs(explanation["other"]) < 1e-9  # top=300: every contribution is listed
            gaps.append(abs(explanation["base_value"] + sum(contributions.values()) - log_odds))
            assert abs(explanation["log_odds"] - log_odds) <= 1e-6
            p = explanation["probability"]
            assert abs(np.log(p / (1 - p)) - log_odds) <= 2e-5  # the served probability, same model
    print(f"{store}: max |base + contributions - log-odds| = {max(gaps):.1e} over {len(gaps)} applicants")
    assert len(gaps) == 200 and max(gaps) <= 1e-6, max(gaps)


def test_listed_reasons_plus_other_add_up_and_read_well(registry: str, applications: list[dict[str, Any]]) -> None:
    with _explainer(registry) as client:
        explanation = client.post("/v1/explanations?top=3", json=applications[0], headers=KEY).json()
    Explanation.model_validate(explanation)  # the documented response model
    reasons = explanation["towards_default"] + explanation["towards_repayment"]
    assert len(explanation["towards_default"]) <= 3 and len(explanation["towards_repayment"]) <= 3
    total = explanation["base_value"] + sum(r["shap"] for r in reasons) + explanation["other"]
    assert abs(total - explanation["log_odds"]) <= 1e-9
    assert all(r["shap"] > 0 and "raised the risk" in r["reason"] for r in explanation["towards_default"])
    assert all(r["shap"] < 0 and "lowered the risk" in r["reason"] for r in explanation["towards_repayment"])
    shaps = [r["shap"] for r in explanation["towards_default"]]
    assert shaps == sorted(shaps, reverse=True)
    for reason in reasons:
        assert sum(f["shap"] for f in reason["features"]) == pytest.approx(reason["shap"], abs=1e-12)
        assert (reason["effect"] > 0) == (reason["shap"] > 0)


def test_explainer_refusals(registry: str, applications: list[dict[str, Any]]) -> None:
    body = applications[0]
    with _explainer(registry, scoring_api_url="http://127.0.0.1:9") as client:
        assert client.post("/v1/explanations", json=body).status_code == 401
        assert client.get("/v1/explanations/global", headers={"X-API-Key": "wrong"}).status_code == 401
        unknown = client.post("/v1/explanations?model_version=99", json=body, headers=KEY)
        assert unknown.status_code == 404 and "no version '99'" in unknown.json()["detail"]
        assert client.post("/v1/explanations?model_version=abc", json=body, headers=KEY).status_code == 422
        assert client.post("/v1/explanations?top=0", json=body, headers=KEY).status_code == 422
        bad = copy.deepcopy(body)
        bad["application"]["AMT_CREDIT"] = "a lot"
        invalid = client.post("/v1/explanations", json=bad, headers=KEY)
        assert invalid.status_code == 422 and invalid.json()["detail"][0]["field"] == "application.AMT_CREDIT"
        down = client.get("/v1/applicants/100001/explanation", headers=KEY)
        assert down.status_code == 502 and "unreachable" in down.json()["detail"]
        assert client.get("/ready").status_code == 200
        assert "explainer_requests_total" in client.get("/metrics").text


def test_global_importance_comes_from_the_training_artifact(registry: str) -> None:
    with _explainer(registry) as client:
        first = client.get("/v1/explanations/global?top=10", headers=KEY).json()
        again = client.get("/v1/explanations/global?top=10", headers=KEY).json()
        model = client.get("/v1/model", headers=KEY).json()
    assert first == again and first["source"] == "training artifact" and len(first["features"]) == 10
    values = [f["mean_abs_shap"] for f in first["features"]]
    assert values == sorted(values, reverse=True) and values[0] > 0
    assert model["version"] == "1" and model["explainer"].startswith("TreeSHAP (LightGBM")


def test_population_is_the_versions_reference_sample(registry: str, tmp_path: Path) -> None:
    reference = pl.read_parquet(registered_model(registry, tmp_path)[1] / REFERENCE_FILE)
    with _explainer(registry) as client:
        answer = client.get("/v1/population?features=EXT_SOURCE_2&features=INST_LATE_SHARE", headers=KEY)
        unknown = client.get("/v1/population?features=EXT_SOURCE_2&features=NOPE", headers=KEY)
        assert client.get("/v1/population", headers=KEY).status_code == 422
    body = answer.json()
    assert answer.status_code == 200 and body["rows"] == reference.height
    assert body["features"]["INST_LATE_SHARE"] == reference["INST_LATE_SHARE"].to_list()
    assert body["outcome"] == reference["TARGET"].to_list() and 0 < np.mean(body["outcome"]) < 0.5
    assert body["segments"]["age_years"] == reference["AGE_YEARS"].to_list()
    assert unknown.status_code == 422 and "NOPE" in unknown.json()["detail"]


# overdue bureau debt and instalment lateness, as the feature names say
_ARREARS = ("LATE", "OVERDUE", "DPD")


def _in_arrears(body: dict[str, Any]) -> dict[str, Any]:
    """The same applicant with overdue bureau debt raised and every instalment paid 45 days late."""
    worse = copy.deepcopy(body)
    for credit in worse.get("bureau", []):
        credit["AMT_CREDIT_SUM_OVERDUE"] = credit.get("AMT_CREDIT_SUM_OVERDUE", 0) + 50_000
        credit["CREDIT_DAY_OVERDUE"] = max(credit.get("CREDIT_DAY_OVERDUE", 0), 120)
    for payment in worse.get("installments_payments", []):
        if payment.get("DAYS_INSTALMENT") is not None:
            payment["DAYS_INSTALMENT"] = min(payment["DAYS_INSTALMENT"], -46)  # due early enough to be late
            payment["DAYS_ENTRY_PAYMENT"] = payment["DAYS_INSTALMENT"] + 45
    return worse


@pytest.mark.parametrize("store", ["registry", "xgboost_registry"], ids=["lightgbm", "xgboost"])
def test_more_arrears_never_show_up_as_lowering_the_risk(
    store: str, applications: list[dict[str, Any]], request: pytest.FixtureRequest
) -> None:
    registry = request.getfixturevalue(store)
    checked, raised, offending = 0, 0, []
    with _explainer(registry) as client:
        for body in applications:
            if not body.get("bureau") and not body.get("installments_payments"):
                continue
            before = _values(client.post("/v1/explanations?top=300", json=body, headers=KEY).json())
            after = client.post("/v1/explanations?top=300", json=_in_arrears(body), headers=KEY).json()
            for reason in after["towards_default"] + after["towards_repayment"]:
                for feature in reason["features"]:
                    name = feature["feature"]
                    if not any(part in name for part in _ARREARS) or feature["value"] == before.get(name):
                        continue  # only what the added arrears changed
                    raised += 1
                    if feature["shap"] < 0:
                        offending.append((body["application"]["SK_ID_CURR"], name, feature["value"], feature["shap"]))
            checked += 1
    assert checked >= 100 and raised >= 300
    assert not offending, offending[:10]


def _values(explanation: dict[str, Any]) -> dict[str, Any]:
    reasons = explanation["towards_default"] + explanation["towards_repayment"]
    return {f["feature"]: f["value"] for r in reasons for f in r["features"]}


def test_follows_the_champion_and_keeps_pinned_versions(
    registry: str, tmp_path: Path, applications: list[dict[str, Any]]
) -> None:
    import mlflow

    # given a copy of the registry (the artifacts stay where they are)
    copy_db = tmp_path / "mlflow.db"
    copy_db.write_bytes(Path(registry.removeprefix("sqlite:///")).read_bytes())
    uri = f"sqlite:///{copy_db}"
    body = applications[0]
    with _explainer(uri) as client:
        before = client.post("/v1/explanations", json=body, headers=KEY).json()
        # when a new version becomes champion and the explainer is told to reload
        registry_client = mlflow.MlflowClient(uri, uri)
        new = str(registry_client.copy_model_version("models:/credit-default/1", "credit-default").version)
        checksums = registry_client.get_model_version("credit-default", "1").tags[CHECKSUM_TAG]
        registry_client.set_model_version_tag("credit-default", new, CHECKSUM_TAG, checksums)
        registry_client.set_registered_model_alias("credit-default", "champion", new)
        assert client.post("/v1/admin/reload", headers=KEY).json() == {"changed": True, "version": new, "error": None}
        # then explanations name the new version, and the old one can still be asked for by number
        after = client.post("/v1/explanations", json=body, headers=KEY).json()
        pinned = client.post("/v1/explanations?model_version=1", json=body, headers=KEY).json()
        assert before["model_version"] == pinned["model_version"] == "1" and after["model_version"] == new
        assert after["probability"] == before["probability"] == pinned["probability"]
        assert "explainer_model_reloads_total 1.0" in client.get("/metrics").text
