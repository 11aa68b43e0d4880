"""The command line imports its heavy libraries inside the commands that need them.

``drive-sim --help`` and ``drive-sim check`` must not load pandas, scipy, plotly or the
simulation, and help not even the scenario schema: each case runs in a fresh interpreter
and lists what got imported, so the test fails as soon as a module-level import of one
of them comes back (not a timing test).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "scipy", "plotly", "pyarrow", "simpy", "dask", "drive_sim.model.site", "drive_sim.runs.experiment")

_PROBE = """
import contextlib, io, json, sys
import drive_sim.cli
from drive_sim.cli import main
args = json.loads(sys.argv[1])
if args:
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            main(args)  # as the shell runs it: a named command builds only its own module
        except SystemExit:
            pass
heavy = json.loads(sys.argv[2])
print(json.dumps(sorted(m for m in sys.modules if m in heavy or m.split(".")[0] in heavy)))
"""


def _heavy_modules_after(args: list[str], heavy: tuple[str, ...] = HEAVY) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(args), json.dumps(heavy)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "args",
    [[], ["--help"], ["run", "--help"], ["check", "scenarios/site5.toml"], ["check", "scenarios/site1.toml"]],
    ids=["import", "help", "run-help", "check-site5", "check-site1"],
)
def test_the_light_commands_import_no_heavy_library(args: list[str]) -> None:
    assert _heavy_modules_after(args) == []


@pytest.mark.parametrize("args", [["--help"], ["sweep", "--help"], ["fit", "--help"]], ids=["help", "sweep", "fit"])
def test_help_does_not_even_build_the_scenario_schema(args: list[str]) -> None:
    """Help reads no scenario: the schema (pydantic models, built at import) and the case-file reader wait.

    (A command's own help loads pydantic all the same: typer's parameter adapters import it.)
    """
    light = ("drive_sim.scenario", "drive_sim.calibration", *(["pydantic"] if args == ["--help"] else []))
    assert _heavy_modules_after(args, light) == []


def test_check_of_a_bad_file_stays_light_and_says_why(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[referrals]\nannual_rate = -5\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "drive_sim", "check", str(bad)], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "annual_rate" in done.stderr
    assert _heavy_modules_after(["check", str(bad)]) == []


def test_check_loads_no_progress_bar_or_table() -> None:
    """``check`` shows no bar and no table, so rich's progress and table modules (tens of ms) wait."""
    assert (
        _heavy_modules_after(["check", "scenarios/site5.toml"], ("rich.progress", "rich.table", "drive_sim.cli.bar"))
        == []
    )


def test_the_command_table_is_what_the_modules_register() -> None:
    """``COMMANDS`` (which module :func:`main` builds for a command) matches every module's own registrations."""
    from drive_sim.cli import COMMAND_MODULES, COMMANDS, app, build_app

    registered = {
        command.name or command.callback.__name__: module
        for module in COMMAND_MODULES
        for command in build_app((module,)).registered_commands
        if command.callback is not None
    }
    assert registered == COMMANDS
    assert [c.name or c.callback.__name__ for c in app.registered_commands if c.callback] == list(COMMANDS)


@pytest.mark.parametrize(
    "args",
    [["check", "--help"], ["sweep", "--help"], ["synth", "--help"], ["run", "--reps", "x"], ["check"], ["diff"]],
    ids=["check-help", "sweep-help", "synth-help", "bad-option", "no-file", "diff-no-file"],
)
def test_a_command_run_alone_says_what_the_full_app_says(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """:func:`main` builds only the invoked command's module: same help, same messages, same exit code."""
    from drive_sim.cli import app, main

    said = []
    for run in (lambda: main(args), lambda: app(args)):
        with pytest.raises(SystemExit) as exited:
            run()
        said.append((exited.value.code, *capsys.readouterr()))
    assert said[0] == said[1] and said[0][0] in (0, 2)


def test_check_builds_only_its_own_commands() -> None:
    from drive_sim.cli import COMMAND_MODULES

    # All the command modules but scenario_commands, whose helper check calls: only check's own is loaded.
    watched = tuple(f"drive_sim.cli.{module}" for module in COMMAND_MODULES if module != "scenario_commands")
    assert _heavy_modules_after(["check", "scenarios/site5.toml"], watched) == ["drive_sim.cli.run_commands"]
