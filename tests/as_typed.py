"""Run a documented ``drive-sim ...`` command as a reader would type it, only smaller.

The README and the tutorials show commands at the size a user runs them. Tests run the
same words through the real command line (typer's ``CliRunner``, so no subprocess and no
install step), with the simulation made small: fewer replications (or worlds, samples),
a one-year horizon unless the command sets its own, the serial backend, and any results
folder under a temporary folder. Nothing else is changed, so a renamed option, a missing
file or a wrong path in the documentation fails the test.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from typer.testing import CliRunner, Result

from drive_sim.cli import app

#: Commands that simulate, and so get made small.
SIMULATING = {"run", "compare", "sweep", "size", "uncertainty", "explore", "launch"}
#: Option -> the small value it gets (replacing the documented one, or added).
SMALL = {"--reps": "2", "--samples": "4", "--screening": "0", "--worlds": "10", "--world-reps": "1"}
#: Which of those each command takes (added when the command does not give it).
ADDED = {
    "run": ("--reps",),
    "compare": ("--reps",),
    "sweep": ("--reps",),
    "size": ("--reps",),
    "uncertainty": ("--samples", "--reps", "--screening"),
    "explore": ("--reps",),
    "launch": ("--reps",),
}
_SHORT_HORIZON = ("--set", "site.horizon_days=365")


def documented_commands(text: str) -> list[str]:
    """Every ``drive-sim ...`` command in a Markdown text's bash blocks and inline code."""
    inline = re.findall(r"`(drive-sim [^`]+)`", text)
    blocks = [
        line.split("  #")[0].split(" # ")[0].strip()
        for block in re.findall(r"```bash\n(.*?)```", text, re.S)
        for line in block.splitlines()
        if line.startswith("drive-sim")
    ]
    return list(dict.fromkeys(blocks + inline))


def small_arguments(command: str, out: Path) -> list[str]:
    """The command's words (as bash splits them), made small, with results under ``out``."""
    words = shlex.split(command)
    assert words[0] == "drive-sim", command
    args = words[1:]
    name = args[0] if args else ""
    if name not in SIMULATING or "--help" in args:
        return args
    uncertain = "--uncertain" in args
    for option, value in SMALL.items():
        if option in args:
            args[args.index(option) + 1] = value
    for option in ADDED.get(name, ()):
        if uncertain and option == "--reps":
            continue
        if option not in args:
            args += [option, SMALL[option]]
    if uncertain:
        for option in ("--worlds", "--world-reps"):
            if option not in args:
                args += [option, SMALL[option]]
    if not any(word.startswith("site.horizon_days=") for word in args):
        args += list(_SHORT_HORIZON)
    if "--backend" not in args:
        args += ["--backend", "serial"]
    if "--out" not in args and "-o" not in args:
        args += ["--out", str(out)]
    return args


def run_as_typed(command: str, out: Path) -> Result:
    """Run a documented command, made small (see the module docstring)."""
    return CliRunner().invoke(app, small_arguments(command, out))
