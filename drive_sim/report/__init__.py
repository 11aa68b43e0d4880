"""Reports: one self-contained HTML page per results folder (figures, words, labels, method)."""

from drive_sim import lazy_exports

_EXPORTS = {
    "REPORT_NAME": "build",
    "build_report": "build",
    "report_kind": "build",
    "build_explorer": "explorer",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
