"""``results.xlsx``: a results folder as formatted sheets, for a commissioner who works in Excel.

Built from the saved folder alone (:func:`write_workbook`), like the HTML report, so
``drive-sim report`` rebuilds it. Sheets:

- **Answer**: the report's answer box (:func:`drive_sim.report.answers.answer_for`);
- **KPIs**: every KPI of the summary in words, with its unit, mean, 95% CI, guidance and
  status, shares and chances as percentages;
- **Sizing** (``size``), **Points** (``sweep``, ``explore``), **Plans** (``launch``),
  **Levels** (``size --uncertain``): the folder's own table of choices;
- **Assumptions**: every parameter of the (first) scenario, its value and its source;
- **About**: the command, seed, replications, versions, date, and what the numbers are.

Values are numbers, not text; no formulas, no macros. Written atomically beside the
report (a temporary file in the same folder, then renamed), so a reader never opens half
a workbook.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from drive_sim.analysis.kpis import KPI_INFO
from drive_sim.report.answers import answer_for, kpi_rows
from drive_sim.report.labels import HEADLINE, scope_label
from drive_sim.report.method import parameter_rows
from drive_sim.runs.store import ForeignFileError, SavedResults, load_results, shareable_mode
from drive_sim.scenario.reference import evidence_of

__all__ = ["WORKBOOK_NAME", "write_workbook"]

WORKBOOK_NAME = "results.xlsx"
#: The table of choices each kind of folder keeps, and its sheet's name.
_CHOICES = {"size": ("levels", "Sizing"), "sweep": ("points", "Points"), "explore": ("points", "Points"),
            "launch": ("plans", "Plans"), "size-uncertain": ("levels", "Levels")}  # fmt: skip
_PERCENT_UNITS = {"share", "0 or 1", "probability"}
_BOLD = Font(bold=True)
#: The workbook's author and last editor: how drive-sim knows a results.xlsx as its own.
MAKER = "drive-sim"


def _cell(value: Any) -> Any:
    """A value Excel can hold: numbers as numbers, missing as empty, the rest as text."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, bool | int | float):
        return value
    # Control characters (a hostile scenario name) cannot be stored: shown as escapes, as the terminal shows them.
    return ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", str(value))


def _sheet(
    book: Workbook,
    title: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    percent: Sequence[bool] | None = None,
    widths: Sequence[int] | None = None,
) -> Worksheet:
    sheet = book.create_sheet(title)
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = _BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append([_cell(value) for value in row])
    sheet.freeze_panes = "A2"
    for position, name in enumerate(header, start=1):
        letter = get_column_letter(position)
        longest = max([len(str(name)), *(len(str(r[position - 1] or "")) for r in rows[:200])])
        sheet.column_dimensions[letter].width = (widths or [0] * len(header))[position - 1] or min(
            max(10, longest + 2), 60
        )
        if percent is not None and percent[position - 1]:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=position, max_col=position):
                cell.number_format = "0.0%"
        elif all(isinstance(r[position - 1], float) for r in rows[:50] if r[position - 1] is not None) and rows:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=position, max_col=position):
                cell.number_format = "#,##0.00"
    return sheet


def _answer_sheet(book: Workbook, results: SavedResults) -> None:
    sheet = book.active
    assert sheet is not None
    sheet.title = "Answer"
    answer = answer_for(results)
    sheet.append(["The answer (as the report's answer box gives it)"])
    sheet["A1"].font = Font(bold=True, size=13)
    for line in [answer.verdict, *answer.points, *answer.cautions]:
        sheet.append([_cell(line)])
    sheet.column_dimensions["A"].width = 120
    for (cell,) in sheet.iter_rows(min_row=2):
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _kpi_sheet(book: Workbook, results: SavedResults) -> None:
    summary = results.table("summary")
    if summary is None or summary.empty:
        return
    labels = {(item.kpi, item.scope): item.label for item in HEADLINE}
    # The headline rows only, chosen before their statuses are worked out (a sweep's
    # summary has tens of thousands of rows, a few thousand of them headline ones), from
    # lists: iterating a text column itself is several times slower.
    pairs = zip(summary["kpi"].tolist(), summary["scope"].tolist(), strict=True)
    summary = summary[[pair in labels for pair in pairs]]
    rows = kpi_rows(summary, results)
    key = next((column for column in ("scenario", "point") if column in rows.columns), None)
    header = [*(["Scenario" if key == "scenario" else "Point"] if key else []), "Measure", "Whom it covers",
              "Window", "Unit", "Mean", "95% CI low", "95% CI high", "Guidance", "Status", "KPI"]  # fmt: skip
    body, percent_rows = [], []
    for row in rows.to_dict("records"):
        unit = KPI_INFO.get(row["kpi"], ("", ""))[0]
        is_percent = unit in _PERCENT_UNITS
        label = labels.get((row["kpi"], row["scope"])) or KPI_INFO.get(row["kpi"], ("", row["kpi"]))[1]
        body.append(
            [
                *([row[key]] if key else []),
                label,
                scope_label(row["scope"]),
                row["window"],
                unit,
                row["mean"],
                row["ci_low"],
                row["ci_high"],
                row["guidance"],
                row["status"] or "no guidance",
                row["kpi"],
            ]  # fmt: skip
        )
        percent_rows.append(is_percent)
    sheet = _sheet(book, "KPIs", header, body)
    sheet.append([])
    sheet.append(["The headline measures; every KPI of every scope is in summary.csv beside this file."])
    first_number = header.index("Mean") + 1
    for number, is_percent in enumerate(percent_rows, start=2):
        for column in range(first_number, first_number + 4):
            sheet.cell(number, column).number_format = "0.0%" if is_percent else "#,##0.00"


_STAT_WORDS = {"mean": "mean", "upper": "upper bound", "lower": "lower bound", "verdict": "verdict", "met": "met",
               "launch_mean": "launch mean"}  # fmt: skip


def _header_words(column: str, targets: dict[str, str]) -> str:
    """``weeks_above_guidance_share@group:drive:upper`` -> ``Drive IDVA weeks above guidance (share): upper bound``."""
    if "@" in column and ":" in column:
        measure, _, stat = column.rpartition(":")
        return f"{targets.get(measure, measure)}: {_STAT_WORDS.get(stat, stat)}"
    return column.replace("_", " ").capitalize()


def _table_sheet(book: Workbook, frame: pd.DataFrame, title: str, targets: dict[str, str] | None = None) -> None:
    frame = frame.rename(columns=lambda c: _header_words(str(c), targets or {}))
    percent = [
        bool(("share" in name.lower() or "chance" in name.lower() or name.lower().startswith("burnout"))
             and not name.endswith(("verdict", "met")))
        for name in frame.columns
    ]  # fmt: skip
    _sheet(book, title, [str(c) for c in frame.columns], frame.to_numpy(dtype=object).tolist(), percent)


def _assumptions_sheet(book: Workbook, results: SavedResults) -> None:
    rows = parameter_rows(results.scenarios[0])
    words = {"source": "cited", "assumption": "assumption", "none": "a setting"}
    body = [[row["path"], row["value"], words[evidence_of(row["source"])], row["source"]] for row in rows]
    _sheet(book, "Assumptions", ["Parameter", "Value", "Evidence", "Source or reason"], body, widths=[42, 36, 12, 100])


def _about_sheet(book: Workbook, results: SavedResults) -> None:
    manifest = results.manifest
    versions = manifest.get("versions", {})
    rows = [
        ["What this is", "A planning aid built from a simulation of a Drive site: every number is a mean across "
         "replications of synthetic cases, with its uncertainty, under the assumptions listed (no personal data)."],
        ["Kind of results", manifest.get("kind", "run")],
        ["Scenarios", "; ".join(manifest.get("labels", [])) or results.scenarios[0].site.name],
        ["Replications", manifest.get("replications")],
        ["Seed", ", ".join(str(s) for s in sorted(set(manifest.get("seeds", []))))],
        ["Command", manifest.get("command", "")],
        ["Written", dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")],
        *[[f"Version: {name}", version] for name, version in versions.items()],
    ]  # fmt: skip
    _sheet(book, "About", ["Item", "Value"], rows, widths=[24, 110])


def _is_own(path: Path) -> bool:
    """Whether ``path`` is a workbook drive-sim wrote and nobody has saved since (Excel records its editor)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True)
    except Exception:  # not a workbook openpyxl can read: not ours
        return False
    try:
        made, edited, sheets = book.properties.creator, book.properties.lastModifiedBy, book.sheetnames
        # Workbooks of the first version (5b745f9) were signed only by openpyxl: known by their sheets.
        first_version = made == "openpyxl" and sheets[:1] == ["Answer"] and sheets[-1:] == ["About"]
        return (made == MAKER or first_version) and edited in (None, MAKER)
    finally:
        book.close()


def write_workbook(folder: str | Path | SavedResults) -> Path:
    """Write ``results.xlsx`` into a saved results folder (replacing drive-sim's own) and return its path.

    ``folder`` may be the folder already read (:func:`~drive_sim.runs.store.load_results`).

    Raises:
        ForeignFileError: The folder holds a ``results.xlsx`` that drive-sim did not write, or
            that someone has edited and saved since; it is left as it is.
    """
    results = load_results(folder)
    target = results.folder / WORKBOOK_NAME
    if target.exists() and not _is_own(target):
        raise ForeignFileError(
            f"{target}: was not written by drive-sim (or was edited since), so drive-sim will not replace it; "
            "move it away to get a new results.xlsx"
        )
    book = Workbook()
    book.properties.creator = book.properties.lastModifiedBy = MAKER
    _answer_sheet(book, results)
    _kpi_sheet(book, results)
    labels = results.manifest.get("labels", [])
    kind = str(results.manifest.get("kind", "run" if len(labels) == 1 else "compare"))
    choice = _CHOICES.get(kind)
    if choice is not None:
        table = results.table(choice[0])
        if table is not None and not table.empty:
            labels = {(item.kpi, item.scope): item.label for item in HEADLINE}
            targets = {
                f"{t['kpi']}@{t['scope']}": labels.get((t["kpi"], t["scope"]), t["kpi"])
                for t in results.manifest.get("targets", [])
            }
            _table_sheet(book, table, choice[1], targets)
    _assumptions_sheet(book, results)
    _about_sheet(book, results)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(handle)
    try:
        book.save(temporary)
        os.chmod(temporary, shareable_mode())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
