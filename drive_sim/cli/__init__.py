"""The ``drive-sim`` command line: thin commands over the library. The only place that prints or exits.

This module only creates the app, registers the commands and defines :func:`main`.
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

import typer

from drive_sim.cli import (
    explore_commands,
    fit_commands,
    launch_commands,
    report_commands,
    run_commands,
    scale_commands,
    scenario_commands,
    uncertainty_commands,
)
from drive_sim.cli.common import EXIT_TERMINATED

__all__ = ["app", "main"]

app = typer.Typer(
    name="drive-sim",
    help="How many open cases do IDVAs and Case Managers at a Drive site hold, against guidance? "
    "Simulate a site from a scenario file (or the default site) and find out.",
    no_args_is_help=False,
    invoke_without_command=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

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


@app.callback()
def _start(ctx: typer.Context) -> None:
    """How many open cases do IDVAs and Case Managers at a Drive site hold, against guidance?"""
    if ctx.invoked_subcommand is None:
        typer.echo(START_HERE)


for _commands in (
    run_commands,
    scenario_commands,
    scale_commands,
    uncertainty_commands,
    explore_commands,
    launch_commands,
    report_commands,
    fit_commands,
):
    _commands.register(app)


class _Termination:
    """Whether SIGTERM arrived: it is handled as Ctrl-C is, then the exit code says which."""

    received = False

    @classmethod
    def handle(cls, signum: int, frame: object) -> None:
        cls.received = True
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM ends at once
        raise KeyboardInterrupt


def main() -> None:
    """The ``drive-sim`` entry point: SIGTERM keeps what finished, like Ctrl-C, and exits 143."""
    signal.signal(signal.SIGTERM, _Termination.handle)
    try:
        app()
    except SystemExit:
        if _Termination.received:
            raise SystemExit(EXIT_TERMINATED) from None
        raise
