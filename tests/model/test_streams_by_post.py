"""Common random numbers survive a change of headcount (issue 12, item 5).

Each post's business-as-usual referrals, leaving and vacancy draws come from streams
keyed by the post's name, so adding a Drive IDVA leaves every other post's draws alone.
"""

from __future__ import annotations

import hashlib

import numpy as np
from support import scenario

from drive_sim.model import simulate
from drive_sim.model.streams import Streams, post_key

WIDER = {"name": "Wider IDVA", "role": "wider", "count": 3, "non_drive_referrals_per_year": 100}
ONE_DRIVE = [{"name": "Drive IDVA", "role": "drive", "attends_panel": True}, WIDER]
TWO_DRIVE = [
    {"name": "Drive IDVA", "role": "drive", "attends_panel": True},
    {"name": "Second Drive IDVA", "role": "drive"},
    WIDER,
]
TURNOVER = {
    # Leaving independent of load (no burnout multiplier), so only the draws decide who leaves.
    "idva_attrition": {"enabled": True, "annual_turnover": 0.5, "burnout_multiplier": 1.0,
                       "vacancy_days": {"kind": "exponential", "mean": 60}},
    "cm_attrition": {"enabled": True, "annual_turnover": 0.5, "burnout_multiplier": 1.0,
                     "vacancy_days": {"kind": "exponential", "mean": 60}},
}  # fmt: skip


def test_a_post_key_is_stable_and_its_draws_do_not_depend_on_the_team():
    assert post_key("Wider IDVA 2") == post_key("Wider IDVA 2") != post_key("Wider IDVA 3")
    # from the name's SHA-256, never Python's hash() (salted per process)
    assert post_key("Wider IDVA 2") == int.from_bytes(hashlib.sha256(b"Wider IDVA 2").digest()[:8], "big")
    a, b = Streams(7, 3), Streams(7, 3)
    b.post("workforce", "Drive IDVA").random(10)  # another post drawing first changes nothing
    assert np.array_equal(a.post("workforce", "Wider IDVA 2").random(5), b.post("workforce", "Wider IDVA 2").random(5))
    assert not np.array_equal(Streams(7, 3).post("workforce", "Wider IDVA 1").random(5),
                              Streams(7, 3).post("workforce", "Wider IDVA 2").random(5))  # fmt: skip


def _events(out, names):
    return [(e.practitioner, e.event, e.day) for e in out.workforce_events if e.practitioner in names and
            e.event in ("left", "started")]  # fmt: skip


def test_adding_a_drive_idva_leaves_every_other_posts_leaving_and_vacancy_draws_unchanged():
    one = simulate(scenario({"teams": {"idvas": ONE_DRIVE}, "workforce": TURNOVER}), 2)
    two = simulate(scenario({"teams": {"idvas": TWO_DRIVE}, "workforce": TURNOVER}), 2)
    others = {p.name for p in one.practitioners}  # every post of the smaller team
    assert _events(one, others), "the test needs leavers"
    assert _events(one, others) == _events(two, others)


def test_adding_a_drive_idva_leaves_the_wider_teams_referrals_unchanged():
    one = simulate(scenario({"teams": {"idvas": ONE_DRIVE}}), 1)
    two = simulate(scenario({"teams": {"idvas": TWO_DRIVE}}), 1)

    def referrals(out):
        return [(w.practitioner, w.week, w.new_non_drive_cases) for w in out.weeks if w.role == "wider"]

    assert sum(r[2] for r in referrals(one)) > 0
    assert referrals(one) == referrals(two)


def test_business_as_usual_referrals_to_a_vacant_post_go_to_colleagues():
    # The same referrals arrive with or without turnover: none vanish while a post is vacant.
    stable = simulate(scenario({"workforce": {"idva_attrition": {"enabled": False}}}), 4)
    turnover = simulate(scenario({"workforce": TURNOVER}), 4)
    vacant_weeks = [w for w in turnover.weeks if w.role == "wider" and w.vacant]
    assert vacant_weeks, "the test needs a vacancy in the wider team"
    total = lambda out: sum(w.new_non_drive_cases for w in out.weeks)  # noqa: E731
    assert total(turnover) == total(stable) > 0
