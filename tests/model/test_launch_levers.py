"""The study's launch levers as model mechanisms (issue 19, item 1).

Each lever's default leaves the model as it was (the golden files hold that); each test
here switches one lever on and shows, with paired intervals on common random numbers,
that it moves what it should.
"""

from __future__ import annotations

from support import scenario

from drive_sim.analysis.stats import paired_differences
from drive_sim.runs.experiment import open_backend, run_experiment

ONE_YEAR = {"site": {"horizon_days": 365}}


def _paired(base, changed, window, replications=12):
    with open_backend("serial") as runner:
        kpis = run_experiment(
            [base, changed], replications=replications, labels=["as given", "changed"], keep_tables=False, runner=runner
        ).kpis
    return paired_differences(kpis[kpis["window"] == window], "as given").set_index(["kpi", "scope"])


def _clear(differences, kpi, direction, scope="site"):
    row = differences.loc[(kpi, scope)]
    text = (
        f"{kpi} ({scope}): {row['baseline_mean']:.4g} -> {row['scenario_mean']:.4g}, "
        f"difference {row['mean_difference']:.4g} [{row['ci_low']:.4g}, {row['ci_high']:.4g}]"
    )
    assert (row["ci_low"] > 0) if direction == "up" else (row["ci_high"] < 0), text
    return text


def test_an_idva_service_bought_in_after_180_days_lengthens_first_contact_at_launch():
    late = {"launch": {"idva_buy_in_days": 180, "first_contact_share_before_buy_in": 0.3}}
    differences = _paired(scenario(ONE_YEAR), scenario(ONE_YEAR, late), "launch")
    print(_clear(differences, "first_contact_delay_median_days", "up"))


def test_before_buy_in_the_panel_idva_attends_fewer_panels_and_spends_fewer_hours():
    absent = {"launch": {"idva_buy_in_days": 180, "panel_attendance_before_buy_in": 0.0}}
    differences = _paired(scenario(ONE_YEAR), scenario(ONE_YEAR, absent), "launch")
    print(_clear(differences, "workload_ratio_mean", "down", "group:drive"))
