"""The SimPy world of a Drive site. The engine: no files, tables, plots or terminals.

Its modules are compiled to C by mypyc when drive-sim is installed (``setup.py``), where the
machine can; this ``__init__`` is not. Before any of them is imported it checks the build's
manifest (``_compiled.json``: a digest of each compiled source). If a source has changed
since the build, or ``DRIVE_SIM_PURE_PYTHON`` is set, every engine module is imported from
its ``.py`` file instead (all or none: compiled modules call each other directly), so an edit
is never shadowed by an older build. ``ENGINE`` says which engine is running.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import warnings
from pathlib import Path

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
__all__ = sorted([*_EXPORTS, "ENGINE"])
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

_HERE = Path(__file__).resolve().parent


class _FromSource(importlib.abc.MetaPathFinder):
    """Imports the engine's modules from their ``.py`` files, never a compiled build."""

    def __init__(self, names: frozenset[str]):
        self.names = names

    def find_spec(
        self, fullname: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        package, _, name = fullname.rpartition(".")
        if package != __name__ or name not in self.names:
            return None
        return importlib.util.spec_from_file_location(fullname, _HERE / f"{name}.py")


def _choose_engine() -> str:
    """``"compiled"``, or ``"python"`` (installing a finder for the sources); warns if a build is stale."""
    manifest = _HERE / "_compiled.json"
    if not manifest.exists():
        return "python"  # nothing compiled: Python imports the sources anyway
    sources: dict[str, str] = json.loads(manifest.read_text(encoding="utf-8"))["sources"]
    changed = sorted(
        name
        for name, digest in sources.items()
        if not (_HERE / f"{name}.py").exists()
        or hashlib.sha256((_HERE / f"{name}.py").read_bytes()).hexdigest() != digest
    )
    if not changed and not os.environ.get("DRIVE_SIM_PURE_PYTHON"):
        return "compiled"
    if changed:
        warnings.warn(
            f"drive-sim: {', '.join(f'model/{n}.py' for n in changed)} changed since the engine was compiled; "
            "running the engine from source (slower). Rebuild it with `pip install -e .`.",
            RuntimeWarning,
            stacklevel=2,
        )
    sys.meta_path.insert(0, _FromSource(frozenset(sources)))
    return "python"


#: Which engine runs in this process: ``"compiled"`` (mypyc) or ``"python"``.
ENGINE = _choose_engine()
