"""The scenario schema: defaults, partial files, and every problem located."""

from __future__ import annotations

import copy
import datetime as dt

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


def test_overrides_leave_the_data_they_were_given_as_it_was():
    """The result is a copy that shares no table or list with the input (it is safe to change)."""
    given = {"teams": {"idvas": [{"count": 1, "fte": 0.5}]}, "site": {"name": "A", "start": dt.date(2020, 1, 1)}}
    before = copy.deepcopy(given)
    data = apply_overrides(given, {"teams.idvas[0].count": 2})
    data["teams"]["idvas"][0]["fte"] = 1.0
    data["site"]["name"] = "B"
    assert given == before
    assert data["teams"]["idvas"][0]["count"] == 2 and data["site"]["start"] == before["site"]["start"]


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


# --------------------------------------------------------------------------------------
# Issue 13: values that used to get through validation
# --------------------------------------------------------------------------------------


def _models() -> list[type]:
    """Every model class a scenario is built of (sections, list items, distributions)."""
    from pydantic import BaseModel

    from drive_sim.scenario import Scenario

    found: list[type] = []

    def walk(model: type) -> None:
        if model in found:
            return
        found.append(model)
        for field in model.model_fields.values():
            stack = [field.annotation]
            while stack:
                annotation = stack.pop()
                if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                    walk(annotation)
                stack += list(getattr(annotation, "__args__", ()))
                stack += list(getattr(annotation, "__metadata__", ()))

    walk(Scenario)
    return found


def test_every_model_of_the_schema_is_strict_and_refuses_non_finite_numbers():
    from drive_sim.scenario import Frozen, LogNormal

    models = _models()
    assert LogNormal in models and len(models) > 25
    for model in models:
        assert issubclass(model, Frozen), model
        assert model.model_config.get("allow_inf_nan") is False and model.model_config.get("strict") is True, model


@pytest.mark.parametrize(
    "text, key",
    [
        ("[referrals]\nannual_rate = inf\n", "referrals.annual_rate"),
        ("[referrals]\nannual_rate = nan\n", "referrals.annual_rate"),
        ("[site]\nhorizon_days = -inf\n", "site.horizon_days"),
        ("[[teams.idvas]]\nsalary = inf\n", "teams.idvas[0].salary"),
        ("[durations]\ncm_intervention_days = {kind = 'exponential', mean = inf}\n", "durations.cm_intervention_days"),
        ("[durations]\nextension_days = {kind = 'empirical', values = [30, nan]}\n", "durations.extension_days"),
    ],
)
def test_non_finite_numbers_are_refused(text, key):
    found = problems_of(text)
    assert any(k.startswith(key) and "finite" in message for k, message in found), found


def test_non_finite_overrides_are_refused_like_the_file():
    with pytest.raises(ScenarioError) as caught:
        load_scenario(None, {"referrals.annual_rate": float("inf")})
    assert caught.value.problems == [("referrals.annual_rate", "must be a finite number (not inf or nan)")]


@pytest.mark.parametrize(
    "text, key",
    [
        ("[[teams.idvas]]\ncount = true\n", "teams.idvas[0].count"),
        ("[referrals]\nannual_rate = false\n", "referrals.annual_rate"),
        ("[[teams.case_managers]]\nfte = true\n", "teams.case_managers[0].fte"),
        ("[referrals]\nannual_rate = '150'\n", "referrals.annual_rate"),
        ("[[teams.idvas]]\ncount = 2.5\n", "teams.idvas[0].count"),
        ("[routing]\nhandover = 1\n", "routing.handover"),
    ],
)
def test_booleans_and_strings_are_not_numbers(text, key):
    assert key in keys_of(text)


def test_an_int_is_still_a_float_and_a_date_may_be_a_string():
    s = parse_scenario("[referrals]\nannual_rate = 150\n[site]\nstart_date = '2027-01-04'\n")
    assert s.referrals.annual_rate == 150 and isinstance(s.referrals.annual_rate, float)
    assert str(s.site.start_date) == "2027-01-04"


@pytest.mark.parametrize(
    "spec",
    [
        "{kind = 'lognormal', mean = 200, sd = 1e200}",
        "{kind = 'lognormal', mean = 30000, sd = 30000}",
        "{kind = 'weibull', shape = 0.001, scale = 100}",
        "{kind = 'gamma', shape = 0.0001, mean = 1e5}",
        "{kind = 'exponential', mean = 1e9}",
        "{kind = 'fixed', value = 1e300}",
        "{kind = 'uniform', low = 0, high = 1e12}",
    ],
)
def test_distributions_that_would_overflow_or_run_for_centuries_are_refused(spec):
    [(key, message)] = problems_of(f"[durations]\ncm_intervention_days = {spec}\n")
    assert key == "durations.cm_intervention_days" and "36,525 days" in message


def test_plausible_distributions_still_pass_and_sample():
    import numpy as np

    from drive_sim.model.streams import sample

    for spec in (
        "{kind = 'lognormal', mean = 200, sd = 150}",
        "{kind = 'weibull', shape = 1.5, scale = 220}",
        "{kind = 'gamma', shape = 0.5, mean = 180}",
    ):
        s = parse_scenario(f"[durations]\ncm_intervention_days = {spec}\n")
        assert np.isfinite(sample(s.durations.cm_intervention_days, np.random.default_rng(1)))


def test_every_scenario_that_loads_reads_back_from_its_stored_copy():
    """A scenario is valid only if the JSON a results folder keeps of it is valid too."""
    from drive_sim.scenario import Scenario

    s = parse_scenario("[referrals]\nannual_rate = 150\n[site]\nstart_date = 2027-01-04\n")
    assert Scenario.model_validate_json(s.model_dump_json()) == s


@pytest.mark.parametrize(
    "text, key, suggestion",
    [
        ("[referals]\nannual_rate = 100\n", "referals", "referrals"),
        ("[referrals]\nanual_rate = 100\n", "referrals.anual_rate", "annual_rate"),
        ("[[teams.idvas]]\nftee = 1\n", "teams.idvas[0].ftee", "fte"),
        ("[durations]\ncm_intervention_days = {kind = 'lognormal', mean = 200, sdd = 3}\n",
         "durations.cm_intervention_days.sdd", "sd"),
    ],
)  # fmt: skip
def test_a_mistyped_key_gets_the_closest_known_key(text, key, suggestion):
    assert (key, f"unknown key {key.rsplit('.', 1)[-1].split(']')[-1]!r}: did you mean {suggestion!r}?") in problems_of(
        text
    )


def test_a_key_like_no_other_gets_no_suggestion():
    [(key, message)] = problems_of("[referrals]\nzzzzqqq = 1\n")
    assert key == "referrals.zzzzqqq" and "did you mean" not in message and "not part of" in message


@pytest.mark.parametrize(
    "path, words",
    [
        ("referals.annual_rate", "unknown key 'referals': did you mean 'referrals'?"),
        ("referrals.anual_rate", "did you mean 'annual_rate'?"),
        ("teams.idvas[0].coutn", "did you mean 'count'?"),
    ],
)
def test_a_mistyped_set_path_gets_the_closest_known_key(path, words):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(None, {path: 1})
    [(key, message)] = caught.value.problems
    assert key == path and words in message


def test_a_problem_names_the_line_of_its_key_in_the_file(tmp_path):
    path = tmp_path / "ours.toml"
    path.write_text(
        "# our site\n[referrals]\nanual_rate = 100\ndispersion = -1\n\n[[teams.idvas]]\nname = 'A'\n\n"
        "[[teams.idvas]]\nname = 'B'\ncount = 0\n[durations]\nextension_days = {kind = 'fixed', value = -5}\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    text = str(caught.value)
    assert f"{path}, line 3: referrals.anual_rate: unknown key 'anual_rate': did you mean 'annual_rate'?" in text
    assert f"{path}, line 4: referrals.dispersion:" in text
    assert f"{path}, line 11: teams.idvas[1].count:" in text
    assert f"{path}, line 13: durations.extension_days.value:" in text


def test_a_value_set_by_an_override_is_not_blamed_on_the_files_line(tmp_path):
    path = tmp_path / "ours.toml"
    path.write_text("[referrals]\nannual_rate = 100\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, {"referrals.annual_rate": -3})
    assert str(caught.value).startswith(f"{path}: referrals.annual_rate:")
