"""The study's launch levers as model mechanisms (issue 19, item 1).

Each lever's default leaves the model as it was (the golden files hold that); each test
here switches one lever on and shows, with paired intervals on common random numbers,
that it moves what it should.
"""

from __future__ import annotations

import math

import pytest
from support import scenario

from drive_sim.analysis.stats import paired_differences
from drive_sim.model import simulate
from drive_sim.runs.experiment import open_backend, run_experiment

ONE_YEAR = {"site": {"horizon_days": 365}}


def _paired(base, changed, window, replications=12):
    with open_backend("serial") as runner:
        kpis = run_experiment(
            [base, changed], replications=replications, labels=["as given", "changed"], keep_tables=False, runner=runner
        ).kpis
    return paired_differences(kpis[kpis["window"] == window], "as given").set_index(["kpi", "scope"])


def _clear(differences, kpi, direction, scope="site"):
    row = differences.loc[(kpi, scope)]
    text = (
        f"{kpi} ({scope}): {row['baseline_mean']:.4g} -> {row['scenario_mean']:.4g}, "
        f"difference {row['mean_difference']:.4g} [{row['ci_low']:.4g}, {row['ci_high']:.4g}]"
    )
    assert (row["ci_low"] > 0) if direction == "up" else (row["ci_high"] < 0), text
    return text


def test_an_idva_service_bought_in_after_180_days_lengthens_first_contact_at_launch():
    late = {"launch": {"idva_buy_in_days": 180, "first_contact_share_before_buy_in": 0.3}}
    differences = _paired(scenario(ONE_YEAR), scenario(ONE_YEAR, late), "launch")
    print(_clear(differences, "first_contact_delay_median_days", "up"))


def test_before_buy_in_the_panel_idva_attends_fewer_panels_and_spends_fewer_hours():
    absent = {"launch": {"idva_buy_in_days": 180, "panel_attendance_before_buy_in": 0.0}}
    differences = _paired(scenario(ONE_YEAR), scenario(ONE_YEAR, absent), "launch")
    print(_clear(differences, "workload_ratio_mean", "down", "group:drive"))


TWO_CMS = {"teams": {"case_managers": [{"name": "Case Manager", "count": 2}]}}
INDUCTION_HOURS = 20.0
INDUCTING = {"hours": {"cm": {"induction_hours_per_idva": INDUCTION_HOURS}}}


def _structure(drive_idvas):
    return {
        "teams": {
            "idvas": [
                {"name": "Drive IDVA", "count": drive_idvas, "attends_panel": True},
                {"name": "Wider IDVA", "count": 4 - drive_idvas, "role": "wider"},
            ]
        }
    }


def test_cm_inductions_raise_cm_hours_at_launch_by_the_hours_per_drive_idva():
    base = scenario(ONE_YEAR, TWO_CMS, _structure(2))
    differences = _paired(base, scenario(ONE_YEAR, TWO_CMS, _structure(2), INDUCTING), "launch")
    text = _clear(differences, "workload_ratio_mean", "up", "group:cm")
    # Two Drive IDVAs' inductions, shared by two CMs over the 26 launch weeks.
    available = 37.5 * base.hours.productive_share
    expected = 2 * INDUCTION_HOURS / (2 * 26 * available)
    assert abs(differences.loc[("workload_ratio_mean", "group:cm"), "mean_difference"] - expected) < 0.25 * expected, (
        f"{text}; expected about {expected:.4g}"
    )
    print(text, f"expected {expected:.4g}")


def test_two_drive_idvas_cost_more_cm_induction_hours_than_one():
    costs = {}
    for drive_idvas in (1, 2):
        base = scenario(ONE_YEAR, TWO_CMS, _structure(drive_idvas))
        differences = _paired(base, scenario(ONE_YEAR, TWO_CMS, _structure(drive_idvas), INDUCTING), "launch")
        costs[drive_idvas] = differences.loc[("workload_ratio_mean", "group:cm")]
    one, two = costs[1], costs[2]
    assert two["ci_low"] > one["ci_high"], (one, two)
    print(
        f"one Drive IDVA: {one['mean_difference']:.4g} [{one['ci_low']:.4g}, {one['ci_high']:.4g}]; "
        f"two: {two['mean_difference']:.4g} [{two['ci_low']:.4g}, {two['ci_high']:.4g}]"
    )


STEP_DOWN = {"durations": {"step_down_days": 90}, "hours": {"cm": {"step_down_hours_per_week": 1.0}}}
TWO_YEARS = {"site": {"horizon_days": 730}}


@pytest.mark.parametrize("closure", ["together", "cm_waits"])
def test_step_down_support_after_cm_closure_raises_cm_workload_not_her_open_cases(closure):
    policy = {"policies": {"closure": closure}}
    differences = _paired(scenario(TWO_YEARS, policy), scenario(TWO_YEARS, policy, STEP_DOWN), "steady")
    text = _clear(differences, "workload_ratio_mean", "up", "group:cm")
    # Step-down is off her caseload: her open cases do not rise (they may fall a little, as
    # a busier CM writes contact strategies more slowly and fewer service users engage).
    open_cases = differences.loc[("open_cases_mean", "group:cm")]
    assert open_cases["ci_low"] <= 0, open_cases
    print(
        text,
        f"open cases {open_cases['mean_difference']:.4g} [{open_cases['ci_low']:.4g}, {open_cases['ci_high']:.4g}]",
    )


@pytest.mark.parametrize("liaison", ["direct", "relayed"])
def test_co_location_two_days_a_week_makes_the_information_the_cm_hears_younger(liaison):
    routing = {"routing": {"liaison": liaison}}
    co_located = {"routing": {"co_location_days_per_week": 2}}
    differences = _paired(scenario(ONE_YEAR, routing), scenario(ONE_YEAR, routing, co_located), "steady")
    print(_clear(differences, "information_age_mean_days", "down"))


def test_rerouting_cross_border_cases_takes_them_and_their_hours_off_this_sites_idvas():
    cross_border = {"case_mix": {"cross_border_share": 0.3}}
    reroute = {"routing": {"cross_border": "reroute"}}
    base = scenario(ONE_YEAR, cross_border)
    differences = _paired(base, scenario(ONE_YEAR, cross_border, reroute), "steady")
    texts = [
        _clear(differences, "drive_idva_hours_per_week", "down"),
        _clear(differences, "drive_open_cases_mean", "down", "group:idva"),
    ]
    print("; ".join(texts))
    out = simulate(scenario(ONE_YEAR, cross_border, reroute), 0)
    rerouted = [case for case in out.cases if case.cross_border]
    assert rerouted and all(math.isnan(case.allocated_day) for case in rerouted)
    assert {case.gate_word for case in rerouted} <= {"other_area", ""}


def test_one_named_contact_carries_the_query_load_that_all_drive_idvas_would_share():
    queries = {"hours": {"idva": {"query_hours_per_case_per_week": 0.25}}}
    shared = scenario(ONE_YEAR, _structure(2), queries, {"routing": {"contacts": "all_drive"}})
    named = scenario(ONE_YEAR, _structure(2), queries, {"routing": {"contacts": "named"}})
    differences = _paired(shared, named, "steady")
    texts = [
        _clear(differences, "workload_ratio_mean", "up", "idva:Drive IDVA 1"),
        _clear(differences, "workload_ratio_mean", "down", "idva:Drive IDVA 2"),
    ]
    print("; ".join(texts))


def test_a_new_starter_who_may_hold_drive_cases_costs_the_cms_her_induction_in_the_week_she_starts():
    turnover = {
        "workforce": {
            "idva_attrition": {"enabled": True, "annual_turnover": 0.6, "vacancy_days": {"kind": "fixed", "value": 30}}
        },
        "site": {"horizon_days": 730},
    }
    base = simulate(scenario(turnover), 0)

    def cm_hours_asked(out):
        weeks: dict[int, float] = {}
        for week in out.weeks:
            if week.kind == "cm":
                weeks[week.week] = weeks.get(week.week, 0.0) + week.demand_hours
        return weeks

    asked = cm_hours_asked(base)
    for induction_for in ("drive", "all"):
        inducting = {"hours": {"cm": {"induction_hours_per_idva": INDUCTION_HOURS, "induction_for": induction_for}}}
        out = simulate(scenario(turnover, inducting), 0)
        extra = cm_hours_asked(out)
        starters = [e for e in out.workforce_events if e.event == "started" and e.kind == "idva"]
        assert any(e.practitioner.startswith("Drive") for e in starters) and any(
            e.practitioner.startswith("Wider") for e in starters
        )
        assert abs(extra[1] - asked[1] - INDUCTION_HOURS * (1 if induction_for == "drive" else 4)) < 1e-9
        # Each week with starters asks her induction of the CMs for every inducted starter
        # (two can start in one week).
        inducted_in: dict[int, int] = {}
        for event in starters:
            week = math.ceil((event.day - 0.75) / 7)  # the weekly tick ends week w at 7w + 0.75
            inducted = induction_for == "all" or event.practitioner.startswith("Drive")
            inducted_in[week] = inducted_in.get(week, 0) + inducted
        for week, inducted in inducted_in.items():
            # Exact until the runs drift apart (a busier CM writes strategies more slowly), then near.
            difference = extra[week] - asked[week]
            assert abs(difference - INDUCTION_HOURS * inducted) < 0.25 * INDUCTION_HOURS, (week, inducted, difference)
