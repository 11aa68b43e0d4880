"""The launch page: each set-up plan's first months side by side, the answer in words first.

Built from a ``launch`` results folder alone (``drive-sim report`` rebuilds it): its
``months`` table (every plan, replication, month and measure) and ``plans`` table (the
facts :func:`drive_sim.runs.launch.plan_facts` found), beside the usual KPI tables.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
from markupsafe import Markup

from drive_sim.report.figures import band_figure
from drive_sim.report.html import fmt, join, page, table, tag
from drive_sim.report.parts import Charts, answer_block, closing_sections, header
from drive_sim.report.words import Answer
from drive_sim.runs.launch import MEASURES, monthly_summary
from drive_sim.runs.store import SavedResults

__all__ = ["RECOMMENDATIONS", "launch_answer", "launch_answer_of", "launch_page", "plan_sentence"]

#: The study's recommendations a launch comparison bears on, quoted with their places.
RECOMMENDATIONS: tuple[tuple[str, str], ...] = (
    (
        "any changes to processes that affect the flow of Case Manager referrals, such as backdating cases, must "
        "take the size of the IDVA team into account",
        "p18 (extract, recommendations table; body L300)",
    ),
    (
        "Time to be allocated … especially early on, when teams are more likely to have more capacity",
        "p22/p63 (extract, recommendations table, L78)",
    ),
    (
        "a treadmill that just kept getting faster … until eventually I just fell off",
        "the Drive IDVA at the site that backdated (extract §1b, L295)",
    ),
)


def _percent(value: float) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:.0%}"


def plan_sentence(row: pd.Series, months: int) -> str:
    """One plan's launch in one sentence: weeks above guidance, burnout chance, steady state."""
    start, end = row["above_from_week"], row["above_to_week"]
    last_week = int(months * 365 / 12 // 7)
    if pd.isna(start):
        above = f"the Drive IDVAs stay within guidance on average for the first {months} months"
    elif int(end) >= last_week - 1:
        above = f"the Drive IDVAs are above guidance on average from week {int(start)}, and still at month {months}"
    else:
        above = f"the Drive IDVAs are above guidance on average from week {int(start)} to week {int(end)}"
    burnout = (
        f"a {_percent(row['burnout'])} chance ({_percent(row['burnout_low'])} to {_percent(row['burnout_high'])}) "
        "that a Drive IDVA burns out in the first six months"
    )
    steady = "" if pd.isna(row["steady_month"]) else f"; steady state from about month {row['steady_month']:.0f}"
    return f"{row['label']}: {above} (peak {row['peak_per_fte']:.0f} open cases per FTE); {burnout}{steady}."


def launch_answer(plans: pd.DataFrame, months: int, replications: int) -> Answer:
    """The answer box: the plan with the lowest burnout chance first, every plan in a sentence."""
    ordered = plans.sort_values(["burnout", "peak_per_fte"], kind="stable")
    best = ordered.iloc[0]
    verdict = (
        f"Of the {len(plans)} plans, the lowest chance that a Drive IDVA burns out in the first six months comes "
        f"with {best['label']} ({_percent(best['burnout'])})."
    )
    points = [plan_sentence(row, months) for _, row in plans.iterrows()]
    cautions = []
    if replications < 20:
        cautions.append(f"{replications} replications a plan: the chances are rough; run with --reps 40 or more.")
    return Answer(verdict, points, cautions)


def launch_answer_of(results: SavedResults) -> Answer:
    """The answer box of a launch folder's page (the terminal prints the same)."""
    plans = results.table("plans")
    if plans is None:
        raise ValueError(f"{results.folder}: not a complete launch folder (no plans table)")
    months = int(results.manifest.get("months", 18))
    return launch_answer(plans, months, int(plans["replications"].min()))


def _bands(summary: pd.DataFrame, measure: str) -> pd.DataFrame:
    rows = summary[summary["measure"] == measure]
    return pd.DataFrame(
        {
            "series": rows["scenario"],
            "month": rows["month"],
            "low": rows["ci_low"],
            "median": rows["mean"],
            "high": rows["ci_high"],
        }
    )


def _plans_table(plans: pd.DataFrame) -> Markup:
    rows = [
        [
            row["label"],
            "never" if pd.isna(row["above_from_week"]) else f"week {int(row['above_from_week'])}",
            fmt(row["peak_per_fte"], 1),
            f"{_percent(row['burnout'])} ({_percent(row['burnout_low'])} to {_percent(row['burnout_high'])})",
            fmt(row["steady_month"], 0),
        ]
        for _, row in plans.iterrows()
    ]
    return table(
        [
            "Plan",
            "First week above guidance (mean)",
            "Peak open cases per FTE (weekly mean)",
            "Chance a Drive IDVA burns out, first 26 weeks (95% CI)",
            "Steady state from month",
        ],
        rows,
    )


def launch_page(results: SavedResults, cdn: bool = False) -> str:
    """The HTML page of a launch results folder."""
    months_table, plans = results.table("months"), results.table("plans")
    if months_table is None or plans is None:
        raise ValueError(f"{results.folder}: not a complete launch folder (no months or plans table)")
    months = int(results.manifest.get("months", months_table["month"].max()))
    summary = monthly_summary(months_table)
    order: Sequence[str] = list(plans["label"])
    base = results.scenarios[0]
    replications = int(plans["replications"].min())
    answer = launch_answer_of(results)
    charts = Charts()
    figures = []
    for measure in ("open_per_fte", "burnout", "spare_hours", "first_contact_days", "backlog", "accepted", "cost"):
        label, unit = MEASURES[measure]
        guidance = base.guidance.idva_open_cases_per_fte if measure == "open_per_fte" else None
        figure = band_figure(
            _bands(summary, measure),
            "series",
            label,
            unit,
            guidance=guidance,
            guidance_label=f"Guidance: {guidance:g} open cases per FTE" if guidance is not None else "Guidance",
            order=order,
            x="month",
            x_title="Month after launch",
        )
        figures.append(charts.add(figure, "Mean across replications by month, with its 95% confidence interval."))
    quotes = [tag("blockquote", tag("p", f"“{words}”"), tag("footer", place)) for words, place in RECOMMENDATIONS]
    sections = [
        ("answer", "Answer"),
        ("plans", "The plans"),
        ("months", "Month by month"),
        ("study", "What the study recommends"),
        ("assumptions", "Assumptions"),
        ("method", "Method"),
    ]
    body = join(
        header(
            "Drive IDVA and Case Manager capacity: launch plans",
            f"{base.site.name}: the first {months} months of {len(plans)} set-up plans",
            [
                f"{replications} replications a plan, the same cases in every plan (common random numbers).",
                "A planning aid built from a simulation: every number is a mean across replications with its "
                "uncertainty, under the assumptions listed below.",
            ],
            sections,
        ),
        answer_block(answer),
        tag("h2", "The plans side by side", id="plans"),
        _plans_table(plans),
        tag("h2", "Month by month", id="months"),
        figures,
        tag("h2", "What the study recommends", id="study"),
        quotes,
        closing_sections(results, "launch"),
    )
    return page(f"{base.site.name}: launch plans", body, cdn)
