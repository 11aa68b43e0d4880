"""The compiled engine (setup.py: mypyc) is the one installed, and it agrees with its source to the bit."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import drive_sim.model as model

ROOT = Path(__file__).resolve().parents[2]

#: Simulate two replications of the default site and a site file, print a digest of every
#: KPI and table (the engine in use first).
_DIGEST = """
import hashlib
import drive_sim.model as model
from drive_sim.analysis.metrics import replication_kpis, tables
from drive_sim.model import simulate
from drive_sim.scenario import load_scenario
digest = hashlib.sha256()
for path in (None, "scenarios/site2.toml"):
    scenario = load_scenario(path, {"site.horizon_days": 730})
    for k in range(2):
        output = simulate(scenario, k)
        digest.update(replication_kpis(output, scenario).to_csv().encode())
        for name, frame in tables(output).items():
            digest.update(name.encode() + frame.to_csv().encode())
print(model.ENGINE, digest.hexdigest())
"""


def _digest(pure: bool) -> tuple[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DRIVE_SIM_PURE_PYTHON"}
    if pure:
        env["DRIVE_SIM_PURE_PYTHON"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", _DIGEST], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    engine, digest = done.stdout.split()
    return engine, digest


def test_the_installed_engine_is_compiled():
    # CI installs as the README says; that build must compile the engine, else every speed
    # figure in README's Performance section is not what users get.
    if os.environ.get("DRIVE_SIM_PURE_PYTHON"):
        pytest.skip("DRIVE_SIM_PURE_PYTHON is set: the engine runs from source on purpose")
    assert model.ENGINE == "compiled", "the engine was not compiled at install (see setup.py)"
    manifest = json.loads((Path(model.__file__).parent / "_compiled.json").read_text(encoding="utf-8"))
    compiled = set(manifest["sources"])
    sources = {p.stem for p in Path(model.__file__).parent.glob("*.py") if p.name != "__init__.py"}
    assert compiled == sources


def test_compiled_and_source_engines_give_the_same_results_to_the_bit():
    if os.environ.get("DRIVE_SIM_PURE_PYTHON"):
        pytest.skip("DRIVE_SIM_PURE_PYTHON is set: there is no compiled engine to compare")
    compiled, pure = _digest(pure=False), _digest(pure=True)
    assert (compiled[0], pure[0]) == ("compiled", "python")
    assert compiled[1] == pure[1]


def test_an_edited_source_is_run_from_source_with_a_warning(tmp_path):
    # A copy of the package whose hours.py differs from what was compiled: the engine must
    # come from source (all of it), and say so, never the stale build.
    copy = tmp_path / "drive_sim"
    shutil.copytree(ROOT / "drive_sim", copy, ignore=shutil.ignore_patterns("__pycache__"))
    for library in ROOT.glob("drive_sim_engine__mypyc*"):
        shutil.copy(library, tmp_path)
    manifest = copy / "model" / "_compiled.json"
    if not manifest.exists():
        pytest.skip("no compiled engine in this checkout")
    hours = copy / "model" / "hours.py"
    hours.write_text(hours.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    script = "import drive_sim.model as m, drive_sim.model.hours as h; print(m.ENGINE, h.__file__.endswith('.py'))"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )  # fmt: skip
    assert done.stdout.split() == ["python", "True"]
    assert "model/hours.py changed since the engine was compiled" in done.stderr
