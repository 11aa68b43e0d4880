"""``drive-sim uncertainty`` and ``drive-sim size --uncertain``: how sure, once the assumptions are uncertain.

The experiments are in :mod:`drive_sim.runs.uncertainty` and :mod:`drive_sim.runs.robust`;
this module parses options, states the budget before anything runs, shows progress, prints
the answer and publishes the folder.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from drive_sim.cli.common import (
    BackendOption,
    CdnOption,
    ForceOption,
    FormatOption,
    ReportOption,
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
from drive_sim.cli.terminal import progress

if TYPE_CHECKING:
    from rich.table import Table

    from drive_sim.runs.sizing import Staffing, Target
    from drive_sim.runs.uncertainty import Design
    from drive_sim.scenario import Range, Scenario
    from drive_sim.scenario.uncertainty import Parameter

__all__ = ["parse_vary", "register", "robust_sizing", "uncertain_scenario", "uncertainty"]

#: The most worlds x replications one uncertainty experiment may run.
MAX_UNCERTAINTY_REPLICATIONS = 1_000_000

VaryOption = Annotated[
    list[str] | None,
    typer.Option(
        "--vary",
        help="PATH=LOW:HIGH: make a value uncertain, uniform between LOW and HIGH (repeatable; it replaces a "
        "range the file or drive-sim gives), e.g. --vary case_mix.client_response.support=0.39:0.9.",
    ),
]
DefaultRangesOption = Annotated[
    bool,
    typer.Option(
        "--default-ranges/--no-default-ranges",
        help="Use drive-sim's documented range for every assumed value the scenario leaves as it is "
        "(drive-sim check lists them).",
    ),
]


def parse_vary(items: list[str] | None) -> dict[str, Range]:
    """``PATH=LOW:HIGH`` options to uniform ranges (exit 2 on a malformed one)."""
    from pydantic import ValidationError

    from drive_sim.scenario import Range

    ranges = {}
    example = "e.g. --vary case_mix.client_response.support=0.39:0.9"
    for item in items or []:
        path, sep, raw = item.partition("=")
        low, colon, high = raw.partition(":")
        try:
            if not sep or not colon or not path.strip():
                raise ValueError
            bounds = float(low), float(high)
        except ValueError:
            fail(f"--vary {item!r}: expected PATH=LOW:HIGH with two numbers, {example}")
        try:
            ranges[path.strip()] = Range(low=bounds[0], high=bounds[1], source="--vary on the command line")
        except ValidationError as error:
            fail(f"--vary {item!r}: {error.errors()[0]['msg'].removeprefix('Value error, ')}")
    return ranges


def uncertain_scenario(scenario: Scenario, vary: dict[str, Range], default_ranges: bool) -> Scenario:
    from drive_sim.scenario import Uncertainty

    ranges = {**scenario.uncertainty.ranges, **vary}
    uncertainty = Uncertainty(
        ranges=ranges, use_default_ranges=default_ranges and scenario.uncertainty.use_default_ranges
    )
    return scenario.model_copy(update={"uncertainty": uncertainty})


def _parameters(scenario: Scenario, source: str) -> list[Parameter]:
    from drive_sim.scenario import ScenarioError
    from drive_sim.scenario.uncertainty import check_ranges, uncertain_parameters

    try:
        parameters = uncertain_parameters(scenario, source)
        check_ranges(scenario, parameters, source)
    except ScenarioError as error:
        fail(str(error))
    if not parameters:
        fail(
            f"{source}: no value is uncertain: give ranges in [uncertainty] or with --vary, or keep the default ranges"
        )
    return parameters


def _design(parameters: list[Parameter], samples: int, seed: int, method: str, screening: int, direct: int) -> Design:
    from drive_sim.runs.uncertainty import plan

    try:
        return plan(parameters, samples, seed, method, screening, direct)  # type: ignore[arg-type]
    except ValueError as error:
        fail(f"--samples/--direct: {error}")


def _budget(design: Design, replications: int, levels: str = "") -> None:
    total = design.worlds * replications
    if total > MAX_UNCERTAINTY_REPLICATIONS:
        fail(f"{total:,} replications is more than one experiment may run (at most {MAX_UNCERTAINTY_REPLICATIONS:,})")
    stages = {stage: design.stage.count(stage) for stage in ("main", "screening", "saltelli")}
    parts = [f"{stages['main']} sampled ({design.method})"]
    if stages["screening"]:
        parts.append(f"{stages['screening']} for Morris screening")
    if stages["saltelli"]:
        parts.append(f"{stages['saltelli']} for direct Sobol indices")
    errors.print(
        f"Budget: {len(design.parameters)} uncertain values; {design.worlds:,} worlds ({', '.join(parts)}) x "
        f"{replications} replications = {total:,} replications{levels}.",
        markup=False,
    )


def _measures() -> list[tuple[str, str]]:
    from drive_sim.report.labels import HEADLINE

    return list(dict.fromkeys((item.kpi, item.scope) for item in HEADLINE))


def _update_manifest(folder: Path, extra: dict) -> None:
    from drive_sim.runs.store import atomic_write_text, read_manifest

    manifest = read_manifest(folder) or {}
    atomic_write_text(folder / "manifest.json", json.dumps({**manifest, **extra}, indent=2, default=str) + "\n")


@formatted
def uncertainty(
    scenario: ScenarioArg = None,
    vary: VaryOption = None,
    default_ranges: DefaultRangesOption = True,
    samples: Annotated[
        int, typer.Option("--samples", min=2, help="Worlds in the main sample (a power of two: Sobol sequence).")
    ] = 64,
    reps: Annotated[int, typer.Option("--reps", "-r", min=1, max=1000, help="Replications in each world.")] = 3,
    screening: Annotated[
        int,
        typer.Option(
            "--screening",
            min=0,
            max=100,
            help="Morris trajectories for screening (0: none; each is one world per value + 1).",
        ),
    ] = 4,
    direct: Annotated[
        int,
        typer.Option(
            "--direct",
            min=0,
            help="Base samples (a power of two) of a Saltelli design for Sobol indices straight from the "
            "simulation (0: from the emulator only). Costs direct x (values + 2) worlds.",
        ),
    ] = 0,
    seed: SeedOption = None,
    set_: SetOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Results folder (default: reports/uncertainty-<site>-seed<seed>-<hash>). "
            "Re-run the same command to resume.",
        ),
    ] = None,  # fmt: skip
    force: ForceOption = False,
    backend: BackendOption = "process",
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    cdn: CdnOption = False,
    report: ReportOption = True,
    format_: FormatOption = "table",
) -> None:
    """How sure is the answer once the assumed values are uncertain, and which assumption moves it most?

    Draws worlds from the scenario's ranges (its [uncertainty] section, --vary, and drive-sim's
    documented range for every assumed value it keeps), runs the same replications in each,
    and reports each headline measure's spread over plausible worlds, how much of its variance
    is the assumptions' and how much is simulation noise, and Morris and Sobol sensitivity
    indices (sensitivity.csv).
    """
    from drive_sim.runs.store import slug
    from drive_sim.runs.uncertainty import (
        analyse,
        design_identity,
        parameters_table,
        run_worlds,
        save_analysis,
        world_points,
    )
    from drive_sim.scenario import ScenarioError

    ranges = parse_vary(vary)
    resolved = uncertain_scenario(load(scenario, parse_set_options(set_), seed), ranges, default_ranges)
    source = str(scenario) if scenario is not None else "default site"
    parameters = _parameters(resolved, source)
    design = _design(parameters, samples, resolved.run.seed, "sobol", screening, direct)
    identity = design_identity(design, reps, resolved)
    folder = results_folder(out, "uncertainty", f"uncertainty-{slug(resolved.site.name)}-seed{resolved.run.seed}",
                            identity, force)  # fmt: skip
    _budget(design, reps)
    started = time.perf_counter()
    total = design.worlds * reps
    try:
        points = world_points(resolved, design, source)  # every world valid before anything runs
    except ScenarioError as error:
        fail(str(error))
    run_in_parts(
        folder,
        "Worlds",
        total,
        (backend, workers, scheduler),
        lambda runner, on_result, on_plan: run_worlds(
            folder, resolved, design, reps, runner, command_line(), on_result, on_plan, force, points=points
        ),
    )
    import pandas as pd

    kpis = pd.read_parquet(folder / "kpis.parquet")
    analysis = analyse(kpis, design, reps, _measures(), resolved.run.seed)
    save_analysis(folder, analysis)
    from drive_sim.runs.store import write_table

    write_table(folder, "parameters", parameters_table(design))
    _update_manifest(
        folder,
        {
            "uncertainty": {
                "samples": samples,
                "method": "sobol",
                "screening_trajectories": screening,
                "direct_base_samples": direct,
                "replications_per_world": reps,
                "worlds": design.worlds,
                "kept_for_emulator": list(analysis.kept),
                "seconds": round(time.perf_counter() - started, 3),
            }
        },
    )
    from drive_sim.cli.terminal import uncertainty_table

    table = uncertainty_table(analysis.variance, analysis.sensitivity, analysis.emulator)
    _finish(table, folder, "worlds, parameters, kpis per world and replication, variance, sensitivity, emulator", cdn,
            "variance", report)  # fmt: skip


def robust_sizing(
    resolved: Scenario,
    source: str,
    targets: list[Target],
    position: int,
    step: str,
    max_extra: int,
    worlds: int,
    reps: int,
    share: float,
    out: Path | None,
    force: bool,
    backend: str,
    workers: int | None,
    scheduler: str | None,
    cdn: bool,
    report: bool = True,
) -> None:
    """``drive-sim size --uncertain``: the least staffing meeting the targets in ``share`` of plausible worlds."""
    from drive_sim.calibration.data_value import year_of_data_widths
    from drive_sim.runs.robust import (
        decision_sensitivity,
        required_levels,
        robust_size,
        switching_values,
        value_of_data,
    )
    from drive_sim.runs.store import atomic_write_text, slug, versions, write_table
    from drive_sim.runs.uncertainty import design_identity, parameters_table, world_points
    from drive_sim.scenario import ScenarioError

    parameters = _parameters(resolved, source)
    design = _design(parameters, worlds, resolved.run.seed, "random", 0, 0)
    identity = design_identity(design, reps, resolved, [t.__dict__ for t in targets], share, step, position, max_extra)
    folder = results_folder(out, "size-uncertain", f"size-uncertain-{slug(resolved.site.name)}-seed{resolved.run.seed}",
                            identity, force)  # fmt: skip
    _budget(design, reps, f" a staffing level (levels are tried until {share:.0%} of worlds meet every target)")
    try:
        world_points(resolved, design, source)
    except ScenarioError as error:
        fail(str(error))
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {
        "kind": "size-uncertain", "status": "running", "run_id": identity, "command": command_line(),
        "versions": versions(), "seed": resolved.run.seed, "worlds": worlds, "replications_per_world": reps,
        "share": share, "targets": [{"kpi": t.kpi, "scope": t.scope, "at_most": t.limit, "label": t.label}
                                     for t in targets],
        "step": step, "entry": f"teams.idvas[{position}]", "scenario_files": ["scenario.json"],
    }  # fmt: skip
    atomic_write_text(folder / "manifest.json", json.dumps(manifest, indent=2, default=str) + "\n")
    atomic_write_text(folder / "scenario.json", resolved.model_dump_json(indent=2) + "\n")
    started = time.perf_counter()
    total = design.worlds * reps
    with open_runner(backend, workers, scheduler) as runner, progress(errors, "Sizing across worlds", total) as bar:

        def on_level(staffing: Staffing) -> None:
            bar.describe(f"Trying {staffing.label} in {worlds} worlds", total=total)

        try:
            sizing = robust_size(
                folder, resolved, design, reps, targets, runner, share, step, position, max_extra,  # type: ignore[arg-type]
                command_line(), bar.callback(), on_level,
            )  # fmt: skip
        except KeyboardInterrupt:
            interrupted_before_results(
                f"Interrupted: the finished levels are saved in {folder}/levels; re-run to resume."
            )
    levels = sizing.table()
    write_table(folder, "levels", levels)
    write_table(folder, "worlds", design.table().assign(required_level=required_levels(sizing)))
    write_table(folder, "parameters", parameters_table(design))
    ranked, emulated = decision_sensitivity(folder, sizing, targets, resolved.run.seed)
    sensitivity, emulator = emulated.indices, emulated.quality
    switching = switching_values(sizing, ranked[:5])
    widths = year_of_data_widths(resolved, parameters)
    value = value_of_data(sizing, widths)
    for name, table in (("switching", switching), ("data_value", value), ("sensitivity", sensitivity),
                        ("emulator", emulator)):  # fmt: skip
        write_table(folder, name, table)
    chosen = sizing.levels[sizing.chosen] if sizing.chosen is not None else None
    manifest |= {
        "status": "complete", "chosen": chosen.staffing.label if chosen else None,
        "chosen_level": sizing.chosen, "seconds": round(time.perf_counter() - started, 3),
    }  # fmt: skip
    atomic_write_text(folder / "manifest.json", json.dumps(manifest, indent=2, default=str) + "\n")
    from drive_sim.cli.terminal import robust_table

    tables = "levels, worlds with each one's required level, parameters, switching, data_value, sensitivity; "
    _finish(robust_table(levels, share), folder, tables + "levels/ holds every level's worlds", cdn, "levels", report)


def _finish(table: Table, folder: Path, tables: str, cdn: bool, rows: str, report: bool = True) -> None:
    """The verdict, the table, the answer's other sentences and what the folder holds; then the report."""
    publish(
        folder,
        f"Tables written to {folder}/ ({tables}).",
        cdn=cdn,
        report=report,
        tables=[table],
        notes=lambda answer: [*answer.points, *answer.cautions],
        rows=rows,
    )


def register(app: typer.Typer) -> None:
    app.command(
        rich_help_panel="Experiments",
        epilog=examples(
            "drive-sim uncertainty --samples 32 --reps 2",
            "drive-sim uncertainty scenarios/site5.toml --vary case_mix.client_response.support=0.39:0.9",
            "drive-sim uncertainty --samples 16 --screening 0 --format json",
        ),
    )(uncertainty)
