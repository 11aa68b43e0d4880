"""The model keeps its weekly states' numbers flat as well (``SimulationOutput.week_numbers``).

The KPIs read those: they must be the states' own numbers, and give the same KPIs.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from drive_sim.analysis.metrics import _Roster, _week_numbers, replication_kpis
from drive_sim.model import simulate
from drive_sim.model.records import WEEK_NUMBERS
from drive_sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "path, overrides",
    [(None, {"backdating.months": 6}), (ROOT / "scenarios" / "site2.toml", {"workforce.idva_attrition.enabled": True})],
)
def test_the_flat_week_numbers_are_the_states_and_give_the_same_kpis(path, overrides):
    scenario = load_scenario(path, overrides)
    out = simulate(scenario, 1)
    names = [p.name for p in out.practitioners]
    flat = np.array(out.week_numbers).reshape(len(out.weeks), len(WEEK_NUMBERS))
    for row, state in zip(flat, out.weeks, strict=True):
        values = dict(zip(WEEK_NUMBERS, row.tolist(), strict=True))
        assert names[int(values.pop("practitioner_position"))] == state.practitioner
        assert values == {name: float(getattr(state, name)) for name in values}
    from_numbers = replication_kpis(out, scenario)
    from_states = replication_kpis(dataclasses.replace(out, week_numbers=[]), scenario)
    pd.testing.assert_frame_equal(from_numbers, from_states, check_exact=True)
    # Numbers that are not these states' (weeks replaced after the run) are not used.
    shifted = dataclasses.replace(out, weeks=out.weeks[1:] + out.weeks[:1])
    assert _week_numbers(shifted, _Roster.of(shifted.practitioners)) is None
    later = dataclasses.replace(out, weeks=[dataclasses.replace(w, day=w.day + 7) for w in out.weeks])
    assert _week_numbers(later, _Roster.of(later.practitioners)) is None
    assert _week_numbers(out, _Roster.of(out.practitioners)) is not None
