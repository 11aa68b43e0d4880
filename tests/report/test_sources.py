"""The sources a report cites ship with the package, and each page links them (issue 18, item 5)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from drive_sim.report.build import build_report
from drive_sim.report.method import parameter_rows
from drive_sim.report.sources import CITATION, citations_in, resolve, source_entries, sources_text
from drive_sim.scenario import Scenario

ROOT = Path(__file__).resolve().parents[2]
CITING_FILES = [
    "drive_sim/scenario/schema.py",
    "drive_sim/scenario/intake.py",
    "drive_sim/scenario/capacity.py",
    "drive_sim/scenario/ranges.py",
]


class _Page(HTMLParser):
    """The ids on a page and the in-page links, with the words of each link."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[list[str]] = []
        self._in_link = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "a" and str(found.get("href", "")).startswith("#source-"):
            self.links.append([str(found["href"])[1:], ""])
            self._in_link = True

    def handle_data(self, data: str) -> None:
        if self._in_link:
            self.links[-1][1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._in_link = False


def _section(html: str, start_id: str, end_id: str | None = None) -> str:
    start = html.index(f'id="{start_id}"')
    end = html.index(f'id="{end_id}"', start) if end_id else len(html)
    return html[start:end]


def test_the_sources_file_is_package_data_and_the_docs_page_includes_it():
    text = sources_text()
    assert text.startswith("# Sources")
    assert text == (ROOT / "drive_sim/report/sources.md").read_text(encoding="utf-8")
    # One copy: the documentation page is a snippet include of the shipped file.
    assert '--8<-- "drive_sim/report/sources.md"' in (ROOT / "docs/sources.md").read_text(encoding="utf-8")
    assert "sources.md" in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", CITING_FILES)
def test_every_citation_in_the_schema_resolves_to_a_source_entry(path):
    source = (ROOT / path).read_text(encoding="utf-8")
    cited = {f"{m.group(1)} {m.group(2)}" for m in CITATION.finditer(source)}
    assert cited, f"{path} cites nothing"
    missing = sorted(key for key in cited if resolve(key) is None)
    assert not missing, f"{path} cites {missing}, which drive_sim/report/sources.md has no heading for"


def test_every_parameter_source_citation_resolves():
    sources = [row["source"] for row in parameter_rows(Scenario())]
    cited = {f"{m.group(1)} {m.group(2)}" for value in sources for m in CITATION.finditer(value)}
    assert cited and all(resolve(key) is not None for key in cited)
    assert set(citations_in(sources)) == {resolve(key).key for key in cited}  # type: ignore[union-attr]


def test_entries_have_distinct_anchors_and_words():
    entries = source_entries()
    anchors = [entry.anchor for entry in entries.values()]
    assert len(set(anchors)) == len(anchors)
    assert all(entry.body for entry in entries.values())
    assert entries["extract §2.6"].anchor == "source-extract-2-6"
    assert "L588" in entries["extract §2.6"].body
    assert "Q1" not in entries["extract §1a"].body and "100 cases" in entries["extract §1a"].body
    assert resolve("extract §4.8") == entries["extract §4"]  # item 8 of §4
    assert resolve("extract §9") is None


def test_a_run_report_links_every_citation_to_its_entry_at_the_end(run_folder):
    html = build_report(run_folder).read_text(encoding="utf-8")
    page = _Page()
    page.feed(html)
    assumptions = _section(html, "assumptions", "method")
    table_text = re.sub(r"<[^>]+>", "", assumptions)
    cited = {f"{m.group(1)} {m.group(2)}" for m in CITATION.finditer(table_text)}
    assert cited, "the assumptions table cites no source"
    assumption_links = _Page()
    assumption_links.feed(assumptions)
    linked = {words for _, words in assumption_links.links}
    assert cited <= linked, f"citations left unlinked: {sorted(cited - linked)}"
    assert all(anchor in page.ids for anchor, _ in page.links), "a citation links to an anchor the page lacks"
    # The Sources section is the last section and holds just the cited entries.
    sources = _section(html, "sources")
    assert "<h2" not in sources.split(">", 1)[1]
    held = set(re.findall(r'id="(source-[^"]+)"', sources))
    assert held == {resolve(key).anchor for key in cited}  # type: ignore[union-attr]
    assert "hinges on the IDVA" in sources  # extract §2.6, word for word


def test_the_entries_are_escaped_text(run_folder):
    html = (run_folder / "report.html").read_text(encoding="utf-8")
    sources = _section(html, "sources")
    assert "<script" not in sources
    assert "**" not in sources
