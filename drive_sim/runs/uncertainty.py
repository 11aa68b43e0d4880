"""How sure: worlds drawn from the scenario's ranges, replications within each, and what they say.

A run's confidence intervals cover the randomness between replications only, as if every
assumed value were known. Here the assumed values are uncertain too
(:mod:`drive_sim.scenario.uncertainty` gives their ranges), and the experiment has two
levels: **worlds** (one value drawn for every uncertain parameter) and, inside each world,
**replications** on common random numbers (every world runs the same seed, so replication
``k`` sees the same random numbers in every world and differences between worlds are the
parameters' doing, not luck).

**The design.** The main sample is space-filling: a scrambled Sobol sequence
(``scipy.stats.qmc``; a power of two worlds), a Latin hypercube, or plain random draws
(the one whose worlds are independent, so a share of worlds gets an exact binomial
interval; robust sizing uses it). An optional screening stage adds Morris trajectories
(SALib). Each world is a point of a sweep (:mod:`drive_sim.runs.sweep`), so the experiment
is resumable, runs on every backend bit for bit, and streams its tables to disk.

**What it reports, for each measure** (a KPI at a scope, steady window):

- *Distribution over plausible worlds*: the 5th, 50th and 95th percentiles of the world
  means, from the main sample.
- *Variance split* (one-way random-effects analysis of variance): the within-world
  variance ``s_w^2`` is simulation noise; the variance of the world means, less
  ``s_w^2 / R``, is the parameters' (clipped at 0). Their shares of a single replication's
  variance say whether more replications (noise) or better data (parameters) would
  narrow the answer; ``noise_in_mean`` is the noise left in a world's mean of ``R``.
- *Morris elementary effects* (screening): ``mu*``, the mean absolute effect of moving a
  parameter across its range (in the measure's units), with SALib's bootstrap 95% CI.
- *Sobol indices*: first-order (the share of the variance a parameter explains alone) and
  total (alone and with others). **Direct** when the design holds a Saltelli sample; else
  from an **emulator**, a Gaussian process fitted to the main sample's world means on the
  parameters the screening keeps (or all, if few), with its cross-validated ``q2`` (1 is
  perfect) reported beside it: an index from an emulator with a poor ``q2`` means little.
  Emulator indices describe the emulator's mean, so the replication noise and the
  parameters left out are not in their denominator. CIs are SALib's bootstrap intervals
  (over the emulator's or the design's points; the emulator's own error is not in them).
"""

from __future__ import annotations

import hashlib
import json
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from drive_sim.analysis.stats import in_window
from drive_sim.runs.experiment import ReplicationResult, Runner
from drive_sim.runs.sweep import SweepOutcome, SweepPoint, run_sweep
from drive_sim.scenario import Scenario, ScenarioError
from drive_sim.scenario.uncertainty import Parameter, world

__all__ = [
    "Design",
    "Measure",
    "direct_sobol",
    "emulator_sobol",
    "morris_indices",
    "plan",
    "ranking",
    "run_worlds",
    "sensitivity_table",
    "variance_split",
    "world_means",
    "world_points",
]

Method = Literal["sobol", "lhs", "random"]
Stage = Literal["main", "screening", "saltelli"]
#: A measure: (kpi, scope).
Measure = tuple[str, str]
MORRIS_LEVELS = 4
#: Most parameters an emulator is fitted on (the screening keeps at most this many).
MAX_EMULATED = 8
_SENSITIVITY_COLUMNS = ["parameter", "kpi", "scope", "method", "index", "ci_low", "ci_high"]


@dataclass(frozen=True)
class Design:
    """Every world of an experiment: its stage and its parameters' positions in [0, 1]."""

    parameters: tuple[Parameter, ...]
    unit: np.ndarray
    stage: tuple[Stage, ...]
    method: Method
    seed: int

    @property
    def worlds(self) -> int:
        return len(self.stage)

    def values(self, k: int) -> dict[str, float]:
        """World ``k``'s value of every parameter (path -> value)."""
        return {p.path: p.range.value_at(float(u)) for p, u in zip(self.parameters, self.unit[k], strict=True)}

    def rows(self, stage: Stage) -> np.ndarray:
        """The worlds of one stage, in order."""
        return np.flatnonzero(np.asarray(self.stage) == stage)

    def table(self) -> pd.DataFrame:
        """``world, stage`` and one column per parameter path with its value in that world."""
        frame = pd.DataFrame({"world": np.arange(self.worlds, dtype=np.int64), "stage": list(self.stage)})
        for j, p in enumerate(self.parameters):
            values = [p.range.value_at(float(u)) for u in self.unit[:, j]]
            frame[p.path] = np.round(values) if p.whole else values
        return frame


def _problem(count: int) -> dict:
    return {"num_vars": count, "names": [f"x{j}" for j in range(count)], "bounds": [[0.0, 1.0]] * count}


def plan(
    parameters: Sequence[Parameter],
    samples: int,
    seed: int,
    method: Method = "sobol",
    trajectories: int = 0,
    saltelli: int = 0,
) -> Design:
    """The worlds of an experiment: a main sample, optional Morris trajectories and Saltelli sample.

    Args:
        parameters: The uncertain parameters (:func:`~drive_sim.scenario.uncertainty.uncertain_parameters`).
        samples: Worlds in the main sample (a power of two for ``sobol``).
        seed: Seeds the design (the replications' seed is the scenario's own).
        method: ``sobol`` (scrambled), ``lhs`` or ``random`` (independent worlds).
        trajectories: Morris trajectories for screening (each ``len(parameters) + 1`` worlds).
        saltelli: Base samples of a Saltelli design for direct Sobol indices
            (``saltelli * (len(parameters) + 2)`` worlds).

    Raises:
        ValueError: No parameters, or a sample size the method cannot take.
    """
    from scipy.stats import qmc

    count = len(parameters)
    if count == 0:
        raise ValueError("there are no uncertain parameters (no [uncertainty] ranges, and no default ranges kept)")
    if samples < 2:
        raise ValueError("the main sample needs at least 2 worlds")
    rng = np.random.default_rng([seed, 0x5EED])
    if method == "sobol":
        if samples & (samples - 1):
            raise ValueError(f"a Sobol sample needs a power of two worlds (2, 4, 8, ...), not {samples}")
        main = qmc.Sobol(count, scramble=True, seed=rng).random_base2(int(math.log2(samples)))
    elif method == "lhs":
        main = qmc.LatinHypercube(count, seed=rng).random(samples)
    else:
        main = rng.random((samples, count))
    blocks: list[np.ndarray] = [main]
    stages: list[Stage] = ["main"] * samples
    if trajectories:
        from SALib.sample import morris as morris_sample

        screening = morris_sample.sample(
            _problem(count), trajectories, num_levels=MORRIS_LEVELS, seed=int(rng.integers(2**31))
        )
        blocks.append(screening)
        stages += ["screening"] * len(screening)
    if saltelli:
        from SALib.sample import sobol as sobol_sample

        if saltelli & (saltelli - 1):
            raise ValueError(f"a Saltelli sample needs a power of two base samples, not {saltelli}")
        points = sobol_sample.sample(_problem(count), saltelli, calc_second_order=False, seed=int(rng.integers(2**31)))
        blocks.append(points)
        stages += ["saltelli"] * len(points)
    return Design(tuple(parameters), np.vstack(blocks), tuple(stages), method, seed)


def world_points(scenario: Scenario, design: Design, source: str = "<scenario>") -> list[SweepPoint]:
    """Each world as a sweep point (``world=k``), every one validated before anything runs.

    Raises:
        ScenarioError: Every world the schema refuses, with the first such world named.
    """
    points = []
    problems: dict[tuple[str, str], int] = {}
    for k in range(design.worlds):
        try:
            points.append(SweepPoint(k, (("world", k),), world(scenario, design.values(k), source)))
        except ScenarioError as error:
            for key, message in error.problems:
                problems.setdefault((key, message), k)
    if problems:
        raise ScenarioError(source, [(key, f"{message} (in world {k})") for (key, message), k in problems.items()])
    return points


def design_identity(design: Design, replications: int, scenario: Scenario, *settings: object) -> str:
    """What the experiment computes, for resuming: the worlds, the replications, the scenario and any settings."""
    content = json.dumps(
        {"unit": np.round(design.unit, 15).tolist(), "stage": list(design.stage), "replications": replications,
         "scenario": scenario.model_dump(mode="json"), "settings": list(settings)},
        sort_keys=True, default=str,
    )  # fmt: skip
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def run_worlds(
    folder: str | Path,
    scenario: Scenario,
    design: Design,
    replications: int,
    runner: Runner | None = None,
    command: str = "",
    on_result: Callable[[ReplicationResult], None] | None = None,
    on_plan: Callable[[int, int], None] | None = None,
    force: bool = False,
    kind: str = "uncertainty",
    points: Sequence[SweepPoint] | None = None,
) -> SweepOutcome:
    """Run (or resume) every world's replications into ``folder`` and save the design beside them.

    The folder is a sweep folder of ``kind`` whose points are the worlds: ``kpis.parquet``
    has a ``point`` column (the world), ``worlds.csv`` gives each world's values.
    ``points`` are the worlds already validated by :func:`world_points` (else built here).
    """
    from drive_sim.runs.store import write_table

    points = points if points is not None else world_points(scenario, design)
    outcome = run_sweep(
        folder, points, replications, runner, command=command, on_result=on_result, on_plan=on_plan, force=force,
        kind=kind,
    )  # fmt: skip
    write_table(Path(folder), "worlds", design.table())
    return outcome


# --------------------------------------------------------------------------------------
# Analysis: pure functions of the KPI table (a ``point`` column naming the world)
# --------------------------------------------------------------------------------------


def world_means(kpis: pd.DataFrame, measures: Sequence[Measure], window: str = "steady") -> pd.DataFrame:
    """Per world and measure: ``n`` replications, ``mean`` and ``var`` (ddof 1) of the values."""
    frame = in_window(kpis, window) if "window" in kpis.columns else kpis
    wanted = pd.MultiIndex.from_tuples(list(measures), names=["kpi", "scope"])
    keys = pd.MultiIndex.from_frame(frame[["kpi", "scope"]].astype(str))
    frame = frame[keys.isin(wanted)]
    grouped = frame.groupby(["point", "kpi", "scope"], sort=True, observed=True)["value"]
    out = grouped.agg(n="count", mean="mean", var="var").reset_index()
    out["kpi"], out["scope"] = out["kpi"].astype(str), out["scope"].astype(str)
    return out.rename(columns={"point": "world"})


def _matrix(means: pd.DataFrame, measure: Measure, worlds: np.ndarray, column: str = "mean") -> np.ndarray:
    """One measure's world values in the order of ``worlds`` (nan where a world lacks it)."""
    part = means[(means["kpi"] == measure[0]) & (means["scope"] == measure[1])].set_index("world")[column]
    return part.reindex(worlds).to_numpy(dtype=float)


def variance_split(means: pd.DataFrame, design: Design, replications: int) -> pd.DataFrame:
    """Per measure, over the main sample: the spread over worlds and how much of it is parameters or noise."""
    worlds = design.rows("main")
    rows = []
    for (kpi, scope), _ in means.groupby(["kpi", "scope"], sort=False):
        mean = _matrix(means, (kpi, scope), worlds)
        var = _matrix(means, (kpi, scope), worlds, "var")
        n = _matrix(means, (kpi, scope), worlds, "n")
        ok = ~np.isnan(mean)
        if ok.sum() < 2:
            continue
        within = float(np.nanmean(var[ok])) if replications > 1 and np.isfinite(var[ok]).any() else math.nan
        between = float(np.var(mean[ok], ddof=1))
        reps = float(np.nanmean(n[ok]))
        noise_in_mean = within / reps if math.isfinite(within) else math.nan
        parameter = max(0.0, between - noise_in_mean) if math.isfinite(noise_in_mean) else between
        total = parameter + within if math.isfinite(within) else math.nan
        rows.append(
            {
                "kpi": kpi, "scope": scope, "worlds": int(ok.sum()), "replications": reps,
                "mean": float(np.mean(mean[ok])),
                "p05": float(np.quantile(mean[ok], 0.05)), "p50": float(np.quantile(mean[ok], 0.5)),
                "p95": float(np.quantile(mean[ok], 0.95)),
                "parameter_variance": parameter, "noise_variance": within, "noise_in_mean": noise_in_mean,
                "parameter_share": parameter / total if total and math.isfinite(total) else math.nan,
            }
        )  # fmt: skip
    return pd.DataFrame(rows)


def _index_rows(parameter: str, measure: Measure, method: str, index: float, half: float) -> dict:
    return {
        "parameter": parameter, "kpi": measure[0], "scope": measure[1], "method": method,
        "index": float(index), "ci_low": float(index - half), "ci_high": float(index + half),
    }  # fmt: skip


def morris_indices(means: pd.DataFrame, design: Design, measures: Sequence[Measure], seed: int = 0) -> pd.DataFrame:
    """Morris ``mu*`` (and ``sigma``) of every parameter for every measure, from the screening worlds."""
    from SALib.analyze import morris as morris_analyze

    worlds = design.rows("screening")
    rows = []
    if not len(worlds):
        return pd.DataFrame(columns=_SENSITIVITY_COLUMNS)
    names = [p.path for p in design.parameters]
    for measure in measures:
        y = _matrix(means, measure, worlds)
        if np.isnan(y).any() or np.ptp(y) == 0:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            found = morris_analyze.analyze(
                _problem(len(names)), design.unit[worlds], y, num_levels=MORRIS_LEVELS, conf_level=0.95, seed=seed
            )
        for j, name in enumerate(names):
            half = float(found["mu_star_conf"][j])
            rows.append(_index_rows(name, measure, "morris_mu_star", found["mu_star"][j], half))
            rows[-1]["ci_low"] = max(0.0, rows[-1]["ci_low"])
            rows.append(_index_rows(name, measure, "morris_sigma", found["sigma"][j], 0.0))
    return pd.DataFrame(rows, columns=_SENSITIVITY_COLUMNS)


def screened(morris: pd.DataFrame, design: Design, measures: Sequence[Measure], share: float = 0.1) -> list[int]:
    """The parameters (positions) the screening keeps: ``mu*`` at least ``share`` of the largest, for any measure.

    Without a screening stage every parameter is kept if there are at most
    :data:`MAX_EMULATED`; otherwise the first :data:`MAX_EMULATED` of the ranking.
    """
    names = [p.path for p in design.parameters]
    if morris.empty:
        return list(range(min(len(names), MAX_EMULATED)))
    stars = morris[morris["method"] == "morris_mu_star"]
    score: dict[str, float] = {}
    for measure in measures:
        part = stars[(stars["kpi"] == measure[0]) & (stars["scope"] == measure[1])]
        if part.empty or part["index"].max() <= 0:
            continue
        relative = part["index"] / part["index"].max()
        for name, value in zip(part["parameter"], relative, strict=True):
            if value >= share:
                score[name] = max(score.get(name, 0.0), float(value))
    ranked = sorted(score, key=lambda name: -score[name])[:MAX_EMULATED]
    return sorted(names.index(name) for name in ranked)


def direct_sobol(means: pd.DataFrame, design: Design, measures: Sequence[Measure], seed: int = 0) -> pd.DataFrame:
    """First-order and total Sobol indices straight from the Saltelli worlds' means."""
    from SALib.analyze import sobol as sobol_analyze

    worlds = design.rows("saltelli")
    rows = []
    names = [p.path for p in design.parameters]
    for measure in measures:
        y = _matrix(means, measure, worlds)
        if not len(worlds) or np.isnan(y).any() or np.ptp(y) == 0:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            found = sobol_analyze.analyze(_problem(len(names)), y, calc_second_order=False, conf_level=0.95, seed=seed)
        for j, name in enumerate(names):
            rows.append(_index_rows(name, measure, "sobol_first", found["S1"][j], found["S1_conf"][j]))
            rows.append(_index_rows(name, measure, "sobol_total", found["ST"][j], found["ST_conf"][j]))
    return pd.DataFrame(rows, columns=_SENSITIVITY_COLUMNS)


@dataclass(frozen=True)
class Emulated:
    """Sobol indices from an emulator, and how well the emulator predicts unseen worlds."""

    indices: pd.DataFrame
    quality: pd.DataFrame  # kpi, scope, parameters, worlds, q2


def _gaussian_process(count: int, seed: int):  # type: ignore[no-untyped-def]
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

    kernel = ConstantKernel(1.0, (1e-3, 1e3)) * RBF(np.full(count, 0.5), (1e-2, 1e2)) + WhiteKernel(0.1, (1e-6, 1e1))
    return GaussianProcessRegressor(kernel, normalize_y=True, n_restarts_optimizer=2, random_state=seed)


def emulator_sobol(
    means: pd.DataFrame,
    design: Design,
    measures: Sequence[Measure],
    keep: Sequence[int],
    seed: int = 0,
    base_samples: int = 1024,
    folds: int = 5,
) -> Emulated:
    """Sobol indices of the kept parameters from a Gaussian process fitted to the main sample.

    ``q2`` is the cross-validated share of the world means' variance the emulator predicts
    (``folds``-fold): 1 - sum of squared prediction errors / sum of squares about the mean.
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import KFold

    worlds = design.rows("main")
    x = design.unit[np.ix_(worlds, list(keep))]
    names = [design.parameters[j].path for j in keep]
    points = sobol_sample.sample(_problem(len(keep)), base_samples, calc_second_order=False, seed=seed)
    rows, quality = [], []
    for measure in measures:
        y = _matrix(means, measure, worlds)
        ok = ~np.isnan(y)
        if ok.sum() < max(8, folds) or np.ptp(y[ok]) == 0:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            predicted = np.empty(int(ok.sum()))
            for train, test in KFold(folds, shuffle=True, random_state=seed).split(x[ok]):
                model = _gaussian_process(len(keep), seed).fit(x[ok][train], y[ok][train])
                predicted[test] = model.predict(x[ok][test])
            model = _gaussian_process(len(keep), seed).fit(x[ok], y[ok])
            surface = model.predict(points)
        residual = float(np.sum((y[ok] - predicted) ** 2))
        spread = float(np.sum((y[ok] - y[ok].mean()) ** 2))
        quality.append(
            {"kpi": measure[0], "scope": measure[1], "parameters": len(keep), "worlds": int(ok.sum()),
             "q2": 1 - residual / spread if spread > 0 else math.nan}
        )  # fmt: skip
        if np.ptp(surface) == 0:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            found = sobol_analyze.analyze(
                _problem(len(keep)), surface, calc_second_order=False, conf_level=0.95, seed=seed
            )
        for j, name in enumerate(names):
            rows.append(_index_rows(name, measure, "sobol_first_emulator", found["S1"][j], found["S1_conf"][j]))
            rows.append(_index_rows(name, measure, "sobol_total_emulator", found["ST"][j], found["ST_conf"][j]))
    return Emulated(pd.DataFrame(rows, columns=_SENSITIVITY_COLUMNS), pd.DataFrame(quality))


def sensitivity_table(*parts: pd.DataFrame) -> pd.DataFrame:
    """The ``sensitivity.csv`` table: ``parameter, kpi, scope, method, index, ci_low, ci_high``."""
    frames = [p for p in parts if not p.empty]
    if not frames:
        return pd.DataFrame(columns=_SENSITIVITY_COLUMNS)
    return pd.concat(frames, ignore_index=True)[_SENSITIVITY_COLUMNS]


def ranking(sensitivity: pd.DataFrame, measure: Measure) -> pd.DataFrame:
    """Parameters by their total index for one measure (direct if there, else emulated, else Morris)."""
    if sensitivity.empty or "kpi" not in sensitivity.columns:
        return pd.DataFrame(columns=_SENSITIVITY_COLUMNS)
    part = sensitivity[(sensitivity["kpi"] == measure[0]) & (sensitivity["scope"] == measure[1])]
    for method in ("sobol_total", "sobol_total_emulator", "morris_mu_star"):
        found = part[part["method"] == method]
        if not found.empty:
            return found.sort_values("index", ascending=False, kind="stable", ignore_index=True)
    return part.iloc[0:0]


# --------------------------------------------------------------------------------------
# The whole analysis of a folder
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Analysis:
    """Everything :func:`analyse` finds, as the tables it saves."""

    variance: pd.DataFrame
    sensitivity: pd.DataFrame
    emulator: pd.DataFrame
    kept: tuple[str, ...]


def analyse(
    kpis: pd.DataFrame, design: Design, replications: int, measures: Sequence[Measure], seed: int = 0
) -> Analysis:
    """The variance split and every sensitivity index the design allows, for each measure.

    Morris from the screening worlds; Sobol directly from a Saltelli sample if the design
    has one; and from an emulator of the main sample on the parameters the screening
    keeps (at most :data:`MAX_EMULATED`; all of them when there are that few).
    """
    means = world_means(kpis, measures)
    variance = variance_split(means, design, replications)
    morris = morris_indices(means, design, measures, seed)
    keep = screened(morris, design, measures)
    direct = direct_sobol(means, design, measures, seed)
    emulated = (
        emulator_sobol(means, design, measures, keep, seed)
        if len(design.rows("main")) >= 8 and keep
        else Emulated(pd.DataFrame(columns=_SENSITIVITY_COLUMNS), pd.DataFrame())
    )
    return Analysis(
        variance, sensitivity_table(morris, direct, emulated.indices), emulated.quality,
        tuple(design.parameters[j].path for j in keep),
    )  # fmt: skip


def save_analysis(folder: str | Path, analysis: Analysis) -> None:
    """Write ``variance``, ``sensitivity`` and ``emulator`` (CSV and Parquet) into the folder."""
    from drive_sim.runs.store import write_table

    for name, table in (("variance", analysis.variance), ("sensitivity", analysis.sensitivity),
                        ("emulator", analysis.emulator)):  # fmt: skip
        write_table(Path(folder), name, table)


def parameters_table(design: Design) -> pd.DataFrame:
    """One row per uncertain parameter: path, range, value in the scenario, whether a default range, source."""
    return pd.DataFrame(
        [
            {"parameter": p.path, "kind": p.range.kind, "low": p.range.low, "mode": p.range.mode,
             "high": p.range.high, "value": p.base, "default_range": p.default, "source": p.range.source}
            for p in design.parameters
        ]
    )  # fmt: skip
