"""Across replications: means with t confidence intervals, replications needed, paired differences.

Every function takes the long KPI table of :mod:`drive_sim.analysis.metrics` (``replication, kpi,
scope, value``, possibly with more key columns such as ``scenario``) and treats each
replication as one independent observation. Missing values (nan) are left out, so ``n``
is the number of replications in which a KPI was defined.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

__all__ = [
    "one_sided_bound",
    "paired_differences",
    "precision_advice",
    "replications_for_margin",
    "replications_needed",
    "summarise",
]

#: The schema's ceiling on ``run.replications``: advice beyond it could not be followed.
MAX_REPLICATIONS = 100_000

_SUMMARY_COLUMNS = ("n", "mean", "sd", "ci_low", "ci_high", "half_width", "relative_precision")


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence!r}")


def _t_quantile(n: np.ndarray, confidence: float) -> np.ndarray:
    """Two-sided t quantile for samples of size ``n`` (nan where ``n < 2``)."""
    n = np.asarray(n, dtype=float)
    df = np.where(n >= 2, n - 1, np.nan)
    return scipy_stats.t.ppf((1 + confidence) / 2, df)


def _half_width(sd: np.ndarray, n: np.ndarray, confidence: float) -> np.ndarray:
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _t_quantile(n, confidence) * np.asarray(sd, dtype=float) / np.sqrt(n)


def _relative(half_width: np.ndarray, mean: np.ndarray) -> np.ndarray:
    mean = np.abs(np.asarray(mean, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(mean > 0, half_width / mean, np.nan)


def summarise(kpis: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Mean and t confidence interval of every KPI across replications.

    Args:
        kpis: Long KPI table. Rows are grouped by every column except ``replication`` and
            ``value`` (so ``kpi``, ``scope`` and any ``scenario`` column).
        confidence: Coverage of the two-sided interval.

    Returns:
        The grouping columns in order of first appearance, then ``n`` (non-nan values),
        ``mean``, ``sd``, ``ci_low``, ``ci_high``, ``half_width`` and
        ``relative_precision`` (half-width over the absolute mean; nan when the mean is
        0). With ``n < 2`` the interval is nan.
    """
    _check_confidence(confidence)
    keys = [column for column in kpis.columns if column not in ("replication", "value")]
    summary = kpis.groupby(keys, sort=False, dropna=False)["value"].agg(n="count", mean="mean", sd="std").reset_index()
    half_width = _half_width(summary["sd"], summary["n"], confidence)
    summary["ci_low"] = summary["mean"] - half_width
    summary["ci_high"] = summary["mean"] + half_width
    summary["half_width"] = half_width
    summary["relative_precision"] = _relative(half_width, summary["mean"])
    summary["n"] = summary["n"].astype(np.int64)
    return summary[[*keys, *_SUMMARY_COLUMNS]]


def _replications_needed(
    mean: float, sd: float, target_relative_precision: float, confidence: float, max_n: int
) -> int | None:
    if not (math.isfinite(mean) and math.isfinite(sd)) or mean == 0:
        return None
    allowed_half_width = target_relative_precision * abs(mean)
    q = (1 + confidence) / 2
    # The t quantile is never below the normal one, so no n under the normal answer can do.
    n = max(2, math.ceil((scipy_stats.norm.ppf(q) * sd / allowed_half_width) ** 2))
    while n <= max_n:
        if scipy_stats.t.ppf(q, n - 1) * sd / math.sqrt(n) <= allowed_half_width:
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
    if kpis.duplicated(["scenario", *match]).any():
        raise ValueError(f"kpis has more than one value for some scenario and {', '.join(match)}")
    keys = ["scenario", *(column for column in match if column != "replication")]

    is_baseline = kpis["scenario"] == baseline
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
    )
    half_width = _half_width(result["sd"], result["n"], confidence)
    result["ci_low"] = result["mean_difference"] - half_width
    result["ci_high"] = result["mean_difference"] + half_width
    result["clear"] = ((result["ci_low"] > 0) | (result["ci_high"] < 0)).astype(bool)
    result["n"] = result["n"].astype(np.int64)
    columns = [*keys, "n", "mean_difference", "ci_low", "ci_high", "clear", "baseline_mean", "scenario_mean"]
    return result[columns]


def one_sided_bound(values: Iterable[float], confidence: float = 0.95, upper: bool = True) -> tuple[int, float, float]:
    """The mean of ``values`` and its one-sided t confidence bound.

    The bound is ``mean + t(confidence, n - 1) * sd / sqrt(n)`` (``-`` for a lower bound):
    the population mean is below it with the stated confidence. For a 0/1 KPI the mean is
    a probability and this is the t bound of that probability; when every value is the
    same the bound equals the mean.

    Args:
        values: One value per replication; nan values are left out.
        confidence: One-sided coverage.
        upper: An upper bound (else a lower one).

    Returns:
        ``(n, mean, bound)``; the bound is nan with fewer than 2 values.
    """
    _check_confidence(confidence)
    sample = np.asarray(list(values), dtype=float)
    sample = sample[~np.isnan(sample)]
    n = int(sample.size)
    if n == 0:
        return 0, math.nan, math.nan
    mean = float(sample.mean())
    if n < 2:
        return n, mean, math.nan
    margin = float(scipy_stats.t.ppf(confidence, n - 1)) * float(sample.std(ddof=1)) / math.sqrt(n)
    return n, mean, mean + margin if upper else mean - margin


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
    n = max(2, math.ceil((scipy_stats.norm.ppf(q) * sd / margin) ** 2))
    while n <= max_n:
        if scipy_stats.t.ppf(q, n - 1) * sd / math.sqrt(n) <= margin:
            return n
        n += 1
    return None
