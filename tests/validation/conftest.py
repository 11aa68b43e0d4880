"""Replication runs shared by several validation modules (run once per session)."""

from __future__ import annotations

import pytest
from validation_support import MMC, mmc_measures, replicate

#: Everyday runs keep the suite fast; the slow run (CI) tightens every interval.
MMC_REPLICATIONS = [pytest.param(60, id="60reps"), pytest.param(400, id="400reps", marks=pytest.mark.slow)]


@pytest.fixture(scope="session", params=MMC_REPLICATIONS)
def mmc_replications(request: pytest.FixtureRequest) -> int:
    """Replications of the M/M/c system, shared by drive-sim and its peer engine."""
    return request.param


@pytest.fixture(scope="session")
def mmc_runs(mmc_replications: int) -> list[dict[str, float]]:
    """Per-replication measures of the M/M/c site (see ``validation_support.MmcDesign``)."""
    return replicate(mmc_measures, MMC, mmc_replications)
