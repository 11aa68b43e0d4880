"""Life inside a case (issue 15, item 4).

Clients disengage and re-engage, service users drop out, and a support shortfall raises
the disengagement hazard (a flagged assumption with a switch).
"""

from __future__ import annotations

import math

from support import scenario

from drive_sim.analysis.stats import paired_differences
from drive_sim.model import simulate
from drive_sim.runs.experiment import open_backend, run_experiment

TWO_YEARS = {"site": {"horizon_days": 730}}
#: One Drive IDVA with twice the usual volume: her support falls short.
OVERLOADED = {"site": {"horizon_days": 730}, "referrals": {"annual_rate": 200}}


def _difference(base, changed, kpi, replications=12):
    with open_backend("serial") as runner:
        kpis = run_experiment(
            [base, changed], replications=replications, labels=["base", "changed"], keep_tables=False, runner=runner
        ).kpis
    row = paired_differences(kpis[kpis["window"] == "steady"], "base").set_index(["kpi", "scope"]).loc[(kpi, "site")]
    return row["ci_low"], row["ci_high"]


def test_a_higher_disengagement_hazard_disengages_more_clients():
    low, _ = _difference(
        scenario(TWO_YEARS),
        scenario(TWO_YEARS, {"case_life": {"client_disengage_per_year": 2.0}}),
        "client_disengaged_share",
    )
    assert low > 0


def test_a_support_shortfall_raises_disengagement_only_with_its_switch_on():
    off = {"case_life": {"shortfall_raises_disengagement": False}}
    low, _ = _difference(scenario(OVERLOADED, off), scenario(OVERLOADED), "client_disengaged_share")
    assert low > 0, "an IDVA falling short should lose more clients when the switch is on"


def test_service_users_drop_out_at_their_hazard():
    none = {"case_life": {"service_user_dropout_per_year": 0.0}}
    low, _ = _difference(scenario(TWO_YEARS, none), scenario(TWO_YEARS), "service_user_dropout_share")
    assert low > 0
    out = simulate(scenario(TWO_YEARS, none), 0)
    assert all(math.isnan(c.service_user_dropout_day) for c in out.cases)


def test_a_disengaged_client_moves_to_monitoring_or_is_closed_and_may_come_back_once():
    busy = {
        "case_life": {"client_disengage_per_year": 3.0, "client_reengage_per_year": 6.0},
        "site": {"horizon_days": 600},
    }
    out = simulate(scenario(busy), 0)
    disengaged = [c for c in out.cases if not math.isnan(c.client_disengaged_day)]
    assert disengaged
    for case in disengaged:
        assert case.client_disengaged_day >= case.first_contact_day
        if not math.isnan(case.client_reengaged_day):
            assert case.client_reengaged_day > case.client_disengaged_day
    assert any(not math.isnan(c.client_reengaged_day) for c in disengaged)
    never = simulate(scenario(busy, {"case_life": {"client_reengage_per_year": 0.0}}), 0)
    assert all(math.isnan(c.client_reengaged_day) for c in never.cases)
