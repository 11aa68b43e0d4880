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

import pandas as pd

from drive_sim.analysis.stats import in_window, paired_differences, summarise
from drive_sim.report import data
from drive_sim.report.figures import target_figure
from drive_sim.report.html import Markup, details, fmt, fmt_ci, join, page, status_mark, table, tag
from drive_sim.report.parts import (
    Charts,
    answer_block,
    closing_sections,
    header,
    replications_kept,
    scorecard_table,
)
from drive_sim.report.words import choose, compare_answer, size_answer, target_words
from drive_sim.runs.store import SavedResults

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


def _sweep_levels(results: SavedResults) -> tuple[list[object], str]:
    """The x value of each point and the axis title: the swept value when one number is swept."""
    axes = results.manifest.get("axes", [])
    points = results.table("points")
    if len(axes) == 1 and points is not None and axes[0]["path"] in points.columns:
        values = points.sort_values("point")[axes[0]["path"]].tolist()
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            return values, axes[0]["path"]
    return list(results.labels), "Point"


def _with_labels(frame: pd.DataFrame, labels: Sequence[str]) -> pd.DataFrame:
    """Name each sweep point by its label in a ``scenario`` column (points are numbered 0, 1, ...)."""
    return frame.assign(scenario=frame["point"].map(dict(enumerate(labels))))


def sweep_page(results: SavedResults, cdn: bool = False) -> str:
    """The HTML page of a sweep results folder."""
    manifest, labels, scenarios = results.manifest, results.labels, results.scenarios
    if manifest.get("status", "complete") != "complete":
        raise ValueError(f"{results.folder}: the sweep has not finished; re-run the same sweep command to complete it")
    kpis = in_window(_with_labels(results.kpis, labels).drop(columns="point"), "steady")
    summary = summarise(kpis)
    replications = replications_kept(results)
    cards = data.scorecard(summary, labels, scenarios)
    chosen, meets_all = choose(cards)
    differences = paired_differences(kpis, baseline=labels[0]) if len(labels) > 1 else None
    base = scenarios[0]
    answer = compare_answer(
        cards, differences, labels[0], replications, base.site.horizon_days, manifest.get("command", ""), noun="point"
    )
    levels, x_title = _sweep_levels(results)
    chosen_level = levels[chosen] if chosen is not None else None
    chosen_text = (
        f"chosen: {labels[chosen]}, {fmt(cards.iloc[chosen]['cost'], 0, money=True)} a year"
        if chosen is not None
        else ""
    )
    charts = Charts()
    figures = []
    for kpi, scope, label, field in SWEEP_MEASURES:
        scope = scope or (cards.iloc[0]["drive_scope"] if len(cards) else "group:idva")
        frame = data.level_points(summary, labels, levels, kpi, scope)
        if frame.empty:
            continue
        guidance = float(getattr(base.guidance, field)) if field else None
        figure = target_figure(
            frame,
            "level",
            label,
            x_title,
            "",
            guidance,
            f"Guidance: {guidance:g}" if guidance is not None else "Guidance",
            chosen_level,
            chosen_text,
            percent=data.is_share(kpi),
            name=f"{label}: mean and 95% CI",
        )
        figures.append(
            charts.add(figure, "Mean across replications with its 95% CI; the green star marks the chosen point.")
        )
    axes_text = "; ".join(f"{a['path']} = {', '.join(map(str, a['values']))}" for a in manifest.get("axes", []))
    sections = [
        ("answer", "Answer"),
        ("scorecard", "Every point"),
        ("evidence", "Against the swept values"),
        ("assumptions", "Assumptions"),
        ("method", "Method"),
    ]
    body = join(
        header(
            "Drive IDVA and Case Manager capacity: sweep report",
            f"{base.site.name}: sweep over {len(labels)} points",
            [
                f"Swept: {axes_text or 'nothing'}.",
                f"{replications} replications per point, the same cases at every point.",
            ],
            sections,
        ),
        answer_block(answer),
        tag("h2", "Every point side by side", id="scorecard"),
        scorecard_table(cards, chosen, "Point", meets_all),
        tag("h2", "The target measures against the swept values", id="evidence"),
        figures,
        closing_sections(results, "sweep"),
    )
    return page(f"{base.site.name}: sweep report", body, cdn)


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
                f"Staffing changed on {manifest.get('entry', 'the Drive IDVA entry')} in steps of "
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
