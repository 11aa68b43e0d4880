"""Global sensitivity against a closed form: an M/G/inf site whose open cases are rate x duration.

Every case goes to one uncapped Drive IDVA and is held for a fixed intervention of ``d``
days, so in the steady state the mean number of open cases is ``r d / 365`` (Little's law)
for an annual rate ``r``. With ``r`` and ``d`` independent and uniform, the Sobol indices of
a product are known exactly:

    V = E[r^2] E[d^2] - E[r]^2 E[d]^2,  S_r = Var(r) E[d]^2 / V,  S_d = Var(d) E[r]^2 / V,
    ST_r = 1 - S_d,  ST_d = 1 - S_r.

A third uncertain value, the IDVA salary, cannot move a caseload: its indices must be
zero within their intervals. The indices come from the whole experiment as a user runs it
(worlds drawn, replications on common random numbers, the sweep machinery, SALib), and
each must hold its closed-form value within its 95% CI widened by the bias the
replication noise can cause (noise adds to the variance the parameters do not explain,
so it can only pull indices down; its size is measured from the same runs).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from validation_support import queue_scenario

from drive_sim.runs.experiment import open_backend
from drive_sim.runs.uncertainty import direct_sobol, emulator_sobol, plan, run_worlds, variance_split, world_means
from drive_sim.scenario import Range
from drive_sim.scenario.uncertainty import Parameter

pytestmark = pytest.mark.slow

RATE, DAYS = (50.0, 150.0), (100.0, 200.0)
MEASURE = ("open_cases_per_fte_mean", "group:drive")


def closed_form(shift: float = 0.0) -> dict[str, tuple[float, float]]:
    """(first-order, total) index of the rate and the duration, the duration held ``shift`` days less."""
    mean_r, var_r = sum(RATE) / 2, (RATE[1] - RATE[0]) ** 2 / 12
    mean_d, var_d = sum(DAYS) / 2 - shift, (DAYS[1] - DAYS[0]) ** 2 / 12
    total = (var_r + mean_r**2) * (var_d + mean_d**2) - mean_r**2 * mean_d**2
    s_r, s_d = var_r * mean_d**2 / total, var_d * mean_r**2 / total
    return {"referrals.annual_rate": (s_r, 1 - s_d), "durations.cm_intervention_days.value": (s_d, 1 - s_r)}


@pytest.fixture(scope="module")
def experiment(tmp_path_factory):
    scenario = queue_scenario(
        {
            "site": {"name": "M/G/inf", "horizon_days": 400 + 3 * 365},
            "durations": {"cm_intervention_days": {"kind": "fixed", "value": 150}},
            "run": {"warmup_days": 400},
        }
    )
    parameters = [
        Parameter("referrals.annual_rate", Range(low=RATE[0], high=RATE[1], source="test"), 100.0, False, False),
        Parameter("durations.cm_intervention_days.value", Range(low=DAYS[0], high=DAYS[1], source="test"), 150.0,
                  False, False),
        Parameter("costs.idva_salary", Range(low=30_000, high=40_000, source="test"), 35_000.0, False, False),
    ]  # fmt: skip
    design = plan(parameters, 64, seed=11, method="sobol", saltelli=256)
    folder = tmp_path_factory.mktemp("sensitivity") / "worlds"
    with open_backend("process") as runner:
        run_worlds(folder, scenario, design, 2, runner)
    kpis = pd.read_parquet(folder / "kpis.parquet")
    return design, world_means(kpis, [MEASURE]), kpis


def _noise_bias(design, means) -> float:
    """How far replication noise can pull an index down: the noise's share of the variance of a world's mean."""
    split = variance_split(means, design, 2).iloc[0]
    return float(split["noise_in_mean"] / (split["parameter_variance"] + split["noise_in_mean"]))


def held_shift(design, means) -> float:
    """Days by which a Drive IDVA holds a case less than its intervention, fitted across the worlds.

    Little's law per world: mean open = r (d - shift) / 365, so shift = mean of d - 365 x open / r.
    (A case is the IDVA's from allocation, a few days after referral: the offset is the model's own.)
    """
    worlds = design.rows("saltelli")
    values = pd.DataFrame([design.values(k) for k in worlds])
    observed = means.set_index("world").loc[worlds, "mean"].to_numpy()
    return float(
        np.mean(values["durations.cm_intervention_days.value"] - 365 * observed / values["referrals.annual_rate"])
    )


def test_the_worlds_give_littles_law(experiment):
    design, means, _ = experiment
    worlds = design.rows("saltelli")
    values = pd.DataFrame([design.values(k) for k in worlds])
    shift = held_shift(design, means)
    assert 0 <= shift < 10, "a case is held a few days less than its intervention, never more"
    expected = values["referrals.annual_rate"] * (values["durations.cm_intervention_days.value"] - shift) / 365
    observed = means.set_index("world").loc[worlds, "mean"].to_numpy()
    relative = (observed - expected.to_numpy()) / expected.to_numpy()
    assert abs(relative.mean()) < 0.005 and np.quantile(np.abs(relative), 0.95) < 0.05, "every world obeys Little"
    assert np.corrcoef(observed, expected)[0, 1] > 0.995


def test_direct_sobol_indices_recover_the_closed_form(experiment):
    design, means, _ = experiment
    found = direct_sobol(means, design, [MEASURE], seed=3).set_index(["parameter", "method"])
    bias = _noise_bias(design, means)
    assert bias < 0.1
    for path, (first, total) in closed_form(held_shift(design, means)).items():
        for method, exact in (("sobol_first", first), ("sobol_total", total)):
            row = found.loc[(path, method)]
            assert row["ci_low"] - bias * exact <= exact <= row["ci_high"], (path, method, row, exact)
    for method in ("sobol_first", "sobol_total"):
        inert = found.loc[("costs.idva_salary", method)]
        assert inert["ci_low"] <= 0 <= inert["ci_high"] or abs(inert["index"]) < 0.01, (method, inert)


def test_emulated_indices_agree_and_the_emulator_says_how_good_it_is(experiment):
    design, means, _ = experiment
    emulated = emulator_sobol(means, design, [MEASURE], [0, 1, 2], seed=3)
    quality = emulated.quality.iloc[0]
    assert quality["q2"] > 0.9, quality
    found = emulated.indices.set_index(["parameter", "method"])
    for path, (first, total) in closed_form(held_shift(design, means)).items():
        assert math.isclose(found.loc[(path, "sobol_total_emulator"), "index"], total, abs_tol=0.08)
        assert math.isclose(found.loc[(path, "sobol_first_emulator"), "index"], first, abs_tol=0.08)
    assert found.loc[("costs.idva_salary", "sobol_total_emulator"), "index"] < 0.05
    assert np.isfinite(found["index"]).all()
