"""Across replications: means with confidence intervals, replications needed, paired differences.

Every function takes the long KPI table of :mod:`drive_sim.analysis.metrics` (``replication, kpi,
scope, value``, possibly with more key columns such as ``window`` or ``scenario``) and treats
each replication as one independent observation. Missing values (nan) are left out, so
``n`` is the number of replications in which a KPI was defined.

**Which interval.** A KPI's kind follows from its unit in
:data:`~drive_sim.analysis.metrics.KPI_INFO` (see :func:`kpi_kind`), and every summary,
bound and verdict uses the interval that fits that kind, so the terminal, ``summary.csv``,
the HTML report and ``drive-sim size`` all show the same numbers:

- ``probability`` (unit ``0 or 1``: whether any IDVA burnt out in a replication): the
  replications are Bernoulli trials and the mean is the chance; its interval is the exact
  **Clopper–Pearson** interval on the count of 1s (the limits ``scipy.stats.binomtest``
  gives, taken as beta quantiles). It lies in
  [0, 1] and keeps its stated coverage at 0 of 20 or 20 of 20, where a t interval
  collapses to a point.
- ``share`` (unit ``share``: a proportion measured within each replication, such as the
  share of weeks above guidance): each replication gives a value in [0, 1] whose spread
  across replications is usually far below a coin's. The interval is the **quasi-binomial
  score (Wilson) interval**: the Wilson interval with the t quantile and the effective
  number of trials ``n * p(1 - p) / s^2``, i.e. the variance the replications show, not
  a coin's. Near the middle it is the t interval; near 0 or 1 it bends to stay inside
  [0, 1] without clipping (the score interval never leaves it). When every replication
  gives exactly 0 (or exactly 1) the data say nothing about the spread, so the widest a
  [0, 1] value can have is assumed (each replication counts as one yes/no trial): a
  conservative interval, never the point ``[0, 0]``.
- ``mean`` (everything else): the t interval.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, Literal, TypeAlias

import numpy as np
import pandas as pd
from scipy.special import betaincinv, ndtri, stdtrit

from drive_sim.analysis.metrics import KPI_INFO

__all__ = [
    "INTERVAL_METHODS",
    "Kind",
    "SummaryStream",
    "binomial_interval",
    "estimate",
    "in_window",
    "kpi_kind",
    "one_sided_bound",
    "paired_differences",
    "precision_advice",
    "replications_for_margin",
    "replications_needed",
    "summarise",
]

#: The schema's ceiling on ``run.replications``: advice beyond it could not be followed.
MAX_REPLICATIONS = 100_000

_SUMMARY_COLUMNS = ("n", "mean", "sd", "ci_low", "ci_high", "half_width", "relative_precision", "interval")

Kind = Literal["probability", "share", "mean"]
Side = Literal["two-sided", "upper", "lower"]
#: KPI kind -> the name of its interval, as written in ``summary.csv``'s ``interval`` column.
INTERVAL_METHODS: dict[str, str] = {
    "probability": "clopper-pearson",
    "share": "quasi-binomial wilson",
    "mean": "t",
}


def kpi_kind(kpi: str, kinds: Mapping[str, str] | None = None) -> Kind:
    """Whether a KPI is a probability across replications, a share within each, or a plain mean.

    From the unit in :data:`~drive_sim.analysis.metrics.KPI_INFO`: ``0 or 1`` is a
    probability, ``share`` a share, anything else a mean. ``kinds`` overrides it per KPI; a
    KPI in neither whose name ends in ``_share`` is a share.
    """
    if kinds is not None and kpi in kinds:
        kind = kinds[kpi]
        if kind not in INTERVAL_METHODS:
            raise ValueError(f"kind of {kpi!r} must be one of {', '.join(INTERVAL_METHODS)}, not {kind!r}")
        return kind  # type: ignore[return-value]
    unit = KPI_INFO[kpi][0] if kpi in KPI_INFO else ("share" if kpi.endswith("_share") else "")
    return "probability" if unit == "0 or 1" else "share" if unit == "share" else "mean"


def in_window(frame: pd.DataFrame, window: str) -> pd.DataFrame:
    """The rows of a KPI table or summary for one window (all rows if it has no ``window`` column)."""
    if "window" not in frame.columns:
        return frame
    return frame[frame["window"] == window]


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence!r}")


def _t_quantile(n: np.ndarray, confidence: float) -> np.ndarray:
    """Two-sided t quantile for samples of size ``n`` (nan where ``n < 2``)."""
    n = np.asarray(n, dtype=float)
    df = np.where(n >= 2, n - 1, np.nan)
    return stdtrit(df, (1 + confidence) / 2)


def _half_width(sd: np.ndarray, n: np.ndarray, confidence: float) -> np.ndarray:
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _t_quantile(n, confidence) * np.asarray(sd, dtype=float) / np.sqrt(n)


def _relative(half_width: np.ndarray, mean: np.ndarray) -> np.ndarray:
    mean = np.abs(np.asarray(mean, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(mean > 0, half_width / mean, np.nan)


def _quantile(n: np.ndarray, confidence: float, side: Side) -> np.ndarray:
    """The t quantile for a two-sided interval or a one-sided bound (nan where ``n < 2``)."""
    n = np.asarray(n, dtype=float)
    df = np.where(n >= 2, n - 1, np.nan)
    return stdtrit(df, (1 + confidence) / 2 if side == "two-sided" else confidence)


def _t_limits(
    mean: np.ndarray, sd: np.ndarray, n: np.ndarray, confidence: float, side: Side
) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(divide="ignore", invalid="ignore"):
        margin = _quantile(n, confidence, side) * np.asarray(sd, dtype=float) / np.sqrt(np.asarray(n, dtype=float))
    low = mean - margin if side != "upper" else np.full_like(margin, -np.inf)
    high = mean + margin if side != "lower" else np.full_like(margin, np.inf)
    return np.where(np.isnan(margin), np.nan, low), np.where(np.isnan(margin), np.nan, high)


def _share_limits(
    mean: np.ndarray, sd: np.ndarray, n: np.ndarray, confidence: float, side: Side
) -> tuple[np.ndarray, np.ndarray]:
    """Quasi-binomial score (Wilson) limits for means of values in [0, 1] (see the module docstring)."""
    p = np.asarray(mean, dtype=float)
    n = np.asarray(n, dtype=float)
    variance = np.asarray(sd, dtype=float) ** 2
    z = _quantile(n, confidence, side)
    spread = p * (1 - p)
    # A spread of a few ulps gives trials past 1e154, whose square overflows to inf: the
    # terms in 1/trials are then 0, their limit, and the interval is the point, as it should.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # Effective trials: n / dispersion, dispersion = s^2 / (p(1-p)); a coin's at 0 or 1.
        trials = np.where(spread > 0, n * spread / variance, n)
        centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
        half = z * np.sqrt(spread / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    # No spread inside (0, 1): every replication agrees, as the t interval says.
    point = (spread > 0) & (variance == 0)
    low = np.where(point, p, np.clip(centre - half, 0.0, p))
    high = np.where(point, p, np.clip(centre + half, p, 1.0))
    if side == "upper":
        low = np.zeros_like(low)
    elif side == "lower":
        high = np.ones_like(high)
    bad = np.isnan(z) | np.isnan(p)
    return np.where(bad, np.nan, low), np.where(bad, np.nan, high)


def binomial_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The exact (Clopper–Pearson) two-sided interval of a chance from ``successes`` of ``n`` trials."""
    _check_confidence(confidence)
    return _exact_limits(successes, n, confidence, "two-sided")


def _exact_limits(successes: int, n: int, confidence: float, side: Side) -> tuple[float, float]:
    """Clopper–Pearson limits for ``successes`` of ``n``, as quantiles of the beta distribution.

    The lower limit is the chance at which ``successes`` or more would be seen with
    probability ``alpha``, and that tail is the regularised incomplete beta function
    ``I_p(successes, n - successes + 1)``; the upper limit likewise with
    ``I_p(successes + 1, n - successes)``. So each limit is ``scipy.special.betaincinv``
    in closed form, the textbook definition. ``scipy.stats.binomtest`` finds the same
    limits by ``brentq`` on the binomial tails (to brentq's tolerance, 2e-12), which
    would mean importing ``scipy.optimize``: about 0.3 s of CPU in every command that
    summarises. ``tests/unit/test_stats_intervals.py`` holds the two within that
    tolerance and checks each limit solves its tail equation at least as closely.
    """
    alpha = (1 - confidence) / 2 if side == "two-sided" else 1 - confidence
    low = 0.0 if successes == 0 or side == "upper" else float(betaincinv(successes, n - successes + 1, alpha))
    high = 1.0 if successes == n or side == "lower" else float(betaincinv(successes + 1, n - successes, 1 - alpha))
    return low, high


def _limits(
    kind: Kind, values: np.ndarray, confidence: float, side: Side
) -> tuple[int, float, float, float, float, str]:
    """``(n, mean, sd, low, high, method)`` of one KPI's values (nan left out)."""
    sample = values[~np.isnan(values)]
    n = int(sample.size)
    mean = float(sample.mean()) if n else math.nan
    sd = float(sample.std(ddof=1)) if n >= 2 else math.nan
    kind = _fitting_kind(kind, sample)
    if n < 2:
        return n, mean, sd, math.nan, math.nan, INTERVAL_METHODS[kind]
    if kind == "probability":
        low, high = _exact_limits(int(sample.sum()), n, confidence, side)
    else:
        limits = _share_limits if kind == "share" else _t_limits
        low_array, high_array = limits(np.array([mean]), np.array([sd]), np.array([n]), confidence, side)
        low, high = float(low_array[0]), float(high_array[0])
    return n, mean, sd, low, high, INTERVAL_METHODS[kind]


def _fitting_kind(kind: Kind, sample: np.ndarray) -> Kind:
    """The kind, stepped down where the values cannot be it (a 'probability' of 0.5s is a share)."""
    if kind == "probability" and not np.isin(sample, (0.0, 1.0)).all():
        kind = "share"
    if kind == "share" and not ((sample >= 0) & (sample <= 1)).all():
        kind = "mean"
    return kind


def estimate(
    values: Iterable[float], kind: Kind = "mean", confidence: float = 0.95, side: Side = "two-sided"
) -> tuple[int, float, float, float]:
    """One KPI's mean across replications and the interval (or one-sided bound) that fits its kind.

    Args:
        values: One value per replication; nan values are left out.
        kind: ``probability``, ``share`` or ``mean`` (see the module docstring and
            :func:`kpi_kind`). Values that cannot be of the kind step down: a
            ``probability`` that is not all 0s and 1s is treated as a ``share``, a
            ``share`` outside [0, 1] as a ``mean``.
        confidence: Coverage of the interval, or of the one-sided bound.
        side: ``two-sided``; ``upper`` (the low limit is then the lowest possible
            value); or ``lower``.

    Returns:
        ``(n, mean, low, high)``; the limits are nan with fewer than 2 values.
    """
    _check_confidence(confidence)
    n, mean, _, low, high, _ = _limits(kind, np.asarray(list(values), dtype=float), confidence, side)
    return n, mean, low, high


#: What ``pd.factorize`` gives as a column's values: an Index, or an array of the column's own type.
_Uniques: TypeAlias = pd.Index | pd.api.extensions.ExtensionArray


def _coded(frame: pd.DataFrame, columns: Iterable[str]) -> tuple[pd.DataFrame, dict[str, _Uniques]]:
    """``frame`` with its text ``columns`` as integer codes, and the values the codes stand for.

    Codes number a column's values in order of first appearance, a missing value with a
    code of its own, so grouping (``sort=False``), matching and choosing rows on the codes
    give the same rows in the same order as on the values, without copying text: pairing
    a sweep's millions of rows on text was most of the cost. :func:`_decoded` puts the
    values back.
    """
    codes, values = {}, {}
    for column in columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            codes[column], values[column] = pd.factorize(frame[column], use_na_sentinel=False)
    return (frame.assign(**codes) if codes else frame), values


def _decoded(frame: pd.DataFrame, values: Mapping[str, _Uniques]) -> pd.DataFrame:
    """The inverse of :func:`_coded` on a frame holding some of its coded columns."""
    present = {column: found for column, found in values.items() if column in frame.columns}
    return frame.assign(**{column: found.take(frame[column].to_numpy()) for column, found in present.items()})


def summarise(kpis: pd.DataFrame, confidence: float = 0.95, kinds: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Mean and confidence interval of every KPI across replications, each with the interval its kind needs.

    Args:
        kpis: Long KPI table. Rows are grouped by every column except ``replication`` and
            ``value`` (so ``kpi``, ``scope`` and any ``window`` or ``scenario`` column).
        confidence: Coverage of the two-sided interval.
        kinds: KPI name -> ``probability``, ``share`` or ``mean``, overriding
            :func:`kpi_kind`.

    Returns:
        The grouping columns in order of first appearance, then ``n`` (non-nan values),
        ``mean``, ``sd``, ``ci_low``, ``ci_high``, ``half_width`` (half the interval's
        width; the interval of a share or probability need not be symmetric),
        ``relative_precision`` (half-width over the absolute mean; nan when the mean is
        0) and ``interval`` (``t``, ``clopper-pearson`` or ``quasi-binomial wilson``; see
        the module docstring). Intervals of probabilities and shares lie in [0, 1]. With
        ``n < 2`` the interval is nan.
    """
    _check_confidence(confidence)
    keys = [column for column in kpis.columns if column not in ("replication", "value")]
    grouped = kpis.groupby(keys, sort=False, dropna=False)["value"]
    summary = grouped.agg(n="count", mean="mean", sd="std", successes="sum").reset_index()
    is_binary, in_unit = _value_ranges(kpis, keys)
    return _with_intervals(summary, keys, is_binary, in_unit, confidence, kinds)


def _value_ranges(kpis: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per group (in order of first appearance): all values 0 or 1; all values in [0, 1]."""
    values = kpis["value"]
    # Which groups can take each kind: all 0/1 (a probability), all in [0, 1] (a share).
    binary = (values.isin((0.0, 1.0)) | values.isna()).groupby([kpis[k] for k in keys], sort=False, dropna=False)
    unit = ((values >= 0) & (values <= 1) | values.isna()).groupby([kpis[k] for k in keys], sort=False, dropna=False)
    return binary.all().to_numpy(), unit.all().to_numpy()


def _with_intervals(
    summary: pd.DataFrame,
    keys: list[str],
    is_binary: np.ndarray,
    in_unit: np.ndarray,
    confidence: float,
    kinds: Mapping[str, str] | None,
) -> pd.DataFrame:
    """The summary's intervals, from ``n``, ``mean``, ``sd`` and ``successes`` per group."""
    names = summary["kpi"].astype(str) if "kpi" in summary.columns else pd.Series([""] * len(summary))
    wanted = np.array([kpi_kind(name, kinds) if name else "mean" for name in names], dtype=object)
    kind = np.where((wanted == "probability") & ~is_binary, "share", wanted)
    kind = np.where((kind == "share") & ~in_unit, "mean", kind)

    mean, sd, n = (summary[c].to_numpy(dtype=float) for c in ("mean", "sd", "n"))
    low, high = _t_limits(mean, sd, n, confidence, "two-sided")
    share_low, share_high = _share_limits(mean, sd, n, confidence, "two-sided")
    is_share = kind == "share"
    low, high = np.where(is_share, share_low, low), np.where(is_share, share_high, high)
    successes = summary["successes"].to_numpy(dtype=float)
    for position in np.flatnonzero((kind == "probability") & (n >= 2)):
        low[position], high[position] = _exact_limits(
            int(successes[position]), int(n[position]), confidence, "two-sided"
        )
    summary["ci_low"], summary["ci_high"] = low, high
    summary["half_width"] = (high - low) / 2
    summary["relative_precision"] = _relative(summary["half_width"].to_numpy(), mean)
    summary["interval"] = [INTERVAL_METHODS[k] for k in kind]
    summary["n"] = summary["n"].astype(np.int64)
    return summary[[*keys, *_SUMMARY_COLUMNS]]


class SummaryStream:
    """:func:`summarise` over a KPI table that arrives in parts, holding one part at a time.

    Replications are folded in one at a time, in the order they arrive, by Welford's
    update of each group's count, mean and sum of squared deviations (as stable as the
    two-pass formula), so memory does not grow with the number of replications, and the
    result depends only on the order of the replications, never on how they were cut into
    parts (a sweep's parts depend on the backend; its summary must not). The result has
    the same groups, order and intervals as :func:`summarise` on the whole table; means
    and sds can differ from it in the last bits of a float (a different summation order).

    Use :meth:`add` for each part (rows of one replication together, one row per group
    in each replication, replications in order), then :meth:`result`.
    """

    def __init__(self) -> None:
        self._keys: list[str] | None = None
        self._groups: list[pd.DataFrame] = []  # each group's key values, first appearance first
        self._positions: dict[tuple[Any, ...], int] = {}  # a group's key values (missing as None): its position
        self._n = self._mean = self._m2 = self._successes = np.zeros(0)
        self._binary = self._unit = np.ones(0, dtype=bool)

    def _codes(self, part: pd.DataFrame, keys: list[str]) -> np.ndarray:
        """Each row's group position, adding groups seen for the first time (in order).

        The part's rows are grouped on integer codes (one ``pd.factorize`` per key column,
        combined, then factorized again, in first-appearance order); only its distinct
        groups, a few hundred against the part's tens of thousands of rows, are looked up
        by their key values. (A MultiIndex of the rows cost several times more.)
        """
        combined, bound = np.zeros(len(part), dtype=np.int64), 1
        columns: list[tuple[np.ndarray, list[Any]]] = []  # each key's codes and its values (missing as None)
        for key in keys:
            codes, uniques = pd.factorize(part[key], use_na_sentinel=False)
            named = [None if gone else value for value, gone in zip(uniques.tolist(), pd.isna(uniques), strict=True)]
            columns.append((codes, named))
            width = max(len(uniques), 1)
            combined, bound = combined * width + codes, bound * width
            if bound > 2**31:  # keep the combined codes far from int64's limit
                combined, seen = pd.factorize(combined)
                bound = len(seen)
        labels, distinct = pd.factorize(combined)
        first = np.empty(len(distinct), dtype=np.intp)
        first[labels[::-1]] = np.arange(len(labels) - 1, -1, -1)  # the earliest row wins
        values = [[named[code] for code in codes[first].tolist()] for codes, named in columns]
        positions = np.empty(len(distinct), dtype=np.intp)
        new: list[int] = []
        for k, group in enumerate(zip(*values, strict=True)):
            position = self._positions.get(group)
            if position is None:
                position = self._positions[group] = len(self._positions)
                new.append(k)
            positions[k] = position
        if new or not self._groups:
            self._groups.append(part[keys].iloc[first[new]])
            grow = len(new)
            self._n, self._mean, self._m2, self._successes = (
                np.concatenate([a, np.zeros(grow)]) for a in (self._n, self._mean, self._m2, self._successes)
            )
            flags = np.ones(grow, dtype=bool)
            self._binary, self._unit = np.concatenate([self._binary, flags]), np.concatenate([self._unit, flags])
        return positions[labels]

    def add(self, part: pd.DataFrame) -> None:
        """Fold in one part (a long KPI table with the same columns as every other part)."""
        keys = [column for column in part.columns if column not in ("replication", "value")]
        if self._keys is None:
            self._keys = keys
        elif keys != self._keys:
            raise ValueError(f"a part's columns {keys} differ from the first part's {self._keys}")
        codes = self._codes(part, keys)
        values = part["value"].to_numpy(dtype=float)
        known = ~np.isnan(values)
        self._binary[codes[known & (values != 0) & (values != 1)]] = False
        self._unit[codes[known & ((values < 0) | (values > 1))]] = False
        replication = part["replication"].to_numpy()
        starts = np.flatnonzero(np.r_[True, replication[1:] != replication[:-1]])
        for first, last in zip(starts, [*starts[1:], len(replication)], strict=True):
            take = known[first:last]
            group, value = codes[first:last][take], values[first:last][take]
            self._n[group] += 1
            delta = value - self._mean[group]
            self._mean[group] += delta / self._n[group]
            self._m2[group] += delta * (value - self._mean[group])
            self._successes[group] += value

    def result(self, confidence: float = 0.95, kinds: Mapping[str, str] | None = None) -> pd.DataFrame:
        """The summary of every part added, as :func:`summarise` gives it."""
        _check_confidence(confidence)
        if self._keys is None:
            raise ValueError("no part was added")
        n = self._n.copy()
        with np.errstate(invalid="ignore", divide="ignore"):
            sd = np.where(n > 1, np.sqrt(np.maximum(self._m2, 0.0) / (n - 1)), np.nan)
        summary = pd.concat(self._groups, ignore_index=True)
        summary["n"], summary["mean"], summary["sd"] = n, np.where(n > 0, self._mean, np.nan), sd
        summary["successes"] = self._successes.copy()
        return _with_intervals(summary, list(self._keys), self._binary.copy(), self._unit.copy(), confidence, kinds)


def _replications_needed(
    mean: float, sd: float, target_relative_precision: float, confidence: float, max_n: int
) -> int | None:
    if not (math.isfinite(mean) and math.isfinite(sd)) or mean == 0:
        return None
    allowed_half_width = target_relative_precision * abs(mean)
    q = (1 + confidence) / 2
    # The t quantile is never below the normal one, so no n under the normal answer can do.
    n = max(2, math.ceil((ndtri(q) * sd / allowed_half_width) ** 2))
    while n <= max_n:
        if stdtrit(n - 1, q) * sd / math.sqrt(n) <= allowed_half_width:
            return n
        n += 1
    return None


def replications_needed(
    values: Iterable[float],
    target_relative_precision: float = 0.05,
    confidence: float = 0.95,
    max_n: int = MAX_REPLICATIONS,
) -> int | None:
    """Replications needed for a KPI's interval to reach a relative precision.

    The confidence-interval method of Hoad, Robinson & Davies (2010): taking the sample
    mean and standard deviation of ``values`` as given, the smallest ``n`` with
    ``t(n - 1) * sd / sqrt(n) <= target * |mean|``.

    Args:
        values: One value per replication run so far; nan values are left out.
        target_relative_precision: Largest acceptable half-width over the absolute mean.
        confidence: Coverage of the two-sided interval.
        max_n: Give up above this many replications.

    Returns:
        The number of replications, or ``None`` when it cannot be said: fewer than 3
        values, a mean of 0, or more than ``max_n`` needed.
    """
    _check_confidence(confidence)
    if target_relative_precision <= 0:
        raise ValueError(f"target_relative_precision must be positive, not {target_relative_precision!r}")
    sample = np.asarray(list(values), dtype=float)
    sample = sample[~np.isnan(sample)]
    if sample.size < 3:
        return None
    return _replications_needed(
        float(sample.mean()), float(sample.std(ddof=1)), target_relative_precision, confidence, max_n
    )


def precision_advice(
    summary: pd.DataFrame, target: float = 0.05, confidence: float = 0.95, max_n: int = MAX_REPLICATIONS
) -> pd.DataFrame:
    """KPIs whose interval is wider than the target, with the replications they need.

    Args:
        summary: Output of :func:`summarise` (made with the same ``confidence``).
        target: Largest acceptable relative precision.
        confidence: Coverage of the interval.
        max_n: As for :func:`replications_needed`.

    Returns:
        One row per KPI above the target, in summary order: the summary's key columns,
        ``relative_precision`` and ``replications_needed`` (missing where it cannot be
        said; see :func:`replications_needed`). KPIs with an undefined precision (mean 0,
        fewer than 2 values) are not listed.
    """
    keys = [column for column in summary.columns if column not in _SUMMARY_COLUMNS]
    wide = summary[summary["relative_precision"] > target]
    needed = [
        _replications_needed(mean, sd, target, confidence, max_n) if n >= 3 else None
        for n, mean, sd in zip(wide["n"], wide["mean"], wide["sd"], strict=True)
    ]
    advice = wide[[*keys, "relative_precision"]].reset_index(drop=True)
    advice["replications_needed"] = pd.array(needed, dtype="Int64")
    return advice


def paired_differences(kpis: pd.DataFrame, baseline: str, confidence: float = 0.95) -> pd.DataFrame:
    """Each scenario's KPIs minus the baseline's, paired by replication.

    Replication ``r`` of every scenario ran on the same random numbers (common random
    numbers), so differences are taken replication by replication and their paired t
    interval is far narrower than the two scenarios' intervals would suggest.

    Args:
        kpis: Long KPI table with a ``scenario`` column. Rows are matched on every column
            except ``scenario`` and ``value``.
        baseline: The scenario subtracted from the others.
        confidence: Coverage of the two-sided interval.

    Returns:
        One row per other scenario and KPI, in order of first appearance: ``scenario``,
        the KPI key columns, ``n`` (pairs with both values defined), ``mean_difference``
        (scenario minus baseline), ``ci_low``, ``ci_high``, ``clear`` (the interval
        excludes 0), ``baseline_mean`` and ``scenario_mean`` (over the same pairs). When
        every difference is the same value ``d`` the interval is ``[d, d]``: clear unless
        ``d`` is 0. With ``n < 2`` the interval is nan and ``clear`` is False.

    Raises:
        ValueError: Without a ``scenario`` column, an unknown baseline, or repeated rows.
    """
    _check_confidence(confidence)
    if "scenario" not in kpis.columns:
        raise ValueError("paired_differences needs a 'scenario' column")
    scenarios = list(kpis["scenario"].unique())
    if baseline not in scenarios:
        raise ValueError(f"baseline {baseline!r} is not one of the scenarios: {', '.join(map(str, scenarios))}")
    match = [column for column in kpis.columns if column not in ("scenario", "value")]
    is_baseline = (kpis["scenario"] == baseline).to_numpy()
    kpis, values = _coded(kpis, [*match, "scenario"])
    if kpis.duplicated(["scenario", *match]).any():
        raise ValueError(f"kpis has more than one value for some scenario and {', '.join(match)}")
    keys = ["scenario", *(column for column in match if column != "replication")]

    pairs = kpis[~is_baseline].merge(
        kpis.loc[is_baseline, [*match, "value"]], on=match, how="inner", suffixes=("", "_baseline"), sort=False
    )
    difference = pairs["value"] - pairs["value_baseline"]
    # Means over the pairs actually compared, so mean_difference = scenario - baseline mean.
    pairs = pairs.assign(
        difference=difference,
        scenario_value=pairs["value"].where(difference.notna()),
        baseline_value=pairs["value_baseline"].where(difference.notna()),
    )
    result = (
        pairs.groupby(keys, sort=False, dropna=False)
        .agg(
            n=("difference", "count"),
            mean_difference=("difference", "mean"),
            sd=("difference", "std"),
            baseline_mean=("baseline_value", "mean"),
            scenario_mean=("scenario_value", "mean"),
        )
        .reset_index()
        .pipe(_decoded, values)
    )
    half_width = _half_width(result["sd"], result["n"], confidence)
    result["ci_low"] = result["mean_difference"] - half_width
    result["ci_high"] = result["mean_difference"] + half_width
    result["clear"] = ((result["ci_low"] > 0) | (result["ci_high"] < 0)).astype(bool)
    result["n"] = result["n"].astype(np.int64)
    columns = [*keys, "n", "mean_difference", "ci_low", "ci_high", "clear", "baseline_mean", "scenario_mean"]
    return result[columns]


def one_sided_bound(
    values: Iterable[float], confidence: float = 0.95, upper: bool = True, kind: Kind = "mean"
) -> tuple[int, float, float]:
    """The mean of ``values`` and its one-sided confidence bound, fitting the KPI's kind.

    For a ``mean`` the bound is ``mean + t(confidence, n - 1) * sd / sqrt(n)`` (``-`` for a
    lower bound); for a ``probability`` the exact (Clopper–Pearson) one-sided bound, so 0 of
    20 bounds the chance at 0.139, not 0; for a ``share`` the one-sided quasi-binomial
    Wilson bound (see the module docstring). The population mean is beyond it with at most
    ``1 - confidence`` chance.

    Args:
        values: One value per replication; nan values are left out.
        confidence: One-sided coverage.
        upper: An upper bound (else a lower one).
        kind: ``probability``, ``share`` or ``mean``, as for :func:`estimate`.

    Returns:
        ``(n, mean, bound)``; the bound is nan with fewer than 2 values.
    """
    n, mean, low, high = estimate(values, kind, confidence, "upper" if upper else "lower")
    return n, mean, high if upper else low


def replications_for_margin(
    sd: float, margin: float, confidence: float = 0.95, one_sided: bool = True, max_n: int = MAX_REPLICATIONS
) -> int | None:
    """Replications for a t interval's half-width (or one-sided margin) to shrink to ``margin``.

    The confidence-interval method of Hoad, Robinson & Davies (2010) with an absolute
    target: the smallest ``n`` with ``t(n - 1) * sd / sqrt(n) <= margin``, taking ``sd``
    as given. Use it to ask how many replications would settle whether a mean is on the
    right side of a threshold ``margin`` away.

    Returns:
        The number of replications, or ``None`` when ``margin`` is not positive, ``sd`` is
        not finite, or more than ``max_n`` would be needed.
    """
    _check_confidence(confidence)
    if not (math.isfinite(sd) and math.isfinite(margin)) or margin <= 0:
        return None
    q = confidence if one_sided else (1 + confidence) / 2
    if sd == 0:
        return 2
    n = max(2, math.ceil((ndtri(q) * sd / margin) ** 2))
    while n <= max_n:
        if stdtrit(n - 1, q) * sd / math.sqrt(n) <= margin:
            return n
        n += 1
    return None
