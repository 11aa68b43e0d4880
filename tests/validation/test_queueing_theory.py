"""The model against queueing theory: Little's law, M/G/inf and Erlang C.

With the site stripped down to a queue (``validation_support``), the model is a system
whose answers are known:

- **M/G/inf.** Every case goes to one uncapped Drive IDVA and stays for its CM
  intervention, so open cases form an infinite-server queue. Little's law gives the
  time-average of open cases, lambda x E[S], whatever the duration distribution; and
  because each panel accepts a Poisson number of cases, each independently still open
  later, the count at any instant is *exactly* Poisson, with mean
  sum_meetings m x P(S > t - meeting day), even with monthly batches and during the
  launch transient. The durations are the default Drive intervention, triangular
  (90, 210, 365) days.
- **Erlang C.** With exponential interventions, a caseload cap and a waitlist, the c =
  IDVAs x cap places form an M/M/c queue: the chance a client waits for an IDVA place is
  Erlang's C(c, a) and the mean wait C(c, a) / (c mu - lambda).

Every check asks whether a 99% interval computed from independent replications contains
the theoretical value. The slow variants (CI) run ten times the replications.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats
from validation_support import (
    CONFIDENCE,
    MMC,
    Interval,
    batch_mean_open,
    mginf_scenario,
    poisson_total_interval,
    replicate,
    t_interval,
    time_average_idva_open,
)

from drive_sim.model import simulate
from drive_sim.model.hours import TICK_TIME
from drive_sim.scenario import Scenario

DRIVE_INTERVENTION = {"kind": "triangular", "low": 90, "mode": 210, "high": 365}
MEAN_DURATION_DAYS = (90 + 210 + 365) / 3
ANNUAL_RATE = 100.0
#: Little's law: lambda x E[S].
LITTLE_MEAN_OPEN = ANNUAL_RATE / 365 * MEAN_DURATION_DAYS

#: The time-average window starts after the longest intervention (so no case referred
#: before launch is missing) and spans a whole number of 28-day panel cycles (so monthly
#: batches are averaged over their full saw-tooth).
WARMUP_DAYS = 14 * 28
HORIZON_DAYS = WARMUP_DAYS + 39 * 28
#: Weekly snapshots more than the longest intervention apart share no case, so their
#: counts are independent draws.
SNAPSHOT_WEEKS = (53, 106, 159)

REPLICATIONS = [pytest.param(100, id="100reps"), pytest.param(1000, id="1000reps", marks=pytest.mark.slow)]


def open_case_measures(scenario: Scenario, replication: int) -> dict[str, object]:
    """Time-average of open IDVA cases over the window, and the counts at the snapshots."""
    output = simulate(scenario, replication)
    counts = {state.week: state.drive_open for state in output.weeks if state.kind == "idva"}
    return {
        "time_average": time_average_idva_open(output, WARMUP_DAYS, HORIZON_DAYS),
        "snapshots": [counts[week] for week in SNAPSHOT_WEEKS],
    }


@pytest.fixture(scope="module", params=[1.0, 28.0], ids=["daily-panels", "monthly-panels"])
def panel_every_days(request: pytest.FixtureRequest) -> float:
    return request.param


@pytest.fixture(scope="module", params=REPLICATIONS)
def mginf_runs(request: pytest.FixtureRequest, panel_every_days: float) -> tuple[Scenario, list[dict]]:
    scenario = mginf_scenario(DRIVE_INTERVENTION, panel_every_days, HORIZON_DAYS, ANNUAL_RATE)
    assert max(SNAPSHOT_WEEKS) * 7 + TICK_TIME < HORIZON_DAYS
    return scenario, replicate(open_case_measures, scenario, request.param)


def _snapshot_means(scenario: Scenario) -> np.ndarray:
    return np.array([batch_mean_open(scenario, week * 7 + TICK_TIME) for week in SNAPSHOT_WEEKS])


# --------------------------------------------------------------------------------------
# M/G/inf and Little's law
# --------------------------------------------------------------------------------------


def test_time_average_of_open_cases_obeys_littles_law(mginf_runs):
    """L = lambda x E[S] for Poisson referrals, daily or in monthly panel batches."""
    scenario, runs = mginf_runs
    interval = t_interval(run["time_average"] for run in runs)
    assert interval.contains(LITTLE_MEAN_OPEN), (
        f"{scenario.site.name}: time-average open cases {interval} (99% CI) does not contain "
        f"Little's law lambda x E[S] = {ANNUAL_RATE:g}/365 x {MEAN_DURATION_DAYS:.2f} = {LITTLE_MEAN_OPEN:.3f}"
    )


def test_open_cases_at_a_snapshot_have_the_exact_batch_mean(mginf_runs):
    """Mean open cases at each weekly snapshot = sum over meetings of m x P(S > t - d)."""
    scenario, runs = mginf_runs
    expected = _snapshot_means(scenario)
    counts = np.array([run["snapshots"] for run in runs])
    total = int(counts.sum())
    low, high = poisson_total_interval(total)
    expected_total = float(expected.sum() * len(runs))
    assert low <= expected_total <= high, (
        f"{scenario.site.name}: {total} open cases over {counts.size} snapshots; the exact Poisson 99% "
        f"interval for their mean total [{low:.1f}, {high:.1f}] misses the theoretical {expected_total:.1f} "
        f"(snapshot means {np.round(expected, 2).tolist()} vs observed {np.round(counts.mean(axis=0), 2).tolist()})"
    )


def dispersion_index(counts: np.ndarray, means: np.ndarray) -> Interval:
    """Mean of (x - mu)^2 / mu over independent Poisson(mu) draws, with a 99% interval.

    Its expectation is 1 for Poisson counts; each term has variance 2 + 1/mu, so the
    interval comes from the central limit theorem with that known variance.
    """
    terms = ((counts - means) ** 2 / means).ravel()
    spread = math.sqrt(float(np.sum(2 + 1 / np.broadcast_to(means, counts.shape)))) / terms.size
    z = scipy_stats.norm.ppf((1 + CONFIDENCE) / 2)
    index = float(terms.mean())
    return Interval(index, index - z * spread, index + z * spread, int(terms.size))


def poisson_goodness_of_fit(counts: np.ndarray, means: np.ndarray) -> tuple[float, int]:
    """Chi-square goodness of fit of each snapshot's counts to Poisson(its exact mean), pooled.

    Bins are near-equiprobable with at least 5 expected counts each; the means are not
    estimated, so each snapshot contributes (bins - 1) degrees of freedom.
    """
    statistic, dof = 0.0, 0
    replications = counts.shape[0]
    for column, mu in zip(counts.T, means, strict=True):
        bins = max(2, min(12, replications // 8))
        upper = np.unique(scipy_stats.poisson.ppf(np.linspace(0, 1, bins + 1)[1:-1], mu).astype(int))
        # Bin k holds counts in (upper[k-1], upper[k]]; the first from 0, the last to infinity.
        # Counts are discrete, so merge any bin expected to hold fewer than 5 into the next.
        edges: list[int] = []
        below = 0.0
        for edge in upper:
            if (scipy_stats.poisson.cdf(edge, mu) - below) * replications >= 5:
                edges.append(int(edge))
                below = scipy_stats.poisson.cdf(edge, mu)
        if edges and scipy_stats.poisson.sf(edges[-1], mu) * replications < 5:
            edges.pop()
        cdf = scipy_stats.poisson.cdf(edges, mu)
        probabilities = np.diff(np.concatenate([[0.0], cdf, [1.0]]))
        observed = np.bincount(np.searchsorted(edges, column, side="left"), minlength=len(probabilities))
        expected = probabilities * replications
        statistic += float(np.sum((observed - expected) ** 2 / expected))
        dof += len(probabilities) - 1
    return float(scipy_stats.chi2.sf(statistic, dof)), dof


def test_open_cases_at_a_snapshot_are_poisson(mginf_runs):
    """Variance equals mean (dispersion index 1) and the whole distribution fits Poisson."""
    scenario, runs = mginf_runs
    counts = np.array([run["snapshots"] for run in runs], dtype=float)
    means = _snapshot_means(scenario)
    index = dispersion_index(counts, means)
    assert index.contains(1.0), (
        f"{scenario.site.name}: dispersion index of open cases {index} (99% CI) does not contain 1: "
        "open cases are not Poisson"
    )
    p_value, dof = poisson_goodness_of_fit(counts, means)
    assert p_value > 1 - CONFIDENCE, (
        f"{scenario.site.name}: chi-square goodness of fit to Poisson rejects at 1% (p = {p_value:.4f}, {dof} dof)"
    )


def test_snapshot_batch_formula_tends_to_littles_law_with_daily_panels():
    """The exact theory of the tests above agrees with Little's law where it should."""
    daily = mginf_scenario(DRIVE_INTERVENTION, 1.0, HORIZON_DAYS, ANNUAL_RATE)
    means = _snapshot_means(daily)
    # Daily batches at whole days, snapshots at +0.75 of a day: the Riemann sum is
    # lambda x (E[S] - 0.25 + O(1/E[S])), so within half a day's referrals of L.
    assert np.all(np.abs(means - LITTLE_MEAN_OPEN) < ANNUAL_RATE / 365 * 0.5), means


# --------------------------------------------------------------------------------------
# Erlang C: M/M/c with c = IDVAs x cap
# --------------------------------------------------------------------------------------


def test_every_client_in_the_window_was_allocated(mmc_runs):
    """Precondition of the wait estimates: no wait in the window is censored by the horizon."""
    assert sum(run["unallocated"] for run in mmc_runs) == 0
    assert max(run["max_held"] for run in mmc_runs) <= MMC.cap, "an IDVA held more clients than the caseload cap"


def test_mean_wait_for_an_idva_place_matches_erlang_c(mmc_runs):
    interval = t_interval(run["mean_wait"] for run in mmc_runs)
    assert interval.contains(MMC.mean_wait), (
        f"M/M/{MMC.places} ({MMC.idvas} IDVAs x cap {MMC.cap}, utilisation {MMC.utilisation}): mean wait for "
        f"an IDVA place {interval} days (99% CI) does not contain Erlang C's {MMC.mean_wait:.3f} days"
    )


def test_share_of_clients_who_wait_matches_erlang_c(mmc_runs):
    interval = t_interval(run["waited_share"] for run in mmc_runs)
    assert interval.contains(MMC.wait_probability), (
        f"M/M/{MMC.places}: share of clients who waited {interval} (99% CI) does not contain "
        f"Erlang C's probability of waiting {MMC.wait_probability:.4f}"
    )


def test_waitlist_length_and_busy_places_obey_littles_law(mmc_runs):
    """Time-average waitlist L_q = lambda W_q; time-average places in use = lambda / mu."""
    waiting = t_interval(run["mean_waiting"] for run in mmc_runs)
    expected_waiting = MMC.arrival_rate * MMC.mean_wait
    assert waiting.contains(expected_waiting), (
        f"M/M/{MMC.places}: time-average waitlist {waiting} (99% CI) does not contain "
        f"lambda x W_q = {expected_waiting:.3f}"
    )
    busy = t_interval(run["mean_busy_places"] for run in mmc_runs)
    offered = MMC.arrival_rate * MMC.mean_days
    assert busy.contains(offered), (
        f"M/M/{MMC.places}: time-average places in use {busy} (99% CI) does not contain lambda / mu = {offered:.3f}"
    )
