"""``drive-sim sweep`` and ``drive-sim size``: experiments at scale, registered on the app."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, cast

import typer

from drive_sim.cli.common import (
    MAX_SWEEP_REPLICATIONS,
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
    command_line,
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
    run_in_parts,
)
from drive_sim.cli.terminal import levels_table, money, progress, sweep_table

if TYPE_CHECKING:
    import pandas as pd

    from drive_sim.runs.sizing import SizingResult, Staffing, TargetCheck
    from drive_sim.scenario import Scenario

__all__ = ["register", "size", "sweep"]

#: The most points a sweep may have (each is validated before anything runs).
MAX_SWEEP_POINTS = 10_000


@formatted
def sweep(
    scenarios: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Scenario files (TOML). Leave out for the default site. Give several to make the structure an "
            "axis of its own (scenario=<file name>), every file on the same random numbers.",
            show_default=False,
        ),
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="PATH=V1,V2,... to sweep (repeatable; the full factorial is run), or PATH=V to fix a value, "
            "e.g. --set referrals.annual_rate=50,100,150 --set 'teams.idvas[0].count=1,2'.",
        ),
    ] = None,
    reps: RepsOption = None,
    seed: SeedOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Results folder (default: reports/sweep-<site>-seed<seed>-<hash of the sweep>). "
            "Re-run the same command to resume.",
        ),
    ] = None,
    force: ForceOption = False,
    backend: BackendOption = "process",
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    keep_records: Annotated[
        bool, typer.Option("--keep-records", help="Keep every case and week too (default: KPIs only).")
    ] = False,
    precision: PrecisionOption = 0.10,
    cdn: CdnOption = False,
    report: ReportOption = True,
    format_: FormatOption = "table",
) -> None:
    """Run every combination of parameter values (a full factorial) and tabulate the KPIs per point.

    With several scenario files, every combination is run in every file: seven site files
    with --set 'teams.idvas[0].count=1,2,3,4,5,6' --set backdating.months=0,3,6 is the
    commissioner's question of 126 points in one command. Every point uses the same seed
    (--seed, else the first file's), so points differ only where their scenarios do.
    """
    from drive_sim.runs.store import slug
    from drive_sim.runs.sweep import (
        SCENARIO_AXIS,
        Axis,
        parse_axis,
        run_sweep,
        scenario_names,
        sweep_identity,
        sweep_points_over,
    )
    from drive_sim.scenario import ScenarioError, read_scenario_data

    axes = []
    for item in set_ or []:
        try:
            axes.append(parse_axis(item))
        except ValueError as error:
            fail(str(error))
    files = list(scenarios or [None])
    points_asked = len(files) * math.prod(len(axis.values) for axis in axes)
    if points_asked > MAX_SWEEP_POINTS:
        fail(f"--set: {points_asked:,} points is more than a sweep may have (at most {MAX_SWEEP_POINTS:,})")
    if points_asked * (reps or 1) > MAX_SWEEP_REPLICATIONS:
        fail(
            f"--set: {points_asked:,} points x {reps or 1:,} replications is more than a sweep may run "
            f"(at most {MAX_SWEEP_REPLICATIONS:,} replications in all); split it into smaller sweeps"
        )
    fixed = {"run.seed": seed} if seed is not None else {}
    bases, unreadable = [], []
    for file in files:
        try:
            bases.append(read_scenario_data(file))
        except ScenarioError as error:
            unreadable.append(str(error))
    if unreadable:
        fail("\n".join(unreadable))
    try:
        points = sweep_points_over(bases, axes, fixed)
    except ScenarioError as error:
        fail(str(error))
    if len(bases) > 1:  # recorded in the manifest beside the --set axes
        axes = [Axis(SCENARIO_AXIS, tuple(scenario_names([source for _, source in bases]))), *axes]
    base = points[0].scenario
    replications = reps or base.run.replications
    if len(points) * replications > MAX_SWEEP_REPLICATIONS:
        fail(
            f"{len(points):,} points x {replications:,} replications is more than a sweep may run "
            f"(at most {MAX_SWEEP_REPLICATIONS:,} replications in all); split it into smaller sweeps"
        )
    identity = sweep_identity(points, keep_records)
    name = slug(base.site.name) if len(bases) == 1 else f"{len(bases)}-scenarios"
    folder = results_folder(out, "sweep", f"sweep-{name}-seed{base.run.seed}", identity, force)
    outcome = run_in_parts(
        folder,
        f"Sweeping {len(points)} points",
        len(points) * replications,
        (backend, workers, scheduler),
        lambda runner, on_result, on_plan: run_sweep(
            folder, points, replications, runner, axes, keep_records, command_line(), on_result, on_plan, force
        ),
    )
    assert outcome.summary is not None
    publish(  # run_sweep has saved the folder
        folder,
        f"Tables written to {folder}/ (points, kpis with a point column, summary per point"
        f"{', records' if keep_records else ''}); ran {outcome.ran}, reused {outcome.reused} replications.",
        cdn=cdn,
        report=report,
        precision=precision,
        summary=outcome.summary.rename(columns={"point": "scenario"}),
        tables=[sweep_table(outcome.summary, points, replications)],
    )


# --------------------------------------------------------------------------------------
# size
# --------------------------------------------------------------------------------------


@formatted
def size(
    scenario: ScenarioArg = None,
    max_weeks_above: Annotated[
        float, typer.Option("--max-weeks-above", min=0, max=1, help="Target: share of Drive IDVA-weeks above guidance.")
    ] = 0.10,
    max_first_contact_p90: Annotated[
        float, typer.Option("--max-first-contact-p90", min=0, help="Target: 90th percentile of days to first contact.")
    ] = 7.0,
    max_burnout_probability: Annotated[
        float, typer.Option("--max-burnout-probability", min=0, max=1, help="Target: chance an IDVA burns out.")
    ] = 0.10,
    burnout_scope: Annotated[
        str,
        typer.Option(
            "--burnout-scope",
            help="Whose burnout the target counts: drive (the Drive IDVAs being sized) or all (the wider "
            "team too, whose business-as-usual load Drive staffing does not change).",
        ),
    ] = "drive",
    confidence: Annotated[
        float, typer.Option("--confidence", min=0.5, max=0.999, help="One-sided confidence each target is met.")
    ] = 0.95,
    step: Annotated[str, typer.Option("--step", help="count (whole posts) or fte (0.5 FTE steps).")] = "count",
    window: Annotated[
        str,
        typer.Option(
            "--window", help="Judge the targets on the steady state (after the warm-up) or the launch (first 26 weeks)."
        ),
    ] = "steady",
    max_extra: Annotated[
        int | None,
        typer.Option(
            "--max-extra", min=1, max=99, help="Most steps to add (default: 10 posts' worth).", show_default=False
        ),
    ] = None,
    entry: Annotated[
        int | None, typer.Option("--entry", min=0, help="teams.idvas entry to size (default: the first Drive IDVA).")
    ] = None,
    idva_salary: Annotated[
        float | None, typer.Option("--idva-salary", min=1, help="IDVA salary a year (default: costs.idva_salary).")
    ] = None,
    on_cost_multiplier: Annotated[
        float | None,
        typer.Option(
            "--on-cost-multiplier", min=1, help="Employer on-costs multiplier (default: costs.on_cost_multiplier)."
        ),
    ] = None,
    reps: RepsOption = None,
    max_reps: Annotated[
        int | None,
        typer.Option(
            "--max-reps",
            min=1,
            help="Budget: most replications a level gets while a target is too close to call (default: 8 x --reps).",
            show_default=False,
        ),
    ] = None,
    uncertain: Annotated[
        bool,
        typer.Option(
            "--uncertain",
            help="Robust sizing: judge each level by the share of plausible worlds (drawn from the assumed "
            "values' ranges, as `drive-sim uncertainty` does) in which every target is met.",
        ),
    ] = False,
    worlds: Annotated[int, typer.Option("--worlds", min=10, help="With --uncertain: worlds drawn.")] = 64,
    world_reps: Annotated[
        int, typer.Option("--world-reps", min=1, max=100, help="With --uncertain: replications in each world.")
    ] = 3,
    share: Annotated[
        float,
        typer.Option(
            "--share",
            min=0.5,
            max=0.99,
            help="With --uncertain: least share of worlds a chosen level meets every target in.",
        ),
    ] = 0.90,
    vary: Annotated[
        list[str] | None,
        typer.Option("--vary", help="With --uncertain: PATH=LOW:HIGH, a value made uncertain (see `uncertainty`)."),
    ] = None,
    seed: SeedOption = None,
    set_: SetOption = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Results folder (default: reports/size-<site>-seed<seed>-<hash of the run>)."),
    ] = None,
    force: ForceOption = False,
    backend: BackendOption = "process",
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    cdn: CdnOption = False,
    report: ReportOption = True,
    format_: FormatOption = "table",
) -> None:
    """The least Drive IDVA staffing that meets the targets with stated confidence, and its cost a year."""
    import pandas as pd

    from drive_sim.analysis.stats import summarise
    from drive_sim.runs.sizing import default_targets, drive_entry, size_drive_idvas
    from drive_sim.runs.store import run_identity, slug

    if step not in ("count", "fte"):
        fail(f"--step {step!r}: use count or fte")
    if burnout_scope not in ("drive", "all"):
        fail(f"--burnout-scope {burnout_scope!r}: use drive or all")
    if window not in ("steady", "launch"):
        fail(f"--window {window!r}: use steady or launch")
    overrides = parse_set_options(set_)
    if idva_salary is not None:
        overrides["costs.idva_salary"] = idva_salary
    if on_cost_multiplier is not None:
        overrides["costs.on_cost_multiplier"] = on_cost_multiplier
    resolved = load(scenario, overrides, seed)
    try:
        position = drive_entry(resolved, entry)
    except ValueError as error:
        fail(str(error))
    targets = default_targets(
        max_weeks_above, max_first_contact_p90, max_burnout_probability, cast(Literal["drive", "all"], burnout_scope)
    )
    if uncertain:
        from drive_sim.cli.uncertainty_commands import parse_vary, robust_sizing, uncertain_scenario

        robust_sizing(
            uncertain_scenario(resolved, parse_vary(vary), True), str(scenario or "default site"), targets, position,
            step, max_extra or 6, worlds, world_reps, share, out, force, backend, workers, scheduler, cdn, report,
        )  # fmt: skip
        return
    if vary:
        fail("--vary: only with --uncertain (or use `drive-sim uncertainty`)")
    replications = reps or resolved.run.replications
    budget = max_reps or 8 * replications
    if budget < replications:
        fail(f"--max-reps {budget} is below --reps {replications}")
    identity = run_identity(
        "size", [resolved], replications, targets=[t.__dict__ for t in targets], confidence=confidence,
        step=step, max_extra=max_extra, entry=position, max_reps=budget, window=window,
    )  # fmt: skip
    name = f"size-{slug(resolved.site.name)}-seed{resolved.run.seed}"
    folder = results_folder(out, "size", name, identity, force)
    started = time.perf_counter()
    done = [0]
    with open_runner(backend, workers, scheduler) as runner, progress(errors, "Sizing", budget) as bar:

        def on_level(staffing: Staffing) -> None:
            bar.describe(f"Trying {staffing.label}", total=done[0] + budget)

        def on_result(_result: object) -> None:
            done[0] += 1
            bar.advance()

        result = size_drive_idvas(
            resolved, targets, confidence, cast(Literal["count", "fte"], step), replications, max_extra, position,
            runner=runner, on_result=on_result, on_level=on_level, max_replications=budget, window=window,
        )  # fmt: skip
    elapsed = time.perf_counter() - started
    if not result.levels or not result.levels[0].complete:
        interrupted_before_results("Interrupted before the scenario as given finished; nothing written.")
    levels = result.table()
    complete = [r for r in result.levels if r.complete]
    labels = [r.staffing.label for r in complete]
    kpis = pd.concat([r.kpis.assign(scenario=r.staffing.label) for r in complete], ignore_index=True)
    summary = summarise(kpis)
    publish(
        folder,
        f"Tables written to {folder}/ (levels, KPIs per level and replication, summary).",
        cdn=cdn,
        report=report,
        results=Results(
            [r.staffing.scenario for r in complete], labels, replications, kpis, summary, {"levels": levels},
            identity, elapsed, force,
            extra={
                "kind": "size",
                "targets": [{"kpi": t.kpi, "scope": t.scope, "at_most": t.limit} for t in targets],
                "confidence": confidence,
                "step": step,
                "entry": f"teams.idvas[{position}]",
                "chosen": result.chosen.staffing.label if result.chosen else None,
                "extra_annual_cost": result.extra_cost,
                "first_look_replications": replications,
                "budget": result.budget,
                "looks": result.looks,
                "bound_confidence": result.look_confidence,
                "window": window,
                "drive_added_fte": list(result.chosen.drive_added_fte) if result.chosen else None,
            },
        ),
        interrupted="Interrupted: the levels that finished are shown." if result.interrupted else None,
        tables=[levels_table(result)],
        notes=lambda _answer: answer_lines(result, resolved, levels, command_line())[1:],
        rows="levels",
    )  # fmt: skip


def answer_lines(result: SizingResult, scenario: Scenario, levels: pd.DataFrame, command: str = "") -> list[str]:
    """The answer in words: the same sentences the HTML report's answer box shows, then the cost notes."""
    from drive_sim.report.words import size_answer
    from drive_sim.scenario import Costs

    targets = [{"kpi": t.kpi, "scope": t.scope, "at_most": t.limit} for t in result.targets]
    answer = size_answer(
        levels, targets, result.confidence, result.replications, scenario.site.horizon_days, command,
        result.budget, result.looks, result.window,
    )  # fmt: skip
    costs = scenario.costs
    salary_note = (Costs.model_fields["idva_salary"].description or "").rstrip(".")
    on_cost_note = (Costs.model_fields["on_cost_multiplier"].description or "").rstrip(".")
    cost_note = (
        f"Costs: salary {money(costs.idva_salary)} ({salary_note}); on-costs x{costs.on_cost_multiplier:g} "
        f"({on_cost_note})."
    )
    stalled = [
        f"Adding Drive IDVAs cannot meet {check.target.label} at most {check.target.limit:g}: it stops "
        f"improving at about {check.mean:.3g} whatever the staffing ({first.mean:.3g} as given), so a "
        "larger --max-extra will not help. Relax that target, or change what staffing does not."
        for check, first in (stalled_targets(result) if result.chosen is None else [])
    ]
    if result.chosen is None and not stalled:
        stalled = ["More staff may still help: raise --max-extra, or see which target binds in the table."]
    return [answer.verdict, *answer.points, *stalled, cost_note, *answer.cautions]


#: A target stalls when, at the last step's gain, reaching it would take more steps than this.
STALL_STEPS = 10


def stalled_targets(result: SizingResult) -> list[tuple[TargetCheck, TargetCheck]]:
    """Targets unmet at the most staff tried that adding staff has stopped improving.

    Each comes with its check at the most staff tried and at the staffing as given.
    """
    tried = sorted((r for r in result.levels if r.complete and r.staffing.level >= 0), key=lambda r: r.staffing.level)
    if len(tried) < 3:
        return []
    given, before, last = tried[0], tried[-2], tried[-1]
    stuck = []
    for first, previous, check in zip(given.checks, before.checks, last.checks, strict=True):
        gap = check.mean - check.target.limit
        if check.met or check.n < 2 or gap <= 0:
            continue  # met, or within the limit on average (more replications settle it)
        if previous.mean - check.mean <= gap / STALL_STEPS:
            stuck.append((check, first))
    return stuck


def register(app: typer.Typer) -> None:
    """Add ``sweep`` and ``size`` to the app."""
    app.command(
        epilog=examples(
            "drive-sim sweep --set referrals.annual_rate=50,100,150 --reps 10",
            "drive-sim sweep scenarios/two_drive_idvas.toml --set 'teams.idvas[0].count=1,2,3' "
            "--set backdating.months=0,3",
            "drive-sim sweep scenarios/site1.toml scenarios/site5.toml --set backdating.months=0,3 --format json",
        )
    )(sweep)
    app.command(
        epilog=examples(
            "drive-sim size",
            "drive-sim size scenarios/site6.toml --max-first-contact-p90 10 --format json",
            "drive-sim size --uncertain --worlds 40 --world-reps 2",
        )
    )(size)
