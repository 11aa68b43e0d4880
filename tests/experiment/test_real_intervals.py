"""On a real run: every probability and share interval in the summary lies in [0, 1].

The same numbers reach the terminal, ``summary.csv`` and the HTML report, so checking
the summary checks all three (the report tests check the page reads the summary).
"""

from __future__ import annotations

from support import scenario

from drive_sim.analysis.stats import kpi_kind, summarise
from drive_sim.runs.experiment import Runner, run_experiment


def test_a_real_runs_probability_and_share_intervals_lie_in_zero_one():
    # A small, overloaded site, so shares sit near 1 and burnout chances near 0 or 1:
    # where a t interval would leave [0, 1].
    site = scenario({"site": {"horizon_days": 365}, "referrals": {"annual_rate": 150}}, quiet=False)
    summary = summarise(run_experiment(site, 12, runner=Runner(), keep_tables=False).kpis)
    bounded = summary[[kpi_kind(k) != "mean" for k in summary["kpi"]]].dropna(subset=["ci_low"])
    assert len(bounded) > 20
    outside = bounded[(bounded["ci_low"] < 0) | (bounded["ci_high"] > 1)]
    assert outside.empty, outside[["kpi", "scope", "mean", "ci_low", "ci_high"]].to_string()
    assert set(bounded["interval"]) == {"clopper-pearson", "quasi-binomial wilson"}
