"""Presentation data: small hand-made tables in, exactly the expected aggregates out."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from drive_sim.report.data import (
    caseload_bands,
    delay_distribution,
    first_contact_summary,
    kpi_status,
    level_points,
    scorecard,
    workforce_over_time,
    workload_matrix,
)
from drive_sim.scenario import Scenario


def _week(replication: int, week: int, name: str = "Drive IDVA", kind: str = "idva", **values: object) -> dict:
    row = {
        "replication": replication,
        "week": week,
        "day": 7.0 * week,
        "practitioner": name,
        "kind": kind,
        "role": "drive" if kind == "idva" else "cm",
        "fte": 1.0,
        "drive_open": 0,
        "non_drive_open": 0,
        "demand_hours": 0.0,
        "available_hours": 26.25,
        "burnt_out": False,
        "vacant": False,
    }
    return row | values


def test_bands_are_quantiles_across_replications_and_skip_vacant_weeks() -> None:
    weeks = pd.DataFrame(
        [_week(r, 1, drive_open=10 * (r + 1)) for r in range(5)]
        + [_week(r, 2, drive_open=99, vacant=(r == 4)) for r in range(5)]
        + [_week(r, 1, fte=0.5, name="Part-time IDVA", drive_open=5, non_drive_open=5) for r in range(5)]
    )
    bands = caseload_bands(weeks, "idva").set_index(["practitioner", "week"])
    week_one = bands.loc[("Drive IDVA", 1)]
    assert week_one["median"] == 30
    assert week_one["low"] == pytest.approx(np.quantile([10, 20, 30, 40, 50], 0.1))
    assert week_one["high"] == pytest.approx(np.quantile([10, 20, 30, 40, 50], 0.9))
    assert bands.loc[("Drive IDVA", 2), "median"] == 99  # the vacant week is left out, not counted as 0
    assert bands.loc[("Part-time IDVA", 1), "median"] == 20  # Drive and non-Drive, per FTE


def test_cm_caseloads_count_drive_cases_only() -> None:
    weeks = pd.DataFrame([_week(0, 1, "CM 1", "cm", drive_open=12, non_drive_open=30)])
    assert caseload_bands(weeks, "cm")["median"].tolist() == [12]


def test_workload_is_the_median_ratio_of_staffed_weeks() -> None:
    weeks = pd.DataFrame(
        [_week(r, 1, demand_hours=h) for r, h in enumerate([10.5, 21.0, 42.0])]
        + [_week(3, 1, demand_hours=999.0, vacant=True)]
    )
    assert workload_matrix(weeks)["ratio"].tolist() == [pytest.approx(0.8)]


def test_workforce_counts_are_averaged_and_leavers_accumulate() -> None:
    weeks = pd.DataFrame(
        [_week(r, w, burnt_out=(r == 0 and w >= 2), vacant=(r == 1 and w == 3)) for r in range(2) for w in (1, 2, 3)]
    )
    events = pd.DataFrame(
        {"replication": [0], "day": [8.5], "practitioner": ["Drive IDVA"], "kind": ["idva"], "event": ["left"]}
    )
    frame = workforce_over_time(weeks, events).pivot_table(index="week", columns="measure", values="value")
    assert frame["burnt_out"].tolist() == [0, 0.5, 0.5]
    assert frame["vacant"].tolist() == [0, 0, 0.5]
    assert frame["left_so_far"].tolist() == [0, 0.5, 0.5]  # day 8.5 is in week 2


def _cases() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "replication": [0, 0, 0, 0, 1, 1],
            "accepted_day": [0.0, 0.0, 0.0, -1.0, 0.0, 0.0],
            "allocated_day": [0.0, 1.0, 2.0, 0.0, 0.0, 0.0],
            "first_contact_day": [0.5, 4.0, 2.0, 9.0, 10.0, math.nan],
            "first_contact_attempts": [1, 2, 0, 1, 3, 3],
            "idva_group": ["drive"] * 6,
        }
    )


def test_delays_count_only_clients_who_needed_a_first_contact() -> None:
    distribution = delay_distribution(_cases(), warmup_days=0.0, max_days=5)
    # Needed and reached, accepted in the window: delays from acceptance 0.5, 4 and 10
    # (capped at 5); the second client waited a day for an IDVA place, which counts.
    assert distribution["days"].tolist() == [0, 4, 5]
    assert distribution["share"].sum() == pytest.approx(1)
    assert distribution["cumulative_share"].iloc[-1] == pytest.approx(1)
    assert set(distribution["clients"]) == {3}


def test_first_contact_summary_per_replication() -> None:
    summary = first_contact_summary(_cases(), warmup_days=0.0).set_index("kpi")
    assert summary.loc["needed_share", "mean"] == pytest.approx((2 / 3 + 1) / 2)
    assert summary.loc["needed_median_days", "mean"] == pytest.approx((2.25 + 10) / 2)


@pytest.mark.parametrize(
    ("mean", "low", "high", "better", "expected"),
    [
        (10, 8, 12, "lower", "within"),
        (25, 22, 28, "lower", "above"),
        (19, 17, 21, "lower", "borderline"),
        (19, math.nan, math.nan, "lower", "within"),
        (0.9, 0.85, 0.95, "higher", "within"),
        (10, 8, 12, "", ""),
    ],
)
def test_status_reads_the_interval_against_guidance(mean, low, high, better, expected) -> None:
    assert kpi_status(mean, low, high, 20 if better != "higher" else 0.8, better) == expected


def _summary(label: str, drive: float, p90: float, cm: float, cost: float) -> list[dict]:
    def row(kpi: str, scope: str, mean: float) -> dict:
        return {
            "scenario": label,
            "kpi": kpi,
            "scope": scope,
            "n": 10,
            "mean": mean,
            "ci_low": mean - 1,
            "ci_high": mean + 1,
        }

    return [
        row("open_cases_per_fte_mean", "group:drive", drive),
        row("first_contact_delay_p90_days", "site", p90),
        row("open_cases_per_fte_mean", "group:cm", cm),
        row("any_idva_burnout", "site", 0.5),
        row("annual_staff_cost", "site", cost),
    ]


def test_scorecard_counts_the_targets_each_scenario_meets() -> None:
    summary = pd.DataFrame(
        _summary("A", 30, 5, 10, 100) + _summary("B", 15, 5, 10, 200) + _summary("C", 15, 30, 20, 50)
    )
    cards = scorecard(summary, ["A", "B", "C"], [Scenario()] * 3).set_index("label")
    assert cards["targets_met"].to_dict() == {"A": 2, "B": 3, "C": 1}
    assert cards.loc["A", "idva_caseload_status"] == "above"
    assert cards.loc["B", "idva_caseload_status"] == "within"
    assert cards.loc["B", "burnout_low"] < 0.5 < cards.loc["B", "burnout_high"]  # a Wilson interval
    assert math.isnan(cards.loc["A", "wider_mean"])  # no wider team in the summary


def test_level_points_follow_the_given_order() -> None:
    summary = pd.DataFrame(_summary("two", 15, 5, 10, 200) + _summary("one", 30, 5, 10, 100))
    points = level_points(summary, ["one", "two", "three"], [1, 2, 3], "open_cases_per_fte_mean", "group:drive")
    assert points["level"].tolist() == [1, 2]
    assert points["mean"].tolist() == [30, 15]
