"""A sweep's part files: made on the workers, written by the client, assembled in order.

Each finished task of a sweep (consecutive replications of one point) becomes a part,
``parts/p<point>-r<first>-<last>.parquet`` (and, with records, one file per record table
beside it): :func:`make_part` makes its Parquet bytes on the worker that ran it,
:func:`save_part` writes them atomically, records first, so that the KPI file marks the
part complete. :class:`Assembly` joins the parts into the folder's tables in point and
replication order as they arrive. :mod:`drive_sim.runs.sweep` plans and runs the sweep.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from drive_sim.analysis.stats import SummaryStream
from drive_sim.runs.experiment import ReplicationResult, Task
from drive_sim.runs.store import atomic_write_bytes, write_table

if TYPE_CHECKING:
    from drive_sim.runs.sweep import SweepPoint

__all__ = [
    "MAX_HELD_PARTS",
    "RECORD_TABLES",
    "ROW_GROUP_ROWS",
    "Assembly",
    "SweepPart",
    "completed_replications",
    "make_part",
    "part_name",
    "replication_results",
    "save_part",
]

_PART = re.compile(r"^p(?P<point>\d+)-r(?P<first>\d+)-(?P<last>\d+)\.parquet$")
#: The record tables a sweep keeps on request, one part file each.
RECORD_TABLES = ("cases", "weeks", "site_weeks", "workforce_events", "practitioners")


def completed_replications(folder: str | Path) -> dict[int, set[int]]:
    """Replications already saved in the folder's part files, by point."""
    done: dict[int, set[int]] = {}
    parts = Path(folder) / "parts"
    if parts.is_dir():
        for path in parts.iterdir():
            match = _PART.match(path.name)
            if match:
                done.setdefault(int(match["point"]), set()).update(range(int(match["first"]), int(match["last"]) + 1))
    return done


def part_name(task: Task) -> str:
    return f"p{task.key:05d}-r{task.replications[0]:06d}-{task.replications[-1]:06d}"


@dataclass(frozen=True)
class SweepPart:
    """One task of a sweep made into its part files, on the worker that ran it (:func:`make_part`).

    ``kpis`` is the part's KPI table (``point`` first, then the replications in order) for
    the client to assemble; ``files`` maps each part file's suffix (``""`` for the KPIs,
    ``".cases"`` and the like for the records) to its Parquet bytes, which the client
    writes as they are. Making them on the worker keeps the client's share of a sweep
    small, so that more workers go on paying off (README: Performance).
    """

    replications: tuple[int, ...]
    kpis: pd.DataFrame
    files: dict[str, bytes]


def _parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def make_part(keep_records: bool, task: Task, results: list[ReplicationResult]) -> SweepPart:
    """A task's results as its part files (the ``finish`` a sweep gives its runner)."""
    files = {}
    if keep_records:
        for table in RECORD_TABLES:
            frame = pd.concat([r.tables[table] for r in results if r.tables], ignore_index=True)
            files[f".{table}"] = _parquet_bytes(frame.assign(point=task.key))
    kpis = pd.concat([r.kpis for r in results], ignore_index=True)
    kpis.insert(0, "point", pd.Series(task.key, index=kpis.index, dtype="int64"))
    files[""] = _parquet_bytes(kpis)
    return SweepPart(task.replications, kpis, files)


def save_part(folder: Path, task: Task, part: SweepPart) -> None:
    """Write a part's files, records first: the KPI part marks the chunk complete."""
    name = part_name(task)
    for suffix, data in sorted(part.files.items(), key=lambda item: item[0] == ""):
        atomic_write_bytes(folder / "parts" / f"{name}{suffix}.parquet", data)


def replication_results(key: int, part: SweepPart) -> Iterator[ReplicationResult]:
    """The part's rows as one result per replication (for ``on_result``; records stay in the part files)."""
    replication = part.kpis["replication"].to_numpy()
    starts = [*np.flatnonzero(np.r_[True, replication[1:] != replication[:-1]]), len(replication)]
    body = part.kpis.iloc[:, 1:]  # without the point column (cut once: per replication it cost 4x more)
    for first, last in itertools.pairwise(starts):
        rows = body.iloc[first:last]
        rows.index = pd.RangeIndex(last - first)  # the slice's own index; the part keeps its own
        yield ReplicationResult(key, int(replication[first]), rows, None)


#: Rows in each row group of an assembled table: fixed, so that the file's bytes do not
#: depend on how the replications were cut into parts (which depends on the backend).
ROW_GROUP_ROWS = 65_536


class _StreamWriter:
    """Appends frames to ``name.parquet`` in row groups of :data:`ROW_GROUP_ROWS`, then moves it into place.

    A sweep's per-replication tables are Parquet only: a sweep can hold millions of rows,
    beyond what a spreadsheet opens, and writing them as CSV too cost more than the rest
    of the client's work together. Its points and summary are written as CSV too. At
    most one row group is held in memory.
    """

    def __init__(self, folder: Path, name: str):
        self.folder, self.name = folder, name
        self.parquet_path = folder / f".{name}.parquet.tmp"
        self.writer: pq.ParquetWriter | None = None
        self.pending: list[pa.Table] = []
        self.held = 0
        self.rows = 0

    def append(self, frame: pd.DataFrame) -> None:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.parquet_path, table.schema)
        self.pending.append(table.cast(self.writer.schema))
        self.held += len(frame)
        self.rows += len(frame)
        if self.held >= ROW_GROUP_ROWS:
            self._flush(whole_groups_only=True)

    def _flush(self, whole_groups_only: bool) -> None:
        assert self.writer is not None
        held = pa.concat_tables(self.pending)
        cut = (len(held) // ROW_GROUP_ROWS) * ROW_GROUP_ROWS if whole_groups_only else len(held)
        for first in range(0, cut, ROW_GROUP_ROWS):
            self.writer.write_table(held.slice(first, min(ROW_GROUP_ROWS, cut - first)))
        rest = held.slice(cut)
        self.pending, self.held = ([rest] if len(rest) else []), len(rest)

    def commit(self) -> None:
        if self.writer is not None:
            if self.held:
                self._flush(whole_groups_only=False)
            self.writer.close()
            self.parquet_path.replace(self.folder / f"{self.name}.parquet")

    def discard(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.parquet_path.unlink(missing_ok=True)


def _part_stems(folder: Path, replications: int) -> dict[int, list[str]]:
    """Part file stems by point, for parts holding replications below ``replications``."""
    stems: dict[int, list[str]] = {}
    if not (folder / "parts").is_dir():
        return stems
    for path in sorted((folder / "parts").iterdir()):
        match = _PART.match(path.name)
        if match and int(match["first"]) < replications:
            stems.setdefault(int(match["point"]), []).append(path.name.removesuffix(".parquet"))
    return stems


def _read_part(folder: Path, stem: str, replications: int, suffix: str = "") -> pd.DataFrame:
    """One part's rows for replications below ``replications``, in replication order."""
    frame = pd.read_parquet(folder / "parts" / f"{stem}{suffix}.parquet")
    frame = frame[frame["replication"] < replications]
    return frame.sort_values("replication", kind="stable", ignore_index=True)


#: Parts that arrived ahead of their turn held in memory for assembly; beyond this, an
#: early part is read back from its file when its turn comes (memory stays bounded).
MAX_HELD_PARTS = 32


class Assembly:
    """The part files joined into the folder's tables, in point and replication order, as they arrive.

    Parts of a point hold consecutive runs of replications and are named by their first,
    so taking them in name order gives the point's rows in replication order. A part
    finished in this run is assembled from memory as soon as every part before it has
    been (workers finish roughly in the order tasks were sent, so few wait); parts saved
    by an earlier run, and parts that arrived too far ahead (:data:`MAX_HELD_PARTS`), are
    read back from their files. The summary is streamed
    (:class:`~drive_sim.analysis.stats.SummaryStream`), so memory stays flat however many
    replications a point has. The tables' bytes do not depend on the order in which
    parts arrive, nor on whether one came from memory or from its file.
    """

    def __init__(
        self, folder: Path, points: Sequence[SweepPoint], replications: int, keep_records: bool, new: Sequence[str]
    ):
        self.folder, self.replications, self.keep_records = folder, replications, keep_records
        self.writers = {"kpis": _StreamWriter(folder, "kpis")}
        if keep_records:
            self.writers |= {table: _StreamWriter(folder, table) for table in RECORD_TABLES}
        saved = _part_stems(folder, replications)
        by_point: dict[int, set[str]] = {point: set(stems) for point, stems in saved.items()}
        for stem in new:
            match = _PART.match(f"{stem}.parquet")
            assert match is not None, stem
            by_point.setdefault(int(match["point"]), set()).add(stem)
        # Every part to take, in order: (point, stem, the point's last part?).
        self.order: list[tuple[int, str, bool]] = []
        for point in points:
            stems = sorted(by_point.get(point.index, ()))
            if not stems:
                raise RuntimeError(f"{folder}/parts: point {point.index} has no saved replications")
            self.order += [(point.index, stem, k == len(stems) - 1) for k, stem in enumerate(stems)]
        self.expected = set(new)  # parts this run makes: wait for them
        self.held: dict[str, pd.DataFrame] = {}
        self.position = 0
        self.stream = SummaryStream()
        self.found: set[int] = set()
        self.summaries: list[pd.DataFrame] = []

    def arrived(self, stem: str, kpis: pd.DataFrame) -> None:
        """A part of this run is saved: assemble it, and whatever it was holding up."""
        self.expected.discard(stem)
        if len(self.held) < MAX_HELD_PARTS or self.order[self.position][1] == stem:
            self.held[stem] = kpis  # otherwise it is read back from its file in its turn
        self._advance()

    def finish(self) -> pd.DataFrame:
        """Assemble what is left and commit the tables; the per-point summary."""
        self._advance()
        if self.position != len(self.order):
            raise RuntimeError(f"{self.folder}/parts: parts of this run are missing")
        for writer in self.writers.values():
            writer.commit()
        summary = pd.concat(self.summaries, ignore_index=True)
        write_table(self.folder, "summary", summary)
        return summary

    def discard(self) -> None:
        for writer in self.writers.values():
            writer.discard()

    def _advance(self) -> None:
        while self.position < len(self.order):
            point, stem, last = self.order[self.position]
            if stem in self.held:
                kpis = self.held.pop(stem)
            elif stem in self.expected:
                return  # not finished yet
            else:  # saved by an earlier run, or arrived too early to hold
                kpis = _read_part(self.folder, stem, self.replications)
                keys = ["replication", *(["window"] if "window" in kpis.columns else []), "kpi", "scope"]
                if kpis.duplicated(keys).any():
                    raise RuntimeError(f"{self.folder}/parts: point {point} has a replication saved twice")
            self._take(point, stem, kpis)
            if last:
                if self.found != set(range(self.replications)):
                    raise RuntimeError(f"{self.folder}/parts: point {point} has an incomplete set of replications")
                self.summaries.append(self.stream.result())
                self.stream, self.found = SummaryStream(), set()
            self.position += 1

    def _take(self, point: int, stem: str, kpis: pd.DataFrame) -> None:
        these = set(kpis["replication"].unique().tolist())
        if these & self.found:
            raise RuntimeError(f"{self.folder}/parts: point {point} has a replication saved twice")
        self.found |= these
        self.writers["kpis"].append(kpis)
        self.stream.add(kpis)
        for table in RECORD_TABLES if self.keep_records else ():
            records = _read_part(self.folder, stem, self.replications, f".{table}")
            self.writers[table].append(records[["point", *(c for c in records.columns if c != "point")]])
