"""The flat rows a simulation emits. Plain dataclasses: no pandas here.

``drive_sim.analysis.metrics`` turns lists of these into tables. Times are in days from launch; a time that
never happened is ``nan``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

__all__ = [
    "CaseRecord",
    "PractitionerInfo",
    "SimulationOutput",
    "SiteWeek",
    "WeeklyState",
    "WorkforceEvent",
    "column_names",
]

NAN = float("nan")


@dataclass(slots=True)
class CaseRecord:
    """One Drive case (one service user and one client), as it stood at the end of the run."""

    case_id: int
    backdated: bool
    listed_day: float
    accepted_day: float
    deferrals: int
    response: str  # support | monitoring | unreachable
    already_supported: bool
    already_contacted: bool
    cross_border: bool
    cm: str = ""
    idva: str = ""  # the IDVA first allocated
    final_idva: str = ""  # the IDVA holding the client at the end
    idva_group: str = ""  # drive | wider: group of the IDVA first allocated
    former_idva: str = ""  # an already-supported client's own IDVA, when she moved to another
    waitlist_entry_day: float = NAN  # put on the waitlist for an IDVA place
    waitlist_exit_day: float = NAN  # off the waitlist: given a place, or the case ended
    waitlist_days: float = 0.0  # waitlist_exit_day - waitlist_entry_day (0 if she never waited)
    allocated_day: float = NAN  # given an IDVA place (after any wait on the list)
    first_contact_day: float = NAN
    first_contact_attempts: int = 0
    unreachable_day: float = NAN
    cm_allocated_day: float = NAN  # given a Case Manager (after any wait for a CM place)
    cm_waitlist_days: float = 0.0  # days waiting for a CM place (routing.cm_caseload_cap)
    contact_strategy_end_day: float = NAN  # the CM's contact strategy is written
    gate_open_day: float = NAN  # the IDVA says the CM may contact (acceptance under gate 'none')
    gate_word: str = ""  # who opened the gate: signed_off (the IDVA) | proxy | "" (gate none, or still shut)
    cm_first_contact_day: float = NAN  # the CM contacts the service user: strategy done and gate open
    service_user_engaged: float = NAN  # 1.0, 0.0, or nan where no contact was made
    client_disengaged_day: float = NAN  # left support: to monitoring, or the IDVA closed her side
    client_reengaged_day: float = NAN  # back in support after disengaging to monitoring
    service_user_dropout_day: float = NAN  # an engaged service user stopped engaging (disrupt work from then)
    engagement_lost_to_wait: float = NAN  # chance of engagement lost to the wait on the gate (nan: no contact)
    disrupt_only: bool = False
    deselected_day: float = NAN
    cm_closed_day: float = NAN
    idva_closed_day: float = NAN
    extended: bool = False
    handovers: int = 0
    transfers: int = 0  # moved to the group her response calls for, after first contact at intake
    reassignments: int = 0
    relayed: bool = False
    max_unreviewed_days: float = 0.0
    reviews: int = 0  # joint CM-IDVA reviews of the case (hours.reviews)
    info_age_days: float = NAN  # mean age of the information heard at its reviews (nan: never reviewed)
    status: str = "open"  # open | closed | deselected at the end of the run
    marac_day: float = NAN  # first listed at a MARAC (nan: listed at a perpetrator panel, or backdated)
    panel_day: float = NAN  # the perpetrator panel's decision after MARAC, = accepted_day (nan: MARAC alone)
    panel_deferrals: int = 0  # times put back to the next perpetrator-panel meeting


@dataclass(slots=True)
class WeeklyState:
    """One practitioner at the end of one week."""

    week: int
    day: float
    practitioner: str
    kind: str  # idva | cm
    role: str  # drive | wider | cm | team_leader
    fte: float
    drive_open: int
    non_drive_open: int
    demand_hours: float
    available_hours: float
    shortfall_hours: float
    first_contact_hours: float
    first_contact_queue: int
    new_drive_cases: int
    new_non_drive_cases: int
    unreviewed_cases: int
    burnt_out: bool
    vacant: bool
    # Hours asked are a flow: each piece of work in the week it falls due, counted once.
    # demand_hours = ongoing_hours + first_contact_due_hours = drive_hours + non-Drive hours.
    ongoing_hours: float = 0.0  # cases held, meetings, liaison and non-Drive work this week
    first_contact_due_hours: float = 0.0  # first-contact attempts that fell due this week
    first_contact_backlog_clients: int = 0  # clients whose next attempt is due and not yet made
    first_contact_backlog_hours: float = 0.0  # the hours of those attempts
    drive_hours: float = 0.0  # the part of demand_hours Drive cases ask for (all of a CM's)


@dataclass(slots=True)
class SiteWeek:
    """Site-wide counts at the end of one week (for conservation checks)."""

    week: int
    day: float
    accepted: int
    waiting: int  # accepted, waiting for an IDVA place
    open: int
    closed: int
    deselected: int


@dataclass(slots=True)
class WorkforceEvent:
    day: float
    practitioner: str
    kind: str  # idva | cm
    event: str  # burnout_start | burnout_end | left | started


@dataclass(slots=True)
class PractitionerInfo:
    name: str
    kind: str
    role: str
    fte: float
    capacity_share: float
    annual_cost: float


@dataclass(slots=True)
class SimulationOutput:
    """Everything one replication produced."""

    replication: int
    horizon_days: float
    practitioners: list[PractitionerInfo] = field(default_factory=list)
    cases: list[CaseRecord] = field(default_factory=list)
    weeks: list[WeeklyState] = field(default_factory=list)
    site_weeks: list[SiteWeek] = field(default_factory=list)
    workforce_events: list[WorkforceEvent] = field(default_factory=list)


def column_names(row_type: type) -> list[str]:
    """Column names of a record type, in declaration order."""
    return [f.name for f in fields(row_type)]
