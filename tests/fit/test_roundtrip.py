"""Round trip: fit(synth(scenario)) recovers the scenario's parameters within their intervals.

The model writes a case export (as ``drive-sim synth`` does) for scenarios whose
parameters are known; the fit must hold each true value inside its own interval. The
checks use the fit's 99.9% intervals, so a correct fit fails one only about once in a
thousand seeds; the 95% table is what ``drive-sim fit`` reports.
"""

from __future__ import annotations

import tomllib
from typing import Any

import pytest

from drive_sim.calibration.casefile import (
    cases_from_output,
    format_cases,
    format_non_drive,
    non_drive_from_output,
    parse_cases,
    parse_non_drive,
)
from drive_sim.calibration.fit import SiteFit, fit_site
from drive_sim.calibration.fit_report import scenario_toml
from drive_sim.model import simulate
from drive_sim.scenario import scenario_from_dict

STRICT = 0.999

QUIET: dict[str, Any] = {
    "referrals": {"ramp_up": {"start_share": 1.0, "days": 0}},
    "workforce": {"idva_attrition": {"enabled": False}, "cm_attrition": {"enabled": False}},
}

LOGNORMAL_STRICT: dict[str, Any] = {
    "site": {"horizon_days": 1095},
    "referrals": {"annual_rate": 120, "deferral_probability": 0.1, **QUIET["referrals"]},
    "case_mix": {"client_response": {"support": 0.5, "monitoring": 0.2, "unreachable": 0.3}},
    "durations": {
        "cm_intervention_days": {"kind": "lognormal", "mean": 200, "sd": 70},
        "extension_probability": 0.15,
    },
    "policies": {"gate": "strict", "unreachable_deselect_probability": 0.6},
    "workforce": QUIET["workforce"],
}

WEIBULL_NO_GATE_BACKDATED: dict[str, Any] = {
    "site": {"horizon_days": 1460},
    "referrals": {"annual_rate": 80, "deferral_probability": 0.0, **QUIET["referrals"]},
    "backdating": {"months": 6, "arrival_spread_days": 14},
    "case_mix": {"client_response": {"support": 0.35, "monitoring": 0.3, "unreachable": 0.35}},
    "durations": {
        "cm_intervention_days": {"kind": "weibull", "shape": 2.5, "scale": 250},
        "extension_probability": 0.1,
    },
    "policies": {"gate": "none"},
    "workforce": QUIET["workforce"],
}


def round_trip(data: dict[str, Any], confidence: float = STRICT, replication: int = 0) -> tuple[SiteFit, str]:
    scenario = scenario_from_dict(data, "round trip")
    output = simulate(scenario, replication)
    start = scenario.site.start_date
    export = parse_cases(format_cases(cases_from_output(output, start)), "synth.csv")
    non_drive = parse_non_drive(format_non_drive(non_drive_from_output(output, start)), "nd.csv")
    fit = fit_site(export, non_drive, scenario=scenario, confidence=confidence)
    return fit, scenario_toml(fit, data)


@pytest.fixture(scope="module", params=[LOGNORMAL_STRICT, WEIBULL_NO_GATE_BACKDATED], ids=["lognormal", "weibull"])
def trip(request):
    data = request.param
    fit, text = round_trip(data)
    return scenario_from_dict(data), fit, text


def test_referral_rate_panels_and_backdating_are_recovered(trip):
    truth, fit, _ = trip
    assert fit.referrals.per_year.contains(truth.referrals.annual_rate)
    assert fit.referrals.meeting_interval_days == truth.referrals.panels[0].every_days
    assert fit.referrals.dispersion_k.contains(truth.referrals.dispersion)
    assert fit.referrals.trend_ratio_per_year.contains(1.0)
    assert fit.referrals.backdating_months.contains(truth.backdating.months)


def test_cm_intervention_is_recovered(trip):
    truth, fit, _ = trip
    spec = truth.durations.cm_intervention_days
    assert fit.cm_duration.mean.contains(spec.mean), f"{spec.mean} not in {fit.cm_duration.mean}"
    if fit.cm_duration.family == spec.kind:
        for key, estimate in fit.cm_duration.spec_ci.items():
            assert estimate.contains(getattr(spec, key)), f"{key}: {getattr(spec, key)} not in {estimate}"


def test_extension_share_is_recovered(trip):
    truth, fit, _ = trip
    assert fit.extension.share.contains(truth.durations.extension_probability)


def test_client_response_shares_are_recovered(trip):
    truth, fit, _ = trip
    for key, estimate in fit.response_shares.items():
        value = getattr(truth.case_mix.client_response, key)
        assert estimate.contains(value), f"{key}: {value} not in {estimate}"


def test_unreachable_deselection_is_recovered_under_a_strict_gate(trip):
    truth, fit, text = trip
    written = tomllib.loads(text)["policies"]
    if truth.policies.gate != "strict":
        assert written.get("unreachable_deselect_probability") is None
        return
    assert fit.deselection.unreachable.share.contains(truth.policies.unreachable_deselect_probability)


def test_non_drive_referrals_per_idva_are_recovered(trip):
    truth, fit, _ = trip
    rates = [i.non_drive_referrals_per_year for i in truth.teams.idvas for _ in range(i.count)]
    assert len(fit.non_drive) == len(rates)
    for row, rate in zip(fit.non_drive, rates, strict=True):
        assert row.per_year.contains(rate), f"{row.idva_id}: {rate} not in {row.per_year}"


def test_the_fitted_scenario_loads_with_the_fitted_values(trip):
    truth, fit, text = trip
    fitted = scenario_from_dict(tomllib.loads(text), "fitted")
    assert fitted.referrals.annual_rate == pytest.approx(fit.referrals.per_year.value, rel=1e-3)
    assert fitted.durations.cm_intervention_days.kind == fit.cm_duration.family
    assert fitted.policies.gate == truth.policies.gate
