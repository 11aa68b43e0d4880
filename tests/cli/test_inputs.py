"""Issue 13: bad values and sizes are refused before anything runs, with one located message."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from drive_sim.cli import app

runner = CliRunner()
SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
QUICK = ["--reps", "1", "--backend", "serial", "--set", "site.horizon_days=60"]


def invoke(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "250"})


def refused(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.output, (word, result.output)


@pytest.mark.parametrize("value", ["inf", "nan", "-inf", "1e400", "true"])
def test_non_finite_and_boolean_values_given_with_set_are_refused_at_once(tmp_path, value):
    result = invoke("run", *QUICK, "--set", f"referrals.annual_rate={value}", "--out", tmp_path / "out")
    refused(result, "referrals.annual_rate")
    assert not (tmp_path / "out").exists()


def test_a_rate_of_inf_in_a_file_is_refused_not_run(tmp_path):
    path = tmp_path / "ours.toml"
    path.write_text("[referrals]\nannual_rate = inf\n", encoding="utf-8")
    refused(invoke("check", path), str(path), "referrals.annual_rate", "finite")


def test_a_distribution_that_would_overflow_is_refused_by_check(tmp_path):
    path = tmp_path / "ours.toml"
    path.write_text("[durations]\ncm_intervention_days = {kind = 'lognormal', mean = 200, sd = 1e200}\n")
    refused(invoke("check", path), str(path), "durations.cm_intervention_days", "36,525 days")


@pytest.mark.parametrize(
    "args, words",
    [
        (["run", "--reps", "10000000000"], ["--reps", "100000"]),
        (["compare", SCENARIOS / "site1.toml", SCENARIOS / "site5.toml", "--reps", "100001"], ["--reps", "100000"]),
        (["run", "--set", "site.horizon_days=3000000"], ["site.horizon_days", "7300"]),
        (["run", "--set", "referrals.annual_rate=1e9"], ["referrals.annual_rate", "10000"]),
        (["run", "--set", "referrals.panels[0].every_days=1e-9"], ["every_days", "1"]),
        (
            ["sweep", "--set", "referrals.annual_rate=" + ",".join(map(str, range(1, 102))),
             "--set", "referrals.dispersion=" + ",".join(str(k / 100) for k in range(101))],
            ["10,201 points", "at most 10,000"],
        ),
        (["sweep", "--set", "referrals.annual_rate=50,60", "--reps", "100000",
          "--set", "backdating.months=0,1,2,3,4,5"],
         ["12 points x 100,000 replications", "at most 1,000,000"]),
    ],
)  # fmt: skip
def test_sizes_beyond_a_machine_are_refused_with_the_limit_stated(tmp_path, args, words):
    refused(invoke(*args, "--out", tmp_path / "out"), *words)
    assert not (tmp_path / "out").exists()


def test_many_replications_with_records_are_warned_about_before_running(tmp_path, monkeypatch):
    import drive_sim.cli.common as common

    monkeypatch.setattr(common, "RECORDS_WARNING_REPLICATIONS", 1)
    result = invoke("run", *QUICK[2:], "--reps", "2", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "--no-records" in result.output and "above 1 replications" in result.output
    quiet = invoke("run", *QUICK[2:], "--reps", "2", "--no-records", "--out", tmp_path / "kpis")
    assert quiet.exit_code == 0 and "--no-records" not in quiet.output


def test_a_scenario_error_names_the_users_file_and_nothing_is_written(tmp_path):
    good, bad = tmp_path / "good.toml", tmp_path / "bad.toml"
    good.write_text("[site]\nname = 'Good'\n", encoding="utf-8")
    # An infinite salary once ran, and failed only when the report re-read the stored copy.
    bad.write_text("[site]\nname = 'Bad'\n[costs]\nidva_salary = inf\n")
    out = tmp_path / "out"
    result = invoke("compare", good, bad, *QUICK, "--out", out)
    refused(result, f"{bad}, line 4: costs.idva_salary")
    assert "scenarios/" not in result.output and not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml", "good.toml"]


def test_a_very_long_site_name_is_shortened_in_paths_and_kept_in_the_report(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    name = "Site <b>&" + "x" * 400
    result = invoke("run", *QUICK, "--set", f'site.name="{name}"')
    assert result.exit_code == 0, result.output
    [folder] = (tmp_path / "reports").iterdir()
    assert len(folder.name) < 80
    assert all(len(p.name) < 80 for p in folder.rglob("*"))
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["labels"] == [name]
    assert html.escape(name) in (folder / "report.html").read_text(encoding="utf-8")


def test_sweep_and_run_errors_name_the_line_and_suggest_a_key(tmp_path):
    path = tmp_path / "ours.toml"
    path.write_text("[referrals]\nannual_rate = -100\n", encoding="utf-8")
    result = invoke("sweep", path, "--set", "referrals.dispersion=0,1", "--out", tmp_path / "out")
    refused(result, f"{path}, line 2: referrals.annual_rate:")
    result = invoke("run", path, "--set", "referals.annual_rate=150", "--out", tmp_path / "out")
    refused(result, "unknown key 'referals': did you mean 'referrals'?")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("option", ["--max-weeks-above", "--max-burnout-probability"])
def test_a_share_or_chance_target_above_one_is_refused(option):
    result = invoke("size", option, "2", "--reps", "2")
    assert result.exit_code == 2
    assert option in " ".join(result.output.split())
