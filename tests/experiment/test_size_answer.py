"""``drive-sim size`` says the same thing on the terminal and on the page, and chooses honestly.

The fast test sizes the known-answer site of ``test_sizing``; the slow one is the issue's
own check on the default site: the chosen level's exact bounds meet every target, the
Drive-added FTE comes first with its CI, and terminal and HTML agree.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from test_sizing import KNOWN
from typer.testing import CliRunner

from drive_sim.cli import app


def _words(text: str) -> str:
    return " ".join(text.split())


def _page_words(path: Path) -> str:
    text = re.sub(r"<script.*?</script>", " ", path.read_text(encoding="utf-8"), flags=re.S)
    return _words(html.unescape(re.sub(r"<[^>]+>", " ", text)))


def _size(tmp_path: Path, *args: str) -> tuple[str, Path]:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["size", *args, "--out", str(out)], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    return _words(result.output), out


def _answer_sentences(terminal: str) -> list[str]:
    """The verdict (before the table) and the sentences after it, up to the cost notes."""
    table = terminal.index("Drive IDVA staffing tried")
    after = re.search(r"At \d+ Drive IDVA", terminal[table:])
    assert after, "the answer's points follow the table"
    text = terminal[:table].strip() + " " + terminal[table + after.start() : terminal.index("Costs: salary")]
    return [s.strip() for s in re.split(r"(?<=\.) (?=[A-Z])", text) if s.strip()]


def _check_agreement(terminal: str, out: Path) -> None:
    page = _page_words(out / "report.html")
    sentences = _answer_sentences(terminal)
    assert len(sentences) >= 3
    for sentence in sentences:
        assert sentence in page, f"the page does not say: {sentence}"


def test_size_terminal_and_page_say_the_same(tmp_path):
    path = tmp_path / "known.toml"
    path.write_text(KNOWN, encoding="utf-8")
    terminal, out = _size(tmp_path, str(path), "--backend", "serial", "--reps", "8")
    assert terminal.startswith("Drive adds"), "the answer comes first, before the table"
    assert terminal.index("Answer:") < terminal.index("Drive IDVA staffing tried")
    _check_agreement(terminal, out)


@pytest.mark.slow
def test_default_site_size_chooses_a_level_its_exact_bounds_clear(tmp_path):
    terminal, out = _size(tmp_path, "--workers", "2")
    levels = pd.read_csv(out / "levels.csv")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    chosen = levels[levels["chosen"]]
    assert len(chosen) == 1, terminal
    row = chosen.iloc[0]
    for target in manifest["targets"]:
        key = f"{target['kpi']}@{target['scope']}"
        assert row[f"{key}:verdict"] == "met" and row[f"{key}:upper"] <= target["at_most"], key
    # Every cheaper level tried fails or cannot be decided: none is chosen over it.
    cheaper = levels[levels["drive_idva_fte"] < row["drive_idva_fte"]]
    assert not cheaper["all_met"].any()
    assert re.search(r"Drive adds \d+\.\d\d FTE of IDVA work at this site \(95% CI \d+\.\d\d to \d+\.\d\d\)", terminal)
    assert row["drive_added_fte_low"] < row["drive_added_fte"] < row["drive_added_fte_high"]
    _check_agreement(terminal, out)
