"""Robust sizing: the least Drive IDVA staffing that meets the targets in enough plausible worlds.

:func:`drive_sim.runs.sizing.size_drive_idvas` answers for the scenario as given, as if
every assumed value were known. Here each staffing level runs in the same worlds (random,
independent draws from the scenario's ranges, :mod:`drive_sim.runs.uncertainty`), each
world with the same replications (common random numbers), and a level is judged by the
**share of worlds in which every target is met**, with its exact (Clopper–Pearson) 95%
interval: the worlds are independent draws, so the interval is what it says. A world
meets a target when the mean of its replications is within the limit (so with few
replications a world's verdict is itself noisy; the report says how many).

The chosen level is the least whose share of worlds is at least ``share`` (default 90%).
Levels are tried upward from the scenario as given (downward while it already meets the
share), and the level below the chosen one is always tried, so that each world's
**required level** (the least tried level meeting every target in that world) is known
on both sides of the choice.

**Switching values** (as the Green Book uses them): for each influential assumption, the
value at which the required staffing changes. A logistic regression of "this world needs
more (fewer) staff than chosen" on the assumption's value, across the worlds (the other
assumptions varying as they do), gives the value where the chance crosses one half; none
is reported when it does not cross inside the range.

**Which data to collect first** (a proxy for the expected value of partial information):
for each assumption, suppose a year of the site's own data narrowed it to the width
``drive-sim fit``'s interval would have (:mod:`drive_sim.calibration.data_value`). Cut the
worlds into bins of that width along the assumption; in each bin choose the least level
meeting the targets in ``share`` of that bin's worlds. The chance that the choice changes, and the
expected change in Drive IDVA FTE (and cost) from choosing per bin instead of once for all
worlds, say how much knowing that assumption is worth to this decision. It is a binned,
nonparametric estimate of partial perfect information at the data's resolution; bins
hold at least :data:`MIN_BIN_WORLDS` worlds, so coarse samples give coarse answers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from drive_sim.analysis.stats import binomial_interval
from drive_sim.runs.experiment import ReplicationResult, Runner
from drive_sim.runs.sizing import Staffing, Step, Target, staffing_level
from drive_sim.runs.uncertainty import Design, Emulated, emulator_sobol, world_means
from drive_sim.scenario import Scenario

__all__ = [
    "DECISION_PARAMETERS",
    "MIN_BIN_WORLDS",
    "RobustLevel",
    "RobustSizing",
    "decision_margins",
    "decision_sensitivity",
    "required_levels",
    "robust_size",
    "switching_values",
    "value_of_data",
]

#: The fewest worlds a bin of the value-of-data estimate may hold.
MIN_BIN_WORLDS = 10


@dataclass(frozen=True)
class RobustLevel:
    """One staffing level across the worlds: which worlds meet every target, and the share."""

    staffing: Staffing
    met: np.ndarray  # bool per world
    per_target: dict[str, float]  # target label -> share of worlds meeting it
    cost: float  # mean annual staff cost over the worlds
    drive_fte: float

    @property
    def worlds(self) -> int:
        return len(self.met)

    @property
    def share(self) -> float:
        return float(self.met.mean())

    @property
    def interval(self) -> tuple[float, float]:
        """Exact 95% interval of the share of worlds meeting every target."""
        return binomial_interval(int(self.met.sum()), self.worlds)


@dataclass
class RobustSizing:
    """Every level tried, the chosen one, and each world's required level."""

    levels: dict[int, RobustLevel]
    chosen: int | None
    share: float
    design: Design
    replications: int

    def table(self) -> pd.DataFrame:
        """One row per level tried: staffing, share of worlds meeting every target with its CI, per-target shares."""
        rows = []
        for level in sorted(self.levels):
            result = self.levels[level]
            low, high = result.interval
            rows.append(
                {
                    "level": level, "label": result.staffing.label, "drive_fte": result.drive_fte,
                    "worlds": result.worlds, "share_meeting_all": result.share, "ci_low": low, "ci_high": high,
                    **{f"share: {label}": value for label, value in result.per_target.items()},
                    "annual_staff_cost": result.cost, "chosen": level == self.chosen,
                }
            )  # fmt: skip
        return pd.DataFrame(rows)


def _judge(kpis: pd.DataFrame, targets: Sequence[Target], worlds: int) -> tuple[np.ndarray, dict[str, float], float]:
    measures = [(t.kpi, t.scope) for t in targets] + [("annual_staff_cost", "site")]
    means = world_means(kpis, measures)
    met = np.ones(worlds, dtype=bool)
    per_target = {}
    for target in targets:
        part = means[(means["kpi"] == target.kpi) & (means["scope"] == target.scope)].set_index("world")["mean"]
        values = part.reindex(range(worlds)).to_numpy(dtype=float)
        ok = values <= target.limit  # a world without the measure does not meet it
        per_target[target.label] = float(ok.mean())
        met &= ok
    cost = means.loc[means["kpi"] == "annual_staff_cost", "mean"]
    return met, per_target, float(cost.mean()) if len(cost) else math.nan


def robust_size(
    folder: str | Path,
    scenario: Scenario,
    design: Design,
    replications: int,
    targets: Sequence[Target],
    runner: Runner | None = None,
    share: float = 0.9,
    step: Step = "count",
    entry: int = 0,
    max_extra: int = 6,
    command: str = "",
    on_result: Callable[[ReplicationResult], None] | None = None,
    on_level: Callable[[Staffing], None] | None = None,
) -> RobustSizing:
    """Search the staffing levels across the design's main worlds (each level a resumable sub-folder).

    Args:
        folder: The results folder; each level's worlds go to ``levels/level<+n>``.
        scenario: The scenario as given (level 0).
        design: The worlds (use ``method="random"`` for an exact interval on the share).
        replications: Replications in each world.
        targets: What every world must meet.
        runner: An open runner, left open (see :func:`drive_sim.runs.experiment.open_backend`).
        share: The least share of worlds a chosen level must meet the targets in.
        step: ``count`` or ``fte`` (:func:`drive_sim.runs.sizing.staffing_level`).
        entry: The ``teams.idvas`` entry whose staffing changes.
        max_extra: Most levels tried above (or below) the scenario as given.
        command: The command line, recorded in each level's manifest.
        on_result: Called with each replication's result as it finishes.
        on_level: Called with each level's staffing before it runs.
    """
    from drive_sim.runs.uncertainty import run_worlds

    main = design.rows("main")
    if len(main) != design.worlds:
        design = Design(design.parameters, design.unit[main], ("main",) * len(main), design.method, design.seed)
    levels: dict[int, RobustLevel] = {}

    def evaluate(level: int) -> RobustLevel | None:
        if level in levels:
            return levels[level]
        staffing = staffing_level(scenario, level, step, entry)
        if staffing is None:
            return None
        if on_level is not None:
            on_level(staffing)
        sub = Path(folder) / "levels" / f"level{level:+d}"
        outcome = run_worlds(
            sub, staffing.scenario, design, replications, runner, command, on_result, kind="size-uncertain-level"
        )
        if outcome.interrupted:
            raise KeyboardInterrupt
        kpis = pd.read_parquet(sub / "kpis.parquet")
        met, per_target, cost = _judge(kpis, targets, design.worlds)
        levels[level] = RobustLevel(staffing, met, per_target, cost, staffing.fte)
        return levels[level]

    chosen = None
    start = evaluate(0)
    assert start is not None
    if start.share >= share:
        chosen = 0
        for level in range(-1, -max_extra - 1, -1):
            result = evaluate(level)
            if result is None or result.share < share:
                break
            chosen = level
    else:
        for level in range(1, max_extra + 1):
            result = evaluate(level)
            if result is None:
                break
            if result.share >= share:
                chosen = level
                break
    if chosen is not None:
        evaluate(chosen - 1)  # so each world's required level is known below the choice too
    return RobustSizing(levels, chosen, share, design, replications)


def required_levels(sizing: RobustSizing) -> np.ndarray:
    """Per world: the least tried level meeting every target; inf if no tried level does.

    A world meeting the targets at the least level tried gets that level (it might need
    fewer still: the search did not go lower).
    """
    out = np.full(sizing.design.worlds, np.inf)
    for level in sorted(sizing.levels, reverse=True):
        out[sizing.levels[level].met] = level
    return out


def switching_values(sizing: RobustSizing, parameters: Sequence[int]) -> pd.DataFrame:
    """For each parameter (position in the design): the value past which the required staffing changes.

    Columns: ``parameter, direction`` (``more``: above/below the value more staff than
    chosen are needed; ``fewer``), ``value``, ``side`` (``above`` or ``below``), ``worlds``
    (how many worlds need that change).
    """
    from sklearn.linear_model import LogisticRegression

    rows = []
    if sizing.chosen is None:
        return pd.DataFrame(columns=["parameter", "direction", "value", "side", "worlds"])
    required = required_levels(sizing)
    design = sizing.design
    for j in parameters:
        p = design.parameters[j]
        u = design.unit[:, j]
        for direction, flag in (("more", required > sizing.chosen), ("fewer", required < sizing.chosen)):
            if flag.sum() < 3 or (~flag).sum() < 3:
                continue
            model = LogisticRegression(C=1e4, max_iter=1000).fit(u.reshape(-1, 1), flag.astype(int))
            slope, intercept = float(model.coef_[0][0]), float(model.intercept_[0])
            if slope == 0:
                continue
            crossing = -intercept / slope
            if not 0 <= crossing <= 1:
                continue
            value = p.range.value_at(crossing)
            rows.append(
                {"parameter": p.path, "direction": direction, "value": round(value) if p.whole else value,
                 "side": "above" if slope > 0 else "below", "worlds": int(flag.sum())}
            )  # fmt: skip
    return pd.DataFrame(rows, columns=["parameter", "direction", "value", "side", "worlds"])


def _least_meeting(sizing: RobustSizing, rows: np.ndarray) -> float:
    for level in sorted(sizing.levels):
        if sizing.levels[level].met[rows].mean() >= sizing.share:
            return level
    return math.inf


def value_of_data(sizing: RobustSizing, widths: Mapping[str, float]) -> pd.DataFrame:
    """The value to this decision of narrowing each assumption to ``widths`` (share of its range, 0-1).

    Columns: ``parameter, narrowed_width`` (share of the current range), ``bins``,
    ``chance_choice_changes`` (the chance that, once the value is known to that width,
    the staffing chosen differs), ``expected_fte_change`` and ``expected_cost_change`` (a
    year; negative: knowing it saves staff, positive: it shows more are needed to keep the
    assurance) and ``note``. Sorted by the chance the choice changes, largest first.
    """
    columns = ["parameter", "narrowed_width", "bins", "chance_choice_changes", "expected_fte_change",
               "expected_cost_change", "note"]  # fmt: skip
    rows = []
    if sizing.chosen is None:
        return pd.DataFrame(columns=columns)
    design, chosen = sizing.design, sizing.chosen
    fte = {level: r.drive_fte for level, r in sizing.levels.items()}
    cost = {level: r.cost for level, r in sizing.levels.items()}
    for j, p in enumerate(design.parameters):
        width = widths.get(p.path)
        if width is None or not 0 < width < 1:
            note = "a case export does not measure it" if width is None else "data would not narrow it"
            rows.append({"parameter": p.path, "narrowed_width": width, "bins": 1, "chance_choice_changes": 0.0,
                         "expected_fte_change": 0.0, "expected_cost_change": 0.0, "note": note})  # fmt: skip
            continue
        bins = max(1, min(math.ceil(1 / width), design.worlds // MIN_BIN_WORLDS))
        edges = np.quantile(design.unit[:, j], np.linspace(0, 1, bins + 1))
        which = np.clip(np.searchsorted(edges, design.unit[:, j], side="right") - 1, 0, bins - 1)
        changes = fte_change = cost_change = 0.0
        censored = False
        for b in range(bins):
            rows_b = np.flatnonzero(which == b)
            weight = len(rows_b) / design.worlds
            level = _least_meeting(sizing, rows_b)
            if not math.isfinite(level):
                censored = True
                level = max(sizing.levels)
            level = int(level)
            changes += weight * (level != chosen)
            fte_change += weight * (fte[level] - fte[chosen])
            cost_change += weight * (cost[level] - cost[chosen])
        rows.append(
            {"parameter": p.path, "narrowed_width": width, "bins": bins, "chance_choice_changes": changes,
             "expected_fte_change": fte_change, "expected_cost_change": cost_change,
             "note": "some bins need more staff than any level tried" if censored else ""}
        )  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values("chance_choice_changes", ascending=False, kind="stable", ignore_index=True)


def decision_margins(folder: str | Path, sizing: RobustSizing, level: int, targets: Sequence[Target]) -> np.ndarray:
    """Per world: the worst target's margin at ``level``, (mean - limit) / limit (<= 0: every target met)."""
    kpis = pd.read_parquet(Path(folder) / "levels" / f"level{level:+d}" / "kpis.parquet")
    means = world_means(kpis, [(t.kpi, t.scope) for t in targets])
    worlds = sizing.design.worlds
    worst = np.full(worlds, -np.inf)
    for t in targets:
        part = means[(means["kpi"] == t.kpi) & (means["scope"] == t.scope)].set_index("world")["mean"]
        values = part.reindex(range(worlds)).to_numpy(dtype=float)
        worst = np.maximum(worst, (values - t.limit) / max(abs(t.limit), 1e-9))
    return worst


#: The most parameters the decision's emulator is fitted on (ranked by rank correlation).
DECISION_PARAMETERS = 8


def decision_sensitivity(
    folder: str | Path, sizing: RobustSizing, targets: Sequence[Target], seed: int = 0
) -> tuple[list[int], Emulated]:
    """Which assumptions move the decision: Sobol indices of the worst target's margin.

    Judged at the chosen level (else the most staff tried). The parameters are screened by
    the absolute Spearman correlation of their value with the margin across the worlds
    (the :data:`DECISION_PARAMETERS` largest), then emulated as ``drive-sim uncertainty``
    does. Returns the screened parameters (positions, strongest first) and the indices.
    """
    design = sizing.design
    level = sizing.chosen if sizing.chosen is not None else max(sizing.levels)
    margin = decision_margins(folder, sizing, level, targets)
    strength = [
        abs(float(pd.Series(design.unit[:, j]).corr(pd.Series(margin), method="spearman")) or 0.0)
        for j in range(len(design.parameters))
    ]
    strength = [0.0 if math.isnan(value) else value for value in strength]
    order = sorted(range(len(design.parameters)), key=lambda j: -strength[j])[:DECISION_PARAMETERS]
    means = pd.DataFrame(
        {"world": range(design.worlds), "kpi": "decision_margin", "scope": "site", "n": sizing.replications,
         "mean": margin, "var": math.nan}
    )  # fmt: skip
    return order, emulator_sobol(means, design, [("decision_margin", "site")], sorted(order), seed)
