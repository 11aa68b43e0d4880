"""Runs: replications on serial, process or Dask backends; sweeps, sizing, and the results folder."""

from drive_sim import lazy_exports

_EXPORTS = {
    "BackendError": "experiment",
    "Experiment": "experiment",
    "ReplicationResult": "experiment",
    "Runner": "experiment",
    "open_backend": "experiment",
    "run_experiment": "experiment",
    "run_replication": "experiment",
    "scenario_labels": "experiment",
    "explore_points": "explore",
    "run_explore": "explore",
    "SweepOutcome": "sweep",
    "SweepPoint": "sweep",
    "run_sweep": "sweep",
    "sweep_points": "sweep",
    "SizingResult": "sizing",
    "default_targets": "sizing",
    "size_drive_idvas": "sizing",
    "SavedResults": "store",
    "load_results": "store",
    "save_results": "store",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
