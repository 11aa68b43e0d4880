"""Hours asked are work, counted once; the first-contact backlog is its own measure (issue 12)."""

from __future__ import annotations

import math

import pytest
from support import scenario

from drive_sim.model import simulate
from drive_sim.scenario import Scenario

BUSY = {"referrals": {"annual_rate": 150}, "site": {"horizon_days": 400}}


def test_first_contact_hours_asked_over_a_run_are_the_hours_done_plus_the_hours_still_outstanding():
    # Under the strict gate no client leaves the queue without an outcome, so every
    # attempt asked for was made or is still outstanding at the last week's end. (With a
    # proxy the case can go ahead and close before the IDVA's sign-off, which is then
    # dropped: asked, never done; so no proxies here.)
    s = scenario(BUSY, {"policies": {"proxy_share": 0.0}})
    out = simulate(s, 0)
    idva_weeks = [w for w in out.weeks if w.kind == "idva"]
    asked = sum(w.demand_hours - w.ongoing_hours for w in idva_weeks)
    done = sum(w.first_contact_hours for w in idva_weeks)
    last = max(w.week for w in idva_weeks)
    outstanding = sum(w.first_contact_backlog_hours for w in idva_weeks if w.week == last)
    assert outstanding > 0, "the test needs a backlog"
    assert asked == pytest.approx(done + outstanding)
    for w in idva_weeks:
        assert w.first_contact_due_hours == pytest.approx(w.demand_hours - w.ongoing_hours)
        # clients awaiting an attempt (2 hours each) or her sign-off (half an hour each)
        clients, hours = w.first_contact_backlog_clients, w.first_contact_backlog_hours
        assert (
            clients * s.hours.idva.sign_off_hours - 1e-9 <= hours <= clients * s.hours.idva.first_contact_hours + 1e-9
        )


def test_the_backlog_is_not_in_hours_asked_unless_the_switch_says_so():
    assert Scenario().workforce.burnout.backlog_counts is False
    s = scenario(BUSY, {"workforce": {"burnout": {"consecutive_weeks": 1, "recovery_weeks": 1}}})
    out = simulate(s, 0)
    rule = s.workforce.burnout
    carried: dict[str, float] = {}
    for w in out.weeks:
        if w.kind == "idva" and not w.vacant and w.available_hours > 0:
            # one week above the threshold is burnout under this rule: the flow alone decides
            assert w.burnt_out == (w.demand_hours / w.available_hours > rule.workload_threshold), w
    counted = scenario(BUSY, {"workforce": {"burnout": {"consecutive_weeks": 1, "recovery_weeks": 1,
                                                        "backlog_counts": True}}})  # fmt: skip
    out = simulate(counted, 0)
    for w in out.weeks:
        if w.kind == "idva" and not w.vacant and w.available_hours > 0:
            load = (w.demand_hours + carried.get(w.practitioner, 0.0)) / w.available_hours
            assert w.burnt_out == (load > rule.workload_threshold), w
        carried[w.practitioner] = w.first_contact_backlog_hours


def test_drive_hours_are_the_hours_asked_less_non_drive_work():
    s = scenario({"site": {"horizon_days": 300}})
    out = simulate(s, 0)
    per_case = s.hours.idva.non_drive_hours_per_week
    for w in out.weeks:
        non_drive = w.non_drive_open * per_case if w.kind == "idva" else 0.0
        assert w.drive_hours == pytest.approx(w.demand_hours - non_drive), w
        assert not math.isnan(w.drive_hours)


def test_an_idva_without_drive_cases_gives_drive_no_hours():
    s = scenario({"case_mix": {"already_supported_share": 0.0}, "site": {"horizon_days": 300}})
    out = simulate(s, 0)
    wider = [w for w in out.weeks if w.role == "wider"]
    assert wider and all(w.drive_open == 0 and w.drive_hours == 0 for w in wider)
    assert any(w.demand_hours > 0 for w in wider)
    drive = [w for w in out.weeks if w.role == "drive"]
    assert all(w.drive_hours == pytest.approx(w.demand_hours) for w in drive)  # no business as usual
