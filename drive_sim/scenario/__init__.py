"""Scenarios: the frozen pydantic schema, distributions as data, and loading with located errors.

The bottom layer: imports nothing else of drive-sim.
"""

from drive_sim.scenario.distributions import *  # noqa: F403 - the public surface
from drive_sim.scenario.distributions import __all__ as _distribution_names
from drive_sim.scenario.load import (
    ScenarioError,
    apply_overrides,
    load_scenario,
    parse_scenario,
    read_scenario_data,
    scenario_from_dict,
)
from drive_sim.scenario.schema import *  # noqa: F403
from drive_sim.scenario.schema import __all__ as _schema_names

__all__ = [
    *_distribution_names,
    *_schema_names,
    "ScenarioError",
    "apply_overrides",
    "load_scenario",
    "parse_scenario",
    "read_scenario_data",
    "scenario_from_dict",
]
