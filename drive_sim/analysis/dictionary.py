"""The data dictionary: every column of every table drive-sim writes, with its type, unit and meaning.

One source of truth. :func:`table_schema` turns a table's columns into a Frictionless
Table Schema, :func:`data_package` a results folder's tables into one ``schema.json``
(a Frictionless tabular data package), and :func:`dictionary_markdown` renders the
whole dictionary for ``reports/README.md``. ``tests/unit/test_dictionary.py`` fails
when a table gains a column without a description here.

Times are days from launch (day 0 is ``site.start_date``). A weekly snapshot of week
``w`` is taken at day ``7w + 0.75`` (``model.hours.TICK_TIME``): after that day's panel
(day ``7w``), allocations and first-contact round (``7w + 0.5``), so the week's work is in
it; the ``day`` column of ``weeks`` and ``site_weeks`` is ``7w``, the day the snapshot
is taken on. A time that never happened is empty in CSV and null (NaN) in Parquet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Column",
    "TABLES",
    "UndescribedColumn",
    "data_package",
    "describe_column",
    "dictionary_markdown",
    "table_schema",
]


@dataclass(frozen=True)
class Column:
    """One column: its Frictionless type, unit ('' for none) and meaning."""

    type: str
    unit: str
    description: str


class UndescribedColumn(KeyError):
    """A table has a column the dictionary does not describe (a bug: add it to :data:`TABLES`)."""


def _c(type_: str, unit: str, description: str) -> Column:
    return Column(type_, unit, description)


_DAY = "days from launch"
_COMMON: dict[str, Column] = {
    "replication": _c("integer", "", "Replication number (0, 1, ...): the same number ran on the same random numbers."),
    "scenario": _c("string", "", "The scenario's label (its site.name, or the name given on the command line)."),
    "point": _c("integer", "", "Sweep point (0, 1, ...; the points table says what was set at each)."),
    "window": _c(
        "string", "", "'steady' (after the warm-up to the horizon) or 'launch' (the first 26 weeks): the KPI's window."
    ),
    "kpi": _c(
        "string", "", "KPI name; its definition and unit are in the KPI reference (the documentation site's KPIs page)."
    ),
    "scope": _c(
        "string",
        "",
        "Whom the KPI covers: 'site', 'group:drive' (the Drive IDVAs), 'group:wider' (the wider IDVA team), "
        "'group:idva' (all IDVAs), 'group:cm' (Case Managers), or one practitioner ('idva:<name>', 'cm:<name>').",
    ),
}

#: Table name -> (what one row is, {column: Column}). Columns shared by many tables
#: (replication, scenario, point, window, kpi, scope) are in ``_COMMON``.
TABLES: dict[str, tuple[str, dict[str, Column]]] = {
    "cases": (
        "One Drive case (one service user and one client) as it stood at the end of the run.",
        {
            "case_id": _c("integer", "", "Case number within the replication, in order of listing."),
            "backdated": _c("boolean", "", "A backdated referral accepted at launch (the launch backlog)."),
            "listed_day": _c("number", _DAY, "First listed at a panel (MARAC, or the perpetrator panel)."),
            "accepted_day": _c("number", _DAY, "Accepted onto Drive at a panel."),
            "deferrals": _c("integer", "", "Times the case was deferred to the next meeting before acceptance."),
            "response": _c("string", "", "The client's response: support, monitoring or unreachable."),
            "already_supported": _c("boolean", "", "The client already had an IDVA when the case was accepted."),
            "already_contacted": _c(
                "boolean", "", "The client was already met (e.g. through MARAC): no first contact."
            ),
            "cross_border": _c("boolean", "", "The client lives outside the site's area (extra liaison)."),
            "cm": _c("string", "", "The Case Manager holding the case (after any reassignment)."),
            "idva": _c("string", "", "The IDVA first allocated the client."),
            "final_idva": _c("string", "", "The IDVA holding the client at the end of the run."),
            "idva_group": _c("string", "", "Group of the IDVA first allocated: drive or wider."),
            "former_idva": _c("string", "", "An already-supported client's own IDVA, when she moved to another."),
            "waitlist_entry_day": _c("number", _DAY, "Put on the waitlist for an IDVA place."),
            "waitlist_exit_day": _c("number", _DAY, "Off the waitlist: given a place, or the case ended."),
            "waitlist_days": _c("number", "days", "Days on the waitlist for an IDVA place (0: never waited)."),
            "allocated_day": _c("number", _DAY, "Given an IDVA place (after any wait on the list)."),
            "first_contact_day": _c("number", _DAY, "The IDVA's first contact with the client."),
            "first_contact_attempts": _c("integer", "", "First-contact attempts made."),
            "unreachable_day": _c("number", _DAY, "Every first-contact attempt failed: the client was unreachable."),
            "cm_allocated_day": _c("number", _DAY, "Given a Case Manager (after any wait for a CM place)."),
            "cm_waitlist_days": _c("number", "days", "Days waiting for a CM place (routing.cm_caseload_cap)."),
            "contact_strategy_end_day": _c("number", _DAY, "The CM's contact strategy was written."),
            "gate_open_day": _c(
                "number", _DAY, "The gate opened: the IDVA's sign-off or a proxy's word (acceptance under gate 'none')."
            ),
            "gate_word": _c(
                "string",
                "",
                "Who opened the gate: signed_off (the IDVA), proxy, or other_area (a re-routed cross-border "
                "case's IDVA elsewhere, routing.cross_border); empty under gate 'none' or if shut.",
            ),
            "cm_first_contact_day": _c("number", _DAY, "The CM contacted the service user: strategy done, gate open."),
            "service_user_engaged": _c("number", "", "1 if the service user engaged, 0 if not; empty if no contact."),
            "client_disengaged_day": _c(
                "number", _DAY, "The client left support (to monitoring, or the IDVA closed her side); the first time."
            ),
            "client_reengaged_day": _c("number", _DAY, "Back in support after disengaging to monitoring."),
            "service_user_dropout_day": _c("number", _DAY, "An engaged service user stopped engaging."),
            "engagement_lost_to_wait": _c(
                "number", "probability", "Chance of engagement lost to the wait on the gate (empty: no contact)."
            ),
            "disrupt_only": _c("boolean", "", "Worked as disrupt-only (no direct work with the service user)."),
            "deselected_day": _c("number", _DAY, "Deselected (taken off Drive)."),
            "cm_closed_day": _c("number", _DAY, "The CM closed her side."),
            "idva_closed_day": _c("number", _DAY, "The IDVA closed her side."),
            "extended": _c("boolean", "", "The CM intervention was extended."),
            "handovers": _c("integer", "", "Handovers of the client between IDVA groups."),
            "transfers": _c("integer", "", "Moves to the group her response calls for, after first contact at intake."),
            "reassignments": _c("integer", "", "Reassignments because a practitioner left."),
            "relayed": _c("boolean", "", "Liaison for this case went through the Drive IDVA (routing.liaison)."),
            "max_unreviewed_days": _c("number", "days", "Longest time the case went without a joint review."),
            "reviews": _c("integer", "", "Joint CM-IDVA reviews of the case."),
            "info_age_days": _c(
                "number", "days", "Mean age of the information heard at the case's reviews (empty: never reviewed)."
            ),
            "status": _c("string", "", "open, closed or deselected at the end of the run."),
            "marac_day": _c("number", _DAY, "First listed at a MARAC (empty: listed at a perpetrator panel)."),
            "panel_day": _c("number", _DAY, "The perpetrator panel's decision after MARAC (empty: MARAC alone)."),
            "panel_deferrals": _c("integer", "", "Times put back to the next perpetrator-panel meeting."),
            "left_day": _c(
                "number",
                _DAY,
                "When the case left the system: deselected, or both sides closed (empty: still open at the horizon).",
            ),
            "left_reason": _c(
                "string",
                "",
                "Why it left: completed (closed after the intervention), deselected: client unreachable, "
                "deselected: service user not engaging, deselected (other); empty while open.",
            ),
        },
    ),
    "weeks": (
        "One practitioner at one weekly snapshot (day 7w + 0.75): caseload, hours asked and had, burnout.",
        {
            "week": _c("integer", "weeks", "Week number w (1, 2, ...): the snapshot is at day 7w + 0.75."),
            "day": _c("number", _DAY, "7w, the day of the snapshot (taken at 0.75 of that day)."),
            "practitioner": _c("string", "", "The practitioner's name."),
            "kind": _c("string", "", "idva or cm."),
            "role": _c("string", "", "drive, wider, cm or team_leader."),
            "fte": _c("number", "FTE", "Full-time equivalent of the post."),
            "drive_open": _c("integer", "cases", "Drive cases held."),
            "non_drive_open": _c("integer", "cases", "Non-Drive (business-as-usual) cases held."),
            "demand_hours": _c("number", "hours", "Hours of work asked this week: ongoing + first contact due."),
            "available_hours": _c("number", "hours", "Productive hours the practitioner had this week (0 if vacant)."),
            "shortfall_hours": _c("number", "hours", "Ongoing work asked that her hours could not cover."),
            "first_contact_hours": _c("number", "hours", "Hours spent on first-contact attempts this week."),
            "first_contact_queue": _c("integer", "clients", "Clients waiting for first contact at the snapshot."),
            "new_drive_cases": _c("integer", "cases", "Drive cases allocated this week."),
            "new_non_drive_cases": _c("integer", "cases", "Non-Drive cases allocated this week."),
            "unreviewed_cases": _c("integer", "cases", "Cases past the unreviewed alert (hours.reviews)."),
            "burnt_out": _c("boolean", "", "Burnt out at the snapshot (workforce.burnout rule)."),
            "vacant": _c("boolean", "", "The post was vacant."),
            "ongoing_hours": _c("number", "hours", "Cases held, meetings, liaison and non-Drive work this week."),
            "first_contact_due_hours": _c("number", "hours", "First-contact attempts that fell due this week."),
            "first_contact_backlog_clients": _c("integer", "clients", "Clients whose next attempt is due, not made."),
            "first_contact_backlog_hours": _c("number", "hours", "The hours of those attempts."),
            "drive_hours": _c("number", "hours", "The part of demand_hours Drive cases ask for (all of a CM's)."),
        },
    ),
    "site_weeks": (
        "The whole site at one weekly snapshot (day 7w + 0.75): cases accepted, waiting, open, closed.",
        {
            "week": _c("integer", "weeks", "Week number w: the snapshot is at day 7w + 0.75."),
            "day": _c("number", _DAY, "7w, the day of the snapshot (taken at 0.75 of that day)."),
            "accepted": _c("integer", "cases", "Cases accepted so far."),
            "waiting": _c("integer", "cases", "Accepted cases waiting for an IDVA place."),
            "open": _c("integer", "cases", "Accepted cases not yet closed or deselected."),
            "closed": _c("integer", "cases", "Cases closed so far."),
            "deselected": _c("integer", "cases", "Cases deselected so far."),
        },
    ),
    "workforce_events": (
        "One workforce event: a burnout starting or ending, a practitioner leaving or starting.",
        {
            "day": _c("number", _DAY, "When it happened."),
            "practitioner": _c("string", "", "The practitioner's name (a post keeps its name across starters)."),
            "kind": _c("string", "", "idva or cm."),
            "event": _c("string", "", "burnout_start, burnout_end, left or started."),
        },
    ),
    "practitioners": (
        "One post of the scenario as given.",
        {
            "name": _c("string", "", "The practitioner's name."),
            "kind": _c("string", "", "idva or cm."),
            "role": _c("string", "", "drive, wider, cm or team_leader."),
            "fte": _c("number", "FTE", "Full-time equivalent of the post."),
            "capacity_share": _c("number", "share", "Share of the post's hours given to caseload work."),
            "annual_cost": _c("number", "GBP a year", "Cost of the post a year, on-costs included."),
        },
    ),
    "kpis": (
        "One KPI of one replication, window and scope.",
        {"value": _c("number", "the KPI's unit", "The KPI's value (empty where it is undefined, e.g. no cases).")},
    ),
    "summary": (
        "One KPI across replications: mean and its 95% confidence interval.",
        {
            "n": _c("integer", "replications", "Replications with a value."),
            "mean": _c("number", "the KPI's unit", "Mean across replications."),
            "sd": _c("number", "the KPI's unit", "Standard deviation across replications."),
            "ci_low": _c("number", "the KPI's unit", "Lower end of the 95% confidence interval of the mean."),
            "ci_high": _c("number", "the KPI's unit", "Upper end of the 95% confidence interval of the mean."),
            "half_width": _c("number", "the KPI's unit", "Half the interval's width (it need not be symmetric)."),
            "relative_precision": _c(
                "number", "share", "half_width over the absolute mean (empty when the mean is 0)."
            ),
            "interval": _c("string", "", "The interval's method: t, clopper-pearson or quasi-binomial wilson."),
        },
    ),
    "differences": (
        "One KPI of one scenario minus the baseline's, paired by replication (common random numbers).",
        {
            "n": _c("integer", "pairs", "Replication pairs with both values defined."),
            "mean_difference": _c("number", "the KPI's unit", "Mean of scenario minus baseline."),
            "ci_low": _c("number", "the KPI's unit", "Lower end of the paired 95% interval of the difference."),
            "ci_high": _c("number", "the KPI's unit", "Upper end of the paired 95% interval of the difference."),
            "clear": _c("boolean", "", "The interval excludes 0."),
            "baseline_mean": _c("number", "the KPI's unit", "The baseline's mean over the same pairs."),
            "scenario_mean": _c("number", "the KPI's unit", "The scenario's mean over the same pairs."),
        },
    ),
    "points": (
        "One sweep point: what was set there (one column per swept scenario key).",
        {
            "label": _c("string", "", "The point's label: the values set, path=value."),
            "world": _c("integer", "", "The world (draw of the uncertain assumptions) this point runs."),
            "staffing": _c(
                "integer",
                "posts",
                "Drive IDVA posts at this point (explore: the count of the structure's staffing group, which the "
                "explorer page names for each structure).",
            ),
        },
    ),
    "levels": (
        "One staffing level of a sizing: its KPIs against the targets, cost and the resource Drive adds.",
        {
            "level": _c("integer", "", "Level number (0: as given; then one more Drive IDVA post at each level)."),
            "label": _c("string", "", "The level in words."),
            "drive_idva_posts": _c("integer", "posts", "Drive IDVA posts at this level."),
            "drive_idva_fte": _c("number", "FTE", "Drive IDVA FTE at this level."),
            "replications": _c("integer", "replications", "Replications run at this level."),
            "worlds": _c("integer", "worlds", "Worlds (draws of the uncertain assumptions) run at this level."),
            "bound_confidence": _c("number", "share", "Confidence of the one-sided bound each target is judged on."),
            "drive_added_fte": _c("number", "FTE", "IDVA FTE Drive adds over the twin without Drive (mean)."),
            "drive_added_fte_low": _c("number", "FTE", "Lower end of its 95% interval."),
            "drive_added_fte_high": _c("number", "FTE", "Upper end of its 95% interval."),
            "bau_caseload_vs_guidance": _c("number", "ratio", "Wider-team caseload per FTE over guidance (mean)."),
            "bau_caseload_vs_guidance_low": _c("number", "ratio", "Lower end of its 95% interval."),
            "bau_caseload_vs_guidance_high": _c("number", "ratio", "Upper end of its 95% interval."),
            "drive_idva_annual_cost": _c("number", "GBP a year", "Cost of the Drive IDVA posts a year."),
            "annual_staff_cost": _c("number", "GBP a year", "Cost of every post a year."),
            "all_met": _c("boolean", "", "Every target is met at this level."),
            "chosen": _c("boolean", "", "The level the sizing recommends (the first meeting every target)."),
            "drive_fte": _c("number", "FTE", "Drive IDVA FTE at this level (size --uncertain)."),
            "share_meeting_all": _c("number", "share", "Share of worlds in which every target is met at this level."),
            "ci_low": _c("number", "share", "Lower end of that share's exact (Clopper-Pearson) 95% interval."),
            "ci_high": _c("number", "share", "Upper end of that share's exact (Clopper-Pearson) 95% interval."),
        },
    ),
    "months": (
        "One launch plan, replication, month after launch and measure (drive-sim launch).",
        {
            "month": _c("integer", "months", "Month after launch (1: the first 365/12 days)."),
            "measure": _c(
                "string",
                "",
                "accepted, backlog (cases accepted that month, backdated ones apart), open_per_fte (Drive IDVA open "
                "cases per FTE), first_contact_days (median of the month's clients), spare_hours (Drive IDVA hours "
                "a week not asked for), burnout (1 if a Drive IDVA was burnt out that month), cost (GBP to date).",
            ),
            "value": _c("number", "the measure's unit", "The measure's value in that month and replication."),
        },
    ),
    "plans": (
        "One launch plan: what its answer says (drive-sim launch).",
        {
            "label": _c("string", "", "The plan's name."),
            "above_from_week": _c("integer", "weeks", "First week the mean Drive IDVA caseload is above guidance."),
            "above_to_week": _c("integer", "weeks", "Last such week in the months shown."),
            "burnout": _c("number", "probability", "Chance a Drive IDVA burns out in the first 26 weeks."),
            "burnout_low": _c("number", "probability", "Lower end of its exact (Clopper-Pearson) 95% interval."),
            "burnout_high": _c("number", "probability", "Upper end of its exact (Clopper-Pearson) 95% interval."),
            "steady_month": _c("number", "months", "Month steady state begins: the mean MSER-5 warm-up."),
            "peak_per_fte": _c("number", "cases per FTE", "Peak weekly mean Drive IDVA open cases per FTE."),
            "replications": _c("integer", "replications", "Replications of the plan."),
        },
    ),
    "worlds": (
        "One world: a draw of the uncertain assumptions (one column per varied scenario key).",
        {
            "world": _c("integer", "", "World number."),
            "stage": _c("string", "", "The design stage that drew it (e.g. sobol, screening, direct)."),
            "required_level": _c("integer", "", "The first staffing level meeting every target in this world."),
        },
    ),
    "parameters": (
        "One uncertain assumption: its range, the value as given, and the range's source.",
        {
            "parameter": _c("string", "", "The scenario key varied."),
            "kind": _c("string", "", "The range's shape: uniform, triangular or loguniform."),
            "low": _c("number", "the key's unit", "Lowest plausible value."),
            "mode": _c("number", "the key's unit", "Most likely value (triangular ranges)."),
            "high": _c("number", "the key's unit", "Highest plausible value."),
            "value": _c("number", "the key's unit", "The value as given in the scenario."),
            "default_range": _c("boolean", "", "The range is drive-sim's documented default, not the file's."),
            "source": _c("string", "", "Where the range comes from (a citation, or 'assumption')."),
        },
    ),
    "sensitivity": (
        "One sensitivity index of one assumption on one KPI.",
        {
            "parameter": _c("string", "", "The scenario key."),
            "method": _c("string", "", "morris (mu*), sobol first-order or total, direct or from the emulator."),
            "index": _c("number", "", "The index (Sobol: share of the KPI's variance; Morris: mean |effect|)."),
            "ci_low": _c("number", "", "Lower end of its 95% interval."),
            "ci_high": _c("number", "", "Upper end of its 95% interval."),
        },
    ),
    "variance": (
        "How much of a KPI's spread across worlds the assumptions make, and how much replication noise.",
        {
            "worlds": _c("integer", "worlds", "Worlds run."),
            "replications": _c("integer", "replications", "Replications in each world."),
            "mean": _c("number", "the KPI's unit", "Mean across worlds."),
            "p05": _c("number", "the KPI's unit", "5th percentile across worlds."),
            "p50": _c("number", "the KPI's unit", "Median across worlds."),
            "p95": _c("number", "the KPI's unit", "95th percentile across worlds."),
            "parameter_variance": _c("number", "unit squared", "Variance across worlds the assumptions make."),
            "noise_variance": _c("number", "unit squared", "Variance between replications within a world."),
            "noise_in_mean": _c("number", "unit squared", "Noise left in a world's mean (noise over replications)."),
            "parameter_share": _c("number", "share", "parameter_variance over the total."),
        },
    ),
    "emulator": (
        "How well the Gaussian-process emulator predicts each KPI across worlds (cross-validated).",
        {
            "parameters": _c("integer", "", "Assumptions the emulator was fitted on."),
            "worlds": _c("integer", "worlds", "Worlds it was fitted on."),
            "q2": _c("number", "", "Cross-validated predictivity (1: perfect; 0: no better than the mean)."),
        },
    ),
    "switching": (
        "For one assumption: the value at which the sizing's answer would change.",
        {
            "parameter": _c("string", "", "The scenario key."),
            "direction": _c("string", "", "more: past the value more staff than chosen are needed; fewer: fewer."),
            "value": _c("number", "the key's unit", "The value past which the required staffing changes."),
            "side": _c("string", "", "Whether that is above or below the value."),
            "worlds": _c("integer", "worlds", "Worlds that need that change."),
        },
    ),
    "data_value": (
        "How much knowing one assumption better would change the sizing decision (a value-of-data proxy).",
        {
            "parameter": _c("string", "", "The scenario key."),
            "narrowed_width": _c("number", "share", "The width it is narrowed to, as a share of its current range."),
            "bins": _c("integer", "", "Bins of the current range the worlds were grouped in."),
            "chance_choice_changes": _c(
                "number", "probability", "Chance the staffing chosen differs once it is known."
            ),
            "expected_fte_change": _c("number", "FTE", "Expected change in Drive IDVA FTE (negative: saves staff)."),
            "expected_cost_change": _c("number", "GBP a year", "Expected change in cost a year."),
            "note": _c("string", "", "Why the value is what it is (e.g. too few worlds to tell)."),
        },
    ),
}

#: Column names made of scenario keys (points, worlds) or ``<kpi>@<scope>:<stat>`` (levels).
_SCENARIO_KEY = re.compile(r"^[a-z_][a-z0-9_]*(\[\d+\])?(\.[a-z_][a-z0-9_]*(\[\d+\])?)+$")
_LEVEL_STAT = re.compile(r"^(?P<kpi>[a-z0-9_]+)@(?P<scope>.+):(?P<stat>mean|upper|lower|verdict|met|launch_mean)$")
_STAT_WORDS = {
    "mean": ("number", "Mean of {kpi} ({scope}) at this level."),
    "upper": ("number", "Upper one-sided confidence bound of {kpi} ({scope})."),
    "lower": ("number", "Lower one-sided confidence bound of {kpi} ({scope})."),
    "verdict": ("string", "The target's verdict for {kpi} ({scope}): met, not met or unclear."),
    "met": ("boolean", "The target on {kpi} ({scope}) is met on its bound."),
    "launch_mean": ("number", "Mean of {kpi} ({scope}) in the launch window (first 26 weeks)."),
}


def describe_column(table: str, column: str) -> Column:
    """The dictionary entry of one column of one table; :class:`UndescribedColumn` if it has none."""
    own = TABLES.get(table, ("", {}))[1]
    if column in own:
        return own[column]
    if column in _COMMON:
        return _COMMON[column]
    if table in ("points", "worlds") and _SCENARIO_KEY.match(column):
        return Column("any", "the key's unit", f"The value of scenario key {column} here (see the scenario reference).")
    if table == "levels" and column.startswith("share: "):
        return Column("number", "share", f"Share of worlds meeting the target on {column[7:]} at this level.")
    match = _LEVEL_STAT.match(column)
    if table == "levels" and match:
        type_, words = _STAT_WORDS[match["stat"]]
        return Column(type_, "the KPI's unit", words.format(kpi=match["kpi"], scope=match["scope"]))
    raise UndescribedColumn(f"{table}.{column}")


def _frictionless_type(dtype: Any, declared: str) -> str:
    kind = getattr(dtype, "kind", "")
    if kind == "b":
        return "boolean"
    if kind in "iu":
        return "integer"
    if kind == "f":
        return "number" if declared != "integer" else "number"  # a column with gaps is float
    return declared if declared != "any" else "string"


def table_schema(
    table: str, columns: Sequence[str], dtypes: Mapping[str, Any] | None = None, strict: bool = True
) -> dict[str, Any]:
    """A Frictionless Table Schema for a table with these columns (types from ``dtypes`` where given).

    ``strict=False`` (what a command writing ``schema.json`` uses) gives a column the
    dictionary lacks an empty description rather than failing the user's run;
    ``tests/unit/test_dictionary.py`` fails on any such column.
    """
    fields = []
    for name in columns:
        try:
            entry = describe_column(table, name)
        except UndescribedColumn:
            if strict:
                raise
            entry = Column("any", "", "")
        type_ = _frictionless_type(dtypes[name], entry.type) if dtypes is not None and name in dtypes else entry.type
        field: dict[str, Any] = {"name": name, "type": type_, "description": entry.description}
        if entry.unit:
            field["unit"] = entry.unit
        fields.append(field)
    return {"fields": fields, "missingValues": ["", "nan", "NaN"]}


def data_package(
    tables: Mapping[str, tuple[Sequence[str], Mapping[str, Any] | None]], files: Mapping[str, Iterable[str]]
) -> dict:
    """A Frictionless tabular data package describing a results folder's tables.

    Args:
        tables: Table name -> (its columns, their dtypes or None).
        files: Table name -> the files holding it (``cases.csv``, ``cases.parquet``).
    """
    resources = []
    for name, (columns, dtypes) in tables.items():
        for path in files.get(name, ()):
            resources.append(
                {
                    "name": f"{name}-{path.rsplit('.', 1)[-1]}",
                    "path": path,
                    "format": path.rsplit(".", 1)[-1],
                    "description": TABLES.get(name, ("",))[0],
                    "schema": table_schema(name, columns, dtypes, strict=False),
                }
            )
    return {
        "profile": "tabular-data-package",
        "name": "drive-sim-results",
        "description": "The tables of one drive-sim results folder: synthetic, simulated aggregates only.",
        "resources": resources,
    }


def dictionary_markdown() -> str:
    """The whole dictionary as Markdown: one section per table, one row per column."""
    notes = (__doc__ or "").split("\n\n", 2)[2].strip().replace("``", "`")
    out = ["## Columns of every table", "", notes, ""]
    shared = ", ".join(f"`{name}`" for name in _COMMON)
    out += [f"Columns several tables share ({shared}):", "", "| column | type | meaning |", "|---|---|---|"]
    out += [f"| `{name}` | {c.type} | {c.description} |" for name, c in _COMMON.items()]
    for table, (row, columns) in TABLES.items():
        out += ["", f"### `{table}`", "", f"One row: {row[0].lower()}{row[1:]}", ""]
        out += ["| column | type | unit | meaning |", "|---|---|---|---|"]
        out += [f"| `{name}` | {c.type} | {c.unit} | {c.description} |" for name, c in columns.items()]
    out += [
        "",
        "In `points` and `worlds`, every other column is a scenario key (`teams.idvas[0].count`) and holds its value "
        "there. In `levels`, a column `<kpi>@<scope>:<stat>` holds that target's mean, bounds, verdict, whether it is "
        "met, and its launch-window mean.",
    ]
    return "\n".join(out) + "\n"
