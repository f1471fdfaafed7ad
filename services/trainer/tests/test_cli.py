from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest
from credit_core.catalogue import feature_columns
from credit_core.schema import TABLES
from credit_trainer.cli import app
from typer.testing import CliRunner

runner = CliRunner()


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synth")
    result = runner.invoke(
        app, ["synth", "--out", str(folder), "--applicants", "1500", "--test-applicants", "200", "--seed", "4"]
    )
    assert result.exit_code == 0, result.output
    return folder


def test_synth_writes_all_tables_and_reports_progress(data: Path) -> None:
    names = sorted(p.name for p in data.iterdir())
    assert names == sorted(f"{name}.csv" for name in TABLES)


def test_synth_uses_settings_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAINER_DATA_DIR", str(tmp_path / "from-env"))
    result = runner.invoke(app, ["synth", "--applicants", "300", "--test-applicants", "0", "--format", "parquet"])
    assert result.exit_code == 0, result.output
    assert "300/300 applicants (100%)" in result.output
    assert (tmp_path / "from-env" / "application_train.parquet").is_file()


def test_synth_rejects_an_unknown_format(tmp_path: Path) -> None:
    result = runner.invoke(app, ["synth", "--out", str(tmp_path), "--format", "xlsx"])
    assert result.exit_code == 2
    assert "--format" in result.output


def test_validate_accepts_good_data_and_lists_row_counts(data: Path) -> None:
    result = runner.invoke(app, ["validate", "--data", str(data), "--strict-keys"])
    assert result.exit_code == 0, result.output
    assert "application_train" in result.output and "1,500 rows" in result.output
    assert "is usable" in result.output


def test_validate_refuses_broken_data_with_a_clear_message(data: Path, tmp_path: Path) -> None:
    with (data / "application_train.csv").open(newline="") as f:
        rows = list(csv.reader(f))
    rows[3][rows[0].index("TARGET")] = "yes"
    with (tmp_path / "application_train.csv").open("w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    result = runner.invoke(app, ["validate", "--data", str(tmp_path)])
    assert result.exit_code == 2
    assert "application_train.csv: column TARGET: 1 non-numeric value(s) (e.g. line 4: 'yes')" in result.output


def test_validate_names_a_missing_folder(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", "--data", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "data folder not found" in result.output


def test_features_writes_one_row_per_applicant(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "features.parquet"
    result = runner.invoke(app, ["features", "--data", str(data), "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pl.read_parquet(out)
    assert table.height == 1_700 and table.columns == ["SK_ID_CURR", *feature_columns()]
    assert "default rate in application_train" in result.output


def test_catalogue_lists_every_feature(tmp_path: Path) -> None:
    out = tmp_path / "catalogue.md"
    result = runner.invoke(app, ["catalogue", "--out", str(out)])
    assert result.exit_code == 0, result.output
    body = out.read_text().splitlines()[2:]
    assert [line.split("`")[1] for line in body] == feature_columns()


def test_settings_refuse_a_bad_value(monkeypatch: pytest.MonkeyPatch) -> None:
    from credit_trainer.config import Settings

    monkeypatch.setenv("TRAINER_SEED", "not-a-number")
    with pytest.raises(ValueError, match="seed"):
        Settings()


def test_eda_writes_a_self_contained_report_with_plots(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "eda.html"
    result = runner.invoke(app, ["eda", "--data", str(data), "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text()
    for section in ("Target balance", "Missing values", "Main fields by outcome", "Default rate per category level"):
        assert f"<h2>{section}</h2>" in page
    assert "Correlation of numeric fields with the target" in page
    assert page.count("data:image/png;base64,") >= 10
    # the sentinel count the loader reported is in the report
    assert "365243 sentinel value(s) read as missing" in page
    # and the information value of every feature, by optimal binning
    assert "<h2>Information value of each feature</h2>" in page and "not predictive" in page


def test_bootstrap_generates_data_trains_once_and_then_leaves_the_champion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given an empty data folder and an empty registry
    monkeypatch.setenv("TRAINER_MLFLOW_DIR", str(tmp_path / "mlruns"))
    folder = tmp_path / "data"
    folder.mkdir()
    command = ["bootstrap", "--data", str(folder), "--applicants", "1500", "--test-applicants", "100"]
    command += ["--models", "lightgbm"]
    # when the stack's job runs twice
    first = runner.invoke(app, command)
    second = runner.invoke(app, command)
    # then the first run generated data, trained and promoted; the second found the champion
    assert first.exit_code == 0, first.output
    assert "generating synthetic data" in first.output and (folder / "application_train.parquet").exists()
    assert "promoted" in first.output
    assert second.exit_code == 0, second.output
    assert "already has a champion (version 1)" in second.output and "generating" not in second.output
