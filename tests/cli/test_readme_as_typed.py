"""Every ``drive-sim ...`` command the README shows runs as typed (issue 22, item 1).

The commands run in the order the README gives them, in one fresh folder holding only a
copy of ``scenarios/``, as a new user would type them after the set-up command, each
made small (:mod:`as_typed`). A command that needs a file an earlier one writes
(``our-site.toml`` from ``drive-sim init``) finds it there. Every file the README names
in a command must exist by the time the command runs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from as_typed import documented_commands, run_as_typed

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_shows_the_commands_a_new_user_needs():
    commands = documented_commands(README)
    for needed in ("drive-sim init", "drive-sim run", "drive-sim compare", "drive-sim sweep", "drive-sim size"):
        assert any(command.startswith(needed) for command in commands), needed


@pytest.mark.slow
def test_every_readme_command_runs_as_typed(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    failures = []
    for number, command in enumerate(documented_commands(README)):
        result = run_as_typed(command, tmp_path / "results" / str(number))
        if result.exit_code != 0:
            failures.append(f"{command}\n  exit {result.exit_code}: {result.output.strip()[-400:]}")
    assert not failures, "README commands that fail as typed:\n" + "\n".join(failures)
