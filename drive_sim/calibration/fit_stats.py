"""Generic statistics behind ``drive-sim fit``: confidence intervals and censored duration fits.

Nothing here knows the case export's columns or the scenario schema: these functions take
counts and arrays, and :mod:`drive_sim.calibration.fit` turns a validated export into them. It holds:

- **Intervals**: a Poisson rate with its exact (Garwood, chi-square) interval, a binomial
  share with its Wilson score interval, multinomial shares with Goodman's (1965)
  simultaneous intervals, and the percentile interval of bootstrap draws.
- **Right-censored durations**: maximum likelihood for lognormal, gamma and Weibull
  (``scipy.stats`` with ``CensoredData``, polished by Nelder-Mead); the family with the
  lowest AIC wins, and its intervals come from the observed information (delta method on
  the log scale). Parameters are reported as ``{kind, ...}`` specs (lognormal mean and sd,
  gamma shape and mean, Weibull shape and scale), the form distributions are written in.
- **Kaplan-Meier**: the product-limit survival estimate, and the largest gap between it
  and a fitted survival curve.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

__all__ = [
    "CONFIDENCE",
    "FAMILIES",
    "DurationFit",
    "Estimate",
    "Share",
    "fit_duration",
    "goodman",
    "kaplan_meier",
    "percentile_ci",
    "poisson_rate",
    "wilson",
    "z_value",
]

CONFIDENCE = 0.95

FAMILIES: dict[str, stats.rv_continuous] = {
    "lognormal": stats.lognorm,
    "gamma": stats.gamma,
    "weibull": stats.weibull_min,
}


@dataclass(frozen=True)
class Estimate:
    """A point estimate and its confidence interval."""

    value: float
    low: float
    high: float

    def contains(self, x: float) -> bool:
        return self.low <= x <= self.high


@dataclass(frozen=True)
class Share:
    """``count`` of ``total`` cases, and the share with its interval."""

    count: int
    total: int
    share: Estimate


@dataclass(frozen=True)
class DurationFit:
    """The winning distribution of a censored duration fit (days)."""

    family: str
    shape: float
    scale: float
    spec: dict[str, float | str]  # the scenario's distribution spec
    spec_ci: dict[str, Estimate]
    mean: Estimate
    sd: Estimate
    median: Estimate
    p90: Estimate
    aic: dict[str, float]  # every family tried
    events: int
    censored: int
    max_gap: float  # largest gap between Kaplan-Meier and fitted survival
    km_days: tuple[float, ...]
    km_survival: tuple[float, ...]
    km_at_risk: tuple[int, ...]

    def survival(self, days: np.ndarray) -> np.ndarray:
        return FAMILIES[self.family].sf(days, self.shape, scale=self.scale)


# --------------------------------------------------------------------------------------
# Intervals
# --------------------------------------------------------------------------------------


def z_value(confidence: float) -> float:
    """The standard normal quantile of a two-sided interval with coverage ``confidence``."""
    return float(stats.norm.ppf(0.5 + confidence / 2))


def poisson_rate(count: int, exposure: float, confidence: float = CONFIDENCE) -> Estimate:
    """A Poisson rate per unit of ``exposure`` with its exact (Garwood) interval."""
    alpha = 1 - confidence
    low = stats.chi2.ppf(alpha / 2, 2 * count) / 2 if count > 0 else 0.0
    high = stats.chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2
    return Estimate(count / exposure, low / exposure, high / exposure)


def wilson(count: int, total: int, confidence: float = CONFIDENCE) -> Share:
    """A binomial share with its Wilson score interval."""
    p, z = count / total, z_value(confidence)
    denominator = 1 + z**2 / total
    centre = (p + z**2 / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z**2 / (4 * total**2)) / denominator
    return Share(count, total, Estimate(p, max(0.0, centre - half), min(1.0, centre + half)))


def goodman(counts: dict[str, int], confidence: float = CONFIDENCE) -> dict[str, Share]:
    """Multinomial shares with Goodman's (1965) simultaneous intervals."""
    total = sum(counts.values())
    q = stats.chi2.ppf(1 - (1 - confidence) / len(counts), 1)
    result = {}
    for key, n in counts.items():
        root = math.sqrt(q * (q + 4 * n * (total - n) / total))
        low, high = ((q + 2 * n - root) / (2 * (total + q)), (q + 2 * n + root) / (2 * (total + q)))
        result[key] = Share(n, total, Estimate(n / total, max(0.0, low), min(1.0, high)))
    return result


def percentile_ci(value: float, draws: np.ndarray, confidence: float) -> Estimate:
    """A point estimate with the percentile interval of its bootstrap ``draws``."""
    low, high = np.quantile(draws, [(1 - confidence) / 2, (1 + confidence) / 2])
    return Estimate(float(value), float(low), float(high))


# --------------------------------------------------------------------------------------
# Censored distributions
# --------------------------------------------------------------------------------------


def kaplan_meier(days: np.ndarray, observed: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Event days, survival just after each, and the number at risk just before each."""
    event_days = np.unique(days[observed])
    at_risk = np.array([(days >= t).sum() for t in event_days])
    events = np.array([((days == t) & observed).sum() for t in event_days])
    return event_days, np.cumprod(1 - events / at_risk), at_risk


def _log_likelihood(dist: stats.rv_continuous, theta: np.ndarray, events: np.ndarray, censored: np.ndarray) -> float:
    with np.errstate(all="ignore"):  # far from the optimum some parameters overflow: -inf then
        shape, scale = np.exp(theta)
        value = dist.logpdf(events, shape, scale=scale).sum() + dist.logsf(censored, shape, scale=scale).sum()
    return float(value) if np.isfinite(value) else -math.inf


def _start(family: str, values: np.ndarray) -> np.ndarray:
    """Method-of-moments starting values (log shape, log scale)."""
    mean, var = float(values.mean()), float(max(values.var(), 1e-6 * values.mean() ** 2))
    if family == "lognormal":
        s = math.sqrt(math.log1p(var / mean**2))
        return np.log([s, mean / math.exp(s**2 / 2)])
    if family == "gamma":
        return np.log([mean**2 / var, var / mean])
    k = max(0.2, min(20.0, 1.2 / math.sqrt(var) * mean))
    return np.log([k, mean / math.gamma(1 + 1 / k)])


def _mle(family: str, events: np.ndarray, censored: np.ndarray) -> tuple[np.ndarray, float]:
    """Censored MLE of (log shape, log scale): scipy's fit, polished by Nelder-Mead."""
    dist = FAMILIES[family]

    def negative(theta: np.ndarray) -> float:
        return -_log_likelihood(dist, theta, events, censored)

    starts = [_start(family, events)]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            shape, _, scale = dist.fit(stats.CensoredData(uncensored=events, right=censored), floc=0)
            starts.insert(0, np.log([shape, scale]))
        except (ValueError, RuntimeError, FloatingPointError):
            pass
        best = min(starts, key=negative)
        result = optimize.minimize(negative, best, method="Nelder-Mead", options={"xatol": 1e-7, "fatol": 1e-9})
    theta = result.x if result.fun <= negative(best) else best
    return np.asarray(theta, dtype=float), -negative(theta)


def _hessian(f: Callable[[np.ndarray], float], theta: np.ndarray, h: float = 1e-4) -> np.ndarray:
    n = len(theta)
    hess = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            ei, ej = np.eye(n)[i] * h, np.eye(n)[j] * h
            hess[i, j] = (f(theta + ei + ej) - f(theta + ei - ej) - f(theta - ei + ej) + f(theta - ei - ej)) / (
                4 * h * h
            )
    return hess


def _delta(g: Callable[[np.ndarray], float], theta: np.ndarray, cov: np.ndarray | None, z: float) -> Estimate:
    """A positive function of the parameters with a log-scale delta-method interval."""
    value = g(theta)
    if cov is None:
        return Estimate(value, math.nan, math.nan)
    h = 1e-6
    grad = np.array([(math.log(g(theta + h * e)) - math.log(g(theta - h * e))) / (2 * h) for e in np.eye(len(theta))])
    se = math.sqrt(max(0.0, float(grad @ cov @ grad)))
    return Estimate(value, value * math.exp(-z * se), value * math.exp(z * se))


def _spec(family: str, theta: np.ndarray) -> dict[str, float]:
    """The scenario's parameters of a distribution (see ``config.Distribution``)."""
    shape, scale = np.exp(theta)
    if family == "lognormal":
        mean = scale * math.exp(shape**2 / 2)
        return {"mean": mean, "sd": mean * math.sqrt(math.expm1(shape**2))}
    if family == "gamma":
        return {"shape": shape, "mean": shape * scale}
    return {"shape": shape, "scale": scale}


def fit_duration(
    days: np.ndarray,
    observed: np.ndarray,
    families: Sequence[str] = tuple(FAMILIES),
    confidence: float = CONFIDENCE,
) -> DurationFit:
    """Fit right-censored durations; the family with the lowest AIC wins.

    Args:
        days: durations in days (positive).
        observed: True where the duration ended (an event), False where it was censored.
        families: candidates among ``lognormal``, ``gamma``, ``weibull``.
        confidence: coverage of the intervals.
    """
    z = z_value(confidence)
    days = np.asarray(days, dtype=float)
    observed = np.asarray(observed, dtype=bool)
    events, censored = days[observed], days[~observed]
    fits = {family: _mle(family, events, censored) for family in families}
    aic = {family: 4 - 2 * ll for family, (_, ll) in fits.items()}
    family = min(aic, key=aic.__getitem__)
    theta = fits[family][0]
    dist = FAMILIES[family]

    def log_likelihood(t: np.ndarray) -> float:
        return _log_likelihood(dist, t, events, censored)

    try:
        cov = np.linalg.inv(-_hessian(log_likelihood, theta))
        cov = cov if np.all(np.linalg.eigvalsh(cov) > 0) else None
    except np.linalg.LinAlgError:
        cov = None

    def quantity(name: str) -> Callable[[np.ndarray], float]:
        def g(t: np.ndarray) -> float:
            shape, scale = np.exp(t)
            if name in ("mean", "sd"):
                return float(dist.mean(shape, scale=scale) if name == "mean" else dist.std(shape, scale=scale))
            return float(dist.ppf(0.5 if name == "median" else 0.9, shape, scale=scale))

        return g

    spec_ci = {key: _delta(lambda t, key=key: _spec(family, t)[key], theta, cov, z) for key in _spec(family, theta)}
    km_days, km_survival, km_at_risk = kaplan_meier(days, observed)
    shape, scale = (float(v) for v in np.exp(theta))
    fitted = dist.sf(km_days, shape, scale=scale)
    before = np.concatenate([[1.0], km_survival[:-1]])
    gap = float(np.max(np.maximum(abs(km_survival - fitted), abs(before - fitted)))) if len(km_days) else math.nan
    return DurationFit(
        family=family,
        shape=shape,
        scale=scale,
        spec={"kind": family, **_spec(family, theta)},
        spec_ci=spec_ci,
        mean=_delta(quantity("mean"), theta, cov, z),
        sd=_delta(quantity("sd"), theta, cov, z),
        median=_delta(quantity("median"), theta, cov, z),
        p90=_delta(quantity("p90"), theta, cov, z),
        aic=aic,
        events=int(observed.sum()),
        censored=int((~observed).sum()),
        max_gap=gap,
        km_days=tuple(float(v) for v in km_days),
        km_survival=tuple(float(v) for v in km_survival),
        km_at_risk=tuple(int(v) for v in km_at_risk),
    )
