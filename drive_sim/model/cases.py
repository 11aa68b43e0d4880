"""A Drive case (one service user, one client) and its lifecycle.

Everything random about a case is drawn when it is referred, from the case's own
generator, in a fixed order. Scenarios run with the same seed therefore see the same
cases whatever their staffing or policies (common random numbers).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from drive_sim.model.records import CaseRecord
from drive_sim.model.streams import sample
from drive_sim.scenario import Scenario

if TYPE_CHECKING:
    import simpy

    from drive_sim.model.practitioners import CaseManagerState, IdvaState
    from drive_sim.model.site import SiteModel

__all__ = ["Case", "lifecycle"]

NAN = float("nan")
_MONITORING_WEEKS = (2, 4, 8)


class Case:
    """Runtime state of one case; ``record`` is what the run reports about it."""

    def __init__(self, case_id: int, listed_day: float, backdated: bool, rng: np.random.Generator, scenario: Scenario):
        mix = scenario.case_mix
        durations = scenario.durations
        # Draw order is part of the contract: append new draws at the end.
        u = rng.random(12)
        response_shares = mix.client_response
        if backdated:
            already_supported = bool(u[0] < scenario.backdating.already_supported_share)
        else:
            already_supported = bool(u[0] < mix.already_supported_share)
        if already_supported:
            response = "support"  # a client already in IDVA support is reachable and engaged
        elif u[1] < response_shares.support:
            response = "support"
        elif u[1] < response_shares.support + response_shares.monitoring:
            response = "monitoring"
        else:
            response = "unreachable"
        intervals = mix.monitoring_intervals
        if u[2] < intervals.every_2_weeks:
            interval = 2
        elif u[2] < intervals.every_2_weeks + intervals.every_4_weeks:
            interval = 4
        else:
            interval = 8
        first_contact = scenario.hours.first_contact
        self.attempts_needed = _attempts_needed(u[3], first_contact.answer_probability, first_contact.max_attempts)
        # A client the IDVA has already met is reachable, whatever her response draw said.
        contacted_at_marac = bool(u[4] < mix.already_contacted_share) and response != "unreachable"
        self.already_contacted = contacted_at_marac or already_supported
        self.cross_border = bool(u[5] < mix.cross_border_share)
        self.extended = bool(u[6] < durations.extension_probability)
        self.u_engage = float(u[7])
        self.u_deselect_unreachable = float(u[8])
        self.u_deselect_non_engaging = float(u[9])
        self.u_existing_idva = float(u[10])
        deferral = scenario.referrals.deferral_probability
        # Times put back to the next meeting: geometric, by inversion of one uniform.
        self.deferrals = int(math.log1p(-u[11]) // math.log(deferral)) if deferral > 0 else 0
        self.cm_days = sample(durations.cm_intervention_days, rng)
        self.extension_days = sample(durations.extension_days, rng) if self.extended else 0.0
        self.tail_days = sample(durations.idva_tail_days, rng)
        self.strategy_days = sample(durations.contact_strategy_days, rng)
        # Which of her own IDVA's business-as-usual cases is hers, should she move to another IDVA.
        self.u_former_case = float(rng.random())

        self.case_id = case_id
        self.response = response
        self.already_supported = already_supported
        self.monitoring_interval_weeks = interval
        self.backdated = backdated
        # runtime state
        self.cm: CaseManagerState | None = None
        self.idva: IdvaState | None = None
        self.relay: IdvaState | None = None
        self.idva_open = False
        self.cm_open = False
        self.waiting = False
        self.cm_phase = "pre_contact"  # pre_contact | direct | disrupt | holding | closed
        self.contact_day = NAN
        self.strategy_end = NAN
        self.attempts = 0
        self.attempts_due = 0  # attempts whose hours were counted as asked (in the week each fell due)
        self.not_before = 0.0
        self.last_review = NAN
        self.outcome: simpy.Event | None = None  # IDVA first contact: "contacted" or "unreachable"
        self.record = CaseRecord(
            case_id=case_id,
            backdated=backdated,
            listed_day=listed_day,
            accepted_day=NAN,
            deferrals=self.deferrals,
            response=response,
            already_supported=already_supported,
            already_contacted=self.already_contacted,
            cross_border=self.cross_border,
            extended=self.extended,
        )

    def __repr__(self) -> str:
        return f"Case({self.case_id}, {self.response})"


def _attempts_needed(u: float, p: float, max_attempts: int) -> int:
    """Attempts until a reachable client answers: geometric(p) conditioned on <= max_attempts."""
    if p >= 1:
        return 1
    top = 1 - (1 - p) ** max_attempts
    return max(1, min(max_attempts, math.ceil(math.log1p(-u * top) / math.log1p(-p))))


def lifecycle(site: SiteModel, case: Case, every_days: float):
    """The SimPy process of one case, from its listing at panel to closure.

    The CM writes the contact strategy while the client is allocated to an IDVA and
    contacted. The gate then decides when the CM may contact the service user; the
    CM intervention (3-12 months) runs from then, so a long gate lengthens the case.
    """
    env = site.env
    policies = site.scenario.policies
    if case.deferrals:
        yield env.timeout(case.deferrals * every_days)  # 'listed for next month'
    if env.now >= site.horizon:
        return
    site.accept(case)
    record = case.record
    env.process(_allocate_idva(site, case))
    if env.now < case.strategy_end:
        yield env.timeout(case.strategy_end - env.now)
    outcome = case.outcome
    assert outcome is not None
    gate = policies.gate
    end = None
    if gate == "cautious":
        yield outcome | env.timeout(max(0.0, record.accepted_day + policies.cautious_after_days - env.now))
        if not outcome.triggered:
            # No word from the IDVA: start disrupt work, keep the door open for contact.
            case.cm_phase = "disrupt"
            record.disrupt_only = True
            end = env.timeout(case.cm_days + case.extension_days)
            yield outcome | end
            if end.processed:
                yield from _close(site, case)
                return
    elif gate == "strict":
        yield outcome  # 'hinges on the IDVA's say so'
    if end is None:
        end = env.timeout(case.cm_days + case.extension_days)
    if outcome.triggered and outcome.value == "unreachable" and gate != "none":
        if gate == "strict" and case.u_deselect_unreachable < policies.unreachable_deselect_probability:
            if (yield from _deselect_at_next_panel(site, case, end)):
                return
        case.cm_phase = "disrupt"
        record.disrupt_only = True
    else:
        _contact_service_user(site, case)
        not_engaged = record.service_user_engaged == 0.0
        if not_engaged and case.u_deselect_non_engaging < policies.engagement.deselect_non_engaging_probability:
            if (yield from _deselect_at_next_panel(site, case, end)):
                return
    if not end.processed:
        yield end
    yield from _close(site, case)


def _allocate_idva(site: SiteModel, case: Case):
    """Allocate the client to an IDVA, waiting for a place if the site's rules say so."""
    idva = site.routing.allocate(case)
    if idva is None:
        yield site.routing.join_waitlist(case)  # the router starts the client when a place frees
    else:
        site.start_idva(case, idva)


def _contact_service_user(site: SiteModel, case: Case) -> None:
    """Strategy written and gate open: the CM contacts the service user, who engages or not."""
    now = site.env.now
    record = case.record
    engagement = site.scenario.policies.engagement
    record.cm_first_contact_day = now
    delay = max(0.0, now - case.strategy_end)
    chance = engagement.base_probability
    if engagement.window_effect:
        chance *= 0.5 ** (delay / engagement.half_life_days)
    engaged = case.u_engage < chance
    record.service_user_engaged = 1.0 if engaged else 0.0
    case.cm_phase = "direct" if engaged else "disrupt"
    record.disrupt_only = not engaged


def _deselect_at_next_panel(site: SiteModel, case: Case, end: simpy.Event):
    """Back to panel; deselected at the next meeting unless the intervention ends first."""
    env = site.env
    panel_day = site.next_panel_day(env.now)
    if panel_day is None or panel_day >= site.horizon:
        return False
    yield env.timeout(panel_day - env.now) | end
    if end.processed:
        return False
    case.record.deselected_day = env.now
    site.close_cm(case)
    if case.idva_open:
        site.close_idva(case)
    if case.waiting:
        site.routing.leave_waitlist(case)
    site.finish(case, "deselected")
    return True


def _close(site: SiteModel, case: Case):
    """Closure by policy: together, staggered (IDVA keeps the client), or the CM waits."""
    env = site.env
    closure = site.scenario.policies.closure
    tail_end = env.now + case.tail_days
    if closure == "cm_waits" and case.idva_open and case.tail_days > 0:
        case.cm_phase = "holding"
        yield env.timeout(case.tail_days)
    site.close_cm(case)
    if closure == "staggered" and case.idva_open and case.tail_days > 0:
        # Fix (validation suite, no-case-lost invariant): a client still awaiting first
        # contact may turn out unreachable during the tail; the IDVA then closes her side
        # and the case is over, rather than counted open with nobody holding it.
        tail = env.timeout(tail_end - env.now)
        outcome = case.outcome
        assert outcome is not None
        while case.idva_open and not tail.processed:
            yield tail if outcome.triggered else tail | outcome
    if case.idva_open:
        site.close_idva(case)
    if case.waiting:
        site.routing.leave_waitlist(case)
    site.finish(case, "closed")
