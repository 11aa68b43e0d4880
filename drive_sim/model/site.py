"""One Drive site as a SimPy world, and ``simulate``: a pure function of (scenario, replication).

The only module that sees the whole world: it builds the random streams, the team, the
calendar and the records, starts the processes, each with what it uses, and runs.
"""

from __future__ import annotations

import gc

import simpy

from drive_sim.model.hours import case_reviews, first_contact_worker, weekly_tick
from drive_sim.model.lifecycle import StrategyDesk
from drive_sim.model.practitioners import expand_team
from drive_sim.model.records import PractitionerInfo, SimulationOutput
from drive_sim.model.referrals import Calendar, Intake, NonDriveReferrals
from drive_sim.model.streams import Streams
from drive_sim.model.team import Team
from drive_sim.model.workforce import Workforce
from drive_sim.scenario import Scenario

__all__ = ["SiteModel", "expand_team", "simulate"]


def _annual_costs(scenario: Scenario) -> list[float]:
    """Salary x FTE x on-costs for each practitioner, in the order of expand_team."""
    costs = scenario.costs
    out: list[float] = []
    for idva in scenario.teams.idvas:
        out += [(idva.salary or costs.idva_salary) * idva.fte * costs.on_cost_multiplier] * idva.count
    for cm in scenario.teams.case_managers:
        out += [(cm.salary or costs.cm_salary) * cm.fte * costs.on_cost_multiplier] * cm.count
    return out


class SiteModel:
    """One replication: the world built from a scenario, ready to run once."""

    def __init__(self, scenario: Scenario, replication: int):
        self.scenario = scenario
        self.horizon = scenario.site.horizon_days
        self.env = simpy.Environment()
        self.streams = Streams(scenario.run.seed, replication)
        self.team = Team(self.env, scenario, self.streams["routing"])
        self.by_name = self.team.by_name
        self.output = SimulationOutput(replication=replication, horizon_days=self.horizon)
        for person, cost in zip(self.team.practitioners, _annual_costs(scenario), strict=True):
            self.output.practitioners.append(
                PractitionerInfo(person.name, person.kind, person.role, person.fte, person.capacity_share, cost)
            )
        self.calendar = Calendar(scenario)
        cm_hours = scenario.hours.cm
        self.workforce = Workforce(
            self.env,
            self.team,
            scenario.workforce,
            self.streams,
            self.output.workforce_events,
            cm_hours.induction_hours_per_idva,
            cm_hours.induction_for,
        )
        self.desk = StrategyDesk(self.env)
        self.intake = Intake(self.env, self.team, scenario, self.streams, self.calendar, self.desk)

    def run(self) -> SimulationOutput:
        env, team, scenario = self.env, self.team, self.scenario
        for panel in scenario.referrals.panels:
            env.process(self.intake.panel_meetings(panel))
        if scenario.referrals.perpetrator_panel is not None:
            env.process(self.intake.perpetrator_panel_meetings(scenario.referrals.perpetrator_panel))
        env.process(self.intake.backlog())
        self.workforce.launch_inductions()
        non_drive_days = scenario.durations.non_drive_case_days
        feeds = [
            NonDriveReferrals(env, team, idva, self.streams.post("non_drive", idva.name), non_drive_days)
            for idva in team.idvas
            if idva.non_drive_rate > 0
        ]
        env.process(first_contact_worker(env, team, scenario.hours, self.calendar, scenario.launch))
        env.process(weekly_tick(env, team, scenario, self.output, self.workforce, self.desk))
        interval = scenario.hours.reviews.interval_weeks * 7
        for k, cm in enumerate(team.cms):
            env.process(case_reviews(env, team, cm, interval * (k + 1) / len(team.cms), scenario.hours))
        # The cyclic garbage collector is paused while the world runs (and restored after):
        # a run makes tens of thousands of small objects that stay alive (cases, records,
        # events), and collecting the young generation over and over again cost about a
        # tenth of a replication. Reference counting still frees what is dropped.
        collecting = gc.isenabled()
        gc.disable()
        try:
            env.run(until=self.horizon)
        finally:
            if collecting:
                gc.enable()
        for feed in feeds:
            feed.finish(self.horizon)
        end = self.horizon
        for case in team.cases:
            if case.cm_open:
                case.record.max_unreviewed_days = max(case.record.max_unreviewed_days, end - case.last_review)
        self.output.cases = [case.record for case in team.cases]
        return self.output


def simulate(scenario: Scenario, replication: int = 0) -> SimulationOutput:
    """Run one replication of a scenario. Pure: the same arguments give the same output."""
    return SiteModel(scenario, replication).run()
