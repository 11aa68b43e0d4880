"""Scenario sections of how cases arrive: panels, referrals and their ramp-up, backdating, and the case mix.

Part of the scenario schema (:mod:`drive_sim.scenario.schema` gathers every section);
each default's description cites the evidence or says it is an assumption.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from drive_sim.scenario.distributions import Frozen as _Frozen

__all__ = [
    "Backdating",
    "CaseMix",
    "ClientResponse",
    "MonitoringIntervals",
    "Panel",
    "PerpetratorPanel",
    "RampUp",
    "Referrals",
]

#: How far shares that must add to 1 may miss it (rounding in a file).
SHARE_TOLERANCE = 1e-6


class Panel(_Frozen):
    """A panel meeting that accepts Drive cases: MARAC or a perpetrator panel, how often, and its share of cases."""

    kind: Literal["marac", "perpetrator_panel"] = Field(
        "perpetrator_panel",
        description="4 of 6 sites had a perpetrator panel as well as MARAC (extract §1b, L163).",
    )
    every_days: float = Field(
        28, ge=1, description="Meeting interval. Monthly is implied by 'listed for next month' (extract Q14)."
    )
    first_day: float = Field(0, ge=0, description="Day of the first meeting after launch.")
    share: float = Field(1.0, gt=0, le=1, description="Share of accepted cases accepted at this panel.")


class PerpetratorPanel(_Frozen):
    """A perpetrator panel that decides on cases after their MARAC listing (MARAC then panel, extract §1b, L163)."""

    every_days: float = Field(
        28,
        ge=1,
        description="Perpetrator-panel meeting interval. Monthly is implied by 'listed for next month' "
        "(extract Q14, L865).",
    )
    first_day: float = Field(
        0, ge=0, description="Day of the first perpetrator-panel meeting after launch. Assumption."
    )
    deferral_probability: float = Field(
        0.1,
        ge=0,
        lt=1,
        description="Chance a case listed at the perpetrator panel is put back to its next meeting "
        "('listed for next month', extract Q14, L865). Assumption: 10%, as at MARAC.",
    )
    share: float = Field(
        1.0,
        ge=0,
        le=1,
        description="Share of the cases listed at MARAC that also need the perpetrator panel's decision "
        "(the rest are accepted at MARAC). Cases reach Drive 'through MARAC' and then the panel at 4 of 6 "
        "sites (extract §1b, L163; §3 item 1). Assumption: all of them.",
    )
    idva_attends: bool = Field(
        True,
        description="The IDVAs who attend panel (teams.idvas[i].attends_panel) attend these meetings too, "
        "each costing hours.idva.panel_hours, as at MARAC. Assumption.",
    )


class RampUp(_Frozen):
    """Referrals rise from a share of the full rate after launch (extract §1c)."""

    start_share: float = Field(
        0.5,
        gt=0,
        le=1,
        description="Referral rate at launch as a share of the full rate. Assumption: agencies "
        "refer less while Drive is new; embedding takes 'a few years' (extract §1c, L279).",
    )
    days: float = Field(180, ge=0, description="Days to rise linearly to the full rate. Assumption.")


class Referrals(_Frozen):
    """Accepted Drive cases: how many a year, at which panel meetings, ramp-up after launch, deferral."""

    annual_rate: float = Field(
        100,
        ge=0,
        le=10_000,
        description="Accepted Drive cases a year: the Drive target per CM team (extract Q3, L213).",
    )
    dispersion: float = Field(
        0.0,
        ge=0,
        description="Over-dispersion of cases per meeting: 0 is Poisson; k > 0 gives a "
        "negative binomial with variance mean + k*mean^2. Assumption.",
    )
    panels: list[Panel] = Field(
        default_factory=lambda: [Panel()],
        min_length=1,
        description="Meetings that accept cases; shares must sum to 1.",
    )
    ramp_up: RampUp = Field(default_factory=RampUp)
    deferral_probability: float = Field(
        0.1,
        ge=0,
        lt=1,
        description="Chance a listed case is put back to the next meeting ('listed for next "
        "month', extract Q14, L865). Assumption: 10%.",
    )
    perpetrator_panel: PerpetratorPanel | None = Field(
        None,
        description="MARAC then panel: cases listed at the `marac` meetings in `panels` (after any deferral "
        "there) go to the next perpetrator-panel meeting and are accepted at its decision. 4 of 6 sites had "
        "a perpetrator panel as well as MARAC (extract §1b, L163). Absent: MARAC or panel alone.",
    )

    @model_validator(mode="after")
    def _shares(self) -> Referrals:
        total = sum(p.share for p in self.panels)
        if abs(total - 1) > SHARE_TOLERANCE:
            raise ValueError(f"panel shares must sum to 1 (they sum to {total:g})")
        if self.perpetrator_panel is not None and not any(p.kind == "marac" for p in self.panels):
            raise ValueError("perpetrator_panel needs a panel of kind 'marac' in panels (cases come through MARAC)")
        return self


class Backdating(_Frozen):
    """Past MARAC cases accepted at launch (extract §2.3): how many months, how fast they arrive."""

    months: float = Field(
        0,
        ge=0,
        le=24,
        description="Months of past MARACs accepted at launch. 0 = a slow build (the study's "
        "counterfactual, extract Q18); one site backdated (extract §2.3, L293).",
    )
    arrival_spread_days: float = Field(
        14, ge=0, description="Backlog cases arrive evenly over these days from launch. Assumption."
    )
    already_supported_share: float = Field(
        0.7,
        ge=0,
        le=1,
        description="Share of backlog clients already in IDVA support: 'many clients had "
        "already been contacted ... they came straight over' (extract §2.3, L293). Assumption: 70%.",
    )


class ClientResponse(_Frozen):
    """How clients respond to the IDVA: support, monitoring or unreachable (shares summing to 1)."""

    support: float = Field(
        0.40, ge=0, le=1, description="Client engages in intensive support. Assumption (see unreachable)."
    )
    monitoring: float = Field(
        0.25,
        ge=0,
        le=1,
        description="Client declines support but accepts check-ins (extract Q8, L785). Assumption.",
    )
    unreachable: float = Field(
        0.35,
        ge=0,
        le=1,
        description="Client not reached after every attempt. Assumption: 65% engaged, between "
        "the 39% in one site's data and the ~90% it claimed (extract Q7, L169).",
    )

    @model_validator(mode="after")
    def _sum(self) -> ClientResponse:
        total = self.support + self.monitoring + self.unreachable
        if abs(total - 1) > SHARE_TOLERANCE:
            raise ValueError(f"support + monitoring + unreachable must sum to 1 (they sum to {total:g})")
        return self


class MonitoringIntervals(_Frozen):
    """Shares of monitoring clients called every 2, 4 or 8 weeks (extract Q8, L785)."""

    every_2_weeks: float = Field(0.25, ge=0, le=1, description="Assumption.")
    every_4_weeks: float = Field(0.5, ge=0, le=1, description="Assumption.")
    every_8_weeks: float = Field(0.25, ge=0, le=1, description="Assumption.")

    @model_validator(mode="after")
    def _sum(self) -> MonitoringIntervals:
        total = self.every_2_weeks + self.every_4_weeks + self.every_8_weeks
        if abs(total - 1) > SHARE_TOLERANCE:
            raise ValueError(f"interval shares must sum to 1 (they sum to {total:g})")
        return self


class CaseMix(_Frozen):
    """What is drawn for each case at referral: client response, already supported or contacted, cross-border."""

    client_response: ClientResponse = Field(default_factory=ClientResponse)
    monitoring_intervals: MonitoringIntervals = Field(default_factory=MonitoringIntervals)
    already_supported_share: float = Field(
        0.2,
        ge=0,
        le=1,
        description="Clients who already have an IDVA when Drive accepts the case (extract §2.19). Assumption: 20%.",
    )
    already_contacted_share: float = Field(
        0.25,
        ge=0,
        le=1,
        description="Reachable clients the IDVA met through MARAC before allocation, so first "
        "contact is already done (extract §2.4, L304). Assumption: 25%.",
    )
    cross_border_share: float = Field(
        0.05,
        ge=0,
        le=1,
        description="Cases whose IDVA works in another area (extract §2.20, L857). Assumption: 5%.",
    )
