"""The command line as a user meets it (typer's CliRunner)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from drive_sim.cli import app

runner = CliRunner()
SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
SHORT = ["--set", "site.horizon_days=200", "--backend", "serial"]


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "250"})


def test_run_prints_the_kpi_table_and_writes_tables(tmp_path):
    result = invoke("run", "--reps", "2", "--out", tmp_path / "out", *SHORT)
    assert result.exit_code == 0, result.output
    assert "Drive IDVA open cases per FTE" in result.output and "Guidance" in result.output
    for name in ("cases.csv", "weeks.csv", "kpis.csv", "summary.csv", "manifest.json"):
        assert (tmp_path / "out" / name).exists(), name


def test_the_same_seed_writes_byte_identical_tables(tmp_path):
    for folder in ("a", "b"):
        assert invoke("run", "--reps", "2", "--seed", "5", "--out", tmp_path / folder, *SHORT).exit_code == 0
    for name in ("cases.csv", "weeks.csv", "kpis.csv", "summary.csv", "kpis.parquet"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_serial_and_process_backends_write_the_same_tables(tmp_path):
    base = ["run", "--reps", "3", "--set", "site.horizon_days=150"]
    assert invoke(*base, "--backend", "serial", "--out", tmp_path / "s").exit_code == 0
    assert invoke(*base, "--backend", "process", "--workers", "2", "--out", tmp_path / "p").exit_code == 0
    for name in ("cases.csv", "weeks.csv", "kpis.csv"):
        assert (tmp_path / "s" / name).read_bytes() == (tmp_path / "p" / name).read_bytes(), name


@pytest.mark.parametrize(
    "text, words",
    [
        ("[referrals]\nannual_rate = -1\n", "referrals.annual_rate"),
        ("[teams]\nidvas = []\n", "teams.idvas"),
        ("[[teams.idvas]]\nrole = 'drive'\n[routing]\nmonitoring = 'wider'\n", "routing.monitoring"),
        ("[site\nname = 1\n", "line 1"),
        ("[case_mix.client_response]\nsupport = 0.5\nmonitoring = 0.6\nunreachable = 0\n", "sum to 1"),
    ],
)
def test_bad_scenarios_get_a_located_message_and_exit_2(tmp_path, text, words):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "never"
    result = invoke("run", path, "--out", out, *SHORT)
    assert result.exit_code == 2
    assert str(path) in result.output and words in result.output
    assert "Traceback" not in result.output
    assert not out.exists(), "nothing is written for bad input"
    assert invoke("check", path).exit_code == 2


def test_a_missing_file_and_bad_options_exit_2(tmp_path):
    result = invoke("run", tmp_path / "nope.toml")
    assert result.exit_code == 2 and "no such file" in result.output
    result = invoke("run", "--set", "referals.annual_rate=3", "--out", tmp_path / "x")
    assert result.exit_code == 2 and "referals" in result.output
    result = invoke("run", "--backend", "quantum", "--out", tmp_path / "x")
    assert result.exit_code == 2 and "quantum" in result.output
    assert not (tmp_path / "x").exists()


def test_check_says_what_the_file_describes():
    result = invoke("check", SCENARIOS / "site6.toml")
    assert result.exit_code == 0, result.output
    assert "Site 6" in result.output and "liaison relayed" in result.output and "OK" in result.output


def test_compare_prints_scenarios_side_by_side_with_paired_differences(tmp_path):
    result = invoke(
        "compare", SCENARIOS / "site5.toml", SCENARIOS / "two_drive_idvas.toml", "--reps", "3",
        "--out", tmp_path / "cmp", *SHORT[:2], "--backend", "serial",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Site 5" in result.output and "two Drive IDVAs" in result.output
    assert "Paired differences" in result.output
    assert (tmp_path / "cmp" / "differences.csv").exists()


def test_python_dash_m_works():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "drive_sim", "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "run" in done.stdout
