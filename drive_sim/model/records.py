"""The flat rows a simulation emits. Plain dataclasses: no pandas here.

``drive_sim.analysis.metrics`` turns lists of these into tables. Times are in days from launch; a time that
never happened is ``nan``.
"""

from __future__ import annotations

import struct
from array import array
from dataclasses import dataclass, field, fields

__all__ = [
    "WEEK_NUMBERS",
    "CaseRecord",
    "PractitionerInfo",
    "SimulationOutput",
    "SiteWeek",
    "WeeklyState",
    "WorkforceEvent",
    "column_names",
]

NAN = float("nan")


@dataclass(init=False, slots=True)
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

    def __init__(
        self,
        case_id: int,
        backdated: bool,
        listed_day: float,
        accepted_day: float,
        deferrals: int,
        response: str,
        already_supported: bool,
        already_contacted: bool,
        cross_border: bool,
        cm: str = "",
        idva: str = "",
        final_idva: str = "",
        idva_group: str = "",
        former_idva: str = "",
        waitlist_entry_day: float = NAN,
        waitlist_exit_day: float = NAN,
        waitlist_days: float = 0.0,
        allocated_day: float = NAN,
        first_contact_day: float = NAN,
        first_contact_attempts: int = 0,
        unreachable_day: float = NAN,
        cm_allocated_day: float = NAN,
        cm_waitlist_days: float = 0.0,
        contact_strategy_end_day: float = NAN,
        gate_open_day: float = NAN,
        gate_word: str = "",
        cm_first_contact_day: float = NAN,
        service_user_engaged: float = NAN,
        client_disengaged_day: float = NAN,
        client_reengaged_day: float = NAN,
        service_user_dropout_day: float = NAN,
        engagement_lost_to_wait: float = NAN,
        disrupt_only: bool = False,
        deselected_day: float = NAN,
        cm_closed_day: float = NAN,
        idva_closed_day: float = NAN,
        extended: bool = False,
        handovers: int = 0,
        transfers: int = 0,
        reassignments: int = 0,
        relayed: bool = False,
        max_unreviewed_days: float = 0.0,
        reviews: int = 0,
        info_age_days: float = NAN,
        status: str = "open",
        marac_day: float = NAN,
        panel_day: float = NAN,
        panel_deferrals: int = 0,
    ) -> None:
        # Written out: dataclass's generated __init__ would run as Python, this one is compiled.
        self.case_id = case_id
        self.backdated = backdated
        self.listed_day = listed_day
        self.accepted_day = accepted_day
        self.deferrals = deferrals
        self.response = response
        self.already_supported = already_supported
        self.already_contacted = already_contacted
        self.cross_border = cross_border
        self.cm = cm
        self.idva = idva
        self.final_idva = final_idva
        self.idva_group = idva_group
        self.former_idva = former_idva
        self.waitlist_entry_day = waitlist_entry_day
        self.waitlist_exit_day = waitlist_exit_day
        self.waitlist_days = waitlist_days
        self.allocated_day = allocated_day
        self.first_contact_day = first_contact_day
        self.first_contact_attempts = first_contact_attempts
        self.unreachable_day = unreachable_day
        self.cm_allocated_day = cm_allocated_day
        self.cm_waitlist_days = cm_waitlist_days
        self.contact_strategy_end_day = contact_strategy_end_day
        self.gate_open_day = gate_open_day
        self.gate_word = gate_word
        self.cm_first_contact_day = cm_first_contact_day
        self.service_user_engaged = service_user_engaged
        self.client_disengaged_day = client_disengaged_day
        self.client_reengaged_day = client_reengaged_day
        self.service_user_dropout_day = service_user_dropout_day
        self.engagement_lost_to_wait = engagement_lost_to_wait
        self.disrupt_only = disrupt_only
        self.deselected_day = deselected_day
        self.cm_closed_day = cm_closed_day
        self.idva_closed_day = idva_closed_day
        self.extended = extended
        self.handovers = handovers
        self.transfers = transfers
        self.reassignments = reassignments
        self.relayed = relayed
        self.max_unreviewed_days = max_unreviewed_days
        self.reviews = reviews
        self.info_age_days = info_age_days
        self.status = status
        self.marac_day = marac_day
        self.panel_day = panel_day
        self.panel_deferrals = panel_deferrals


@dataclass(init=False, slots=True)
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

    def __init__(
        self,
        week: int,
        day: float,
        practitioner: str,
        kind: str,
        role: str,
        fte: float,
        drive_open: int,
        non_drive_open: int,
        demand_hours: float,
        available_hours: float,
        shortfall_hours: float,
        first_contact_hours: float,
        first_contact_queue: int,
        new_drive_cases: int,
        new_non_drive_cases: int,
        unreviewed_cases: int,
        burnt_out: bool,
        vacant: bool,
        ongoing_hours: float = 0.0,
        first_contact_due_hours: float = 0.0,
        first_contact_backlog_clients: int = 0,
        first_contact_backlog_hours: float = 0.0,
        drive_hours: float = 0.0,
    ) -> None:
        # Written out: dataclass's generated __init__ would run as Python, this one is compiled.
        self.week = week
        self.day = day
        self.practitioner = practitioner
        self.kind = kind
        self.role = role
        self.fte = fte
        self.drive_open = drive_open
        self.non_drive_open = non_drive_open
        self.demand_hours = demand_hours
        self.available_hours = available_hours
        self.shortfall_hours = shortfall_hours
        self.first_contact_hours = first_contact_hours
        self.first_contact_queue = first_contact_queue
        self.new_drive_cases = new_drive_cases
        self.new_non_drive_cases = new_non_drive_cases
        self.unreviewed_cases = unreviewed_cases
        self.burnt_out = burnt_out
        self.vacant = vacant
        self.ongoing_hours = ongoing_hours
        self.first_contact_due_hours = first_contact_due_hours
        self.first_contact_backlog_clients = first_contact_backlog_clients
        self.first_contact_backlog_hours = first_contact_backlog_hours
        self.drive_hours = drive_hours

    def numbers(self, position: int) -> tuple[float, ...]:
        """Its :data:`WEEK_NUMBERS`, as floats: its numeric fields, then ``position`` (the practitioner's)."""
        return (
            float(self.week),
            self.day,
            self.fte,
            float(self.drive_open),
            float(self.non_drive_open),
            self.demand_hours,
            self.available_hours,
            self.shortfall_hours,
            float(self.first_contact_queue),
            float(self.new_drive_cases),
            float(self.new_non_drive_cases),
            float(self.unreviewed_cases),
            1.0 if self.burnt_out else 0.0,
            1.0 if self.vacant else 0.0,
            self.ongoing_hours,
            float(self.first_contact_backlog_clients),
            self.first_contact_backlog_hours,
            self.drive_hours,
            float(position),
        )

    def packed(self, position: int) -> bytes:
        """:meth:`numbers` as the bytes of that many doubles, as ``array("d").frombytes`` takes them.

        Packing them in one call is several times faster than ``array.extend`` of the
        tuple, which converts the floats one at a time (this runs for every practitioner
        every week).
        """
        return _PACK_WEEK(*self.numbers(position))


@dataclass(init=False, slots=True)
class SiteWeek:
    """Site-wide counts at the end of one week (for conservation checks)."""

    week: int
    day: float
    accepted: int
    waiting: int  # accepted, waiting for an IDVA place
    open: int
    closed: int
    deselected: int

    def __init__(
        self, week: int, day: float, accepted: int, waiting: int, open: int, closed: int, deselected: int
    ) -> None:
        # Written out: dataclass's generated __init__ would run as Python, this one is compiled.
        self.week = week
        self.day = day
        self.accepted = accepted
        self.waiting = waiting
        self.open = open
        self.closed = closed
        self.deselected = deselected


@dataclass(init=False, slots=True)
class WorkforceEvent:
    day: float
    practitioner: str
    kind: str  # idva | cm
    event: str  # burnout_start | burnout_end | left | started

    def __init__(self, day: float, practitioner: str, kind: str, event: str) -> None:
        # Written out: dataclass's generated __init__ would run as Python, this one is compiled.
        self.day = day
        self.practitioner = practitioner
        self.kind = kind
        self.event = event


@dataclass(slots=True)
class PractitionerInfo:
    name: str
    kind: str
    role: str
    fte: float
    capacity_share: float
    annual_cost: float


#: The weekly states' numbers the analysis reads, in the order the model also keeps them
#: flat (``SimulationOutput.week_numbers``): ``WeeklyState`` fields, then the
#: practitioner's position in ``SimulationOutput.practitioners``.
WEEK_NUMBERS: tuple[str, ...] = (
    "week", "day", "fte", "drive_open", "non_drive_open", "demand_hours", "available_hours",
    "shortfall_hours", "first_contact_queue", "new_drive_cases", "new_non_drive_cases",
    "unreviewed_cases", "burnt_out", "vacant", "ongoing_hours", "first_contact_backlog_clients",
    "first_contact_backlog_hours", "drive_hours", "practitioner_position",
)  # fmt: skip
#: Packs a weekly state's WEEK_NUMBERS as native doubles, the layout of ``array("d")``.
_PACK_WEEK = struct.Struct(f"{len(WEEK_NUMBERS)}d").pack


@dataclass(slots=True)
class SimulationOutput:
    """Everything one replication produced.

    ``week_numbers`` holds the numbers of ``weeks`` again, flat, as doubles (an
    ``array("d")``, which numpy reads without a copy): each weekly
    state's :data:`WEEK_NUMBERS` in turn, appended by the model as it records the week,
    so the KPIs read them without touching every state's attributes (a tenth of the
    cost). Empty when the weekly states came from elsewhere: the KPIs then read the
    states themselves, with the same result (as they do if the states were changed
    after the run: ``analysis.metrics`` checks the numbers are the states').
    """

    replication: int
    horizon_days: float
    practitioners: list[PractitionerInfo] = field(default_factory=list)
    cases: list[CaseRecord] = field(default_factory=list)
    weeks: list[WeeklyState] = field(default_factory=list)
    site_weeks: list[SiteWeek] = field(default_factory=list)
    workforce_events: list[WorkforceEvent] = field(default_factory=list)
    week_numbers: array[float] | list[float] = field(default_factory=lambda: array("d"))


def column_names(row_type: type) -> list[str]:
    """Column names of a record type, in declaration order."""
    return [f.name for f in fields(row_type)]
