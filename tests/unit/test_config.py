"""The scenario schema: defaults, partial files, and every problem located."""

from __future__ import annotations

import pytest

from drive_sim.scenario import ScenarioError, apply_overrides, load_scenario, parse_scenario


def problems_of(text: str) -> list[tuple[str, str]]:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, "bad.toml")
    return caught.value.problems


def keys_of(text: str) -> list[str]:
    return [key for key, _ in problems_of(text)]


def test_no_file_is_the_default_site():
    s = load_scenario(None)
    assert s.referrals.annual_rate == 100
    assert [p.kind for p in s.referrals.panels] == ["perpetrator_panel"]
    assert s.referrals.panels[0].every_days == 28
    cms = s.teams.case_managers
    assert sum(c.count for c in cms) == 4 and sum(c.team_leader for c in cms) == 1
    drive = [i for i in s.teams.idvas if i.role == "drive"]
    assert len(drive) == 1 and drive[0].count == 1
    assert any(i.role == "wider" and i.non_drive_referrals_per_year > 0 for i in s.teams.idvas)
    assert s.routing.support == s.routing.monitoring == "drive"


def test_a_partial_file_overrides_only_what_it_says():
    s = parse_scenario("[referrals]\nannual_rate = 150\n")
    assert s.referrals.annual_rate == 150
    assert s.referrals.deferral_probability == load_scenario(None).referrals.deferral_probability
    assert s.teams == load_scenario(None).teams


@pytest.mark.parametrize(
    "text, key",
    [
        ("[referrals]\nanual_rate = 100\n", "referrals.anual_rate"),
        ("[referrals]\nannual_rate = 'many'\n", "referrals.annual_rate"),
        ("[referrals]\nannual_rate = -5\n", "referrals.annual_rate"),
        ("[[teams.idvas]]\nfte = 0\n", "teams.idvas[0].fte"),
        ("[case_mix.client_response]\nsupport = 0.9\n", "case_mix.client_response"),
        ("[durations]\ncm_intervention_days = {kind = 'normal', mean = 3}\n", "durations.cm_intervention_days"),
        (
            "[durations]\ncm_intervention_days = {kind = 'uniform', low = 9, high = 3}\n",
            "durations.cm_intervention_days",
        ),
        ("[[referrals.panels]]\nkind = 'marac'\nshare = 0.5\n", "referrals"),
        ("[policies]\ngate = 'sometimes'\n", "policies.gate"),
        ("[site]\nstart_date = 'next tuesday'\n", "site.start_date"),
    ],
)
def test_each_problem_names_its_key(text, key):
    assert key in keys_of(text)


def test_a_rule_naming_a_group_with_no_members_is_refused():
    found = problems_of("[[teams.idvas]]\nrole = 'drive'\n[routing]\nsupport = 'wider'\n")
    assert any("routing.support" in message and "'wider'" in message for _, message in found)


def test_all_problems_of_a_file_come_at_once():
    keys = keys_of("[referrals]\nannual_rate = -1\nbogus = 2\n[policies]\nclosure = 'never'\n")
    assert {"referrals.annual_rate", "referrals.bogus", "policies.closure"} <= set(keys)


def test_toml_syntax_errors_give_the_line():
    [(key, message)] = problems_of("[site]\nname = 'x'\nhorizon_days = = 3\n")
    assert key == "" and "line 3" in message


def test_a_missing_file_is_one_clear_problem(tmp_path):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "nowhere.toml")
    assert str(caught.value) == f"{tmp_path / 'nowhere.toml'}: no such file"


def test_overrides_reach_into_default_lists():
    data = apply_overrides({}, {"teams.idvas[0].count": 2, "referrals.annual_rate": 150})
    s = load_scenario(None, {"teams.idvas[0].count": 2})
    assert data["teams"]["idvas"][0]["count"] == 2 and data["referrals"]["annual_rate"] == 150
    assert s.teams.idvas[0].count == 2 and s.teams.idvas[1] == load_scenario(None).teams.idvas[1]


@pytest.mark.parametrize(
    "path, words",
    [("referals.annual_rate", "unknown key 'referals'"), ("teams.idvas[9].fte", "no item 9"), ("a..b", "dotted")],
)
def test_bad_override_paths_are_located(path, words):
    with pytest.raises(ScenarioError) as caught:
        apply_overrides({}, {path: 1})
    [(key, message)] = caught.value.problems
    assert key == path and words in message


def test_override_values_are_validated_like_the_file():
    with pytest.raises(ScenarioError) as caught:
        load_scenario(None, {"referrals.annual_rate": -3})
    assert caught.value.problems[0][0] == "referrals.annual_rate"


def test_every_field_cites_a_source_or_says_assumption():
    """Each default is documented: a description on every field with a default."""
    from pydantic import BaseModel

    from drive_sim.scenario import Scenario

    missing = []

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, field in model.model_fields.items():
            annotation = field.annotation
            nested = [
                a
                for a in (annotation, *getattr(annotation, "__args__", ()))
                if isinstance(a, type) and issubclass(a, BaseModel)
            ]
            if len(nested) == 1 and not name.endswith("days") and name not in ("panels", "case_managers", "idvas"):
                walk(nested[0], f"{prefix}{name}.")
            elif not field.description:
                missing.append(prefix + name)

    walk(Scenario, "")
    assert not missing, f"fields without a description: {missing}"
