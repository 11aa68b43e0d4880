"""A peer engine: the M/M/c system of the Erlang C tests, run in Ciw, gives the same answers.

Ciw (Palmer et al. 2019, peer-reviewed queueing DES) simulates the textbook M/M/c queue
(Poisson arrivals, exponential service, c servers, first come first served) with the
same rates and the same window as the drive-sim site of ``validation_support.MmcDesign``.
The two engines share no code and no random numbers, so their replication means are
independent samples: Welch's 99% interval for their difference must contain 0. Ciw's own
interval must contain Erlang C, which shows the peer is set up as the theory says.

drive-sim's referrals arrive in daily Poisson batches rather than a Poisson stream; at
0.45 clients a day that shifts the mean wait by well under 1% (checked with a direct
Kiefer-Wolfowitz recursion while writing this test), far inside the intervals here.
"""

from __future__ import annotations

import ciw
import numpy as np
import pytest
from validation_support import MMC, SEED, MmcDesign, replicate, t_interval, welch_interval


def ciw_measures(design: MmcDesign, replication: int) -> dict[str, float]:
    """One Ciw replication of M/M/c: mean wait and share waiting of arrivals in the window."""
    # Ciw draws from module-level generators; seed them from the replication's own
    # SeedSequence so replications are independent and repeatable.
    ciw.seed(int(np.random.SeedSequence(SEED, spawn_key=(replication,)).generate_state(1)[0]))
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=design.arrival_rate)],
        service_distributions=[ciw.dists.Exponential(rate=1 / design.mean_days)],
        number_of_servers=[design.places],
    )
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_time(design.horizon_days)
    start, stop = design.warmup_days, design.horizon_days - design.cutoff_days
    # Clients still in the system at the horizon have no record yet; none may come from the window.
    still_inside = [person for person in simulation.nodes[1].all_individuals if person.arrival_date < stop]
    waits = np.array([r.waiting_time for r in simulation.get_all_records() if start <= r.arrival_date < stop])
    return {
        "unfinished": float(len(still_inside)),
        "mean_wait": float(waits.mean()),
        "waited_share": float((waits > 0).mean()),
    }


@pytest.fixture(scope="module")
def ciw_runs(mmc_replications: int) -> list[dict[str, float]]:
    """As many Ciw replications as drive-sim ones (the everyday or the slow count)."""
    return replicate(ciw_measures, MMC, mmc_replications)


def test_ciw_reproduces_erlang_c(ciw_runs):
    assert sum(run["unfinished"] for run in ciw_runs) == 0
    interval = t_interval(run["mean_wait"] for run in ciw_runs)
    assert interval.contains(MMC.mean_wait), (
        f"Ciw M/M/{MMC.places}: mean wait {interval} (99% CI) does not contain Erlang C's {MMC.mean_wait:.3f}: "
        "the peer is not set up as the theory says"
    )


def test_drive_sim_and_ciw_give_the_same_mean_wait(mmc_runs, ciw_runs):
    difference = welch_interval((run["mean_wait"] for run in mmc_runs), (run["mean_wait"] for run in ciw_runs))
    assert difference.contains(0.0), (
        f"mean wait for an IDVA place, drive-sim minus Ciw: {difference} days (99% Welch CI) excludes 0"
    )


def test_drive_sim_and_ciw_give_the_same_share_waiting(mmc_runs, ciw_runs):
    difference = welch_interval((run["waited_share"] for run in mmc_runs), (run["waited_share"] for run in ciw_runs))
    assert difference.contains(0.0), (
        f"share of clients who wait, drive-sim minus Ciw: {difference} (99% Welch CI) excludes 0"
    )
