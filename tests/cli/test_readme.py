"""Issue 13: the README's commands work as typed in bash and zsh."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from typer.testing import CliRunner

from drive_sim.cli import app

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
#: What bash (with failglob) and zsh would take for a file pattern: an index such as idvas[0], or * and ?.
GLOB = re.compile(r"\w\[\d+\]|[*?]")


def readme_commands() -> list[str]:
    inline = re.findall(r"`(drive-sim [^`]+)`", README)
    blocks = [
        line.split("  #")[0].strip()
        for block in re.findall(r"```bash\n(.*?)```", README, re.S)
        for line in block.splitlines()
        if line.startswith("drive-sim ")
    ]
    return inline + blocks


def unquoted_words(command: str) -> list[str]:
    """The words of a command that a shell would expand as patterns (outside quotes)."""
    lexer = shlex.shlex(command, posix=False, punctuation_chars=False)
    lexer.whitespace_split = True
    return [word for word in lexer if not word.startswith(("'", '"')) and GLOB.search(word)]


def test_no_readme_command_has_an_unquoted_pattern():
    commands = readme_commands()
    assert any("teams.idvas[0].count=1,2,3" in c for c in commands), "the sweep example is still there"
    assert unquoted_words("drive-sim run --set teams.idvas[0].count=2") == ["teams.idvas[0].count=2"]
    bad = {c: words for c in commands if (words := unquoted_words(c))}
    assert not bad, bad


def test_the_readme_sweep_examples_run_as_typed(tmp_path, monkeypatch):
    commands = [c for c in readme_commands() if c.startswith("drive-sim sweep scenarios/")]
    assert len(commands) == 2, "one file, and several files as the structure axis"
    monkeypatch.chdir(ROOT)
    for k, (command, points) in enumerate(zip(commands, (9, 18), strict=True)):
        args = shlex.split(command)[1:]  # as bash and zsh split it, quotes removed
        assert "teams.idvas[0].count=1,2,3" in args
        if "--reps" in args:
            del args[args.index("--reps") : args.index("--reps") + 2]
        out = str(tmp_path / f"s{k}")
        result = CliRunner().invoke(app, [*args, "--reps", "1", "--backend", "serial", "--out", out])
        assert result.exit_code == 0, result.output
        assert f"Sweep: {points} points" in result.output
