"""Sweep and sizing pages: the target measures against staffing, the chosen level and its cost.

A sweep folder (:mod:`drive_sim.runs.sweep`) holds ``points`` (one row per combination of
swept values) and KPIs with a ``point`` column. A sizing folder (:mod:`drive_sim.runs.sizing`)
holds ``levels`` (each staffing level tried, with every target's mean, one-sided upper
bound and verdict) and its manifest names the targets, the confidence and the chosen
level. Both pages lead with the answer in words.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from drive_sim.analysis.stats import in_window, paired_differences, summarise
from drive_sim.report import data
from drive_sim.report.figures import target_figure
from drive_sim.report.html import Markup, details, fmt, fmt_ci, join, page, status_mark, table, tag
from drive_sim.report.labels import SCENARIO_PATH, in_sentence, parameter_label, value_words
from drive_sim.report.parts import (
    Charts,
    answer_block,
    closing_sections,
    header,
    replications_kept,
    scorecard_table,
)
from drive_sim.report.sweep_figures import sweep_figure, sweep_heatmap
from drive_sim.report.words import Answer, choose, compare_answer, size_answer, target_words
from drive_sim.runs.store import SavedResults
from drive_sim.scenario import Scenario

__all__ = ["size_page", "sweep_page"]

#: Measures drawn against the swept level: (kpi, scope or None for the Drive IDVAs,
#: label, guidance field or None).
SWEEP_MEASURES: tuple[tuple[str, str | None, str, str | None], ...] = (
    ("open_cases_per_fte_mean", None, "Drive IDVA open cases per FTE", "idva_open_cases_per_fte"),
    ("first_contact_delay_p90_days", "site", "Days to first contact, 90th percentile", "first_contact_days"),
    ("open_cases_per_fte_mean", "group:cm", "CM open cases per FTE", "cm_open_cases_per_fte"),
    ("any_idva_burnout", "site", "Chance any IDVA burns out", None),
    ("annual_staff_cost", "site", "Staff cost a year (£)", None),
)


#: Every KPI a sweep's page and answer read: its scorecard's and its figures'.
SWEEP_KPIS = tuple(dict.fromkeys([*data.CARD_KPIS, *(kpi for kpi, *_ in SWEEP_MEASURES)]))


def _with_labels(frame: pd.DataFrame, design: data.SweepDesign) -> pd.DataFrame:
    """Name each sweep point by its words in a ``scenario`` column."""
    names = dict(zip(design.points["point"], design.points["label"], strict=True))
    return frame.assign(scenario=frame["point"].map(names))


def _facet_column(design: data.SweepDesign, scenario: Scenario) -> tuple[str | None, str]:
    """The column and words of the small multiples: the third factor, or every factor after the second together."""
    rest = design.factors[2:]
    if not rest:
        return None, ""
    if len(rest) == 1:
        return rest[0].path, rest[0].label
    return FACETS, ""


def _with_facets(frame: pd.DataFrame, design: data.SweepDesign, scenario: Scenario) -> pd.DataFrame:
    rest = design.factors[2:]
    if len(rest) < 2:
        return frame
    words = [", ".join(value_words(f.path, row[f.path], scenario) for f in rest) for row in frame.to_dict("records")]
    return frame.assign(**{FACETS: words})


#: The column holding the panel of a point when several factors share the small multiples.
FACETS = "_facet"


def _sweep_figures(
    summary: pd.DataFrame, design: data.SweepDesign, cards: pd.DataFrame, chosen: int | None, base: Scenario
) -> list[Markup]:
    """Each target measure over the sweep, and the Drive IDVA caseload as a heatmap over two factors."""
    charts = Charts()
    chosen_point = int(design.points["point"].iloc[chosen]) if chosen is not None else None
    chosen_text = (
        f"Chosen: {design.points['label'].iloc[chosen]}, {fmt(cards.iloc[chosen]['cost'], 0, money=True)} a year"
        if chosen is not None
        else ""
    )
    x_factor, line_factor = design.role(0), design.role(1)
    facet, facet_title = _facet_column(design, base)
    x = x_factor.path if x_factor else "label"
    x_title = x_factor.label if x_factor else "Point"
    figures = []
    for kpi, scope, label, field in SWEEP_MEASURES:
        scope = scope or (cards.iloc[0]["drive_scope"] if len(cards) else "group:idva")
        frame = _with_facets(data.sweep_values(summary, design, kpi, scope), design, base)
        if frame.empty:
            continue
        guidance = float(getattr(base.guidance, field)) if field else None
        figure = sweep_figure(
            frame,
            x,
            label,
            x_title,
            "",
            series=line_factor.path if line_factor else None,
            series_title=line_factor.label if line_factor else "",
            facet=facet,
            facet_title=facet_title,
            guidance=guidance,
            guidance_label=f"Guidance: {guidance:g}" if guidance is not None else "Guidance",
            chosen=chosen_point,
            chosen_label=chosen_text,
            percent=data.is_share(kpi),
            x_values=x_factor.values if x_factor else None,
        )
        caption = "Mean across replications with its 95% CI"
        if line_factor:
            caption += f"; a line for each value of {in_sentence(line_factor.label)}"
        if facet:
            caption += f", a panel for each value of {in_sentence(facet_title) if facet_title else 'the other factors'}"
        figures.append(charts.add(figure, caption + ". The green star marks the chosen point."))
    if x_factor and line_factor:
        drive = cards.iloc[0]["drive_scope"] if len(cards) else "group:idva"
        frame = _with_facets(data.sweep_values(summary, design, "open_cases_per_fte_mean", drive), design, base)
        if len(frame):
            guidance = float(base.guidance.idva_open_cases_per_fte)
            heatmap = sweep_heatmap(
                frame,
                x_factor.path,
                line_factor.path,
                f"Drive IDVA open cases per FTE by {in_sentence(x_factor.label)} and {in_sentence(line_factor.label)}",
                x_factor.label,
                line_factor.label,
                "Open cases per FTE",
                guidance,
                facet=facet,
                facet_title=facet_title,
                chosen=chosen_point,
                chosen_label=chosen_text,
            )
            figures.insert(
                0,
                charts.add(
                    heatmap,
                    f"Mean across replications. Pale yellow is the guidance of {guidance:g} open cases per FTE; "
                    "green is within it, orange to red above it. The green ring marks the chosen point.",
                ),
            )
    return figures


def _axes_words(design: data.SweepDesign, base: Scenario) -> tuple[str, str]:
    """What was swept, and what every point shares, in words."""
    swept = "; ".join(f"{f.label}: {', '.join(_value_text(v) for v in f.values)}" for f in design.factors)
    shared = ", ".join(value_words(path, value, base) for path, value in design.constants)
    return swept, shared


def _value_text(value: object) -> str:
    """A swept value in a list: numbers as they are, words (which may hold commas) in quotes."""
    if isinstance(value, float):
        return f"{value:g}"
    return f"‘{value}’" if isinstance(value, str) and any(c in value for c in ",:;") else str(value)


def _sweep_parts(results: SavedResults) -> tuple[Any, list[str], pd.DataFrame, pd.DataFrame, Answer]:
    """What the sweep page and its answer are built from: design, point labels, summary, cards, answer.

    Worked out once per folder read (:meth:`SavedResults.memo`): the terminal's verdict, the
    page and the workbook's answer sheet all ask, and with many replications of many points
    reading every replication's KPIs is the report's largest cost.
    """
    return results.memo("sweep_parts", lambda: _work_out_sweep(results))


def _work_out_sweep(results: SavedResults) -> tuple[Any, list[str], pd.DataFrame, pd.DataFrame, Answer]:
    manifest, scenarios = results.manifest, results.scenarios
    if manifest.get("status", "complete") != "complete":
        raise ValueError(f"{results.folder}: the sweep has not finished; re-run the same sweep command to complete it")
    points = results.table("points")
    if points is None:
        points = pd.DataFrame({"point": range(len(results.labels)), "label": results.labels})
    design = data.sweep_design(points, manifest.get("axes", []), scenarios)
    labels = design.points["label"].tolist()
    # Only the rows the page and its answer read (the steady window of the measures in
    # SWEEP_KPIS), filtered as they are read: a large sweep's KPIs run to millions of rows.
    kpis = _with_labels(results.kpis_where("steady", SWEEP_KPIS), design).drop(columns="point")
    summary = summarise(kpis)
    cards = data.scorecard(summary, labels, scenarios)
    differences = paired_differences(kpis, baseline=labels[0]) if len(labels) > 1 else None
    answer = compare_answer(
        cards,
        differences,
        labels[0],
        replications_kept(results),
        scenarios[0].site.horizon_days,
        manifest.get("command", ""),
        noun="point",
    )
    return design, labels, summary, cards, answer


def sweep_answer(results: SavedResults) -> Answer:
    """The answer box of a sweep's page (the terminal prints the same, ``cli/findings.py``)."""
    return _sweep_parts(results)[-1]


def sweep_page(results: SavedResults, cdn: bool = False) -> str:
    """The HTML page of a sweep results folder."""
    scenarios = results.scenarios
    design, labels, summary, cards, answer = _sweep_parts(results)
    replications = replications_kept(results)
    chosen, meets_all = choose(cards)
    base = scenarios[0]
    figures = _sweep_figures(summary, design, cards, chosen, base)
    swept, shared = _axes_words(design, base)
    structures = next((len(f.values) for f in design.factors if f.path == SCENARIO_PATH), 0)
    title = (
        f"Sweep over {len(labels)} points in {structures} structures"
        if structures
        else f"{base.site.name}: sweep over {len(labels)} points"
    )
    sections = [
        ("answer", "Answer"),
        ("scorecard", "Every point"),
        ("evidence", "Against the swept values"),
        ("assumptions", "Assumptions"),
        ("method", "Method"),
    ]
    lede = [
        f"Swept: {swept or 'nothing'}.",
        join(
            f"Every point: {shared}. " if shared else None,
            f"{replications} replications per point, the same cases at every point.",
        ),
    ]
    worded = results.relabelled(labels)
    body = join(
        header("Drive IDVA and Case Manager capacity: sweep report", title, lede, sections),
        answer_block(answer),
        tag("h2", "Every point side by side", id="scorecard"),
        scorecard_table(cards, chosen, "Point", meets_all),
        tag("h2", "The target measures against the swept values", id="evidence"),
        figures,
        closing_sections(worded, "sweep"),
    )
    return page(f"{title}: sweep report" if structures else f"{base.site.name}: sweep report", body, cdn)


def _levels_table(levels: pd.DataFrame, targets: Sequence[dict], confidence: float) -> Markup:
    rows, classes = [], []
    has_added = "drive_added_fte" in levels.columns
    for row in levels.to_dict("records"):
        cells = [
            join(row["label"], " (as given)" if row["level"] == 0 else None),
            fmt(row["drive_idva_fte"], 1),
            fmt(row.get("replications", math.nan), 0),
        ]
        if has_added:
            cells.append(
                join(
                    fmt(row["drive_added_fte"], 2),
                    " ",
                    tag("span", fmt_ci(row["drive_added_fte_low"], row["drive_added_fte_high"], 2), class_="ci"),
                )
            )
        for target in targets:
            key = f"{target['kpi']}@{target['scope']}"
            _, share = target_words(target["kpi"])
            digits = 0 if share else 1
            verdict = row.get(f"{key}:verdict") or ("met" if bool(row[f"{key}:met"]) else "not met")
            lower = row.get(f"{key}:lower", math.nan)
            bounds = (
                f"({fmt(lower, digits, percent=share)} to {fmt(row[f'{key}:upper'], digits, percent=share)})"
                if not pd.isna(lower)
                else f"(≤ {fmt(row[f'{key}:upper'], digits, percent=share)})"
            )
            launch = row.get(f"{key}:launch_mean", math.nan)
            cells.append(
                join(
                    fmt(row[f"{key}:mean"], digits, percent=share),
                    " ",
                    tag("span", bounds, class_="ci"),
                    tag("br"),
                    status_mark({"met": "met", "not met": "missed"}.get(verdict, "undecided")),
                    None
                    if pd.isna(launch)
                    else tag("span", f" launch {fmt(launch, digits, percent=share)}", class_="ci"),
                )
            )
        cells += [
            fmt(row["drive_idva_annual_cost"], 0, money=True),
            fmt(row["annual_staff_cost"], 0, money=True),
            "chosen" if row["chosen"] else "yes" if row["all_met"] else "no",
        ]
        rows.append(cells)
        classes.append("chosen" if row["chosen"] else None)
    headers = ["Drive IDVA staffing", "Drive IDVA FTE", "Replications"]
    if has_added:
        headers.append("Drive adds (IDVA FTE, 95% CI)")
    for target in targets:
        words, share = target_words(target["kpi"])
        limit = fmt(target["at_most"], 0 if share else 1, percent=share)
        headers.append(f"{words[0].upper()}{words[1:]} (at most {limit})")
    headers += ["Drive IDVA cost a year", "Site staff cost a year", "All targets met"]
    bound = float(levels["bound_confidence"].iloc[0]) if "bound_confidence" in levels.columns and len(levels) else None
    bound_words = f"{bound:.2%}" if bound is not None else f"{confidence:.0%}"
    return tag(
        "div",
        table(
            headers,
            rows,
            numeric=[False, *[True] * (len(headers) - 2), False],
            caption=f"Each level, steady state: mean across replications and in brackets its one-sided {bound_words} "
            "lower and upper bounds (exact binomial for a chance; inside 0-100% for a share). Met: the upper bound is "
            "within the target; not met: the lower bound is beyond it; undecided: the target lies between them "
            f"after the replication budget, so every verdict holds with {confidence:.0%} confidence. Launch: the "
            "first 26 weeks' mean.",
            row_classes=classes,
        ),
        class_="wide",
    )


def _limit(target: dict) -> str:
    share = target_words(target["kpi"])[1]
    return fmt(target["at_most"], 0 if share else 1, percent=share)


def size_page(results: SavedResults, cdn: bool = False) -> str:
    """The HTML page of a sizing results folder."""
    manifest, labels, scenarios = results.manifest, results.labels, results.scenarios
    levels = results.table("levels")
    if levels is None:
        raise ValueError(f"{results.folder}: a sizing folder needs its levels table")
    levels = levels.sort_values("level", kind="stable").reset_index(drop=True)
    targets = manifest.get("targets", [])
    confidence = float(manifest.get("confidence", 0.95))
    replications = replications_kept(results)
    base = (
        scenarios[labels.index(levels.loc[levels["level"] == 0, "label"].iloc[0])]
        if (levels["level"] == 0).any()
        else scenarios[0]
    )
    answer = size_answer(
        levels,
        targets,
        confidence,
        int(manifest.get("first_look_replications", replications)),
        base.site.horizon_days,
        manifest.get("command", ""),
        manifest.get("budget"),
        manifest.get("looks", ()),
        manifest.get("window", "steady"),
    )
    chosen = levels[levels["chosen"].astype(bool)]
    chosen_fte = float(chosen["drive_idva_fte"].iloc[0]) if len(chosen) else None
    chosen_text = (
        f"chosen: {chosen['label'].iloc[0]}, {fmt(chosen['drive_idva_annual_cost'].iloc[0], 0, money=True)} a year"
        if len(chosen)
        else ""
    )
    charts = Charts()
    figures = []
    for target in targets:
        key = f"{target['kpi']}@{target['scope']}"
        words, share = target_words(target["kpi"])
        frame = pd.DataFrame(
            {
                "level": levels["drive_idva_fte"],
                "mean": levels[f"{key}:mean"],
                "ci_low": levels[f"{key}:lower"] if f"{key}:lower" in levels.columns else levels[f"{key}:mean"],
                "ci_high": levels[f"{key}:upper"],
            }
        )
        title = f"{words[0].upper()}{words[1:]}"
        limit = fmt(target["at_most"], 0 if share else 1, percent=share)
        figure = target_figure(
            frame,
            "level",
            title,
            "Drive IDVA FTE",
            "",
            float(target["at_most"]),
            f"Target: at most {limit}",
            chosen_fte,
            chosen_text,
            percent=share,
            name=f"{title}: mean, bar from the lower to the upper bound",
        )
        figures.append(
            charts.add(
                figure,
                "Dot: steady-state mean across replications; bar from the one-sided lower to the upper bound. Met "
                "when the bar's top is under the dashed target line, not met when its bottom is above it.",
            )
        )
    cost = pd.DataFrame(
        {
            "level": levels["drive_idva_fte"],
            "mean": levels["drive_idva_annual_cost"],
            "ci_low": levels["drive_idva_annual_cost"],
            "ci_high": levels["drive_idva_annual_cost"],
        }
    )
    figures.append(
        charts.add(
            target_figure(
                cost,
                "level",
                "Drive IDVA cost a year (£, with on-costs)",
                "Drive IDVA FTE",
                "£ a year",
                chosen=chosen_fte,
                chosen_label=chosen_text,
            ),
            "Salary times FTE times the on-cost multiplier (see Assumptions).",
        )
    )
    summary = in_window(summarise(results.kpis), "steady")
    cards = data.scorecard(summary, labels, scenarios)
    order = [labels.index(label) for label in levels["label"] if label in labels]
    cards = cards.iloc[order].reset_index(drop=True)
    chosen_row = next(
        (k for k, label in enumerate(cards["label"]) if len(chosen) and label == chosen["label"].iloc[0]), None
    )
    sections = [
        ("answer", "Answer"),
        ("levels", "Levels tried"),
        ("evidence", "Against staffing"),
        ("assumptions", "Assumptions"),
        ("method", "Method"),
    ]
    entry = parameter_label(manifest["entry"], base) if "entry" in manifest else "Drive IDVAs"
    target_list = "; ".join(f"{target_words(t['kpi'])[0]} at most {_limit(t)}" for t in targets)
    per_level = (
        f"{manifest['first_look_replications']} replications per level, more (up to {manifest['budget']}) where a "
        "target was too close to call; judged on "
        + ("the launch (first 26 weeks)." if manifest.get("window") == "launch" else "the steady state.")
        if "budget" in manifest
        else f"{replications} replications per level."
    )
    body = join(
        header(
            "Drive IDVA and Case Manager capacity: sizing report",
            f"{base.site.name}: how many Drive IDVAs?",
            [
                f"Targets, each with {confidence:.0%} confidence: {target_list}.",
                f"Staffing changed on the {entry} in steps of "
                f"{'whole posts' if manifest.get('step', 'count') == 'count' else '0.5 FTE'}; " + per_level,
            ],
            sections,
        ),
        answer_block(answer),
        tag("h2", "Every staffing level tried", id="levels"),
        _levels_table(levels, targets, confidence),
        details("Guidance measures at each level", scorecard_table(cards, chosen_row, "Drive IDVA staffing")),
        tag("h2", "The targets against staffing", id="evidence"),
        figures,
        closing_sections(results, "size"),
    )
    return page(f"{base.site.name}: sizing report", body, cdn)
