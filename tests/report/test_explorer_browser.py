"""The explorer page in a real browser: every control changes the numbers to the grid's, with no errors.

Needs headless Chromium (as ``test_browser.py``). A tiny grid (two structures x two
staffing levels x two referral rates x one backdating, two replications of 200 days) is
run through the command line; the test moves each control through the DOM, as a planner's
keyboard or mouse would (input and change events), and reads back what the page shows.
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import pytest
from cdp import CHROMIUM, Browser
from typer.testing import CliRunner

from drive_sim.cli import app
from drive_sim.report.explorer import EXPLORER_NAME, grid_data
from drive_sim.report.html import fmt
from drive_sim.runs.store import load_results

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason=f"headless Chromium not installed at {CHROMIUM}"),
]

ROOT = Path(__file__).resolve().parents[2]
#: What the page shows for the chosen point: the headline table's cells and the figures.
SHOWN = """(() => {
  const rows = Array.from(document.querySelectorAll('#headline tbody tr'));
  return {
    cells: rows.map(r => Array.from(r.children).slice(1, 4).map(c => c.textContent)),
    status: rows.map(r => r.dataset.status),
    cost: document.getElementById('cost').textContent,
    added: document.getElementById('added').textContent,
    point: document.getElementById('point-index').textContent,
    cheapest: document.getElementById('cheapest').textContent,
    ms: parseFloat(document.getElementById('explorer').dataset.updateMs),
    drawn: document.querySelector('#series-chart svg.main-svg') !== null,
  };
})()"""
_STATUS = {"w": "within", "b": "borderline", "a": "above", "l": "below", "": ""}


@pytest.fixture(scope="module")
def grid(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("explorer") / "grid"
    args = [
        "explore",
        str(ROOT / "scenarios" / "site5.toml"),
        str(ROOT / "scenarios" / "spread_all.toml"),
        "--set",
        "staffing=1,2",
        "--set",
        "referrals.annual_rate=50,150",
        "--set",
        "backdating.months=0",
        "--set",
        "site.horizon_days=200",
        "--reps",
        "2",
        "--backend",
        "serial",
        "--out",
        str(out),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def browser():
    with Browser() as opened:
        yield opened


def _expected(data: dict, index: int) -> dict:
    point, guidance = data["points"][index], data["guidances"][data["points"][index]["g"]]
    cells, status = [], []
    for measure, value, target in zip(data["measures"], point["k"], guidance, strict=True):
        digits, share, money = (0 if measure["share"] else measure["digits"]), measure["share"], measure["money"]
        if value is None:
            cells.append(["–", "", "" if target is None else fmt(target, digits)])
            status.append("")
            continue
        mean, low, high, code = value
        ci = "" if low is None else f"{fmt(low, digits, share, money)}–{fmt(high, digits, share, money)}"
        cells.append([fmt(mean, digits, share, money), ci, "" if target is None else fmt(target, digits)])
        status.append(_STATUS[code])
    return {"cells": cells, "status": status, "cost": fmt(point["c"], 0, money=True), "added": fmt(point["a"][0], 2)}


def _set(browser: Browser, session: str, position: int, value: int) -> None:
    browser.evaluate(
        session,
        f"""(() => {{ const c = document.getElementById('axis-{position}'); c.value = '{value}';
        c.dispatchEvent(new Event('input', {{bubbles: true}})); c.dispatchEvent(new Event('change', {{bubbles: true}}));
        }})()""",
    )


def test_every_control_shows_the_grids_numbers_without_errors(browser: Browser, grid: Path) -> None:
    data = grid_data(load_results(grid))
    session = browser.open_page((grid / EXPLORER_NAME).resolve().as_uri())
    controls = browser.evaluate(
        session,
        "Array.from(document.querySelectorAll('#controls [data-axis]')).map(c => "
        "[c.tagName, document.querySelector('label[for=\"' + c.id + '\"]') !== null])",
    )
    assert controls == [["SELECT", True], ["INPUT", True], ["INPUT", True], ["INPUT", True]]  # each labelled
    sizes = [len(axis["values"]) for axis in data["axes"]]
    seen = set()
    for positions in itertools.product(*(range(n) for n in sizes)):
        for axis, value in enumerate(positions):
            _set(browser, session, axis, value)
        shown = browser.evaluate(session, SHOWN)
        index = positions[0] * 4 + positions[1] * 2 + positions[2]
        assert shown["point"] == str(index)
        expected = _expected(data, index)
        assert shown["cells"] == expected["cells"], positions
        assert shown["status"] == expected["status"], positions
        assert (shown["cost"], shown["added"]) == (expected["cost"], expected["added"])
        assert shown["drawn"], "the open-cases chart was not drawn"
        assert shown["ms"] < 100, f"an update took {shown['ms']} ms"
        key = ",".join(str(p) for p in positions[2:])
        chosen, meets_all = data["cheapest"][key]
        assert ("no structure and staffing" in shown["cheapest"]) is not meets_all
        assert data["structures"][chosen // 4]["title"] in shown["cheapest"]
        seen.add(shown["cost"] + json.dumps(shown["cells"]))
    assert len(seen) > 1  # the controls changed what is shown
    # "Show that what-if" moves every control to the point named (when it is another one).
    for referrals in range(sizes[2]):
        _set(browser, session, 0, 0)
        _set(browser, session, 1, 0)
        _set(browser, session, 2, referrals)
        chosen, _ = data["cheapest"][f"{referrals},0"]
        hidden = browser.evaluate(session, "document.getElementById('go-cheapest').hidden")
        assert hidden is (chosen == referrals)  # hidden when the point shown is the one named
        browser.evaluate(session, "document.getElementById('go-cheapest').click()")
        assert browser.evaluate(session, "document.getElementById('point-index').textContent") == str(chosen)
    assert browser.problems() == []
