"""The explorer: one offline page over a precomputed grid of what-ifs (``drive-sim explore``).

A planner picks a structure and moves the staffing, referrals and backdating controls;
the page looks the point up in data embedded in it (no simulation, no server) and shows
the headline measures against guidance with 95% CIs and status marks, the annual cost,
the IDVA FTE Drive adds, the Drive IDVAs' open cases over time, and the cheapest
structure and staffing meeting the targets at the chosen referrals and backdating.

:func:`grid_data` prepares everything from the results folder alone (apart from drawing,
as the other pages do), so ``drive-sim report`` rebuilds the page. Numbers are rounded to
the digits shown, so the page shows exactly what :func:`~drive_sim.report.html.fmt`
would; the JSON is embedded with ``<``, ``>`` and ``&`` escaped, so no text in it (a
scenario's name) can end the script element.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from drive_sim.analysis.kpis import KPI_INFO
from drive_sim.report.data import headline_rows, is_share, scorecard
from drive_sim.report.html import Markup, join, page, status_mark, tag
from drive_sim.report.labels import HEADLINE
from drive_sim.report.method import assumptions_section, method_section, parameter_rows
from drive_sim.report.parts import run_seconds
from drive_sim.report.words import choose, years_text
from drive_sim.runs.explore import (
    BLOCK_WEEKS,
    SERIES_KPI,
    STAFFING_AXIS,
    point_summary,
    series_band,
    staffing_meanings,
)
from drive_sim.runs.store import SavedResults, atomic_write_text, load_results
from drive_sim.runs.sweep import SCENARIO_AXIS

__all__ = [
    "EXPLORER_NAME",
    "KEY_PARAMETERS",
    "PAGE_BUDGET_BYTES",
    "build_explorer",
    "embed_json",
    "explorer_page",
    "grid_data",
]

EXPLORER_NAME = "explorer.html"
#: The most the page may weigh (plotly.js embedded is about 4.6 MB of it).
PAGE_BUDGET_BYTES = 8_000_000
#: The assumed values a planner should see beside the numbers, in reading order.
KEY_PARAMETERS = (
    "site.horizon_days",
    "hours.contracted_hours_per_week",
    "hours.productive_share",
    "case_mix.client_response.support",
    "case_mix.client_response.unreachable",
    "durations.cm_intervention_days",
    "durations.non_drive_case_days",
    "hours.idva.support_hours_per_week",
    "hours.first_contact.answer_probability",
    "policies.gate",
    "policies.engagement.base_probability",
    "workforce.idva_attrition.annual_turnover",
    "guidance.idva_open_cases_per_fte",
    "guidance.cm_open_cases_per_fte",
    "guidance.first_contact_days",
    "costs.idva_salary",
    "costs.on_cost_multiplier",
)
_AXIS_LABELS = {
    SCENARIO_AXIS: "Structure",
    STAFFING_AXIS: "Drive IDVA staffing",
    "referrals.annual_rate": "Drive referrals a year",
    "backdating.months": "Backdating at launch (months)",
}
#: How the cheapest-structure sentence names an axis's value (``{v}``).
_AXIS_PHRASES = {
    "referrals.annual_rate": "{v} Drive referrals a year",
    "backdating.months": "{v} months of backdating at launch",
}
_STATUS_CODES = {"within": "w", "borderline": "b", "above": "a", "below": "l", "": ""}
#: The three targets of the sweep and size pages (:func:`drive_sim.report.data.scorecard`).
_TARGETS = ("idva_caseload", "first_contact", "cm_caseload")


def _number(value: Any, digits: int) -> float | None:
    """A value rounded to the digits the page shows (``None`` for a missing one)."""
    if value is None or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    rounded = round(float(value), digits)
    return int(rounded) if digits <= 0 else rounded


def _shown_digits(share: bool, digits: int) -> int:
    """Digits of the stored value: a share is shown as a whole percentage (as ``headline_table`` does)."""
    return 2 if share else digits


def _measures() -> list[dict[str, Any]]:
    measures = []
    for item in HEADLINE:
        measures.append(
            {
                "label": item.label.removesuffix(" (share)"),
                "kpi": item.kpi,
                "scope": item.scope,
                "digits": item.digits,
                "money": KPI_INFO.get(item.kpi, ("",))[0].startswith("GBP"),
            }
        )
    return measures


def _point_record(
    own: pd.DataFrame, scenario: Any, label: str, measures: Sequence[Mapping[str, Any]]
) -> tuple[dict[str, Any], list[float | None]]:
    """One point's numbers: every headline measure, cost, Drive-added FTE, and targets met on the CI."""
    rows = {(r["kpi"], r["scope"]): r for r in headline_rows(own, scenario).to_dict("records")}
    values: list[list[Any] | None] = []
    guidance: list[float | None] = []
    for measure in measures:
        row = rows.get((measure["kpi"], measure["scope"]))
        if row is None:
            values.append(None)
            guidance.append(None)
            continue
        digits = _shown_digits(bool(row["share"]), int(row["digits"]))
        values.append(
            [
                _number(row["mean"], digits),
                _number(row["ci_low"], digits),
                _number(row["ci_high"], digits),
                _STATUS_CODES[row["status"]],
            ]
        )
        g = row["guidance"]
        guidance.append(None if g is None or pd.isna(g) else float(g))
    index = {(r["kpi"], r["scope"]): r for r in own.to_dict("records")}
    cost = index.get(("annual_staff_cost", "site"), {}).get("mean")
    added = index.get(("drive_added_fte", "site"), {})
    card = scorecard(own.assign(label=label), [label], [scenario], key="label").iloc[0]
    met = sum(card[f"{name}_status"] == "within" for name in _TARGETS)
    record = {
        "k": values,
        "c": _number(cost, 0),
        "a": [_number(added.get(key), 2) for key in ("mean", "ci_low", "ci_high")],
        "t": int(met),
        "caseload": float(card["idva_caseload_mean"]),
    }
    return record, guidance


def grid_data(results: SavedResults) -> dict[str, Any]:
    """Everything the page shows, from the results folder alone (steady-state window).

    Returns:
        ``axes`` (path, label, values; structure first, varying slowest: a point's
        position is its axes' positions in row-major order), ``structures`` (title,
        description, what the staffing axis counts), ``measures`` (the headline KPIs of
        :data:`drive_sim.report.labels.HEADLINE`, their guidance per ``guidances`` entry),
        ``points`` (per point: ``k`` each measure's mean, CI low, CI high and status
        code, rounded to the digits shown; ``c`` annual cost; ``a`` Drive-added FTE and
        its CI; ``t`` targets met on the CI; ``g`` its guidance entry; ``s`` the open
        cases per FTE series: means, 10th and 90th percentiles across replications, one
        per block of ``block_weeks`` weeks), and ``cheapest`` (per combination of the
        axes other than structure and staffing, the point to recommend or ``None``).
    """
    manifest = results.manifest
    if manifest.get("status", "complete") != "complete":
        raise ValueError(f"{results.folder}: the grid has not finished; re-run the same explore command to complete it")
    axes = [
        {
            "path": a["path"],
            "label": _AXIS_LABELS.get(a["path"], a["path"]),
            "phrase": _AXIS_PHRASES.get(a["path"], f"{a['path']} = {{v}}"),
            "values": list(a["values"]),
        }
        for a in manifest["axes"]
    ]
    labels = results.labels
    summary = results.table("summary")
    if summary is None:
        raise FileNotFoundError(f"{results.folder}: no summary table")
    by_point = point_summary(summary)
    band = series_band(results.kpis_where(kpis=[SERIES_KPI]))  # the series rows only, filtered as read
    series = {int(point): frame for point, frame in band.groupby("point", sort=True)}
    measures = _measures()
    guidances: list[list[float | None]] = []
    points: list[dict[str, Any]] = []
    for position, (label, scenario) in enumerate(zip(labels, results.scenarios, strict=True)):
        own = by_point.get(position, summary.iloc[0:0].drop(columns="point"))
        record, guidance = _point_record(own, scenario, label, measures)
        if guidance not in guidances:
            guidances.append(guidance)
        record["g"] = guidances.index(guidance)
        frame = series.get(position)
        record["s"] = (
            [[_number(v, 1) for v in frame[column]] for column in ("mean", "low", "high")]
            if frame is not None
            else [[], [], []]
        )
        points.append(record)
    meanings = staffing_meanings(results)
    first_of = representative_points(results)
    structures = []
    for name in axes[0]["values"]:
        scenario = results.scenarios[first_of.get(str(name), 0)]
        structures.append(
            {
                "name": str(name),
                "title": scenario.site.name,
                "description": scenario.site.description,
                "staffing": meanings.get(str(name), {}).get("meaning", ""),
            }
        )
    return {
        "axes": axes,
        "structures": structures,
        "measures": [{k: m[k] for k in ("label", "digits", "money")} | {"share": _is_share(m)} for m in measures],
        "guidances": guidances,
        "points": [{k: v for k, v in p.items() if k != "caseload"} for p in points],
        "cheapest": _cheapest(axes, points),
        "block_weeks": BLOCK_WEEKS,
        "replications": manifest.get("replications"),
        "seed": (manifest.get("seeds") or [None])[0],
    }


def representative_points(results: SavedResults) -> dict[str, int]:
    """Per structure, the point standing for it: staffing as in its file if the grid has it, else its first."""
    meanings = staffing_meanings(results)
    points = results.table("points")
    first: dict[str, int] = {}
    as_given: dict[str, int] = {}
    for row in [] if points is None else points.to_dict("records"):
        name = str(row[SCENARIO_AXIS])
        first.setdefault(name, int(row["point"]))
        if row.get(STAFFING_AXIS) == meanings.get(name, {}).get("as_given"):
            as_given.setdefault(name, int(row["point"]))
    return {name: as_given.get(name, point) for name, point in first.items()}


def _is_share(measure: Mapping[str, Any]) -> bool:
    return bool(is_share(measure["kpi"]))


def _cheapest(axes: Sequence[Mapping[str, Any]], points: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """Per combination of the axes after structure and staffing: ``[point, meets all]``.

    The rule of the sweep page (:func:`drive_sim.report.words.choose`: the cheapest point
    meeting all three targets, ties to the lower IDVA caseload), with each target met only
    when its whole 95% CI is within guidance. Where none meets them all, the point is the
    closest (most targets met, then the lowest IDVA caseload) and ``meets all`` is false.
    """
    sizes = [len(a["values"]) for a in axes]
    fixed = 2 if len(axes) > 1 and axes[1]["path"] == STAFFING_AXIS else 1
    inner = math.prod(sizes[fixed:])
    out: dict[str, list[Any]] = {}
    for rest in range(inner):
        members = [outer * inner + rest for outer in range(math.prod(sizes[:fixed]))]
        cards = pd.DataFrame(
            {
                "targets_met": [points[m]["t"] for m in members],
                "cost": [points[m]["c"] if points[m]["c"] is not None else math.inf for m in members],
                "idva_caseload_mean": [points[m]["caseload"] for m in members],
            }
        )
        position, meets_all = choose(cards)
        key = ",".join(str(v) for v in _unravel(rest, sizes[fixed:]))
        out[key] = [members[position] if position is not None else None, bool(meets_all)]
    return out


def _unravel(index: int, sizes: Sequence[int]) -> list[int]:
    positions = []
    for size in reversed(sizes):
        positions.append(index % size)
        index //= size
    return list(reversed(positions))


def embed_json(value: Any) -> Markup:
    """JSON safe inside ``<script type="application/json">``: ``<``, ``>`` and ``&`` as unicode escapes."""
    raw = json.dumps(value, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
    return Markup(raw.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


# --------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------


def _controls(data: Mapping[str, Any]) -> Markup:
    items = []
    for position, axis in enumerate(data["axes"]):
        control_id = f"axis-{position}"
        if axis["path"] == SCENARIO_AXIS:
            options = [
                tag("option", s["title"], value=str(k), selected=(k == 0)) for k, s in enumerate(data["structures"])
            ]
            control = tag("select", options, id=control_id, data_axis=str(position))
        else:
            control = tag(
                "input",
                type="range",
                id=control_id,
                min="0",
                max=str(len(axis["values"]) - 1),
                step="1",
                value="0",
                data_axis=str(position),
                aria_describedby=f"{control_id}-value",
            )
        items.append(
            tag(
                "div",
                tag("label", axis["label"], for_=control_id),
                control,
                tag("output", "", id=f"{control_id}-value", for_=control_id, hidden=axis["path"] == SCENARIO_AXIS),
                class_="control",
            )
        )
    return tag("form", items, class_="controls", id="controls", aria_label="Choose a what-if")


def _key_assumptions(results: SavedResults, first: Any) -> Markup:
    rows = {row["path"]: row for row in parameter_rows(first)}
    items = []
    for path in KEY_PARAMETERS:
        row = rows.get(path)
        if row is None:
            continue
        badge = tag("span", "assumption", class_="tag-assumption") if row["assumption"] else tag("span", "cited")
        items.append(tag("li", tag("code", path), " = ", row["value"], " ", badge, ": ", row["source"] or "–"))
    return tag("ul", items, class_="assumptions")


def _stated(results: SavedResults, data: Mapping[str, Any]) -> Markup:
    base = results.scenarios[0]
    points, reps = len(data["points"]), data["replications"]
    return tag(
        "p",
        f"{points} what-ifs, each run {reps} time{'' if reps == 1 else 's'} "
        f"({years_text(base.site.horizon_days)} from launch, "
        f"seed {data['seed']}, every what-if on the same simulated cases: common random numbers). Measures are the "
        "steady state, after a warm-up chosen in each replication by MSER-5. A 95% CI covers the randomness between "
        "replications only, as if every assumed value were known: with few replications the intervals are wide, "
        "and a what-if whose interval spans a target is marked borderline.",
    )


_STYLE = """
form.controls { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px 24px;
  background: var(--panel); padding: 14px 18px; border-radius: 4px; position: sticky; top: 0; z-index: 5; }
form.controls .control { display: flex; flex-direction: column; gap: 4px; }
form.controls label { font-weight: 600; }
form.controls output { color: var(--muted); font-variant-numeric: tabular-nums; }
form.controls select, form.controls input { font-size: 1rem; width: 100%; }
form.controls .control:first-child { grid-column: span 2; }
.figures { display: flex; flex-wrap: wrap; gap: 14px 36px; margin: 12px 0; }
.figures div strong { display: block; font-size: 1.4rem; }
section.cheapest { border-left: 5px solid var(--accent); background: var(--panel); padding: 8px 16px; margin: 12px 0; }
ul.assumptions li { margin: 0.2em 0; }
"""

_SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("grid-data").textContent);
  var statusHtml = JSON.parse(document.getElementById("status-marks").textContent);
  var axes = data.axes, controls = [];
  axes.forEach(function (axis, k) { controls.push(document.getElementById("axis-" + k)); });
  var strides = [], stride = 1;
  for (var k = axes.length - 1; k >= 0; k--) { strides[k] = stride; stride *= axes[k].values.length; }
  var staffingAxis = axes.findIndex(function (a) { return a.path === "staffing"; });
  var fixed = staffingAxis === 1 ? 2 : 1;

  function fmt(v, digits, percent, money) {
    if (v === null || v === undefined) { return "\u2013"; }
    var x = percent ? 100 * v : v;
    var s = x.toLocaleString("en-GB", {minimumFractionDigits: digits, maximumFractionDigits: digits});
    return (money ? "\u00a3" : "") + s + (percent ? "%" : "");
  }
  function shown(m) { return m.share ? 0 : m.digits; }
  function positions() { return controls.map(function (c) { return parseInt(c.value, 10); }); }
  function indexOf(pos) { return pos.reduce(function (sum, p, k) { return sum + p * strides[k]; }, 0); }
  function positionsOf(index) {
    return axes.map(function (a, k) { return Math.floor(index / strides[k]) % a.values.length; });
  }
  function setText(id, value) { document.getElementById(id).textContent = value; }
  var statusNames = {w: "within", b: "borderline", a: "above", l: "below", "": ""};

  function describe(k, p) {
    var axis = axes[k];
    return axis.path === "scenario" ? data.structures[p].title : String(axis.values[p]);
  }
  function update() {
    var t0 = performance.now();
    var pos = positions(), index = indexOf(pos), point = data.points[index];
    controls.forEach(function (c, k) {
      var words = describe(k, pos[k]);
      document.getElementById("axis-" + k + "-value").textContent = words;
      if (c.tagName === "INPUT") { c.setAttribute("aria-valuetext", words); }
    });
    var structure = data.structures[pos[0]];
    setText("structure-title", structure.title);
    setText("structure-description", structure.description);
    setText("staffing-meaning", structure.staffing);
    setText("point-index", String(index));
    var guidance = data.guidances[point.g];
    var rows = document.querySelectorAll("#headline tbody tr");
    data.measures.forEach(function (m, j) {
      var cells = rows[j].children, v = point.k[j], d = shown(m);
      cells[1].textContent = v ? fmt(v[0], d, m.share, m.money) : "\u2013";
      cells[2].textContent = v && v[1] !== null
        ? fmt(v[1], d, m.share, m.money) + "\u2013" + fmt(v[2], d, m.share, m.money) : "";
      cells[3].textContent = guidance[j] === null ? "" : fmt(guidance[j], d, false, false);
      cells[4].innerHTML = v ? statusHtml[statusNames[v[3]]] : "";
      rows[j].dataset.status = v ? statusNames[v[3]] : "";
    });
    setText("cost", fmt(point.c, 0, false, true));
    setText("added", fmt(point.a[0], 2, false, false));
    setText("added-ci", point.a[1] === null ? "" : "95% CI " + fmt(point.a[1], 2) + "\u2013" + fmt(point.a[2], 2));
    setText("targets", point.t + " of 3");
    var key = pos.slice(fixed).join(","), found = data.cheapest[key], best = found[0], meets = found[1];
    var context = axes.slice(fixed).map(function (a, k) {
      return a.phrase.replace("{v}", String(a.values[pos[k + fixed]]));
    }).join(" and ");
    var go = document.getElementById("go-cheapest");
    var bp = best === null ? null : positionsOf(best), bestPoint = best === null ? null : data.points[best];
    var words = bp === null ? "" : data.structures[bp[0]].title +
      (fixed === 2 ? ", staffing " + axes[1].values[bp[1]] : "");
    var shownHere = best === index ? " (the what-if shown)" : "";
    if (!meets) {
      setText("cheapest", "With " + context +
        ": no structure and staffing in this grid meets all three targets on the 95% CI." +
        (bp === null ? "" : " Closest: " + words + shownHere + ", meeting " + bestPoint.t + " of 3."));
    } else {
      setText("cheapest", "With " + context + ": " + words + ", " + fmt(bestPoint.c, 0, false, true) + " a year" +
        shownHere + ".");
    }
    go.hidden = best === null || best === index; go.dataset.point = best === null ? "" : String(best);
    draw(point, guidance[0]);
    document.getElementById("explorer").dataset.updateMs = (performance.now() - t0).toFixed(1);
  }
  function draw(point, guidance) {
    var chart = document.getElementById("series-chart");
    if (typeof Plotly === "undefined") { chart.textContent = "The chart needs plotly.js, which did not load."; return; }
    var weeks = point.s[0].map(function (_, i) { return 1 + i * data.block_weeks; });
    var traces = [
      {x: weeks, y: point.s[2], mode: "lines", line: {width: 0}, hoverinfo: "skip", showlegend: false},
      {x: weeks, y: point.s[1], mode: "lines", line: {width: 0}, fill: "tonexty", fillcolor: "rgba(57,73,171,0.18)",
       name: "10th\u201390th percentile of replications", hoverinfo: "skip"},
      {x: weeks, y: point.s[0], mode: "lines", line: {color: "#3949ab", width: 2}, name: "Mean over replications"}
    ];
    if (guidance !== null) {
      traces.push({x: [weeks[0], weeks[weeks.length - 1]], y: [guidance, guidance], mode: "lines",
        line: {color: "#b71c1c", dash: "dash"}, name: "Guidance (" + guidance + ")"});
    }
    Plotly.react(chart, traces, {
      height: 360, margin: {l: 60, r: 20, t: 10, b: 50}, legend: {orientation: "h", y: -0.2},
      xaxis: {title: {text: "Weeks since launch (" + data.block_weeks + "-week means)"}},
      yaxis: {title: {text: "Open cases per FTE"}, rangemode: "tozero"}
    }, {displaylogo: false, responsive: true});
  }
  controls.forEach(function (c) { c.addEventListener("input", update); c.addEventListener("change", update); });
  document.getElementById("go-cheapest").addEventListener("click", function () {
    var best = this.dataset.point;
    if (best === "") { return; }
    positionsOf(parseInt(best, 10)).forEach(function (p, k) { controls[k].value = String(p); });
    update();
  });
  update();
}());
"""


def _headline_skeleton(data: Mapping[str, Any]) -> Markup:
    rows = [
        tag(
            "tr",
            tag("td", m["label"]),
            tag("td", class_="num"),
            tag("td", class_="num ci"),
            tag("td", class_="num"),
            tag("td"),
        )  # fmt: skip
        for m in data["measures"]
    ]
    head = tag("thead", tag("tr", [tag("th", h) for h in ("Measure", "Mean", "95% CI", "Guidance", "Status")]))
    return tag(
        "table",
        tag(
            "caption",
            "Steady state (after the warm-up): mean over replications with its 95% confidence interval. Status: "
            "within guidance when the whole interval is; above when the whole interval is above; borderline when "
            "the interval spans guidance.",
        ),
        head,
        tag("tbody", rows),
        class_="data",
        id="headline",
    )


def explorer_page(results: SavedResults, cdn: bool = False) -> str:
    """The explorer page of a results folder of kind ``explore``."""
    data = grid_data(results)
    first_points = representative_points(results)
    structure_scenarios = [results.scenarios[p] for p in first_points.values()] or results.scenarios[:1]
    structure_labels = list(first_points) or results.labels[:1]
    marks = {name: str(status_mark(name)) for name in ("within", "borderline", "above", "below", "")}
    body = join(
        tag(
            "header",
            tag("div", "Planning aid · drive-sim explorer", class_="kicker"),
            tag("h1", "What if? IDVA and Case Manager capacity at a Drive site"),
            tag(
                "p",
                "A planning aid, not a forecast: every number is a simulation of a site like the study's, resting "
                "on the assumptions below. Move a control to see another what-if; nothing is re-run, the page looks "
                "up results computed in advance.",
                class_="lede",
            ),
            _stated(results, data),
            tag(
                "nav",
                [
                    tag("a", w, href=f"#{a}")
                    for a, w in (("explorer", "Explore"), ("assumptions", "Assumptions"), ("method", "Method"))
                ],  # fmt: skip
                class_="toc",
            ),
            class_="top",
        ),
        tag(
            "section",
            tag("h2", "Choose a what-if"),
            _controls(data),
            tag("h3", "", id="structure-title"),
            tag("p", "", id="structure-description"),
            tag(
                "p", tag("strong", "Drive IDVA staffing here: "), tag("span", "", id="staffing-meaning"), class_="note"
            ),
            tag(
                "div",
                tag("div", "Annual staff cost (with on-costs)", tag("strong", "", id="cost")),
                tag(
                    "div",
                    "IDVA FTE of work Drive adds",
                    tag("strong", "", id="added"),
                    tag("span", "", id="added-ci", class_="ci"),
                ),  # fmt: skip
                tag("div", "Targets met on the 95% CI", tag("strong", "", id="targets")),
                class_="figures",
                aria_live="polite",
            ),
            tag(
                "section",
                tag("h3", "The cheapest structure and staffing that meet the targets here"),
                tag("p", "", id="cheapest", aria_live="polite"),
                tag("button", "Show that what-if", type="button", id="go-cheapest", hidden=True),
                tag(
                    "p",
                    "Across every structure and staffing level of this grid at the referrals and backdating chosen: "
                    "the cheapest whose three targets (the busier IDVA group's open cases per FTE, the 90th "
                    "percentile of days to first contact, CM open cases per FTE) are each within guidance on the "
                    "whole 95% CI; ties go to the lower IDVA caseload (the rule of the sweep and size pages).",
                    class_="note",
                ),
                class_="cheapest",
            ),
            tag("h3", "Headline measures against guidance"),
            _headline_skeleton(data),
            tag("h3", "Drive IDVA open cases per FTE over time"),
            tag(
                "figure",
                tag("div", "", id="series-chart", style="height:360px"),
                tag(
                    "figcaption",
                    f"Mean over replications of each {data['block_weeks']}-week block, with the 10th to 90th "
                    "percentile of replications as a band, against the guidance line. The Drive IDVAs are the "
                    "Drive-role IDVAs (every IDVA where all hold Drive cases).",
                ),
                class_="chart",
            ),
            tag("p", "Point ", tag("span", "", id="point-index"), " of the grid's table (points.csv).", class_="note"),
            id="explorer",
        ),
        tag("h2", "What this rests on", id="assumptions"),
        _stated(results, data),
        tag("p", "Key values of the model, each an assumption or cited (the first structure's; all are below):"),
        _key_assumptions(results, structure_scenarios[0]),
        tag("p", "What the staffing control counts in each structure:"),
        tag("ul", [tag("li", tag("strong", s["title"]), ": ", s["staffing"]) for s in data["structures"]]),
        assumptions_section(structure_scenarios, [str(label) for label in structure_labels]),
        tag("h2", "Method", id="method"),
        method_section(structure_scenarios, structure_labels, results.manifest, run_seconds(results.folder), "sweep"),
        tag(
            "footer",
            "Made by drive-sim ",
            results.manifest.get("versions", {}).get("drive-sim", ""),
            " from the results folder ",
            tag("code", results.folder.name),
            ". Rebuild this page with ",
            tag("code", f"drive-sim report {results.folder.name}"),
            " (written there as report.html).",
        ),
        Markup(f'<script type="application/json" id="grid-data">{embed_json(data)}</script>'),
        Markup(f'<script type="application/json" id="status-marks">{embed_json(marks)}</script>'),
        Markup(f"<script>{_SCRIPT}</script>"),
    )
    html = page("drive-sim explorer: a planning aid", body, cdn)
    return html.replace("</style>", f"{_STYLE}</style>", 1)


def build_explorer(folder: str | Path, cdn: bool = False) -> Path:
    """Write ``explorer.html`` into a results folder of kind ``explore``, from the folder alone."""
    results = load_results(folder)
    path = results.folder / EXPLORER_NAME
    atomic_write_text(path, explorer_page(results, cdn))
    return path
