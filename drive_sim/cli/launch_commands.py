"""``drive-sim launch``: the first months of each set-up plan side by side, month by month."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from drive_sim.cli.common import (
    BackendOption,
    CdnOption,
    ForceOption,
    FormatOption,
    ReportOption,
    RepsOption,
    Results,
    SchedulerOption,
    SeedOption,
    SetOption,
    WorkersOption,
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
)
from drive_sim.cli.terminal import progress

__all__ = ["launch", "register"]


@formatted
def launch(
    scenarios: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Set-up plans, one scenario file each. None: the default plans (a slow build, backdating 3 or 6 "
            "months, 6 months with two Drive IDVAs from day one) on the default site; one file: those plans on it.",
            show_default=False,
        ),
    ] = None,
    months: Annotated[int, typer.Option("--months", min=6, max=36, help="Months after launch to show.")] = 18,
    reps: RepsOption = None,
    seed: SeedOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Results folder (default: reports/launch-<site>-seed<seed>-<hash of the run>)."
        ),
    ] = None,
    force: ForceOption = False,
    set_: SetOption = None,
    backend: BackendOption = "process",
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    cdn: CdnOption = False,
    report: ReportOption = True,
    format_: FormatOption = "table",
) -> None:
    """Plan a launch: each set-up plan's first months side by side, with the answer in words first."""
    from drive_sim.analysis.stats import summarise
    from drive_sim.runs.launch import DEFAULT_PLANS, launch_tables, run_launch
    from drive_sim.runs.store import run_identity, slug

    overrides = parse_set_options(set_)
    files = list(scenarios or [])
    if len(files) <= 1:
        base = files[0] if files else None
        plans = [(label, load(base, {**overrides, **values}, seed)) for label, values in DEFAULT_PLANS]
    else:
        loaded = [load(path, overrides, seed) for path in files]
        labels = [s.site.name for s in loaded]
        if len(set(labels)) < len(labels):
            labels = [path.stem for path in files]
        if len(set(labels)) < len(labels):
            fail("launch: give plans with different site names or file names")
        plans = list(zip(labels, loaded, strict=True))
        first_seed = plans[0][1].run.seed
        plans = [
            (label, s.model_copy(update={"run": s.run.model_copy(update={"seed": first_seed})})) for label, s in plans
        ]
    horizon_days = months * 365 / 12
    short = [label for label, s in plans if s.site.horizon_days < horizon_days]
    if short:
        fail(f"launch --months {months}: {', '.join(short)} simulate(s) fewer days; set site.horizon_days longer")
    scenarios_ = [s for _, s in plans]
    labels_ = [label for label, _ in plans]
    replications = reps or scenarios_[0].run.replications
    identity = run_identity("launch", scenarios_, replications, months=months, labels=labels_)
    name = f"launch-{slug(scenarios_[0].site.name)}-seed{scenarios_[0].run.seed}"
    folder = results_folder(out, "launch", name, identity, force)
    started = time.perf_counter()
    with (
        open_runner(backend, workers, scheduler) as runner,
        progress(errors, f"Simulating {len(plans)} plans", len(plans) * replications) as bar,
    ):
        experiment = run_launch(plans, replications, runner=runner, on_result=bar.callback())
    if experiment.interrupted or experiment.completed < replications:
        interrupted_before_results("Interrupted before every plan finished; nothing written.")
    tables = launch_tables(plans, experiment, months)
    publish(
        folder,
        f"Tables written to {folder}/ (months: every plan, replication, month and measure; plans; KPIs).",
        cdn=cdn,
        report=report,
        results=Results(
            scenarios_,
            labels_,
            replications,
            experiment.kpis,
            summarise(experiment.kpis),
            tables,
            identity,
            time.perf_counter() - started,
            force,
            {"kind": "launch", "months": months},
        ),
        notes=lambda answer: [*answer.points, *answer.cautions],
        rows="plans",
    )


def register(app: typer.Typer) -> None:
    """Add ``launch`` to the app."""
    app.command(
        epilog=examples(
            "drive-sim launch",
            "drive-sim launch scenarios/site5.toml --reps 40",
            "drive-sim launch scenarios/site5.toml scenarios/two_drive_idvas.toml --months 12",
        )
    )(launch)
