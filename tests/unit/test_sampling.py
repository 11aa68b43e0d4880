"""Named random streams and distribution samplers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from drive_sim.model.case import CASE_COLUMNS, CaseRows
from drive_sim.model.streams import ITEM_BLOCK, STREAM_NAMES, Streams, quantile, sample
from drive_sim.scenario import scenario_from_dict


def test_a_stream_is_the_same_for_the_same_seed_replication_and_name():
    a, b = Streams(7, 3), Streams(7, 3)
    assert np.array_equal(a["referrals"].random(5), b["referrals"].random(5))


def test_streams_differ_by_name_replication_and_seed():
    draws = {
        (seed, rep, name): Streams(seed, rep)[name].random()
        for seed in (1, 2)
        for rep in (0, 1)
        for name in ("referrals", "cases")
    }
    assert len(set(draws.values())) == len(draws)


def test_item_blocks_do_not_depend_on_what_else_was_drawn():
    a, b = Streams(11, 0), Streams(11, 0)
    a["referrals"].random(1000)
    a.items("cases", 5, (4, 3))
    assert np.array_equal(a.items("cases", 2, (4, 3)), b.items("cases", 2, (4, 3)))
    assert not np.array_equal(a.items("cases", 2, (4, 3)), a.items("cases", 3, (4, 3)))
    assert not np.array_equal(a.items("cases", 2, (4, 3)), a.items("backlog_cases", 2, (4, 3)))


def test_a_case_row_depends_only_on_its_index():
    scenario = scenario_from_dict({})
    late, early = CaseRows(Streams(3, 1), "cases", scenario), CaseRows(Streams(3, 1), "cases", scenario)
    early.row(0)
    index = 2 * ITEM_BLOCK + 5
    assert late.row(index) == early.row(index)
    assert len(late.row(index)) == len(CASE_COLUMNS)
    assert late.row(index) != late.row(index + 1)


def test_changing_one_duration_leaves_every_other_column_of_every_case_alone():
    """Each column is its own uniform: a new CM-intervention distribution moves that column only."""
    before = CaseRows(Streams(5, 0), "cases", scenario_from_dict({}))
    after = CaseRows(
        Streams(5, 0),
        "cases",
        scenario_from_dict({"durations": {"cm_intervention_days": {"kind": "gamma", "shape": 3, "mean": 200}}}),
    )
    cm = CASE_COLUMNS.index("cm_days")
    for index in range(0, 3 * ITEM_BLOCK, 7):
        old, new = before.row(index), after.row(index)
        assert old[cm] != new[cm]
        assert old[:cm] + old[cm + 1 :] == new[:cm] + new[cm + 1 :]


def test_unknown_stream_names_fail_loudly():
    with pytest.raises(KeyError, match="STREAM_NAMES"):
        Streams(1, 0)["weather"]
    assert len(set(STREAM_NAMES)) == len(STREAM_NAMES)


def spec(data: dict):
    return scenario_from_dict({"durations": {"extension_days": data}}).durations.extension_days


@pytest.mark.parametrize(
    "data, mean, sd",
    [
        ({"kind": "exponential", "mean": 73}, 73, 73),
        ({"kind": "lognormal", "mean": 200, "sd": 60}, 200, 60),
        ({"kind": "gamma", "shape": 4, "mean": 100}, 100, 50),
        ({"kind": "triangular", "low": 90, "mode": 210, "high": 365}, 665 / 3, None),
        ({"kind": "uniform", "low": 10, "high": 30}, 20, 20 / 12**0.5),
        ({"kind": "weibull", "shape": 2, "scale": 100}, 100 * 0.886226925, None),
        ({"kind": "empirical", "values": [1, 2, 9], "weights": [1, 1, 2]}, 5.25, None),
    ],
)
def test_samplers_have_the_stated_mean(data, mean, sd):
    """The stated mean lies inside a 99.9% CI of 20,000 draws (and the spec reports it)."""
    rng = np.random.default_rng(2024)
    distribution = spec(data)
    draws = np.array([sample(distribution, rng) for _ in range(20_000)])
    low, high = stats.t.interval(0.999, len(draws) - 1, loc=draws.mean(), scale=stats.sem(draws))
    assert low <= mean <= high
    assert distribution.mean == pytest.approx(mean)
    if sd is not None:
        ratio = draws.var(ddof=1) / sd**2
        chi_low, chi_high = stats.chi2.ppf([0.0005, 0.9995], len(draws) - 1) / (len(draws) - 1)
        # loose for skewed shapes: the chi-square band is exact only for normal data
        assert chi_low * 0.9 <= ratio <= chi_high * 1.1


def test_fixed_is_fixed():
    assert sample(spec({"kind": "fixed", "value": 30}), np.random.default_rng()) == 30.0


@pytest.mark.parametrize(
    "data, frozen",
    [
        ({"kind": "exponential", "mean": 73}, stats.expon(scale=73)),
        ({"kind": "lognormal", "mean": 200, "sd": 60}, None),
        ({"kind": "gamma", "shape": 4, "mean": 100}, stats.gamma(4, scale=25)),
        ({"kind": "triangular", "low": 90, "mode": 210, "high": 365}, stats.triang(120 / 275, loc=90, scale=275)),
        ({"kind": "triangular", "low": 10, "mode": 10, "high": 40}, stats.triang(0, loc=10, scale=30)),
        ({"kind": "uniform", "low": 10, "high": 30}, stats.uniform(10, 20)),
        ({"kind": "weibull", "shape": 2, "scale": 100}, stats.weibull_min(2, scale=100)),
    ],
)
def test_quantile_functions_are_the_distributions_inverse_cdfs(data, frozen):
    """Each draw is one uniform by inversion: the quantile function is scipy's ppf (lognormal from mean and sd)."""
    if frozen is None:
        sigma2 = np.log1p((data["sd"] / data["mean"]) ** 2)
        frozen = stats.lognorm(np.sqrt(sigma2), scale=data["mean"] * np.exp(-sigma2 / 2))
    u = np.linspace(0.0005, 0.9995, 999)
    assert np.allclose(quantile(spec(data))(u), frozen.ppf(u), rtol=1e-9, atol=1e-9)


def test_the_empirical_quantile_takes_each_value_with_its_weight():
    at = quantile(spec({"kind": "empirical", "values": [1, 2, 9], "weights": [1, 1, 2]}))
    u = (np.arange(4000) + 0.5) / 4000
    values, counts = np.unique(at(u), return_counts=True)
    assert values.tolist() == [1, 2, 9]
    assert counts.tolist() == [1000, 1000, 2000]


def test_every_draw_takes_one_uniform_whatever_its_distribution():
    """A fixed value takes a uniform too, so a stream stays aligned when a distribution changes."""
    fixed, drawn = np.random.default_rng(9), np.random.default_rng(9)
    sample(spec({"kind": "fixed", "value": 30}), fixed)
    sample(spec({"kind": "exponential", "mean": 30}), drawn)
    assert fixed.random() == drawn.random()
