"""Pieces every report page shares: header, the answer box, KPI tables, the scorecard, footer.

Pages (:mod:`drive_sim.report.build`, :mod:`drive_sim.report.compare_page`,
:mod:`drive_sim.report.scale_pages`) put these together; the pieces escape all text through
:mod:`drive_sim.report.html`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from drive_sim.analysis.metrics import KPI_INFO
from drive_sim.report import data
from drive_sim.report.html import Markup, chart, details, fmt, fmt_ci, join, status_mark, table, tag
from drive_sim.report.labels import scope_label
from drive_sim.report.method import assumptions_section, cited_sources, method_section
from drive_sim.report.words import Answer
from drive_sim.runs.store import SavedResults

__all__ = [
    "Charts",
    "all_measures",
    "answer_block",
    "footer",
    "header",
    "headline_table",
    "replications_kept",
    "run_seconds",
    "scorecard_table",
    "with_dates",
]


class Charts:
    """Numbers the charts of one page (``chart-1``, ...) so the page is the same every build."""

    def __init__(self) -> None:
        self.count = 0

    def add(self, figure: Any, caption: str) -> Markup:
        self.count += 1
        return chart(figure, f"chart-{self.count}", caption)


def run_seconds(folder: Path) -> float | None:
    path = folder / "timing.json"
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8")).get("seconds")


def replications_kept(results: SavedResults) -> int:
    kept = results.replication_count()  # the one column, not every KPI
    return kept or int(results.manifest.get("replications", 0))


def with_dates(frame: pd.DataFrame, start_date: Any) -> pd.DataFrame:
    return frame.assign(date=data.to_dates(start_date, frame["day"]).to_numpy())


def headline_table(rows: pd.DataFrame, launch: pd.DataFrame | None = None) -> Markup:
    """The headline KPIs in the steady state: mean, 95% CI, guidance, a status mark; the launch beside them.

    Args:
        rows: :func:`drive_sim.report.data.headline_rows` of the steady window.
        launch: The same of the launch window (its column is left out without it).
    """
    at_launch = {} if launch is None else {(r["kpi"], r["scope"]): r for r in launch.to_dict("records")}
    body = []
    for row in rows.to_dict("records"):
        share, digits = row["share"], row["digits"]
        money = KPI_INFO.get(row["kpi"], ("",))[0].startswith("GBP")
        shown_digits = 0 if share else digits
        guidance = row["guidance"]
        guidance_text = "" if guidance is None or pd.isna(guidance) else fmt(guidance, shown_digits)
        body.append(
            [
                row["label"].removesuffix(" (share)"),
                fmt(row["mean"], shown_digits, percent=share, money=money),
                tag(
                    "span", fmt_ci(row["ci_low"], row["ci_high"], shown_digits, percent=share, money=money), class_="ci"
                ),
                guidance_text,
                status_mark(row["status"]),
            ]
        )
        if at_launch:
            start = at_launch.get((row["kpi"], row["scope"]))
            body[-1].append(
                "–"
                if start is None
                else join(
                    fmt(start["mean"], shown_digits, percent=share, money=money),
                    " ",
                    tag(
                        "span",
                        fmt_ci(start["ci_low"], start["ci_high"], shown_digits, percent=share, money=money),
                        class_="ci",
                    ),
                )
            )
    columns = ["Measure", "Mean", "95% CI", "Guidance", "Status"]
    numeric = [False, True, True, True, False]
    if at_launch:
        columns, numeric = [*columns, "Launch (first 26 weeks)"], [*numeric, True]
    return table(
        columns,
        body,
        numeric=numeric,
        caption="Steady state (after the warm-up): mean over replications with its 95% confidence interval, exact "
        "for a chance and bounded to 0-100% for a share. Status: within guidance when the whole interval is; above "
        "when the whole interval is above; borderline when the interval spans guidance."
        + (" Launch: the first 26 weeks, mean (95% CI)." if at_launch else ""),
    )


def all_measures(summary: pd.DataFrame) -> Markup:
    """Every KPI of every scope, for analysts and citation."""
    rows = []
    windows = "window" in summary.columns
    for row in summary.to_dict("records"):
        unit, description = KPI_INFO.get(row["kpi"], ("", ""))
        share = unit in ("share", "0 or 1")
        rows.append(
            [
                *([row["window"]] if windows else []),
                scope_label(row["scope"]),
                join(tag("code", row["kpi"]), " ", tag("span", description, class_="note")),
                fmt(row["mean"], 1 if share else 2, percent=share),
                tag("span", fmt_ci(row["ci_low"], row["ci_high"], 1 if share else 2, percent=share), class_="ci"),
                row["n"],
            ]
        )
    columns = [*(["Window"] if windows else []), "Scope", "Measure", "Mean", "95% CI", "n"]
    numeric = [*([False] if windows else []), False, False, True, True, True]
    body = table(columns, rows, numeric=numeric)
    return details(f"All {len(rows)} measures by scope", body)


def answer_block(answer: Answer) -> Markup:
    return tag(
        "section",
        tag("h2", "The answer"),
        tag("p", answer.verdict, class_="verdict"),
        tag("ul", [tag("li", point) for point in answer.points]),
        [tag("p", caution, class_="warning") for caution in answer.cautions],
        class_="answer",
        id="answer",
    )


def header(kicker: str, title: str, lede: Sequence[object], sections: Sequence[tuple[str, str]]) -> Markup:
    toc = tag("nav", [tag("a", words, href=f"#{anchor}") for anchor, words in sections], class_="toc")
    return tag(
        "header",
        tag("div", kicker, class_="kicker"),
        tag("h1", title),
        [tag("p", x, class_="lede") for x in lede],
        toc,
        class_="top",
    )


def closing_sections(results: SavedResults, kind: str) -> Markup:
    """The end of every page: every parameter and its source, the method, the sources cited, and the footer."""
    return join(
        tag("h2", "Assumptions: every parameter and its source", id="assumptions"),
        assumptions_section(results.scenarios, results.labels, link_sources=True),
        tag("h2", "Method", id="method"),
        method_section(results.scenarios, results.labels, results.manifest, run_seconds(results.folder), kind),
        tag("h2", "Sources", id="sources"),
        cited_sources(results.scenarios),
        footer(results),
    )


def footer(results: SavedResults) -> Markup:
    versions = results.manifest.get("versions", {})
    return tag(
        "footer",
        "Made by drive-sim ",
        versions.get("drive-sim", ""),
        " from the results folder ",
        tag("code", results.folder.name),
        ". Rebuild this page with ",
        tag("code", f"drive-sim report {results.folder.name}"),
        "; the tables beside it (CSV and Parquet) hold every number.",
    )


def _stacked(mean: float, low: float, high: float, status: str = "", digits: int = 1, percent: bool = False) -> Markup:
    """A mean over its CI over its status mark, so a wide table stays narrow."""
    return join(
        tag("strong", fmt(mean, digits, percent=percent)),
        tag("br"),
        tag("span", fmt_ci(low, high, digits, percent=percent), class_="ci"),
        tag("br") if status else None,
        status_mark(status),
    )


def scorecard_table(
    cards: pd.DataFrame, chosen: int | None, name_header: str = "Scenario", meets_all: bool = True
) -> Markup:
    """One row per scenario (or level): the measures a decision turns on, with status marks.

    Args:
        cards: :func:`drive_sim.report.data.scorecard`.
        chosen: Position of the row to highlight as the recommendation.
        name_header: Heading of the first column.
        meets_all: Whether the chosen row meets every target ("recommended") or only
            comes closest ("closest").
    """
    rows, classes = [], []
    for position, card in enumerate(cards.to_dict("records")):
        mark = tag("strong", " ★ recommended" if meets_all else " ★ closest") if position == chosen else None
        rows.append(
            [
                join(card["label"], mark),
                *(
                    _stacked(card[f"{p}_mean"], card[f"{p}_low"], card[f"{p}_high"], card[f"{p}_status"])
                    for p in ("drive", "wider", "first_contact", "cm_caseload")
                ),
                fmt(card["above_share"], 0, percent=True),
                _stacked(card["burnout_mean"], card["burnout_low"], card["burnout_high"], digits=0, percent=True),
                fmt(card["leavers_mean"]),
                fmt(card["cost"], 0, money=True),
                f"{int(card['targets_met'])} of 3",
            ]
        )
        classes.append("chosen" if position == chosen else None)
    first = cards.iloc[0] if len(cards) else None
    guidance = (
        f"Guidance: {first['drive_guidance']:g} open cases per IDVA FTE, first contact within "
        f"{first['first_contact_guidance']:g} days for 9 in 10 clients, {first['cm_caseload_guidance']:g} open cases "
        "per CM FTE. "
        if first is not None
        else ""
    )
    caption = tag(
        "p",
        guidance + "Steady state (after the warm-up). Mean, its 95% CI across replications (chances: exact "
        "Clopper-Pearson; shares: kept inside 0-100%) and a status: ✔ within: the "
        "whole interval is within guidance; ≈ borderline: the interval spans it; ✖ above: the whole interval is "
        "above it.",
        class_="note",
    )
    headers = [
        name_header,
        "Drive IDVA open cases per FTE",
        "Wider team open cases per FTE",
        "Days to first contact, 90th percentile",
        "CM open cases per FTE",
        "Drive IDVA weeks above guidance",
        "Chance any IDVA burns out",
        "IDVAs leaving",
        "Staff cost a year",
        "Targets met",
    ]
    body = table(headers, rows, numeric=[False, *[True] * 9], row_classes=classes, class_="data scorecard")
    return join(caption, tag("div", body, class_="wide"))
