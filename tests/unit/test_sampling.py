"""Named random streams and distribution samplers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from drive_sim.model.streams import STREAM_NAMES, Streams, sample
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


def test_case_generators_do_not_depend_on_what_else_was_drawn():
    a, b = Streams(11, 0), Streams(11, 0)
    a["referrals"].random(1000)
    assert a.item("cases", 42).random() == b.item("cases", 42).random()


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
