"""Issue 17: worlds drawn from ranges, the variance split, robust sizing and the commands."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from drive_sim.cli import app
from drive_sim.runs.experiment import open_backend
from drive_sim.runs.robust import required_levels, robust_size, switching_values, value_of_data
from drive_sim.runs.sizing import default_targets
from drive_sim.runs.uncertainty import Design, plan, run_worlds, variance_split, world_means, world_points
from drive_sim.scenario import Range, Scenario, ScenarioError, load_scenario
from drive_sim.scenario.uncertainty import Parameter, uncertain_parameters, world

SHORT = {"site.horizon_days": 240}


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def _parameter(path: str, low: float, high: float, base: float) -> Parameter:
    return Parameter(path, Range(low=low, high=high, source="test"), base, False, False)


# --------------------------------------------------------------------------------------
# Worlds
# --------------------------------------------------------------------------------------


def test_a_design_is_the_same_for_the_same_seed_and_spans_each_range():
    parameters = uncertain_parameters(Scenario())
    first, again = plan(parameters, 32, seed=5, trajectories=2), plan(parameters, 32, seed=5, trajectories=2)
    assert np.array_equal(first.unit, again.unit) and first.stage == again.stage
    assert not np.array_equal(first.unit, plan(parameters, 32, seed=6, trajectories=2).unit)
    assert first.stage.count("main") == 32 and first.stage.count("screening") == 2 * (len(parameters) + 1)
    table = first.table()
    for p in parameters:
        assert table[p.path].between(p.range.low, p.range.high).all(), p.path
    with pytest.raises(ValueError, match="power of two"):
        plan(parameters, 30, seed=5)


def test_a_world_keeps_shares_summing_to_one_and_rounds_counts():
    scenario = Scenario()
    drawn = world(scenario, {"case_mix.client_response.support": 0.6})
    response = drawn.case_mix.client_response
    assert response.support == 0.6 and abs(response.support + response.monitoring + response.unreachable - 1) < 1e-12
    assert response.monitoring / response.unreachable == pytest.approx(0.25 / 0.35), "the rest in proportion"
    both = world(scenario, {"case_mix.client_response.support": 0.7, "case_mix.client_response.unreachable": 0.6})
    total = both.case_mix.client_response
    assert abs(total.support + total.monitoring + total.unreachable - 1) < 1e-12
    counted = world(scenario, {"hours.first_contact.max_attempts": 4.4})
    assert counted.hours.first_contact.max_attempts == 4


def test_a_default_range_is_dropped_where_the_file_sets_the_value():
    paths = {p.path for p in uncertain_parameters(Scenario())}
    assert "case_mix.client_response.support" in paths
    own = load_scenario(None, {"hours.idva.panel_hours": 2.5})
    assert "hours.idva.panel_hours" not in {p.path for p in uncertain_parameters(own)}
    off = load_scenario(None, {"uncertainty.use_default_ranges": False})
    assert uncertain_parameters(off) == []


def test_a_range_on_a_value_the_scenario_lacks_is_refused_with_its_path():
    data = {"uncertainty": {"hours.idva.no_such_hours": {"low": 0, "high": 1}}}
    from drive_sim.scenario import scenario_from_dict

    scenario = scenario_from_dict(data, "test.toml")
    with pytest.raises(ScenarioError, match=r"uncertainty\.hours\.idva\.no_such_hours: no such value"):
        uncertain_parameters(scenario, "test.toml")
    with pytest.raises(ScenarioError, match="low"):
        scenario_from_dict({"uncertainty": {"hours.idva.panel_hours": {"low": 3, "high": 1}}}, "test.toml")


def test_every_world_is_validated_before_anything_runs():
    parameters = [_parameter("hours.idva.panel_hours", -1.0, 1.0, 3.0)]  # a negative end the schema refuses
    design = plan(parameters, 4, seed=1, method="random")
    design = Design(design.parameters, np.array([[0.0], [1.0], [0.2], [0.9]]), design.stage, "random", 1)
    with pytest.raises(ScenarioError, match="panel_hours.*in world 0"):
        world_points(Scenario(), design)


# --------------------------------------------------------------------------------------
# The variance split
# --------------------------------------------------------------------------------------


def _synthetic(between_sd: float, within_sd: float, worlds: int = 400, reps: int = 4, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    centres = rng.normal(10, between_sd, worlds)
    rows = [
        {"point": w, "replication": r, "window": "steady", "kpi": "k", "scope": "site", "value": centres[w] + noise}
        for w in range(worlds)
        for r, noise in enumerate(rng.normal(0, within_sd, reps))
    ]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("between, within", [(2.0, 1.0), (0.5, 2.0), (0.0, 1.0)])
def test_the_variance_split_recovers_known_components(between, within):
    kpis = _synthetic(between, within)
    design = plan([_parameter("hours.idva.panel_hours", 1, 5, 3)], 400, seed=0, method="random")
    split = variance_split(world_means(kpis, [("k", "site")]), design, 4).iloc[0]
    # Standard errors of the two estimates with 400 worlds x 4 replications, about 7% each.
    assert split["noise_variance"] == pytest.approx(within**2, rel=0.15)
    assert split["parameter_variance"] == pytest.approx(between**2, abs=0.15 * (between**2 + within**2 / 4) + 0.05)
    expected = between**2 / (between**2 + within**2)
    assert split["parameter_share"] == pytest.approx(expected, abs=0.08)


# --------------------------------------------------------------------------------------
# Running: every backend the same, resumable; robust sizing
# --------------------------------------------------------------------------------------


def test_worlds_run_the_same_on_every_backend_and_resume(tmp_path):
    scenario = load_scenario(None, SHORT)
    parameters = [_parameter("case_mix.client_response.support", 0.3, 0.5, 0.4)]
    design = plan(parameters, 4, seed=2)
    with open_backend("serial") as runner:
        run_worlds(tmp_path / "serial", scenario, design, 2, runner)
    with open_backend("process", workers=2) as runner:
        run_worlds(tmp_path / "process", scenario, design, 2, runner)
        again = run_worlds(tmp_path / "process", scenario, design, 2, runner)
    assert again.ran == 0 and again.reused == 8
    for name in ("kpis.parquet", "summary.csv", "worlds.csv"):
        assert (tmp_path / "serial" / name).read_bytes() == (tmp_path / "process" / name).read_bytes(), name
    manifest = json.loads((tmp_path / "serial" / "manifest.json").read_text())
    assert manifest["kind"] == "uncertainty"


def test_replications_share_random_numbers_across_worlds(tmp_path):
    # An inert value (the IDVA salary) cannot move a caseload: with common random numbers
    # every world then gives exactly the same caseload, replication by replication.
    scenario = load_scenario(None, SHORT)
    design = plan([_parameter("costs.idva_salary", 30_000, 40_000, 35_000)], 4, seed=3)
    with open_backend("serial") as runner:
        run_worlds(tmp_path / "inert", scenario, design, 2, runner)
    kpis = pd.read_parquet(tmp_path / "inert" / "kpis.parquet")
    kpis = kpis[kpis["window"] == "steady"]
    caseload = kpis[(kpis["kpi"] == "open_cases_per_fte_mean") & (kpis["scope"] == "group:drive")]
    assert caseload.groupby("replication")["value"].nunique().eq(1).all()
    assert caseload["value"].nunique() == 2, "the replications differ from each other"
    cost = kpis[(kpis["kpi"] == "annual_staff_cost") & (kpis["scope"] == "site")]
    assert cost["value"].nunique() == 4, "the salary itself does change the cost"


def test_robust_sizing_finds_the_least_level_meeting_the_share_and_reports_its_tables(tmp_path):
    scenario = load_scenario(None, {"site.horizon_days": 400})
    parameters = [_parameter("case_mix.client_response.support", 0.2, 0.6, 0.4)]
    design = plan(parameters, 20, seed=4, method="random")
    targets = default_targets()[:1]  # the caseload target, which staffing can always meet
    with open_backend("process", workers=2) as runner:
        sizing = robust_size(tmp_path / "robust", scenario, design, 1, targets, runner, share=0.8, max_extra=5)
    table = sizing.table()
    assert table["share_meeting_all"].between(0, 1).all() and (table["ci_low"] <= table["share_meeting_all"]).all()
    assert sizing.chosen is not None and sizing.chosen > 0, "one Drive IDVA cannot hold this caseload"
    chosen = table[table["chosen"]].iloc[0]
    assert chosen["share_meeting_all"] >= 0.8
    assert (table.loc[table["level"] < chosen["level"], "share_meeting_all"] < 0.8).all(), "the least such level"
    assert sizing.chosen - 1 in sizing.levels, "the level below the choice is tried"
    required = required_levels(sizing)
    assert np.isin(required[np.isfinite(required)], list(sizing.levels)).all()
    assert (required[np.isfinite(required)] <= sizing.chosen).mean() >= 0.8
    assert set(switching_values(sizing, [0]).columns) >= {"parameter", "direction", "value", "side"}
    data = value_of_data(sizing, {"case_mix.client_response.support": 0.5})
    assert data["chance_choice_changes"].between(0, 1).all()


# --------------------------------------------------------------------------------------
# The commands
# --------------------------------------------------------------------------------------


def test_uncertainty_command_states_its_budget_and_writes_its_tables(tmp_path):
    result = invoke(
        "uncertainty", "--no-default-ranges", "--vary", "case_mix.client_response.support=0.3:0.5",
        "--vary", "hours.idva.intensive_weeks=4:8", "--samples", "8", "--reps", "2", "--screening", "1",
        "--set", "site.horizon_days=240", "--backend", "serial", "--out", tmp_path / "u",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Budget: 2 uncertain values; 11 worlds (8 sampled (sobol), 3 for Morris screening) x 2" in result.output
    for name in ("worlds.csv", "parameters.csv", "variance.csv", "sensitivity.csv", "report.html"):
        assert (tmp_path / "u" / name).exists(), name
    sensitivity = pd.read_csv(tmp_path / "u" / "sensitivity.csv")
    assert list(sensitivity.columns) == ["parameter", "kpi", "scope", "method", "index", "ci_low", "ci_high"]
    assert "How sure is this answer?" in (tmp_path / "u" / "report.html").read_text()
    rebuilt = invoke("report", tmp_path / "u")
    assert rebuilt.exit_code == 0, rebuilt.output


@pytest.mark.parametrize(
    "args, words",
    [
        (["--vary", "case_mix.client_response.support=0.5"], "PATH=LOW:HIGH"),
        (["--vary", "case_mix.client_response.support=0.9:0.1"], "low"),
        (["--vary", "hours.idva.no_such=1:2"], "no such value"),
        (["--vary", "hours.idva.panel_hours=-5:1"], "low end"),
        (["--samples", "12"], "power of two"),
        (["--no-default-ranges"], "no value is uncertain"),
    ],
)
def test_bad_uncertainty_input_exits_2_before_anything_runs(tmp_path, args, words):
    result = invoke("uncertainty", *args, "--out", tmp_path / "never")
    assert result.exit_code == 2, result.output
    assert words in result.output and "Traceback" not in result.output
    assert not (tmp_path / "never").exists()


def test_check_lists_the_ranges_it_would_use():
    result = invoke("check", "scenarios/site5.toml", "--ranges")
    assert result.exit_code == 0, result.output
    assert "case_mix.client_response.support = 0.4: uniform 0.2 to 0.6 (default;" in result.output
