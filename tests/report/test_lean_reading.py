"""A results folder's KPIs are read only as far as a page needs them.

A sweep keeps every replication's KPIs of every point: millions of rows for the
commissioner's question. Its page and answer read a few measures of the steady window
(``scale_pages.SWEEP_KPIS``), filtered as the file is read (``SavedResults.kpis_where``),
so the report's memory no longer grows with the whole table.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from drive_sim.report import scale_pages
from drive_sim.report.answers import answer_for
from drive_sim.report.build import build_report
from drive_sim.runs.store import load_results

_FILTERS = [
    {},
    {"window": "steady"},
    {"kpis": ["open_cases_per_fte_mean", "any_idva_burnout"]},
    {"window": "launch", "kpis": ["first_contact_delay_p90_days"], "columns": ["replication", "value"]},
    {"columns": ["replication"]},
    {"kpis": []},
    {"kpis": ["no_such_kpi"], "window": "steady"},
]


@pytest.mark.parametrize("filters", _FILTERS, ids=[str(sorted(f)) for f in _FILTERS])
def test_rows_read_from_the_file_are_the_full_table_filtered(
    filters: dict, run_folder: Path, factorial_sweep_folder: Path
) -> None:
    for folder in (run_folder, factorial_sweep_folder):
        read = load_results(folder).kpis_where(**filters)
        whole = load_results(folder)
        kept = whole.kpis  # now in memory: filtered there
        expected = whole.kpis_where(**filters)
        mask = kept["kpi"].isin(filters.get("kpis", kept["kpi"].unique()))
        if "window" in filters:
            mask &= kept["window"] == filters["window"]
        by_hand = kept.loc[mask, filters.get("columns", list(kept.columns))].reset_index(drop=True)
        assert expected.equals(by_hand) and list(expected.dtypes) == list(by_hand.dtypes)
        assert read.equals(by_hand) and list(read.dtypes) == list(by_hand.dtypes), folder.name
        assert list(read.columns) == list(by_hand.columns)


def test_replications_are_counted_from_the_file_as_from_the_table(run_folder: Path, sweep_folder: Path) -> None:
    for folder in (run_folder, sweep_folder):
        whole = load_results(folder)
        counted = whole.kpis["replication"].nunique()  # the table now in memory: counted there
        assert load_results(folder).replication_count() == whole.replication_count() == counted


def test_a_folder_without_a_parquet_table_is_filtered_in_memory(run_folder: Path, tmp_path: Path) -> None:
    copy = shutil.copytree(run_folder, tmp_path / "csv_only")
    (copy / "kpis.parquet").unlink()
    read = load_results(copy).kpis_where("steady", ["open_cases_per_fte_mean"])
    assert len(read) and set(read["window"]) == {"steady"} and set(read["kpi"]) == {"open_cases_per_fte_mean"}


def test_a_sweep_page_and_answer_never_read_the_whole_table(
    factorial_sweep_folder: Path, structures_sweep_folder: Path, tmp_path: Path
) -> None:
    for folder in (factorial_sweep_folder, structures_sweep_folder):
        results = load_results(shutil.copytree(folder, tmp_path / folder.name))
        build_report(results)
        answer_for(results)
        assert results._kpis is None, f"{folder.name}: the whole KPI table was read"


def test_a_sweep_page_from_its_measures_is_the_page_from_every_kpi(
    structures_sweep_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SWEEP_KPIS holds every measure the page and answer read: with every KPI the page is the same."""
    # Copies of the same name: the page names its folder.
    lean = load_results(shutil.copytree(structures_sweep_folder, tmp_path / "lean" / "sweep"))
    full = load_results(shutil.copytree(structures_sweep_folder, tmp_path / "full" / "sweep"))
    lean_page = scale_pages.sweep_page(lean)
    monkeypatch.setattr(scale_pages, "SWEEP_KPIS", None)  # kpis_where(kpis=None): every KPI
    full_page = scale_pages.sweep_page(full)
    assert lean_page == full_page
