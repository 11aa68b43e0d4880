"""Fit a site's parameters from its case export, each with a confidence interval (95% by default).

Pure statistics over a validated :class:`~drive_sim.calibration.casefile.CaseExport`: nothing here
reads or writes files. :func:`fit_site` returns a :class:`SiteFit`; ``fit_report`` turns
it into a scenario file and an HTML page. What is fitted, and how:

- **Referral rate**: non-backdated cases over the referral period, a Poisson rate per year
  with the exact (chi-square) interval, widened quasi-Poisson when panel batches are
  over-dispersed. Each distinct referral date stands for the interval to the next, so the
  period is ``(last - first) * m / (m - 1)`` for ``m`` distinct dates.
- **Trend**: Poisson regression of monthly counts on time (offset: days covered that
  month; quasi-Poisson standard error); the rate ratio per year and its p-value.
- **Panel batches**: cases per distinct referral date: mean, variance, dispersion index
  with its chi-square test, and the negative binomial ``k`` (moment estimate, bootstrap
  interval) the model's ``referrals.dispersion`` uses.
- **Durations** (CM intervention, first-contact delay): censored maximum likelihood for
  lognormal, gamma and Weibull (``scipy.stats`` with ``CensoredData``), the lowest AIC
  wins; intervals from the observed information (delta method on the log scale). Dates are
  whole days, so a duration of ``d`` days is taken as ``d + 0.5``.
- **Shares**: Wilson intervals; client response shares use Goodman's simultaneous
  intervals.

The generic statistics (the intervals, the censored duration fit, Kaplan-Meier) live in
:mod:`drive_sim.calibration.fit_stats`; this module decides which cases and dates feed them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import stats

from drive_sim.calibration.casefile import RESPONSES, CaseExport, CaseRow, NonDriveExport
from drive_sim.calibration.fit_stats import (
    CONFIDENCE,
    DurationFit,
    Estimate,
    Share,
    fit_duration,
    goodman,
    percentile_ci,
    poisson_rate,
    wilson,
    z_value,
)
from drive_sim.model.lifecycle import GatePolicy, cautious_deadline, gate_opens
from drive_sim.scenario import Scenario

__all__ = [
    "DelayFit",
    "DeselectionFit",
    "MonthCount",
    "NonDriveFit",
    "ReferralFit",
    "SiteFit",
    "InterventionStart",
    "count_text",
    "fit_site",
]

_DAYS_PER_YEAR = 365  # the model's year (referrals.annual_rate)
_MIN_EVENTS = 10  # fewer closures (or contacts) than this: no distribution is fitted
_BOOTSTRAP = 2000
_SIGNIFICANT = 0.05  # tests (trend, over-dispersion) are reported at this level


@dataclass(frozen=True)
class MonthCount:
    month: dt.date
    cases: int
    days: int  # days of the month inside the referral period


@dataclass(frozen=True)
class ReferralFit:
    cases: int  # not backdated
    backdated: int
    first: dt.date
    last: dt.date
    period_days: float
    per_year: Estimate
    months: tuple[MonthCount, ...]
    trend_ratio_per_year: Estimate | None  # rate ratio per year of time
    trend_p_value: float | None
    trend_expected: tuple[float, ...]  # fitted cases per month, for plotting
    meetings: int  # distinct referral dates
    meeting_interval_days: float  # median gap between them
    batch_mean: float
    batch_variance: float
    dispersion_index: float
    overdispersion_p_value: float
    dispersion_k: Estimate
    backdating_months: Estimate


@dataclass(frozen=True)
class DelayFit:
    cases: int
    median_days: Estimate
    p90_days: Estimate
    within_7_days: Share
    before_referral: int  # left out: contact dated before the referral
    distribution: DurationFit | None


@dataclass(frozen=True)
class DeselectionFit:
    overall: Share
    unreachable: Share | None  # among never-contacted unreachable clients' cases old enough to have settled
    reached: Share | None  # among support and monitoring clients' cases, likewise
    settle_days: int


@dataclass(frozen=True)
class NonDriveFit:
    idva_id: str
    months: int
    referrals: int
    per_year: Estimate


@dataclass(frozen=True)
class SiteFit:
    """Everything fitted from one export; ``None`` where the data were too few."""

    source: str
    as_of: dt.date
    confidence: float
    cases: int
    idvas: int
    case_managers: int
    referrals: ReferralFit | None
    intervention_start: InterventionStart
    cm_duration: DurationFit | None  # from the rebuilt intervention start to CM closure
    duration_includes_extensions: bool
    extension: Share | None
    responses: dict[str, Share]  # observed, non-backdated cases
    already_supported_share: float  # assumed (base scenario)
    response_shares: dict[str, Estimate]  # the model's case_mix.client_response they imply
    first_contact: DelayFit | None
    deselection: DeselectionFit
    non_drive: tuple[NonDriveFit, ...]
    notes: tuple[str, ...]


# --------------------------------------------------------------------------------------
# Referrals
# --------------------------------------------------------------------------------------


def _month_counts(dates: Sequence[dt.date], first: dt.date, last: dt.date) -> list[MonthCount]:
    counts: dict[dt.date, int] = {}
    for day in dates:
        counts[day.replace(day=1)] = counts.get(day.replace(day=1), 0) + 1
    months, month = [], first.replace(day=1)
    while month <= last:
        following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
        days = (min(following, last + dt.timedelta(days=1)) - max(month, first)).days
        months.append(MonthCount(month, counts.get(month, 0), days))
        month = following
    return months


def _trend(months: Sequence[MonthCount], first: dt.date, z: float) -> tuple[Estimate, float, tuple[float, ...]] | None:
    """Poisson regression of monthly counts on years since ``first`` (quasi-Poisson SE)."""
    if len(months) < 3:
        return None
    y = np.array([m.cases for m in months], dtype=float)
    days = np.array([m.days for m in months], dtype=float)
    middle = np.array([(max(m.month, first) - first).days + m.days / 2 for m in months]) / _DAYS_PER_YEAR
    x = np.column_stack([np.ones_like(middle), middle])
    offset = np.log(days)
    beta = np.array([math.log(max(y.sum(), 0.5) / days.sum()), 0.0])
    for _ in range(100):
        mu = np.exp(x @ beta + offset)
        step = np.linalg.solve(x.T @ (mu[:, None] * x), x.T @ (y - mu))
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    mu = np.exp(x @ beta + offset)
    cov = np.linalg.inv(x.T @ (mu[:, None] * x))
    phi = max(1.0, float(((y - mu) ** 2 / mu).sum()) / (len(y) - 2))
    se = math.sqrt(cov[1, 1] * phi)
    slope = float(beta[1])
    p_value = float(2 * stats.norm.sf(abs(slope) / se))
    ratio = Estimate(math.exp(slope), math.exp(slope - z * se), math.exp(slope + z * se))
    return ratio, p_value, tuple(float(v) for v in mu)


def _fit_referrals(cases: Sequence[CaseRow], rng: np.random.Generator, confidence: float) -> ReferralFit | None:
    dates = sorted(c.referral_date for c in cases if not c.backdated)
    meeting_days = sorted(set(dates))
    if len(meeting_days) < 2:
        return None
    first, last = meeting_days[0], meeting_days[-1]
    m = len(meeting_days)
    period = (last - first).days * m / (m - 1)
    per_day = Counter(dates)
    sizes = np.array([per_day[day] for day in meeting_days], dtype=float)
    mean, variance = float(sizes.mean()), float(sizes.var(ddof=1))
    index = variance / mean
    over_p = float(stats.chi2.sf((m - 1) * index, m - 1))
    n = len(dates)
    per_year = poisson_rate(n, period / _DAYS_PER_YEAR, confidence)
    if over_p < _SIGNIFICANT and index > 1:  # quasi-Poisson: an effective count of n / index
        wide = poisson_rate(max(1, round(n / index)), 1.0, confidence)
        scale = per_year.value / wide.value
        per_year = Estimate(per_year.value, wide.low * scale, wide.high * scale)
    resampled = rng.choice(sizes, size=(_BOOTSTRAP, m))
    boot_mean, boot_var = resampled.mean(axis=1), resampled.var(axis=1, ddof=1)
    k_draws = np.maximum(0.0, (boot_var - boot_mean) / boot_mean**2)
    dispersion_k = percentile_ci(max(0.0, (variance - mean) / mean**2), k_draws, confidence)
    months = _month_counts(dates, first, last)
    z = z_value(confidence)
    trend = _trend(months, first, z)
    backdated = sum(c.backdated for c in cases)
    if backdated:
        months_back = 12 * backdated / per_year.value
        se = math.sqrt(1 / backdated + 1 / n)
        backdating = Estimate(months_back, months_back * math.exp(-z * se), months_back * math.exp(z * se))
    else:
        backdating = Estimate(0.0, 0.0, 12 * poisson_rate(0, 1.0, confidence).high / per_year.value)
    return ReferralFit(
        cases=n,
        backdated=backdated,
        first=first,
        last=last,
        period_days=period,
        per_year=per_year,
        months=tuple(months),
        trend_ratio_per_year=trend[0] if trend else None,
        trend_p_value=trend[1] if trend else None,
        trend_expected=trend[2] if trend else (),
        meetings=m,
        meeting_interval_days=float(np.median(np.diff([d.toordinal() for d in meeting_days]))),
        batch_mean=mean,
        batch_variance=variance,
        dispersion_index=index,
        overdispersion_p_value=over_p,
        dispersion_k=dispersion_k,
        backdating_months=backdating,
    )


# --------------------------------------------------------------------------------------
# The whole site
# --------------------------------------------------------------------------------------


def _days(start: dt.date, end: dt.date) -> int:
    return (end - start).days


@dataclass(frozen=True)
class InterventionStart:
    """When the model starts a case's CM intervention: at the gate (see ``model.lifecycle``).

    The model's own rule, :func:`drive_sim.model.lifecycle.gate_opens`, applied to the
    export's dates (days from referral, taken as acceptance): the export has no gate date,
    so it is rebuilt from the base scenario's policy.
    """

    gate: GatePolicy = "strict"
    strategy_days: float = 28.0
    cautious_after_days: float = 28.0

    @classmethod
    def of(cls, scenario: Scenario) -> InterventionStart:
        return cls(
            scenario.policies.gate,
            float(scenario.durations.contact_strategy_days.mean),
            scenario.policies.cautious_after_days,
        )

    def days_after_referral(self, case: CaseRow) -> float | None:
        """Days from referral to the start, or ``None`` where the export cannot tell."""
        contact = (
            None if case.idva_first_contact_date is None else _days(case.referral_date, case.idva_first_contact_date)
        )
        if self.gate != "none" and contact is None and case.client_response is not None:
            return None  # unreachable: the outcome's date is not in the export
        deadline = cautious_deadline(0.0, self.strategy_days, self.cautious_after_days)
        return gate_opens(self.gate, self.strategy_days, contact, deadline).day


def _cm_duration_data(export: CaseExport, start: InterventionStart) -> tuple[np.ndarray, np.ndarray, int]:
    """CM intervention lengths: closures are events; open and deselected cases are censored.

    Returns the days, the event flags, and how many cases closed before their rebuilt start
    (left out). With an ``extended`` column, extended cases are left out (extension is
    decided independently of the intervention's length, so this does not bias the fit),
    and so are closed cases whose flag is blank; without it the lengths include extensions.
    Deselection is a competing risk: a deselected case says only that the intervention
    would have lasted longer.
    """
    days, observed, early = [], [], 0
    for case in export.cases:
        if export.has_extended and (case.extended or (case.extended is None and case.cm_closed_date)):
            continue
        offset = start.days_after_referral(case)
        if offset is None:
            continue
        end = _days(case.referral_date, case.cm_closed_date or export.as_of)
        length = end - offset
        if length <= 0:
            early += case.cm_closed_date is not None
            continue
        if case.cm_closed_date is not None and not case.deselected:
            days.append(length + 0.5)  # closed on a day: the middle of it
            observed.append(True)
        elif case.cm_closed_date is not None or not case.deselected:
            days.append(length)
            observed.append(False)
    return np.array(days, dtype=float), np.array(observed, dtype=bool), early


def _fit_extension(export: CaseExport, confidence: float, notes: list[str]) -> Share | None:
    """Extension share among cases old enough that extended and non-extended ones have all closed.

    Extended cases close later, so among recent cases the closed ones are mostly
    non-extended; only cases referred longer ago than the longest closed duration seen are
    counted, unless fewer than 10 are (then all closed cases, with a note).
    """
    closed = [c for c in export.cases if c.cm_closed_date and not c.deselected and c.extended is not None]
    if not closed:
        return None
    longest = max(_days(c.referral_date, c.cm_closed_date) for c in closed if c.cm_closed_date)
    old = [c for c in closed if _days(c.referral_date, export.as_of) > longest]
    if len(old) < _MIN_EVENTS:
        notes.append("extension share: too few old cases, so estimated from all closed cases (may be too low)")
        old = closed
    return wilson(sum(bool(c.extended) for c in old), len(old), confidence)


def _fit_first_contact(export: CaseExport, rng: np.random.Generator, confidence: float) -> DelayFit | None:
    delays = [_days(c.referral_date, c.idva_first_contact_date) for c in export.cases if c.idva_first_contact_date]
    values = np.array([d for d in delays if d >= 0], dtype=float)
    if len(values) < 2:
        return None
    quantiles = np.quantile(rng.choice(values, size=(_BOOTSTRAP, len(values))), [0.5, 0.9], axis=1)
    distribution = None
    if len(values) >= _MIN_EVENTS and len(np.unique(values)) >= 3:
        distribution = fit_duration(values + 0.5, np.ones(len(values), dtype=bool), confidence=confidence)
    return DelayFit(
        cases=len(values),
        median_days=percentile_ci(float(np.median(values)), quantiles[0], confidence),
        p90_days=percentile_ci(float(np.quantile(values, 0.9)), quantiles[1], confidence),
        within_7_days=wilson(int((values <= 7).sum()), len(values), confidence),
        before_referral=sum(d < 0 for d in delays),
        distribution=distribution,
    )


def _fit_deselection(export: CaseExport, confidence: float) -> DeselectionFit:
    """Deselection overall, and by client response among cases old enough to have settled.

    A case is deselected at a panel some time after its referral; cases referred within
    the longest referral-to-deselection time seen are left out of the by-response shares,
    since their deselection may still be to come. "Unreachable" counts clients never
    contacted: the model deselects on an unreachable first-contact outcome only.
    """
    cases = export.cases
    settle = max(
        (_days(c.referral_date, c.cm_closed_date) for c in cases if c.deselected and c.cm_closed_date), default=0
    )
    settled = [c for c in cases if _days(c.referral_date, export.as_of) > settle]

    def share(group: list[CaseRow]) -> Share | None:
        return wilson(sum(c.deselected for c in group), len(group), confidence) if group else None

    return DeselectionFit(
        overall=wilson(sum(c.deselected for c in cases), len(cases), confidence),
        unreachable=share([c for c in settled if c.client_response == "unreachable" and not c.idva_first_contact_date]),
        reached=share([c for c in settled if c.client_response in ("support", "monitoring")]),
        settle_days=settle,
    )


def _fit_responses(
    export: CaseExport, already_supported: float, confidence: float
) -> tuple[dict[str, Share], dict[str, Estimate]]:
    """Observed response shares (non-backdated cases) and the model's shares they imply.

    The model makes every already-supported client a support client and draws the others'
    responses from ``case_mix.client_response``; the export cannot tell them apart, so with
    ``a = case_mix.already_supported_share`` (from the base scenario) the observed shares
    are ``a + (1 - a) support``, ``(1 - a) monitoring`` and ``(1 - a) unreachable``. The
    interval ends are mapped the same way and clipped to [0, 1].
    """
    counts = {r: sum(c.client_response == r and not c.backdated for c in export.cases) for r in RESPONSES}
    if not sum(counts.values()) or already_supported >= 1:
        return {}, {}
    observed = goodman(counts, confidence)

    def model_share(response: str, value: float) -> float:
        shifted = value - already_supported if response == "support" else value
        return min(1.0, max(0.0, shifted / (1 - already_supported)))

    implied = {
        r: Estimate(*(model_share(r, v) for v in (share.share.value, share.share.low, share.share.high)))
        for r, share in observed.items()
    }
    return observed, implied


def _fit_non_drive(non_drive: NonDriveExport, confidence: float) -> tuple[NonDriveFit, ...]:
    by_idva: dict[str, list[int]] = {}
    for row in non_drive.rows:
        by_idva.setdefault(row.idva_id, []).append(row.referrals)
    return tuple(
        NonDriveFit(idva, len(counts), sum(counts), poisson_rate(sum(counts), len(counts) / 12, confidence))
        for idva, counts in sorted(by_idva.items())
    )


def fit_site(
    export: CaseExport,
    non_drive: NonDriveExport | None = None,
    scenario: Scenario | None = None,
    seed: int = 0,
    confidence: float = CONFIDENCE,
) -> SiteFit:
    """Fit everything the export supports; what it cannot support is ``None`` with a note.

    Args:
        export: a validated case export.
        non_drive: optional non-Drive referrals per IDVA and month.
        scenario: the base scenario, whose gate policy, contact strategy and
            already-supported share say how the model's parameters show in the data
            (default: the default site).
        seed: seed of the bootstrap intervals (batch dispersion, first-contact quantiles).
        confidence: coverage of every interval.
    """
    scenario = scenario or Scenario()
    referral_rng, contact_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    notes: list[str] = []
    referrals = _fit_referrals(export.cases, referral_rng, confidence)
    if referrals is None:
        notes.append("referral rate: fewer than two distinct referral dates")
    start = InterventionStart.of(scenario)
    days, observed, early = _cm_duration_data(export, start)
    cm_duration = None
    if observed.sum() >= _MIN_EVENTS and len(np.unique(days[observed])) >= 3:
        cm_duration = fit_duration(days, observed, confidence=confidence)
    else:
        notes.append(f"CM duration: fewer than {_MIN_EVENTS} closed cases (or under 3 distinct lengths) to fit")
    if early:
        notes.append(f"CM duration: {count_text(early)} cases closed before their intervention would have started")
    extension = _fit_extension(export, confidence, notes) if export.has_extended else None
    already_supported = scenario.case_mix.already_supported_share
    responses, response_shares = _fit_responses(export, already_supported, confidence)
    if not responses:
        notes.append("client response: no case has a response")
    first_contact = _fit_first_contact(export, contact_rng, confidence)
    if first_contact is None:
        notes.append("first contact: fewer than two cases with a first-contact date")
    return SiteFit(
        source=Path(export.source).name,  # a folder's name could be a person's
        as_of=export.as_of,
        confidence=confidence,
        cases=len(export.cases),
        idvas=len({c.idva_id for c in export.cases if c.idva_id}),
        case_managers=len({c.cm_id for c in export.cases if c.cm_id}),
        referrals=referrals,
        intervention_start=start,
        cm_duration=cm_duration,
        duration_includes_extensions=not export.has_extended,
        extension=extension,
        responses=responses,
        already_supported_share=already_supported,
        response_shares=response_shares,
        first_contact=first_contact,
        deselection=_fit_deselection(export, confidence),
        non_drive=_fit_non_drive(non_drive, confidence) if non_drive else (),
        notes=tuple(notes),
    )


def count_text(n: int) -> str:
    """A case count as outputs show it: counts from 1 to 4 are suppressed as "<5"."""
    return "<5" if 0 < n < 5 else f"{n:,}"
