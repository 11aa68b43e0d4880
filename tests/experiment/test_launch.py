"""Launch plans month by month (issue 19, items 2-3): the monthly table, the facts and the answer."""

from __future__ import annotations

import numpy as np
import pytest

from drive_sim.analysis.stats import paired_differences
from drive_sim.report.launch_page import launch_answer, plan_sentence
from drive_sim.runs.experiment import open_backend
from drive_sim.runs.launch import DAYS_PER_MONTH, default_plans, launch_tables, run_launch
from drive_sim.scenario import load_scenario

MONTHS = 8


@pytest.fixture(scope="module")
def launched():
    plans = [
        (label, load_scenario(None, {"site.horizon_days": 365, **values}))
        for label, values in (("Slow build", {"backdating.months": 0}), ("Backdate 6 months", {"backdating.months": 6}))
    ]
    with open_backend("serial") as runner:
        experiment = run_launch(plans, replications=8, runner=runner)
    return plans, experiment, launch_tables(plans, experiment, MONTHS)


def test_the_default_plans_are_the_four_of_the_issue():
    labels = [label for label, _ in default_plans(None)]
    assert labels == [
        "Slow build from launch",
        "Backdate 3 months",
        "Backdate 6 months",
        "Backdate 6 months, two Drive IDVAs from day one",
    ]
    last = default_plans(None)[-1][1]
    assert last.backdating.months == 6 and last.teams.idvas[0].count == 2


def test_the_monthly_table_counts_what_the_records_hold(launched):
    _, experiment, tables = launched
    months = tables["months"]
    assert set(months["month"]) == set(range(1, MONTHS + 1))
    cases = experiment.tables["cases"]
    own = cases[(cases["scenario"] == "Backdate 6 months") & (cases["replication"] == 3)]
    first_month = np.ceil(own["accepted_day"] / DAYS_PER_MONTH).clip(lower=1) == 1
    row = months[(months["scenario"] == "Backdate 6 months") & (months["replication"] == 3) & (months["month"] == 1)]
    values = dict(zip(row["measure"], row["value"], strict=True))
    assert values["backlog"] == (first_month & own["backdated"]).sum() > 0
    assert values["accepted"] == (first_month & ~own["backdated"]).sum()
    assert set(months[months["measure"] == "burnout"]["value"].dropna()) <= {0.0, 1.0}
    cost = months[(months["measure"] == "cost") & (months["replication"] == 0) & (months["scenario"] == "Slow build")]
    assert np.allclose(np.diff(cost.sort_values("month")["value"]), cost["value"].min())  # a twelfth a month


def test_backdating_fills_the_drive_idva_from_the_first_month_and_spends_her_spare_hours(launched):
    _, _, tables = launched
    first = tables["months"][tables["months"]["month"] == 1].rename(columns={"measure": "kpi"})
    first = first.assign(scope="month 1").drop(columns="month")
    differences = paired_differences(first, "Slow build").set_index("kpi")
    assert differences.loc["open_per_fte", "ci_low"] > 0
    assert differences.loc["spare_hours", "ci_high"] < 0


def test_the_answer_says_each_plan_in_a_sentence_with_its_burnout_chance(launched):
    _, _, tables = launched
    plans = tables["plans"]
    answer = launch_answer(plans, MONTHS, 8)
    assert answer.verdict.startswith("Of the 2 plans")
    assert len(answer.points) == 2 and all("chance" in point for point in answer.points)
    assert any("8 replications" in caution for caution in answer.cautions)
    row = plans[plans["label"] == "Backdate 6 months"].iloc[0]
    assert 0 <= row["burnout_low"] <= row["burnout"] <= row["burnout_high"] <= 1
    assert plan_sentence(row, MONTHS).startswith("Backdate 6 months: the Drive IDVAs")
