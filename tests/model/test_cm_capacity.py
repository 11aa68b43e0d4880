"""Case Manager capacity binds (issue 15, item 1).

An overloaded CM (a week asking more hours than she has) gets through 1/workload of her
work: her contact strategies take longer and her direct work falls short, which lowers
the chance the service user engages (``policies.engagement.cm_shortfall_elasticity``).
A CM caseload cap makes accepted cases wait for a CM place.
"""

from __future__ import annotations

import math

from support import scenario

from drive_sim.analysis.stats import paired_differences
from drive_sim.model import simulate
from drive_sim.runs.experiment import open_backend, run_experiment

HALF_CMS = {
    "teams": {
        "case_managers": [
            {"name": "Case Manager", "count": 3, "fte": 0.5},
            {"name": "Team Leader", "team_leader": True, "caseload_share": 0.5, "fte": 0.5},
        ]
    }
}
TWO_YEARS = {"site": {"horizon_days": 730}}


def _paired(base, changed, replications=12):
    with open_backend("serial") as runner:
        kpis = run_experiment(
            [base, changed], replications=replications, labels=["as given", "changed"], keep_tables=False, runner=runner
        ).kpis
    steady = kpis[kpis["window"] == "steady"]
    return paired_differences(steady, "as given").set_index(["kpi", "scope"])


def _clear(differences, kpi, direction):
    row = differences.loc[(kpi, "site")]
    text = (
        f"{kpi}: {row['baseline_mean']:.3g} -> {row['scenario_mean']:.3g} [{row['ci_low']:.3g}, {row['ci_high']:.3g}]"
    )
    assert (row["ci_low"] > 0) if direction == "up" else (row["ci_high"] < 0), text


def test_halving_cm_fte_lengthens_the_days_to_cm_contact_and_lowers_engagement():
    differences = _paired(scenario(TWO_YEARS), scenario(TWO_YEARS, HALF_CMS))
    _clear(differences, "cm_first_contact_delay_median_days", "up")
    _clear(differences, "service_user_engagement_rate", "down")


def test_the_engagement_effect_of_cm_overload_has_its_own_switch():
    off = {"policies": {"engagement": {"cm_shortfall_elasticity": 0.0}}}
    differences = _paired(scenario(TWO_YEARS, HALF_CMS, off), scenario(TWO_YEARS, HALF_CMS))
    _clear(differences, "service_user_engagement_rate", "down")


def test_a_cm_with_hours_to_spare_writes_the_strategy_in_its_days():
    roomy = {"teams": {"case_managers": [{"name": "Case Manager", "count": 8}]}, "site": {"horizon_days": 500}}
    out = simulate(scenario(roomy), 0)
    written = [c for c in out.cases if not math.isnan(c.contact_strategy_end_day)]
    assert written and all(abs(c.contact_strategy_end_day - c.accepted_day - 28) < 1e-9 for c in written)


def test_a_cm_caseload_cap_makes_cases_wait_for_a_cm_place():
    capped = {"routing": {"cm_caseload_cap": 3}, "site": {"horizon_days": 500}}
    out = simulate(scenario(capped), 0)
    waited = [c for c in out.cases if c.cm_waitlist_days > 0]
    assert waited, "4 CMs with 3 places each cannot take 100 cases a year at once"
    for case in waited:
        assert case.cm_allocated_day == case.accepted_day + case.cm_waitlist_days
        assert (
            math.isnan(case.contact_strategy_end_day)
            or case.contact_strategy_end_day >= case.cm_allocated_day + 28 - 1e-9
        )
    limits = {"Case Manager 1": 3, "Case Manager 2": 3, "Case Manager 3": 3, "Team Leader": 1}
    for week in out.weeks:
        if week.kind == "cm" and week.practitioner in limits:
            assert week.drive_open <= limits[week.practitioner], week
