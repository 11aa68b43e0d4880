"""Warm-up and KPI windows: the launch, and the steady state after the start-up transient.

Every replication starts on launch day with nobody holding a case, so its first months
are not the steady state a site settles into, yet they are the months the study found
hardest ("a treadmill"). Every run therefore reports two **windows**:

- ``launch``: the first :data:`LAUNCH_DAYS` days (26 weeks, the study's overload period);
- ``steady``: from the end of the warm-up to the horizon.

**Warm-up.** ``run.warmup_days`` gives it in days, or ``"auto"`` (the default) has each
replication choose its own by **MSER-5** (White 1997; the method Hoad, Robinson & Davies
2010 found most reliable among 42): the weekly series of open IDVA cases (Drive and
non-Drive, summed over the site's IDVAs) is cut into batches of 5 weeks; for every
truncation point ``d`` in the first half of the batches, the marginal standard error
``sum_{j > d} (Z_j - mean)^2 / (b - d)^2`` of the batch means ``Z`` left after it is
computed; the warm-up ends at the ``d`` that minimises it. Truncating a transient
lowers the spread of what remains faster than it shortens it; truncating steady data
does not. Limiting ``d`` to the first half keeps a noisy end of the series from passing
for a transient. A replication's choice depends on its own records only, so it is the
same on every backend, in a resumed sweep and at any number of replications.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from drive_sim.model.records import SimulationOutput, WeeklyState
from drive_sim.scenario import Scenario

__all__ = [
    "BATCH_WEEKS",
    "LAUNCH_DAYS",
    "WINDOWS",
    "Window",
    "kpi_windows",
    "mser",
    "mser_warmup_days",
    "open_case_series",
    "open_case_totals",
]

#: The launch window: the first 26 weeks.
LAUNCH_DAYS = 182.0
#: MSER-5: batches of five weeks.
BATCH_WEEKS = 5
#: Window names, in the order a KPI table lists them; ``steady`` is the one judged.
WINDOWS: tuple[str, ...] = ("steady", "launch")


@dataclass(frozen=True)
class Window:
    """KPIs read weeks ending in ``(start_day, end_day]`` and cases and events in ``[start_day, end_day)``."""

    name: str
    start_day: float
    end_day: float

    @property
    def days(self) -> float:
        return self.end_day - self.start_day


def mser(series: Sequence[float] | np.ndarray, batch: int = BATCH_WEEKS) -> int:
    """Observations to truncate from the start of ``series`` by MSER-``batch``.

    Args:
        series: One value per period, in time order (nan values make a batch nan, which
            is never chosen to start the kept part).
        batch: Periods per batch (5 for MSER-5).

    Returns:
        A multiple of ``batch``: the truncation that minimises the marginal standard error
        of the batch means left, searched over the first half of the batches. 0 when the
        series has fewer than 4 batches.
    """
    values = np.asarray(series, dtype=float)
    batches = values.size // batch
    if batches < 4:
        return 0
    means = values[: batches * batch].reshape(batches, batch).mean(axis=1)
    # Sums over the batches kept, for every truncation d, from cumulative sums at the end.
    kept = np.arange(batches, 0, -1, dtype=float)
    total = np.cumsum(means[::-1])[::-1]
    squares = np.cumsum((means**2)[::-1])[::-1]
    with np.errstate(invalid="ignore"):
        statistic = (squares - total**2 / kept) / kept**2
    candidates = statistic[: batches // 2 + 1]
    if np.isnan(candidates).all():
        return 0
    return int(np.nanargmin(candidates)) * batch


def open_case_series(weeks: Sequence[WeeklyState]) -> tuple[np.ndarray, np.ndarray]:
    """The site's weekly open IDVA cases (Drive and non-Drive, every IDVA): ``(week end days, cases)``."""
    idva = [state for state in weeks if state.kind == "idva"]
    return open_case_totals(
        np.array([state.day for state in idva], dtype=float),
        np.array([state.drive_open + state.non_drive_open for state in idva], dtype=float),
    )


def open_case_totals(days: np.ndarray, open_cases: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """IDVAs' weekly states' open cases added up by week: ``(week end days, in order; cases)``.

    ``days`` and ``open_cases`` are the IDVAs' weekly states' days and open cases (Drive
    and non-Drive). Counts are whole numbers, so the totals are exact in any order.
    """
    week_days, week = np.unique(days, return_inverse=True)
    return week_days, np.bincount(week, weights=open_cases, minlength=len(week_days))


def mser_warmup_days(output: SimulationOutput, series: tuple[np.ndarray, np.ndarray] | None = None) -> float:
    """The warm-up MSER-5 chooses for one replication, in days (0 when it truncates nothing).

    ``series`` is :func:`open_case_series` of ``output.weeks``, when the caller has it.
    """
    days, cases = open_case_series(output.weeks) if series is None else series
    truncated = mser(cases)
    return float(days[truncated - 1]) if truncated else 0.0


def kpi_windows(
    output: SimulationOutput, scenario: Scenario, series: tuple[np.ndarray, np.ndarray] | None = None
) -> list[Window]:
    """The ``steady`` and ``launch`` windows of one replication (see the module docstring).

    ``series`` is :func:`open_case_series` of ``output.weeks``, when the caller has it.

    Raises:
        ValueError: If the steady window is empty (a warm-up as long as the run).
    """
    given = scenario.run.warmup_days
    warmup = mser_warmup_days(output, series) if given == "auto" else float(given)
    if output.horizon_days - warmup <= 0:
        raise ValueError(f"the KPI window is empty: horizon {output.horizon_days:g} days, warm-up {warmup:g} days")
    return [
        Window("steady", warmup, output.horizon_days),
        Window("launch", 0.0, min(LAUNCH_DAYS, output.horizon_days)),
    ]
