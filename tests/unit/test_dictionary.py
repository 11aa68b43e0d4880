"""The data dictionary: every column of every table a results folder holds is described.

Runs each kind of command small (run, compare, sweep, size, uncertainty, size
--uncertain), then checks that ``schema.json`` describes every column of every table
file in the folder, and that ``reports/README.md`` holds the dictionary as the code
writes it. Run this file as a script to rewrite that copy:
``python tests/unit/test_dictionary.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from drive_sim.analysis.dictionary import TABLES, UndescribedColumn, describe_column, dictionary_markdown, table_schema
from drive_sim.cli import app
from drive_sim.runs.datapackage import SCHEMA_FILE, write_schema

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "reports" / "README.md"
START, END = "<!-- dictionary: start -->\n", "<!-- dictionary: end -->\n"
SHORT = ["--set", "site.horizon_days=200", "--backend", "serial"]
COMMANDS = {
    "run": ["run", "--reps", "2", *SHORT],
    "compare": ["compare", "scenarios/site5.toml", "scenarios/site6.toml", "--reps", "2", *SHORT],
    "sweep": ["sweep", "--set", "teams.idvas[0].count=1,2", "--reps", "2", *SHORT],
    "size": ["size", "--reps", "2", *SHORT],
    "uncertainty": ["uncertainty", "--samples", "4", "--reps", "1", "--screening", "0", *SHORT],
    "size-uncertain": ["size", "--uncertain", "--worlds", "10", "--world-reps", "1", *SHORT],
    "launch": ["launch", "--reps", "2", "--months", "6", *SHORT],
    "explore": [
        "explore",
        "scenarios/site1.toml",
        "scenarios/site5.toml",
        "--set",
        "staffing=1,2",
        "--set",
        "referrals.annual_rate=100",
        "--set",
        "backdating.months=0",
        "--reps",
        "2",
        *SHORT,
    ],
}


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    made = {}
    for kind, arguments in COMMANDS.items():
        out = tmp_path_factory.mktemp(kind) / "out"
        result = CliRunner().invoke(app, [*arguments, "--out", str(out)])
        assert result.exit_code == 0, f"{kind}: {result.output}"
        made[kind] = out
    return made


def _table_files(folder: Path) -> list[Path]:
    return sorted([*folder.glob("*.csv"), *folder.glob("*.parquet")])


@pytest.mark.parametrize("kind", list(COMMANDS))
def test_schema_json_describes_every_column_of_every_table(folders, kind):
    folder = folders[kind]
    path = folder / SCHEMA_FILE
    if not path.exists():
        write_schema(folder)
    package = json.loads(path.read_text(encoding="utf-8"))
    described = {resource["path"]: resource for resource in package["resources"]}
    for table in _table_files(folder):
        assert table.name in described, f"{kind}: {table.name} is not in schema.json"
        if table.suffix == ".parquet":
            columns = list(pd.read_parquet(table).columns)
        else:
            try:
                columns = list(pd.read_csv(table, nrows=0).columns)
            except pd.errors.EmptyDataError:
                columns = []
        fields = described[table.name]["schema"]["fields"]
        assert [f["name"] for f in fields] == columns, f"{kind}: {table.name}"
        for field in fields:
            assert field["description"].strip(), f"{kind}: {table.name}: {field['name']} has no description"
            assert field["type"] in ("integer", "number", "boolean", "string", "any"), field


def test_a_column_without_a_description_is_refused_by_name():
    with pytest.raises(UndescribedColumn, match="cases.not_a_column"):
        describe_column("cases", "not_a_column")
    with pytest.raises(UndescribedColumn):
        table_schema("weeks", ["week", "mystery"])


def test_cases_say_when_and_why_each_left(folders):
    cases = pd.read_parquet(folders["run"] / "cases.parquet")
    open_ = cases["status"] == "open"
    assert cases.loc[open_, "left_day"].isna().all() and (cases.loc[open_, "left_reason"] == "").all()
    closed = cases[cases["status"] == "closed"]
    assert (closed["left_reason"] == "completed").all()
    assert (closed["left_day"] == closed[["cm_closed_day", "idva_closed_day"]].max(axis=1)).all()
    deselected = cases[cases["status"] == "deselected"]
    assert (deselected["left_day"] == deselected["deselected_day"]).all()
    assert deselected["left_reason"].str.startswith("deselected").all()


def test_every_table_and_column_in_the_dictionary_has_words():
    for table, (row, columns) in TABLES.items():
        assert row.strip(), table
        for name, column in columns.items():
            assert column.description.strip() and column.type, f"{table}.{name}"


def _readme_with_dictionary() -> str:
    text = README.read_text(encoding="utf-8")
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    return head + START + dictionary_markdown() + END + tail


def test_reports_readme_holds_the_dictionary_as_the_code_writes_it():
    text = README.read_text(encoding="utf-8")
    assert START in text and END in text
    assert text == _readme_with_dictionary(), (
        "reports/README.md is out of date: run python tests/unit/test_dictionary.py"
    )


if __name__ == "__main__":
    README.write_text(_readme_with_dictionary(), encoding="utf-8")
    sys.stdout.write(f"wrote {README}\n")
