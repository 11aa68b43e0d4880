"""Load a scenario: TOML -> validated :class:`Scenario`, with every problem located.

A scenario file is TOML whose sections are the models in ``schema``. Errors are
collected, not raised one at a time: :class:`ScenarioError` carries every problem of a
file with its key path, so the CLI can print them all at once. Dotted-path overrides
(``--set teams.idvas[0].count=2``) are checked against the schema the same way. An
unknown key gets the closest known key as a suggestion, and a problem with a value the
file gives names the file's line as well as the key path.

Everything in ``schema`` and ``distributions`` is importable from here too.
"""

from __future__ import annotations

import copy
import difflib
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from drive_sim.scenario.distributions import *  # noqa: F403 - the schema's public names, re-exported
from drive_sim.scenario.distributions import (
    DISTRIBUTION_KINDS,
    Empirical,
    Exponential,
    Fixed,
    Gamma,
    LogNormal,
    Triangular,
    Uniform,
    Weibull,
)
from drive_sim.scenario.distributions import __all__ as _distribution_names
from drive_sim.scenario.schema import *  # noqa: F403
from drive_sim.scenario.schema import Scenario
from drive_sim.scenario.schema import __all__ as _schema_names

__all__ = [
    *_distribution_names,
    *_schema_names,
    "ScenarioError",
    "apply_overrides",
    "load_scenario",
    "parse_scenario",
    "read_scenario_data",
    "scenario_from_dict",
]


class ScenarioError(Exception):
    """A scenario (or override) could not be used. ``problems`` holds (key path, message).

    ``lines`` gives, for a key path, the line of the file it is on (where the file gives it).
    """

    def __init__(self, source: str, problems: list[tuple[str, str]], lines: Mapping[str, int] | None = None):
        self.source = source
        self.problems = problems
        self.lines = dict(lines or {})
        shown = []
        for key, message in problems:
            where = f"{source}, line {self.lines[key]}" if key in self.lines else source
            shown.append(f"{where}: {key}: {message}" if key else f"{where}: {message}")
        super().__init__("\n".join(shown))


_DISTRIBUTION_MODELS: dict[str, type[BaseModel]] = {
    "fixed": Fixed, "exponential": Exponential, "lognormal": LogNormal, "gamma": Gamma,
    "weibull": Weibull, "triangular": Triangular, "uniform": Uniform, "empirical": Empirical,
}  # fmt: skip


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class a validation location points into (``None`` if it cannot be told)."""
    model: Any = Scenario
    for part in loc:
        if isinstance(part, int):
            continue
        if part in _DISTRIBUTION_MODELS:
            model = _DISTRIBUTION_MODELS[part]
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or part not in model.model_fields:
            return None
        model = _schema_field(model, part)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _unknown_key(key: str, model: Any) -> str:
    """``unknown key 'referals': did you mean 'referrals'?`` (the suggestion when one is close)."""
    known = list(model.model_fields) if isinstance(model, type) and issubclass(model, BaseModel) else []
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        return f"unknown key {key!r}: did you mean {close[0]!r}?"
    return f"unknown key {key!r} (not part of the scenario schema)"


def _key_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in DISTRIBUTION_KINDS:
            continue  # the discriminator's branch name is noise in a key path
        else:
            path += f".{part}" if path else str(part)
    return path


def _problems(error: ValidationError) -> list[tuple[str, str]]:
    problems = []
    for item in error.errors(include_url=False):
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = _unknown_key(str(item["loc"][-1]), _model_at(item["loc"][:-1]))
        elif item["type"] == "union_tag_invalid":
            message = (
                f"unknown distribution kind {item['input'].get('kind')!r}; use one of fixed, "
                "exponential, lognormal, gamma, weibull, triangular, uniform, empirical"
            )
        elif item["type"] == "union_tag_not_found":
            message = "a distribution needs a 'kind' key"
        elif item["type"] == "finite_number":
            message = "must be a finite number (not inf or nan)"
        elif item["type"] in ("int_type", "float_type") and isinstance(item.get("input"), bool):
            message = f"must be a number, not {str(item['input']).lower()}"
        elif item["type"] == "int_type" and isinstance(item.get("input"), float):
            message = "must be a whole number"
        problems.append((_key_path(item["loc"]), message))
    return problems


def scenario_from_dict(data: Mapping[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate plain data (as read from TOML) into a :class:`Scenario`.

    The scenario is also checked to read back from the JSON a results folder stores, so
    a problem is reported here, against ``source``, and never later against the copy.
    """
    try:
        scenario = Scenario.model_validate(data)
        Scenario.model_validate_json(scenario.model_dump_json())
    except ValidationError as error:
        problems = _problems(error)
        raise ScenarioError(source, problems, _lines_of(source, data, [key for key, _ in problems])) from None
    return scenario


def parse_scenario(text: str, source: str = "<scenario>") -> Scenario:
    """Parse TOML text; syntax errors are reported with their line."""
    return scenario_from_dict(_parse_toml(text, source), source)


def _parse_toml(text: str, source: str) -> dict[str, Any]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(source, [("", f"TOML syntax error: {error}")]) from None
    _remember(source, data, text)
    return data


# --------------------------------------------------------------------------------------
# Lines of keys, so that a problem names the file's line as well as the key path
# --------------------------------------------------------------------------------------

#: The files read most recently: their data as read and the line of each key path.
_READ: dict[str, tuple[dict[str, Any], dict[str, int]]] = {}
_READ_KEPT = 32
_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?")
_ASSIGNMENT = re.compile(r"^\s*([A-Za-z0-9_\-\.\"' ]+?)\s*=(.*)$")
_INLINE_KEY = re.compile(r"([A-Za-z0-9_\-]+)\s*=")


def _dotted(raw: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in raw.split("."))


def key_lines(text: str) -> dict[str, int]:
    """The line (from 1) of every table and key of a TOML text, by key path (``teams.idvas[0].fte``).

    A light scan, not a parser: it reads table headers, ``key = value`` lines and the keys
    of an inline table on one line, and skips multi-line strings.
    """
    lines: dict[str, int] = {}
    counts: dict[str, int] = {}
    table, in_string = "", ""
    for number, line in enumerate(text.splitlines(), start=1):
        if in_string:
            if line.count(in_string) % 2:
                in_string = ""
            continue
        header = _HEADER.match(line)
        if header:
            path = _dotted(header[2])
            if header[1] == "[[":
                counts[path] = counts.get(path, -1) + 1
                lines.setdefault(path, number)
                path = f"{path}[{counts[path]}]"
            table = path
            lines.setdefault(table, number)
            continue
        assignment = _ASSIGNMENT.match(line)
        if not assignment:
            continue
        key = f"{table}.{_dotted(assignment[1])}" if table else _dotted(assignment[1])
        lines.setdefault(key, number)
        value = assignment[2].strip()
        if value.startswith("{"):
            for inner in _INLINE_KEY.findall(value):
                lines.setdefault(f"{key}.{inner}", number)
        for quotes in ('"""', "'''"):
            if value.count(quotes) % 2:
                in_string = quotes
    return lines


def _remember(source: str, data: dict[str, Any], text: str) -> None:
    _READ.pop(source, None)
    _READ[source] = (copy.deepcopy(data), key_lines(text))
    while len(_READ) > _READ_KEPT:
        _READ.pop(next(iter(_READ)))


_MISSING = object()
_LAST_PART = re.compile(r"(\.[^.\[]+|\[\d+\])$")


def _value_at(data: Any, path: str) -> Any:
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("["):
            index = int(part[1:-1])
            if not isinstance(data, list) or index >= len(data):
                return _MISSING
            data = data[index]
        elif isinstance(data, dict) and part in data:
            data = data[part]
        else:
            return _MISSING
    return data


def _lines_of(source: str, data: Mapping[str, Any], keys: list[str]) -> dict[str, int]:
    """The file line of each key path whose value (or table) the file gives as validated.

    A value set by an override is not on any line of the file, so it gets none.
    """
    read = _READ.get(source)
    if read is None:
        return {}
    as_read, lines = read
    found = {}
    for key in keys:
        path = key
        while path:
            if path in lines:
                value = _value_at(data, path)
                if value is not _MISSING and value == _value_at(as_read, path):
                    found[key] = lines[path]
                break
            shorter = _LAST_PART.sub("", path)
            path = "" if shorter == path else shorter
    return found


def read_scenario_data(path: str | Path | None) -> tuple[dict[str, Any], str]:
    """The raw data of a scenario file and its display name; ``None`` is the default site."""
    if path is None:
        return {}, "default site"
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(source, [("", "no such file")]) from None
    except IsADirectoryError:
        raise ScenarioError(source, [("", "is a folder, not a scenario file")]) from None
    except UnicodeDecodeError:
        raise ScenarioError(source, [("", "is not a UTF-8 text file")]) from None
    except OSError as error:
        raise ScenarioError(source, [("", f"cannot be read ({error.strerror})")]) from None
    return _parse_toml(text, source), source


def load_scenario(path: str | Path | None = None, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Load a scenario file (``None``: the default site), applying dotted-path overrides."""
    data, source = read_scenario_data(path)
    if overrides:
        data = apply_overrides(data, overrides, source)
    return scenario_from_dict(data, source)


_PATH_PART = re.compile(r"^(?P<key>[a-z_][a-z0-9_]*)(?:\[(?P<index>\d+)\])?$")


def apply_overrides(
    data: Mapping[str, Any], overrides: Mapping[str, Any], source: str = "<scenario>"
) -> dict[str, Any]:
    """Return a copy of ``data`` with values set at dotted paths such as ``teams.idvas[0].count``.

    List items that the file does not have are taken from the defaults, so
    ``teams.idvas[0].fte`` works on an empty file. Paths are checked against the schema
    when the result is validated; a path that cannot exist is reported here.
    """
    result: dict[str, Any] = _copied(dict(data))
    problems = []
    for path, value in overrides.items():
        parts = path.split(".")
        if not all(_PATH_PART.match(p) for p in parts):
            problems.append((path, "not a dotted key path such as referrals.annual_rate or teams.idvas[0].count"))
            continue
        node: Any = result
        model: Any = Scenario
        try:
            for position, part in enumerate(parts):
                match = _PATH_PART.match(part)
                assert match is not None
                key, index = match["key"], match["index"]
                field = _schema_field(model, key)
                if field is None:
                    raise KeyError(_unknown_key(key, model))
                last = position == len(parts) - 1
                if index is None:
                    if last:
                        node[key] = value
                    else:
                        node = node.setdefault(key, {})
                        model = field
                    continue
                items = node.get(key)
                if items is None:
                    defaults = getattr(_default_of(model), key)
                    items = node[key] = [item.model_dump(exclude_unset=False) for item in defaults]
                if int(index) >= len(items):
                    raise IndexError(int(index))
                if last:
                    items[int(index)] = value
                else:
                    node = items[int(index)]
                    model = field
        except KeyError as error:
            problems.append((path, str(error.args[0])))
        except IndexError as error:
            problems.append((path, f"there is no item {error.args[0]} in that list"))
        except (TypeError, AttributeError):
            problems.append((path, "does not lead to a value in the scenario"))
    if problems:
        raise ScenarioError(source, problems)
    return result


_ATOMS = (str, int, float, type(None))  # bool is an int


def _copied(value: Any) -> Any:
    """A copy of ``value`` that shares nothing mutable with it: :func:`copy.deepcopy`, twice as fast on TOML's data.

    Tables and arrays (dicts and lists) are copied here and their numbers and strings kept,
    as deepcopy keeps them; anything else is left to deepcopy.
    """
    if isinstance(value, _ATOMS):
        return value
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    return copy.deepcopy(value)


def _schema_field(model: Any, key: str) -> Any | None:
    """The model class behind ``key`` of ``model`` (or a marker for leaf values)."""
    if model is object:
        return object  # below a union: the validator checks the keys
    if not (isinstance(model, type) and issubclass(model, BaseModel)) or key not in model.model_fields:
        return None
    annotation = model.model_fields[key].annotation
    candidates = [
        c
        for c in (annotation, *getattr(annotation, "__args__", ()))
        if isinstance(c, type) and issubclass(c, BaseModel)
    ]
    # One model class: keep checking keys below it. A union (a distribution): the file decides.
    return candidates[0] if len(candidates) == 1 else object


def _default_of(model: type[BaseModel]) -> BaseModel:
    return model()
