"""The KPI catalogue: names, units and meanings, the KPIs of each scope, their guidance.

Names only: :mod:`drive_sim.analysis.metrics` computes the values (and re-exports these).
"""

from __future__ import annotations

from drive_sim.scenario import Scenario

__all__ = [
    "CM_KPIS",
    "GUIDANCE_KPIS",
    "IDVA_KPIS",
    "KPI_INFO",
    "KPI_WINDOW",
    "SITE_KPIS",
    "WINDOWS",
    "guidance_for",
    "scope_kind",
]

# --------------------------------------------------------------------------------------
# KPI names, units and what each is compared against
# --------------------------------------------------------------------------------------

#: KPI name -> (unit, one-line description). Display labels belong to the report layer.
KPI_INFO: dict[str, tuple[str, str]] = {
    # Site, from the cases accepted in the window unless said.
    "accepted_cases_per_year": ("cases a year", "Drive cases accepted a year at panel, the launch backlog aside."),
    "accepted_vs_target": ("ratio", "Accepted cases a year (backlog aside) over the Drive target per CM team."),
    "backlog_cases": ("cases", "Backdated cases accepted at launch (the backlog), counted on their own."),
    "first_contact_delay_median_days": (
        "days",
        "Median days from acceptance at panel to the IDVA's first contact with the client, any wait for a place "
        "included.",
    ),
    "first_contact_delay_p90_days": (
        "days",
        "90th percentile of days from acceptance at panel to first contact, any wait for a place included.",
    ),
    "first_contact_within_2_working_days_share": (
        "share",
        "Share of first contacts made at most 2 working days (Mon-Fri) after the day of acceptance.",
    ),
    "first_contact_within_7_days_share": ("share", "Share of first contacts made within 7 days of acceptance."),
    "first_contact_within_target_share": (
        "share",
        "Share of first contacts made within guidance.first_contact_days of acceptance.",
    ),
    "waitlist_wait_median_days": (
        "days",
        "Median days on the waitlist for an IDVA place, among clients whose wait ended in the run.",
    ),
    "waitlist_wait_p90_days": (
        "days",
        "90th percentile of days on the waitlist for an IDVA place, among clients whose wait ended in the run.",
    ),
    "marac_to_acceptance_median_days": (
        "days",
        "Median days from a case's first MARAC listing to its acceptance: MARAC deferrals, and with "
        "referrals.perpetrator_panel the wait for the panel's decision (cases listed at MARAC only).",
    ),
    "unreachable_share": ("share", "Share of clients allocated an IDVA whom she could not reach."),
    "gate_open_delay_median_days": (
        "days",
        "Median days from acceptance until the gate opened: the IDVA's first contact (acceptance under gate 'none').",
    ),
    "cm_first_contact_delay_median_days": (
        "days",
        "Median days from acceptance to the CM's first contact with the service user (strategy written, gate open).",
    ),
    "cm_first_contact_delay_p90_days": (
        "days",
        "90th percentile of days from acceptance to the CM's first contact with the service user: where the gate "
        "binds, it moves this tail before the median.",
    ),
    "gate_bound_share": (
        "share",
        "Share of CM first contacts whose day the gate set: it opened after the contact strategy was written.",
    ),
    "cm_wait_on_idva_median_days": (
        "days",
        "Median days a CM waited on the IDVA after writing the contact strategy, among gate-bound contacts.",
    ),
    "service_user_engagement_rate": ("share", "Share of contacted service users who engaged."),
    "disrupt_only_share": ("share", "Share of cases given disrupt-only work."),
    "deselection_rate": ("share", "Share of accepted cases deselected."),
    "waitlist_share": ("share", "Share of cases that waited for an IDVA place."),
    "waitlist_days_mean": ("days", "Mean wait for an IDVA place among the cases that waited."),
    "client_disengaged_share": ("share", "Share of clients met by an IDVA who later disengaged from support."),
    "client_reengaged_share": ("share", "Share of disengaged clients who came back into support."),
    "service_user_dropout_share": ("share", "Share of engaged service users who stopped engaging during direct work."),
    "engagement_lost_to_wait": (
        "share",
        "Chance of service-user engagement lost to the wait on the gate after the strategy was written, "
        "mean over cases the CM contacted (the 'window of opportunity', extract §2.4, L309).",
    ),
    "proxy_gate_share": ("share", "Share of opened gates opened by a proxy professional's information, not the IDVA."),
    "cm_waitlist_share": ("share", "Share of accepted cases that waited for a Case Manager place (CM caseload cap)."),
    "handovers_per_case": ("handovers", "Handovers from a wider-team IDVA to a Drive IDVA per case."),
    "transfers_per_case": (
        "transfers",
        "Times a client met at intake moved to the IDVA group her response calls for, per case.",
    ),
    "relayed_liaison_share": ("share", "Share of cases whose CM-IDVA liaison was relayed via the named Drive IDVA."),
    "information_age_mean_days": (
        "days",
        "Mean over reviewed cases of the mean age of the information the CM heard at the case's joint reviews: "
        "at each review, routing.liaison_delay_days, plus routing.relay_delay_days while its liaison is relayed.",
    ),
    "cross_border_share": ("share", "Share of cases whose IDVA works in another area."),
    "reassignments_per_case": ("reassignments", "Times a case moved to another practitioner because one left."),
    "unreviewed_over_alert_share": (
        "share",
        "Share of cases once left without a joint review for longer than hours.reviews.unreviewed_alert_weeks.",
    ),
    "any_idva_burnout": ("0 or 1", "1 if any IDVA burnt out; its mean over replications is the probability."),
    "any_idva_left": ("0 or 1", "1 if any IDVA left; its mean over replications is the probability."),
    "any_drive_idva_burnout": ("0 or 1", "1 if any named Drive IDVA burnt out; its mean is the probability."),
    "idva_leavers": ("people", "IDVAs who left."),
    "cm_leavers": ("people", "Case Managers (Team Leaders included) who left."),
    "annual_staff_cost": ("GBP a year", "Cost a year of every post in the scenario, on-costs included."),
    "drive_idva_annual_cost": ("GBP a year", "Cost a year of the named Drive IDVA posts, on-costs included."),
    # The resource Drive adds (drive_sim.analysis.counterfactual): paired with a twin without Drive.
    "drive_added_fte": ("FTE", "IDVA FTE of work Drive adds: hours asked of IDVAs with Drive minus without, per FTE."),
    "drive_added_idva_hours_per_week": ("hours a week", "Hours a week asked of the IDVAs with Drive minus without."),
    "bau_idva_caseload_vs_guidance": (
        "ratio",
        "Without Drive: IDVA open cases per FTE over the guidance caseload (business as usual alone).",
    ),
    "warmup_days": (
        "days",
        "Days before the window starts: the warm-up (MSER-5 or run.warmup_days) for steady, 0 for launch.",
    ),
    # Practitioners and groups of them.
    "open_cases_mean": (
        "cases",
        "Mean open cases per staffed practitioner-week (IDVAs: Drive and non-Drive; CMs: Drive).",
    ),
    "open_cases_peak": ("cases", "Most open cases one practitioner in scope held at the end of a staffed week."),
    "drive_open_cases_mean": ("cases", "Mean open Drive cases per staffed IDVA-week."),
    "drive_open_cases_peak": ("cases", "Most open Drive cases one IDVA in scope held at the end of a staffed week."),
    "open_cases_per_fte_mean": ("cases per FTE", "Mean of open cases over FTE across staffed practitioner-weeks."),
    "open_cases_per_fte_peak": ("cases per FTE", "Highest open cases over FTE in a staffed practitioner-week."),
    "weeks_above_guidance_share": (
        "share",
        "Share of staffed practitioner-weeks with open cases per FTE above the guidance caseload.",
    ),
    "longest_run_above_guidance_weeks": (
        "weeks",
        "Longest run of consecutive weeks one practitioner in scope spent above the guidance caseload.",
    ),
    "new_cases_per_fte_year": ("cases per FTE a year", "New Drive and non-Drive cases a year per IDVA FTE."),
    "new_drive_cases_per_fte_year": ("cases per FTE a year", "New Drive cases a year per IDVA FTE."),
    "workload_ratio_mean": (
        "ratio",
        "Mean of hours asked over hours available, across staffed weeks with hours available. Hours asked are a "
        "flow: each piece of work in the week it falls due, the first-contact backlog not counted again.",
    ),
    "workload_ratio_peak": ("ratio", "Highest weekly hours demanded over hours available."),
    "burnout_weeks": ("weeks", "Practitioner-weeks spent burnt out."),
    "support_shortfall_share": (
        "share",
        "Hours of ongoing work (cases held, meetings, liaison, non-Drive cases) asked for but not delivered, over "
        "the hours of ongoing work asked for; first contacts are not in either.",
    ),
    "leavers": ("people", "Practitioners in scope who left."),
    "vacancy_days": ("days", "Days posts in scope stood vacant (7 per vacant week)."),
    "uncovered_case_days": ("case-days", "Open cases on vacant posts, times 7 days per vacant week."),
    "first_contact_queue_mean": (
        "clients",
        "Mean clients waiting for first contact (or the IDVA's sign-off after it) at the end of a practitioner-week.",
    ),
    "first_contact_backlog_clients": (
        "clients",
        "Clients in scope whose next first-contact attempt is due but not made, or who await the IDVA's "
        "sign-off, at a week's end (mean over weeks).",
    ),
    "drive_idva_hours_per_week": (
        "hours a week",
        "IDVA hours a week Drive cases ask for (first contacts, support, monitoring, reviews, liaison, panel): "
        "the resource Drive adds beside business as usual (extract p14, L76).",
    ),
    "drive_idva_fte_equivalent": (
        "FTE",
        "drive_idva_hours_per_week over one FTE's productive hours a week (contracted x productive share).",
    ),
    "first_contact_backlog_hours": (
        "hours",
        "Hours of those outstanding first-contact attempts and sign-offs, at a week's end (mean over weeks); "
        "not in hours asked.",
    ),
    "unreviewed_cases_mean": ("cases", "Mean unreviewed cases at the end of a CM-week."),
}

SITE_KPIS: tuple[str, ...] = (
    "accepted_cases_per_year",
    "accepted_vs_target",
    "backlog_cases",
    "first_contact_delay_median_days",
    "first_contact_delay_p90_days",
    "first_contact_within_2_working_days_share",
    "first_contact_within_7_days_share",
    "first_contact_within_target_share",
    "waitlist_wait_median_days",
    "waitlist_wait_p90_days",
    "marac_to_acceptance_median_days",
    "unreachable_share",
    "gate_open_delay_median_days",
    "cm_first_contact_delay_median_days",
    "cm_first_contact_delay_p90_days",
    "gate_bound_share",
    "cm_wait_on_idva_median_days",
    "service_user_engagement_rate",
    "disrupt_only_share",
    "deselection_rate",
    "waitlist_share",
    "waitlist_days_mean",
    "engagement_lost_to_wait",
    "proxy_gate_share",
    "client_disengaged_share",
    "client_reengaged_share",
    "service_user_dropout_share",
    "cm_waitlist_share",
    "handovers_per_case",
    "transfers_per_case",
    "relayed_liaison_share",
    "information_age_mean_days",
    "cross_border_share",
    "reassignments_per_case",
    "unreviewed_over_alert_share",
    "any_idva_burnout",
    "any_idva_left",
    "any_drive_idva_burnout",
    "idva_leavers",
    "cm_leavers",
    "annual_staff_cost",
    "drive_idva_annual_cost",
    "first_contact_backlog_clients",
    "first_contact_backlog_hours",
    "drive_idva_hours_per_week",
    "drive_idva_fte_equivalent",
    "warmup_days",
)

IDVA_KPIS: tuple[str, ...] = (
    "open_cases_mean",
    "open_cases_peak",
    "drive_open_cases_mean",
    "drive_open_cases_peak",
    "open_cases_per_fte_mean",
    "open_cases_per_fte_peak",
    "weeks_above_guidance_share",
    "longest_run_above_guidance_weeks",
    "new_cases_per_fte_year",
    "new_drive_cases_per_fte_year",
    "workload_ratio_mean",
    "workload_ratio_peak",
    "burnout_weeks",
    "support_shortfall_share",
    "leavers",
    "vacancy_days",
    "uncovered_case_days",
    "first_contact_queue_mean",
    "first_contact_backlog_clients",
    "first_contact_backlog_hours",
    "drive_idva_hours_per_week",
    "drive_idva_fte_equivalent",
)

CM_KPIS: tuple[str, ...] = (
    "open_cases_mean",
    "open_cases_peak",
    "open_cases_per_fte_mean",
    "open_cases_per_fte_peak",
    "weeks_above_guidance_share",
    "workload_ratio_mean",
    "workload_ratio_peak",
    "burnout_weeks",
    "leavers",
    "vacancy_days",
    "uncovered_case_days",
    "unreviewed_cases_mean",
)

#: (scope kind, kpi) -> the field of ``scenario.guidance`` the KPI is compared against.
#: Scope kinds: "site", "idva" (IDVA groups and IDVAs), "cm" (the CM group and CMs).
GUIDANCE_KPIS: dict[tuple[str, str], str] = {
    ("idva", "open_cases_per_fte_mean"): "idva_open_cases_per_fte",
    ("idva", "open_cases_per_fte_peak"): "idva_open_cases_per_fte",
    ("idva", "new_cases_per_fte_year"): "idva_cases_per_year_per_fte",
    ("idva", "new_drive_cases_per_fte_year"): "idva_cases_per_year_per_fte",
    ("cm", "open_cases_per_fte_mean"): "cm_open_cases_per_fte",
    ("cm", "open_cases_per_fte_peak"): "cm_open_cases_per_fte",
    ("site", "accepted_cases_per_year"): "drive_cases_per_year_per_cm_team",
    ("site", "first_contact_delay_p90_days"): "first_contact_days",
}


#: Window kind -> which records a KPI of that kind reads (``metrics`` module docstring: **Window**).
WINDOWS: dict[str, str] = {
    "cases": "Cases accepted in the window (steady: after the warm-up; launch: the first 26 weeks).",
    "staffed_weeks": "Staffed practitioner-weeks ending in the window: a vacancy does not pass for a light caseload.",
    "all_weeks": "Every practitioner-week ending in the window, vacant weeks included.",
    "vacant_weeks": "Vacant practitioner-weeks ending in the window.",
    "leavers": "Practitioners leaving in the window.",
    "launch_backlog": "The backdated cases accepted at launch that fall in the window.",
    "twin": "Weeks ending in the window, with Drive and in its twin without Drive (paired by replication).",
    "window_start": "Where the window starts: no records read.",
    "staffing": "No window: the posts of the scenario as given.",
}

#: KPI name -> its window kind in :data:`WINDOWS`, as ``metrics`` reads it.
KPI_WINDOW: dict[str, str] = {
    **dict.fromkeys(
        (
            "accepted_cases_per_year", "accepted_vs_target", "first_contact_delay_median_days",
            "first_contact_delay_p90_days", "first_contact_within_2_working_days_share",
            "first_contact_within_7_days_share", "first_contact_within_target_share", "unreachable_share",
            "waitlist_wait_median_days", "waitlist_wait_p90_days", "marac_to_acceptance_median_days",
            "gate_open_delay_median_days",
            "cm_first_contact_delay_median_days", "cm_first_contact_delay_p90_days", "gate_bound_share",
            "cm_wait_on_idva_median_days",
            "service_user_engagement_rate", "disrupt_only_share", "deselection_rate", "waitlist_share",
            "waitlist_days_mean", "engagement_lost_to_wait", "proxy_gate_share", "client_disengaged_share",
            "client_reengaged_share", "service_user_dropout_share", "cm_waitlist_share",
            "handovers_per_case", "transfers_per_case",
            "relayed_liaison_share", "information_age_mean_days",
            "cross_border_share", "reassignments_per_case", "unreviewed_over_alert_share",
        ),
        "cases",
    ),
    "backlog_cases": "launch_backlog",
    **dict.fromkeys(
        (
            "open_cases_mean", "open_cases_peak", "drive_open_cases_mean", "drive_open_cases_peak",
            "open_cases_per_fte_mean", "open_cases_per_fte_peak", "weeks_above_guidance_share",
            "longest_run_above_guidance_weeks", "workload_ratio_mean", "workload_ratio_peak",
        ),
        "staffed_weeks",
    ),
    **dict.fromkeys(
        (
            "any_idva_burnout", "any_drive_idva_burnout", "burnout_weeks", "new_cases_per_fte_year",
            "new_drive_cases_per_fte_year", "support_shortfall_share", "first_contact_queue_mean",
            "unreviewed_cases_mean", "first_contact_backlog_clients", "first_contact_backlog_hours",
            "drive_idva_hours_per_week", "drive_idva_fte_equivalent",
        ),
        "all_weeks",
    ),
    **dict.fromkeys(("vacancy_days", "uncovered_case_days"), "vacant_weeks"),
    **dict.fromkeys(("any_idva_left", "idva_leavers", "cm_leavers", "leavers"), "leavers"),
    **dict.fromkeys(("annual_staff_cost", "drive_idva_annual_cost"), "staffing"),
    **dict.fromkeys(("drive_added_fte", "drive_added_idva_hours_per_week", "bau_idva_caseload_vs_guidance"), "twin"),
    "warmup_days": "window_start",
}  # fmt: skip


def scope_kind(scope: str) -> str:
    if scope == "site":
        return "site"
    if scope == "group:cm" or scope.startswith("cm:"):
        return "cm"
    return "idva"


def guidance_for(kpi: str, scope: str, scenario: Scenario) -> float | None:
    """The guidance figure a KPI is measured against, if it has one.

    Args:
        kpi: A KPI name, such as ``open_cases_per_fte_peak``.
        scope: The scope of the value, such as ``group:drive`` or ``cm:Case Manager 1``.
        scenario: Supplies the guidance figures the run used.

    Returns:
        The figure from ``scenario.guidance``, or ``None`` for a KPI without one.
    """
    field = GUIDANCE_KPIS.get((scope_kind(scope), kpi))
    return None if field is None else float(getattr(scenario.guidance, field))
