"""One self-contained HTML report per results folder: the answer in words, then the evidence.

:func:`build_report` reads a saved results folder (:mod:`drive_sim.runs.store`) and writes
one page that works offline (plotly.js embedded once) or, with ``cdn=True``, links
plotly.js from its CDN to keep the file small. It never runs the model: everything comes
from the folder, so ``drive-sim report RESULTS_DIR`` rebuilds a page at any time.

The page layout follows the question: the answer (words, numbers, uncertainty), the
KPIs against guidance, the charts, every parameter with its source, and the method under
the STRESS-DES headings. Which page is built depends on ``manifest["kind"]``: ``run``,
``compare``, ``sweep`` or ``size`` (missing: ``compare`` when there are several labels,
else ``run``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from drive_sim.analysis.stats import in_window, summarise
from drive_sim.analysis.warmup import LAUNCH_DAYS
from drive_sim.report import data
from drive_sim.report.compare_page import compare_page
from drive_sim.report.figures import (
    band_figure,
    delay_histogram_figure,
    lines_figure,
    warmup_figure,
    workload_heatmap,
)
from drive_sim.report.html import Markup, join, page, tag
from drive_sim.report.parts import (
    Charts,
    all_measures,
    answer_block,
    closing_sections,
    header,
    headline_table,
    replications_kept,
    with_dates,
)
from drive_sim.report.scale_pages import size_page, sweep_page
from drive_sim.report.words import run_answer, years_text
from drive_sim.runs.store import SavedResults, atomic_write_text, load_results

__all__ = ["REPORT_NAME", "build_report", "render_report", "report_kind"]

REPORT_NAME = "report.html"

#: Display words for the series the model emits (the report layer owns display labels).
IDVA_GROUP_LABELS = {"drive": "Named Drive IDVAs", "wider": "Wider IDVA team"}
WORKFORCE_LABELS = {
    ("idva", "burnt_out"): "IDVAs burnt out",
    ("idva", "vacant"): "IDVA posts vacant",
    ("idva", "left_so_far"): "IDVAs who have left so far",
    ("cm", "burnt_out"): "CMs burnt out",
    ("cm", "vacant"): "CM posts vacant",
    ("cm", "left_so_far"): "CMs who have left so far",
}
MAX_DELAY_DAYS = 60


def report_kind(manifest: dict[str, Any]) -> str:
    """``run``, ``compare``, ``sweep`` or ``size``, from the manifest."""
    kind = manifest.get("kind")
    if kind:
        return str(kind)
    return "compare" if len(manifest.get("labels", [])) > 1 else "run"


def _run_meta(results: SavedResults, replications: int) -> str:
    scenario = results.scenarios[0]
    return (
        f"{replications} replications of {years_text(scenario.site.horizon_days)} from launch on "
        f"{scenario.site.start_date:%d %B %Y}; seed {scenario.run.seed}."
    )


# --------------------------------------------------------------------------------------
# Run
# --------------------------------------------------------------------------------------


def _run_charts(results: SavedResults, charts: Charts) -> list[Markup]:
    scenario = results.scenarios[0]
    weeks, cases, events = results.table("weeks"), results.table("cases"), results.table("workforce_events")
    start, guidance = scenario.site.start_date, scenario.guidance
    parts: list[Markup] = []
    if weeks is None or cases is None:
        return [tag("p", "The record tables were not kept with these results, so there are no charts.", class_="note")]

    idva_bands = with_dates(data.caseload_bands(weeks, "idva"), start)
    parts += [
        tag("h3", "Open cases over time, per IDVA"),
        charts.add(
            band_figure(
                idva_bands,
                "practitioner",
                "IDVA open cases per FTE, Drive and non-Drive",
                "Open cases per FTE",
                guidance.idva_open_cases_per_fte,
                f"SafeLives guidance-equivalent: {guidance.idva_open_cases_per_fte:g} per FTE",
            ),
            "Line: median across replications; shaded: 10th to 90th percentile. Vacant weeks are left out.",
        ),
    ]
    matrix = with_dates(data.workload_matrix(weeks), start)
    threshold = scenario.workforce.burnout.workload_threshold
    parts += [
        tag("h3", "Workload: hours asked over hours available"),
        charts.add(
            workload_heatmap(matrix, "practitioner", "Workload ratio per practitioner per week (median)", threshold),
            f"1 means the hours asked equal the hours available. Above {threshold:g} for "
            f"{scenario.workforce.burnout.consecutive_weeks} weeks in a row counts as burnout.",
        ),
    ]
    parts += warmup_part(weeks, data.steady_starts(results.kpis), scenario, charts)
    distribution = data.delay_distribution(cases, data.steady_starts(results.kpis), ["idva_group"], MAX_DELAY_DAYS)
    distribution = distribution.assign(
        group=distribution["idva_group"].map(IDVA_GROUP_LABELS).fillna(distribution["idva_group"])
    )
    parts += [
        tag("h3", "How long clients wait for first contact"),
        charts.add(
            delay_histogram_figure(
                distribution,
                "group",
                "Days from acceptance at panel to first contact",
                guidance.first_contact_days,
                MAX_DELAY_DAYS,
            ),
            "Clients who needed a first contact, over every replication, by the group of the IDVA allocated. "
            "Clients who already knew an IDVA are not counted.",
        ),
    ]
    workforce = data.workforce_over_time(weeks, events)
    workforce = with_dates(workforce, start).assign(
        series=[WORKFORCE_LABELS[(k, m)] for k, m in zip(workforce["kind"], workforce["measure"], strict=True)]
    )
    parts += [
        tag("h3", "Burnout, leavers and vacancies over time"),
        charts.add(
            lines_figure(
                workforce,
                "series",
                "Burnt out, vacant and left (average over replications)",
                "People or posts",
                order=list(WORKFORCE_LABELS.values()),
                dashed=[v for (k, _), v in WORKFORCE_LABELS.items() if k == "cm"],
            ),
            "Average number across replications at the end of each week. Dotted lines: Case Managers.",
        ),
    ]
    cm_bands = with_dates(data.caseload_bands(weeks, "cm"), start)
    parts += [
        tag("h3", "Case Manager caseloads"),
        charts.add(
            band_figure(
                cm_bands,
                "practitioner",
                "CM open Drive cases per FTE",
                "Open cases per FTE",
                guidance.cm_open_cases_per_fte,
                f"CM guidance: {guidance.cm_open_cases_per_fte:g} per FTE",
            ),
            "Line: median across replications; shaded: 10th to 90th percentile. A Team Leader holds a reduced share.",
        ),
    ]
    return parts


def warmup_words(starts: pd.Series, scenario: Any) -> str:
    """How the steady window's start was chosen, in words, with the figures."""
    if scenario.run.warmup_days != "auto":
        return f"The steady state is measured after a warm-up of {scenario.run.warmup_days:g} days (run.warmup_days)."
    if starts.empty:
        return "The steady state is measured after each replication's MSER-5 warm-up."
    return (
        "The steady state is measured after each replication's warm-up, chosen by MSER-5 on its weekly open IDVA "
        f"cases (the truncation that minimises the standard error of the 5-week batch means left): median "
        f"{starts.median():.0f} days, {starts.min():.0f} to {starts.max():.0f} across {len(starts)} replications. "
        f"The launch window is the first {LAUNCH_DAYS / 7:.0f} weeks, the study's overload period; set "
        "run.warmup_days to a number of days to override the warm-up."
    )


def warmup_part(weeks: pd.DataFrame, starts: pd.Series, scenario: Any, charts: Charts) -> list[Markup]:
    """The launch and warm-up chart with the words that explain it."""
    bands = with_dates(data.open_case_bands(weeks), scenario.site.start_date)
    if bands.empty:
        return []
    start = pd.Timestamp(scenario.site.start_date)
    launch_end = start + pd.Timedelta(days=LAUNCH_DAYS)
    median = float(starts.median()) if len(starts) else float("nan")
    warmup_end = None if median != median else start + pd.Timedelta(days=int(median))
    label = "" if warmup_end is None else f"steady state from here (median warm-up {median:.0f} days)"
    return [
        tag("h3", "Launch and steady state"),
        tag("p", warmup_words(starts, scenario)),
        charts.add(
            warmup_figure(bands, launch_end, warmup_end, label),
            "Shaded red: the launch window (first 26 weeks). Green dashed line: the median warm-up; the steady-state "
            "measures count what follows each replication's own warm-up.",
        ),
    ]


def _run_page(results: SavedResults, cdn: bool) -> str:
    scenario, label = results.scenarios[0], results.labels[0]
    every = summarise(results.kpis)
    summary, launch = in_window(every, "steady"), in_window(every, "launch")
    replications = replications_kept(results)
    cases = results.table("cases")
    warmup = data.steady_starts(results.kpis)
    needed = data.first_contact_summary(cases, warmup) if cases is not None else summary.iloc[0:0]
    card = data.scorecard(summary.assign(scenario=label), [label], [scenario]).iloc[0].to_dict()
    answer = run_answer(summary, needed, card, scenario, replications, results.manifest.get("command", ""))
    charts = Charts()
    sections = [
        ("answer", "Answer"),
        ("guidance", "Against guidance"),
        ("evidence", "Evidence"),
        ("assumptions", "Assumptions"),
        ("method", "Method"),
    ]
    body = join(
        header(
            "Drive IDVA and Case Manager capacity: scenario report",
            label,
            [scenario.site.description, _run_meta(results, replications)],
            sections,
        ),
        answer_block(answer),
        tag("h2", "Against guidance", id="guidance"),
        headline_table(
            data.headline_rows(summary, scenario), data.headline_rows(launch, scenario) if len(launch) else None
        ),
        all_measures(every),
        tag("h2", "Evidence", id="evidence"),
        _run_charts(results, charts),
        closing_sections(results, "run"),
    )
    return page(f"{label}: Drive capacity report", body, cdn)


# --------------------------------------------------------------------------------------
# Dispatch
# --------------------------------------------------------------------------------------


def render_report(results: SavedResults, cdn: bool = False) -> str:
    """The report page of a loaded results folder, as HTML text."""
    kind = report_kind(results.manifest)
    if kind == "run":
        return _run_page(results, cdn)
    if kind == "compare":
        return compare_page(results, cdn)
    if kind == "sweep":
        return sweep_page(results, cdn)
    if kind == "size":
        return size_page(results, cdn)
    if kind == "uncertainty":
        from drive_sim.report.how_sure import uncertainty_page

        return uncertainty_page(results, cdn)
    if kind == "explore":
        from drive_sim.report.explorer import explorer_page

        return explorer_page(results, cdn)
    if kind == "size-uncertain":
        from drive_sim.report.how_sure import robust_page

        return robust_page(results, cdn)
    if kind == "launch":
        from drive_sim.report.launch_page import launch_page

        return launch_page(results, cdn)
    raise ValueError(f"{results.folder}: unknown kind of results {kind!r} in manifest.json")


def build_report(folder: str | Path | SavedResults, output: str | Path | None = None, cdn: bool = False) -> Path:
    """Write the HTML report of a saved results folder, and (into the folder) its ``results.xlsx``.

    Args:
        folder: A results folder written by :func:`drive_sim.runs.store.save_results` (a
            run, comparison, sweep or sizing), or that folder already read
            (:func:`~drive_sim.runs.store.load_results`: what it has worked out is reused).
        output: Where to write the page (default: ``report.html`` inside ``folder``).
        cdn: Link plotly.js from its CDN (a small file that needs the internet to show
            charts) instead of embedding it (about 4.6 MB, works offline).

    Returns:
        The path of the page written.

    Raises:
        FileNotFoundError: If ``folder`` is not a results folder.
        ValueError: If the manifest names an unknown kind of results.
        drive_sim.runs.store.ForeignFileError: If the folder holds a ``results.xlsx`` drive-sim
            did not write (the page is written; the workbook is left alone).
    """
    results = load_results(folder)
    path = Path(output) if output is not None else results.folder / REPORT_NAME
    atomic_write_text(path, render_report(results, cdn))
    if output is None:  # the folder's own files: its page and, beside it, its workbook
        from drive_sim.report.excel import write_workbook

        write_workbook(results)
    return path
