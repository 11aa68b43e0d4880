"""One Drive site as a SimPy world, and ``simulate``: a pure function of (scenario, replication)."""

from __future__ import annotations

import simpy

from drive_sim.model.cases import Case
from drive_sim.model.practitioners import CaseManagerState, IdvaState, Practitioner
from drive_sim.model.records import PractitionerInfo, SimulationOutput
from drive_sim.model.referrals import backlog, meeting_days, non_drive_referrals, panel_meetings
from drive_sim.model.routing import Router
from drive_sim.model.streams import Streams
from drive_sim.model.workload import case_reviews, first_contact_worker, weekly_tick
from drive_sim.scenario import Scenario

__all__ = ["SiteModel", "expand_team", "simulate"]


def expand_team(scenario: Scenario) -> tuple[list[IdvaState], list[CaseManagerState]]:
    """Practitioners from the team entries (an entry with count n stands for n people)."""
    idvas: list[IdvaState] = []
    for entry in scenario.teams.idvas:
        for k in range(entry.count):
            idvas.append(
                IdvaState(
                    name=entry.name if entry.count == 1 else f"{entry.name} {k + 1}",
                    kind="idva",
                    role=entry.role,
                    fte=entry.fte,
                    index=len(idvas),
                    weight=entry.allocation_weight,
                    attends_panel=entry.attends_panel,
                    non_drive_rate=entry.non_drive_referrals_per_year,
                )
            )
    cms: list[CaseManagerState] = []
    for entry in scenario.teams.case_managers:
        for k in range(entry.count):
            cms.append(
                CaseManagerState(
                    name=entry.name if entry.count == 1 else f"{entry.name} {k + 1}",
                    kind="cm",
                    role="team_leader" if entry.team_leader else "cm",
                    fte=entry.fte,
                    index=len(cms),
                    capacity_share=entry.caseload_share,
                )
            )
    return idvas, cms


def _annual_costs(scenario: Scenario) -> list[float]:
    """Salary x FTE x on-costs for each practitioner, in the order of expand_team."""
    costs = scenario.costs
    out = []
    for entry in scenario.teams.idvas:
        out += [(entry.salary or costs.idva_salary) * entry.fte * costs.on_cost_multiplier] * entry.count
    for entry in scenario.teams.case_managers:
        out += [(entry.salary or costs.cm_salary) * entry.fte * costs.on_cost_multiplier] * entry.count
    return out


class SiteModel:
    """The state of one replication: practitioners, live cases and what happened."""

    def __init__(self, scenario: Scenario, replication: int):
        self.scenario = scenario
        self.horizon = scenario.site.horizon_days
        self.env = simpy.Environment()
        self.streams = Streams(scenario.run.seed, replication)
        self.idvas, self.cms = expand_team(scenario)
        self.practitioners: list[Practitioner] = [*self.idvas, *self.cms]
        names = [p.name for p in self.practitioners]
        if len(set(names)) != len(names):
            raise ValueError("practitioner names must be unique after numbering team entries")
        self.by_name = {p.name: p for p in self.practitioners}
        self.routing = Router(self, scenario)
        self.output = SimulationOutput(replication=replication, horizon_days=self.horizon)
        for person, cost in zip(self.practitioners, _annual_costs(scenario), strict=True):
            self.output.practitioners.append(
                PractitionerInfo(person.name, person.kind, person.role, person.fte, person.capacity_share, cost)
            )
        self.cases: list[Case] = []
        self.live: set[int] = set()
        self.accepted_count = self.closed_count = self.deselected_count = 0
        self._case_ids = 0
        self._referral_index = 0
        self._weekday0 = scenario.site.start_date.weekday()
        self._panel_days = sorted(
            {float(d) for panel in scenario.referrals.panels for d in meeting_days(panel, self.horizon)}
        )

    # ---- time -------------------------------------------------------------------------

    def is_working_day(self, day: int) -> bool:
        return (self._weekday0 + day) % 7 < 5

    def next_panel_day(self, now: float) -> float | None:
        for day in self._panel_days:
            if day > now:
                return day
        return None

    def next_case_id(self) -> int:
        self._case_ids += 1
        return self._case_ids - 1

    def next_referral_index(self) -> int:
        self._referral_index += 1
        return self._referral_index - 1

    def panel_held(self) -> None:
        hours = self.scenario.hours.idva.panel_hours
        for idva in self.idvas:
            if idva.attends_panel and not idva.vacant:
                idva.meeting_hours += hours

    # ---- a case's steps ---------------------------------------------------------------

    def accept(self, case: Case) -> None:
        """Accepted at panel: allocated to the least loaded Case Manager."""
        now = self.env.now
        case.record.accepted_day = now
        case.outcome = self.env.event()
        case.strategy_end = case.record.contact_strategy_end_day = now + case.strategy_days
        if self.scenario.policies.gate == "none":
            case.record.gate_open_day = now  # no gate: the CM need not wait for the IDVA
        case.last_review = now
        self.cases.append(case)
        self.live.add(case.case_id)
        self.accepted_count += 1
        in_post = [cm for cm in self.cms if not cm.vacant] or self.cms
        cm = min(in_post, key=lambda c: (c.load(now), c.index))
        case.cm = cm
        case.cm_open = True
        cm.cases[case.case_id] = case
        cm.new_drive_cases += 1
        case.record.cm = cm.name

    def start_idva(self, case: Case, idva: IdvaState) -> None:
        """The client is allocated to ``idva``; first contact is queued unless already made."""
        now = self.env.now
        record = case.record
        case.idva = idva
        case.idva_open = True
        idva.cases[case.case_id] = case
        idva.new_drive_cases += 1
        record.idva = record.final_idva = idva.name
        record.idva_group = idva.role
        record.allocated_day = now
        if case.already_supported:
            self._leave_former_caseload(case, idva)
        self._update_relay(case)
        if case.already_contacted:
            self.first_contact_made(case)
        else:
            idva.first_contact_queue.append(case)
        if self.routing.rules.handover and idva.role == "wider" and self.routing.group_for(case) != "existing":
            self.env.process(self.routing.handover(case))

    def _leave_former_caseload(self, case: Case, idva: IdvaState) -> None:
        """A client already in support who moves to another IDVA leaves her own IDVA's caseload.

        She was one of that IDVA's business-as-usual cases (backdated clients 'came
        straight over to the Drive IDVA', extract §2.3): one of them closes now, the one
        her own draw picks, so the client is not held twice.
        """
        former = self.routing.existing_idva(case)
        if former is idva or former.non_drive_open(self.env.now) == 0:
            return
        closing = former.non_drive_closing
        closing.sort()  # a sorted list is a heap, and stays one when an item is deleted
        del closing[min(len(closing) - 1, int(case.u_former_case * len(closing)))]
        case.record.former_idva = former.name

    def first_contact_made(self, case: Case) -> None:
        """The IDVA has met the client, so she can say whether the CM may contact: the gate opens."""
        case.contact_day = self.env.now
        case.record.first_contact_day = self.env.now
        if self.scenario.policies.gate != "none":
            case.record.gate_open_day = self.env.now
        assert case.outcome is not None
        case.outcome.succeed("contacted")

    def client_unreachable(self, case: Case) -> None:
        """Every attempt failed: the IDVA closes her side; the gate decides what the CM does."""
        case.record.unreachable_day = self.env.now
        self.close_idva(case)
        assert case.outcome is not None
        case.outcome.succeed("unreachable")

    def transfer_idva(self, case: Case, target: IdvaState) -> None:
        """Move a client to another IDVA (handover or reassignment), queue place included."""
        source = case.idva
        assert source is not None
        del source.cases[case.case_id]
        if case in source.first_contact_queue:
            source.first_contact_queue.remove(case)
            target.first_contact_queue.append(case)
        case.idva = target
        target.cases[case.case_id] = case
        case.record.final_idva = target.name
        self._update_relay(case)

    def _update_relay(self, case: Case) -> None:
        if case.relay is not None:
            case.relay.relaying.pop(case.case_id, None)
        case.relay = self.routing.relay_for(case)
        if case.relay is not None:
            case.relay.relaying[case.case_id] = case
            case.record.relayed = True

    def close_idva(self, case: Case) -> None:
        idva = case.idva
        assert idva is not None
        case.idva_open = False
        case.record.idva_closed_day = self.env.now
        del idva.cases[case.case_id]
        if case in idva.first_contact_queue:
            idva.first_contact_queue.remove(case)
        if case.relay is not None:
            case.relay.relaying.pop(case.case_id, None)
            case.relay = None
        self.routing.place_freed()

    def close_cm(self, case: Case) -> None:
        cm = case.cm
        assert cm is not None
        now = self.env.now
        case.cm_open = False
        case.cm_phase = "closed"
        case.record.cm_closed_day = now
        case.record.max_unreviewed_days = max(case.record.max_unreviewed_days, now - case.last_review)
        del cm.cases[case.case_id]

    def finish(self, case: Case, status: str) -> None:
        case.record.status = status
        self.live.discard(case.case_id)
        if status == "deselected":
            self.deselected_count += 1
        else:
            self.closed_count += 1

    # ---- leavers ----------------------------------------------------------------------

    def reassign_all(self, person: Practitioner) -> None:
        """Give a leaver's cases to the least loaded in her group, else the wider team."""
        now = self.env.now
        if isinstance(person, IdvaState):
            groups = [self.routing.groups[person.role], self.routing.groups["wider"], self.routing.groups["all"]]
            for case in list(person.cases.values()):
                target = self.least_loaded_in_post(groups, person, now)
                if target is None:
                    return  # nobody in post: the cases stay uncovered
                self.transfer_idva(case, target)
                case.record.reassignments += 1
            for case in list(person.relaying.values()):
                # Liaison she relayed moves with her cases (to whoever covers them); if
                # that is the client's own IDVA, she now liaises directly.
                target = self.least_loaded_in_post(groups, person, now)
                if target is None:
                    break
                del person.relaying[case.case_id]
                case.relay = None if target is case.idva else target
                if case.relay is not None:
                    case.relay.relaying[case.case_id] = case
            for closing in list(person.non_drive_closing):
                target = self.least_loaded_in_post(groups, person, now)
                if target is None:
                    # Fix (validation suite): the last IDVA in post left holding only
                    # non-Drive cases; they stay uncovered, like Drive cases (was a crash).
                    return
                target.non_drive_closing.append(closing)
                target.non_drive_closing.sort()
            person.non_drive_closing.clear()
            self.routing.place_freed()
        else:
            for case in list(person.cases.values()):
                in_post = [cm for cm in self.cms if not cm.vacant]
                if not in_post:
                    return
                target = min(in_post, key=lambda c: (c.load(now), c.index))
                del person.cases[case.case_id]
                target.cases[case.case_id] = case
                case.cm = target
                case.record.reassignments += 1

    def least_loaded_in_post(self, groups, leaver: Practitioner, now: float) -> IdvaState | None:
        for group in groups:
            in_post = [i for i in group if not i.vacant and i is not leaver]
            if in_post:
                return min(in_post, key=lambda i: (i.load(now), i.index))
        return None

    # ---- running ----------------------------------------------------------------------

    def run(self) -> SimulationOutput:
        env = self.env
        for panel in self.scenario.referrals.panels:
            env.process(panel_meetings(self, panel))
        env.process(backlog(self))
        for idva in self.idvas:
            env.process(non_drive_referrals(self, idva))
        env.process(first_contact_worker(self))
        env.process(weekly_tick(self))
        interval = self.scenario.hours.reviews.interval_weeks * 7
        for k, cm in enumerate(self.cms):
            env.process(case_reviews(self, cm, interval * (k + 1) / len(self.cms)))
        env.run(until=self.horizon)
        end = self.horizon
        for case in self.cases:
            if case.cm_open:
                case.record.max_unreviewed_days = max(case.record.max_unreviewed_days, end - case.last_review)
        self.output.cases = [case.record for case in self.cases]
        return self.output


def simulate(scenario: Scenario, replication: int = 0) -> SimulationOutput:
    """Run one replication of a scenario. Pure: the same arguments give the same output."""
    return SiteModel(scenario, replication).run()
