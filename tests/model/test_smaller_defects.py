"""Issue 12's smaller defects, each shown by the behaviour it fixes."""

from __future__ import annotations

from support import scenario

from drive_sim.analysis.metrics import replication_kpis
from drive_sim.model import simulate
from drive_sim.model.site import SiteModel
from drive_sim.model.workforce import burnout_flags
from drive_sim.scenario import Routing


def test_reserved_first_contact_hours_scale_with_fte():
    # A half-time IDVA whose ongoing work takes every hour she has: first contacts get only
    # her reserved hours, half of a full-time post's 6 a week.
    s = scenario(
        {
            "teams": {"idvas": [{"name": "Drive IDVA", "role": "drive", "fte": 0.5}]},
            "case_mix": {"already_supported_share": 0.0, "already_contacted_share": 0.5},
            "hours": {"idva": {"support_intensive_hours_per_week": 5, "support_hours_per_week": 5}},
            "site": {"horizon_days": 400},
        }
    )
    out = simulate(s, 0)
    weeks = [w for w in out.weeks if w.kind == "idva" and w.week > 4]
    assert all(w.ongoing_hours > w.available_hours for w in weeks), "the test needs her hours all taken"
    assert all(w.first_contact_queue > 0 for w in weeks), "the test needs clients waiting"
    reserved = s.hours.idva.reserved_first_contact_hours_per_week * 0.5
    done = sum(w.first_contact_hours for w in weeks)
    # the credit carried between weeks is at most one attempt plus a day's budget
    assert done <= reserved * len(weeks) + s.hours.idva.first_contact_hours + reserved
    assert done >= reserved * len(weeks) - 2 * s.hours.idva.first_contact_hours


def test_a_team_leader_is_judged_at_her_caseload_fte_under_the_caseload_rule():
    s = scenario(
        {
            "workforce": {"burnout": {"rule": "caseload", "caseload_multiple": 1.0}},
            "guidance": {"cm_open_cases_per_fte": 12},
            "site": {"horizon_days": 500},
        }
    )
    out = simulate(s, 0)
    share = {p.name: p.capacity_share for p in out.practitioners}
    rule = s.workforce.burnout
    for person in share:
        rows = [w for w in out.weeks if w.practitioner == person]
        limit = s.guidance.cm_open_cases_per_fte if rows[0].kind == "cm" else s.guidance.idva_open_cases_per_fte
        above = [(w.drive_open + w.non_drive_open) / (w.fte * share[person]) > limit for w in rows]
        assert [w.burnt_out for w in rows] == burnout_flags(above, rule), person
    leader = [w for w in out.weeks if w.role == "team_leader"]
    # burnt out in weeks when, judged on her full FTE, she would not have been above
    assert any(w.burnt_out and w.drive_open / w.fte <= 12 for w in leader)


def test_liaison_relayed_through_a_leaver_moves_with_her_cases():
    s = scenario(
        {
            "teams": {
                "idvas": [
                    {"name": "Drive IDVA", "role": "drive", "count": 2},
                    {"name": "Wider IDVA", "role": "wider", "count": 2, "non_drive_referrals_per_year": 50},
                ]
            },
            "routing": {"support": "wider", "liaison": "relayed"},
            "case_mix": {"already_supported_share": 0.0},
            "site": {"horizon_days": 300},
        }
    )
    site = SiteModel(s, 0)
    leaver = site.by_name["Drive IDVA 1"]
    seen = {}

    def leaves_on_day_150():
        yield site.env.timeout(150)
        assert leaver.relaying, "the test needs cases relayed through the leaver"
        moved = list(leaver.relaying.values())
        site.workforce.leave(leaver, s.workforce.idva_attrition)
        seen["relaying"] = dict(leaver.relaying)
        seen["moved"] = moved

    site.env.process(leaves_on_day_150())
    site.run()
    assert seen["relaying"] == {}
    assert all(case.relay is not leaver for case in seen["moved"])
    assert all(case.relay is None or not case.relay.vacant for case in seen["moved"] if case.idva_open)


def test_a_backdated_client_who_moves_to_the_drive_idva_leaves_her_former_idvas_caseload():
    # Long non-Drive cases (none closes in the run) and a backlog arriving over 200 days,
    # so the wider team holds business-as-usual cases when the backlog clients come over.
    base = {
        "backdating": {"months": 6, "arrival_spread_days": 200},
        "durations": {"non_drive_case_days": {"kind": "fixed", "value": 2000}},
        "site": {"horizon_days": 300},
    }
    moved = simulate(scenario(base, {"backdating": {"already_supported_share": 1.0}}), 0)
    stayed = simulate(scenario(base, {"backdating": {"already_supported_share": 0.0}}), 0)
    came_over = [c for c in moved.cases if c.former_idva]
    assert came_over and all(c.backdated and c.idva == "Drive IDVA" for c in came_over)
    held_moved = {(w.practitioner, w.week): w.non_drive_open for w in moved.weeks if w.role == "wider"}
    held_stayed = {(w.practitioner, w.week): w.non_drive_open for w in stayed.weeks if w.role == "wider"}
    for (name, week), held in held_moved.items():
        left = sum(1 for c in came_over if c.former_idva == name and c.allocated_day <= week * 7 + 0.75)
        assert held == held_stayed[name, week] - left, (name, week)


def test_accepted_cases_a_year_exclude_the_launch_backlog():
    # No warm-up: the backlog arrives at launch, and both runs read the same window.
    plain = scenario({"site": {"horizon_days": 400}, "run": {"warmup_days": 0}})
    backdated = scenario({"site": {"horizon_days": 400}, "backdating": {"months": 6}, "run": {"warmup_days": 0}})
    a, b = replication_kpis(simulate(plain, 0), plain), replication_kpis(simulate(backdated, 0), backdated)

    def kpi(kpis, name):
        rows = (kpis["kpi"] == name) & (kpis["scope"] == "site") & (kpis["window"] == "steady")
        return float(kpis.loc[rows, "value"].item())

    assert kpi(b, "backlog_cases") > 0 and kpi(a, "backlog_cases") == 0
    # the same panel referrals (common random numbers), whatever the backlog
    assert kpi(b, "accepted_cases_per_year") == kpi(a, "accepted_cases_per_year")


def test_least_loaded_counts_non_drive_cases_as_its_description_says():
    assert "non-Drive" in Routing.model_fields["pick"].description
    s = scenario(
        {
            "teams": {
                "idvas": [
                    {"name": "Drive A", "role": "drive"},
                    {"name": "Drive B", "role": "drive", "non_drive_referrals_per_year": 150},
                ]
            },
            "case_mix": {"already_supported_share": 0.0},
            "site": {"horizon_days": 400},
        }
    )
    out = simulate(s, 0)
    # Drive B's business-as-usual caseload counts against her, so Drive A takes more Drive cases
    held = {n: sum(1 for c in out.cases if c.idva == n) for n in ("Drive A", "Drive B")}
    assert held["Drive A"] > 2 * held["Drive B"]
