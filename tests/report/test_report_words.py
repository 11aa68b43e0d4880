"""The answer in words: the numbers a commissioner needs, in plain sentences."""

from __future__ import annotations

import pandas as pd

from drive_sim.report.words import choose, compare_answer, run_answer
from drive_sim.scenario import Scenario


def _card(
    label: str = "Site",
    drive: float = 34.0,
    p90: float = 20.0,
    cm: float = 12.0,
    met: int = 1,
    cost: float = 291_148.0,
    wider: float = 19.0,
) -> dict:
    """A scorecard row (see report_data.scorecard) with CIs of +-1."""

    def estimate(prefix: str, mean: float, guidance: float) -> dict:
        status = "above" if mean - 1 > guidance else "within" if mean + 1 <= guidance else "borderline"
        return {f"{prefix}_mean": mean, f"{prefix}_low": mean - 1, f"{prefix}_high": mean + 1,
                f"{prefix}_guidance": guidance, f"{prefix}_status": status}  # fmt: skip

    busier = max(drive, wider)
    return {
        "label": label, "drive_scope": "group:drive",
        **estimate("drive", drive, 20), **estimate("wider", wider, 20), **estimate("idva_caseload", busier, 20),
        **estimate("first_contact", p90, 7), **estimate("cm_caseload", cm, 15),
        "above_share": 0.83, "burnout_mean": 1.0, "burnout_low": 0.72, "burnout_high": 1.0,
        "leavers_mean": 3.0, "cost": cost, "targets_met": met,
    }  # fmt: skip


def _summary(rows: dict[tuple[str, str], float]) -> pd.DataFrame:
    columns = ["kpi", "scope", "n", "mean", "ci_low", "ci_high"]
    return pd.DataFrame([(k, s, 20, v, v, v) for (k, s), v in rows.items()], columns=columns)


def test_run_answer_says_the_caseload_delay_burnout_and_cost() -> None:
    summary = _summary(
        {
            ("weeks_above_guidance_share", "group:drive"): 0.83,
            ("longest_run_above_guidance_weeks", "group:drive"): 40,
            ("open_cases_per_fte_peak", "group:drive"): 50,
            ("first_contact_within_target_share", "site"): 0.7,
            ("idva_leavers", "site"): 3,
            ("vacancy_days", "group:idva"): 250,
            ("support_shortfall_share", "group:idva"): 0.14,
            ("drive_idva_annual_cost", "site"): 34_362,
        }
    )
    needed = pd.DataFrame(
        [
            {"kpi": "needed_share", "scope": "site", "mean": 0.6, "ci_low": 0.58, "ci_high": 0.62},
            {"kpi": "needed_median_days", "scope": "site", "mean": 12.0, "ci_low": 8.0, "ci_high": 16.0},
            {"kpi": "needed_p90_days", "scope": "site", "mean": 45.0, "ci_low": 30.0, "ci_high": 60.0},
        ]
    )
    answer = run_answer(summary, needed, _card(), Scenario(), replications=20)
    text = " ".join([answer.verdict, *answer.points])
    assert answer.verdict.startswith("This staffing does not meet guidance")
    assert "the named Drive IDVA holds on average 34 open cases per FTE (95% CI 33–35), 1.7 times" in text
    assert "above guidance in 83% of weeks" in text
    assert "40% of clients already know an IDVA" in text and "median of 12 days" in text
    assert "burns out over 3 years is 100%" in text
    assert "£291,148" in text and "£34,362" in text
    assert answer.cautions == []
    assert run_answer(summary, needed, _card(), Scenario(), replications=5).cautions


def test_choose_prefers_the_cheapest_scenario_meeting_every_target() -> None:
    cards = pd.DataFrame([_card("A", met=1), _card("B", 15, met=3, cost=400_000), _card("C", 16, met=3, cost=300_000)])
    assert choose(cards) == (2, True)
    cards = pd.DataFrame([_card("A", 30, met=1), _card("B", 25, met=2), _card("C", 24, met=2)])
    assert choose(cards) == (2, False)  # most targets, then the lowest caseload


def test_compare_answer_names_the_recommendation_and_the_range() -> None:
    cards = pd.DataFrame([_card("Site 5", 33, 40, met=1, wider=23), _card("Two IDVAs", 16, 6, met=3, cost=325_510)])
    differences = pd.DataFrame(
        [
            {
                "scenario": "Two IDVAs",
                "kpi": "open_cases_per_fte_mean",
                "scope": "group:drive",
                "mean_difference": -17.0,
                "ci_low": -18.0,
                "ci_high": -16.0,
                "clear": True,
            }
        ]
    )
    answer = compare_answer(cards, differences, "Site 5", replications=20, horizon_days=1095)
    assert answer.verdict.startswith("Recommended: Two IDVAs.")
    assert "only one that meets all three targets" in answer.verdict and "£325,510" in answer.verdict
    text = " ".join(answer.points)
    assert "range from 16.0 (Two IDVAs) to 33.0 (Site 5)" in text
    assert "-17.0 (95% CI -18.0 to -16.0): a clear difference" in text
    assert "wider-team open cases per FTE range from 19.0 (Two IDVAs) to 23.0 (Site 5)" in text


def test_the_verdict_names_every_idva_group_above_guidance() -> None:
    answer = run_answer(_summary({}), _summary({}), _card(wider=26), Scenario(), replications=20)
    assert "the named Drive IDVA holds 1.7 times the guidance caseload" in answer.verdict
    assert "the wider IDVA team holds 1.3 times the guidance caseload" in answer.verdict


def test_the_drive_idva_cost_says_what_it_counts_when_every_idva_holds_drive_cases() -> None:
    from pathlib import Path

    from drive_sim.scenario import load_scenario

    summary = _summary({("drive_idva_annual_cost", "site"): 137_446})
    needed = pd.DataFrame(columns=["kpi", "scope", "mean", "ci_low", "ci_high"])
    named = " ".join(run_answer(summary, needed, _card(), Scenario(), replications=20).points)
    assert "for the named Drive IDVA posts" in named and "whole IDVA team" not in named
    spread = load_scenario(Path(__file__).parents[2] / "scenarios" / "site4.toml")
    everyone = " ".join(run_answer(summary, needed, _card(), spread, replications=20).points)
    assert "for the IDVA posts" in everyone and "not of Drive alone" in everyone
    assert "named Drive IDVA posts" not in everyone


def test_compare_answer_says_sweep_points_in_words_not_paths() -> None:
    one, two = "teams.idvas[0].count=1, backdating.months=3", "teams.idvas[0].count=2, backdating.months=3"
    cards = pd.DataFrame([_card(one, 33, 40, met=1), _card(two, 16, 6, met=3, cost=325_510)])
    differences = pd.DataFrame(
        [{"scenario": two, "kpi": "open_cases_per_fte_mean", "scope": "group:drive", "mean_difference": -17.0,
          "ci_low": -18.0, "ci_high": -16.0, "clear": True}]
    )  # fmt: skip
    answer = compare_answer(cards, differences, one, 20, 1095, noun="point", scenario=Scenario())
    text = " ".join([answer.verdict, *answer.points])
    assert answer.verdict.startswith("Recommended: Drive IDVAs 2, backdated 3 months.")
    assert "Against the baseline (Drive IDVAs 1, backdated 3 months)" in text
    assert "teams." not in text and "backdating." not in text
