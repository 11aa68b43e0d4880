"""drive-sim benchmarks: ratios with both sides interleaved in one run (never a timed test).

Run from the repository root with the package installed::

    python benchmarks/run.py                      # every figure (about 15 minutes on 2 cores)
    python benchmarks/run.py --quick              # fewer pairs, smaller memory and sweep runs
    python benchmarks/run.py --baseline 395ddee   # also HEAD against a git revision

How it measures. These machines are shared and their load swings absolute times 2-3x,
so every figure is a ratio whose two sides run interleaved, one replication at a time,
in persistent worker processes (``benchmarks/worker.py``), timed in CPU seconds of the
worker. A figure is the median over pairs, shown with the 10th-90th percentile spread
of the pairs. ``--baseline REV`` checks the revision out into a temporary git worktree
and starts a second worker on it, so HEAD and REV run the same replications of the same
scenario files, alternating which goes first.

Targets (issues 9 and 16): per replication (model and KPIs) at least 3x faster than
revision 395ddee on the default site and on site 2 (a spread of the commissioner's
question's points is shown against it too, with no target: a ratio that the machine's
speed does not move); cost exponent at most 1.05 in the
horizon (1, 2, 4, 8 years) and in volume (50, 100, 200, 400 cases a year); ``drive-sim
--help`` and ``drive-sim check`` under 0.6 s of CPU; a default ``drive-sim run`` spends at
least 70% of its CPU in simulation (model and KPIs); client-side work at most 2% of a
replication's compute (so Amdahl allows at least 12x on 16 workers); peak memory of a
KPI-only experiment flat in its size (1,000 and 10,000 replications within 10%); the
commissioner's question (7 structures x 6 staffing levels x 3 backdating options x 200
replications of 3 years) under 5 minutes on 2 cores. The question's command is shown
with its peak memory too (no target): the client's, report included. With
``--baseline`` the question is also run the baseline's way (one sweep per structure
file), interleaved with HEAD's, which gives its speed-up as whole commands, a figure the
hour's speed does not move. Shown with no target: the model over a bare SimPy skeleton
with the same events (what SimPy's own event handling leaves), and the most a default
run's share in simulation could be with the imports it needs and nothing else.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
WORKER = Path(__file__).resolve().with_name("worker.py")
STRUCTURES = ("site1", "site2", "site3", "site4", "site5", "site6", "spread_all")
#: drive-sim as a command, run by this interpreter (from a tree's root: that tree's package).
DRIVE_SIM = (sys.executable, "-m", "drive_sim")


# --------------------------------------------------------------------------------------
# Workers and measurement
# --------------------------------------------------------------------------------------


class Worker:
    """One persistent ``worker.py`` process bound to one source tree."""

    def __init__(self, tree: Path):
        self.tree = tree
        self.process = subprocess.Popen(
            [sys.executable, str(WORKER), str(tree)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=tree,
        )
        answer = self.ask({"op": "where"})
        where, self.engine = answer["file"], answer["engine"]
        if not Path(where).resolve().is_relative_to(tree.resolve()):
            raise RuntimeError(f"worker for {tree} imported drive_sim from {where}")

    def ask(self, request: dict) -> dict:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"benchmark worker for {self.tree} stopped")
        return json.loads(line)

    def replication(self, scenario: str | None, replication: int, overrides: dict | None = None) -> dict:
        return self.ask({"op": "replication", "scenario": scenario, "set": overrides or {}, "replication": replication})

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=30)


@dataclass(frozen=True)
class Figure:
    """One benchmark figure: the median of its pairs and their 10-90% spread."""

    name: str
    median: float
    low: float
    high: float
    unit: str
    target: str
    met: bool | None

    def row(self) -> str:
        spread = f"({self.low:{self._fmt}} to {self.high:{self._fmt}})" if self.low != self.high else ""
        verdict = "" if self.met is None else ("met" if self.met else "NOT MET")
        return f"  {self.name:<62} {self.median:{self._fmt}}{self.unit:<3} {spread:<20} {self.target:<12} {verdict}"

    @property
    def _fmt(self) -> str:
        return ".0f" if abs(self.median) >= 100 else ".2f"


def spread(values: Sequence[float]) -> tuple[float, float, float]:
    """Median and 10th/90th percentiles."""
    array = np.asarray(values, dtype=float)
    return float(np.median(array)), float(np.quantile(array, 0.1)), float(np.quantile(array, 0.9))


def figure(name: str, values: Sequence[float], unit: str, target: str, test: Callable[[float], bool] | None) -> Figure:
    median, low, high = spread(values)
    return Figure(name, median, low, high, unit, target, None if test is None else test(median))


def exponent(sizes: Sequence[float], seconds: Sequence[float]) -> float:
    """Slope of log(cost) on log(size)."""
    return float(np.polyfit(np.log(sizes), np.log(seconds), 1)[0])


@contextmanager
def worktree(revision: str) -> Iterator[Path]:
    """A temporary git worktree of ``revision`` (removed afterwards)."""
    folder = Path(tempfile.mkdtemp(prefix="drive-sim-baseline-"))
    subprocess.run(["git", "worktree", "add", "--detach", "-q", str(folder), revision], cwd=ROOT, check=True)
    try:
        if (folder / "setup.py").exists():  # a revision with the compiled engine: build it as installing would
            subprocess.run(
                [sys.executable, "setup.py", "-q", "build_ext", "--inplace"],
                cwd=folder, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        yield folder
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(folder)], cwd=ROOT, check=False)


def command_cpu(args: Sequence[str], cwd: Path = ROOT) -> float:
    """CPU seconds (user + system, children included) of one whole command."""
    process = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(args)} failed")
    return usage.ru_utime + usage.ru_stime


# --------------------------------------------------------------------------------------
# The figures
# --------------------------------------------------------------------------------------


#: The commissioner's question: 7 structures x 6 staffing levels x 3 backdating options, 3 years each.
QUESTION_AXES = {"teams.idvas[0].count": (1, 2, 3, 4, 5, 6), "backdating.months": (0, 3, 6)}
QUESTION_FIXED = {"site.horizon_days": 1095}

#: Its 126 points, as (structure file, overrides), in the sweep's order.
QUESTION_POINTS = [
    (f"scenarios/{name}.toml", {"teams.idvas[0].count": count, "backdating.months": months, **QUESTION_FIXED})
    for name in STRUCTURES
    for count in QUESTION_AXES["teams.idvas[0].count"]
    for months in QUESTION_AXES["backdating.months"]
]


def _pair(head: Worker, base: Worker, k: int, scenario: str | None, overrides: dict | None) -> tuple[float, float]:
    """One interleaved pair (who goes first alternates): baseline over HEAD, model and KPIs, and model alone."""
    first, second = (head, base) if k % 2 == 0 else (base, head)
    a = first.replication(scenario, k % 10, overrides)
    b = second.replication(scenario, k % 10, overrides)
    h, r = (a, b) if first is head else (b, a)
    return (r["model"] + r["kpis"]) / (h["model"] + h["kpis"]), r["model"] / h["model"]


def against_baseline(head: Worker, base: Worker, pairs: int) -> list[Figure]:
    """HEAD against the baseline revision, per replication: the default site, site 2, the question's points.

    The question's points are taken 47 apart in their order (structure, staffing level,
    backdating), so that any run of pairs spreads over all three; each worker reads the
    structure files of its own tree.
    """
    out = []
    for label, scenario in (("default site", None), ("site 2", "scenarios/site2.toml")):
        head.replication(scenario, 0), base.replication(scenario, 0)  # warm both
        full, model = zip(*(_pair(head, base, k, scenario, None) for k in range(pairs)), strict=True)
        out.append(
            figure(f"speed-up on the {label}, model and KPIs, vs baseline", full, "x", ">= 3x", lambda v: v >= 3)
        )
        out.append(figure(f"speed-up on the {label}, model alone, vs baseline", model, "x", "", None))
    points = [QUESTION_POINTS[(k * 47) % len(QUESTION_POINTS)] for k in range(pairs)]
    full, _ = zip(*(_pair(head, base, k, *point) for k, point in enumerate(points)), strict=True)
    out.append(figure("speed-up on the question's points (a spread of its 126), model and KPIs, vs baseline",
                      full, "x", "", None))  # fmt: skip
    return out


def overhead(worker: Worker, pairs: int, which: str = "HEAD") -> Figure:
    """The model against a bare SimPy skeleton with as many processes and events, in one worker.

    What the model does beyond SimPy's own event handling. Issue 16 measured it at about
    8x at 395ddee and set no target for it; it is shown to say where a replication's
    time goes (the skeleton is SimPy's share).
    """
    probe = worker.replication(None, 0)
    ratios = []
    for _ in range(pairs):
        rep = worker.replication(None, 0)
        bare = worker.ask({"op": "skeleton", "events": probe["events"], "processes": probe["processes"]})
        ratios.append(rep["model"] / bare["seconds"])
    return figure(f"model over a bare SimPy skeleton, same events ({which})", ratios, "x", "", None)


def exponents(head: Worker, rounds: int) -> list[Figure]:
    """Cost exponents in horizon and volume, one slope per round of interleaved sizes."""
    out = []
    for name, key, sizes in (
        ("horizon (1, 2, 4, 8 years)", "site.horizon_days", [365.0, 730.0, 1460.0, 2920.0]),
        ("volume (50, 100, 200, 400 cases a year)", "referrals.annual_rate", [50.0, 100.0, 200.0, 400.0]),
    ):
        slopes = []
        for r in range(rounds):
            order = sizes[r % len(sizes) :] + sizes[: r % len(sizes)]
            cost = {}
            for size in order:
                rep = head.replication(None, r % 10, {key: size})
                cost[size] = rep["model"] + rep["kpis"]
            slopes.append(exponent(sizes, [cost[s] for s in sizes]))
        out.append(figure(f"cost exponent in {name}", slopes, "", "<= 1.05", lambda v: v <= 1.05))
    return out


def whole_commands(head: Worker, repeats: int) -> list[Figure]:
    """CPU of the light commands, and the share of a default run spent simulating."""
    python = list(DRIVE_SIM)
    out = [
        figure(
            "`drive-sim --help`, CPU",
            [command_cpu([*python, "--help"]) for _ in range(repeats)],
            "s",
            "< 0.6 s",
            lambda v: v < 0.6,
        ),  # fmt: skip
        figure(
            "`drive-sim check scenarios/site5.toml`, CPU",
            [command_cpu([*python, "check", "scenarios/site5.toml"]) for _ in range(repeats)],
            "s",
            "< 0.6 s",
            lambda v: v < 0.6,
        ),  # fmt: skip
    ]
    # A default run simulates each replication and its twin without Drive (for
    # drive_added_fte: runs.experiment.without_drive), so both count as simulation.
    without_drive = {"referrals.annual_rate": 0, "backdating.months": 0}
    shares, bounds = [], []
    for _ in range(max(1, repeats // 2)):
        with tempfile.TemporaryDirectory() as folder:
            total = command_cpu([*python, "run", "--backend", "serial", "--out", str(Path(folder) / "out")])
            imports = _import_seconds([*python, "run", "--backend", "serial", "--out", str(Path(folder) / "again")])
        simulating = 0.0
        for k in range(20):
            rep = head.replication(None, k)
            twin = head.replication(None, k, without_drive)
            simulating += rep["model"] + rep["kpis"] + twin["model"]
        shares.append(simulating / total)
        bounds.append(simulating / (simulating + imports))
    out.append(figure("share of a default `drive-sim run`'s CPU in simulation", shares, "", ">= 0.70",
                      lambda v: v >= 0.7))  # fmt: skip
    out.append(figure("  the most it could be: its imports and simulation, nothing else", bounds, "", "", None))
    return out


def _import_seconds(args: Sequence[str]) -> float:
    """Seconds a command spends importing modules: the sum of ``-X importtime``'s self times."""
    done = subprocess.run(
        [args[0], "-X", "importtime", *args[1:]], cwd=ROOT, capture_output=True, text=True, check=True
    )
    # Lines read "import time: <self us> | <cumulative us> | <module>", under one header line.
    lines = [line for line in done.stderr.splitlines() if line.startswith("import time:")]
    selfs = [line.split("|")[0].removeprefix("import time:").strip() for line in lines]
    return sum(int(us) for us in selfs if us.isdigit()) / 1e6


#: A fresh process that runs one experiment or sweep on a process pool and prints, as
#: JSON, the CPU seconds of the client (this process: submitting, unpickling, part files,
#: assembly and summaries; imports and scenario loading excluded) and of its workers,
#: and the peak RSS (MB) of the client and of the largest worker.
_MEASURED = """
import json, resource, sys, tempfile, time
from pathlib import Path
from drive_sim.runs.experiment import ProcessRunner, run_experiment
from drive_sim.runs.sweep import run_sweep, sweep_points
from drive_sim.scenario import load_scenario

kind, replications, horizon = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
overrides = {"site.horizon_days": horizon}
with ProcessRunner(2) as runner:
    runner.completed([], False)  # start the pool before the clock
    before = resource.getrusage(resource.RUSAGE_SELF)
    if kind == "experiment":
        run_experiment(load_scenario(None, overrides), replications, runner=runner, keep_tables=False)
    else:
        with tempfile.TemporaryDirectory() as folder:
            run_sweep(Path(folder) / "sweep", sweep_points({}, "default site", [], overrides), replications, runner)
    after = resource.getrusage(resource.RUSAGE_SELF)
workers = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({
    "client": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
    "workers": workers.ru_utime + workers.ru_stime,
    "client_mb": after.ru_maxrss / 1024,
    "worker_mb": workers.ru_maxrss / 1024,
}))
"""


def measured(kind: str, replications: int, horizon_days: int = 1095) -> dict:
    """Client and worker CPU and peak memory of one experiment or sweep (a fresh process)."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED, kind, str(replications), str(horizon_days)],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def client_fraction(rounds: int, replications: int, factor: int = 10) -> list[Figure]:
    """Client-side work per replication as a share of its compute, and Amdahl's bound on 16 workers.

    Measured directly on a process pool: the client's own CPU (everything but the
    simulation: sending tasks, receiving results, writing parts, assembling and
    summarising) over the workers' CPU, for a KPI-only run and a sweep, per replication:
    the difference between ``replications`` and ``factor`` times as many, so that the
    fixed cost of a run (the folder, the manifest, the pool's start) is left out. The
    fixed cost's own swing (a few hundredths of a second of the client's CPU) does not
    cancel: it is divided by the extra replications' compute, hence the factor of ten (with
    five, a sweep's share read 0.01 to 0.03 from one round to the next).
    """
    out = []
    for kind in ("experiment", "sweep"):
        fractions = []
        for _ in range(rounds):
            small, large = measured(kind, replications), measured(kind, factor * replications)
            fractions.append(max(0.0, large["client"] - small["client"]) / (large["workers"] - small["workers"]))
        name = "`run_experiment`" if kind == "experiment" else "`run_sweep` (part files, assembly)"
        out.append(figure(f"client-side work per replication, share of compute: {name}", fractions, "",
                          "<= 0.02", lambda v: v <= 0.02))  # fmt: skip
        bounds = [1 / (f + (1 - f) / 16) for f in fractions]
        out.append(figure(f"Amdahl bound on 16 workers: {name}", bounds, "x", ">= 12x", lambda v: v >= 12))
    return out


def memory(small: int) -> list[Figure]:
    """Peak RSS of a KPI-only sweep of ``small`` and of 10x as many replications (half-year runs).

    The horizon is short to keep this cheap: memory is a matter of how many KPI rows are
    held, which does not depend on the horizon. The flatness target is set for 1,000 and
    10,000 replications; ``--quick`` starts at 100, below it, so its ratio is shown
    without a verdict.
    """
    a, b = measured("sweep", small, 180), measured("sweep", small * 10, 180)
    peak_a, peak_b = max(a["client_mb"], a["worker_mb"]), max(b["client_mb"], b["worker_mb"])
    growth = peak_b / peak_a
    judged = small >= 1000
    return [
        Figure(f"peak memory, sweep of {small:,} replications", peak_a, peak_a, peak_a, "MB", "< 1024 MB",
               peak_a < 1024),
        Figure(f"peak memory, {small * 10:,} over {small:,} replications", growth, growth, growth, "x",
               "<= 1.10" if judged else "(from 1,000)", growth <= 1.10 if judged else None),
    ]  # fmt: skip


#: The commissioner's question as one command: 7 structures x 6 staffing levels x 3
#: backdating options, 3 years each (200 replications of every point in full).
QUESTION_SETS = [
    *(f"--set={path}={','.join(map(str, values))}" for path, values in QUESTION_AXES.items()),
    *(f"--set={path}={value}" for path, value in QUESTION_FIXED.items()),
]
QUESTION = ["sweep", *(f"scenarios/{name}.toml" for name in STRUCTURES), *QUESTION_SETS]


def _timed(commands: Sequence[Sequence[str]], cwd: Path) -> tuple[float, float]:
    """Wall time (s) of ``commands`` run one after the other, and the peak RSS (MB) of the largest process.

    The peak is from ``wait4`` on each command (the client: its workers' results and the
    report it builds at the end).
    """
    seconds, peak = 0.0, 0.0
    for args in commands:
        started = time.perf_counter()
        process = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        seconds += time.perf_counter() - started
        if os.waitstatus_to_exitcode(status):
            raise subprocess.CalledProcessError(os.waitstatus_to_exitcode(status), args)
        peak = max(peak, usage.ru_maxrss / 1024)
    return seconds, peak


def _question_run(replications: int, base: Path | None = None) -> tuple[float, float]:
    """Wall time (s) and peak RSS (MB) of the question with ``replications`` of every point, run as a user would.

    With ``base`` (a worktree of a revision whose ``sweep`` takes one scenario file, as
    395ddee's did) it is that revision's way: one sweep per structure file, one after
    the other, each with the question's ``--set`` axes.
    """
    reps = ["--reps", str(replications)]
    with tempfile.TemporaryDirectory() as folder:
        if base is None:
            return _timed([[*DRIVE_SIM, *QUESTION, *reps, "--out", f"{folder}/out"]], ROOT)
        sweeps = [[*DRIVE_SIM, "sweep", f"scenarios/{name}.toml", *QUESTION_SETS, *reps, "--out", f"{folder}/{name}"]
                  for name in STRUCTURES]  # fmt: skip
        return _timed(sweeps, base)


def _minutes(small: float, large: float, replications: int) -> float:
    """The question in full (200 replications of every point): the line through runs of n and 3n replications."""
    per_replication = max(0.0, large - small) / (2 * replications)
    fixed = max(0.0, small - replications * per_replication)
    return (fixed + 200 * per_replication) / 60


#: Issue 16: the question at revision 395ddee "needs 7 separate sweeps and about 10 minutes on 2 cores".
ISSUE_BASELINE = ("395ddee", 10.0)


def commissioners_question(replications: int, repeats: int, base: tuple[str, Path] | None = None) -> list[Figure]:
    """Wall time of the whole question on this machine, extrapolated from ``replications`` and 3x as many.

    The command is run as a user would, report included, with ``replications`` and
    ``3 x replications`` of every point, the two alternating ``repeats`` times (wall time
    on these machines swings by a third from one run to the next, and 2-3x from one hour
    to another). The difference is the cost of the extra replications; what is left of
    the smaller run is the fixed cost (imports, validation, the pool, the report). The
    full question is that fixed cost plus 200 replications at the measured cost each: a
    straight line through the two runs. The figure is the line through the median times;
    the spread, the lines through each repeat's pair.

    With ``base`` (revision, worktree) the baseline's way of answering it (one sweep per
    structure file) runs interleaved with HEAD's, each run beside HEAD's of the same size,
    who goes first alternating: the ratio of the two full questions is a figure the
    hour's speed does not move. Against 395ddee it also gives the question's time at the
    machine speed at which the issue measured 395ddee's at 10 minutes.
    """
    # ours[k], theirs[k]: repeat k's (small, large) runs; HEAD first in even repeats.
    ours: list[list[tuple[float, float]]] = [[] for _ in range(repeats)]
    theirs: list[list[tuple[float, float]]] = [[] for _ in range(repeats)]
    for k in range(repeats):
        for size in (replications, 3 * replications):
            sides = [None] if base is None else [None, base[1]]
            for tree in sides if k % 2 == 0 else sides[::-1]:
                (ours if tree is None else theirs)[k].append(_question_run(size, tree))
    measured = [(small, large) for small, large in ours]
    runs = [(small[0], large[0]) for small, large in measured]
    median = _minutes(float(np.median([s for s, _ in runs])), float(np.median([b for _, b in runs])), replications)
    each = [_minutes(small, large, replications) for small, large in runs]
    how = f"a line through runs of {replications} and {3 * replications} replications of every point, {repeats} times"
    peaks = [large[1] for _, large in measured]
    growth = [large[1] / small[1] for small, large in measured]
    out = [
        Figure(f"commissioner's question, 126 points x 200 replications ({how})", median, min(each), max(each),
               "min", "< 5 min", median < 5),
        figure(f"peak memory of the question's command at {3 * replications} replications of every point",
               peaks, "MB", "", None),
        figure(f"  the same, {3 * replications} against {replications} replications", growth, "x", "", None),
    ]  # fmt: skip
    if base is not None:
        revision = base[0]
        at_base = [_minutes(small[0], large[0], replications) for small, large in theirs]
        ratios = [b / h for b, h in zip(at_base, each, strict=True)]
        out.append(figure(f"  the question at {revision} (7 sweeps, same line), this hour", at_base, "min", "", None))
        out.append(figure(f"  speed-up of the question, whole commands, vs {revision}", ratios, "x", "", None))
        if ISSUE_BASELINE[0].startswith(revision) or revision.startswith(ISSUE_BASELINE[0]):
            scaled = [ISSUE_BASELINE[1] / ratio for ratio in ratios]
            out.append(figure(f"  the question where {revision} took the issue's {ISSUE_BASELINE[1]:.0f} min",
                              scaled, "min", "< 5 min", lambda v: v < 5))  # fmt: skip
    return out


# --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", metavar="REV", help="also measure HEAD against this git revision")
    parser.add_argument("--quick", action="store_true", help="fewer pairs; smaller memory and sweep runs")
    parser.add_argument("--only", choices=["baseline", "engine", "commands", "scale"], help="one group of figures")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()
    pairs = 12 if args.quick else 40
    groups = {args.only} if args.only else {"baseline", "engine", "commands", "scale"}
    print(
        f"drive-sim benchmarks on {platform.node()} ({platform.machine()}, {os.cpu_count()} cores), "
        f"Python {platform.python_version()}; medians of interleaved pairs, 10-90% spread in brackets"
    )
    figures: list[Figure] = []
    with ExitStack() as stack:
        tree = stack.enter_context(worktree(args.baseline)) if args.baseline else None
        head = Worker(ROOT)
        print(f"HEAD runs the {head.engine} engine")
        try:
            if tree is not None and "baseline" in groups:
                base = Worker(tree)
                print(f"baseline: {args.baseline} ({base.engine} engine)")
                try:
                    figures += against_baseline(head, base, pairs)
                    if "engine" in groups:
                        figures.append(overhead(base, pairs // 2, args.baseline))
                finally:
                    base.close()
            if "engine" in groups:
                figures.append(overhead(head, pairs))
                figures += exponents(head, max(6, pairs // 3))
            if "commands" in groups:
                figures += whole_commands(head, 3 if args.quick else 5)
        finally:
            head.close()
        if "scale" in groups:
            figures += client_fraction(2, 20) if args.quick else client_fraction(5, 50)
            figures += memory(100 if args.quick else 1000)
            question_base = None if tree is None else (args.baseline, tree)
            figures += commissioners_question(*((2, 1) if args.quick else (10, 3)), question_base)
    for f in figures:
        print(f.row())
    if args.json:
        args.json.write_text(json.dumps([f.__dict__ for f in figures], indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
