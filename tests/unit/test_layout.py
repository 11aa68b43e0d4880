"""The layout ARCHITECTURE.md describes, held as tests (import-linter holds the layers)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import drive_sim

PACKAGE = Path(drive_sim.__file__).parent
ROOT = PACKAGE.parent


def test_top_level_holds_only_the_public_api_and_subpackages() -> None:
    modules = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert modules == ["__init__.py", "__main__.py"]
    for folder in (p for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"):
        assert (folder / "__init__.py").exists(), f"{folder.name} is not a subpackage"


def test_every_model_module_but_site_is_kept_from_the_site_object() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    (contract,) = [c for c in contracts if c.get("forbidden_modules") == ["drive_sim.model.site"]]
    model = {f"drive_sim.model.{p.stem}" for p in (PACKAGE / "model").glob("*.py")}
    assert set(contract["source_modules"]) == model - {"drive_sim.model.site", "drive_sim.model.__init__"}
