"""Regenerate the golden files of the regression test (``test_golden.py``).

Run from the repository root::

    python tests/regression/regenerate.py

It runs a small pinned experiment (two scenarios, three replications, two years, fixed
seed) and writes ``tests/regression/golden/kpis.csv`` (every KPI of every replication)
and ``golden/cases.csv`` (every case record of replication 0).

The rule: **a commit that changes a golden file says why in its message**: which change
to the model moved the numbers and that the move is intended (for example "cases.py:
staggered tail ends when the IDVA closes; golden: 3 cases close earlier in the stress
scenario"). A golden file that changes without such a line is a regression until shown
otherwise. Never regenerate just to make the test pass.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run from a checkout, as tests/conftest.py does

from drive_sim.runs.experiment import open_backend, run_experiment  # noqa: E402
from drive_sim.scenario import Scenario, scenario_from_dict  # noqa: E402

GOLDEN = Path(__file__).resolve().parent / "golden"
REPLICATIONS = 3
SEED = 20240601

#: The pinned scenarios. ``default`` is the study's modal site; ``stress`` switches on
#: every mechanism the default leaves off (caps and a waitlist, backdating, handover,
#: relayed liaison, cautious gate, staggered closure, high turnover), so a change to any
#: of them shows here.
PINNED: dict[str, dict[str, Any]] = {
    "default": {
        "site": {"name": "default", "horizon_days": 730},
        "run": {"seed": SEED},
    },
    "stress": {
        "site": {"name": "stress", "horizon_days": 730},
        "referrals": {"annual_rate": 140, "dispersion": 0.3},
        "backdating": {"months": 3},
        "teams": {
            "idvas": [
                {"name": "Drive IDVA", "role": "drive", "count": 2, "attends_panel": True},
                {"name": "Wider IDVA", "role": "wider", "count": 3, "fte": 0.8, "non_drive_referrals_per_year": 100},
            ]
        },
        "routing": {
            "support": "wider",
            "handover": True,
            "liaison": "relayed",
            "caseload_cap": 15,
            "when_full": "waitlist",
        },
        "policies": {"gate": "cautious", "closure": "staggered"},
        "workforce": {"idva_attrition": {"annual_turnover": 0.6}, "cm_attrition": {"annual_turnover": 0.4}},
        "run": {"seed": SEED},
    },
}


def pinned_scenarios() -> list[Scenario]:
    return [scenario_from_dict(data, f"pinned scenario {label}") for label, data in PINNED.items()]


def golden_tables() -> dict[str, pd.DataFrame]:
    """The tables the golden files hold, computed afresh."""
    with open_backend("serial") as runner:
        experiment = run_experiment(pinned_scenarios(), REPLICATIONS, runner=runner, keep_tables=True)
    kpis = experiment.kpis[["scenario", "replication", "window", "kpi", "scope", "value"]]
    cases = experiment.tables["cases"]
    cases = cases[cases["replication"] == 0]
    cases = cases[["scenario", *(c for c in cases.columns if c != "scenario")]]
    return {"kpis": kpis.reset_index(drop=True), "cases": cases.reset_index(drop=True)}


def write_csv(frame: pd.DataFrame, path: Path | io.StringIO) -> None:
    # 17 significant digits round-trip every float exactly.
    frame.to_csv(path, index=False, float_format="%.17g", na_rep="nan", lineterminator="\n")


def read_csv(path: Path | io.StringIO) -> pd.DataFrame:
    # Empty strings stay strings (an unallocated case has no IDVA); only "nan" is missing.
    return pd.read_csv(path, keep_default_na=False, na_values=["nan"])


def round_trip(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as it reads back from a golden file, so fresh and golden compare like for like."""
    buffer = io.StringIO()
    write_csv(frame, buffer)
    buffer.seek(0)
    return read_csv(buffer)


def main() -> None:
    GOLDEN.mkdir(exist_ok=True)
    for name, frame in golden_tables().items():
        write_csv(frame, GOLDEN / f"{name}.csv")
        sys.stdout.write(f"wrote {GOLDEN / f'{name}.csv'} ({len(frame)} rows)\n")


if __name__ == "__main__":
    main()
