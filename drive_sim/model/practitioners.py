"""IDVAs and Case Managers as the model holds them: caseloads, hours and state.

Hours follow the probation Workload Measurement Tool (figures §4): each case asks for
hours a week by its type and phase; a practitioner has ``fte x contracted hours x
productive share`` hours a week (less during induction, none while the post is vacant).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from drive_sim.scenario import Hours

if TYPE_CHECKING:
    from drive_sim.model.cases import Case

__all__ = ["CaseManagerState", "IdvaState", "Practitioner", "cm_caseload_hours", "idva_caseload_hours"]


@dataclass(eq=False)
class Practitioner:
    name: str
    kind: str  # idva | cm
    role: str  # drive | wider | cm | team_leader
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
    meeting_hours: float = 0.0
    new_drive_cases: int = 0

    def available_hours(self, hours: Hours) -> float:
        if self.vacant:
            return 0.0
        return (
            self.fte
            * self.capacity_share
            * hours.contracted_hours_per_week
            * hours.productive_share
            * self.capacity_factor
        )


@dataclass(eq=False)
class IdvaState(Practitioner):
    attends_panel: bool = False
    non_drive_rate: float = 0.0  # referrals a year
    non_drive_closing: list[float] = field(default_factory=list)  # heap of closing days
    first_contact_queue: list[Case] = field(default_factory=list)
    first_contact_credit: float = 0.0
    first_contact_hours_per_day: float = 0.0
    first_contact_hours: float = 0.0  # this week
    first_contact_due_hours: float = 0.0  # this week: attempts that fell due
    carried_backlog_hours: float = 0.0  # first-contact hours outstanding at the end of last week
    new_non_drive_cases: int = 0
    relaying: dict[int, Case] = field(default_factory=dict)  # cases whose liaison she relays

    def non_drive_open(self, now: float) -> int:
        closing = self.non_drive_closing
        while closing and closing[0] <= now:
            heapq.heappop(closing)
        return len(closing)

    def open_cases(self, now: float) -> int:
        return len(self.cases) + self.non_drive_open(now)

    def load(self, now: float) -> float:
        """Open cases (Drive and non-Drive) per FTE, allocation weight and current capacity.

        Counting capacity keeps a new starter in induction from being handed a whole
        panel's cases because her caseload is empty.
        """
        return self.open_cases(now) / (self.fte * self.weight * self.capacity_factor)


@dataclass(eq=False)
class CaseManagerState(Practitioner):
    def load(self, now: float) -> float:
        """Open cases per caseload FTE at current capacity (see IdvaState.load)."""
        return len(self.cases) / (self.fte * self.capacity_share * self.capacity_factor)


def idva_caseload_hours(cases: Iterable[Case], now: float, hours: Hours) -> float:
    """Hours a week an IDVA's Drive cases ask for now (first contact aside).

    A case counts from first contact until the IDVA closes it: intensive support for the
    first weeks (not for clients already in support), then ongoing support; a monitoring
    client is one short call every 2, 4 or 8 weeks; a cross-border case adds liaison.
    This runs for every practitioner every week, so the loop is written out by hand.
    """
    idva = hours.idva
    intensive_days = idva.intensive_weeks * 7
    intensive, ongoing = idva.support_intensive_hours_per_week, idva.support_hours_per_week
    call, cross_border = idva.monitoring_call_hours, idva.cross_border_hours_per_week
    total = 0.0
    for case in cases:
        contact = case.contact_day
        if not case.idva_open or contact != contact:  # closed, or not yet contacted (nan)
            continue
        if case.cross_border:
            total += cross_border
        if case.response == "monitoring":
            total += call / case.monitoring_interval_weeks
        elif not case.already_supported and now - contact < intensive_days:
            total += intensive
        else:
            total += ongoing
    return total


def cm_caseload_hours(cases: Iterable[Case], now: float, hours: Hours) -> float:
    """Hours a week a Case Manager's cases ask for now, by phase.

    Before contact: the contact strategy, then a little while the gate is shut; then
    direct work, disrupt-only work, or holding the case open for the IDVA ('cm_waits').
    """
    cm = hours.cm
    by_phase = {
        "direct": cm.direct_hours_per_week,
        "disrupt": cm.disrupt_hours_per_week,
        "holding": cm.holding_hours_per_week,
        "closed": 0.0,
    }
    strategy, awaiting = cm.contact_strategy_hours_per_week, cm.awaiting_gate_hours_per_week
    total = 0.0
    for case in cases:
        phase = case.cm_phase
        if phase == "pre_contact":
            total += strategy if now < case.strategy_end else awaiting
        else:
            total += by_phase[phase]
    return total
