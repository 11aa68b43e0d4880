"""drive-sim: IDVA and Case Manager capacity at Drive sites, as a discrete-event simulation.

The public API an analyst imports. Names load lazily (PEP 562), so ``import drive_sim``
costs nothing until a name is used::

    import drive_sim
    scenario = drive_sim.load_scenario("scenarios/site5.toml")
    output = drive_sim.simulate(scenario, replication=0)
    results = drive_sim.run_experiment(scenario, replications=20)

Subpackages, lowest layer first (imports run one way, upwards in this list never):
``scenario`` (schema, distributions, loading), ``model`` (the SimPy world),
``analysis`` (records -> tables -> KPIs, statistics), ``runs`` (backends, experiments,
sweeps, sizing, the results folder), ``calibration`` (case exports and fitting),
``report`` (HTML pages), ``cli`` (the command line). See ARCHITECTURE.md.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__version__ = "0.1.0"


def lazy_exports(package: str, exports: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Module ``__getattr__`` and ``__dir__`` that import each public name on first use.

    ``exports`` maps a public name to the module (relative to ``package``) that defines it.
    Used by every subpackage's ``__init__`` so that importing a package is cheap and a
    lower layer never pulls in a higher one by accident.
    """

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{module}"), name)

    def __dir__() -> list[str]:
        return sorted(exports)

    return __getattr__, __dir__


_EXPORTS = {
    "Scenario": "scenario",
    "ScenarioError": "scenario",
    "load_scenario": "scenario",
    "scenario_from_dict": "scenario",
    "apply_overrides": "scenario",
    "simulate": "model",
    "tables": "analysis",
    "replication_kpis": "analysis",
    "summarise": "analysis",
    "paired_differences": "analysis",
    "run_experiment": "runs",
    "Runner": "runs",
    "run_sweep": "runs",
    "size_drive_idvas": "runs",
    "save_results": "runs",
    "load_results": "runs",
    "build_report": "report",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports("drive_sim", _EXPORTS)
