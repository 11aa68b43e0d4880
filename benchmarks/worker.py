"""A persistent benchmark worker: times one replication at a time of one drive-sim tree.

Started by ``benchmarks/run.py`` as ``python benchmarks/worker.py TREE``, it puts TREE
first on ``sys.path`` (so a git worktree of an older revision can be measured beside
the current one), imports drive-sim once, then answers JSON requests on stdin, one a
line, with JSON answers on stdout. Times are CPU seconds of this process
(``time.process_time``), which a loaded machine disturbs far less than wall time.

It works with both package layouts drive-sim has had: the flat one (``drive_sim.config``,
``drive_sim.metrics``) and the layered one (``drive_sim.scenario``, ``drive_sim.analysis``).

Requests:
    ``{"op": "replication", "scenario": PATH|null, "set": {...}, "replication": K}``
        -> ``{"model": s, "kpis": s, "tables": s, "events": n, "processes": n}``
    ``{"op": "skeleton", "events": n, "processes": n}`` -> ``{"seconds": s}``
    ``{"op": "where"}`` -> ``{"file": drive_sim.__file__, "engine": "compiled"|"python"}``
"""

from __future__ import annotations

import json
import sys
import time
from functools import cache
from pathlib import Path


def _import_tree(tree: Path):
    # Only this tree: an editable install's finder would otherwise supply modules that
    # the tree lacks (drive_sim.scenario for an old revision) from the current checkout.
    sys.meta_path[:] = [finder for finder in sys.meta_path if "editable" not in type(finder).__name__.lower()]
    sys.path.insert(0, str(tree))
    import drive_sim  # noqa: F401 - checked by "where"

    if (tree / "drive_sim" / "scenario").is_dir():
        from drive_sim.analysis.metrics import replication_kpis, tables
        from drive_sim.scenario import load_scenario
    else:  # the flat layout, up to 395ddee
        from drive_sim.config import load_scenario  # type: ignore[no-redef]
        from drive_sim.metrics import replication_kpis, tables  # type: ignore[no-redef]
    from drive_sim.model import SiteModel

    return load_scenario, replication_kpis, tables, SiteModel


def _engine() -> str:
    """``"compiled"`` or ``"python"``: which engine this tree runs (trees before setup.py: Python)."""
    import drive_sim.model

    return getattr(drive_sim.model, "ENGINE", "python")


def main() -> None:
    tree = Path(sys.argv[1]).resolve()
    load_scenario, replication_kpis, tables, site_model = _import_tree(tree)
    import simpy

    import drive_sim

    @cache
    def scenario(path: str | None, overrides: str):
        return load_scenario(path, json.loads(overrides) or None)

    def replication(request: dict) -> dict:
        s = scenario(request.get("scenario"), json.dumps(request.get("set") or {}, sort_keys=True))
        site = site_model(s, request["replication"])
        processes = 0
        original = site.env.process

        def counting(generator):
            nonlocal processes
            processes += 1
            return original(generator)

        site.env.process = counting
        started = time.process_time()
        output = site.run()
        model = time.process_time() - started
        started = time.process_time()
        replication_kpis(output, s)
        kpis = time.process_time() - started
        started = time.process_time()
        tables(output)
        table_seconds = time.process_time() - started
        return {
            "model": model,
            "kpis": kpis,
            "tables": table_seconds,
            "events": next(site.env._eid),
            "processes": processes,
        }

    def skeleton(request: dict) -> dict:
        env = simpy.Environment()
        per_process = max(1, request["events"] // max(1, request["processes"]) - 1)

        def worker(env):
            for _ in range(per_process):
                yield env.timeout(1.0)

        for _ in range(request["processes"]):
            env.process(worker(env))
        started = time.process_time()
        env.run()
        return {"seconds": time.process_time() - started}

    ops = {
        "replication": replication,
        "skeleton": skeleton,
        "where": lambda request: {"file": drive_sim.__file__, "engine": _engine()},
    }
    for line in sys.stdin:
        request = json.loads(line)
        print(json.dumps(ops[request["op"]](request)), flush=True)


if __name__ == "__main__":
    main()
