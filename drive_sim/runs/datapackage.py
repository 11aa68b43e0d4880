"""``schema.json``: the data dictionary of a results folder, beside its tables.

Every table file in a results folder (``*.csv``, ``*.parquet``; not the sweep's ``parts/``)
is described column by column from :mod:`drive_sim.analysis.dictionary` as a Frictionless
tabular data package, so a reader (or ``frictionless validate schema.json``) knows each
column's type, unit and meaning without drive-sim. Written after the tables, atomically.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from drive_sim.analysis.dictionary import data_package
from drive_sim.runs.store import atomic_write_text

__all__ = ["SCHEMA_FILE", "write_schema"]

SCHEMA_FILE = "schema.json"


def _columns(path: Path) -> tuple[list[str], dict[str, Any] | None]:
    if path.suffix == ".parquet":
        schema = pq.read_schema(path)
        frame = schema.empty_table().to_pandas()
        return list(schema.names), dict(frame.dtypes)
    try:
        sample = pd.read_csv(path, nrows=1000)
    except pd.errors.EmptyDataError:  # a table with no columns (e.g. no emulator was fitted)
        return [], None
    return list(sample.columns), dict(sample.dtypes)


def write_schema(folder: str | Path) -> Path:
    """Describe every table of a results folder in ``schema.json`` and return its path."""
    folder = Path(folder)
    tables: dict[str, tuple[list[str], dict[str, Any] | None]] = {}
    files: dict[str, list[str]] = {}
    for path in sorted([*folder.glob("*.parquet"), *folder.glob("*.csv")]):
        name = path.name.split(".")[0]
        columns, dtypes = _columns(path)
        if name not in tables or (path.suffix == ".parquet" and columns):
            tables[name] = (columns, dtypes)  # Parquet keeps the types; prefer it
        files.setdefault(name, []).append(path.name)
    target = folder / SCHEMA_FILE
    atomic_write_text(target, json.dumps(data_package(tables, files), indent=2) + "\n")
    return target
