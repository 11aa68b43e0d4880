"""Routing on what is known (issue 15): nobody knows a client's response before meeting her.

Where routing depends on the response, a client not yet met goes to the intake group,
and moves to the group her response calls for after first contact (a transfer, with the
receiving IDVA's intake hours). Clients already met are routed on what is known.
"""

from __future__ import annotations

import math
from pathlib import Path

from drive_sim.analysis.stats import paired_differences
from drive_sim.model import simulate
from drive_sim.runs.experiment import open_backend, run_experiment
from drive_sim.scenario import load_scenario

SITE1 = Path(__file__).resolve().parents[2] / "scenarios" / "site1.toml"
NOBODY_MET = {"case_mix.already_supported_share": 0.0, "case_mix.already_contacted_share": 0.0}


def _fresh_cases(overrides):
    s = load_scenario(SITE1, {**NOBODY_MET, "backdating.months": 0, **overrides})
    return [c for c in simulate(s, 0).cases if not math.isnan(c.allocated_day)]


def test_a_client_not_yet_met_goes_to_intake_and_moves_after_first_contact():
    cases = _fresh_cases({})
    assert cases and {c.idva_group for c in cases} == {"drive"}  # site 1's intake: the Drive IDVA
    support = [c for c in cases if c.response == "support" and not math.isnan(c.first_contact_day)]
    assert support and all(c.transfers == 1 and c.final_idva.startswith("Wider IDVA") for c in support)
    # her response keeps a monitoring client with the Drive IDVA; nobody moves an unreachable one
    assert all(c.transfers == 0 for c in cases if c.response != "support")


def test_clients_already_met_are_routed_on_what_is_known():
    cases = _fresh_cases({"case_mix.already_contacted_share": 1.0})
    known = [c for c in cases if c.already_contacted]
    assert known and all(c.transfers == 0 for c in known)
    assert {c.idva_group for c in known if c.response == "support"} == {"wider"}


def test_foresight_routes_on_the_drawn_response_and_the_intake_group_is_a_parameter():
    assert all(c.transfers == 0 for c in _fresh_cases({"routing.foresight": True}))
    wider_intake = _fresh_cases({"routing.intake": "wider"})
    assert {c.idva_group for c in wider_intake} == {"wider"}
    # monitoring clients met by the wider team move to the Drive IDVA
    moved = [c for c in wider_intake if c.response == "monitoring" and not math.isnan(c.first_contact_day)]
    assert moved and all(c.transfers == 1 and c.final_idva == "Drive IDVA" for c in moved)


def test_routing_without_foresight_costs_site1s_drive_idva_hours_and_moves_clients():
    """Paired: site 1 as it can run (no foresight) against the same cases routed with foresight."""
    base = load_scenario(SITE1, {"site.horizon_days": 730})
    known = load_scenario(SITE1, {"site.horizon_days": 730, "routing.foresight": True})
    with open_backend("serial") as runner:
        kpis = run_experiment(
            [known, base], replications=12, labels=["foresight", "known"], keep_tables=False, runner=runner
        ).kpis
    differences = paired_differences(kpis[kpis["window"] == "steady"], "foresight").set_index(["kpi", "scope"])
    for kpi in ("transfers_per_case", "drive_idva_hours_per_week", "first_contact_backlog_clients"):
        row = differences.loc[(kpi, "site")]
        assert row["ci_low"] > 0, f"{kpi}: {row['mean_difference']:.3g} [{row['ci_low']:.3g}, {row['ci_high']:.3g}]"


def test_the_receiving_idva_spends_intake_hours_on_a_transfer():
    free = load_scenario(SITE1, {**NOBODY_MET, "hours.idva.transfer_intake_hours": 0.0, "site.horizon_days": 365})
    costly = load_scenario(SITE1, {**NOBODY_MET, "hours.idva.transfer_intake_hours": 5.0, "site.horizon_days": 365})
    ongoing = {}
    for label, s in (("free", free), ("costly", costly)):
        weeks = simulate(s, 0).weeks
        ongoing[label] = sum(w.ongoing_hours for w in weeks if w.role == "wider")
    transfers = sum(c.transfers + c.handovers + c.reassignments for c in simulate(free, 0).cases)
    assert transfers > 0
    assert ongoing["costly"] - ongoing["free"] >= 5.0 * sum(c.transfers for c in simulate(free, 0).cases) - 1e-6
