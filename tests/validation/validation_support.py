"""Shared pieces of the validation suite: textbook systems as scenarios, their theory, intervals, runners.

The validation tests compare the model with answers known in advance. To do that the
site is stripped down to a queue:

- **Poisson referrals**: one panel that meets every ``every_days`` and accepts
  Poisson(annual_rate x every_days / 365) cases, no ramp-up, no deferral, no dispersion;
- **one kind of case**: every client is reachable, already contacted through MARAC
  (so no first-contact queue) and not already supported elsewhere;
- **service = the CM intervention**: no contact strategy, no extension, nobody
  deselected, IDVA closes with the CM (``closure = "together"``); under the strict gate
  the intervention starts when the client is allocated an IDVA, so an IDVA place is
  held for exactly the intervention;
- **no noise from elsewhere**: no attrition, no non-Drive referrals.

A tolerance is never a number tuned to a seed: every check compares a theoretical value
with a confidence interval computed from independent replications (or an exact test of
a distribution). Seeds are fixed only so that a run can be repeated.
"""

from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats
from support import merge

from drive_sim.analysis.stats import paired_differences
from drive_sim.model import simulate
from drive_sim.model.records import SimulationOutput
from drive_sim.model.referrals import meeting_days
from drive_sim.scenario import Distribution, Exponential, Fixed, Scenario, Triangular, Uniform, scenario_from_dict

__all__ = [
    "CONFIDENCE",
    "MMC",
    "Interval",
    "MECHANISMS_OFF",
    "MmcDesign",
    "SEED",
    "assert_paired_change",
    "batch_mean_open",
    "deep_merge",
    "default_site",
    "erlang_c",
    "mginf_scenario",
    "mmc_mean_wait",
    "mmc_measures",
    "mmc_scenario",
    "poisson_total_interval",
    "queue_scenario",
    "replicate",
    "survival",
    "t_interval",
    "time_average_idva_open",
    "time_average_waiting",
    "welch_interval",
]

#: Coverage of every interval in the suite (two-sided).
CONFIDENCE = 0.99
#: Master seed of the validation runs (the schema's default, pinned here so a change of
#: default does not silently change what the suite ran).
SEED = 20200601

T = TypeVar("T")


# --------------------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------------------


deep_merge = merge  # one deep-merge for every test helper (tests/support.py)


#: The mechanisms added for the study's dependencies (issue 15), switched off explicitly so
#: the textbook cases stay textbook: the IDVA's sign-off is immediate on contact, nobody
#: withholds it or acts as proxy, a CM's overload does not touch engagement, taking over a
#: client costs no hours, routing knows each client's response from the start, and
#: nobody disengages or drops out inside a case.
MECHANISMS_OFF: dict[str, Any] = {
    "hours": {"idva": {"sign_off_hours": 0.0, "transfer_intake_hours": 0.0}},
    "routing": {"foresight": True, "liaison_delay_days": 0.0, "relay_delay_days": 0.0},
    "case_life": {"client_disengage_per_year": 0.0, "service_user_dropout_per_year": 0.0},
    "policies": {"withhold_share": 0.0, "proxy_share": 0.0, "engagement": {"cm_shortfall_elasticity": 0.0}},
}

#: The site stripped down to a queue (see the module docstring).
QUEUE_BASE: dict[str, Any] = {
    "site": {"name": "Queue"},
    "referrals": {
        "annual_rate": 100,
        "panels": [{"every_days": 1.0}],
        "ramp_up": {"start_share": 1.0, "days": 0},
        "deferral_probability": 0.0,
        "dispersion": 0.0,
    },
    "backdating": {"months": 0},
    "case_mix": {
        "client_response": {"support": 1.0, "monitoring": 0.0, "unreachable": 0.0},
        "already_supported_share": 0.0,
        "already_contacted_share": 1.0,
    },
    "durations": {"contact_strategy_days": {"kind": "fixed", "value": 0}, "extension_probability": 0.0},
    "teams": {
        "idvas": [{"name": "Drive IDVA", "role": "drive", "non_drive_referrals_per_year": 0}],
        "case_managers": [{"name": "Case Manager", "count": 4}],
    },
    "policies": {"gate": "strict", "closure": "together", "engagement": {"deselect_non_engaging_probability": 0.0}},
    "workforce": {"idva_attrition": {"enabled": False}, "cm_attrition": {"enabled": False}},
    "run": {"seed": SEED},
}


def queue_scenario(changes: Mapping[str, Any] | None = None) -> Scenario:
    """The stripped-down site with ``changes`` merged in."""
    return scenario_from_dict(deep_merge(deep_merge(MECHANISMS_OFF, QUEUE_BASE), changes or {}), "validation queue")


def mginf_scenario(
    duration: Mapping[str, Any], every_days: float, horizon_days: float, annual_rate: float = 100
) -> Scenario:
    """M/G/inf: every case to one uncapped Drive IDVA, held for ``duration`` days."""
    return queue_scenario(
        {
            "site": {"name": f"M/G/inf, panel every {every_days:g} days", "horizon_days": horizon_days},
            "referrals": {"annual_rate": annual_rate, "panels": [{"every_days": every_days}]},
            "durations": {"cm_intervention_days": dict(duration)},
        }
    )


def mmc_scenario(
    idvas: int, cap: int, mean_days: float, utilisation: float, horizon_days: float, every_days: float = 1.0
) -> tuple[Scenario, float]:
    """M/M/c with c = idvas x cap: exponential interventions, a caseload cap and a waitlist.

    Returns the scenario and its arrival rate (cases a day), chosen so that the
    utilisation of the c places is ``utilisation``.
    """
    places = idvas * cap
    arrival_rate = utilisation * places / mean_days
    scenario = queue_scenario(
        {
            "site": {"name": f"M/M/{places}", "horizon_days": horizon_days},
            "referrals": {"annual_rate": arrival_rate * 365, "panels": [{"every_days": every_days}]},
            "durations": {"cm_intervention_days": {"kind": "exponential", "mean": mean_days}},
            "teams": {"idvas": [{"name": "Drive IDVA", "role": "drive", "count": idvas}]},
            "routing": {"caseload_cap": cap, "when_full": "waitlist"},
        }
    )
    return scenario, arrival_rate


def default_site(changes: Mapping[str, Any] | None = None, drive_idvas: int = 1) -> Scenario:
    """The default site (named Drive IDVAs beside a wider team of 3), with changes merged in."""
    data = {
        "site": {"name": f"{drive_idvas} Drive IDVA{'s' if drive_idvas > 1 else ''}"},
        "teams": {
            "idvas": [
                {"name": "Drive IDVA", "role": "drive", "count": drive_idvas, "attends_panel": True},
                {"name": "Wider IDVA", "role": "wider", "count": 3, "non_drive_referrals_per_year": 100},
            ]
        },
        "run": {"seed": SEED},
    }
    return scenario_from_dict(deep_merge(deep_merge(MECHANISMS_OFF, data), changes or {}), "validation site")


# --------------------------------------------------------------------------------------
# Theory
# --------------------------------------------------------------------------------------


def survival(spec: Distribution, x: np.ndarray | float) -> np.ndarray:
    """P(duration > x) for the duration specs the validation uses."""
    x = np.asarray(x, dtype=float)
    match spec:
        case Fixed(value=value):
            return (x < value).astype(float)
        case Exponential(mean=mean):
            return scipy_stats.expon(scale=mean).sf(x)
        case Uniform(low=low, high=high):
            return scipy_stats.uniform(loc=low, scale=high - low).sf(x)
        case Triangular(low=low, mode=mode, high=high):
            return scipy_stats.triang(c=(mode - low) / (high - low), loc=low, scale=high - low).sf(x)
    raise TypeError(f"no survival function for {spec!r}")


def batch_mean_open(scenario: Scenario, day: float) -> float:
    """Exact mean of open cases at ``day`` when panels accept Poisson batches (M^X/G/inf).

    A meeting on day d accepts Poisson(m) cases, each still open at ``day`` with
    probability P(S > day - d), independently: so the open count is exactly Poisson with
    mean sum_d m P(S > day - d), launch transient included, whatever the meeting interval.
    """
    referrals = scenario.referrals
    total = 0.0
    for panel in referrals.panels:
        days = meeting_days(panel, scenario.site.horizon_days)
        days = days[days <= day]
        mean_per_meeting = referrals.annual_rate * panel.share * panel.every_days / 365
        total += mean_per_meeting * float(survival(scenario.durations.cm_intervention_days, day - days).sum())
    return total


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arrival waits in M/M/c (Erlang's C formula), load a = lambda / mu < c."""
    if not 0 <= offered_load < servers:
        raise ValueError("Erlang C needs 0 <= offered load < servers")
    # Erlang B by its stable recursion, then C from B.
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = offered_load * blocking / (k + offered_load * blocking)
    return servers * blocking / (servers - offered_load * (1 - blocking))


def mmc_mean_wait(servers: int, arrival_rate: float, mean_service: float) -> float:
    """Mean wait in queue of M/M/c: C(c, a) / (c mu - lambda)."""
    offered = arrival_rate * mean_service
    return erlang_c(servers, offered) / (servers / mean_service - arrival_rate)


# --------------------------------------------------------------------------------------
# Intervals
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """A point estimate with a two-sided confidence interval."""

    estimate: float
    low: float
    high: float
    n: int

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    def __str__(self) -> str:
        return f"{self.estimate:.4g} [{self.low:.4g}, {self.high:.4g}] (n={self.n})"


def t_interval(values: Iterable[float], confidence: float = CONFIDENCE) -> Interval:
    """Mean of independent replication values with its t interval."""
    sample = np.asarray(list(values), dtype=float)
    if sample.size < 2 or np.isnan(sample).any():
        raise ValueError("a t interval needs at least two values and no nan")
    mean = float(sample.mean())
    half = float(scipy_stats.t.ppf((1 + confidence) / 2, sample.size - 1) * sample.std(ddof=1) / math.sqrt(sample.size))
    return Interval(mean, mean - half, mean + half, int(sample.size))


def welch_interval(a: Iterable[float], b: Iterable[float], confidence: float = CONFIDENCE) -> Interval:
    """Difference of means (a - b) of two independent samples, Welch's t interval."""
    a, b = np.asarray(list(a), dtype=float), np.asarray(list(b), dtype=float)
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    difference = float(a.mean() - b.mean())
    half = float(scipy_stats.t.ppf((1 + confidence) / 2, df) * math.sqrt(va + vb))
    return Interval(difference, difference - half, difference + half, int(a.size + b.size))


def poisson_total_interval(total: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Exact (Garwood) interval for the mean of a Poisson count observed as ``total``."""
    alpha = 1 - confidence
    low = 0.0 if total == 0 else scipy_stats.chi2.ppf(alpha / 2, 2 * total) / 2
    high = scipy_stats.chi2.ppf(1 - alpha / 2, 2 * total + 2) / 2
    return float(low), float(high)


def assert_paired_change(
    kpis: pd.DataFrame, parameter: str, kpi: str, scope: str, direction: str, confidence: float = CONFIDENCE
) -> None:
    """Every step between consecutive scenarios moves ``kpi`` clearly in ``direction`` ("down"/"up")."""
    labels = list(dict.fromkeys(kpis["scenario"]))
    steady = kpis[kpis["window"] == "steady"] if "window" in kpis.columns else kpis
    selected = steady[(steady["kpi"] == kpi) & (steady["scope"] == scope)]
    for before, after in pairwise(labels):
        pair = selected[selected["scenario"].isin([before, after])]
        row = paired_differences(pair, before, confidence).iloc[0]
        clear = row["ci_high"] < 0 if direction == "down" else row["ci_low"] > 0
        assert clear, (
            f'Changing "{parameter}" from {before!r} to {after!r} did not clearly move {kpi} ({scope}) {direction}: '
            f"{row['baseline_mean']:.3g} -> {row['scenario_mean']:.3g}, paired difference "
            f"{row['mean_difference']:.3g} [{row['ci_low']:.3g}, {row['ci_high']:.3g}] "
            f"({confidence:.0%} CI, n={row['n']})"
        )


def assert_rises_overall(
    kpis: pd.DataFrame, parameter: str, kpi: str, scope: str, confidence: float = CONFIDENCE
) -> None:
    """``kpi`` rises clearly from the first scenario to the last and falls clearly at no step.

    For a measure that must not fall with load but may level off between neighbouring
    steps (a saturated practitioner), where :func:`assert_paired_change` would ask for a
    clear rise at every step.
    """
    labels = list(dict.fromkeys(kpis["scenario"]))
    steady = kpis[kpis["window"] == "steady"] if "window" in kpis.columns else kpis
    selected = steady[(steady["kpi"] == kpi) & (steady["scope"] == scope)]

    def difference(before: str, after: str) -> pd.Series:
        return paired_differences(selected[selected["scenario"].isin([before, after])], before, confidence).iloc[0]

    overall = difference(labels[0], labels[-1])
    assert overall["ci_low"] > 0, (
        f'Changing "{parameter}" from {labels[0]!r} to {labels[-1]!r} did not clearly raise {kpi} ({scope}): '
        f"paired difference {overall['mean_difference']:.3g} [{overall['ci_low']:.3g}, {overall['ci_high']:.3g}]"
    )
    for before, after in pairwise(labels):
        row = difference(before, after)
        assert row["ci_high"] >= 0, (
            f'Changing "{parameter}" from {before!r} to {after!r} clearly lowered {kpi} ({scope}): '
            f"paired difference {row['mean_difference']:.3g} [{row['ci_low']:.3g}, {row['ci_high']:.3g}]"
        )


# --------------------------------------------------------------------------------------
# Measures from records
# --------------------------------------------------------------------------------------


def time_average_idva_open(output: SimulationOutput, start: float, end: float) -> float:
    """Time-weighted mean number of clients held by IDVAs over [start, end), from case records."""
    total = 0.0
    for case in output.cases:
        if math.isnan(case.allocated_day):
            continue
        closed = end if math.isnan(case.idva_closed_day) else case.idva_closed_day
        total += max(0.0, min(closed, end) - max(case.allocated_day, start))
    return total / (end - start)


def time_average_waiting(output: SimulationOutput, start: float, end: float) -> float:
    """Time-weighted mean number of clients waiting for an IDVA place over [start, end)."""
    total = 0.0
    for case in output.cases:
        allocated = end if math.isnan(case.allocated_day) else case.allocated_day
        total += max(0.0, min(allocated, end) - max(case.accepted_day, start))
    return total / (end - start)


# --------------------------------------------------------------------------------------
# Running replications
# --------------------------------------------------------------------------------------


def _workers() -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, 4))


def _run_chunk(measure: Callable[[Any, int], T], subject: Any, replications: Sequence[int]) -> list[T]:
    return [measure(subject, replication) for replication in replications]


def replicate(measure: Callable[[Any, int], T], subject: Any, replications: int | Sequence[int]) -> list[T]:
    """``measure(subject, r)`` for each replication r, on local processes, in replication order.

    ``subject`` is usually a scenario. ``measure`` must be a module-level function (it is
    pickled by name). Replications are pure functions of (subject, r), so the result does
    not depend on the number of workers.
    """
    reps = list(range(replications)) if isinstance(replications, int) else list(replications)
    workers = _workers()
    if workers == 1 or len(reps) < 4:
        return _run_chunk(measure, subject, reps)
    size = max(1, math.ceil(len(reps) / (workers * 4)))
    chunks = [reps[k : k + size] for k in range(0, len(reps), size)]
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method)) as pool:
        futures = [pool.submit(_run_chunk, measure, subject, chunk) for chunk in chunks]
        return [value for future in futures for value in future.result()]


# --------------------------------------------------------------------------------------
# The M/M/c system shared by the Erlang C and peer-engine tests
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MmcDesign:
    """M/M/c with c = idvas x cap, on a time scale short enough for many busy cycles a run.

    The model has no natural time unit, so a 10-day mean intervention validates the same
    mechanics as a 7-month one while giving ~1,600 clients and ~6 relaxation times per
    10-year run. Waits are averaged over clients accepted in [warmup, horizon - cutoff):
    every one of them has been allocated by the end, so no wait is censored.
    """

    idvas: int = 2
    cap: int = 3
    mean_days: float = 10.0
    utilisation: float = 0.75
    horizon_days: float = 3650.0
    warmup_days: float = 730.0
    cutoff_days: float = 200.0

    @property
    def places(self) -> int:
        return self.idvas * self.cap

    @property
    def arrival_rate(self) -> float:
        """Cases a day."""
        return self.utilisation * self.places / self.mean_days

    def scenario(self) -> Scenario:
        return mmc_scenario(self.idvas, self.cap, self.mean_days, self.utilisation, self.horizon_days)[0]

    @property
    def mean_wait(self) -> float:
        return mmc_mean_wait(self.places, self.arrival_rate, self.mean_days)

    @property
    def wait_probability(self) -> float:
        return erlang_c(self.places, self.arrival_rate * self.mean_days)


MMC = MmcDesign()


def mmc_measures(design: MmcDesign, replication: int) -> dict[str, float]:
    """One replication of the M/M/c site: waits of clients in the window, time-average queue and busy places."""
    output = simulate(design.scenario(), replication)
    start, stop, end = design.warmup_days, design.horizon_days - design.cutoff_days, design.horizon_days
    window = [case for case in output.cases if start <= case.accepted_day < stop]
    waits = np.array([case.waitlist_days for case in window])
    return {
        "clients": float(len(window)),
        "unallocated": float(sum(math.isnan(case.allocated_day) for case in window)),
        "mean_wait": float(waits.mean()),
        "waited_share": float((waits > 0).mean()),
        # Time averages from the case records over whole days (the panel cycle): a weekly
        # snapshot at 0.75 of a day would see the daily batches at one phase only.
        "mean_waiting": time_average_waiting(output, start, end),
        "mean_busy_places": time_average_idva_open(output, start, end),
        "max_held": float(max(state.drive_open for state in output.weeks if state.kind == "idva")),
    }
