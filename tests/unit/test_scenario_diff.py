"""How two scenario files differ once resolved (drive-sim diff), each value with its source."""

from __future__ import annotations

from pathlib import Path

import pytest

from drive_sim.scenario import ScenarioError
from drive_sim.scenario.diff import resolved_values, scenario_diff

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def _rows(first, second):
    return {d.path: d for d in scenario_diff(first, second)}


def test_site5_and_site6_differ_in_liaison_and_the_perpetrator_panel_only_apart_from_their_words():
    rows = _rows(SCENARIOS / "site5.toml", SCENARIOS / "site6.toml")
    assert rows["routing.liaison"].first == '"direct"' and rows["routing.liaison"].second == '"relayed"'
    assert rows["routing.liaison"].first_source.startswith("line ")
    panel = rows["referrals.perpetrator_panel.every_days"]
    assert (panel.first, panel.second, panel.second_source) == ("28", "none", "default")
    words = {"site.name", "site.description"}
    assert {path.split(".perpetrator_panel")[0] for path in rows} - words == {"routing.liaison", "referrals"}


def test_a_file_and_itself_do_not_differ_and_a_file_giving_only_defaults_equals_the_default_site(tmp_path):
    assert scenario_diff(SCENARIOS / "site3.toml", SCENARIOS / "site3.toml") == []
    plain = tmp_path / "plain.toml"
    plain.write_text("[referrals]\nannual_rate = 100\n", encoding="utf-8")
    assert scenario_diff(None, plain) == []  # 100 a year is the default: same site


def test_a_list_item_the_file_gives_is_from_the_file_and_its_unset_fields_are_defaults(tmp_path):
    site = tmp_path / "site.toml"
    site.write_text('[[teams.idvas]]\nname = "Drive IDVA"\nrole = "drive"\ncount = 3\n', encoding="utf-8")
    _, values = resolved_values(site)
    sources = {v.path: v.source for v in values}
    assert sources["teams.idvas[0].count"] == "line 4"
    assert sources["teams.idvas[0].fte"] == "default"
    assert sources["referrals.annual_rate"] == "default"
    rows = _rows(None, site)
    assert rows["teams.idvas[0].count"].second == "3"
    assert rows["teams.idvas[1].count"].second == "(absent)"  # the default's wider team is not in this file


def test_a_distribution_is_one_value():
    rows = _rows(SCENARIOS / "recipes" / "mg_infinity.toml", SCENARIOS / "recipes" / "deterministic.toml")
    assert rows["durations.cm_intervention_days"].second == '{kind = "fixed", value = 180}'
    assert not any(path.startswith("durations.cm_intervention_days.") for path in rows)


def test_an_invalid_file_is_refused_with_its_problems_located(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[referrals]\nannual_rate = -5\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="annual_rate"):
        scenario_diff(SCENARIOS / "site5.toml", bad)
