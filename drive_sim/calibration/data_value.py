"""How narrow a year of a site's own data would make each uncertain value.

The value-of-data ranking (:func:`drive_sim.runs.robust.value_of_data`) asks, for each
assumption: if a site collected a year of its own case export and ran ``drive-sim fit``,
how wide would that value's interval be? This module answers by doing it: it simulates
one year of the scenario (:func:`drive_sim.model.simulate`, the first replication), turns
the output into the export a site would produce (the same rows ``drive-sim synth``
writes), fits it with :func:`~drive_sim.calibration.fit.fit_site`, and reads each fitted
interval's width as a share of the assumption's current range (at most 1: data never
widen a range).

Only what a case export measures can be narrowed this way: the client response shares
and the referral dispersion. Every other assumption (hours per task, burnout thresholds,
turnover, ...) is not in a case export; it gets no width, and the ranking says so rather
than guess (a time-use survey or HR records would be needed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from drive_sim.calibration.casefile import CaseExport, cases_from_output
from drive_sim.calibration.fit import fit_site
from drive_sim.model import simulate
from drive_sim.scenario import Scenario, scenario_from_dict
from drive_sim.scenario.uncertainty import Parameter

__all__ = ["DATA_YEAR_DAYS", "year_of_data_widths"]

#: How much data: a year of referrals.
DATA_YEAR_DAYS = 365


def year_of_data_widths(scenario: Scenario, parameters: Sequence[Parameter]) -> dict[str, float]:
    """Path -> the width a year of the site's own data would give, as a share of the path's range.

    Only paths a case export measures appear; see the module docstring.
    """
    data = scenario.model_dump(mode="json")
    data["site"]["horizon_days"] = DATA_YEAR_DAYS
    data["run"]["warmup_days"] = 0
    year = scenario_from_dict(data, "a year of data")
    output = simulate(year, 0)
    start = year.site.start_date
    rows = cases_from_output(output, start)
    export = CaseExport("a year of data", tuple(rows), start + dt.timedelta(days=DATA_YEAR_DAYS), False)
    fitted = fit_site(export, scenario=year, seed=year.run.seed)
    intervals: dict[str, tuple[float, float]] = {}
    for response, estimate in fitted.response_shares.items():
        intervals[f"case_mix.client_response.{response}"] = (estimate.low, estimate.high)
    if fitted.referrals is not None:
        intervals["referrals.dispersion"] = (fitted.referrals.dispersion_k.low, fitted.referrals.dispersion_k.high)
    widths = {}
    for p in parameters:
        if p.path in intervals:
            low, high = intervals[p.path]
            span = p.range.high - p.range.low
            widths[p.path] = float(min(1.0, max(0.0, (high - low) / span))) if span > 0 else 1.0
    return widths
