"""Parameter sweeps: a full factorial over dotted scenario paths, resumable on disk.

``--set referrals.annual_rate=50,100,150 --set teams.idvas[0].count=1,2`` gives six
points (the last axis varies fastest). Several scenario files make the structure an axis
of its own, ``scenario``, varying slowest (:func:`sweep_points_over`): seven site files
with those two ``--set`` axes give 42 points. Every point runs on the same seed, so
replication ``k`` of every point sees the same random numbers where the model allows
(common random numbers: the Drive referral stream, and every post's streams where two
points share the post). Every point is validated before anything runs, and every
problem is reported with its file, its key path and the point it occurs at.

A sweep writes into its results folder as it goes: each finished chunk of replications
of one point becomes a part file, ``parts/p<point>-r<first>-<last>.parquet``, made on
the worker that ran it (:func:`make_part`) and written atomically. Run the same sweep
into the same folder again and the replications already in parts are skipped, so an
interrupted sweep resumes without repeating or losing a replication. As parts arrive
they are assembled, in point and replication order with a bounded number waiting
(:class:`_Assembly`), into ``kpis.parquet`` (with a ``point`` column), ``summary`` (per
point, streamed; CSV and Parquet) and, with ``keep_records``, the record tables
(Parquet); the tables appear when the last part is in.
"""

from __future__ import annotations

import functools
import hashlib
import io
import itertools
import json
import re
import shutil
import time
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from drive_sim.analysis.stats import SummaryStream
from drive_sim.runs.datapackage import write_schema
from drive_sim.runs.experiment import ReplicationResult, Runner, Task, heap_frozen, open_backend, plan_tasks
from drive_sim.runs.store import (
    SEED_SCHEME,
    OutputFolderError,
    atomic_write_bytes,
    atomic_write_text,
    check_output_folder,
    read_manifest,
    versions,
    write_table,
)
from drive_sim.scenario import Scenario, ScenarioError, apply_overrides, read_scenario_data, scenario_from_dict

__all__ = [
    "SCENARIO_AXIS",
    "Axis",
    "ScenarioFilesError",
    "SweepFolderError",
    "SweepOutcome",
    "SweepPart",
    "SweepPoint",
    "completed_replications",
    "make_part",
    "parse_axis",
    "points_table",
    "run_sweep",
    "scenario_names",
    "sweep",
    "sweep_identity",
    "sweep_points",
    "sweep_points_over",
]

_PART = re.compile(r"^p(?P<point>\d+)-r(?P<first>\d+)-(?P<last>\d+)\.parquet$")
#: Most replications in one sweep task, and so in one part file: larger parts cost less
#: to write and to assemble (a part costs tens of milliseconds to write and read back,
#: whatever its size); 100 replications of 3 years take about 3 s of a core.
SWEEP_MAX_CHUNK = 100
_RECORD_TABLES = ("cases", "weeks", "site_weeks", "workforce_events", "practitioners")


class SweepFolderError(OutputFolderError):
    """The results folder holds something else than this sweep."""


@dataclass(frozen=True)
class Axis:
    """One swept parameter: a dotted scenario path and the values it takes."""

    path: str
    values: tuple[Any, ...]


def _parse_values(raw: str) -> list[Any]:
    try:  # TOML first, so strings, tables and arrays with commas inside them work
        return list(tomllib.loads(f"v = [{raw}]")["v"])
    except tomllib.TOMLDecodeError:
        pass
    values: list[Any] = []
    for item in raw.split(","):
        try:
            values.append(tomllib.loads(f"v = {item.strip()}")["v"])
        except tomllib.TOMLDecodeError:
            values.append(item.strip())  # a bare word such as strict or cautious
    return values


def parse_axis(text: str) -> Axis:
    """``PATH=V1,V2,...`` to an :class:`Axis`; values are read as TOML, bare words as strings.

    Raises:
        ValueError: Not of the form ``PATH=V1,V2``, an empty value or a repeated value.
    """
    path, sep, raw = text.partition("=")
    path = path.strip()
    if not sep or not path or not raw.strip():
        raise ValueError(f"--set {text!r}: expected PATH=V1,V2,..., e.g. --set referrals.annual_rate=50,100,150")
    values = _parse_values(raw)
    if any(value == "" for value in values):
        raise ValueError(f"--set {text!r}: an empty value (two commas in a row, or a trailing comma?)")
    keys = [json.dumps(value, sort_keys=True, default=str) for value in values]
    if len(set(keys)) != len(keys):
        raise ValueError(f"--set {text!r}: a value is repeated")
    return Axis(path, tuple(values))


@dataclass(frozen=True)
class SweepPoint:
    """One combination of swept values and the scenario it gives."""

    index: int
    values: tuple[tuple[str, Any], ...]
    scenario: Scenario

    @property
    def label(self) -> str:
        return _label(self.values)


#: The axis of a sweep over several scenario files: its values are the files' names.
SCENARIO_AXIS = "scenario"


def _label(values: Sequence[tuple[str, Any]]) -> str:
    """``referrals.annual_rate=50, teams.idvas[0].count=2``: values written as in TOML.

    The scenario axis shows the file's name as it is: ``scenario=site2, ...``.
    """
    shown = (f"{path}={value if path == SCENARIO_AXIS else _show(value)}" for path, value in values)
    return ", ".join(shown) or "base"


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (dict, list, str)):
        return json.dumps(value, default=str)
    return str(value)


def sweep_points(
    data: Mapping[str, Any], source: str, axes: Sequence[Axis], overrides: Mapping[str, Any] | None = None
) -> list[SweepPoint]:
    """Every combination of the axes' values, each validated like a scenario file.

    Args:
        data: The base scenario's raw data (as read from its TOML file).
        source: The file's name, for messages.
        axes: The swept paths; the last varies fastest.
        overrides: Fixed overrides applied to every point (an axis wins over one).

    Raises:
        ScenarioError: Every problem, located by key path, each once with the first point
            it occurs at. Raised before any point runs.
    """
    paths = [axis.path for axis in axes]
    repeated = sorted({path for path in paths if paths.count(path) > 1})
    if repeated:
        raise ScenarioError(source, [(path, "is swept twice; give all its values in one --set") for path in repeated])
    # A path that cannot exist is wrong at every point: report it once, and still check
    # the values of the other axes so that one run of the command shows every problem.
    path_problems: list[tuple[str, str]] = []
    good = []
    for axis in axes:
        try:
            apply_overrides(data, {axis.path: axis.values[0]}, source)
            good.append(axis)
        except ScenarioError as error:
            path_problems += error.problems
    try:
        apply_overrides(data, dict(overrides or {}), source)
    except ScenarioError as error:
        path_problems += error.problems
        overrides = {}
    points: list[SweepPoint] = []
    problems: dict[tuple[str, str], str] = {}
    lines: dict[str, int] = {}  # the file line of a key whose value the file gives
    for index, combination in enumerate(itertools.product(*(axis.values for axis in good))):
        values = tuple(zip((axis.path for axis in good), combination, strict=True))
        try:
            point_data = apply_overrides(data, {**(overrides or {}), **dict(values)}, source)
            points.append(SweepPoint(index, values, scenario_from_dict(point_data, source)))
        except ScenarioError as error:
            lines |= error.lines
            for key, message in error.problems:
                problems.setdefault((key, message), _label(values))
    if path_problems or problems:
        located = [(key, f"{message} (at {label})") for (key, message), label in problems.items()]
        raise ScenarioError(source, path_problems + located, lines)
    return points


class ScenarioFilesError(ScenarioError):
    """Problems in several scenario files of one sweep: every file's, each located."""

    def __init__(self, errors: Sequence[ScenarioError]):
        Exception.__init__(self, "\n".join(str(error) for error in errors))
        self.source = ", ".join(error.source for error in errors)
        self.problems = [problem for error in errors for problem in error.problems]
        self.lines = {}


def scenario_names(sources: Sequence[str]) -> list[str]:
    """Each file's name without folder or ``.toml``, numbered where two share one."""
    stems = [Path(source).stem if source.endswith(".toml") else source for source in sources]
    return [f"{stem} ({k + 1})" if stems.count(stem) > 1 else stem for k, stem in enumerate(stems)]


def sweep_points_over(
    bases: Sequence[tuple[Mapping[str, Any], str]],
    axes: Sequence[Axis],
    overrides: Mapping[str, Any] | None = None,
) -> list[SweepPoint]:
    """Every combination of the axes' values in each of several scenario files.

    With one file this is :func:`sweep_points`. With several, the file is an axis of its
    own, :data:`SCENARIO_AXIS`, varying slowest, and points are numbered across files.
    Every point gets the same seed (``overrides["run.seed"]`` if given, else the first
    file's), so the comparison between files is paired on common random numbers.

    Args:
        bases: Each file's raw data and name, as :func:`~drive_sim.scenario.read_scenario_data` gives.
        axes: The swept paths; each must exist in every file.
        overrides: Fixed overrides applied to every point of every file.

    Raises:
        ScenarioError: Every problem of every file, located by file, key path and point.
    """
    if len(bases) == 1:
        return sweep_points(bases[0][0], bases[0][1], axes, overrides)
    if any(axis.path == SCENARIO_AXIS for axis in axes):
        raise ScenarioError("--set", [(SCENARIO_AXIS, "is the axis of the scenario files: give the files instead")])
    names = scenario_names([source for _, source in bases])
    per_file: list[list[SweepPoint]] = []
    failures: list[ScenarioError] = []
    for data, source in bases:
        try:
            per_file.append(sweep_points(data, source, axes, overrides))
        except ScenarioError as error:
            failures.append(error)
    if failures:
        raise failures[0] if len(failures) == 1 else ScenarioFilesError(failures)
    seeds = {point.scenario.run.seed for points in per_file for point in points}
    if len(seeds) > 1:  # files that set their own seeds: the first file's, for every point
        seed = per_file[0][0].scenario.run.seed
        return sweep_points_over(bases, axes, {**(overrides or {}), "run.seed": seed})
    out: list[SweepPoint] = []
    for name, points in zip(names, per_file, strict=True):
        for point in points:
            out.append(SweepPoint(len(out), ((SCENARIO_AXIS, name), *point.values), point.scenario))
    return out


def points_table(points: Sequence[SweepPoint]) -> pd.DataFrame:
    """One row per point: ``point``, ``label`` and a column per swept path."""
    frame = pd.DataFrame({"point": [p.index for p in points], "label": [p.label for p in points]})
    for position, (path, _) in enumerate(points[0].values if points else ()):
        column = [p.values[position][1] for p in points]
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in column) and not all(
            isinstance(v, bool) for v in column
        ):
            column = [v if isinstance(v, str) else json.dumps(v) for v in column]
        frame[path] = column
    frame["point"] = frame["point"].astype("int64")
    return frame


def sweep_identity(points: Sequence[SweepPoint], keep_records: bool) -> str:
    """What a sweep computes (its points and whether records are kept): resumable when equal."""
    content = json.dumps(
        {"points": [p.scenario.model_dump(mode="json") for p in points], "keep_records": keep_records}, sort_keys=True
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------------------
# The folder: prepare, parts, assemble
# --------------------------------------------------------------------------------------


def _prepare(
    folder: Path,
    points: Sequence[SweepPoint],
    axes: Sequence[Axis],
    replications: int,
    keep_records: bool,
    command: str,
    force: bool = False,
    kind: str = "sweep",
) -> None:
    sweep_id = sweep_identity(points, keep_records)
    try:
        check_output_folder(folder, kind, sweep_id, force)
    except OutputFolderError as error:
        raise SweepFolderError(str(error)) from None
    manifest = read_manifest(folder) if folder.is_dir() else None
    if manifest is not None and (manifest.get("run_id") or manifest.get("sweep_id")) != sweep_id:
        shutil.rmtree(folder)  # --force: a different sweep of drive-sim's own, replaced
        manifest = None
    scenario_files = [f"scenarios/point-{p.index:04d}.json" for p in points]
    if manifest is None:
        for path, point in zip(scenario_files, points, strict=True):
            atomic_write_text(folder / path, point.scenario.model_dump_json(indent=2) + "\n")
        write_table(folder, "points", points_table(points))
    atomic_write_text(
        folder / "manifest.json",
        json.dumps(
            {
                "kind": kind,
                "status": "running",
                "run_id": sweep_id,
                "sweep_id": sweep_id,
                "axes": [{"path": a.path, "values": list(a.values)} for a in axes],
                "labels": [p.label for p in points],
                "seeds": [p.scenario.run.seed for p in points],
                "seed_scheme": SEED_SCHEME,
                "replications": replications,
                "keep_records": keep_records,
                "command": command,
                "versions": versions(),
                "scenario_files": scenario_files,
            },
            indent=2,
            default=str,
        )
        + "\n",
    )


def completed_replications(folder: str | Path) -> dict[int, set[int]]:
    """Replications already saved in the folder's part files, by point."""
    done: dict[int, set[int]] = {}
    parts = Path(folder) / "parts"
    if parts.is_dir():
        for path in parts.iterdir():
            match = _PART.match(path.name)
            if match:
                done.setdefault(int(match["point"]), set()).update(range(int(match["first"]), int(match["last"]) + 1))
    return done


def _part_name(task: Task) -> str:
    return f"p{task.key:05d}-r{task.replications[0]:06d}-{task.replications[-1]:06d}"


@dataclass(frozen=True)
class SweepPart:
    """One task of a sweep made into its part files, on the worker that ran it (:func:`make_part`).

    ``kpis`` is the part's KPI table (``point`` first, then the replications in order) for
    the client to assemble; ``files`` maps each part file's suffix (``""`` for the KPIs,
    ``".cases"`` and the like for the records) to its Parquet bytes, which the client
    writes as they are. Making them on the worker keeps the client's share of a sweep
    small, so that more workers go on paying off (README: Performance).
    """

    replications: tuple[int, ...]
    kpis: pd.DataFrame
    files: dict[str, bytes]


def _parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def make_part(keep_records: bool, task: Task, results: list[ReplicationResult]) -> SweepPart:
    """A task's results as its part files (the ``finish`` a sweep gives its runner)."""
    files = {}
    if keep_records:
        for table in _RECORD_TABLES:
            frame = pd.concat([r.tables[table] for r in results if r.tables], ignore_index=True)
            files[f".{table}"] = _parquet_bytes(frame.assign(point=task.key))
    kpis = pd.concat([r.kpis for r in results], ignore_index=True)
    kpis.insert(0, "point", pd.Series(task.key, index=kpis.index, dtype="int64"))
    files[""] = _parquet_bytes(kpis)
    return SweepPart(task.replications, kpis, files)


def _save_part(folder: Path, task: Task, part: SweepPart) -> None:
    """Write a part's files, records first: the KPI part marks the chunk complete."""
    name = _part_name(task)
    for suffix, data in sorted(part.files.items(), key=lambda item: item[0] == ""):
        atomic_write_bytes(folder / "parts" / f"{name}{suffix}.parquet", data)


def _replication_results(key: int, part: SweepPart) -> Iterator[ReplicationResult]:
    """The part's rows as one result per replication (for ``on_result``; records stay in the part files)."""
    replication = part.kpis["replication"].to_numpy()
    starts = [*np.flatnonzero(np.r_[True, replication[1:] != replication[:-1]]), len(replication)]
    for first, last in itertools.pairwise(starts):
        rows = part.kpis.iloc[first:last, 1:].reset_index(drop=True)
        yield ReplicationResult(key, int(replication[first]), rows, None)


#: Rows in each row group of an assembled table: fixed, so that the file's bytes do not
#: depend on how the replications were cut into parts (which depends on the backend).
ROW_GROUP_ROWS = 65_536


class _StreamWriter:
    """Appends frames to ``name.parquet`` in row groups of :data:`ROW_GROUP_ROWS`, then moves it into place.

    A sweep's per-replication tables are Parquet only: a sweep can hold millions of rows,
    beyond what a spreadsheet opens, and writing them as CSV too cost more than the rest
    of the client's work together. Its points and summary are written as CSV too. At
    most one row group is held in memory.
    """

    def __init__(self, folder: Path, name: str):
        self.folder, self.name = folder, name
        self.parquet_path = folder / f".{name}.parquet.tmp"
        self.writer: pq.ParquetWriter | None = None
        self.pending: list[pa.Table] = []
        self.held = 0
        self.rows = 0

    def append(self, frame: pd.DataFrame) -> None:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.parquet_path, table.schema)
        self.pending.append(table.cast(self.writer.schema))
        self.held += len(frame)
        self.rows += len(frame)
        if self.held >= ROW_GROUP_ROWS:
            self._flush(whole_groups_only=True)

    def _flush(self, whole_groups_only: bool) -> None:
        assert self.writer is not None
        held = pa.concat_tables(self.pending)
        cut = (len(held) // ROW_GROUP_ROWS) * ROW_GROUP_ROWS if whole_groups_only else len(held)
        for first in range(0, cut, ROW_GROUP_ROWS):
            self.writer.write_table(held.slice(first, min(ROW_GROUP_ROWS, cut - first)))
        rest = held.slice(cut)
        self.pending, self.held = ([rest] if len(rest) else []), len(rest)

    def commit(self) -> None:
        if self.writer is not None:
            if self.held:
                self._flush(whole_groups_only=False)
            self.writer.close()
            self.parquet_path.replace(self.folder / f"{self.name}.parquet")

    def discard(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.parquet_path.unlink(missing_ok=True)


def _part_stems(folder: Path, replications: int) -> dict[int, list[str]]:
    """Part file stems by point, for parts holding replications below ``replications``."""
    stems: dict[int, list[str]] = {}
    if not (folder / "parts").is_dir():
        return stems
    for path in sorted((folder / "parts").iterdir()):
        match = _PART.match(path.name)
        if match and int(match["first"]) < replications:
            stems.setdefault(int(match["point"]), []).append(path.name.removesuffix(".parquet"))
    return stems


def _read_part(folder: Path, stem: str, replications: int, suffix: str = "") -> pd.DataFrame:
    """One part's rows for replications below ``replications``, in replication order."""
    frame = pd.read_parquet(folder / "parts" / f"{stem}{suffix}.parquet")
    frame = frame[frame["replication"] < replications]
    return frame.sort_values("replication", kind="stable", ignore_index=True)


#: Parts that arrived ahead of their turn held in memory for assembly; beyond this, an
#: early part is read back from its file when its turn comes (memory stays bounded).
MAX_HELD_PARTS = 32


class _Assembly:
    """The part files joined into the folder's tables, in point and replication order, as they arrive.

    Parts of a point hold consecutive runs of replications and are named by their first,
    so taking them in name order gives the point's rows in replication order. A part
    finished in this run is assembled from memory as soon as every part before it has
    been (workers finish roughly in the order tasks were sent, so few wait); parts saved
    by an earlier run, and parts that arrived too far ahead (:data:`MAX_HELD_PARTS`), are
    read back from their files. The summary is streamed
    (:class:`~drive_sim.analysis.stats.SummaryStream`), so memory stays flat however many
    replications a point has. The tables' bytes do not depend on the order in which
    parts arrive, nor on whether one came from memory or from its file.
    """

    def __init__(
        self, folder: Path, points: Sequence[SweepPoint], replications: int, keep_records: bool, new: Sequence[str]
    ):
        self.folder, self.replications, self.keep_records = folder, replications, keep_records
        self.writers = {"kpis": _StreamWriter(folder, "kpis")}
        if keep_records:
            self.writers |= {table: _StreamWriter(folder, table) for table in _RECORD_TABLES}
        saved = _part_stems(folder, replications)
        by_point: dict[int, set[str]] = {point: set(stems) for point, stems in saved.items()}
        for stem in new:
            match = _PART.match(f"{stem}.parquet")
            assert match is not None, stem
            by_point.setdefault(int(match["point"]), set()).add(stem)
        # Every part to take, in order: (point, stem, the point's last part?).
        self.order: list[tuple[int, str, bool]] = []
        for point in points:
            stems = sorted(by_point.get(point.index, ()))
            if not stems:
                raise RuntimeError(f"{folder}/parts: point {point.index} has no saved replications")
            self.order += [(point.index, stem, k == len(stems) - 1) for k, stem in enumerate(stems)]
        self.expected = set(new)  # parts this run makes: wait for them
        self.held: dict[str, pd.DataFrame] = {}
        self.spilled: set[str] = set()  # arrived, not held: read back from the file
        self.position = 0
        self.stream = SummaryStream()
        self.found: set[int] = set()
        self.summaries: list[pd.DataFrame] = []

    def arrived(self, stem: str, kpis: pd.DataFrame) -> None:
        """A part of this run is saved: assemble it, and whatever it was holding up."""
        self.expected.discard(stem)
        if len(self.held) < MAX_HELD_PARTS or self.order[self.position][1] == stem:
            self.held[stem] = kpis
        else:
            self.spilled.add(stem)
        self._advance()

    def finish(self) -> pd.DataFrame:
        """Assemble what is left and commit the tables; the per-point summary."""
        self._advance()
        if self.position != len(self.order):
            raise RuntimeError(f"{self.folder}/parts: parts of this run are missing")
        for writer in self.writers.values():
            writer.commit()
        summary = pd.concat(self.summaries, ignore_index=True)
        write_table(self.folder, "summary", summary)
        return summary

    def discard(self) -> None:
        for writer in self.writers.values():
            writer.discard()

    def _advance(self) -> None:
        while self.position < len(self.order):
            point, stem, last = self.order[self.position]
            if stem in self.held:
                kpis = self.held.pop(stem)
            elif stem in self.expected:
                return  # not finished yet
            else:  # saved by an earlier run, or arrived too early to hold
                kpis = _read_part(self.folder, stem, self.replications)
                keys = ["replication", *(["window"] if "window" in kpis.columns else []), "kpi", "scope"]
                if kpis.duplicated(keys).any():
                    raise RuntimeError(f"{self.folder}/parts: point {point} has a replication saved twice")
            self._take(point, stem, kpis)
            if last:
                if self.found != set(range(self.replications)):
                    raise RuntimeError(f"{self.folder}/parts: point {point} has an incomplete set of replications")
                self.summaries.append(self.stream.result())
                self.stream, self.found = SummaryStream(), set()
            self.position += 1

    def _take(self, point: int, stem: str, kpis: pd.DataFrame) -> None:
        these = set(kpis["replication"].unique().tolist())
        if these & self.found:
            raise RuntimeError(f"{self.folder}/parts: point {point} has a replication saved twice")
        self.found |= these
        self.writers["kpis"].append(kpis)
        self.stream.add(kpis)
        for table in _RECORD_TABLES if self.keep_records else ():
            records = _read_part(self.folder, stem, self.replications, f".{table}")
            self.writers[table].append(records[["point", *(c for c in records.columns if c != "point")]])


@dataclass
class SweepOutcome:
    """What a call to :func:`run_sweep` did."""

    folder: Path
    points: list[SweepPoint]
    replications: int
    reused: int
    ran: int
    interrupted: bool
    summary: pd.DataFrame | None

    @property
    def total(self) -> int:
        return len(self.points) * self.replications


def run_sweep(
    folder: str | Path,
    points: Sequence[SweepPoint],
    replications: int,
    runner: Runner | None = None,
    axes: Sequence[Axis] = (),
    keep_records: bool = False,
    command: str = "",
    on_result: Callable[[ReplicationResult], None] | None = None,
    on_plan: Callable[[int, int], None] | None = None,
    force: bool = False,
    kind: str = "sweep",
) -> SweepOutcome:
    """Run (or resume) a sweep into ``folder`` and assemble its tables.

    Args:
        folder: The results folder; created if missing, resumed if it holds this sweep.
        points: From :func:`sweep_points`.
        replications: Replications of every point.
        runner: An open runner (see :func:`~drive_sim.runs.experiment.open_backend`),
            left open for the caller to close. Without one, ``open_backend("process")``
            is opened and closed by this call.
        axes: The swept axes, recorded in the manifest.
        keep_records: Keep every replication's record tables too (memory stays bounded:
            they go to part files, not to memory).
        command: The command line, recorded in the manifest.
        on_result: Called with each replication's result as its part is saved (its KPIs;
            with ``keep_records`` its records are in the part files, not in the result).
        on_plan: Called once with (replications already saved, replications to run).
        force: Replace a folder holding a different sweep (never anything else).
        kind: The folder's kind in its manifest: ``sweep``, or the command that runs
            its experiment as a sweep of points (``uncertainty``).

    Returns:
        What was reused, what ran, and the per-point summary (``None`` if interrupted).

    Raises:
        SweepFolderError: ``folder`` holds something else (see
            :func:`drive_sim.runs.store.check_output_folder`); nothing is written.
    """
    folder = Path(folder)
    started = time.perf_counter()
    _prepare(folder, points, axes, replications, keep_records, command, force, kind)
    done = completed_replications(folder)
    wanted = [sorted(set(range(replications)) - done.get(p.index, set())) for p in points]
    to_run = sum(len(reps) for reps in wanted)
    reused = len(points) * replications - to_run
    if on_plan is not None:
        on_plan(reused, to_run)
    owned = runner is None
    runner = runner or open_backend("process")
    ran = 0
    chunk = runner.chunk_size(max(1, to_run), SWEEP_MAX_CHUNK)
    tasks = [
        Task(points[t.key].index, t.scenario, t.replications)
        for t in plan_tasks([p.scenario for p in points], wanted, chunk)
    ]
    assembly = _Assembly(folder, points, replications, keep_records, [_part_name(task) for task in tasks])
    try:
        try:
            with heap_frozen():
                for position, part in runner.completed(tasks, keep_records, functools.partial(make_part, keep_records)):
                    task = tasks[position]
                    _save_part(folder, task, part)
                    ran += len(part.replications)
                    assembly.arrived(_part_name(task), part.kpis)
                    for result in _replication_results(task.key, part) if on_result is not None else ():
                        on_result(result)
        except KeyboardInterrupt:
            assembly.discard()
            return SweepOutcome(folder, list(points), replications, reused, ran, True, None)
        finally:
            if owned:
                runner.close()
        summary = assembly.finish()
    except BaseException:
        assembly.discard()
        raise
    manifest = read_manifest(folder) or {}
    atomic_write_text(
        folder / "manifest.json", json.dumps({**manifest, "status": "complete"}, indent=2, default=str) + "\n"
    )
    atomic_write_text(folder / "timing.json", json.dumps({"seconds": round(time.perf_counter() - started, 3)}) + "\n")
    write_schema(folder)
    return SweepOutcome(folder, list(points), replications, reused, ran, False, summary)


def sweep(
    scenario: str | Path | None,
    axes: Mapping[str, Sequence[Any]],
    folder: str | Path,
    replications: int | None = None,
    runner: Runner | None = None,
    overrides: Mapping[str, Any] | None = None,
    force: bool = False,
) -> SweepOutcome:
    """Sweep a scenario file over every combination of some values: the Python face of ``drive-sim sweep``.

    Args:
        scenario: The scenario file (``None``: the default site).
        axes: Dotted scenario path -> the values it takes, e.g.
            ``{"teams.idvas[0].count": [1, 2, 3], "backdating.months": [0, 6]}``; the last
            varies fastest. Every point runs on the same seed (common random numbers).
        folder: The results folder (resumed if it holds this sweep).
        replications: Replications of every point (default: the scenario's ``run.replications``).
        runner: An open runner (:func:`~drive_sim.runs.experiment.open_backend`); default
            a process pool, opened and closed here.
        overrides: Fixed values for every point, e.g. ``{"site.horizon_days": 730}``.
        force: Replace a folder holding a different sweep (never anything else).

    Returns:
        The :class:`SweepOutcome`; ``outcome.summary`` holds every point's KPI means and
        95% CIs, and ``drive_sim.load_results(folder)`` reads the whole folder.

    Raises:
        ScenarioError: A bad file, path or value, every problem located; nothing runs.
    """
    data, source = read_scenario_data(scenario)
    swept = [Axis(path, tuple(values)) for path, values in axes.items()]
    points = sweep_points(data, source, swept, overrides)
    count = replications if replications is not None else points[0].scenario.run.replications
    return run_sweep(folder, points, count, runner=runner, axes=swept, force=force)
