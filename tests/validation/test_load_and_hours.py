"""Load, hours and the measures issue 12 defines: each moves the right way when one thing changes.

- **Support shortfall rises with load**: hours of ongoing work not delivered over hours of
  ongoing work asked for, at 50, 100, 150 and 200 cases a year.
- **The backlog switch**: counting outstanding first-contact hours toward burnout
  (``workforce.burnout.backlog_counts``) can only add to a Drive IDVA's weeks burnt out.
- **The resource Drive adds** grows with the number of Drive cases.

Scenarios compared run on common random numbers; each comparison is a paired difference
by replication whose 99% interval must lie wholly on the expected side of 0.
"""

from __future__ import annotations

import pytest
from validation_support import assert_paired_change, assert_rises_overall, default_site

from drive_sim.runs.experiment import run_experiment

RATES = (50, 100, 150, 200)


def at_rate(rate: int, changes: dict | None = None):
    # One warm-up for every rate, so the paired replications read the same weeks
    # (MSER-5 would choose a window per scenario and replication).
    return default_site(
        {
            "site": {"name": f"{rate} a year"},
            "referrals": {"annual_rate": rate},
            "run": {"warmup_days": 365},
            **(changes or {}),
        }
    )


@pytest.mark.parametrize(
    "replications", [pytest.param(20, id="20reps"), pytest.param(60, id="60reps", marks=pytest.mark.slow)]
)
def test_support_shortfall_the_backlog_and_drive_hours_rise_with_load(replications):
    kpis = run_experiment([at_rate(r) for r in RATES], replications, keep_tables=False).kpis
    parameter = "referrals.annual_rate"
    # Every IDVA's shortfall rises at every step. The named Drive IDVA, already short of
    # a quarter of her ongoing hours at 150 a year and leaving more often as load grows,
    # rises overall and never clearly falls, in shortfall and in the hours Drive asks of her.
    assert_paired_change(kpis, parameter, "support_shortfall_share", "group:idva", "up")
    assert_rises_overall(kpis, parameter, "support_shortfall_share", "group:drive")
    assert_paired_change(kpis, parameter, "drive_idva_hours_per_week", "site", "up")
    assert_rises_overall(kpis, parameter, "drive_idva_fte_equivalent", "group:drive")
    assert_paired_change(kpis, parameter, "first_contact_backlog_clients", "site", "up")


def test_counting_the_backlog_toward_burnout_adds_burnout_weeks():
    def site(counts: bool):
        return default_site(
            {"site": {"name": f"backlog counts {counts}"}, "workforce": {"burnout": {"backlog_counts": counts}}}
        )

    kpis = run_experiment([site(False), site(True)], 20, keep_tables=False).kpis
    assert_paired_change(kpis, "workforce.burnout.backlog_counts", "burnout_weeks", "group:drive", "up")
