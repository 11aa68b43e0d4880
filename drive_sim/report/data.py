"""Presentation data: saved tables -> the small frames a report's words and charts read.

Pure pandas, apart from drawing (as optuna prepares ``_x_info`` before it plots): every
function here takes record tables or KPI summaries and returns an aggregated frame, so a
page never embeds raw case rows. Quantile bands are taken *across replications*: the
10th, 50th and 90th percentile of one week's value over the replications.

Record tables may carry a ``scenario`` column (comparisons); pass it in ``by`` to keep
scenarios apart.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from drive_sim.analysis.metrics import KPI_INFO, guidance_for
from drive_sim.analysis.stats import summarise
from drive_sim.report.labels import HEADLINE, SCENARIO_PATH, Headline, label_words, parameter_label, point_words
from drive_sim.scenario import Scenario

__all__ = [
    "CARD_KPIS",
    "Factor",
    "SweepDesign",
    "caseload_bands",
    "delay_distribution",
    "drive_scope",
    "first_contact_summary",
    "open_case_bands",
    "steady_starts",
    "sweep_design",
    "sweep_values",
    "headline_rows",
    "is_share",
    "kpi_status",
    "level_points",
    "scorecard",
    "to_dates",
    "workforce_over_time",
    "workload_matrix",
]

DAYS_PER_WEEK = 7.0
BAND = (0.1, 0.5, 0.9)


def to_dates(start_date: dt.date, days: pd.Series | np.ndarray) -> pd.Series:
    """Calendar dates of model days (display only; the model runs in days from launch)."""
    offsets = pd.to_timedelta(np.floor(np.asarray(days, dtype=float)), unit="D")
    return pd.Series(pd.Timestamp(start_date) + offsets)


def is_share(kpi: str) -> bool:
    """Whether a KPI reads best as a percentage."""
    return KPI_INFO.get(kpi, ("", ""))[0] in ("share", "0 or 1")


# --------------------------------------------------------------------------------------
# Over time
# --------------------------------------------------------------------------------------


def _open_per_fte(weeks: pd.DataFrame) -> pd.Series:
    """Open cases over FTE per practitioner-week (IDVAs count non-Drive cases; CMs do not); nan when vacant."""
    open_cases = weeks["drive_open"] + np.where(weeks["kind"] == "idva", weeks["non_drive_open"], 0)
    staffed = ~weeks["vacant"].astype(bool) & (weeks["fte"] > 0)
    return (open_cases / weeks["fte"]).where(staffed)


def _bands(frame: pd.DataFrame, keys: list[str], value: str) -> pd.DataFrame:
    grouped = frame.groupby(keys, sort=False)[value]
    quantiles = grouped.quantile(list(BAND)).unstack()
    quantiles.columns = ["low", "median", "high"]
    result = quantiles.join(grouped.mean().rename("mean")).reset_index()
    return result


def caseload_bands(
    weeks: pd.DataFrame,
    kind: str,
    by: Sequence[str] = ("practitioner",),
    role: str | None = None,
) -> pd.DataFrame:
    """Open cases per FTE each week: median and 10-90% band across replications.

    Args:
        weeks: The ``weeks`` table.
        kind: ``idva`` or ``cm``.
        by: One series per value of these columns (``practitioner`` for one line per
            person; ``scenario`` for one line per scenario, averaging the practitioners
            selected over their staffed weeks).
        role: Keep only practitioners of this role (``drive``: the named Drive IDVAs).

    Returns:
        Columns ``*by, week, day, low, median, high, mean``, in the order the series first
        appear. Vacant weeks are left out, so a vacancy does not pass for a light caseload.
    """
    by = list(by)
    chosen = weeks[(weeks["kind"] == kind) & ((weeks["role"] == role) if role else True)]
    frame = chosen.assign(per_fte=_open_per_fte(chosen))
    per_replication = frame.groupby([*by, "replication", "week"], sort=False).agg(
        day=("day", "first"), per_fte=("per_fte", "mean")
    )
    per_replication = per_replication.reset_index()
    bands = _bands(per_replication, [*by, "week"], "per_fte")
    days = per_replication.groupby([*by, "week"], sort=False)["day"].first().reset_index()
    return bands.merge(days, on=[*by, "week"], how="left")[[*by, "week", "day", "low", "median", "high", "mean"]]


def workload_matrix(
    weeks: pd.DataFrame, by: Sequence[str] = ("practitioner",), kind: str | None = None
) -> pd.DataFrame:
    """Workload ratio (hours asked over hours available) per practitioner and week.

    Returns:
        Columns ``*by, week, day, ratio``: the median across replications of each
        practitioner-week's ratio, over staffed weeks with hours available. Rows keep the
        order of ``weeks`` (IDVAs first, as the model lists them).
    """
    by = list(by)
    chosen = weeks if kind is None else weeks[weeks["kind"] == kind]
    usable = ~chosen["vacant"].astype(bool) & (chosen["available_hours"] > 0)
    ratio = (chosen["demand_hours"] / chosen["available_hours"]).where(usable)
    frame = chosen.assign(ratio=ratio)
    result = frame.groupby([*by, "week"], sort=False).agg(day=("day", "first"), ratio=("ratio", "median"))
    return result.reset_index()


def workforce_over_time(weeks: pd.DataFrame, events: pd.DataFrame | None, by: Sequence[str] = ()) -> pd.DataFrame:
    """Burnt-out practitioners, vacant posts and leavers so far, each week, averaged over replications.

    Returns:
        Long frame ``*by, kind, measure, week, day, value`` with measures ``burnt_out``,
        ``vacant`` and ``left_so_far`` (cumulative leavers) for ``kind`` ``idva`` and ``cm``.
    """
    by = list(by)
    keys = [*by, "kind", "replication", "week"]
    counts = weeks.groupby(keys, sort=False).agg(
        day=("day", "first"), burnt_out=("burnt_out", "sum"), vacant=("vacant", "sum")
    )
    counts["left"] = 0.0
    if events is not None and len(events):
        left = events[events["event"] == "left"]
        left_week = np.maximum(1, np.ceil(left["day"].to_numpy(dtype=float) / DAYS_PER_WEEK)).astype(np.int64)
        tally = left.assign(week=left_week).groupby(keys, sort=False).size().rename("left")
        aligned = tally.reindex(counts.index).fillna(0.0)
        counts["left"] = aligned.to_numpy(dtype=float)
    counts = counts.reset_index().sort_values(keys, kind="stable")
    counts["left_so_far"] = counts.groupby([*by, "kind", "replication"], sort=False)["left"].cumsum()
    means = counts.groupby([*by, "kind", "week"], sort=False).agg(
        day=("day", "first"),
        burnt_out=("burnt_out", "mean"),
        vacant=("vacant", "mean"),
        left_so_far=("left_so_far", "mean"),
    )
    long = means.reset_index().melt(
        id_vars=[*by, "kind", "week", "day"], value_vars=["burnt_out", "vacant", "left_so_far"], var_name="measure"
    )
    return long[[*by, "kind", "measure", "week", "day", "value"]]


# --------------------------------------------------------------------------------------
# First contact
# --------------------------------------------------------------------------------------


Warmup = float | pd.Series


def steady_starts(kpis: pd.DataFrame, by: Sequence[str] = ()) -> pd.Series:
    """Where each replication's steady window starts (its ``warmup_days`` KPI), indexed by ``*by, replication``."""
    keys = [*by, "replication"]
    rows = kpis[(kpis["kpi"] == "warmup_days") & (kpis["scope"] == "site")]
    if "window" in rows.columns:
        rows = rows[rows["window"] == "steady"]
    return rows.set_index(keys)["value"]


def _after_warmup(cases: pd.DataFrame, warmup: Warmup) -> pd.Series:
    """Cases accepted at or after the warm-up: one figure, or each replication's (see :func:`steady_starts`)."""
    if not isinstance(warmup, pd.Series):
        return cases["accepted_day"] >= warmup
    keys = list(warmup.index.names)
    starts = pd.MultiIndex.from_frame(cases[keys]) if len(keys) > 1 else pd.Index(cases[keys[0]])
    start = warmup.reindex(starts).fillna(0.0).to_numpy()
    return cases["accepted_day"] >= start


def open_case_bands(weeks: pd.DataFrame) -> pd.DataFrame:
    """The site's open IDVA cases each week (every IDVA, Drive and non-Drive): mean and 10-90% band.

    The series MSER-5 reads to choose each replication's warm-up
    (:mod:`drive_sim.analysis.warmup`). Returns columns ``week, day, low, median, high, mean``.
    """
    idvas = weeks[weeks["kind"] == "idva"]
    frame = idvas.assign(open_cases=idvas["drive_open"] + idvas["non_drive_open"])
    totals = frame.groupby(["replication", "week"], sort=False).agg(
        day=("day", "first"), open_cases=("open_cases", "sum")
    )
    totals = totals.reset_index()
    bands = _bands(totals, ["week"], "open_cases")
    days = totals.groupby("week", sort=False)["day"].first().reset_index()
    return bands.merge(days, on="week", how="left")[["week", "day", "low", "median", "high", "mean"]]


def _contacted(cases: pd.DataFrame, warmup_days: Warmup) -> pd.DataFrame:
    """Clients who needed a first contact and got one (the rest already knew an IDVA).

    ``delay_days`` runs from acceptance at panel, as the KPIs do: time on a waitlist for
    an IDVA place is part of the wait.
    """
    needed = (cases["first_contact_attempts"] > 0) & cases["first_contact_day"].notna()
    in_window = _after_warmup(cases, warmup_days)
    chosen = cases[needed & in_window]
    return chosen.assign(delay_days=chosen["first_contact_day"] - chosen["accepted_day"])


def delay_distribution(
    cases: pd.DataFrame, warmup_days: Warmup, by: Sequence[str] = (), max_days: int = 60
) -> pd.DataFrame:
    """Days from acceptance at panel to first contact, pooled over replications, by whole day.

    Only clients who needed a first contact count: those who already knew an IDVA
    (through MARAC or existing support) are not waiting for one.

    Returns:
        Columns ``*by, days, share, cumulative_share, clients``: ``days`` is the whole
        number of days waited, with everything at ``max_days`` or more in the last bin;
        ``share`` is the share of the group's clients in that bin; ``clients`` the group's
        clients over all replications.
    """
    by = list(by)
    contacted = _contacted(cases, warmup_days)
    days = np.minimum(np.floor(contacted["delay_days"].to_numpy(dtype=float)), max_days).astype(np.int64)
    frame = contacted.assign(days=days)
    groups = [*by, "days"]
    counts = frame.groupby(groups, sort=True).size().rename("count").reset_index()
    if by:
        totals = counts.groupby(by, sort=False)["count"].transform("sum")
        running = counts.groupby(by, sort=False)["count"].cumsum()
    else:
        totals = pd.Series(counts["count"].sum(), index=counts.index)
        running = counts["count"].cumsum()
    counts["share"] = counts["count"] / totals
    counts["cumulative_share"] = running / totals
    counts["clients"] = totals.astype(np.int64)
    return counts[[*by, "days", "share", "cumulative_share", "clients"]]


def first_contact_summary(cases: pd.DataFrame, warmup_days: Warmup, by: Sequence[str] = ()) -> pd.DataFrame:
    """Across replications: how long clients who *needed* a first contact waited.

    Returns:
        :func:`drive_sim.analysis.stats.summarise` of per-replication KPIs ``needed_share`` (share
        of allocated clients who needed a first contact), ``needed_median_days`` and
        ``needed_p90_days``, scope ``site``.
    """
    by = list(by)
    in_window = cases[_after_warmup(cases, warmup_days) & cases["allocated_day"].notna()]
    contacted = _contacted(in_window, warmup_days)
    keys = [*by, "replication"]
    delays = contacted.groupby(keys, sort=False)["delay_days"]
    needed = (in_window["first_contact_attempts"] > 0).groupby([in_window[k] for k in keys], sort=False).mean()
    parts = {
        "needed_share": needed,
        "needed_median_days": delays.median(),
        "needed_p90_days": delays.quantile(0.9),
    }
    frames = [series.rename("value").reset_index().assign(kpi=name, scope="site") for name, series in parts.items()]
    long = pd.concat(frames, ignore_index=True)[[*keys, "kpi", "scope", "value"]]
    return summarise(long)


# --------------------------------------------------------------------------------------
# KPIs against guidance
# --------------------------------------------------------------------------------------


def kpi_status(mean: float, low: float, high: float, guidance: float | None, better: str) -> str:
    """``within``, ``above``/``below`` or ``borderline`` (the 95% CI spans guidance); empty without guidance."""
    if guidance is None or not better or math.isnan(mean):
        return ""
    if math.isnan(low) or math.isnan(high):
        low = high = mean
    if better == "lower":
        return "within" if high <= guidance else "above" if low > guidance else "borderline"
    return "within" if low >= guidance else "below" if high < guidance else "borderline"


def headline_rows(summary: pd.DataFrame, scenario: Scenario, headline: Sequence[Headline] = HEADLINE) -> pd.DataFrame:
    """The headline KPIs of one scenario with their guidance and status.

    Args:
        summary: Rows of :func:`drive_sim.analysis.stats.summarise` for one scenario.
        scenario: Supplies the guidance figures.
        headline: Which KPIs, in reading order, with labels.

    Returns:
        Columns ``label, kpi, scope, n, mean, ci_low, ci_high, guidance, status, digits,
        share``. The interval is the summary's, which fits the KPI's kind (exact for a
        probability such as the chance an IDVA burns out; see :mod:`drive_sim.analysis.stats`).
        KPIs the run did not produce (a scope with no members) are left out.
    """
    index = {(r["kpi"], r["scope"]): r for r in summary.to_dict("records")}
    rows = []
    for item in headline:
        found = index.get((item.kpi, item.scope))
        if found is None:
            continue
        row = dict(found)
        guidance = guidance_for(item.kpi, item.scope, scenario)
        rows.append(
            {
                "label": item.label,
                "kpi": item.kpi,
                "scope": item.scope,
                "n": int(row["n"]),
                "mean": row["mean"],
                "ci_low": row["ci_low"],
                "ci_high": row["ci_high"],
                "guidance": guidance,
                "status": kpi_status(row["mean"], row["ci_low"], row["ci_high"], guidance, item.better),
                "digits": item.digits,
                "share": is_share(item.kpi),
            }
        )
    return pd.DataFrame(rows)


_MISSING = {"mean": math.nan, "ci_low": math.nan, "ci_high": math.nan, "n": 0}


def drive_scope(scopes: Sequence[str]) -> str:
    """The scope read as 'the Drive IDVAs': the named Drive IDVAs, or every IDVA where none is named."""
    return "group:drive" if "group:drive" in set(scopes) else "group:idva"


def _estimate_fields(prefix: str, found: dict, guidance: float) -> dict:
    return {
        f"{prefix}_mean": found["mean"],
        f"{prefix}_low": found["ci_low"],
        f"{prefix}_high": found["ci_high"],
        f"{prefix}_guidance": guidance,
        f"{prefix}_status": kpi_status(found["mean"], found["ci_low"], found["ci_high"], guidance, "lower"),
    }


#: The KPIs a scorecard reads.
CARD_KPIS = (
    "open_cases_per_fte_mean", "first_contact_delay_p90_days", "any_idva_burnout",
    "weeks_above_guidance_share", "idva_leavers", "annual_staff_cost",
)  # fmt: skip


def scorecard(
    summary: pd.DataFrame, labels: Sequence[str], scenarios: Sequence[Scenario], key: str = "scenario"
) -> pd.DataFrame:
    """One row per scenario: the measures a decision turns on, and which targets it meets.

    The three targets, each met when its mean is within guidance: **IDVA caseload** (open
    cases per FTE of the named Drive IDVAs *and* of the wider team, so moving Drive work
    onto the wider team does not pass for meeting guidance: the busier group counts),
    **first contact** (90th percentile of days to first contact within the target) and
    **CM caseload**.

    Args:
        summary: :func:`drive_sim.analysis.stats.summarise` of every scenario, with a ``key`` column.
        labels: Scenario labels in the order to show them.
        scenarios: The scenarios, in the order of ``labels`` (for their guidance).
        key: The column naming the scenario (or sweep point).

    Returns:
        Per label, each as ``<prefix>_mean/low/high/guidance/status``: ``drive`` (Drive
        IDVA open cases per FTE), ``wider`` (wider team), ``idva_caseload`` (the busier
        of the two, the target; ``idva_caseload_group`` names it), ``first_contact``
        (days, 90th percentile) and ``cm_caseload``; also ``above_share`` (Drive IDVA weeks
        above guidance), ``burnout_mean/low/high`` (chance any IDVA burns out, exact
        interval), ``leavers_mean``, ``cost`` (annual staff cost) and ``targets_met``.
    """
    rows = []
    # Only the rows a card reads, made into dicts once and found by label (a sweep has
    # hundreds of points: cutting and converting each one's rows was most of its cost).
    indexes: dict = {}
    for record in summary[summary["kpi"].isin(CARD_KPIS)].to_dict("records"):
        indexes.setdefault(record[key], {})[(record["kpi"], record["scope"])] = record
    scopes = summary.groupby(key, sort=False)["scope"].unique()
    for label, scenario in zip(labels, scenarios, strict=True):
        index = indexes.get(label, {})

        def get(kpi: str, scope: str, index: dict = index) -> dict:
            return dict(index.get((kpi, scope), _MISSING))

        drive = drive_scope(scopes.get(label, []))
        guidance = scenario.guidance
        row: dict = {"label": label, "drive_scope": drive}
        row |= _estimate_fields("drive", get("open_cases_per_fte_mean", drive), guidance.idva_open_cases_per_fte)
        row |= _estimate_fields(
            "wider", get("open_cases_per_fte_mean", "group:wider"), guidance.idva_open_cases_per_fte
        )
        busier = "wider" if row["wider_mean"] > row["drive_mean"] else "drive"  # nan compares False
        row |= {k.replace(busier, "idva_caseload", 1): v for k, v in row.items() if k.startswith(f"{busier}_")}
        row["idva_caseload_group"] = "the wider IDVA team" if busier == "wider" else "the Drive IDVAs"
        row |= _estimate_fields(
            "first_contact", get("first_contact_delay_p90_days", "site"), guidance.first_contact_days
        )
        row |= _estimate_fields(
            "cm_caseload", get("open_cases_per_fte_mean", "group:cm"), guidance.cm_open_cases_per_fte
        )
        burnout = get("any_idva_burnout", "site")
        row |= {
            "above_share": get("weeks_above_guidance_share", drive)["mean"],
            "burnout_mean": burnout["mean"],
            "burnout_low": burnout["ci_low"],
            "burnout_high": burnout["ci_high"],
            "leavers_mean": get("idva_leavers", "site")["mean"],
            "cost": get("annual_staff_cost", "site")["mean"],
            "targets_met": sum(
                bool(row[f"{name}_mean"] <= row[f"{name}_guidance"])
                for name in ("idva_caseload", "first_contact", "cm_caseload")
            ),
        }
        rows.append(row)
    return pd.DataFrame(rows)


def level_points(
    summary: pd.DataFrame, labels: Sequence[str], levels: Sequence[object], kpi: str, scope: str, key: str = "scenario"
) -> pd.DataFrame:
    """One KPI at each level of a sweep or sizing: ``level, label, mean, ci_low, ci_high``.

    Args:
        summary: :func:`drive_sim.analysis.stats.summarise` with a ``key`` column naming the level.
        labels: The levels' names in ``key``, in the order to draw them.
        levels: The x value of each level (a number, or the label itself).
        kpi: The KPI.
        scope: Its scope.
        key: The column naming the level.

    Returns:
        One row per level that has the KPI, with the summary's interval.
    """
    chosen = summary[(summary["kpi"] == kpi) & (summary["scope"] == scope)]
    index = {row[key]: row for row in chosen.to_dict("records")}
    rows = []
    for label, level in zip(labels, levels, strict=True):
        found = index.get(label)
        if found is None:
            continue
        rows.append(
            {
                "level": level,
                "label": label,
                "mean": found["mean"],
                "ci_low": found["ci_low"],
                "ci_high": found["ci_high"],
            }
        )
    return pd.DataFrame(rows, columns=["level", "label", "mean", "ci_low", "ci_high"])


# --------------------------------------------------------------------------------------
# Sweeps: which factor goes where
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Factor:
    """One swept parameter as a chart shows it: its words and its values in order."""

    path: str
    label: str
    values: tuple[object, ...]
    numeric: bool


@dataclass(frozen=True)
class SweepDesign:
    """A sweep's points laid out for reading.

    ``factors`` are the axes that vary, in the order a chart uses them: the x axis (the
    first numeric one), then one line per value of the next, then small multiples.
    ``constants`` are axes with one value, said once in the header. ``points`` has a
    ``point`` and a ``label`` (the point in words) column and one column per factor path
    holding the value shown (a scenario file is shown by its site's name).
    """

    factors: tuple[Factor, ...]
    constants: tuple[tuple[str, object], ...]
    points: pd.DataFrame

    def role(self, position: int) -> Factor | None:
        """The factor at ``position`` (0: x axis, 1: lines, 2: facets), if the sweep has one."""
        return self.factors[position] if position < len(self.factors) else None


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool | np.bool_)


def _plain_value(value: object) -> object:
    """Numpy scalars -> Python, so values compare and print as they were swept."""
    return value.item() if isinstance(value, np.generic) else value


def sweep_design(points: pd.DataFrame, axes: Sequence[Mapping], scenarios: Sequence[Scenario]) -> SweepDesign:
    """Lay out a sweep's points: varying factors (x first), constants, and each point in words.

    Args:
        points: The sweep's ``points`` table (``point``, ``label`` and a column per path).
        axes: The manifest's axes (``path``, ``values``) in the order they were given.
        scenarios: Each point's scenario, in point order (for group and site names).
    """
    points = points.sort_values("point", kind="stable").reset_index(drop=True)
    paths = [a["path"] for a in axes if a["path"] in points.columns] or [
        c for c in points.columns if c not in ("point", "label")
    ]
    base = scenarios[0] if scenarios else None
    shown = pd.DataFrame({"point": points["point"].astype("int64")})
    factors, constants = [], []
    raw: dict[str, list[object]] = {}
    for path in paths:
        column = [_plain_value(v) for v in points[path]]
        if path == SCENARIO_PATH:
            names = [scenarios[int(p)].site.name if int(p) < len(scenarios) else str(v)
                     for p, v in zip(points["point"], column, strict=True)]  # fmt: skip
            by_file = dict(zip(column, names, strict=True))
            if len(set(by_file.values())) < len(by_file):  # two files name the same site: add the file
                by_file = {file: f"{name} ({file})" for file, name in by_file.items()}
            column = [by_file[v] for v in column]
        values = tuple(dict.fromkeys(column))
        if len(values) == 1:
            constants.append((path, values[0]))
            continue
        raw[path] = column
        if all(isinstance(v, bool) for v in values):  # a switch reads yes or no on a chart
            column = ["yes" if v else "no" for v in column]
            values = tuple(dict.fromkeys(column))
        numeric = all(_is_number(v) for v in values)
        label = parameter_label(path, base)
        factors.append(Factor(path, label, tuple(sorted(values)) if numeric else values, numeric))
        shown[path] = column
    # The words follow the order the axes were given; the charts put the first number on x.
    if factors:
        words = [point_words([(f.path, raw[f.path][row]) for f in factors], base) for row in range(len(shown))]
    else:  # a folder without its axes (or one point): its own labels, read into words where they are paths
        words = [label_words(str(label), base) for label in points.get("label", shown["point"].astype(str))]
    first_numeric = next((k for k, f in enumerate(factors) if f.numeric), 0)
    if factors:
        factors.insert(0, factors.pop(first_numeric))
    if len(set(words)) < len(words):  # cannot happen for a factorial, but a label must name one point
        words = [f"{w} (point {p})" for w, p in zip(words, shown["point"], strict=True)]
    shown.insert(1, "label", words)
    return SweepDesign(tuple(factors), tuple(constants), shown)


def sweep_values(
    summary: pd.DataFrame, design: SweepDesign, kpi: str, scope: str, key: str = "scenario"
) -> pd.DataFrame:
    """One KPI at every point of a sweep: the factor columns, ``label``, ``mean, ci_low, ci_high``.

    Args:
        summary: :func:`drive_sim.analysis.stats.summarise` with a ``key`` column holding
            each point's label in words (``design.points["label"]``).
        design: :func:`sweep_design`.
        kpi: The KPI.
        scope: Its scope.
        key: The column naming the point.

    Returns:
        One row per point that has the KPI, in point order.
    """
    found = summary[(summary["kpi"] == kpi) & (summary["scope"] == scope)]
    values = found.set_index(key)[["mean", "ci_low", "ci_high"]]
    frame = design.points.join(values, on="label", how="inner")
    return frame.reset_index(drop=True)
