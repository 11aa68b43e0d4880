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
the worker that ran it (:func:`~drive_sim.runs.parts.make_part`) and written atomically. Run the same sweep
into the same folder again and the replications already in parts are skipped, so an
interrupted sweep resumes without repeating or losing a replication. As parts arrive
they are assembled, in point and replication order with a bounded number waiting
(:class:`~drive_sim.runs.parts.Assembly`), into ``kpis.parquet`` (with a ``point`` column), ``summary`` (per
point, streamed; CSV and Parquet) and, with ``keep_records``, the record tables
(Parquet); the tables appear when the last part is in.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import shutil
import time
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from drive_sim.runs.datapackage import write_schema
from drive_sim.runs.experiment import ReplicationResult, Runner, Task, heap_frozen, open_backend, plan_tasks
from drive_sim.runs.parts import (
    Assembly,
    SweepPart,
    completed_replications,
    make_part,
    part_name,
    replication_results,
    save_part,
)
from drive_sim.runs.store import (
    SEED_SCHEME,
    OutputFolderError,
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

#: Most replications in one sweep task, and so in one part file: larger parts cost less
#: to write and to assemble (a part costs tens of milliseconds to write and read back,
#: whatever its size); 100 replications of 3 years take about 3 s of a core.
SWEEP_MAX_CHUNK = 100


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
    assembly: Assembly | None = None
    try:
        chunk = runner.chunk_size(max(1, to_run), SWEEP_MAX_CHUNK)
        tasks = [
            Task(points[t.key].index, t.scenario, t.replications)
            for t in plan_tasks([p.scenario for p in points], wanted, chunk)
        ]
        assembly = Assembly(folder, points, replications, keep_records, [part_name(task) for task in tasks])
        with heap_frozen():
            for position, part in runner.completed(tasks, keep_records, functools.partial(make_part, keep_records)):
                task = tasks[position]
                save_part(folder, task, part)
                ran += len(part.replications)
                assembly.arrived(part_name(task), part.kpis)
                for result in replication_results(task.key, part) if on_result is not None else ():
                    on_result(result)
        summary = assembly.finish()
    except BaseException as error:
        if assembly is not None:
            assembly.discard()
        if isinstance(error, KeyboardInterrupt):  # what finished is in its part files
            return SweepOutcome(folder, list(points), replications, reused, ran, True, None)
        raise
    finally:
        if owned:
            runner.close()
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
