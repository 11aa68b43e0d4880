"""Test helpers: scenarios built from small dictionaries on a quiet, fast baseline.

Import as ``from support import scenario`` (``tests/`` is on ``sys.path`` through its conftest).
"""

from __future__ import annotations

import copy
from typing import Any

from drive_sim.scenario import Scenario, scenario_from_dict

#: A quiet baseline for behaviour tests: no attrition, no ramp-up, no deferral, so a test
#: switches on exactly the mechanism it is about.
QUIET: dict[str, Any] = {
    "referrals": {"ramp_up": {"start_share": 1.0, "days": 0}, "deferral_probability": 0.0},
    "workforce": {"idva_attrition": {"enabled": False}, "cm_attrition": {"enabled": False}},
}


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``extra`` into a copy of ``base`` (lists are replaced, not merged)."""
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def scenario(*parts: dict[str, Any], quiet: bool = True) -> Scenario:
    """A validated scenario from the quiet baseline (or the defaults) and overriding parts."""
    data: dict[str, Any] = copy.deepcopy(QUIET) if quiet else {}
    for part in parts:
        data = merge(data, part)
    return scenario_from_dict(data, "test scenario")
