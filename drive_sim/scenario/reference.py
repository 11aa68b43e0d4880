"""The scenario reference: every key of the schema, read from the pydantic models themselves.

One source of truth: the documentation site's scenario page is generated from
:func:`scenario_keys` at build time (``docs/gen_reference.py``), so a key added to
``schema`` appears there with its type, default, allowed range and description, and
``tests/unit/test_reference.py`` fails if it has no description.

"Which mechanism reads it" is documented once per section in :data:`SECTION_MECHANISMS`
(matching ARCHITECTURE.md's table of mechanisms), not per key: a key belongs to the
longest section path listed there that contains it.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from drive_sim.scenario.distributions import DISTRIBUTION_KINDS, Frozen
from drive_sim.scenario.schema import Scenario

__all__ = [
    "SECTION_MECHANISMS",
    "ScenarioKey",
    "Section",
    "distribution_kinds",
    "evidence_of",
    "mechanism_for",
    "scenario_keys",
    "scenario_reference_markdown",
    "sections",
]

#: Section path -> the mechanism that reads its keys, and where that lives (ARCHITECTURE.md).
SECTION_MECHANISMS: dict[str, str] = {
    "site": "The run's length and calendar (`model/site.py`); the name and description label tables and reports.",
    "referrals": "Panel meetings and ramp-up (`model/referrals.py`); deferral to the next meeting (`model/case.py`).",
    "backdating": "The launch backlog (`model/referrals.py`); backlog clients already in support (`model/case.py`).",
    "case_mix": "Case draws at referral, from the case's own stream (`CaseDraws` in `model/case.py`).",
    "durations": "Case draws at referral (`model/case.py`); non-Drive case length (`model/referrals.py`); "
    "handover (`model/team.py`).",
    "teams": "The team the site starts with (`expand_team` in `model/team.py`).",
    "routing": "Routing rules, caseload cap and waitlist, handover, relayed liaison, co-location, the Drive "
    "contacts (`Team` in `model/team.py`); cross-border re-routing (`lifecycle` in `model/lifecycle.py`).",
    "policies": "The gate (`gate_opens`), service-user engagement, deselection and closure (`model/lifecycle.py`).",
    "hours": "Hours a case asks by type and phase, first contact from capacity and the weekly hours accounting "
    "(`model/hours.py`); CM inductions of IDVAs (`model/workforce.py`), step-down and query hours "
    "(`model/practitioners.py`).",
    "hours.first_contact": "First-contact attempts: drawn with the case (`model/case.py`), made from the IDVA's "
    "free hours (`model/hours.py`).",
    "hours.reviews": "Joint CM-IDVA case reviews (`model/hours.py`); the unreviewed-case alert "
    "(`analysis/metrics.py`).",
    "case_life": "Clients disengage and re-engage, service users drop out, a support shortfall raises the "
    "disengagement hazard (`model/case_life.py`, at the weekly tick in `model/hours.py`).",
    "workforce": "Burnout rule, turnover, vacancy and induction (`model/workforce.py`); burnout is checked at the "
    "weekly hours tick (`model/hours.py`).",
    "launch": "The IDVA service's readiness at launch: the share of first-contact hours given to Drive clients "
    "before buy-in (`first_contact_worker` in `model/hours.py`) and the panel meetings attended "
    "(`model/referrals.py`).",
    "guidance": "What the KPIs are judged against (`guidance_for` in `analysis/kpis.py`, the report, "
    "`drive-sim size`); the caseload burnout rule (`model/hours.py`).",
    "costs": "The annual cost of each post (`model/site.py`), reported as KPIs and by `drive-sim size`.",
    "uncertainty": "Not read by the model: ranges for assumed values, drawn into worlds by `drive-sim uncertainty` "
    "(`scenario/uncertainty.py`, `runs/uncertainty.py`); the defaults are in `scenario/ranges.py`.",
    "run": "Seeds and replications (`model/streams.py`, `runs/experiment.py`); the warm-up and windows "
    "(`analysis/warmup.py`).",
}

# A description cites evidence when it names the study (extract, section, line or
# quantitative fact, a site of the study) or a published figure.
_CITATION = re.compile(r"extract|figures|§|\bL\d|\bQ\d|\bSites? \d|SafeLives|IfATE|Aiken|probation", re.IGNORECASE)

Evidence = Literal["source", "assumption", "none"]


@dataclass(frozen=True)
class ScenarioKey:
    """One leaf key of a scenario file.

    ``path`` is dotted, with ``[i]`` for an entry of a list of tables
    (``teams.idvas[i].fte``); ``evidence`` says whether the description cites a source,
    says the value is an assumption (which may be informed by a source), or neither (a
    setting such as a label or a seed).
    """

    path: str
    section: str
    type: str
    unit: str
    default: str
    allowed: str
    description: str
    evidence: Evidence


@dataclass(frozen=True)
class Section:
    """A table of a scenario file (``hours.idva``) or a list of tables (``teams.idvas[i]``)."""

    path: str
    description: str
    mechanism: str
    keys: tuple[ScenarioKey, ...]
    default: str = ""  # for a list of tables: the default list


def evidence_of(description: str) -> Evidence:
    """'assumption' if the description says so, else 'source' if it cites one, else 'none'."""
    if "assumption" in description.lower():
        return "assumption"
    return "source" if _CITATION.search(description) else "none"


def mechanism_for(path: str) -> str:
    """The mechanism of the longest section path in :data:`SECTION_MECHANISMS` containing ``path``."""
    parts = _plain(path).split(".")
    for end in range(len(parts), 0, -1):
        found = SECTION_MECHANISMS.get(".".join(parts[:end]))
        if found is not None:
            return found
    return ""


def _plain(path: str) -> str:
    return path.replace("[i]", "")


# --------------------------------------------------------------------------------------
# Reading the models
# --------------------------------------------------------------------------------------


def _distribution_models() -> dict[str, type[BaseModel]]:
    from drive_sim.scenario import distributions

    found: dict[str, type[BaseModel]] = {}
    for model in vars(distributions).values():
        if isinstance(model, type) and issubclass(model, Frozen) and "kind" in model.model_fields:
            (kind,) = typing.get_args(model.model_fields["kind"].annotation)
            if kind in DISTRIBUTION_KINDS:
                found[kind] = model
    return found


_DISTRIBUTIONS = _distribution_models()
_DISTRIBUTION_MODELS = frozenset(_DISTRIBUTIONS.values())


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The section model a field holds (itself, or the item of a list), if it is one."""
    if typing.get_origin(annotation) is list:
        (annotation,) = typing.get_args(annotation)
    if _is_union(annotation):  # an optional table (``X | None``): its keys, as if present
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(options) == 1 and not _is_distribution(options[0]):
            (annotation,) = options
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and not _is_distribution(annotation):
        return annotation
    return None


def _is_distribution(annotation: Any) -> bool:
    """A field of type ``Distribution`` (the union of kinds), or one kind of it."""
    options = typing.get_args(annotation) if _is_union(annotation) else (annotation,)
    return bool(options) and all(o in _DISTRIBUTION_MODELS for o in options)


def _is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


def _type_text(annotation: Any) -> str:
    if _is_distribution(annotation):
        return "distribution"
    if typing.get_origin(annotation) is Literal:
        return "one of " + ", ".join(f'`"{v}"`' for v in typing.get_args(annotation))
    if _is_union(annotation):
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        text = " or ".join(_type_text(a) for a in options)
        return f"{text} (or leave out)" if len(options) < len(typing.get_args(annotation)) else text
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation)
        return f"list of {_type_text(item)}"
    names = {bool: "true/false", int: "integer", float: "number", str: "text", dt.date: "date (YYYY-MM-DD)"}
    return names.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _bounds(field: FieldInfo) -> dict[str, float]:
    found: dict[str, float] = {}
    for item in field.metadata:
        for name in ("ge", "gt", "le", "lt", "min_length", "max_length"):
            value = getattr(item, name, None)
            if value is not None:
                found[name] = value
    return found


def _number(value: float) -> str:
    return f"{value:,.10g}".replace(",", " ") if abs(value) >= 10_000 else f"{value:g}"


def _allowed(field: FieldInfo) -> str:
    bounds = _bounds(field)
    signs = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<"}
    parts = [f"{signs[name]} {_number(bounds[name])}" for name in signs if name in bounds]
    if "min_length" in bounds:
        what = "character" if field.annotation is str else "entry"
        n = bounds["min_length"]
        parts.append(f"at least {n} {what}{'s' if n != 1 else ''}")
    if typing.get_origin(field.annotation) is Literal:
        parts.append("as listed")
    return ", ".join(parts) or "any"


def _toml(value: Any) -> str:
    """A value as it would be written in a scenario file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "none (leave out)"
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, BaseModel):
        data = value.model_dump(exclude_defaults=not _is_distribution(type(value))) or value.model_dump()
        if _is_distribution(type(value)):
            data = {"kind": data.pop("kind"), **{k: v for k, v in data.items() if v is not None}}
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in data.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    return str(value)


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    return _toml(field.get_default(call_default_factory=True))


# Units follow the key's name (names carry their units: STYLE.md), first match wins.
_UNITS: tuple[tuple[str, str], ...] = (
    (r"hours_per_week$", "hours a week"),
    (r"(^|_)hours$", "hours"),
    (r"(^|_)days$", "days"),
    (r"^first_day$", "day from launch"),
    (r"^every_\d+_weeks$", "share"),
    (r"(^|_)weeks$", "weeks"),
    (r"^months$", "months"),
    (r"_per_year_per_fte$|_per_year_per_cm_team$", "cases a year"),
    (r"^annual_rate$", "cases a year"),
    (r"referrals_per_year$", "referrals a year"),
    (r"^annual_turnover$", "chance a year"),
    (r"salary$", "GBP a year"),
    (r"_per_fte$", "cases per FTE"),
    (r"(_share|_probability|^share)$", "share (0-1)"),
    (r"^fte$", "FTE"),
    (r"^(count|max_attempts|cases_per_meeting|caseload_cap|replications)$", "count"),
    (r"(multiplier|multiple|threshold|workload|_weight)$", "ratio"),
)


def _unit(name: str, annotation: Any) -> str:
    if annotation in (bool, str, dt.date) or typing.get_origin(annotation) is Literal:
        return ""
    for pattern, unit in _UNITS:
        if re.search(pattern, name):
            return unit
    return ""


def _description(field: FieldInfo, model: type[BaseModel]) -> str:
    """The field's description; a bare "Assumption." is read with its section's docstring, as the report does."""
    text = (field.description or "").strip()
    context = (model.__doc__ or "").strip() if model.__doc__ != Frozen.__doc__ else ""
    if context and text.lower() == "assumption.":
        return f"{context} {text}"
    return text


def _section_description(field: FieldInfo | None, model: type[BaseModel]) -> str:
    own = (field.description or "").strip() if field is not None else ""
    doc = (model.__doc__ or "").strip() if model.__doc__ not in (Frozen.__doc__, BaseModel.__doc__) else ""
    return own or doc


def _walk(
    model: type[BaseModel], prefix: str, field: FieldInfo | None, instance: BaseModel | None
) -> Iterator[Section]:
    """Sections from ``model``; defaults are read from ``instance``, the section's own default.

    A section's default can differ from its class's (``workforce.cm_attrition`` has its
    own turnover), so a key's default is the value in the enclosing default; an entry
    of a list of tables has the class's defaults, as a new entry would.
    """
    keys = []
    nested = []
    for name, child in model.model_fields.items():
        path = f"{prefix}.{name}" if prefix else name
        section = _model_of(child.annotation)
        if section is not None:
            is_list = typing.get_origin(child.annotation) is list
            own = None if is_list or instance is None else getattr(instance, name)
            nested.append((section, f"{path}[i]" if is_list else path, child, own))
            continue
        default = _toml(getattr(instance, name)) if instance is not None else _default(child)
        keys.append(
            ScenarioKey(
                path=path,
                section=prefix,
                type=_type_text(child.annotation),
                unit=_unit(name, child.annotation),
                default=default,
                allowed=_allowed(child),
                description=_description(child, model),
                evidence=evidence_of(_description(child, model)),
            )
        )
    if prefix or keys:  # the root holds only sections in a scenario; list any key it gains
        default = _default(field) if field is not None and prefix.endswith("[i]") else ""
        yield Section(prefix, _section_description(field, model), mechanism_for(prefix), tuple(keys), default)
    for section, path, child, own in nested:
        yield from _walk(section, path, child, own)


def sections(model: type[BaseModel] = Scenario) -> list[Section]:
    """Every table of a scenario file, in schema order, each with its own keys."""
    try:
        instance: BaseModel | None = model()
    except ValueError:  # a model with required keys has no default instance
        instance = None
    return list(_walk(model, "", None, instance))


def scenario_keys(model: type[BaseModel] = Scenario) -> list[ScenarioKey]:
    """Every leaf key of a scenario file, in schema order."""
    return [key for section in sections(model) for key in section.keys]


def distribution_kinds() -> list[tuple[str, str, str]]:
    """(kind, its keys with their allowed ranges, what it is) for every distribution kind."""
    rows = []
    for kind in DISTRIBUTION_KINDS:
        model = _DISTRIBUTIONS[kind]
        keys = [
            f"`{name}` ({_type_text(f.annotation)}, {_allowed(f)})" if _allowed(f) != "any" else f"`{name}`"
            for name, f in model.model_fields.items()
            if name != "kind"
        ]
        doc = (model.__doc__ or "").strip() if model.__doc__ != Frozen.__doc__ else ""
        rows.append((kind, ", ".join(keys), doc))
    return rows


# --------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------

_EVIDENCE_LABEL = {"source": "source", "assumption": "**assumption**", "none": "–"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _anchor(path: str) -> str:
    return _plain(path).replace(".", "-")


def _kind(key: ScenarioKey) -> str:
    """Type, unit and allowed range in one cell: 'number, hours a week, ≥ 0'."""
    allowed = "" if key.allowed in ("any", "as listed") else key.allowed
    return ", ".join(part for part in (key.type, key.unit, allowed) if part)


def scenario_reference_markdown(model: type[BaseModel] = Scenario) -> str:
    """The scenario reference page (Markdown): one table per section, one row per key."""
    all_sections = sections(model)
    keys = [k for s in all_sections for k in s.keys]
    counts = {e: sum(k.evidence == e for k in keys) for e in ("source", "assumption", "none")}
    lines = [
        "# Scenario reference",
        "",
        "Every key a scenario file (TOML) may set, generated from the schema in "
        "`drive_sim/scenario/` (`schema.py`, with `intake.py` and `capacity.py`) when this site is built. "
        "Every key is optional: a file "
        "says only how a site differs from the default site below. Override any key for one run "
        "with `--set PATH=VALUE`, e.g. `--set teams.idvas[0].count=2` (`[i]` below stands for "
        "the entry's position, from 0).",
        "",
        f"Of the {len(keys)} keys, {counts['source']} cite a source, {counts['assumption']} are "
        f"assumptions (some informed by a source) and {counts['none']} are settings that make no "
        'claim about evidence (labels, switches, seeds). Citations such as "extract §2.4, L309" or '
        '"figures §5" are explained on the [Sources](../sources.md) page. The bounds shown (such as '
        "`> 0, ≤ 1`) are those the schema enforces: a file outside them is refused with the key named.",
        "",
        "| Section | Read by |",
        "|---|---|",
    ]
    top = [s for s in all_sections if s.path and "." not in s.path]
    lines += [f"| [`{s.path}`](#{_anchor(s.path)}) | {_cell(s.mechanism)} |" for s in top]
    lines += [
        "",
        "## Distributions",
        "",
        "A key of type *distribution* is a table with a `kind`, e.g. "
        '`{kind = "triangular", low = 90, mode = 210, high = 365}`. Values are in the key\'s unit.',
        "",
        "| kind | keys | notes |",
        "|---|---|---|",
    ]
    lines += [f"| `{kind}` | {_cell(params)} | {_cell(doc)} |" for kind, params, doc in distribution_kinds()]
    for section in all_sections:
        depth = "##" if "." not in _plain(section.path) else "###"
        title = f"`{section.path}` {{#{_anchor(section.path)}}}" if section.path else "Top-level keys"
        lines += ["", f"{depth} {title}", ""]
        if section.description:
            lines += [section.description, ""]
        if section.path.endswith("[i]"):
            lines += [
                f"A list of tables, each written `[[{_plain(section.path)}]]` in a scenario file. "
                f"Default (keys at their own defaults left out): `{_cell(section.default)}`",
                "",
            ]
        parent = _plain(section.path).rpartition(".")[0]
        if not parent or mechanism_for(parent) != section.mechanism:
            lines += [f"*Read by:* {section.mechanism}", ""]
        if not section.keys:
            lines += ["This section holds only the tables below.", ""]
            continue
        lines += [
            "| Key | Type, unit, allowed | Default | Evidence | Description |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| `{k.path}` | {_cell(_kind(k))} | `{_cell(k.default)}` | {_EVIDENCE_LABEL[k.evidence]} "
            f"| {_cell(k.description) or '**no description**'} |"
            for k in section.keys
        ]
    return "\n".join(lines) + "\n"
