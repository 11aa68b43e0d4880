"""The default ranges: one for every assumed value of the default site, or a reason it has none.

Each check is a helper run on the real ``DEFAULT_RANGES`` / ``NOT_VARIED`` and once on a
small counterexample (a typo in a path, a missing entry, a range that leaves out its
value), so the test is seen to fail.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from pydantic import BaseModel

from drive_sim.scenario import Scenario, load_scenario
from drive_sim.scenario.ranges import DEFAULT_RANGES, NOT_VARIED
from drive_sim.scenario.reference import _CITATION, evidence_of
from drive_sim.scenario.schema import Range
from drive_sim.scenario.uncertainty import SHARE_GROUPS, check_ranges, uncertain_parameters, world

SCENARIO_FILES = sorted((Path(__file__).resolve().parents[2] / "scenarios").glob("*.toml"))


# --------------------------------------------------------------------------------------
# Walking the default scenario
# --------------------------------------------------------------------------------------


def _optional_model(annotation: object) -> type[BaseModel] | None:
    """The model of an optional section (``PerpetratorPanel | None``), else None."""
    for arg in typing.get_args(annotation):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def _walk(model: BaseModel, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(path, description) for every field in ``model``, nested sections, list entries and distributions included.

    Entries of a list of tables are walked at each index the default has (``teams.idvas[0]``);
    an optional section the default lacks (``referrals.perpetrator_panel``) is walked at its
    own defaults; a distribution's parameters are paths too (``durations.extension_days.value``).
    """
    for name, field in type(model).model_fields.items():
        path = f"{prefix}.{name}" if prefix else name
        yield path, field.description or ""
        value = getattr(model, name)
        if value is None:
            optional = _optional_model(field.annotation)
            value = optional() if optional is not None else None
        if isinstance(value, BaseModel):
            yield from _walk(value, path)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from _walk(item, f"{path}[{i}]")


def _paths() -> set[str]:
    return {path for path, _ in _walk(Scenario())}


def _assumptions() -> list[str]:
    """Paths of the default site whose description says the value is an assumption."""
    return [path for path, description in _walk(Scenario()) if evidence_of(description) == "assumption"]


def _inside(key: str, path: str) -> bool:
    return key == path or key.startswith(f"{path}.") or key.startswith(f"{path}[")


# --------------------------------------------------------------------------------------
# The checks, as helpers returning what is wrong
# --------------------------------------------------------------------------------------


def _dropped(ranges: Mapping[str, Range]) -> list[str]:
    """Default ranges that the default site does not use (a path that is not a number there)."""
    used = {p.path for p in uncertain_parameters(Scenario()) if p.default}
    return sorted(set(ranges) - used)


def _outside(ranges: Mapping[str, Range]) -> list[str]:
    """Ranges that leave out the default value, or that are narrower than 1 for a whole number."""
    problems = []
    for p in uncertain_parameters(Scenario()):
        r = ranges.get(p.path, p.range)
        if not r.low <= p.base <= r.high:
            problems.append(f"{p.path}: {p.base:g} is outside [{r.low:g}, {r.high:g}]")
        if p.whole and r.high - r.low < 1:
            problems.append(f"{p.path}: a whole number, but its range is less than 1 wide")
    return problems


def _uncovered(ranges: Mapping[str, Range], not_varied: Mapping[str, str]) -> list[str]:
    """Assumptions of the default site with neither a range (at or inside the path) nor a reason."""
    keys = [*ranges, *not_varied]
    return [path for path in _assumptions() if not any(_inside(key, path) for key in keys)]


def _unknown(keys: typing.Iterable[str]) -> list[str]:
    """Keys that name no path of the schema's default site (optional sections included)."""
    paths = _paths()
    return sorted(key for key in keys if key not in paths)


def _uncited(ranges: Mapping[str, Range]) -> list[str]:
    """Ranges whose source is empty, or neither cites evidence nor says plainly that there is none."""
    problems = []
    for path, r in ranges.items():
        text = r.source.strip()
        plain = "no figure" in text.lower() or "assumption" in text.lower()
        if not text or not (_CITATION.search(text) or plain):
            problems.append(path)
    return problems


# --------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------


def test_every_default_range_is_a_number_of_the_default_site() -> None:
    assert _dropped(DEFAULT_RANGES) == []


def test_a_typo_in_a_range_path_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    typo = "hours.idva.panel_hour"
    monkeypatch.setitem(DEFAULT_RANGES, typo, Range(low=1, high=2, source="figures §1"))
    assert _dropped(DEFAULT_RANGES) == [typo]
    assert typo in _unknown(DEFAULT_RANGES)


def test_a_string_valued_path_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(DEFAULT_RANGES, "routing.pick", Range(low=1, high=2, source="No figure"))
    with pytest.raises(Exception, match="not a number"):
        uncertain_parameters(Scenario())


def test_every_range_contains_the_default_value() -> None:
    assert _outside(DEFAULT_RANGES) == []


def test_a_range_leaving_out_its_value_is_caught() -> None:
    bad = {"hours.idva.panel_hours": Range(low=4, high=5, source="No figure")}
    assert _outside(bad) == ["hours.idva.panel_hours: 3 is outside [4, 5]"]
    narrow = {"hours.first_contact.max_attempts": Range(low=2.8, high=3.2, source="No figure")}
    assert _outside(narrow) == ["hours.first_contact.max_attempts: a whole number, but its range is less than 1 wide"]


def test_the_walk_finds_list_entries_distributions_and_optional_sections() -> None:
    assumptions = _assumptions()
    for path in (
        "teams.case_managers[1].caseload_share",
        "durations.extension_days",
        "referrals.perpetrator_panel.deferral_probability",
        "policies.engagement.window_effect",  # "ASSUMPTION, flagged"
        "site.horizon_days",
    ):
        assert path in assumptions
    assert {"durations.extension_days.value", "teams.idvas[1].count"} <= _paths()


def test_every_assumption_has_a_range_or_a_reason() -> None:
    assert _uncovered(DEFAULT_RANGES, NOT_VARIED) == []


def test_a_missing_entry_is_caught() -> None:
    ranges = {k: v for k, v in DEFAULT_RANGES.items() if k != "durations.extension_days.value"}
    assert _uncovered(ranges, NOT_VARIED) == ["durations.extension_days"]
    not_varied = {k: v for k, v in NOT_VARIED.items() if k != "site.horizon_days"}
    assert _uncovered(DEFAULT_RANGES, not_varied) == ["site.horizon_days"]


def test_every_key_names_a_path_that_exists() -> None:
    assert _unknown(DEFAULT_RANGES) == []
    assert _unknown(NOT_VARIED) == []
    assert _unknown(["teams.idvas[0].ftee", "referrals.perpetrator_panel.every_days"]) == ["teams.idvas[0].ftee"]


def test_no_path_is_both_ranged_and_not_varied() -> None:
    assert set(DEFAULT_RANGES) & set(NOT_VARIED) == set()
    assert all(reason.strip() for reason in NOT_VARIED.values())


def test_share_groups_are_not_all_drawn() -> None:
    """Some members of each group are left to be rescaled, which reads more plainly than scaling them all."""
    for group, members in SHARE_GROUPS.items():
        drawn = [m for m in members if m in DEFAULT_RANGES]
        assert 0 < len(drawn) < len(members), group


def test_every_range_cites_its_evidence_or_says_there_is_none() -> None:
    assert _uncited(DEFAULT_RANGES) == []
    bad = {"a": Range(low=0, high=1), "b": Range(low=0, high=1, source="because it felt right")}
    assert _uncited(bad) == ["a", "b"]


@pytest.mark.parametrize("path", [None, *SCENARIO_FILES], ids=lambda p: "default" if p is None else p.name)
def test_each_range_end_gives_a_valid_scenario(path: Path | None) -> None:
    scenario = load_scenario(path)
    check_ranges(scenario, uncertain_parameters(scenario))


@pytest.mark.parametrize("path", [None, *SCENARIO_FILES], ids=lambda p: "default" if p is None else p.name)
@pytest.mark.parametrize("end", ["low", "high"])
def test_every_range_at_one_end_at_once_gives_a_valid_scenario(path: Path | None, end: str) -> None:
    scenario = load_scenario(path)
    params = uncertain_parameters(scenario)
    assert params
    drawn = world(scenario, {p.path: getattr(p.range, end) for p in params})
    for members in SHARE_GROUPS.values():
        section = drawn.model_dump(mode="json")
        total = 0.0
        for member in members:
            node = section
            for part in member.split("."):
                node = node[part]
            total += node
        assert total == pytest.approx(1.0)


def test_the_default_site_uses_every_default_range() -> None:
    params = uncertain_parameters(Scenario())
    assert len(params) == len(DEFAULT_RANGES)
    assert all(p.default for p in params)
