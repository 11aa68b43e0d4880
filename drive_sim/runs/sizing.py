"""Sizing: the least Drive IDVA staffing that meets stated targets with stated confidence.

The commissioner's question, and the study's ask of the Drive Partnership: how much IDVA
resource does Drive need on top of business as usual, what does it cost, and how sure
are we? Staffing is changed on one ``drive``-role entry of ``teams.idvas`` (the first,
unless said), either by whole posts (``count``) or in steps of 0.5 FTE (``fte``); every
other part of the scenario, business-as-usual work included, stays as given.

**Confidence.** A target ``KPI <= limit`` is met at a staffing level when the one-sided
upper confidence bound of the KPI's mean across replications is within the limit. For a
0/1 KPI (whether any IDVA burnt out) the mean is a probability and this is the t bound
of that probability.

**Search.** Every level is run on the same seed, so it sees the same referrals and
cases (common random numbers) and differences between levels are differences in
staffing, not luck. From the scenario as given the search adds staff until every target
is met (or ``max_extra`` steps are tried); if the scenario as given already meets them,
it removes staff while they are still met. Every level tried is reported.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from drive_sim.analysis.stats import one_sided_bound, replications_for_margin
from drive_sim.runs.experiment import ReplicationResult, Runner, run_experiment
from drive_sim.scenario import Scenario, scenario_from_dict

__all__ = [
    "LevelResult",
    "SizingResult",
    "Staffing",
    "Target",
    "TargetCheck",
    "default_targets",
    "drive_entry",
    "size_drive_idvas",
    "staffing_level",
]

Step = Literal["count", "fte"]
FTE_STEP = 0.5
#: In ``fte`` steps the Drive FTE is spread over equal posts of at most this FTE each.
MAX_POST_FTE = 1.0


@dataclass(frozen=True)
class Target:
    """``kpi`` (at ``scope``) must be at most ``limit``."""

    kpi: str
    scope: str
    limit: float
    label: str


def default_targets(
    max_weeks_above: float = 0.10,
    max_first_contact_p90: float = 7.0,
    max_burnout_probability: float = 0.10,
    burnout_scope: Literal["drive", "all"] = "drive",
) -> list[Target]:
    """The sizing targets, each overridable.

    Args:
        max_weeks_above: Largest share of Drive IDVA-weeks above the guidance caseload.
        max_first_contact_p90: Largest 90th percentile of days from allocation to IDVA
            first contact (the site's clients).
        max_burnout_probability: Largest chance that an IDVA burns out during a run.
        burnout_scope: ``drive``: any named Drive IDVA (the staff being sized); ``all``:
            any IDVA, wider team included, whose business-as-usual load adding Drive
            IDVAs does not change.
    """
    burnout_kpi = "any_drive_idva_burnout" if burnout_scope == "drive" else "any_idva_burnout"
    who = "a Drive IDVA" if burnout_scope == "drive" else "any IDVA"
    return [
        Target("weeks_above_guidance_share", "group:drive", max_weeks_above, "Drive IDVA weeks above guidance (share)"),
        Target("first_contact_delay_p90_days", "site", max_first_contact_p90, "Days to first contact, 90th percentile"),
        Target(burnout_kpi, "site", max_burnout_probability, f"Chance {who} burns out"),
    ]


# --------------------------------------------------------------------------------------
# Staffing levels
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Staffing:
    """A staffing level: ``level`` steps from the scenario as given (0 is as given)."""

    level: int
    posts: int
    fte: float
    scenario: Scenario

    @property
    def label(self) -> str:
        return f"{self.posts} Drive IDVA{'s' if self.posts != 1 else ''} ({self.fte:g} FTE)"


def drive_entry(scenario: Scenario, entry: int | None = None) -> int:
    """The position in ``teams.idvas`` of the entry to size: ``entry``, else the first Drive one.

    Raises:
        ValueError: No such entry, or it is not a ``drive``-role entry.
    """
    idvas = scenario.teams.idvas
    if entry is None:
        for position, item in enumerate(idvas):
            if item.role == "drive":
                return position
        raise ValueError("the scenario has no 'drive'-role IDVA in teams.idvas to size")
    if not 0 <= entry < len(idvas):
        raise ValueError(f"there is no teams.idvas[{entry}] (the scenario lists {len(idvas)} IDVA entries)")
    if idvas[entry].role != "drive":
        raise ValueError(
            f"teams.idvas[{entry}] ({idvas[entry].name}) is a '{idvas[entry].role}' IDVA, not a Drive IDVA"
        )
    return entry


def _drive_totals(scenario: Scenario) -> tuple[int, float]:
    drive = [i for i in scenario.teams.idvas if i.role == "drive"]
    return sum(i.count for i in drive), round(sum(i.count * i.fte for i in drive), 3)


def staffing_level(scenario: Scenario, level: int, step: Step = "count", entry: int = 0) -> Staffing | None:
    """The scenario with ``level`` steps more (or fewer) staff on ``teams.idvas[entry]``.

    ``count`` adds or removes identical posts. ``fte`` changes the entry's total FTE by
    0.5 a step and spreads it over equal posts of at most 1 FTE each (1.5 FTE is two
    posts of 0.75); a post's business-as-usual referrals scale with its FTE.

    Returns:
        The staffing, or ``None`` when the level would leave the entry without staff or
        outside the schema's limits.
    """
    if level == 0:
        posts, fte = _drive_totals(scenario)
        return Staffing(0, posts, fte, scenario)
    item = scenario.teams.idvas[entry]
    if step == "count":
        count, post_fte = item.count + level, item.fte
        if not 1 <= count <= 100:
            return None
    else:
        total = item.count * item.fte + FTE_STEP * level
        if total < FTE_STEP - 1e-9:
            return None
        count = max(1, math.ceil(total / max(MAX_POST_FTE, item.fte) - 1e-9))
        post_fte = round(total / count, 6)
        if count > 100:
            return None
    data = scenario.model_dump(mode="json")
    data["teams"]["idvas"][entry] |= {
        "count": count,
        "fte": post_fte,
        "non_drive_referrals_per_year": item.non_drive_referrals_per_year * post_fte / item.fte,
    }
    changed = scenario_from_dict(data, "sizing")
    posts, fte = _drive_totals(changed)
    return Staffing(level, posts, fte, changed)


# --------------------------------------------------------------------------------------
# Evaluating a level and searching
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetCheck:
    """One target at one level: the mean, its one-sided upper bound and the verdict."""

    target: Target
    n: int
    mean: float
    upper: float
    met: bool
    #: When the mean is within the limit but the bound is not: replications that would
    #: likely settle it (the CI method with the limit as the margin).
    replications_to_settle: int | None = None


@dataclass
class LevelResult:
    staffing: Staffing
    checks: list[TargetCheck]
    drive_idva_annual_cost: float
    annual_staff_cost: float
    kpis: pd.DataFrame
    complete: bool = True

    @property
    def met(self) -> bool:
        return self.complete and all(check.met for check in self.checks)


def _kpi_values(kpis: pd.DataFrame, kpi: str, scope: str) -> pd.Series:
    return kpis.loc[(kpis["kpi"] == kpi) & (kpis["scope"] == scope), "value"]


def check_targets(kpis: pd.DataFrame, targets: Sequence[Target], confidence: float) -> list[TargetCheck]:
    """Each target against one level's KPIs (a long table, one scenario)."""
    checks = []
    for target in targets:
        values = _kpi_values(kpis, target.kpi, target.scope)
        n, mean, upper = one_sided_bound(values, confidence)
        met = bool(n >= 2 and upper <= target.limit)
        settle = None
        if n >= 2 and not met and mean <= target.limit:
            settle = replications_for_margin(float(values.std(ddof=1)), target.limit - mean, confidence)
        checks.append(TargetCheck(target, n, mean, upper, met, settle))
    return checks


@dataclass
class SizingResult:
    """Every level tried, in the order tried, and the least that meets every target."""

    scenario: Scenario
    targets: list[Target]
    confidence: float
    replications: int
    step: Step
    entry: int
    levels: list[LevelResult] = field(default_factory=list)
    chosen: LevelResult | None = None
    interrupted: bool = False

    @property
    def given(self) -> LevelResult | None:
        return next((r for r in self.levels if r.staffing.level == 0), None)

    @property
    def extra_cost(self) -> float | None:
        """Drive IDVA cost a year of the chosen level over the scenario as given."""
        if self.chosen is None or self.given is None:
            return None
        return self.chosen.drive_idva_annual_cost - self.given.drive_idva_annual_cost

    def table(self) -> pd.DataFrame:
        """One row per level tried, by staffing: posts, FTE, each target's mean and bound, costs."""
        rows = []
        for result in sorted(self.levels, key=lambda r: r.staffing.level):
            row: dict[str, Any] = {
                "level": result.staffing.level,
                "label": result.staffing.label,
                "drive_idva_posts": result.staffing.posts,
                "drive_idva_fte": result.staffing.fte,
                "replications": min((c.n for c in result.checks), default=0),
            }
            for check in result.checks:
                key = f"{check.target.kpi}@{check.target.scope}"
                row |= {f"{key}:mean": check.mean, f"{key}:upper": check.upper, f"{key}:met": check.met}
            row |= {
                "drive_idva_annual_cost": result.drive_idva_annual_cost,
                "annual_staff_cost": result.annual_staff_cost,
                "all_met": result.met,
                "chosen": result is self.chosen,
            }
            rows.append(row)
        return pd.DataFrame(rows)


def _evaluate(
    staffing: Staffing,
    targets: Sequence[Target],
    confidence: float,
    replications: int,
    runner: Runner | None,
    backend: str,
    workers: int | None,
    scheduler: str | None,
    on_result: Callable[[ReplicationResult], None] | None,
) -> LevelResult:
    experiment = run_experiment(
        staffing.scenario,
        replications,
        backend=backend,
        workers=workers,
        scheduler=scheduler,
        runner=runner,
        keep_tables=False,
        on_result=on_result,
    )
    kpis = experiment.kpis
    cost = _kpi_values(kpis, "drive_idva_annual_cost", "site")
    staff_cost = _kpi_values(kpis, "annual_staff_cost", "site")
    return LevelResult(
        staffing=staffing,
        checks=check_targets(kpis, targets, confidence),
        drive_idva_annual_cost=float(cost.mean()) if len(cost) else math.nan,
        annual_staff_cost=float(staff_cost.mean()) if len(staff_cost) else math.nan,
        kpis=kpis,
        complete=not experiment.interrupted,
    )


def size_drive_idvas(
    scenario: Scenario,
    targets: Sequence[Target] | None = None,
    confidence: float = 0.95,
    step: Step = "count",
    replications: int | None = None,
    max_extra: int | None = None,
    entry: int | None = None,
    runner: Runner | None = None,
    backend: str = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    on_result: Callable[[ReplicationResult], None] | None = None,
    on_level: Callable[[Staffing], None] | None = None,
) -> SizingResult:
    """Find the least Drive IDVA staffing that meets every target with ``confidence``.

    Args:
        scenario: The site as given (its staffing is level 0).
        targets: Upper limits on KPIs (default: :func:`default_targets`).
        confidence: One-sided confidence that each KPI's mean is within its limit.
        step: ``count`` (whole posts) or ``fte`` (0.5 FTE steps).
        replications: Replications per level (default: ``run.replications``).
        max_extra: Most steps to add above the scenario as given (default: 10 posts'
            worth, so 10 ``count`` steps or 20 ``fte`` steps).
        entry: Position of the Drive entry in ``teams.idvas`` (default: the first).
        runner: An open backend runner (else one is opened per level from ``backend``).
        backend: As for :func:`~drive_sim.runs.experiment.run_experiment`.
        workers: As for :func:`~drive_sim.runs.experiment.run_experiment`.
        scheduler: As for :func:`~drive_sim.runs.experiment.run_experiment`.
        on_result: Called with every replication result (for progress).
        on_level: Called with each staffing level before it runs.

    Returns:
        Every level tried and the chosen one (``None`` if no level tried met every
        target, or the search was interrupted before one did).

    Raises:
        ValueError: No Drive entry to size, or a bad ``step``.
    """
    if step not in ("count", "fte"):
        raise ValueError(f"step must be 'count' or 'fte', not {step!r}")
    position = drive_entry(scenario, entry)
    targets = list(targets) if targets is not None else default_targets()
    replications = replications or scenario.run.replications
    max_extra = max_extra or (10 if step == "count" else 20)
    result = SizingResult(scenario, targets, confidence, replications, step, position)

    def evaluate(level: int) -> LevelResult | None:
        staffing = staffing_level(scenario, level, step, position)
        if staffing is None:
            return None
        if on_level is not None:
            on_level(staffing)
        level_result = _evaluate(
            staffing, targets, confidence, replications, runner, backend, workers, scheduler, on_result
        )
        result.levels.append(level_result)
        if not level_result.complete:
            result.interrupted = True
        return level_result

    given = evaluate(0)
    if given is None or result.interrupted:
        return result
    if given.met:
        result.chosen = given
        level = -1
        while (lower := evaluate(level)) is not None and lower.met:
            result.chosen = lower
            level -= 1
        return result
    for level in range(1, max_extra + 1):
        higher = evaluate(level)
        if higher is None or result.interrupted:
            break
        if higher.met:
            result.chosen = higher
            break
    return result
