"""Which IDVA holds a Drive client: the site's routing rules, as data.

The rules (scenario ``[routing]``) say which group receives each kind of case, how an
IDVA is picked within a group, what happens at a caseload cap, whether clients are
handed over to a Drive IDVA after a while, and whether liaison is relayed through the
named Drive IDVA. The study's six structures are combinations of these, in
``scenarios/``; none of them is a branch here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import simpy

from drive_sim.model.practitioners import IdvaState
from drive_sim.scenario import Scenario

if TYPE_CHECKING:
    from drive_sim.model.cases import Case
    from drive_sim.model.site import SiteModel

__all__ = ["Router"]


class Router:
    def __init__(self, site: SiteModel, scenario: Scenario):
        self.site = site
        self.rules = scenario.routing
        self.handover_days = scenario.durations.handover_days
        idvas = site.idvas
        self.groups: dict[str, list[IdvaState]] = {
            "drive": [i for i in idvas if i.role == "drive"],
            "wider": [i for i in idvas if i.role == "wider"],
            "all": list(idvas),
        }
        self._turn: dict[str, int] = {}
        self.waitlist: list[tuple[Case, str, simpy.Event]] = []
        rates = [i.non_drive_rate for i in idvas]
        total = sum(rates)
        weights = [r / total for r in rates] if total > 0 else [1 / len(idvas)] * len(idvas)
        self._existing_cumulative = [sum(weights[: k + 1]) for k in range(len(weights))]

    # ---- where a case goes ------------------------------------------------------------

    def group_for(self, case: Case) -> str:
        rules = self.rules
        if case.backdated and rules.backdated != "as_normal":
            return rules.backdated
        if case.already_supported:
            return rules.already_supported
        return getattr(rules, case.response)

    def existing_idva(self, case: Case) -> IdvaState:
        """The IDVA who already supports the client (drawn at referral, by BAU volume)."""
        for idva, bound in zip(self.site.idvas, self._existing_cumulative, strict=True):
            if case.u_existing_idva < bound:
                return idva
        return self.site.idvas[-1]

    def allocate(self, case: Case) -> IdvaState | None:
        """The IDVA for a new case, or None if every place in its group is taken."""
        group = self.group_for(case)
        if group == "existing":
            existing = self.existing_idva(case)
            if not existing.vacant:
                return existing
            # Her IDVA has left: whoever covers that IDVA's caseload takes her.
            groups = [self.groups[existing.role], self.groups["wider"], self.groups["all"]]
            return self.site.least_loaded_in_post(groups, existing, self.site.env.now) or existing
        rules = self.rules
        capped = rules.caseload_cap is not None and rules.when_full != "allocate_anyway"
        if all(idva.vacant for idva in self.groups[group]):
            # Nobody of the group is in post: the rest of the service covers, as for a leaver.
            group = next((g for g in ("wider", "all") if any(not i.vacant for i in self.groups[g])), group)
        chosen = self.pick(self.groups[group], group, capped=capped)
        if chosen is not None or not capped:
            return chosen
        if rules.when_full == "overflow":
            return self.pick(self.groups["wider"], "wider", capped=True) or self.pick(
                self.groups["wider"], "wider", capped=False
            )
        return None  # waitlist

    def below_cap(self, idva: IdvaState) -> bool:
        cap = self.rules.caseload_cap
        return cap is None or len(idva.cases) < max(1, math.floor(cap * idva.fte + 1e-9))

    def pick(self, members: Sequence[IdvaState], group: str, capped: bool) -> IdvaState | None:
        """Pick an IDVA within a group: in post first, below the cap if ``capped``."""
        candidates = [i for i in members if not i.vacant] or list(members)
        if capped:
            candidates = [i for i in candidates if self.below_cap(i)]
        if not candidates:
            return None
        how = self.rules.pick
        now = self.site.env.now
        if how == "round_robin":
            turn = self._turn.get(group, 0)
            self._turn[group] = turn + 1
            return candidates[turn % len(candidates)]
        if how == "weighted":
            weights = [i.fte * i.weight for i in candidates]
            total = sum(weights)
            u = self.site.streams["routing"].random() * total
            for idva, w in zip(candidates, weights, strict=True):
                u -= w
                if u < 0:
                    return idva
            return candidates[-1]
        return min(candidates, key=lambda i: (i.load(now), i.index))

    # ---- waiting for a place ----------------------------------------------------------

    def join_waitlist(self, case: Case) -> simpy.Event:
        event = self.site.env.event()
        case.waiting = True
        case.record.waitlist_entry_day = self.site.env.now
        self.waitlist.append((case, self.group_for(case), event))
        return event

    def _off_waitlist(self, case: Case) -> None:
        record = case.record
        case.waiting = False
        record.waitlist_exit_day = self.site.env.now
        record.waitlist_days = record.waitlist_exit_day - record.waitlist_entry_day

    def leave_waitlist(self, case: Case) -> None:
        """The case ended (closed or deselected) before the client was given a place."""
        self._off_waitlist(case)
        self.waitlist = [entry for entry in self.waitlist if entry[0] is not case]

    def place_freed(self) -> None:
        """Offer freed places to waiting clients, first come first served."""
        still_waiting = []
        for case, group, event in self.waitlist:
            idva = self.pick(self.groups[group], group, capped=True) if not event.triggered else None
            if idva is None:
                still_waiting.append((case, group, event))
                continue
            self._off_waitlist(case)
            # Reserve the place now so the next client in the list cannot take it too.
            self.site.start_idva(case, idva)
            event.succeed(idva)
        self.waitlist = still_waiting

    # ---- handover and liaison ---------------------------------------------------------

    def handover(self, case: Case):
        """After ``handover_days`` a wider-team IDVA passes the client to a Drive IDVA."""
        env = self.site.env
        yield env.timeout(self.handover_days)
        if case.idva_open and case.idva is not None and case.idva.role == "wider":
            target = self.pick(self.groups["drive"], "drive", capped=False)
            if target is not None:
                self.site.transfer_idva(case, target)
                case.record.handovers += 1

    def relay_for(self, case: Case) -> IdvaState | None:
        """The named Drive IDVA who relays liaison for a case held outside the Drive IDVAs."""
        if self.rules.liaison != "relayed" or case.idva is None or case.idva.role == "drive":
            return None
        return self.pick(self.groups["drive"], "drive", capped=False)
