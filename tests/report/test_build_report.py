"""Reports build from saved results folders, one self-contained page per folder."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import typer
from report_support import HOSTILE_DESCRIPTION, HOSTILE_NAME
from typer.testing import CliRunner

from drive_sim.cli.report_commands import register
from drive_sim.report.build import REPORT_NAME, build_report, report_kind

PLOTLY_JS_BYTES = 3_000_000  # plotly.min.js is about 4.6 MB


def _charts(text: str) -> int:
    return len(re.findall(r'class="plotly-graph-div"', text))


def test_run_report_answers_first_and_shows_the_evidence(run_folder: Path) -> None:
    path = build_report(run_folder)
    text = path.read_text(encoding="utf-8")
    assert path == run_folder / REPORT_NAME
    # The answer comes before the evidence, in words with numbers and uncertainty.
    answer, evidence = text.index('id="answer"'), text.index('id="evidence"')
    assert answer < evidence
    words = text[answer:evidence]
    for phrase in ("open cases per FTE", "95% CI", "SafeLives guidance-equivalent", "first contact", "burns out", "£"):
        assert phrase in words, phrase
    # IDVA caseloads, workload heatmap, launch and warm-up, first contact, workforce, CM caseloads
    assert _charts(text) == 6
    assert text.count("Plotly.newPlot") == 6
    assert "MSER-5" in text and "Launch (first 26 weeks)" in text
    for heading in (
        "1. Objectives",
        "2. Logic",
        "3. Data",
        "4. Experimentation",
        "5. Implementation",
        "6. Code access",
    ):
        assert heading in text, heading
    assert "idva_open_cases_per_fte" in text and "assumption" in text


def test_plotly_is_embedded_once_or_linked_with_cdn(run_folder: Path, tmp_path: Path) -> None:
    offline = build_report(run_folder, tmp_path / "offline.html")
    online = build_report(run_folder, tmp_path / "online.html", cdn=True)
    offline_text, online_text = offline.read_text(encoding="utf-8"), online.read_text(encoding="utf-8")
    assert offline.stat().st_size > PLOTLY_JS_BYTES
    assert offline_text.count("plotly.js v") == 1  # one embedded copy, whatever the number of charts
    assert 'src="https://cdn.plot.ly' not in offline_text
    assert online.stat().st_size < 1_000_000
    assert re.search(
        r'<script charset="utf-8" src="https://cdn\.plot\.ly/plotly-[\d.]+\.min\.js"></script>', online_text
    )


def test_the_same_folder_gives_the_same_page(run_folder: Path, tmp_path: Path) -> None:
    first = build_report(run_folder, tmp_path / "a.html", cdn=True).read_bytes()
    second = build_report(run_folder, tmp_path / "b.html", cdn=True).read_bytes()
    assert first == second


def test_compare_report_recommends_and_shows_differences(compare_folder: Path) -> None:
    text = build_report(compare_folder).read_text(encoding="utf-8")
    answer, evidence = text.index('id="answer"'), text.index('id="evidence"')
    words = text[answer:evidence]
    assert "Recommended:" in words or "No scenario meets all three targets" in words
    assert "same 3 replications" in words
    assert "Paired differences from the baseline" in text
    assert _charts(text) == 6  # differences, Drive caseloads, first contact, burnout, workload, CM caseloads


def test_user_text_is_escaped_everywhere(compare_folder: Path) -> None:
    text = build_report(compare_folder).read_text(encoding="utf-8")
    assert HOSTILE_NAME not in text
    assert "<img src=x" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text  # shown as text in the page
    # Inside chart data plotly escapes "<" itself, and names are entity-escaped for its labels.
    assert "\\u003cscript\\u003e" not in text or "&amp;lt;" not in text
    assert (
        HOSTILE_DESCRIPTION.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace(" & ", " &amp; ")
        in text
    )


def test_sweep_report_marks_the_chosen_point(sweep_folder: Path) -> None:
    text = build_report(sweep_folder).read_text(encoding="utf-8")
    assert report_kind({"kind": "sweep"}) == "sweep"
    assert "sweep over 3 points" in text
    assert "teams.idvas[0].count" in text
    assert _charts(text) == 5  # one per target measure against the swept value
    assert "Recommended:" in text or "No point meets all three targets" in text


def test_size_report_states_the_staffing_and_its_cost(size_folder: Path) -> None:
    text = build_report(size_folder).read_text(encoding="utf-8")
    answer = text[text.index('id="answer"') : text.index('id="levels"')]
    assert "Recommended staffing:" in answer or "No staffing tried" in answer
    assert "95% confidence" in answer
    assert "Every staffing level tried" in text
    assert _charts(text) == 4  # three targets and the cost


def test_kind_defaults_from_the_labels() -> None:
    assert report_kind({"labels": ["a"]}) == "run"
    assert report_kind({"labels": ["a", "b"]}) == "compare"
    assert report_kind({"kind": "size", "labels": ["a"]}) == "size"


def test_report_command_rebuilds_a_folder(run_folder: Path, tmp_path: Path) -> None:
    app = typer.Typer()
    app.callback()(lambda: None)  # a group, so the command is called by name
    register(app)
    out = tmp_path / "page.html"
    result = CliRunner().invoke(app, ["report", str(run_folder), "--out", str(out), "--cdn"])
    assert result.exit_code == 0, result.output
    assert out.exists() and "Report written to" in result.output
    missing = CliRunner().invoke(app, ["report", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "no such results folder" in _words(missing.output)
    not_results = CliRunner().invoke(app, ["report", str(tmp_path)])
    assert not_results.exit_code == 2 and "not a drive-sim results folder" in _words(not_results.output)


def _words(text: str) -> str:
    """Output with the terminal's line wrapping undone."""
    return " ".join(text.split())


def test_presentation_never_imports_the_model() -> None:
    modules = ("drive_sim.report.build", "drive_sim.report.figures", "drive_sim.cli.report_commands")
    code = (
        f"import sys, {', '.join(modules)}; "
        "allowed = {'drive_sim.model', 'drive_sim.model.records'}; "
        "bad = [m for m in sys.modules if m.startswith('drive_sim.model') and m not in allowed]; "
        "bad += [m for m in ('simpy',) if m in sys.modules]; "
        "assert not bad, bad"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parents[2])
    assert result.returncode == 0, result.stderr
