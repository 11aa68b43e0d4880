"""The command reference: typer's own Markdown docs of the ``drive-sim`` app, built when the docs site is.

One source of truth: every command's and option's help text lives in the typer
declarations in this package; ``docs/gen_reference.py`` writes this page at build time
and ``tests/unit/test_reference.py`` fails when a command or option has no help.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.cli import MARKUP_MODE_KEY, get_docs_for_click

from drive_sim.cli import app

__all__ = ["command_reference_markdown", "commands"]

_INTRO = (
    "Every command and option of `drive-sim`, generated from the command-line code "
    "(`drive_sim/cli/`) when this site is built; `drive-sim COMMAND --help` prints the same. "
    "Bad input gets one message per problem and exit code 2, with nothing written."
)


def commands() -> dict[str, Any]:
    """The app's commands by name, as typer's click layer sees them (``help``, ``params``)."""
    return dict(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def command_reference_markdown() -> str:
    """The command reference page (Markdown), with every command and option."""
    command = typer.main.get_command(app)
    ctx = typer.Context(command, info_name="drive-sim")
    # As `typer ... utils docs` does: help text is read in the app's markup mode, which
    # also escapes text such as "reports/<site>" for Markdown.
    ctx.ensure_object(dict)
    ctx.obj[MARKUP_MODE_KEY] = app.rich_markup_mode
    docs = get_docs_for_click(obj=command, ctx=ctx, name="drive-sim", title="Command reference")
    title, _, rest = docs.strip().partition("\n")
    return f"{title}\n\n{_INTRO}\n{rest}\n"
