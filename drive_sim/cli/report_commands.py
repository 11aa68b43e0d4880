"""``drive-sim report RESULTS_DIR``: rebuild a results folder's HTML report, without re-running."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from drive_sim.cli.common import CdnOption, console, errors, examples, fail
from drive_sim.cli.terminal import printable, working

__all__ = ["register", "report"]


def report(
    results_dir: Annotated[
        Path, typer.Argument(help="A results folder written by run, compare, sweep or size.", show_default=False)
    ],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Where to write the page (default: RESULTS_DIR/report.html).")
    ] = None,
    cdn: CdnOption = False,
) -> None:
    """Write the HTML report of a saved results folder: the answer in words, then the evidence.

    Prints the report's verdict, then where the page is.
    """
    from drive_sim.cli.findings import answer_for
    from drive_sim.report.build import build_report
    from drive_sim.runs.store import load_results
    from drive_sim.scenario import ScenarioError

    if not results_dir.is_dir():
        fail(f"{results_dir}: no such results folder")
    if out is not None and out.is_dir():
        fail(f"--out {out}: is a folder; give the path of the HTML file to write")
    try:
        with working(errors, "Building the report…"):
            results = load_results(results_dir)  # read once: the page, the workbook and the verdict share it
            path = build_report(results, out, cdn=cdn)  # and, into the folder, results.xlsx
            answer = answer_for(results)
    except (FileNotFoundError, ValueError, KeyError, ScenarioError) as error:
        fail(f"{results_dir}: cannot build a report: {error}")
    console.print(printable(answer.verdict), markup=False)
    console.print(printable(f"Report written to {path}"), markup=False)


def register(app: typer.Typer) -> None:
    """Add ``report`` to the ``drive-sim`` app."""
    app.command(
        epilog=examples(
            "drive-sim run scenarios/site6.toml --out reports/site6",
            "drive-sim report reports/site6",
            "drive-sim report reports/site6 --out site6.html --cdn",
        )
    )(report)
