"""The answer a results folder's report gives, and its KPI summary as scripts and spreadsheets read it.

One place for both, so that the terminal (:mod:`drive_sim.cli.findings`), the HTML pages
and the Excel workbook (:mod:`drive_sim.report.excel`) say the same: :func:`answer_for`
asks each kind of folder's page for its answer box (from the folder alone, as
``drive-sim report`` reads it), and :func:`kpi_rows` gives every KPI of the summary its
unit, guidance and status.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from drive_sim.report.words import Answer
    from drive_sim.runs.store import SavedResults

__all__ = ["SUMMARY_COLUMNS", "answer_for", "kpi_rows"]

#: The columns of the KPI summary scripts get (after ``scenario`` or ``point`` where there are several).
SUMMARY_COLUMNS = ("kpi", "scope", "window", "mean", "ci_low", "ci_high", "unit", "guidance", "status")


def answer_for(results: SavedResults) -> Answer:
    """The answer the report of this results folder shows in its answer box.

    Each branch passes what the matching report page passes (``report/build.py``,
    ``compare_page.py``, ``scale_pages.py``, ``how_sure.py``); ``tests/cli`` compares the
    two texts for run, compare and size.
    """
    return results.memo("answer", lambda: _answer(results))


def _answer(results: SavedResults) -> Answer:
    from drive_sim.report.build import report_kind

    kind = report_kind(results.manifest)
    answers = {
        "run": _run,
        "compare": _compare,
        "sweep": _sweep,
        "size": _size,
        "uncertainty": _uncertainty,
        "size-uncertain": _robust,
        "launch": _launch,
        "explore": _explore,
    }
    return answers[kind](results)


def _run(results: SavedResults) -> Answer:
    from drive_sim.analysis.stats import in_window, summarise
    from drive_sim.report import data
    from drive_sim.report.parts import replications_kept
    from drive_sim.report.words import run_answer

    scenario, label = results.scenarios[0], results.labels[0]
    summary = in_window(summarise(results.kpis), "steady")
    cases = results.table("cases")
    warmup = data.steady_starts(results.kpis)
    needed = data.first_contact_summary(cases, warmup) if cases is not None else summary.iloc[0:0]
    card = data.scorecard(summary.assign(scenario=label), [label], [scenario]).iloc[0].to_dict()
    return run_answer(summary, needed, card, scenario, replications_kept(results), results.manifest.get("command", ""))


def _compare(results: SavedResults) -> Answer:
    from drive_sim.analysis.stats import in_window, paired_differences, summarise
    from drive_sim.report import data
    from drive_sim.report.parts import replications_kept
    from drive_sim.report.words import compare_answer

    labels, scenarios = results.labels, results.scenarios
    summary = in_window(summarise(results.kpis), "steady")
    differences = results.table("differences")
    if differences is None:
        differences = paired_differences(results.kpis, baseline=labels[0])
    cards = data.scorecard(summary, labels, scenarios)
    return compare_answer(
        cards,
        in_window(differences, "steady"),
        labels[0],
        replications_kept(results),
        scenarios[0].site.horizon_days,
        results.manifest.get("command", ""),
    )


def _sweep(results: SavedResults) -> Answer:
    from drive_sim.report.scale_pages import sweep_answer

    return sweep_answer(results)


def _explore(results: SavedResults) -> Answer:
    from drive_sim.report.words import Answer

    points = results.table("points")
    count = len(points) if points is not None else len(results.labels)
    replications = results.manifest.get("replications", 0)
    return Answer(
        f"An explorer of {count} what-ifs, each run {replications} times on the same simulated cases: open the "
        "page and move the controls; it names the cheapest structure and staffing meeting the targets at each "
        "referral rate and backdating choice."
    )


def _launch(results: SavedResults) -> Answer:
    from drive_sim.report.launch_page import launch_answer_of

    return launch_answer_of(results)


def _size(results: SavedResults) -> Answer:
    from drive_sim.report.parts import replications_kept
    from drive_sim.report.words import size_answer

    manifest, labels, scenarios = results.manifest, results.labels, results.scenarios
    levels = results.table("levels")
    if levels is None:
        raise ValueError(f"{results.folder}: a sizing folder needs its levels table")
    levels = levels.sort_values("level", kind="stable").reset_index(drop=True)
    replications = replications_kept(results)
    given = levels.loc[levels["level"] == 0, "label"]
    base = scenarios[labels.index(given.iloc[0])] if len(given) else scenarios[0]
    return size_answer(
        levels,
        manifest.get("targets", []),
        float(manifest.get("confidence", 0.95)),
        int(manifest.get("first_look_replications", replications)),
        base.site.horizon_days,
        manifest.get("command", ""),
        manifest.get("budget"),
        manifest.get("looks", ()),
        manifest.get("window", "steady"),
    )


def _uncertainty(results: SavedResults) -> Answer:
    import pandas as pd

    from drive_sim.report.how_sure import uncertainty_answer

    info = results.manifest.get("uncertainty", {})
    variance, sensitivity, emulator = results.table("variance"), results.table("sensitivity"), results.table("emulator")
    assert variance is not None and sensitivity is not None
    return uncertainty_answer(
        variance,
        sensitivity,
        emulator if emulator is not None else pd.DataFrame(),
        info.get("samples", 0),
        info.get("replications_per_world", 0),
    )


def _robust(results: SavedResults) -> Answer:
    import pandas as pd

    from drive_sim.report.how_sure import robust_answer

    manifest = results.manifest
    levels = results.table("levels")
    assert levels is not None
    switching, value = results.table("switching"), results.table("data_value")
    sensitivity, emulator = results.table("sensitivity"), results.table("emulator")
    return robust_answer(
        levels,
        switching if switching is not None else pd.DataFrame(columns=["parameter", "direction", "value", "side"]),
        value if value is not None else pd.DataFrame(columns=["parameter", "chance_choice_changes"]),
        sensitivity if sensitivity is not None else pd.DataFrame(columns=["kpi", "scope", "method"]),
        emulator if emulator is not None else pd.DataFrame(),
        manifest.get("share", 0.9),
        manifest.get("worlds", 0),
        manifest.get("replications_per_world", 0),
    )


# --------------------------------------------------------------------------------------
# --format json|csv
# --------------------------------------------------------------------------------------


def kpi_rows(summary: pd.DataFrame, results: SavedResults) -> pd.DataFrame:
    """The saved KPI summary as scripts read it: each row's unit, guidance and status against it.

    ``status`` is the report's (``within``, ``above``/``below``, ``borderline`` when the
    95% CI spans the guidance; empty for a KPI without guidance).
    """
    from drive_sim.analysis.kpis import KPI_INFO, guidance_for
    from drive_sim.report.data import kpi_status
    from drive_sim.report.labels import HEADLINE

    better = {(item.kpi, item.scope): item.better for item in HEADLINE}
    key = next((column for column in ("scenario", "point") if column in summary.columns), None)
    scenarios = dict(zip(results.labels, results.scenarios, strict=True))
    if key == "point":
        scenarios = dict(enumerate(results.scenarios))  # type: ignore[arg-type]
    units, guidance, status = [], [], []
    # The columns read, as lists: a sweep's summary has tens of thousands of rows, and
    # turning every row into a dict cost 25 times more.
    keys = summary[key].tolist() if key else [None] * len(summary)
    columns = (summary[name].tolist() for name in ("kpi", "scope", "mean", "ci_low", "ci_high"))
    for row_key, kpi, scope, mean, low, high in zip(keys, *columns, strict=True):
        scenario = scenarios.get(row_key) if key else results.scenarios[0]
        figure = guidance_for(kpi, scope, scenario) if scenario is not None else None
        units.append(KPI_INFO.get(kpi, ("", ""))[0])
        guidance.append(math.nan if figure is None else figure)
        direction = better.get((kpi, scope), "lower")  # guidance is a most, except where HEADLINE says
        status.append(kpi_status(mean, low, high, figure, direction))
    frame = summary.assign(unit=units, guidance=guidance, status=status)
    return frame[[*([key] if key else []), *SUMMARY_COLUMNS]].reset_index(drop=True)
