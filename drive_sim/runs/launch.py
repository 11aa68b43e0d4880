"""A launch as a plan over time: the first months of each set-up plan, month by month.

The study's recommendations are mostly about the months around launch: backdating
"must take the size of the IDVA team into account" (p18, L85; body L300), and early on
"teams are more likely to have more capacity" (p22/p63, L78), which a slow build keeps
and a backdated launch spends. :func:`run_launch` runs each plan on the same random
numbers and :func:`monthly_table` turns every replication's records into one row per
plan, replication, month and measure:

- ``accepted`` / ``backlog``: cases accepted that month at panel, and backdated ones;
- ``open_per_fte``: the Drive IDVAs' open cases per caseload FTE (Drive and
  non-Drive; the mean over the month's weekly snapshots of the mean over staffed Drive
  IDVAs, as the KPI ``open_cases_per_fte_mean`` is), against guidance;
- ``first_contact_days``: median days from acceptance to first contact of the clients
  accepted that month;
- ``spare_hours``: the Drive IDVAs' hours a week not asked for (hours had minus hours
  asked, where positive), the month's mean;
- ``burnout``: 1 if a Drive IDVA was burnt out at any snapshot of the month, else 0;
- ``cost``: staff cost to the end of the month (every post, on-costs included).

"The Drive IDVAs" are the IDVAs with role ``drive``, or every IDVA where none is named.
:func:`monthly_summary` gives each a mean and 95% interval across replications (exact
Clopper-Pearson for the burnout chance); :func:`plan_facts` gives what the answer says:
the weeks above guidance, the chance of burnout in the first six months (the launch
window) and the month steady state begins (the mean MSER-5 warm-up).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from drive_sim.analysis.stats import binomial_interval, summarise
from drive_sim.runs.experiment import Experiment, ReplicationResult, Runner, run_experiment
from drive_sim.scenario import Scenario, load_scenario

__all__ = [
    "DEFAULT_PLANS",
    "DAYS_PER_MONTH",
    "MEASURES",
    "PlanFacts",
    "default_plans",
    "launch_tables",
    "monthly_summary",
    "monthly_table",
    "plan_facts",
    "run_launch",
]

DAYS_PER_MONTH = 365.0 / 12
#: The default comparison (issue 19): a slow build, backdating 3 or 6 months, and 6 months
#: with a second Drive IDVA from day one. Each is the base scenario with these values set.
DEFAULT_PLANS: tuple[tuple[str, Mapping[str, Any]], ...] = (
    ("Slow build from launch", {"backdating.months": 0}),
    ("Backdate 3 months", {"backdating.months": 3}),
    ("Backdate 6 months", {"backdating.months": 6}),
    ("Backdate 6 months, two Drive IDVAs from day one", {"backdating.months": 6, "teams.idvas[0].count": 2}),
)
#: Measure -> (label, unit). The burnout chance is a probability across replications.
MEASURES: dict[str, tuple[str, str]] = {
    "accepted": ("Cases accepted that month (backlog aside)", "cases"),
    "backlog": ("Backdated cases accepted that month", "cases"),
    "open_per_fte": ("Drive IDVA open cases per FTE", "cases per FTE"),
    "first_contact_days": ("Days to first contact, median of the month's clients", "days"),
    "spare_hours": ("Drive IDVA hours a week not asked for", "hours a week"),
    "burnout": ("Chance a Drive IDVA is burnt out that month", "probability"),
    "cost": ("Staff cost to date (GBP)", "GBP"),
}


def default_plans(path: str | Path | None = None) -> list[tuple[str, Scenario]]:
    """The default plans on one base scenario (``None``: the default site), labelled."""
    return [(label, load_scenario(path, dict(values))) for label, values in DEFAULT_PLANS]


def run_launch(
    plans: Sequence[tuple[str, Scenario]],
    replications: int | None = None,
    runner: Runner | None = None,
    on_result: Callable[[ReplicationResult], None] | None = None,
) -> Experiment:
    """Run every plan on the same random numbers, keeping the record tables the months are read from."""
    return run_experiment(
        [scenario for _, scenario in plans],
        replications=replications,
        runner=runner,
        labels=[label for label, _ in plans],
        keep_tables=True,
        on_result=on_result,
    )


def _drive_idvas(practitioners: pd.DataFrame) -> pd.DataFrame:
    idvas = practitioners[practitioners["kind"] == "idva"]
    named = idvas[idvas["role"] == "drive"]
    return named if len(named) else idvas


def _open_per_fte(weeks: pd.DataFrame, share: Mapping[str, float]) -> np.ndarray:
    """Each weekly row's open cases (Drive and non-Drive) per caseload FTE; nan where vacant or without caseload."""
    caseload_fte = weeks["fte"].to_numpy(dtype=float) * weeks["practitioner"].map(share).to_numpy(dtype=float)
    staffed = ~weeks["vacant"].to_numpy(dtype=bool) & (caseload_fte > 0)
    open_cases = weeks["drive_open"].to_numpy(dtype=float) + weeks["non_drive_open"].to_numpy(dtype=float)
    return np.where(staffed, open_cases / np.where(caseload_fte > 0, caseload_fte, 1.0), np.nan)


def monthly_table(experiment: Experiment, scenarios: Mapping[str, Scenario], months: int) -> pd.DataFrame:
    """One row per plan, replication, month (1, 2, ...) and measure.

    Columns: ``scenario, replication, month, measure, value``.
    """
    weeks, cases, staff = (experiment.tables[name] for name in ("weeks", "cases", "practitioners"))
    rows = []
    for label in scenarios:
        plan_weeks = weeks[weeks["scenario"] == label]
        plan_cases = cases[cases["scenario"] == label]
        plan_staff = staff[staff["scenario"] == label]
        for replication, own_staff in plan_staff.groupby("replication", sort=True):
            drive = _drive_idvas(own_staff)
            share = dict(zip(drive["name"], drive["capacity_share"], strict=True))
            yearly_cost = float(own_staff["annual_cost"].sum())
            rows += _months(
                label,
                int(replication),
                plan_weeks[(plan_weeks["replication"] == replication) & plan_weeks["practitioner"].isin(share)],
                plan_cases[plan_cases["replication"] == replication],
                share,
                yearly_cost,
                months,
            )
    return pd.DataFrame(rows, columns=["scenario", "replication", "month", "measure", "value"])


def _months(
    label: str,
    replication: int,
    weeks: pd.DataFrame,
    cases: pd.DataFrame,
    share: Mapping[str, float],
    yearly_cost: float,
    months: int,
) -> list[tuple[str, int, int, str, float]]:
    month_of_week = np.ceil(weeks["day"].to_numpy(dtype=float) / DAYS_PER_MONTH).astype(int)
    per_fte = _open_per_fte(weeks, share)
    spare = np.clip(
        weeks["available_hours"].to_numpy(dtype=float) - weeks["demand_hours"].to_numpy(dtype=float), 0, None
    )
    frame = pd.DataFrame(
        {
            "month": month_of_week,
            "week": weeks["week"].to_numpy(),
            "per_fte": per_fte,
            "spare": spare,
            "burnt_out": weeks["burnt_out"].to_numpy(dtype=bool),
        }
    )
    by_week = frame.groupby(["month", "week"]).agg(
        per_fte=("per_fte", "mean"), spare=("spare", "sum"), burnt=("burnt_out", "any")
    )
    by_month = by_week.groupby("month").agg(
        per_fte=("per_fte", "mean"), spare=("spare", "mean"), burnt=("burnt", "any")
    )
    accepted_month = np.ceil(cases["accepted_day"].to_numpy(dtype=float) / DAYS_PER_MONTH).clip(min=1)
    backdated = cases["backdated"].to_numpy(dtype=bool)
    delay = cases["first_contact_day"].to_numpy(dtype=float) - cases["accepted_day"].to_numpy(dtype=float)
    rows = []
    for month in range(1, months + 1):
        in_month = accepted_month == month
        delays = delay[in_month & ~np.isnan(delay)]
        found = by_month.loc[month] if month in by_month.index else None
        values = {
            "accepted": float((in_month & ~backdated).sum()),
            "backlog": float((in_month & backdated).sum()),
            "open_per_fte": float(found["per_fte"]) if found is not None else math.nan,
            "first_contact_days": float(np.median(delays)) if delays.size else math.nan,
            "spare_hours": float(found["spare"]) if found is not None else math.nan,
            "burnout": float(bool(found["burnt"])) if found is not None else math.nan,
            "cost": yearly_cost * month / 12,
        }
        rows += [(label, replication, month, measure, value) for measure, value in values.items()]
    return rows


def monthly_summary(table: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Mean and interval of every measure by plan and month: ``scenario, month, measure, n, mean, ci_low, ci_high``."""
    long = table.rename(columns={"measure": "kpi"}).assign(scope=lambda f: f["month"].astype(str))
    kinds = {"burnout": "probability"}
    summary = summarise(long.drop(columns="month"), confidence, kinds)
    summary["month"] = summary["scope"].astype(int)
    return (
        summary.drop(columns="scope")
        .rename(columns={"kpi": "measure"})
        .sort_values(["scenario", "measure", "month"], kind="stable", ignore_index=True)
    )


@dataclass(frozen=True)
class PlanFacts:
    """What the launch answer says about one plan."""

    label: str
    #: First and last week whose mean Drive IDVA open cases per FTE is above guidance (None: never).
    above_from_week: int | None
    above_to_week: int | None
    #: Chance a Drive IDVA burns out in the launch window (first 26 weeks), with its exact 95% interval.
    burnout: float
    burnout_low: float
    burnout_high: float
    #: Month steady state begins: the mean MSER-5 warm-up across replications, in months.
    steady_month: float
    #: Peak of the monthly mean Drive IDVA open cases per FTE in the months shown.
    peak_per_fte: float
    replications: int


def plan_facts(experiment: Experiment, scenarios: Mapping[str, Scenario], months: int) -> list[PlanFacts]:
    """The facts the answer states, one per plan, from the same records as the monthly table."""
    kpis, weeks, staff = experiment.kpis, experiment.tables["weeks"], experiment.tables["practitioners"]
    facts = []
    for label, scenario in scenarios.items():
        guidance = scenario.guidance.idva_open_cases_per_fte
        plan_staff = staff[staff["scenario"] == label]
        drive = _drive_idvas(plan_staff[plan_staff["replication"] == plan_staff["replication"].min()])
        share = dict(zip(drive["name"], drive["capacity_share"], strict=True))
        own = weeks[(weeks["scenario"] == label) & weeks["practitioner"].isin(share)]
        own = own[own["day"] <= months * DAYS_PER_MONTH]
        per_fte = pd.Series(_open_per_fte(own, share), index=own.index)
        weekly = per_fte.groupby([own["week"], own["replication"]]).mean().groupby(level="week").mean()
        above = weekly.index[weekly > guidance]
        plan_kpis = kpis[kpis["scenario"] == label]
        launch_burnout = plan_kpis[
            (plan_kpis["window"] == "launch")
            & (plan_kpis["kpi"] == "any_drive_idva_burnout")
            & (plan_kpis["scope"] == "site")
        ]["value"].dropna()
        burnt, n = int(launch_burnout.sum()), int(launch_burnout.size)
        low, high = binomial_interval(burnt, n) if n else (math.nan, math.nan)
        warmup = plan_kpis[(plan_kpis["kpi"] == "warmup_days") & (plan_kpis["window"] == "steady")]["value"]
        facts.append(
            PlanFacts(
                label,
                int(above.min()) if len(above) else None,
                int(above.max()) if len(above) else None,
                burnt / n if n else math.nan,
                low,
                high,
                float(warmup.mean() / DAYS_PER_MONTH) if len(warmup) else math.nan,
                float(weekly.max()) if len(weekly) else math.nan,
                n,
            )
        )
    return facts


def launch_tables(
    plans: Sequence[tuple[str, Scenario]], experiment: Experiment, months: int
) -> dict[str, pd.DataFrame]:
    """The tables a launch folder keeps beside its KPIs: ``months`` (long) and ``plans`` (the facts)."""
    scenarios = dict(plans)
    facts = pd.DataFrame([vars(f) for f in plan_facts(experiment, scenarios, months)])
    return {"months": monthly_table(experiment, scenarios, months), "plans": facts}
