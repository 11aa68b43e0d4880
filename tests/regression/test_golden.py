"""Golden regression: a small pinned experiment gives exactly the numbers it gave before.

The validation suite shows the model is right where the answer is known; this test shows
it has not *changed* unnoticed. It reruns the pinned experiment of ``regenerate.py`` and
compares every KPI of every replication, and every case record of replication 0, with
the golden files (floats to 1e-9 relative, so only platform noise passes).

A failure lists what moved. If the move is intended, regenerate with
``python tests/regression/regenerate.py`` and say why in the commit message (see
``regenerate.py``).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("drive_sim_golden_regenerate", HERE / "regenerate.py")
assert _spec is not None and _spec.loader is not None
regenerate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(regenerate)

KEYS = {"kpis": ["scenario", "replication", "window", "kpi", "scope"], "cases": ["scenario", "replication", "case_id"]}
RTOL = ATOL = 1e-9
HOW_TO_UPDATE = (
    "If this change is intended, run `python tests/regression/regenerate.py` and explain the change "
    "in the commit message (tests/regression/regenerate.py states the rule)."
)


@pytest.fixture(scope="module")
def fresh() -> dict[str, pd.DataFrame]:
    return regenerate.golden_tables()


def differences(name: str, golden: pd.DataFrame, now: pd.DataFrame, limit: int = 12) -> list[str]:
    """Human-readable differences between a golden table and a fresh one."""
    if list(golden.columns) != list(now.columns):
        return [f"{name}: columns changed from {list(golden.columns)} to {list(now.columns)}"]
    keys = KEYS[name]
    merged = golden.merge(now, on=keys, how="outer", suffixes=("_golden", "_now"), indicator=True)
    only = merged.loc[merged["_merge"] != "both", [*keys, "_merge"]]
    problems = [
        f"{name}: row {dict(zip(keys, row, strict=True))} only in the "
        + ("golden file" if side == "left_only" else "fresh run")
        for *row, side in only.itertuples(index=False)
    ]
    both = merged[merged["_merge"] == "both"]
    for column in (c for c in golden.columns if c not in keys):
        a, b = both[f"{column}_golden"], both[f"{column}_now"]
        if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b) and not pd.api.types.is_bool_dtype(a):
            same = np.isclose(a.astype(float), b.astype(float), rtol=RTOL, atol=ATOL, equal_nan=True)
        else:
            same = (a.astype(str) == b.astype(str)).to_numpy()
        for position in np.flatnonzero(~same):
            row = both.iloc[position]
            where = ", ".join(f"{k}={row[k]}" for k in keys)
            problems.append(f"{name}: {where}: {column} was {row[f'{column}_golden']!r}, now {row[f'{column}_now']!r}")
    if len(problems) > limit:
        problems = [*problems[:limit], f"... and {len(problems) - limit} more"]
    return problems


@pytest.mark.parametrize("name", ["kpis", "cases"])
def test_pinned_experiment_matches_its_golden_file(fresh, name):
    path = regenerate.GOLDEN / f"{name}.csv"
    assert path.exists(), f"no golden file {path}. {HOW_TO_UPDATE}"
    golden = regenerate.read_csv(path)
    now = regenerate.round_trip(fresh[name])
    problems = differences(name, golden, now)
    assert not problems, "the pinned experiment changed:\n" + "\n".join(problems) + "\n" + HOW_TO_UPDATE


def test_the_golden_comparison_catches_a_change(fresh):
    """The comparison itself can fail: a nudged value and a lost row are both reported."""
    golden = fresh["kpis"]
    nudged = golden.copy()
    nudged.loc[0, "value"] = nudged.loc[0, "value"] * (1 + 1e-6) + 1e-6
    assert len(differences("kpis", golden, nudged)) == 1
    assert any("only in the golden file" in p for p in differences("kpis", golden, golden.iloc[1:]))
