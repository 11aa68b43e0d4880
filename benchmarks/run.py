"""drive-sim benchmarks: ratios measured in one run on one machine (never a timed test).

Run from the repository root with the package installed::

    python benchmarks/run.py            # everything, the commissioner's question included (~10 min)
    python benchmarks/run.py --quick    # the commissioner's question extrapolated from 1/20 of it

Each figure is a median over repeats. Targets (issue 9) are ratios, since these machines
are noisy: model overhead <= 2x a bare SimPy skeleton with as many events; cost exponent
in horizon and in volume <= 1.1; speed-up on 2 cores >= 1.8x; peak memory of a
1,000-replication sweep < 1 GB; the commissioner's question (7 structures x 6 staffing
levels x 3 backdating options x 200 replications of 3 years) in < 10 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import simpy

from drive_sim.model import SiteModel
from drive_sim.runs.experiment import default_workers, run_experiment, run_replication
from drive_sim.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[1]
STRUCTURES = ("site1", "site2", "site3", "site4", "site5", "site6", "spread_all")


def median_time(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def model_events(scenario: Scenario) -> tuple[float, int, int]:
    """(seconds, events, processes) of one replication; events counted from SimPy's event ids."""
    site = SiteModel(scenario, 0)
    processes = 0
    original = site.env.process

    def counting(generator):
        nonlocal processes
        processes += 1
        return original(generator)

    site.env.process = counting  # type: ignore[method-assign]
    started = time.perf_counter()
    site.run()
    seconds = time.perf_counter() - started
    return seconds, next(site.env._eid), processes


def skeleton(events: int, processes: int) -> None:
    """A bare SimPy world with the same number of processes and scheduled events."""
    env = simpy.Environment()
    per_process = max(1, events // max(1, processes) - 1)

    def worker(env: simpy.Environment):
        for _ in range(per_process):
            yield env.timeout(1.0)

    for _ in range(processes):
        env.process(worker(env))
    env.run()


def exponent(sizes: list[float], seconds: list[float]) -> float:
    return float(np.polyfit(np.log(sizes), np.log(seconds), 1)[0])


def peak_memory_of_sweep(replications: int) -> float:
    """Peak RSS (MB) of a fresh process running a KPI-only experiment of ``replications``."""
    code = (
        "import resource; from drive_sim.scenario import load_scenario; "
        "from drive_sim.runs.experiment import run_experiment; "
        f"run_experiment(load_scenario(None), {replications}, keep_tables=False); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss + "
        "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(done.stdout.strip().splitlines()[-1]) / 1024


def commissioners_question(fraction: float) -> tuple[float, int]:
    """Seconds for the full question (extrapolated when ``fraction`` < 1) and replications run."""
    scenarios = []
    for name in STRUCTURES:
        base = load_scenario(ROOT / "scenarios" / f"{name}.toml")
        for level in range(6):
            for months in (0, 3, 6):
                first = base.teams.idvas[0]
                idvas = [first.model_copy(update={"count": first.count + level}), *base.teams.idvas[1:]]
                scenarios.append(
                    base.model_copy(
                        update={
                            "teams": base.teams.model_copy(update={"idvas": idvas}),
                            "backdating": base.backdating.model_copy(update={"months": months}),
                        }
                    )
                )
    replications = max(1, round(200 * fraction))
    started = time.perf_counter()
    run_experiment(scenarios, replications, keep_tables=False)
    seconds = time.perf_counter() - started
    return seconds * (200 / replications), len(scenarios) * replications


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="extrapolate the commissioner's question from 10 of 200 replications"
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()
    default = load_scenario(None)
    figures: dict[str, float] = {}
    report: list[tuple[str, str, str, bool | None]] = []

    seconds, events, processes = model_events(default)
    model_time = median_time(lambda: model_events(default), args.repeats)
    skeleton_time = median_time(lambda: skeleton(events, processes), args.repeats)
    full = median_time(lambda: run_replication(default, 0), args.repeats)
    figures |= {"replication_seconds": full, "model_seconds": model_time, "events": events,
                "events_per_second": events / model_time, "skeleton_seconds": skeleton_time}  # fmt: skip
    overhead = model_time / skeleton_time
    report.append(("model overhead vs bare SimPy", f"{overhead:.2f}x", "<= 2x", overhead <= 2))

    horizons = [365.0, 730.0, 1460.0]
    horizon_times = [
        median_time(lambda h=h: model_events(load_scenario(None, {"site.horizon_days": h})), args.repeats)
        for h in horizons
    ]
    volumes = [50.0, 100.0, 200.0]
    volume_times = [
        median_time(lambda v=v: model_events(load_scenario(None, {"referrals.annual_rate": v})), args.repeats)
        for v in volumes
    ]
    figures |= {
        "horizon_exponent": exponent(horizons, horizon_times),
        "volume_exponent": exponent(volumes, volume_times),
    }
    report.append(
        (
            "cost exponent in horizon (1, 2, 4 years)",
            f"{figures['horizon_exponent']:.2f}",
            "<= 1.1",
            figures["horizon_exponent"] <= 1.1,
        )
    )
    report.append(
        (
            "cost exponent in volume (50, 100, 200 a year)",
            f"{figures['volume_exponent']:.2f}",
            "<= 1.1",
            figures["volume_exponent"] <= 1.1,
        )
    )

    workers = default_workers()
    serial = median_time(lambda: run_experiment(default, 200, backend="serial", keep_tables=False), 1)
    parallel = median_time(lambda: run_experiment(default, 200, backend="process", keep_tables=False), 1)
    figures |= {"serial_200_seconds": serial, "process_200_seconds": parallel, "workers": workers}
    report.append(
        (
            f"process speed-up on {workers} cores (200 replications)",
            f"{serial / parallel:.2f}x",
            ">= 1.8x",
            serial / parallel >= 1.8,
        )
    )

    memory = peak_memory_of_sweep(1000)
    figures["peak_memory_mb_1000_replications"] = memory
    report.append(("peak memory, 1,000 replications (KPIs streamed)", f"{memory:.0f} MB", "< 1024 MB", memory < 1024))

    question, reps = commissioners_question(0.05 if args.quick else 1.0)
    figures |= {"commissioners_question_seconds": question, "commissioners_question_replications_run": reps}
    how = "extrapolated from 10 of 200 replications" if args.quick else "measured"
    report.append(
        (
            f"commissioner's question, 25,200 replications ({how})",
            f"{question / 60:.1f} min",
            "< 10 min",
            question < 600,
        )
    )

    print(
        f"drive-sim benchmarks on {platform.node()} ({platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores), Python {platform.python_version()}"
    )
    print(
        f"one replication of the default site: {full * 1000:.1f} ms with KPIs and tables; "
        f"model alone {model_time * 1000:.1f} ms, {events:,} events, {events / model_time:,.0f} events/s; "
        f"bare SimPy skeleton {skeleton_time * 1000:.1f} ms"
    )
    print(f"horizon 1/2/4 years: {', '.join(f'{t * 1000:.0f} ms' for t in horizon_times)}; "
          f"volume 50/100/200: {', '.join(f'{t * 1000:.0f} ms' for t in volume_times)}")  # fmt: skip
    print(f"200 replications: serial {serial:.1f} s, process {parallel:.1f} s")
    width = max(len(r[0]) for r in report)
    for name, value, target, met in report:
        print(f"  {name:<{width}}  {value:>10}  target {target:<9}  {'met' if met else 'NOT MET'}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
