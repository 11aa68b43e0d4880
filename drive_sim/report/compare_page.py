"""The comparison page: which scenario to choose, how the others differ, and the evidence.

Every scenario of a comparison ran on the same simulated cases (common random
numbers), so the page leads with the recommendation and the paired differences from the
baseline (the first scenario), then shows each measure over time, scenario by scenario.
"""

from __future__ import annotations

import math

import pandas as pd

from drive_sim.analysis.stats import in_window, paired_differences, summarise
from drive_sim.report import data
from drive_sim.report.figures import band_figure, delay_cdf_figure, differences_figure, lines_figure, workload_heatmap
from drive_sim.report.html import Markup, details, fmt, join, page, table, tag
from drive_sim.report.labels import HEADLINE
from drive_sim.report.parts import (
    Charts,
    answer_block,
    closing_sections,
    header,
    replications_kept,
    scorecard_table,
    with_dates,
)
from drive_sim.report.words import choose, compare_answer, years_text
from drive_sim.runs.store import SavedResults

__all__ = ["COMPARE_MEASURES", "compare_page", "differences_table"]

#: Measures shown as paired differences: (kpi, scope or None for the Drive IDVAs). Their
#: labels are the headline's (:data:`~drive_sim.report.labels.HEADLINE`), as in the terminal.
COMPARE_MEASURES: tuple[tuple[str, str | None], ...] = (
    ("open_cases_per_fte_mean", None),
    ("weeks_above_guidance_share", None),
    ("first_contact_delay_p90_days", "site"),
    ("workload_ratio_mean", None),
    ("idva_leavers", "site"),
    ("open_cases_per_fte_mean", "group:cm"),
    ("annual_staff_cost", "site"),
)


def _difference_rows(differences: pd.DataFrame, drive_scope: str) -> pd.DataFrame:
    labels = {(item.kpi, item.scope): item.label for item in HEADLINE}
    frames = []
    for kpi, scope in COMPARE_MEASURES:
        scope = scope or drive_scope
        rows = differences[(differences["kpi"] == kpi) & (differences["scope"] == scope)]
        label = labels.get((kpi, scope)) or labels.get((kpi, "group:drive"), kpi)
        if scope == "group:idva" and (kpi, scope) not in labels:
            label = label.replace("Drive IDVA", "IDVA (every IDVA: none is named for Drive)")
        frames.append(rows.assign(measure=label))
    return pd.concat(frames, ignore_index=True) if frames else differences.iloc[0:0]


def differences_table(differences: pd.DataFrame, labels: list[str]) -> Markup:
    """Every headline KPI: each scenario minus the baseline, 95% CI; bold where the CI excludes 0."""
    index = {(r["scenario"], r["kpi"], r["scope"]): r for r in differences.to_dict("records")}
    rows = []
    for item in HEADLINE:
        cells = []
        for label in labels[1:]:
            row = index.get((label, item.kpi, item.scope))
            if row is None or math.isnan(row["mean_difference"]):
                cells.append("–")
                continue
            text = (
                f"{row['mean_difference']:+,.{item.digits}f} "
                f"({fmt(row['ci_low'], item.digits)} to {fmt(row['ci_high'], item.digits)})"
            )
            cells.append(tag("strong", text) if row["clear"] else tag("span", text, class_="note"))
        rows.append([item.label, *cells])
    return tag(
        "div",
        table(
            ["Measure", *labels[1:]],
            rows,
            numeric=[False, *[True] * (len(labels) - 1)],
            caption=f"Scenario minus baseline ({labels[0]}), mean and 95% CI of the paired differences. Bold: a clear "
            "difference (the interval excludes zero); grey: within what chance alone could give.",
        ),
        class_="wide",
    )


def _drive_weeks(weeks: pd.DataFrame, results: SavedResults) -> pd.DataFrame:
    """IDVA weeks of the named Drive IDVAs, or of every IDVA in a scenario that names none."""
    no_drive = [
        label
        for label, scenario in zip(results.labels, results.scenarios, strict=True)
        if not any(i.role == "drive" for i in scenario.teams.idvas)
    ]
    keep = (weeks["kind"] == "idva") & ((weeks["role"] == "drive") | weeks["scenario"].isin(no_drive))
    return weeks[keep]


def _charts(results: SavedResults, differences: pd.DataFrame, drive_scope: str, charts: Charts) -> list[Markup]:
    labels, base = results.labels, results.scenarios[0]
    start, guidance = base.site.start_date, base.guidance
    parts: list[Markup] = []
    chosen_rows = _difference_rows(differences, drive_scope)
    if len(chosen_rows):
        parts += [
            tag("h3", "Differences from the baseline"),
            charts.add(
                differences_figure(chosen_rows, "measure", "scenario", f"Each scenario minus {labels[0]}", labels[1:]),
                "Dot: mean paired difference; bar: its 95% CI. Filled: a clear difference (the CI excludes zero).",
            ),
        ]
    weeks, cases, events = results.table("weeks"), results.table("cases"), results.table("workforce_events")
    if weeks is None or cases is None:
        parts.append(tag("p", "The record tables were not kept, so there are no charts over time.", class_="note"))
        return parts
    drive = with_dates(data.caseload_bands(_drive_weeks(weeks, results), "idva", ["scenario"]), start)
    parts += [
        tag("h3", "Drive IDVA open cases over time"),
        charts.add(
            band_figure(
                drive,
                "scenario",
                "Drive IDVA open cases per FTE, by scenario",
                "Open cases per FTE",
                guidance.idva_open_cases_per_fte,
                f"SafeLives guidance-equivalent: {guidance.idva_open_cases_per_fte:g} per FTE",
                labels,
            ),
            "Average over the named Drive IDVAs (every IDVA where a scenario names none). Line: median across "
            "replications; shaded: 10th to 90th percentile. Click a legend entry to hide a scenario.",
        ),
    ]
    distribution = data.delay_distribution(cases, data.steady_starts(results.kpis, ["scenario"]), ["scenario"])
    parts += [
        tag("h3", "How long clients wait for first contact"),
        charts.add(
            delay_cdf_figure(
                distribution,
                "scenario",
                "Share of clients contacted within N days",
                guidance.first_contact_days,
                labels,
            ),
            "Clients who needed a first contact, over every replication; higher and further left is better.",
        ),
    ]
    workforce = data.workforce_over_time(weeks, events, ["scenario"])
    burnt = with_dates(workforce[(workforce["kind"] == "idva") & (workforce["measure"] == "burnt_out")], start)
    parts += [
        tag("h3", "Burnout over time"),
        charts.add(
            lines_figure(
                burnt, "scenario", "IDVAs burnt out (average over replications)", "IDVAs burnt out", order=labels
            ),
            "Average number of IDVAs burnt out at the end of each week.",
        ),
    ]
    idva_weeks = weeks[weeks["kind"] == "idva"]
    matrix = data.workload_matrix(idva_weeks, ["scenario", "practitioner"])
    matrix = with_dates(matrix.assign(row=matrix["scenario"] + " · " + matrix["practitioner"]), start)
    threshold = base.workforce.burnout.workload_threshold
    parts += [
        tag("h3", "IDVA workload: hours asked over hours available"),
        charts.add(
            workload_heatmap(matrix, "row", "IDVA workload ratio per week (median), scenario by scenario", threshold),
            f"1 means the hours asked equal the hours available; above {threshold:g} for "
            f"{base.workforce.burnout.consecutive_weeks} weeks in a row counts as burnout.",
        ),
    ]
    cm = with_dates(data.caseload_bands(weeks, "cm", ["scenario"]), start)
    parts += [
        tag("h3", "Case Manager caseloads"),
        charts.add(
            band_figure(
                cm,
                "scenario",
                "CM open Drive cases per FTE, by scenario",
                "Open cases per FTE",
                guidance.cm_open_cases_per_fte,
                f"CM guidance: {guidance.cm_open_cases_per_fte:g} per FTE",
                labels,
            ),
            "Average over the CMs. Line: median across replications; shaded: 10th to 90th percentile.",
        ),
    ]
    return parts


def compare_page(results: SavedResults, cdn: bool = False) -> str:
    """The HTML page of a comparison results folder."""
    labels, scenarios = results.labels, results.scenarios
    every = summarise(results.kpis)
    summary = in_window(every, "steady")
    launch = in_window(every, "launch")
    replications = replications_kept(results)
    differences = results.table("differences")
    if differences is None:
        differences = paired_differences(results.kpis, baseline=labels[0])
    differences = in_window(differences, "steady")
    cards = data.scorecard(summary, labels, scenarios)
    chosen, meets_all = choose(cards)
    horizon = scenarios[0].site.horizon_days
    answer = compare_answer(cards, differences, labels[0], replications, horizon, results.manifest.get("command", ""))
    drive_scope = cards.iloc[0]["drive_scope"] if len(cards) else "group:idva"
    charts = Charts()
    sections = [
        ("answer", "Answer"),
        ("scorecard", "Side by side"),
        ("evidence", "Evidence"),
        ("assumptions", "Assumptions"),
        ("method", "Method"),
    ]
    lede = [
        join(
            f"{len(labels)} scenarios, baseline ",
            tag("strong", labels[0]),
            ". ",
            f"{replications} replications of {years_text(horizon)} each, seed "
            f"{', '.join(map(str, sorted(set(results.manifest.get('seeds', [])))))}: the same cases in every scenario.",
        ),
    ]
    body = join(
        header(
            "Drive IDVA and Case Manager capacity: comparison report",
            f"Comparing {len(labels)} scenarios",
            lede,
            sections,
        ),
        answer_block(answer),
        tag("h2", "Side by side", id="scorecard"),
        scorecard_table(cards, chosen, meets_all=meets_all),
        details(
            "At launch: the same measures over the first 26 weeks",
            scorecard_table(data.scorecard(launch, labels, scenarios), None),
        )
        if len(launch)
        else None,
        tag("h3", "The scenarios"),
        tag(
            "ul",
            [
                tag("li", tag("strong", label), ": ", s.site.description)
                for label, s in zip(labels, scenarios, strict=True)
            ],
            class_="scenarios",
        ),
        details("Paired differences from the baseline, every headline measure", differences_table(differences, labels)),
        tag("h2", "Evidence", id="evidence"),
        _charts(results, differences, drive_scope, charts),
        closing_sections(results, "compare"),
    )
    return page(f"Comparing {len(labels)} scenarios: Drive capacity report", body, cdn)
