"""The sweep report in a real browser: every chart drawn, no text spilling out of a chart or under its legend.

Built from small real sweeps (three factors and a shared horizon; two scenario files by
staffing) and opened in headless Chromium over the DevTools pipe (:mod:`cdp`). The
geometry is read from the DOM: the bounding box of every SVG text plotly drew, against
its chart's ``div`` and its legend's box. A screenshot of each page is kept beside the
test's temporary files, for a person to look at when it fails.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cdp import CHROMIUM, Browser
from report_support import dotted_paths

from drive_sim.report.build import build_report
from drive_sim.runs.store import load_results

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason=f"headless Chromium not installed at {CHROMIUM}"),
]

#: Per chart: whether it is drawn, and every text box (ticks, axis and panel titles, legend)
#: with the chart's box and its legend's, in page pixels.
GEOMETRY = """(() => {
  const box = e => { const r = e.getBoundingClientRect();
                     return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width,
                             height: r.height}; };
  return Array.from(document.querySelectorAll('.plotly-graph-div')).map(div => {
    const legend = div.querySelector('g.legend rect.bg') || div.querySelector('g.legend');
    const texts = sel => Array.from(div.querySelectorAll(sel))
      .filter(t => t.textContent.trim() && t.getBoundingClientRect().width > 0)
      .map(t => ({text: t.textContent, box: box(t)}));
    return {
      id: div.id,
      drawn: !!(div._fullData && div._fullData.length && div.querySelector('svg.main-svg')),
      div: box(div),
      legend: legend ? box(legend) : null,
      ticks: texts('g.xtick text, g.ytick text, g.x2tick text, g.y2tick text, g.xaxislayer-above text, '
                   + 'g.yaxislayer-above text'),
      titles: texts('text.xtitle, text.ytitle, text[class^="x"][class$="title"], text[class^="y"][class$="title"], '
                    + 'text.annotation-text, text.gtitle'),
      legend_texts: texts('g.legend text'),
      colorbar: texts('g.colorbar text'),
    };
  });
})()"""

#: The visible text, without what is written as code (commands and keys to copy) and the
#: ``--set PATH=VALUES`` of a command quoted in a sentence (the rerun advice).
VISIBLE_TEXT = """(() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('code, pre, script, style').forEach(e => e.remove());
  document.body.appendChild(body); body.style.position = 'absolute'; body.style.left = '-99999px';
  const text = body.innerText; body.remove();
  return text.replace(/--set\\s+'?[^\\s']+'?/g, '--set …');
})()"""

#: Dotted paths the Method section writes in its own prose (drive_sim/report/method.py, not
#: the sweep page's): a switch's key and the seed scheme. Reported to its owner.
METHOD_PROSE = ("(policies.engagement.window_effect)", "SeedSequence(run.seed,")

SLACK = 1.5  # px: anti-aliasing and sub-pixel rounding of text boxes


def _inside(inner: dict, outer: dict) -> bool:
    return (
        inner["left"] >= outer["left"] - SLACK
        and inner["right"] <= outer["right"] + SLACK
        and inner["top"] >= outer["top"] - SLACK
        and inner["bottom"] <= outer["bottom"] + SLACK
    )


def _overlap(a: dict, b: dict) -> bool:
    return (
        min(a["right"], b["right"]) - max(a["left"], b["left"]) > SLACK
        and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > SLACK
    )


@pytest.fixture(scope="module")
def browser():
    with Browser(width=1280, height=900) as opened:
        yield opened


@pytest.fixture(params=["factorial_sweep_folder", "structures_sweep_folder"])
def sweep(request: pytest.FixtureRequest) -> Path:
    return request.getfixturevalue(request.param)


def _opened(browser: Browser, folder: Path, tmp_path: Path) -> tuple[str, Path]:
    page = build_report(folder)
    session = browser.open_page(page.resolve().as_uri())
    browser.evaluate(session, "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    shot = browser.screenshot(session, tmp_path / f"{folder.name}.png")
    return session, shot


def test_every_chart_is_drawn_without_errors(browser: Browser, sweep: Path, tmp_path: Path) -> None:
    session, shot = _opened(browser, sweep, tmp_path)
    charts = browser.evaluate(session, GEOMETRY)
    assert len(charts) >= 6, f"expected a heatmap and five measures (screenshot: {shot})"
    assert [c["id"] for c in charts if not c["drawn"]] == [], f"charts not drawn (screenshot: {shot})"
    assert browser.problems() == []


def test_no_label_overflows_its_chart_or_runs_under_the_legend(browser: Browser, sweep: Path, tmp_path: Path) -> None:
    session, shot = _opened(browser, sweep, tmp_path)
    problems = []
    for chart in browser.evaluate(session, GEOMETRY):
        every = chart["ticks"] + chart["titles"] + chart["legend_texts"] + chart["colorbar"]
        assert chart["ticks"] and chart["legend_texts"], f"{chart['id']}: no tick or legend text found"
        for item in every:
            if not _inside(item["box"], chart["div"]):
                problems.append(f"{chart['id']}: {item['text']!r} spills out of its chart")
        for item in chart["ticks"] + chart["titles"] + chart["colorbar"]:
            if chart["legend"] and _overlap(item["box"], chart["legend"]):
                problems.append(f"{chart['id']}: {item['text']!r} runs under the legend")
        if chart["legend"] and not _inside(chart["legend"], chart["div"]):
            problems.append(f"{chart['id']}: the legend spills out of its chart")
    assert problems == [], f"{problems} (screenshot: {shot})"


def test_the_page_speaks_in_words_not_dotted_paths(browser: Browser, sweep: Path, tmp_path: Path) -> None:
    session, shot = _opened(browser, sweep, tmp_path)
    text = browser.evaluate(session, VISIBLE_TEXT)
    for phrase in METHOD_PROSE:
        text = text.replace(phrase, "")
    found = sorted(set(dotted_paths(text)))
    assert found == [], f"dotted paths a reader sees: {found} (screenshot: {shot})"
    for axis in load_results(sweep).manifest["axes"]:  # a swept path never shows, in any form
        if axis["path"] != "scenario":
            assert axis["path"] not in text
    assert "Drive IDVAs" in text
