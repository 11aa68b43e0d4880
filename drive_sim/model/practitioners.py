"""The practitioners of a site: IDVAs and Case Managers, their hours and their week.

Practitioners follow the probation Workload Measurement Tool (figures §4): a
practitioner has ``fte x contracted hours x productive share`` hours a week (less during
induction, none while the post is vacant). What differs between an IDVA and a Case
Manager in the weekly accounting (first contact, business-as-usual cases, guidance) is a
method of each type, so :func:`drive_sim.model.hours.weekly_tick` has no branches on
the kind of practitioner.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, TypeVar

from drive_sim.model.hours import WeekRates, cm_caseload_hours, idva_caseload_hours
from drive_sim.scenario import Guidance, Scenario

if TYPE_CHECKING:
    from collections.abc import Iterable

    from drive_sim.model.case import Case
    from drive_sim.model.referrals import NonDriveReferrals

__all__ = [
    "CaseManagerState",
    "IdvaState",
    "Kind",
    "Practitioner",
    "Role",
    "WeekFigures",
    "expand_team",
    "least_loaded",
]

#: The two kinds of practitioner.
Kind = Literal["idva", "cm"]
#: Roles: Drive or wider-team IDVA; Case Manager or a Team Leader holding part of a caseload.
Role = Literal["drive", "wider", "cm", "team_leader"]


class WeekFigures:
    """What a practitioner's week adds beyond her ongoing hours (see ``week_figures``).

    A plain class rather than a NamedTuple: compiled, it is made several times faster
    (one per practitioner per week).
    """

    __slots__ = (
        "backlog_clients",
        "backlog_hours",
        "drive_hours",
        "due_hours",
        "first_contact_hours",
        "new_non_drive_cases",
        "non_drive_open",
        "queue",
        "unreviewed_cases",
    )

    def __init__(
        self,
        first_contact_hours: float,  # first-contact hours worked this week
        due_hours: float,  # first-contact hours that fell due this week (asked)
        backlog_clients: int,  # clients whose first contact is due and still waiting
        backlog_hours: float,
        non_drive_open: int,  # business-as-usual cases open
        drive_hours: float,  # the part of the hours asked that Drive cases ask for
        unreviewed_cases: int,  # cases not reviewed within the alert interval
        queue: int,  # clients in her first-contact queue or awaiting her sign-off
        new_non_drive_cases: int,
    ) -> None:
        self.first_contact_hours = first_contact_hours
        self.due_hours = due_hours
        self.backlog_clients = backlog_clients
        self.backlog_hours = backlog_hours
        self.non_drive_open = non_drive_open
        self.drive_hours = drive_hours
        self.unreviewed_cases = unreviewed_cases
        self.queue = queue
        self.new_non_drive_cases = new_non_drive_cases


@dataclass(eq=False)
class Practitioner:
    name: str
    kind: Kind
    role: Role
    fte: float
    index: int
    capacity_share: float = 1.0  # share of a full caseload (a Team Leader holds less)
    weight: float = 1.0  # allocation weight within a group
    cases: dict[int, Case] = field(default_factory=dict)  # Drive cases held, by case id
    vacant: bool = False
    capacity_factor: float = 1.0  # below 1 during induction
    # burnout and the current week's accumulators
    above_weeks: int = 0
    below_weeks: int = 0
    burnt_out: bool = False
    last_workload: float = 0.0
    last_shortfall_share: float = 0.0  # last week: ongoing hours asked but not delivered, as a share
    meeting_hours: float = 0.0
    intake_hours: float = 0.0  # taking over clients this week (handover, transfer, reassignment)
    new_drive_cases: int = 0

    def load(self, now: float) -> float:
        """Open cases per FTE at current capacity: who is least loaded gets the next case."""
        raise NotImplementedError

    def holds_cases(self, now: float) -> bool:
        """Whether any case is still on her caseload (uncovered, if she has left)."""
        return bool(self.cases)

    def falls_vacant(self) -> None:
        """Just before her post falls vacant (she leaves)."""

    def filled(self) -> None:
        """Just after her post is filled again (a new starter)."""

    def pace(self) -> float:
        """Share of the work asked that she gets through this week: 1 up to a full week's hours.

        Above it (last week's workload w > 1) she gets through 1/w; nothing while the post
        is vacant.
        """
        if self.vacant:
            return 0.0
        return 1.0 / max(1.0, self.last_workload)

    def available_hours(self, rates: WeekRates) -> float:
        if self.vacant:
            return 0.0
        return self.fte * self.capacity_share * rates.contracted * rates.productive * self.capacity_factor

    # ---- the weekly accounting (drive_sim.model.hours.weekly_tick) ---------------------

    def ongoing_hours(self, now: float, rates: WeekRates) -> float:
        """Hours a week her current cases ask for, meetings of the week included."""
        raise NotImplementedError

    def week_figures(self, now: float, rates: WeekRates, ongoing: float, alert_days: float) -> WeekFigures:
        """The rest of the week's figures, given her ongoing hours (counts due attempts once)."""
        raise NotImplementedError

    def carried_backlog(self) -> float:
        """Hours outstanding from earlier weeks that may count again toward burnout."""
        return 0.0

    def guidance_limit(self, guidance: Guidance) -> float:
        """Open cases per FTE that sector guidance allows her kind of practitioner."""
        raise NotImplementedError

    def open_caseload(self, figures: WeekFigures) -> int:
        """Cases open at the week's end, Drive and business as usual."""
        return len(self.cases) + figures.non_drive_open

    def close_week(self, available: float, ongoing: float, figures: WeekFigures, rates: WeekRates) -> None:
        """Reset the week's accumulators once the week is recorded."""
        self.meeting_hours = self.intake_hours = 0.0
        self.new_drive_cases = 0


@dataclass(eq=False)
class IdvaState(Practitioner):
    attends_panel: bool = False
    non_drive_rate: float = 0.0  # referrals a year
    non_drive_closing: list[float] = field(default_factory=list)  # heap of closing days
    first_contact_queue: list[Case] = field(default_factory=list)
    sign_off_queue: list[Case] = field(default_factory=list)  # contacted clients awaiting her sign-off
    first_contact_credit: float = 0.0
    first_contact_hours_per_day: float = 0.0
    first_contact_hours: float = 0.0  # this week
    first_contact_due_hours: float = 0.0  # this week: attempts that fell due
    carried_backlog_hours: float = 0.0  # first-contact hours outstanding at the end of last week
    new_non_drive_cases: int = 0
    relaying: dict[int, Case] = field(default_factory=dict)  # cases whose liaison she relays
    query_hours: float = 0.0  # this week: Drive queries on her as a contact (routing.contacts)
    # Her post's business-as-usual referrals, applied when her heap is next read (see NonDriveReferrals).
    non_drive_feed: NonDriveReferrals | None = None

    def catch_up_non_drive(self, now: float) -> None:
        """Put the business-as-usual referrals due by ``now`` on her heap: call before using it."""
        feed = self.non_drive_feed
        if feed is not None and feed.next_day <= now:
            feed.catch_up(now)

    def non_drive_open(self, now: float) -> int:
        feed = self.non_drive_feed
        if feed is not None and feed.next_day <= now:
            feed.catch_up(now)
        closing = self.non_drive_closing
        while closing and closing[0] <= now:
            heapq.heappop(closing)
        return len(closing)

    def holds_cases(self, now: float) -> bool:
        self.catch_up_non_drive(now)
        return bool(self.cases or self.non_drive_closing)

    def falls_vacant(self) -> None:
        if self.non_drive_feed is not None:
            self.non_drive_feed.post_vacated()

    def filled(self) -> None:
        if self.non_drive_feed is not None:
            self.non_drive_feed.post_filled()

    def open_cases(self, now: float) -> int:
        return len(self.cases) + self.non_drive_open(now)

    def load(self, now: float) -> float:
        """Open cases (Drive and non-Drive) per FTE, allocation weight and current capacity.

        Counting capacity keeps a new starter in induction from being handed a whole
        panel's cases because her caseload is empty.
        """
        return self.open_cases(now) / (self.fte * self.weight * self.capacity_factor)

    def count_attempt_due(self, case: Case, attempt_hours: float) -> None:
        """Count the hours of the client's next attempt as asked of her, once.

        Called when the attempt is made and, at the week's end, for every client whose
        next attempt is due: so an attempt's hours are asked in the week it falls due,
        whether it is made that week or waits.
        """
        if case.attempts_due <= case.attempts:
            case.attempts_due = case.attempts + 1
            self.first_contact_due_hours += attempt_hours

    def set_first_contact_budget(self, available: float, ongoing: float, rates: WeekRates) -> None:
        """Next week's first-contact hours a day: the reserve, plus what ongoing work leaves."""
        # Reserved hours are per full-time post: a half-time IDVA keeps half of them.
        reserved = min(rates.reserved_first_contact * self.fte, available)
        self.first_contact_hours_per_day = (reserved + max(0.0, available - reserved - ongoing)) / 5

    def ongoing_hours(self, now: float, rates: WeekRates) -> float:
        total = self.meeting_hours + self.intake_hours
        total += idva_caseload_hours(self.cases.values(), now, rates)
        total += self.non_drive_open(now) * rates.non_drive
        total += len(self.relaying) * rates.relayed_liaison
        if self.query_hours:
            total += self.query_hours
        return total

    def week_figures(self, now: float, rates: WeekRates, ongoing: float, alert_days: float) -> WeekFigures:
        attempt_hours = rates.attempt
        eligible = 0
        for case in self.first_contact_queue:
            if case.not_before <= now:
                eligible += 1
                self.count_attempt_due(case, attempt_hours)
        due = self.first_contact_due_hours
        non_drive = self.non_drive_open(now)
        signing = len(self.sign_off_queue)  # contacted clients still awaiting her sign-off
        return WeekFigures(
            first_contact_hours=self.first_contact_hours,
            due_hours=due,
            backlog_clients=eligible + signing,
            backlog_hours=eligible * attempt_hours + signing * rates.sign_off,
            non_drive_open=non_drive,
            drive_hours=ongoing - non_drive * rates.non_drive + due,
            unreviewed_cases=0,
            queue=len(self.first_contact_queue) + signing,
            new_non_drive_cases=self.new_non_drive_cases,
        )

    def carried_backlog(self) -> float:
        return self.carried_backlog_hours

    def guidance_limit(self, guidance: Guidance) -> float:
        return guidance.idva_open_cases_per_fte

    def close_week(self, available: float, ongoing: float, figures: WeekFigures, rates: WeekRates) -> None:
        super().close_week(available, ongoing, figures, rates)
        self.first_contact_hours = self.first_contact_due_hours = 0.0
        self.carried_backlog_hours = figures.backlog_hours
        self.new_non_drive_cases = 0
        self.set_first_contact_budget(available, ongoing, rates)


@dataclass(eq=False)
class CaseManagerState(Practitioner):
    induction_hours: float = 0.0  # this week: inducting IDVAs (hours.cm.induction_hours_per_idva)
    step_down_ends: list[float] = field(default_factory=list)  # heap: days her step-down support ends

    def load(self, now: float) -> float:
        """Open cases per caseload FTE at current capacity (see IdvaState.load)."""
        return len(self.cases) / (self.fte * self.capacity_share * self.capacity_factor)

    def ongoing_hours(self, now: float, rates: WeekRates) -> float:
        total = self.meeting_hours + cm_caseload_hours(self.cases.values(), now, rates)
        if self.induction_hours:
            total += self.induction_hours
        ends = self.step_down_ends
        if ends:
            while ends and ends[0] <= now:
                heapq.heappop(ends)
            total += len(ends) * rates.step_down
        return total

    def week_figures(self, now: float, rates: WeekRates, ongoing: float, alert_days: float) -> WeekFigures:
        unreviewed = 0
        for case in self.cases.values():
            if now - case.last_review > alert_days:
                unreviewed += 1
        return WeekFigures(0.0, 0.0, 0, 0.0, 0, ongoing, unreviewed, 0, 0)

    def guidance_limit(self, guidance: Guidance) -> float:
        return guidance.cm_open_cases_per_fte

    def close_week(self, available: float, ongoing: float, figures: WeekFigures, rates: WeekRates) -> None:
        super().close_week(available, ongoing, figures, rates)
        self.induction_hours = 0.0


P = TypeVar("P", bound=Practitioner)


def least_loaded(people: Iterable[P], now: float) -> P:
    """The practitioner with the lowest load now; the first in the team on a tie.

    ``min`` by ``(load, index)``, written out: it runs at every allocation.
    """
    best: P | None = None
    best_load = 0.0
    best_index = 0
    for person in people:
        load = person.load(now)
        if best is None or load < best_load or (load == best_load and person.index < best_index):
            best, best_load, best_index = person, load, person.index
    if best is None:
        raise ValueError("least_loaded() of nobody")
    return best


def expand_team(scenario: Scenario) -> tuple[list[IdvaState], list[CaseManagerState]]:
    """Practitioners from the team entries (an entry with count n stands for n people)."""
    idvas: list[IdvaState] = []
    for idva in scenario.teams.idvas:
        for k in range(idva.count):
            idvas.append(
                IdvaState(
                    name=idva.name if idva.count == 1 else f"{idva.name} {k + 1}",
                    kind="idva",
                    role=idva.role,
                    fte=idva.fte,
                    index=len(idvas),
                    weight=idva.allocation_weight,
                    attends_panel=idva.attends_panel,
                    non_drive_rate=idva.non_drive_referrals_per_year,
                )
            )
    cms: list[CaseManagerState] = []
    for cm in scenario.teams.case_managers:
        for k in range(cm.count):
            cms.append(
                CaseManagerState(
                    name=cm.name if cm.count == 1 else f"{cm.name} {k + 1}",
                    kind="cm",
                    role="team_leader" if cm.team_leader else "cm",
                    fte=cm.fte,
                    index=len(cms),
                    capacity_share=cm.caseload_share,
                )
            )
    return idvas, cms
