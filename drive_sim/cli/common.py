"""What every command shares: option types, bad-input exits, loading, the runner, and :func:`publish`.

A command parses its options, calls :func:`load` and :func:`results_folder` (both exit 2
on bad input, before anything runs), opens one runner with :func:`open_runner` and passes
it to the library, then ends with one call to :func:`publish`, which saves the results
folder, prints the report's verdict and then the command's tables
(:mod:`drive_sim.cli.terminal`), writes its HTML report, prints precision advice and exits
with the right code. A results command decorated with :func:`formatted` takes
``--format json|csv``, which :func:`publish` answers by writing only data to stdout.
"""

from __future__ import annotations

import functools
import shlex
import sys
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console, RenderableType

from drive_sim.cli.findings import FORMATS
from drive_sim.cli.terminal import precision_lines, printable, progress, working

if TYPE_CHECKING:
    import pandas as pd

    from drive_sim.runs.experiment import Runner
    from drive_sim.runs.store import SavedResults
    from drive_sim.scenario import Scenario

__all__ = [
    "EXIT_INTERRUPTED",
    "EXIT_TERMINATED",
    "MAX_REPLICATIONS",
    "MAX_SWEEP_REPLICATIONS",
    "RECORDS_WARNING_REPLICATIONS",
    "BackendOption",
    "CdnOption",
    "ForceOption",
    "FormatOption",
    "PrecisionOption",
    "RepsOption",
    "Results",
    "ScenarioArg",
    "SchedulerOption",
    "SeedOption",
    "SetOption",
    "WorkersOption",
    "command_line",
    "console",
    "errors",
    "examples",
    "fail",
    "formatted",
    "interrupted_before_results",
    "load",
    "machine_format",
    "open_runner",
    "parse_set_options",
    "publish",
    "results_folder",
    "warn_about_records",
]

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)

#: Exit codes after Ctrl-C (128 + SIGINT) and after SIGTERM (128 + SIGTERM).
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143

#: The most replications of one scenario (as run.replications allows), and of a whole sweep.
MAX_REPLICATIONS = 100_000
MAX_SWEEP_REPLICATIONS = 1_000_000
#: Above this many replications kept with their records, memory may run out.
RECORDS_WARNING_REPLICATIONS = 1_000

ScenarioArg = Annotated[
    Path | None,
    typer.Argument(help="Scenario file (TOML). Leave out for the default site.", show_default=False),
]
RepsOption = Annotated[
    int | None,
    typer.Option(
        "--reps", "-r", min=1, max=MAX_REPLICATIONS, help="Replications (default: the scenario's run.replications)."
    ),
]
SeedOption = Annotated[int | None, typer.Option("--seed", "-s", min=0, help="Master seed (default: run.seed).")]
SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a value, e.g. --set referrals.annual_rate=150 (repeatable)."),
]
BackendOption = Annotated[
    str,
    typer.Option(
        "--backend", help="serial; process (all cores); or dask (a cluster: see --scheduler).", show_default=True
    ),
]
WorkersOption = Annotated[
    int | None, typer.Option("--workers", min=1, help="Processes, or local Dask workers (default: all cores).")
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (with --backend dask; "
        "without it a local Dask cluster is started).",
        show_default=False,
    ),
]
ForceOption = Annotated[
    bool,
    typer.Option(
        "--force", help="Replace a results folder holding a different run of this command (never anything else)."
    ),
]
PrecisionOption = Annotated[
    float,
    typer.Option(
        "--precision",
        min=0,
        help="Warn about headline measures whose 95% CI is wider than this share of the mean (0: no warning).",
    ),
]
FormatOption = Annotated[
    str,
    typer.Option(
        "--format",
        metavar="table|json|csv",
        help="table (for people: the verdict, then tables); json or csv (for scripts: the results on stdout, "
        "with the verdict in json; progress and notes go to stderr).",
        show_default=True,
    ),
]
ReportOption = Annotated[
    bool,
    typer.Option(
        "--report/--no-report",
        help="Build report.html (about 3 s and 5 MB); --no-report skips it: `drive-sim report FOLDER` builds it later.",
    ),
]
CdnOption = Annotated[
    bool,
    typer.Option(
        "--cdn",
        help="Link plotly.js from its CDN (a small file that needs the internet to show charts) "
        "instead of embedding it (about 4.6 MB, works offline).",
    ),
]


def examples(*commands: str) -> str:
    """A command's help epilog: "Examples:" then each command as typed in a shell, a blank line between.

    Each is tested to parse (``tests/cli/test_verdict_and_formats.py``) and its files to exist.
    """
    from rich.markup import escape

    return "Examples:\n\n" + "\n\n".join(escape(command) for command in commands)


def fail(message: str) -> NoReturn:
    """Print one clear message and exit 2 (bad input)."""
    errors.print(printable(message), markup=False)
    raise typer.Exit(code=2)


class _Output:
    """The --format of the command running (set by :func:`formatted`)."""

    format = "table"


def machine_format() -> str | None:
    """``json`` or ``csv`` when the running command writes its results for scripts, else ``None``."""
    return None if _Output.format == "table" else _Output.format


_Command = TypeVar("_Command", bound=Callable[..., None])


def formatted(command: _Command) -> _Command:
    """Give a results command ``--format``: checked before anything runs; with json or csv, stdout holds only data.

    The command takes ``format_: FormatOption = "table"``. With ``json`` or ``csv``
    everything :data:`console` would print goes to stderr, and :func:`publish` writes the
    results to stdout last.
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        chosen = kwargs.get("format_", "table")
        if chosen not in FORMATS:
            fail(f"--format {chosen!r}: use {', '.join(FORMATS[:-1])} or {FORMATS[-1]}")
        _Output.format = chosen
        if chosen != "table":
            console.file = sys.stderr
        try:
            command(*args, **kwargs)
        finally:
            _Output.format = "table"
            console.file = None  # type: ignore[assignment]  # back to whatever sys.stdout is then

    return wrapper  # type: ignore[return-value]


def parse_set_options(values: list[str] | None) -> dict[str, Any]:
    """``PATH=VALUE`` pairs; values are read as TOML (numbers, booleans, strings, tables)."""
    overrides: dict[str, Any] = {}
    for item in values or []:
        path, sep, raw = item.partition("=")
        if not sep or not path.strip():
            fail(f"--set {item!r}: expected PATH=VALUE, e.g. --set referrals.annual_rate=150")
        try:
            value = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw
        overrides[path.strip()] = value
    return overrides


def load(path: Path | None, overrides: dict[str, Any] | None = None, seed: int | None = None) -> Scenario:
    """Load a scenario, turning every problem into a located message and exit code 2."""
    from drive_sim.scenario import ScenarioError, load_scenario

    if seed is not None:
        overrides = {**(overrides or {}), "run.seed": seed}
    try:
        return load_scenario(path, overrides)
    except ScenarioError as error:
        fail(str(error))


def warn_about_records(replications: int, records: bool) -> None:
    """Say so before a run keeps more records in memory than a machine may hold."""
    if records and replications > RECORDS_WARNING_REPLICATIONS:
        errors.print(
            f"Warning: keeping every case and week of {replications:,} replications in memory may exhaust it; "
            f"above {RECORDS_WARNING_REPLICATIONS:,} replications use --no-records (KPIs only, memory stays flat).",
            markup=False,
        )


def open_runner(backend: str, workers: int | None, scheduler: str | None) -> Runner:
    """Open the one runner a command passes to the library, before anything is written.

    A bad backend or scheduler exits 2. Use it as a context manager: it is closed when
    the command's work is done.
    """
    from drive_sim.runs.experiment import BackendError, open_backend

    try:
        return open_backend(backend, workers, scheduler)
    except BackendError as error:
        fail(str(error))


def command_line() -> str:
    """The command as typed, for the results folder's manifest."""
    return shlex.join(["drive-sim", *sys.argv[1:]])


def results_folder(out: Path | None, kind: str, name: str, identity: str, force: bool) -> Path:
    """The results folder (default ``reports/NAME-HASH``), checked before anything runs.

    The default name ends in a short hash of what the command computes, so a what-if
    never lands in the folder of an earlier run; a folder drive-sim may not replace
    (see :func:`drive_sim.runs.store.check_output_folder`) exits 2.
    """
    from drive_sim.runs.store import OutputFolderError, check_output_folder

    folder = out if out is not None else Path("reports") / f"{name}-{identity[:8]}"
    try:
        check_output_folder(folder, kind, identity, force)
    except OutputFolderError as error:
        fail(f"--out {error}")
    return folder


def interrupted_before_results(message: str) -> NoReturn:
    """Interrupted with nothing to publish: say so and exit 130 (143 after SIGTERM, see ``main``)."""
    errors.print(message, markup=False)
    raise typer.Exit(code=EXIT_INTERRUPTED)


_Outcome = TypeVar("_Outcome")


def run_in_parts(
    folder: Path,
    description: str,
    total: int,
    runner_options: tuple[str, int | None, str | None],
    run: Callable[[Runner, Callable[[Any], None], Callable[[int, int], None]], _Outcome],
) -> _Outcome:
    """Run a job saved in parts (a sweep, ``uncertainty``'s worlds, an explorer grid) with a progress bar.

    ``run(runner, on_result, on_plan)`` starts it (``run_sweep`` and the functions built on
    it). A resumed folder is said to hold its saved replications; a folder the job may not
    write is one message (exit 2); Ctrl-C says what is saved and how to resume (exit 130).
    """
    from drive_sim.runs.sweep import SweepFolderError

    backend, workers, scheduler = runner_options
    with open_runner(backend, workers, scheduler) as runner, progress(errors, description, total) as bar:

        def planned(reused: int, to_run: int) -> None:
            if reused:
                errors.print(f"Resuming: {reused} of {total} replications already in {folder}/parts.", markup=False)
            bar.describe(description, total=to_run)

        try:
            outcome = run(runner, bar.callback(), planned)
        except SweepFolderError as error:
            fail(str(error))
        except KeyboardInterrupt:  # while assembling: every part is saved
            interrupted_before_results(f"Interrupted while assembling; re-run the same command to finish {folder}/.")
    if getattr(outcome, "interrupted", False):
        done = getattr(outcome, "reused", 0) + getattr(outcome, "ran", 0)
        interrupted_before_results(
            f"Interrupted: {done} of {getattr(outcome, 'total', total)} replications are saved in "
            f"{folder}/parts; re-run the same command to resume."
        )
    return outcome


@dataclass(frozen=True)
class Results:
    """What :func:`publish` saves: the arguments of :func:`drive_sim.runs.store.save_results`."""

    scenarios: Sequence[Scenario]
    labels: Sequence[str]
    replications: int
    kpis: pd.DataFrame
    summary: pd.DataFrame
    tables: Mapping[str, pd.DataFrame]
    #: The run's identity (:func:`drive_sim.runs.store.run_identity`), kept in the manifest.
    identity: str
    #: Wall-clock seconds the work took, kept in timing.json.
    seconds: float
    force: bool = False
    extra: Mapping[str, Any] | None = None


def publish(
    folder: Path,
    written: str,
    *,
    cdn: bool,
    report: bool = True,
    results: Results | None = None,
    precision: float = 0.0,
    summary: pd.DataFrame | None = None,
    interrupted: str | None = None,
    tables: Sequence[RenderableType] = (),
    notes: Callable[[Any], Sequence[str]] | None = None,
    rows: str = "summary",
) -> None:
    """End a command: save the folder, print the verdict then the tables, write the report, advise, exit.

    The verdict is the report's (:func:`drive_sim.cli.findings.answer_for` reads the folder
    back as the report does), printed before the tables. With ``--format json|csv`` the
    tables are left out, the notes go to stderr, and the results (``rows``) are written to
    stdout last.

    Args:
        folder: The results folder (from :func:`results_folder`).
        written: The line saying what the folder holds, printed once it is saved.
        cdn: Link plotly.js from its CDN in the report instead of embedding it.
        report: Build the HTML report (``--no-report``: not now; ``drive-sim report`` later).
        results: What to save; ``None`` when the library has saved the folder already
            (a sweep writes its parts as it runs).
        precision: Warn about headline 95% CIs wider than this share of the mean (0: no
            warning).
        summary: The summary the precision advice reads (default: ``results.summary``;
            with neither, no advice).
        interrupted: Set when the run was interrupted: said last, then the command exits
            130 (143 after SIGTERM, see ``drive_sim.cli.main``). Otherwise it returns and
            the command exits 0.
        tables: What to print after the verdict (rich tables).
        notes: Lines to print after the tables, from the answer (default: its cautions).
        rows: What ``--format`` writes: ``summary`` (the KPI summary with units, guidance
            and status) or the name of a table in the folder, such as ``levels``.
    """
    from drive_sim.cli.findings import answer_for, emit, machine_rows
    from drive_sim.runs.store import load_results

    if results is not None:
        from drive_sim.runs.store import save_results

        with working(errors, "Writing tables…"):
            save_results(
                folder,
                results.scenarios,
                results.labels,
                results.replications,
                results.kpis,
                results.summary,
                results.tables,
                command=command_line(),
                extra=results.extra,
                timing={"seconds": round(results.seconds, 3)},
                run_id=results.identity,
                force=results.force,
            )
    from drive_sim.runs.datapackage import write_schema

    write_schema(folder)  # the data dictionary of every table now in the folder
    saved = load_results(folder)  # read once: the verdict, the page and the workbook share its summaries
    if not report:  # build_report writes results.xlsx beside the page; without a page, write it here
        from drive_sim.report.excel import write_workbook

        with working(errors, "Writing results.xlsx…"):
            write_workbook(saved)  # the answer, KPIs, choices and assumptions as formatted sheets
    answer = answer_for(saved)
    machine = machine_format()
    console.print(printable(answer.verdict), markup=False)
    for table in () if machine else tables:
        console.print()
        console.print(table)
    for line in notes(answer) if notes is not None else answer.cautions:
        console.print(printable(line), markup=False)
    console.print(printable(written), markup=False)
    page: Path | None = write_report(saved, cdn) if report else None
    if page is None:
        console.print(
            printable(f"No report built (--no-report); build it with: drive-sim report {folder}"), markup=False
        )
    advised = summary if summary is not None else results.summary if results is not None else None
    if advised is not None:
        for line in precision_lines(advised, precision):
            errors.print(line, markup=False)
    if machine:
        about = {"command": command_line(), "kind": saved.manifest.get("kind"), "folder": str(folder),
                 "report": str(page) if page else None, "complete": interrupted is None}  # fmt: skip
        emit(machine, machine_rows(saved, rows), answer, about)
    if interrupted is not None:
        console.print(interrupted, markup=False)
        raise typer.Exit(code=EXIT_INTERRUPTED)


def write_report(folder: Path | SavedResults, cdn: bool) -> Path:
    """Build the results folder's HTML report (from the folder, or the folder already read) and say where it is."""
    from drive_sim.report.build import build_report

    with working(errors, "Building the report…"):
        path = build_report(folder, cdn=cdn)
    console.print(printable(f"Report: {path}"), markup=False)
    return path
