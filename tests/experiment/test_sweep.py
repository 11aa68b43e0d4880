"""Sweeps: factorial points, located errors, tidy results, and resuming without loss or repeats."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from typer.testing import CliRunner

from drive_sim.cli import app
from drive_sim.runs import parts as parts_module
from drive_sim.runs.experiment import Runner, open_backend, run_task
from drive_sim.runs.sweep import (
    SweepFolderError,
    completed_replications,
    parse_axis,
    run_sweep,
    sweep_points,
    sweep_points_over,
)
from drive_sim.scenario import ScenarioError

ROOT = Path(__file__).resolve().parents[2]
SHORT = {"site.horizon_days": 120}
AXES = [parse_axis("referrals.annual_rate=60,120"), parse_axis("teams.idvas[0].count=1,2")]


def points(axes=AXES, overrides=SHORT):
    return sweep_points({}, "default site", axes, overrides)


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


# --------------------------------------------------------------------------------------
# Axes and points
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, path, values",
    [
        ("referrals.annual_rate=50,100,150", "referrals.annual_rate", (50, 100, 150)),
        ("policies.gate=strict,cautious", "policies.gate", ("strict", "cautious")),
        ('policies.closure="together","staggered"', "policies.closure", ("together", "staggered")),
        ("routing.handover=true,false", "routing.handover", (True, False)),
        ("teams.idvas[0].fte = 0.5, 1.0", "teams.idvas[0].fte", (0.5, 1.0)),
        (
            'durations.extension_days={kind="fixed", value=30},{kind="fixed", value=60}',
            "durations.extension_days",
            ({"kind": "fixed", "value": 30}, {"kind": "fixed", "value": 60}),
        ),
    ],
)
def test_axis_values_are_read_as_toml_with_bare_words_as_strings(text, path, values):
    assert parse_axis(text) == parse_axis(text) and parse_axis(text).path == path
    assert parse_axis(text).values == values


@pytest.mark.parametrize("text", ["referrals.annual_rate", "=1,2", "referrals.annual_rate=", "a=1,1", "a=1,,2"])
def test_malformed_axes_are_refused(text):
    with pytest.raises(ValueError, match="--set"):
        parse_axis(text)


def test_points_are_the_full_factorial_with_the_last_axis_fastest():
    found = points()
    assert [p.label for p in found] == [
        "referrals.annual_rate=60, teams.idvas[0].count=1",
        "referrals.annual_rate=60, teams.idvas[0].count=2",
        "referrals.annual_rate=120, teams.idvas[0].count=1",
        "referrals.annual_rate=120, teams.idvas[0].count=2",
    ]
    assert [(p.scenario.referrals.annual_rate, p.scenario.teams.idvas[0].count) for p in found] == [
        (60, 1), (60, 2), (120, 1), (120, 2),
    ]  # fmt: skip
    assert all(p.scenario.site.horizon_days == 120 for p in found), "fixed overrides reach every point"


def test_every_bad_point_is_located_before_anything_runs():
    axes = [
        parse_axis("referrals.annual_rate=50,-5"),
        parse_axis("teams.idvas[0].count=1,0"),
        parse_axis("referals.annual_rate=1"),
    ]
    with pytest.raises(ScenarioError) as caught:
        points(axes)
    message = str(caught.value)
    assert "referals.annual_rate: unknown key 'referals'" in message
    assert "referrals.annual_rate" in message and "at referrals.annual_rate=-5" in message
    assert "teams.idvas.0.count" in message or "teams.idvas[0].count" in message
    assert message.count("unknown key") == 1, "each problem is reported once, not once per point"


def test_an_axis_given_twice_is_refused():
    with pytest.raises(ScenarioError, match="swept twice"):
        points([parse_axis("referrals.annual_rate=1,2"), parse_axis("referrals.annual_rate=3")])


# --------------------------------------------------------------------------------------
# Running, resuming, refusing
# --------------------------------------------------------------------------------------


def test_a_sweep_writes_tidy_tables_per_point(tmp_path):
    with open_backend("serial") as runner:
        outcome = run_sweep(tmp_path / "sweep", points(), 3, runner, AXES)
    folder = outcome.folder
    assert (outcome.ran, outcome.reused, outcome.interrupted) == (12, 0, False)
    table = pd.read_csv(folder / "points.csv")
    assert list(table.columns) == ["point", "label", "referrals.annual_rate", "teams.idvas[0].count"]
    assert table["teams.idvas[0].count"].tolist() == [1, 2, 1, 2]
    kpis = pd.read_parquet(folder / "kpis.parquet")
    assert list(kpis.columns[:2]) == ["point", "replication"]
    assert kpis.groupby("point")["replication"].unique().map(list).tolist() == [[0, 1, 2]] * 4
    assert not (folder / "kpis.csv").exists(), "a sweep's per-replication tables are Parquet only"
    summary = pd.read_csv(folder / "summary.csv")
    assert set(summary["point"]) == {0, 1, 2, 3} and (summary.dropna(subset=["mean"])["n"] <= 3).all()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["kind"] == "sweep" and manifest["status"] == "complete" and manifest["replications"] == 3
    assert manifest["axes"][0] == {"path": "referrals.annual_rate", "values": [60, 120]}
    assert len(manifest["scenario_files"]) == 4 and (folder / manifest["scenario_files"][3]).exists()
    assert not (folder / "cases.csv").exists(), "records only on request"


def test_an_interrupted_sweep_resumes_without_repeating_or_losing_a_replication(tmp_path):
    found = points()
    with open_backend("serial") as runner:
        runner.chunk_size = lambda replications, most=None: 2  # type: ignore[method-assign]
        run_sweep(tmp_path / "clean", found, 5, runner, AXES)

        calls = []

        def interrupt(result):
            calls.append(result)
            if len(calls) == 7:
                raise KeyboardInterrupt

        first = run_sweep(tmp_path / "resumed", found, 5, runner, AXES, on_result=interrupt)
        assert first.interrupted and first.summary is None
        saved = sum(len(reps) for reps in completed_replications(tmp_path / "resumed").values())
        assert saved == first.ran and 0 < saved < 20
        (tmp_path / "resumed" / "parts" / ".p00003-r000000-000001.parquet.tmp").write_bytes(b"half a file")

        ran_again = []
        second = run_sweep(tmp_path / "resumed", found, 5, runner, AXES, on_result=ran_again.append)
    assert not second.interrupted
    assert (second.reused, second.ran) == (saved, 20 - saved), "nothing repeated"
    again = {(r.scenario_index, r.replication) for r in ran_again}
    assert len(again) == len(ran_again) and not again & {(r.scenario_index, r.replication) for r in calls[:saved]}
    for name in ("summary.csv", "kpis.parquet"):
        assert (tmp_path / "resumed" / name).read_bytes() == (tmp_path / "clean" / name).read_bytes(), name


def test_more_replications_reuse_the_saved_ones_and_backends_agree(tmp_path):
    found = points()
    with open_backend("serial") as runner:
        run_sweep(tmp_path / "grow", found, 2, runner, AXES)
    with open_backend("process", workers=2) as runner:
        grown = run_sweep(tmp_path / "grow", found, 3, runner, AXES)
        run_sweep(tmp_path / "fresh", found, 3, runner, AXES)
    assert (grown.reused, grown.ran) == (8, 4)
    for name in ("kpis.parquet", "summary.csv"):
        assert (tmp_path / "grow" / name).read_bytes() == (tmp_path / "fresh" / name).read_bytes(), name


class _Reversed(Runner):
    """A serial runner that hands back its tasks last first: the most out of order a backend can be."""

    def completed(self, tasks, keep_tables, finish=None):
        for position in reversed(range(len(tasks))):
            yield position, run_task(tasks[position], keep_tables, finish)


@pytest.mark.parametrize("held", [0, 1, 32])
def test_parts_assembled_as_they_arrive_give_the_same_bytes_in_any_order(tmp_path, monkeypatch, held):
    """Parts in any order, from memory or read back (past MAX_HELD_PARTS): the same bytes.

    The tables are the same, to the byte, as when the parts arrive in order.
    """
    found = points()
    with open_backend("serial") as runner:
        runner.chunk_size = lambda replications, most=None: 2  # type: ignore[method-assign]
        run_sweep(tmp_path / "in-order", found, 5, runner, AXES, keep_records=True)
    monkeypatch.setattr(parts_module, "MAX_HELD_PARTS", held)
    backwards = _Reversed()
    backwards.chunk_size = lambda replications, most=None: 2  # type: ignore[method-assign]
    seen = []
    run_sweep(tmp_path / "reversed", found, 5, backwards, AXES, keep_records=True, on_result=seen.append)
    assert sorted((r.scenario_index, r.replication) for r in seen) == [(p, k) for p in range(4) for k in range(5)]
    assert all(r.tables is None and list(r.kpis.columns)[:1] == ["replication"] for r in seen)
    for name in ("kpis.parquet", "summary.csv", "summary.parquet", "cases.parquet", "weeks.parquet"):
        assert (tmp_path / "reversed" / name).read_bytes() == (tmp_path / "in-order" / name).read_bytes(), name
    assert not list((tmp_path / "reversed").glob(".*.tmp")), "no half-assembled table left"


def test_an_interrupted_sweep_leaves_no_half_assembled_table(tmp_path):
    calls = []

    def interrupt(result):
        calls.append(result)
        if len(calls) == 9:
            raise KeyboardInterrupt

    with open_backend("serial") as runner:
        runner.chunk_size = lambda replications, most=None: 2  # type: ignore[method-assign]
        outcome = run_sweep(tmp_path / "s", points(), 5, runner, AXES, on_result=interrupt)
    assert outcome.interrupted and not (tmp_path / "s" / "kpis.parquet").exists()
    assert not list((tmp_path / "s").glob(".*.tmp")), "the tables being assembled are discarded"


def test_a_folder_holding_another_sweep_is_refused_untouched(tmp_path):
    with open_backend("serial") as runner:
        run_sweep(tmp_path / "s", points(), 1, runner, AXES)
        before = {p: p.read_bytes() for p in (tmp_path / "s").rglob("*") if p.is_file()}
        other = points([parse_axis("referrals.annual_rate=60,90")])
        with pytest.raises(SweepFolderError, match="different sweep"):
            run_sweep(tmp_path / "s", other, 1, runner)
        (tmp_path / "x").mkdir()
        (tmp_path / "x" / "notes.txt").write_text("mine")
        with pytest.raises(SweepFolderError, match="not a drive-sim sweep"):
            run_sweep(tmp_path / "x", other, 1, runner)
    assert {p: p.read_bytes() for p in (tmp_path / "s").rglob("*") if p.is_file()} == before


def test_records_are_kept_on_request_with_a_point_column(tmp_path):
    with open_backend("serial") as runner:
        run_sweep(tmp_path / "r", points()[:2], 2, runner, AXES, keep_records=True)
    cases = pd.read_parquet(tmp_path / "r" / "cases.parquet")
    assert list(cases.columns[:2]) == ["point", "replication"] and set(cases["point"]) == {0, 1}


# --------------------------------------------------------------------------------------
# Several scenario files: the structure as an axis
# --------------------------------------------------------------------------------------


def _file(tmp_path, name, text):
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _bases(*paths):
    from drive_sim.scenario import read_scenario_data

    return [read_scenario_data(path) for path in paths]


def test_several_files_make_the_structure_the_slowest_axis_on_one_seed(tmp_path):
    site5 = ROOT / "scenarios" / "site5.toml"
    own_seed = _file(tmp_path, "own_seed", site5.read_text(encoding="utf-8") + "\n[run]\nseed = 99\n")
    found = sweep_points_over(_bases(ROOT / "scenarios" / "site3.toml", own_seed), AXES[1:], SHORT)
    assert [p.label for p in found] == [
        "scenario=site3, teams.idvas[0].count=1",
        "scenario=site3, teams.idvas[0].count=2",
        "scenario=own_seed, teams.idvas[0].count=1",
        "scenario=own_seed, teams.idvas[0].count=2",
    ]
    assert [p.index for p in found] == [0, 1, 2, 3]
    assert {p.scenario.run.seed for p in found} == {found[0].scenario.run.seed} != {99}, "one seed for every point"
    assert found[3].scenario.site.name == found[2].scenario.site.name != found[0].scenario.site.name


def test_files_are_paired_on_common_random_numbers(tmp_path):
    # The same site under two names, and once with a different seed of its own: every
    # point runs on the first file's seed, so all three give the same replications.
    text = (ROOT / "scenarios" / "site5.toml").read_text(encoding="utf-8")
    same = _file(tmp_path, "same", text)
    reseeded = _file(tmp_path, "reseeded", text + "\n[run]\nseed = 7\n")
    found = sweep_points_over(_bases(ROOT / "scenarios" / "site5.toml", same, reseeded), [], SHORT)
    with open_backend("serial") as runner:
        outcome = run_sweep(tmp_path / "crn", found, 3, runner)
    kpis = pd.read_parquet(outcome.folder / "kpis.parquet")
    by_point = [part.drop(columns="point").reset_index(drop=True) for _, part in kpis.groupby("point")]
    assert len(by_point) == 3 and len(by_point[0]) > 0
    assert_frame_equal(by_point[0], by_point[1])
    assert_frame_equal(by_point[0], by_point[2])


def test_every_files_problems_are_reported_together():
    bad = [parse_axis("teams.idvas[2].count=1,2")]
    with pytest.raises(ScenarioError) as raised:
        sweep_points_over(_bases(ROOT / "scenarios" / "site1.toml", ROOT / "scenarios" / "site3.toml"), bad)
    message = str(raised.value)
    assert "site1.toml: teams.idvas[2].count" in message and "site3.toml: teams.idvas[2].count" in message
    with pytest.raises(ScenarioError, match="axis of the scenario files"):
        sweep_points_over(_bases(ROOT / "scenarios" / "site1.toml", None), [parse_axis("scenario=a,b")])


def test_sweep_command_over_several_files(tmp_path):
    result = invoke(
        "sweep", ROOT / "scenarios" / "site3.toml", ROOT / "scenarios" / "site6.toml",
        "--set", "teams.idvas[0].count=1,2", "--set", "site.horizon_days=120",
        "--reps", "2", "--backend", "serial", "--out", tmp_path / "files",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "files" / "points.csv")
    assert table["scenario"].tolist() == ["site3", "site3", "site6", "site6"]
    manifest = json.loads((tmp_path / "files" / "manifest.json").read_text())
    assert manifest["axes"][0] == {"path": "scenario", "values": ["site3", "site6"]}
    missing = invoke("sweep", ROOT / "scenarios" / "site3.toml", tmp_path / "nope.toml", "--out", tmp_path / "never")
    assert missing.exit_code == 2 and "nope.toml: no such file" in missing.output
    assert not (tmp_path / "never").exists()


# --------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------


def test_sweep_command_prints_a_table_per_point(tmp_path):
    result = invoke(
        "sweep", "--set", "referrals.annual_rate=60,120", "--set", "site.horizon_days=120",
        "--reps", "2", "--backend", "serial", "--out", tmp_path / "cli",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Sweep: 2 points x 2 replications" in result.output and "Referrals a year" in result.output
    assert (tmp_path / "cli" / "summary.parquet").exists()
    again = invoke(
        "sweep", "--set", "referrals.annual_rate=60,120", "--set", "site.horizon_days=120",
        "--reps", "2", "--backend", "serial", "--out", tmp_path / "cli",
    )  # fmt: skip
    assert again.exit_code == 0 and "ran 0, reused 4" in again.output


@pytest.mark.parametrize(
    "args, words",
    [
        (["--set", "referrals.annual_rate=50,-1"], "referrals.annual_rate"),
        (["--set", "teams.idvas[7].count=1,2"], "no item 7"),
        (["--set", "referrals.annual_rate"], "PATH=V1,V2"),
        (["--backend", "quantum"], "quantum"),
        (["--scheduler", "tcp://127.0.0.1:8786"], "--backend dask"),
    ],
)
def test_bad_sweeps_exit_2_with_a_located_message_and_write_nothing(tmp_path, args, words):
    result = invoke("sweep", *args, "--out", tmp_path / "never", "--reps", "1")
    assert result.exit_code == 2, result.output
    assert words in result.output and "Traceback" not in result.output
    assert not (tmp_path / "never").exists()
