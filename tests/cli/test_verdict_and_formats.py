"""Issue 18 (3, 6): the verdict first, --format json|csv for scripts, tables at 80 columns, help with examples."""

from __future__ import annotations

import html
import io
import json
import re
import shlex
from pathlib import Path

import pandas as pd
import pytest
from rich.progress import Progress
from typer.testing import CliRunner

from drive_sim.cli import app
from drive_sim.cli.bar import TimeColumn
from drive_sim.cli.reference import commands
from drive_sim.report.answers import SUMMARY_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
SMALL = ["--reps", "2", "--backend", "serial", "--set", "site.horizon_days=200"]
COMPARED = [ROOT / "scenarios" / "site5.toml", ROOT / "scenarios" / "two_drive_idvas.toml"]
SIZE = ["--max-extra", "1", "--max-reps", "4"]
runner = CliRunner()


def invoke(*args: str | Path, columns: int = 80):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": str(columns)})


def report_verdict(folder: Path) -> str:
    """The sentence in the answer box of the folder's HTML report."""
    text = (folder / "report.html").read_text(encoding="utf-8")
    found = re.search(r'<p class="verdict">(.*?)</p>', text, re.S)
    assert found, "the report has an answer box"
    return html.unescape(found.group(1))


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    """run, compare and size as people see them (80 columns), each with its results folder."""
    base = tmp_path_factory.mktemp("tables")
    done = {}
    for name, args in (
        ("run", ["run", *SMALL]),
        ("compare", ["compare", *COMPARED, *SMALL]),
        ("size", ["size", *SMALL, *SIZE]),
        ("sweep", ["sweep", "--set", "referrals.annual_rate=50,60", "--set", "teams.idvas[0].count=1,2", *SMALL]),
        ("uncertainty", ["uncertainty", "--samples", "4", "--screening", "0", "--reps", "1", *SMALL[2:]]),
    ):
        out = base / name
        result = invoke(*args, "--out", out)
        assert result.exit_code == 0, result.output
        done[name] = (result, out)
    return done


TITLES = {
    "run": "replications, seed",
    "compare": "Side by side",
    "size": "Drive IDVA staffing tried",
    "sweep": "Sweep: 4 points",
    "uncertainty": "Over plausible worlds",
}


@pytest.mark.parametrize("command", sorted(TITLES))
def test_the_verdict_comes_first_and_is_the_reports(tables, command):
    result, folder = tables[command]
    verdict = report_verdict(folder)
    printed = words(result.stdout)
    assert printed.startswith(words(verdict)), (verdict, result.stdout[:600])
    assert len(words(verdict)) < printed.index(TITLES[command]), "the verdict, then the table"


def test_report_says_the_verdict_too(tables):
    _, folder = tables["compare"]
    result = invoke("report", folder, "--out", folder / "again.html")
    assert result.exit_code == 0, result.output
    assert words(result.stdout).startswith(words(report_verdict(folder)))
    assert words(result.stdout).endswith(f"Report written to {folder / 'again.html'}")


@pytest.mark.parametrize("command", sorted(TITLES))
def test_every_table_fits_80_columns(tables, command):
    result, _ = tables[command]
    wide = [line for line in result.output.splitlines() if len(line) > 80]
    assert not wide, wide


def test_shares_print_as_percentages(tables):
    result, _ = tables["run"]
    line = next(line for line in result.stdout.splitlines() if "Cases deselected" in line)
    assert re.search(r"\d+%\s+\d+% to \d+%", line), line
    assert not re.search(r"\b0\.\d\d\b", line), line


def test_run_json_is_the_summary_of_the_folder(tmp_path):
    out = tmp_path / "run"
    result = invoke("run", *SMALL, "--out", out, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)  # nothing but the document on stdout
    assert document["verdict"] == report_verdict(out)
    assert document["kind"] == "run" and document["folder"] == str(out) and document["complete"] is True
    assert document["columns"] == list(SUMMARY_COLUMNS)
    rows = pd.DataFrame(document["rows"])
    saved = pd.read_csv(out / "summary.csv")
    assert len(rows) == len(saved)
    pd.testing.assert_frame_equal(
        rows[["kpi", "scope", "window", "mean", "ci_low", "ci_high"]].astype({"mean": float}),
        saved[["kpi", "scope", "window", "mean", "ci_low", "ci_high"]],
        check_dtype=False,
    )
    guided = rows[(rows["kpi"] == "open_cases_per_fte_mean") & (rows["scope"] == "group:drive")]
    assert (guided["guidance"] == 20).all() and guided["status"].isin(["within", "above", "borderline"]).all()
    assert rows.loc[rows["kpi"] == "deselection_rate", "unit"].iloc[0] == "share"
    assert "Drive adds" in result.stderr, "the verdict and notes go to stderr"


def test_compare_csv_is_one_table_per_scenario(tmp_path):
    out = tmp_path / "compare"
    result = invoke("compare", *COMPARED, *SMALL, "--out", out, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = pd.read_csv(io.StringIO(result.stdout))
    assert list(rows.columns) == ["scenario", *SUMMARY_COLUMNS]
    assert rows["scenario"].nunique() == 2
    assert len(rows) == len(pd.read_csv(out / "summary.csv"))


def test_size_json_is_the_levels_table(tmp_path):
    out = tmp_path / "size"
    result = invoke("size", *SMALL, *SIZE, "--out", out, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["verdict"] == report_verdict(out)
    levels = pd.read_csv(out / "levels.csv")
    assert [row["label"] for row in document["rows"]] == levels["label"].tolist()


def test_sweep_csv_has_a_point_column(tmp_path):
    result = invoke("sweep", "--set", "referrals.annual_rate=50,60", *SMALL, "--out", tmp_path / "s", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = pd.read_csv(io.StringIO(result.stdout))
    assert list(rows.columns) == ["point", *SUMMARY_COLUMNS] and set(rows["point"]) == {0, 1}


@pytest.mark.parametrize(
    "args",
    [
        ["run"],
        ["compare", *COMPARED],
        ["sweep", "--set", "referrals.annual_rate=50,60"],
        ["size"],
        ["uncertainty"],
        ["size", "--uncertain"],
    ],  # fmt: skip
)
def test_a_bad_format_exits_2_with_one_line_before_anything_runs(tmp_path, args):
    out = tmp_path / "out"
    result = invoke(*args, "--format", "xml", "--out", out)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == ["--format 'xml': use table, json or csv"]
    assert not out.exists()


def epilog_examples(name: str) -> list[str]:
    epilog = commands()[name].epilog or ""
    return [line.replace("\\[", "[") for line in epilog.splitlines() if line.startswith("drive-sim ")]


@pytest.mark.parametrize("name", sorted(commands()))
def test_help_ends_with_examples_that_parse(name, monkeypatch):
    help_text = invoke(name, "--help", columns=200).output
    assert "Examples:" in help_text, help_text
    assert help_text.rstrip().splitlines()[-1].strip().startswith("drive-sim "), "the examples come last"
    examples = epilog_examples(name)
    assert 2 <= len(examples) <= 3
    assert any(example.split()[1] == name for example in examples)
    monkeypatch.chdir(ROOT)
    for example in examples:
        assert example in words(help_text), example
        args = shlex.split(example)[1:]
        parsed = runner.invoke(app, [*args, "--help"])
        assert parsed.exit_code == 0, (example, parsed.output)
        for arg in args:
            if arg.startswith("scenarios/"):
                assert (ROOT / arg).exists(), f"{example}: {arg} does not exist"


def test_progress_says_elapsed_and_about_how_long_is_left():
    now = [0.0]
    bar = Progress(TimeColumn(), get_time=lambda: now[0], auto_refresh=False)
    task = bar.add_task("x", total=10)
    now[0] = 1.0
    bar.advance(task, 1)
    now[0] = 7.0
    bar.advance(task, 6)
    assert str(TimeColumn().render(bar.tasks[task])) == "elapsed 0:00:07, about 0:00:03 left"
