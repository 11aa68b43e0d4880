"""Hours: the weekly workload tick, first contact from free hours, and case reviews.

First contact is an outcome of capacity, not an input: each IDVA serves a first-contact
queue from hours reserved for new referrals plus whatever her ongoing work leaves free,
so delays grow where teams are small ("these delays seemed to be more prominent in sites
where the IDVA team was smaller", extract §2.4, L221).

Hours asked are a flow, counted once: ongoing work in the week it is due, and each
first-contact attempt in the week it falls due (made then, or still waiting at the
week's end). Clients still waiting are the first-contact backlog, recorded on its own
(clients and hours) and counted toward burnout only under
``workforce.burnout.backlog_counts``. Each week's hours asked are split into the part
Drive cases ask for (``drive_hours``) and business as usual.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Generator, Iterable
from typing import TYPE_CHECKING, Any

from drive_sim.model.case_life import week_of_case_life
from drive_sim.model.records import SiteWeek, WeeklyState, WorkforceEvent
from drive_sim.model.workforce import burnout_step
from drive_sim.scenario import Hours, Launch, Scenario

if TYPE_CHECKING:
    import simpy

    from drive_sim.model.case import Case
    from drive_sim.model.lifecycle import StrategyDesk
    from drive_sim.model.practitioners import CaseManagerState
    from drive_sim.model.records import SimulationOutput
    from drive_sim.model.referrals import Calendar
    from drive_sim.model.team import Team
    from drive_sim.model.workforce import Workforce

__all__ = [
    "FIRST_CONTACT_TIME",
    "TICK_TIME",
    "WeekRates",
    "case_reviews",
    "cm_caseload_hours",
    "first_contact_worker",
    "idva_caseload_hours",
    "weekly_tick",
]

Process = Generator["simpy.Event", Any, None]

#: Offsets within a day: first contacts at midday, the weekly tick at the end of the day,
#: so work that arrives on a day can be done that day and is counted in its week.
FIRST_CONTACT_TIME = 0.5
TICK_TIME = 0.75


def next_tick(now: float) -> float:
    """The first weekly tick after ``now`` (workloads change only at ticks).

    A tick within a nanoday of ``now`` counts as passed: a timeout to it can land a hair
    short in floating point, and waiting for it again would never move the clock.
    """
    week = max(1, math.floor((now - TICK_TIME) / 7) + 1)
    while week * 7 + TICK_TIME <= now + 1e-9:
        week += 1
    return week * 7 + TICK_TIME


class WeekRates:
    """The hours (scenario ``[hours]``) that the weekly accounting reads for every practitioner every week.

    Read once from the scenario: compiled, a plain attribute is read many times faster
    than a scenario field, and these are read tens of thousands of times a run.
    """

    __slots__ = (
        "attempt",
        "awaiting_gate",
        "contact_strategy",
        "contracted",
        "cross_border",
        "direct",
        "disrupt",
        "holding",
        "intensive",
        "intensive_days",
        "monitoring_call",
        "non_drive",
        "productive",
        "relayed_liaison",
        "reserved_first_contact",
        "sign_off",
        "step_down",
        "support",
    )

    def __init__(self, hours: Hours) -> None:
        self.contracted = hours.contracted_hours_per_week
        self.productive = hours.productive_share
        idva = hours.idva
        self.intensive_days = idva.intensive_weeks * 7
        self.intensive = idva.support_intensive_hours_per_week
        self.support = idva.support_hours_per_week
        self.monitoring_call = idva.monitoring_call_hours
        self.cross_border = idva.cross_border_hours_per_week
        self.non_drive = idva.non_drive_hours_per_week
        self.relayed_liaison = idva.relayed_liaison_hours_per_week
        self.attempt = idva.first_contact_hours
        self.sign_off = idva.sign_off_hours
        self.reserved_first_contact = idva.reserved_first_contact_hours_per_week
        cm = hours.cm
        self.contact_strategy = cm.contact_strategy_hours_per_week
        self.awaiting_gate = cm.awaiting_gate_hours_per_week
        self.direct = cm.direct_hours_per_week
        self.disrupt = cm.disrupt_hours_per_week
        self.holding = cm.holding_hours_per_week
        self.step_down = cm.step_down_hours_per_week


def weekly_tick(
    env: simpy.Environment,
    team: Team,
    scenario: Scenario,
    output: SimulationOutput,
    workforce: Workforce,
    desk: StrategyDesk,
) -> Process:
    """End of each week: hours, workload, shortfall, burnout, leaving; then records.

    The contact strategies being written step on at the tick (:class:`StrategyDesk`):
    around the accounting, as their steps' timeouts would have fired.
    """
    horizon = scenario.site.horizon_days
    hours = scenario.hours
    rule = scenario.workforce.burnout
    guidance = scenario.guidance
    alert_days = hours.reviews.unreviewed_alert_weeks * 7
    rates = WeekRates(hours)
    for idva in team.idvas:
        idva.set_first_contact_budget(idva.available_hours(rates), 0.0, rates)
    practitioners = team.practitioners
    weeks, site_weeks, events, numbers = output.weeks, output.site_weeks, workforce.events, output.week_numbers
    assert isinstance(numbers, array), "the model's own output keeps its week numbers in an array('d')"
    life = scenario.case_life
    workload_rule = rule.rule == "workload"
    backlog_counts = rule.backlog_counts
    threshold = rule.workload_threshold
    query_hours = hours.idva.query_hours_per_case_per_week
    # The timeout to the first tick is made just below, as if a tick at TICK_TIME had run:
    # steps started from now on that end on the first tick come after it.
    desk.after_accounting(TICK_TIME)
    week = 0
    while True:
        week += 1
        end = week * 7 + TICK_TIME
        if end > horizon:
            return
        yield env.timeout(end - env.now)
        now = env.now
        day = week * 7.0
        desk.before_accounting(now)
        if query_hours > 0:
            team.assign_queries(now, query_hours)
        for position, person in enumerate(practitioners):
            available = person.available_hours(rates)
            ongoing = person.ongoing_hours(now, rates)
            figures = person.week_figures(now, rates, ongoing, alert_days)
            due_hours = figures.due_hours
            first_contact_hours = figures.first_contact_hours
            demand = ongoing + due_hours
            shortfall = max(0.0, ongoing - max(0.0, available - first_contact_hours))
            workload = demand / available if available > 0 else math.nan
            person.last_shortfall_share = shortfall / ongoing if ongoing > 0 else 0.0
            person.last_workload = 0.0 if math.isnan(workload) else workload
            vacant = person.vacant
            if vacant:
                above = False
            elif workload_rule:
                # The backlog switch: first-contact hours still outstanding from earlier
                # weeks count again toward burnout (off by default; see Burnout).
                carried = person.carried_backlog() if backlog_counts else 0.0
                above = available > 0 and (demand + carried) / available > threshold
            else:
                # Per caseload FTE: a Team Leader holding half a caseload is judged on half an FTE.
                per_fte = person.open_caseload(figures) / (person.fte * person.capacity_share)
                above = per_fte > rule.caseload_multiple * person.guidance_limit(guidance)
            was_burnt_out = person.burnt_out
            person.above_weeks, person.below_weeks, burnt_out = burnout_step(
                (person.above_weeks, person.below_weeks, was_burnt_out), above, rule
            )
            person.burnt_out = burnt_out
            if burnt_out != was_burnt_out:
                event = "burnout_start" if burnt_out else "burnout_end"
                events.append(WorkforceEvent(now, person.name, person.kind, event))
            # Positional, in WeeklyState's field order (see model/records.py).
            state = WeeklyState(
                week,
                day,
                person.name,
                person.kind,
                person.role,
                person.fte,
                len(person.cases),  # drive_open
                figures.non_drive_open,
                demand,  # demand_hours
                available,  # available_hours
                shortfall,  # shortfall_hours
                first_contact_hours,
                figures.queue,  # first_contact_queue
                person.new_drive_cases,
                figures.new_non_drive_cases,
                figures.unreviewed_cases,
                burnt_out,
                vacant,
                ongoing,  # ongoing_hours
                due_hours,  # first_contact_due_hours
                figures.backlog_clients,  # first_contact_backlog_clients
                figures.backlog_hours,  # first_contact_backlog_hours
                figures.drive_hours,
            )
            weeks.append(state)
            # The same numbers, flat, in WEEK_NUMBERS order (see SimulationOutput).
            numbers.frombytes(state.packed(position))
            person.close_week(available, ongoing, figures, rates)
        waiting, live = len(team.waitlist), len(team.live)
        site_weeks.append(
            SiteWeek(week, day, team.accepted_count, waiting, live, team.closed_count, team.deselected_count)
        )
        week_of_case_life(team, life, now)
        # One draw a week per post from the post's own stream, used or not.
        for person in practitioners:
            workforce.weekly_attrition(person)
        desk.after_accounting(now)


def first_contact_worker(
    env: simpy.Environment, team: Team, hours: Hours, calendar: Calendar, launch: Launch
) -> Process:
    """Each working day, every IDVA makes the first-contact attempts her free hours allow.

    Before ``launch.idva_buy_in_days`` she gives Drive clients only
    ``launch.first_contact_share_before_buy_in`` of those hours.

    The IDVA's first-contact queue fires each case's outcome, as a SimPy resource fires
    a request: ``"contacted"`` once the client answers, ``"unreachable"`` after the last
    attempt.
    """
    attempt_hours = hours.idva.first_contact_hours
    retry_days = hours.first_contact.retry_days
    max_attempts = hours.first_contact.max_attempts
    sign_off_hours = hours.idva.sign_off_hours
    # Before the IDVA service is bought in, Drive clients get only a share of her first-contact
    # hours (launch.first_contact_share_before_buy_in); from buy-in, all of them.
    buy_in_day, share_before = launch.idva_buy_in_days, launch.first_contact_share_before_buy_in
    day = 0
    while day + FIRST_CONTACT_TIME < calendar.horizon:
        if calendar.is_working_day(day):
            if day + FIRST_CONTACT_TIME > env.now:
                yield env.timeout(day + FIRST_CONTACT_TIME - env.now)
            now = env.now
            for idva in team.idvas:
                if idva.vacant:
                    continue
                if now < buy_in_day:
                    idva.first_contact_credit += idva.first_contact_hours_per_day * share_before
                else:
                    idva.first_contact_credit += idva.first_contact_hours_per_day
                queue = idva.first_contact_queue
                sign_offs = idva.sign_off_queue
                if not queue and not sign_offs:  # the usual day: nothing waiting (see the cap below)
                    # min(credit, attempt_hours), written out: this runs for every IDVA every working day.
                    if attempt_hours < idva.first_contact_credit:
                        idva.first_contact_credit = attempt_hours
                    continue
                position = 0
                while position < len(queue) and idva.first_contact_credit >= attempt_hours - 1e-9:
                    case = queue[position]
                    if case.not_before > now:
                        position += 1
                        continue
                    idva.count_attempt_due(case, attempt_hours)
                    idva.first_contact_credit -= attempt_hours
                    idva.first_contact_hours += attempt_hours
                    case.attempts += 1
                    case.record.first_contact_attempts = case.attempts
                    if case.draws.response != "unreachable" and case.attempts >= case.draws.attempts_needed:
                        queue.pop(position)
                        team.first_contact_made(case)
                    elif case.attempts >= max_attempts:
                        queue.pop(position)
                        team.client_unreachable(case)
                    else:
                        case.not_before = now + retry_days
                        position += 1
                # Then her sign-offs: the CM's word that it is safe to contact the service user.
                while sign_offs and idva.first_contact_credit >= sign_off_hours - 1e-9:
                    case = sign_offs.pop(0)
                    idva.first_contact_credit -= sign_off_hours
                    idva.first_contact_hours += sign_off_hours
                    case.give_word(now, "signed_off")
                if not sign_offs and not any(case.not_before <= now for case in queue):
                    # Idle hours are not banked beyond one attempt: an idle IDVA can start a
                    # new referral at once, but a quiet week does not pay for a busy one.
                    idva.first_contact_credit = min(idva.first_contact_credit, attempt_hours)
        day += 1


def case_reviews(env: simpy.Environment, team: Team, cm: CaseManagerState, offset_days: float, hours: Hours) -> Process:
    """Joint CM-IDVA reviews: one short meeting per IDVA every interval, oldest cases first.

    'Quieter' disrupt-only cases come last ("we never talk about those cases", L674), and
    an overloaded IDVA misses the meeting (L223).

    What the CM hears is as old as the liaison path makes it (:meth:`Team.information_age`):
    ``routing.liaison_delay_days``, plus ``routing.relay_delay_days`` while the case's
    liaison is relayed. The review counts as a review of information that old: the case's
    ``last_review`` becomes ``now - age`` (never earlier than it was), so relayed cases fall
    due for review sooner and show longer unreviewed spells. Each review's age goes into the
    case's running mean, ``CaseRecord.info_age_days``.
    """
    reviews = hours.reviews
    interval = reviews.interval_weeks * 7
    per_meeting = reviews.cases_per_meeting
    yield env.timeout(offset_days)
    while True:
        now = env.now
        if not cm.vacant:
            partners: dict[str, list[Case]] = {}
            for case in cm.cases.values():
                partner = case.relay or case.idva
                if partner is not None:
                    partners.setdefault(partner.name, []).append(case)
            for name, cases in partners.items():
                holder = team.by_name[name]
                if holder.vacant or holder.last_workload > reviews.skip_above_workload:
                    continue
                # Each review touches its own case only, so the order within a meeting is
                # free: sorting picks who is reviewed when there are more than it can take.
                if len(cases) > per_meeting:
                    cases.sort(key=lambda c: (c.cm_phase == "disrupt", c.last_review, c.case_id))
                    del cases[per_meeting:]
                for case in cases:
                    record = case.record
                    record.max_unreviewed_days = max(record.max_unreviewed_days, now - case.last_review)
                    age = team.information_age(case)
                    case.last_review = max(case.last_review, now - age)
                    record.reviews += 1
                    previous = 0.0 if record.reviews == 1 else record.info_age_days
                    record.info_age_days = previous + (age - previous) / record.reviews
                cm.meeting_hours += reviews.meeting_hours
                holder.meeting_hours += reviews.meeting_hours
        yield env.timeout(interval)


def idva_caseload_hours(cases: Iterable[Case], now: float, rates: WeekRates) -> float:
    """Hours a week an IDVA's Drive cases ask for now (first contact aside).

    A case counts from first contact until the IDVA closes it: intensive support for the
    first weeks (not for clients already in support), then ongoing support; a monitoring
    client is one short call every 2, 4 or 8 weeks; a cross-border case adds liaison.
    This runs for every practitioner every week, so the loop is written out by hand.
    """
    intensive_days, intensive, ongoing = rates.intensive_days, rates.intensive, rates.support
    call, cross_border = rates.monitoring_call, rates.cross_border
    total = 0.0
    for case in cases:
        contact = case.contact_day
        if not case.idva_open or contact != contact:  # closed, or not yet contacted (nan)
            continue
        draws = case.draws
        if draws.cross_border:
            total += cross_border
        if case.response == "monitoring":
            total += call / draws.monitoring_interval_weeks
        elif not draws.already_supported and now - contact < intensive_days:
            total += intensive
        else:
            total += ongoing
    return total


def cm_caseload_hours(cases: Iterable[Case], now: float, rates: WeekRates) -> float:
    """Hours a week a Case Manager's cases ask for now, by phase.

    Before contact: the contact strategy, then a little while the gate is shut; then
    direct work, disrupt-only work, or holding the case open for the IDVA ('cm_waits').
    """
    strategy, awaiting = rates.contact_strategy, rates.awaiting_gate
    direct, disrupt, holding = rates.direct, rates.disrupt, rates.holding
    total = 0.0
    for case in cases:
        phase = case.cm_phase
        if phase == "pre_contact":
            total += strategy if now < case.strategy_end else awaiting
        elif phase == "direct":
            total += direct
        elif phase == "disrupt":
            total += disrupt
        elif phase == "holding":
            total += holding
        # a closed case asks for nothing
    return total
