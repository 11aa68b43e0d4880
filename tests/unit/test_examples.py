"""The examples run as documented, so they never rot (issue 20: the API example in CI)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_analyst_walkthrough_runs_and_prints_its_answers(tmp_path):
    result = subprocess.run(
        [sys.executable, "examples/analyst_walkthrough.py", "--quick", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    for line in ("Drive IDVA open cases per FTE, 2 Drive IDVAs", "A second Drive IDVA changes", "Sizing:"):
        assert line in result.stdout, result.stdout
    assert (tmp_path / "backdating-sweep" / "report.html").exists()
    assert (tmp_path / "backdating-sweep" / "schema.json").exists()


def test_the_public_api_lists_what_it_exports_and_each_name_resolves():
    import drive_sim

    for name in drive_sim.__all__:
        assert getattr(drive_sim, name) is not None, name
        assert name in (drive_sim.__doc__ or ""), f"{name} is exported but the API docstring does not mention it"


def test_a_renamed_name_keeps_working_with_a_deprecation_warning(monkeypatch):
    import warnings

    from drive_sim import lazy_exports

    getattr_, _ = lazy_exports("drive_sim", {"load_scenario": "scenario"}, {"read_site": "load_scenario"})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        function = getattr_("read_site")
    assert function.__name__ == "load_scenario"
    assert any(
        issubclass(w.category, DeprecationWarning) and "drive_sim.load_scenario" in str(w.message) for w in caught
    )
