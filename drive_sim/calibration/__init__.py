"""Calibration: read a site's anonymised case export, fit a scenario to it, and report the fit."""

from drive_sim import lazy_exports

_EXPORTS = {
    "CaseFileError": "casefile",
    "read_cases": "casefile",
    "read_non_drive": "casefile",
    "SiteFit": "fit",
    "fit_site": "fit",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
