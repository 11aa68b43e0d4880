"""Replications of one or more scenarios: serially, on local processes or on a Dask cluster.

A replication is a pure function of (scenario, replication index): its random streams
derive from ``run.seed`` and the index only (``SeedSequence(seed, spawn_key=(replication,
stream))``, see :mod:`drive_sim.model.streams`), so its numbers do not depend on the backend,
the number of workers, the chunking or the order in which workers finish. Replication
``k`` is the same whether 10 or 1,000 are run, and two scenarios run with one seed see the
same referrals and cases (common random numbers).

Work is sent in :class:`Task` chunks of consecutive replications of one scenario. A
:class:`Runner` (from :func:`open_backend`) runs tasks and hands back each task's results
as it finishes; :func:`run_experiment` puts them back in submission order (scenario, then
replication). Dask is imported only when the dask backend is opened, so the command line
starts fast.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import math
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from drive_sim.analysis.counterfactual import counterfactual_kpis
from drive_sim.analysis.metrics import replication_kpis, tables
from drive_sim.model import simulate
from drive_sim.scenario import Scenario, scenario_from_dict

__all__ = [
    "BACKENDS",
    "Backend",
    "BackendError",
    "Experiment",
    "Finish",
    "ReplicationResult",
    "Runner",
    "Task",
    "default_workers",
    "heap_frozen",
    "open_backend",
    "plan_tasks",
    "run_experiment",
    "run_replication",
    "run_task",
    "scenario_labels",
    "without_drive",
]

Backend = Literal["serial", "process", "dask"]
BACKENDS: tuple[str, ...] = ("serial", "process", "dask")

#: Seconds to wait for a Dask scheduler before calling it unreachable.
DASK_CONNECT_TIMEOUT = 10
#: A Dask task costs ~2 ms against ~0.1 ms for a process pool, so Dask gets bigger chunks.
DASK_MIN_CHUNK = 20
#: Most replications in one process-pool task: each task costs the client about a
#: millisecond (sending, the pool's bookkeeping), so larger tasks keep the client's share
#: of the work small; 20 replications of 3 years are about half a second of a core (how long
#: Ctrl-C may wait for the tasks already running).
PROCESS_MAX_CHUNK = 20
#: Replications in one serial task: there is nothing to send, so small tasks cost nothing
#: and keep results (and Ctrl-C) arriving replication by replication.
SERIAL_MAX_CHUNK = 5


class BackendError(Exception):
    """A backend could not be used: unknown name, bad options or an unreachable scheduler."""


@dataclass(frozen=True)
class ReplicationResult:
    """One replication's KPIs (long table) and, if kept, its record tables."""

    scenario_index: int
    replication: int
    kpis: pd.DataFrame
    tables: dict[str, pd.DataFrame] | None


@dataclass(frozen=True)
class Task:
    """Consecutive replications of one scenario: the unit of work sent to a worker.

    ``key`` says which scenario (or sweep point) the results belong to.
    """

    key: int
    scenario: Scenario
    replications: tuple[int, ...]
    #: Also run each replication's twin without Drive (:func:`without_drive`).
    counterfactual: bool = False


@dataclass
class Experiment:
    """KPIs of every replication (long table) and, if kept, the record tables."""

    scenarios: list[Scenario]
    replications: int
    kpis: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    interrupted: bool = False
    labels: list[str] = field(default_factory=list)

    def summary(self, window: str | None = "steady", confidence: float = 0.95) -> pd.DataFrame:
        """Mean and confidence interval of every KPI across replications (one row per KPI and scope).

        ``window``: ``"steady"`` (after the warm-up; what the reports judge), ``"launch"``
        (the first 26 weeks), or ``None`` for both (a ``window`` column says which).
        """
        from drive_sim.analysis.stats import summarise

        return summarise(self._in(window), confidence)

    def differences(
        self, baseline: str | None = None, window: str | None = "steady", confidence: float = 0.95
    ) -> pd.DataFrame:
        """Every other scenario minus ``baseline`` (default: the first), paired by replication.

        The scenarios ran on common random numbers, so the paired interval of each
        difference is the one to read (see :func:`drive_sim.analysis.stats.paired_differences`).
        """
        from drive_sim.analysis.stats import paired_differences

        if "scenario" not in self.kpis.columns:
            raise ValueError("one scenario: nothing to compare (run_experiment with two or more scenarios)")
        return paired_differences(self._in(window), baseline or self.labels[0], confidence)

    def _in(self, window: str | None) -> pd.DataFrame:
        if window is None:
            return self.kpis
        return self.kpis[self.kpis["window"] == window].drop(columns="window")

    @property
    def completed(self) -> int:
        """Replications finished for every scenario (fewer than asked if interrupted)."""
        if self.kpis.empty:
            return 0
        if "scenario" in self.kpis.columns:
            return int(self.kpis.groupby("scenario", sort=False)["replication"].nunique().min())
        return int(self.kpis["replication"].nunique())


def without_drive(scenario: Scenario) -> Scenario:
    """The same site without Drive: no Drive referrals, no backdating; business as usual untouched.

    Every other value, the seed and the business-as-usual referral rates included, is kept,
    so replication ``k`` of both sees the same business-as-usual cases.
    """
    data = scenario.model_dump(mode="json")
    data["referrals"]["annual_rate"] = 0
    data["backdating"]["months"] = 0
    return scenario_from_dict(data, f"{scenario.site.name} without Drive")


def run_replication(
    scenario: Scenario, replication: int, keep_tables: bool = True, counterfactual: bool = False
) -> ReplicationResult:
    """Simulate one replication and turn its records into KPIs (and tables).

    With ``counterfactual`` its twin without Drive (:func:`without_drive`) is simulated
    too, and the KPIs of :mod:`drive_sim.analysis.counterfactual` are added.
    """
    output = simulate(scenario, replication)
    kpis = replication_kpis(output, scenario)
    if counterfactual:
        twin = simulate(without_drive(scenario), replication)
        kpis = pd.concat([kpis, counterfactual_kpis(output, twin, scenario)], ignore_index=True)
    return ReplicationResult(
        scenario_index=0,
        replication=replication,
        kpis=kpis,
        tables=tables(output) if keep_tables else None,
    )


#: What a worker makes of a task's results before sending them back (see
#: :meth:`Runner.completed`): a module-level function, or a ``functools.partial`` of one,
#: so that it pickles.
Finish = Callable[[Task, list[ReplicationResult]], Any]


def run_task(task: Task, keep_tables: bool, finish: Finish | None = None) -> Any:
    """Run every replication of a task (on whichever worker received it).

    Returns the results, or what ``finish(task, results)`` makes of them there.
    """
    results = []
    for replication in task.replications:
        result = run_replication(task.scenario, replication, keep_tables, task.counterfactual)
        results.append(ReplicationResult(task.key, replication, result.kpis, result.tables))
    return results if finish is None else finish(task, results)


def plan_tasks(
    scenarios: Sequence[Scenario],
    replications: Sequence[Iterable[int]],
    chunk_size: int,
    counterfactual: bool = False,
) -> list[Task]:
    """Chunks of consecutive replications, in submission order (scenario, then replication).

    Args:
        scenarios: The scenarios (or sweep points); a task's ``key`` is the position here.
        replications: For each scenario, the replication indices still to run.
        chunk_size: Most replications in one task.
        counterfactual: Run each replication's twin without Drive too.
    """
    tasks = []
    for key, (scenario, wanted) in enumerate(zip(scenarios, replications, strict=True)):
        run: list[int] = []
        for replication in sorted(wanted):
            if run and (replication != run[-1] + 1 or len(run) == chunk_size):
                tasks.append(Task(key, scenario, tuple(run), counterfactual))
                run = []
            run.append(replication)
        if run:
            tasks.append(Task(key, scenario, tuple(run), counterfactual))
    return tasks


@contextlib.contextmanager
def heap_frozen() -> Iterator[None]:
    """Leave the objects that exist now out of the garbage collector's scans, for a while.

    While a run collects its results, the client allocates steadily (each result it
    unpickles), and every full collection would walk the whole heap: pandas, scipy,
    pydantic and the rest, tens of thousands of objects that will not become garbage.
    Measured on a process pool, that walking was more than a third of the client's CPU.
    ``gc.freeze`` sets them aside (in constant time) until ``gc.unfreeze`` at the end;
    anything that becomes garbage meanwhile is collected after.
    """
    outermost = not _frozen
    if outermost:
        gc.freeze()
    _frozen.append(True)
    try:
        yield
    finally:
        _frozen.pop()
        if outermost:
            gc.unfreeze()


_frozen: list[bool] = []  # heap_frozen's nesting (a run inside a run freezes once)


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


# --------------------------------------------------------------------------------------
# Runners: one per backend. ``completed`` yields (task position, results) as tasks finish.
# --------------------------------------------------------------------------------------


class Runner:
    """Runs tasks on a backend. Use as a context manager (or call :meth:`close`)."""

    name: str = "serial"
    workers: int = 1

    def chunk_size(self, replications: int, most: int | None = None) -> int:
        """Replications per task for a run of ``replications`` in all, at most ``most``.

        Smaller tasks keep Ctrl-C prompt and the cores evenly loaded; larger ones cost less
        per replication to send and save (a sweep asks for larger ones: each task is a part
        file).
        """
        return most or SERIAL_MAX_CHUNK

    def completed(
        self, tasks: Sequence[Task], keep_tables: bool, finish: Finish | None = None
    ) -> Iterator[tuple[int, Any]]:
        """Yield ``(position in tasks, results)`` as tasks finish, in any order.

        With ``finish``, each task's results are first turned into ``finish(task,
        results)`` on the worker that ran it, and that is what comes back: work that
        would otherwise fall to the client, one task at a time (a sweep's part files).

        On Ctrl-C (KeyboardInterrupt while waiting) pending tasks are cancelled, tasks
        that had already finished are still yielded, then the interrupt is raised again.
        """
        for position, task in enumerate(tasks):
            yield position, run_task(task, keep_tables, finish)

    def close(self) -> None:
        """Release workers and connections."""

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class WorkersStopped(KeyboardInterrupt):
    """A worker process ended from outside: treated as Ctrl-C (what finished is kept)."""


#: Seconds between a worker's checks that the process that started it is still alive.
PARENT_POLL_SECONDS = 0.5


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(PARENT_POLL_SECONDS)
        if os.getppid() != parent:  # re-parented: the parent is gone (SIGKILL, a crash)
            os._exit(1)


def _start_worker(parent: int) -> None:
    """A worker's set-up: leave Ctrl-C to the parent, and end with the parent.

    The parent cancels what has not started on Ctrl-C (or SIGTERM, which the command line
    handles the same way). If the parent dies without a chance to tear the pool down, a
    worker would otherwise wait for work forever: it checks its parent instead (a portable
    ``getppid`` poll, no ``prctl``) and exits once the parent is gone.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A forked worker inherits the command line's SIGTERM handler (which raises
    # KeyboardInterrupt); the pool ends a worker with SIGTERM, so it must simply end.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_watch_parent, args=(parent,), name="drive-sim-parent-watch", daemon=True).start()


class ProcessRunner(Runner):
    """A local process pool (all cores by default)."""

    name = "process"

    def __init__(self, workers: int | None = None):
        self.workers = workers or default_workers()
        # A local context: the global start method is the caller's business (STYLE.md).
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        self._broken = False
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context(method),
            initializer=_start_worker,
            initargs=(os.getpid(),),
        )

    def chunk_size(self, replications: int, most: int | None = None) -> int:
        # A pool task costs ~0.1 ms, so small chunks are cheap; they keep Ctrl-C prompt.
        return max(1, min(most or PROCESS_MAX_CHUNK, math.ceil(replications / (self.workers * 4))))

    def completed(
        self, tasks: Sequence[Task], keep_tables: bool, finish: Finish | None = None
    ) -> Iterator[tuple[int, Any]]:
        # Futures not yet handed on; one is dropped as it is yielded, so a finished
        # task's results are not held until the end (memory flat in the replications).
        futures: dict[Future, int] = {
            self._pool.submit(run_task, task, keep_tables, finish): k for k, task in enumerate(tasks)
        }
        try:
            for future in as_completed(futures):
                try:
                    result = future.result()
                except BrokenProcessPool:
                    # A worker was stopped from outside (SIGTERM to the whole process group,
                    # the OOM killer): handled as an interruption, keeping what finished.
                    self._broken = True
                    # The pool's own thread is now failing every pending future; cancelling
                    # one under it raises InvalidStateError in that thread (CPython 3.11),
                    # a traceback on stderr. Let it finish first: then cancel is a no-op.
                    wait(futures, timeout=30)
                    raise WorkersStopped from None
                yield futures.pop(future), result
                del future, result
        except KeyboardInterrupt:
            for future in futures:
                future.cancel()
            # Running chunks are short: let them finish and keep them.
            self._pool.shutdown(wait=True, cancel_futures=True)
            for future, position in list(futures.items()):
                if future.done() and not future.cancelled() and future.exception() is None:
                    yield position, future.result()
            raise
        finally:
            for future in futures:
                future.cancel()

    def close(self) -> None:
        if self._broken:
            # A broken pool can leave its other workers idle and waiting, and joining them
            # would hang the command after it has saved what finished: end them first.
            for child in multiprocessing.active_children():
                child.terminate()
            self._pool.shutdown(wait=False, cancel_futures=True)
            return
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskRunner(Runner):
    """A Dask distributed cluster: a scheduler at ``address``, or a local cluster."""

    name = "dask"

    def __init__(self, address: str | None = None, workers: int | None = None):
        try:
            from distributed import Client, LocalCluster
            from distributed.comm import resolve_address
        except ImportError:  # pragma: no cover - dask is a dependency
            raise BackendError("the dask backend needs dask[distributed]: pip install 'dask[distributed]'") from None
        self._cluster: Any = None
        if address:
            try:
                resolve_address(address)
                self._client = Client(address, timeout=DASK_CONNECT_TIMEOUT, set_as_default=False)
            except (OSError, ValueError, TimeoutError) as error:
                raise BackendError(f"--scheduler {address}: cannot reach a Dask scheduler there ({error})") from None
        else:
            # Worker processes start with Ctrl-C ignored (they inherit it), leaving it to us.
            previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
            try:
                self._cluster = LocalCluster(
                    n_workers=workers or default_workers(),
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
            finally:
                signal.signal(signal.SIGINT, previous)
            self._client = Client(self._cluster, set_as_default=False)
        self.address = address or self._cluster.scheduler_address
        nthreads = self._client.nthreads()
        self.workers = max(1, sum(nthreads.values()))

    def chunk_size(self, replications: int, most: int | None = None) -> int:
        return max(DASK_MIN_CHUNK, min(max(100, most or 0), math.ceil(replications / (self.workers * 4))))

    def completed(
        self, tasks: Sequence[Task], keep_tables: bool, finish: Finish | None = None
    ) -> Iterator[tuple[int, Any]]:
        from distributed import as_completed as dask_completed

        # Futures not yet handed on, by key; one is released as it is yielded, so the
        # cluster does not keep every finished task's results until the end.
        futures = {}
        for k, task in enumerate(tasks):
            future = self._client.submit(run_task, task, keep_tables, finish, pure=False)
            futures[future.key] = (k, future)
        try:
            for future in dask_completed([f for _, f in futures.values()], loop=self._client.loop):
                position, _ = futures.pop(future.key)
                result = future.result()
                future.release()
                yield position, result
                del future, result
        except KeyboardInterrupt:
            self._client.cancel([f for _, f in futures.values() if not f.done()])
            for position, future in list(futures.values()):
                if future.status == "finished":
                    yield position, future.result()
            raise
        finally:
            pending = [f for _, f in futures.values() if not f.done()]
            if pending:
                self._client.cancel(pending)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._client.close()
        if self._cluster is not None:
            with contextlib.suppress(Exception):
                self._cluster.close()


def open_backend(backend: str = "process", workers: int | None = None, scheduler: str | None = None) -> Runner:
    """A runner for a backend: ``serial``, ``process`` (the default) or ``dask``.

    Args:
        backend: The backend's name.
        workers: Processes (``process``) or local Dask workers (``dask`` without a
            scheduler); all cores by default. Ignored by ``serial``.
        scheduler: A Dask scheduler address such as ``tcp://10.0.0.5:8786``; without one
            the dask backend starts a local cluster.

    Raises:
        BackendError: An unknown backend, a scheduler without the dask backend, or a
            scheduler that cannot be reached. Raised before anything runs.
    """
    if backend not in BACKENDS:
        raise BackendError(f"--backend {backend!r}: use one of {', '.join(BACKENDS)}")
    if scheduler and backend != "dask":
        raise BackendError("--scheduler needs --backend dask")
    if backend == "dask":
        return DaskRunner(scheduler, workers)
    if backend == "serial" or (workers or default_workers()) == 1:
        return Runner()
    return ProcessRunner(workers)


# --------------------------------------------------------------------------------------
# Experiments
# --------------------------------------------------------------------------------------


def run_experiment(
    scenarios: Scenario | Sequence[Scenario],
    replications: int | None = None,
    runner: Runner | None = None,
    keep_tables: bool = True,
    on_result: Callable[[ReplicationResult], None] | None = None,
    labels: Sequence[str] | None = None,
    counterfactual: bool = False,
    first: int = 0,
) -> Experiment:
    """Run ``replications`` of each scenario (default: the first scenario's ``run.replications``).

    Args:
        scenarios: One scenario, or several to compare on the same random numbers.
        replications: Replications of each scenario.
        runner: An open runner (see :func:`open_backend`), left open for the caller to
            close. Without one, ``open_backend("process")`` (every core) is opened and
            closed by this call.
        keep_tables: Keep every replication's record tables (cases, weeks, ...). Off, only
            KPIs are kept, so memory does not grow with the number of cases.
        on_result: Called with each replication's result as its task finishes (for
            progress); the order is the order of finishing.
        labels: Scenario labels for the ``scenario`` column (default: site names).
        counterfactual: Pair every replication with its twin without Drive and add the
            KPIs of :mod:`drive_sim.analysis.counterfactual` (the resource Drive adds).
        first: The first replication index: ``first, first + 1, ...`` are run, so more
            replications can be added to a run later, each the same as it would have been.

    Returns:
        KPIs (and tables) in submission order: scenario, then replication. With more
        than one scenario a ``scenario`` column holds the label. Ctrl-C stops cleanly:
        the replications that finished are kept and the result is marked ``interrupted``.
    """
    scenarios = [scenarios] if isinstance(scenarios, Scenario) else list(scenarios)
    replications = replications or scenarios[0].run.replications
    labels = list(labels) if labels is not None else scenario_labels(scenarios)
    owned = runner is None
    runner = runner or open_backend("process")
    collected: dict[int, list[ReplicationResult]] = {}
    interrupted = False
    try:
        tasks = plan_tasks(
            scenarios,
            [range(first, first + replications)] * len(scenarios),
            runner.chunk_size(replications * len(scenarios)),
            counterfactual,
        )
        with heap_frozen():
            for position, results in runner.completed(tasks, keep_tables):
                collected[position] = results
                if on_result is not None:
                    for result in results:
                        on_result(result)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if owned:
            runner.close()
    ordered = [result for position in sorted(collected) for result in collected[position]]
    return _assemble(scenarios, replications, ordered, labels, interrupted)


def _assemble(
    scenarios: list[Scenario], replications: int, results: list[ReplicationResult], labels: list[str], interrupted: bool
) -> Experiment:
    many = len(scenarios) > 1
    kpi_frames = [r.kpis.assign(scenario=labels[r.scenario_index]) if many else r.kpis for r in results]
    table_frames: dict[str, list[pd.DataFrame]] = {}
    for result in results:
        for name, frame in (result.tables or {}).items():
            table_frames.setdefault(name, []).append(
                frame.assign(scenario=labels[result.scenario_index]) if many else frame
            )
    kpis = pd.concat(kpi_frames, ignore_index=True) if kpi_frames else pd.DataFrame()
    joined = {name: pd.concat(frames, ignore_index=True) for name, frames in table_frames.items()}
    return Experiment(scenarios, replications, kpis, joined, interrupted, labels)


def scenario_labels(scenarios: Sequence[Scenario]) -> list[str]:
    """Site names, numbered where two scenarios share one."""
    names = [s.site.name for s in scenarios]
    return [f"{name} ({k + 1})" if names.count(name) > 1 else name for k, name in enumerate(names)]
