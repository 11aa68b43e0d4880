"""The explorer's grid: structures x Drive IDVA staffing x referrals x backdating, run as a sweep.

``drive-sim explore`` runs a grid of what-ifs once and writes one offline page a planner
moves through without re-running anything (:mod:`drive_sim.report.explorer`). The grid
is a sweep of its own kind (``explore``): the same resumable results folder, runners and
streamed parts as :mod:`drive_sim.runs.sweep`, every point on one seed (common random
numbers). Two things differ from a plain sweep:

- **Staffing is an axis of its own**, ``staffing``, because the group it counts differs
  by structure (:func:`staffing_group`): the count of the structure's main Drive IDVA
  group, so one slider means "how many Drive IDVAs" in every structure.
- **Each replication also runs its twin without Drive** (for ``drive_added_fte``) and
  keeps a compact open-cases series: the Drive IDVAs' mean open cases per FTE in each
  block of :data:`BLOCK_WEEKS` weeks, as extra KPI rows (``kpi =``
  :data:`SERIES_KPI`, ``window = "w<first week>"``) in the part files. Rows of single
  practitioners (scopes ``idva:...``, ``cm:...``) are dropped: the explorer reads
  groups and the site only, and a grid of hundreds of points stays small.

:func:`grid_data` turns the saved tables into the page's data, a pure function of the
folder, so ``drive-sim report`` rebuilds the page without re-running.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from drive_sim.runs.experiment import Finish, ReplicationResult, Runner, Task
from drive_sim.runs.store import atomic_write_text, read_manifest
from drive_sim.runs.sweep import (
    SCENARIO_AXIS,
    Axis,
    ScenarioFilesError,
    SweepOutcome,
    SweepPoint,
    run_sweep,
    scenario_names,
    sweep_points,
)
from drive_sim.scenario import Scenario, ScenarioError, scenario_from_dict

if TYPE_CHECKING:
    from drive_sim.runs.store import SavedResults

__all__ = [
    "BLOCK_WEEKS",
    "DEFAULT_AXES",
    "DEFAULT_REPLICATIONS",
    "DEFAULT_STRUCTURES",
    "EXPLORE_KIND",
    "SERIES_KPI",
    "STAFFING_AXIS",
    "Staffing",
    "explore_axes",
    "explore_points",
    "point_summary",
    "run_explore",
    "series_band",
    "series_rows",
    "staffing_group",
    "staffing_meanings",
]

EXPLORE_KIND = "explore"
#: The axis counting Drive IDVAs; which group it counts depends on the structure.
STAFFING_AXIS = "staffing"
#: The study's structures: the scenario files of ``scenarios/`` the default grid runs.
DEFAULT_STRUCTURES = ("site1", "site2", "site3", "site4", "site5", "site6", "spread_all", "two_drive_idvas")
#: The default grid's other axes, in the order the page shows them (the last varies fastest).
DEFAULT_AXES = (
    Axis(STAFFING_AXIS, (1, 2, 3, 4, 5)),
    Axis("referrals.annual_rate", (50, 100, 150, 200)),
    Axis("backdating.months", (0, 3, 6)),
)
#: Replications of every point by default: the default grid's 480 points x 6, each replication
#: with its twin without Drive, take 7 CPU-minutes (about 4 minutes on 2 free cores).
DEFAULT_REPLICATIONS = 6
#: Weeks in each block of the open-cases series kept per replication.
BLOCK_WEEKS = 4
SERIES_KPI = "open_cases_per_fte_block_mean"


@dataclass(frozen=True)
class Staffing:
    """What the staffing axis counts in one structure."""

    index: int  # position in teams.idvas
    group: str  # the group's name
    as_given: int  # its count in the file
    meaning: str  # in words, for the page

    @property
    def path(self) -> str:
        return f"teams.idvas[{self.index}].count"


def staffing_group(scenario: Scenario) -> Staffing:
    """The group the staffing axis counts: the structure's main Drive IDVA group.

    That is the Drive-role group with the most posts as given (the first on a tie), so at
    site 2 it is the four key Drive IDVAs, not their allocating lead, and where Drive
    cases are spread across the team (every group has the Drive role) it is the team's
    main group. A structure with no Drive-role group has its first IDVA group counted.
    """
    groups = scenario.teams.idvas
    drive = [k for k, group in enumerate(groups) if group.role == "drive"]
    candidates = drive or list(range(len(groups)))
    index = max(candidates, key=lambda k: (groups[k].count, -k))
    chosen = groups[index]
    words = f"the number of '{chosen.name}' posts ({chosen.count} in the file, {chosen.fte:g} FTE each)"
    others = [f"'{groups[k].name}' ({groups[k].count})" for k in range(len(groups)) if k != index]
    if not drive:
        words += "; this structure names no Drive IDVA, so its first IDVA group is counted"
    elif len(drive) == len(groups):
        words += (
            "; every IDVA here holds Drive and non-Drive cases, so each post added also brings its "
            f"{chosen.non_drive_referrals_per_year:g} non-Drive referrals a year"
        )
    if others:
        words += "; kept as in the file: " + ", ".join(others)
    return Staffing(index, chosen.name, chosen.count, words[0].upper() + words[1:] + ".")


def explore_axes(axes: Sequence[Axis]) -> list[Axis]:
    """The default axes with those given replacing theirs (same path), new ones added at the end."""
    given = {axis.path: axis for axis in axes}
    out = [given.pop(axis.path, axis) for axis in DEFAULT_AXES]
    return out + list(given.values())


def explore_points(
    bases: Sequence[tuple[Mapping[str, Any], str]], axes: Sequence[Axis], overrides: Mapping[str, Any] | None = None
) -> tuple[list[SweepPoint], list[Staffing]]:
    """Every point of the grid, each validated, and what the staffing axis counts per structure.

    Points are numbered structure first (slowest), then the axes in order; a point's
    ``values`` name the staffing axis :data:`STAFFING_AXIS`, whatever group it sets.
    Every point gets the same seed (``overrides["run.seed"]``, else the first file's).

    Raises:
        ScenarioError: Every problem of every file, located by file, key path and point;
            also a ``--set`` of the path the staffing axis sets.
    """
    overrides = dict(overrides or {})
    names = scenario_names([source for _, source in bases])
    failures: list[ScenarioError] = []
    staffing: list[Staffing] = []
    per_file: list[list[SweepPoint]] = []
    seed = overrides.get("run.seed")
    for data, source in bases:
        try:
            base = scenario_from_dict(dict(data), source)
        except ScenarioError as error:
            failures.append(error)
            continue
        seed = base.run.seed if seed is None else seed
        group = staffing_group(base)
        staffing.append(group)
        file_axes = [Axis(group.path, a.values) if a.path == STAFFING_AXIS else a for a in axes]
        if group.path in {a.path for a in axes} | set(overrides):
            failures.append(
                ScenarioError(source, [(group.path, f"is the staffing axis here: give --set {STAFFING_AXIS}=...")])
            )
            continue
        try:
            per_file.append(sweep_points(data, source, file_axes, {**overrides, "run.seed": seed}))
        except ScenarioError as error:
            failures.append(error)
    if failures:
        raise failures[0] if len(failures) == 1 else ScenarioFilesError(failures)
    points: list[SweepPoint] = []
    for name, file_points in zip(names, per_file, strict=True):
        for point in file_points:
            values = tuple(
                (STAFFING_AXIS if axis.path == STAFFING_AXIS else path, value)
                for axis, (path, value) in zip(axes, point.values, strict=True)
            )
            points.append(SweepPoint(len(points), ((SCENARIO_AXIS, name), *values), point.scenario))
    return points, staffing


# --------------------------------------------------------------------------------------
# Running: a sweep whose replications also run their twin and keep the series
# --------------------------------------------------------------------------------------


def series_rows(tables: Mapping[str, pd.DataFrame], replication: int) -> pd.DataFrame:
    """One replication's open-cases series: the Drive IDVAs' mean open cases per FTE in each block.

    Each week, the mean over staffed Drive-role IDVAs (every IDVA where none has the role)
    of open cases (Drive and non-Drive) per caseload FTE, as the ``group:drive`` KPIs
    count them; then the mean of each :data:`BLOCK_WEEKS`-week block.
    """
    weeks = tables["weeks"]
    idvas = weeks[weeks["kind"] == "idva"]
    scope = "group:drive" if (idvas["role"] == "drive").any() else "group:idva"
    if scope == "group:drive":
        idvas = idvas[idvas["role"] == "drive"]
    share = tables["practitioners"].set_index("name")["capacity_share"]
    fte = idvas["fte"].to_numpy(float) * idvas["practitioner"].map(share).fillna(1.0).to_numpy(float)
    staffed = (idvas["vacant"].to_numpy() == 0) & (fte > 0)
    open_cases = idvas["drive_open"].to_numpy(float) + idvas["non_drive_open"].to_numpy(float)
    per_fte = np.where(staffed, open_cases / np.where(fte > 0, fte, 1.0), np.nan)
    weekly = pd.Series(per_fte).groupby(idvas["week"].to_numpy()).mean()
    block = (weekly.index.to_numpy() - 1) // BLOCK_WEEKS
    means = weekly.groupby(block).mean()
    return pd.DataFrame(
        {
            "replication": replication,
            "window": [f"w{int(b) * BLOCK_WEEKS + 1:03d}" for b in means.index],
            "kpi": SERIES_KPI,
            "scope": scope,
            "value": means.to_numpy(float),
        }
    )


def _explorer_result(result: ReplicationResult) -> ReplicationResult:
    kpis = result.kpis
    kept = kpis[~kpis["scope"].str.startswith(("idva:", "cm:"))]
    assert result.tables is not None
    both = pd.concat([kept, series_rows(result.tables, result.replication)], ignore_index=True)
    return ReplicationResult(result.scenario_index, result.replication, both, None)


def _explored(finish: Finish | None, task: Task, results: list[ReplicationResult]) -> Any:
    """On the worker: each result reduced to the explorer's rows, then ``finish`` (if any) applied."""
    reduced = [_explorer_result(result) for result in results]
    return reduced if finish is None else finish(task, reduced)


class ExploreRunner(Runner):
    """A runner's tasks with each replication's twin run too, and its series kept as KPI rows.

    The model's records are reduced on the worker that ran them (:func:`_explored`), so
    only the reduced rows come back; a replication still costs about a third more than a
    sweep's (its twin, and its records built to be reduced).
    """

    def __init__(self, inner: Runner):
        self.inner = inner
        self.name = inner.name
        self.workers = inner.workers

    def chunk_size(self, replications: int, most: int | None = None) -> int:
        return self.inner.chunk_size(replications, most)

    def completed(
        self, tasks: Sequence[Task], keep_tables: bool, finish: Finish | None = None
    ) -> Iterator[tuple[int, Any]]:
        twins = [dataclasses.replace(task, counterfactual=True) for task in tasks]
        yield from self.inner.completed(twins, True, functools.partial(_explored, finish))

    def close(self) -> None:
        """The inner runner belongs to whoever opened it."""


def run_explore(
    folder: str | Path,
    points: Sequence[SweepPoint],
    staffing: Sequence[Staffing],
    axes: Sequence[Axis],
    replications: int,
    runner: Runner,
    command: str = "",
    on_result: Callable[[ReplicationResult], None] | None = None,
    on_plan: Callable[[int, int], None] | None = None,
    force: bool = False,
) -> SweepOutcome:
    """Run (or resume) the grid into ``folder``, a results folder of kind ``explore``.

    Arguments as :func:`drive_sim.runs.sweep.run_sweep`; ``staffing`` (from
    :func:`explore_points`) is recorded in the manifest for the page.

    Raises:
        SweepFolderError: ``folder`` holds something else; nothing is written.
    """
    structures = list(dict.fromkeys(str(dict(p.values)[SCENARIO_AXIS]) for p in points))
    all_axes = [Axis(SCENARIO_AXIS, tuple(structures)), *axes]
    outcome = run_sweep(
        folder,
        points,
        replications,
        ExploreRunner(runner),
        all_axes,
        False,
        command,
        on_result,
        on_plan,
        force,
        kind=EXPLORE_KIND,
    )
    if not outcome.interrupted:
        manifest = read_manifest(outcome.folder) or {}
        manifest["staffing"] = {
            name: {"path": s.path, "group": s.group, "as_given": s.as_given, "meaning": s.meaning}
            for name, s in zip(structures, staffing, strict=True)
        }
        atomic_write_text(outcome.folder / "manifest.json", json.dumps(manifest, indent=2, default=str) + "\n")
    return outcome


# --------------------------------------------------------------------------------------
# The saved tables, read for the page
# --------------------------------------------------------------------------------------


def series_band(kpis: pd.DataFrame, low: float = 0.1, high: float = 0.9) -> pd.DataFrame:
    """Each point's open-cases series across replications: the mean and a quantile band per block.

    Args:
        kpis: The folder's KPI table (``point`` column); only :data:`SERIES_KPI` rows are read.
        low: The band's lower quantile across replications (default the 10th percentile).
        high: Its upper quantile (default the 90th).

    Returns:
        One row per point and block: ``point, week`` (the block's first week), ``mean``,
        ``low``, ``high``, in point then week order.
    """
    rows = kpis[kpis["kpi"] == SERIES_KPI]
    if rows.empty:
        return pd.DataFrame(columns=["point", "week", "mean", "low", "high"])
    grouped = rows.assign(week=rows["window"].str[1:].astype(int)).groupby(["point", "week"], sort=True)["value"]
    band = pd.DataFrame({"mean": grouped.mean(), "low": grouped.quantile(low), "high": grouped.quantile(high)})
    return band.reset_index()


def point_summary(summary: pd.DataFrame, window: str = "steady") -> dict[int, pd.DataFrame]:
    """The folder's summary split by point, for one window (the series left out)."""
    rows = summary[(summary["window"] == window) & (summary["kpi"] != SERIES_KPI)]
    return {int(point): frame.drop(columns="point") for point, frame in rows.groupby("point", sort=True)}


def staffing_meanings(results: SavedResults) -> dict[str, dict[str, Any]]:
    """Per structure, what its staffing axis counts (from the manifest; recomputed if missing)."""
    saved = results.manifest.get("staffing")
    if saved:
        return dict(saved)
    points = results.table("points")
    out: dict[str, dict[str, Any]] = {}
    if points is None:
        return out
    for row in points.to_dict("records"):
        name = str(row[SCENARIO_AXIS])
        if name not in out:
            s = staffing_group(results.scenarios[int(row["point"])])
            out[name] = {"path": s.path, "group": s.group, "as_given": s.as_given, "meaning": s.meaning}
    return out
