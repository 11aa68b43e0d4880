"""The fit's outputs: a scenario that loads, comments where keys were fitted, nothing personal."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tomllib
from pathlib import Path

import pytest

from drive_sim.calibration.casefile import CaseExport, NonDriveExport, NonDriveRow, parse_cases, read_cases
from drive_sim.calibration.fit import fit_site
from drive_sim.calibration.fit_report import build_report, fitted_scenario, scenario_toml
from drive_sim.scenario import ScenarioError, scenario_from_dict

SAMPLE = Path(__file__).parents[2] / "scenarios" / "examples" / "sample_cases.csv"


@pytest.fixture(scope="module")
def export() -> CaseExport:
    return read_cases(SAMPLE)


@pytest.fixture(scope="module")
def fit(export):
    return fit_site(export)


def comment_above(text: str, key: str) -> list[str]:
    """The comment lines directly above ``key = ...`` in TOML text."""
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith(f"{key} = "))
    above = []
    for line in reversed(lines[:index]):
        if not line.startswith("#"):
            break
        above.insert(0, line)
    return above


def test_the_scenario_loads_and_holds_the_fitted_values(fit):
    text = scenario_toml(fit, {})
    data = tomllib.loads(text)
    scenario = scenario_from_dict(data, "fitted")
    assert scenario.referrals.annual_rate == pytest.approx(fit.referrals.per_year.value, rel=1e-3)
    assert scenario.durations.cm_intervention_days.kind == fit.cm_duration.family
    assert scenario.durations.extension_probability == pytest.approx(fit.extension.share.value, abs=1e-4)
    shares = scenario.case_mix.client_response
    assert shares.support + shares.monitoring + shares.unreachable == pytest.approx(1)


@pytest.mark.parametrize(
    "key",
    ["annual_rate", "dispersion", "months", "support", "cm_intervention_days", "extension_probability"],
)
def test_every_fitted_key_has_a_comment_saying_how(fit, key):
    comment = " ".join(comment_above(scenario_toml(fit, {}), key))
    assert "fitted:" in comment and "CI" in comment


def test_base_keys_are_kept_and_only_schema_keys_are_written(fit):
    base = {"site": {"name": "Our site"}, "policies": {"gate": "cautious"}, "run": {"seed": 7}}
    data, comments = fitted_scenario(fit, base)
    assert data["site"] == {"name": "Our site"} and data["run"] == {"seed": 7}
    assert "unreachable_deselect_probability" not in data["policies"], "only under gate 'strict' does it map"
    scenario_from_dict(data, "fitted")  # extra="forbid": an unknown key would fail here
    assert set(comments) <= {
        "referrals.annual_rate",
        "referrals.dispersion",
        "referrals.panels",
        "backdating.months",
        "durations.cm_intervention_days",
        "durations.extension_probability",
        "case_mix.client_response",
        "policies.unreachable_deselect_probability",
    }


def test_without_an_extended_column_extensions_are_not_added_twice(export):
    fit = fit_site(dataclasses.replace(export, has_extended=False))
    text = scenario_toml(fit, {})
    assert tomllib.loads(text)["durations"]["extension_probability"] == 0.0
    assert "includes extensions" in " ".join(comment_above(text, "extension_probability"))


def test_no_row_of_the_export_reaches_either_output(export, fit):
    outputs = scenario_toml(fit, {}) + build_report(fit)
    for case in export.cases:
        assert case.case_id not in outputs
    raw = SAMPLE.read_text().splitlines()[1:]
    assert not any(row in outputs for row in raw)


def test_small_counts_are_shown_as_under_five():
    rows = [
        "case_id,referral_date,cm_closed_date,idva_first_contact_date,client_response,deselected,backdated,idva_id,cm_id"
    ]
    for i in range(40):
        response = "monitoring" if i < 3 else "support"
        rows.append(f"K{i},2024-{1 + i % 12:02d}-01,,2024-{1 + i % 12:02d}-02,{response},0,0,I01,C01")
    fit = fit_site(parse_cases("\n".join(rows), "small.csv"))
    text, page = scenario_toml(fit, {}), build_report(fit)
    assert "n = <5" in text and "&lt;5" in page
    assert not re.search(r"monitoring[^,;]*n = 3\b", text)


def test_user_text_is_escaped_in_the_report(fit):
    page = build_report(dataclasses.replace(fit, source="<script>alert(1)</script>.csv"))
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.csv" in page


def test_the_report_is_one_self_contained_page_with_three_plots(fit):
    page = build_report(fit)
    assert page.count("window.PlotlyConfig") == 1, "plotly.js is included once"
    assert page.count("Plotly.newPlot(") == 3
    assert "<script src=" not in page, "nothing is fetched when the page opens"
    assert "Kaplan–Meier" in page


def test_non_drive_rates_become_the_idva_team(export):
    rows = tuple(
        NonDriveRow(month, idva, referrals)
        for month in (dt.date(2024, m, 1) for m in range(1, 13))
        for idva, referrals in (("I01", 0), ("I02", 8))
    )
    with_team = fit_site(export, NonDriveExport("nd.csv", rows))
    idvas = tomllib.loads(scenario_toml(with_team, {}))["teams"]["idvas"]
    assert [(i["name"], i["role"]) for i in idvas] == [("I01", "drive"), ("I02", "wider")]
    assert idvas[1]["non_drive_referrals_per_year"] == pytest.approx(96.0)
    with pytest.raises(ScenarioError, match="--drive-idva"):
        scenario_toml(with_team, {}, drive_idvas=["I09"])
