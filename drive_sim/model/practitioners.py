"""IDVAs and Case Managers as the model holds them: caseloads, hours and state.

Hours follow the probation Workload Measurement Tool (figures §4): each case asks for
hours a week by its type and phase; a practitioner has ``fte x contracted hours x
productive share`` hours a week (less during induction, none while the post is vacant).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from drive_sim.config import Hours

if TYPE_CHECKING:
    from drive_sim.model.cases import Case

__all__ = ["CaseManagerState", "IdvaState", "Practitioner", "cm_case_hours", "idva_case_hours"]


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


def idva_case_hours(case: Case, now: float, hours: Hours) -> float:
    """Hours a week the client's IDVA spends on a Drive case now (first contact aside)."""
    if not case.idva_open or case.contact_day != case.contact_day:  # not open, or not yet contacted
        return 0.0
    idva = hours.idva
    extra = idva.cross_border_hours_per_week if case.cross_border else 0.0
    if case.response == "monitoring":
        return idva.monitoring_call_hours / case.monitoring_interval_weeks + extra
    intensive = not case.already_supported and now - case.contact_day < idva.intensive_weeks * 7
    return (idva.support_intensive_hours_per_week if intensive else idva.support_hours_per_week) + extra


def cm_case_hours(case: Case, now: float, hours: Hours) -> float:
    """Hours a week the Case Manager spends on a case now, by its phase."""
    cm = hours.cm
    phase = case.cm_phase
    if phase == "pre_contact":
        return cm.contact_strategy_hours_per_week if now < case.strategy_end else cm.awaiting_gate_hours_per_week
    if phase == "direct":
        return cm.direct_hours_per_week
    if phase == "disrupt":
        return cm.disrupt_hours_per_week
    if phase == "holding":
        return cm.holding_hours_per_week
    return 0.0
