"""The resource Drive adds: a replication beside its twin without Drive, paired by replication.

The twin is the same site with Drive referrals and backdating switched off: the same
business-as-usual (non-Drive) referral streams, drawn from the same named random
streams, so replication ``k`` of both sees the same business-as-usual cases (common random
numbers; see :mod:`drive_sim.model.streams`). Both are read over the with-Drive
replication's windows (:func:`~drive_sim.analysis.warmup.kpi_windows`).

KPIs, scope ``site``, one value per replication and window:

- ``drive_added_idva_hours_per_week``: the mean over the window's weeks of the total hours
  of work asked of the site's IDVAs (``demand_hours`` summed over every IDVA), with Drive
  minus without it;
- ``drive_added_fte``: the same over one FTE's productive hours a week
  (``hours.contracted_hours_per_week x hours.productive_share``): the IDVA FTE of work
  Drive adds on top of business as usual;
- ``bau_idva_caseload_vs_guidance``: in the twin, the IDVAs' mean open cases per FTE
  (staffed weeks) over the guidance caseload: how full business as usual alone keeps them.

Each value is a paired difference (or a twin's figure), so the t interval of their mean
across replications is the paired interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from drive_sim.analysis.warmup import Window, kpi_windows
from drive_sim.model.records import SimulationOutput
from drive_sim.scenario import Scenario

__all__ = ["COUNTERFACTUAL_KPIS", "counterfactual_kpis"]

COUNTERFACTUAL_KPIS: tuple[str, ...] = (
    "drive_added_fte",
    "drive_added_idva_hours_per_week",
    "bau_idva_caseload_vs_guidance",
)


def _idva_hours_per_week(output: SimulationOutput, window: Window) -> float:
    totals: dict[float, float] = {}
    for state in output.weeks:
        if state.kind == "idva" and window.start_day < state.day <= window.end_day:
            totals[state.day] = totals.get(state.day, 0.0) + state.demand_hours
    return float(np.mean(list(totals.values()))) if totals else float("nan")


def _open_per_fte(output: SimulationOutput, window: Window) -> float:
    values = [
        (state.drive_open + state.non_drive_open) / state.fte
        for state in output.weeks
        if state.kind == "idva"
        and not state.vacant
        and state.fte > 0
        and window.start_day < state.day <= window.end_day
    ]
    return float(np.mean(values)) if values else float("nan")


def counterfactual_kpis(output: SimulationOutput, twin: SimulationOutput, scenario: Scenario) -> pd.DataFrame:
    """The KPIs above for one replication and its twin (the same replication index).

    Args:
        output: The replication with Drive.
        twin: The same replication of the site without Drive referrals or backdating.
        scenario: The scenario with Drive (its warm-up, hours and guidance are used).

    Returns:
        Columns ``replication, window, kpi, scope, value``, as
        :func:`~drive_sim.analysis.metrics.replication_kpis`.

    Raises:
        ValueError: If the two are not the same replication.
    """
    if output.replication != twin.replication:
        raise ValueError(f"replication {output.replication} cannot be paired with twin {twin.replication}")
    fte_hours = scenario.hours.contracted_hours_per_week * scenario.hours.productive_share
    rows = []
    for window in kpi_windows(output, scenario):
        added = _idva_hours_per_week(output, window) - _idva_hours_per_week(twin, window)
        values = {
            "drive_added_fte": added / fte_hours,
            "drive_added_idva_hours_per_week": added,
            "bau_idva_caseload_vs_guidance": _open_per_fte(twin, window) / scenario.guidance.idva_open_cases_per_fte,
        }
        rows += [(output.replication, window.name, kpi, "site", values[kpi]) for kpi in COUNTERFACTUAL_KPIS]
    frame = pd.DataFrame(rows, columns=["replication", "window", "kpi", "scope", "value"])
    return frame.astype({"replication": "int64", "value": "float64"})
