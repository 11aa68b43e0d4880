"""Scenarios: the frozen pydantic schema, distributions as data, and loading with located errors.

The bottom layer: imports nothing else of drive-sim.
"""

from drive_sim.scenario.load import *  # noqa: F403 - the public surface
from drive_sim.scenario.load import __all__  # noqa: F401
