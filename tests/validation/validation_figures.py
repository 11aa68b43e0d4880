"""Print the figures of the README's Validation section (the slow-suite replication counts).

Run from the repository root (about five minutes on two cores)::

    python tests/validation/validation_figures.py

It runs the same systems and measures as the validation tests, at the replication counts
of their slow variants, and prints a Markdown table: simulated value with its 99%
interval beside the theoretical value or the claim. The tests decide pass or fail; this
script only reports the numbers.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for path in (HERE, HERE.parents[1]):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import numpy as np  # noqa: E402
import test_extremes_and_monotonicity as extremes  # noqa: E402
import test_peer_engine as peer  # noqa: E402
import test_queueing_theory as queueing  # noqa: E402
import test_stylised_facts as facts  # noqa: E402
from validation_support import (  # noqa: E402
    MMC,
    default_site,
    mginf_scenario,
    mmc_measures,
    poisson_total_interval,
    replicate,
    t_interval,
    welch_interval,
)

from drive_sim.analysis.stats import paired_differences, summarise  # noqa: E402
from drive_sim.runs.experiment import run_experiment  # noqa: E402


def row(what: str, simulated: str, expected: str, replications: int | str) -> str:
    return f"| {what} | {simulated} | {expected} | {replications} |"


def ci(interval) -> str:
    return f"{interval.estimate:.3f} [{interval.low:.3f}, {interval.high:.3f}]"


def queueing_rows() -> list[str]:
    rows = []
    weeks = ", ".join(map(str, queueing.SNAPSHOT_WEEKS))
    for every, label in ((1.0, "daily panels"), (28.0, "monthly panel batches")):
        scenario = mginf_scenario(queueing.DRIVE_INTERVENTION, every, queueing.HORIZON_DAYS, queueing.ANNUAL_RATE)
        runs = replicate(queueing.open_case_measures, scenario, 1000)
        rows.append(
            row(
                f"M/G/inf, {label}: time-average open cases (Little's law)",
                ci(t_interval(r["time_average"] for r in runs)),
                f"lambda x E[S] = {queueing.LITTLE_MEAN_OPEN:.3f}",
                1000,
            )
        )
        counts = np.array([r["snapshots"] for r in runs], dtype=float)
        means = queueing._snapshot_means(scenario)
        low, high = poisson_total_interval(int(counts.sum()))
        per_snapshot = counts.size
        rows.append(
            row(
                f"M/G/inf, {label}: mean open cases at weekly snapshots (weeks {weeks})",
                f"{counts.mean():.3f} [{low / per_snapshot:.3f}, {high / per_snapshot:.3f}]",
                f"exact batch mean {means.mean():.3f}",
                f"{per_snapshot} snapshots",
            )
        )
        index = queueing.dispersion_index(counts, means)
        p_value, dof = queueing.poisson_goodness_of_fit(counts, means)
        rows.append(
            row(
                f"M/G/inf, {label}: dispersion index (variance / mean)",
                ci(index),
                f"1 (Poisson); chi-square fit p = {p_value:.2f} ({dof} dof)",
                f"{per_snapshot} snapshots",
            )
        )
    return rows


def erlang_rows() -> list[str]:
    runs = replicate(mmc_measures, MMC, 400)
    ciw_runs = replicate(peer.ciw_measures, MMC, 400)
    title = f"M/M/{MMC.places} ({MMC.idvas} IDVAs x cap {MMC.cap}, utilisation {MMC.utilisation:g})"
    return [
        row(
            f"{title}: mean wait for an IDVA place, days",
            ci(t_interval(r["mean_wait"] for r in runs)),
            f"Erlang C {MMC.mean_wait:.3f}",
            400,
        ),
        row(
            f"{title}: share of clients who wait",
            ci(t_interval(r["waited_share"] for r in runs)),
            f"Erlang C {MMC.wait_probability:.4f}",
            400,
        ),
        row(
            f"{title}: time-average waitlist",
            ci(t_interval(r["mean_waiting"] for r in runs)),
            f"lambda x W_q = {MMC.arrival_rate * MMC.mean_wait:.3f}",
            400,
        ),
        row(
            f"{title}: time-average places in use",
            ci(t_interval(r["mean_busy_places"] for r in runs)),
            f"lambda / mu = {MMC.arrival_rate * MMC.mean_days:.3f}",
            400,
        ),
        row(
            "Ciw (peer engine), same M/M/c: mean wait, days",
            ci(t_interval(r["mean_wait"] for r in ciw_runs)),
            f"Erlang C {MMC.mean_wait:.3f}",
            400,
        ),
        row(
            "drive-sim minus Ciw: mean wait, days (Welch)",
            ci(welch_interval((r["mean_wait"] for r in runs), (r["mean_wait"] for r in ciw_runs))),
            "0",
            "400 + 400",
        ),
        row(
            "drive-sim minus Ciw: share who wait (Welch)",
            ci(welch_interval((r["waited_share"] for r in runs), (r["waited_share"] for r in ciw_runs))),
            "0",
            "400 + 400",
        ),
    ]


def fact_rows() -> list[str]:
    rows = []
    scenario = default_site({"run": {"warmup_days": 365}})
    runs = replicate(facts.drive_idva_load, scenario, 200)
    rows += [
        row(
            "Single Drive IDVA, years 2-3: open cases per FTE",
            ci(t_interval(r["open_per_fte"] for r in runs)),
            "> guidance 20",
            200,
        ),
        row(
            "Single Drive IDVA: share of weeks above guidance",
            ci(t_interval(r["weeks_above"] for r in runs)),
            "> 0.5",
            200,
        ),
        row(
            "Single Drive IDVA: new Drive cases a year",
            ci(t_interval(r["new_per_year"] for r in runs)),
            "< guidance 100",
            200,
        ),
        row(
            "Single Drive IDVA: days a case stays with her (L / lambda)",
            ci(t_interval(r["days_held"] for r in runs)),
            f"> SafeLives 2.4 months ({facts.SAFELIVES_CASE_DAYS:.0f} days)",
            200,
        ),
    ]
    surge = replicate(facts.backdating_surge, default_site(), 200)
    rows += [
        row(
            "Backdating 6 months: peak excess Drive IDVA caseload",
            ci(t_interval(r["peak_excess"] for r in surge)),
            "> 0",
            200,
        ),
        row(
            "Backdating 6 months: excess at 3 months",
            ci(t_interval(r["excess_at_3_months"] for r in surge)),
            "> 0",
            200,
        ),
        row(
            "Backdating 6 months: months until the surge clears",
            ci(t_interval(r["months_to_clear"] for r in surge)),
            "> 3",
            200,
        ),
    ]
    kpis = run_experiment([default_site(drive_idvas=1), default_site(drive_idvas=2)], 100, keep_tables=False).kpis
    kpis = kpis[(kpis["scope"] == "site") & (kpis["window"] == "steady")].drop(columns="window")
    summary = summarise(kpis, 0.99).set_index(["scenario", "kpi"])
    differences = paired_differences(kpis, "1 Drive IDVA", 0.99).set_index("kpi")
    for kpi in ("first_contact_delay_median_days", "first_contact_delay_p90_days", "first_contact_within_7_days_share"):
        one, two, d = summary.loc[("1 Drive IDVA", kpi)], summary.loc[("2 Drive IDVAs", kpi)], differences.loc[kpi]
        rows.append(
            row(
                f"First contact, 1 vs 2 Drive IDVAs: {kpi}",
                f"{one['mean']:.2f} vs {two['mean']:.2f}; paired difference {d['mean_difference']:.2f} "
                f"[{d['ci_low']:.2f}, {d['ci_high']:.2f}]",
                "slower with one",
                100,
            )
        )
    pools = {n: replicate(facts.busy_spells, facts.pooled_site(n), 200) for n in (1, 2, 4)}
    for measure, words, claim in (
        ("mean_open", "mean open cases per IDVA", "about equal (the premise)"),
        ("share_above", "share of weeks above guidance", "falls as the pool grows"),
        ("spells_per_idva_year", "busy spells per IDVA a year", "falls as the pool grows"),
        ("longest_spell_weeks", "longest busy spell per IDVA, weeks", "falls as the pool grows"),
    ):
        values = "; ".join(f"{n}: {ci(t_interval(r[measure] for r in pools[n]))}" for n in (1, 2, 4))
        rows.append(row(f"Pooling 1, 2, 4 IDVAs at ~80% of guidance each: {words}", values, claim, 200))
    return rows


def monotonicity_rows() -> list[str]:
    sizes = (1, 2, 3, 4)
    kpis = run_experiment([default_site(drive_idvas=n) for n in sizes], 60, keep_tables=False).kpis
    kpis = kpis[kpis["window"] == "steady"].drop(columns="window")
    summary = summarise(kpis, 0.99).set_index(["scenario", "kpi", "scope"])
    rows = []
    for kpi, scope in (("drive_open_cases_peak", "group:drive"), ("first_contact_delay_p90_days", "site")):
        values = "; ".join(
            f"{n}: {summary.loc[(default_site(drive_idvas=n).site.name, kpi, scope), 'mean']:.1f}" for n in sizes
        )
        rows.append(row(f"Drive IDVAs 1-4 (same site): {kpi}", values, "falls at every step (paired CIs)", 60))
    peaks = {m: replicate(extremes.early_peak, default_site({"backdating": {"months": m}}), 100) for m in (0, 1, 3, 6)}
    values = "; ".join(f"{m} month{'' if m == 1 else 's'}: {ci(t_interval(peaks[m]))}" for m in peaks)
    rows.append(
        row("Backdating 0/1/3/6 months: Drive IDVA peak in the first 26 weeks", values, "rises at every step", 100)
    )
    return rows


def main() -> None:
    header = ["| What | Simulated, mean [99% CI] | Theory or claim | Replications |", "|---|---|---|---|"]
    lines = header + queueing_rows() + erlang_rows() + monotonicity_rows() + fact_rows()
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
