"""Replications of one or more scenarios, serially or on local processes.

A replication is a pure function of (scenario, replication index): its random streams
derive from ``run.seed`` and the index only, so results do not depend on the backend,
the number of workers or the order in which workers finish. Results always come back in
submission order.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from drive_sim.config import Scenario
from drive_sim.metrics import replication_kpis, tables
from drive_sim.model import simulate

__all__ = ["Backend", "Experiment", "ReplicationResult", "run_experiment", "run_replication"]

Backend = Literal["serial", "process"]


@dataclass(frozen=True)
class ReplicationResult:
    scenario_index: int
    replication: int
    kpis: pd.DataFrame
    tables: dict[str, pd.DataFrame] | None


@dataclass
class Experiment:
    """KPIs of every replication (long table) and, if kept, the record tables."""

    scenarios: list[Scenario]
    replications: int
    kpis: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    interrupted: bool = False
    labels: list[str] = field(default_factory=list)


def run_replication(scenario: Scenario, replication: int, keep_tables: bool = True) -> ReplicationResult:
    """Simulate one replication and turn its records into KPIs (and tables)."""
    output = simulate(scenario, replication)
    return ReplicationResult(
        scenario_index=0,
        replication=replication,
        kpis=replication_kpis(output, scenario),
        tables=tables(output) if keep_tables else None,
    )


def _run_chunk(scenario: Scenario, scenario_index: int, reps: Sequence[int], keep_tables: bool) -> list[ReplicationResult]:
    results = []
    for rep in reps:
        result = run_replication(scenario, rep, keep_tables)
        results.append(ReplicationResult(scenario_index, rep, result.kpis, result.tables))
    return results


def _chunks(scenarios: Sequence[Scenario], replications: int, size: int) -> Iterator[tuple[int, list[int]]]:
    for index in range(len(scenarios)):
        for start in range(0, replications, size):
            yield index, list(range(start, min(start + size, replications)))


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def iterate_results(
    scenarios: Sequence[Scenario],
    replications: int,
    backend: Backend = "process",
    workers: int | None = None,
    keep_tables: bool = True,
    chunk_size: int | None = None,
) -> Iterator[ReplicationResult]:
    """Yield every replication's result in submission order (scenario, then replication)."""
    if backend == "serial" or (workers or default_workers()) == 1:
        for index, reps in _chunks(scenarios, replications, 1):
            yield from _run_chunk(scenarios[index], index, reps, keep_tables)
        return
    workers = workers or default_workers()
    total = len(scenarios) * replications
    size = chunk_size or max(1, min(20, total // (workers * 4) or 1))
    # A local context: the global start method is the caller's business (STYLE.md).
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method)) as pool:
        futures: list[Future] = [
            pool.submit(_run_chunk, scenarios[index], index, reps, keep_tables)
            for index, reps in _chunks(scenarios, replications, size)
        ]
        try:
            for future in futures:
                yield from future.result()
        finally:
            for future in futures:
                future.cancel()


def run_experiment(
    scenarios: Scenario | Sequence[Scenario],
    replications: int | None = None,
    backend: Backend = "process",
    workers: int | None = None,
    keep_tables: bool = True,
    on_result: Callable[[ReplicationResult], None] | None = None,
    labels: Sequence[str] | None = None,
) -> Experiment:
    """Run ``replications`` of each scenario (default: the first scenario's ``run.replications``).

    Ctrl-C stops cleanly: the replications that finished are kept and the result is
    marked ``interrupted``.
    """
    scenarios = [scenarios] if isinstance(scenarios, Scenario) else list(scenarios)
    replications = replications or scenarios[0].run.replications
    labels = list(labels) if labels is not None else scenario_labels(scenarios)
    kpi_frames: list[pd.DataFrame] = []
    table_frames: dict[str, list[pd.DataFrame]] = {}
    interrupted = False
    try:
        for result in iterate_results(scenarios, replications, backend, workers, keep_tables):
            kpis = result.kpis
            kpi_frames.append(kpis.assign(scenario=labels[result.scenario_index]) if len(scenarios) > 1 else kpis)
            for name, frame in (result.tables or {}).items():
                if len(scenarios) > 1:
                    frame = frame.assign(scenario=labels[result.scenario_index])
                table_frames.setdefault(name, []).append(frame)
            if on_result is not None:
                on_result(result)
    except KeyboardInterrupt:
        interrupted = True
    kpis = pd.concat(kpi_frames, ignore_index=True) if kpi_frames else pd.DataFrame()
    joined = {name: pd.concat(frames, ignore_index=True) for name, frames in table_frames.items()}
    return Experiment(scenarios, replications, kpis, joined, interrupted, labels)


def scenario_labels(scenarios: Sequence[Scenario]) -> list[str]:
    """Site names, numbered where two scenarios share one."""
    names = [s.site.name for s in scenarios]
    return [f"{name} ({k + 1})" if names.count(name) > 1 else name for k, name in enumerate(names)]
