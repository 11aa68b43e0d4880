"""drive-sim's documented range for each value the schema calls an assumption.

The default site's answer to "how wrong might this be?": every entry cites the study
(``seed-extract.md`` as "extract", with line numbers), ``figures.md`` ("figures"), or
says why the range was chosen. ``drive-sim check`` lists the ranges a scenario uses;
:mod:`drive_sim.scenario.uncertainty` explains when a default range applies.
"""

from __future__ import annotations

from drive_sim.scenario.schema import Range

__all__ = ["DEFAULT_RANGES", "NOT_VARIED"]

DEFAULT_RANGES: dict[str, Range] = {
    "case_mix.client_response.support": Range(
        low=0.20,
        high=0.60,
        source="Engaged clients were 39% in one site's data and '~90%' by its own account (extract Q7, L169); "
        "support is the intensive part of engagement, the rest being monitoring.",
    ),
    "hours.productive_share": Range(
        kind="triangular",
        low=0.6,
        mode=0.7,
        high=0.8,
        source="A police demand model used 70% (figures §4); ±10 points for sites' differing admin and travel.",
    ),
}

#: Assumptions deliberately given no range, each with the reason.
NOT_VARIED: dict[str, str] = {
    "site.horizon_days": "the length of a run is a choice of the analysis, not a fact about the world",
}
