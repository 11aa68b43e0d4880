"""drive-sim: IDVA and Case Manager capacity at Drive sites, as a discrete-event simulation.

The public API an analyst imports; every name below is stable (a renamed name keeps
working for a release with a ``DeprecationWarning`` naming its successor, see
``_DEPRECATED``). Names load lazily (PEP 562), so ``import drive_sim`` costs nothing until
a name is used. ``examples/analyst_walkthrough.py`` uses each of them and CI runs it::

    import drive_sim

    site5 = drive_sim.load_scenario("scenarios/site5.toml")          # or None: the default site
    two = drive_sim.load_scenario("scenarios/site5.toml", {"teams.idvas[0].count": 2})
    with drive_sim.open_backend("process") as runner:                # serial, process or dask
        result = drive_sim.run_experiment([site5, two], replications=20, runner=runner)
    result.summary()        # every KPI: mean and 95% CI (DataFrame)
    result.differences()    # each scenario minus the first, paired by replication
    result.kpis             # every KPI of every replication (long DataFrame)

    outcome = drive_sim.sweep("scenarios/site5.toml", {"backdating.months": [0, 3, 6]}, "reports/my-sweep")
    sizing = drive_sim.size_drive_idvas(site5)                      # least staffing meeting the targets
    drive_sim.build_report("reports/my-sweep")                      # the HTML page of a results folder
    drive_sim.scenario_diff("scenarios/site5.toml", "scenarios/site6.toml")

Scenario: ``Scenario``, ``ScenarioError``, ``load_scenario``, ``scenario_from_dict``,
``apply_overrides``, ``scenario_diff``. One replication: ``simulate`` (records),
``tables`` (records -> DataFrames), ``replication_kpis``. Many: ``open_backend``,
``Runner``, ``run_experiment`` (-> ``Experiment``), ``summarise``,
``paired_differences``, ``sweep`` / ``run_sweep`` (-> ``SweepOutcome``),
``size_drive_idvas`` (-> ``SizingResult``). Results folders: ``save_results``,
``load_results`` (-> ``SavedResults``), ``build_report``, ``describe_column`` (the data
dictionary; ``schema.json`` in every folder).

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


def lazy_exports(
    package: str, exports: Mapping[str, str], deprecated: Mapping[str, str] | None = None
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Module ``__getattr__`` and ``__dir__`` that import each public name on first use.

    ``exports`` maps a public name to the module (relative to ``package``) that defines it.
    Used by every subpackage's ``__init__`` so that importing a package is cheap and a
    lower layer never pulls in a higher one by accident. ``deprecated`` maps an old name
    to its successor in ``exports``: the old name still works, with a
    ``DeprecationWarning`` saying what to use instead.
    """
    renamed = dict(deprecated or {})

    def __getattr__(name: str) -> Any:
        if name in renamed:
            import warnings

            warnings.warn(
                f"{package}.{name} is deprecated; use {package}.{renamed[name]}", DeprecationWarning, stacklevel=2
            )
            name = renamed[name]
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
    "scenario_diff": "scenario.diff",
    "simulate": "model",
    "tables": "analysis",
    "replication_kpis": "analysis",
    "summarise": "analysis",
    "paired_differences": "analysis",
    "describe_column": "analysis",
    "Experiment": "runs",
    "Runner": "runs",
    "open_backend": "runs",
    "run_experiment": "runs",
    "SweepOutcome": "runs",
    "sweep": "runs.sweep",
    "run_sweep": "runs",
    "SizingResult": "runs",
    "size_drive_idvas": "runs",
    "SavedResults": "runs",
    "save_results": "runs",
    "load_results": "runs",
    "build_report": "report",
}
#: Old public name -> its successor (kept working, with a DeprecationWarning, for a release).
_DEPRECATED: dict[str, str] = {}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports("drive_sim", _EXPORTS, _DEPRECATED)
