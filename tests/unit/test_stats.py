"""Across-replication statistics, checked against scipy and against sums done by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from drive_sim.analysis.stats import paired_differences, precision_advice, replications_needed, summarise


def long_table(values: dict[tuple[str, str], list[float]], scenario: str | None = None) -> pd.DataFrame:
    """A KPI table with one row per replication and value, in the given order."""
    rows = [
        {"replication": replication, "kpi": kpi, "scope": scope, "value": value}
        for (kpi, scope), series in values.items()
        for replication, value in enumerate(series)
    ]
    table = pd.DataFrame(rows)
    if scenario is not None:
        table.insert(0, "scenario", scenario)
    return table


def row(table: pd.DataFrame, **keys: str) -> pd.Series:
    mask = np.logical_and.reduce([table[column] == value for column, value in keys.items()])
    assert mask.sum() == 1
    return table[mask].iloc[0]


# --------------------------------------------------------------------------------------
# summarise
# --------------------------------------------------------------------------------------


def test_summary_matches_scipy_t_interval():
    values = [1.0, 2.0, 3.0, 4.0, 5.0]
    result = row(summarise(long_table({("burnout_weeks", "site"): values})), kpi="burnout_weeks")
    sd = math.sqrt(2.5)
    low, high = scipy_stats.t.interval(0.95, 4, loc=3.0, scale=sd / math.sqrt(5))
    assert result["n"] == 5
    assert result["mean"] == pytest.approx(3.0)
    assert result["sd"] == pytest.approx(sd)
    assert (result["ci_low"], result["ci_high"]) == pytest.approx((low, high))
    # t(0.975, 4) = 2.776445: half-width 2.776445 * 1.581139 / 2.236068.
    assert result["half_width"] == pytest.approx(1.963243, abs=1e-6)
    assert result["relative_precision"] == pytest.approx(1.963243 / 3, abs=1e-6)


def test_confidence_level_is_honoured():
    values = [2.0, 4.0, 9.0]
    result = row(summarise(long_table({("k", "site"): values}), confidence=0.9), kpi="k")
    low, high = scipy_stats.t.interval(0.9, 2, loc=5.0, scale=np.std(values, ddof=1) / math.sqrt(3))
    assert (result["ci_low"], result["ci_high"]) == pytest.approx((low, high))


def test_nan_values_are_not_counted():
    result = row(summarise(long_table({("k", "site"): [1.0, float("nan"), 3.0]})), kpi="k")
    assert result["n"] == 2
    assert result["mean"] == pytest.approx(2.0)
    low, high = scipy_stats.t.interval(0.95, 1, loc=2.0, scale=math.sqrt(2) / math.sqrt(2))
    assert (result["ci_low"], result["ci_high"]) == pytest.approx((low, high))


def test_fewer_than_two_values_give_no_interval():
    result = summarise(long_table({("one", "site"): [4.0], ("none", "site"): [float("nan"), float("nan")]}))
    one, none = row(result, kpi="one"), row(result, kpi="none")
    assert one["n"] == 1 and one["mean"] == 4.0
    assert math.isnan(one["ci_low"]) and math.isnan(one["half_width"]) and math.isnan(one["relative_precision"])
    assert none["n"] == 0 and math.isnan(none["mean"])


def test_relative_precision_is_undefined_at_a_zero_mean():
    result = row(summarise(long_table({("k", "site"): [-1.0, 1.0, 0.0]})), kpi="k")
    assert result["half_width"] > 0
    assert math.isnan(result["relative_precision"])


def test_constant_values_give_a_zero_width_interval():
    result = row(summarise(long_table({("k", "site"): [3.0, 3.0, 3.0]})), kpi="k")
    assert (result["ci_low"], result["ci_high"], result["relative_precision"]) == (3.0, 3.0, 0.0)


def test_summary_keeps_first_appearance_order_and_extra_key_columns():
    staffed = {("z_kpi", "site"): [1.0, 2.0], ("a_kpi", "idva:B"): [3.0, 4.0], ("a_kpi", "idva:A"): [5.0, 6.0]}
    base = {("z_kpi", "site"): [7.0, 8.0], ("a_kpi", "idva:B"): [9.0, 10.0], ("a_kpi", "idva:A"): [1.0, 1.0]}
    kpis = pd.concat([long_table(staffed, "staffed"), long_table(base, "base")])
    result = summarise(kpis)
    assert list(result.columns) == [
        "scenario", "kpi", "scope", "n", "mean", "sd", "ci_low", "ci_high", "half_width", "relative_precision",
        "interval",
    ]  # fmt: skip
    assert list(zip(result["scenario"], result["kpi"], result["scope"], strict=True)) == [
        ("staffed", "z_kpi", "site"), ("staffed", "a_kpi", "idva:B"), ("staffed", "a_kpi", "idva:A"),
        ("base", "z_kpi", "site"), ("base", "a_kpi", "idva:B"), ("base", "a_kpi", "idva:A"),
    ]  # fmt: skip
    assert row(result, scenario="base", kpi="z_kpi")["mean"] == pytest.approx(7.5)


# --------------------------------------------------------------------------------------
# replications_needed and precision_advice
# --------------------------------------------------------------------------------------


def test_replications_needed_worked_example():
    # mean 10, sd 1, target 5%: need t(n-1) / sqrt(n) <= 0.5. n = 17 gives 2.1199 / 4.1231
    # = 0.514; n = 18 gives 2.1098 / 4.2426 = 0.497.
    assert replications_needed([9.0, 10.0, 11.0]) == 18


def test_replications_needed_is_the_first_n_whose_interval_is_narrow_enough():
    values = [12.0, 15.5, 9.0, 14.0, 11.5, 13.0]
    mean, sd = np.mean(values), np.std(values, ddof=1)

    def relative_precision(n: int) -> float:
        low, high = scipy_stats.t.interval(0.9, n - 1, loc=mean, scale=sd / math.sqrt(n))
        return (high - low) / 2 / mean

    expected = next(n for n in range(2, 10_000) if relative_precision(n) <= 0.02)
    assert relative_precision(expected - 1) > 0.02
    assert replications_needed(values, target_relative_precision=0.02, confidence=0.9) == expected


def test_replications_needed_can_be_fewer_than_already_run():
    assert replications_needed([100.0, 101.0, 99.0, 100.0, 100.5], target_relative_precision=0.05) == 3


def test_values_without_spread_need_the_fewest_replications_an_interval_has():
    assert replications_needed([5.0, 5.0, 5.0]) == 2


@pytest.mark.parametrize(
    "values",
    [[1.0, 2.0], [5.0, float("nan"), float("nan"), 6.0], [-1.0, 0.0, 1.0]],
    ids=["two values", "two values and nan", "mean zero"],
)
def test_replications_needed_declines_when_it_cannot_say(values):
    assert replications_needed(values) is None


def test_replications_needed_gives_up_above_max_n():
    values = [1.0, 10.0, 30.0]
    assert replications_needed(values, max_n=50) is None
    assert replications_needed(values) > 50


def test_precision_advice_lists_only_kpis_above_target():
    kpis = long_table({("tight", "site"): [100.0, 101.0, 99.0], ("loose", "site"): [9.0, 10.0, 11.0],
                       ("zero", "site"): [0.0, 0.0, 0.0]})  # fmt: skip
    advice = precision_advice(summarise(kpis), target=0.05)
    assert list(advice.columns) == ["kpi", "scope", "relative_precision", "replications_needed"]
    assert advice["kpi"].tolist() == ["loose"]
    assert advice["replications_needed"].tolist() == [18]
    assert advice["relative_precision"].iloc[0] == pytest.approx(scipy_stats.t.ppf(0.975, 2) / math.sqrt(3) / 10)


def test_precision_advice_with_two_values_flags_without_a_number():
    advice = precision_advice(summarise(long_table({("k", "site"): [1.0, 3.0]})))
    assert advice["kpi"].tolist() == ["k"]
    assert advice["replications_needed"].isna().all()


# --------------------------------------------------------------------------------------
# paired_differences
# --------------------------------------------------------------------------------------


def two_scenarios(baseline: list[float], other: list[float], kpi: str = "k") -> pd.DataFrame:
    return pd.concat([long_table({(kpi, "site"): baseline}, "base"), long_table({(kpi, "site"): other}, "more_staff")])


def test_a_constant_shift_is_clear_with_a_zero_width_interval():
    result = paired_differences(two_scenarios([3.0, 8.0, 1.0, 5.0], [5.0, 10.0, 3.0, 7.0]), baseline="base")
    assert list(result.columns) == [
        "scenario", "kpi", "scope", "n", "mean_difference", "ci_low", "ci_high", "clear",
        "baseline_mean", "scenario_mean",
    ]  # fmt: skip
    difference = result.iloc[0]
    assert difference["scenario"] == "more_staff"
    assert difference["n"] == 4
    assert (difference["mean_difference"], difference["ci_low"], difference["ci_high"]) == (2.0, 2.0, 2.0)
    assert difference["clear"]
    assert (difference["baseline_mean"], difference["scenario_mean"]) == (4.25, 6.25)


def test_identical_scenarios_differ_by_exactly_nothing():
    values = [3.0, 8.0, 1.0, 5.0]
    difference = paired_differences(two_scenarios(values, values), baseline="base").iloc[0]
    assert (difference["mean_difference"], difference["ci_low"], difference["ci_high"]) == (0.0, 0.0, 0.0)
    assert not difference["clear"]


def test_paired_interval_matches_a_one_sample_t_interval_on_the_differences():
    baseline, other = [10.0, 20.0, 30.0], [11.0, 22.0, 33.0]  # differences 1, 2, 3
    difference = paired_differences(two_scenarios(baseline, other), baseline="base").iloc[0]
    low, high = scipy_stats.t.interval(0.95, 2, loc=2.0, scale=1.0 / math.sqrt(3))
    assert difference["mean_difference"] == pytest.approx(2.0)
    assert (difference["ci_low"], difference["ci_high"]) == pytest.approx((low, high))
    assert not difference["clear"]  # 2 +/- 2.48 straddles 0
    assert paired_differences(two_scenarios(baseline, other), baseline="base", confidence=0.5).iloc[0]["clear"]


def test_pairs_are_matched_by_replication_not_by_row_order():
    kpis = two_scenarios([1.0, 2.0, 3.0, 4.0], [11.0, 12.0, 13.0, 14.0])
    shuffled = kpis.iloc[[0, 1, 2, 3, 7, 5, 6, 4]]
    difference = paired_differences(shuffled, baseline="base").iloc[0]
    assert (difference["ci_low"], difference["ci_high"]) == (10.0, 10.0)


def test_a_pair_missing_a_value_is_left_out():
    difference = paired_differences(two_scenarios([1.0, 2.0, float("nan")], [4.0, 5.0, 100.0]), baseline="base").iloc[0]
    assert difference["n"] == 2
    assert (difference["mean_difference"], difference["scenario_mean"], difference["baseline_mean"]) == (3.0, 4.5, 1.5)


def test_every_other_scenario_is_compared_in_order():
    kpis = pd.concat(
        [
            long_table({("k", "site"): [1.0, 2.0]}, "low"),
            long_table({("k", "site"): [5.0, 6.0]}, "base"),
            long_table({("k", "site"): [9.0, 10.0]}, "high"),
        ]
    )
    result = paired_differences(kpis, baseline="base")
    assert result["scenario"].tolist() == ["low", "high"]
    assert result["mean_difference"].tolist() == [-4.0, 4.0]
    assert result["clear"].tolist() == [True, True]


def test_unknown_baseline_and_repeated_rows_are_refused():
    kpis = two_scenarios([1.0, 2.0], [3.0, 4.0])
    with pytest.raises(ValueError, match="'nope' is not one of the scenarios: base, more_staff"):
        paired_differences(kpis, baseline="nope")
    with pytest.raises(ValueError, match="more than one value"):
        paired_differences(pd.concat([kpis, kpis]), baseline="base")
    with pytest.raises(ValueError, match="scenario"):
        paired_differences(kpis.drop(columns="scenario"), baseline="base")
