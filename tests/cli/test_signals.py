"""Issue 13: workers end with their parent; SIGTERM keeps what finished, like Ctrl-C, and exits 143."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")

LONG_RUN = [
    "run", "--backend", "process", "--workers", "2", "--reps", "4000", "--no-records",
    "--set", "site.horizon_days=730",
]  # fmt: skip


def _status(pid: int) -> dict[str, str]:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except (FileNotFoundError, ProcessLookupError):
        return {}
    return dict(line.split(":\t", 1) for line in lines if ":\t" in line)


def children_of(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            status = _status(int(entry.name))
            if status.get("PPid", "").strip() == str(parent):
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    state = _status(pid).get("State", "")
    return bool(state) and not state.startswith(("Z", "X"))  # a zombie has ended


def start(tmp_path: Path, session: bool = False) -> tuple[subprocess.Popen, list[int]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "drive_sim", *LONG_RUN, "--out", str(tmp_path / "out")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        start_new_session=session,  # its own process group, to signal the whole group
    )
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while len(workers) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
        workers = children_of(process.pid)
    assert len(workers) >= 2, "the pool never started"
    time.sleep(3)  # let some replications finish
    return process, workers


def wait_until_gone(pids: list[int], seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = [pid for pid in pids if alive(pid)]
        if not left:
            return []
        time.sleep(0.2)
    return [pid for pid in pids if alive(pid)]


def test_workers_end_soon_after_their_parent_is_killed(tmp_path):
    process, workers = start(tmp_path)
    process.kill()
    process.wait(timeout=10)
    left = wait_until_gone(workers, 10)
    for pid in left:  # do not leave them behind even if the test fails
        os.kill(pid, signal.SIGKILL)
    assert not left, "workers outlived a SIGKILLed parent"


def test_sigterm_keeps_what_finished_says_so_and_exits_143(tmp_path):
    process, workers = start(tmp_path)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 143, (out, err)
    assert "Interrupted: kept the" in out and "Traceback" not in err
    assert (tmp_path / "out" / "kpis.csv").exists()
    assert not wait_until_gone(workers, 10), "workers outlived their parent"


def test_a_worker_killed_from_outside_is_an_interruption_not_a_traceback(tmp_path):
    # What SIGTERM to the whole process group can do: a worker ends before the parent
    # has handled its own signal, and the pool breaks under it.
    process, workers = start(tmp_path)
    os.kill(workers[0], signal.SIGKILL)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, (out, err)
    assert "Interrupted: kept the" in out and "Traceback" not in err
    assert not wait_until_gone(workers, 10), "workers outlived their parent"


def test_sigterm_to_the_whole_process_group_keeps_what_finished_and_exits_143(tmp_path):
    process, workers = start(tmp_path, session=True)
    os.killpg(process.pid, signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 143, (out, err)
    assert "Interrupted: kept the" in out and "Traceback" not in err
    assert not wait_until_gone(workers, 10), "workers outlived their parent"
