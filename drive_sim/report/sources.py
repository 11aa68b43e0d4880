"""The sources a report cites, shipped with the package, so a page checks its evidence offline.

``drive_sim/report/sources.md`` is the single copy of the study's facts and the published
figures (the documentation site includes it as its Sources page). Citations such as
"extract §2.6, L588", "extract Q3" or "figures §3" in the scenario schema's descriptions
name one of its headings. :func:`link_citations` turns each citation in a text into a link
to ``#source-…``, and :func:`sources_section` writes just the cited entries under those
anchors at the end of the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from drive_sim.report.html import Markup, join, tag, text

__all__ = ["CITATION", "SourceEntry", "citations_in", "link_citations", "resolve", "source_entries", "sources_section"]

#: A citation in text: "extract §2.4", "extract §1a", "extract Q3", "figures §5".
CITATION = re.compile(r"\b(extract|figures) (§\d+(?:\.\d+|[a-z])?|Q\d+)(?![0-9a-z.]*\w)")
_HEADING = re.compile(r"^(#{2,4}) (?:(extract|figures) (§[0-9][0-9a-z.]*)|(Q\d+))\b ?(.*)$")


@dataclass(frozen=True)
class SourceEntry:
    """One heading of the sources file: its citation ``key``, ``title`` and markdown ``body``."""

    key: str
    title: str
    body: str

    @property
    def anchor(self) -> str:
        """The id of the entry's heading on a report page."""
        return "source-" + re.sub(r"[^a-z0-9]+", "-", self.key.lower().replace("§", "")).strip("-")


def sources_text() -> str:
    """The shipped sources file (``drive_sim/report/sources.md``)."""
    return resources.files("drive_sim.report").joinpath("sources.md").read_text(encoding="utf-8")


@cache
def source_entries() -> dict[str, SourceEntry]:
    """Every citable heading of the sources file, by citation key ("extract §2.4", "extract Q3", "figures §5").

    An entry's body runs to the next heading; a heading with nothing under it before its
    sub-headings (extract §1a before Q1) takes its sub-headings' text instead.
    """
    lines = sources_text().splitlines()
    headings = [(k, len(line) - len(line.lstrip("#"))) for k, line in enumerate(lines) if line.startswith("#")]
    headings.append((len(lines), 1))
    entries: dict[str, SourceEntry] = {}
    for (start, level), (end, _) in zip(headings, headings[1:], strict=False):
        match = _HEADING.match(lines[start])
        if not match:
            continue
        body = "\n".join(lines[start + 1 : end]).strip()
        if not body:  # a parent heading: its children, down to the next heading of its level or above
            stop = next(k for k, lv in headings if k > start and lv <= level)
            body = "\n".join(line for line in lines[start + 1 : stop] if not line.startswith("#")).strip()
        key = f"{match.group(2)} {match.group(3)}" if match.group(2) else f"extract {match.group(4)}"
        entries[key] = SourceEntry(key, match.group(5).strip(), body)
    return entries


def resolve(key: str) -> SourceEntry | None:
    """The entry a citation names; a numbered item of a section ("extract §4.8", item 8 of §4) gives the section."""
    entries = source_entries()
    while key not in entries and re.search(r"\.\d+$", key):
        key = re.sub(r"\.\d+$", "", key)
    return entries.get(key)


def citations_in(texts: Iterable[str]) -> list[str]:
    """The citation keys the texts use that the sources file holds, in the file's order."""
    found = {resolve(f"{m.group(1)} {m.group(2)}") for value in texts for m in CITATION.finditer(value or "")}
    return [key for key, entry in source_entries().items() if entry in found]


def link_citations(value: str) -> Markup:
    """``value`` as HTML, each citation the sources file holds a link to its entry on the page."""
    parts: list[Markup] = []
    last = 0
    for match in CITATION.finditer(value):
        entry = resolve(f"{match.group(1)} {match.group(2)}")
        if entry is None:
            continue
        parts += [text(value[last : match.start()]), tag("a", match.group(0), href=f"#{entry.anchor}")]
        last = match.end()
    parts.append(text(value[last:]))
    return join(*parts)


_INLINE = (
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links within the docs site: their words only
    (re.compile(r"&lt;(https?://\S+?)&gt;"), r'<span style="overflow-wrap:anywhere">\1</span>'),
    (re.compile(r"\*\*(.+?)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)\*(?![\w*])"), r"<em>\1</em>"),
    (re.compile(r"`([^`]+)`"), r"<code>\1</code>"),
)


def _inline(line: str) -> Markup:
    html = str(text(line))  # escaped first, so only the markup added here is HTML
    for pattern, replacement in _INLINE:
        html = pattern.sub(replacement, html)
    return Markup(html)


def _body_html(body: str) -> Markup:
    """The small markdown of an entry (paragraphs, bullet lists, tables, emphasis) as HTML."""
    blocks: list[Markup] = []
    for block in re.split(r"\n\s*\n", body):
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        if all(line.lstrip().startswith("|") for line in lines):
            blocks.append(tag("pre", "\n".join(lines)))
        elif all(re.match(r"\s*([-*]|\d+\.) ", line) or line.startswith("  ") for line in lines):
            items: list[str] = []
            for line in lines:
                if re.match(r"\s*([-*]|\d+\.) ", line) and not line.startswith("  "):
                    items.append(re.sub(r"^\s*([-*]|\d+\.) ", "", line))
                else:
                    items[-1] += " " + line.strip()
            blocks.append(tag("ul", [tag("li", _inline(item)) for item in items]))
        else:
            blocks.append(tag("p", _inline(" ".join(line.strip() for line in lines))))
    return join(*blocks)


def sources_section(texts: Iterable[str]) -> Markup:
    """The entries the texts cite, each under its anchor, with how to read a citation."""
    entries = source_entries()
    cited = citations_in(texts)
    intro = tag(
        "p",
        "The study's facts and the published figures that the sources above cite, from drive-sim's own copy "
        "(docs/sources.md in the project), so each can be checked without the internet. 'L300' is line 300 of the "
        "study's text as the project holds it; 'p14' is the report's own page 14; a value marked 'assumption' has "
        "no source. The study: Rao, S. and Vallis, E. (2020), The Drive IDVA model, SafeLives.",
    )
    if not cited:
        return join(intro, tag("p", "No parameter on this page cites a source.", class_="note"))
    return join(
        intro,
        *[
            join(
                tag("h3", f"{entries[key].key}: {entries[key].title}", id=entries[key].anchor),
                _body_html(entries[key].body),
            )
            for key in cited
        ],
    )
