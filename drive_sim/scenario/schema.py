"""The scenario schema: one frozen pydantic model per section of a scenario file.

Every section and every key is optional: what a file leaves out takes the default below,
so an empty file (or no file) is the **default site**, the study's most common set-up.
Every default's description cites the evidence in ``shared/domain/`` (``seed-extract.md``
as "extract", ``figures.md`` as "figures") or says plainly that it is an assumption.
Loading, overrides and located errors are in ``load``. The sections of how cases arrive
are in ``intake``, those of practitioners' capacity in ``capacity``; this module gathers
them with the rest into :class:`Scenario`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, model_validator

from drive_sim.scenario.capacity import (
    Attrition,
    Burnout,
    CmHours,
    FirstContact,
    Hours,
    IdvaHours,
    Reviews,
    Workforce,
)
from drive_sim.scenario.distributions import (
    Distribution,
    Exponential,
    Triangular,
)
from drive_sim.scenario.distributions import Frozen as _Frozen
from drive_sim.scenario.distributions import fixed as _fixed
from drive_sim.scenario.intake import (
    Backdating,
    CaseMix,
    ClientResponse,
    MonitoringIntervals,
    Panel,
    PerpetratorPanel,
    RampUp,
    Referrals,
)
from drive_sim.scenario.ranges import Range, Uncertainty

__all__ = [
    "Attrition",
    "Backdating",
    "Burnout",
    "CaseManager",
    "CaseLife",
    "CaseMix",
    "ClientResponse",
    "CmHours",
    "Costs",
    "Durations",
    "Engagement",
    "FirstContact",
    "Guidance",
    "Hours",
    "Idva",
    "IdvaGroup",
    "IdvaHours",
    "Launch",
    "MonitoringIntervals",
    "Panel",
    "PerpetratorPanel",
    "Policies",
    "RampUp",
    "Range",
    "Referrals",
    "Reviews",
    "Routing",
    "Run",
    "Scenario",
    "Site",
    "Teams",
    "Uncertainty",
    "Workforce",
]


class Site(_Frozen):
    """The site: its name and description, launch date and how long a run lasts."""

    name: str = Field("Default site", min_length=1, description="Shown in tables and reports.")
    description: str = Field(
        "One named Drive IDVA holds all Drive cases beside a wider IDVA team with its own "
        "non-Drive work; a CM team of 3 CMs and a Team Leader who holds cases; a monthly "
        "perpetrator panel accepting 100 cases a year.",
        description="Free text shown in reports.",
    )
    start_date: dt.date = Field(
        dt.date(2026, 4, 1),
        strict=False,  # a date may be written as a TOML date or as "YYYY-MM-DD"
        description="Launch date (day 0). Display only; the model runs in days.",
    )
    horizon_days: float = Field(1095, gt=0, le=20 * 365, description="Length of a run in days. Assumption: 3 years.")


class Durations(_Frozen):
    """How long things take: the CM intervention, extensions, the IDVA's tail, non-Drive cases, handover."""

    cm_intervention_days: Distribution = Field(
        default_factory=lambda: Triangular(kind="triangular", low=90, mode=210, high=365),
        description="CM intervention, from the gate opening (CM contact with the service user, or "
        "disrupt-only work): the range 3-12 months is the report's (extract Q4, L213); the "
        "triangular shape and 7-month mode are assumptions.",
    )
    extension_probability: float = Field(
        0.1, ge=0, le=1, description="'scope for additional extension' (extract Q4); 10% is an assumption."
    )
    extension_days: Distribution = Field(
        default_factory=lambda: _fixed(90), description="Length of an extension. Assumption: 3 months."
    )
    idva_tail_days: Distribution = Field(
        default_factory=lambda: _fixed(56),
        description="IDVA support after CM closure under 'staggered' or 'cm_waits' closure "
        "(extract §2.16, L367-375). Assumption: 8 weeks.",
    )
    non_drive_case_days: Distribution = Field(
        default_factory=lambda: Exponential(kind="exponential", mean=73),
        description="Non-Drive IDVA case length: mean 2.4 months = 73 days, the SafeLives "
        "basis (extract Q2, L213); the exponential shape is an assumption.",
    )
    contact_strategy_days: Distribution = Field(
        default_factory=lambda: _fixed(28),
        description="CM contact strategy before contacting the service user: 'about a month' (extract Q15, L335).",
    )
    step_down_days: float = Field(
        0,
        ge=0,
        le=365,
        description="Days of step-down support after the CM closes the case of a service user still in direct "
        "work (engaged, not dropped out) (p24, L92; extract §2.17, L381). The case is closed to Drive and off her "
        "caseload (no place under the cap, not an open case, not counted when allocating); only its hours, "
        "hours.cm.step_down_hours_per_week, stay with her post. 0 = no step-down (the default). Assumption: "
        "'who staffs it and for how long is an assumption' (extract recommendations table, L92).",
    )
    handover_days: float = Field(
        56,
        gt=0,
        description="Days before a wider-team IDVA hands the client to a Drive IDVA when "
        "routing.handover is on: 'a couple of months' (extract Q13, L231).",
    )


class CaseManager(_Frozen):
    """One entry of the CM team (or `count` identical CMs)."""

    name: str = Field("CM", min_length=1, description="Label; numbered when count > 1.")
    count: int = Field(1, ge=1, le=100, description="How many identical CMs this entry stands for.")
    fte: float = Field(1.0, gt=0, le=1.5, description="Full-time equivalent.")
    team_leader: bool = Field(False, description="A Team Leader 'who also held cases' (extract §1b, site table).")
    caseload_share: float = Field(
        1.0,
        gt=0,
        le=1,
        description="Share of a full caseload held. The TL's share is not in the report; "
        "assumption: 0.5 for a Team Leader.",
    )
    salary: float | None = Field(None, gt=0, description="Annual salary; defaults to costs.cm_salary.")


class Idva(_Frozen):
    """One entry of the IDVA team (or `count` identical IDVAs)."""

    name: str = Field("IDVA", min_length=1, description="Label; numbered when count > 1.")
    count: int = Field(1, ge=1, le=100, description="How many identical IDVAs this entry stands for.")
    fte: float = Field(1.0, gt=0, le=1.5, description="Full-time equivalent.")
    role: Literal["drive", "wider"] = Field(
        "drive", description="'drive': a named Drive IDVA; 'wider': the wider IDVA team (extract §6a)."
    )
    non_drive_referrals_per_year: float = Field(
        0,
        ge=0,
        le=10_000,
        description="Business-as-usual referrals a year. SafeLives: about 100 per FTE (figures §1).",
    )
    attends_panel: bool = Field(False, description="Attends panel meetings (costs hours.panel_hours).")
    allocates: bool = Field(
        False,
        description="Allocates the Drive cases: each client given an IDVA place costs this IDVA "
        "hours.idva.allocation_hours (Site 2's 'lead Drive IDVA who allocated cases', extract §1b, L177; "
        "'allocation overhead on the lead', §3a S2). With several allocators the least loaded in post does it.",
    )
    allocation_weight: float = Field(
        1.0,
        gt=0,
        description="Relative share of Drive cases when picking within a group (Site 4: one "
        "IDVA 'held slightly more', extract §1b).",
    )
    salary: float | None = Field(None, gt=0, description="Annual salary; defaults to costs.idva_salary.")


def _default_case_managers() -> list[CaseManager]:
    return [
        CaseManager(name="Case Manager", count=3),
        CaseManager(name="Team Leader", team_leader=True, caseload_share=0.5),
    ]


def _default_idvas() -> list[Idva]:
    return [
        Idva(name="Drive IDVA", role="drive", non_drive_referrals_per_year=0, attends_panel=True),
        Idva(name="Wider IDVA", role="wider", count=3, non_drive_referrals_per_year=100),
    ]


class Teams(_Frozen):
    """The CM team and the IDVA team the site starts with."""

    case_managers: list[CaseManager] = Field(
        default_factory=_default_case_managers,
        min_length=1,
        description=(
            "Every CM team had four practitioners: 4 CMs, or 3 CMs and a Team Leader who holds cases "
            "(extract §1b, L165)."
        ),
    )
    idvas: list[Idva] = Field(
        default_factory=_default_idvas,
        min_length=1,
        description="Default: one named Drive IDVA beside a wider team of 3 (wider-team size "
        "and FTE are not in the report: assumption).",
    )


IdvaGroup = Literal["drive", "wider", "all"]


class Routing(_Frozen):
    """Who receives each kind of client, how an IDVA is picked, handover, liaison and the caseload cap."""

    support: IdvaGroup = Field("drive", description="Group that receives clients in support.")
    monitoring: IdvaGroup = Field("drive", description="Group that receives monitoring clients.")
    unreachable: IdvaGroup = Field(
        "drive",
        description="Group that makes first contact with clients who turn out unreachable. Nobody knows a "
        "client will be unreachable before trying, so this applies only with routing.foresight; otherwise "
        "routing.intake makes first contact.",
    )
    intake: IdvaGroup = Field(
        "drive",
        description="Where routing depends on the client's response: the group that makes first contact with a "
        "client whose response is not yet known. After first contact she moves to the group her response "
        "calls for (a transfer, with its intake hours). Already-contacted, already-supported and backdated "
        "clients are routed on what is known. Assumption: the study does not say who makes first contact; "
        "at Site 1 the Drive IDVA tried the clients who proved unreachable.",
    )
    foresight: bool = Field(
        False,
        description="Route on the response drawn at referral, as if it were known before anyone has met the "
        "client. No site can do this: it is for textbook checks and for measuring what foresight changes.",
    )
    already_supported: Literal["existing", "drive", "wider", "all"] = Field(
        "existing",
        description="Clients who already have an IDVA stay with her (Sites 5 and 6, extract §2.19).",
    )
    backdated: Literal["drive", "as_normal", "wider", "all"] = Field(
        "drive",
        description="Backlog cases 'came straight over to the Drive IDVA' (extract §2.3, L293); "
        "'as_normal' follows the rules above.",
    )
    pick: Literal["least_loaded", "round_robin", "weighted"] = Field(
        "least_loaded",
        description="How an IDVA is chosen in a group: fewest open cases (Drive and non-Drive) per FTE x "
        "allocation weight x current capacity (a new starter counts at her induction share); in turn; or at "
        "random in proportion to FTE x weight. Assumption.",
    )
    handover: bool = Field(
        False,
        description="A wider-team IDVA hands the client to a Drive IDVA after durations.handover_days (extract Q13).",
    )
    liaison: Literal["direct", "relayed"] = Field(
        "direct",
        description="'relayed': information for cases held outside the Drive IDVAs goes via the "
        "named Drive IDVA (Site 6, extract §2.18-19).",
    )
    liaison_delay_days: float = Field(
        2.0,
        ge=0,
        le=90,
        description="Days old the information about the client is when the CM hears it at a joint review "
        "(hours.reviews), over direct liaison: what the IDVA passes on is as old as her last contact with the "
        "client. A review then counts as a review of information this old. Assumption: 2 days; a shared office "
        "shortens it (Site 4, 'Same office', extract §1b, L171-181).",
    )
    relay_delay_days: float = Field(
        5.0,
        ge=0,
        le=90,
        description="Days relayed liaison (routing.liaison = 'relayed') adds to routing.liaison_delay_days for a "
        "case held outside the Drive IDVAs: the client's IDVA tells the named Drive IDVA, who passes it on "
        "(Site 6, 'information then went via the Drive IDVA', extract §1b, L180-181; 'information wouldn't be "
        "flowing as freely', §2.18, L237-239; 'relay load and delay', §3a S6). Assumption: 5 days.",
    )
    cross_border: Literal["extra_hours", "reroute"] = Field(
        "extra_hours",
        description="Cross-border cases (case_mix.cross_border_share: the client lives in another area from "
        "the service user). 'extra_hours': this site's IDVA holds the client and spends "
        "hours.idva.cross_border_hours_per_week on the liaison (extract §2.20, L857). 'reroute': as the study "
        "recommends, 'consider altering referral processes so cases are always held by practitioners within "
        "the same area' (p54, extract recommendations table, L90-91; two neighbouring sites did so, extract "
        "§2.20): the client goes to an IDVA in the other area, not this site's, so no IDVA here holds her or "
        "spends cross-border hours; the CM gets the gate's word from that IDVA routing.reroute_word_days "
        "after acceptance, like a proxy's (gate_word 'other_area'), and her joint reviews here do not cover "
        "the case. Assumption: the receiving area's capacity is not modelled.",
    )
    reroute_word_days: float = Field(
        14,
        ge=0,
        le=365,
        description="Under routing.cross_border = 'reroute': days from acceptance until the IDVA in the other "
        "area gives the CM the gate's word (her first contact and sign-off there). Assumption: two weeks, "
        "about policies.proxy_days; the study gives no figure.",
    )
    contacts: Literal["named", "all_drive"] = Field(
        "named",
        description="Who answers Drive queries (hours.idva.query_hours_per_case_per_week): one named key "
        "contact, the first Drive IDVA in teams.idvas (the next Drive IDVA in post while her post is vacant), "
        "or every Drive IDVA in post, sharing them equally ('Sites to consider whether Drive IDVAs could all "
        "act as contacts for Drive queries, rather than having one person named as a key contact', p14, "
        "extract recommendations table, L75). No effect while the query load is 0 (the default).",
    )
    co_location_days_per_week: float = Field(
        0,
        ge=0,
        le=5,
        description="Days a week the CMs and the Drive IDVAs work in one office ('Drive teams to commit to "
        "working in the same location … at least one day a week', p63, extract recommendations table, L81; "
        "Site 4, 'Same office', extract §1b, L171-181). Functional form, an assumption: with d co-located days "
        "spread evenly through the week, what a Drive IDVA tells the CM waits on average 3.5/d days for the "
        "next co-located day, so the age of the information heard over that link is at most 3.5/d days: "
        "min(liaison_delay_days, 3.5/d) for a Drive IDVA's own cases, and min(relay_delay_days, 3.5/d) for "
        "the relay leg of a relayed case. Wider-team IDVAs are not co-located. 0 = none (the default); 1 "
        "day a week shortens only delays above 3.5 days.",
    )
    caseload_cap: int | None = Field(
        None,
        ge=1,
        description="Most Drive cases a full-time IDVA may hold (scaled by FTE); none by default, as in the study.",
    )
    cm_caseload_cap: int | None = Field(
        None,
        ge=1,
        description="Most Drive cases a full-time Case Manager may hold (scaled by FTE and caseload share); an "
        "accepted case then waits for a CM place, first come first served. None by default (the study names no "
        "CM cap). Assumption.",
    )
    when_full: Literal["waitlist", "overflow", "allocate_anyway"] = Field(
        "allocate_anyway",
        description=(
            "At the cap: the client waits for a place; goes to the wider team; or the caseload just grows (the study)."
        ),
    )


class Engagement(_Frozen):
    """Service-user engagement and the 'window of opportunity' (extract §2.4, L309)."""

    base_probability: float = Field(
        0.75,
        ge=0,
        le=1,
        description=(
            "Chance a service user engages when first contacted without delay. Assumption (no rate in "
            "the report, extract §2.11)."
        ),
    )
    window_effect: bool = Field(
        True,
        description="ASSUMPTION, flagged: engagement falls as the gate delays contact ('you've "
        "almost missed your window of opportunity', L309). Switch off to remove the effect.",
    )
    half_life_days: float = Field(
        60,
        gt=0,
        description="Days of delay beyond the contact strategy's planned end (the wait on the gate, or a slow "
        "strategy) that halve the chance of engagement. Assumption.",
    )
    cm_shortfall_elasticity: float = Field(
        0.5,
        ge=0,
        le=5,
        description="ASSUMPTION, flagged: a Case Manager whose week asks more hours than she has (workload w > 1) "
        "gets through 1/w of her work, so her strategies take longer and her direct work falls short; the chance "
        "a service user engages is multiplied by (1/w) to this power (the study: CM capacity problems exist but "
        "are 'much more notable for IDVAs', extract §2.9). 0 switches the engagement effect off.",
    )
    deselect_non_engaging_probability: float = Field(
        0.5,
        ge=0,
        le=1,
        description=(
            "Non-engaging service users deselected at the next panel; the rest get disrupt-only work "
            "(extract §2.13, L813). Assumption."
        ),
    )


class Policies(_Frozen):
    """The gate (when CMs may contact the service user), closure order and service-user engagement."""

    gate: Literal["strict", "cautious", "none"] = Field(
        "strict",
        description="CM contact 'hinges on the IDVA's say so' (extract §2.6, L588); some sites "
        "proceed cautiously (L817).",
    )
    cautious_after_days: float = Field(
        28, gt=0, description="Under 'cautious', disrupt work starts after these days without IDVA contact. Assumption."
    )
    unreachable_deselect_probability: float = Field(
        0.7,
        ge=0,
        le=1,
        description="Under 'strict', a case whose client is unreachable goes back to panel and "
        "is deselected with this chance (extract §2.13, L813); otherwise disrupt-only. Assumption.",
    )
    withhold_share: float = Field(
        0.05,
        ge=0,
        le=1,
        description="Share of contacted clients for whom the IDVA withholds sign-off for a while (risk of "
        "escalation, or liability: an IDVA 'reluctant to sign off ... concerned about being liable', extract "
        "§2.6, L628). Assumption: 5%.",
    )
    withhold_days: float = Field(
        28, ge=0, description="How long a withheld sign-off is held back before the IDVA is asked again. Assumption."
    )
    proxy_share: float = Field(
        0.1,
        ge=0,
        le=1,
        description="Share of cases where another professional (a Domestic Abuse Risk Officer, social worker, "
        "housing officer ...) can act as proxy and give the CM the information instead of the IDVA (extract "
        "§2.9, L795-799; 'seen as less good'). Under 'strict' the proxy's word opens the gate, so an "
        "unreachable client's case can still go ahead. Assumption: 10%.",
    )
    proxy_days: float = Field(
        42,
        ge=0,
        description="Days after acceptance for the proxy's information to reach the CM (the case may go back to "
        "panel to find a proxy, L795). Assumption.",
    )
    closure: Literal["together", "staggered", "cm_waits"] = Field(
        "together",
        description="'together': the IDVA closes with the CM (L367); 'staggered': the IDVA keeps "
        "the client for durations.idva_tail_days (the report's recommendation, L369); "
        "'cm_waits': the CM holds the case open until the IDVA finishes (L371-375).",
    )
    engagement: Engagement = Field(default_factory=Engagement)


class Guidance(_Frozen):
    """The figures outputs are judged against: SafeLives and Drive guidance."""

    idva_open_cases_per_fte: float = Field(
        20,
        gt=0,
        description="100 cases a year x 2.4 months ~= 20 open at a time (extract §1f); a "
        "published alternative is ~25 (figures §1).",
    )
    idva_cases_per_year_per_fte: float = Field(100, gt=0, description="SafeLives: 100 cases a year (extract Q1, L213).")
    drive_cases_per_year_per_cm_team: float = Field(
        100, gt=0, description="Drive target per CM team (extract Q3, L213)."
    )
    cm_open_cases_per_fte: float = Field(
        15,
        gt=0,
        description="Open cases per CM: intensive case management standard 12-15, never more "
        "than 25 (figures §5); Drive CM caseloads are unverified (figures §2b).",
    )
    first_contact_days: float = Field(
        7, gt=0, description="Target for first contact. Assumption; UAVA contacted within a week (figures §1)."
    )


class Costs(_Frozen):
    """Salaries and on-costs, for the cost of the staffing."""

    idva_salary: float = Field(26432, gt=0, description="Median domestic abuse support worker, IfATE (figures §3).")
    cm_salary: float = Field(29558, gt=0, description="Drive Case Manager advert, 2017 (figures §3).")
    on_cost_multiplier: float = Field(1.3, ge=1, description="Employer NI, pension and overheads. Assumption.")


class Run(_Frozen):
    """Seed, replications and warm-up."""

    seed: int = Field(20200601, ge=0, description="Master seed; every random stream derives from it.")
    replications: int = Field(20, ge=1, le=100_000, description="Independent runs to average over.")
    warmup_days: Annotated[float, Field(ge=0)] | Literal["auto"] = Field(
        "auto",
        description="Days left out of the steady-state KPIs, or 'auto': each replication's MSER-5 "
        "warm-up on its weekly open IDVA cases. The launch (first 26 weeks) is reported apart.",
    )


class CaseLife(_Frozen):
    """Life inside a case after first contact: clients disengage and re-engage, service users drop out."""

    client_disengage_per_year: float = Field(
        0.5,
        ge=0,
        le=50,
        description="Hazard (a year) that a client in IDVA support disengages: 'client engagement dropped off after "
        "they had already started meeting a service user' (extract §2.10, L829-831). Assumption: 0.5 a year.",
    )
    disengage_to_monitoring_share: float = Field(
        0.6,
        ge=0,
        le=1,
        description="Share of disengaging clients who accept monitoring check-ins; the IDVA closes her side for the "
        "rest ('sometimes sporadic engagement ... is enough', extract §2.8, L779). Assumption.",
    )
    client_reengage_per_year: float = Field(
        1.0,
        ge=0,
        le=50,
        description="Hazard (a year) that a client who disengaged to monitoring comes back into support (once). "
        "Assumption.",
    )
    service_user_dropout_per_year: float = Field(
        0.4,
        ge=0,
        le=50,
        description="Hazard (a year) that an engaged service user stops engaging during direct work; the CM goes "
        "on with disrupt work ('Shortly after this, the client also disengaged', extract §2.10, L658). Assumption.",
    )
    shortfall_raises_disengagement: bool = Field(
        True,
        description="ASSUMPTION, flagged: a client whose IDVA fell short of the support hours asked last week is "
        "more likely to disengage: her hazard is multiplied by 1 + (shortfall_multiplier - 1) x the IDVA's "
        "shortfall share. Switch off to remove the effect.",
    )
    shortfall_multiplier: float = Field(
        3.0, ge=1, le=20, description="The disengagement hazard's multiplier at a total support shortfall. Assumption."
    )


class Launch(_Frozen):
    """The IDVA service's readiness at launch: bought in from the start, or some months later.

    "Drive Partnership to work more closely with local agencies – the IDVA service in
    particular – before Case Manager service providers begin operation" (p18, extract
    recommendations table, L77): until the IDVA service is bought in, its IDVAs give Drive
    clients a share of their first-contact hours and attend fewer panel meetings. The
    default (bought in from launch) changes nothing.
    """

    idva_buy_in_days: float = Field(
        0,
        ge=0,
        le=20 * 365,
        description="Days from launch until the IDVA service is bought in to Drive (p18, extract recommendations "
        "table, L77: 'slower first contact, lower allocation priority in early months'). 0 = bought in from "
        "launch: no effect. Assumption (the study gives no length).",
    )
    first_contact_share_before_buy_in: float = Field(
        1.0,
        gt=0,
        le=1,
        description="Before buy-in, the share of each IDVA's daily first-contact hours (the reserve plus what "
        "ongoing work leaves) she gives to Drive clients: the rest goes elsewhere, so Drive clients wait longer in "
        "her first-contact queue (their lower priority, as hours). A share of hours; 1 = no effect. Assumption.",
    )
    panel_attendance_before_buy_in: float = Field(
        1.0,
        ge=0,
        le=1,
        description="Before buy-in, the share of panel meetings a panel-attending IDVA attends (and spends "
        "hours.idva.panel_hours on), taken deterministically (she attends when the running share reaches a "
        "whole meeting, so no random draw). A share of meetings; 1 = no effect. Assumption.",
    )


class Scenario(_Frozen):
    """A whole scenario: one table per section; every section and key is optional."""

    site: Site = Field(default_factory=Site)
    referrals: Referrals = Field(default_factory=Referrals)
    backdating: Backdating = Field(default_factory=Backdating)
    case_mix: CaseMix = Field(default_factory=CaseMix)
    durations: Durations = Field(default_factory=Durations)
    teams: Teams = Field(default_factory=Teams)
    routing: Routing = Field(default_factory=Routing)
    policies: Policies = Field(default_factory=Policies)
    hours: Hours = Field(default_factory=Hours)
    case_life: CaseLife = Field(default_factory=CaseLife)
    workforce: Workforce = Field(default_factory=Workforce)
    launch: Launch = Field(default_factory=Launch)
    guidance: Guidance = Field(default_factory=Guidance)
    costs: Costs = Field(default_factory=Costs)
    run: Run = Field(default_factory=Run)
    uncertainty: Uncertainty = Field(default_factory=Uncertainty)

    @model_validator(mode="after")
    def _groups_have_members(self) -> Scenario:
        roles = {idva.role for idva in self.teams.idvas}
        problems = []
        for key in ("support", "monitoring", "unreachable", "already_supported", "backdated"):
            group = getattr(self.routing, key)
            if group in ("drive", "wider") and group not in roles:
                problems.append(f"routing.{key} names the '{group}' IDVA group, which has no members in teams.idvas")
        if self.routing.handover and not {"drive", "wider"} <= roles:
            problems.append("routing.handover needs both 'drive' and 'wider' IDVAs in teams.idvas")
        if self.routing.liaison == "relayed" and "drive" not in roles:
            problems.append("routing.liaison = 'relayed' needs a 'drive' IDVA to relay through")
        if self.routing.when_full == "overflow" and self.routing.caseload_cap is not None and "wider" not in roles:
            problems.append("routing.when_full = 'overflow' needs a 'wider' IDVA team to overflow to")
        names = [p.name for p in self.teams.idvas] + [p.name for p in self.teams.case_managers]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            problems.append(f"teams: practitioner names must be unique; repeated: {', '.join(duplicates)}")
        if self.run.warmup_days != "auto" and self.run.warmup_days >= self.site.horizon_days:
            problems.append("run.warmup_days must be shorter than site.horizon_days")
        if problems:
            raise ValueError("; ".join(problems))
        return self
