"""Safe HTML building blocks for reports: text is escaped unless it is already markup.

Every string that reaches a page goes through :func:`tag` (or :func:`text`), which
escapes it, so a scenario named ``<script>alert(1)</script>`` shows as text. Only
:class:`Markup` (built here, or by plotly for a chart) passes through unescaped. The page
shell and its style sheet live in ``drive_sim/report/templates``.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from importlib import resources
from string import Template

import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

__all__ = [
    "Markup",
    "chart",
    "details",
    "fmt",
    "fmt_ci",
    "join",
    "page",
    "plotly_script",
    "status_mark",
    "table",
    "tag",
    "text",
]

_VOID = frozenset({"br", "hr", "img", "meta", "link", "input"})


class Markup(str):
    """A string that is already HTML: :func:`tag` does not escape it."""

    __slots__ = ()


def text(value: object) -> Markup:
    """Escape any value for use as HTML text or an attribute value."""
    if isinstance(value, Markup):
        return value
    return Markup(html.escape("" if value is None else str(value), quote=True))


def _children(children: Iterable[object]) -> Iterable[Markup]:
    for child in children:
        if child is None:
            continue
        if isinstance(child, str | int | float):
            yield text(child)
        else:  # a nested iterable of children
            yield from _children(child)  # type: ignore[arg-type]


def join(*children: object) -> Markup:
    """Concatenate children, escaping every plain string."""
    return Markup("".join(_children(children)))


def tag(name: str, *children: object, **attributes: object) -> Markup:
    """An element: ``tag("p", "a < b", class_="note")`` -> ``<p class="note">a &lt; b</p>``.

    Attribute names lose a trailing underscore (``class_``) and turn ``_`` into ``-``;
    ``True`` gives a bare attribute and ``None``/``False`` leaves it out.
    """
    parts = [name]
    for key, value in attributes.items():
        if value is None or value is False:
            continue
        key = key.rstrip("_").replace("_", "-")
        parts.append(key if value is True else f'{key}="{text(value)}"')
    if name in _VOID:
        return Markup(f"<{' '.join(parts)}>")
    return Markup(f"<{' '.join(parts)}>{join(*children)}</{name}>")


def fmt(value: float | None, digits: int = 1, percent: bool = False, money: bool = False) -> str:
    """A number for reading: ``–`` for missing, thousands separators, optional % or £."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if percent:
        return f"{100 * value:,.{digits}f}%"
    if money:
        return f"£{value:,.{digits}f}"
    return f"{value:,.{digits}f}"


def fmt_ci(low: float, high: float, digits: int = 1, percent: bool = False, money: bool = False) -> str:
    """``12.3–15.0`` (an en dash between the two ends), or empty when undefined."""
    if any(v is None or math.isnan(v) for v in (low, high)):
        return ""
    return f"{fmt(low, digits, percent, money)}–{fmt(high, digits, percent, money)}"


_STATUS = {
    "within": ("✔", "within", "Within guidance: the whole 95% CI is within it"),
    "borderline": ("≈", "borderline", "Borderline: the 95% CI spans guidance"),
    "above": ("✖", "above", "Above guidance: the whole 95% CI is above it"),
    "below": ("✖", "below", "Below guidance: the whole 95% CI is below it"),
    "met": ("✔", "met", "Meets the target"),
    "missed": ("✖", "not met", "Does not meet the target"),
    "undecided": ("?", "undecided", "Undecided: the bounds straddle the target after the replication budget"),
}


def status_mark(status: str) -> Markup:
    """A status badge with a symbol and a word, so it reads without colour; the full meaning on hover."""
    if not status:
        return Markup("")
    symbol, word, meaning = _STATUS[status]
    return tag("span", f"{symbol} {word}", class_=f"status status-{status}", title=meaning)


def table(
    header: Sequence[object],
    rows: Iterable[Sequence[object]],
    numeric: Sequence[bool] | None = None,
    caption: object = None,
    class_: str = "data",
    row_classes: Sequence[str | None] | None = None,
) -> Markup:
    """A table; cells are escaped unless they are :class:`Markup`."""
    numeric = list(numeric or [False] * len(header))

    def cell(kind: str, value: object, position: int) -> Markup:
        return tag(kind, value, class_="num" if numeric[position] else None)

    head = tag("thead", tag("tr", [cell("th", h, k) for k, h in enumerate(header)]))
    rows = list(rows)
    classes = list(row_classes or [None] * len(rows))
    body = tag(
        "tbody",
        [
            tag("tr", [cell("td", v, k) for k, v in enumerate(row)], class_=c)
            for row, c in zip(rows, classes, strict=True)
        ],
    )
    return tag("table", tag("caption", caption) if caption is not None else None, head, body, class_=class_)


def details(summary: object, *children: object, open_: bool = False) -> Markup:
    return tag("details", tag("summary", summary), *children, open=open_)


def chart(figure: go.Figure, chart_id: str, caption: object = None) -> Markup:
    """A plotly figure as a ``<figure>``; plotly.js itself is loaded once by the page."""
    # plotly writes the figure as JSON with "<", ">" and "/" escaped, so names in it are safe.
    div = pio.to_html(
        figure,
        include_plotlyjs=False,
        full_html=False,
        div_id=chart_id,
        default_height=f"{figure.layout.height or 420}px",
        config={"displaylogo": False, "responsive": True},
    )
    return tag("figure", Markup(div), tag("figcaption", caption) if caption is not None else None, class_="chart")


def plotly_script(cdn: bool) -> Markup:
    """plotly.js embedded once (works offline), or a link to the CDN copy (small files)."""
    if cdn:
        from plotly.io._utils import plotly_cdn_url  # plotly's own choice of URL for its version

        return Markup(f'<script charset="utf-8" src="{text(plotly_cdn_url())}"></script>')
    return Markup(f'<script type="text/javascript">{get_plotlyjs()}</script>')


def _template(name: str) -> str:
    return resources.files("drive_sim.report").joinpath("templates", name).read_text(encoding="utf-8")


def page(title: str, body: Markup, cdn: bool = False) -> str:
    """The whole self-contained page: style sheet, plotly.js and the body."""
    shell = Template(_template("report.html"))
    return shell.substitute(
        title=text(title),
        style=Markup(_template("report.css")),
        plotly=plotly_script(cdn),
        body=body,
    )
