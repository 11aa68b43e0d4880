"""Burnout, leaving, vacancies and induction.

Burnout follows the probation excessive-workload rule (figures §5): above a threshold
for N consecutive weeks. Leaving is a weekly hazard from a base annual turnover,
multiplied while burnt out (Aiken 2002's 43% vs 11% intention to leave, figures §5).
"""

from __future__ import annotations

import math
from collections.abc import Generator, Iterable
from typing import TYPE_CHECKING, Any

from drive_sim.model.records import WorkforceEvent
from drive_sim.model.streams import Streams, sample
from drive_sim.scenario import Attrition, Burnout
from drive_sim.scenario import Workforce as WorkforceRules

if TYPE_CHECKING:
    import simpy

    from drive_sim.model.practitioners import Practitioner
    from drive_sim.model.team import Team

__all__ = ["Workforce", "burnout_flags", "burnout_step", "leave_probability"]

#: Weekly leaving uniforms drawn at a time per post (a year of weeks).
_BLOCK_WEEKS = 52


def burnout_step(state: tuple[int, int, bool], above: bool, rule: Burnout) -> tuple[int, int, bool]:
    """One week of the burnout rule: (weeks above, weeks below, burnt out) -> next state.

    Burnout starts in the week that completes ``consecutive_weeks`` weeks above the
    threshold, and ends in the week that completes ``recovery_weeks`` weeks at or below it.
    """
    above_weeks, below_weeks, burnt_out = state
    above_weeks = above_weeks + 1 if above else 0
    below_weeks = 0 if above else below_weeks + 1
    if not burnt_out and above_weeks >= rule.consecutive_weeks:
        burnt_out = True
    elif burnt_out and below_weeks >= rule.recovery_weeks:
        burnt_out = False
    return above_weeks, below_weeks, burnt_out


def burnout_flags(above: Iterable[bool], rule: Burnout) -> list[bool]:
    """Burnt-out flag for each week of a series of above-threshold flags."""
    state = (0, 0, False)
    flags = []
    for week_above in above:
        state = burnout_step(state, bool(week_above), rule)
        flags.append(state[2])
    return flags


def leave_probability(attrition: Attrition, burnt_out: bool, days: float = 7.0) -> float:
    """Chance of leaving within ``days``: a constant hazard from the annual turnover."""
    if attrition.annual_turnover <= 0:
        return 0.0
    hazard = -math.log1p(-attrition.annual_turnover) / 365 * days
    if burnt_out:
        hazard *= attrition.burnout_multiplier
    return -math.expm1(-hazard)


class Workforce:
    """Leaving and recruitment: who leaves each week, the vacancy, the new starter."""

    def __init__(
        self,
        env: simpy.Environment,
        team: Team,
        workforce: WorkforceRules,
        streams: Streams,
        events: list[WorkforceEvent],
        induction_hours_per_idva: float = 0.0,
        induction_for: str = "drive",
    ):
        self.env = env
        self.team = team
        self.rules = workforce
        self.streams = streams
        self.events = events  # the run's workforce events, burnout included
        self.induction_hours = induction_hours_per_idva
        self.induction_for = induction_for
        # Each post's weekly uniforms, drawn a block at a time from its workforce stream: a
        # block of n is the same n numbers as n single draws, and nothing else draws from it.
        self._uniforms: dict[str, list[float]] = {}
        # Read once (every post asks every week): leaving on or off, and leave_probability
        # when not burnt out and when burnt out, for each kind of post.
        self._idva_enabled = workforce.idva_attrition.enabled
        self._cm_enabled = workforce.cm_attrition.enabled
        self._idva_leave = [leave_probability(workforce.idva_attrition, burnt_out) for burnt_out in (False, True)]
        self._cm_leave = [leave_probability(workforce.cm_attrition, burnt_out) for burnt_out in (False, True)]

    def induct(self, idva: Practitioner) -> None:
        """The CMs in post induct an IDVA who may hold Drive cases (``hours.cm.induction_hours_per_idva``).

        The hours are shared equally by the CMs in post and asked in the current week; with
        no CM in post the induction is not given.
        """
        if self.induction_hours <= 0 or (self.induction_for == "drive" and idva.role != "drive"):
            return
        in_post = [cm for cm in self.team.cms if not cm.vacant]
        for cm in in_post:
            cm.induction_hours += self.induction_hours / len(in_post)

    def launch_inductions(self) -> None:
        """At launch, every IDVA in post who may hold Drive cases is inducted."""
        for idva in self.team.idvas:
            if not idva.vacant:
                self.induct(idva)

    def weekly_attrition(self, person: Practitioner) -> None:
        """Whether ``person`` leaves this week.

        Every post gets one draw a week from its own workforce stream, used or not, so who
        leaves, or who else is in the team, does not shift the draws of the others.
        """
        uniforms = self._uniforms.get(person.name)
        if not uniforms:
            # Reversed, so the next week's draw is popped from the end.
            block = self.streams.post("workforce", person.name).random(_BLOCK_WEEKS)
            uniforms = self._uniforms[person.name] = block[::-1].tolist()
        u = uniforms.pop()
        if person.kind == "idva":
            enabled, leave = self._idva_enabled, self._idva_leave[1 if person.burnt_out else 0]
        else:
            enabled, leave = self._cm_enabled, self._cm_leave[1 if person.burnt_out else 0]
        if enabled and not person.vacant and u < leave:
            self.leave(person, self.rules.idva_attrition if person.kind == "idva" else self.rules.cm_attrition)

    def leave(self, person: Practitioner, attrition: Attrition) -> None:
        """A practitioner leaves: cases reassigned by rule (or uncovered), the post falls vacant."""
        env = self.env
        self.events.append(WorkforceEvent(env.now, person.name, person.kind, "left"))
        if person.burnt_out:
            self.events.append(WorkforceEvent(env.now, person.name, person.kind, "burnout_end"))
        person.falls_vacant()
        person.vacant = True
        person.burnt_out = False
        person.above_weeks = person.below_weeks = 0
        if attrition.reassign == "same_group":
            self.team.reassign_all(person)
        env.process(self._recruit(person, attrition))

    def _recruit(self, person: Practitioner, attrition: Attrition) -> Generator[simpy.Event, Any, None]:
        env = self.env
        yield env.timeout(sample(attrition.vacancy_days, self.streams.post("vacancy", person.name)))
        person.vacant = False
        person.filled()
        person.capacity_factor = attrition.induction_capacity_share if attrition.induction_days > 0 else 1.0
        self.events.append(WorkforceEvent(env.now, person.name, person.kind, "started"))
        if attrition.reassign == "same_group":
            # Cases left uncovered because nobody was in post when their holder left now go
            # to the team again, the new starter included.
            for other in self.team.practitioners:
                if other.kind == person.kind and other.vacant and other.holds_cases(env.now):
                    self.team.reassign_all(other)
        if person.kind == "idva":
            self.induct(person)
            self.team.place_freed()
        if attrition.induction_days > 0:
            yield env.timeout(attrition.induction_days)
            if not person.vacant:
                person.capacity_factor = 1.0
