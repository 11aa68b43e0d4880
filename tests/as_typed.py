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
    """Every ``drive-sim ...`` command in a Markdown text's bash blocks and inline code, in the text's order.

    An inline mention of a bare command that needs arguments (``drive-sim fit``) is a name,
    not a command to run as it stands: it becomes ``drive-sim fit --help``.
    """
    found: list[tuple[int, str]] = []
    blocks = list(re.finditer(r"```bash\n(.*?)```", text, re.S))
    for block in blocks:
        offset = block.start(1)
        for line in block.group(1).splitlines(keepends=True):
            if line.startswith("drive-sim"):
                found.append((offset, line.split("  #")[0].split(" # ")[0].strip()))
            offset += len(line)
    for match in re.finditer(r"`(drive-sim [^`]+)`", text):
        if not any(block.start() <= match.start() < block.end() for block in blocks):
            command = match.group(1).strip()
            words = command.split()
            if len(words) == 2 and words[1] in NEED_ARGUMENTS:
                command += " --help"
            found.append((match.start(), command))
    return list(dict.fromkeys(command for _, command in sorted(found)))


#: Commands that do nothing useful without an argument (named bare in prose).
NEED_ARGUMENTS = {"fit", "synth", "report", "diff", "check", "init", "compare"}


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
    if name == "explore":  # the default grid is 480 what-ifs: keep two of each axis's values
        for axis, values in (("staffing", "1,2"), ("referrals.annual_rate", "100"), ("backdating.months", "0")):
            if not any(word.startswith(f"{axis}=") for word in args):
                args += ["--set", f"{axis}={values}"]
    if name == "launch" and "--months" not in args:
        args += ["--months", "6"]
    recipe = any("recipes/" in word for word in args)  # short already, and a fixed warm-up needs their horizon
    if not recipe and not any(word.startswith("site.horizon_days=") for word in args):
        args += list(_SHORT_HORIZON)
    if "--backend" not in args:
        args += ["--backend", "serial"]
    if "--out" not in args and "-o" not in args:
        args += ["--out", str(out)]
    return args


def run_as_typed(command: str, out: Path) -> Result:
    """Run a documented command, made small (see the module docstring).

    A pipe into ``python -m json.tool`` is checked as that would check it: the command's
    standard output must be one JSON document.
    """
    import json

    command, _, piped = command.partition(" | ")
    result = CliRunner().invoke(app, small_arguments(command, out))
    if piped.strip() == "python -m json.tool" and result.exit_code == 0:
        json.loads(result.stdout)
    elif piped:
        raise AssertionError(f"{command} | {piped}: only a pipe into python -m json.tool can be checked")
    return result
