"""The textbook recipes in ``scenarios/recipes/`` run against the theory in their headers.

Each recipe is a scenario file an analyst can run as it is (``drive-sim run
scenarios/recipes/mg_infinity.toml``). These tests load the files themselves (not a copy
in Python) and check the numbers a user would read, or the records behind them, against
the closed-form answer, within a 99% confidence interval over independent replications.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from validation_support import (
    batch_mean_open,
    erlang_c,
    mmc_mean_wait,
    replicate,
    t_interval,
    time_average_idva_open,
)

from drive_sim.model import simulate
from drive_sim.model.hours import TICK_TIME
from drive_sim.runs.experiment import open_backend, run_experiment
from drive_sim.scenario import Scenario, load_scenario

RECIPES = Path(__file__).resolve().parents[2] / "scenarios" / "recipes"


def recipe(name: str) -> Scenario:
    return load_scenario(RECIPES / f"{name}.toml")


def _steady_kpi(scenario: Scenario, kpi: str, scope: str, replications: int) -> np.ndarray:
    """Per-replication values of a KPI in the steady window, as `drive-sim run` computes them."""
    with open_backend("process") as runner:
        kpis = run_experiment(scenario, replications=replications, keep_tables=False, runner=runner).kpis
    rows = kpis[(kpis["window"] == "steady") & (kpis["kpi"] == kpi) & (kpis["scope"] == scope)]
    return rows.sort_values("replication")["value"].to_numpy(dtype=float)


def _exact_steady_open(scenario: Scenario) -> float:
    """The exact mean open cases over the weekly snapshots of the steady window (batch formula)."""
    warmup, horizon = float(scenario.run.warmup_days), scenario.site.horizon_days
    days = [7 * week + TICK_TIME for week in range(1, int(horizon // 7) + 1)]
    steady = [day for day in days if warmup <= day < horizon]
    return float(np.mean([batch_mean_open(scenario, day) for day in steady]))


def test_every_recipe_is_a_textbook_site_with_a_fixed_warm_up_or_a_capacity_check():
    names = sorted(path.stem for path in RECIPES.glob("*.toml"))
    assert names == ["deterministic", "mg_infinity", "mmc_waitlist", "no_capacity_limit"]
    for name in ("deterministic", "mg_infinity", "mmc_waitlist"):
        scenario = recipe(name)
        assert scenario.run.warmup_days != "auto", name
        assert scenario.case_mix.already_contacted_share == 1.0, name
        assert scenario.case_life.client_disengage_per_year == 0.0, name
        assert scenario.policies.withhold_share == 0.0 and scenario.policies.proxy_share == 0.0, name
        assert "Theory" in (RECIPES / f"{name}.toml").read_text(encoding="utf-8"), name


def test_mg_infinity_mean_open_cases_match_littles_law():
    scenario = recipe("mg_infinity")
    exact = _exact_steady_open(scenario)
    little = scenario.referrals.annual_rate / 365 * 210.0  # E[triangular(90, 180, 360)] = 210
    assert exact == pytest.approx(little, rel=0.01)  # the batch formula has reached Little's law
    interval = t_interval(_steady_kpi(scenario, "open_cases_mean", "idva:Drive IDVA", 20))
    assert interval.contains(exact), f"mean open cases {interval} (99% CI), theory {exact:.3f} (Little: {little:.3f})"


def test_deterministic_interventions_last_exactly_their_days_and_open_cases_match():
    scenario = recipe("deterministic")
    output = simulate(scenario, 0)
    closed = [case for case in output.cases if not math.isnan(case.cm_closed_day)]
    assert closed
    assert all(case.cm_closed_day - case.accepted_day == pytest.approx(180.0) for case in closed)
    expected = scenario.referrals.annual_rate / 365 * 180
    assert _exact_steady_open(scenario) == pytest.approx(expected)
    interval = t_interval(_steady_kpi(scenario, "open_cases_mean", "idva:Drive IDVA", 20))
    assert interval.contains(expected), f"mean open cases {interval} (99% CI), theory {expected:.3f}"


def _mmc_measures(scenario: Scenario, replication: int) -> dict[str, float]:
    output = simulate(scenario, replication)
    warmup, horizon = float(scenario.run.warmup_days), scenario.site.horizon_days
    window = [c for c in output.cases if warmup <= c.accepted_day < horizon - 200]  # every one allocated
    assert all(not math.isnan(c.allocated_day) for c in window)
    waits = np.array([c.waitlist_days for c in window])
    return {
        "mean_wait": float(waits.mean()),
        "waited_share": float((waits > 0).mean()),
        "busy_places": time_average_idva_open(output, warmup, horizon - 200),
    }


def test_mmc_waitlist_matches_erlang_c():
    scenario = recipe("mmc_waitlist")
    places, mean_days = 20, 120.0
    arrival_rate = scenario.referrals.annual_rate / 365
    assert arrival_rate * mean_days / places == pytest.approx(0.8)
    runs = replicate(_mmc_measures, scenario, 100)
    checks = {
        "waited_share": erlang_c(places, arrival_rate * mean_days),
        "mean_wait": mmc_mean_wait(places, arrival_rate, mean_days),
        "busy_places": arrival_rate * mean_days,
    }
    for measure, theory in checks.items():
        interval = t_interval(run[measure] for run in runs)
        assert interval.contains(theory), f"M/M/20 {measure}: {interval} (99% CI), Erlang C gives {theory:.4g}"


def test_with_no_capacity_limit_nothing_waits_for_capacity():
    scenario = recipe("no_capacity_limit")
    with open_backend("process") as runner:
        kpis = run_experiment(scenario, replications=4, keep_tables=False, runner=runner).kpis
    steady = kpis[kpis["window"] == "steady"].set_index(["replication", "kpi", "scope"])["value"]
    for kpi, scope in (("waitlist_share", "site"), ("cm_waitlist_share", "site"), ("any_idva_burnout", "site")):
        assert (steady.xs((kpi, scope), level=("kpi", "scope")) == 0).all(), kpi
    for scope in ("group:idva", "group:cm"):
        assert (steady.xs(("workload_ratio_peak", scope), level=("kpi", "scope")) < 1).all(), scope
    output = simulate(scenario, 0)
    strategy = scenario.durations.contact_strategy_days.value
    written = [c for c in output.cases if not math.isnan(c.contact_strategy_end_day)]
    assert written and all(c.contact_strategy_end_day - c.accepted_day == pytest.approx(strategy) for c in written)
    word_first = [
        c for c in written if not math.isnan(c.cm_first_contact_day) and c.gate_open_day <= c.contact_strategy_end_day
    ]
    assert word_first and all(c.cm_first_contact_day - c.accepted_day == pytest.approx(strategy) for c in word_first)
