from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl
import pytest
from credit_core.loader import load_tables
from credit_core.schema import TABLES, Kind
from credit_synthetic import generate

TABLE_FILES = [*TABLES]


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_writes_every_table_in_the_real_layout(synthetic_dir: Path) -> None:
    for name, table in TABLES.items():
        header = pl.read_csv(synthetic_dir / f"{name}.csv", n_rows=0).columns
        assert header == table.column_names, name


def test_output_passes_the_loader_with_all_keys_linked(synthetic_dir: Path) -> None:
    # strict_keys: any orphan key in any table would raise
    tables = load_tables(synthetic_dir, strict_keys=True)
    assert tables.application.height == 4_000
    assert tables.application_test is not None and tables.application_test.height == 600
    assert not [w for w in tables.warnings if "range" in w.message or "unknown categories" in w.message]
    applicants = tables.applications.get_column("SK_ID_CURR")
    assert applicants.is_unique().all()
    # every table has rows for both train and test applicants
    test_ids = tables.application_test.get_column("SK_ID_CURR").implode()
    for name, frame in tables.history.items():
        if "SK_ID_CURR" in frame.columns:
            assert frame.get_column("SK_ID_CURR").is_in(test_ids).any(), name


def test_files_contain_the_sentinels_and_codes_of_the_real_data(synthetic_dir: Path) -> None:
    app = pl.read_csv(synthetic_dir / "application_train.csv", infer_schema=False)
    previous = pl.read_csv(synthetic_dir / "previous_application.csv", infer_schema=False)
    assert app.get_column("DAYS_EMPLOYED").eq("365243").mean() > 0.1
    assert app.get_column("ORGANIZATION_TYPE").eq("XNA").mean() > 0.1
    assert previous.get_column("NAME_CASH_LOAN_PURPOSE").eq("XAP").mean() > 0.3
    assert previous.get_column("DAYS_FIRST_DRAWING").eq("365243").mean() > 0.2


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    for run in ("a", "b"):
        generate(tmp_path / run, 2_500, 300, seed=5)
    generate(tmp_path / "c", 2_500, 300, seed=6)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a")["bureau.csv"] != _digest(tmp_path / "c")["bureau.csv"]


def test_parquet_output_is_reproducible_and_equals_csv(tmp_path: Path) -> None:
    generate(tmp_path / "p1", 1_500, 100, seed=3, fmt="parquet")
    generate(tmp_path / "p2", 1_500, 100, seed=3, fmt="parquet")
    generate(tmp_path / "csv", 1_500, 100, seed=3, fmt="csv")
    assert _digest(tmp_path / "p1") == _digest(tmp_path / "p2")
    from_parquet = load_tables(tmp_path / "p1")
    from_csv = load_tables(tmp_path / "csv")
    assert from_parquet.application.equals(from_csv.application)
    assert from_parquet.history["installments_payments"].equals(from_csv.history["installments_payments"])


@pytest.mark.slow
def test_default_rate_is_between_7_and_9_percent(tmp_path: Path) -> None:
    generate(tmp_path, 30_000, 0, seed=2, fmt="parquet")
    rate = pl.read_parquet(tmp_path / "application_train.parquet").get_column("TARGET").mean()
    assert 0.07 <= rate <= 0.09


def test_history_sizes_per_applicant_follow_the_real_data(synthetic_dir: Path) -> None:
    # real full data: rows per applicant (train + test, 356,255 applicants)
    real = {
        "bureau": 4.82,
        "bureau_balance": 76.6,
        "previous_application": 4.69,
        "POS_CASH_balance": 28.1,
        "installments_payments": 38.2,
        "credit_card_balance": 10.8,
    }
    for name, per_applicant in real.items():
        rows = pl.scan_csv(synthetic_dir / f"{name}.csv").select(pl.len()).collect().item()
        assert rows / 4_600 == pytest.approx(per_applicant, rel=0.15), name


def test_marginals_are_calibrated_on_the_real_sample(synthetic_dir: Path, sample_dir: Path) -> None:
    """Every column of every table, against the real sample rows (random samples of the real tables)."""
    real, synthetic = load_tables(sample_dir), load_tables(synthetic_dir)
    real_frames = {"application_train": real.application, **real.history}
    synthetic_frames = {"application_train": synthetic.application, **synthetic.history}
    off = []
    for name, table in TABLES.items():
        if name == "application_test":
            continue
        for column in (c for c in table.columns if c.kind is not Kind.ID):
            r, s = real_frames[name][column.name], synthetic_frames[name][column.name]
            missing_gap = abs(r.null_count() / r.len() - s.null_count() / s.len())
            if missing_gap >= 0.1:
                off.append(f"{name}.{column.name}: missing rate differs by {missing_gap:.2f}")
            r, s = r.drop_nulls(), s.drop_nulls()
            if not (r.len() and s.len()):
                continue
            if column.kind is Kind.CATEGORY:
                shares = r.value_counts(normalize=True, name="p").join(
                    s.value_counts(normalize=True, name="q"), on=column.name, how="full", coalesce=True
                )
                distance = 0.5 * (shares["p"].fill_null(0) - shares["q"].fill_null(0)).abs().sum()
                if distance >= 0.15:
                    off.append(f"{name}.{column.name}: level shares differ by {distance:.2f}")
            # each median inside the other's interquartile range
            elif not (
                r.quantile(0.25) <= s.median() <= r.quantile(0.75)
                and s.quantile(0.25) <= r.median() <= s.quantile(0.75)
            ):
                off.append(f"{name}.{column.name}: median {s.median():.4g} vs real {r.median():.4g}")
    assert not off, "\n".join(off)


def test_refuses_impossible_sizes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one training applicant"):
        generate(tmp_path, 0)
