"""Capacity in hours: first contact from free hours, burnout, leavers (issue 4)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from scipy import stats
from support import scenario

from drive_sim.model import simulate
from drive_sim.model.hours import FIRST_CONTACT_TIME
from drive_sim.model.workforce import burnout_flags, leave_probability
from drive_sim.scenario import Burnout


def next_working_midday(start: dt.date, day: float) -> float:
    d = math.ceil(day - FIRST_CONTACT_TIME)
    while (start + dt.timedelta(days=d)).weekday() >= 5:
        d += 1
    return d + FIRST_CONTACT_TIME


def test_hours_that_cover_demand_give_no_delay_beyond_the_first_attempt():
    s = scenario(
        {
            "referrals": {"panels": [{"kind": "marac", "every_days": 1}]},
            "case_mix": {"already_contacted_share": 0.0, "already_supported_share": 0.0},
            "hours": {"idva": {"first_contact_hours": 0.05}, "first_contact": {"answer_probability": 1.0}},
            "site": {"horizon_days": 365},
        }
    )
    out = simulate(s, 0)
    contacted = [c for c in out.cases if not math.isnan(c.first_contact_day)]
    assert contacted
    for case in contacted:
        assert case.first_contact_attempts == 1
        assert case.first_contact_day == next_working_midday(s.site.start_date, case.allocated_day), case


def mean_delays(s, replications: int) -> np.ndarray:
    means = []
    for rep in range(replications):
        delays = [
            c.first_contact_day - c.allocated_day
            for c in simulate(s, rep).cases
            if c.first_contact_attempts > 0 and not math.isnan(c.first_contact_day)
        ]
        means.append(np.mean(delays))
    return np.array(means)


@pytest.mark.parametrize("low, high", [(50, 100), (100, 150)])
def test_more_referrals_give_longer_first_contact_delays(low, high):
    """Paired by replication (same seed): the 99% CI of the difference must sit above zero."""
    base = {"site": {"horizon_days": 730}}
    fewer = mean_delays(scenario(base, {"referrals": {"annual_rate": low}}), 12)
    more = mean_delays(scenario(base, {"referrals": {"annual_rate": high}}), 12)
    difference = more - fewer
    lower = difference.mean() - stats.t.ppf(0.995, len(difference) - 1) * stats.sem(difference)
    assert lower > 0, (
        f'Changing "referrals.annual_rate" from {low} to {high} should lengthen first-contact delays: '
        f"mean delay {fewer.mean():.1f} -> {more.mean():.1f} days, 99% CI lower bound {lower:.2f}"
    )


def test_more_idva_hours_give_shorter_first_contact_delays():
    base = {"site": {"horizon_days": 730}}
    one = mean_delays(scenario(base), 12)
    two = mean_delays(
        scenario(
            base,
            {
                "teams": {
                    "idvas": [
                        {"name": "Drive IDVA", "count": 2},
                        {"name": "Wider IDVA", "role": "wider", "count": 3, "non_drive_referrals_per_year": 100},
                    ]
                }
            },
        ),
        12,
    )
    difference = one - two
    lower = difference.mean() - stats.t.ppf(0.995, len(difference) - 1) * stats.sem(difference)
    assert lower > 0, (
        f'Changing "teams.idvas[0].count" from 1 to 2 should shorten delays: {one.mean():.1f} -> {two.mean():.1f}'
    )


def test_burnout_starts_exactly_after_n_consecutive_weeks_above_threshold():
    rule = Burnout(consecutive_weeks=4, recovery_weeks=2)
    above = [True, True, True, False, True, True, True, True, True, False, True, False, False, True]
    flags = burnout_flags(above, rule)
    assert flags == [False] * 7 + [True, True, True, True, True, False, False]


def test_burnout_in_the_model_follows_the_rule_week_by_week():
    s = scenario({"site": {"horizon_days": 730}})
    out = simulate(s, 0)
    rule = s.workforce.burnout
    for name in {w.practitioner for w in out.weeks}:
        rows = [w for w in out.weeks if w.practitioner == name]
        above = [w.available_hours > 0 and w.demand_hours / w.available_hours > rule.workload_threshold for w in rows]
        assert [w.burnt_out for w in rows] == burnout_flags(above, rule), name


def test_a_leavers_cases_are_all_reassigned_and_none_lost():
    s = scenario(
        {
            "workforce": {"idva_attrition": {"enabled": True, "annual_turnover": 0.9}},
            "site": {"horizon_days": 730},
        }
    )
    out = simulate(s, 0)
    assert any(e.event == "left" for e in out.workforce_events)
    assert any(c.reassignments for c in out.cases)
    weeks: dict[int, list] = {}
    for w in out.weeks:
        weeks.setdefault(w.week, []).append(w)
    for number, rows in weeks.items():
        idvas = [w for w in rows if w.kind == "idva"]
        if any(not w.vacant for w in idvas):
            assert all(w.drive_open == 0 and w.non_drive_open == 0 for w in idvas if w.vacant), f"week {number}"
    for week in out.site_weeks:
        assert week.accepted == week.open + week.closed + week.deselected


def test_uncovered_cases_stay_with_the_vacant_post():
    s = scenario(
        {
            "workforce": {"idva_attrition": {"enabled": True, "annual_turnover": 0.9, "reassign": "uncovered"}},
            "site": {"horizon_days": 730},
        }
    )
    out = simulate(s, 0)
    assert not any(c.reassignments for c in out.cases)
    assert any(w.vacant and w.drive_open + w.non_drive_open > 0 for w in out.weeks)


def test_leaving_is_more_likely_while_burnt_out():
    attrition = scenario().workforce.idva_attrition
    weekly = leave_probability(attrition, burnt_out=False)
    assert 1 - (1 - weekly) ** (365 / 7) == pytest.approx(attrition.annual_turnover)
    assert leave_probability(attrition, burnt_out=True) > weekly
