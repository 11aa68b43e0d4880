"""The two outputs of a fit: a commented scenario file and a self-contained HTML report.

:func:`fitted_scenario` puts the fitted values into a copy of the base scenario's data,
only at keys the schema has; :func:`scenario_toml` writes it with a comment above each
fitted key (estimate, confidence interval, method, n), then parses the text back and
validates it, so a file written from it always loads. :func:`build_report` writes the HTML
page. Neither output holds a row of the export, and every case count from 1 to 4 is shown
as "<5".
"""

from __future__ import annotations

import copy
import datetime as dt
import html
import json
import math
import re
import textwrap
import tomllib
from collections.abc import Collection, Mapping
from typing import Any

import numpy as np
import plotly.graph_objects as go

from drive_sim.calibration.fit import ReferralFit, SiteFit, count_text
from drive_sim.calibration.fit_stats import DurationFit, Estimate
from drive_sim.scenario import Scenario, ScenarioError, scenario_from_dict

__all__ = ["build_report", "fitted_scenario", "scenario_toml"]

_SHARE_DIGITS = 4
_SIGNIFICANT = 0.05

#: (dotted key path, value, comment lines) for one fitted key.
Entry = tuple[str, Any, list[str]]


def _g(value: float, digits: int = 4) -> float:
    """A value rounded to ``digits`` significant figures, as written to the scenario."""
    return float(f"{value:.{digits}g}")


def _ci(estimate: Estimate, fmt: str = ".3g") -> str:
    return f"{estimate.value:{fmt}} (CI {estimate.low:{fmt}} to {estimate.high:{fmt}})"


def _pct(estimate: Estimate) -> str:
    return _ci(estimate, ".1%")


# --------------------------------------------------------------------------------------
# Fitted values -> scenario keys
# --------------------------------------------------------------------------------------


def _trend_text(r: ReferralFit) -> str:
    if r.trend_ratio_per_year is None or r.trend_p_value is None:
        return "too few months to test"
    verdict = "the rate changed, so this is its average" if r.trend_p_value < _SIGNIFICANT else "no clear trend"
    return f"rate ratio {_ci(r.trend_ratio_per_year)} a year, p = {r.trend_p_value:.2g}: {verdict}"


def _referral_entries(r: ReferralFit, base: Scenario) -> list[Entry]:
    dispersed = r.overdispersion_p_value < _SIGNIFICANT and r.dispersion_index > 1
    entries: list[Entry] = [
        (
            "referrals.annual_rate",
            _g(r.per_year.value),
            [
                f"fitted: {_ci(r.per_year, '.1f')} cases a year; exact Poisson interval"
                + (", widened for over-dispersed panels" if dispersed else ""),
                f"n = {count_text(r.cases)} non-backdated cases, {r.first} to {r.last} "
                f"({r.period_days:.0f} days, {r.meetings} referral dates)",
                f"trend in monthly counts (Poisson regression): {_trend_text(r)}",
            ],
        ),
        (
            "referrals.dispersion",
            _g(r.dispersion_k.value) if dispersed else 0.0,
            [
                f"fitted: cases per referral date mean {r.batch_mean:.2f}, variance {r.batch_variance:.2f}, "
                f"dispersion index {r.dispersion_index:.2f} (over-dispersion test p = {r.overdispersion_p_value:.2g})",
                f"negative binomial k {_ci(r.dispersion_k)} (moment estimate, bootstrap interval); "
                + ("written as fitted" if dispersed else "0 written: no evidence of over-dispersion"),
            ],
        ),
        (
            "backdating.months",
            min(24.0, _g(r.backdating_months.value, 3)),
            [
                f"fitted: {count_text(r.backdated)} backdated cases = {_ci(r.backdating_months)} months "
                "of referrals at the fitted rate"
            ],
        ),
    ]
    if len(base.referrals.panels) == 1:
        panel = base.referrals.panels[0].model_dump(mode="json")
        panel["every_days"] = _g(r.meeting_interval_days)
        note = (
            f"fitted: every_days is the median gap between the {r.meetings} referral dates; the rest kept from the base"
        )
        entries.append(("referrals.panels", [panel], [note]))
    return entries


def _duration_entries(fit: SiteFit, d: DurationFit) -> list[Entry]:
    start = fit.intervention_start
    ranked = sorted(d.aic.items(), key=lambda item: item[1])
    return [
        (
            "durations.cm_intervention_days",
            {key: (value if key == "kind" else _g(float(value))) for key, value in d.spec.items()},
            [
                f"fitted: {d.family} by censored maximum likelihood; "
                + ", ".join(f"{key} {_ci(value)}" for key, value in d.spec_ci.items()),
                f"mean {_ci(d.mean, '.0f')} days, median {_ci(d.median, '.0f')}, 90th percentile {_ci(d.p90, '.0f')}",
                f"n = {count_text(d.events)} closures, {count_text(d.censored)} open or deselected (right-censored)",
                "AIC "
                + ", ".join(f"{family} {aic:.1f}" for family, aic in ranked)
                + f"; largest gap between Kaplan-Meier and fitted survival {d.max_gap:.3f}",
                f"from the intervention's start as the model defines it (gate {start.gate!r}, contact strategy "
                f"{start.strategy_days:g} days) to CM closure, "
                + ("extended cases left out" if not fit.duration_includes_extensions else "extensions included"),
            ],
        )
    ]


def _share_entries(fit: SiteFit, base: Scenario) -> list[Entry]:
    entries: list[Entry] = []
    if fit.extension is not None:
        e = fit.extension
        entries.append(
            (
                "durations.extension_probability",
                round(e.share.value, _SHARE_DIGITS),
                [
                    f"fitted: {_pct(e.share)} (Wilson), {count_text(e.count)} of {count_text(e.total)} closed cases "
                    "old enough for extended and other cases alike to have closed"
                ],
            )
        )
    elif fit.duration_includes_extensions and fit.cm_duration is not None:
        note = "no extended column: the fitted CM duration includes extensions, so none are added on top"
        entries.append(("durations.extension_probability", 0.0, [note]))
    if fit.response_shares:
        shares = {r: round(fit.response_shares[r].value, _SHARE_DIGITS) for r in ("support", "monitoring")}
        shares["unreachable"] = round(1 - shares["support"] - shares["monitoring"], _SHARE_DIGITS)
        observed = ", ".join(f"{k} {_pct(s.share)}, n = {count_text(s.count)}" for k, s in fit.responses.items())
        implied = ", ".join(f"{key} {_pct(value)}" for key, value in fit.response_shares.items())
        entries.append(
            (
                "case_mix.client_response",
                shares,
                [
                    f"fitted: observed in non-backdated cases (Goodman simultaneous intervals): {observed}",
                    f"written as the shares of clients not already supported, as the model draws them: {implied}",
                    f"(the model makes the {fit.already_supported_share:.0%} already supported support clients; "
                    "case_mix.already_supported_share is not in the export and is kept)",
                ],
            )
        )
    u = fit.deselection.unreachable
    if u is not None and base.policies.gate == "strict":
        entries.append(
            (
                "policies.unreachable_deselect_probability",
                round(u.share.value, _SHARE_DIGITS),
                [
                    f"fitted: {_pct(u.share)} (Wilson) of cases whose client was unreachable and never contacted "
                    f"were deselected; n = {count_text(u.total)} cases referred more than "
                    f"{fit.deselection.settle_days} days (the longest time to deselection seen) before {fit.as_of}",
                ],
            )
        )
    return entries


def _team_entries(fit: SiteFit, drive_idvas: Collection[str]) -> list[Entry]:
    idvas = []
    for row in fit.non_drive:
        role = "drive" if row.idva_id in drive_idvas or (not drive_idvas and row.referrals == 0) else "wider"
        idvas.append(
            {
                "name": row.idva_id,
                "role": role,
                "fte": 1.0,
                "non_drive_referrals_per_year": _g(row.per_year.value),
                "attends_panel": role == "drive",
            }
        )
    rates = "; ".join(f"{row.idva_id} {_ci(row.per_year, '.1f')} over {row.months} months" for row in fit.non_drive)
    return [
        (
            "teams.idvas",
            idvas,
            [
                f"fitted: non_drive_referrals_per_year per IDVA (exact Poisson): {rates}",
                "assumed, not in the export: fte 1.0; role 'wider' for an IDVA with non-Drive referrals, 'drive'",
                "otherwise (or as named by --drive-idva); Drive IDVAs attend panel. Check these.",
            ],
        )
    ]


def fitted_scenario(
    fit: SiteFit, base_data: Mapping[str, Any], drive_idvas: Collection[str] = ()
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The base scenario's data with the fitted values in, and comment lines by key path.

    Args:
        fit: what was fitted.
        base_data: the base scenario as read from its file (``{}`` for the default site).
        drive_idvas: IDVA ids to mark as named Drive IDVAs when the team is fitted from a
            non-Drive referrals file (by default an IDVA with non-Drive referrals is taken
            to be in the wider team, one without to be a Drive IDVA).
    """
    base = scenario_from_dict(base_data, "base scenario")
    entries = _share_entries(fit, base)
    if fit.referrals is not None:
        entries = _referral_entries(fit.referrals, base) + entries
    if fit.cm_duration is not None:
        entries += _duration_entries(fit, fit.cm_duration)
    if fit.non_drive:
        entries += _team_entries(fit, drive_idvas)
    data = copy.deepcopy(dict(base_data))
    comments: dict[str, list[str]] = {}
    for path, value, lines in entries:
        *parents, key = path.split(".")
        node = data
        for part in parents:
            node = node.setdefault(part, {})
        node[key] = value
        comments[path] = lines
    return data, comments


def _not_keys(fit: SiteFit) -> list[str]:
    """Fitted figures the scenario has no key for."""
    lines = [
        f"IDVA ids in the export: {fit.idvas}; Case Manager ids: {fit.case_managers}. Teams are kept from the "
        "base scenario unless fitted above."
    ]
    c = fit.first_contact
    if c is not None:
        lines.append(
            f"First-contact delay, days from referral ({count_text(c.cases)} cases, bootstrap intervals): median "
            f"{_ci(c.median_days, '.0f')}, 90th percentile {_ci(c.p90_days, '.0f')}; within 7 days "
            f"{_pct(c.within_7_days.share)}."
        )
        if c.before_referral:
            lines.append(f"{count_text(c.before_referral)} first contacts dated before the referral were left out.")
        if c.distribution is not None:
            spec = ", ".join(f"{k} {_ci(v)}" for k, v in c.distribution.spec_ci.items())
            lines.append(f"Best-fitting delay distribution (AIC): {c.distribution.family}, {spec}.")
        lines.append(
            "The model derives first-contact delays from IDVA capacity, so they are no scenario key: "
            "compare them with a run's KPIs."
        )
    s = fit.deselection
    lines.append(f"Deselected overall: {_pct(s.overall.share)} of {count_text(s.overall.total)} cases (Wilson).")
    if s.reached is not None:
        lines.append(
            f"Deselected among reached clients' cases: {_pct(s.reached.share)}. The model ties this to "
            "service-user engagement (policies.engagement), which the export cannot separate: not written."
        )
    return lines + [f"Not fitted: {note}." for note in fit.notes]


# --------------------------------------------------------------------------------------
# TOML text
# --------------------------------------------------------------------------------------


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot write {value!r} to a scenario")
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to a scenario")


def _comment(lines: list[str]) -> list[str]:
    """Comment lines, wrapped at 100 characters, with any control character blanked."""
    out = []
    for line in lines:
        indent = " " * (len(line) - len(line.lstrip()))
        clean = re.sub(r"[\x00-\x1f\x7f]", " ", line)
        out += ["# " + part for part in textwrap.wrap(clean, 100, initial_indent="", subsequent_indent=indent + "  ")]
    return out


def _is_table(value: Any) -> bool:
    return isinstance(value, dict) and "kind" not in value  # a distribution is written inline


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _emit(data: Mapping[str, Any], comments: Mapping[str, list[str]]) -> list[str]:
    """TOML lines: sections in schema order, each key's comment above it."""
    out: list[str] = []

    def table(path: str, node: Mapping[str, Any], header: str) -> None:
        scalars = [(k, v) for k, v in node.items() if not _is_table(v) and not _is_table_array(v)]
        if scalars or not node:
            out.extend(["", header])
        for key, value in scalars:
            out.extend(_comment(comments.get(f"{path}.{key}", [])))
            out.append(f"{key} = {_toml_value(value)}")
        for key, value in node.items():
            if _is_table(value):
                table(f"{path}.{key}", value, f"[{path}.{key}]")
            elif _is_table_array(value):
                out.append("")
                out.extend(_comment(comments.get(f"{path}.{key}", [])))
                for item in value:
                    table(f"{path}.{key}[]", item, f"[[{path}.{key}]]")
        if comments.get(path) and not scalars:
            raise AssertionError(f"nowhere to put the comment on {path}")

    order = list(Scenario.model_fields)
    for section in sorted(data, key=lambda s: order.index(s) if s in order else len(order)):
        table(section, data[section], f"[{section}]")
    return out


def scenario_toml(
    fit: SiteFit, base_data: Mapping[str, Any], base_source: str = "the default site", drive_idvas: Collection[str] = ()
) -> str:
    """The fitted scenario as commented TOML text, validated against the schema.

    Raises:
        ScenarioError: the fitted values do not make a valid scenario with this base (for
            example a fitted team with no Drive IDVA while routing sends cases to one).
    """
    data, comments = fitted_scenario(fit, base_data, drive_idvas)
    # A table's own comment goes on its first key (e.g. case_mix.client_response.support).
    for path in [p for p in comments if _is_table(_lookup(data, p))]:
        first = next(iter(_lookup(data, path)))
        comments = {**comments, f"{path}.{first}": comments[path]}
        del comments[path]
    header = [
        f"Scenario fitted by `drive-sim fit` from {fit.source} as of {fit.as_of} ({count_text(fit.cases)} cases).",
        f"Keys with a 'fitted:' comment come from the export; the others are from {base_source} or the defaults.",
        f"Intervals (CI) are {fit.confidence:.0%} confidence intervals; counts from 1 to 4 are shown as <5.",
    ]
    footer = ["Fitted, but not scenario keys:", *("  " + line for line in _not_keys(fit))]
    text = "\n".join(_comment(header) + _emit(data, comments) + [""] + _comment(footer)) + "\n"
    parsed = tomllib.loads(text)
    if parsed != data:
        raise AssertionError("the scenario text does not read back as the fitted data")
    try:
        scenario_from_dict(parsed, "fitted scenario")
    except ScenarioError as error:
        hint = " (name the Drive IDVAs with --drive-idva)" if fit.non_drive else ""
        raise ScenarioError(error.source, [(key, message + hint) for key, message in error.problems]) from None
    return text


def _lookup(data: Mapping[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        node = node[part]
    return node


# --------------------------------------------------------------------------------------
# The HTML report
# --------------------------------------------------------------------------------------


def _rows(fit: SiteFit) -> list[tuple[str, str, str, str, str]]:
    """The table of fitted values: what, scenario key, estimate (CI), method, n."""
    rows = []
    r, d, e, u = fit.referrals, fit.cm_duration, fit.extension, fit.deselection.unreachable
    if r is not None:
        rows.append(
            (
                "Referral rate, cases a year",
                "referrals.annual_rate",
                _ci(r.per_year, ".1f"),
                "Poisson, exact",
                count_text(r.cases),
            )
        )
        if r.trend_ratio_per_year is not None:
            rows.append(
                (
                    "Trend, rate ratio a year",
                    "",
                    f"{_ci(r.trend_ratio_per_year)}; p = {r.trend_p_value:.2g}",
                    "Poisson regression",
                    f"{len(r.months)} months",
                )
            )
        rows.append(
            (
                "Cases per referral date: k",
                "referrals.dispersion",
                _ci(r.dispersion_k),
                f"index {r.dispersion_index:.2f}",
                f"{r.meetings} dates",
            )
        )
    if d is not None:
        n = f"{count_text(d.events)} closed, {count_text(d.censored)} censored"
        for key, value in d.spec_ci.items():
            rows.append(
                (
                    f"CM intervention: {d.family} {key}",
                    f"durations.cm_intervention_days.{key}",
                    _ci(value),
                    "censored MLE",
                    n,
                )
            )
    if e is not None:
        rows.append(
            ("Extension share", "durations.extension_probability", _pct(e.share), "Wilson", count_text(e.total))
        )
    for key, value in fit.response_shares.items():
        n = count_text(fit.responses[key].total)
        rows.append((f"Client response: {key}", f"case_mix.client_response.{key}", _pct(value), "Goodman, adjusted", n))
    if u is not None:
        rows.append(
            (
                "Deselected if unreachable",
                "policies.unreachable_deselect_probability",
                _pct(u.share),
                "Wilson",
                count_text(u.total),
            )
        )
    rows.append(("Deselected, all cases", "", _pct(fit.deselection.overall.share), "Wilson", count_text(fit.cases)))
    if (c := fit.first_contact) is not None:
        rows.append(("First contact: median days", "", _ci(c.median_days, ".0f"), "bootstrap", count_text(c.cases)))
        rows.append(
            ("First contact: 90th percentile days", "", _ci(c.p90_days, ".0f"), "bootstrap", count_text(c.cases))
        )
    for row in fit.non_drive:
        rows.append(
            (
                f"Non-Drive referrals a year: {row.idva_id}",
                "teams.idvas",
                _ci(row.per_year, ".1f"),
                "Poisson, exact",
                f"{row.months} months",
            )
        )
    return rows


def _answer(fit: SiteFit) -> str:
    parts = [f"{count_text(fit.cases)} cases as of {fit.as_of}."]
    if (r := fit.referrals) is not None:
        parts.append(
            f"The site accepts about {r.per_year.value:.0f} Drive cases a year ({r.per_year.low:.0f} to "
            f"{r.per_year.high:.0f}), on referral dates about {r.meeting_interval_days:g} days apart."
        )
        if r.trend_p_value is not None and r.trend_p_value < _SIGNIFICANT:
            parts.append("The rate changed over the period, so it is an average.")
    if (d := fit.cm_duration) is not None:
        parts.append(
            f"A CM intervention lasts {d.mean.value:.0f} days on average ({d.mean.low:.0f} to {d.mean.high:.0f}); "
            f"a {d.family} distribution fits best, within {d.max_gap:.2f} of the Kaplan–Meier curve."
        )
    if fit.extension is not None:
        parts.append(f"{fit.extension.share.value:.0%} of interventions are extended.")
    if fit.responses:
        parts.append("Clients: " + ", ".join(f"{s.share.value:.0%} {k}" for k, s in fit.responses.items()) + ".")
    if (c := fit.first_contact) is not None:
        half = "on the day of referral" if c.median_days.value == 0 else f"within {c.median_days.value:.0f} days"
        parts.append(f"Half of first contacts come {half}, 90% within {c.p90_days.value:.0f} days.")
    return " ".join(parts)


def _survival_figure(d: DurationFit) -> go.Figure:
    keep = np.array(d.km_at_risk) >= 5  # with fewer at risk, a step would show individual cases
    days, survival = np.array(d.km_days)[keep], np.array(d.km_survival)[keep]
    figure = go.Figure()
    figure.add_scatter(x=[0, *days], y=[1, *survival], mode="lines", line_shape="hv", name="Kaplan–Meier (data)")
    grid = np.linspace(0, max(days.max() if len(days) else 1.0, d.p90.value) * 1.1, 200)
    figure.add_scatter(x=grid, y=d.survival(grid), mode="lines", line_dash="dash", name=f"fitted {d.family}")
    figure.update_layout(
        title="CM intervention: share still open, data and fit",
        xaxis_title="days from the intervention's start",
        yaxis={"title": "share still open", "range": [0, 1.02]},
    )
    return figure


def _referral_figure(r: ReferralFit) -> go.Figure:
    months = [m.month.strftime("%Y-%m") for m in r.months]
    labels = [count_text(m.cases) for m in r.months]
    figure = go.Figure()
    figure.add_bar(
        x=months,
        y=[None if label == "<5" else m.cases for m, label in zip(r.months, labels, strict=True)],
        text=labels,
        hovertext=labels,
        hoverinfo="x+text",
        name="cases accepted",
    )
    if r.trend_expected:
        figure.add_scatter(x=months, y=list(r.trend_expected), mode="lines", name="Poisson trend")
    figure.update_layout(title="Cases accepted per month (1 to 4 shown as <5)", yaxis_title="cases")
    return figure


def _response_figure(fit: SiteFit) -> go.Figure:
    keys = list(fit.responses)
    shares = [fit.responses[k].share for k in keys]
    figure = go.Figure()
    figure.add_bar(
        x=keys,
        y=[s.value for s in shares],
        error_y={
            "type": "data",
            "symmetric": False,
            "array": [s.high - s.value for s in shares],
            "arrayminus": [s.value - s.low for s in shares],
        },
        text=[count_text(fit.responses[k].count) for k in keys],
        textposition="inside",
        insidetextanchor="start",
    )
    figure.update_layout(title="Client response: observed shares, simultaneous intervals", yaxis_tickformat=".0%")
    return figure


def build_report(fit: SiteFit) -> str:
    """One self-contained HTML page: the answer in words, the fitted values, the fit plots."""
    figures = []
    if fit.cm_duration is not None:
        figures.append(_survival_figure(fit.cm_duration))
    if fit.referrals is not None:
        figures.append(_referral_figure(fit.referrals))
    if fit.responses:
        figures.append(_response_figure(fit))
    plots = "\n".join(f.to_html(full_html=False, include_plotlyjs=(i == 0)) for i, f in enumerate(figures))
    e = html.escape
    table = "\n".join("<tr>" + "".join(f"<td>{e(cell)}</td>" for cell in row) + "</tr>" for row in _rows(fit))
    notes = "".join(f"<li>{e(line)}</li>" for line in _not_keys(fit))
    level = f"{fit.confidence:.0%}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Fit of {e(fit.source)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em}}
table{{border-collapse:collapse}}td,th{{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left}}</style>
</head><body>
<h1>Fit of {e(fit.source)}</h1>
<p><strong>{e(_answer(fit))}</strong></p>
<h2>Fitted values ({level} confidence intervals)</h2>
<table><tr><th>What</th><th>Scenario key</th><th>Estimate ({level} CI)</th><th>Method</th><th>n</th></tr>
{table}</table>
<h2>How well the fit matches the data</h2>
{plots}
<h2>Notes</h2><ul>{notes}</ul>
<p>Privacy: this page holds no row of the export, only counts and fitted values. Counts from 1 to 4 are
shown as &lt;5, and the Kaplan–Meier curve stops where fewer than 5 cases remain at risk.</p>
</body></html>
"""
