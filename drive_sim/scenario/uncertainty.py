"""What is not known: ranges for a scenario's assumed values, and the worlds they allow.

Every confidence interval of a run covers the randomness between replications only, as if
each assumed value were known. The ``[uncertainty]`` section says how wrong each might be:

.. code-block:: toml

    [uncertainty]
    "case_mix.client_response.support" = {kind = "uniform", low = 0.39, high = 0.90, source = "extract Q7"}
    "hours.casework_share" = {kind = "triangular", low = 0.6, mode = 0.7, high = 0.8, source = "figures §4"}

A key is a dotted path as ``--set`` takes it (into a distribution too:
``durations.extension_days.value``); ``use_default_ranges = false`` leaves out the ranges
drive-sim ships (:data:`~drive_sim.scenario.ranges.DEFAULT_RANGES`, one for each value
the schema calls an assumption, each citing its evidence). A default range is used only
where the scenario keeps the default value: a value the file sets (a site's own figure,
or one fitted from its data) is taken as known unless the file gives it a range too.

Shares that must sum to one (:data:`SHARE_GROUPS`) stay consistent: when some members of
a group are drawn, the others are rescaled in proportion so that the group still sums to
one. A *world* (:func:`world`) is the scenario with one value drawn for every range.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from drive_sim.scenario.load import ScenarioError, apply_overrides, scenario_from_dict
from drive_sim.scenario.schema import Range, Scenario

__all__ = [
    "SHARE_GROUPS",
    "Parameter",
    "check_ranges",
    "uncertain_parameters",
    "world",
]

#: Values that must sum to one: drawing some members rescales the rest in proportion.
SHARE_GROUPS: dict[str, tuple[str, ...]] = {
    "case_mix.client_response": (
        "case_mix.client_response.support",
        "case_mix.client_response.monitoring",
        "case_mix.client_response.unreachable",
    ),
    "case_mix.monitoring_intervals": (
        "case_mix.monitoring_intervals.every_2_weeks",
        "case_mix.monitoring_intervals.every_4_weeks",
        "case_mix.monitoring_intervals.every_8_weeks",
    ),
}


@dataclass(frozen=True)
class Parameter:
    """One uncertain value: where it is, its range, its value in the scenario, and whether it is a count."""

    path: str
    range: Range
    base: float
    whole: bool
    default: bool

    @property
    def source(self) -> str:
        return self.range.source


def _value_at(data: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path in a scenario's dumped data (``KeyError`` if it has none)."""
    node: Any = data
    for part in path.split("."):
        key, _, rest = part.partition("[")
        node = node[key]
        if rest:
            node = node[int(rest.rstrip("]"))]
    return node


def uncertain_parameters(scenario: Scenario, source: str = "<scenario>") -> list[Parameter]:
    """The scenario's uncertain values, in a stable order: its own ranges, then the defaults it keeps.

    Raises:
        ScenarioError: A range's path is not a number in this scenario.
    """
    from drive_sim.scenario.ranges import DEFAULT_RANGES

    data = scenario.model_dump(mode="json")
    defaults = Scenario().model_dump(mode="json")
    own = dict(scenario.uncertainty.ranges)
    chosen: list[tuple[str, Range, bool]] = [(path, r, False) for path, r in own.items()]
    if scenario.uncertainty.use_default_ranges:
        for path, r in DEFAULT_RANGES.items():
            if path in own:
                continue
            try:
                kept = _value_at(data, path) == _value_at(defaults, path)
                parent = path.rpartition(".")[0]
                node = _value_at(data, parent) if parent else None
                if isinstance(node, Mapping) and "kind" in node:  # a distribution: all of it must be the default
                    kept = kept and node == _value_at(defaults, parent)
            except (KeyError, IndexError, TypeError):
                continue  # not in this scenario (an optional section it does not have)
            if kept:
                chosen.append((path, r, True))
    problems = []
    parameters = []
    for path, r, default in chosen:
        try:
            base = _value_at(data, path)
        except (KeyError, IndexError, TypeError):
            problems.append((f"uncertainty.{path}", "no such value in this scenario"))
            continue
        if isinstance(base, bool) or not isinstance(base, int | float):
            problems.append((f"uncertainty.{path}", f"is not a number here (it is {type(base).__name__})"))
            continue
        parameters.append(Parameter(path, r, float(base), isinstance(base, int), default))
    if problems:
        raise ScenarioError(source, problems)
    return parameters


def world(scenario: Scenario, values: Mapping[str, float], source: str = "<world>") -> Scenario:
    """The scenario with ``values`` (path -> value) put in, share groups kept summing to one.

    Whole-number settings are rounded. Raises :class:`ScenarioError` if the result is not
    a valid scenario.
    """
    return _world_of(scenario.model_dump(mode="json"), values, source)


def _world_of(data: Mapping[str, Any], values: Mapping[str, float], source: str) -> Scenario:
    """:func:`world` from the scenario's data (``model_dump(mode="json")``), which it leaves as it is."""
    settings: dict[str, Any] = {}
    for path, value in values.items():
        current = _value_at(data, path)
        settings[path] = round(value) if isinstance(current, int) and not isinstance(current, bool) else float(value)
    for members in SHARE_GROUPS.values():
        drawn = [m for m in members if m in settings]
        if not drawn:
            continue
        rest = [m for m in members if m not in settings]
        taken = sum(settings[m] for m in drawn)
        if rest and taken <= 1:
            left = sum(float(_value_at(data, m)) for m in rest)
            for m in rest:
                share = float(_value_at(data, m))
                settings[m] = (1 - taken) * (share / left if left > 0 else 1 / len(rest))
        else:  # every member drawn, or the drawn ones alone exceed one: scale them all
            total = sum(settings[m] for m in drawn) + sum(float(_value_at(data, m)) for m in rest)
            for m in members:
                settings[m] = (settings[m] if m in settings else float(_value_at(data, m))) / total
    return scenario_from_dict(apply_overrides(data, settings, source), source)


def check_ranges(scenario: Scenario, parameters: Sequence[Parameter], source: str = "<scenario>") -> None:
    """Every range's ends give a valid scenario (others at their values), checked before anything runs.

    Raises:
        ScenarioError: Each range whose low or high end the schema refuses, with why.
    """
    problems = []
    data = scenario.model_dump(mode="json")  # once: each end's world copies it
    for p in parameters:
        for end, value in (("low", p.range.low), ("high", p.range.high)):
            try:
                _world_of(data, {p.path: value}, source)
            except ScenarioError as error:
                why = "; ".join(message for _, message in error.problems)
                problems.append((f"uncertainty.{p.path}", f"its {end} end ({value:g}) is not allowed: {why}"))
    if problems:
        raise ScenarioError(source, problems)
