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

import hashlib
import importlib.metadata
import json
import os
import platform
import re
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drive_sim.scenario import Scenario, scenario_from_dict

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "SEED_SCHEME",
    "ForeignFileError",
    "OutputFolderError",
    "SavedResults",
    "atomic_write_bytes",
    "atomic_write_text",
    "check_output_folder",
    "load_results",
    "read_manifest",
    "run_identity",
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
    "numpy SeedSequence(run.seed, spawn_key=(replication, stream)) per named stream; case k and "
    "practitioner posts from Philox counters of spawn_key=(replication, stream, 2^32 or 2^33), "
    "case k at block k // 64, one uniform a draw by inversion (drive_sim.model.streams)"
)


#: Longest slug used in a file or folder name; longer names are cut and given a short hash.
SLUG_LENGTH = 40


def slug(text: str) -> str:
    """A short, safe file-name part: lowercase letters, digits and hyphens.

    Names longer than :data:`SLUG_LENGTH` are cut and end in a short hash of the whole
    name, so two long names that start alike still get different slugs.
    """
    text = text.lower()
    cleaned = re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "scenario"
    if len(cleaned) <= SLUG_LENGTH:
        return cleaned
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return f"{cleaned[: SLUG_LENGTH - 9].rstrip('-')}-{digest}"


class OutputFolderError(Exception):
    """A results folder cannot be written where asked; nothing has been touched."""


class ForeignFileError(OutputFolderError, ValueError):
    """A file drive-sim would write into a saved results folder is there and is not its own; it is left alone.

    ``save_results`` replaces a folder of the same kind whole (see :func:`check_output_folder`);
    this is for the files written into it afterwards, such as ``results.xlsx`` when
    ``drive-sim report`` rebuilds them.
    """


def run_identity(kind: str, scenarios: Sequence[Scenario], replications: int, **more: Any) -> str:
    """A hash of what a run computes: its kind, resolved scenarios, replications and options.

    Two commands with the same identity write the same results, so one may replace the
    other's folder; a different identity needs ``force``.
    """
    content = json.dumps(
        {
            "kind": kind,
            "scenarios": [s.model_dump(mode="json") for s in scenarios],
            "replications": replications,
            **more,
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_output_folder(folder: str | Path, kind: str, run_id: str | None = None, force: bool = False) -> None:
    """Refuse a results folder that drive-sim may not write, before anything runs.

    drive-sim replaces only a folder whose own manifest marks it as a results folder of
    the same ``kind``, and one of a different run (another ``run_id``) only with
    ``force``. A missing or empty folder is fine if its parent can be written.

    Raises:
        OutputFolderError: Naming the path and what is wrong; nothing is touched.
    """
    text = str(folder)
    folder = Path(folder)
    if not text.strip() or folder.name in ("", ".", ".."):
        raise OutputFolderError(f"{text!r}: give a new folder for the results, such as reports/my-run")
    resolved = folder.resolve()
    cwd = Path.cwd().resolve()
    if resolved == cwd or resolved in cwd.parents:
        raise OutputFolderError(f"{folder}: is the current folder or holds it; give a new folder for the results")
    if folder.exists() and not folder.is_dir():
        raise OutputFolderError(f"{folder}: is a file, not a results folder; drive-sim will not replace it")
    parent = _nearest_existing(resolved.parent)
    if not parent.is_dir():
        raise OutputFolderError(f"{folder}: {parent} is a file, so no folder can be made below it")
    try:
        tempfile.TemporaryDirectory(dir=parent, prefix=".drive-sim-probe.").cleanup()
    except OSError as error:
        raise OutputFolderError(f"{folder}: the folder {parent} cannot be written ({error.strerror})") from None
    if not folder.exists() or not any(folder.iterdir()):
        return
    try:
        manifest = read_manifest(folder)
    except (OSError, ValueError):
        manifest = None
    if not isinstance(manifest, dict) or "kind" not in manifest:
        raise OutputFolderError(
            f"{folder}: exists and is not a drive-sim {kind} folder (it holds no drive-sim manifest); "
            "drive-sim will not touch it: choose another --out"
        )
    if manifest["kind"] != kind:
        raise OutputFolderError(
            f"{folder}: holds the results of a drive-sim {manifest['kind']}, not a {kind}; "
            "drive-sim will not replace it: choose another --out"
        )
    found = manifest.get("run_id") or manifest.get("sweep_id")  # sweeps before run_id had sweep_id
    if run_id is not None and found != run_id and not force:
        raise OutputFolderError(
            f"{folder}: holds the results of a different {kind} (another scenario, seed, replications or "
            "options); add --force to replace them, or choose another --out"
        )


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


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (a temporary file beside it, then a rename)."""
    _atomic(path, lambda temporary: temporary.write_bytes(data))


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
    run_id: str | None = None,
    force: bool = False,
) -> Path:
    """Write a results folder atomically.

    An existing folder is replaced only if :func:`check_output_folder` allows it: a
    results folder of the same kind and run (``run_id``, by default the
    :func:`run_identity` of the arguments), or of another run with ``force``.

    Raises:
        OutputFolderError: The folder may not be written; nothing is touched.
    """
    final = Path(folder)
    kind = str((extra or {}).get("kind", "run" if len(scenarios) == 1 else "compare"))
    run_id = run_id or run_identity(kind, scenarios, replications)
    check_output_folder(final, kind, run_id, force)
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.", suffix=".partial"))
    staging.chmod(shareable_mode(directory=True))
    try:
        manifest = {
            "kind": "run" if len(scenarios) == 1 else "compare",
            "run_id": run_id,
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
    """A results folder read back: enough to rebuild summaries and reports without re-running.

    Every replication's KPIs (:attr:`kpis`) are read from the folder at first use: a large
    sweep's run to millions of rows, and its page reads only some of them
    (:meth:`kpis_where`).
    """

    def __init__(
        self, folder: Path, manifest: dict[str, Any], scenarios: list[Scenario], kpis: pd.DataFrame | None = None
    ):
        self.folder = folder
        self.manifest = manifest
        self.scenarios = scenarios
        self._kpis = kpis
        self._memo: dict[str, Any] = {}

    @property
    def kpis(self) -> pd.DataFrame:
        """Every replication's KPIs (``kpis.parquet``, else ``kpis.csv``; empty if the folder keeps none)."""
        if self._kpis is None:
            import pandas as pd

            kpis = self.table("kpis")
            if kpis is None:  # a robust sizing keeps each level's KPIs in its own sub-folder
                kpis = pd.DataFrame(columns=["replication", "window", "kpi", "scope", "value"])
            self._kpis = kpis
        return self._kpis

    def kpis_where(
        self, window: str | None = None, kpis: Sequence[str] | None = None, columns: Sequence[str] | None = None
    ) -> pd.DataFrame:
        """The rows of :attr:`kpis` in ``window`` (if the table has windows) for ``kpis``, with only ``columns``.

        Read from ``kpis.parquet`` batch by batch, each filtered as it is read, unless the
        whole table is already in memory: the rest is never held, so a sweep of millions of
        rows is read in a small fraction of the memory and time. The same frame, dtypes
        included, as filtering :attr:`kpis`, with a new index.
        """
        import numpy as np

        path = self._unread_parquet()
        if path is not None:
            return _parquet_rows_where(path, window, kpis, columns)
        frame = self.kpis
        keep = np.ones(len(frame), dtype=bool)
        if kpis is not None:
            keep &= frame["kpi"].isin(list(kpis)).to_numpy()
        if window is not None and "window" in frame.columns:
            keep &= (frame["window"] == window).to_numpy()
        chosen = frame[keep] if columns is None else frame.loc[keep, list(columns)]
        return chosen.reset_index(drop=True)

    def replication_count(self) -> int:
        """How many distinct replications the KPI table holds (a batch at a time, if it is not in memory)."""
        import pyarrow.parquet as pq

        path = self._unread_parquet()
        if path is not None:
            seen: set[int] = set()
            for batch in pq.ParquetFile(path).iter_batches(columns=["replication"], use_threads=False):
                seen.update(batch.column(0).unique().to_pylist())
            return len(seen)
        return int(self.kpis["replication"].nunique())

    def _unread_parquet(self) -> Path | None:
        """``kpis.parquet``, to be read from the file: there, and the whole table not yet in memory."""
        path = self.folder / "kpis.parquet"
        return path if self._kpis is None and path.exists() else None

    def relabelled(self, labels: Sequence[str]) -> SavedResults:
        """The same folder read, its scenarios named ``labels`` (the KPIs shared, read or not)."""
        return SavedResults(self.folder, {**self.manifest, "labels": list(labels)}, self.scenarios, self._kpis)

    def memo(self, key: str, make: Callable[[], Any]) -> Any:
        """``make()``, worked out once for this folder read and kept.

        The terminal, the page and the workbook all read the same answer, so a sweep's
        summaries are not worked out three times. What it returns is shared between
        callers: treat it as read-only.
        """
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    @property
    def labels(self) -> list[str]:
        return list(self.manifest["labels"])

    def table(self, name: str) -> pd.DataFrame | None:
        """A record table by name, or None if the run did not keep it."""
        import pandas as pd

        for suffix, reader in ((".parquet", pd.read_parquet), (".csv", pd.read_csv)):
            path = self.folder / f"{name}{suffix}"
            if path.exists():
                return reader(path)
        return None


def _parquet_rows_where(
    path: Path, window: str | None, kpis: Sequence[str] | None, columns: Sequence[str] | None
) -> pd.DataFrame:
    """The rows of a KPI Parquet file in ``window`` for ``kpis``, read a batch at a time (see ``kpis_where``).

    Text columns are read as dictionaries (a handful of distinct values each) and cast back
    to the file's own types once filtered, so the frame is what ``pd.read_parquet`` gives.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    schema = pq.read_schema(path)
    window = window if "window" in schema.names else None
    wanted = list(schema.names if columns is None else columns)
    needed = {*wanted, *(["kpi"] if kpis is not None else []), *(["window"] if window is not None else [])}
    read = [name for name in schema.names if name in needed]
    file = pq.ParquetFile(path, read_dictionary=[name for name in ("window", "kpi", "scope") if name in read])
    chosen = pa.array(list(kpis or ()), type=pa.large_string())
    batches = []
    for batch in file.iter_batches(columns=read, use_threads=False):
        keep = pc.is_in(batch.column("kpi"), value_set=chosen) if kpis is not None else None
        if window is not None:
            in_window = pc.equal(batch.column("window"), window)
            keep = in_window if keep is None else pc.and_(keep, in_window)
        batches.append(batch if keep is None else batch.filter(keep))
    own = pa.schema([schema.field(name) for name in read], metadata=schema.metadata)
    table = pa.Table.from_batches(batches).cast(own) if batches else own.empty_table()
    return table.select(wanted).to_pandas()


def load_results(folder: str | Path | SavedResults) -> SavedResults:
    """Read a results folder written by :func:`save_results` (a folder already read is returned as it is).

    Its manifest and scenarios are read now, its KPIs at first use (:attr:`SavedResults.kpis`).
    """
    if isinstance(folder, SavedResults):
        return folder
    folder = Path(folder)
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        raise FileNotFoundError(f"{folder}: not a drive-sim results folder (no manifest.json)")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    scenarios = [
        scenario_from_dict(json.loads((folder / path).read_text(encoding="utf-8")), str(folder / path))
        for path in manifest["scenario_files"]
    ]
    return SavedResults(folder, manifest, scenarios)
