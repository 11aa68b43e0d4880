"""Records to tidy tables: one table per record type of a replication.

Pure functions over a :class:`~drive_sim.model.records.SimulationOutput`: nothing here runs
the model, prints or draws. Every column is described in :mod:`drive_sim.analysis.dictionary`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import fields
from operator import attrgetter
from typing import Any

import numpy as np
import pandas as pd

from drive_sim.model.records import (
    CaseRecord,
    PractitionerInfo,
    SimulationOutput,
    SiteWeek,
    WeeklyState,
    WorkforceEvent,
    column_names,
)

__all__ = ["tables", "with_leaving"]


# Table name (the SimulationOutput attribute holding its rows) -> row type.
_TABLES: dict[str, type] = {
    "cases": CaseRecord,
    "weeks": WeeklyState,
    "site_weeks": SiteWeek,
    "workforce_events": WorkforceEvent,
    "practitioners": PractitionerInfo,
}

#: A field's declared type (its annotation's text in Python, the class itself once
#: compiled) -> the column's numpy dtype; ``str`` fields become pandas' string dtype and
#: anything else an object column.
_NUMPY_TYPES: dict[str, type] = {"int": np.int64, "float": np.float64, "bool": np.bool_}


def _field_kinds(row_type: type) -> list[str]:
    return [getattr(f.type, "__name__", str(f.type)) for f in fields(row_type)]


def _frame(rows: Sequence[Any], row_type: type, replication: int) -> pd.DataFrame:
    """One replication's rows of one record type as a table, built column by column.

    Every column has its declared dtype, so an empty table, or a float field the model
    filled with ints, still concatenates cleanly with the other replications' tables (a
    missing float is NaN, a missing string pandas' missing value).
    """
    columns = column_names(row_type)
    if len(rows) == 0:
        values: Iterable[Sequence[Any]] = [[] for _ in columns]
    elif len(columns) == 1:
        values = [[getattr(row, columns[0]) for row in rows]]
    else:
        values = zip(*map(attrgetter(*columns), rows), strict=True)  # the rows, transposed
    data: dict[str, Any] = {"replication": np.full(len(rows), replication, dtype=np.int64)}
    for name, kind, column in zip(columns, _field_kinds(row_type), values, strict=True):
        if kind in _NUMPY_TYPES:
            data[name] = np.array(column, dtype=_NUMPY_TYPES[kind])
        else:
            data[name] = pd.array(column, dtype="str" if kind == "str" else object)
    return pd.DataFrame(data, copy=False)


def tables(output: SimulationOutput) -> dict[str, pd.DataFrame]:
    """One tidy table per record type of a replication.

    Args:
        output: The records of one replication.

    Returns:
        Tables keyed ``cases``, ``weeks``, ``site_weeks``, ``workforce_events`` and
        ``practitioners``: one row per record, a ``replication`` column first, then the
        record's fields in declaration order; ``cases`` ends with ``left_day`` and
        ``left_reason`` (:func:`with_leaving`). Every column is described in
        :mod:`drive_sim.analysis.dictionary`.
    """
    frames = {name: _frame(getattr(output, name), row_type, output.replication) for name, row_type in _TABLES.items()}
    frames["cases"] = with_leaving(frames["cases"])
    return frames


def with_leaving(cases: pd.DataFrame) -> pd.DataFrame:
    """The cases table with ``left_day`` and ``left_reason``: when and why each case left the system.

    A case leaves when it is deselected, or when both sides are closed (the later of the
    CM's and the IDVA's closing days); a case open at the horizon has neither. A
    deselection is put down to the client being unreachable, else to a service user who
    did not engage, else to neither (``deselected (other)``).
    """
    status = cases["status"].to_numpy(dtype=object)
    closed = np.fmax(cases["cm_closed_day"].to_numpy(dtype=float), cases["idva_closed_day"].to_numpy(dtype=float))
    left = np.where(status == "deselected", cases["deselected_day"].to_numpy(dtype=float), closed)
    left = np.where(status == "open", np.nan, left)
    unreachable = ~np.isnan(cases["unreachable_day"].to_numpy(dtype=float))
    not_engaging = cases["service_user_engaged"].to_numpy(dtype=float) == 0.0
    reason = np.select(
        [status == "closed", (status == "deselected") & unreachable, (status == "deselected") & not_engaging],
        ["completed", "deselected: client unreachable", "deselected: service user not engaging"],
        default="deselected (other)",
    )
    reason = np.where(status == "open", "", reason)
    return cases.assign(left_day=left.astype("float64"), left_reason=pd.array(reason, dtype="str"))
