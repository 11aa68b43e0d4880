"""Fitting recovers known parameters: the truth lies inside the fitted interval.

Data come from a small generator drawing cases from known distributions with numpy, the
way the model does (panels every 28 days, the CM intervention starting at the gate,
extension, deselection of unreachable clients at the next panel). Single checks use the
fit's own 99.9% interval, so a correct fit fails one only once in a thousand seeds; the
coverage test checks the 95% intervals over many seeds against the binomial.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pytest
from scipy import stats

from drive_sim.calibration.casefile import CaseExport, CaseRow
from drive_sim.calibration.fit import count_text, fit_site
from drive_sim.calibration.fit_stats import fit_duration, goodman, poisson_rate, wilson
from drive_sim.scenario import Scenario

STRICT = 0.999
START = dt.date(2023, 1, 2)


@dataclass(frozen=True)
class Truth:
    annual_rate: float = 120.0
    dispersion: float = 0.0
    years: float = 3.0
    mean_days: float = 200.0
    sd_days: float = 70.0
    extension: float = 0.15
    shares: tuple[float, float, float] = (0.5, 0.2, 0.3)  # support, monitoring, unreachable
    already_supported: float = 0.2
    deselect_unreachable: float = 0.6
    ramp_to: float = 1.0  # rate at the end as a multiple of the rate at the start


def generate(seed: int, truth: Truth = Truth()) -> CaseExport:
    """A case export drawn from known distributions (gate 'strict', 28-day contact strategy)."""
    rng = np.random.default_rng(seed)
    horizon = int(truth.years * 365)
    sigma2 = math.log1p((truth.sd_days / truth.mean_days) ** 2)
    mu = math.log(truth.mean_days) - sigma2 / 2
    panels = list(range(0, horizon, 28))
    rows: list[CaseRow] = []
    for day in panels:
        mean = truth.annual_rate * 28 / 365 * (1 + (truth.ramp_to - 1) * day / horizon)
        if truth.dispersion > 0:
            mean = rng.gamma(1 / truth.dispersion, mean * truth.dispersion)
        for _ in range(rng.poisson(mean)):
            if rng.random() < truth.already_supported:
                response, outcome = "support", 0.0
            else:
                response = rng.choice(["support", "monitoring", "unreachable"], p=truth.shares)
                outcome = 0.0 if rng.random() < 0.25 else float(rng.gamma(2.0, 4.0))
            contacted = response != "unreachable"
            gate = day + max(28.0, outcome)
            extended = bool(rng.random() < truth.extension)
            end = gate + rng.lognormal(mu, math.sqrt(sigma2)) + (90.0 if extended else 0.0)
            deselected = False
            if not contacted and rng.random() < truth.deselect_unreachable:
                next_panel = next((p for p in panels if p > gate), None)
                if next_panel is not None and next_panel < end:
                    deselected, end = True, float(next_panel)

            def date(t: float) -> dt.date | None:
                return START + dt.timedelta(days=math.floor(t)) if t < horizon else None

            rows.append(
                CaseRow(
                    case_id=f"K{len(rows):05d}",
                    referral_date=START + dt.timedelta(days=day),
                    cm_closed_date=date(end),
                    idva_first_contact_date=date(day + outcome) if contacted else None,
                    client_response=response if day + outcome < horizon else None,
                    deselected=deselected and end < horizon,
                    backdated=False,
                    extended=extended,
                    idva_id="I01",
                    cm_id="C01",
                )
            )
    return CaseExport("generated.csv", tuple(rows), START + dt.timedelta(days=horizon), True)


def site_scenario(truth: Truth) -> Scenario:
    return Scenario.model_validate({"case_mix": {"already_supported_share": truth.already_supported}})


# --------------------------------------------------------------------------------------
# Intervals against textbook values
# --------------------------------------------------------------------------------------


def test_wilson_matches_the_textbook_interval():
    share = wilson(5, 10).share
    assert (round(share.low, 4), round(share.high, 4)) == (0.2366, 0.7634)


def test_poisson_interval_is_the_exact_garwood_interval():
    rate = poisson_rate(10, 2.0)
    assert rate.value == 5.0
    assert (round(rate.low * 2, 3), round(rate.high * 2, 3)) == (4.795, 18.390)
    assert poisson_rate(0, 1.0).low == 0.0


def test_goodman_intervals_are_wider_than_wilson_ones():
    shares = goodman({"a": 50, "b": 30, "c": 20})
    for key, count in (("a", 50), ("b", 30), ("c", 20)):
        assert shares[key].share.low < wilson(count, 100).share.low
        assert shares[key].share.high > wilson(count, 100).share.high


def test_counts_from_one_to_four_are_suppressed():
    assert [count_text(n) for n in (0, 1, 4, 5, 1234)] == ["0", "<5", "<5", "5", "1,234"]


# --------------------------------------------------------------------------------------
# Censored duration fits
# --------------------------------------------------------------------------------------

FAMILY_CASES = {
    "lognormal": (stats.lognorm(0.35, scale=190.0), {"mean": 190.0 * math.exp(0.35**2 / 2)}),
    "gamma": (stats.gamma(2.0, scale=60.0), {"shape": 2.0, "mean": 120.0}),
    "weibull": (stats.weibull_min(3.0, scale=250.0), {"shape": 3.0, "scale": 250.0}),
}


def censored_sample(dist, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Durations right-censored at a uniform follow-up time (about a third censored)."""
    rng = np.random.default_rng(seed)
    durations = dist.rvs(size=n, random_state=rng)
    follow_up = rng.uniform(0, 2.5 * dist.mean(), size=n)
    return np.minimum(durations, follow_up), durations <= follow_up


@pytest.mark.parametrize("family", list(FAMILY_CASES))
def test_censored_fit_picks_the_family_and_recovers_its_parameters(family: str):
    dist, truth = FAMILY_CASES[family]
    days, observed = censored_sample(dist, 3000, seed=11)
    assert 0.2 < 1 - observed.mean() < 0.5, "the sample should be substantially censored"
    fit = fit_duration(days, observed, confidence=STRICT)
    assert fit.family == family, f"AIC chose {fit.family}: {fit.aic}"
    for key, value in truth.items():
        assert fit.spec_ci[key].contains(value), f"{family} {key}: {value} not in {fit.spec_ci[key]}"
    assert fit.mean.contains(dist.mean())
    assert fit.max_gap < 0.05


def test_ignoring_censoring_would_be_biased_but_the_censored_fit_is_not():
    dist, _ = FAMILY_CASES["lognormal"]
    days, observed = censored_sample(dist, 3000, seed=12)
    fit = fit_duration(days, observed, families=("lognormal",), confidence=STRICT)
    assert fit.mean.contains(dist.mean())
    assert days[observed].mean() < fit.mean.low, "closed cases alone understate the duration"


def test_95_percent_intervals_cover_the_truth_about_95_percent_of_the_time():
    dist, _ = FAMILY_CASES["lognormal"]
    seeds = range(40)
    hits = sum(
        fit_duration(*censored_sample(dist, 300, seed), families=("lognormal",)).mean.contains(dist.mean())
        for seed in seeds
    )
    lowest_plausible = stats.binom.ppf(0.001, len(seeds), 0.95)
    assert hits >= lowest_plausible, f"{hits} of {len(seeds)} intervals held the true mean"


# --------------------------------------------------------------------------------------
# A whole site
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site():
    truth = Truth()
    return truth, fit_site(generate(3, truth), scenario=site_scenario(truth), confidence=STRICT)


def test_site_fit_recovers_the_referral_rate_and_finds_no_trend_or_dispersion(site):
    truth, fit = site
    assert fit.referrals.per_year.contains(truth.annual_rate)
    assert fit.referrals.meeting_interval_days == 28
    assert fit.referrals.trend_ratio_per_year.contains(1.0)
    assert fit.referrals.dispersion_k.contains(0.0)
    assert fit.referrals.backdated == 0


def test_site_fit_recovers_the_cm_intervention_from_the_gate(site):
    truth, fit = site
    assert fit.cm_duration.mean.contains(truth.mean_days)
    assert fit.cm_duration.sd.contains(truth.sd_days)
    assert fit.cm_duration.censored > 0


def test_site_fit_recovers_extension_responses_and_deselection(site):
    truth, fit = site
    assert fit.extension.share.contains(truth.extension)
    for key, value in zip(("support", "monitoring", "unreachable"), truth.shares, strict=True):
        assert fit.response_shares[key].contains(value), f"{key}: {value} not in {fit.response_shares[key]}"
    assert fit.deselection.unreachable.share.contains(truth.deselect_unreachable)
    assert fit.deselection.reached.count == 0


def test_a_rising_referral_rate_is_flagged_as_a_trend():
    fit = fit_site(generate(4, Truth(ramp_to=3.0)))
    assert fit.referrals.trend_p_value < 0.05
    assert fit.referrals.trend_ratio_per_year.low > 1


def test_over_dispersed_panels_are_detected_and_k_recovered():
    truth = Truth(dispersion=0.3, years=6.0)
    fit = fit_site(generate(5, truth), confidence=STRICT)
    assert fit.referrals.overdispersion_p_value < 0.05
    assert fit.referrals.dispersion_k.contains(truth.dispersion)
    assert fit.referrals.per_year.contains(truth.annual_rate)


def test_too_few_cases_are_noted_not_fitted():
    export = generate(6, Truth(years=0.2))
    fit = fit_site(export)
    assert fit.cm_duration is None
    assert any(note.startswith("CM duration") for note in fit.notes)
