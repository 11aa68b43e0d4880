"""The records of one replication to its KPIs (the tidy tables are :mod:`drive_sim.analysis.tables`).

Pure functions over a :class:`~drive_sim.model.records.SimulationOutput`: nothing here runs the
model, prints or draws. :func:`replication_kpis` returns a long table (``replication, kpi,
window, scope, value``) that :mod:`drive_sim.analysis.stats` summarises across replications.

**Windows.** Every KPI is measured twice, in the windows of
:mod:`drive_sim.analysis.warmup`: ``steady`` (after the warm-up, ``run.warmup_days`` or
MSER-5's choice) and ``launch`` (the first 26 weeks). In a window a weekly row counts
when its week ends after the window's start and no later than its end; a case when it
was accepted in ``[start, end)``; a workforce event when it happened in ``[start, end)``.
Rates a year divide by the window's length. The KPI ``warmup_days`` (scope ``site``)
records where each window starts. ``kpis.KPI_WINDOW`` says which records
each KPI reads.

**Which weeks a practitioner KPI reads.** What a practitioner holds and does (open cases,
cases per FTE, weeks above guidance, workload ratio) is read over *staffed* weeks, so a
vacancy does not pass for a light caseload. What clients and cases meet (first-contact
queue and backlog, unreviewed cases, support shortfall, new cases, burnout, hours Drive
asks for) is read over every week. Delays run from the day a case was accepted at panel.
Vacant weeks give ``vacancy_days`` and ``uncovered_case_days``.

**Scopes.** ``site``; ``group:idva`` (every IDVA), ``group:drive`` and ``group:wider``
(IDVAs by role, where the group has members), ``group:cm`` (every CM, Team Leaders
included); ``idva:<name>`` and ``cm:<name>`` for each practitioner in
``output.practitioners``. A group KPI pools the practitioner-weeks of its members.
"""

from __future__ import annotations

import functools
import math
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from drive_sim.analysis.kpis import (
    CM_KPIS,
    GUIDANCE_KPIS,
    IDVA_KPIS,
    KPI_INFO,
    KPI_WINDOW,
    SITE_KPIS,
    WINDOWS,
    guidance_for,
    scope_kind,
)
from drive_sim.analysis.tables import tables, with_leaving
from drive_sim.analysis.warmup import Window, kpi_windows, open_case_totals
from drive_sim.model.records import WEEK_NUMBERS, PractitionerInfo, SimulationOutput
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
    "replication_kpis",
    "tables",
    "with_leaving",
]

DAYS_PER_WEEK = 7.0
DAYS_PER_YEAR = 365.0

# --------------------------------------------------------------------------------------
# Numeric helpers: empty selections give nan, never a warning
# --------------------------------------------------------------------------------------


def _columns(rows: Sequence[Any], names: Iterable[str]) -> dict[str, np.ndarray]:
    """Numeric (and boolean) record fields as float arrays, without building a DataFrame."""
    return {name: np.fromiter(map(attrgetter(name), rows), dtype=float, count=len(rows)) for name in names}


def _divide(numerator: npt.ArrayLike, denominator: npt.ArrayLike) -> np.ndarray:
    """Element-wise quotient, nan where the denominator is 0."""
    top, bottom = np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)
    nonzero = bottom != 0
    # Divided only where the denominator is not 0, so nothing warns (no errstate needed).
    return np.divide(top, bottom, out=np.full(np.broadcast_shapes(top.shape, bottom.shape), np.nan), where=nonzero)


def _mean(values: np.ndarray) -> float:
    """``np.mean`` (the same sum, in float64, over the count), without its overhead on small arrays."""
    return float(np.add.reduce(values, dtype=np.float64)) / values.size if values.size else float("nan")


def _quantiles(values: np.ndarray, qs: tuple[float, ...]) -> list[float]:
    """``np.quantile(values, qs)`` (its default, linear method) to the bit, without its overhead.

    numpy's own steps: the virtual index ``(n - 1) * q``, its floor and the next index
    (both -1, the last, where the virtual index reaches the last); one partition of a copy
    at the same indexes as numpy's (so that where there are nans, the same nan comes
    last); a nan last gives it for every quantile; numpy's two-sided interpolation
    (``_lerp``: from below under a weight of 0.5, from above at or over it). No values
    give nan. A call of ``np.quantile`` costs tens of microseconds whatever the size, and
    the KPIs make about ten a replication. ``tests/unit/test_metrics.py`` holds this to
    ``np.quantile``.
    """
    n = values.size
    if not n:
        return [math.nan] * len(qs)
    plan = []
    for q in qs:
        virtual = (n - 1) * q
        if virtual >= n - 1:
            plan.append((-1, -1, virtual - -1))  # numpy's weight against the index it set to -1
        else:
            below = math.floor(virtual)
            plan.append((below, below + 1, virtual - below))
    ordered = np.array(values, dtype=np.float64)
    ordered.partition(sorted({0, -1, *(index for below, above, _ in plan for index in (below, above))}))
    last = float(ordered[-1])
    if math.isnan(last):  # nan sorts last
        return [last] * len(qs)
    out = []
    for below, above, gamma in plan:
        a, b = float(ordered[below]), float(ordered[above])
        difference = b - a
        out.append(b - difference * (1 - gamma) if gamma >= 0.5 else a + difference * gamma)
    return out


def _quantile(values: np.ndarray, q: float) -> float:
    return _quantiles(values, (q,))[0]


def _median_p90(values: np.ndarray) -> tuple[float, float]:
    """The median and 90th percentile (nan for no values)."""
    median, p90 = _quantiles(values, (0.5, 0.9))
    return median, p90


# --------------------------------------------------------------------------------------
# Practitioners and groups
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Roster:
    """The practitioners of a run, in ``output.practitioners`` order."""

    names: list[str]
    kinds: np.ndarray
    roles: np.ndarray
    fte: np.ndarray
    capacity_share: np.ndarray
    annual_cost: np.ndarray

    @classmethod
    def of(cls, practitioners: Sequence[PractitionerInfo]) -> _Roster:
        return cls(
            names=[p.name for p in practitioners],
            kinds=np.array([p.kind for p in practitioners], dtype=object),
            roles=np.array([p.role for p in practitioners], dtype=object),
            fte=np.array([p.fte for p in practitioners], dtype=float),
            capacity_share=np.array([p.capacity_share for p in practitioners], dtype=float),
            annual_cost=np.array([p.annual_cost for p in practitioners], dtype=float),
        )

    def codes(self, names: Iterable[str], source: str) -> np.ndarray:
        index = {name: position for position, name in enumerate(self.names)}
        try:
            return np.fromiter((index[name] for name in names), dtype=np.intp)
        except KeyError as error:
            raise ValueError(
                f"{source} name practitioner {error.args[0]!r}, who is not in output.practitioners"
            ) from None

    def scopes(self) -> tuple[list[str], np.ndarray]:
        """Scope names and their members (a scopes x practitioners boolean matrix).

        IDVA scopes come first (all, by role, one by one), then CM scopes.
        """
        names: list[str] = []
        members: list[np.ndarray] = []
        one_by_one = np.eye(len(self.names), dtype=bool)
        for kind in ("idva", "cm"):
            of_kind = self.kinds == kind
            names.append(f"group:{kind}")
            members.append(of_kind)
            for role in ("drive", "wider") if kind == "idva" else ():
                in_role = of_kind & (self.roles == role)
                if in_role.any():
                    names.append(f"group:{role}")
                    members.append(in_role)
            for position in np.flatnonzero(of_kind):
                names.append(f"{kind}:{self.names[position]}")
                members.append(one_by_one[position])
        return names, np.array(members, dtype=bool).reshape(len(names), len(self.names))


# The weekly-state fields the KPIs read (all but the last of WEEK_NUMBERS).
_WEEK_COLUMNS = WEEK_NUMBERS[:-1]

# Per-practitioner statistics that add up over a group, and those whose group value is
# the largest member's.
_SUMMED = (
    "weeks", "staffed_weeks", "open", "drive_open", "per_fte_weeks", "per_fte", "above_weeks",
    "new_cases", "new_drive_cases", "ratio_weeks", "ratio", "burnout_weeks", "shortfall_hours",
    "support_hours", "vacant_weeks", "uncovered_cases", "first_contact_queue", "unreviewed_cases",
    "leavers", "fte", "backlog_clients_per_week", "backlog_hours_per_week", "drive_hours_per_week",
)  # fmt: skip
_PEAKS = ("open_peak", "drive_open_peak", "per_fte_peak", "ratio_peak", "longest_run")


def _longest_runs(codes: np.ndarray, week: np.ndarray, above: np.ndarray, size: int) -> np.ndarray:
    """Longest run of consecutive weeks above guidance, per practitioner."""
    order = np.lexsort((week, codes))
    codes, week, above = codes[order], week[order], above[order]
    continues = np.zeros(len(codes), dtype=bool)
    continues[1:] = above[:-1] & (codes[1:] == codes[:-1]) & (week[1:] == week[:-1] + 1)
    starts = above & ~continues
    run_of_row = np.cumsum(starts) - 1
    lengths = np.bincount(run_of_row[above], minlength=int(starts.sum()))
    longest = np.zeros(size)
    np.maximum.at(longest, codes[starts], lengths)
    return longest


@dataclass(frozen=True)
class _Columns:
    """The numeric columns of one replication's records, built once for every window."""

    weeks: dict[str, np.ndarray]  # _WEEK_COLUMNS of output.weeks
    week_codes: np.ndarray  # roster position of each weekly state's practitioner
    cases: dict[str, np.ndarray]  # _CASE_COLUMNS of output.cases
    gate_words: np.ndarray  # CaseRecord.gate_word of each case

    @classmethod
    def of(cls, output: SimulationOutput, roster: _Roster) -> _Columns:
        flat = _week_numbers(output, roster)
        if flat is None:
            weeks = _columns(output.weeks, _WEEK_COLUMNS)
            week_codes = roster.codes((w.practitioner for w in output.weeks), "weekly states")
        else:
            weeks = {name: np.ascontiguousarray(flat[:, column]) for column, name in enumerate(_WEEK_COLUMNS)}
            week_codes = flat[:, -1].astype(np.intp)
        return cls(
            weeks=weeks,
            week_codes=week_codes,
            cases=_columns(output.cases, _CASE_COLUMNS),
            gate_words=np.array([case.gate_word for case in output.cases], dtype=str),
        )


def _week_numbers(output: SimulationOutput, roster: _Roster) -> np.ndarray | None:
    """``output.week_numbers`` as a weeks x WEEK_NUMBERS matrix, if it holds ``output.weeks``' numbers.

    The model fills it as it records each week; outputs made otherwise leave it empty,
    and the KPIs read the states. Numbers that are not these states' (the states were
    replaced or reordered after the run) are caught by comparing every state's day, and
    the practitioner of the first and last: then the states are read. (A state's fields
    changed in place after the run are not seen: clear ``week_numbers`` after doing that.)
    """
    states, width = output.weeks, len(WEEK_NUMBERS)
    if not states or len(output.week_numbers) != len(states) * width:
        return None
    numbers = output.week_numbers
    # The model's array of doubles is read in place; a list (made by hand) is converted.
    flat = np.frombuffer(numbers, dtype=float) if isinstance(numbers, array) else np.array(numbers, dtype=float)
    flat = flat.reshape(len(states), width)
    days = np.fromiter(map(attrgetter("day"), states), dtype=float, count=len(states))
    if not np.array_equal(flat[:, WEEK_NUMBERS.index("day")], days):
        return None
    names = roster.names
    for row in (0, -1):
        position = int(flat[row, -1])
        if not 0 <= position < len(names) or names[position] != states[row].practitioner:
            return None
    return flat


def _practitioner_stats(
    output: SimulationOutput, roster: _Roster, scenario: Scenario, window: Window, columns: _Columns
) -> dict[str, np.ndarray]:
    """Sums and peaks of each practitioner's weeks in the window (arrays by roster position)."""
    size = len(roster.names)
    day = columns.weeks["day"]
    in_window = (window.start_day < day) & (day <= window.end_day)
    codes = columns.week_codes[in_window]
    col = {name: values[in_window] for name, values in columns.weeks.items()}

    is_idva = roster.kinds[codes] == "idva"
    staffed = col["vacant"] == 0
    # CMs hold Drive cases only; an IDVA's caseload includes her non-Drive work.
    open_cases = col["drive_open"] + np.where(is_idva, col["non_drive_open"], 0.0)
    guidance = np.where(is_idva, scenario.guidance.idva_open_cases_per_fte, scenario.guidance.cm_open_cases_per_fte)
    # Per caseload FTE: a Team Leader holding half a caseload is compared on half an FTE.
    caseload_fte = col["fte"] * roster.capacity_share[codes]
    per_fte = np.where(staffed & (caseload_fte > 0), _divide(open_cases, caseload_fte), np.nan)
    above = per_fte > guidance  # nan compares False
    with_hours = staffed & (col["available_hours"] > 0)
    ratio = np.where(with_hours, _divide(col["demand_hours"], col["available_hours"]), np.nan)

    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(codes, weights=values, minlength=size)

    # Each practitioner's rows together, for the peaks: a maximum is the same in any order.
    by_code = np.argsort(codes, kind="stable")
    present = np.bincount(codes, minlength=size) > 0
    starts = np.searchsorted(codes[by_code], np.flatnonzero(present))

    def peak(values: np.ndarray, where: np.ndarray) -> np.ndarray:
        """Each practitioner's largest value where ``where`` (nan if none): ``np.fmax`` over her rows."""
        result = np.full(size, np.nan)
        if starts.size:
            result[present] = np.fmax.reduceat(np.where(where, values, np.nan)[by_code], starts)
        return result

    has_per_fte = ~np.isnan(per_fte)
    left = [e for e in output.workforce_events if e.event == "left" and window.start_day <= e.day < window.end_day]
    return {
        "weeks": total(np.ones(len(codes))),
        "staffed_weeks": total(staffed),
        "open": total(np.where(staffed, open_cases, 0.0)),
        "open_peak": peak(open_cases, staffed),
        "drive_open": total(np.where(staffed, col["drive_open"], 0.0)),
        "drive_open_peak": peak(col["drive_open"], staffed),
        "per_fte_weeks": total(has_per_fte),
        "per_fte": total(np.where(has_per_fte, per_fte, 0.0)),
        "per_fte_peak": peak(per_fte, has_per_fte),
        "above_weeks": total(above),
        "longest_run": _longest_runs(codes, col["week"], above, size),
        "new_cases": total(col["new_drive_cases"] + col["new_non_drive_cases"]),
        "new_drive_cases": total(col["new_drive_cases"]),
        "ratio_weeks": total(with_hours),
        "ratio": total(np.where(with_hours, ratio, 0.0)),
        "ratio_peak": peak(ratio, with_hours),
        "burnout_weeks": total(col["burnt_out"]),
        "shortfall_hours": total(col["shortfall_hours"]),
        "support_hours": total(col["ongoing_hours"]),
        "vacant_weeks": total(~staffed),
        "uncovered_cases": total(np.where(staffed, 0.0, open_cases)),
        "first_contact_queue": total(col["first_contact_queue"]),
        "unreviewed_cases": total(col["unreviewed_cases"]),
        "leavers": np.bincount(roster.codes((e.practitioner for e in left), "workforce events"), minlength=size),
        "fte": roster.fte,
        # Rates a week per practitioner add up over a group to the group's rate a week.
        "backlog_clients_per_week": _divide(total(col["first_contact_backlog_clients"]), total(np.ones(len(codes)))),
        "backlog_hours_per_week": _divide(total(col["first_contact_backlog_hours"]), total(np.ones(len(codes)))),
        "drive_hours_per_week": _divide(total(col["drive_hours"]), total(np.ones(len(codes)))),
    }


def drive_idva_resource(drive_hours_per_week: np.ndarray | float, scenario: Scenario) -> dict[str, np.ndarray]:
    """The IDVA resource Drive adds (the study's question, extract p14, L76): hours a week and FTE.

    The hours Drive cases ask of IDVAs (first contacts, support, monitoring, reviews,
    liaison, panel), a flow, over one FTE's productive hours a week.
    """
    hours = np.asarray(drive_hours_per_week, dtype=float)
    one_fte = scenario.hours.contracted_hours_per_week * scenario.hours.productive_share
    return {"drive_idva_hours_per_week": hours, "drive_idva_fte_equivalent": hours / one_fte}


def _scope_kpis(
    stats: dict[str, np.ndarray], members: np.ndarray, window_years: float, scenario: Scenario
) -> dict[str, np.ndarray]:
    """Every practitioner KPI for every scope (arrays by scope)."""
    weights = members.astype(float)
    s = {name: weights @ stats[name].astype(float) for name in _SUMMED}
    for name in _PEAKS:
        s[name] = np.fmax.reduce(np.where(members, stats[name], np.nan), axis=1, initial=np.nan)
    s["longest_run"] = np.nan_to_num(s["longest_run"])
    fte_years = s["fte"] * window_years
    return {
        "open_cases_mean": _divide(s["open"], s["staffed_weeks"]),
        "open_cases_peak": s["open_peak"],
        "drive_open_cases_mean": _divide(s["drive_open"], s["staffed_weeks"]),
        "drive_open_cases_peak": s["drive_open_peak"],
        "open_cases_per_fte_mean": _divide(s["per_fte"], s["per_fte_weeks"]),
        "open_cases_per_fte_peak": s["per_fte_peak"],
        "weeks_above_guidance_share": _divide(s["above_weeks"], s["per_fte_weeks"]),
        "longest_run_above_guidance_weeks": s["longest_run"],
        "new_cases_per_fte_year": _divide(s["new_cases"], fte_years),
        "new_drive_cases_per_fte_year": _divide(s["new_drive_cases"], fte_years),
        "workload_ratio_mean": _divide(s["ratio"], s["ratio_weeks"]),
        "workload_ratio_peak": s["ratio_peak"],
        "burnout_weeks": s["burnout_weeks"],
        "support_shortfall_share": _divide(s["shortfall_hours"], s["support_hours"]),
        "leavers": s["leavers"],
        "vacancy_days": DAYS_PER_WEEK * s["vacant_weeks"],
        "uncovered_case_days": DAYS_PER_WEEK * s["uncovered_cases"],
        "first_contact_queue_mean": _divide(s["first_contact_queue"], s["weeks"]),
        "first_contact_backlog_clients": s["backlog_clients_per_week"],
        "first_contact_backlog_hours": s["backlog_hours_per_week"],
        "unreviewed_cases_mean": _divide(s["unreviewed_cases"], s["weeks"]),
        **drive_idva_resource(np.nan_to_num(s["drive_hours_per_week"]), scenario),
    }


# --------------------------------------------------------------------------------------
# Site
# --------------------------------------------------------------------------------------

_CASE_COLUMNS = (
    "accepted_day", "allocated_day", "first_contact_day", "unreachable_day", "gate_open_day",
    "cm_first_contact_day", "service_user_engaged", "disrupt_only", "deselected_day",
    "waitlist_days", "handovers", "transfers", "relayed", "cross_border", "reassignments", "max_unreviewed_days",
    "first_contact_attempts", "backdated", "waitlist_entry_day", "waitlist_exit_day",
    "contact_strategy_end_day", "cm_waitlist_days", "engagement_lost_to_wait", "marac_day",
    "client_disengaged_day", "client_reengaged_day", "service_user_dropout_day", "info_age_days",
)  # fmt: skip


def _working_days(start: np.datetime64, from_day: np.ndarray, to_day: np.ndarray) -> np.ndarray:
    """Working days (Mon-Fri) from the calendar date of ``from_day`` up to that of ``to_day``.

    Counts the first date and not the last, so Friday to Monday is 1 and same day is 0.
    """

    def dates(days: np.ndarray) -> np.ndarray:
        return start + np.floor(days).astype(np.int64).astype("timedelta64[D]")

    return np.busday_count(dates(from_day), dates(to_day))


def _since(day: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Days from ``start`` to ``day`` where ``day`` happened."""
    reached = ~np.isnan(day)
    return day[reached] - start[reached]


def first_contact_delays(c: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Days from acceptance at panel to the IDVA's first contact, and where they start.

    Counts the clients who needed a first contact: those already in support or already
    met at MARAC skip the queue (attempts 0) and would only dilute the measure. Time on
    a waitlist for an IDVA place is part of the wait.
    """
    contacted = ~np.isnan(c["first_contact_day"]) & (c["first_contact_attempts"] > 0)
    return c["first_contact_day"][contacted] - c["accepted_day"][contacted], c["accepted_day"][contacted]


def waitlist_waits(c: dict[str, np.ndarray]) -> np.ndarray:
    """Days on the waitlist for an IDVA place, for the clients whose wait ended in the run."""
    return _since(c["waitlist_exit_day"], c["waitlist_entry_day"])


def marac_to_acceptance(c: dict[str, np.ndarray]) -> np.ndarray:
    """Days from a case's first MARAC listing to its acceptance, for the cases listed at MARAC."""
    listed = ~np.isnan(c["marac_day"])
    return _since(c["accepted_day"][listed], c["marac_day"][listed])


def gate_measures(c: dict[str, np.ndarray]) -> dict[str, float]:
    """The gate, from acceptance: when it opened, when the CM made contact, and who set it.

    The CM contacts the service user once her contact strategy is written *and* the gate
    is open; the gate set the day when it opened after the strategy was done, and the
    CM's wait on the IDVA is the time between the two.
    """
    accepted = c["accepted_day"]
    contact = c["cm_first_contact_day"]
    made = ~np.isnan(contact)
    gate_bound = made & (c["gate_open_day"] > c["contact_strategy_end_day"])
    wait = contact[gate_bound] - c["contact_strategy_end_day"][gate_bound]
    cm_delay_median, cm_delay_p90 = _median_p90(_since(contact, accepted))
    return {
        "gate_open_delay_median_days": _quantile(_since(c["gate_open_day"], accepted), 0.5),
        "cm_first_contact_delay_median_days": cm_delay_median,
        "cm_first_contact_delay_p90_days": cm_delay_p90,
        "gate_bound_share": _mean(gate_bound[made]),
        "cm_wait_on_idva_median_days": _quantile(wait, 0.5),
    }


def _case_kpis(output: SimulationOutput, scenario: Scenario, window: Window, columns: _Columns) -> dict[str, float]:
    window_years = window.days / DAYS_PER_YEAR
    accepted = columns.cases["accepted_day"]
    in_window = (accepted >= window.start_day) & (accepted < window.end_day)
    c = {name: values[in_window] for name, values in columns.cases.items()}
    words = columns.gate_words[in_window]

    allocated = ~np.isnan(c["allocated_day"])
    delay, accepted_on = first_contact_delays(c)
    start = np.datetime64(scenario.site.start_date, "D")
    working_days = _working_days(start, accepted_on, accepted_on + delay)
    delay_median, delay_p90 = _median_p90(delay)
    waits_median, waits_p90 = _median_p90(waitlist_waits(c))

    waited = c["waitlist_days"] > 0
    engaged = c["service_user_engaged"][~np.isnan(c["service_user_engaged"])]
    alert_days = DAYS_PER_WEEK * scenario.hours.reviews.unreviewed_alert_weeks
    backdated = c["backdated"] == 1
    # The launch backlog is a one-off block, not a rate: it is counted on its own.
    accepted_per_year = (~backdated).sum() / window_years
    return {
        "accepted_cases_per_year": float(accepted_per_year),
        "accepted_vs_target": float(accepted_per_year / scenario.guidance.drive_cases_per_year_per_cm_team),
        "backlog_cases": float(backdated.sum()),
        "first_contact_delay_median_days": delay_median,
        "first_contact_delay_p90_days": delay_p90,
        "first_contact_within_2_working_days_share": _mean(working_days <= 2),
        "first_contact_within_7_days_share": _mean(delay <= 7),
        "first_contact_within_target_share": _mean(delay <= scenario.guidance.first_contact_days),
        "waitlist_wait_median_days": waits_median,
        "waitlist_wait_p90_days": waits_p90,
        "marac_to_acceptance_median_days": _quantile(marac_to_acceptance(c), 0.5),
        "unreachable_share": _mean(~np.isnan(c["unreachable_day"][allocated])),
        **gate_measures(c),
        "service_user_engagement_rate": _mean(engaged),
        "disrupt_only_share": _mean(c["disrupt_only"]),
        "deselection_rate": _mean(~np.isnan(c["deselected_day"])),
        "waitlist_share": _mean(waited),
        "waitlist_days_mean": _mean(c["waitlist_days"][waited]),
        "engagement_lost_to_wait": _mean(c["engagement_lost_to_wait"][~np.isnan(c["engagement_lost_to_wait"])]),
        "proxy_gate_share": _mean((words == "proxy")[words != ""]),
        "client_disengaged_share": _mean(~np.isnan(c["client_disengaged_day"][~np.isnan(c["first_contact_day"])])),
        "client_reengaged_share": _mean(~np.isnan(c["client_reengaged_day"][~np.isnan(c["client_disengaged_day"])])),
        "service_user_dropout_share": _mean(~np.isnan(c["service_user_dropout_day"][c["service_user_engaged"] == 1.0])),
        "cm_waitlist_share": _mean(c["cm_waitlist_days"] > 0),
        "handovers_per_case": _mean(c["handovers"]),
        "transfers_per_case": _mean(c["transfers"]),
        "relayed_liaison_share": _mean(c["relayed"]),
        "information_age_mean_days": _mean(c["info_age_days"][~np.isnan(c["info_age_days"])]),
        "cross_border_share": _mean(c["cross_border"]),
        "reassignments_per_case": _mean(c["reassignments"]),
        "unreviewed_over_alert_share": _mean(c["max_unreviewed_days"] > alert_days),
    }


def _workforce_kpis(
    stats: dict[str, np.ndarray], roster: _Roster, scenario: Scenario, window: Window
) -> dict[str, float]:
    is_idva, is_cm = roster.kinds == "idva", roster.kinds == "cm"
    is_drive_idva = is_idva & (roster.roles == "drive")
    return {
        "any_idva_burnout": float(stats["burnout_weeks"][is_idva].sum() > 0),
        "any_idva_left": float(stats["leavers"][is_idva].sum() > 0),
        "any_drive_idva_burnout": float(stats["burnout_weeks"][is_drive_idva].sum() > 0),
        "idva_leavers": float(stats["leavers"][is_idva].sum()),
        "cm_leavers": float(stats["leavers"][is_cm].sum()),
        "annual_staff_cost": float(roster.annual_cost.sum()),
        "drive_idva_annual_cost": float(roster.annual_cost[is_drive_idva].sum()),
        "first_contact_backlog_clients": float(stats["backlog_clients_per_week"][is_idva].sum()),
        "first_contact_backlog_hours": float(stats["backlog_hours_per_week"][is_idva].sum()),
        **{
            name: float(value)
            for name, value in drive_idva_resource(np.nansum(stats["drive_hours_per_week"][is_idva]), scenario).items()
        },
        "warmup_days": float(window.start_day),
    }


# --------------------------------------------------------------------------------------
# One replication's KPIs
# --------------------------------------------------------------------------------------


def replication_kpis(output: SimulationOutput, scenario: Scenario) -> pd.DataFrame:
    """The KPIs of one replication in each window, as a long table.

    Args:
        output: The records of one replication. Every practitioner named in its weekly
            states and workforce events must be in ``output.practitioners``.
        scenario: The scenario that was run: supplies the warm-up, launch date, guidance
            and review alert the KPIs are measured with.

    Returns:
        Columns ``replication, window, kpi, scope, value``: for each window of
        :func:`~drive_sim.analysis.warmup.kpi_windows` (``steady``, then ``launch``),
        :data:`SITE_KPIS` for scope ``site``, then :data:`IDVA_KPIS` for each IDVA scope
        and :data:`CM_KPIS` for each CM scope. ``value`` is nan where a KPI is undefined
        (no first contacts, no staffed weeks).

    Raises:
        ValueError: If the steady window is empty or records name an unknown practitioner.
    """
    roster = _Roster.of(output.practitioners)
    scopes, members = roster.scopes()
    columns = _Columns.of(output, roster)
    weeks = columns.weeks
    of_idva = roster.kinds[columns.week_codes] == "idva"
    series = open_case_totals(weeks["day"][of_idva], (weeks["drive_open"] + weeks["non_drive_open"])[of_idva])
    windows = kpi_windows(output, scenario, series)
    values = [_window_kpis(output, scenario, roster, scopes, members, w, columns) for w in windows]
    # One frame for every window (the windows' rows in order), not a concat of one per window.
    window_labels, kpi_labels, scope_labels = _labels(tuple(w.name for w in windows), tuple(scopes))
    return pd.DataFrame(
        {
            "replication": np.full(len(window_labels), output.replication, dtype=np.int64),
            "window": window_labels,
            "kpi": kpi_labels,
            "scope": scope_labels,
            "value": np.concatenate(values),
        }
    )


def _scope_kpi_names(scope: str) -> tuple[str, ...]:
    return CM_KPIS if scope_kind(scope) == "cm" else IDVA_KPIS


@functools.lru_cache(maxsize=64)
def _labels(windows: tuple[str, ...], scopes: tuple[str, ...]) -> tuple[Any, Any, Any]:
    """The window, kpi and scope of each row of :func:`replication_kpis`, as string arrays.

    The same for every replication of a team, so built once (a frame copies them).
    """
    kpis = list(SITE_KPIS) + [kpi for scope in scopes for kpi in _scope_kpi_names(scope)]
    row_scopes = ["site"] * len(SITE_KPIS) + [scope for scope in scopes for _ in _scope_kpi_names(scope)]
    return (
        pd.array([window for window in windows for _ in kpis], dtype="str"),
        pd.array(kpis * len(windows), dtype="str"),
        pd.array(row_scopes * len(windows), dtype="str"),
    )


def _window_kpis(
    output: SimulationOutput,
    scenario: Scenario,
    roster: _Roster,
    scopes: list[str],
    members: np.ndarray,
    window: Window,
    columns: _Columns,
) -> np.ndarray:
    """One window's KPI values, in the order of :func:`_labels`: the site's, then each scope's."""
    stats = _practitioner_stats(output, roster, scenario, window, columns)
    site = _case_kpis(output, scenario, window, columns) | _workforce_kpis(stats, roster, scenario, window)
    by_scope = _scope_kpis(stats, members, window.days / DAYS_PER_YEAR, scenario)
    # Each KPI list's values for every scope (KPIs x scopes), then each scope's column in turn.
    blocks = {names: np.array([by_scope[k] for k in names], dtype=float) for names in (IDVA_KPIS, CM_KPIS)}
    return np.concatenate(
        [np.array([site[k] for k in SITE_KPIS], dtype=float)]
        + [blocks[_scope_kpi_names(scope)][:, position] for position, scope in enumerate(scopes)]
    )
