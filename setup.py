"""Build drive-sim, with its engine compiled to C by mypyc wherever this machine can.

The engine (every module of ``drive_sim/model`` but its ``__init__``) is ordinary typed
Python; mypyc (part of mypy) compiles it to a C extension, which runs a replication about
twice as fast and gives the same results to the bit (``tests/unit/test_compiled_engine.py``).
Nothing else is compiled. Where the build cannot compile (no C compiler, or
``DRIVE_SIM_PURE_PYTHON=1`` set when installing), the extensions are optional: the
install goes on and the engine runs as Python.

After a successful build, ``drive_sim/model/_compiled.json`` records a digest of each
compiled source. ``drive_sim/model/__init__.py`` checks it at import: if a source changed
since (an engineer editing an editable install), it runs the engine from source, with a
warning to rebuild (``pip install -e .``), so an edit is never shadowed by an old build.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
MODEL = ROOT / "drive_sim" / "model"
ENGINE = sorted(path.relative_to(ROOT).as_posix() for path in MODEL.glob("*.py") if path.name != "__init__.py")
MANIFEST = "_compiled.json"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class BuildEngine(build_ext):
    """Build the extensions, then record what was compiled only if every one of them was built."""

    def run(self) -> None:
        model = Path(self.get_ext_fullpath("drive_sim.model.site")).parent
        manifest = model / MANIFEST
        manifest.unlink(missing_ok=True)
        outputs = [Path(self.get_ext_fullpath(ext.name)) for ext in self.extensions]
        for output in outputs:  # an older build must not pass for this one
            output.unlink(missing_ok=True)
        super().run()
        if outputs and all(output.exists() for output in outputs):
            model.mkdir(parents=True, exist_ok=True)
            sources = {Path(source).stem: digest(ROOT / source) for source in ENGINE}
            manifest.write_text(json.dumps({"sources": sources}, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def engine_extensions() -> list:
    if os.environ.get("DRIVE_SIM_PURE_PYTHON"):
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:  # built without the build requirements (e.g. --no-build-isolation)
        return []
    extensions = mypycify(ENGINE, opt_level="3", group_name="drive_sim_engine")
    for extension in extensions:
        extension.optional = True  # no compiler: install the pure-Python engine instead
    return extensions


setup(ext_modules=engine_extensions(), cmdclass={"build_ext": BuildEngine})
