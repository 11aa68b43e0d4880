"""Scenario parameters in words: hand-written labels, the schema's words for the rest, never the path."""

from __future__ import annotations

import re

import pytest

from drive_sim.report.labels import in_sentence, label_words, parameter_label, point_words, value_words
from drive_sim.scenario import load_scenario, scenario_from_dict
from drive_sim.scenario.reference import scenario_keys

#: A dotted path as a reader should never see it: ``section.key`` or ``teams.idvas[0].count``.
DOTTED = re.compile(r"\b[a-z_]+(?:\[\w*\])?\.[a-z_]+")


@pytest.mark.parametrize(
    "path, label",
    [
        ("teams.idvas[0].count", "Drive IDVAs"),
        ("teams.idvas[1].count", "Wider IDVAs"),
        ("teams.idvas[0].fte", "Drive IDVA FTE"),
        ("teams.idvas[0]", "Drive IDVAs"),
        ("teams.case_managers[0].count", "Case Managers"),
        ("teams.case_managers[1].fte", "Team Leader FTE"),
        ("referrals.annual_rate", "Referrals a year"),
        ("backdating.months", "Backdated months"),
        ("site.horizon_days", "Days simulated"),
        ("policies.gate", "Gate policy"),
        ("policies.closure", "Closure policy"),
        ("routing.handover", "Handover to a Drive IDVA"),
        ("scenario", "Structure"),
    ],
)
def test_known_paths_have_hand_written_labels(path: str, label: str) -> None:
    assert parameter_label(path) == label


def test_a_team_entry_is_named_by_the_scenario_s_own_group() -> None:
    spread = load_scenario("scenarios/spread_all.toml")
    assert parameter_label("teams.idvas[0].count", spread) == f"{spread.teams.idvas[0].name}s"
    renamed = scenario_from_dict({"teams": {"idvas": [{"name": "Named IDVA", "role": "drive"}]}}, "test")
    assert parameter_label("teams.idvas[0].fte", renamed) == "Named IDVA FTE"
    assert parameter_label("teams.idvas[5].count", renamed) == "Entry 6 IDVAs"  # no such entry: still words


def test_other_paths_fall_back_to_the_schema_s_description() -> None:
    assert parameter_label("workforce.idva_attrition.vacancy_days") == "Post vacant while recruiting"
    assert parameter_label("referrals.panels[0].every_days") == "Meeting interval"
    # a description that does not read as a label (a quotation, a citation, a flag) gives the key's own words
    assert parameter_label("policies.engagement.window_effect") == "Engagement window effect"


def test_no_schema_key_is_labelled_by_its_path() -> None:
    for key in scenario_keys():
        path = key.path.replace("[i]", "[0]")
        label = parameter_label(path)
        assert label and not DOTTED.search(label), f"{path} -> {label!r}"
        assert label[0].isupper(), f"{path} -> {label!r}"


def test_only_a_path_that_is_no_path_at_all_stays_as_given() -> None:
    assert parameter_label("nonsense") == "nonsense"
    assert not DOTTED.search(parameter_label("some.unknown_key"))


def test_a_point_reads_as_words() -> None:
    assert point_words([("teams.idvas[0].count", 2), ("backdating.months", 3)]) == "Drive IDVAs 2, backdated 3 months"
    assert point_words({"backdating.months": 0, "referrals.annual_rate": 150}) == (
        "not backdated, 150 referrals a year"
    )
    assert value_words("site.horizon_days", 365) == "1 year simulated"
    assert value_words("site.horizon_days", 100) == "100 days simulated"
    assert value_words("policies.gate", "cautious") == "cautious gate"
    assert value_words("routing.handover", True) == "Handover to a Drive IDVA: yes"
    assert value_words("scenario", "Site 5: single Drive IDVA") == "Site 5: single Drive IDVA"
    assert point_words([]) == "as given"


def test_a_sweep_label_is_read_back_into_words_and_a_name_is_left_alone() -> None:
    assert label_words("teams.idvas[0].count=2, backdating.months=3") == "Drive IDVAs 2, backdated 3 months"
    assert label_words("scenario=site1, referrals.annual_rate=50") == "site1 · 50 referrals a year"
    for name in ["Default site", "Site 1: monitoring specialist + spread", "<script>alert(1)</script>", "a=1, b=2"]:
        assert label_words(name) == name


def test_labels_inside_a_sentence_keep_the_capitals_of_names() -> None:
    assert in_sentence("Backdated months") == "backdated months"
    assert in_sentence("Drive IDVAs") == "Drive IDVAs"
    assert in_sentence("IDVA caseload cap") == "IDVA caseload cap"
