"""Saved results folders to build reports from: a run, a comparison, a sweep and a sizing.

They come from the real model on a short horizon (one year, three replications), so the
reports are tested against the tables the model actually writes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from report_support import HOSTILE_DESCRIPTION, HOSTILE_NAME, REPLICATIONS, SHORT
from typer.testing import CliRunner

from drive_sim.analysis.stats import paired_differences, summarise
from drive_sim.runs.experiment import Runner, run_experiment
from drive_sim.runs.store import save_results
from drive_sim.scenario import load_scenario


def _save(folder: Path, scenarios: list, labels: list[str]) -> Path:
    experiment = run_experiment(scenarios, REPLICATIONS, runner=Runner(), labels=labels)
    tables = dict(experiment.tables)
    if len(scenarios) > 1:
        tables["differences"] = paired_differences(experiment.kpis, baseline=labels[0])
    return save_results(
        folder,
        scenarios,
        labels,
        REPLICATIONS,
        experiment.kpis,
        summarise(experiment.kpis),
        tables,
        command="drive-sim test --reps 3",
        timing={"seconds": 1.0},
    )


@pytest.fixture(scope="session")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    scenario = load_scenario(None, SHORT)
    return _save(tmp_path_factory.mktemp("results") / "run", [scenario], [scenario.site.name])


@pytest.fixture(scope="session")
def compare_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default site against a two-Drive-IDVA site whose name and description are hostile HTML."""
    base = load_scenario(None, SHORT)
    two = load_scenario(
        None,
        {**SHORT, "site.name": HOSTILE_NAME, "site.description": HOSTILE_DESCRIPTION, "teams.idvas[0].count": 2},
    )
    return _save(tmp_path_factory.mktemp("results") / "compare", [base, two], [base.site.name, HOSTILE_NAME])


def _cli(args: list[str]) -> None:
    from drive_sim.cli import app

    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="session")
def sweep_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("results") / "sweep"
    _cli(
        [
            "sweep",
            "--set",
            "teams.idvas[0].count=1,2,3",
            "--set",
            "site.horizon_days=364",
            "--reps",
            str(REPLICATIONS),
            "--backend",
            "serial",
            "--out",
            str(folder),
        ]
    )
    return folder


@pytest.fixture(scope="session")
def size_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("results") / "size"
    _cli(
        [
            "size",
            "--set",
            "site.horizon_days=364",
            "--max-extra",
            "3",
            "--reps",
            str(REPLICATIONS),
            "--backend",
            "serial",
            "--out",
            str(folder),
        ]
    )
    return folder


ROOT = Path(__file__).resolve().parents[2]
#: Few replications: these sweeps are for how the page reads, not for its numbers.
SWEEP_REPS = 2


@pytest.fixture(scope="session")
def factorial_sweep_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three factors (staffing, backdating, referrals) and one value every point shares (the horizon)."""
    folder = tmp_path_factory.mktemp("results") / "factorial-sweep"
    _cli(
        [
            "sweep",
            "--set",
            "teams.idvas[0].count=1,2",
            "--set",
            "backdating.months=0,3",
            "--set",
            "referrals.annual_rate=60,120",
            "--set",
            "site.horizon_days=364",
            "--reps",
            str(SWEEP_REPS),
            "--backend",
            "serial",
            "--out",
            str(folder),
        ]
    )
    return folder


@pytest.fixture(scope="session")
def structures_sweep_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two scenario files (the structure as a factor of its own) by staffing."""
    folder = tmp_path_factory.mktemp("results") / "structures-sweep"
    _cli(
        [
            "sweep",
            str(ROOT / "scenarios" / "site1.toml"),
            str(ROOT / "scenarios" / "site5.toml"),
            "--set",
            "teams.idvas[0].count=1,2",
            "--set",
            "site.horizon_days=364",
            "--reps",
            str(SWEEP_REPS),
            "--backend",
            "serial",
            "--out",
            str(folder),
        ]
    )
    return folder
