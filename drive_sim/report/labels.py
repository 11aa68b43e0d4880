"""Display labels and the headline KPIs: presentation data shared by the CLI and reports.

KPI keys stay plain snake_case in the tables, and scenario parameters dotted paths in
files and ``--set``; the words a planner reads for both live here (:func:`parameter_label`,
:func:`point_words`, :func:`label_words` for a sweep point's saved label).
"""

from __future__ import annotations

import functools
import numbers
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from drive_sim.scenario import Scenario

__all__ = [
    "HEADLINE",
    "PARAMETER_LABELS",
    "SCENARIO_PATH",
    "Headline",
    "in_sentence",
    "label_words",
    "parameter_label",
    "point_words",
    "scope_label",
    "value_words",
]


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


# --------------------------------------------------------------------------------------
# Scenario parameters in words
# --------------------------------------------------------------------------------------

#: The axis of a sweep over several scenario files (``drive_sim.runs.sweep.SCENARIO_AXIS``).
SCENARIO_PATH = "scenario"

_ENTRY = re.compile(r"^teams\.(?P<team>idvas|case_managers)\[(?P<index>\d+)\](?:\.(?P<key>\w+))?$")

#: Hand-written labels of the paths a planner sweeps (``[i]`` for a team entry's position).
PARAMETER_LABELS: dict[str, str] = {
    SCENARIO_PATH: "Structure",
    "site.horizon_days": "Days simulated",
    "site.start_date": "Launch date",
    "referrals.annual_rate": "Referrals a year",
    "referrals.dispersion": "Referral over-dispersion",
    "referrals.deferral_probability": "Chance a case is deferred at panel",
    "backdating.months": "Backdated months",
    "backdating.arrival_spread_days": "Days the backlog arrives over",
    "backdating.already_supported_share": "Backlog clients already supported",
    "case_mix.already_supported_share": "Clients already supported",
    "durations.extension_probability": "Chance a case is extended",
    "durations.extension_days": "Extension length",
    "policies.gate": "Gate policy",
    "policies.closure": "Closure policy",
    "policies.cautious_after_days": "Days before cautious disrupt work",
    "policies.withhold_share": "Clients whose sign-off is withheld",
    "policies.proxy_share": "Cases with a proxy's information",
    "routing.support": "Group supporting clients",
    "routing.monitoring": "Group monitoring clients",
    "routing.unreachable": "Group contacting unreachable clients",
    "routing.intake": "Intake group",
    "routing.foresight": "Routing on foresight",
    "routing.already_supported": "Already-supported clients",
    "routing.backdated": "Backlog routing",
    "routing.pick": "How an IDVA is picked",
    "routing.handover": "Handover to a Drive IDVA",
    "routing.liaison": "Liaison",
    "routing.liaison_delay_days": "Liaison delay (days)",
    "routing.relay_delay_days": "Relay delay (days)",
    "routing.caseload_cap": "IDVA caseload cap",
    "routing.cm_caseload_cap": "CM caseload cap",
    "routing.when_full": "When an IDVA is full",
    "hours.productive_share": "Productive share of hours",
    "hours.contracted_hours_per_week": "Contracted hours a week",
    "workforce.burnout.rule": "Burnout rule",
    "workforce.burnout.workload_threshold": "Burnout workload threshold",
    "workforce.idva_attrition.annual_turnover": "IDVA turnover a year",
    "workforce.cm_attrition.annual_turnover": "CM turnover a year",
    "guidance.idva_open_cases_per_fte": "IDVA caseload guidance",
    "guidance.first_contact_days": "First-contact target (days)",
    "costs.idva_salary": "IDVA salary",
    "costs.cm_salary": "CM salary",
    "run.seed": "Seed",
    "run.replications": "Replications",
    "run.warmup_days": "Warm-up days",
}

#: Labels of a team entry's keys, ``{}`` standing for the entry's name.
_ENTRY_LABELS: dict[str, str] = {
    "fte": "{} FTE",
    "non_drive_referrals_per_year": "{} business-as-usual referrals a year",
    "salary": "{} salary",
    "caseload_share": "{} caseload share",
    "allocation_weight": "{} allocation weight",
}


def _entry_name(team: str, index: int, scenario: Scenario | None) -> str:
    """The name of ``teams.<team>[index]`` in ``scenario`` (else the default site's)."""
    from drive_sim.scenario import Scenario

    entries = getattr((scenario or Scenario()).teams, team)
    if index < len(entries):
        return str(entries[index].name)
    return f"Entry {index + 1} {'IDVA' if team == 'idvas' else 'Case Manager'}"


def _plural(name: str) -> str:
    return name if name.endswith("s") else f"{name}s"


@functools.cache
def _schema_labels() -> dict[str, str]:
    """Each schema key (``[i]`` for list positions) -> a label from its title, else its description."""
    from drive_sim.scenario.reference import scenario_keys

    return {key.path: _first_clause(key.description) or _humane(key.path) for key in scenario_keys()}


def _first_clause(description: str) -> str:
    """'Length of a run in days. Assumption: 3 years.' -> 'Length of a run in days'; '' if it reads badly."""
    clause = re.split(r"[.;:(]|, | - | – ", description.strip(), maxsplit=1)[0].strip()
    if (
        not clause
        or clause[0] in "'\""
        or clause.isupper()
        or clause.lower() == "assumption"
        or len(clause) > 48
        or re.search(r"\d|§|extract", clause)
    ):
        return ""
    return clause[0].upper() + clause[1:]


def _humane(path: str) -> str:
    """The last key of a path in words: 'policies.engagement.half_life_days' -> 'Engagement half life days'."""
    parts = [p for p in re.sub(r"\[\w*\]", "", path).split(".") if p]
    if not parts:
        return path
    words = " ".join(parts[-2:] if len(parts) > 2 else parts[-1:]).replace("_", " ")
    return words[0].upper() + words[1:]


def parameter_label(path: str, scenario: Scenario | None = None) -> str:
    """A dotted scenario path in words, for axis titles, legends and sentences.

    ``teams.idvas[0].count`` -> "Drive IDVAs" (that entry's name in ``scenario``, else in
    the default site); ``backdating.months`` -> "Backdated months"; a path without a
    hand-written label takes the first clause of its schema description, else its last
    keys in words. The raw path only when it is not a scenario path at all.
    """
    entry = _ENTRY.match(path)
    if entry:
        name = _entry_name(entry["team"], int(entry["index"]), scenario)
        if (entry["key"] or "count") == "count":
            return _plural(name)
        pattern = _ENTRY_LABELS.get(entry["key"])
        if pattern is not None:
            return pattern.format(name)
        key = _schema_labels().get(f"teams.{entry['team']}[i].{entry['key']}") or _humane(path)
        return f"{name}: {key[0].lower()}{key[1:]}"
    plain = re.sub(r"\[\d+\]", "[i]", path)
    if plain in PARAMETER_LABELS:
        return PARAMETER_LABELS[plain]
    found = _schema_labels().get(plain)
    if found:
        return found
    return _humane(path) if "." in path else path


def _number(value: numbers.Real) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:g}"


def value_words(path: str, value: object, scenario: Scenario | None = None) -> str:
    """One swept value in words: ('backdating.months', 3) -> 'backdated 3 months'."""
    label = parameter_label(path, scenario)
    plain = re.sub(r"\[\d+\]", "[i]", path)
    number = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if path == SCENARIO_PATH:
        return str(value)
    if isinstance(value, bool):
        return f"{label}: {'yes' if value else 'no'}"
    if plain == "backdating.months" and number:
        return "not backdated" if value == 0 else f"backdated {_number(value)} month{'s' if value != 1 else ''}"
    if plain == "referrals.annual_rate" and number:
        return f"{_number(value)} referrals a year"
    if plain == "site.horizon_days" and number:
        years = float(value) / 365
        if abs(years - round(years)) < 0.05 and round(years) >= 1:
            return f"{round(years)} year{'s' if round(years) != 1 else ''} simulated"
        return f"{_number(value)} days simulated"
    if plain == "policies.gate" and isinstance(value, str):
        return "no gate" if value == "none" else f"{value} gate"
    if plain == "policies.closure" and isinstance(value, str):
        return f"closure {value.replace('_', ' ')}"
    return f"{label} {_number(value) if number else value}"


#: First words that keep their capital inside a sentence: names of roles and places.
_PROPER = frozenset({"Drive", "Case", "Team", "Panel", "Wider", "Site", "Entry", "IDVA", "IDVAs", "CM", "CMs", "MARAC"})


def in_sentence(label: str) -> str:
    """A label as it reads inside a sentence: 'Backdated months' -> 'backdated months'; 'Drive IDVAs' stays."""
    first = label.split(" ", 1)[0]
    if not label or first in _PROPER or first.isupper() or label.startswith(SCENARIO_PATH.title() + " "):
        return label
    return label[0].lower() + label[1:]


def point_words(
    assignments: Iterable[tuple[str, object]] | Mapping[str, object], scenario: Scenario | None = None
) -> str:
    """A sweep point in words: ``teams.idvas[0].count=2, backdating.months=3`` -> 'Drive IDVAs 2, backdated 3 months'.

    Give only the values that vary between points: a value every point shares belongs in
    the page's header, said once.
    """
    items = list(assignments.items() if isinstance(assignments, Mapping) else assignments)
    structure = [str(value) for path, value in items if path == SCENARIO_PATH]
    rest = ", ".join(value_words(path, value, scenario) for path, value in items if path != SCENARIO_PATH)
    # a site's name may hold commas of its own: set it apart from the values
    return " · ".join([*structure, rest] if rest else structure) or "as given"


_ASSIGNMENT = re.compile(r"^(?P<path>[a-z_]+(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)*)=(?P<value>.+)$", re.DOTALL)
#: Splits a sweep label at the comma before each ``path=``, not at commas inside a value.
_NEXT = re.compile(r", (?=[a-z_]+(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)*=)")


def _read_value(text: str) -> object:
    """A value as a sweep label writes it (TOML-like): numbers and true/false back to values."""
    if text in ("true", "false"):
        return text == "true"
    try:
        number = float(text)
    except ValueError:
        return text.strip('"')
    return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number


def label_words(label: str, scenario: Scenario | None = None) -> str:
    """A sweep point's label (``teams.idvas[0].count=2, backdating.months=3``) in words; other labels as they are.

    A label is read as a sweep point's only when every part of it is ``path=value`` with a
    scenario path (or ``scenario=<file>``), so a site's own name is never rewritten.
    """
    parts = _NEXT.split(label)
    found = [_ASSIGNMENT.match(part) for part in parts]
    if not all(found):
        return label
    items = [(m["path"], _read_value(m["value"])) for m in found if m is not None]
    sections = _sections()
    if not all(path == SCENARIO_PATH or path.split(".", 1)[0].split("[", 1)[0] in sections for path, _ in items):
        return label
    return point_words(items, scenario)


@functools.cache
def _sections() -> frozenset[str]:
    from drive_sim.scenario import Scenario

    return frozenset(Scenario.model_fields)
