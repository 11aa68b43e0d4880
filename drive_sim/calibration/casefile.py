"""The anonymised case export: its format, reading it with every problem located, writing it.

A site's case export is a CSV file with a header row and one row per Drive case (see
:data:`CASE_COLUMNS`); an optional second file gives each IDVA's non-Drive referrals per
month (:data:`NON_DRIVE_COLUMNS`). Reading collects every problem of a file, each with its
row and column, and raises one :class:`CaseFileError`. Row numbers count the header as
row 1, as a spreadsheet does.

Privacy: a column whose name looks like personal data (names, dates of birth, addresses,
contact details, NHS or National Insurance numbers, notes or other free text) is refused,
and so is any column not in the format. An id made only of letters in two or more words
(such as "Jane Smith"), or containing "@", is refused as a likely name or e-mail address.
Error messages never repeat a cell's text unless it is made only of digits and date
punctuation.

:func:`cases_from_output` writes the same format from a simulation, so a fit can be tested
round trip against a scenario with known parameters.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from drive_sim.model.records import SimulationOutput

__all__ = [
    "CASE_COLUMNS",
    "NON_DRIVE_COLUMNS",
    "RESPONSES",
    "CaseExport",
    "CaseFileError",
    "CaseRow",
    "NonDriveExport",
    "NonDriveRow",
    "cases_from_output",
    "format_cases",
    "format_non_drive",
    "non_drive_from_output",
    "parse_cases",
    "parse_non_drive",
    "read_cases",
    "read_non_drive",
]

#: The case export's columns (header required, any order) and what each holds.
CASE_COLUMNS: dict[str, str] = {
    "case_id": "pseudonymous case id, unique in the file",
    "referral_date": "YYYY-MM-DD: the date the case was accepted/allocated",
    "cm_closed_date": "YYYY-MM-DD: CM closure (deselection included); blank if open",
    "idva_first_contact_date": "YYYY-MM-DD: IDVA first contact with the client; blank if none",
    "client_response": "support, monitoring or unreachable; blank if not yet known",
    "deselected": "1 if the case was deselected at panel, else 0 (true/false/yes/no also read)",
    "backdated": "1 if the case was accepted from the backlog at launch, else 0",
    "extended": "optional column: 1 if the CM intervention was extended, 0 if not, blank if not known",
    "idva_id": "pseudonymous id of the IDVA first allocated (such as I01); blank if none yet",
    "cm_id": "pseudonymous id of the Case Manager (such as C01); blank if none yet",
}
_OPTIONAL_COLUMNS = frozenset({"extended"})

#: The optional non-Drive referrals file: one row per IDVA and month, zeros included.
NON_DRIVE_COLUMNS: dict[str, str] = {
    "month": "YYYY-MM",
    "idva_id": "pseudonymous IDVA id, as in the case export",
    "referrals": "non-Drive (business-as-usual) referrals that IDVA received that month",
}

RESPONSES = ("support", "monitoring", "unreachable")
_FLAGS = {"1": True, "0": False, "true": True, "false": False, "yes": True, "no": False}
_MAX_LISTED = 20

# Column names that look like personal data. Long words match anywhere in the name;
# short ones only as a whole word, so that e.g. "ni" does not match "unit".
_PERSONAL_WORDS = {
    "a name": ("surname", "forename", "firstname", "lastname", "fullname", "maidenname", "name"),
    "a date of birth": ("birth", "dateofbirth"),
    "an address": ("address", "postcode", "post_code", "street"),
    "contact details": ("phone", "mobile", "email", "e_mail"),
    "an NHS or National Insurance number": ("nhs", "national_insurance", "nationalinsurance", "ni_number", "ninumber"),
    "free text": ("comment", "description", "free_text", "freetext", "narrative"),
}
_PERSONAL_TOKENS = {
    "a name": ("name", "names"),
    "a date of birth": ("dob",),
    "an NHS or National Insurance number": ("nhs", "ni", "nino"),
    "free text": ("note", "notes", "text"),
}
_WORD = r"[^\W\d_]+(?:['’.-][^\W\d_]+)*\.?"  # letters, with inner apostrophes or hyphens
_NAME_LIKE = re.compile(rf"{_WORD}(?:\s+{_WORD})+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH = re.compile(r"\d{4}-\d{2}")
_SAFE_TO_ECHO = re.compile(r"[\d ./:-]{1,20}")
#: What a header cell must look like to be named in a message (else it is given by number).
_COLUMN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_ ]{0,39}")

#: Dates a case export may hold at all, and how far from the export's median referral
#: date any of its dates may lie: a wider spread is a typing error, and would overflow
#: the fit's rates and trends.
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2099, 12, 31)
SPREAD_YEARS = 25


class CaseFileError(Exception):
    """A case export (or non-Drive file) cannot be used. ``problems`` holds (where, what)."""

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        self.source = source
        self.problems = problems
        shown = [
            f"{source}: {where}: {what}" if where else f"{source}: {what}" for where, what in problems[:_MAX_LISTED]
        ]
        if len(problems) > _MAX_LISTED:
            shown.append(f"{source}: and {len(problems) - _MAX_LISTED} more problems")
        super().__init__("\n".join(shown))


@dataclass(frozen=True, slots=True)
class CaseRow:
    """One Drive case as the export gives it (``None``: blank)."""

    case_id: str
    referral_date: dt.date
    cm_closed_date: dt.date | None
    idva_first_contact_date: dt.date | None
    client_response: str | None
    deselected: bool
    backdated: bool
    extended: bool | None
    idva_id: str
    cm_id: str


@dataclass(frozen=True)
class CaseExport:
    """A validated case export. ``as_of`` is the date open cases are censored at."""

    source: str
    cases: tuple[CaseRow, ...]
    as_of: dt.date
    has_extended: bool


@dataclass(frozen=True, slots=True)
class NonDriveRow:
    month: dt.date  # the first day of the month
    idva_id: str
    referrals: int


@dataclass(frozen=True)
class NonDriveExport:
    source: str
    rows: tuple[NonDriveRow, ...]


# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------


def read_cases(path: str | Path, as_of: dt.date | None = None) -> CaseExport:
    """Read and validate a case export; ``as_of`` defaults to the latest date in it.

    Raises:
        CaseFileError: with every problem found, each located by row and column.
    """
    return parse_cases(_read_text(path), str(path), as_of)


def read_non_drive(path: str | Path) -> NonDriveExport:
    """Read and validate a non-Drive referrals file.

    Raises:
        CaseFileError: with every problem found, each located by row and column.
    """
    return parse_non_drive(_read_text(path), str(path))


def _read_text(path: str | Path) -> str:
    source = str(path)
    try:
        return Path(path).read_text(encoding="utf-8-sig")  # Excel writes a byte-order mark
    except FileNotFoundError:
        raise CaseFileError(source, [("", "no such file")]) from None
    except IsADirectoryError:
        raise CaseFileError(source, [("", "is a folder, not a CSV file")]) from None
    except UnicodeDecodeError:
        raise CaseFileError(source, [("", "is not a UTF-8 text file; save it as CSV UTF-8")]) from None
    except OSError as error:
        raise CaseFileError(source, [("", f"cannot be read ({error.strerror})")]) from None


def parse_cases(text: str, source: str = "<cases>", as_of: dt.date | None = None) -> CaseExport:
    """Validate the text of a case export (see :func:`read_cases`)."""
    header, rows = _table(text, source, CASE_COLUMNS, _OPTIONAL_COLUMNS)
    problems: list[tuple[str, str]] = []
    cases: list[CaseRow] = []
    numbers: list[int] = []
    first_row_of: dict[str, int] = {}
    for number, cells in rows:
        row = _CellReader(number, dict(zip(header, cells, strict=True)), problems)
        case_id = row.identifier("case_id", required=True)
        if case_id and case_id in first_row_of:
            row.problem("case_id", f"repeats the case id of row {first_row_of[case_id]}")
        elif case_id:
            first_row_of[case_id] = number
        referral = row.date("referral_date", required=True)
        closed = row.date("cm_closed_date")
        contact = row.date("idva_first_contact_date")
        if referral and closed and closed < referral:
            row.problem("cm_closed_date", "closure is before the referral date")
        response = row.choice("client_response", RESPONSES)
        deselected = row.flag("deselected", required=True)
        backdated = row.flag("backdated", required=True)
        extended = row.flag("extended") if "extended" in header else None
        idva_id = row.identifier("idva_id")
        cm_id = row.identifier("cm_id")
        if as_of is not None:
            for column, value in (
                ("referral_date", referral),
                ("cm_closed_date", closed),
                ("idva_first_contact_date", contact),
            ):
                if value and value > as_of:
                    row.problem(column, f"is after the as-of date {as_of.isoformat()}")
        if row.ok and referral is not None and deselected is not None and backdated is not None:
            cases.append(
                CaseRow(case_id, referral, closed, contact, response, deselected, backdated, extended, idva_id, cm_id)
            )
            numbers.append(number)
    problems += _spread_problems(list(zip(numbers, cases, strict=True)), as_of)
    if problems:
        raise CaseFileError(source, problems)
    if as_of is None:
        as_of = max(
            d for case in cases for d in (case.referral_date, case.cm_closed_date, case.idva_first_contact_date) if d
        )
    return CaseExport(source, tuple(cases), as_of, "extended" in header)


def parse_non_drive(text: str, source: str = "<non-drive>") -> NonDriveExport:
    """Validate the text of a non-Drive referrals file (see :func:`read_non_drive`)."""
    header, rows = _table(text, source, NON_DRIVE_COLUMNS, frozenset())
    problems: list[tuple[str, str]] = []
    result: list[NonDriveRow] = []
    first_row_of: dict[tuple[dt.date, str], int] = {}
    for number, cells in rows:
        row = _CellReader(number, dict(zip(header, cells, strict=True)), problems)
        month = row.month("month")
        idva_id = row.identifier("idva_id", required=True)
        referrals = row.count("referrals")
        if month and idva_id:
            if (month, idva_id) in first_row_of:
                row.problem("month", f"repeats the month and IDVA of row {first_row_of[month, idva_id]}")
            else:
                first_row_of[month, idva_id] = number
        if row.ok and month is not None and referrals is not None:
            result.append(NonDriveRow(month, idva_id, referrals))
    if problems:
        raise CaseFileError(source, problems)
    return NonDriveExport(source, tuple(result))


def _table(
    text: str, source: str, columns: dict[str, str], optional: frozenset[str]
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header (checked) and the non-blank rows with their spreadsheet row numbers."""
    if not text.strip():
        raise CaseFileError(
            source, [("", "the file is empty: it needs a header row naming the columns and one row per case")]
        )
    try:
        records = list(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        raise CaseFileError(source, [("", f"is not readable as CSV ({error})")]) from None
    header = [cell.strip() for cell in records[0]]
    problems = _header_problems(header, columns, optional)
    if problems:
        raise CaseFileError(source, problems)
    rows = []
    for index, cells in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines and trailing ",,,," rows from spreadsheets
        if len(cells) != len(header):
            problems.append((f"row {index}", f"has {len(cells)} cells; the header has {len(header)}"))
            continue
        rows.append((index, [cell.strip() for cell in cells]))
    if problems:
        raise CaseFileError(source, problems)
    if not rows:
        raise CaseFileError(source, [("", "has a header but no rows")])
    return header, rows


def _header_problems(header: list[str], columns: dict[str, str], optional: frozenset[str]) -> list[tuple[str, str]]:
    """Problems of the first row, each located.

    A cell is named only if the row is a header (one of its cells names a column of the
    format) and the cell looks like a column name: a file without a header row has data
    there, which is never repeated.
    """
    problems = []
    allowed = ", ".join(columns)
    is_header = any(name in columns for name in header)
    for position, name in enumerate(header, start=1):
        named = is_header and _COLUMN_NAME.fullmatch(name)
        where = f"row 1, column {name!r}" if named else f"row 1, column {position}"
        kind = personal_data_kind(name)
        if kind is not None:
            problems.append(
                (
                    where,
                    f"looks like personal data ({kind}); drive-sim refuses it: remove the column from the "
                    "export (only pseudonymous ids, dates and flags are read)",
                )
            )
        elif not is_header:
            continue
        elif not name:
            problems.append((where, "has no name"))
        elif name not in columns:
            problems.append((where, f"is not a column of this format; allowed columns: {allowed}"))
        elif header.index(name) != position - 1:
            problems.append((where, "appears more than once"))
    if not is_header:
        problems.append(
            (
                "row 1",
                "the first row is not a header: none of its cells names a column of this format. The file must "
                f"start with a header row naming its columns: {allowed}",
            )
        )
        return problems
    for name in columns:
        if name not in header and name not in optional:
            problems.append(("row 1", f"missing column {name!r}"))
    return problems


def _date_range(low: dt.date = EARLIEST_DATE, high: dt.date = LATEST_DATE) -> str:
    return f"{low.isoformat()} to {high.isoformat()}"


def _years_from(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _spread_problems(numbered: Sequence[tuple[int, CaseRow]], as_of: dt.date | None) -> list[tuple[str, str]]:
    """Dates (the as-of date too) too far from the export's median referral date to be real, each located."""
    referrals = sorted(case.referral_date for _, case in numbered)
    if not referrals:
        return []
    median = referrals[len(referrals) // 2]
    low = max(EARLIEST_DATE, _years_from(median, -SPREAD_YEARS))
    high = min(LATEST_DATE, _years_from(median, SPREAD_YEARS))
    problems = []
    for number, case in numbered:
        for column in ("referral_date", "cm_closed_date", "idva_first_contact_date"):
            day = getattr(case, column)
            if day is not None and not low <= day <= high:
                problems.append(
                    (
                        f"row {number}, column {column}",
                        f"{day.isoformat()!r} is more than {SPREAD_YEARS} years from the export's median referral "
                        f"date; dates in this export must lie from {_date_range(low, high)}",
                    )
                )
    if as_of is not None and not low <= as_of <= high:
        problems.append(
            ("", f"the as-of date {as_of.isoformat()} is outside the export's dates ({_date_range(low, high)})")
        )
    return problems


def personal_data_kind(column: str) -> str | None:
    """What kind of personal data a column name suggests, or ``None``.

    Words run together in camel case (``ClientName``, ``NHSNumber``) are split first.
    """
    split = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", column)
    normalised = re.sub(r"[^a-z0-9]+", "_", split.lower()).strip("_")
    tokens = set(normalised.split("_"))
    for kind, words in _PERSONAL_WORDS.items():
        if any(word in normalised for word in words):
            return kind
    if "date_of_birth" in normalised:
        return "a date of birth"
    for kind, words in _PERSONAL_TOKENS.items():
        if tokens.intersection(words):
            return kind
    return None


class _CellReader:
    """Reads the cells of one row, appending located problems instead of raising."""

    def __init__(self, number: int, cells: dict[str, str], problems: list[tuple[str, str]]):
        self.number = number
        self.cells = cells
        self.problems = problems
        self.ok = True

    def problem(self, column: str, message: str) -> None:
        self.ok = False
        self.problems.append((f"row {self.number}, column {column}", message))

    def _shown(self, value: str) -> str:
        return f"{value!r} " if _SAFE_TO_ECHO.fullmatch(value) else ""

    def date(self, column: str, required: bool = False) -> dt.date | None:
        value = self.cells.get(column, "")
        if not value:
            if required:
                self.problem(column, "is blank; a date in YYYY-MM-DD form is needed")
            return None
        if not _DATE.fullmatch(value):
            self.problem(column, f"{self._shown(value)}is not a date in YYYY-MM-DD form")
            return None
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            self.problem(column, f"{value!r} is not a real date")
            return None
        if not EARLIEST_DATE <= day <= LATEST_DATE:
            self.problem(column, f"{value!r} is outside the range of dates read ({_date_range()})")
            return None
        return day

    def month(self, column: str) -> dt.date | None:
        value = self.cells.get(column, "")
        if not _MONTH.fullmatch(value) or not 1 <= int(value[5:]) <= 12:
            self.problem(column, f"{self._shown(value)}is not a month in YYYY-MM form")
            return None
        month = dt.date(int(value[:4]), int(value[5:]), 1)
        if not EARLIEST_DATE <= month <= LATEST_DATE:
            self.problem(column, f"{value!r} is outside the range of dates read ({_date_range()})")
            return None
        return month

    def count(self, column: str) -> int | None:
        value = self.cells.get(column, "")
        if not value.isdigit():
            self.problem(column, f"{self._shown(value)}is not a whole number of referrals (0 or more)")
            return None
        return int(value)

    def flag(self, column: str, required: bool = False) -> bool | None:
        value = self.cells.get(column, "").lower()
        if not value and not required:
            return None
        if value not in _FLAGS:
            self.problem(column, f"{self._shown(value)}is not a flag: use 1 or 0 (or true/false, yes/no)")
            return None
        return _FLAGS[value]

    def choice(self, column: str, choices: Sequence[str]) -> str | None:
        value = self.cells.get(column, "").lower()
        if not value:
            return None
        if value not in choices:
            self.problem(column, f"is not one of {', '.join(choices)} (or blank)")
            return None
        return value

    def identifier(self, column: str, required: bool = False) -> str:
        value = self.cells.get(column, "")
        if not value and required:
            self.problem(column, "is blank; a pseudonymous id is needed")
        elif "@" in value:
            self.problem(column, "looks like an e-mail address; use pseudonymous ids such as I01")
        elif _NAME_LIKE.fullmatch(value):
            self.problem(
                column, "looks like a person's name (words made only of letters); use pseudonymous ids such as I01"
            )
        return value


# --------------------------------------------------------------------------------------
# Writing, and the same format from a simulation
# --------------------------------------------------------------------------------------


def format_cases(cases: Iterable[CaseRow]) -> str:
    """The CSV text of a case export, with every column including ``extended``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CASE_COLUMNS)
    for case in cases:
        writer.writerow(
            [
                case.case_id,
                case.referral_date.isoformat(),
                _iso(case.cm_closed_date),
                _iso(case.idva_first_contact_date),
                case.client_response or "",
                int(case.deselected),
                int(case.backdated),
                "" if case.extended is None else int(case.extended),
                case.idva_id,
                case.cm_id,
            ]
        )
    return out.getvalue()


def format_non_drive(rows: Iterable[NonDriveRow]) -> str:
    """The CSV text of a non-Drive referrals file."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(NON_DRIVE_COLUMNS)
    for row in rows:
        writer.writerow([row.month.strftime("%Y-%m"), row.idva_id, row.referrals])
    return out.getvalue()


def _iso(day: dt.date | None) -> str:
    return "" if day is None else day.isoformat()


def _pseudonyms(output: SimulationOutput, kind: str, prefix: str, used: Iterable[str]) -> dict[str, str]:
    """Practitioner names to ids such as I01, in the order of the run's practitioner list."""
    names = [p.name for p in output.practitioners if p.kind == kind]
    names += sorted(set(used) - set(names) - {""})
    return {name: f"{prefix}{index:02d}" for index, name in enumerate(names, start=1)}


def cases_from_output(output: SimulationOutput, start_date: dt.date) -> list[CaseRow]:
    """The case export a site running this simulation would produce at the end of the run.

    Cases never accepted (deferred past the horizon) are left out. The referral date is
    the IDVA allocation day (the acceptance day for a case still waiting for a place); a
    client response is given only where first contact was made or the client was found
    unreachable; ``extended`` is the case's drawn extension, known from its referral.
    """
    idva_ids = _pseudonyms(output, "idva", "I", (c.idva for c in output.cases))
    cm_ids = _pseudonyms(output, "cm", "C", (c.cm for c in output.cases))

    def date(day: float) -> dt.date | None:
        return None if math.isnan(day) else start_date + dt.timedelta(days=math.floor(day))

    rows = []
    for record in sorted(output.cases, key=lambda c: c.case_id):
        referral = date(record.accepted_day if math.isnan(record.allocated_day) else record.allocated_day)
        if referral is None:
            continue
        known = not (math.isnan(record.first_contact_day) and math.isnan(record.unreachable_day))
        rows.append(
            CaseRow(
                case_id=f"S{record.case_id:05d}",
                referral_date=referral,
                cm_closed_date=date(record.cm_closed_day),
                idva_first_contact_date=date(record.first_contact_day),
                client_response=record.response if known else None,
                deselected=not math.isnan(record.deselected_day),
                backdated=record.backdated,
                extended=record.extended,
                idva_id=idva_ids.get(record.idva, ""),
                cm_id=cm_ids.get(record.cm, ""),
            )
        )
    return rows


def non_drive_from_output(output: SimulationOutput, start_date: dt.date) -> list[NonDriveRow]:
    """Non-Drive referrals per IDVA and calendar month, from the run's weekly states.

    A week counts in the month of its middle day; only months the run covers from their
    first day to their last are given, so every row is a whole month.
    """
    idva_ids = _pseudonyms(output, "idva", "I", ())
    weeks = [w for w in output.weeks if w.kind == "idva"]
    if not weeks:
        return []
    end = start_date + dt.timedelta(days=math.floor(max(w.day for w in weeks)))
    totals: dict[tuple[dt.date, str], int] = {}
    for week in weeks:
        middle = start_date + dt.timedelta(days=math.floor(week.day - 3.5))
        month = middle.replace(day=1)
        key = (month, idva_ids.setdefault(week.practitioner, f"I{len(idva_ids) + 1:02d}"))
        totals[key] = totals.get(key, 0) + week.new_non_drive_cases
    whole = [
        (month, idva)
        for month, idva in totals
        if month >= start_date and _next_month(month) - dt.timedelta(days=1) <= end
    ]
    return [NonDriveRow(month, idva, totals[month, idva]) for month, idva in sorted(whole)]


def _next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
