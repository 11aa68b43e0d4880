"""The life of one case, from its listing at panel to closure, and the gate.

The CM writes the contact strategy while the client is allocated to an IDVA and
contacted. The gate then decides when the CM may contact the service user; the CM
intervention (3-12 months) runs from then, so a long gate lengthens the case.

:func:`gate_opens` is the gate as a pure rule (no SimPy): the day the CM intervention
starts, given the day of the IDVA's word. The case process below reaches the same day
through SimPy events (one small function per policy); ``calibration.fit`` and the
validation oracle use the rule.

The CM writes a case's contact strategy in ``strategy_days`` of work at full pace; an
overloaded CM works at her pace (1/workload, :meth:`Practitioner.pace`), read afresh at
every weekly tick, where workloads change. The writing is a series of steps, each at the
pace read when it starts: from the start to the next tick, then tick to tick, and a last
step to the moment it is written. A loop of SimPy timeouts, one per step, would cost an
event per case per week; here only the last step is a SimPy event (the one the case's
lifecycle waits on). A step that ends on a tick is kept by the :class:`StrategyDesk` and
taken up by the weekly tick, with the same arithmetic (``now + step``, ``remaining -
step * pace``) and in the order the timeouts would have fired. A step to a tick that
floating point would land a hair off it (``now + (tick - now) != tick``; not seen in
practice, but the loop guarded against it) stays a timeout, as before.
"""

from __future__ import annotations

import math
from collections.abc import Generator, Iterable
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import simpy
from simpy.events import NORMAL

from drive_sim.model.case import Case, GateWord
from drive_sim.model.hours import next_tick

if TYPE_CHECKING:
    from drive_sim.model.referrals import Calendar
    from drive_sim.model.team import Team
    from drive_sim.scenario import Policies

__all__ = ["GateOpening", "GatePolicy", "Process", "StrategyDesk", "cautious_deadline", "gate_opens", "lifecycle"]

#: The gate policies (scenario ``policies.gate``).
GatePolicy = Literal["strict", "cautious", "none"]

#: A SimPy process: yields events, returns when done.
Process = Generator["simpy.Event", Any, None]


class GateOpening(NamedTuple):
    """When the CM intervention starts; ``timed_out`` if it starts without the IDVA's word."""

    day: float | None  # None: the gate is still shut
    timed_out: bool


def cautious_deadline(accepted_day: float, strategy_end: float, cautious_after_days: float) -> float:
    """Under gate ``cautious``: the day the CM stops waiting for the IDVA's word.

    The later of the strategy's end and ``cautious_after_days`` after acceptance.
    """
    return max(strategy_end, accepted_day + cautious_after_days)


def gate_opens(gate: GatePolicy, strategy_end: float, word_day: float | None, cautious_day: float) -> GateOpening:
    """The gate as a rule: when the CM intervention starts.

    ``word_day`` is when the gate's word came (the IDVA's sign-off after first contact,
    a proxy's information, or the client proved unreachable; None if not yet);
    ``cautious_day`` is :func:`cautious_deadline`.
    Under ``none`` the intervention starts when the strategy is written; under
    ``strict`` at the later of that and the IDVA's word; under ``cautious`` likewise,
    unless no word has come by ``cautious_day``, when it starts then, as disrupt work.
    """
    if gate == "none":
        return GateOpening(strategy_end, False)
    if gate == "cautious" and (word_day is None or word_day > cautious_day):
        return GateOpening(cautious_day, True)
    return GateOpening(None if word_day is None else max(strategy_end, word_day), False)


# ---- the contact strategy, written at the CM's pace ----------------------------------

#: What is left below this many days of work counts as written (as in the loop it replaces).
_DONE = 1e-9


class Written(simpy.Event):
    """Fires when the strategy is written: scheduled, like a timeout, when its last step starts."""

    def succeed_in(self, delay: float) -> None:
        self._ok = True
        self._value = None
        self.env.schedule(self, NORMAL, delay)


class _Writing:
    """One strategy being written: the work left after the current step, and its event."""

    __slots__ = ("case", "done", "remaining")

    def __init__(self, case: Case, remaining: float, done: Written):
        self.case = case
        self.remaining = remaining
        self.done = done


class StrategyDesk:
    """The strategies being written, and the steps that end on each weekly tick.

    Invariant: ``_before[tick]`` and ``_after[tick]`` hold, in the order their steps
    started, the strategies whose current step ends exactly on ``tick``; ``remaining`` is
    the work left once that step is done. A step started before the weekly tick at
    ``tick - 7`` had run (a timeout to ``tick`` made before the tick's own) is in
    ``_before``: it is taken up before that tick's accounting, at last week's pace, as the
    timeout would have fired first; the rest are in ``_after``, taken up after the
    accounting, at the new pace. Each entry moves on (or is written) when its tick comes.
    """

    def __init__(self, env: simpy.Environment):
        self.env = env
        self._before: dict[float, list[_Writing]] = {}
        self._after: dict[float, list[_Writing]] = {}
        # The last tick whose accounting has run (the weekly tick sets TICK_TIME when it starts,
        # as its timeout to the first tick is made then).
        self._tick_done = -math.inf

    def write(self, case: Case) -> Written | None:
        """Start writing the case's strategy: an event that fires when it is written (None: nothing to write)."""
        if case.draws.strategy_days <= _DONE:
            return None
        writing = _Writing(case, case.draws.strategy_days, Written(self.env))
        self._step(writing)
        return writing.done

    def before_accounting(self, tick: float) -> None:
        """The weekly tick at ``tick`` starts: steps that would have fired before it."""
        self._steps_at_tick(tick, self._before.pop(tick, ()), self._before)

    def after_accounting(self, tick: float) -> None:
        """The weekly tick at ``tick`` has updated every pace: the steps that end on it."""
        self._tick_done = tick
        self._steps_at_tick(tick, self._after.pop(tick, ()), self._after)

    def _steps_at_tick(self, tick: float, writings: Iterable[_Writing], due: dict[float, list[_Writing]]) -> None:
        """:meth:`_step` for each of ``writings``, now, on a tick (``next_tick`` is a week on).

        A step to the next tick started now is in the same list (``due``) as the step that
        ended now: before the next tick's accounting if this one was, else after it.
        """
        following = tick + 7.0  # next_tick(tick): ticks are exact in floating point
        to_tick = following - tick
        for writing in writings:
            cm = writing.case.cm
            pace = cm.pace() if cm is not None else 0.0
            step = to_tick if pace <= 0 else min(writing.remaining / pace, to_tick)
            writing.remaining -= step * pace
            if writing.remaining <= _DONE:
                writing.done.succeed_in(step)
            elif tick + step == following:
                due.setdefault(following, []).append(writing)
            else:
                self._hair_off(writing, step)

    def _step(self, writing: _Writing) -> None:
        """Start the next step at the CM's pace now (the work left is above ``_DONE``)."""
        now = self.env.now
        cm = writing.case.cm
        pace = cm.pace() if cm is not None else 0.0
        tick = next_tick(now)
        to_tick = tick - now
        step = to_tick if pace <= 0 else min(writing.remaining / pace, to_tick)
        writing.remaining -= step * pace
        if writing.remaining <= _DONE:
            writing.done.succeed_in(step)
        elif now + step == tick:
            due = self._before if self._tick_done < tick - 7 else self._after
            due.setdefault(tick, []).append(writing)
        else:
            self._hair_off(writing, step)

    def _hair_off(self, writing: _Writing, step: float) -> None:
        """A step that floating point lands a hair off a tick: a timeout, as the loop had."""
        self.env.timeout(step).callbacks.append(lambda _: self._step(writing))


def lifecycle(
    env: simpy.Environment,
    team: Team,
    case: Case,
    policies: Policies,
    calendar: Calendar,
    every_days: float,
    desk: StrategyDesk,
) -> Process:
    """The SimPy process of one case, from its listing at panel to closure."""
    draws = case.draws
    if draws.deferrals:
        yield env.timeout(draws.deferrals * every_days)  # 'listed for next month'
    if case.needs_panel:  # MARAC then panel: accepted at the perpetrator panel's decision
        decision_day = calendar.perpetrator_panel_decision_day(env.now, draws.panel_deferrals)
        if decision_day is None:
            return
        yield env.timeout(decision_day - env.now)
        case.record.panel_day = decision_day
    if env.now >= calendar.horizon:
        return
    waiting_for_cm = team.accept(case)
    outcome = case.await_outcome(env)
    word = case.await_word(env)
    record = case.record
    # routing.cross_border = 'reroute': the client goes to an IDVA in the other area, whose
    # word reaches the CM after a delay, as a proxy's does; nobody here holds her.
    rerouted = draws.cross_border and team.rules.cross_border == "reroute"
    if policies.gate == "none":
        record.gate_open_day = env.now  # no gate: the CM need not wait for the IDVA
    elif rerouted:
        env.process(_proxy_word(env, case, team.rules.reroute_word_days, "other_area"))
    else:
        # Once the IDVA has met the client she is asked for her word (a sign-off); a proxy
        # professional may give the CM the information first.
        outcome.callbacks.append(lambda event: _ask_for_word(env, team, case, policies, event.value))
        if draws.proxy:
            env.process(_proxy_word(env, case, policies.proxy_days))
    if not rerouted:
        _allocate_idva(team, case)
    if waiting_for_cm is not None:
        yield waiting_for_cm  # no CM place yet (routing.cm_caseload_cap)
    written = desk.write(case)  # the CM writes the contact strategy, at her pace
    if written is not None:
        yield written
    case.strategy_end = record.contact_strategy_end_day = env.now
    end: simpy.Event | None = None
    if policies.gate == "cautious":
        closed, end = yield from _cautious_gate(env, team, case, policies)
        if closed:
            return
    elif policies.gate == "strict":
        yield word  # 'hinges on the IDVA's say so'
    if end is None:
        end = env.timeout(draws.cm_days + draws.extension_days)
    if word.triggered and word.value == "unreachable" and policies.gate != "none":
        if policies.gate == "strict" and draws.u_deselect_unreachable < policies.unreachable_deselect_probability:
            if (yield from _deselect_at_next_panel(env, team, case, calendar, end)):
                return
        case.cm_phase = "disrupt"
        record.disrupt_only = True
    else:
        _contact_service_user(case, policies, env.now)
        not_engaged = record.service_user_engaged == 0.0
        if not_engaged and draws.u_deselect_non_engaging < policies.engagement.deselect_non_engaging_probability:
            if (yield from _deselect_at_next_panel(env, team, case, calendar, end)):
                return
    if not end.processed:
        yield end
    yield from _close(env, team, case, policies)


def _ask_for_word(env: simpy.Environment, team: Team, case: Case, policies: Policies, outcome: str) -> None:
    """The first contact's outcome is in: ask the IDVA to sign off, or (unreachable) say so.

    An IDVA may withhold her sign-off for a while (``policies.withhold_share``). An
    unreachable client's case waits on a proxy where one is coming.
    """
    if outcome == "contacted":
        if case.draws.withheld:
            env.process(_withheld_sign_off(env, team, case, policies.withhold_days))
        else:
            team.ask_sign_off(case)
    elif not case.draws.proxy:
        case.give_word(env.now, "unreachable")


def _withheld_sign_off(env: simpy.Environment, team: Team, case: Case, days: float) -> Process:
    yield env.timeout(days)
    team.ask_sign_off(case)


def _proxy_word(env: simpy.Environment, case: Case, days: float, word: GateWord = "proxy") -> Process:
    """Another professional gives the CM the information ``days`` after acceptance."""
    yield env.timeout(days)
    case.give_word(env.now, word)


def _cautious_gate(
    env: simpy.Environment, team: Team, case: Case, policies: Policies
) -> Generator[simpy.Event, Any, tuple[bool, simpy.Event | None]]:
    """Gate ``cautious``: wait for the IDVA's word until ``cautious_after_days``.

    Returns (closed, end): whether the case closed meanwhile (the intervention ran
    without the IDVA's word), and the intervention's end if it started without her word.
    """
    word = case.word
    assert word is not None
    record = case.record
    deadline = cautious_deadline(record.accepted_day, case.strategy_end, policies.cautious_after_days)
    yield word | env.timeout(max(0.0, deadline - env.now))
    if word.triggered:
        return False, None
    # No word from the IDVA: start disrupt work, keep the door open for contact.
    case.cm_phase = "disrupt"
    record.disrupt_only = True
    end = env.timeout(case.draws.cm_days + case.draws.extension_days)
    yield word | end
    if end.processed:
        yield from _close(env, team, case, policies)
        return True, None
    return False, end


def _allocate_idva(team: Team, case: Case) -> None:
    """Allocate the client to an IDVA, or put her on the waitlist if the site's rules say so.

    A plain call, not a process: on the waitlist, the team starts the client itself when
    a place frees (:meth:`Team.place_freed`), so there is nothing to wait for here.
    """
    idva = team.allocate_idva(case)
    if idva is None:
        team.join_waitlist(case)
    else:
        team.start_idva(case, idva)


def _contact_service_user(case: Case, policies: Policies, now: float) -> None:
    """Strategy written and gate open: the CM contacts the service user, who engages or not."""
    record = case.record
    engagement = policies.engagement
    record.cm_first_contact_day = now
    # The window of opportunity runs from when the strategy would be written at full pace:
    # a slow strategy (an overloaded CM) loses it as the gate does.
    planned = record.accepted_day + case.draws.strategy_days
    delay = max(0.0, now - planned)
    chance = engagement.base_probability
    if engagement.cm_shortfall_elasticity > 0 and case.cm is not None:
        chance *= case.cm.pace() ** engagement.cm_shortfall_elasticity  # her direct work falls short
    without_wait = chance
    if engagement.window_effect:
        chance *= 0.5 ** (delay / engagement.half_life_days)
        # What the wait on the gate (after the strategy was written) cost in chance of engagement.
        before_gate = max(0.0, case.strategy_end - planned)
        without_wait *= 0.5 ** (before_gate / engagement.half_life_days)
    record.engagement_lost_to_wait = without_wait - chance
    engaged = case.draws.u_engage < chance
    record.service_user_engaged = 1.0 if engaged else 0.0
    case.cm_phase = "direct" if engaged else "disrupt"
    record.disrupt_only = not engaged


def _deselect_at_next_panel(
    env: simpy.Environment, team: Team, case: Case, calendar: Calendar, end: simpy.Event
) -> Generator[simpy.Event, Any, bool]:
    """Back to panel; deselected at the next meeting unless the intervention ends first."""
    panel_day = calendar.next_panel_day(env.now)
    if panel_day is None or panel_day >= calendar.horizon:
        return False
    yield env.timeout(panel_day - env.now) | end
    if end.processed:
        return False
    case.record.deselected_day = env.now
    team.close_cm(case)
    team.end_case(case, "deselected")
    return True


def _close(env: simpy.Environment, team: Team, case: Case, policies: Policies) -> Process:
    """Closure by policy: together, staggered (IDVA keeps the client), or the CM waits."""
    closure = policies.closure
    tail_days = case.draws.tail_days
    engaged = case.cm_phase == "direct"  # still in direct work: step-down support follows closure
    tail_end = env.now + tail_days
    if closure == "cm_waits" and case.idva_open and tail_days > 0:
        # The CM holds the case open until the IDVA finishes: her tail, or sooner if her
        # side closes first (the client disengages, or turns out unreachable).
        case.cm_phase = "holding"
        case.side_closed = side_closed = env.event()
        yield env.timeout(tail_days) | side_closed
        case.side_closed = None
    team.close_cm(case, engaged)
    if closure == "staggered" and case.idva_open and tail_days > 0:
        # The IDVA keeps the client for the tail, unless her side closes first: the client
        # turns out unreachable (found by the validation suite's no-case-lost invariant) or
        # disengages (life inside a case). Either way the case is over at that moment, not
        # counted open with nobody holding it until the tail would have ended.
        tail = env.timeout(tail_end - env.now)
        case.side_closed = side_closed = env.event()
        yield tail | side_closed
        case.side_closed = None
    team.end_case(case, "closed")
