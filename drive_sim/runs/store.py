"""A results folder: everything needed to trust, reuse and re-report a run.

Layout::

    manifest.json        kind, seeds and how streams derive from them, replications,
                         labels, package versions, the command
    scenarios/*.json     each resolved scenario, every default filled in
    kpis.csv/.parquet    KPIs of every replication (long: replication, kpi, scope, value)
    summary.csv/.parquet mean, sd and 95% CI of every KPI across replications
    cases.csv, weeks.csv, site_weeks.csv, workforce_events.csv, practitioners.csv
    timing.json          wall-clock time (the only file that differs between identical runs)

A sweep folder (:mod:`drive_sim.runs.sweep`) also holds ``points`` and ``parts/`` and has a
``point`` column in place of ``scenario``; a sizing folder holds ``levels``.

The folder is written next to its final place and renamed into it at the end, so a
reader never sees half a result; every file inside is complete. The same seed and
scenario give byte-identical files, timing.json aside.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import re
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from drive_sim.scenario import Scenario, scenario_from_dict

__all__ = [
    "SEED_SCHEME",
    "SavedResults",
    "atomic_write_text",
    "load_results",
    "read_manifest",
    "save_results",
    "shareable_mode",
    "slug",
    "versions",
    "write_table",
]

_PACKAGES = (
    "drive-sim", "simpy", "numpy", "scipy", "pandas", "pydantic", "plotly", "pyarrow", "dask", "distributed",
)  # fmt: skip

#: How every random number of a replication follows from the seeds recorded in a manifest.
SEED_SCHEME = (
    "numpy SeedSequence(run.seed, spawn_key=(replication, stream)) per named stream; "
    "spawn_key=(replication, stream, case) per case (drive_sim.model.streams)"
)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "scenario"


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def shareable_mode(directory: bool = False) -> int:
    """The permissions an ordinary new file (or folder) gets under the current umask.

    Temporary files and folders are created private; outputs are meant to be shared, so
    they get these permissions before they are moved into place.
    """
    umask = os.umask(0)
    os.umask(umask)
    return (0o777 if directory else 0o666) & ~umask


def atomic_write_text(path: Path, text: str) -> None:
    """Write a file so that readers see the old content or the new, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.chmod(temporary, shareable_mode())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _write_table(folder: Path, name: str, frame: pd.DataFrame, parquet: bool) -> None:
    frame.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
    if parquet:
        frame.to_parquet(folder / f"{name}.parquet", index=False)


def _atomic(path: Path, write: Callable[[Path], None]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        write(Path(temporary))
        os.chmod(temporary, shareable_mode())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_table(folder: Path, name: str, frame: pd.DataFrame, csv: bool = True, parquet: bool = True) -> None:
    """Write ``name.csv`` and ``name.parquet`` into ``folder``, each atomically."""
    if csv:
        _atomic(folder / f"{name}.csv", lambda path: frame.to_csv(path, index=False, lineterminator="\n"))
    if parquet:
        _atomic(folder / f"{name}.parquet", lambda path: frame.to_parquet(path, index=False))


def read_manifest(folder: str | Path) -> dict[str, Any] | None:
    """The manifest of a results folder, or ``None`` if it has none."""
    path = Path(folder) / "manifest.json"
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def save_results(
    folder: str | Path,
    scenarios: Sequence[Scenario],
    labels: Sequence[str],
    replications: int,
    kpis: pd.DataFrame,
    summary: pd.DataFrame,
    tables: Mapping[str, pd.DataFrame] | None = None,
    command: str = "",
    extra: Mapping[str, Any] | None = None,
    timing: Mapping[str, float] | None = None,
    parquet: bool = True,
) -> Path:
    """Write a results folder atomically (replacing any folder of that name)."""
    final = Path(folder)
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.", suffix=".partial"))
    staging.chmod(shareable_mode(directory=True))
    try:
        manifest = {
            "kind": "run" if len(scenarios) == 1 else "compare",
            "labels": list(labels),
            "seeds": [s.run.seed for s in scenarios],
            "seed_scheme": SEED_SCHEME,
            "replications": replications,
            "command": command,
            "versions": versions(),
            "scenario_files": [f"scenarios/{k:02d}-{slug(label)}.json" for k, label in enumerate(labels)],
            **(extra or {}),
        }
        (staging / "scenarios").mkdir()
        for path, scenario in zip(manifest["scenario_files"], scenarios, strict=True):
            (staging / path).write_text(scenario.model_dump_json(indent=2) + "\n", encoding="utf-8")
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        _write_table(staging, "kpis", kpis, parquet)
        _write_table(staging, "summary", summary, parquet)
        for name, frame in (tables or {}).items():
            _write_table(staging, name, frame, parquet)
        if timing:
            (staging / "timing.json").write_text(json.dumps(dict(timing), indent=2) + "\n", encoding="utf-8")
        if final.exists():
            backup = final.with_name(f".{final.name}.old")
            shutil.rmtree(backup, ignore_errors=True)
            os.replace(final, backup)
            os.replace(staging, final)
            shutil.rmtree(backup, ignore_errors=True)
        else:
            os.replace(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final


class SavedResults:
    """A results folder read back: enough to rebuild summaries and reports without re-running."""

    def __init__(self, folder: Path, manifest: dict[str, Any], scenarios: list[Scenario], kpis: pd.DataFrame):
        self.folder = folder
        self.manifest = manifest
        self.scenarios = scenarios
        self.kpis = kpis

    @property
    def labels(self) -> list[str]:
        return list(self.manifest["labels"])

    def table(self, name: str) -> pd.DataFrame | None:
        """A record table by name, or None if the run did not keep it."""
        for suffix, reader in ((".parquet", pd.read_parquet), (".csv", pd.read_csv)):
            path = self.folder / f"{name}{suffix}"
            if path.exists():
                return reader(path)
        return None


def load_results(folder: str | Path) -> SavedResults:
    """Read a results folder written by :func:`save_results`."""
    folder = Path(folder)
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        raise FileNotFoundError(f"{folder}: not a drive-sim results folder (no manifest.json)")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    scenarios = [
        scenario_from_dict(json.loads((folder / path).read_text(encoding="utf-8")), str(folder / path))
        for path in manifest["scenario_files"]
    ]
    kpi_path = folder / "kpis.parquet"
    kpis = pd.read_parquet(kpi_path) if kpi_path.exists() else pd.read_csv(folder / "kpis.csv")
    return SavedResults(folder, manifest, scenarios, kpis)
