"""The SimPy world of a Drive site. The engine: no files, tables, plots or terminals."""

from drive_sim import lazy_exports

_EXPORTS = {
    "SiteModel": "site",
    "expand_team": "practitioners",
    "simulate": "site",
    "Streams": "streams",
    "STREAM_NAMES": "streams",
    "sample": "streams",
    "SimulationOutput": "records",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
