"""How two scenarios differ once resolved, and where each value comes from.

Two files that look alike can resolve to different sites (a default changed, a list item
given in one and inherited in the other), and two that look different can resolve to
the same one. :func:`resolved_values` flattens a resolved scenario into dotted paths
(``teams.idvas[0].count``), one value each, with a distribution kept whole as one value;
:func:`scenario_diff` lists the paths whose values differ, each with both values and
where each came from: the line of the file that sets it, or the schema's default.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drive_sim.scenario.distributions import DISTRIBUTION_KINDS
from drive_sim.scenario.load import _MISSING, _value_at, key_lines, read_scenario_data, scenario_from_dict
from drive_sim.scenario.schema import Scenario

__all__ = ["Difference", "ResolvedValue", "resolved_values", "scenario_diff", "value_text"]

#: Shown for a path one scenario has and the other does not (a list of another length).
ABSENT = "(absent)"


@dataclass(frozen=True)
class ResolvedValue:
    """One leaf of a resolved scenario: its value and where it came from."""

    path: str
    value: Any
    #: ``"line N"`` of the file that sets it, or ``"default"``.
    source: str


@dataclass(frozen=True)
class Difference:
    """A path whose resolved value differs between two scenarios."""

    path: str
    first: str
    second: str
    first_source: str
    second_source: str


def _leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping) and not _is_distribution(value):  # a distribution is one value
        for key, inner in value.items():
            yield from _leaves(inner, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list) and value and all(isinstance(item, Mapping) for item in value):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}[{index}]")
    else:
        yield path, value


def _is_distribution(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get("kind") in DISTRIBUTION_KINDS


def value_text(value: Any) -> str:
    """A value as a scenario file would write it (TOML-like, one line)."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}" if abs(value) < 1e15 else repr(value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key} = {value_text(inner)}" for key, inner in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(value_text(item) for item in value) + "]"
    return str(value)


def _source(path: str, lines: Mapping[str, int]) -> str:
    """The file line that sets ``path`` (or the table or list item holding it), else the default."""
    probe = path
    while probe:
        if probe in lines:
            return f"line {lines[probe]}"
        cut = max(probe.rfind("."), probe.rfind("["))
        probe = probe[:cut] if cut > 0 else ""
    return "default"


def resolved_values(path: str | Path | None) -> tuple[Scenario, list[ResolvedValue]]:
    """Load a scenario file (``None``: the default site) and flatten it, each leaf with its source.

    A leaf counts as set by the file when the file gives that key, or the inline table or
    distribution holding it. A field of a list item the file gives but leaves out (an
    IDVA group without ``fte``) is the schema's default and says so.
    """
    data, source = read_scenario_data(path)
    scenario = scenario_from_dict(data, source)
    lines = key_lines(Path(path).read_text(encoding="utf-8")) if path is not None else {}
    # Tables of tables ([site], [[teams.idvas]]) give a line for the table itself: only
    # keys inside them count, so a table header alone does not claim its defaults.
    tables = {key for key in lines if _is_table(key, data)}
    keyed = {key: line for key, line in lines.items() if key not in tables}
    values = [
        ResolvedValue(leaf, value, _source(leaf, keyed))
        for leaf, value in _leaves(scenario.model_dump(mode="json", exclude_none=False))
    ]
    return scenario, values


def _is_table(key: str, data: Mapping[str, Any]) -> bool:
    node = _value_at(data, key)
    return node is not _MISSING and (
        (isinstance(node, Mapping) and not _is_distribution(node)) or isinstance(node, list)
    )


def scenario_diff(first: str | Path | None, second: str | Path | None) -> list[Difference]:
    """The resolved paths whose values differ between two scenario files, in schema order.

    ``None`` stands for the default site. Raises :class:`~drive_sim.scenario.ScenarioError`
    (every problem, located) if either file is invalid.
    """
    _, a_values = resolved_values(first)
    _, b_values = resolved_values(second)
    a = {item.path: item for item in a_values}
    b = {item.path: item for item in b_values}
    order = list(a) + [path for path in b if path not in a]
    # An optional section one side leaves out (referrals.perpetrator_panel = none) is one
    # leaf there and several in the other: each of those is shown against the "none".
    stand_ins = {}
    for mine, theirs in ((a, b), (b, a)):
        for path in mine:
            if path not in theirs:
                ancestor = _ancestor_in(path, theirs)
                if ancestor is not None:
                    stand_ins[path] = ancestor
    covering = set(stand_ins.values())
    differences = []
    for path in order:
        if path in covering:
            continue
        left = a.get(path) or a.get(stand_ins.get(path, ""))
        right = b.get(path) or b.get(stand_ins.get(path, ""))
        if left is not None and right is not None and left.value == right.value:
            continue
        differences.append(
            Difference(
                path,
                value_text(left.value) if left is not None else ABSENT,
                value_text(right.value) if right is not None else ABSENT,
                left.source if left is not None else "",
                right.source if right is not None else "",
            )
        )
    return differences


def _ancestor_in(path: str, values: Mapping[str, ResolvedValue]) -> str | None:
    probe = path
    while True:
        cut = max(probe.rfind("."), probe.rfind("["))
        if cut <= 0:
            return None
        probe = probe[:cut]
        if probe in values:
            return probe
