"""``drive-sim fit`` and ``drive-sim synth`` through typer's CliRunner."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from drive_sim.cli import app
from drive_sim.scenario import load_scenario

SAMPLE = Path(__file__).parents[2] / "scenarios" / "examples" / "sample_cases.csv"
HEADER = (
    "case_id,referral_date,cm_closed_date,idva_first_contact_date,client_response,deselected,backdated,idva_id,cm_id"
)

runner = CliRunner()


def invoke(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args])


def test_fit_writes_a_loadable_scenario_and_a_report(tmp_path):
    out = tmp_path / "fitted.toml"
    result = invoke("fit", SAMPLE, "--out", out)
    assert result.exit_code == 0, result.output
    assert "Referral rate:" in result.stdout
    scenario = load_scenario(out)
    assert scenario.referrals.annual_rate > 0
    page = (tmp_path / "fitted.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fitted.html", "fitted.toml"], "no temporary files left"


def test_fit_into_a_base_scenario_keeps_its_other_keys(tmp_path):
    base = tmp_path / "base.toml"
    base.write_text('[site]\nname = "Our site"\n\n[costs]\nidva_salary = 30000\n', encoding="utf-8")
    out, report = tmp_path / "ours.toml", tmp_path / "report.html"
    result = invoke("fit", SAMPLE, "--base", base, "--out", out, "--report", report, "--as-of", "2028-03-31")
    assert result.exit_code == 0, result.output
    scenario = load_scenario(out)
    assert scenario.site.name == "Our site" and scenario.costs.idva_salary == 30000
    header = re.sub(r"\n#\s+", " ", out.read_text(encoding="utf-8"))  # comments are wrapped
    assert "from sample_cases.csv as of 2028-03-31" in header
    assert report.exists()


@pytest.mark.parametrize(
    ("rows", "where"),
    [
        (["K1,2024-13-01,,,,0,0,I01,C01"], "row 2, column referral_date"),
        (["K1,2024-03-01,2024-02-01,,,0,0,I01,C01"], "row 2, column cm_closed_date"),
        (["K1,2024-03-01,,,declined,0,0,I01,C01"], "row 2, column client_response"),
        ([], "has a header but no rows"),
    ],
)
def test_bad_input_exits_2_with_located_messages_and_writes_nothing(tmp_path, rows, where):
    cases = tmp_path / "cases.csv"
    cases.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    result = invoke("fit", cases, "--out", tmp_path / "fitted.toml")
    assert result.exit_code == 2
    assert f"{cases}: {where}" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.csv"]


def test_an_empty_file_is_refused(tmp_path):
    cases = tmp_path / "cases.csv"
    cases.write_text("", encoding="utf-8")
    result = invoke("fit", cases, "--out", tmp_path / "fitted.toml")
    assert result.exit_code == 2
    assert "the file is empty" in result.stderr


def test_a_personal_data_column_is_refused_by_name(tmp_path):
    cases = tmp_path / "cases.csv"
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    cases.write_text("\n".join([lines[0] + ",Surname", *(line + ",x" for line in lines[1:])]), encoding="utf-8")
    result = invoke("fit", cases, "--out", tmp_path / "fitted.toml")
    assert result.exit_code == 2
    assert "row 1, column 'Surname': looks like personal data (a name)" in result.stderr
    assert not (tmp_path / "fitted.toml").exists()


def test_problems_in_every_input_are_reported_together(tmp_path):
    base, non_drive = tmp_path / "base.toml", tmp_path / "nd.csv"
    base.write_text("[referrals]\nannual_rate = -1\n", encoding="utf-8")
    non_drive.write_text("month,idva_id,referrals\n2024-1,I01,3\n", encoding="utf-8")
    result = invoke("fit", SAMPLE, "--base", base, "--non-drive", non_drive, "--out", tmp_path / "f.toml")
    assert result.exit_code == 2
    assert f"{base}, line 2: referrals.annual_rate" in result.stderr
    assert f"{non_drive}: row 2, column month" in result.stderr


def test_a_bad_as_of_date_and_a_missing_output_folder_exit_2(tmp_path):
    assert invoke("fit", SAMPLE, "--out", tmp_path / "f.toml", "--as-of", "31/03/2028").exit_code == 2
    result = invoke("fit", SAMPLE, "--out", tmp_path / "nowhere" / "f.toml")
    assert result.exit_code == 2 and "does not exist" in result.stderr


def test_an_as_of_date_before_the_data_is_located(tmp_path):
    result = invoke("fit", SAMPLE, "--out", tmp_path / "f.toml", "--as-of", "2026-05-01")
    assert result.exit_code == 2
    assert "is after the as-of date 2026-05-01" in result.stderr


def test_synth_writes_the_case_export_format_that_fit_reads(tmp_path):
    scenario = tmp_path / "site.toml"
    scenario.write_text("[site]\nhorizon_days = 365\n", encoding="utf-8")
    cases, non_drive = tmp_path / "cases.csv", tmp_path / "nd.csv"
    result = invoke("synth", scenario, "--out", cases, "--non-drive-out", non_drive, "--seed", "3")
    assert result.exit_code == 0, result.output
    assert cases.read_text(encoding="utf-8").startswith("case_id,referral_date,")
    assert "seed 3" in result.stdout and "--as-of 2027-04-01" in result.stdout
    fitted = invoke("fit", cases, "--non-drive", non_drive, "--out", tmp_path / "fitted.toml")
    assert fitted.exit_code == 0, fitted.output
    idvas = tomllib.loads((tmp_path / "fitted.toml").read_text(encoding="utf-8"))["teams"]["idvas"]
    assert [i["role"] for i in idvas] == ["drive", "wider", "wider", "wider"]


def test_synth_is_reproducible_and_replications_differ(tmp_path):
    outputs = [tmp_path / name for name in ("a.csv", "b.csv", "c.csv")]
    for path, replication in zip(outputs, ("0", "0", "1"), strict=True):
        assert invoke("synth", "--out", path, "--replication", replication).exit_code == 0
    a, b, c = (p.read_text(encoding="utf-8") for p in outputs)
    assert a == b and a != c


def test_synth_reports_a_bad_scenario_and_writes_nothing(tmp_path):
    scenario = tmp_path / "bad.toml"
    scenario.write_text("[referrals]\nannual_rat = 3\n", encoding="utf-8")
    result = invoke("synth", scenario, "--out", tmp_path / "cases.csv")
    assert result.exit_code == 2
    assert "referrals.annual_rat: unknown key" in result.stderr
    assert not (tmp_path / "cases.csv").exists()


def test_fit_does_not_overwrite_its_input_with_an_output(tmp_path):
    cases = tmp_path / "cases.csv"
    shutil.copy(SAMPLE, cases)
    result = invoke("fit", cases, "--out", tmp_path / "x.toml", "--report", tmp_path / "x.toml")
    assert result.exit_code == 2
    assert cases.read_text(encoding="utf-8") == SAMPLE.read_text(encoding="utf-8")
