"""A commented scenario file a planner edits: the keys a site sets first, the rest listed.

:func:`starter_text` writes the text ``drive-sim init`` saves. It sets the keys a site is
expected to decide first (its name, referrals and panels, the IDVA structure, the CM
team, backdating, the gate and closure policy, routing), each with a comment giving its
meaning, unit, default and whether a source backs it or it is an assumption, and the
value of the site it starts from (the default site, or ``--like`` a scenario file). With
``--like``, every other value that file sets is written too, so the new file resolves to
that site exactly; the keys left to drive-sim's defaults are listed by section at the end.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from drive_sim.scenario.diff import resolved_values
from drive_sim.scenario.reference import ScenarioKey, scenario_keys
from drive_sim.scenario.schema import Scenario

__all__ = ["FIRST_KEYS", "starter_text"]

#: The keys a planner decides first, in the order the file gives them.
FIRST_KEYS: tuple[str, ...] = (
    "site.name",
    "site.description",
    "site.start_date",
    "site.horizon_days",
    "referrals.annual_rate",
    "referrals.panels",
    "referrals.perpetrator_panel",
    "backdating.months",
    "teams.idvas",
    "teams.case_managers",
    "routing.support",
    "routing.monitoring",
    "routing.unreachable",
    "routing.already_supported",
    "routing.liaison",
    "policies.gate",
    "policies.closure",
)
#: Keys of each list item the file writes out (the rest of an item keeps its defaults).
_ITEM_KEYS = {
    "referrals.panels": ("kind", "every_days", "first_day", "share"),
    "teams.idvas": ("name", "role", "count", "fte", "non_drive_referrals_per_year", "attends_panel"),
    "teams.case_managers": ("name", "count", "fte", "team_leader", "caseload_share"),
}
_WIDTH = 88


class _Bare(str):
    """A value written as it is (a TOML date)."""


def _toml_value(value: Any) -> str:
    if isinstance(value, _Bare):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a valid TOML basic string
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items() if v is not None) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return str(value)


def _comment(key: ScenarioKey | None, extra: str = "") -> list[str]:
    if key is None:
        return textwrap.wrap(extra, _WIDTH - 2, initial_indent="# ", subsequent_indent="# ", break_on_hyphens=False)
    facts = [f"unit: {key.unit}" if key.unit else "", f"default: {key.default}" if len(key.default) <= 40 else ""]
    facts.append({"source": "cited", "assumption": "an assumption", "none": ""}[key.evidence])
    words = f"{key.description} ({'; '.join(f for f in facts if f)})"
    if extra:
        words = f"{words} {extra}"
    return textwrap.wrap(words, _WIDTH - 2, initial_indent="# ", subsequent_indent="# ", break_on_hyphens=False)


def _table_of(path: str) -> str:
    return path.rsplit(".", 1)[0]


def _get(data: Any, path: str) -> Any:
    for part in path.split("."):
        data = data[part]
    return data


def _under(path: str, prefixes: Iterable[str]) -> bool:
    return any(path == p or path.startswith((p + ".", p + "[")) for p in prefixes)


def starter_text(like: str | Path | None = None, name: str | None = None) -> str:
    """The text of a new scenario file, starting from ``like`` (a scenario file) or the default site.

    The text is valid TOML that ``drive-sim check`` accepts as written and that resolves to
    the same site as ``like`` (or the default site), except for ``site.name`` and
    ``site.description`` when ``name`` is given (a description to replace).

    Raises:
        ScenarioError: ``like`` is not a valid scenario file (every problem, located).
    """
    scenario, values = resolved_values(like)
    data = scenario.model_dump(mode="json")
    if name is not None:
        data["site"]["name"] = name
        data["site"]["description"] = (
            f"{name}: describe the site here (its IDVA team, CM team, panels and referrals); "
            f"started from {Path(like).stem if like is not None else 'the default site'}."
        )
    keys = {k.path: k for k in scenario_keys()}
    also = [v for v in values if v.source != "default" and not _under(v.path, FIRST_KEYS)]
    # Blocks in file order: a table's lines (its first keys, then what ``like`` also sets)
    # are kept together, since TOML allows each table header once.
    blocks: dict[str, list[str]] = {}
    also_heading = f"Also set by {Path(like).name if like else 'the default site'}:"

    def block(name: str) -> list[str]:
        return blocks.setdefault(name, [f"[{name}]"])

    for path in FIRST_KEYS:
        value = _get(data, path)
        if path in _ITEM_KEYS:
            lines = blocks.setdefault(f"[[{path}]]", _comment(None, _LIST_WORDS[path]))
            for number, item in enumerate(value):
                lines.extend([f"[[{path}]]"] if number == 0 else ["", f"[[{path}]]"])
                prefix = f"{path}[{number}]."
                given = [v.path[len(prefix) :] for v in values if v.path.startswith(prefix) and v.source != "default"]
                for field in [*_ITEM_KEYS[path], *(f for f in given if f not in _ITEM_KEYS[path])]:
                    lines.extend(_comment(keys.get(f"{path}[i].{field}")))
                    lines.append(f"{field} = {_toml_value(item[field])}")
            continue
        if path == "referrals.perpetrator_panel":
            lines = blocks.setdefault(path, _comment(None, _LIST_WORDS[path]))
            if value is not None:
                lines.append(f"[{path}]")
                lines.extend(f"{name} = {_toml_value(inner)}" for name, inner in value.items())
            continue
        lines = block(_table_of(path))
        lines.extend(_comment(keys.get(path)))
        written = value if path != "site.start_date" else _Bare(value)  # a TOML date, not a string
        lines.append(f"{path.rsplit('.', 1)[1]} = {_toml_value(written)}")
    for item in also:
        if "[" in item.path:  # a field of a list item: the items are written whole above
            continue
        lines = block(_table_of(item.path))
        if also_heading not in " ".join(lines):
            lines.append(f"# {also_heading}")
        lines.extend(_comment(keys.get(item.path)))
        lines.append(f"{item.path.rsplit('.', 1)[1]} = {_toml_value(item.value)}")
    lines = _header(scenario, like)
    for chunk in blocks.values():
        lines.extend(["", *chunk])
    lines.extend(_inherited(values, keys))
    return "\n".join(lines).rstrip() + "\n"


_LIST_WORDS = {
    "referrals.panels": "The panels cases are accepted at: kind (marac or perpetrator_panel), every_days between "
    "meetings, first_day of the first, and each panel's share of referrals (shares add to 1).",
    "referrals.perpetrator_panel": "MARAC then a perpetrator panel: with this table, a case listed at a MARAC is "
    "accepted at the next perpetrator-panel meeting (four of the six sites, extract §1b, L163); leave it out for "
    "MARAC alone.",
    "teams.idvas": "The IDVA team, one table per group: role 'drive' (named Drive IDVAs) or 'wider' (the rest of "
    "the team), with each group's count, FTE, business-as-usual referrals a year per post and whether it attends "
    "the panel. Add a [[teams.idvas]] table for another group.",
    "teams.case_managers": "The CM team, one table per group: count, FTE, and whether the group is a Team Leader "
    "holding caseload_share of a caseload.",
}


def _header(scenario: Scenario, like: str | Path | None) -> list[str]:
    start = f"a copy of {Path(like).name}" if like is not None else "the default site"
    guidance = scenario.guidance
    text = [
        f"# A drive-sim scenario for a site of your own, starting from {start}.",
        "#",
        "# Edit the values below (each says what it means, its unit and default, and whether",
        "# a source backs it or it is an assumption), then:",
        "#   drive-sim check THIS_FILE      what the file sets, and any problem with its key",
        "#   drive-sim run THIS_FILE        caseloads, delays and burnout against guidance",
        "# Guidance the results are judged against (the [guidance] section):",
        f"#   {guidance.idva_open_cases_per_fte:g} open cases per IDVA FTE; "
        f"{guidance.idva_cases_per_year_per_fte:g} new cases a year per IDVA FTE;",
        f"#   {guidance.cm_open_cases_per_fte:g} open cases per CM FTE; "
        f"first contact within {guidance.first_contact_days:g} days of acceptance.",
        "# Every key drive-sim reads, with its unit, default, range and source, is in the",
        "# scenario reference of the documentation site (README: Documentation).",
    ]
    return text


def _inherited(values: Iterable[Any], keys: dict[str, ScenarioKey]) -> list[str]:
    by_section: dict[str, list[str]] = {}
    for item in values:
        if item.source != "default" or _under(item.path, FIRST_KEYS) or "[" in item.path:
            continue
        section, _, name = item.path.partition(".")
        by_section.setdefault(section, []).append(name)
    if not by_section:
        return []
    lines = ["", "# ---- Left to drive-sim's defaults (set any of them above to change it) ----"]
    for section, names in by_section.items():
        lines.extend(
            textwrap.wrap(
                f"[{section}] {', '.join(names)}",
                _WIDTH - 2,
                initial_indent="# ",
                subsequent_indent="#   ",
                break_on_hyphens=False,
            )
        )
    return lines
