"""The case export format: every problem located by row and column, personal data refused."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drive_sim.calibration.casefile import (
    CASE_COLUMNS,
    CaseFileError,
    CaseRow,
    format_cases,
    parse_cases,
    parse_non_drive,
    personal_data_kind,
    read_cases,
)

HEADER = ",".join(CASE_COLUMNS)
GOOD = [
    "K1,2024-01-08,2024-07-01,2024-01-10,support,0,0,0,I01,C01",
    "K2,2024-01-08,,2024-01-09,monitoring,0,0,,I01,C02",
    "K3,2024-02-05,2024-03-04,,unreachable,1,0,0,I02,C01",
]


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def problems_of(text: str, **kwargs) -> list[tuple[str, str]]:
    with pytest.raises(CaseFileError) as caught:
        parse_cases(text, "cases.csv", **kwargs)
    return caught.value.problems


def test_a_good_file_reads_with_blanks_as_none_and_as_of_the_latest_date():
    export = parse_cases(csv_text(*GOOD), "cases.csv")
    assert [c.case_id for c in export.cases] == ["K1", "K2", "K3"]
    assert export.cases[1].cm_closed_date is None
    assert export.cases[1].extended is None
    assert export.cases[2].deselected is True
    assert export.as_of == dt.date(2024, 7, 1)
    assert export.has_extended


def test_flags_accept_words_and_columns_any_order_and_extended_is_optional():
    header = ",".join(reversed([c for c in CASE_COLUMNS if c != "extended"]))
    export = parse_cases(csv_text("C01,I01,no,Yes,,,,2024-01-08,K1", header=header), "cases.csv")
    case = export.cases[0]
    assert (case.deselected, case.backdated, case.extended, case.client_response) == (True, False, None, None)
    assert not export.has_extended


def test_malformed_date_is_located_by_row_and_column():
    problems = problems_of(csv_text(GOOD[0], "K2,31/01/2024,,,,0,0,0,I01,C01"))
    assert problems == [("row 3, column referral_date", "'31/01/2024' is not a date in YYYY-MM-DD form")]


def test_an_impossible_date_is_named():
    (where, what), *_ = problems_of(csv_text("K1,2024-02-30,,,,0,0,0,I01,C01"))
    assert where == "row 2, column referral_date" and "not a real date" in what


def test_closure_before_referral_is_located():
    problems = problems_of(csv_text("K1,2024-03-01,2024-02-01,,,0,0,0,I01,C01"))
    assert problems == [("row 2, column cm_closed_date", "closure is before the referral date")]


def test_unknown_category_and_bad_flag_are_both_listed():
    problems = problems_of(csv_text("K1,2024-03-01,,,engaged,2,0,0,I01,C01"))
    assert [where for where, _ in problems] == ["row 2, column client_response", "row 2, column deselected"]
    assert "support, monitoring, unreachable" in problems[0][1]


def test_empty_file_and_header_only_file_are_refused():
    assert problems_of("") == [("", "the file is empty: it needs a header row naming the columns and one row per case")]
    assert problems_of(csv_text()) == [("", "has a header but no rows")]


def test_every_problem_is_listed_and_the_message_caps_at_twenty():
    rows = [f"K{i},not-a-date,,,,0,0,0,I01,C01" for i in range(30)]
    with pytest.raises(CaseFileError) as caught:
        parse_cases(csv_text(*rows), "cases.csv")
    assert len(caught.value.problems) == 30
    lines = str(caught.value).splitlines()
    assert len(lines) == 21 and lines[-1] == "cases.csv: and 10 more problems"
    assert lines[0].startswith("cases.csv: row 2, column referral_date: ")


def test_repeated_case_id_and_ragged_rows_are_located():
    assert problems_of(csv_text(GOOD[0], GOOD[0])) == [("row 3, column case_id", "repeats the case id of row 2")]
    assert problems_of(csv_text("K1,2024-01-08")) == [("row 2", "has 2 cells; the header has 10")]


def test_dates_after_an_explicit_as_of_are_refused():
    problems = problems_of(csv_text(*GOOD), as_of=dt.date(2024, 6, 30))
    assert problems == [("row 2, column cm_closed_date", "is after the as-of date 2024-06-30")]


@pytest.mark.parametrize(
    ("column", "kind"),
    [
        ("name", "a name"),
        ("Surname", "a name"),
        ("client_first_name", "a name"),
        ("DOB", "a date of birth"),
        ("date_of_birth", "a date of birth"),
        ("Address line 1", "an address"),
        ("postcode", "an address"),
        ("phone", "contact details"),
        ("email", "contact details"),
        ("NHS number", "an NHS or National Insurance number"),
        ("ni_number", "an NHS or National Insurance number"),
        ("notes", "free text"),
        ("Comments", "free text"),
        ("free text", "free text"),
    ],
)
def test_personal_data_columns_are_refused_by_name(column: str, kind: str):
    assert personal_data_kind(column) == kind
    ((where, what),) = problems_of(csv_text(*(row + ",x" for row in GOOD), header=f"{HEADER},{column}"))
    assert where == f"row 1, column {column!r}"
    assert what.startswith(f"looks like personal data ({kind}); drive-sim refuses it")


def test_the_format_columns_are_not_mistaken_for_personal_data():
    assert all(personal_data_kind(column) is None for column in CASE_COLUMNS)


def test_unknown_and_missing_columns_say_what_is_allowed():
    problems = problems_of(csv_text("K1,x", header="case_id,site"))
    assert problems[0][0] == "row 1, column 'site'"
    assert "allowed columns: case_id, referral_date" in problems[0][1]
    assert ("row 1", "missing column 'referral_date'") in problems


def test_ids_that_look_like_names_or_emails_are_refused_without_echoing_them():
    problems = problems_of(csv_text("K1,2024-01-08,,,,0,0,0,Jane Smith,jo@example.org"))
    assert [where for where, _ in problems] == ["row 2, column idva_id", "row 2, column cm_id"]
    assert "person's name" in problems[0][1] and "e-mail" in problems[1][1]
    assert "Jane" not in str(problems) and "example" not in str(problems)


def test_a_missing_file_is_a_case_file_error(tmp_path):
    with pytest.raises(CaseFileError, match="no such file"):
        read_cases(tmp_path / "missing.csv")


def test_writing_and_reading_back_gives_the_same_cases():
    export = parse_cases(csv_text(*GOOD), "cases.csv")
    again = parse_cases(format_cases(export.cases), "again.csv")
    assert again.cases == export.cases
    assert isinstance(again.cases[0], CaseRow)


def test_non_drive_file_reads_and_locates_its_problems():
    good = parse_non_drive("month,idva_id,referrals\n2024-01,I01,8\n2024-02,I01,0\n", "nd.csv")
    assert [(r.month, r.referrals) for r in good.rows] == [(dt.date(2024, 1, 1), 8), (dt.date(2024, 2, 1), 0)]
    with pytest.raises(CaseFileError) as caught:
        parse_non_drive("month,idva_id,referrals\n2024-13,I01,-1\n2024-01,I01,2\n2024-01,I01,3\n", "nd.csv")
    assert caught.value.problems == [
        ("row 2, column month", "'2024-13' is not a month in YYYY-MM form"),
        ("row 2, column referrals", "'-1' is not a whole number of referrals (0 or more)"),
        ("row 4, column month", "repeats the month and IDVA of row 3"),
    ]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.text(max_size=12), min_size=0, max_size=11), max_size=6))
def test_any_table_either_reads_or_raises_a_located_case_file_error(cells):
    text = "\n".join([HEADER, *(",".join(row) for row in cells)])
    try:
        parse_cases(text, "cases.csv")
    except CaseFileError as error:
        assert error.problems and all(isinstance(what, str) and what for _, what in error.problems)


# --------------------------------------------------------------------------------------
# Issue 13: dates far out of range, files without a header, run-together column names
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "where", "words"),
    [
        ("K9,1900-01-08,,,,0,0,,I01,C01", "row 5, column referral_date", "2000-01-01 to 2099-12-31"),
        ("K9,2024-01-08,2162-01-01,,,0,0,,I01,C01", "row 5, column cm_closed_date", "2000-01-01 to 2099-12-31"),
        ("K9,2024-01-08,2062-03-01,,,0,0,,I01,C01", "row 5, column cm_closed_date", "from 2000-01-01 to 2049-01-08"),
        ("K9,2024-01-08,,2062-03-01,,0,0,,I01,C01", "row 5, column idva_first_contact_date", "25 years"),
    ],
)
def test_dates_far_outside_the_exports_range_are_located_with_the_range_stated(row, where, words):
    problems = problems_of(csv_text(*GOOD, row))
    assert [w for w, _ in problems] == [where]
    assert words in problems[0][1]


def test_far_dates_are_refused_by_fit_not_crashed_on(tmp_path):
    from typer.testing import CliRunner

    from drive_sim.cli import app

    cases = tmp_path / "cases.csv"
    cases.write_text(csv_text(*GOOD, "K9,1900-01-08,,,,0,0,,I01,C01"), encoding="utf-8")
    result = CliRunner().invoke(app, ["fit", str(cases), "--out", str(tmp_path / "f.toml")])
    assert result.exit_code == 2 and "row 5, column referral_date" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "f.toml").exists()
    late = CliRunner().invoke(app, ["fit", str(cases), "--out", str(tmp_path / "f.toml"), "--as-of", "2300-01-01"])
    assert late.exit_code == 2 and "2099-12-31" in late.output


def test_an_as_of_date_far_from_the_export_is_refused():
    ((where, what),) = problems_of(csv_text(*GOOD), as_of=dt.date(2099, 1, 1))
    assert where == "" and "as-of date 2099-01-01" in what and "2049-01-08" in what


PERSONAL_ROWS = [
    "K1,Jane Smith,1985-04-01,07700 900123,jane.smith@example.org,Lives at 1 High Street",
    "K2,John Brown,1979-11-30,07700 900456,john@example.org,Notes",
]


def test_a_file_without_a_header_never_echoes_its_first_row():
    text = "\n".join(PERSONAL_ROWS) + "\n"
    with pytest.raises(CaseFileError) as caught:
        parse_cases(text, "cases.csv")
    message = str(caught.value)
    assert "the first row is not a header" in message
    for cell in PERSONAL_ROWS[0].split(","):
        assert cell not in message.replace("cases.csv", ""), cell
    assert all(where.startswith("row 1") for where, _ in caught.value.problems)


def test_a_headerless_non_drive_file_never_echoes_its_first_row():
    with pytest.raises(CaseFileError) as caught:
        parse_non_drive("2024-01,Jane Smith,4\n2024-02,Jane Smith,3\n", "nd.csv")
    assert "the first row is not a header" in str(caught.value) and "Jane" not in str(caught.value)


@pytest.mark.parametrize(
    ("column", "kind"),
    [
        ("NHSNumber", "an NHS or National Insurance number"),
        ("nhsnumber", "an NHS or National Insurance number"),
        ("NINumber", "an NHS or National Insurance number"),
        ("ClientName", "a name"),
        ("clientname", "a name"),
        ("DateOfBirth", "a date of birth"),
        ("dateofbirth", "a date of birth"),
        ("PostCode", "an address"),
        ("EMailAddress", "an address"),
        ("PhoneNo", "contact details"),
        ("CaseNotes", "free text"),
    ],
)
def test_run_together_column_names_are_refused_as_personal_data(column, kind):
    assert personal_data_kind(column) == kind
    ((where, what),) = problems_of(csv_text(*(row + ",x" for row in GOOD), header=f"{HEADER},{column}"))
    assert where == f"row 1, column {column!r}" and what.startswith(f"looks like personal data ({kind})")


def test_a_header_cell_that_does_not_look_like_a_column_name_is_given_by_number():
    problems = problems_of(csv_text(*(row + ",x" for row in GOOD), header=f"{HEADER},jane@example.org"))
    assert problems[0][0] == "row 1, column 11" and "jane" not in str(problems)
