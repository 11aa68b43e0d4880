"""Work kept off the event queue gives what one SimPy event per step would have given.

The contact strategy's weekly steps (``StrategyDesk``) and business-as-usual referrals to
a filled post (``NonDriveReferrals``) are not SimPy events. Each is checked here against
the plain loop of timeouts it replaced, run beside it: the same days, to the last bit.

The checks drive the engine's pieces with stand-ins (a fake CM and case, a fake team),
which the compiled engine's typed classes refuse; where the engine is compiled they run
in a child process on the engine's source (``DRIVE_SIM_PURE_PYTHON``), and
``tests/unit/test_compiled_engine.py`` holds the compiled engine to its source.
"""

from __future__ import annotations

import functools
import heapq
import os
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import simpy

import drive_sim.model as model
from drive_sim.model.hours import TICK_TIME, next_tick
from drive_sim.model.lifecycle import StrategyDesk
from drive_sim.model.practitioners import IdvaState
from drive_sim.model.referrals import _PAIRS, NonDriveReferrals, delay_to
from drive_sim.model.streams import exponential_quantile, quantile
from drive_sim.scenario import Exponential

WEEKS = 30


def _on_source_engine(test: Callable[[], None]) -> Callable[[], None]:
    """Run ``test`` here if the engine runs from source, else in pytest in a child process that does."""

    @functools.wraps(test)
    def run() -> None:
        if model.ENGINE == "python":
            return test()
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"{__file__}::{test.__name__}"],
            cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True,
            env={**os.environ, "DRIVE_SIM_PURE_PYTHON": "1"},
        )  # fmt: skip
        assert done.returncode == 0, done.stdout[-4000:]

    return run


class _Cm:
    """A CM whose workload the fake weekly tick sets: pace 1/workload above a full week."""

    def __init__(self) -> None:
        self.workload = 0.0

    def pace(self) -> float:
        return 1.0 / max(1.0, self.workload)


def _workload(week: int) -> float:
    return 1.0 + (week % 5) * 0.37 if week % 3 else 0.0  # overloaded some weeks, not others


def _strategies(desk_run: bool) -> list[float]:
    """Strategy end days, with the desk or with the loop of timeouts it replaced."""
    env = simpy.Environment()
    cm = _Cm()
    desk = StrategyDesk(env)
    ends: list[float] = []

    def weekly_tick():
        desk.after_accounting(TICK_TIME)
        for week in range(1, WEEKS + 1):
            yield env.timeout(week * 7 + TICK_TIME - env.now)
            if desk_run:
                desk.before_accounting(env.now)
            cm.workload = _workload(week)
            if desk_run:
                desk.after_accounting(env.now)

    def loop(case):  # the loop the desk replaced (lifecycle._write_strategy)
        remaining = case.draws.strategy_days
        while remaining > 1e-9:
            pace = case.cm.pace()
            to_tick = next_tick(env.now) - env.now
            step = to_tick if pace <= 0 else min(remaining / pace, to_tick)
            yield env.timeout(step)
            remaining -= step * pace

    def case_life(start, days):
        yield env.timeout(start)
        case = SimpleNamespace(cm=cm, draws=SimpleNamespace(strategy_days=days))
        if desk_run:
            written = desk.write(case)
            if written is not None:
                yield written
        else:
            yield from loop(case)
        ends.append(env.now)

    draw = random.Random(5)
    env.process(weekly_tick())
    for k in range(120):
        # Some start on a tick, before that tick's accounting (their timeouts were made
        # first): their steps run a week behind, at last week's pace.
        start = (k % 9 + 1) * 7 + TICK_TIME if k % 3 == 0 else draw.uniform(0, 80)
        env.process(case_life(start, draw.choice([0.0, 3.0, 14.0, draw.uniform(1, 60)])))
    env.run(until=WEEKS * 7)
    return ends


@_on_source_engine
def test_the_strategy_desk_writes_each_strategy_on_the_day_the_loop_of_timeouts_did():
    with_desk, with_loop = _strategies(True), _strategies(False)
    assert len(with_loop) > 80
    assert with_desk == with_loop


def test_a_delay_lands_exactly_on_its_day():
    rng = np.random.default_rng(3)
    for now, gap in zip(rng.uniform(0, 3000, 2000), rng.exponential(5.0, 2000), strict=True):
        day = float(now) + float(gap)
        assert float(now) + delay_to(float(now), day) == day


def _referrals(lazy: bool) -> list[tuple[float, list[float], int, list[float], int]]:
    """Each day: her heap and new cases, her colleague's; the post is vacant from day 100 to 150."""
    env = simpy.Environment()
    idva = IdvaState(name="Wider IDVA 1", kind="idva", role="wider", fte=1.0, index=0, non_drive_rate=120)
    colleague = IdvaState(name="Wider IDVA 2", kind="idva", role="wider", fte=1.0, index=1)
    team = SimpleNamespace(covering=lambda person, now: colleague)
    rng = np.random.default_rng(11)
    spec = Exponential(kind="exponential", mean=40)
    seen = []

    def old_process():  # the process it replaced (referrals.non_drive_referrals), with the feed's draws
        mean_gap = 365 / idva.non_drive_rate
        while True:
            u = rng.random((_PAIRS, 2))
            gaps, lengths = exponential_quantile(mean_gap, u[:, 0]).tolist(), quantile(spec)(u[:, 1]).tolist()
            for gap, length in zip(gaps, lengths, strict=True):
                yield env.timeout(gap)
                holder = team.covering(idva, env.now) if idva.vacant else idva
                heapq.heappush(holder.non_drive_closing, env.now + length)
                holder.new_non_drive_cases += 1

    def staffing():
        yield env.timeout(100.3)
        idva.falls_vacant()
        idva.vacant = True
        yield env.timeout(50.0)
        idva.vacant = False
        idva.filled()

    def reader():
        for day in range(1, 300):
            yield env.timeout(day + 0.75 - env.now)
            idva.non_drive_open(env.now)  # reading her caseload puts what is due on her heap
            colleague.non_drive_open(env.now)
            seen.append(
                (
                    env.now,
                    list(idva.non_drive_closing),
                    idva.new_non_drive_cases,
                    list(colleague.non_drive_closing),
                    colleague.new_non_drive_cases,
                )
            )

    if lazy:
        NonDriveReferrals(env, team, idva, rng, spec)  # type: ignore[arg-type]
    else:
        env.process(old_process())
    env.process(staffing())
    env.process(reader())
    env.run(until=300)
    return seen


@_on_source_engine
def test_lazy_business_as_usual_referrals_fill_the_heaps_the_timeouts_did():
    lazy, timeouts = _referrals(True), _referrals(False)
    assert timeouts[-1][2] > 50 and timeouts[-1][4] > 5  # referrals to her, and to her colleague while vacant
    assert lazy == timeouts
