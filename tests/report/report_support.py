"""Constants shared by the report tests and their fixtures."""

REPLICATIONS = 3
#: A one-year run keeps the fixtures fast (a few seconds for all four folders).
SHORT = {"site.horizon_days": 364, "run.replications": REPLICATIONS}
HOSTILE_NAME = "<script>alert(1)</script>"
HOSTILE_DESCRIPTION = 'Two Drive IDVAs <img src=x onerror="alert(2)"> & "quotes"'


def dotted_paths(text: str) -> list[str]:
    """Scenario paths written as code (``backdating.months``, ``teams.idvas[0].count``) in ``text``."""
    import re

    from drive_sim.scenario import Scenario

    sections = "|".join(sorted(Scenario.model_fields, key=len, reverse=True))
    return re.findall(rf"\b(?:{sections})(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)+", text)


def page_figures(html: str) -> list[dict]:
    """Every plotly figure of a report page, as the JSON plotly.js draws (``data`` and ``layout``)."""
    import json
    import re

    decoder = json.JSONDecoder()
    figures = []
    for match in re.finditer(r'Plotly\.newPlot\(\s*"[^"]+",\s*', html):
        data, end = decoder.raw_decode(html, match.end())
        rest = re.match(r"\s*,\s*", html[end:])
        layout, _ = decoder.raw_decode(html, end + (rest.end() if rest else 0))
        figures.append({"data": data, "layout": layout})
    return figures


def figure_words(figure: dict) -> list[str]:
    """The words a reader sees on a figure: titles, axis titles, legend, panel titles, tick and category labels."""
    layout = figure["layout"]
    words = [layout.get("title", {}).get("text", ""), layout.get("legend", {}).get("title", {}).get("text", "")]
    for key, axis in layout.items():
        if key.startswith(("xaxis", "yaxis")):
            words.append(axis.get("title", {}).get("text", ""))
            words += [str(t) for t in axis.get("ticktext", []) + axis.get("categoryarray", [])]
    words += [a.get("text", "") for a in layout.get("annotations", [])]
    colour = layout.get("coloraxis", {}).get("colorbar", {}).get("title", {}).get("text", "")
    words.append(colour)
    for trace in figure["data"]:
        words.append(trace.get("name", ""))
        for axis in ("x", "y"):
            values = trace.get(axis, [])
            words += [v for v in values if isinstance(v, str)] if isinstance(values, list) else []
    return [w for w in words if w]
