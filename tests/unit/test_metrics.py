"""Records to tables and KPIs, checked against values worked out by hand.

The site launches on Monday 2026-03-30 and runs four weeks (28 days). Two IDVAs and one
CM report at the end of weeks 1-4 (days 7, 14, 21, 28):

============  ===  ==================  ==============  =================================
practitioner  FTE  open (Drive+other)  open per FTE    notes
============  ===  ==================  ==============  =================================
Drive IDVA    1.0  18, 22, 25, 21      18, 22, 25, 21  above 20 in weeks 2-4
Wider IDVA    0.5  10, 11, (13), 7     20, 22, -, 14   vacant in week 3; 20 is not above
Case Manager  1.0  10, 14, 16, 12      10, 14, 16, 12  above 15 in week 3
============  ===  ==================  ==============  =================================
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drive_sim.analysis.counterfactual import COUNTERFACTUAL_KPIS
from drive_sim.analysis.metrics import (
    CM_KPIS,
    IDVA_KPIS,
    KPI_INFO,
    SITE_KPIS,
    guidance_for,
    replication_kpis,
    tables,
)
from drive_sim.model.records import (
    CaseRecord,
    PractitionerInfo,
    SimulationOutput,
    SiteWeek,
    WeeklyState,
    WorkforceEvent,
    column_names,
)
from drive_sim.scenario import Scenario, scenario_from_dict

NAN = float("nan")
HORIZON_DAYS = 28.0
MONDAY = dt.date(2026, 3, 30)

PRACTITIONERS = [
    PractitionerInfo("Drive IDVA", "idva", "drive", 1.0, 1.0, 40_000.0),
    PractitionerInfo("Wider IDVA", "idva", "wider", 0.5, 1.0, 20_000.0),
    PractitionerInfo("Case Manager", "cm", "cm", 1.0, 1.0, 45_000.0),
]

# practitioner -> one list per WeeklyState field, weeks 1 to 4
WEEKS = {
    "Drive IDVA": dict(
        drive_open=[18, 22, 25, 19], non_drive_open=[0, 0, 0, 2],
        demand_hours=[20, 28, 30, 25], available_hours=[25, 25, 25, 25],
        shortfall_hours=[0, 3, 5, 0], first_contact_hours=[4, 2, 0, 0], first_contact_queue=[2, 1, 0, 0],
        new_drive_cases=[5, 3, 2, 0], new_non_drive_cases=[0, 0, 0, 1], unreviewed_cases=[0, 0, 0, 0],
        burnt_out=[False, False, True, True], vacant=[False] * 4,
        ongoing_hours=[16, 26, 30, 25], first_contact_due_hours=[4, 2, 0, 0],
        first_contact_backlog_clients=[2, 1, 0, 0], first_contact_backlog_hours=[4, 2, 0, 0],
        drive_hours=[20, 28, 30, 23],
    ),
    "Wider IDVA": dict(
        drive_open=[2, 3, 4, 1], non_drive_open=[8, 8, 9, 6],
        demand_hours=[10, 12, 9, 8], available_hours=[12.5, 12.5, 0, 12.5],
        shortfall_hours=[0, 0, 9, 0], first_contact_hours=[0, 0, 0, 0], first_contact_queue=[0, 0, 1, 0],
        new_drive_cases=[1, 0, 0, 0], new_non_drive_cases=[2, 1, 0, 1], unreviewed_cases=[0, 0, 0, 0],
        burnt_out=[False] * 4, vacant=[False, False, True, False],
        ongoing_hours=[10, 12, 9, 8], first_contact_due_hours=[0, 0, 0, 0],
        first_contact_backlog_clients=[0, 0, 1, 0], first_contact_backlog_hours=[0, 0, 2, 0],
        drive_hours=[3, 4, 5, 1],
    ),
    "Case Manager": dict(
        drive_open=[10, 14, 16, 12], non_drive_open=[0, 0, 0, 0],
        demand_hours=[15, 20, 22, 18], available_hours=[25, 25, 25, 25],
        shortfall_hours=[0, 0, 0, 0], first_contact_hours=[0, 0, 0, 0], first_contact_queue=[0, 0, 0, 0],
        new_drive_cases=[2, 1, 1, 1], new_non_drive_cases=[0, 0, 0, 0], unreviewed_cases=[1, 0, 2, 3],
        burnt_out=[False] * 4, vacant=[False] * 4,
        ongoing_hours=[15, 20, 22, 18], first_contact_due_hours=[0, 0, 0, 0],
        first_contact_backlog_clients=[0, 0, 0, 0], first_contact_backlog_hours=[0, 0, 0, 0],
        drive_hours=[15, 20, 22, 18],
    ),
}  # fmt: skip


def weekly_states() -> list[WeeklyState]:
    info = {p.name: p for p in PRACTITIONERS}
    rows = []
    for week in range(1, 5):
        for name, columns in WEEKS.items():
            p = info[name]
            values = {field: series[week - 1] for field, series in columns.items()}
            rows.append(
                WeeklyState(week=week, day=7.0 * week, practitioner=name, kind=p.kind, role=p.role, fte=p.fte, **values)
            )
    return rows


def case(case_id: int, accepted_day: float, **fields: object) -> CaseRecord:
    base = dict(backdated=False, listed_day=accepted_day, deferrals=0, response="support", already_supported=False,
                already_contacted=False, cross_border=False, cm="Case Manager", idva="Drive IDVA")  # fmt: skip
    if fields.get("first_contact_day") is not None and "first_contact_attempts" not in fields:
        base["first_contact_attempts"] = 1  # the client needed a first contact
    return CaseRecord(case_id=case_id, accepted_day=accepted_day, **(base | fields))


# Day 4 is Friday 3 April, day 7 Monday 6 April. Delays run from acceptance.
CASES = [
    # Friday acceptance, Monday contact: 1 working day, 2.7 calendar days.
    case(1, 4.5, allocated_day=4.5, first_contact_day=7.2, gate_open_day=9.0, contact_strategy_end_day=32.5,
         cm_first_contact_day=40.0, service_user_engaged=1.0),
    # Friday to Wednesday: Fri, Mon, Tue = 3 working days, 5 calendar days.
    case(2, 4.0, allocated_day=4.0, first_contact_day=9.0, gate_open_day=12.0, service_user_engaged=0.0,
         disrupt_only=True),
    # Monday to the next Thursday: 10 days.
    case(3, 14.0, allocated_day=14.0, first_contact_day=24.0),
    case(4, 14.0, response="unreachable", allocated_day=14.0, unreachable_day=20.0, deselected_day=28.0),
    case(5, 21.0, allocated_day=26.0, waitlist_entry_day=21.0, waitlist_exit_day=26.0, waitlist_days=5.0,
         handovers=1, relayed=True, cross_border=True,
         reassignments=2, max_unreviewed_days=50.0),
]  # fmt: skip

EVENTS = [
    WorkforceEvent(15.0, "Wider IDVA", "idva", "left"),
    WorkforceEvent(21.0, "Drive IDVA", "idva", "burnout_start"),
]


def make_output(**changes: object) -> SimulationOutput:
    parts = dict(
        replication=7,
        horizon_days=HORIZON_DAYS,
        practitioners=PRACTITIONERS,
        cases=CASES,
        weeks=weekly_states(),
        workforce_events=EVENTS,
    )
    return SimulationOutput(**(parts | changes))


def make_scenario(warmup_days: float = 0, **sections: dict) -> Scenario:
    data = {"site": {"start_date": MONDAY, "horizon_days": HORIZON_DAYS}, "run": {"warmup_days": warmup_days}}
    return scenario_from_dict(data | sections)


def kpi(kpis: pd.DataFrame, name: str, scope: str, window: str = "steady") -> float:
    rows = kpis[(kpis["kpi"] == name) & (kpis["scope"] == scope) & (kpis["window"] == window)]
    assert len(rows) == 1, f"{len(rows)} rows for {name} at {scope}"
    return float(rows["value"].iloc[0])


@pytest.fixture(scope="module")
def kpis() -> pd.DataFrame:
    return replication_kpis(make_output(), make_scenario())


# --------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------


def test_tables_have_one_row_per_record_and_the_record_fields_after_replication():
    output = make_output(site_weeks=[SiteWeek(1, 7.0, 2, 0, 2, 0, 0)])
    result = tables(output)
    expected = {
        "cases": (CaseRecord, 5),
        "weeks": (WeeklyState, 12),
        "site_weeks": (SiteWeek, 1),
        "workforce_events": (WorkforceEvent, 2),
        "practitioners": (PractitionerInfo, 3),
    }
    assert list(result) == list(expected)
    for name, (row_type, rows) in expected.items():
        derived = ["left_day", "left_reason"] if name == "cases" else []  # analysis.metrics.with_leaving
        assert list(result[name].columns) == ["replication", *column_names(row_type), *derived], name
        assert len(result[name]) == rows, name
        assert (result[name]["replication"] == 7).all(), name
    weeks = result["weeks"]
    assert weeks.loc[(weeks["practitioner"] == "Wider IDVA") & (weeks["week"] == 3), "vacant"].item()
    assert result["cases"]["first_contact_day"].tolist()[:3] == [7.2, 9.0, 24.0]


def test_empty_records_give_empty_tables_with_typed_columns():
    result = tables(SimulationOutput(replication=0, horizon_days=10.0))
    assert all(frame.empty for frame in result.values())
    assert list(result["weeks"].columns) == ["replication", *column_names(WeeklyState)]
    assert result["weeks"]["day"].dtype == np.float64
    assert result["weeks"]["vacant"].dtype == bool
    assert result["cases"]["deferrals"].dtype == np.int64


def test_float_fields_filled_with_ints_stay_float():
    output = make_output(site_weeks=[SiteWeek(1, 7, 2, 0, 2, 0, 0)])  # day given as an int
    assert tables(output)["site_weeks"]["day"].dtype == np.float64


# --------------------------------------------------------------------------------------
# Shape of the KPI table
# --------------------------------------------------------------------------------------


def test_kpi_table_lists_site_then_idva_then_cm_scopes(kpis):
    assert list(kpis.columns) == ["replication", "window", "kpi", "scope", "value"]
    assert (kpis["replication"] == 7).all()
    assert list(kpis["window"].unique()) == ["steady", "launch"]
    launch = kpis[kpis["window"] == "launch"].reset_index(drop=True)
    kpis = kpis[kpis["window"] == "steady"].reset_index(drop=True)
    assert launch[["kpi", "scope"]].equals(kpis[["kpi", "scope"]]), "both windows list the same KPIs"
    assert list(kpis["scope"].unique()) == [
        "site", "group:idva", "group:drive", "group:wider", "idva:Drive IDVA", "idva:Wider IDVA",
        "group:cm", "cm:Case Manager",
    ]  # fmt: skip
    assert kpis.loc[kpis["scope"] == "site", "kpi"].tolist() == list(SITE_KPIS)
    assert kpis.loc[kpis["scope"] == "idva:Wider IDVA", "kpi"].tolist() == list(IDVA_KPIS)
    assert kpis.loc[kpis["scope"] == "group:cm", "kpi"].tolist() == list(CM_KPIS)


def test_every_kpi_has_a_unit_and_description(kpis):
    assert set(KPI_INFO) == set(kpis["kpi"]) | set(COUNTERFACTUAL_KPIS)
    assert all(unit and description for unit, description in KPI_INFO.values())


def test_a_role_without_members_has_no_group():
    drive_only = [p for p in PRACTITIONERS if p.name != "Wider IDVA"]
    weeks = [w for w in weekly_states() if w.practitioner != "Wider IDVA"]
    events = [e for e in EVENTS if e.practitioner != "Wider IDVA"]
    result = replication_kpis(
        make_output(practitioners=drive_only, weeks=weeks, workforce_events=events), make_scenario()
    )
    assert "group:wider" not in set(result["scope"])
    assert "group:drive" in set(result["scope"])


def test_records_naming_an_unknown_practitioner_are_refused():
    stranger = WeeklyState(1, 7.0, "Nobody", "idva", "drive", 1.0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, False, False)
    with pytest.raises(ValueError, match="Nobody"):
        replication_kpis(make_output(weeks=[*weekly_states(), stranger]), make_scenario())


# --------------------------------------------------------------------------------------
# Practitioner KPIs
# --------------------------------------------------------------------------------------


def test_drive_idva_caseload(kpis):
    scope = "idva:Drive IDVA"
    assert kpi(kpis, "open_cases_mean", scope) == pytest.approx(86 / 4)
    assert kpi(kpis, "open_cases_peak", scope) == 25
    assert kpi(kpis, "drive_open_cases_mean", scope) == pytest.approx(84 / 4)
    assert kpi(kpis, "drive_open_cases_peak", scope) == 25
    assert kpi(kpis, "weeks_above_guidance_share", scope) == pytest.approx(3 / 4)
    assert kpi(kpis, "longest_run_above_guidance_weeks", scope) == 3


def test_a_vacant_week_counts_as_vacancy_not_as_a_light_caseload(kpis):
    scope = "idva:Wider IDVA"
    assert kpi(kpis, "open_cases_mean", scope) == pytest.approx((10 + 11 + 7) / 3)
    assert kpi(kpis, "open_cases_peak", scope) == 11
    assert kpi(kpis, "drive_open_cases_peak", scope) == 3
    assert kpi(kpis, "open_cases_per_fte_mean", scope) == pytest.approx((20 + 22 + 14) / 3)
    assert kpi(kpis, "open_cases_per_fte_peak", scope) == pytest.approx(22)
    # 20 per FTE is at guidance, not above it.
    assert kpi(kpis, "weeks_above_guidance_share", scope) == pytest.approx(1 / 3)
    assert kpi(kpis, "longest_run_above_guidance_weeks", scope) == 1
    assert kpi(kpis, "vacancy_days", scope) == 7
    assert kpi(kpis, "uncovered_case_days", scope) == 7 * 13
    assert kpi(kpis, "workload_ratio_mean", scope) == pytest.approx((0.8 + 0.96 + 0.64) / 3)
    assert kpi(kpis, "leavers", scope) == 1


def test_a_group_pools_its_members_weeks(kpis):
    assert kpi(kpis, "open_cases_mean", "group:idva") == pytest.approx((86 + 28) / 7)
    assert kpi(kpis, "open_cases_peak", "group:idva") == 25
    assert kpi(kpis, "weeks_above_guidance_share", "group:idva") == pytest.approx(4 / 7)
    assert kpi(kpis, "longest_run_above_guidance_weeks", "group:idva") == 3
    assert kpi(kpis, "support_shortfall_share", "group:idva") == pytest.approx((8 + 9) / ((103 - 6) + 39))
    assert kpi(kpis, "first_contact_queue_mean", "group:idva") == pytest.approx(4 / 8)
    assert kpi(kpis, "leavers", "group:idva") == 1
    for name in IDVA_KPIS:
        assert kpi(kpis, name, "group:drive") == pytest.approx(kpi(kpis, name, "idva:Drive IDVA"), nan_ok=True)


def test_new_cases_are_annualised_per_fte_over_the_window(kpis):
    years = HORIZON_DAYS / 365
    assert kpi(kpis, "new_cases_per_fte_year", "idva:Drive IDVA") == pytest.approx(11 / 1.0 / years)
    assert kpi(kpis, "new_drive_cases_per_fte_year", "idva:Wider IDVA") == pytest.approx(1 / 0.5 / years)
    assert kpi(kpis, "new_cases_per_fte_year", "group:idva") == pytest.approx((11 + 5) / 1.5 / years)


def test_workload_and_burnout(kpis):
    assert kpi(kpis, "workload_ratio_mean", "idva:Drive IDVA") == pytest.approx((0.8 + 1.12 + 1.2 + 1.0) / 4)
    assert kpi(kpis, "workload_ratio_peak", "idva:Drive IDVA") == pytest.approx(1.2)
    assert kpi(kpis, "burnout_weeks", "idva:Drive IDVA") == 2
    assert kpi(kpis, "burnout_weeks", "group:wider") == 0


def test_case_manager_kpis_count_drive_cases_against_cm_guidance(kpis):
    scope = "cm:Case Manager"
    assert kpi(kpis, "open_cases_mean", scope) == pytest.approx(52 / 4)
    assert kpi(kpis, "open_cases_peak", scope) == 16
    assert kpi(kpis, "weeks_above_guidance_share", scope) == pytest.approx(1 / 4)  # 16 > 15
    assert kpi(kpis, "unreviewed_cases_mean", scope) == pytest.approx(6 / 4)
    assert kpi(kpis, "workload_ratio_peak", scope) == pytest.approx(0.88)
    assert kpi(kpis, "open_cases_mean", "group:cm") == pytest.approx(52 / 4)


def test_a_case_managers_caseload_is_her_drive_cases():
    weeks = weekly_states()
    for w in weeks:
        if w.kind == "cm":
            w.non_drive_open = 5
    result = replication_kpis(make_output(weeks=weeks), make_scenario())
    assert kpi(result, "open_cases_peak", "cm:Case Manager") == 16


def test_guidance_is_read_from_the_scenario():
    scenario = make_scenario(guidance={"idva_open_cases_per_fte": 24, "cm_open_cases_per_fte": 12})
    result = replication_kpis(make_output(), scenario)
    assert kpi(result, "weeks_above_guidance_share", "idva:Drive IDVA") == pytest.approx(1 / 4)  # only 25
    assert kpi(result, "weeks_above_guidance_share", "cm:Case Manager") == pytest.approx(2 / 4)  # 14 and 16


def test_longest_run_is_broken_by_a_gap_in_the_weeks():
    weeks = [w for w in weekly_states() if not (w.practitioner == "Drive IDVA" and w.week == 3)]
    result = replication_kpis(make_output(weeks=weeks), make_scenario())
    assert kpi(result, "longest_run_above_guidance_weeks", "idva:Drive IDVA") == 1


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 2), st.integers(1, 12), st.integers(0, 40)), min_size=1, max_size=40,
             unique_by=lambda row: row[:2]),
)  # fmt: skip
def test_longest_run_matches_a_week_by_week_count(rows):
    """Rows arrive in any order, with gaps: the run is counted over consecutive week numbers."""
    names = ["A", "B", "C"]
    practitioners = [PractitionerInfo(name, "idva", "drive", 1.0, 1.0, 0.0) for name in names]
    weeks = [
        WeeklyState(
            week, 7.0 * week, names[who], "idva", "drive", 1.0, open_cases, 0, 1, 1, 0, 0, 0, 0, 0, 0, False, False
        )
        for who, week, open_cases in rows
    ]
    result = replication_kpis(SimulationOutput(0, 100.0, practitioners, [], weeks), make_scenario())

    def longest(who: int) -> int:
        above = {week for w, week, open_cases in rows if w == who and open_cases > 20}
        best = run = 0
        for week in range(1, 14):
            run = run + 1 if week in above else 0
            best = max(best, run)
        return best

    for who, name in enumerate(names):
        assert kpi(result, "longest_run_above_guidance_weeks", f"idva:{name}") == longest(who)
    assert kpi(result, "longest_run_above_guidance_weeks", "group:idva") == max(map(longest, range(3)))


# --------------------------------------------------------------------------------------
# Site KPIs
# --------------------------------------------------------------------------------------


def test_first_contact_delays(kpis):
    # Delays 2.7, 5 and 10 days; the unreachable and the still-waiting client have none.
    assert kpi(kpis, "first_contact_delay_median_days", "site") == pytest.approx(5)
    assert kpi(kpis, "first_contact_delay_p90_days", "site") == pytest.approx(5 + 0.8 * (10 - 5))
    assert kpi(kpis, "first_contact_within_7_days_share", "site") == pytest.approx(2 / 3)
    assert kpi(kpis, "first_contact_within_target_share", "site") == pytest.approx(2 / 3)


def test_friday_to_monday_is_within_2_working_days_but_not_2_calendar_days(kpis):
    # Fri->Mon counts 1 working day; Fri->Wed counts 3; Mon->Thu next week counts 8.
    assert kpi(kpis, "first_contact_within_2_working_days_share", "site") == pytest.approx(1 / 3)
    friday_to_monday = make_output(cases=CASES[:1])
    result = replication_kpis(friday_to_monday, make_scenario(guidance={"first_contact_days": 2}))
    assert kpi(result, "first_contact_within_2_working_days_share", "site") == 1
    assert kpi(result, "first_contact_within_target_share", "site") == 0


def test_working_days_follow_the_launch_date():
    # Launching on a Wednesday moves day 4.5 to a Sunday and day 7.2 to a Wednesday: Mon, Tue = 2.
    result = replication_kpis(
        make_output(cases=CASES[:1]),
        make_scenario(site={"start_date": dt.date(2026, 4, 1), "horizon_days": HORIZON_DAYS}),
    )
    assert kpi(result, "first_contact_within_2_working_days_share", "site") == 1
    # From a Thursday: Mon 4.5 -> Thu 7.2 is Mon, Tue, Wed = 3.
    result = replication_kpis(
        make_output(cases=CASES[:1]),
        make_scenario(site={"start_date": dt.date(2026, 4, 2), "horizon_days": HORIZON_DAYS}),
    )
    assert kpi(result, "first_contact_within_2_working_days_share", "site") == 0


def test_case_outcomes(kpis):
    assert kpi(kpis, "accepted_cases_per_year", "site") == pytest.approx(5 / (HORIZON_DAYS / 365))
    assert kpi(kpis, "accepted_vs_target", "site") == pytest.approx(5 / (HORIZON_DAYS / 365) / 100)
    assert kpi(kpis, "unreachable_share", "site") == pytest.approx(1 / 5)
    assert kpi(kpis, "cm_first_contact_delay_median_days", "site") == pytest.approx(35.5)
    assert kpi(kpis, "gate_open_delay_median_days", "site") == pytest.approx((4.5 + 8.0) / 2)
    assert kpi(kpis, "service_user_engagement_rate", "site") == pytest.approx(1 / 2)
    assert kpi(kpis, "disrupt_only_share", "site") == pytest.approx(1 / 5)
    assert kpi(kpis, "deselection_rate", "site") == pytest.approx(1 / 5)
    assert kpi(kpis, "waitlist_share", "site") == pytest.approx(1 / 5)
    assert kpi(kpis, "waitlist_days_mean", "site") == pytest.approx(5)
    assert kpi(kpis, "handovers_per_case", "site") == pytest.approx(1 / 5)
    assert kpi(kpis, "relayed_liaison_share", "site") == pytest.approx(1 / 5)
    assert kpi(kpis, "cross_border_share", "site") == pytest.approx(1 / 5)
    assert kpi(kpis, "reassignments_per_case", "site") == pytest.approx(2 / 5)
    assert kpi(kpis, "unreviewed_over_alert_share", "site") == pytest.approx(1 / 5)  # 50 days > 6 weeks


def test_unreviewed_alert_follows_the_scenario():
    scenario = make_scenario(hours={"reviews": {"unreviewed_alert_weeks": 8}})  # 56 days
    assert kpi(replication_kpis(make_output(), scenario), "unreviewed_over_alert_share", "site") == 0


def test_workforce_and_cost(kpis):
    assert kpi(kpis, "any_idva_burnout", "site") == 1
    assert kpi(kpis, "any_drive_idva_burnout", "site") == 1
    assert kpi(kpis, "any_idva_left", "site") == 1
    assert kpi(kpis, "idva_leavers", "site") == 1
    assert kpi(kpis, "cm_leavers", "site") == 0
    assert kpi(kpis, "annual_staff_cost", "site") == 105_000
    assert kpi(kpis, "drive_idva_annual_cost", "site") == 40_000


def test_undefined_kpis_are_nan_not_errors():
    result = replication_kpis(make_output(cases=[], weeks=[], workforce_events=[]), make_scenario())
    assert kpi(result, "accepted_cases_per_year", "site") == 0
    assert math.isnan(kpi(result, "first_contact_delay_median_days", "site"))
    assert math.isnan(kpi(result, "handovers_per_case", "site"))
    assert math.isnan(kpi(result, "open_cases_mean", "group:idva"))
    assert math.isnan(kpi(result, "open_cases_peak", "idva:Drive IDVA"))
    assert kpi(result, "any_idva_burnout", "site") == 0
    assert kpi(result, "annual_staff_cost", "site") == 105_000


# --------------------------------------------------------------------------------------
# Warm-up
# --------------------------------------------------------------------------------------


def test_warmup_leaves_out_earlier_weeks_cases_and_events():
    result = replication_kpis(make_output(), make_scenario(warmup_days=14))
    years = (HORIZON_DAYS - 14) / 365
    # Weeks ending on days 21 and 28; cases accepted on days 14, 14 and 21.
    assert kpi(result, "open_cases_mean", "idva:Drive IDVA") == pytest.approx((25 + 21) / 2)
    assert kpi(result, "longest_run_above_guidance_weeks", "idva:Drive IDVA") == 2
    assert kpi(result, "new_cases_per_fte_year", "idva:Drive IDVA") == pytest.approx(3 / years)
    assert kpi(result, "accepted_cases_per_year", "site") == pytest.approx(3 / years)
    assert kpi(result, "first_contact_delay_median_days", "site") == pytest.approx(10)
    assert kpi(result, "idva_leavers", "site") == 1  # left on day 15

    later = replication_kpis(make_output(), make_scenario(warmup_days=21))
    assert kpi(later, "idva_leavers", "site") == 0
    assert kpi(later, "vacancy_days", "idva:Wider IDVA") == 0
    assert kpi(later, "burnout_weeks", "idva:Drive IDVA") == 1


def test_a_window_of_no_days_is_refused():
    with pytest.raises(ValueError, match="window is empty"):
        replication_kpis(make_output(horizon_days=10.0), make_scenario(warmup_days=14))


# --------------------------------------------------------------------------------------
# Guidance lookup
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "scope", "expected"),
    [
        ("open_cases_per_fte_peak", "idva:Drive IDVA", 24.0),
        ("open_cases_per_fte_mean", "group:wider", 24.0),
        ("open_cases_per_fte_mean", "cm:Case Manager", 12.0),
        ("open_cases_per_fte_peak", "group:cm", 12.0),
        ("new_cases_per_fte_year", "group:idva", 90.0),
        ("new_drive_cases_per_fte_year", "idva:Wider IDVA", 90.0),
        ("accepted_cases_per_year", "site", 80.0),
        ("first_contact_delay_p90_days", "site", 5.0),
        ("open_cases_mean", "group:idva", None),
        ("accepted_cases_per_year", "group:idva", None),
    ],
)
def test_guidance_for(name, scope, expected):
    scenario = make_scenario(
        guidance={
            "idva_open_cases_per_fte": 24, "cm_open_cases_per_fte": 12, "idva_cases_per_year_per_fte": 90,
            "drive_cases_per_year_per_cm_team": 80, "first_contact_days": 5,
        }
    )  # fmt: skip
    assert guidance_for(name, scope, scenario) == expected


def test_clients_who_skipped_first_contact_do_not_count_in_delays():
    # Already met at MARAC: contacted at allocation with no attempt. Counting it would add a 0.
    skipped = case(9, 4.5, allocated_day=4.5, first_contact_day=4.5, first_contact_attempts=0)
    result = replication_kpis(make_output(cases=[*CASES, skipped]), make_scenario())
    assert kpi(result, "first_contact_delay_median_days", "site") == pytest.approx(5)


def test_a_team_leader_is_compared_on_her_share_of_a_caseload():
    roster = [
        PractitionerInfo("Drive IDVA", "idva", "drive", 1.0, 1.0, 0.0),
        PractitionerInfo("Team Leader", "cm", "team_leader", 1.0, 0.5, 0.0),
    ]
    weeks = [
        WeeklyState(1, 7.0, "Drive IDVA", "idva", "drive", 1.0, 10, 0, 10.0, 26.0, 0.0, 0.0, 0, 0, 0, 0, False, False),
        WeeklyState(
            1, 7.0, "Team Leader", "cm", "team_leader", 1.0, 8, 0, 8.0, 13.0, 0.0, 0.0, 0, 0, 0, 0, False, False
        ),
    ]
    output = make_output(weeks=weeks, cases=[], practitioners=roster, workforce_events=[])
    result = replication_kpis(output, make_scenario())
    assert kpi(result, "open_cases_per_fte_mean", "cm:Team Leader") == pytest.approx(16)


# --------------------------------------------------------------------------------------
# Issue 12: delays from acceptance, the waitlist and the gate on their own
# --------------------------------------------------------------------------------------


def test_first_contact_delay_runs_from_acceptance_and_includes_the_waitlist():
    # Accepted on day 0, 20 days on the list, contacted 3 days after getting a place.
    waited = case(1, 0.0, waitlist_entry_day=0.0, waitlist_exit_day=20.0, waitlist_days=20.0, allocated_day=20.0,
                  first_contact_day=23.0)  # fmt: skip
    result = replication_kpis(make_output(cases=[waited]), make_scenario())
    assert kpi(result, "first_contact_delay_median_days", "site") == pytest.approx(23)
    assert kpi(result, "first_contact_within_7_days_share", "site") == 0
    assert kpi(result, "waitlist_wait_median_days", "site") == pytest.approx(20)


def test_waitlist_waits_count_the_waits_that_ended():
    cases = [
        case(1, 0.0, waitlist_entry_day=0.0, waitlist_exit_day=10.0, waitlist_days=10.0, allocated_day=10.0),
        case(2, 0.0, waitlist_entry_day=0.0, waitlist_exit_day=4.0, waitlist_days=4.0),  # closed while waiting
        case(3, 7.0, waitlist_entry_day=7.0),  # still waiting at the end of the run
        case(4, 7.0, allocated_day=7.0),
    ]
    result = replication_kpis(make_output(cases=cases), make_scenario())
    assert kpi(result, "waitlist_wait_median_days", "site") == pytest.approx(7)
    assert kpi(result, "waitlist_wait_p90_days", "site") == pytest.approx(4 + 0.9 * 6)


def test_gate_measures_are_separate():
    cases = [
        # Strategy done on day 28, gate open on day 5: the strategy set the CM's contact day.
        case(1, 0.0, gate_open_day=5.0, contact_strategy_end_day=28.0, cm_first_contact_day=28.0),
        # Gate open on day 40, after the strategy: the CM waited 12 days on the IDVA.
        case(2, 0.0, gate_open_day=40.0, contact_strategy_end_day=28.0, cm_first_contact_day=40.0),
        case(3, 0.0, gate_open_day=60.0, contact_strategy_end_day=28.0, cm_first_contact_day=60.0),
        # Unreachable under the strict gate: never opened, no CM contact.
        case(4, 0.0, response="unreachable", contact_strategy_end_day=28.0),
    ]
    result = replication_kpis(make_output(cases=cases, horizon_days=100.0), make_scenario())
    assert kpi(result, "gate_open_delay_median_days", "site") == pytest.approx(40)
    assert kpi(result, "cm_first_contact_delay_median_days", "site") == pytest.approx(40)
    assert kpi(result, "gate_bound_share", "site") == pytest.approx(2 / 3)
    assert kpi(result, "cm_wait_on_idva_median_days", "site") == pytest.approx((12 + 32) / 2)


def test_accepted_cases_a_year_leave_out_the_launch_backlog():
    cases = [case(1, 0.0, backdated=True), case(2, 1.0, backdated=True), *CASES]
    result = replication_kpis(make_output(cases=cases), make_scenario())
    assert kpi(result, "accepted_cases_per_year", "site") == pytest.approx(5 / (HORIZON_DAYS / 365))
    assert kpi(result, "backlog_cases", "site") == 2


def test_the_first_contact_backlog_is_its_own_measure(kpis):
    # Clients whose next attempt is due at a week's end, mean over the 4 weeks; a group adds up.
    assert kpi(kpis, "first_contact_backlog_clients", "idva:Drive IDVA") == pytest.approx(3 / 4)
    assert kpi(kpis, "first_contact_backlog_clients", "idva:Wider IDVA") == pytest.approx(1 / 4)
    assert kpi(kpis, "first_contact_backlog_clients", "group:idva") == pytest.approx(1)
    assert kpi(kpis, "first_contact_backlog_clients", "site") == pytest.approx(1)
    assert kpi(kpis, "first_contact_backlog_hours", "group:idva") == pytest.approx(8 / 4)
    # Shortfall is over ongoing work asked for, not over hours asked with first contacts.
    assert kpi(kpis, "support_shortfall_share", "idva:Drive IDVA") == pytest.approx(8 / 97)


def test_the_idva_resource_drive_adds_is_its_hours_a_week_and_their_fte(kpis):
    one_fte = 37.5 * 0.7  # contracted hours x productive share
    drive, wider = (20 + 28 + 30 + 23) / 4, (3 + 4 + 5 + 1) / 4
    assert kpi(kpis, "drive_idva_hours_per_week", "idva:Drive IDVA") == pytest.approx(drive)
    assert kpi(kpis, "drive_idva_hours_per_week", "idva:Wider IDVA") == pytest.approx(wider)
    assert kpi(kpis, "drive_idva_hours_per_week", "group:wider") == pytest.approx(wider)
    assert kpi(kpis, "drive_idva_hours_per_week", "group:idva") == pytest.approx(drive + wider)
    assert kpi(kpis, "drive_idva_hours_per_week", "site") == pytest.approx(drive + wider)
    assert kpi(kpis, "drive_idva_fte_equivalent", "site") == pytest.approx((drive + wider) / one_fte)
    assert kpi(kpis, "drive_idva_fte_equivalent", "idva:Drive IDVA") == pytest.approx(drive / one_fte)


def test_the_launch_window_reads_the_first_26_weeks_whatever_the_warmup():
    # The run is 28 days long, so the launch window is all of it, warm-up or not.
    after_warmup = replication_kpis(make_output(), make_scenario(warmup_days=14))
    whole = replication_kpis(make_output(), make_scenario(warmup_days=0))
    for name, scope in [
        ("open_cases_mean", "idva:Drive IDVA"),
        ("accepted_cases_per_year", "site"),
        ("idva_leavers", "site"),
        ("first_contact_delay_median_days", "site"),
    ]:
        assert kpi(after_warmup, name, scope, "launch") == pytest.approx(kpi(whole, name, scope)), name
    assert kpi(after_warmup, "warmup_days", "site") == 14
    assert kpi(after_warmup, "warmup_days", "site", "launch") == 0


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(
        st.one_of(
            st.floats(allow_nan=True, allow_infinity=True),
            st.sampled_from([0.0, -0.0, 1.0, 7.5, -3.0, math.nan, -math.nan, math.inf]),
        ),
        max_size=200,
    ),
    qs=st.lists(st.one_of(st.sampled_from([0.0, 0.5, 0.9, 1.0]), st.floats(0, 1)), min_size=1, max_size=4),
)
def test_the_kpis_quantiles_are_numpys_to_the_bit(values, qs):
    """The KPIs' own quantiles (they skip np.quantile's overhead) give np.quantile's numbers exactly."""
    from drive_sim.analysis.metrics import _quantiles

    array = np.array(values, dtype=float)
    got = _quantiles(array, tuple(qs))
    with np.errstate(invalid="ignore"):  # np.quantile's own interpolation warns between infinities
        expected = np.quantile(array, qs).tolist() if values else [math.nan] * len(qs)
    assert np.array_equal(np.array(got), np.array(expected), equal_nan=True)
    assert [math.copysign(1, g) for g in got] == [math.copysign(1, e) for e in expected]  # the sign of a zero too
