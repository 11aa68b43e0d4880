"""``drive-sim run``, ``check`` and ``compare``: one site, a scenario file's words, scenarios side by side."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from drive_sim.cli.common import (
    BackendOption,
    CdnOption,
    ForceOption,
    FormatOption,
    PrecisionOption,
    ReportOption,
    RepsOption,
    Results,
    ScenarioArg,
    SchedulerOption,
    SeedOption,
    SetOption,
    WorkersOption,
    console,
    errors,
    examples,
    fail,
    formatted,
    interrupted_before_results,
    load,
    open_runner,
    parse_set_options,
    publish,
    results_folder,
    warn_about_records,
)
from drive_sim.cli.terminal import (
    clear_differences_line,
    differences_table,
    headline_table,
    plain,
    printable,
    progress,
    side_by_side,
)

if TYPE_CHECKING:
    import pandas as pd

    from drive_sim.scenario import Scenario

__all__ = ["check", "compare", "describe", "register", "run"]


@formatted
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
    report: ReportOption = True,
    format_: FormatOption = "table",
) -> None:
    """Simulate a site and print its caseloads, delays and workload against guidance."""
    from drive_sim.analysis.stats import summarise
    from drive_sim.runs.experiment import run_experiment
    from drive_sim.runs.store import run_identity, slug

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
        interrupted_before_results("Interrupted before any replication finished; nothing written.")
    summary = summarise(experiment.kpis)
    name, horizon = plain(resolved.site.name), resolved.site.horizon_days
    title = f"{name}: {done} replications, seed {resolved.run.seed}, {horizon:g} days"
    publish(
        folder,
        f"Tables written to {folder}/ (cases, weeks, KPIs per replication, summary).",
        cdn=cdn,
        report=report,
        results=Results(
            [resolved], [resolved.site.name], done, experiment.kpis, summary, experiment.tables,
            identity, elapsed, force,
        ),
        precision=precision,
        interrupted=f"Interrupted: kept the {done} replications that finished." if experiment.interrupted else None,
        tables=[headline_table(summary, resolved, title)],
    )  # fmt: skip


def check(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (TOML) to validate.")],
    ranges: Annotated[
        bool, typer.Option("--ranges", help="Also list every uncertain value and its range (`drive-sim uncertainty`).")
    ] = False,
) -> None:
    """Validate a scenario file and say in words what site it describes."""
    from drive_sim.scenario import ScenarioError
    from drive_sim.scenario.uncertainty import check_ranges, uncertain_parameters

    resolved = load(scenario)
    try:
        parameters = uncertain_parameters(resolved, str(scenario))
        check_ranges(resolved, parameters, str(scenario))
    except ScenarioError as error:
        fail(str(error))
    own = sum(not p.default for p in parameters)
    from drive_sim.cli.scenario_commands import file_settings

    console.print(printable(f"{scenario}: OK, a valid scenario."), markup=False)
    for line in describe(resolved, own_description="site.description" in _set_keys(scenario)):
        console.print(printable(line), markup=False)
    for line in file_settings(scenario):
        console.print(printable(line), markup=False)
    console.print(
        printable(
            f"Uncertain values: {len(parameters)} ({own} with ranges from the file, {len(parameters) - own} with "
            "drive-sim's documented default range)" + ("." if ranges else "; list them with --ranges.")
        ),
        markup=False,
    )
    for p in parameters if ranges else ():
        mode = f", most likely {p.range.mode:g}" if p.range.mode is not None else ""
        where = "file" if not p.default else "default"
        console.print(
            printable(
                f"  {p.path} = {p.base:g}: {p.range.kind} {p.range.low:g} to {p.range.high:g}{mode} ({where}; "
                f"{p.range.source})"
            ),
            markup=False,
        )


def _set_keys(path: Path) -> set[str]:
    from drive_sim.scenario.diff import resolved_values

    return {value.path for value in resolved_values(path)[1] if value.source != "default"}


def _launch_words(s: Scenario) -> str:
    """The launch levers (issue 19) in one line, or that none is set."""
    launch, ro, cm, idva = s.launch, s.routing, s.hours.cm, s.hours.idva
    parts = []
    if launch.idva_buy_in_days:
        parts.append(
            f"IDVA service bought in after {launch.idva_buy_in_days:g} days "
            f"({launch.first_contact_share_before_buy_in:.0%} of first-contact hours and "
            f"{launch.panel_attendance_before_buy_in:.0%} of panels before then)"
        )
    if cm.induction_hours_per_idva:
        parts.append(f"CM induction {cm.induction_hours_per_idva:g} h per {cm.induction_for} IDVA")
    if s.durations.step_down_days and cm.step_down_hours_per_week:
        parts.append(f"step-down {s.durations.step_down_days:g} days at {cm.step_down_hours_per_week:g} h a week")
    if ro.co_location_days_per_week:
        parts.append(f"co-location {ro.co_location_days_per_week:g} days a week")
    if ro.cross_border == "reroute":
        parts.append(f"cross-border cases re-routed (word after {ro.reroute_word_days:g} days)")
    if idva.query_hours_per_case_per_week:
        who = "the named contact" if ro.contacts == "named" else "every Drive IDVA"
        parts.append(f"Drive queries {idva.query_hours_per_case_per_week:g} h per case a week, to {who}")
    return "Launch levers: " + ("; ".join(parts) if parts else "none (the defaults)") + "."


def describe(s: Scenario, own_description: bool = True) -> list[str]:
    """A plain-words account of a scenario (``own_description=False``: the file gives no description)."""
    r = s.referrals
    panels = ", ".join(f"{p.kind.replace('_', ' ')} every {p.every_days:g} days ({p.share:.0%})" for p in r.panels)
    if r.perpetrator_panel is not None:
        pp = r.perpetrator_panel
        panels += f", then a perpetrator panel every {pp.every_days:g} days deciding {pp.share:.0%} of MARAC cases"
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
        f"{s.site.name}: {s.site.description}"
        if own_description
        else f"{s.site.name} (the file gives no description).",
        f"Runs {s.site.horizon_days:g} days from {s.site.start_date}; "
        f"{s.run.replications} replications, seed {s.run.seed}.",
        f"Referrals: {r.annual_rate:g} accepted Drive cases a year at {panels}; {backdating}.",
        f"IDVAs: {idvas}.",
        f"Case Managers: {cms}.",
        f"Routing: support to {ro.support}, monitoring to {ro.monitoring}"
        + (
            ""
            if ro.foresight or len({ro.support, ro.monitoring, ro.unreachable}) == 1
            else f" (first contact by {ro.intake}, then a transfer once her response is known)"
        )
        + ", already-supported clients to "
        f"{ro.already_supported}, backdated cases to {ro.backdated}; pick {ro.pick.replace('_', ' ')}; "
        f"liaison {ro.liaison}; handover {'on' if ro.handover else 'off'}; "
        f"cap {ro.caseload_cap if ro.caseload_cap else 'none'} ({ro.when_full.replace('_', ' ')}).",
        f"Policies: gate {s.policies.gate} (IDVA sign-off {s.hours.idva.sign_off_hours:g} h, withheld for "
        f"{s.policies.withhold_share:.0%}, a proxy for {s.policies.proxy_share:.0%}), closure {s.policies.closure}"
        + (f"; CM cap {ro.cm_caseload_cap}" if ro.cm_caseload_cap else "")
        + ".",
        _launch_words(s),
        f"Guidance: {s.guidance.idva_open_cases_per_fte:g} open cases per IDVA FTE, "
        f"{s.guidance.idva_cases_per_year_per_fte:g} cases a year per IDVA FTE, "
        f"{s.guidance.drive_cases_per_year_per_cm_team:g} Drive cases a year per CM team.",
    ]


@formatted
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
    report: ReportOption = True,
    format_: FormatOption = "table",
) -> None:
    """Run scenarios on the same cases and print them side by side, with paired differences against the first."""
    from drive_sim.analysis.stats import in_window, paired_differences, summarise
    from drive_sim.runs.experiment import run_experiment, scenario_labels
    from drive_sim.runs.store import run_identity

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
        interrupted_before_results("Interrupted before every scenario finished a replication; nothing written.")
    kpis, tables = experiment.kpis, experiment.tables
    if experiment.interrupted:  # compare like with like: replications every scenario finished
        kpis, tables = _common_replications(kpis, tables)
    summary = summarise(kpis)
    differences = paired_differences(kpis, baseline=labels[0])
    steady_differences = in_window(differences, "steady")
    clear = clear_differences_line(steady_differences, labels)
    publish(
        folder,
        f"Tables written to {folder}/.",
        cdn=cdn,
        report=report,
        results=Results(
            loaded, labels, done, kpis, summary, {**tables, "differences": differences}, identity, elapsed, force
        ),
        precision=precision,
        interrupted=(
            f"Interrupted: kept the {done} replications every scenario finished." if experiment.interrupted else None
        ),
        tables=[side_by_side(summary, labels, loaded[0]), differences_table(steady_differences, labels)],
        notes=lambda answer: [clear, *answer.cautions],
    )


def _common_replications(
    kpis: pd.DataFrame, tables: dict[str, pd.DataFrame]
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    per_scenario = kpis.groupby("scenario", sort=False)["replication"].unique()
    common = set.intersection(*(set(reps) for reps in per_scenario))
    keep = {name: frame[frame["replication"].isin(common)].reset_index(drop=True) for name, frame in tables.items()}
    return kpis[kpis["replication"].isin(common)].reset_index(drop=True), keep


def register(app: typer.Typer) -> None:
    """Add ``run``, ``check`` and ``compare`` to the app."""
    app.command(
        epilog=examples(
            "drive-sim run",
            "drive-sim run scenarios/site6.toml --reps 20",
            "drive-sim run --set referrals.annual_rate=150 --reps 10 --format json",
        )
    )(run)
    app.command(
        epilog=examples("drive-sim check scenarios/site5.toml", "drive-sim check scenarios/site5.toml --ranges")
    )(check)
    app.command(
        epilog=examples(
            "drive-sim compare scenarios/site5.toml scenarios/two_drive_idvas.toml",
            "drive-sim compare scenarios/site1.toml scenarios/site5.toml scenarios/spread_all.toml --reps 20",
            "drive-sim compare scenarios/site5.toml scenarios/site6.toml --format csv",
        )
    )(compare)
