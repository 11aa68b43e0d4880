"""Each figure builder draws the traces its prepared frame asks for, and nothing else."""

from __future__ import annotations

import pandas as pd
import pytest

from drive_sim.report.figures import (
    band_figure,
    delay_cdf_figure,
    delay_histogram_figure,
    differences_figure,
    lines_figure,
    target_figure,
    workload_heatmap,
)
from drive_sim.report.sweep_figures import sweep_figure, sweep_heatmap

DATES = pd.date_range("2026-04-08", periods=3, freq="7D")


def _bands(names: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"series": name, "date": date, "low": 1.0, "median": 2.0, "high": 3.0} for name in names for date in DATES]
    )


def test_band_figure_draws_band_median_and_guidance_per_series() -> None:
    figure = band_figure(_bands(["Drive IDVA", "Wider IDVA 1"]), "series", "title", "y", 20, "Guidance: 20")
    assert [t.type for t in figure.data] == ["scatter"] * 7
    assert [t.name for t in figure.data if t.showlegend is not False] == ["Drive IDVA", "Wider IDVA 1", "Guidance: 20"]
    assert figure.data[1].fill == "tonexty"  # the 10th percentile fills up to the 90th
    assert list(figure.data[2].y) == [2.0] * 3
    assert list(figure.data[-1].y) == [20, 20]


def test_band_figure_without_guidance_and_in_the_given_order() -> None:
    figure = band_figure(_bands(["B", "A"]), "series", "title", "y", order=["A", "B"])
    assert [t.name for t in figure.data if t.showlegend is not False] == ["A", "B"]


def test_user_text_reaches_plotly_escaped() -> None:
    figure = band_figure(_bands(["<b>x</b>"]), "series", "title", "y")
    assert figure.data[2].name == "&lt;b&gt;x&lt;/b&gt;"


def test_workload_heatmap_is_one_trace_with_a_row_per_practitioner() -> None:
    matrix = pd.DataFrame(
        [{"practitioner": name, "date": date, "ratio": 0.5} for name in ("Drive IDVA", "CM 1") for date in DATES]
    )
    figure = workload_heatmap(matrix, "practitioner", "title", threshold=1.1)
    assert len(figure.data) == 1 and figure.data[0].type == "heatmap"
    assert list(figure.data[0].y) == ["Drive IDVA", "CM 1"]
    assert figure.data[0].z.shape == (2, 3)


def _distribution() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group": ["a", "a", "b"],
            "days": [0, 3, 1],
            "share": [0.5, 0.5, 1.0],
            "cumulative_share": [0.5, 1.0, 1.0],
            "clients": [2, 2, 1],
        }
    )


def test_delay_histogram_has_a_bar_per_group_and_the_target_line() -> None:
    figure = delay_histogram_figure(_distribution(), "group", "title", target_days=7, max_days=60)
    assert [(t.type, t.name) for t in figure.data] == [("bar", "a"), ("bar", "b")]
    assert [shape.x0 for shape in figure.layout.shapes] == [7]


def test_delay_cdf_has_a_step_line_per_group() -> None:
    figure = delay_cdf_figure(_distribution(), "group", "title", target_days=7)
    assert [(t.type, t.name, t.line.shape) for t in figure.data] == [("scatter", "a", "hv"), ("scatter", "b", "hv")]


def test_lines_figure_has_a_line_per_series() -> None:
    frame = pd.DataFrame(
        {"series": ["IDVAs burnt out", "CMs burnt out"] * 3, "date": list(DATES) * 2, "value": [0.0, 1.0] * 3}
    )
    figure = lines_figure(frame, "series", "title", "y", dashed=["CMs burnt out"])
    assert [(t.name, t.line.dash) for t in figure.data] == [("IDVAs burnt out", "solid"), ("CMs burnt out", "dot")]


def test_differences_figure_has_a_panel_per_measure() -> None:
    frame = pd.DataFrame(
        {
            "measure": ["m1", "m1", "m2", "m2"],
            "scenario": ["B", "C", "B", "C"],
            "mean_difference": [1.0, -1.0, 0.1, 0.2],
            "ci_low": [0.5, -2, -0.1, 0.1],
            "ci_high": [1.5, 0, 0.3, 0.3],
            "clear": [True, False, False, True],
        }
    )
    figure = differences_figure(frame, "measure", "scenario", "title", order=["B", "C"])
    assert [t.name for t in figure.data] == ["m1", "m2"]
    assert list(figure.data[0].y) == ["B", "C"]
    assert list(figure.data[0].error_x.array) == pytest.approx([0.5, 1.0])


def test_target_figure_marks_guidance_and_the_chosen_level() -> None:
    points = pd.DataFrame(
        {"level": [1, 2, 3], "mean": [30.0, 20.0, 12.0], "ci_low": [28, 18, 10], "ci_high": [32, 22, 14]}
    )
    figure = target_figure(points, "level", "title", "Drive IDVAs", "Open cases", 20, "Guidance", 3, "chosen: 3")
    assert [t.name for t in figure.data] == ["Open cases", "Guidance", "chosen: 3"]
    assert list(figure.data[2].y) == [12.0]  # the star sits on the chosen level's mean
    assert [shape.x0 for shape in figure.layout.shapes] == [3]
    assert list(figure.layout.xaxis.tickvals) == [1, 2, 3]


def test_target_figure_without_guidance_or_choice() -> None:
    points = pd.DataFrame({"level": ["a", "b"], "mean": [0.5, 0.2], "ci_low": [0.4, 0.1], "ci_high": [0.6, 0.3]})
    figure = target_figure(points, "level", "title", "Point", "Chance", percent=True)
    assert [t.name for t in figure.data] == ["Chance"]
    assert figure.layout.xaxis.type == "category" and figure.layout.yaxis.tickformat == ".0%"


def _sweep_points() -> pd.DataFrame:
    """Staffing 1-2 x backdating 0/3 x referrals 60/120, the mean rising with referrals and backdating."""
    rows = []
    for point, (rate, months, count) in enumerate(
        (rate, months, count) for rate in (60, 120) for months in (0, 3) for count in (1, 2)
    ):
        mean = rate / 6 / count + months
        rows.append({"point": point, "count": count, "months": months, "rate": rate, "mean": mean,
                     "ci_low": mean - 1, "ci_high": mean + 1})  # fmt: skip
    return pd.DataFrame(rows)


def test_sweep_figure_draws_a_line_per_value_in_a_panel_per_value_and_never_joins_across() -> None:
    figure = sweep_figure(
        _sweep_points(), "count", "Caseload", "Drive IDVAs", "", series="months", series_title="Backdated months",
        facet="rate", facet_title="Referrals a year", guidance=20, guidance_label="Guidance: 20", chosen=5,
        chosen_label="Chosen",
    )  # fmt: skip
    lines = [t for t in figure.data if t.error_y.array is not None]
    assert len(lines) == 4 and all(list(t.x) == [1, 2] for t in lines)
    assert [t.name for t in figure.data if t.showlegend is not False] == ["0", "3", "Guidance: 20", "Chosen"]
    assert sorted(a.text for a in figure.layout.annotations) == ["Referrals a year: 120", "Referrals a year: 60"]
    star = figure.data[-1]
    assert star.marker.symbol == "star" and list(star.x) == [2] and star.xaxis == "x2"  # point 5 is rate 120
    assert figure.layout.legend.title.text == "Backdated months" and figure.layout.legend.yref == "container"


def test_a_one_factor_sweep_figure_is_one_line_with_its_intervals() -> None:
    points = _sweep_points().query("rate == 60 and months == 0")
    figure = sweep_figure(points, "count", "Caseload", "Drive IDVAs", "Open cases per FTE")
    assert len(figure.data) == 1 and list(figure.data[0].x) == [1, 2]
    assert figure.layout.xaxis.title.text == "Drive IDVAs"


def test_sweep_heatmap_writes_each_mean_in_its_cell_one_heatmap_per_panel() -> None:
    figure = sweep_heatmap(
        _sweep_points(), "count", "months", "Caseload", "Drive IDVAs", "Backdated months", "Open cases per FTE",
        guidance=20, facet="rate", facet_title="Referrals a year", chosen=0,
    )  # fmt: skip
    heatmaps = [t for t in figure.data if t.type == "heatmap"]
    assert len(heatmaps) == 2 and list(heatmaps[0].x) == ["1", "2"] and list(heatmaps[0].y) == ["0", "3"]
    assert list(heatmaps[0].text[0]) == ["10.0", "5.0"]  # rate 60, not backdated: 10 per FTE with one IDVA, 5 with two
    assert figure.layout.coloraxis.cmin <= 0 and figure.layout.coloraxis.cmax >= 40  # guidance in the middle
