"""drive-sim from Python: a walk through the public API, as an analyst in a notebook would use it.

Run it from the repository root (it reads ``scenarios/`` and writes into one folder)::

    python examples/analyst_walkthrough.py                 # about a minute on 2 cores
    python examples/analyst_walkthrough.py --quick         # seconds: for CI

It answers one planner's question: at a site like site 5 (one Drive IDVA), what does a
second Drive IDVA change, how does backdating at launch move it, and how many Drive
IDVAs keep the caseload within guidance? Every number it prints comes from the tables
drive-sim returns; nothing is hard-coded. ``tests/unit/test_examples.py`` runs it in CI.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import drive_sim

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--quick", action="store_true", help="few replications and a short horizon (for CI)")
parser.add_argument("--out", type=Path, default=None, help="folder for the results (default: a temporary one)")
args = parser.parse_args()
out = args.out or Path(tempfile.mkdtemp(prefix="drive-sim-example-"))
reps = 3 if args.quick else 20
short = {"site.horizon_days": 365} if args.quick else {}

# 1. Scenarios: a file, and the same file with values changed (dotted paths, as --set).
site5 = drive_sim.load_scenario("scenarios/site5.toml", short)
two = drive_sim.load_scenario("scenarios/site5.toml", {**short, "teams.idvas[0].count": 2})
print(f"Base: {site5.site.name}; {site5.referrals.annual_rate:g} referrals a year.")
for difference in drive_sim.scenario_diff("scenarios/site5.toml", "scenarios/site6.toml"):
    if difference.path == "routing.liaison":
        print(f"Site 5 vs site 6: {difference.path} is {difference.first} vs {difference.second}.")

# 2. One replication: the records and their tables (pandas DataFrames).
output = drive_sim.simulate(site5, replication=0)
frames = drive_sim.tables(output)
cases = frames["cases"]
print(f"Replication 0: {len(cases)} cases; {int((cases['left_reason'] == 'completed').sum())} completed.")
print(f"  the cases table's left_day: {drive_sim.describe_column('cases', 'left_day').description}")

# 3. An experiment: both scenarios on the same random numbers, any backend.
with drive_sim.open_backend("process") as runner:
    result = drive_sim.run_experiment(
        [site5, two], replications=reps, labels=["1 Drive IDVA", "2 Drive IDVAs"], runner=runner
    )
summary = result.summary()
caseload = summary[(summary["kpi"] == "open_cases_per_fte_mean") & (summary["scope"] == "group:drive")]
for row in caseload.itertuples():
    print(f"Drive IDVA open cases per FTE, {row.scenario}: {row.mean:.1f} ({row.ci_low:.1f} to {row.ci_high:.1f})")
differences = result.differences("1 Drive IDVA")
row = differences[(differences["kpi"] == "first_contact_delay_median_days") & (differences["scope"] == "site")].iloc[0]
print(
    f"A second Drive IDVA changes the median days to first contact by {row.mean_difference:+.1f} "
    f"(paired 95% CI {row.ci_low:+.1f} to {row.ci_high:+.1f})."
)

# 4. A sweep into a results folder (resumable), then its tables and report.
folder = out / "backdating-sweep"
outcome = drive_sim.sweep(
    "scenarios/site5.toml", {"backdating.months": [0, 6]}, folder, replications=reps, overrides=short
)
saved = drive_sim.load_results(folder)
peak = outcome.summary
peak = peak[(peak["kpi"] == "open_cases_peak") & (peak["scope"] == "group:drive") & (peak["window"] == "launch")]
for point, value in zip(saved.labels, peak.sort_values("point")["mean"], strict=True):
    print(f"Launch peak of Drive IDVA open cases, {point}: {value:.1f}")
report = drive_sim.build_report(folder)
assert (folder / "schema.json").exists()  # every column of every table, described
print(f"Sweep report: {report}; data dictionary: {folder / 'schema.json'}")

# 5. Sizing: the least Drive IDVA staffing meeting the default targets, with 95% confidence.
with drive_sim.open_backend("process") as runner:
    sizing = drive_sim.size_drive_idvas(site5, replications=reps, runner=runner, max_extra=3)
chosen = sizing.chosen
print(f"Sizing: {chosen.staffing.label if chosen is not None else 'no level within 3 extra posts meets every target'}.")
