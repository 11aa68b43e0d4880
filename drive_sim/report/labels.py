"""Display labels and the headline KPIs: presentation data shared by the CLI and reports.

KPI keys stay plain snake_case in the tables; the words a planner reads live here.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["HEADLINE", "Headline", "scope_label"]


class Headline(NamedTuple):
    kpi: str
    scope: str
    label: str
    better: str  # "lower" | "higher" | "" (no direction)
    digits: int = 1


#: The KPIs a planner or commissioner reads first, in reading order.
HEADLINE: tuple[Headline, ...] = (
    Headline("open_cases_per_fte_mean", "group:drive", "Drive IDVA open cases per FTE, mean", "lower"),
    Headline("open_cases_per_fte_peak", "group:drive", "Drive IDVA open cases per FTE, peak", "lower"),
    Headline("weeks_above_guidance_share", "group:drive", "Drive IDVA weeks above guidance (share)", "lower", 2),
    Headline("longest_run_above_guidance_weeks", "group:drive", "Longest run above guidance (weeks)", "lower", 0),
    Headline("new_cases_per_fte_year", "group:drive", "New cases a year per Drive IDVA FTE", "lower", 0),
    Headline("open_cases_per_fte_mean", "group:wider", "Wider-team IDVA open cases per FTE, mean", "lower"),
    Headline("workload_ratio_mean", "group:drive", "Drive IDVA workload (hours asked / hours available)", "lower", 2),
    Headline("first_contact_delay_median_days", "site", "Days to IDVA first contact, median", "lower"),
    Headline("first_contact_delay_p90_days", "site", "Days to IDVA first contact, 90th percentile", "lower"),
    Headline(
        "first_contact_within_2_working_days_share", "site", "First contact within 2 working days (share)", "higher", 2
    ),
    Headline("cm_first_contact_delay_median_days", "site", "Days to CM contact with the service user, median", "lower"),
    Headline("service_user_engagement_rate", "site", "Service users engaging (share of those contacted)", "higher", 2),
    Headline("deselection_rate", "site", "Cases deselected (share)", "lower", 2),
    Headline("support_shortfall_share", "group:idva", "IDVA support hours not delivered (share)", "lower", 2),
    Headline("any_drive_idva_burnout", "site", "Chance a Drive IDVA burns out", "lower", 2),
    Headline("any_idva_burnout", "site", "Chance any IDVA burns out (wider team included)", "lower", 2),
    Headline("idva_leavers", "site", "IDVAs leaving during the run", "lower", 2),
    Headline("open_cases_per_fte_mean", "group:cm", "CM open cases per FTE, mean", "lower"),
    Headline("accepted_cases_per_year", "site", "Drive cases accepted a year", "", 0),
    Headline("annual_staff_cost", "site", "Annual staff cost (GBP, with on-costs)", "", 0),
)


def scope_label(scope: str) -> str:
    """'group:drive' -> 'Drive IDVAs'; 'idva:Drive IDVA' -> 'Drive IDVA'."""
    groups = {
        "site": "Site",
        "group:drive": "Drive IDVAs",
        "group:wider": "Wider IDVA team",
        "group:idva": "All IDVAs",
        "group:cm": "Case Managers",
    }
    if scope in groups:
        return groups[scope]
    return scope.split(":", 1)[-1]
