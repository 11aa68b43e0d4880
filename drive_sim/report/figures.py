"""Prepared frames -> plotly figures. Drawing only: no data preparation, no file access.

Each builder takes a frame from :mod:`drive_sim.report.data` (already aggregated across
replications) and the words to show, and returns a :class:`plotly.graph_objects.Figure`.
Display words come from the caller (the report layer); series names taken from the data
(scenario and practitioner names) are user text, so they are escaped here before plotly
reads them as its small subset of HTML.
"""

from __future__ import annotations

import copy
import functools
import html
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.colors import qualitative
from plotly.subplots import make_subplots

__all__ = [
    "band_figure",
    "delay_cdf_figure",
    "delay_histogram_figure",
    "differences_figure",
    "lines_figure",
    "target_figure",
    "workload_heatmap",
]

PALETTE: tuple[str, ...] = tuple(qualitative.Safe) + tuple(qualitative.Vivid)
GUIDANCE_COLOUR = "#b42318"
FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"


def plain(value: object) -> str:
    """User text for plotly, which reads labels as HTML: ``<`` shows as ``<``, never as a tag."""
    return html.escape(str(value), quote=False)


def _colour(position: int) -> str:
    return PALETTE[position % len(PALETTE)]


def _rgba(colour: str, alpha: float) -> str:
    if colour.startswith("rgb("):
        return colour.replace("rgb(", "rgba(").replace(")", f",{alpha})")
    colour = colour.lstrip("#")
    red, green, blue = (int(colour[k : k + 2], 16) for k in (0, 2, 4))
    return f"rgba({red},{green},{blue},{alpha})"


#: The template every chart uses.
TEMPLATE = "plotly_white"


@functools.cache
def _template() -> go.layout.Template:
    """:data:`TEMPLATE` validated once: the copy ``update_layout(template=name)`` would make per chart."""
    return copy.deepcopy(pio.templates[TEMPLATE])


def _use_template(figure: go.Figure) -> None:
    """Give ``figure`` the :data:`TEMPLATE`, as plotly gives a new figure its default template.

    ``update_layout(template=name)`` deep-copies the registered template, validating the
    copy property by property, for every chart (about 40 ms each). The copy is made once
    (:func:`_template`) and assigned with validation off for that one property, as
    plotly's ``_initialize_layout_template`` assigns ``pio.templates.default``: the
    figure's JSON is the same to the byte.
    """
    layout = figure.layout
    validate = layout._validate
    layout._validate = False
    try:
        layout.template = _template()
    finally:
        layout._validate = validate


def _layout(figure: go.Figure, title: str, x_title: str, y_title: str, height: int = 420) -> go.Figure:
    _use_template(figure)
    figure.update_layout(
        title={"text": plain(title), "x": 0, "xanchor": "left", "font": {"size": 16}},
        xaxis_title=plain(x_title),
        yaxis_title=plain(y_title),
        height=height,
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        font={"family": FONT, "size": 13},
        hovermode="x unified",
    )
    figure.update_layout(height=height + _legend_below(figure))
    return figure


def _legend_below(figure: go.Figure, title: str = "", width: float = 760) -> int:
    """Put the legend at the foot of the figure, under the x axis title, and make room for it.

    Plotly places a legend below the plot at a fraction of the plot's height, where the
    axis title may already be; anchored to the figure's own bottom edge (``yref =
    "container"``) with the bottom margin grown by its estimated rows, it never overlaps.
    Rows are estimated for a chart ``width`` pixels wide (narrower than a report's).

    Returns:
        The pixels added for the legend (add them to the figure's height).
    """
    entries = [t.name or "" for t in figure.data if t.showlegend is not False and t.name]
    entries = list(dict.fromkeys(entries))
    if not entries:
        figure.update_layout(showlegend=False)
        return 0
    rows, used = 1, (8 * len(title) + 12 if title else 0)
    for text in entries:
        needed = 48 + 7.2 * len(html.unescape(text))
        if used and used + needed > width:
            rows, used = rows + 1, 0
        used += needed
    height = 22 * rows + 12
    titled = any(figure.layout[key].title.text for key in figure.layout if key.startswith("xaxis"))
    figure.update_layout(
        showlegend=True,
        legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0, "xanchor": "left"},
        margin_b=(72 if titled else 44) + height,
    )
    return height


def _series(frame: pd.DataFrame, column: str, order: Sequence[str] | None) -> list[str]:
    present = list(dict.fromkeys(frame[column]))
    return [name for name in order if name in present] if order is not None else present


def band_figure(
    bands: pd.DataFrame,
    series: str,
    title: str,
    y_title: str,
    guidance: float | None = None,
    guidance_label: str = "Guidance",
    order: Sequence[str] | None = None,
    x: str = "date",
    x_title: str = "",
) -> go.Figure:
    """A median line and a shaded 10-90% band per series, and a guidance line.

    Args:
        bands: Columns ``series, x, low, median, high`` (see
            :func:`drive_sim.report.data.caseload_bands`).
        series: The column naming each line (practitioner or scenario).
        title: Chart title.
        y_title: Y axis title.
        guidance: Draws a dashed horizontal line at this value.
        guidance_label: Legend entry of the guidance line.
        order: Series in this order (default: order of appearance).
        x: The column on the x axis.
        x_title: X axis title.

    Returns:
        Three traces per series (band top, band bottom filled up to the top, median),
        then one guidance trace if ``guidance`` is given.
    """
    figure = go.Figure()
    for position, name in enumerate(_series(bands, series, order)):
        rows = bands[bands[series] == name]
        colour, group = _colour(position), f"s{position}"
        figure.add_trace(
            go.Scatter(
                x=rows[x],
                y=rows["high"],
                mode="lines",
                line={"width": 0},
                legendgroup=group,
                showlegend=False,
                hoverinfo="skip",
                name=plain(f"{name} 90th percentile"),
            )
        )
        figure.add_trace(
            go.Scatter(
                x=rows[x],
                y=rows["low"],
                mode="lines",
                line={"width": 0},
                fill="tonexty",
                fillcolor=_rgba(colour, 0.18),
                legendgroup=group,
                showlegend=False,
                hoverinfo="skip",
                name=plain(f"{name} 10th percentile"),
            )
        )
        figure.add_trace(
            go.Scatter(
                x=rows[x],
                y=rows["median"],
                mode="lines",
                line={"color": colour, "width": 2},
                legendgroup=group,
                name=plain(name),
                hovertemplate="%{y:.1f}",
            )
        )
    if guidance is not None and len(bands):
        ends = [bands[x].min(), bands[x].max()]
        figure.add_trace(
            go.Scatter(
                x=ends,
                y=[guidance, guidance],
                mode="lines",
                name=plain(guidance_label),
                line={"color": GUIDANCE_COLOUR, "dash": "dash", "width": 2},
                hoverinfo="skip",
            )
        )
    return _layout(figure, title, x_title, y_title)


def workload_heatmap(
    matrix: pd.DataFrame,
    row: str,
    title: str,
    threshold: float,
    x: str = "date",
    order: Sequence[str] | None = None,
    zmax: float = 2.0,
) -> go.Figure:
    """Workload ratio per row (practitioner) and week, one heatmap trace.

    Colour runs white (no work) to amber at 1 (hours asked = hours available) to red at
    ``threshold`` (the burnout threshold) and beyond, capped at ``zmax``.
    """
    rows = _series(matrix, row, order)
    grid = matrix.pivot_table(index=row, columns=x, values="ratio", aggfunc="first", sort=False).reindex(rows)
    one, hot = min(1.0 / zmax, 1.0), min(threshold / zmax, 1.0)
    scale = [[0.0, "#f7f9fc"], [one * 0.6, "#cfe3f3"], [one, "#ffe08a"], [hot, "#f08c3a"], [1.0, "#8c1c13"]]
    figure = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(),
            x=list(grid.columns),
            y=[plain(name) for name in grid.index],
            zmin=0,
            zmax=zmax,
            colorscale=scale,
            colorbar={"title": {"text": "hours asked<br>÷ available"}},
            hovertemplate="%{y}<br>week of %{x|%d %b %Y}<br>workload %{z:.2f}<extra></extra>",
        )
    )
    _layout(figure, title, "", "", height=140 + 26 * len(rows))
    figure.update_layout(hovermode="closest", margin={"l": 20})
    figure.update_yaxes(autorange="reversed", automargin=True)
    return figure


def delay_histogram_figure(
    distribution: pd.DataFrame,
    group: str | None,
    title: str,
    target_days: float,
    max_days: int,
    order: Sequence[str] | None = None,
) -> go.Figure:
    """Share of clients by whole days waited for first contact: one bar trace per group."""
    figure = go.Figure()
    names = _series(distribution, group, order) if group else [None]
    for position, name in enumerate(names):
        rows = distribution if name is None else distribution[distribution[group] == name]
        figure.add_trace(
            go.Bar(
                x=rows["days"],
                y=rows["share"],
                name=plain(name if name is not None else "Clients"),
                marker_color=_colour(position),
                hovertemplate="%{y:.1%}",
            )
        )
    _target_line(figure, target_days)
    _layout(
        figure, title, f"Days from acceptance to first contact ({max_days} = {max_days} or more)", "Share of clients"
    )
    figure.update_layout(barmode="group", yaxis_tickformat=".0%")
    return figure


def delay_cdf_figure(
    distribution: pd.DataFrame, group: str, title: str, target_days: float, order: Sequence[str] | None = None
) -> go.Figure:
    """Share of clients contacted within N days: one step line per group."""
    figure = go.Figure()
    for position, name in enumerate(_series(distribution, group, order)):
        rows = distribution[distribution[group] == name]
        figure.add_trace(
            go.Scatter(
                x=rows["days"],
                y=rows["cumulative_share"],
                mode="lines",
                line_shape="hv",
                line={"color": _colour(position), "width": 2},
                name=plain(name),
                hovertemplate="%{y:.0%}",
            )
        )
    _target_line(figure, target_days)
    _layout(figure, title, "Days from acceptance to first contact", "Share of clients contacted")
    figure.update_layout(yaxis_tickformat=".0%", yaxis_range=[0, 1.02])
    return figure


def _target_line(figure: go.Figure, target_days: float) -> None:
    figure.add_vline(x=target_days, line={"color": GUIDANCE_COLOUR, "dash": "dash"})
    figure.add_annotation(
        x=target_days,
        y=1,
        yref="paper",
        text=f"target: {target_days:g} days",
        showarrow=False,
        xanchor="left",
        yanchor="bottom",
        font={"color": GUIDANCE_COLOUR},
    )


def lines_figure(
    frame: pd.DataFrame,
    series: str,
    title: str,
    y_title: str,
    x: str = "date",
    y: str = "value",
    order: Sequence[str] | None = None,
    dashed: Sequence[str] = (),
) -> go.Figure:
    """One line per series (e.g. IDVAs burnt out, posts vacant); ``dashed`` series drawn dashed."""
    figure = go.Figure()
    for position, name in enumerate(_series(frame, series, order)):
        rows = frame[frame[series] == name]
        figure.add_trace(
            go.Scatter(
                x=rows[x],
                y=rows[y],
                mode="lines",
                name=plain(name),
                hovertemplate="%{y:.2f}",
                line={"color": _colour(position), "width": 2, "dash": "dot" if name in dashed else "solid"},
            )
        )
    return _layout(figure, title, "", y_title)


def warmup_figure(series: pd.DataFrame, launch_end: object, warmup_end: object, warmup_label: str) -> go.Figure:
    """The weekly open IDVA cases (mean and 10-90% band across replications) with both windows marked.

    Args:
        series: Columns ``date, low, mean, high``.
        launch_end: Where the launch window ends (an x value).
        warmup_end: Where the steady window starts (an x value), or ``None``.
        warmup_label: Words for the warm-up line.
    """
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(x=series["date"], y=series["high"], mode="lines", line={"width": 0}, showlegend=False,
                   hoverinfo="skip")
    )  # fmt: skip
    figure.add_trace(
        go.Scatter(
            x=series["date"], y=series["low"], mode="lines", line={"width": 0}, fill="tonexty",
            fillcolor="rgba(31, 119, 180, 0.18)", name="10th to 90th percentile", hoverinfo="skip",
        )
    )  # fmt: skip
    figure.add_trace(
        go.Scatter(x=series["date"], y=series["mean"], mode="lines", name="Mean over replications",
                   line={"color": _colour(0), "width": 2}, hovertemplate="%{y:.1f}")
    )  # fmt: skip
    figure.add_vrect(x0=series["date"].iloc[0], x1=launch_end, fillcolor="rgba(180, 35, 24, 0.06)", line_width=0)
    figure.add_vline(x=launch_end, line={"color": GUIDANCE_COLOUR, "dash": "dot", "width": 1})
    if warmup_end is not None:
        figure.add_vline(x=warmup_end, line={"color": "#1a7f37", "dash": "dash", "width": 2})
        figure.add_annotation(
            x=warmup_end,
            y=1,
            yref="paper",
            text=plain(warmup_label),
            showarrow=False,
            xanchor="left",
            yanchor="top",
            font={"size": 11, "color": "#1a7f37"},
        )
    # fmt: skip
    return _layout(figure, "Open IDVA cases at the site each week: launch and warm-up", "", "Open cases (all IDVAs)")


def differences_figure(
    differences: pd.DataFrame, measure: str, scenario: str, title: str, order: Sequence[str] | None = None
) -> go.Figure:
    """Paired differences from the baseline with 95% CIs: one panel (and trace) per measure.

    Args:
        differences: Columns ``measure, scenario, mean_difference, ci_low, ci_high,
            clear`` (the measure column holds display labels).
        measure: Column naming the measure (one panel each, in order of appearance).
        scenario: Column naming the scenario (one row in each panel).
        title: Chart title.
        order: Scenarios top to bottom.
    """
    measures = list(dict.fromkeys(differences[measure]))
    scenarios = _series(differences, scenario, order)
    # Pixels, not fractions: a panel's title must clear the tick labels of the panel above.
    panel_px, gap_px = 26 + 24 * len(scenarios), 62
    plot_px = len(measures) * panel_px + (len(measures) - 1) * gap_px
    figure = make_subplots(
        rows=len(measures),
        cols=1,
        subplot_titles=[plain(m) for m in measures],
        vertical_spacing=gap_px / plot_px if len(measures) > 1 else 0.0,
    )
    for position, name in enumerate(measures, start=1):
        rows = differences[differences[measure] == name].set_index(scenario).reindex(scenarios)
        clear = rows["clear"].fillna(False).astype(bool)
        figure.add_trace(
            go.Scatter(
                x=rows["mean_difference"],
                y=[plain(s) for s in scenarios],
                mode="markers",
                name=plain(name),
                showlegend=False,
                marker={
                    "size": 10,
                    "color": [_colour(0) if c else "white" for c in clear],
                    "line": {"color": _colour(0), "width": 2},
                },
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": rows["ci_high"] - rows["mean_difference"],
                    "arrayminus": rows["mean_difference"] - rows["ci_low"],
                    "color": _colour(0),
                },
                hovertemplate="%{y}: %{x:+.2f}<extra></extra>",
            ),
            row=position,
            col=1,
        )
        figure.add_vline(x=0, line={"color": "#5b6475", "width": 1}, row=position, col=1)
    _layout(figure, title, "", "", height=plot_px + 60 + 50)
    figure.update_layout(hovermode="closest", margin={"l": 20})
    figure.update_yaxes(autorange="reversed", automargin=True)
    return figure


def target_figure(
    points: pd.DataFrame,
    level: str,
    title: str,
    x_title: str,
    y_title: str,
    guidance: float | None = None,
    guidance_label: str = "Guidance",
    chosen: object = None,
    chosen_label: str = "Chosen",
    percent: bool = False,
    name: str | None = None,
) -> go.Figure:
    """A measure against staffing level: mean with its interval per level, guidance and the chosen level.

    Args:
        points: Columns ``level, mean, ci_low, ci_high`` (one row per level, in order).
        level: The column holding the level (x axis): numbers, or labels for a category axis.
        title: Chart title.
        x_title: X axis title.
        y_title: Y axis title.
        guidance: Dashed horizontal line.
        guidance_label: Legend entry of the guidance line.
        chosen: The chosen level: a vertical line and a star.
        chosen_label: Legend entry of the star (for example the level and its cost).
        percent: Show the measure as a percentage.
        name: Legend entry of the measure (default: ``y_title``).

    Returns:
        One trace for the measure, one for guidance when given, and one star for the
        chosen level when given.
    """
    figure = go.Figure(
        go.Scatter(
            x=points[level],
            y=points["mean"],
            mode="lines+markers",
            name=plain(name or y_title),
            line={"color": _colour(0), "width": 2},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": points["ci_high"] - points["mean"],
                "arrayminus": points["mean"] - points["ci_low"],
            },
            hovertemplate="%{x}: %{y:" + (".1%" if percent else ".2f") + "}<extra></extra>",
        )
    )
    if guidance is not None and len(points):
        ends = points[level].iloc[[0, -1]].tolist()
        figure.add_trace(
            go.Scatter(
                x=ends,
                y=[guidance, guidance],
                mode="lines",
                name=plain(guidance_label),
                line={"color": GUIDANCE_COLOUR, "dash": "dash", "width": 2},
                hoverinfo="skip",
            )
        )
    at_chosen = points[points[level] == chosen]
    if chosen is not None and len(at_chosen):
        figure.add_vline(x=chosen, line={"color": "#1a7f37", "width": 1, "dash": "dot"})
        figure.add_trace(
            go.Scatter(
                x=at_chosen[level],
                y=at_chosen["mean"],
                mode="markers",
                name=plain(chosen_label),
                marker={"symbol": "star", "size": 18, "color": "#1a7f37"},
                hoverinfo="skip",
            )
        )
    _layout(figure, title, x_title, y_title, height=340)
    figure.update_layout(hovermode="closest")
    if percent:
        figure.update_yaxes(tickformat=".0%")
    numeric = pd.api.types.is_numeric_dtype(points[level])
    if numeric and 0 < len(points) <= 12:
        figure.update_xaxes(tickmode="array", tickvals=points[level].tolist())
    elif not numeric:
        figure.update_xaxes(type="category")
    return figure
