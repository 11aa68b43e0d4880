"""The ``drive-sim`` command line: thin commands over the library. The only place that prints or exits.

This module only creates the app, registers the commands and defines :func:`main`.
What commands share (options, loading, the runner, :func:`~drive_sim.cli.common.publish`)
is in :mod:`drive_sim.cli.common`; every table printed is in :mod:`drive_sim.cli.terminal`.
"""

from __future__ import annotations

import signal

import typer

from drive_sim.cli import (
    explore_commands,
    fit_commands,
    report_commands,
    run_commands,
    scale_commands,
    uncertainty_commands,
)
from drive_sim.cli.common import EXIT_TERMINATED

__all__ = ["app", "main"]

app = typer.Typer(
    name="drive-sim",
    help="How many open cases do IDVAs and Case Managers at a Drive site hold, against guidance? "
    "Simulate a site from a scenario file (or the default site) and find out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for _commands in (run_commands, scale_commands, uncertainty_commands, explore_commands, report_commands, fit_commands):
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
