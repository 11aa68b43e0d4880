"""The ``drive-sim`` command line: thin commands over the library. The only place that prints or exits.

This module only builds the app from the command modules and defines :func:`main`.
What commands share (options, loading, the runner, :func:`~drive_sim.cli.common.publish`)
is in :mod:`drive_sim.cli.common`; every table printed is in :mod:`drive_sim.cli.terminal`.
"""

from __future__ import annotations

import os
import signal

# The command line's arrays are small, so OpenBLAS's worker threads (one per core, started
# when numpy is imported) have nothing to do but spin: on a 2-core machine that was about
# 0.17 s of CPU at every numpy import, in the command and in each worker process, taken
# from the simulation's own processes. One thread, unless the user's environment says
# otherwise. Set here, before anything imports numpy (the library itself leaves a
# notebook's threads alone).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import importlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import typer

from drive_sim.cli.common import EXIT_TERMINATED

if TYPE_CHECKING:
    app: typer.Typer

__all__ = ["COMMANDS", "COMMAND_MODULES", "app", "build_app", "main"]

#: Each command and the module of ``drive_sim.cli`` that registers it, in the order
#: ``drive-sim --help`` lists them (a test holds this to what the modules register).
#: :func:`main` builds only the invoked command's module.
COMMANDS = {
    "run": "run_commands",
    "check": "run_commands",
    "compare": "run_commands",
    "init": "scenario_commands",
    "diff": "scenario_commands",
    "sweep": "scale_commands",
    "size": "scale_commands",
    "uncertainty": "uncertainty_commands",
    "explore": "explore_commands",
    "launch": "launch_commands",
    "report": "report_commands",
    "fit": "fit_commands",
    "synth": "fit_commands",
}

#: The modules that register commands, in help order.
COMMAND_MODULES = tuple(dict.fromkeys(COMMANDS.values()))


START_HERE = """drive-sim: IDVA and Case Manager capacity at a Drive site, simulated.

Start here, from the repository folder (with no scenario file, a command runs
the default site):

  Which team structure, and how many Drive IDVAs?            (a planner)
    drive-sim init our-site.toml --like site5     a scenario file to edit
    drive-sim compare our-site.toml scenarios/two_drive_idvas.toml

  How many FTE does the funding need, and how sure are we?   (a commissioner)
    drive-sim size our-site.toml
    drive-sim size our-site.toml --uncertain      across plausible assumptions

  What happens across many what-ifs?                         (an analyst)
    drive-sim sweep our-site.toml --set backdating.months=0,3,6
    drive-sim explore                             a grid, one offline page

Every command: drive-sim --help.  One: drive-sim COMMAND --help.
From Python: import drive_sim; help(drive_sim)."""


def _start(ctx: typer.Context) -> None:
    """How many open cases do IDVAs and Case Managers at a Drive site hold, against guidance?"""
    if ctx.invoked_subcommand is None:
        typer.echo(START_HERE)


def build_app(modules: Sequence[str] = COMMAND_MODULES) -> typer.Typer:
    """The ``drive-sim`` app with the commands of ``modules`` (names in :data:`COMMAND_MODULES`).

    Typer builds every registered command's parameters at each invocation, and each
    command module costs its import; a command run from the shell needs only its own
    (:func:`main`). The full app, :data:`app`, is what help lists and what tests drive.
    """
    built = typer.Typer(
        name="drive-sim",
        help="How many open cases do IDVAs and Case Managers at a Drive site hold, against guidance? "
        "Simulate a site from a scenario file (or the default site) and find out.",
        no_args_is_help=False,
        invoke_without_command=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    built.callback()(_start)
    for module in modules:
        importlib.import_module(f"drive_sim.cli.{module}").register(built)
    return built


def __getattr__(name: str) -> typer.Typer:
    """``app``: every command, built at its first use (``from drive_sim.cli import app``)."""
    if name == "app":
        full = globals()["app"] = build_app()
        return full
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _Termination:
    """Whether SIGTERM arrived: it is handled as Ctrl-C is, then the exit code says which."""

    received = False

    @classmethod
    def handle(cls, signum: int, frame: object) -> None:
        cls.received = True
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM ends at once
        raise KeyboardInterrupt


def main(args: Sequence[str] | None = None) -> None:
    """The ``drive-sim`` entry point: SIGTERM keeps what finished, like Ctrl-C, and exits 143.

    A command named first is run by an app holding only its module's commands
    (:func:`build_app`): the same command, options, help and messages, without building
    the others. Anything else (``--help``, no command, a mistyped one) gets the full app.
    """
    args = sys.argv[1:] if args is None else list(args)
    module = COMMANDS.get(args[0]) if args else None
    chosen = build_app((module,)) if module is not None else __getattr__("app")
    signal.signal(signal.SIGTERM, _Termination.handle)
    try:
        chosen(args)
    except SystemExit:
        if _Termination.received:
            raise SystemExit(EXIT_TERMINATED) from None
        raise
