"""Everything the commands print: progress bars, precision notes and every rich table."""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from drive_sim.report.labels import HEADLINE, parameter_label, value_words

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    from drive_sim.runs.sizing import LevelResult, SizingResult, TargetCheck
    from drive_sim.runs.sweep import SweepPoint
    from drive_sim.scenario import Scenario

__all__ = [
    "SWEEP_COLUMNS",
    "ProgressBar",
    "clear_differences_line",
    "differences_table",
    "headline_table",
    "levels_table",
    "money",
    "plain",
    "precision_lines",
    "printable",
    "progress",
    "side_by_side",
    "sweep_table",
    "working",
]

# C0 and C1 control characters (ESC among them), DEL, and the bidirectional overrides
# that can reorder what a terminal shows. Newlines and tabs are kept.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    r"""``text`` with control characters shown as escapes (ESC as ``\x1b``), never sent raw to a terminal."""
    return _CONTROL.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), str(text))


def plain(text: str) -> str:
    """:func:`printable`, and safe inside rich markup (a name such as ``[red]`` is shown as typed)."""
    return escape(printable(text))


class ProgressBar:
    """A replication counter that callers advance; no thread of its own (safe to fork)."""

    def __init__(self, bar: Progress | None, description: str, total: int):
        self._bar = bar
        self._task = bar.add_task(description, total=total) if bar is not None else None

    def advance(self, steps: int = 1) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.advance(self._task, steps)
            self._bar.refresh()

    def describe(self, description: str, total: int | None = None) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, description=description, total=total)
            self._bar.refresh()

    def callback(self) -> Callable[[object], None]:
        """An ``on_result`` callback advancing the bar by one replication."""
        return lambda _result: self.advance()


@contextlib.contextmanager
def working(console: Console, message: str) -> Iterator[None]:
    """A spinner and ``message`` on ``console`` while a step without a count runs (only on a terminal)."""
    if not console.is_terminal:
        yield
        return
    with console.status(message):
        yield


@contextlib.contextmanager
def progress(console: Console, description: str, total: int) -> Iterator[ProgressBar]:
    """A progress bar on ``console`` (shown only on a terminal), removed when done.

    Refreshed by hand rather than by a background thread, so worker processes forked
    while it is shown inherit no half-held lock.
    """
    if not console.is_terminal:
        yield ProgressBar(None, description, total)
        return
    from drive_sim.cli.bar import new_bar

    bar = new_bar(console)
    with bar:
        yield ProgressBar(bar, description, total)


def precision_lines(summary: pd.DataFrame, target: float, limit: int = 4) -> list[str]:
    """A short warning naming headline KPIs whose 95% CI is wider than ``target`` of the mean.

    For each KPI the widest interval across scenarios is reported with the replications
    the confidence-interval method (Hoad, Robinson & Davies 2010) says it needs. Only the
    steady-state window is read (the one the answer is judged on).
    """
    import pandas as pd

    from drive_sim.analysis.stats import in_window, precision_advice

    summary = in_window(summary, "steady")
    if summary.empty or target <= 0:
        return []
    advice = precision_advice(summary, target=target)
    labels = {(item.kpi, item.scope): item.label for item in HEADLINE}
    advice = advice[[(k, s) in labels for k, s in zip(advice["kpi"], advice["scope"], strict=True)]]
    if advice.empty:
        return []
    worst = (
        advice.assign(order=[list(labels).index((k, s)) for k, s in zip(advice["kpi"], advice["scope"], strict=True)])
        .groupby(["order", "kpi", "scope"], sort=True)
        .agg(relative_precision=("relative_precision", "max"), needed=("replications_needed", "max"))
        .reset_index()
    )
    replications = int(summary["n"].max())
    items = []
    for row in worst.head(limit).itertuples(index=False):
        needed = "" if pd.isna(row.needed) else f", ~{int(row.needed):,} replications"
        items.append(f"{labels[(row.kpi, row.scope)]} (±{row.relative_precision:.0%}{needed})")
    more = f"; and {len(worst) - limit} more" if len(worst) > limit else ""
    return [
        f"Precision: with {replications} replications, {len(worst)} headline 95% CIs are wider than "
        f"±{target:.0%} of the mean: " + "; ".join(items) + more + ". Use --reps for narrower intervals "
        "(measures near zero are the hardest to pin down relatively)."
    ]


def money(value: float) -> str:
    """£12,345 (or – for nan)."""
    return "–" if value is None or math.isnan(value) else f"£{value:,.0f}"


# --------------------------------------------------------------------------------------
# Tables: run and compare
# --------------------------------------------------------------------------------------


def _is_share(kpi: str) -> bool:
    from drive_sim.report.data import is_share

    return is_share(kpi)


def _format(value: float | None, digits: int, share: bool = False) -> str:
    """12.3, 1,234; a share as a percentage (72%); – for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{100 * value:.0f}%" if share else f"{value:,.{digits}f}"


def _short(label: str, most: int = 24) -> str:
    """A label cut to ``most`` characters (with an ellipsis), for a column heading."""
    return label if len(label) <= most else label[: most - 1].rstrip() + "…"


def _estimate(row: pd.Series | None, digits: int, share: bool = False) -> tuple[str, str]:
    if row is None:
        return "–", ""
    ci = ""
    if row["ci_low"] == row["ci_high"]:  # every replication the same
        ci = "no spread"
    elif not math.isnan(row["ci_low"]):
        ci = f"{_format(row['ci_low'], digits, share)} to {_format(row['ci_high'], digits, share)}"
    return _format(row["mean"], digits, share), ci


def _status(mean: float, guidance: float | None, better: str) -> str:
    if guidance is None or math.isnan(mean) or not better:
        return ""
    ok = mean <= guidance if better == "lower" else mean >= guidance
    return "[green]within[/]" if ok else "[red]ABOVE[/]" if better == "lower" else "[red]BELOW[/]"


def _table(title: str, caption: str | None = None) -> Table:
    """A table that reads at 80 columns: no vertical rules, the title left, long cells wrapped."""
    from rich import box
    from rich.table import Table

    return Table(title=title, caption=caption, title_justify="left", caption_justify="left", box=box.SIMPLE_HEAD,
                 show_edge=False, pad_edge=False, padding=(0, 1, 0, 0))  # fmt: skip


def headline_table(summary: pd.DataFrame, scenario: Scenario, title: str) -> Table:
    """The headline KPIs in the steady state: mean, 95% CI, guidance; the launch's mean beside them."""
    import pandas as pd

    from drive_sim.analysis.metrics import guidance_for
    from drive_sim.analysis.stats import in_window

    rows = {(r.kpi, r.scope): r for r in in_window(summary, "steady").itertuples(index=False)}
    launch = {(r.kpi, r.scope): r for r in in_window(summary, "launch").itertuples(index=False)}
    table = _table(f"{title} (steady state; launch: the first 26 weeks)" if launch else title)
    table.add_column("Measure")
    table.add_column("Mean", justify="right")
    table.add_column("95% CI", justify="right", max_width=12)
    table.add_column("Guidance", justify="right")
    table.add_column("")
    if launch:
        table.add_column("Launch", justify="right", max_width=12)
    for item in HEADLINE:
        row = rows.get((item.kpi, item.scope))
        if row is None:
            continue
        share = _is_share(item.kpi)
        series = pd.Series(row._asdict())
        mean, ci = _estimate(series, item.digits, share)
        guidance = guidance_for(item.kpi, item.scope, scenario)
        table.add_row(
            item.label,
            mean,
            ci,
            "" if guidance is None else _format(guidance, item.digits, share),
            _status(series["mean"], guidance, item.better),
            *([_launch_cell(launch.get((item.kpi, item.scope)), item.digits, share)] if launch else []),
        )
    if launch:
        table.caption = (
            f"Steady state: after each replication's warm-up ({_warmup_words(scenario, summary)}). "
            "Launch: the first 26 weeks, mean (95% CI)."
        )
    return table


def _launch_cell(row: Any, digits: int, share: bool = False) -> str:
    if row is None:
        return "–"
    import pandas as pd

    mean, ci = _estimate(pd.Series(row._asdict()), digits, share)
    return f"{mean}\n[dim]{ci}[/]" if ci else mean


def _warmup_words(scenario: Scenario, summary: pd.DataFrame) -> str:
    if scenario.run.warmup_days != "auto":
        return f"run.warmup_days = {scenario.run.warmup_days:g} days"
    from drive_sim.analysis.stats import in_window

    found = in_window(summary, "steady")
    found = found[(found["kpi"] == "warmup_days") & (found["scope"] == "site")]
    if found.empty:
        return "MSER-5"
    return f"MSER-5, mean {found['mean'].iloc[0]:.0f} days"


def clear_differences_line(differences: pd.DataFrame, labels: list[str]) -> str:
    """How many headline measures differ clearly from the baseline, scenario by scenario."""
    headline = {(item.kpi, item.scope) for item in HEADLINE}
    rows = differences[[(k, s) in headline for k, s in zip(differences["kpi"], differences["scope"], strict=True)]]
    counts = []
    for label in labels[1:]:
        mine = rows[rows["scenario"] == label]
        counts.append(f"{label} {int(mine['clear'].sum())} of {int(mine['mean_difference'].notna().sum())}")
    return f"Headline measures clearly different from {labels[0]}: " + "; ".join(counts) + "."


def side_by_side(summary: pd.DataFrame, labels: list[str], baseline: Scenario) -> Table:
    """Steady-state mean and 95% CI of each scenario, with the launch's mean under them."""
    import pandas as pd

    from drive_sim.analysis.metrics import guidance_for
    from drive_sim.analysis.stats import in_window

    table = _table(
        "Side by side (steady state: mean and 95% CI across replications; same cases in every scenario; "
        "then the launch's mean, first 26 weeks)"
    )
    table.add_column("Measure")
    for label in labels:
        table.add_column(plain(_short(label, 40)), justify="right")
    index = {(r.scenario, r.kpi, r.scope): r for r in in_window(summary, "steady").itertuples(index=False)}
    launch = {(r.scenario, r.kpi, r.scope): r for r in in_window(summary, "launch").itertuples(index=False)}
    for item in HEADLINE:
        cells = []
        share = _is_share(item.kpi)
        for label in labels:
            row = index.get((label, item.kpi, item.scope))
            if row is None:
                cells.append("–")
                continue
            mean, ci = _estimate(pd.Series(row._asdict()), item.digits, share)
            start = launch.get((label, item.kpi, item.scope))
            at_launch = "" if start is None else f"\n[dim]launch {_format(start.mean, item.digits, share)}[/]"
            cells.append((f"{mean}\n[dim]{ci}[/]" if ci else mean) + at_launch)
        guidance = guidance_for(item.kpi, item.scope, baseline)
        label = item.label + (
            f" [dim](guidance {_format(guidance, item.digits, share)})[/]" if guidance is not None else ""
        )
        table.add_row(label, *cells)
    return table


def differences_table(differences: pd.DataFrame, labels: list[str]) -> Table:
    table = _table(f"Paired differences against {plain(labels[0])} (steady state; scenario minus baseline, 95% CI)")
    table.add_column("Measure")
    for label in labels[1:]:
        table.add_column(plain(_short(label, 40)), justify="right")
    index = {(r.scenario, r.kpi, r.scope): r for r in differences.itertuples(index=False)}
    for item in HEADLINE:
        cells = []
        for label in labels[1:]:
            row = index.get((label, item.kpi, item.scope))
            if row is None or math.isnan(row.mean_difference):
                cells.append("–")
                continue
            if _is_share(item.kpi):  # a difference of shares, in percentage points
                low, high = f"{100 * row.ci_low:.0f}", f"{100 * row.ci_high:.0f}"
                text = f"{100 * row.mean_difference:+.0f} pts\n({low} to {high})"
            else:
                low, high = _format(row.ci_low, item.digits), _format(row.ci_high, item.digits)
                text = f"{row.mean_difference:+,.{item.digits}f}\n({low} to {high})"
            cells.append(f"[bold]{text}[/]" if row.clear else f"[dim]{text}[/]")
        table.add_row(item.label, *cells)
    table.caption = "Bold: the difference is clear (its 95% CI excludes zero). pts: percentage points."
    return table


# --------------------------------------------------------------------------------------
# Tables: sweep and size
# --------------------------------------------------------------------------------------

#: The few measures a sweep prints per point (every KPI is in summary.csv).
SWEEP_COLUMNS: tuple[tuple[str, str, str, int], ...] = (
    ("open_cases_per_fte_mean", "group:drive", "Drive\nIDVA\nopen\ncases\nper FTE", 1),
    ("weeks_above_guidance_share", "group:drive", "Weeks\nabove\nguidance", 2),
    ("first_contact_delay_p90_days", "site", "First\ncontact\np90\n(days)", 1),
    ("any_drive_idva_burnout", "site", "Chance a\nDrive\nIDVA\nburns out", 2),
    ("annual_staff_cost", "site", "Staff\ncost\na year", 0),
)


def _narrow_ci(row: Any, digits: int, share: bool) -> str:
    """A 95% CI on a narrow line of its own: ±half-width when symmetric (t), else low–high."""
    if math.isnan(row.ci_low):
        return ""
    if share:
        return f"\n[dim]{100 * row.ci_low:.0f}–{100 * row.ci_high:.0f}%[/]"
    if math.isclose(row.mean - row.ci_low, row.ci_high - row.mean, rel_tol=1e-6, abs_tol=1e-9):
        return f"\n[dim]±{_format((row.ci_high - row.ci_low) / 2, digits)}[/]"
    return f"\n[dim]{_format(row.ci_low, digits)}–{_format(row.ci_high, digits)}[/]"


def sweep_table(summary: pd.DataFrame, points: list[SweepPoint], replications: int) -> Table:
    """Per point: the swept values and a few headline means with their 95% CIs.

    Only the values that differ between points get a column; a value every point shares
    (``--set PATH=V``) is named in the title.
    """
    paths = [path for path, _ in points[0].values]
    base = points[0].scenario
    varied = [k for k, path in enumerate(paths) if len({str(p.values[k][1]) for p in points}) > 1]
    fixed = [value_words(path, points[0].values[k][1], base) for k, path in enumerate(paths) if k not in varied]
    table = _table(
        f"Sweep: {len(points)} points x {replications} replications (steady state: mean, 95% CI; "
        "same cases at every point" + (f"; every point: {plain(', '.join(fixed))}" if fixed else "") + ")"
    )
    table.caption = "Under each mean its 95% CI: low–high, or ± its half-width where it is symmetric."
    table.add_column("Point", justify="right")
    for k in varied:
        table.add_column(plain(parameter_label(paths[k], base)), justify="right", overflow="fold")
    for _, _, label, _ in SWEEP_COLUMNS:
        table.add_column(label, justify="right")
    steady = summary[summary["window"] == "steady"] if "window" in summary.columns else summary
    index = {(r.point, r.kpi, r.scope): r for r in steady.itertuples(index=False)}
    for point in points:
        cells = []
        for kpi, scope, _, digits in SWEEP_COLUMNS:
            row = index.get((point.index, kpi, scope))
            if row is None or math.isnan(row.mean):
                cells.append("–")
            elif kpi == "annual_staff_cost":
                cells.append(f"£{row.mean / 1000:,.0f}k")
            else:
                cells.append(f"{_format(row.mean, digits, _is_share(kpi))}{_narrow_ci(row, digits, _is_share(kpi))}")
        values = (plain(_short(str(point.values[k][1]), 20)) for k in varied)
        table.add_row(str(point.index), *values, *cells)
    return table


def _check_cell(check: TargetCheck, launch: tuple[float, float, float] | None) -> str:
    if check.n < 2:
        return "–"
    share = _is_share(check.target.kpi)
    digits = 2 if check.target.limit < 1 else 1

    def number(value: float) -> str:
        return _format(value, digits, share)

    mark = {"met": "[green]met[/]", "not met": "[red]not met[/]"}.get(check.verdict, "[yellow]undecided[/]")
    at_launch = "" if launch is None or math.isnan(launch[0]) else f"\n[dim]launch {number(launch[0])}[/]"
    return f"{number(check.mean)} {mark}\n[dim]{number(check.lower)} to {number(check.upper)}[/]{at_launch}"


def _added_cell(level: LevelResult) -> str:
    mean, low, high = level.drive_added_fte
    if math.isnan(mean):
        return "–"
    return f"{mean:.2f}\n[dim]{low:.2f} to {high:.2f}[/]"


def levels_table(result: SizingResult) -> Table:
    """Every staffing level tried: replications, Drive-added FTE, each target's mean, bounds and verdict."""
    table = _table(
        f"Drive IDVA staffing tried ({'steady state' if result.window == 'steady' else 'launch window'}; "
        "replication k is the same cases at every level; "
        f"{result.replications} replications, more up to {result.budget} where a target was close). Cells: mean, "
        f"verdict; one-sided {result.look_confidence:.2%} lower to upper bound; launch (first 26 weeks) under it."
    )
    table.add_column("Drive IDVAs")
    table.add_column("Drive adds\n(IDVA FTE)", justify="right")
    for target in result.targets:
        limit = _format(target.limit, 2 if target.limit < 1 else 1, _is_share(target.kpi))
        table.add_column(f"{target.label}\nat most {limit}", justify="right")
    table.add_column("Drive IDVA\ncost a year", justify="right")
    table.add_column("All met")
    for level in sorted(result.levels, key=lambda r: r.staffing.level):
        chosen = level is result.chosen
        launches = level.launch or [None] * len(level.checks)
        given = " (as given)" if level.staffing.level == 0 else ""
        table.add_row(
            f"{'[bold]' if chosen else ''}{level.staffing.posts}{given}{'[/]' if chosen else ''}\n"
            f"[dim]{level.staffing.fte:g} FTE\n{level.replications} reps[/]",
            _added_cell(level),
            *(_check_cell(c, la) for c, la in zip(level.checks, launches, strict=True)),
            money(level.drive_idva_annual_cost),
            ("[bold green]yes,\nchosen[/]" if chosen else "yes" if level.met else "no")
            + ("" if level.complete else "\n(interrupted)"),
        )
    return table


def uncertainty_table(variance: pd.DataFrame, sensitivity: pd.DataFrame, emulator: pd.DataFrame) -> Table:
    """Per headline measure: the spread over plausible worlds, the assumptions' share of it, what moves it most."""
    from drive_sim.report.how_sure import parameter_label, ranked

    table = _table("Over plausible worlds (steady state; each world's mean of its replications)")
    headings = ("Measure", "Middle\nworld", "90% of\nworlds", "Assump-\ntions'\nshare", "Moves it most")
    for name in headings:
        table.add_column(name, justify="left" if name in ("Measure", "Moves it most") else "right")
    for item in HEADLINE:
        row = variance[(variance["kpi"] == item.kpi) & (variance["scope"] == item.scope)]
        if row.empty:
            continue
        r = row.iloc[0]
        share = _is_share(item.kpi)
        order = ranked(sensitivity, item.kpi, item.scope)
        top = plain(parameter_label(order["parameter"].iloc[0]).split(" (")[0]) if len(order) else "–"
        table.add_row(
            item.label,
            _format(r["p50"], item.digits, share),
            f"{_format(r['p05'], item.digits, share)} to {_format(r['p95'], item.digits, share)}",
            _format(r["parameter_share"], 0, share=True),
            top,
        )
    table.caption = "Assumptions' share: of the variance over worlds, the part the assumed values make (not noise)."
    return table


def robust_table(levels: pd.DataFrame, share: float) -> Table:
    """Every staffing level tried across the worlds: the share meeting every target (95% CI) and each target's."""
    table = _table(f"Staffing across plausible worlds (chosen: the least meeting every target in {share:.0%})")
    targets = [c for c in levels.columns if c.startswith("share: ")]
    table.add_column("Staffing")
    table.add_column("Worlds meeting\nevery target", justify="right")
    for column in targets:
        table.add_column(column.removeprefix("share: "), justify="right")
    table.add_column("Staff cost\na year", justify="right")
    for _, r in levels.iterrows():
        table.add_row(
            ("[bold]" if r["chosen"] else "") + plain(r["label"]) + (" (chosen)[/]" if r["chosen"] else ""),
            f"{r['share_meeting_all']:.0%}\n[dim]{r['ci_low']:.0%} to {r['ci_high']:.0%}[/]",
            *(f"{r[c]:.0%}" for c in targets),
            money(r["annual_staff_cost"]),
        )
    return table
