"""Where cases come from: panel meetings, the backdated backlog, non-Drive referrals."""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING

import numpy as np

from drive_sim.model.cases import Case, lifecycle
from drive_sim.model.streams import sample
from drive_sim.scenario import Panel, Referrals

if TYPE_CHECKING:
    from drive_sim.model.practitioners import IdvaState
    from drive_sim.model.site import SiteModel

__all__ = ["backlog", "meeting_days", "non_drive_referrals", "panel_meetings", "ramp"]


def ramp(referrals: Referrals, day: float) -> float:
    """Share of the full referral rate on ``day`` (agencies refer less while Drive is new)."""
    ramp_up = referrals.ramp_up
    if ramp_up.days <= 0 or day >= ramp_up.days:
        return 1.0
    return ramp_up.start_share + (1 - ramp_up.start_share) * day / ramp_up.days


def meeting_days(panel: Panel, horizon: float) -> np.ndarray:
    return np.arange(panel.first_day, horizon, panel.every_days)


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


def panel_meetings(site: SiteModel, panel: Panel):
    """One panel: at each meeting a random number of new cases is listed."""
    env = site.env
    rng = site.streams["referrals"]
    for day in meeting_days(panel, site.horizon):
        if day > env.now:
            yield env.timeout(day - env.now)
        site.panel_held()
        for _ in range(cases_at_meeting(site.scenario.referrals, panel, env.now, rng)):
            # The generator is indexed by referral order, not by case id, so a backlog
            # does not shift the draws of the cases referred after it.
            rng_case = site.streams.item("cases", site.next_referral_index())
            case = Case(site.next_case_id(), env.now, False, rng_case, site.scenario)
            env.process(lifecycle(site, case, panel.every_days))


def backlog(site: SiteModel):
    """Backdating: the last N months of MARAC cases accepted at launch (extract §2.3)."""
    scenario = site.scenario
    months = scenario.backdating.months
    if months <= 0:
        return
    env = site.env
    rng = site.streams["backlog"]
    size = int(rng.poisson(scenario.referrals.annual_rate * months / 12))
    arrivals = np.sort(rng.uniform(0, scenario.backdating.arrival_spread_days, size))
    every = scenario.referrals.panels[0].every_days
    for index, day in enumerate(arrivals):
        if day > env.now:
            yield env.timeout(day - env.now)
        case = Case(site.next_case_id(), env.now, True, site.streams.item("backlog_cases", index), site.scenario)
        case.deferrals = case.record.deferrals = 0  # the backlog is accepted as one block
        env.process(lifecycle(site, case, every))


def non_drive_referrals(site: SiteModel, idva: IdvaState):
    """Business-as-usual referrals to one IDVA post; each case is just a closing day on a heap."""
    if idva.non_drive_rate <= 0:
        return
    env = site.env
    rng = site.streams.post("non_drive", idva.name)
    spec = site.scenario.durations.non_drive_case_days
    mean_gap = 365 / idva.non_drive_rate
    groups = site.routing.groups
    while True:
        yield env.timeout(rng.exponential(mean_gap))
        length = sample(spec, rng)
        holder = idva
        if idva.vacant:
            # Referrals to an empty post go to colleagues, as a leaver's cases do; with
            # nobody in post they wait, uncovered, on the post.
            covering = [groups[idva.role], groups["wider"], groups["all"]]
            holder = site.least_loaded_in_post(covering, idva, env.now) or idva
        heapq.heappush(holder.non_drive_closing, env.now + length)
        holder.new_non_drive_cases += 1
