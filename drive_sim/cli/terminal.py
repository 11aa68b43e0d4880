"""Terminal helpers shared by the commands: progress bars and short precision notes."""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Callable, Iterator

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from drive_sim.analysis.stats import in_window, precision_advice
from drive_sim.report.labels import HEADLINE

__all__ = ["ProgressBar", "plain", "precision_lines", "printable", "progress"]

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
def progress(console: Console, description: str, total: int) -> Iterator[ProgressBar]:
    """A progress bar on ``console`` (shown only on a terminal), removed when done.

    Refreshed by hand rather than by a background thread, so worker processes forked
    while it is shown inherit no half-held lock.
    """
    if not console.is_terminal:
        yield ProgressBar(None, description, total)
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("replications"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        auto_refresh=False,
    )
    with bar:
        yield ProgressBar(bar, description, total)


def precision_lines(summary: pd.DataFrame, target: float, limit: int = 4) -> list[str]:
    """A short warning naming headline KPIs whose 95% CI is wider than ``target`` of the mean.

    For each KPI the widest interval across scenarios is reported with the replications
    the confidence-interval method (Hoad, Robinson & Davies 2010) says it needs. Only the
    steady-state window is read (the one the answer is judged on).
    """
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
