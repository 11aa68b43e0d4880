"""The KPI reference: every KPI with its definition, unit, scopes, window and guidance, from the KPI table.

One source of truth: the documentation site's KPI page is generated from :func:`kpi_rows`
at build time (``docs/gen_reference.py``) out of ``KPI_INFO``, ``SITE_KPIS``,
``IDVA_KPIS``, ``CM_KPIS``, ``KPI_WINDOW`` and ``GUIDANCE_KPIS`` in
:mod:`drive_sim.analysis.metrics`, and the guidance defaults from the scenario schema.
``tests/unit/test_reference.py`` fails when a KPI lacks a unit, a description, a scope or
a window.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from drive_sim.analysis import metrics
from drive_sim.analysis.counterfactual import COUNTERFACTUAL_KPIS
from drive_sim.report.labels import HEADLINE, scope_label
from drive_sim.scenario.schema import Guidance

__all__ = ["KpiRow", "kpi_reference_markdown", "kpi_rows"]

_SCOPES = {
    "site": "`site`",
    "idva": "`group:idva`, `group:drive`, `group:wider` and `idva:<name>`",
    "cm": "`group:cm` and `cm:<name>`",
}
_SCOPE_KIND_NAMES = {"site": "site", "idva": "IDVA", "cm": "CM"}


@dataclass(frozen=True)
class KpiRow:
    """One KPI as the reference shows it; ``scopes`` and ``guidance`` are Markdown."""

    kpi: str
    unit: str
    description: str
    scope_kinds: tuple[str, ...]
    window: str
    guidance: str
    headline: str


def _guidance(kpi: str) -> str:
    parts = []
    for (kind, name), field in metrics.GUIDANCE_KPIS.items():
        if name == kpi:
            default = Guidance.model_fields[field].default
            link = f"[`guidance.{field}`](scenario.md#guidance)"
            parts.append(f"{_SCOPE_KIND_NAMES[kind]}: {link} (default {default:g})")
    return "; ".join(parts)


def kpi_rows() -> list[KpiRow]:
    """Every KPI of ``KPI_INFO``, in its order."""
    site = (*metrics.SITE_KPIS, *COUNTERFACTUAL_KPIS)
    kinds = {"site": site, "idva": metrics.IDVA_KPIS, "cm": metrics.CM_KPIS}
    headline = {}
    for item in HEADLINE:
        headline.setdefault(item.kpi, []).append(f"{item.label} ({scope_label(item.scope)})")
    return [
        KpiRow(
            kpi=kpi,
            unit=unit,
            description=description,
            scope_kinds=tuple(kind for kind, names in kinds.items() if kpi in names),
            window=metrics.KPI_WINDOW.get(kpi, ""),
            guidance=_guidance(kpi),
            headline="; ".join(headline.get(kpi, [])),
        )
        for kpi, (unit, description) in metrics.KPI_INFO.items()
    ]


def _docstring_paragraphs() -> list[str]:
    """The bold-headed paragraphs of the metrics module's docstring (window, weeks read, scopes)."""
    text = re.sub(r"``([^`]+)``", r"`\1`", metrics.__doc__ or "")
    text = re.sub(r":(?:func|data|mod|class):`~?([^`]+)`", r"`\1`", text)
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n")]
    return [p for p in paragraphs if p.startswith("**")]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _definition(row: KpiRow) -> str:
    headline = f" *Headline:* {row.headline}." if row.headline else ""
    return _cell(row.description + headline)


def _window(row: KpiRow) -> str:
    return f"[{row.window.replace('_', ' ')}](#windows)"


def _judged(row: KpiRow) -> str:
    return row.guidance or "–"


def kpi_reference_markdown() -> str:
    """The KPI reference page (Markdown)."""
    rows = kpi_rows()
    lines = [
        "# KPI reference",
        "",
        "Every KPI drive-sim computes for each replication, generated from the KPI table in "
        "`drive_sim/analysis/metrics.py` when this site is built. Each is a value per replication "
        "and scope in `kpis.csv`; `summary.csv` gives its mean and confidence interval across "
        "replications. A KPI marked *headline* is printed by `drive-sim run` and leads the report.",
        "",
        *(p + "\n" for p in _docstring_paragraphs()),
        "## Windows",
        "",
        "| Window | Records read |",
        "|---|---|",
        *(f"| {name.replace('_', ' ')} | {_cell(text)} |" for name, text in metrics.WINDOWS.items()),
    ]
    site = [r for r in rows if "site" in r.scope_kinds]
    lines += [
        "",
        "## Site KPIs",
        "",
        "One value per replication, scope `site`.",
        "",
        "| KPI | Definition | Unit | Window | Judged against |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| `{r.kpi}` | {_definition(r)} | {r.unit} | {_window(r)} | {_judged(r)} |" for r in site]
    practitioner = [r for r in rows if set(r.scope_kinds) - {"site"}]
    lines += [
        "",
        "## Practitioner and group KPIs",
        "",
        f"One value per replication and scope: *IDVA* KPIs for {_SCOPES['idva']}; *CM* KPIs for {_SCOPES['cm']}.",
        "",
        "| KPI | Definition | Unit | Scopes | Window | Judged against |",
        "|---|---|---|---|---|---|",
    ]
    for r in practitioner:
        scopes = ", ".join(_SCOPE_KIND_NAMES[k] for k in r.scope_kinds if k != "site")
        lines.append(f"| `{r.kpi}` | {_definition(r)} | {r.unit} | {scopes} | {_window(r)} | {_judged(r)} |")
    return "\n".join(lines) + "\n"
