"""Scenario sections of practitioners' capacity: the hours work asks, and the workforce (burnout, leaving).

Part of the scenario schema (:mod:`drive_sim.scenario.schema` gathers every section);
each default's description cites the evidence or says it is an assumption.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from drive_sim.scenario.distributions import Distribution
from drive_sim.scenario.distributions import Frozen as _Frozen
from drive_sim.scenario.distributions import fixed as _fixed

__all__ = [
    "Attrition",
    "Burnout",
    "CmHours",
    "FirstContact",
    "Hours",
    "IdvaHours",
    "Reviews",
    "Workforce",
]


class IdvaHours(_Frozen):
    """Hours an IDVA's work asks, by kind of case and phase."""

    support_intensive_hours_per_week: float = Field(
        2.0, ge=0, description="Support in the first weeks after first contact. Assumption."
    )
    intensive_weeks: float = Field(6, ge=0, description="Weeks of intensive support. Assumption.")
    support_hours_per_week: float = Field(
        1.0,
        ge=0,
        description=(
            "Ongoing support. Assumption: ~70 minutes per client a week at 30 cases (figures §1, Refuge "
            "Workers United)."
        ),
    )
    monitoring_call_hours: float = Field(
        0.5, ge=0, description="One check-in: 'very brief conversations' (extract Q8). Assumption: 30 minutes."
    )
    non_drive_hours_per_week: float = Field(
        0.8,
        ge=0,
        description="A non-Drive case, intake included. Assumption: at the guidance caseload of 20 this "
        "uses 16 of 26 productive hours, leaving the headroom the report asks for (L213); ~70 "
        "minutes per client a week at 30 cases (figures §1).",
    )
    first_contact_hours: float = Field(
        2.0, gt=0, description="One first-contact attempt: a first visit takes about 2 hours (figures §1)."
    )
    reserved_first_contact_hours_per_week: float = Field(
        6.0,
        ge=0,
        description="Hours kept for new referrals whatever else is due: high-risk referrals come first "
        "(UAVA triaged within 48 hours, figures §1). Assumption: 6 hours, 3 attempts a week.",
    )
    cross_border_hours_per_week: float = Field(
        0.25, ge=0, description="Extra liaison for a cross-border case (extract §2.20). Assumption."
    )
    relayed_liaison_hours_per_week: float = Field(
        0.25,
        ge=0,
        description="Named Drive IDVA's time per case whose liaison she relays (Site 6). Assumption.",
    )
    query_hours_per_case_per_week: float = Field(
        0,
        ge=0,
        le=10,
        description="Hours a week of Drive queries (from CMs and other agencies) per Drive client held by this "
        "site's IDVAs after first contact, falling on the Drive contact(s) of routing.contacts (p14, L75; "
        "'liaison hours on the named IDVA', extract recommendations table). 0 = no query load (the default). "
        "The amount is an assumption.",
    )
    panel_hours: float = Field(3.0, ge=0, description="One panel meeting, preparation included. Assumption.")
    sign_off_hours: float = Field(
        0.5,
        ge=0,
        description="The IDVA's sign-off: a safety check with the client after first contact before she tells the "
        "CM it is safe to proceed (the gate 'hinges on the IDVA's say so', extract §2.6, L588); done from her "
        "first-contact hours after any first-contact attempts. 0 makes the word immediate on contact. "
        "Assumption: 30 minutes.",
    )
    allocation_hours: float = Field(
        0.5,
        ge=0,
        description="Hours an allocating IDVA (teams.idvas[].allocates) spends allocating one Drive case "
        "(reading the referral, choosing the IDVA, passing it on), counted in the week the client is given a "
        "place (Site 2, extract §1b, L177; §3a S2 'allocation overhead on the lead'). Only sites with an "
        "allocator pay it. Assumption: 30 minutes (the study gives no figure).",
    )
    transfer_intake_hours: float = Field(
        1.0,
        ge=0,
        description="Hours the receiving IDVA spends taking over a client (reading the case, an introduction) "
        "on a handover, a transfer to the group her response calls for, or a reassignment when an IDVA "
        "leaves, counted in the week it happens. Assumption (the study gives no figure).",
    )


class FirstContact(_Frozen):
    """The IDVA's attempts to reach a client for first contact."""

    max_attempts: int = Field(
        3,
        ge=1,
        description=(
            "Attempts before a client is unreachable. Assumption (UAVA made 3 attempts within a week, figures §1)."
        ),
    )
    retry_days: float = Field(2, ge=0, description="Days between attempts. Assumption.")
    answer_probability: float = Field(
        0.6, gt=0, le=1, description="Chance a reachable client answers a given attempt. Assumption."
    )


class CmHours(_Frozen):
    """Hours a Case Manager's work asks a week, by phase of the case."""

    contact_strategy_hours_per_week: float = Field(1.5, ge=0, description="Writing the contact strategy. Assumption.")
    awaiting_gate_hours_per_week: float = Field(
        0.25, ge=0, description="Holding a case while the gate is shut. Assumption."
    )
    direct_hours_per_week: float = Field(
        1.25,
        ge=0,
        description=(
            "Direct (behaviour-change) work. Assumption; 48 contacts a month per FTE case manager (figures §5)."
        ),
    )
    disrupt_hours_per_week: float = Field(0.5, ge=0, description="Disrupt-only work. Assumption.")
    holding_hours_per_week: float = Field(
        0.25, ge=0, description="Holding a case open for the IDVA under 'cm_waits'. Assumption."
    )
    step_down_hours_per_week: float = Field(
        0,
        ge=0,
        le=40,
        description="Step-down support: hours a week the CM spends on each engaged service user during the "
        "durations.step_down_days after she closes his case ('many believed that step-down procedures were "
        "lacking', extract §2.17, L381; 'monitoring processes/step-down support for service users', p24, L92). "
        "0 = none (the default). The amount is an assumption.",
    )
    induction_hours_per_idva: float = Field(
        0,
        ge=0,
        le=200,
        description="CM hours spent inducting each IDVA who may hold Drive cases: every such IDVA in post at "
        "launch, and each such new starter when she starts ('Inductions delivered by Case Managers, for all new "
        "IDVA staff who might hold Drive cases', p18, extract recommendations table, L73; 'changes to IDVA team "
        "structure would require training', L74; extract §4, L361). Hours per IDVA, shared equally by the CMs in "
        "post and asked in the week she starts (at launch: the first week). 0 = no induction cost (the "
        "default). The amount is an assumption.",
    )
    induction_for: Literal["drive", "all"] = Field(
        "drive",
        description="Which IDVAs count as 'who might hold Drive cases' for induction_hours_per_idva: the named "
        "Drive IDVAs, or every IDVA in the team (where wider-team IDVAs keep already-supported clients or take "
        "Drive clients by routing). Assumption.",
    )


class Reviews(_Frozen):
    """Joint CM-IDVA case reviews (extract §2.15)."""

    interval_weeks: float = Field(
        4, gt=0, description="Joint CM-IDVA case reviews: weekly to 6-weekly (extract Q9, L670); 4 is an assumption."
    )
    meeting_hours: float = Field(1.0, gt=0, description="'we only have like an hour' (extract Q10, L668).")
    cases_per_meeting: int = Field(6, ge=1, description="'about five or six cases' (extract Q10, L668).")
    skip_above_workload: float = Field(
        1.25,
        gt=0,
        description="An IDVA above this workload ratio misses the meeting ('struggling to even "
        "meet with her clients, let alone us', L223). Assumption.",
    )
    unreviewed_alert_weeks: float = Field(
        6, gt=0, description="A case unreviewed longer than this is flagged: the report's 6-weekly upper end (L670)."
    )


class Hours(_Frozen):
    """Workload in hours, as the probation Workload Measurement Tool counts it (figures §4)."""

    contracted_hours_per_week: float = Field(37.5, gt=0, description="Full-time contract.")
    productive_share: float = Field(
        0.7,
        gt=0,
        le=1,
        description="Share of contracted hours for casework. Assumption; a police demand model used 70% (figures §4).",
    )
    idva: IdvaHours = Field(default_factory=IdvaHours)
    first_contact: FirstContact = Field(default_factory=FirstContact)
    cm: CmHours = Field(default_factory=CmHours)
    reviews: Reviews = Field(default_factory=Reviews)


class Burnout(_Frozen):
    """When a practitioner counts as burnt out (the probation excessive-workload rule, figures §5)."""

    rule: Literal["workload", "caseload"] = Field(
        "workload", description="'workload': hours ratio; 'caseload': open cases against guidance."
    )
    workload_threshold: float = Field(
        1.10, gt=0, description="Above 110% of capacity: the probation excessive-workload rule (figures §5)."
    )
    caseload_multiple: float = Field(
        1.5,
        gt=0,
        description=(
            "Under rule 'caseload': open cases above this multiple of guidance. Assumption (extract §6c "
            "suggests 1.0-1.5)."
        ),
    )
    consecutive_weeks: int = Field(4, ge=1, description="For 4 consecutive weeks: the probation rule (figures §5).")
    backlog_counts: bool = Field(
        False,
        description="Under rule 'workload': whether first-contact hours still outstanding from earlier weeks "
        "count again toward the threshold. Default false: the probation Workload Measurement Tool compares the "
        "hours each case's required activity takes with contracted hours (figures §4), and the excessive-"
        "workload rule reads that capacity % (figures §5), so work is counted once, in the week it falls due; "
        "the backlog is reported on its own. True treats the queue of waiting clients as extra pressure.",
    )
    recovery_weeks: int = Field(4, ge=1, description="Consecutive weeks at or below threshold to recover. Assumption.")


class Attrition(_Frozen):
    """Leaving, vacancy and induction for one kind of practitioner."""

    enabled: bool = Field(True, description="Practitioners may leave.")
    annual_turnover: float = Field(
        0.15,
        ge=0,
        lt=1,
        description="Base chance of leaving within a year. Assumption: 7-16% comparators (figures §5).",
    )
    burnout_multiplier: float = Field(
        3.9,
        ge=1,
        description="Hazard multiplier while burnt out: 43% vs 11% intending to leave (Aiken 2002, figures §5).",
    )
    vacancy_days: Distribution = Field(
        default_factory=lambda: _fixed(90), description="Post vacant while recruiting. Assumption: 3 months."
    )
    induction_days: float = Field(90, ge=0, description="New starter at reduced capacity. Assumption.")
    induction_capacity_share: float = Field(0.5, gt=0, le=1, description="Capacity during induction. Assumption.")
    reassign: Literal["same_group", "uncovered"] = Field(
        "same_group",
        description="A leaver's cases go to the least loaded in her group (else the wider "
        "team), or stay uncovered until the post is filled.",
    )


def _cm_attrition() -> Attrition:
    return Attrition(annual_turnover=0.083)


class Workforce(_Frozen):
    """Burnout, turnover, vacancy and induction for IDVAs and CMs."""

    burnout: Burnout = Field(default_factory=Burnout)
    idva_attrition: Attrition = Field(default_factory=Attrition)
    cm_attrition: Attrition = Field(
        default_factory=_cm_attrition,
        description="CMs: base turnover 8.3%, probation officers to June 2024 (figures §5).",
    )
