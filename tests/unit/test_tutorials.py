"""The documentation site's tutorials run as written (issue 22, item 4).

Each tutorial's ``drive-sim`` commands run in order in one fresh folder holding a copy
of ``scenarios/``, made small as the README's are (:mod:`as_typed`); its Python blocks
run in order in one namespace, as a notebook would run them, unchanged.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from as_typed import documented_commands, run_as_typed

ROOT = Path(__file__).resolve().parents[2]
TUTORIALS = sorted((ROOT / "docs" / "tutorials").glob("*.md"))


def test_there_are_the_three_tutorials_and_the_site_lists_them():
    assert [t.stem for t in TUTORIALS] == ["plan-a-site", "size-the-funding", "sweep-from-python"]
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert all(f"tutorials/{t.name}" in nav for t in TUTORIALS)


@pytest.mark.slow
@pytest.mark.parametrize("tutorial", TUTORIALS, ids=lambda p: p.stem)
def test_each_tutorial_runs_as_written(tutorial, tmp_path, monkeypatch):
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    monkeypatch.chdir(tmp_path)
    text = tutorial.read_text(encoding="utf-8")
    for number, command in enumerate(documented_commands(text)):
        result = run_as_typed(command, tmp_path / "results" / str(number))
        assert result.exit_code == 0, f"{tutorial.name}: {command}\n{result.output[-1500:]}"
    code = re.findall(r"```python\n(.*?)```", text, re.S)
    namespace: dict[str, object] = {"__name__": "tutorial"}
    for block in code:
        exec(compile(block, f"{tutorial.name} (python block)", "exec"), namespace)  # noqa: S102
