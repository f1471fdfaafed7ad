from __future__ import annotations

import csv
from pathlib import Path

import pytest
from credit_core.schema import APPLICATION, APPLICATION_TEST, MISSING_CODES, TABLES, Kind


@pytest.mark.parametrize("name", [n for n in TABLES if n != "application_test"])
def test_column_order_matches_the_real_files(sample_dir: Path, name: str) -> None:
    # given the header of the real file
    with (sample_dir / f"{name}.csv").open(newline="") as f:
        header = next(csv.reader(f))
    # then the schema declares exactly those columns in that order
    assert TABLES[name].column_names == header


def test_application_test_is_train_without_target() -> None:
    assert APPLICATION_TEST.column_names == [c for c in APPLICATION.column_names if c != "TARGET"]
    assert len(APPLICATION.columns) == 122


def test_every_application_field_has_its_own_short_label() -> None:
    labels = [c.label for c in APPLICATION.columns]
    assert all(0 < len(label) <= 60 for label in labels)
    assert len(set(labels)) == len(labels), "two fields share a label"


def test_category_sets_are_closed_and_exclude_missing_codes() -> None:
    for table in TABLES.values():
        for column in table.columns:
            if column.kind is Kind.CATEGORY:
                assert column.categories, f"{table.name}.{column.name} has no levels"
                assert not set(column.categories) & set(MISSING_CODES)
                assert len(set(column.categories)) == len(column.categories)
            else:
                assert column.categories is None


def test_keys_are_required_and_never_missing() -> None:
    for table in TABLES.values():
        for column in table.columns:
            if column.kind is Kind.ID:
                assert column.required and not column.nullable
        for child_column, (parent, parent_column) in table.foreign_keys.items():
            assert child_column in table.column_names
            assert parent == "application" or parent_column in TABLES[parent].column_names
