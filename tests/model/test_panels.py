"""MARAC then panel (issue 15, item 5): a case listed at MARAC, then decided at a perpetrator panel.

Four of the six sites ran a MARAC and a perpetrator panel (extract §1b, L163): with
``referrals.perpetrator_panel`` a case listed at MARAC (after any deferral there) waits
for the next perpetrator-panel meeting, may be put back there too, and is accepted only
at the panel's decision. Without the table a MARAC case is accepted at MARAC.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from drive_sim.analysis.stats import paired_differences
from drive_sim.model import simulate
from drive_sim.model.referrals import meeting_days
from drive_sim.runs.experiment import open_backend, run_experiment
from drive_sim.scenario import Scenario, ScenarioError, load_scenario, parse_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
SITE1 = SCENARIOS / "site1.toml"


def _marac_alone(scenario: Scenario) -> Scenario:
    """The same site with MARAC alone: the perpetrator-panel table left out."""
    referrals = scenario.referrals.model_copy(update={"perpetrator_panel": None})
    return scenario.model_copy(update={"referrals": referrals})


@pytest.mark.parametrize("site", ["site1", "site2", "site4", "site5"])
def test_the_four_sites_with_both_run_marac_then_panel(site):
    referrals = load_scenario(SCENARIOS / f"{site}.toml").referrals
    assert [p.kind for p in referrals.panels] == ["marac"] and referrals.perpetrator_panel is not None


@pytest.mark.parametrize("site", ["site3", "site6"])
def test_the_two_marac_only_sites_have_no_perpetrator_panel(site):
    assert load_scenario(SCENARIOS / f"{site}.toml").referrals.perpetrator_panel is None


def test_every_case_is_accepted_at_a_panel_meeting_after_its_marac_listing():
    scenario = load_scenario(SITE1, {"site.horizon_days": 730})
    panel = scenario.referrals.perpetrator_panel
    assert panel is not None
    panel_days = {float(d) for d in meeting_days(panel, scenario.site.horizon_days)}
    marac_every = scenario.referrals.panels[0].every_days
    cases = simulate(scenario, 0).cases
    accepted = [c for c in cases if not c.backdated and not math.isnan(c.accepted_day)]
    assert len(accepted) > 100
    for c in accepted:
        marac_decision = c.marac_day + c.deferrals * marac_every
        assert c.marac_day == c.listed_day
        assert c.accepted_day == c.panel_day
        assert c.accepted_day in panel_days
        assert c.accepted_day > marac_decision
        # the next meeting after MARAC's decision, put back once per panel deferral
        later = sorted(d for d in panel_days if d > marac_decision)
        assert c.accepted_day == later[c.panel_deferrals]
    assert any(c.panel_deferrals > 0 for c in accepted)
    # the backlog is accepted as one block at launch, through neither meeting
    assert all(math.isnan(c.marac_day) and math.isnan(c.panel_day) for c in cases if c.backdated)


def test_marac_alone_accepts_at_marac_and_share_sends_only_some_cases_to_the_panel():
    scenario = load_scenario(SITE1, {"site.horizon_days": 365})
    alone = [c for c in simulate(_marac_alone(scenario), 0).cases if not c.backdated]
    assert alone and all(math.isnan(c.panel_day) and c.marac_day == c.listed_day for c in alone)
    assert all(c.accepted_day == c.listed_day + 14 * c.deferrals for c in alone if not math.isnan(c.accepted_day))
    some = load_scenario(SITE1, {"site.horizon_days": 365, "referrals.perpetrator_panel.share": 0.5})
    fresh = [c for c in simulate(some, 0).cases if not c.backdated and not math.isnan(c.accepted_day)]
    decided = sum(not math.isnan(c.panel_day) for c in fresh)
    assert 0 < decided < len(fresh)


def test_the_panel_after_marac_clearly_lengthens_the_days_from_marac_to_acceptance():
    """Paired: site 1 with MARAC then panel against the same cases with MARAC alone."""
    both = load_scenario(SITE1, {"site.horizon_days": 730})
    with open_backend("serial") as runner:
        kpis = run_experiment(
            [_marac_alone(both), both],
            replications=10,
            labels=["marac_alone", "marac_then_panel"],
            keep_tables=False,
            runner=runner,
        ).kpis
    differences = paired_differences(kpis[kpis["window"] == "steady"], "marac_alone").set_index(["kpi", "scope"])
    row = differences.loc[("marac_to_acceptance_median_days", "site")]
    shown = f"{row['mean_difference']:.3g} [{row['ci_low']:.3g}, {row['ci_high']:.3g}], n={row['n']}"
    print(f"marac_to_acceptance_median_days, panel minus MARAC alone: {shown}")
    assert row["ci_low"] > 0, shown


MARAC = "[[referrals.panels]]\nkind = 'marac'\nevery_days = 14\n"


@pytest.mark.parametrize(
    "text, key",
    [
        (MARAC + "[referrals.perpetrator_panel]\nevery_days = 0\n", "referrals.perpetrator_panel.every_days"),
        (MARAC + "[referrals.perpetrator_panel]\nshare = 1.5\n", "referrals.perpetrator_panel.share"),
        (
            MARAC + "[referrals.perpetrator_panel]\ndeferral_probability = 1\n",
            "referrals.perpetrator_panel.deferral_probability",
        ),
        (MARAC + "[referrals.perpetrator_panel]\nfirst_day = -3\n", "referrals.perpetrator_panel.first_day"),
        (MARAC + "[referrals.perpetrator_panel]\nevry_days = 28\n", "referrals.perpetrator_panel.evry_days"),
        ("[referrals.perpetrator_panel]\nevery_days = 28\n", "referrals"),  # no MARAC to come through
    ],
)
def test_a_bad_perpetrator_panel_gives_a_located_error(text, key):
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, "bad.toml")
    assert key in [k for k, _ in caught.value.problems], caught.value.problems
