"""The sweep page reads as people read a sweep: factors in words, a line per value, panels, a heatmap.

Built from small real sweeps (:mod:`conftest`): three factors and a shared horizon; two
scenario files by staffing; one factor (the long-standing ``sweep_folder``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from report_support import dotted_paths, figure_words, page_figures

from drive_sim.report.build import build_report
from drive_sim.report.data import sweep_design
from drive_sim.runs.store import load_results


def _figures(folder: Path) -> tuple[str, list[dict]]:
    html = build_report(folder).read_text(encoding="utf-8")
    return html, page_figures(html)


def _axis_titles(figure: dict, axis: str) -> set[str]:
    return {
        value.get("title", {}).get("text", "")
        for key, value in figure["layout"].items()
        if key.startswith(axis) and value.get("title", {}).get("text")
    }


def test_no_figure_of_a_sweep_speaks_in_dotted_paths(
    factorial_sweep_folder: Path, structures_sweep_folder: Path, sweep_folder: Path
) -> None:
    for folder in (factorial_sweep_folder, structures_sweep_folder, sweep_folder):
        _, figures = _figures(folder)
        assert figures
        for figure in figures:
            words = figure_words(figure)
            found = [w for w in words if dotted_paths(w)]
            assert not found, f"{folder.name}: {found}"


def test_a_three_factor_sweep_has_lines_per_value_panels_and_a_heatmap(factorial_sweep_folder: Path) -> None:
    html, figures = _figures(factorial_sweep_folder)
    heatmaps = [f for f in figures if any(t["type"] == "heatmap" for t in f["data"])]
    lines = [f for f in figures if all(t["type"] == "scatter" for t in f["data"])]
    assert len(heatmaps) == 1 and len(lines) == 5
    for figure in lines:
        assert _axis_titles(figure, "xaxis") == {"Drive IDVAs"}  # the first numeric factor on x
        assert figure["layout"]["legend"]["title"]["text"] == "Backdated months"  # a line per value of the second
        panels = sorted(a["text"] for a in figure["layout"]["annotations"])
        assert panels == ["Referrals a year: 120", "Referrals a year: 60"]  # a panel per value of the third
        measured = [t for t in figure["data"] if t.get("error_y")]
        assert len(measured) == 2 * 2  # a line per backdating value in each referral panel
        assert all(len(t["x"]) == 2 for t in measured)  # each runs over staffing only, never across factors
        assert any(t.get("marker", {}).get("symbol") == "star" for t in figure["data"])  # the chosen point
    guided = [f for f in lines if any(str(t.get("name", "")).startswith("Guidance") for t in f["data"])]
    assert len(guided) == 3  # caseload, first contact and CM caseload keep their guidance lines
    assert _axis_titles(heatmaps[0], "yaxis") == {"Backdated months"}
    # the horizon every point shares is said once, in the header, not in every point's name
    assert html.count("1 year simulated") == 1
    assert "Drive IDVAs 2, backdated 3 months, 120 referrals a year" in html


def test_a_sweep_over_files_names_each_structure_by_its_site(structures_sweep_folder: Path) -> None:
    results = load_results(structures_sweep_folder)
    design = sweep_design(results.table("points"), results.manifest["axes"], results.scenarios)
    names = [s.site.name for s in results.scenarios]
    structure = next(f for f in design.factors if f.path == "scenario")
    assert structure.label == "Structure" and set(structure.values) == set(names)
    _, figures = _figures(structures_sweep_folder)
    for figure in figures:
        if all(t["type"] == "scatter" for t in figure["data"]):
            assert figure["layout"]["legend"]["title"]["text"] == "Structure"
            lines = {t["name"] for t in figure["data"] if t.get("error_y")}
            assert lines == set(names)


def test_a_one_factor_sweep_stays_one_line_with_its_intervals(sweep_folder: Path) -> None:
    html, figures = _figures(sweep_folder)
    assert figures and not any(t["type"] == "heatmap" for f in figures for t in f["data"])
    for figure in figures:
        assert len([t for t in figure["data"] if t.get("error_y")]) == 1
        assert _axis_titles(figure, "xaxis") == {"Drive IDVAs"}
    assert "Every point: 1 year simulated" in html


def test_the_first_numeric_factor_goes_on_x_and_a_shared_value_is_no_factor() -> None:
    import pandas as pd

    from drive_sim.scenario import Scenario

    points = pd.DataFrame(
        {
            "point": [0, 1, 2, 3],
            "label": ["-"] * 4,
            "policies.gate": ["strict", "strict", "cautious", "cautious"],
            "teams.idvas[0].count": [1, 2, 1, 2],
            "site.horizon_days": [365] * 4,
        }
    )
    axes = [{"path": c, "values": []} for c in ("policies.gate", "teams.idvas[0].count", "site.horizon_days")]
    design = sweep_design(points, axes, [Scenario()] * 4)
    assert [f.label for f in design.factors] == ["Drive IDVAs", "Gate policy"]
    assert design.constants == (("site.horizon_days", 365),)
    assert design.points["label"].tolist()[:2] == ["strict gate, Drive IDVAs 1", "strict gate, Drive IDVAs 2"]


def test_a_folder_read_once_is_summarised_once_and_gives_the_same_page(
    factorial_sweep_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from drive_sim.cli.findings import answer_for
    from drive_sim.report import scale_pages

    from_path = build_report(factorial_sweep_folder, tmp_path / "from_path.html").read_bytes()
    calls = []
    work_out = scale_pages._work_out_sweep
    monkeypatch.setattr(scale_pages, "_work_out_sweep", lambda results: calls.append(1) or work_out(results))
    saved = load_results(factorial_sweep_folder)
    assert load_results(saved) is saved
    answer_for(saved)  # the terminal's verdict, then the page and, beside it, the workbook
    build_report(saved)
    assert len(calls) == 1
    assert build_report(saved, tmp_path / "read.html").read_bytes() == from_path
    assert len(calls) == 1
    build_report(factorial_sweep_folder, tmp_path / "again.html")  # a new read works it out again
    assert len(calls) == 2
