"""Issue 13: names never reach the terminal raw, and sizing says when staff cannot meet a target."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from drive_sim.cli import app
from drive_sim.cli.scale_commands import answer_lines
from drive_sim.cli.terminal import plain, printable
from drive_sim.runs.sizing import LevelResult, SizingResult, Staffing, TargetCheck, default_targets
from drive_sim.scenario import load_scenario

runner = CliRunner()
QUICK = ["--reps", "1", "--backend", "serial", "--set", "site.horizon_days=60"]
ESCAPES = '"Evil\\u001b[31mRED\\u001b]0;title\\u0007\\u009b2J\\u202e site"'


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "250"})


def assert_no_control_characters(text: str) -> None:
    bad = [c for c in text if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F or c == "\u202e"]
    assert not bad, bad


def test_printable_shows_control_characters_as_escapes():
    assert printable("a\x1b[2Jb\x07\u202e\tc\nd") == "a\\x1b[2Jb\\x07\\u202e\tc\nd"
    assert plain("[red]x\x1b") == "\\[red]x\\x1b"
    assert printable("Café – ünïcode") == "Café – ünïcode"


def test_check_never_prints_escape_sequences_raw(tmp_path):
    path = tmp_path / "evil.toml"
    path.write_text(f'[site]\nname = {ESCAPES}\ndescription = "a\\u001b[2Jb"\n[[teams.idvas]]\nname = "I\\u001b[5mX"\n')
    result = invoke("check", path)
    assert result.exit_code == 0, result.output
    assert_no_control_characters(result.output)
    assert "Evil\\x1b[31mRED" in result.output and "I\\x1b[5mX" in result.output


def test_run_and_compare_titles_never_print_escape_sequences_raw(tmp_path):
    result = invoke("run", *QUICK, "--set", f"site.name={ESCAPES}", "--out", tmp_path / "run")
    assert result.exit_code == 0, result.output
    assert_no_control_characters(result.output)
    assert "Evil\\x1b[31mRED" in result.output
    other = tmp_path / "other.toml"
    other.write_text('[site]\nname = "[bold]Other\\u001b[0m"\n')
    evil = tmp_path / "evil.toml"
    evil.write_text(f"[site]\nname = {ESCAPES}\n")
    result = invoke("compare", evil, other, *QUICK, "--out", tmp_path / "cmp")
    assert result.exit_code == 0, result.output
    assert_no_control_characters(result.output)
    assert "[bold]Other\\x1b[0m" in result.output, "markup in a name is shown as typed"


def test_an_error_message_never_prints_a_key_raw(tmp_path):
    path = tmp_path / "evil.toml"
    path.write_text('[site]\n"x\\u001b[2J" = 1\n')
    result = invoke("check", path)
    assert result.exit_code == 2
    assert_no_control_characters(result.output)
    assert "x\\x1b[2J" in result.output


def _sizing(p90_means: list[float], limit: float = 3.0) -> SizingResult:
    scenario = load_scenario(None)
    targets = default_targets(max_first_contact_p90=limit)
    result = SizingResult(scenario, targets, 0.95, 10, "count", 0)
    for level, p90 in enumerate(p90_means):
        checks = [
            TargetCheck(targets[0], 10, 0.0, 0.0, 0.0, "met"),
            TargetCheck(targets[1], 10, p90, p90 + 0.3, p90 - 0.3, "met" if p90 + 0.3 <= limit else "not met"),
            TargetCheck(targets[2], 10, 0.0, 0.0, 0.0, "met"),
        ]
        staffing = Staffing(level, level + 1, level + 1.0, scenario)
        result.levels.append(LevelResult(staffing, checks, 30_000.0 * (level + 1), 300_000.0, pd.DataFrame()))
    return result


def test_sizing_says_when_adding_staff_stops_improving_a_target():
    result = _sizing([40.0, 12.0, 6.5, 5.0, 4.7, 4.6, 4.6, 4.6])
    lines = answer_lines(result, load_scenario(None), result.table())
    text = "\n".join(lines)
    assert "stops improving at about 4.6" in text and "90th percentile" in text
    assert "will not help" in text and "raise --max-extra" not in text


@pytest.mark.parametrize("means", [[40.0, 20.0, 10.0, 6.0], [40.0, 12.0]])
def test_sizing_still_advises_more_staff_while_a_target_is_improving(means):
    result = _sizing(means)
    text = "\n".join(answer_lines(result, load_scenario(None), result.table()))
    assert "raise --max-extra" in text and "stops improving" not in text
