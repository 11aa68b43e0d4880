"""Issue 13: drive-sim never loses a user's file, and refuses a bad --out before it runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from drive_sim.cli import app

runner = CliRunner()
SAMPLE = Path(__file__).parents[2] / "scenarios" / "examples" / "sample_cases.csv"
QUICK = ["--reps", "1", "--backend", "serial", "--set", "site.horizon_days=60"]


def invoke(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "250"})


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def sweep_args(out: Path) -> list[str | Path]:
    return ["sweep", "--set", "referrals.annual_rate=50,60", *QUICK, "--out", out]


COMMANDS = {
    "run": lambda out: ["run", *QUICK, "--out", out],
    "compare": lambda out: ["compare", SAMPLE.parents[1] / "site1.toml", SAMPLE.parents[1] / "site5.toml",
                            *QUICK, "--out", out],
    "sweep": sweep_args,
    "size": lambda out: ["size", *QUICK, "--max-extra", "1", "--out", out],
}  # fmt: skip


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_folder_or_file_that_is_not_a_results_folder_is_refused_untouched(tmp_path, command):
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "letter.docx").write_bytes(b"my letter")
    (documents / "sub").mkdir()
    (documents / "sub" / "notes.txt").write_text("mine")
    before = snapshot(documents)
    result = invoke(*COMMANDS[command](documents))
    assert result.exit_code == 2, result.output
    assert str(documents) in result.output and "not a drive-sim" in result.output
    assert snapshot(documents) == before
    a_file = tmp_path / "thesis.txt"
    a_file.write_text("my thesis")
    result = invoke(*COMMANDS[command](a_file))
    assert result.exit_code == 2, result.output
    assert str(a_file) in result.output and "is a file" in result.output and "Traceback" not in result.output
    assert a_file.read_text() == "my thesis"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["documents", "thesis.txt"], "nothing else written"


def test_a_results_folder_of_another_kind_is_refused_even_with_force(tmp_path):
    out = tmp_path / "out"
    assert invoke("run", *QUICK, "--out", out).exit_code == 0
    before = snapshot(out)
    result = invoke(*COMMANDS["compare"](out), "--force")
    assert result.exit_code == 2 and "not a compare" in result.output
    assert snapshot(out) == before


def rate_in(folder: Path) -> float:
    return json.loads((folder / "scenarios" / "00-default-site.json").read_text())["referrals"]["annual_rate"]


def test_a_what_if_gets_its_own_default_folder_and_replacing_another_run_needs_force(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert invoke("run", *QUICK).exit_code == 0
    assert invoke("run", *QUICK, "--set", "referrals.annual_rate=150").exit_code == 0
    folders = sorted((tmp_path / "reports").iterdir())
    assert sorted(rate_in(f) for f in folders) == [100, 150], "the base case and the what-if each keep a folder"
    # The identical command may replace its own folder ...
    assert invoke("run", *QUICK).exit_code == 0
    assert sorted((tmp_path / "reports").iterdir()) == folders
    # ... but the results of a different run only with --force.
    base = next(f for f in folders if rate_in(f) == 100)
    before = snapshot(base)
    refused = invoke("run", *QUICK, "--set", "referrals.annual_rate=150", "--out", base)
    assert refused.exit_code == 2 and "--force" in refused.output and str(base) in refused.output
    assert snapshot(base) == before
    forced = invoke("run", *QUICK, "--set", "referrals.annual_rate=150", "--out", base, "--force")
    assert forced.exit_code == 0, forced.output
    assert rate_in(base) == 150


def test_a_sweep_into_a_different_sweeps_folder_needs_force(tmp_path):
    out = tmp_path / "sweep"
    assert invoke(*sweep_args(out)).exit_code == 0
    other = ["sweep", "--set", "referrals.annual_rate=70,80", *QUICK, "--out", out]
    refused = invoke(*other)
    assert refused.exit_code == 2 and "--force" in refused.output
    forced = invoke(*other, "--force")
    assert forced.exit_code == 0, forced.output
    assert "referrals.annual_rate=70" in (out / "points.csv").read_text()


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("where", ["empty", "dot", "below a file", "unwritable"])
def test_a_bad_out_is_refused_before_anything_runs(tmp_path, monkeypatch, command, where):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "file.txt").write_text("mine")
    out = {"empty": "", "dot": ".", "below a file": "file.txt/results", "unwritable": "/proc/drive-sim-results"}[where]
    args = [str(a) for a in COMMANDS[command](Path("x"))]
    args[args.index("x")] = out
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "--out" in result.output
    assert "Simulating" not in result.output and "Tables written" not in result.output, "refused before running"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"], "nothing half-written"
    assert (tmp_path / "file.txt").read_text() == "mine"


@pytest.mark.parametrize("option", ["--out", "--report"])
def test_fit_never_writes_over_its_input(tmp_path, option):
    cases = tmp_path / "cases.csv"
    shutil.copy(SAMPLE, cases)
    before = cases.read_bytes()
    args = ["fit", cases, "--out", tmp_path / "fitted.toml", "--report", tmp_path / "fitted.html"]
    args[args.index(option) + 1] = cases
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert "input" in result.output and str(cases) in result.output
    assert cases.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.csv"]


def test_synth_never_writes_over_its_scenario(tmp_path):
    scenario = tmp_path / "our-site.toml"
    scenario.write_text('[site]\nname = "Ours"\n', encoding="utf-8")
    result = invoke("synth", scenario, "--out", scenario)
    assert result.exit_code == 2 and "input" in result.output
    assert scenario.read_text(encoding="utf-8") == '[site]\nname = "Ours"\n'


@pytest.mark.parametrize("command", ["fit", "synth"])
def test_fit_and_synth_never_replace_an_existing_file_unless_forced(tmp_path, command):
    cases = tmp_path / "cases.csv"
    shutil.copy(SAMPLE, cases)
    mine = tmp_path / ("our-site.toml" if command == "fit" else "export.csv")
    mine.write_text("a file of the user's own\n", encoding="utf-8")
    args = ["fit", cases, "--out", mine] if command == "fit" else ["synth", "--out", mine]
    refused = invoke(*args)
    assert refused.exit_code == 2, refused.output
    assert "already exists" in refused.output and "--force" in refused.output
    assert mine.read_text(encoding="utf-8") == "a file of the user's own\n"
    forced = invoke(*args, "--force")
    assert forced.exit_code == 0, forced.output
    assert mine.read_text(encoding="utf-8") != "a file of the user's own\n"
