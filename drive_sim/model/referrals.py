"""Where cases come from: panel meetings, the backdated backlog, non-Drive referrals."""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import numpy as np

from drive_sim.model.case import Case, CaseRows
from drive_sim.model.lifecycle import lifecycle
from drive_sim.model.streams import PostStream, Streams, exponential_quantile, quantile
from drive_sim.scenario import Distribution, Panel, PerpetratorPanel, Referrals, Scenario

if TYPE_CHECKING:
    import simpy

    from drive_sim.model.lifecycle import StrategyDesk
    from drive_sim.model.practitioners import IdvaState
    from drive_sim.model.team import Team

__all__ = ["Calendar", "Intake", "NonDriveReferrals", "cases_at_meeting", "delay_to", "meeting_days", "ramp"]

Process = Generator["simpy.Event", Any, None]


def ramp(referrals: Referrals, day: float) -> float:
    """Share of the full referral rate on ``day`` (agencies refer less while Drive is new)."""
    ramp_up = referrals.ramp_up
    if ramp_up.days <= 0 or day >= ramp_up.days:
        return 1.0
    return ramp_up.start_share + (1 - ramp_up.start_share) * day / ramp_up.days


def meeting_days(panel: Panel | PerpetratorPanel, horizon: float) -> np.ndarray:
    return np.arange(panel.first_day, horizon, panel.every_days)


class Calendar:
    """The site's days: the horizon, working days and the days panels meet.

    With a perpetrator panel after MARAC (``referrals.perpetrator_panel``), a case goes
    back to that panel, not to MARAC: the study's "[panel]" is the perpetrator panel, or
    MARAC where there is none (extract glossary).
    """

    def __init__(self, scenario: Scenario):
        self.horizon = scenario.site.horizon_days
        self._weekday0 = scenario.site.start_date.weekday()
        perpetrator_panel = scenario.referrals.perpetrator_panel
        self._perpetrator_panel_days: list[float] = []
        if perpetrator_panel is not None:
            self._perpetrator_panel_days = [float(d) for d in meeting_days(perpetrator_panel, self.horizon)]
            self._panel_days = self._perpetrator_panel_days
        else:
            self._panel_days = sorted(
                {float(d) for panel in scenario.referrals.panels for d in meeting_days(panel, self.horizon)}
            )

    def is_working_day(self, day: int) -> bool:
        return (self._weekday0 + day) % 7 < 5

    def next_panel_day(self, now: float) -> float | None:
        for day in self._panel_days:
            if day > now:
                return day
        return None

    def perpetrator_panel_decision_day(self, marac_day: float, deferrals: int) -> float | None:
        """MARAC then panel: the perpetrator-panel meeting that decides on a case MARAC listed on ``marac_day``.

        The first meeting after that day (a case is not on the agenda of a meeting the same
        day), put back ``deferrals`` meetings; None if that is past the horizon.
        """
        index = bisect.bisect_right(self._perpetrator_panel_days, marac_day) + deferrals
        return self._perpetrator_panel_days[index] if index < len(self._perpetrator_panel_days) else None


def cases_at_meeting(referrals: Referrals, panel: Panel, day: float, rng: np.random.Generator) -> int:
    """Poisson (or, with dispersion k > 0, negative binomial) cases accepted at one meeting."""
    mean = referrals.annual_rate * panel.share * panel.every_days / 365 * ramp(referrals, day)
    if mean <= 0:
        return 0
    k = referrals.dispersion
    if k <= 0:
        return int(rng.poisson(mean))
    # variance = mean + k * mean^2: gamma-Poisson mixture
    return int(rng.poisson(rng.gamma(1 / k, mean * k)))


class Intake:
    """Drive cases referred to the site: draws each case and starts its lifecycle."""

    def __init__(
        self,
        env: simpy.Environment,
        team: Team,
        scenario: Scenario,
        streams: Streams,
        calendar: Calendar,
        desk: StrategyDesk,
    ):
        self.env = env
        self.desk = desk
        self.team = team
        self.scenario = scenario
        self.streams = streams
        self.calendar = calendar
        self._case_ids = 0
        self._referral_index = 0
        self._case_rows = CaseRows(streams, "cases", scenario)
        self._backlog_rows = CaseRows(streams, "backlog_cases", scenario, backdated=True)
        self._attendance_credit = 0.0  # panel meetings owed before buy-in (launch.panel_attendance_before_buy_in)

    def _next_case_id(self) -> int:
        self._case_ids += 1
        return self._case_ids - 1

    def _refer(self, case: Case, every_days: float) -> None:
        self.env.process(
            lifecycle(self.env, self.team, case, self.scenario.policies, self.calendar, every_days, self.desk)
        )

    def panel_meetings(self, panel: Panel) -> Process:
        """One panel: at each meeting a random number of new cases is listed."""
        env = self.env
        scenario = self.scenario
        rng = self.streams["referrals"]
        for day in meeting_days(panel, self.calendar.horizon).tolist():
            if day > env.now:
                yield env.timeout(day - env.now)
            self._panel_held()
            for _ in range(cases_at_meeting(scenario.referrals, panel, env.now, rng)):
                # The row is indexed by referral order, not by case id, so a backlog
                # does not shift the draws of the cases referred after it.
                draws = self._case_rows.draws(self._referral_index)
                self._referral_index += 1
                case = Case(self._next_case_id(), env.now, False, draws)
                if panel.kind == "marac":
                    self._listed_at_marac(case)
                self._refer(case, panel.every_days)

    def _panel_held(self) -> None:
        """A panel meeting: the panel IDVAs attend it, fewer of them before the IDVA service's buy-in.

        Before ``launch.idva_buy_in_days`` they attend a share of the meetings, taken without a
        random draw: a running share that attends once it reaches a whole meeting.
        """
        launch = self.scenario.launch
        if self.env.now < launch.idva_buy_in_days and launch.panel_attendance_before_buy_in < 1:
            self._attendance_credit += launch.panel_attendance_before_buy_in
            if self._attendance_credit < 1 - 1e-9:
                return
            self._attendance_credit -= 1
        self.team.panel_held(self.scenario.hours.idva.panel_hours)

    def _listed_at_marac(self, case: Case) -> None:
        """A case listed at MARAC; with a perpetrator panel too, most need its decision as well."""
        case.record.marac_day = case.record.listed_day
        perpetrator_panel = self.scenario.referrals.perpetrator_panel
        if perpetrator_panel is not None and case.draws.u_perpetrator_panel < perpetrator_panel.share:
            case.needs_panel = True
            case.record.panel_deferrals = case.draws.panel_deferrals

    def perpetrator_panel_meetings(self, panel: PerpetratorPanel) -> Process:
        """The perpetrator panel after MARAC: its meetings cost the panel IDVAs' hours; no new cases here."""
        env = self.env
        for day in meeting_days(panel, self.calendar.horizon).tolist():
            if day > env.now:
                yield env.timeout(day - env.now)
            if panel.idva_attends:
                self._panel_held()

    def backlog(self) -> Process:
        """Backdating: the last N months of MARAC cases accepted at launch (extract §2.3)."""
        scenario = self.scenario
        months = scenario.backdating.months
        if months <= 0:
            return
        env = self.env
        rng = self.streams["backlog"]
        size = int(rng.poisson(scenario.referrals.annual_rate * months / 12))
        arrivals = np.sort(rng.uniform(0, scenario.backdating.arrival_spread_days, size)).tolist()
        every = scenario.referrals.panels[0].every_days
        for index, day in enumerate(arrivals):
            if day > env.now:
                yield env.timeout(day - env.now)
            case_id = self._next_case_id()
            case = Case(case_id, env.now, True, self._backlog_rows.draws(index))
            self._refer(case, every)


def delay_to(now: float, day: float) -> float:
    """A delay that SimPy adds to ``now`` to land exactly on ``day`` (``now + delay == day``).

    ``day - now`` may round so that ``now + (day - now)`` misses ``day`` by a unit in the
    last place; the delay is nudged until it lands, so a timeout made late fires on the
    day it would have fired if made when the day was drawn.
    """
    delay = max(0.0, day - now)
    for _ in range(64):
        reached = now + delay
        if reached == day:
            return delay
        delay = math.nextafter(delay, math.inf if reached < day else -math.inf)
    raise ArithmeticError(f"no delay from {now!r} lands on {day!r}")


#: Referrals a non-Drive feed draws at a time (pairs of uniforms: gap, length).
_PAIRS = 128


class NonDriveReferrals:
    """Business-as-usual referrals to one IDVA post; each case is just a closing day on a heap.

    Referrals arrive at exponential gaps, each with a length, from the post's own stream:
    referral ``i`` takes a pair of uniforms (its gap after the one before, its length),
    drawn :data:`_PAIRS` pairs at a time and turned into days by inversion. While the post is
    filled, a referral goes to its IDVA and changes nothing but her heap of closing days
    (``IdvaState.non_drive_closing``) and her count of new cases this week, so referrals
    are not SimPy events: :meth:`catch_up` puts every referral due by ``now`` on her heap,
    in order, and the IDVA calls it before anything reads or changes that heap
    (``IdvaState.catch_up_non_drive``). The heap then holds exactly what it would have
    held had each referral been pushed on its day, in the same order (heaps are popped
    only when read). While the post is vacant a referral goes to whoever covers her
    caseload on its day, so each one is a SimPy timeout to that day.

    Invariant: ``next_day`` and ``next_length`` are the day and length of the next
    referral not yet applied. While the post is filled every referral before it is on her
    heap once she is caught up; while vacant a timeout to ``next_day`` is pending (the
    current ``_generation``; a timeout of an older generation does nothing).
    """

    def __init__(
        self,
        env: simpy.Environment,
        team: Team,
        idva: IdvaState,
        rng: np.random.Generator | PostStream,
        spec: Distribution,
    ):
        self.env = env
        self.team = team
        self.idva = idva
        self.rng = rng
        self.mean_gap = 365 / idva.non_drive_rate
        self._length_at = quantile(spec)
        self._gaps: list[float] = []
        self._lengths: list[float] = []
        self._drawn = 0  # pairs of the current block taken
        self._vacant = False
        self._generation = 0
        self.next_day = env.now
        self.next_length = 0.0
        self._next_referral()
        idva.non_drive_feed = self

    def _next_referral(self) -> None:
        """Draw the next referral: ``next_day`` moves on by its gap; ``next_length`` is its length."""
        if self._drawn == len(self._gaps):
            u = self.rng.random((_PAIRS, 2))
            self._gaps = exponential_quantile(self.mean_gap, u[:, 0]).tolist()
            self._lengths = self._length_at(u[:, 1]).tolist()
            self._drawn = 0
        self.next_day += self._gaps[self._drawn]
        self.next_length = self._lengths[self._drawn]
        self._drawn += 1

    def catch_up(self, now: float) -> None:
        """While the post is filled: put every referral due by ``now`` on her heap."""
        if self._vacant:
            return
        idva = self.idva
        closing = idva.non_drive_closing
        while self.next_day <= now:
            heapq.heappush(closing, self.next_day + self.next_length)
            idva.new_non_drive_cases += 1
            self._next_referral()

    def finish(self, horizon: float) -> None:
        """At the end of the run: the referrals before the horizon (as the run would have made them)."""
        self.catch_up(math.nextafter(horizon, -math.inf))

    def post_vacated(self) -> None:
        """The post falls vacant now: referrals from now on are timeouts, to whoever covers her."""
        self.catch_up(self.env.now)
        self._vacant = True
        self._schedule()

    def post_filled(self) -> None:
        """A new starter: referrals go to her again (the pending timeout is dropped)."""
        self._vacant = False
        self._generation += 1

    def _schedule(self) -> None:
        self._generation += 1
        generation = self._generation
        timeout = self.env.timeout(delay_to(self.env.now, self.next_day))
        timeout.callbacks.append(lambda _: self._referred_while_vacant(generation))

    def _referred_while_vacant(self, generation: int) -> None:
        if generation != self._generation:
            return  # the post was filled since
        env, idva = self.env, self.idva
        now = env.now
        length = self.next_length
        # Referrals to an empty post go to colleagues, as a leaver's cases do; with
        # nobody in post they wait, uncovered, on the post.
        holder = self.team.covering(idva, now) or idva
        holder.catch_up_non_drive(now)
        heapq.heappush(holder.non_drive_closing, now + length)
        holder.new_non_drive_cases += 1
        self.next_day = now
        self._next_referral()
        self._schedule()
