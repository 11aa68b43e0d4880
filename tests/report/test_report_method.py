"""Every parameter appears with its value and source; the method names its seeds and versions."""

from __future__ import annotations

from pydantic import BaseModel

from drive_sim.report.method import assumptions_section, method_section, parameter_rows
from drive_sim.scenario import Scenario, load_scenario


def _leaf_count(model: BaseModel) -> int:
    count = 0
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel) and "kind" not in type(value).model_fields:
            count += _leaf_count(value)
        elif isinstance(value, list) and value and all(isinstance(v, BaseModel) for v in value):
            count += sum(1 if "kind" in type(v).model_fields else _leaf_count(v) for v in value)
        else:
            count += 1
    return count


def test_every_parameter_is_listed_with_a_source() -> None:
    rows = parameter_rows(Scenario())
    paths = [row["path"] for row in rows]
    assert len(rows) == _leaf_count(Scenario())
    assert len(set(paths)) == len(paths)
    assert "teams.idvas[1].non_drive_referrals_per_year" in paths
    by_path = {row["path"]: row for row in rows}
    assert by_path["durations.cm_intervention_days"]["value"] == "triangular (low 90, mode 210, high 365)"
    assert by_path["guidance.idva_open_cases_per_fte"]["value"] == "20"
    assert by_path["referrals.ramp_up.days"]["assumption"]
    assert not by_path["guidance.idva_cases_per_year_per_fte"]["assumption"]
    assert all(row["source"] for row in rows if not row["path"].startswith("run.")), "a parameter without a source"


def test_changed_values_are_marked_and_differing_ones_shown_side_by_side() -> None:
    changed = load_scenario(None, {"referrals.annual_rate": 150})
    one = assumptions_section([changed], ["Busy site"])
    assert one.count('class="tag-changed"') == 1
    two = assumptions_section([Scenario(), changed], ["Default", "Busy"])
    assert "1 parameter that differs between scenarios" in two
    assert "referrals.annual_rate" in two


def test_method_section_follows_stress_des_with_seeds_and_versions() -> None:
    manifest = {
        "seeds": [7],
        "replications": 30,
        "command": "drive-sim run --seed 7",
        "versions": {"simpy": "4.1.2"},
        "streams": ["referrals", "cases"],
    }
    html = method_section([Scenario()], ["Default site"], manifest, 12.5, "run")
    for heading in ("1.1 Purpose", "2.5 Components", "3.1 Data sources", "4.2 Run length", "5.2 Random sampling"):
        assert heading in html
    assert "Seed 7" in html and "simpy 4.1.2" in html and "12.5 seconds" in html and "referrals, cases" in html
    assert "30 replications" in html
