"""Principal reasons relative to the cut-off (``credit_core.reasons``): the catalogue covers every
feature once, reasons are faithful to the model and deterministic, and no protected attribute is
ever given. Trained models: LightGBM and XGBoost on synthetic applicants with history."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from credit_core.reason_codes import MAX_REASONS, ReasonCatalogue, reason_catalogue
from credit_core.reasons import ReasonFinder, near_cut_off
from credit_core.scoring import CompiledModel
from credit_synthetic import generate
from fitted import Data, fitted, load, of

REFUSED = 500


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Data, Data]:
    """4,000 applicants to train on, 2,000 to score (all with generated history)."""
    folder = tmp_path_factory.mktemp("reasons")
    generate(folder, 6_000, 10, seed=3, fmt="parquet")
    everyone = load(folder)
    order = np.random.default_rng(0).permutation(len(everyone.y))
    train, test = np.sort(order[:4_000]), np.sort(order[4_000:])
    return of(everyone.features[train.tolist()], everyone.y[train]), of(
        everyone.features[test.tolist()], everyone.y[test]
    )


def _moved(compiled: CompiledModel, reference: np.ndarray, row: np.ndarray, mask: np.ndarray) -> float:
    """Mean log-odds of ``row`` with the ``mask`` columns set to each reference applicant's."""
    p = np.clip(compiled.probabilities(np.where(mask, reference, row)), 1e-15, 1 - 1e-15)
    return float(np.log(p / (1 - p)).mean())


def _compiled(family: str, train: Data, test: Data) -> tuple[CompiledModel, np.ndarray]:
    """A model whose cut-off refuses a quarter of ``test``, and test's model rows."""
    pipeline = fitted(family, train)
    rows = CompiledModel.from_pipeline(pipeline, threshold=0.5).matrix(test.features)
    probability = CompiledModel.from_pipeline(pipeline, threshold=0.5).probabilities(rows)
    return CompiledModel.from_pipeline(pipeline, threshold=float(np.quantile(probability, 0.75))), rows


def test_every_feature_is_under_exactly_one_code_and_the_protected_ones_are_never_given() -> None:
    catalogue = reason_catalogue()
    code_of = catalogue.code_of()
    withheld = {c.code for c in catalogue.codes if not c.applicant_facing}
    assert {
        code_of[f] for f in ("CODE_GENDER", "NAME_FAMILY_STATUS", "HOUR_APPR_PROCESS_START", "AGE_YEARS")
    } <= withheld
    assert all(c.why_not for c in catalogue.codes if not c.applicant_facing)
    assert all(c.en and c.fr for c in catalogue.codes)

    # a feature left out, or under two codes, is refused when the catalogue is read
    raw = json.loads((Path(__file__).parents[1] / "src" / "credit_core" / "reason_codes.json").read_text())
    raw["codes"][0]["groups"] = []
    with pytest.raises(ValueError, match="features without a reason code: EXT_SOURCE_MEAN"):
        ReasonCatalogue.model_validate(raw).code_of()
    raw["codes"][0]["groups"] = ["External scores", "Bureau debt"]
    with pytest.raises(ValueError, match="'Bureau debt' is under reason codes R01 and R04"):
        ReasonCatalogue.model_validate(raw).code_of()


@pytest.mark.slow
@pytest.mark.parametrize("family", ["lightgbm", "xgboost"])
def test_reasons_are_faithful_deterministic_and_never_protected(
    data: tuple[Data, Data], family: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # given a trained model and 500 refused applicants
    train, test = data
    compiled, rows = _compiled(family, train, test)
    finder = ReasonFinder.build(compiled, train.features)
    assert finder.reference_probabilities.max() < compiled.threshold  # the reference was granted
    reference_rows = compiled.matrix(train.features)
    reference = reference_rows[near_cut_off(compiled.probabilities(reference_rows), compiled.threshold)]
    refused = np.flatnonzero(compiled.probabilities(rows) >= compiled.threshold)[:REFUSED]
    assert len(refused) == REFUSED
    catalogue = finder.catalogue
    code_of = catalogue.code_of()
    sources = np.asarray(compiled.column_sources)
    codes = np.asarray([code_of[s] for s in sources])
    facing = {c.code for c in catalogue.codes if c.applicant_facing}

    # when each gets its reasons
    reasons = [finder.reasons(rows[i]) for i in refused]

    # then no protected code is given, at most four, each raising the score
    given = [[r["code"] for r in listed] for listed in reasons]
    assert all(1 <= len(g) <= MAX_REASONS and set(g) <= facing for g in given)
    assert all(r["impact"] > 0 for listed in reasons for r in listed)
    # and the listed features at the reference's values lower the probability more than as many
    # unlisted allowed features do
    faithful = 0
    for i, listed in zip(refused, given, strict=True):
        moved = np.isin(codes, listed)
        features = sorted(set(sources[moved]))
        others = sorted(set(sources[np.isin(codes, sorted(facing - set(listed)))]))
        chosen = np.random.default_rng(int(i)).choice(others, min(len(features), len(others)), replace=False)
        listed_moved = _moved(compiled, reference, rows[i], moved)
        faithful += listed_moved < _moved(compiled, reference, rows[i], np.isin(sources, chosen))
    share = faithful / len(refused)
    with capsys.disabled():
        print(f"\n{family}: listed reasons beat as many unlisted features for {share:.1%} of {len(refused)} refusals")
    assert share > 0.9

    # and the same row always gets the same reasons, also from a finder built again (a restart)
    again = ReasonFinder.build(compiled, train.features)
    assert all(finder.reasons(rows[refused[0]]) == reasons[0] for _ in range(100))
    assert [again.reasons(rows[i]) for i in refused[:50]] == reasons[:50]
