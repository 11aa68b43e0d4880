"""The references generated for the documentation site: every key, KPI and command is described.

Each check is a helper run on the real schema, KPI table or CLI, and once on a small
counterexample, so the test is seen to fail when a description is missing.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

import pytest
import typer
from pydantic import Field

from drive_sim.analysis import metrics
from drive_sim.cli.reference import command_reference_markdown, commands
from drive_sim.report.reference import kpi_reference_markdown, kpi_rows
from drive_sim.scenario import Frozen, Guidance, Scenario
from drive_sim.scenario.reference import (
    SECTION_MECHANISMS,
    ScenarioKey,
    evidence_of,
    scenario_keys,
    scenario_reference_markdown,
    sections,
)

# --------------------------------------------------------------------------------------
# Scenario keys
# --------------------------------------------------------------------------------------


def undescribed_keys(keys: list[ScenarioKey]) -> list[str]:
    return [key.path for key in keys if not key.description.strip()]


def test_every_scenario_key_has_a_description():
    keys = scenario_keys()
    assert len(keys) > 100
    assert undescribed_keys(keys) == []


class _Inner(Frozen):
    documented: float = Field(1.0, ge=0, description="Assumption.")
    bare: float = Field(2.0, gt=0)


class _Outer(Frozen):
    inner: _Inner = Field(default_factory=_Inner)
    items: list[_Inner] = Field(default_factory=lambda: [_Inner()])
    label: str = "x"


def test_a_key_without_a_description_is_caught():
    assert undescribed_keys(scenario_keys(_Outer)) == ["label", "inner.bare", "items[i].bare"]
    assert "**no description**" in scenario_reference_markdown(_Outer)


def test_every_section_has_a_description_and_a_mechanism():
    found = sections()
    assert [s.path for s in found if not s.description] == []
    assert [s.path for s in found if not s.mechanism] == []
    top = [name for name in Scenario.model_fields]
    assert set(top) <= set(SECTION_MECHANISMS), "document the mechanism of every top-level section"
    paths = {s.path.replace("[i]", "") for s in found}
    assert set(SECTION_MECHANISMS) <= paths, "SECTION_MECHANISMS names a section the schema no longer has"


def test_the_scenario_page_holds_every_key_and_section():
    page = scenario_reference_markdown()
    missing = [key.path for key in scenario_keys() if f"| `{key.path}` |" not in page]
    assert missing == []
    for section in sections():
        assert f"`{section.path}` {{#" in page


def test_keys_carry_type_unit_default_range_and_evidence():
    keys = {key.path: key for key in scenario_keys()}
    horizon = keys["site.horizon_days"]
    assert (horizon.type, horizon.unit, horizon.default, horizon.allowed) == ("number", "days", "1095", "> 0, ≤ 7300")
    assert horizon.evidence == "assumption"
    assert keys["referrals.annual_rate"].evidence == "source"
    assert keys["run.seed"].evidence == "none"
    assert keys["durations.cm_intervention_days"].type == "distribution"
    assert keys["durations.cm_intervention_days"].default == '{kind = "triangular", low = 90, mode = 210, high = 365}'
    assert keys["policies.gate"].type == 'one of `"strict"`, `"cautious"`, `"none"`'
    assert keys["routing.caseload_cap"].default == "none (leave out)"
    assert keys["teams.idvas[i].fte"].allowed == "> 0, ≤ 1.5"
    assert keys["referrals.deferral_probability"].allowed == "≥ 0, < 1"
    # A section's own default wins over its class's; a list entry has its class's defaults.
    assert keys["workforce.cm_attrition.annual_turnover"].default == "0.083"
    assert keys["workforce.idva_attrition.annual_turnover"].default == "0.15"
    assert keys["teams.idvas[i].role"].default == '"drive"'
    # A bare "Assumption." is read with its section's docstring, as the report reads it.
    assert keys["case_mix.monitoring_intervals.every_2_weeks"].description.startswith("Shares of monitoring clients")


@pytest.mark.parametrize(
    ("description", "evidence"),
    [
        ("Length of a run in days. Assumption: 3 years.", "assumption"),
        ("Accepted Drive cases a year (extract Q3, L213).", "source"),
        ("Above 110% of capacity (figures §5).", "source"),
        ("Shown in tables and reports.", "none"),
    ],
)
def test_evidence_is_read_from_the_description(description: str, evidence: str):
    assert evidence_of(description) == evidence


# --------------------------------------------------------------------------------------
# KPIs
# --------------------------------------------------------------------------------------


def incomplete_kpis() -> list[str]:
    return [
        row.kpi
        for row in kpi_rows()
        if not (row.unit.strip() and row.description.strip() and row.scope_kinds and row.window in metrics.WINDOWS)
    ]


def test_every_kpi_has_a_unit_description_scope_and_window():
    assert len(kpi_rows()) == len(metrics.KPI_INFO) > 40
    assert incomplete_kpis() == []
    assert set(metrics.KPI_WINDOW) == set(metrics.KPI_INFO)


def test_a_kpi_without_a_description_or_window_is_caught(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(metrics.KPI_INFO, "undocumented_kpi", ("cases", ""))
    monkeypatch.setattr(metrics, "SITE_KPIS", (*metrics.SITE_KPIS, "undocumented_kpi"))
    assert incomplete_kpis() == ["undocumented_kpi"]
    monkeypatch.setitem(metrics.KPI_INFO, "undocumented_kpi", ("cases", "Described now."))
    assert incomplete_kpis() == ["undocumented_kpi"]  # still no window
    monkeypatch.setitem(metrics.KPI_WINDOW, "undocumented_kpi", "cases")
    assert incomplete_kpis() == []


def test_guidance_names_a_guidance_key():
    assert set(metrics.GUIDANCE_KPIS.values()) <= set(Guidance.model_fields)
    rows = {row.kpi: row for row in kpi_rows()}
    assert "guidance.idva_open_cases_per_fte" in rows["open_cases_per_fte_peak"].guidance
    assert rows["unreachable_share"].guidance == ""


def test_the_kpi_page_holds_every_kpi():
    page = kpi_reference_markdown()
    assert [kpi for kpi in metrics.KPI_INFO if f"| `{kpi}` |" not in page] == []


# --------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------


def undocumented_options(found: dict[str, Any]) -> list[str]:
    gaps = []
    for name, command in found.items():
        if not (command.help or "").strip():
            gaps.append(name)
        gaps += [f"{name} {p.name}" for p in command.params if not (getattr(p, "help", None) or "").strip()]
    return gaps


def test_every_command_and_option_has_help():
    found = commands()
    assert {"run", "check", "compare", "sweep", "size", "report", "fit", "synth"} <= set(found)
    assert undocumented_options(found) == []


def test_an_option_without_help_is_caught():
    app = typer.Typer()

    @app.command()
    def shout(
        loud: Annotated[bool, typer.Option(help="Louder.")] = False,
        times: Annotated[int, typer.Option()] = 1,
    ) -> None:
        """Shout."""

    @app.command()
    def mumble(mode: Annotated[Literal["a", "b"], typer.Option(help="How.")] = "a") -> None:
        pass

    group: Any = typer.main.get_command(app)
    assert undocumented_options(dict(group.commands)) == ["shout times", "mumble"]


def test_the_command_page_holds_every_command():
    page = command_reference_markdown()
    assert page.startswith("# Command reference\n")
    assert [name for name in commands() if f"## `drive-sim {name}`" not in page] == []
    # Help text such as "reports/<site>" is escaped, or Markdown would read <site> as a tag.
    prose = re.sub(r"```.*?```|`[^`]*`", "", page, flags=re.DOTALL)
    assert re.findall(r"<[a-z][^>]*>", prose) == []
