"""``drive-sim explore``: the grid plan, the page's data against the saved tables, the cheapest rule, bad input.

The grid here is tiny (two structures x two staffing levels, one referral rate and one
backdating, two replications of 200 days), so it runs in a few seconds on one core.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from drive_sim.cli import app
from drive_sim.report.explorer import EXPLORER_NAME, PAGE_BUDGET_BYTES, _cheapest, build_explorer, grid_data
from drive_sim.report.html import fmt
from drive_sim.runs.explore import (
    DEFAULT_STRUCTURES,
    SERIES_KPI,
    STAFFING_AXIS,
    explore_axes,
    explore_points,
    staffing_group,
)
from drive_sim.runs.store import load_results
from drive_sim.runs.sweep import SCENARIO_AXIS, Axis
from drive_sim.scenario import ScenarioError, read_scenario_data, scenario_from_dict

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = "</script><!--<script>alert(1)</script>"


def _hostile_file(folder: Path) -> Path:
    path = folder / "hostile.toml"
    path.write_text(f'[site]\nname = "{HOSTILE}"\ndescription = "{HOSTILE} & more"\n', encoding="utf-8")
    return path


def _args(out: Path, hostile: Path) -> list[str]:
    return [
        "explore",
        str(ROOT / "scenarios" / "site1.toml"),
        str(hostile),
        "--set",
        "staffing=1,2",
        "--set",
        "referrals.annual_rate=100",
        "--set",
        "backdating.months=3",
        "--set",
        "site.horizon_days=200",
        "--reps",
        "2",
        "--backend",
        "serial",
        "--out",
        str(out),
    ]


@pytest.fixture(scope="module")
def grid(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("explore")
    out = base / "grid"
    result = CliRunner().invoke(app, _args(out, _hostile_file(base)))
    assert result.exit_code == 0, result.output
    return out


def test_the_default_grid_is_the_study_structures_by_staffing_referrals_and_backdating() -> None:
    bases = [read_scenario_data(ROOT / "scenarios" / f"{name}.toml") for name in DEFAULT_STRUCTURES]
    points, staffing = explore_points(bases, explore_axes([]), {})
    assert len(points) == 8 * 5 * 4 * 3
    assert [dict(p.values)[SCENARIO_AXIS] for p in points[::60]] == list(DEFAULT_STRUCTURES)  # slowest
    assert [p.values[1] for p in points[:60:12]] == [(STAFFING_AXIS, n) for n in (1, 2, 3, 4, 5)]
    assert len({p.scenario.run.seed for p in points}) == 1  # common random numbers
    by_name = dict(zip(DEFAULT_STRUCTURES, staffing, strict=True))
    assert by_name["site5"].path == "teams.idvas[0].count"
    assert by_name["site2"].group == "Key Drive IDVA"  # not the allocating lead
    assert "non-Drive" in by_name["spread_all"].meaning  # every IDVA there holds both
    site2 = [p for p in points if dict(p.values)[SCENARIO_AXIS] == "site2"]
    for point in site2[::12]:
        assert point.scenario.teams.idvas[1].count == dict(point.values)[STAFFING_AXIS]
        assert point.scenario.teams.idvas[0].count == 1


def test_a_structure_without_a_drive_group_counts_its_first_idva_group() -> None:
    routing = dict.fromkeys(("support", "monitoring", "unreachable", "backdated", "intake"), "all")
    teams = {"idvas": [{"name": "IDVA", "role": "wider", "count": 3}]}
    scenario = scenario_from_dict({"teams": teams, "routing": routing}, "test")
    chosen = staffing_group(scenario)
    assert (chosen.index, chosen.group) == (0, "IDVA")
    assert "names no Drive IDVA" in chosen.meaning


def test_the_staffing_path_cannot_also_be_set() -> None:
    bases = [read_scenario_data(ROOT / "scenarios" / "site5.toml")]
    with pytest.raises(ScenarioError, match="staffing axis"):
        explore_points(bases, explore_axes([Axis("teams.idvas[0].count", (1, 2))]), {})


def test_the_page_data_equal_the_summary_of_each_point(grid: Path) -> None:
    results = load_results(grid)
    data = grid_data(results)
    summary = pd.read_csv(grid / "summary.csv")
    steady = summary[summary["window"] == "steady"]
    assert len(data["points"]) == 4
    headline = [m["label"] for m in data["measures"]]
    position = headline.index("Drive IDVA open cases per FTE, mean")
    for point, record in enumerate(data["points"]):
        own = steady[steady["point"] == point].set_index(["kpi", "scope"])
        mean, low, high, _ = record["k"][position]
        row = own.loc[("open_cases_per_fte_mean", "group:drive")]
        assert (mean, low, high) == (round(row["mean"], 1), round(row["ci_low"], 1), round(row["ci_high"], 1))
        assert fmt(mean, 1) == fmt(row["mean"], 1)  # the page shows what the other pages would
        assert record["c"] == round(own.loc[("annual_staff_cost", "site"), "mean"])
        assert record["a"][0] == round(own.loc[("drive_added_fte", "site"), "mean"], 2)
        assert len(record["s"][0]) == math.ceil((200 // 7) / 4)  # 4-weekly means of the 28 weeks of a 200-day run
        assert all(lo <= m <= hi for m, lo, hi in zip(*record["s"], strict=True))


def test_the_series_is_kept_but_single_practitioners_are_not(grid: Path) -> None:
    kpis = pd.read_parquet(grid / "kpis.parquet")
    assert not kpis["scope"].str.startswith(("idva:", "cm:")).any()
    series = kpis[kpis["kpi"] == SERIES_KPI]
    assert set(series["window"]) == {f"w{1 + 4 * k:03d}" for k in range(7)}
    assert series.groupby("point")["replication"].nunique().tolist() == [2, 2, 2, 2]


def _point(t: int, cost: float, caseload: float = 10.0) -> dict:
    return {"t": t, "c": cost, "caseload": caseload}


def test_the_cheapest_point_meeting_every_target_is_chosen_per_referrals_and_backdating() -> None:
    axes = [
        {"path": SCENARIO_AXIS, "values": ["a", "b"]},
        {"path": STAFFING_AXIS, "values": [1, 2]},
        {"path": "referrals.annual_rate", "values": [50, 100]},
    ]
    # point = structure * 4 + staffing * 2 + referrals
    points = [
        _point(3, 300.0),  # a, 1, 50: meets, but dearer than b's
        _point(2, 100.0),  # a, 1, 100: cheap but misses a target
        _point(3, 400.0),
        _point(2, 200.0),
        _point(3, 200.0, 12.0),  # b, 1, 50: cheapest meeting (tie on cost with the next, higher caseload)
        _point(2, 100.0),
        _point(3, 200.0, 11.0),  # b, 2, 50: same cost, lower caseload: chosen
        _point(1, 300.0),
    ]
    # referrals 100: none meets all three; the closest meets most (ties: the lower caseload)
    assert _cheapest(axes, points) == {"0": [6, True], "1": [1, False]}


def test_the_grid_chooses_only_points_that_meet_every_target(grid: Path) -> None:
    data = grid_data(load_results(grid))
    for key, (chosen, meets_all) in data["cheapest"].items():
        assert key == "0,0"
        meeting = [p for p in data["points"] if p["t"] == 3]
        if not meets_all:
            assert meeting == []
            assert data["points"][chosen]["t"] == max(p["t"] for p in data["points"])
        else:
            assert data["points"][chosen]["t"] == 3
            assert data["points"][chosen]["c"] == min(p["c"] for p in meeting)


def test_the_page_is_one_file_under_budget_with_the_names_escaped(grid: Path) -> None:
    page = (grid / EXPLORER_NAME).read_text(encoding="utf-8")
    assert len(page.encode("utf-8")) < PAGE_BUDGET_BYTES
    assert "<script src" not in page.replace('<script charset="utf-8" src', "")  # plotly.js embedded
    assert HOSTILE not in page  # never raw, in the HTML or in the JSON
    embedded = re.search(r'<script type="application/json" id="grid-data">(.*?)</script>', page, re.S)
    assert embedded is not None
    assert "<" not in embedded.group(1)
    data = json.loads(embedded.group(1))
    assert HOSTILE in [s["title"] for s in data["structures"]]
    # The data grow with the points: a default grid of 480 stays well within the budget.
    per_point = len(embedded.group(1).encode("utf-8")) / len(data["points"])
    assert 480 * per_point < 1_500_000, per_point
    assert "planning aid" in page.lower()


def test_report_rebuilds_the_same_page_and_a_rerun_resumes(grid: Path, tmp_path: Path) -> None:
    rebuilt = tmp_path / "again.html"
    result = CliRunner().invoke(app, ["report", str(grid), "--out", str(rebuilt)])
    assert result.exit_code == 0, result.output
    assert rebuilt.read_text(encoding="utf-8") == (grid / EXPLORER_NAME).read_text(encoding="utf-8")
    again = CliRunner().invoke(app, _args(grid, _hostile_file(tmp_path)))
    assert again.exit_code == 0, again.output
    assert "ran 0, reused 8" in again.output.replace("\n", " ")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--set", "referals.annual_rate=1,2"], "did you mean"),
        (["--set", "teams.idvas[0].count=1,2"], "staffing axis"),
        (["--set", "staffing=0,1"], "teams.idvas[0].count"),
        (["--set", "staffing=1,,2"], "empty value"),
        (["--reps", "0"], "--reps"),
    ],
    ids=["typo", "staffing-path", "zero-staff", "empty", "reps"],
)
def test_bad_input_is_refused_before_anything_runs(tmp_path: Path, extra: list[str], message: str) -> None:
    out = tmp_path / "out"
    args = ["explore", str(ROOT / "scenarios" / "site5.toml"), *extra, "--out", str(out), "--backend", "serial"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())  # as the terminal wraps it
    assert "Traceback" not in result.output
    assert not out.exists()


def test_a_folder_of_someone_elses_files_is_left_untouched(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me", encoding="utf-8")
    sweep_like = tmp_path / "sweep"
    sweep_like.mkdir()
    (sweep_like / "manifest.json").write_text(json.dumps({"kind": "sweep", "run_id": "x"}), encoding="utf-8")
    for folder in (mine, sweep_like, tmp_path / "file.txt"):
        if folder.suffix:
            folder.write_text("a file", encoding="utf-8")
        before = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else folder.read_text()
        result = CliRunner().invoke(
            app, ["explore", str(ROOT / "scenarios" / "site5.toml"), "--out", str(folder), "--backend", "serial"]
        )
        assert result.exit_code == 2, result.output
        assert (sorted(p.name for p in folder.iterdir()) if folder.is_dir() else folder.read_text()) == before
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_help_states_the_default_replications_and_their_cost() -> None:
    result = CliRunner().invoke(app, ["explore", "--help"], terminal_width=200)
    assert result.exit_code == 0
    words = " ".join(result.output.split())
    assert "default of 6" in words
    assert "[default: 6]" in words


def test_the_page_reads_only_the_series_rows_of_every_replications_kpis(grid: Path, tmp_path: Path) -> None:
    # An explore folder keeps every replication's KPIs of hundreds of points; the page reads
    # the open-cases series from them (the rest comes from the summary), filtered as read.
    import shutil

    results = load_results(shutil.copytree(grid, tmp_path / "grid"))
    build_explorer(results)
    assert results._kpis is None, "the whole KPI table was read"
    assert (tmp_path / "grid" / EXPLORER_NAME).read_bytes() == (grid / EXPLORER_NAME).read_bytes()
