"""Sweep figures: a line per value of one factor, panels for another, and heatmaps over two.

Split from :mod:`drive_sim.report.figures` (same template, colours and escaping) so each
module stays one job: the figures of one scenario and comparisons there, the figures of
a factorial sweep here. Drawing only, from frames :func:`drive_sim.report.data.sweep_values` prepares.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from drive_sim.report.figures import GUIDANCE_COLOUR, _colour, _layout, _legend_below, plain

__all__ = ["sweep_figure", "sweep_heatmap"]

#: Small multiples side by side before they wrap onto a new row.
FACET_COLUMNS = 3


def _facet_grid(facets: Sequence[object], facet_title: str, shared_y: bool = True) -> tuple[go.Figure, int, int]:
    """An empty figure with one panel per facet value (one panel when there are none)."""
    count = max(1, len(facets))
    columns = min(count, FACET_COLUMNS)
    rows = math.ceil(count / columns)
    titles = [plain(f"{facet_title}: {value}" if facet_title else value) for value in facets] if facets else None
    figure = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=titles,
        shared_yaxes=shared_y,
        horizontal_spacing=0.06 if columns > 1 else 0.0,
        vertical_spacing=min(0.3 / rows, 0.12) if rows > 1 else 0.0,
    )
    return figure, rows, columns


def _cell(position: int, columns: int) -> dict[str, int]:
    return {"row": position // columns + 1, "col": position % columns + 1}


def sweep_figure(
    points: pd.DataFrame,
    x: str,
    title: str,
    x_title: str,
    y_title: str,
    series: str | None = None,
    series_title: str = "",
    facet: str | None = None,
    facet_title: str = "",
    guidance: float | None = None,
    guidance_label: str = "Guidance",
    chosen: int | None = None,
    chosen_label: str = "Chosen",
    percent: bool = False,
    x_values: Sequence[object] | None = None,
) -> go.Figure:
    """A measure over a sweep: x the first factor, one line per value of ``series``, one panel per ``facet``.

    Points of different lines or panels are never joined: a line runs only along a
    numeric ``x`` with every other factor held; categories on ``x`` (structures, policies)
    are dots, as they have no order a line could follow.

    Args:
        points: Columns ``point, mean, ci_low, ci_high`` and the factor columns (see
            :func:`drive_sim.report.data.sweep_values`), one row per point.
        x: The factor on the x axis (numbers, or categories drawn in order of appearance).
        title: Chart title.
        x_title: X axis title (the factor in words).
        y_title: Y axis title.
        series: The factor drawn as one line per value, if any.
        series_title: Its words: the legend's title.
        facet: The factor drawn as one panel per value, if any.
        facet_title: Its words, in each panel's title.
        guidance: Dashed horizontal line in every panel.
        guidance_label: Legend entry of the guidance line.
        chosen: The ``point`` to mark with a green star.
        chosen_label: Legend entry of the star.
        percent: Show the measure as a percentage.
        x_values: The x values in order (default: as they appear).

    Returns:
        One trace per line and panel, a guidance trace per panel, the star.
    """
    facets = list(dict.fromkeys(points[facet])) if facet else []
    lines = list(dict.fromkeys(points[series])) if series else [None]
    figure, rows, columns = _facet_grid(facets, facet_title)
    numeric = pd.api.types.is_numeric_dtype(points[x])
    order = list(x_values) if x_values is not None else list(dict.fromkeys(points[x]))
    number = ".1%" if percent else ".2f"
    for panel, value in enumerate(facets or [None]):
        here = points if value is None else points[points[facet] == value]
        cell = _cell(panel, columns)
        for position, line in enumerate(lines):
            rows_of = here if line is None else here[here[series] == line]
            rows_of = rows_of.assign(_order=rows_of[x].map({v: k for k, v in enumerate(order)})).sort_values("_order")
            colour = _colour(position)
            name = plain(line) if line is not None else plain(f"{y_title or title}: mean and 95% CI")
            figure.add_trace(
                go.Scatter(
                    x=rows_of[x],
                    y=rows_of["mean"],
                    mode="lines+markers" if numeric else "markers",  # categories have no order to join
                    name=name,
                    legendgroup=f"line{position}",
                    showlegend=panel == 0,
                    line={"color": colour, "width": 2},
                    marker={"size": 7 if numeric else 10},
                    error_y={
                        "type": "data",
                        "symmetric": False,
                        "array": rows_of["ci_high"] - rows_of["mean"],
                        "arrayminus": rows_of["mean"] - rows_of["ci_low"],
                        "color": colour,
                        "thickness": 1.2,
                    },
                    hovertemplate=plain(x_title) + " %{x}: %{y:" + number + "}<extra>" + name + "</extra>",
                ),
                **cell,
            )
        if guidance is not None and len(order):
            figure.add_trace(
                go.Scatter(
                    x=[order[0], order[-1]],
                    y=[guidance, guidance],
                    mode="lines",
                    name=plain(guidance_label),
                    legendgroup="guidance",
                    showlegend=panel == 0,
                    line={"color": GUIDANCE_COLOUR, "dash": "dash", "width": 2},
                    hoverinfo="skip",
                ),
                **cell,
            )
    star = points[points["point"] == chosen] if chosen is not None else points.iloc[0:0]
    if len(star):
        panel = facets.index(star[facet].iloc[0]) if facet else 0
        figure.add_trace(
            go.Scatter(
                x=star[x],
                y=star["mean"],
                mode="markers",
                name=plain(chosen_label),
                marker={"symbol": "star", "size": 18, "color": "#1a7f37", "line": {"color": "white", "width": 1}},
                hoverinfo="skip",
            ),
            **_cell(panel, columns),
        )
    _layout(figure, title, "", "")
    figure.update_layout(
        hovermode="closest",
        margin={"t": 80 if facets else 60},
        legend_title_text=plain(series_title) if series else None,
    )
    figure.update_xaxes(title_text=plain(x_title), row=rows)
    figure.update_yaxes(title_text=plain(y_title), col=1)
    if facets:  # every panel on one scale, so panels compare at a glance
        figure.update_yaxes(matches="y")
        for panel in range(len(facets)):  # an x title under each column's lowest panel
            if panel + columns >= len(facets):
                figure.update_xaxes(title_text=plain(x_title), **_cell(panel, columns))
    if percent:
        figure.update_yaxes(tickformat=".0%")
    means = points["mean"].dropna()
    if len(means) and means.max() - means.min() <= 0.01 * max(abs(means.max()), 1e-9):
        figure.update_yaxes(rangemode="tozero")  # one value everywhere: show it from zero, not a sliver
    if numeric and 0 < len(order) <= 12:
        figure.update_xaxes(tickmode="array", tickvals=order)
    elif not numeric:
        figure.update_xaxes(type="category", categoryorder="array", categoryarray=[str(v) for v in order])
    for annotation in figure.layout.annotations:
        annotation.update(font={"size": 13})
    legend = _legend_below(figure, series_title if series else "")
    figure.update_layout(height=340 + 260 * (rows - 1) + legend)
    return figure


def sweep_heatmap(
    points: pd.DataFrame,
    x: str,
    y: str,
    title: str,
    x_title: str,
    y_title: str,
    value_title: str,
    guidance: float | None = None,
    facet: str | None = None,
    facet_title: str = "",
    chosen: int | None = None,
    chosen_label: str = "Chosen",
    digits: int = 1,
) -> go.Figure:
    """One measure over two factors: a cell per combination, coloured against guidance, its mean written in.

    Colour runs green (well within guidance) through pale yellow (at guidance) to red
    (twice guidance and beyond), so a reader sees where the line of guidance runs.

    Args:
        points: As :func:`sweep_figure`.
        x: The factor across.
        y: The factor up.
        title: Chart title.
        x_title: X axis title.
        y_title: Y axis title.
        value_title: The colour bar's title.
        guidance: The value coloured pale yellow (default: the middle of the values).
        facet: A third factor: one heatmap per value.
        facet_title: Its words.
        chosen: The ``point`` to mark with a green star.
        chosen_label: Legend entry of the star.
        digits: Digits written in each cell.
    """
    facets = list(dict.fromkeys(points[facet])) if facet else []
    figure, rows, columns = _facet_grid(facets, facet_title, shared_y=True)
    xs = [
        str(v)
        for v in dict.fromkeys(points.sort_values(x)[x] if pd.api.types.is_numeric_dtype(points[x]) else points[x])
    ]
    ys = [
        str(v)
        for v in dict.fromkeys(points.sort_values(y)[y] if pd.api.types.is_numeric_dtype(points[y]) else points[y])
    ]
    low, high = float(points["mean"].min()), float(points["mean"].max())
    middle = guidance if guidance is not None else (low + high) / 2
    top = max(high, 2 * middle) if guidance is not None else high
    bottom = min(low, 0.0) if guidance is not None else low
    span = max(top - bottom, 1e-9)
    at = min(max((middle - bottom) / span, 0.01), 0.99)
    scale = [
        [0.0, "#1a7f37"],
        [at * 0.5, "#9fd8a6"],
        [at, "#fff3bf"],
        [at + (1 - at) * 0.5, "#f08c3a"],
        [1.0, "#8c1c13"],
    ]
    for panel, value in enumerate(facets or [None]):
        here = (points if value is None else points[points[facet] == value]).assign(
            _x=lambda f: f[x].astype(str), _y=lambda f: f[y].astype(str)
        )
        grid = here.pivot_table(index="_y", columns="_x", values="mean", aggfunc="first").reindex(index=ys, columns=xs)
        text = [[_cell_text(v, digits) for v in row] for row in grid.to_numpy()]
        figure.add_trace(
            go.Heatmap(
                z=grid.to_numpy(),
                x=xs,
                y=ys,
                text=text,
                texttemplate="%{text}",
                textfont={"size": 13},
                coloraxis="coloraxis",
                hovertemplate=plain(x_title)
                + " %{x}<br>"
                + plain(y_title)
                + " %{y}<br>"
                + plain(value_title)
                + " %{z:."
                + str(digits)
                + "f}<extra></extra>",
                xgap=2,
                ygap=2,
            ),
            **_cell(panel, columns),
        )
    star = points[points["point"] == chosen] if chosen is not None else points.iloc[0:0]
    if len(star):
        panel = facets.index(star[facet].iloc[0]) if facet else 0
        figure.add_trace(
            go.Scatter(
                x=[str(star[x].iloc[0])],
                y=[str(star[y].iloc[0])],
                mode="markers",
                name=plain(chosen_label),
                marker={"symbol": "star-open", "size": 30, "color": "#1a7f37", "line": {"width": 3}},
                hoverinfo="skip",
                showlegend=True,
            ),
            **_cell(panel, columns),
        )
    _layout(figure, title, "", "")
    figure.update_layout(
        hovermode="closest",
        margin={"t": 80 if facets else 60},
        coloraxis={
            "colorscale": scale,
            "cmin": bottom,
            "cmax": top,
            "colorbar": {"title": {"text": plain(value_title), "side": "right"}, "thickness": 14},
        },
    )
    figure.update_xaxes(type="category", title_text=plain(x_title), row=rows)
    figure.update_yaxes(type="category", title_text=plain(y_title), col=1)
    if not pd.api.types.is_numeric_dtype(points[y]):  # categories read top down, in order; numbers rise
        figure.update_yaxes(autorange="reversed")
    for annotation in figure.layout.annotations:
        annotation.update(font={"size": 13})
    legend = _legend_below(figure)
    figure.update_layout(height=140 + rows * max(160, 46 * len(ys) + 40) + legend)
    return figure


def _cell_text(value: float, digits: int) -> str:
    """A cell's number, or a dash where the sweep has no value."""
    return "–" if value is None or pd.isna(value) else f"{value:,.{digits}f}"
