"""MSER-5 finds a known transient, leaves a stationary series alone, and sets the KPI windows."""

from __future__ import annotations

import numpy as np
import pytest

from drive_sim.analysis.warmup import BATCH_WEEKS, LAUNCH_DAYS, kpi_windows, mser, mser_warmup_days
from drive_sim.model.records import SimulationOutput, WeeklyState
from drive_sim.scenario import scenario_from_dict

RAMP_WEEKS, LEVEL, NOISE = 40, 100.0, 5.0


def ramp_then_level(rng: np.random.Generator, weeks: int = 200) -> np.ndarray:
    """A linear rise from 0 over 40 weeks, then a level of 100, with N(0, 5) noise every week."""
    mean = np.concatenate([np.linspace(0, LEVEL, RAMP_WEEKS, endpoint=False), np.full(weeks - RAMP_WEEKS, LEVEL)])
    return mean + rng.normal(0, NOISE, weeks)


def test_mser5_cuts_a_known_transient_and_leaves_no_detectable_bias():
    rng = np.random.default_rng(12)
    for _ in range(100):
        series = ramp_then_level(rng)
        cut = mser(series)
        assert cut % BATCH_WEEKS == 0
        assert cut >= 30, f"kept part of the ramp (week 30 is 5 sd below the level): cut {cut}"
        kept = series[cut:]
        standard_error = NOISE / np.sqrt(kept.size)
        assert abs(kept.mean() - LEVEL) < 3.5 * standard_error, "the steady-state mean is unbiased after the cut"
        # Without the cut the ramp biases the mean far beyond its standard error.
        assert LEVEL - series.mean() > 10 * NOISE / np.sqrt(series.size)


def test_mser5_mostly_keeps_a_stationary_series_whole():
    rng = np.random.default_rng(3)
    cuts = np.array([mser(LEVEL + rng.normal(0, NOISE, 200)) for _ in range(200)])
    assert np.median(cuts) <= 2 * BATCH_WEEKS
    assert cuts.max() <= 100, "never beyond the first half"


def test_short_series_are_not_truncated():
    assert mser([1.0, 2.0, 3.0]) == 0
    assert mser(np.arange(19.0)) == 0  # three batches


def _weeks(series: np.ndarray) -> list[WeeklyState]:
    return [
        WeeklyState(week, 7.0 * week, "Drive IDVA", "idva", "drive", 1.0, int(cases), 0, 10.0, 20.0, 0.0, 0.0, 0,
                    0, 0, 0, False, False)
        for week, cases in enumerate(series, start=1)
    ]  # fmt: skip


def _output(series: np.ndarray) -> SimulationOutput:
    horizon = 7.0 * len(series)
    return SimulationOutput(replication=0, horizon_days=horizon, cases=[], weeks=_weeks(series), site_weeks=[],
                            workforce_events=[], practitioners=[])  # fmt: skip


def test_the_steady_window_starts_after_the_mser_warmup_and_the_launch_is_26_weeks():
    series = np.round(ramp_then_level(np.random.default_rng(5)))
    output = _output(series)
    warmup = mser_warmup_days(output)
    assert warmup == pytest.approx(7.0 * mser(series))
    scenario = scenario_from_dict({"site": {"horizon_days": output.horizon_days}})
    steady, launch = kpi_windows(output, scenario)
    assert (steady.name, steady.start_day, steady.end_day) == ("steady", warmup, output.horizon_days)
    assert (launch.name, launch.start_day, launch.end_day) == ("launch", 0.0, LAUNCH_DAYS)
    fixed = scenario_from_dict({"site": {"horizon_days": output.horizon_days}, "run": {"warmup_days": 91}})
    assert kpi_windows(output, fixed)[0].start_day == 91
