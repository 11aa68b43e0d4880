"""Sizing: the least Drive IDVA staffing that meets stated targets with stated confidence.

The commissioner's question, and the study's ask of the Drive Partnership: how much IDVA
resource does Drive need on top of business as usual, what does it cost, and how sure
are we? Staffing is changed on one ``drive``-role entry of ``teams.idvas`` (the first,
unless said), either by whole posts (``count``) or in steps of 0.5 FTE (``fte``); every
other part of the scenario, business-as-usual work included, stays as given.

**Window.** Targets are judged on the steady state (the ``steady`` window of
:mod:`drive_sim.analysis.warmup`) unless ``window="launch"`` asks for the first 26 weeks;
the launch's values are kept beside them either way.

**Confidence.** Each target ``KPI <= limit`` is judged with the one-sided bound that fits
the KPI (:func:`drive_sim.analysis.stats.one_sided_bound`): exact (Clopper–Pearson) for a
probability such as the chance a Drive IDVA burns out, the quasi-binomial Wilson bound
for a share, the t bound for other means. A target is **met** when the upper bound is
within the limit, **not met** when the lower bound is beyond it, and **undecided** while
the limit lies between the two.

**Sequential replications.** A level with an undecided target (and none not met) gets
more replications, ``replications``, then doubling (``2n``, ``4n``, ...) up to the budget
``max_replications``: the looks are planned in advance, and each uses confidence
``1 - (1 - confidence) / looks`` (Bonferroni over the looks), so each verdict holds with
the stated ``confidence`` however many looks it took. A target still undecided at the
budget is reported as such, and its level is not chosen.

**Search.** Replication ``k`` is the same cases at every level (common random numbers:
every level runs the same seed, and added replications continue the indices), so
differences between levels are differences in staffing, not luck. From the scenario as
given the search adds staff until a level meets every target (or ``max_extra`` steps are
tried); if the scenario as given already meets them, it removes staff while they are
still met. The chosen level is one whose every target is met; every level tried is
reported.

**What Drive adds.** Every replication is paired with its twin without Drive
(:mod:`drive_sim.analysis.counterfactual`), so each level reports the IDVA FTE of work
Drive adds on top of business as usual, with its paired confidence interval.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from drive_sim.analysis.stats import estimate, in_window, kpi_kind, one_sided_bound
from drive_sim.runs.experiment import ReplicationResult, Runner, open_backend, run_experiment
from drive_sim.scenario import Scenario, scenario_from_dict

__all__ = [
    "LevelResult",
    "SizingResult",
    "Staffing",
    "Target",
    "TargetCheck",
    "default_targets",
    "drive_entry",
    "looks",
    "size_drive_idvas",
    "staffing_level",
]

Step = Literal["count", "fte"]
Verdict = Literal["met", "not met", "undecided"]
#: Default budget of replications per level, as a multiple of the first look.
BUDGET_MULTIPLE = 8
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

    @property
    def kind(self) -> str:
        """``probability``, ``share`` or ``mean``: which bound (:func:`~drive_sim.analysis.stats.kpi_kind`)."""
        return kpi_kind(self.kpi)


def default_targets(
    max_weeks_above: float = 0.10,
    max_first_contact_p90: float = 7.0,
    max_burnout_probability: float = 0.10,
    burnout_scope: Literal["drive", "all"] = "drive",
) -> list[Target]:
    """The sizing targets, each overridable.

    Args:
        max_weeks_above: Largest share of Drive IDVA-weeks above the guidance caseload.
        max_first_contact_p90: Largest 90th percentile of days from acceptance to IDVA
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
    """One target at one level: the mean, its one-sided bounds and the verdict."""

    target: Target
    n: int
    mean: float
    upper: float
    lower: float
    verdict: Verdict
    #: The one-sided confidence each bound was taken at (the per-look confidence).
    confidence: float = 0.95

    @property
    def met(self) -> bool:
        return self.verdict == "met"


@dataclass
class LevelResult:
    staffing: Staffing
    checks: list[TargetCheck]
    drive_idva_annual_cost: float
    annual_staff_cost: float
    kpis: pd.DataFrame
    complete: bool = True
    #: Replications run at this level (more than the first look when a target was close).
    replications: int = 0
    #: Launch-window values of the targets: ``(mean, low, high)`` two-sided 95%, by target.
    launch: list[tuple[float, float, float]] = field(default_factory=list)
    #: IDVA FTE of work Drive adds (mean, 95% CI low, high), paired with the twin without Drive.
    drive_added_fte: tuple[float, float, float] = (math.nan, math.nan, math.nan)
    #: Without Drive: IDVA open cases per FTE over guidance (mean, 95% CI low, high).
    bau_caseload_vs_guidance: tuple[float, float, float] = (math.nan, math.nan, math.nan)

    @property
    def met(self) -> bool:
        return self.complete and all(check.met for check in self.checks)

    @property
    def failed(self) -> bool:
        """Some target is not met (its lower bound is beyond the limit)."""
        return any(check.verdict == "not met" for check in self.checks)

    @property
    def undecided(self) -> list[TargetCheck]:
        return [check for check in self.checks if check.verdict == "undecided"]


def _kpi_values(kpis: pd.DataFrame, kpi: str, scope: str, window: str = "steady") -> pd.Series:
    kpis = in_window(kpis, window)
    return kpis.loc[(kpis["kpi"] == kpi) & (kpis["scope"] == scope), "value"]


def check_targets(
    kpis: pd.DataFrame, targets: Sequence[Target], confidence: float, window: str = "steady"
) -> list[TargetCheck]:
    """Each target against one level's KPIs in a window (a long table, one scenario).

    Args:
        kpis: The level's KPIs.
        targets: The targets.
        confidence: One-sided confidence of each bound.
        window: ``steady`` (the default) or ``launch``.
    """
    checks = []
    for target in targets:
        values = _kpi_values(kpis, target.kpi, target.scope, window)
        kind = target.kind
        n, mean, upper = one_sided_bound(values, confidence, upper=True, kind=kind)  # type: ignore[arg-type]
        _, _, lower = one_sided_bound(values, confidence, upper=False, kind=kind)  # type: ignore[arg-type]
        verdict: Verdict
        if n < 2:
            verdict = "undecided"
        elif upper <= target.limit:
            verdict = "met"
        elif lower > target.limit:
            verdict = "not met"
        else:
            verdict = "undecided"
        checks.append(TargetCheck(target, n, mean, upper, lower, verdict, confidence))
    return checks


def looks(replications: int, budget: int) -> list[int]:
    """The planned replication counts at which a level is judged: ``n, 2n, 4n, ...`` and the budget."""
    if replications < 1 or budget < replications:
        raise ValueError(f"need 1 <= replications <= budget, not {replications} and {budget}")
    planned = [replications]
    while planned[-1] * 2 < budget:
        planned.append(planned[-1] * 2)
    if planned[-1] != budget:
        planned.append(budget)
    return planned


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
    #: Most replications any level may get, and the planned looks up to it.
    budget: int = 0
    looks: list[int] = field(default_factory=list)
    #: The window the targets are judged on.
    window: str = "steady"

    @property
    def look_confidence(self) -> float:
        """The one-sided confidence each look's bounds use, so every verdict holds with ``confidence``."""
        return 1 - (1 - self.confidence) / max(1, len(self.looks))

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
        """One row per level tried, by staffing: posts, FTE, replications, each target's verdict, costs.

        Per target (``<kpi>@<scope>``): the steady-state ``mean``, one-sided ``upper`` and
        ``lower`` bounds, ``verdict`` (met, not met, undecided), ``met``, and the launch's
        ``launch_mean``. Then the Drive-added FTE and business-as-usual caseload with
        their 95% CIs, costs, ``all_met`` and ``chosen``.
        """
        rows = []
        for result in sorted(self.levels, key=lambda r: r.staffing.level):
            row: dict[str, Any] = {
                "level": result.staffing.level,
                "label": result.staffing.label,
                "drive_idva_posts": result.staffing.posts,
                "drive_idva_fte": result.staffing.fte,
                "replications": result.replications,
                "bound_confidence": self.look_confidence,
            }
            for position, check in enumerate(result.checks):
                key = f"{check.target.kpi}@{check.target.scope}"
                launch = result.launch[position] if position < len(result.launch) else (math.nan,) * 3
                row |= {
                    f"{key}:mean": check.mean,
                    f"{key}:upper": check.upper,
                    f"{key}:lower": check.lower,
                    f"{key}:verdict": check.verdict,
                    f"{key}:met": check.met,
                    f"{key}:launch_mean": launch[0],
                }
            added, bau = result.drive_added_fte, result.bau_caseload_vs_guidance
            row |= {
                "drive_added_fte": added[0],
                "drive_added_fte_low": added[1],
                "drive_added_fte_high": added[2],
                "bau_caseload_vs_guidance": bau[0],
                "bau_caseload_vs_guidance_low": bau[1],
                "bau_caseload_vs_guidance_high": bau[2],
                "drive_idva_annual_cost": result.drive_idva_annual_cost,
                "annual_staff_cost": result.annual_staff_cost,
                "all_met": result.met,
                "chosen": result is self.chosen,
            }
            rows.append(row)
        return pd.DataFrame(rows)


def _interval(kpis: pd.DataFrame, kpi: str, scope: str, window: str = "steady") -> tuple[float, float, float]:
    values = _kpi_values(kpis, kpi, scope, window)
    _, mean, low, high = estimate(values, kpi_kind(kpi))
    return mean, low, high


def _level_result(
    staffing: Staffing,
    kpis: pd.DataFrame,
    targets: Sequence[Target],
    confidence: float,
    complete: bool,
    window: str = "steady",
) -> LevelResult:
    cost = _kpi_values(kpis, "drive_idva_annual_cost", "site")
    staff_cost = _kpi_values(kpis, "annual_staff_cost", "site")
    return LevelResult(
        staffing=staffing,
        checks=check_targets(kpis, targets, confidence, window),
        drive_idva_annual_cost=float(cost.mean()) if len(cost) else math.nan,
        annual_staff_cost=float(staff_cost.mean()) if len(staff_cost) else math.nan,
        kpis=kpis,
        complete=complete,
        replications=int(kpis["replication"].nunique()) if len(kpis) else 0,
        launch=[_interval(kpis, t.kpi, t.scope, "launch") for t in targets],
        drive_added_fte=_interval(kpis, "drive_added_fte", "site"),
        bau_caseload_vs_guidance=_interval(kpis, "bau_idva_caseload_vs_guidance", "site"),
    )


def _evaluate(
    staffing: Staffing,
    targets: Sequence[Target],
    confidence: float,
    planned: Sequence[int],
    runner: Runner,
    on_result: Callable[[ReplicationResult], None] | None,
    window: str = "steady",
) -> LevelResult:
    """Run a level look by look until every target is decided, one is not met, or the budget is spent."""
    frames: list[pd.DataFrame] = []
    done = 0
    result: LevelResult | None = None
    for look in planned:
        experiment = run_experiment(
            staffing.scenario,
            look - done,
            runner=runner,
            keep_tables=False,
            on_result=on_result,
            counterfactual=True,
            first=done,
        )
        frames.append(experiment.kpis)
        done = look
        kpis = pd.concat(frames, ignore_index=True)
        result = _level_result(staffing, kpis, targets, confidence, not experiment.interrupted, window)
        if experiment.interrupted or result.failed or not result.undecided:
            break
    assert result is not None
    return result


def size_drive_idvas(
    scenario: Scenario,
    targets: Sequence[Target] | None = None,
    confidence: float = 0.95,
    step: Step = "count",
    replications: int | None = None,
    max_extra: int | None = None,
    entry: int | None = None,
    runner: Runner | None = None,
    on_result: Callable[[ReplicationResult], None] | None = None,
    on_level: Callable[[Staffing], None] | None = None,
    max_replications: int | None = None,
    window: str = "steady",
) -> SizingResult:
    """Find the least Drive IDVA staffing that meets every target with ``confidence``.

    Args:
        scenario: The site as given (its staffing is level 0).
        targets: Upper limits on KPIs (default: :func:`default_targets`).
        confidence: Confidence of each verdict (one-sided; see the module docstring for
            how it is kept over the sequential looks).
        step: ``count`` (whole posts) or ``fte`` (0.5 FTE steps).
        replications: Replications at a level's first look (default: ``run.replications``).
        max_extra: Most steps to add above the scenario as given (default: 10 posts'
            worth, so 10 ``count`` steps or 20 ``fte`` steps).
        entry: Position of the Drive entry in ``teams.idvas`` (default: the first).
        runner: An open runner (see :func:`~drive_sim.runs.experiment.open_backend`),
            left open for the caller to close. Without one, ``open_backend("process")``
            is opened and closed by this call.
        on_result: Called with every replication result (for progress).
        on_level: Called with each staffing level before it runs.
        max_replications: The budget: most replications a level may get while a target
            is undecided (default: 8 times ``replications``).
        window: Judge the targets on the ``steady`` state (default) or the ``launch``.

    Returns:
        Every level tried and the chosen one (``None`` if no level tried met every
        target, or the search was interrupted before one did).

    Raises:
        ValueError: No Drive entry to size, or a bad ``step`` or budget.
    """
    if step not in ("count", "fte"):
        raise ValueError(f"step must be 'count' or 'fte', not {step!r}")
    if window not in ("steady", "launch"):
        raise ValueError(f"window must be 'steady' or 'launch', not {window!r}")
    position = drive_entry(scenario, entry)
    targets = list(targets) if targets is not None else default_targets()
    replications = replications or scenario.run.replications
    max_extra = max_extra or (10 if step == "count" else 20)
    budget = max_replications or BUDGET_MULTIPLE * replications
    planned = looks(replications, budget)
    result = SizingResult(
        scenario, targets, confidence, replications, step, position, budget=budget, looks=planned, window=window
    )
    owned = runner is None
    runner = runner or open_backend("process")

    def evaluate(level: int) -> LevelResult | None:
        staffing = staffing_level(scenario, level, step, position)
        if staffing is None:
            return None
        if on_level is not None:
            on_level(staffing)
        level_result = _evaluate(staffing, targets, result.look_confidence, planned, runner, on_result, window)
        result.levels.append(level_result)
        if not level_result.complete:
            result.interrupted = True
        return level_result

    try:
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
    finally:
        if owned:
            runner.close()
