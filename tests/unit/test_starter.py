"""drive-sim init's starter file: valid, commented, and the same site as the file it starts from."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from drive_sim.scenario import ScenarioError, load_scenario, scenario_from_dict
from drive_sim.scenario.starter import FIRST_KEYS, starter_text

ROOT = Path(__file__).resolve().parents[2]
LIKES = [None, *sorted((ROOT / "scenarios").glob("*.toml")), *sorted((ROOT / "scenarios" / "recipes").glob("*.toml"))]


@pytest.mark.parametrize("like", LIKES, ids=lambda p: p.stem if p else "default")
def test_the_starter_file_resolves_to_the_site_it_starts_from(like, tmp_path):
    text = starter_text(like, name="Our site")
    path = tmp_path / "our-site.toml"
    path.write_text(text, encoding="utf-8")
    got = load_scenario(path).model_dump(mode="json")  # as drive-sim check and run read it
    want = load_scenario(like).model_dump(mode="json")
    assert got["site"].pop("name") == "Our site"
    assert got["site"].pop("description").startswith("Our site: describe the site here")
    want["site"].pop("name"), want["site"].pop("description")
    assert got == want


def test_the_keys_a_site_sets_first_are_written_with_their_meaning_unit_default_and_evidence():
    text = starter_text(None)
    data = tomllib.loads(text)
    assert data["referrals"]["annual_rate"] == 100 and data["teams"]["idvas"][0]["role"] == "drive"
    prose = text.replace("\n# ", " ")  # comments unwrapped
    assert "# Accepted Drive cases a year" in text and "unit: cases a year; default: 100; cited" in prose
    assert "Length of a run in days. Assumption: 3 years. (unit: days; default: 1095; an assumption)" in prose
    for path in FIRST_KEYS:
        assert path.rsplit(".", 1)[-1] in text, path
    assert "Left to drive-sim's defaults" in text and "[durations] cm_intervention_days" in text
    assert max(len(line) for line in text.splitlines() if line.startswith("#")) <= 88


def test_a_name_with_quotes_stays_valid_toml():
    text = starter_text(None, name='Our "new" site \\ north')
    assert scenario_from_dict(tomllib.loads(text), "x").site.name == 'Our "new" site \\ north'


def test_a_bad_like_file_is_refused_with_its_problems(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[referrals]\nannual_rate = 'many'\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="annual_rate"):
        starter_text(bad)
