"""Assumptions and method: every parameter with its source, and a STRESS-DES model description.

The parameter list is read from the scenario schema itself (each field's description
cites its source or says "assumption"), so a new parameter shows up in every report
without touching this module. The method follows the STRESS-DES headings (Monks et al.
2019, *Journal of Simulation* 13(1):55-67) so that a report can be cited.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypedDict

from pydantic import BaseModel

from drive_sim.report.html import Markup, details, join, table, tag
from drive_sim.report.sources import link_citations, sources_section
from drive_sim.scenario import Scenario

__all__ = ["ParameterRow", "assumptions_section", "cited_sources", "method_section", "parameter_rows"]

STRESS_REFERENCE = (
    "Monks T, Currie CSM, Onggo BS, Robinson S, Kunc M, Taylor SJE (2019). Strengthening the reporting of "
    "empirical simulation studies: Introducing the STRESS guidelines. Journal of Simulation 13(1):55-67."
)
SOURCE_REPORT = "SafeLives (2020), The Drive IDVA model (the study this tool quantifies)"


class ParameterRow(TypedDict):
    """One parameter: dotted ``path``, ``value`` as display text, ``source``, and whether it is an assumption."""

    path: str
    value: str
    source: str
    assumption: bool
    raw: Any


def _format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:,.6g}" if not math.isnan(value) else "–"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, BaseModel) and "kind" in type(value).model_fields:  # a distribution
        parts = [f"{name} {_format_value(v)}" for name, v in value if name != "kind" and v is not None]
        return f"{value.kind} ({', '.join(parts)})"
    if isinstance(value, list):
        return ", ".join(_format_value(v) for v in value)
    return str(value)


def _walk(model: BaseModel, prefix: str) -> Iterator[ParameterRow]:
    model_type = type(model)
    for name, field in model_type.model_fields.items():
        value = getattr(model, name)
        path = f"{prefix}.{name}" if prefix else name
        description = field.description or ""
        if isinstance(value, BaseModel) and "kind" not in type(value).model_fields:
            yield from _walk(value, path)
        elif isinstance(value, list) and value and all(isinstance(v, BaseModel) for v in value):
            for position, item in enumerate(value):
                if "kind" in type(item).model_fields:
                    yield ParameterRow(
                        path=f"{path}[{position}]",
                        value=_format_value(item),
                        source=description,
                        assumption="assumption" in description.lower(),
                        raw=item,
                    )
                else:
                    yield from _walk(item, f"{path}[{position}]")
        else:
            source = description
            context = (model_type.__doc__ or "").strip()
            if context and description.strip().lower() == "assumption.":
                source = f"{context} {description}"
            yield ParameterRow(
                path=path,
                value=_format_value(value),
                source=source,
                assumption="assumption" in source.lower(),
                raw=value,
            )


def parameter_rows(scenario: Scenario) -> list[ParameterRow]:
    """Every parameter of a scenario, in schema order, with its value and source.

    Returns:
        Rows with ``path`` (dotted, list items indexed: ``teams.idvas[0].fte``),
        ``value`` (display text; distributions as ``triangular (low 90, mode 210, high
        365)``), ``source`` (the field's description, which cites the evidence or says
        "assumption"), ``assumption`` (the source says so) and ``raw`` (the value itself).
    """
    return list(_walk(scenario, ""))


def _source_cell(row: Mapping[str, Any], link: bool = False) -> Markup:
    badge = tag("span", "assumption", class_="tag-assumption") if row["assumption"] else None
    source = row["source"] or "not documented"
    return join(badge, " " if badge else None, link_citations(source) if link else source)


def cited_sources(scenarios: Sequence[Scenario]) -> Markup:
    """The page's Sources section: the entries the scenarios' parameter sources cite (see :mod:`.sources`)."""
    return sources_section(row["source"] for scenario in scenarios for row in parameter_rows(scenario))


def assumptions_section(scenarios: Sequence[Scenario], labels: Sequence[str], link_sources: bool = False) -> Markup:
    """Every parameter with its value and source; for several scenarios, the differing ones side by side.

    With ``link_sources`` each citation links to its entry in the page's Sources section
    (:func:`cited_sources`), which the page must then hold.
    """
    per_scenario = [{row["path"]: row for row in parameter_rows(s)} for s in scenarios]
    paths = list(dict.fromkeys(path for rows in per_scenario for path in rows))
    default = {row["path"]: row["raw"] for row in parameter_rows(Scenario())}
    counted = per_scenario[0].values()
    n_assumed = sum(row["assumption"] for row in counted)
    intro = tag(
        "p",
        f"Every parameter of the model, with the value used and where it comes from. "
        f"{n_assumed} of the {len(counted)} parameters of {'the scenario' if len(scenarios) == 1 else 'the baseline'} "
        "are assumptions (marked), to be replaced by local data where a site has it; the rest cite "
        f"{SOURCE_REPORT} ('extract') or published figures ('figures').",
    )
    if len(scenarios) == 1:
        ranges = _ranges(scenarios[0])
        rows = []
        for path in paths:
            row = per_scenario[0][path]
            changed = tag("span", "changed", class_="tag-changed") if default.get(path, None) != row["raw"] else None
            rows.append([tag("code", path), join(row["value"], " " if changed else None, changed),
                         ranges.get(path, "–"), _source_cell(row, link_sources)])  # fmt: skip
        body = table(
            ["Parameter", "Value", "Plausible range", "Source"], rows,
            caption="'changed': differs from the default site. Plausible range: how wrong an assumed value might be "
            "(the file's [uncertainty] section or drive-sim's documented default); `drive-sim uncertainty` measures "
            "how much each moves the answer.",
        )  # fmt: skip
        return join(intro, details(f"All {len(rows)} parameters ({n_assumed} assumptions)", body))

    differing, shared = [], []
    for path in paths:
        values = [rows[path]["value"] if path in rows else "–" for rows in per_scenario]
        source_row = next(rows[path] for rows in per_scenario if path in rows)
        if len(set(values)) > 1:
            differing.append([tag("code", path), *values, _source_cell(source_row, link_sources)])
        else:
            shared.append([tag("code", path), values[0], _source_cell(source_row, link_sources)])
    differ_table = table(
        ["Parameter", *labels, "Source"], differing, caption="Parameters that differ between scenarios."
    )
    shared_table = table(["Parameter", "Value", "Source"], shared, caption="Parameters every scenario shares.")
    return join(
        intro,
        details(
            _count(len(differing), "parameter that differs", "parameters that differ") + " between scenarios",
            tag("div", differ_table, class_="wide"),
        ),
        details(_count(len(shared), "parameter", "parameters") + " every scenario shares", shared_table),
    )


def _ranges(scenario: Scenario) -> dict[str, str]:
    """Parameter path -> its plausible range in words (a range inside a distribution shows on the distribution)."""
    from drive_sim.scenario import ScenarioError
    from drive_sim.scenario.uncertainty import uncertain_parameters

    try:
        parameters = uncertain_parameters(scenario)
    except ScenarioError:
        return {}
    shown: dict[str, list[str]] = {}
    for p in parameters:
        words = f"{p.range.kind} {p.range.low:g} to {p.range.high:g}"
        if p.range.mode is not None:
            words += f", most likely {p.range.mode:g}"
        generic = re.sub(r"\[\d+\]", "[i]", p.path)
        for key in (p.path, generic):
            shown.setdefault(key, []).append(words)
            parent = key.rpartition(".")[0]
            shown.setdefault(parent, []).append(f"{key.rpartition('.')[2]}: {words}")
    return {path: "; ".join(dict.fromkeys(items)) for path, items in shown.items()}


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _dl(items: Sequence[tuple[str, object]]) -> Markup:
    return tag("dl", [join(tag("dt", term), tag("dd", body)) for term, body in items], class_="method")


def method_section(
    scenarios: Sequence[Scenario],
    labels: Sequence[str],
    manifest: Mapping[str, Any],
    seconds: float | None,
    kind: str,
) -> Markup:
    """The model description under the STRESS-DES headings, filled in from the run's manifest."""
    base = scenarios[0]
    replications = manifest.get("replications", base.run.replications)
    seeds = sorted(set(manifest.get("seeds", [base.run.seed])))
    versions = manifest.get("versions", {})
    version_text = ", ".join(f"{name} {version}" for name, version in versions.items()) or "not recorded"
    streams = manifest.get("streams")
    stream_text = (
        ", ".join(streams)
        if streams
        else "referrals, cases (drawn in blocks, a row per case), backlog, backlog cases, non-Drive referrals, "
        "routing, workforce"
    )
    years = base.site.horizon_days / 365
    run_time = f"{seconds:,.1f} seconds of wall-clock time" if seconds is not None else "not recorded"
    experiment = {
        "run": "one scenario",
        "compare": f"{len(labels)} scenarios compared on the same simulated cases (common random numbers)",
        "sweep": "a parameter sweep: each level run on the same simulated cases",
        "size": "a sizing search for the least staffing that meets the targets",
    }.get(kind, "one scenario")

    objectives = _dl(
        [
            (
                "1.1 Purpose",
                "Quantify the IDVA and Case Manager capacity a Drive site needs: how many open cases "
                "IDVAs and CMs hold against sector guidance, how long clients wait for first contact, how likely staff "
                "are to burn out or leave, and what staffing meets the targets at what cost. The study behind it "
                f"({SOURCE_REPORT}) asked the Drive Partnership to quantify this resource.",
            ),
            (
                "1.2 Outputs",
                "Per replication: open cases per practitioner and per FTE each week; workload ratio "
                "(hours asked over hours available); days from acceptance at panel to first contact (a wait "
                "for an IDVA place included); CM contact with the service user; burnout, leavers and "
                "vacancies; staff cost. Across replications: means with 95% "
                "confidence intervals, and 10th-90th percentile bands over time.",
            ),
            ("1.3 Experimentation aims", f"This report: {experiment}."),
        ]
    )
    logic = _dl(
        [
            (
                "2.1 Overview",
                "Referral at a panel (MARAC or perpetrator panel; at sites with both, MARAC then the "
                "perpetrator panel's decision) → acceptance (or deferral to the next "
                "meeting) → allocation to a CM and, by the site's routing rules, an IDVA → IDVA first contact with the "
                "client (support, monitoring or unreachable) → the gate: the CM contacts the service user once the "
                "IDVA says it is safe → CM intervention of 3-12 months → closure (together, staggered, or CM waits) or "
                "deselection.",
            ),
            (
                "2.2 Base model logic",
                "Each practitioner has FTE × contracted hours × productive share hours a week. "
                "Each open case asks for hours by its type and phase; first contacts queue for hours left free. The "
                "workload ratio is hours asked over hours available; work the hours cannot cover is support shortfall. "
                "Burnout: workload above the threshold for consecutive weeks. Attrition: a base turnover, raised while "
                "burnt out; a leaver's post stands vacant while recruiting, and a new starter works at reduced "
                "capacity.",
            ),
            (
                "2.3 Scenario logic",
                join(
                    "Scenarios differ only in their parameters (team structure, routing, "
                    "policies), listed under Assumptions. ",
                    tag(
                        "ul",
                        [
                            tag("li", tag("strong", label), ": ", s.site.description)
                            for label, s in zip(labels, scenarios, strict=True)
                        ],
                    ),
                ),
            ),
            (
                "2.4 Algorithms",
                "IDVA picked within a group by least Drive cases per FTE, in turn, or at random by "
                "weight; a caseload cap leads to a waiting list, overflow to the wider team, or allocation anyway. "
                "Distributions are sampled by inverse transform from named streams (see 5.2).",
            ),
            (
                "2.5 Components",
                "Entities: Drive cases (one service user and one client each) and non-Drive IDVA "
                "cases. Resources: IDVAs (named Drive IDVAs and the wider team) and CMs (Team Leaders hold a reduced "
                "share), each an hours budget. Queues: each IDVA's first-contact queue; the waiting list for an IDVA "
                "place. Entry: panel meetings and the backdated backlog. Exit: closure or deselection.",
            ),
        ]
    )
    n_rows = len(parameter_rows(base))
    data = _dl(
        [
            (
                "3.1 Data sources",
                f"{SOURCE_REPORT}; published sector figures (SafeLives guidance, MARAC volumes, "
                "the Drive evaluation, workforce and burnout studies). Each parameter's source is listed under "
                "Assumptions.",
            ),
            (
                "3.2 Pre-processing",
                "None in this run: parameters are set from published figures, or fitted from a "
                "site's anonymised case export with right-censoring (drive-sim fit) where a scenario says so.",
            ),
            ("3.3 Input parameters", f"{n_rows} parameters per scenario, all listed with value and source below."),
            (
                "3.4 Assumptions",
                "Parameters marked 'assumption' have no published value. The flagged one that "
                "matters most: service-user engagement falls the longer the gate delays CM contact (the 'window of "
                "opportunity'), which can be switched off (policies.engagement.window_effect).",
            ),
        ]
    )
    experimentation = _dl(
        [
            (
                "4.1 Initialisation",
                f"The site starts empty at launch on {base.site.start_date.isoformat()} (day 0), "
                f"with referrals ramping up; {base.backdating.months:g} months of past cases backdated at launch. "
                "Two windows are measured: the launch (the first 26 weeks, the study's overload period) and the "
                "steady state after a warm-up, "
                + (
                    "chosen in each replication by MSER-5 on its weekly open IDVA cases (White 1997; Hoad, Robinson "
                    "& Davies 2010): the truncation, in 5-week batches within the first half of the run, that "
                    "minimises the standard error of the batch means left."
                    if base.run.warmup_days == "auto"
                    else f"of {base.run.warmup_days:g} days (run.warmup_days)."
                )
                + " Targets and the answer read the steady state.",
            ),
            (
                "4.2 Run length",
                f"{base.site.horizon_days:g} days ({years:.1f} years) per replication; {replications} replications.",
            ),
            (
                "4.3 Estimation approach",
                "Each replication is one independent observation. Means with two-sided 95% t confidence intervals; "
                "chances across replications (such as any IDVA burning out) with exact (Clopper-Pearson) intervals on "
                "the count; shares measured within each replication (such as weeks above guidance) with the "
                "quasi-binomial score (Wilson) interval, which stays inside 0-100%; comparisons as paired differences "
                "replication by replication, since every scenario sees the same cases; the resource Drive adds as the "
                "paired difference from each replication's twin without Drive (the same business-as-usual cases); "
                "sizing verdicts with one-sided bounds of the same kinds, sequentially (see the sizing report); charts "
                "show the median and the 10th-90th percentile band across replications.",
            ),
        ]
    )
    implementation = _dl(
        [
            ("5.1 Software", f"Python discrete-event simulation with SimPy. Versions: {version_text}."),
            (
                "5.2 Random sampling",
                f"Seed {', '.join(map(str, seeds))}. Replication r uses numpy's "
                "SeedSequence(seed, spawn_key=(r, stream)) with one generator per named stream "
                f"({stream_text}); every case draws its attributes from its own row of uniforms (one uniform a "
                "draw, turned into each distribution by its quantile function) when referred, so scenarios run with "
                "the same seed see the same cases."
                + (f" Recorded scheme: {manifest['seed_scheme']}." if manifest.get("seed_scheme") else ""),
            ),
            (
                "5.3 Model execution",
                join(
                    "Event scheduling (SimPy), time in days; weekly states recorded at the end "
                    f"of each week. Run time: {run_time}. Command: ",
                    tag("code", manifest.get("command") or "not recorded"),
                    ".",
                ),
            ),
            ("5.4 System", "Replications run serially or on local processes; results are identical either way."),
        ]
    )
    code = _dl(
        [
            (
                "6. Code and data access",
                join(
                    "drive-sim ",
                    versions.get("drive-sim", ""),
                    ". This page is rebuilt "
                    "from its results folder (manifest.json, scenarios/*.json, kpis, summary and record tables) with ",
                    tag("code", "drive-sim report RESULTS_DIR"),
                    ".",
                ),
            ),
        ]
    )
    cite = (
        f"drive-sim {versions.get('drive-sim', '')}: {', '.join(labels)}. {replications} replications, seed "
        f"{', '.join(map(str, seeds))}. Command: {manifest.get('command') or 'not recorded'}."
    )
    return join(
        tag("p", "How to cite these results: ", tag("em", cite)),
        tag("p", "The model description under the STRESS-DES headings (", STRESS_REFERENCE, ")."),
        tag("h3", "1. Objectives"),
        objectives,
        tag("h3", "2. Logic"),
        logic,
        tag("h3", "3. Data"),
        data,
        tag("h3", "4. Experimentation"),
        experimentation,
        tag("h3", "5. Implementation"),
        implementation,
        tag("h3", "6. Code access"),
        code,
    )
