"""results.xlsx: every results folder's answer, headline KPIs, choices and assumptions as sheets (issue 18, item 4)."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from drive_sim.cli import app
from drive_sim.report.answers import answer_for
from drive_sim.runs.store import load_results

SMALL = ["--reps", "2", "--set", "site.horizon_days=200", "--backend", "serial"]
KINDS = {
    "run": ["run", *SMALL],
    "compare": ["compare", "scenarios/site5.toml", "scenarios/two_drive_idvas.toml", *SMALL],
    "sweep": ["sweep", "--set", "teams.idvas[0].count=1,2", *SMALL],
    "size": ["size", *SMALL],
}


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    made = {}
    for kind, arguments in KINDS.items():
        out = tmp_path_factory.mktemp(kind) / "out"
        result = CliRunner().invoke(app, [*arguments, "--no-report", "--out", str(out)])
        assert result.exit_code == 0, result.output
        made[kind] = out
    return made


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_folder_holds_a_workbook_of_its_answer_kpis_and_assumptions(folders, kind):
    book = load_workbook(folders[kind] / "results.xlsx")
    expected = ["Answer", "KPIs", *({"size": ["Sizing"], "sweep": ["Points"]}.get(kind, [])), "Assumptions", "About"]
    assert book.sheetnames == expected
    assert book["Answer"]["A2"].value == answer_for(load_results(folders[kind])).verdict
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            assert not any(isinstance(v, str) and v.startswith("=") for v in row), f"{kind}: a formula in {sheet.title}"
    about = {row[0]: row[1] for row in book["About"].iter_rows(min_row=2, values_only=True)}
    assert "planning aid" in about["What this is"] and about["Seed"] == "20200601"


def test_kpi_values_are_the_summarys_numbers_and_shares_read_as_percentages(folders):
    book = load_workbook(folders["run"] / "results.xlsx")
    sheet = book["KPIs"]
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, row, strict=False)) for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]]
    summary = pd.read_csv(folders["run"] / "summary.csv")
    wanted = summary[(summary["kpi"] == "open_cases_per_fte_mean") & (summary["scope"] == "group:drive")]
    steady = wanted[wanted["window"] == "steady"].iloc[0]
    row = next(r for r in rows if r["KPI"] == "open_cases_per_fte_mean" and r["Window"] == "steady"
               and r["Whom it covers"] == "Drive IDVAs")  # fmt: skip
    assert row["Mean"] == pytest.approx(steady["mean"]) and isinstance(row["Mean"], float)
    share_row = next(number for number, r in enumerate(rows, start=2) if r["KPI"] == "weeks_above_guidance_share")
    assert sheet.cell(share_row, header.index("Mean") + 1).number_format == "0.0%"


def test_the_sizing_sheet_says_its_targets_in_words(folders):
    sheet = load_workbook(folders["size"] / "results.xlsx")["Sizing"]
    header = [cell.value for cell in sheet[1]]
    assert "Drive IDVA weeks above guidance (share): upper bound" in header
    assert not any("@" in str(name) for name in header)


def test_drive_sim_report_rebuilds_the_workbook(folders):
    path = folders["compare"] / "results.xlsx"
    path.unlink()
    result = CliRunner().invoke(app, ["report", str(folders["compare"])])
    assert result.exit_code == 0, result.output
    assert load_workbook(path).sheetnames[0] == "Answer"


def test_a_foreign_results_xlsx_is_left_alone(folders, tmp_path):
    """A results.xlsx drive-sim did not write (or one edited and saved in Excel) is never replaced."""
    import shutil

    from openpyxl import Workbook

    from drive_sim.report.excel import write_workbook
    from drive_sim.runs.store import ForeignFileError

    folder = tmp_path / "copy"
    shutil.copytree(folders["run"], folder)
    theirs = Workbook()
    theirs.active["A1"] = "a commissioner's own notes"
    theirs.save(folder / "results.xlsx")
    before = (folder / "results.xlsx").read_bytes()
    with pytest.raises(ForeignFileError, match="not written by drive-sim"):
        write_workbook(folder)
    result = CliRunner().invoke(app, ["report", str(folder)])
    assert result.exit_code != 0 and "will not replace it" in " ".join(result.output.split())
    assert (folder / "results.xlsx").read_bytes() == before

    edited = load_workbook(folders["run"] / "results.xlsx")
    edited.properties.lastModifiedBy = "A Commissioner"  # what Excel records on saving
    edited.save(folder / "results.xlsx")
    with pytest.raises(ForeignFileError):
        write_workbook(folder)
    assert not list(folder.glob(".results.xlsx.*")), "a temporary file was left behind"


def test_drive_sims_own_workbook_is_replaced_and_force_replaces_the_folder(folders, tmp_path):
    import shutil

    from drive_sim.report.excel import write_workbook

    folder = tmp_path / "again"
    shutil.copytree(folders["run"], folder)
    book = load_workbook(folder / "results.xlsx")
    assert book.properties.creator == "drive-sim"
    assert write_workbook(folder) == folder / "results.xlsx"
    # Another run into the same folder with --force replaces it, workbook and all.
    result = CliRunner().invoke(app, ["run", "--reps", "2", "--set", "site.horizon_days=150", "--backend", "serial",
                                      "--no-report", "--force", "--out", str(folder)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert load_workbook(folder / "results.xlsx")["About"]["A1"].value == "Item"


def test_build_report_writes_the_workbook_beside_the_page(folders, tmp_path):
    import shutil

    from drive_sim.report.build import build_report

    folder = tmp_path / "sweep"
    shutil.copytree(folders["sweep"], folder)
    (folder / "results.xlsx").unlink()
    build_report(folder)
    assert "Points" in load_workbook(folder / "results.xlsx").sheetnames
    build_report(folder, tmp_path / "elsewhere.html")  # a page elsewhere leaves the folder alone
    assert not (tmp_path / "results.xlsx").exists()
