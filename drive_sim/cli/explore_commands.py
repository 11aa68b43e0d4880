"""``drive-sim explore``: run a grid of what-ifs once and write one offline page to explore it."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Annotated

import typer

from drive_sim.cli.common import (
    MAX_SWEEP_REPLICATIONS,
    BackendOption,
    CdnOption,
    ForceOption,
    SchedulerOption,
    SeedOption,
    WorkersOption,
    command_line,
    console,
    examples,
    fail,
    results_folder,
    run_in_parts,
)

__all__ = ["explore", "register"]

#: Replications of every point by default (drive_sim.runs.explore.DEFAULT_REPLICATIONS,
#: repeated here so that --help does not import the runners).
DEFAULT_REPS = 6
#: The most points a grid may have: the page holds every one.
MAX_EXPLORE_POINTS = 3_000
_STRUCTURES = ("site1", "site2", "site3", "site4", "site5", "site6", "spread_all", "two_drive_idvas")


def _default_files() -> list[Path]:
    """The study's structure files: ``scenarios/`` here, else the one beside the package."""
    for folder in (Path("scenarios"), Path(__file__).resolve().parents[2] / "scenarios"):
        files = [folder / f"{name}.toml" for name in _STRUCTURES]
        if all(file.is_file() for file in files):
            return files
    fail(
        "the default grid needs the study's scenario files (scenarios/site1.toml ... two_drive_idvas.toml): "
        "run from the drive-sim folder, or give the scenario files"
    )


def explore(
    scenarios: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Scenario files (TOML), one structure each. Leave out for the study's eight: "
            "scenarios/site1-6, spread_all and two_drive_idvas.",
            show_default=False,
        ),
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="PATH=V1,V2,... replaces an axis of the grid (staffing=1,2,3 for the Drive IDVA count; "
            "referrals.annual_rate=...; backdating.months=...) or adds one; PATH=V fixes a value for every point, "
            "e.g. --set site.horizon_days=730 (repeatable).",
        ),
    ] = None,
    reps: Annotated[
        int,
        typer.Option(
            "--reps",
            "-r",
            min=1,
            help="Replications of every point. At the default of 6 the default grid (480 points, each "
            "replication with its twin without Drive) takes 7 CPU-minutes, about 4 minutes on 2 free cores; "
            "more narrow the CIs.",
        ),
    ] = DEFAULT_REPS,
    seed: SeedOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Results folder; explorer.html is written into it (default: reports/explore-seed<seed>-<hash>). "
            "Re-run the same command to resume.",
        ),
    ] = None,
    force: ForceOption = False,
    backend: BackendOption = "process",
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    cdn: CdnOption = False,
) -> None:
    """Run a grid of what-ifs once and write explorer.html, one page to explore it offline.

    The default grid is the study's structures x Drive IDVA staffing 1-5 x 50, 100, 150 and
    200 Drive referrals a year x 0, 3 and 6 months of backdating, every point on the same
    seed (common random numbers). The page needs no CLI, no server and no internet:
    planners move the controls and read the measures against guidance, the cost, and the
    cheapest structure and staffing meeting the targets.
    """
    from drive_sim.report.explorer import build_explorer
    from drive_sim.runs.explore import STAFFING_AXIS, explore_axes, explore_points, run_explore
    from drive_sim.runs.sweep import Axis, parse_axis, sweep_identity
    from drive_sim.scenario import ScenarioError, read_scenario_data

    axes: list[Axis] = []
    fixed: dict[str, object] = {} if seed is None else {"run.seed": seed}
    for item in set_ or []:
        try:
            axis = parse_axis(item)
        except ValueError as error:
            fail(str(error))
        if len(axis.values) == 1 and axis.path not in ("referrals.annual_rate", "backdating.months", STAFFING_AXIS):
            fixed[axis.path] = axis.values[0]
        elif axis.path in {a.path for a in axes}:
            fail(f"--set {axis.path}: given twice; give all its values in one --set")
        else:
            axes.append(axis)
    grid_axes = explore_axes(axes)
    files = list(scenarios) if scenarios else _default_files()
    asked = len(files) * math.prod(len(axis.values) for axis in grid_axes)
    if asked > MAX_EXPLORE_POINTS:
        fail(f"--set: {asked:,} points is more than one explorer page may hold (at most {MAX_EXPLORE_POINTS:,})")
    if asked * reps > MAX_SWEEP_REPLICATIONS:
        fail(f"--reps: {asked:,} points x {reps:,} replications is more than one run may hold")
    bases, unreadable = [], []
    for file in files:
        try:
            bases.append(read_scenario_data(file))
        except ScenarioError as error:
            unreadable.append(str(error))
    if unreadable:
        fail("\n".join(unreadable))
    try:
        points, staffing = explore_points(bases, grid_axes, fixed)
    except ScenarioError as error:
        fail(str(error))
    seed_used = points[0].scenario.run.seed
    folder = results_folder(out, "explore", f"explore-seed{seed_used}", sweep_identity(points, False), force)
    started = time.perf_counter()
    outcome = run_in_parts(
        folder,
        f"Exploring {len(points)} what-ifs",
        len(points) * reps,
        (backend, workers, scheduler),
        lambda runner, on_result, on_plan: run_explore(
            folder, points, staffing, grid_axes, reps, runner, command_line(), on_result, on_plan, force
        ),
    )
    page = build_explorer(folder, cdn=cdn)
    console.print(
        f"{len(points)} what-ifs x {reps} replications in {time.perf_counter() - started:,.0f} s "
        f"(ran {outcome.ran}, reused {outcome.reused}); tables in {folder}/.",
        markup=False,
    )
    console.print(f"Explorer: {page} ({page.stat().st_size / 1e6:.1f} MB; open it in a browser, offline)", markup=False)


def register(app: typer.Typer) -> None:
    """Add ``explore`` to the app."""
    app.command(
        epilog=examples(
            "drive-sim explore",
            "drive-sim explore scenarios/site5.toml scenarios/two_drive_idvas.toml --set staffing=1,2,3",
            "drive-sim explore --set referrals.annual_rate=80,120 --set backdating.months=0 --reps 10",
        )
    )(explore)
