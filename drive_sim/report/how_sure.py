"""How sure is this answer? The words and the pages of ``uncertainty`` and ``size --uncertain``.

Plain words first: how far the answer moves over the plausible worlds, whether the spread
comes from the assumptions (better data would narrow it) or from the simulation's own
noise (more replications would), which assumptions move it most, and, for sizing, how
often the chosen staffing meets every target, where the choice switches, and which data
to collect first. The tables beside the page (``variance``, ``sensitivity``, ``levels``,
``switching``, ``data_value``) hold every number.
"""

from __future__ import annotations

import math
from functools import cache

import pandas as pd
import plotly.graph_objects as go

from drive_sim.report.figures import _colour, _layout, plain
from drive_sim.report.html import Markup, chart, details, fmt, join, page, table, tag
from drive_sim.report.labels import HEADLINE
from drive_sim.report.parts import answer_block, footer, header
from drive_sim.report.words import Answer
from drive_sim.runs.store import SavedResults

__all__ = [
    "influence_word",
    "parameter_label",
    "robust_answer",
    "robust_page",
    "uncertainty_answer",
    "uncertainty_page",
]

#: The measures an answer leads with: the Drive IDVA caseload and first contact.
LEAD = (("open_cases_per_fte_mean", "group:drive"), ("first_contact_delay_p90_days", "site"))


@cache
def _descriptions() -> dict[str, str]:
    from drive_sim.scenario.reference import scenario_keys

    return {key.path: key.description for key in scenario_keys()}


def parameter_label(path: str) -> str:
    """A parameter in words: the first sentence of its description, then its path."""
    import re

    generic = re.sub(r"\[\d+\]", "[i]", path)
    described = _descriptions()
    text = described.get(generic) or described.get(generic.rpartition(".")[0], "")
    first = text.split(". ")[0].split(" (")[0].rstrip(".")
    return f"{first} ({path})" if first else path


def _label(kpi: str, scope: str) -> str:
    for item in HEADLINE:
        if (item.kpi, item.scope) == (kpi, scope):
            return item.label
    return "the sizing decision (worst target's margin)" if kpi == "decision_margin" else f"{kpi} ({scope})"


def _digits(kpi: str, scope: str) -> int:
    for item in HEADLINE:
        if (item.kpi, item.scope) == (kpi, scope):
            return item.digits
    return 2


def ranked(sensitivity: pd.DataFrame, kpi: str, scope: str) -> pd.DataFrame:
    """Parameters by total index for a measure (:func:`drive_sim.runs.uncertainty.ranking`)."""
    from drive_sim.runs.uncertainty import ranking

    return ranking(sensitivity, (kpi, scope))


def influence_word(index: float, method: str, largest: float) -> str:
    """``high``, ``medium`` or ``low``: a total index of at least 0.2, 0.05; Morris ``mu*`` against the largest."""
    if not math.isfinite(index):
        return "unknown"
    value = index / largest if method == "morris_mu_star" and largest > 0 else index
    return "high" if value >= 0.2 else "medium" if value >= 0.05 else "low"


def _q2(emulator: pd.DataFrame, kpi: str, scope: str) -> float:
    if emulator.empty:
        return math.nan
    row = emulator[(emulator["kpi"] == kpi) & (emulator["scope"] == scope)]
    return float(row["q2"].iloc[0]) if len(row) else math.nan


def _top_words(sensitivity: pd.DataFrame, kpi: str, scope: str, count: int = 5) -> str | None:
    order = ranked(sensitivity, kpi, scope).head(count)
    if order.empty:
        return None
    method = order["method"].iloc[0]
    what = "total Sobol index" if method.startswith("sobol") else "Morris mu*"
    items = [f"{parameter_label(r.parameter)} {r.index:.2f}" for r in order.itertuples()]
    return f"Assumptions moving {_label(kpi, scope)} most ({what}): " + "; ".join(items) + "."


def uncertainty_answer(
    variance: pd.DataFrame, sensitivity: pd.DataFrame, emulator: pd.DataFrame, worlds: int, replications: int
) -> Answer:
    """The answer of ``drive-sim uncertainty`` in words, the same on the terminal and the page."""
    points, cautions = [], []
    verdict = f"Over {worlds} plausible worlds ({replications} replications each, the same cases in every world):"
    for kpi, scope in LEAD:
        row = variance[(variance["kpi"] == kpi) & (variance["scope"] == scope)]
        if row.empty:
            continue
        r = row.iloc[0]
        digits = _digits(kpi, scope)
        share = r["parameter_share"]
        source = (
            "mostly the assumptions: better data would narrow it more than more replications"
            if share >= 0.5
            else "mostly the simulation's own noise: more replications would narrow it more than better data"
        )
        points.append(
            f"{_label(kpi, scope)}: {fmt(r['p50'], digits)} in the middle world, {fmt(r['p05'], digits)} to "
            f"{fmt(r['p95'], digits)} over 90% of worlds; {fmt(share * 100, 0)}% of its variance is the "
            f"assumptions', {source}."
        )
        top = _top_words(sensitivity, kpi, scope)
        if top:
            points.append(top)
        q2 = _q2(emulator, kpi, scope)
        # A world's mean keeps some replication noise, which no emulator can predict: the
        # best q2 attainable is the assumptions' share of the variance of a world's mean.
        noise = r["noise_in_mean"] if math.isfinite(r["noise_in_mean"]) else 0.0
        attainable = r["parameter_variance"] / (r["parameter_variance"] + noise) if r["parameter_variance"] else 0
        if math.isfinite(q2) and q2 < 0.8 * attainable and not (sensitivity["method"] == "sobol_total").any():
            cautions.append(
                f"The emulator predicts {_label(kpi, scope)} only roughly in unseen worlds (cross-validated q2 "
                f"{q2:.2f}, where the replication noise left in a world's mean allows at most {attainable:.2f}); "
                "its Sobol indices are rough: use more --samples, more --reps or --direct."
            )
    if points:
        verdict = f"{verdict} {points[0]}"
        points = points[1:]
    return Answer(verdict, points, cautions)


def robust_answer(
    levels: pd.DataFrame,
    switching: pd.DataFrame,
    value: pd.DataFrame,
    sensitivity: pd.DataFrame,
    emulator: pd.DataFrame,
    share: float,
    worlds: int,
    replications: int,
) -> Answer:
    """The answer of ``drive-sim size --uncertain`` in words."""
    chosen = levels[levels["chosen"]]
    points, cautions = [], []
    if chosen.empty:
        best = levels.sort_values("share_meeting_all", ascending=False).iloc[0]
        verdict = (
            f"No staffing tried meets every target in {share:.0%} of plausible worlds: the best, "
            f"{best['label']}, meets them in {best['share_meeting_all']:.0%} (95% CI {best['ci_low']:.0%} to "
            f"{best['ci_high']:.0%})."
        )
        shares = {c.removeprefix("share: "): best[c] for c in levels.columns if c.startswith("share: ")}
        if shares:
            binding = min(shares, key=lambda name: shares[name])
            most = levels[f"share: {binding}"]
            stalled = len(most) >= 3 and most.iloc[-1] - most.iloc[-2] <= 0.05
            points.append(
                f"The target that binds is {binding}: met in {shares[binding]:.0%} of worlds with the most staff tried"
                + (
                    ", and adding staff has stopped helping: in the other worlds it turns on values staffing does "
                    "not change (see what moves the decision below)."
                    if stalled
                    else "; more staff (--max-extra) may still help."
                )
            )
    else:
        c = chosen.iloc[0]
        verdict = (
            f"With the assumptions uncertain, {c['label']} is the least staffing that meets every target in at "
            f"least {share:.0%} of plausible worlds: {c['share_meeting_all']:.0%} of {worlds} worlds (95% CI "
            f"{c['ci_low']:.0%} to {c['ci_high']:.0%}), at {fmt(c['annual_staff_cost'], 0, money=True)} a year."
        )
        below = levels[levels["level"] == c["level"] - 1]
        if len(below):
            b = below.iloc[0]
            points.append(
                f"{b['label']} meets them in {b['share_meeting_all']:.0%} of worlds (95% CI {b['ci_low']:.0%} to "
                f"{b['ci_high']:.0%})."
            )
    for r in switching.itertuples():
        change = "more staff than chosen are needed" if r.direction == "more" else "fewer staff would do"
        points.append(f"Switching value: if {parameter_label(r.parameter)} is {r.side} {r.value:.3g}, {change}.")
    top = _top_words(sensitivity, "decision_margin", "site")
    if top:
        points.append(top)
    useful = value[value["chance_choice_changes"] > 0] if not value.empty else value
    if chosen.empty:
        pass
    elif len(useful):
        items = [
            f"{parameter_label(r.parameter)} (the choice changes with chance {r.chance_choice_changes:.0%}; "
            f"{r.expected_fte_change:+.2f} FTE expected)"
            for r in useful.head(3).itertuples()
        ]
        points.append("Data to collect first (a year of the site's own case export): " + "; ".join(items) + ".")
    else:
        points.append(
            "No assumption a year of the site's case export could narrow changes the choice: the decision turns on "
            "values a case export does not hold (hours, turnover, thresholds), which need a time-use study or HR data."
        )
    cautions.append(
        f"A world meets a target when the mean of its {replications} replications is within the limit, so a world "
        "near a limit can fall either side; the share of worlds is exact for these worlds."
    )
    return Answer(verdict, points, cautions)


# --------------------------------------------------------------------------------------
# Figures and pages
# --------------------------------------------------------------------------------------


def _short(label: str, most: int = 48) -> str:
    """A chart's row name: the words before the path, cut to ``most`` characters."""
    words = label.split(" (")[0]
    return words if len(words) <= most else words[: most - 1].rstrip() + "…"


def tornado_figure(order: pd.DataFrame, title: str, count: int = 10) -> go.Figure:
    """The largest indices as horizontal bars with their 95% CIs."""
    rows = order.head(count).iloc[::-1]
    short = [_short(parameter_label(p)) for p in rows["parameter"]]
    figure = go.Figure(
        go.Bar(
            x=rows["index"],
            y=[plain(name) for name in short],
            customdata=[plain(parameter_label(p)) for p in rows["parameter"]],
            orientation="h",
            marker={"color": _colour(0)},
            error_x={
                "type": "data", "symmetric": False, "array": rows["ci_high"] - rows["index"],
                "arrayminus": rows["index"] - rows["ci_low"], "color": "#5b6475",
            },
            hovertemplate="%{customdata}: %{x:.3f}<extra></extra>",
        )
    )  # fmt: skip
    _layout(figure, title, "index (95% CI)", "", height=140 + 34 * len(rows))
    figure.update_yaxes(automargin=True)
    return figure


def _parameters_table(parameters: pd.DataFrame, sensitivity: pd.DataFrame, measure: tuple[str, str]) -> Markup:
    order = ranked(sensitivity, *measure)
    index = {r.parameter: (r.index, r.method) for r in order.itertuples()}
    largest = float(order["index"].max()) if len(order) else math.nan
    rows = []
    for r in parameters.itertuples():
        value, method = index.get(r.parameter, (math.nan, ""))
        span = f"{r.low:.3g} to {r.high:.3g}" + (f" (most likely {r.mode:.3g})" if pd.notna(r.mode) else "")
        rows.append([parameter_label(r.parameter), f"{r.value:.3g}", f"{r.kind} {span}",
                     influence_word(value, method, largest), r.source])  # fmt: skip
    return table(["Assumption", "Value used", "Range", f"Influence on {_label(*measure)}", "Why this range"], rows)


def _variance_table(variance: pd.DataFrame) -> Markup:
    rows = []
    for item in HEADLINE:
        row = variance[(variance["kpi"] == item.kpi) & (variance["scope"] == item.scope)]
        if row.empty:
            continue
        r = row.iloc[0]
        spread = f"{fmt(r['p05'], item.digits)} to {fmt(r['p95'], item.digits)}"
        share = r["parameter_share"]
        rows.append([item.label, fmt(r["p50"], item.digits), spread, fmt(share * 100, 0) + "%",
                     fmt((1 - share) * 100, 0) + "%"])  # fmt: skip
    return table(
        ["Measure", "Middle world", "90% of worlds", "Variance: assumptions", "Variance: noise"],
        rows, numeric=[False, True, True, True, True],
        caption="Each world's mean over its replications; a replication's variance split into the part the "
        "assumptions explain (better data would narrow it) and the simulation's noise (more replications would).",
    )  # fmt: skip


def _method(results: SavedResults, robust: bool) -> Markup:
    from drive_sim.runs import robust as robust_module
    from drive_sim.runs import uncertainty as uncertainty_module

    texts = [uncertainty_module.__doc__ or ""] + ([robust_module.__doc__ or ""] if robust else [])
    paragraphs = [p.strip().replace("\n", " ") for text in texts for p in text.split("\n\n") if p.strip()]
    return details("How this was worked out", [tag("p", p) for p in paragraphs])


def uncertainty_page(results: SavedResults, cdn: bool = False) -> str:
    """The page of a ``drive-sim uncertainty`` folder."""
    manifest = results.manifest
    info = manifest.get("uncertainty", {})
    variance, sensitivity = results.table("variance"), results.table("sensitivity")
    emulator, parameters = results.table("emulator"), results.table("parameters")
    assert variance is not None and sensitivity is not None and parameters is not None
    emulator = emulator if emulator is not None else pd.DataFrame()
    answer = uncertainty_answer(
        variance, sensitivity, emulator, info.get("samples", 0), info.get("replications_per_world", 0)
    )
    charts = []
    for kpi, scope in LEAD:
        order = ranked(sensitivity, kpi, scope)
        if len(order):
            charts.append(chart(tornado_figure(order, f"What moves {_label(kpi, scope)}"), f"tornado-{kpi}",
                                f"{order['method'].iloc[0]}; 95% CI by bootstrap."))  # fmt: skip
    base = results.scenarios[0] if results.scenarios else None
    body = join(
        header(
            "drive-sim · how sure",
            f"{base.site.name if base else ''}: how sure is this answer?",
            [
                f"{len(parameters)} assumed values drawn over their ranges; {info.get('worlds', '?')} worlds x "
                f"{info.get('replications_per_world', '?')} replications, the same cases in every world."
            ],
            [
                ("answer", "Answer"),
                ("spread", "Spread and its source"),
                ("drivers", "What moves it"),
                ("assumptions", "Assumptions and their ranges"),
            ],
        ),  # fmt: skip
        answer_block(answer),
        tag("h2", "How sure is this answer? The spread over plausible worlds", id="spread"),
        _variance_table(variance),
        tag("h2", "What moves it", id="drivers"),
        charts,
        tag("h2", "Assumptions and their ranges", id="assumptions"),
        _parameters_table(parameters, sensitivity, LEAD[0]),
        _method(results, robust=False),
        footer(results),
    )
    return page(f"{base.site.name if base else 'drive-sim'}: how sure", body, cdn)


def robust_page(results: SavedResults, cdn: bool = False) -> str:
    """The page of a ``drive-sim size --uncertain`` folder."""
    manifest = results.manifest
    levels = results.table("levels")
    switching, value = results.table("switching"), results.table("data_value")
    sensitivity, emulator, parameters = (
        results.table("sensitivity"),
        results.table("emulator"),
        results.table("parameters"),
    )
    assert levels is not None and parameters is not None
    switching = (
        switching if switching is not None else pd.DataFrame(columns=["parameter", "direction", "value", "side"])
    )
    value = value if value is not None else pd.DataFrame(columns=["parameter", "chance_choice_changes"])
    sensitivity = sensitivity if sensitivity is not None else pd.DataFrame(columns=["kpi", "scope", "method"])
    emulator = emulator if emulator is not None else pd.DataFrame()
    share, worlds, reps = (
        manifest.get("share", 0.9),
        manifest.get("worlds", 0),
        manifest.get("replications_per_world", 0),
    )
    answer = robust_answer(levels, switching, value, sensitivity, emulator, share, worlds, reps)
    target_columns = [c for c in levels.columns if c.startswith("share: ")]
    rows = [
        [r["label"], f"{r['share_meeting_all']:.0%}", f"{r['ci_low']:.0%} to {r['ci_high']:.0%}",
         *(f"{r[c]:.0%}" for c in target_columns), fmt(r["annual_staff_cost"], 0, money=True),
         "chosen" if r["chosen"] else ""]
        for _, r in levels.iterrows()
    ]  # fmt: skip
    levels_html = table(
        ["Staffing", "Worlds meeting every target", "95% CI", *(c.removeprefix("share: ") for c in target_columns),
         "Staff cost a year", ""],
        rows, numeric=[False, True, True, *([True] * len(target_columns)), True, False],
    )  # fmt: skip
    order = ranked(sensitivity, "decision_margin", "site")
    figure = (
        chart(tornado_figure(order, "What moves the sizing decision"), "tornado-decision",
              "Total Sobol index of the worst target's margin at the chosen staffing (emulator).")
        if len(order) else tag("p", "No index: no level was chosen.")
    )  # fmt: skip
    data_rows = [
        [parameter_label(r.parameter), "–" if pd.isna(r.narrowed_width) else f"{r.narrowed_width:.0%}",
         f"{r.chance_choice_changes:.0%}", f"{r.expected_fte_change:+.2f}", r.note]
        for r in value.itertuples()
    ]  # fmt: skip
    body = join(
        header(
            "drive-sim · robust sizing",
            "How many Drive IDVAs, once the assumptions are uncertain?",
            [f"Each staffing level run in the same {worlds} plausible worlds, {reps} replications each."],
            [
                ("answer", "Answer"),
                ("levels", "Levels"),
                ("drivers", "What moves it"),
                ("data", "Data to collect"),
                ("assumptions", "Assumptions"),
            ],
        ),  # fmt: skip
        answer_block(answer),
        tag("h2", "How sure is this answer? Every level across plausible worlds", id="levels"),
        levels_html,
        tag("h2", "What moves the decision, and where it switches", id="drivers"),
        figure,
        table(
            ["Assumption", "Value", "Then"],
            [
                [
                    parameter_label(r.parameter),
                    f"{r.side} {r.value:.3g}",
                    "more staff needed" if r.direction == "more" else "fewer staff would do",
                ]
                for r in switching.itertuples()
            ],
            caption="Switching values: where the chance that a world needs a different staffing crosses one half.",
        ),  # fmt: skip
        tag("h2", "Which data to collect first", id="data"),
        table(
            [
                "Assumption",
                "Width after a year of data (share of its range)",
                "Chance the choice changes",
                "Expected FTE change",
                "Note",
            ],
            data_rows,
        ),  # fmt: skip
        tag("h2", "Assumptions and their ranges", id="assumptions"),
        _parameters_table(parameters, sensitivity, ("decision_margin", "site")),
        _method(results, robust=True),
        footer(results),
    )
    return page("How many Drive IDVAs, once the assumptions are uncertain?", body, cdn)
