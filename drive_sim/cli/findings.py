"""The answer first, and results for scripts: the report's verdict in the terminal, and ``--format``.

Every results command ends in :func:`drive_sim.cli.common.publish`, which saves the
results folder and then reads it back here, as the HTML report does: :func:`answer_for`
asks the report's answer functions (:mod:`drive_sim.report.words`,
:mod:`drive_sim.report.how_sure`) with the same arguments the report's pages give them,
so the sentence on the terminal and the report's answer box are one text.
:func:`machine_rows` and :func:`emit` give ``--format json|csv`` the folder's own tables.
"""

from __future__ import annotations

import json
import math
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from drive_sim.report.words import Answer
    from drive_sim.runs.store import SavedResults

__all__ = ["FORMATS", "answer_for", "emit", "kpi_rows", "machine_rows"]


def answer_for(results: SavedResults) -> Answer:
    """The answer the folder's report gives (:func:`drive_sim.report.answers.answer_for`)."""
    from drive_sim.report.answers import answer_for as answer

    return answer(results)


def kpi_rows(summary: pd.DataFrame, results: SavedResults) -> pd.DataFrame:
    """The saved KPI summary with units, guidance and status (:func:`drive_sim.report.answers.kpi_rows`)."""
    from drive_sim.report.answers import kpi_rows as rows

    return rows(summary, results)


#: What ``--format`` accepts: the human table (default), or one machine-readable document on stdout.
FORMATS = ("table", "json", "csv")


def machine_rows(results: SavedResults, table: str) -> pd.DataFrame:
    """What ``--format`` prints: ``summary`` (:func:`kpi_rows`) or a saved table of the folder by name."""
    import pandas as pd

    from drive_sim.report.answers import SUMMARY_COLUMNS

    if table == "summary":
        summary = results.table("summary")
        return kpi_rows(summary if summary is not None else pd.DataFrame(columns=SUMMARY_COLUMNS), results)
    found = results.table(table)
    return found if found is not None else pd.DataFrame()


def _plain(value: Any) -> Any:
    """A JSON value: numpy scalars as Python numbers, NaN and missing as null."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def emit(fmt: str, rows: pd.DataFrame, answer: Answer | None, about: dict[str, Any]) -> None:
    """Write the results as one JSON document or one CSV table to stdout, and nothing else.

    Args:
        fmt: ``json`` or ``csv``.
        rows: The table to write (JSON: under ``rows``).
        answer: The verdict and its sentences (JSON only: ``verdict``, ``points``, ``cautions``).
        about: More JSON fields, such as the command, the results folder and the report.
    """
    if fmt == "csv":
        rows.to_csv(sys.stdout, index=False, lineterminator="\n")
        return
    document = {
        **about,
        "verdict": answer.verdict if answer else None,
        "points": list(answer.points) if answer else [],
        "cautions": list(answer.cautions) if answer else [],
        "columns": [str(column) for column in rows.columns],
        "rows": [{str(k): _plain(v) for k, v in record.items()} for record in rows.to_dict("records")],
    }
    sys.stdout.write(json.dumps(document, indent=2, allow_nan=False, default=str) + "\n")
    sys.stdout.flush()
