"""The ``drive-sim`` command line: thin commands over the library. The only place that prints or exits."""

from __future__ import annotations

import math
import shlex
import signal
import sys
import time
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from drive_sim.analysis.metrics import guidance_for
from drive_sim.analysis.stats import in_window
from drive_sim.cli.report_commands import CdnOption
from drive_sim.cli.terminal import plain, precision_lines, printable, progress
from drive_sim.report.labels import HEADLINE
from drive_sim.scenario import Scenario, ScenarioError, load_scenario

if TYPE_CHECKING:
    from drive_sim.runs.experiment import Runner

__all__ = ["app", "main"]

app = typer.Typer(
    name="drive-sim",
    help="How many open cases do IDVAs and Case Managers at a Drive site hold, against guidance? "
    "Simulate a site from a scenario file (or the default site) and find out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)

ScenarioArg = Annotated[
    Path | None,
    typer.Argument(help="Scenario file (TOML). Leave out for the default site.", show_default=False),
]
#: The most replications of one scenario (as run.replications allows), and of a whole sweep.
MAX_REPLICATIONS = 100_000
MAX_SWEEP_REPLICATIONS = 1_000_000
#: Above this many replications kept with their records, memory may run out.
RECORDS_WARNING_REPLICATIONS = 1_000

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


def fail(message: str) -> None:
    """Print one clear message and exit 2 (bad input)."""
    errors.print(printable(message), markup=False)
    raise typer.Exit(code=2)


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
    if seed is not None:
        overrides = {**(overrides or {}), "run.seed": seed}
    try:
        return load_scenario(path, overrides)
    except ScenarioError as error:
        fail(str(error))
        raise  # unreachable: fail() exits


def warn_about_records(replications: int, records: bool) -> None:
    """Say so before a run keeps more records in memory than a machine may hold."""
    if records and replications > RECORDS_WARNING_REPLICATIONS:
        errors.print(
            f"Warning: keeping every case and week of {replications:,} replications in memory may exhaust it; "
            f"above {RECORDS_WARNING_REPLICATIONS:,} replications use --no-records (KPIs only, memory stays flat).",
            markup=False,
        )


def open_runner(backend: str, workers: int | None, scheduler: str | None) -> Runner:
    """Open a backend before anything is written; a bad backend or scheduler exits 2."""
    from drive_sim.runs.experiment import BackendError, open_backend

    try:
        return open_backend(backend, workers, scheduler)
    except BackendError as error:
        fail(str(error))
        raise  # unreachable: fail() exits


def command_line() -> str:
    return shlex.join(["drive-sim", *sys.argv[1:]])


def print_precision(summary: pd.DataFrame, target: float) -> None:
    for line in precision_lines(summary, target):
        errors.print(line, markup=False)


def _format(value: float, digits: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{digits}f}"


def _estimate(row: pd.Series | None, digits: int) -> tuple[str, str]:
    if row is None:
        return "–", ""
    ci = ""
    if not math.isnan(row["ci_low"]):
        ci = f"{_format(row['ci_low'], digits)} to {_format(row['ci_high'], digits)}"
    return _format(row["mean"], digits), ci


def _status(mean: float, guidance: float | None, better: str) -> str:
    if guidance is None or math.isnan(mean) or not better:
        return ""
    ok = mean <= guidance if better == "lower" else mean >= guidance
    return "[green]within[/]" if ok else "[red]ABOVE[/]" if better == "lower" else "[red]BELOW[/]"


def headline_table(summary: pd.DataFrame, scenario: Scenario, title: str) -> Table:
    """The headline KPIs in the steady state: mean, 95% CI, guidance; the launch's mean beside them."""
    rows = {(r.kpi, r.scope): r for r in in_window(summary, "steady").itertuples(index=False)}
    launch = {(r.kpi, r.scope): r for r in in_window(summary, "launch").itertuples(index=False)}
    table = Table(title=title, title_justify="left", show_lines=False)
    table.add_column("Measure")
    table.add_column("Mean", justify="right")
    table.add_column("95% CI", justify="right")
    table.add_column("Guidance", justify="right")
    table.add_column("")
    if launch:
        table.add_column("Launch\n(first 26 weeks)", justify="right")
    for item in HEADLINE:
        row = rows.get((item.kpi, item.scope))
        if row is None:
            continue
        series = pd.Series(row._asdict())
        mean, ci = _estimate(series, item.digits)
        guidance = guidance_for(item.kpi, item.scope, scenario)
        table.add_row(
            item.label,
            mean,
            ci,
            "" if guidance is None else _format(guidance, item.digits),
            _status(series["mean"], guidance, item.better),
            *([_launch_cell(launch.get((item.kpi, item.scope)), item.digits)] if launch else []),
        )
    if launch:
        table.caption = (
            f"Steady state: after each replication's warm-up ({_warmup_words(scenario, summary)}). "
            "Launch: the first 26 weeks, mean (95% CI)."
        )
    return table


def drive_added_line(summary: pd.DataFrame) -> str | None:
    """The report's first sentence: the IDVA FTE of work Drive adds (steady state), with its 95% CI."""
    from drive_sim.report.words import drive_added_row, drive_added_sentence

    return drive_added_sentence(drive_added_row(in_window(summary, "steady")))


def _launch_cell(row: Any, digits: int) -> str:
    if row is None:
        return "–"
    mean, ci = _estimate(pd.Series(row._asdict()), digits)
    return f"{mean} [dim]({ci})[/]" if ci else mean


def _warmup_words(scenario: Scenario, summary: pd.DataFrame) -> str:
    if scenario.run.warmup_days != "auto":
        return f"run.warmup_days = {scenario.run.warmup_days:g} days"
    found = in_window(summary, "steady")
    found = found[(found["kpi"] == "warmup_days") & (found["scope"] == "site")]
    if found.empty:
        return "MSER-5"
    return f"MSER-5, mean {found['mean'].iloc[0]:.0f} days"


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


@app.command()
def run(
    scenario: ScenarioArg = None,
    reps: RepsOption = None,
    seed: SeedOption = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Results folder (default: reports/<site>-seed<seed>-<hash of the run>)."),
    ] = None,
    force: ForceOption = False,
    set_: SetOption = None,
    backend: BackendOption = "process",
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    records: Annotated[
        bool,
        typer.Option("--records/--no-records", help="Write every case and week (off: KPIs only, for long runs)."),
    ] = True,
    precision: PrecisionOption = 0.10,
    cdn: CdnOption = False,
) -> None:
    """Simulate a site and print its caseloads, delays and workload against guidance."""
    from drive_sim.analysis.stats import summarise
    from drive_sim.runs.experiment import run_experiment
    from drive_sim.runs.store import run_identity, save_results, slug

    resolved = load(scenario, parse_set_options(set_), seed)
    replications = reps or resolved.run.replications
    identity = run_identity("run", [resolved], replications, records=records)
    folder = results_folder(out, "run", f"{slug(resolved.site.name)}-seed{resolved.run.seed}", identity, force)
    warn_about_records(replications, records)
    started = time.perf_counter()
    with (
        open_runner(backend, workers, scheduler) as runner,
        progress(errors, f"Simulating {plain(resolved.site.name)}", replications) as bar,
    ):
        experiment = run_experiment(
            resolved, replications, runner=runner, keep_tables=records, on_result=bar.callback(), counterfactual=True
        )
    elapsed = time.perf_counter() - started
    done = experiment.completed
    if done == 0:
        errors.print("Interrupted before any replication finished; nothing written.", markup=False)
        raise typer.Exit(code=EXIT_INTERRUPTED)
    summary = summarise(experiment.kpis)
    name, horizon = plain(resolved.site.name), resolved.site.horizon_days
    title = f"{name}: {done} replications, seed {resolved.run.seed}, {horizon:g} days"
    added = drive_added_line(summary)
    if added:
        console.print(added, markup=False)
    console.print(headline_table(summary, resolved, title))
    save_results(
        folder,
        [resolved],
        [resolved.site.name],
        done,
        experiment.kpis,
        summary,
        experiment.tables,
        command=command_line(),
        timing={"seconds": round(elapsed, 3)},
        run_id=identity,
        force=force,
    )
    written = f"Tables written to {folder}/ (cases, weeks, KPIs per replication, summary)."
    console.print(printable(written), markup=False)
    write_report(folder, cdn)
    print_precision(summary, precision)
    if experiment.interrupted:
        console.print(f"Interrupted: kept the {done} replications that finished.", markup=False)
        raise typer.Exit(code=EXIT_INTERRUPTED)


@app.command()
def check(scenario: Annotated[Path, typer.Argument(help="Scenario file (TOML) to validate.")]) -> None:
    """Validate a scenario file and say in words what site it describes."""
    resolved = load(scenario)
    for line in describe(resolved):
        console.print(printable(line), markup=False)
    console.print(printable(f"{scenario}: OK"), markup=False)


def describe(s: Scenario) -> list[str]:
    """A plain-words account of a scenario."""
    r = s.referrals
    panels = ", ".join(f"{p.kind.replace('_', ' ')} every {p.every_days:g} days ({p.share:.0%})" for p in r.panels)
    idvas = "; ".join(
        f"{i.count} x {i.name} ({i.role}, {i.fte:g} FTE, {i.non_drive_referrals_per_year:g} non-Drive referrals a year)"
        for i in s.teams.idvas
    )
    cms = "; ".join(
        f"{c.count} x {c.name} ({c.fte:g} FTE"
        + (f", Team Leader holding {c.caseload_share:.0%})" if c.team_leader else ")")
        for c in s.teams.case_managers
    )
    ro = s.routing
    backdating = (
        f"{s.backdating.months:g} months of past MARAC cases accepted at launch"
        if s.backdating.months
        else "no backdating (a slow build)"
    )
    return [
        f"{s.site.name}: {s.site.description}",
        f"Runs {s.site.horizon_days:g} days from {s.site.start_date}; "
        f"{s.run.replications} replications, seed {s.run.seed}.",
        f"Referrals: {r.annual_rate:g} accepted Drive cases a year at {panels}; {backdating}.",
        f"IDVAs: {idvas}.",
        f"Case Managers: {cms}.",
        f"Routing: support to {ro.support}, monitoring to {ro.monitoring}, already-supported clients to "
        f"{ro.already_supported}, backdated cases to {ro.backdated}; pick {ro.pick.replace('_', ' ')}; "
        f"liaison {ro.liaison}; handover {'on' if ro.handover else 'off'}; "
        f"cap {ro.caseload_cap if ro.caseload_cap else 'none'} ({ro.when_full.replace('_', ' ')}).",
        f"Policies: gate {s.policies.gate}, closure {s.policies.closure}.",
        f"Guidance: {s.guidance.idva_open_cases_per_fte:g} open cases per IDVA FTE, "
        f"{s.guidance.idva_cases_per_year_per_fte:g} cases a year per IDVA FTE, "
        f"{s.guidance.drive_cases_per_year_per_cm_team:g} Drive cases a year per CM team.",
    ]


@app.command()
def compare(
    scenarios: Annotated[list[Path], typer.Argument(help="Two or more scenario files; the first is the baseline.")],
    reps: RepsOption = None,
    seed: SeedOption = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Results folder (default: reports/compare-seed<seed>-<hash of the run>)."),
    ] = None,
    force: ForceOption = False,
    set_: SetOption = None,
    backend: BackendOption = "process",
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    records: Annotated[
        bool, typer.Option("--records/--no-records", help="Write every case and week of every scenario.")
    ] = True,
    precision: PrecisionOption = 0.10,
    cdn: CdnOption = False,
) -> None:
    """Run scenarios on the same cases and print them side by side, with paired differences against the first."""
    from drive_sim.analysis.stats import paired_differences, summarise
    from drive_sim.runs.experiment import run_experiment, scenario_labels
    from drive_sim.runs.store import run_identity, save_results

    if len(scenarios) < 2:
        fail("compare needs at least two scenario files (the first is the baseline)")
    overrides = parse_set_options(set_)
    loaded = [load(path, overrides, seed) for path in scenarios]
    if seed is None and len({s.run.seed for s in loaded}) > 1:
        loaded = [s.model_copy(update={"run": s.run.model_copy(update={"seed": loaded[0].run.seed})}) for s in loaded]
    labels = scenario_labels(loaded)
    replications = reps or loaded[0].run.replications
    identity = run_identity("compare", loaded, replications, records=records, labels=labels)
    folder = results_folder(out, "compare", f"compare-seed{loaded[0].run.seed}", identity, force)
    warn_about_records(replications * len(loaded), records)
    started = time.perf_counter()
    with (
        open_runner(backend, workers, scheduler) as runner,
        progress(errors, f"Simulating {len(loaded)} scenarios", len(loaded) * replications) as bar,
    ):
        experiment = run_experiment(
            loaded, replications, runner=runner, labels=labels, keep_tables=records, on_result=bar.callback()
        )
    elapsed = time.perf_counter() - started
    done = experiment.completed
    if done == 0:
        errors.print("Interrupted before every scenario finished a replication; nothing written.", markup=False)
        raise typer.Exit(code=EXIT_INTERRUPTED)
    kpis, tables = experiment.kpis, experiment.tables
    if experiment.interrupted:  # compare like with like: replications every scenario finished
        kpis, tables = _common_replications(kpis, tables)
    summary = summarise(kpis)
    differences = paired_differences(kpis, baseline=labels[0])
    console.print(side_by_side(summary, labels, loaded[0]))
    steady_differences = in_window(differences, "steady")
    console.print(differences_table(steady_differences, labels))
    console.print(printable(clear_differences_line(steady_differences, labels)), markup=False)
    save_results(
        folder,
        loaded,
        labels,
        done,
        kpis,
        summary,
        {**tables, "differences": differences},
        command=command_line(),
        timing={"seconds": round(elapsed, 3)},
        run_id=identity,
        force=force,
    )
    console.print(printable(f"Tables written to {folder}/."), markup=False)
    write_report(folder, cdn)
    print_precision(summary, precision)
    if experiment.interrupted:
        console.print(f"Interrupted: kept the {done} replications every scenario finished.", markup=False)
        raise typer.Exit(code=EXIT_INTERRUPTED)


def _common_replications(
    kpis: pd.DataFrame, tables: dict[str, pd.DataFrame]
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    per_scenario = kpis.groupby("scenario", sort=False)["replication"].unique()
    common = set.intersection(*(set(reps) for reps in per_scenario))
    keep = {name: frame[frame["replication"].isin(common)].reset_index(drop=True) for name, frame in tables.items()}
    return kpis[kpis["replication"].isin(common)].reset_index(drop=True), keep


def clear_differences_line(differences: pd.DataFrame, labels: list[str]) -> str:
    """How many headline measures differ clearly from the baseline, scenario by scenario."""
    headline = {(item.kpi, item.scope) for item in HEADLINE}
    rows = differences[[(k, s) in headline for k, s in zip(differences["kpi"], differences["scope"], strict=True)]]
    counts = []
    for label in labels[1:]:
        mine = rows[rows["scenario"] == label]
        counts.append(f"{label} {int(mine['clear'].sum())} of {int(mine['mean_difference'].notna().sum())}")
    return f"Headline measures clearly different from {labels[0]}: " + "; ".join(counts) + "."


def side_by_side(summary: pd.DataFrame, labels: list[str], baseline: Scenario) -> Table:
    """Steady-state mean and 95% CI of each scenario, with the launch's mean under them."""
    table = Table(
        title="Side by side (steady state: mean and 95% CI across replications; same cases in every scenario; "
        "then the launch's mean, first 26 weeks)"
    )
    table.add_column("Measure")
    for label in labels:
        table.add_column(plain(label), justify="right")
    index = {(r.scenario, r.kpi, r.scope): r for r in in_window(summary, "steady").itertuples(index=False)}
    launch = {(r.scenario, r.kpi, r.scope): r for r in in_window(summary, "launch").itertuples(index=False)}
    for item in HEADLINE:
        cells = []
        for label in labels:
            row = index.get((label, item.kpi, item.scope))
            if row is None:
                cells.append("–")
                continue
            mean, ci = _estimate(pd.Series(row._asdict()), item.digits)
            start = launch.get((label, item.kpi, item.scope))
            at_launch = "" if start is None else f"\n[dim]launch {_format(start.mean, item.digits)}[/]"
            cells.append((f"{mean}\n[dim]{ci}[/]" if ci else mean) + at_launch)
        guidance = guidance_for(item.kpi, item.scope, baseline)
        label = item.label + (f" [dim](guidance {_format(guidance, item.digits)})[/]" if guidance is not None else "")
        table.add_row(label, *cells)
    return table


def differences_table(differences: pd.DataFrame, labels: list[str]) -> Table:
    table = Table(
        title=f"Paired differences against {plain(labels[0])} (steady state; scenario minus baseline, 95% CI)"
    )
    table.add_column("Measure")
    for label in labels[1:]:
        table.add_column(plain(label), justify="right")
    index = {(r.scenario, r.kpi, r.scope): r for r in differences.itertuples(index=False)}
    for item in HEADLINE:
        cells = []
        for label in labels[1:]:
            row = index.get((label, item.kpi, item.scope))
            if row is None or math.isnan(row.mean_difference):
                cells.append("–")
                continue
            low, high = _format(row.ci_low, item.digits), _format(row.ci_high, item.digits)
            text = f"{row.mean_difference:+,.{item.digits}f} ({low} to {high})"
            cells.append(f"[bold]{text}[/]" if row.clear else f"[dim]{text}[/]")
        table.add_row(item.label, *cells)
    table.caption = "Bold: the difference is clear (its 95% CI excludes zero)."
    return table


#: Exit codes after Ctrl-C (128 + SIGINT) and after SIGTERM (128 + SIGTERM).
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


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


def write_report(folder: Path, cdn: bool) -> None:
    """Build the results folder's HTML report and say where it is."""
    from drive_sim.report.build import build_report

    console.print(printable(f"Report: {build_report(folder, cdn=cdn)}"), markup=False)


# Commands in other modules use the shared options above, so they register last.
from drive_sim.cli import fit_commands, report_commands, scale_commands  # noqa: E402

for _commands in (scale_commands, report_commands, fit_commands):
    _commands.register(app)
