"""Intervals that fit each KPI's kind: exact for probabilities, inside [0, 1] for shares.

Checked against scipy's exact binomial interval, against the t interval where a share's
interval should agree with it, by a property test over random KPI tables, and by
coverage: over many simulated samples the intervals contain the true value at least
about as often as they claim (the tolerance is the binomial spread of that count).
"""

from __future__ import annotations

import math
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from drive_sim.analysis.stats import estimate, kpi_kind, one_sided_bound, summarise


def test_kinds_follow_the_units():
    assert kpi_kind("any_drive_idva_burnout") == "probability"
    assert kpi_kind("weeks_above_guidance_share") == "share"
    assert kpi_kind("open_cases_per_fte_mean") == "mean"
    assert kpi_kind("needed_share") == "share"  # not in KPI_INFO, named as a share
    assert kpi_kind("open_cases_per_fte_mean", {"open_cases_per_fte_mean": "share"}) == "share"
    with pytest.raises(ValueError, match="kind"):
        kpi_kind("x", {"x": "odds"})


def test_a_probability_gets_the_exact_binomial_interval():
    values = [1.0] * 3 + [0.0] * 17
    table = pd.DataFrame({"replication": range(20), "kpi": "any_idva_burnout", "scope": "site", "value": values})
    row = summarise(table).iloc[0]
    exact = scipy_stats.binomtest(3, 20).proportion_ci(0.95, method="exact")
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((exact.low, exact.high))
    assert row["interval"] == "clopper-pearson"


@pytest.mark.parametrize("confidence", [0.95, 0.9])
def test_the_exact_interval_is_scipys_binomtest_to_its_tolerance(confidence):
    # stats takes the Clopper-Pearson limits in closed form (beta quantiles), without
    # importing scipy.stats or scipy.optimize. scipy's binomtest finds the same limits by
    # brentq, to within its xtol of 2e-12, for every count and side; the ends are exact.
    alternatives = {"two-sided": "two-sided", "upper": "less", "lower": "greater"}
    for n in [*range(2, 26), 57, 100, 1000]:
        for k in range(0, n + 1, 1 if n <= 100 else 37):
            for side, alternative in alternatives.items():
                ci = scipy_stats.binomtest(k, n, alternative=alternative).proportion_ci(confidence, method="exact")
                values = [1.0] * k + [0.0] * (n - k)
                _, _, low, high = estimate(values, "probability", confidence, side)  # type: ignore[arg-type]
                assert low == pytest.approx(ci.low, abs=2e-12, rel=0), (n, k, side)
                assert high == pytest.approx(ci.high, abs=2e-12, rel=0), (n, k, side)
                assert (low == 0.0) == (ci.low == 0.0) and (high == 1.0) == (ci.high == 1.0), (n, k, side)


@pytest.mark.parametrize("confidence", [0.95, 0.8])
def test_each_exact_limit_solves_its_tail_equation(confidence):
    # The limits' definition: at the lower limit, k or more successes have chance alpha; at
    # the upper, k or fewer. The closed form meets it at least as closely as scipy's root.
    alpha = (1 - confidence) / 2
    for n in (5, 20, 200, 2000):
        k = np.arange(1, n, max(1, n // 9))
        ours = np.array([estimate([1.0] * j + [0.0] * (n - j), "probability", confidence)[2:] for j in k])
        cis = [scipy_stats.binomtest(int(j), n).proportion_ci(confidence, method="exact") for j in k]
        theirs = np.array([(ci.low, ci.high) for ci in cis])
        for limits in (ours, theirs):
            limits[:, 0] = np.abs(scipy_stats.binom.sf(k - 1, n, limits[:, 0]) - alpha)
            limits[:, 1] = np.abs(scipy_stats.binom.cdf(k, n, limits[:, 1]) - alpha)
        assert (ours <= theirs + 1e-15).all(), n


def test_zero_of_twenty_is_not_a_zero_bound():
    # The example: 0 burnouts in 20 replications bounds the chance at 0.139, not 0.
    n, mean, upper = one_sided_bound([0.0] * 20, 0.95, kind="probability")
    assert (n, mean) == (20, 0.0)
    assert upper == pytest.approx(1 - 0.05 ** (1 / 20))
    assert upper > 0.10
    # The t bound of the same values is the point 0.
    assert one_sided_bound([0.0] * 20, 0.95)[2] == 0.0


def test_a_share_away_from_the_edges_matches_the_t_interval():
    rng = np.random.default_rng(1)
    values = rng.uniform(0.4, 0.6, 200)
    n, mean, low, high = estimate(values, "share")
    t_low, t_high = scipy_stats.t.interval(0.95, n - 1, loc=mean, scale=values.std(ddof=1) / math.sqrt(n))
    assert low == pytest.approx(t_low, abs=0.002) and high == pytest.approx(t_high, abs=0.002)


def test_a_share_stuck_at_one_still_has_an_interval_inside_zero_one():
    n, mean, low, high = estimate([1.0] * 20, "share")
    assert mean == 1.0 and high == 1.0
    assert 0.5 < low < 1.0


def test_values_that_cannot_be_the_kind_step_down():
    # A "probability" of 0.5s is a share; a "share" of 3s is a plain mean (t interval).
    assert estimate([0.5, 0.5, 0.6], "probability")[2] > 0.3
    n, mean, low, high = estimate([3.0, 4.0, 5.0], "share")
    assert (low, high) == pytest.approx(scipy_stats.t.interval(0.95, 2, loc=4.0, scale=1 / math.sqrt(3)))


def _table(values: list[list[float]], kinds: list[str]) -> pd.DataFrame:
    names = {"probability": "any_idva_burnout", "share": "weeks_above_guidance_share"}
    rows = [
        {"replication": r, "kpi": names[kind], "scope": f"s{k}", "value": v}
        for k, (series, kind) in enumerate(zip(values, kinds, strict=True))
        for r, v in enumerate(series)
    ]
    return pd.DataFrame(rows)


unit_value = st.one_of(st.just(0.0), st.just(1.0), st.floats(0, 1), st.just(float("nan")))
series = st.lists(unit_value, min_size=1, max_size=40)


def test_a_share_of_a_few_ulps_spread_warns_of_nothing_and_stays_in_zero_one():
    # Shares this close to 0 give more effective trials than a float can square: the
    # terms in 1/trials are then 0 (their limit), with no overflow warning on the way.
    values = [1e-160, 2e-160, 1.5e-160]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for side in ("two-sided", "upper", "lower"):
            n, mean, low, high = estimate(values, "share", 0.95, side)  # type: ignore[arg-type]
            assert n == 3 and 0 <= low <= mean <= high <= 1


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(series, st.sampled_from(["probability", "share"])), min_size=1, max_size=6),
    st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_every_probability_and_share_interval_lies_in_zero_one(groups, confidence):
    table = _table([g[0] for g in groups], [g[1] for g in groups])
    summary = summarise(table, confidence)
    defined = summary.dropna(subset=["ci_low"])
    assert ((defined["ci_low"] >= 0) & (defined["ci_high"] <= 1)).all(), defined
    assert ((defined["ci_low"] <= defined["mean"] + 1e-12) & (defined["mean"] <= defined["ci_high"] + 1e-12)).all()
    for values, _ in groups:
        for kind in ("probability", "share"):
            for side in ("upper", "lower"):
                n, mean, low, high = estimate(values, kind, confidence, side)  # type: ignore[arg-type]
                if n >= 2:
                    assert 0 <= low <= mean + 1e-12 <= high + 1e-12 <= 1 + 1e-12


@pytest.mark.parametrize("p", [0.02, 0.3])
def test_share_intervals_cover_at_least_as_often_as_claimed(p):
    # Shares of 50 weeks each (a beta-binomial: weeks within a replication are alike),
    # 20 replications, 2,000 samples. Coverage below 95% by more than three binomial
    # standard errors of the count would fail.
    rng = np.random.default_rng(7)
    samples, replications, weeks = 2000, 20, 50
    rates = rng.beta(p * 20, (1 - p) * 20, size=(samples, replications))
    shares = rng.binomial(weeks, rates) / weeks
    covered = 0
    for values in shares:
        _, _, low, high = estimate(values, "share")
        covered += low <= p <= high
    allowed = 0.95 - 3 * math.sqrt(0.95 * 0.05 / samples)
    assert covered / samples >= allowed


def test_summarising_a_probability_loads_neither_scipy_stats_nor_optimize():
    # Each costs a few tenths of a second of CPU in every command that summarises.
    probe = (
        "import sys, pandas as pd; from drive_sim.analysis.stats import summarise; "
        "summarise(pd.DataFrame({'replication': range(20), 'kpi': 'any_idva_burnout', 'scope': 'site', "
        "'value': [1.0] * 3 + [0.0] * 17})); "
        "print(sorted(m for m in ('scipy.stats', 'scipy.optimize') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
