"""Write the reference pages from the code when the site is built (mkdocs-gen-files).

Nothing generated is committed: the scenario, command and KPI references are read from
the pydantic schema, the typer app and the KPI table every time ``mkdocs build`` runs.
Citations in the scenario reference ("extract §2.4", "extract Q3", "figures §5") link to
their heading on the Sources page; strict mode fails the build if one points nowhere.
"""

import re
from pathlib import Path

import mkdocs_gen_files
from markdown.extensions.toc import slugify

from drive_sim.cli.reference import command_reference_markdown
from drive_sim.report.reference import kpi_reference_markdown
from drive_sim.scenario.reference import scenario_reference_markdown

SOURCES = Path(__file__).parent.parent / "drive_sim" / "report" / "sources.md"  # the one copy, package data
HEADING = re.compile(r"^#{2,4} ((extract|figures) (§[0-9][0-9a-z.]*)|Q\d+)\b(.*)$", re.MULTILINE)
CITATION = re.compile(r"\b(extract|figures) (§\d+(?:\.\d+|[a-z])?|Q\d+)(?![0-9a-z.]*\w)")


def source_anchors() -> dict[str, str]:
    """'extract §2.4' / 'extract Q3' / 'figures §5' -> the anchor of its heading on the Sources page."""
    anchors = {}
    for match in HEADING.finditer(SOURCES.read_text(encoding="utf-8")):
        key = match.group(1) if match.group(2) else f"extract {match.group(1)}"
        anchors[key] = slugify(match.group(0).lstrip("#").strip(), "-")
    return anchors


def link_citations(markdown: str, page_depth: int) -> str:
    anchors = source_anchors()
    prefix = "../" * page_depth + "sources.md"

    def link(match: re.Match[str]) -> str:
        anchor = anchors.get(f"{match.group(1)} {match.group(2)}")
        return f"[{match.group(0)}]({prefix}#{anchor})" if anchor else match.group(0)

    return CITATION.sub(link, markdown)


PAGES = {
    "reference/scenario.md": lambda: link_citations(scenario_reference_markdown(), page_depth=1),
    "reference/commands.md": command_reference_markdown,
    "reference/kpis.md": kpi_reference_markdown,
}

for page, write in PAGES.items():
    with mkdocs_gen_files.open(page, "w") as out:
        out.write(write())
