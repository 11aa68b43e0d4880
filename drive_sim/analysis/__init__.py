"""Analysis: records -> tidy tables -> per-replication KPIs, and statistics across replications."""

from drive_sim import lazy_exports

_EXPORTS = {
    "KPI_INFO": "metrics",
    "describe_column": "dictionary",
    "TABLES": "dictionary",
    "guidance_for": "metrics",
    "replication_kpis": "metrics",
    "tables": "metrics",
    "one_sided_bound": "stats",
    "paired_differences": "stats",
    "precision_advice": "stats",
    "replications_for_margin": "stats",
    "replications_needed": "stats",
    "summarise": "stats",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
