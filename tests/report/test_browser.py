"""The reports in a real browser: no JavaScript errors, every chart drawn, hostile names shown as text.

Needs headless Chromium (Debian's ``chromium`` package; ``.ci/run`` installs it). Driven
over the DevTools pipe by :mod:`cdp`, with no network: the page embeds plotly.js.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cdp import CHROMIUM, Browser
from report_support import HOSTILE_NAME

from drive_sim.report.build import build_report

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason=f"headless Chromium not installed at {CHROMIUM}"),
]

#: Counts plotly charts, and those drawn: an SVG in place and plotly's data attached.
CHART_STATE = """(() => {
  const charts = Array.from(document.querySelectorAll('.plotly-graph-div'));
  const drawn = charts.filter(d => d._fullData && d._fullData.length > 0 && d.querySelector('svg.main-svg'));
  return {charts: charts.length, drawn: drawn.length, plotly: typeof Plotly !== 'undefined'};
})()"""


@pytest.fixture(scope="module")
def browser():
    with Browser() as opened:
        yield opened


def _open(browser: Browser, page: Path) -> tuple[str, dict]:
    session = browser.open_page(page.resolve().as_uri())
    return session, browser.evaluate(session, CHART_STATE)


@pytest.mark.parametrize("kind", ["run", "compare", "sweep", "size"])
def test_every_chart_renders_without_errors(browser: Browser, kind: str, request: pytest.FixtureRequest) -> None:
    page = build_report(request.getfixturevalue(f"{kind}_folder"))
    _, state = _open(browser, page)
    assert state["plotly"], "plotly.js did not load"
    assert state["charts"] > 0
    assert state["drawn"] == state["charts"], f"{state['charts'] - state['drawn']} charts did not render"
    assert browser.problems() == []


def test_a_hostile_scenario_name_shows_as_text(browser: Browser, compare_folder: Path) -> None:
    session, _ = _open(browser, build_report(compare_folder))
    assert browser.evaluate(session, "document.body.innerText").count(HOSTILE_NAME) >= 3  # header, table, list
    legend = browser.evaluate(session, "Array.from(document.querySelectorAll('.legendtext')).map(e => e.textContent)")
    assert HOSTILE_NAME in legend  # plotly shows it as text too
    assert browser.evaluate(session, "document.querySelectorAll('img').length") == 0
    assert not [p for p in browser.problems() if p.startswith("dialog")]
