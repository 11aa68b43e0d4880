"""drive-sim launch as a planner runs it: the answer first, the page, machine output, bad input."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from drive_sim.cli import app

SMALL = ["--reps", "2", "--months", "6", "--set", "site.horizon_days=200", "--backend", "serial"]


def test_the_default_plans_answer_first_and_write_their_page(tmp_path):
    out = tmp_path / "launch"
    result = CliRunner().invoke(app, ["launch", *SMALL, "--out", str(out)])
    assert result.exit_code == 0, result.output
    first = result.output.strip().splitlines()[0]
    assert first.startswith("Of the 4 plans"), first
    assert "Backdate 6 months, two Drive IDVAs from day one:" in result.output
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "launch plans" in page and "treadmill" in page  # the study quoted beside the answer
    assert (out / "months.parquet").exists() and (out / "plans.csv").exists() and (out / "schema.json").exists()


def test_plans_as_files_are_named_by_their_sites_and_json_carries_the_plans(tmp_path):
    out = tmp_path / "files"
    result = CliRunner().invoke(
        app,
        [
            "launch",
            "scenarios/site5.toml",
            "scenarios/two_drive_idvas.toml",
            *SMALL,
            "--format",
            "json",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [row["label"] for row in document["rows"]] == [
        "Site 5: single Drive IDVA, direct liaison",
        "Recommended: two Drive IDVAs",
    ]
    assert document["verdict"].startswith("Of the 2 plans")


def test_months_beyond_the_horizon_are_refused_before_anything_runs(tmp_path):
    out = tmp_path / "nothing"
    result = CliRunner().invoke(app, ["launch", "--months", "12", "--set", "site.horizon_days=200", "--out", str(out)])
    assert result.exit_code == 2
    assert "horizon_days" in result.output and not out.exists()
