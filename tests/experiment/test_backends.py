"""Reproducibility across backends, replication counts and staffing (common random numbers)."""

from __future__ import annotations

import io
import logging

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from typer.testing import CliRunner

from drive_sim.cli import app
from drive_sim.runs import experiment
from drive_sim.runs.experiment import BackendError, Runner, open_backend, plan_tasks, run_experiment
from drive_sim.scenario import load_scenario

SHORT = {"site.horizon_days": 150}


def small(**overrides):
    return load_scenario(None, {**SHORT, **overrides})


def csv_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode()


@pytest.fixture(scope="module")
def two_scenarios():
    return [small(), small(**{"teams.idvas[0].count": 2})]


@pytest.fixture(scope="module")
def serial_run(two_scenarios):
    return run_experiment(two_scenarios, 5, runner=Runner(), labels=["one", "two"])


def test_process_pool_equals_serial_to_the_byte(two_scenarios, serial_run):
    with open_backend("process", workers=2) as runner:
        parallel = run_experiment(two_scenarios, 5, runner=runner, labels=["one", "two"])
    assert_frame_equal(parallel.kpis, serial_run.kpis, check_exact=True)
    assert csv_bytes(parallel.kpis) == csv_bytes(serial_run.kpis)
    for name, table in serial_run.tables.items():
        assert csv_bytes(parallel.tables[name]) == csv_bytes(table), name


def test_dask_cluster_equals_serial_to_the_byte(two_scenarios, serial_run):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None, silence_logs=logging.ERROR
    ) as cluster:
        with open_backend("dask", scheduler=cluster.scheduler_address) as runner:
            assert runner.workers == 2
            # Small chunks here so that several tasks really are spread over the workers.
            runner.chunk_size = lambda replications, most=None: 2  # type: ignore[method-assign]
            on_dask = run_experiment(two_scenarios, 5, runner=runner, labels=["one", "two"])
    assert_frame_equal(on_dask.kpis, serial_run.kpis, check_exact=True)
    assert csv_bytes(on_dask.kpis) == csv_bytes(serial_run.kpis)
    assert csv_bytes(on_dask.tables["cases"]) == csv_bytes(serial_run.tables["cases"])


def test_results_come_back_in_submission_order(serial_run):
    keys = serial_run.kpis[["scenario", "replication"]].drop_duplicates()
    assert list(keys.itertuples(index=False, name=None)) == [(s, r) for s in ("one", "two") for r in range(5)]


def test_replication_k_does_not_change_with_the_replication_count():
    scenario = small()
    fewer = run_experiment(scenario, 2, runner=Runner())
    more = run_experiment(scenario, 4, runner=Runner())
    assert_frame_equal(more.kpis[more.kpis["replication"] < 2].reset_index(drop=True), fewer.kpis, check_exact=True)
    assert not more.kpis[more.kpis["replication"] == 2]["value"].equals(
        more.kpis[more.kpis["replication"] == 0]["value"].reset_index(drop=True)
    ), "different replications draw different numbers"


def test_scenarios_differing_only_in_staffing_see_the_same_referrals_and_cases(serial_run):
    drawn = [
        "replication", "case_id", "backdated", "listed_day", "accepted_day", "deferrals",
        "response", "already_supported", "already_contacted", "cross_border",
    ]  # fmt: skip
    cases = serial_run.tables["cases"]
    one = cases[cases["scenario"] == "one"][drawn].reset_index(drop=True)
    two = cases[cases["scenario"] == "two"][drawn].reset_index(drop=True)
    assert len(one) > 20
    assert_frame_equal(one, two, check_exact=True)
    idvas = serial_run.kpis.query("kpi == 'open_cases_per_fte_mean' and scope == 'group:drive'")
    assert idvas.groupby("scenario")["value"].mean().nunique() == 2, "the staffing change does change caseloads"


def test_ctrl_c_keeps_the_replications_that_finished():
    scenario = small()
    seen = []

    def interrupt_after_two(result):
        seen.append(result.replication)
        if len(seen) == 2:
            raise KeyboardInterrupt

    interrupted = run_experiment(scenario, 6, runner=Runner(), on_result=interrupt_after_two)
    assert interrupted.interrupted
    kept = sorted(interrupted.kpis["replication"].unique())
    assert kept and set(kept) <= set(range(6)) and len(kept) < 6
    clean = run_experiment(scenario, 6, runner=Runner())
    assert_frame_equal(
        interrupted.kpis, clean.kpis[clean.kpis["replication"].isin(kept)].reset_index(drop=True), check_exact=True
    )


def test_tasks_are_chunks_of_consecutive_replications():
    scenarios = [small(), small()]
    tasks = plan_tasks(scenarios, [[0, 1, 2, 3, 4], [1, 2, 5, 6]], chunk_size=2)
    assert [(t.key, t.replications) for t in tasks] == [
        (0, (0, 1)), (0, (2, 3)), (0, (4,)), (1, (1, 2)), (1, (5, 6)),
    ]  # fmt: skip


def test_one_worker_or_serial_runs_in_process():
    assert type(open_backend("serial")) is Runner
    assert type(open_backend("process", workers=1)) is Runner


def test_bad_backends_are_refused_before_anything_runs(monkeypatch):
    with pytest.raises(BackendError, match="quantum"):
        open_backend("quantum")
    with pytest.raises(BackendError, match="--backend dask"):
        open_backend("process", scheduler="tcp://127.0.0.1:8786")
    with pytest.raises(BackendError, match="nonsense"):
        open_backend("dask", scheduler="nonsense:::")
    monkeypatch.setattr(experiment, "DASK_CONNECT_TIMEOUT", 0.5)
    with pytest.raises(BackendError, match="cannot reach"):
        open_backend("dask", scheduler="tcp://127.0.0.1:9")


def test_an_unreachable_scheduler_is_one_clear_message_and_exit_2(tmp_path, monkeypatch):
    monkeypatch.setattr(experiment, "DASK_CONNECT_TIMEOUT", 0.5)
    scenario = tmp_path / "site.toml"
    scenario.write_text("", encoding="utf-8")
    dask = ["--backend", "dask", "--scheduler", "tcp://127.0.0.1:9", "--out", str(tmp_path / "never")]
    for args in (["run", str(scenario)], ["compare", str(scenario), str(scenario)]):
        result = CliRunner().invoke(app, [*args, *dask])
        assert result.exit_code == 2, (args, result.output)
        assert "cannot reach a Dask scheduler" in result.output and "Traceback" not in result.output
        assert not (tmp_path / "never").exists()


def test_a_run_sets_the_heap_aside_only_while_it_collects_results():
    """heap_frozen freezes once however deeply runs nest, and leaves nothing frozen after."""
    import gc

    from drive_sim.runs.experiment import heap_frozen

    assert gc.get_freeze_count() == 0
    with heap_frozen():
        frozen = gc.get_freeze_count()
        assert frozen > 0
        with heap_frozen():
            assert gc.get_freeze_count() == frozen
        assert gc.get_freeze_count() == frozen, "the inner run leaves the outer one's heap set aside"
    assert gc.get_freeze_count() == 0
    seen = []
    run_experiment(
        load_scenario(None, {"site.horizon_days": 60}),
        2,
        runner=Runner(),
        on_result=lambda r: seen.append(gc.get_freeze_count()),
    )
    assert seen and all(count > 0 for count in seen) and gc.get_freeze_count() == 0
