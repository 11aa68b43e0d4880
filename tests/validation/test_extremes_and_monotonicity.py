"""Extremes and monotonicity: the model goes the right way when one thing changes.

- **No referrals**: nothing to hold, nobody waits, and the KPIs say so without error.
- **Unlimited staff**: with far more capped places than clients, nobody waits for a
  place, every reachable client is contacted at the first working-day round after
  allocation, and no CM waits at the gate beyond writing the contact strategy.
- **More IDVAs** (the same site volume shared by more named Drive IDVAs): lower caseload
  peaks and shorter first-contact delays at every step; with a cap, shorter waits.
- **Backdating** more months raises the early caseload peak.

Scenarios compared run on common random numbers, so each comparison is a paired
difference by replication: its 99% interval must lie wholly on the expected side of 0.
Assertion messages name the parameter that changed.
"""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import pytest
from validation_support import CONFIDENCE, assert_paired_change, default_site, replicate, t_interval

from drive_sim.analysis.metrics import replication_kpis
from drive_sim.model import simulate
from drive_sim.model.hours import FIRST_CONTACT_TIME
from drive_sim.runs.experiment import run_experiment
from drive_sim.scenario import Scenario

# --------------------------------------------------------------------------------------
# Extremes
# --------------------------------------------------------------------------------------


def test_no_referrals_means_no_cases_and_no_waits():
    scenario = default_site({"referrals": {"annual_rate": 0}, "backdating": {"months": 0}})
    output = simulate(scenario, 0)
    assert output.cases == []
    assert all((w.accepted, w.open, w.waiting) == (0, 0, 0) for w in output.site_weeks)
    assert all(state.drive_open == 0 and state.first_contact_queue == 0 for state in output.weeks)
    kpis = replication_kpis(output, scenario).query("window == 'steady'").set_index(["kpi", "scope"])["value"]
    assert kpis["accepted_cases_per_year", "site"] == 0
    assert kpis["drive_open_cases_peak", "group:drive"] == 0
    assert math.isnan(kpis["first_contact_delay_median_days", "site"])
    # The wider team's business-as-usual work goes on.
    assert kpis["open_cases_mean", "group:wider"] > 0


def _next_round(day: float, scenario: Scenario) -> float:
    """The first-contact round (midday of a working day) at or after ``day``."""
    weekday0 = scenario.site.start_date.weekday()
    d = math.floor(day)
    while True:
        if (weekday0 + d) % 7 < 5 and d + FIRST_CONTACT_TIME >= day:
            return d + FIRST_CONTACT_TIME
        d += 1


@pytest.mark.parametrize("replication", [0, 1, 2])
def test_unlimited_staff_gives_no_waits(replication):
    scenario = default_site(
        {
            "backdating": {"months": 6},  # even a backdated launch
            "routing": {"caseload_cap": 20, "when_full": "waitlist"},
            "hours": {"first_contact": {"answer_probability": 1.0}},
            "workforce": {"idva_attrition": {"enabled": False}, "cm_attrition": {"enabled": False}},
            "teams": {"case_managers": [{"name": "Case Manager", "count": 40}]},  # unlimited CMs too
        },
        drive_idvas=40,
    )
    output = simulate(scenario, replication)
    assert len(output.cases) < 40 * 20, "the test needs more places than clients"
    assert all(case.waitlist_days == 0 for case in output.cases), "a client waited for an IDVA place"
    assert all(week.waiting == 0 for week in output.site_weeks)
    strategy = scenario.durations.contact_strategy_days.value
    reachable = [c for c in output.cases if c.response != "unreachable" and not math.isnan(c.allocated_day)]
    contacted = [c for c in reachable if not c.already_contacted and not math.isnan(c.first_contact_day)]
    gated = [c for c in reachable if not math.isnan(c.cm_first_contact_day)]
    assert len(contacted) > 50 and len(gated) > 50, "too few clients to show anything"
    for case in reachable:
        if case in contacted:
            assert case.first_contact_day == _next_round(case.allocated_day, scenario), (
                f"case {case.case_id}: allocated day {case.allocated_day:g}, first contact day "
                f"{case.first_contact_day:g}, not the next working-day round"
            )
        if case in gated:
            assert case.cm_first_contact_day == pytest.approx(case.accepted_day + strategy), (
                f"case {case.case_id}: the CM waited at the gate beyond the contact strategy"
            )


# --------------------------------------------------------------------------------------
# Monotonicity
# --------------------------------------------------------------------------------------

TEAM_SIZES = [
    pytest.param((1, 2, 3), 20, id="1-3-idvas"),
    pytest.param((1, 2, 3, 4), 60, id="1-4-idvas", marks=pytest.mark.slow),
]


@pytest.mark.parametrize(("sizes", "replications"), TEAM_SIZES)
def test_more_drive_idvas_give_lower_peaks_and_shorter_first_contact_delays(sizes, replications):
    experiment = run_experiment([default_site(drive_idvas=n) for n in sizes], replications, keep_tables=False)
    kpis = experiment.kpis
    parameter = "number of named Drive IDVAs"
    assert_paired_change(kpis, parameter, "drive_open_cases_peak", "group:drive", "down")
    assert_paired_change(kpis, parameter, "first_contact_delay_median_days", "site", "down")
    assert_paired_change(kpis, parameter, "first_contact_delay_p90_days", "site", "down")
    assert_paired_change(kpis, parameter, "first_contact_within_7_days_share", "site", "up")


def mean_wait_for_a_place(scenario: Scenario, replication: int) -> float:
    """Mean days a client waited for an IDVA place (0 for those who did not wait)."""
    output = simulate(scenario, replication)
    return float(np.mean([case.waitlist_days for case in output.cases]))


@pytest.mark.parametrize(
    "replications", [pytest.param(20, id="20reps"), pytest.param(60, id="60reps", marks=pytest.mark.slow)]
)
def test_more_drive_idvas_give_shorter_waits_for_a_capped_place(replications):
    # With a cap of 20, three Drive IDVAs already have places for nearly everyone.
    sizes = (1, 2, 3)
    capped = {"routing": {"caseload_cap": 20, "when_full": "waitlist"}}
    waits = {n: np.array(replicate(mean_wait_for_a_place, default_site(capped, n), replications)) for n in sizes}
    for before, after in pairwise(sizes):
        difference = t_interval(waits[after] - waits[before], CONFIDENCE)
        assert difference.high < 0, (
            f'Changing "number of named Drive IDVAs (cap 20, waitlist)" from {before} to {after} did not clearly '
            f"shorten the mean wait for an IDVA place: {waits[before].mean():.2f} -> {waits[after].mean():.2f} "
            f"days, paired difference {difference} ({CONFIDENCE:.0%} CI)"
        )


def early_peak(scenario: Scenario, replication: int) -> float:
    """Most open Drive cases the named Drive IDVA held in the first 26 weeks."""
    output = simulate(scenario, replication)
    return float(max(s.drive_open for s in output.weeks if s.role == "drive" and s.week <= 26))


@pytest.mark.parametrize(
    "replications", [pytest.param(20, id="20reps"), pytest.param(100, id="100reps", marks=pytest.mark.slow)]
)
def test_backdating_raises_the_early_peak(replications):
    months = [0, 1, 3, 6]
    peaks = {
        m: np.array(replicate(early_peak, default_site({"backdating": {"months": m}}), replications)) for m in months
    }
    for before, after in pairwise(months):
        difference = t_interval(peaks[after] - peaks[before], CONFIDENCE)
        assert difference.low > 0, (
            f'Changing "backdating.months" from {before} to {after} did not clearly raise the Drive IDVA\'s peak '
            f"caseload in the first 26 weeks: {peaks[before].mean():.1f} -> {peaks[after].mean():.1f}, paired "
            f"difference {difference} ({CONFIDENCE:.0%} CI)"
        )
