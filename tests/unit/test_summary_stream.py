"""A summary streamed part by part is the summary of the whole table (sweeps hold one part)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from drive_sim.analysis.stats import SummaryStream, summarise

#: One KPI of each kind, and one that is missing (nan) in some replications.
KPIS = {
    "any_idva_burnout": lambda rng, n: rng.integers(0, 2, n).astype(float),  # a probability
    "weeks_above_guidance_share": lambda rng, n: rng.beta(0.5, 3, n),  # a share
    "first_contact_days_median": lambda rng, n: rng.gamma(2.0, 5.0, n) + 1e6,  # a mean, far from 0
    "drive_idva_caseload_mean": lambda rng, n: np.where(rng.random(n) < 0.3, np.nan, rng.normal(20, 3, n)),
}


def table(seed: int, replications: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for scope in ("site", "Drive IDVA"):
        for kpi, draw in KPIS.items():
            for window in ("launch", "steady"):
                rows.append(
                    pd.DataFrame(
                        {"replication": np.arange(replications), "window": window, "kpi": kpi, "scope": scope,
                         "value": draw(rng, replications)}
                    )
                )  # fmt: skip
    return pd.concat(rows, ignore_index=True).sort_values("replication", kind="stable", ignore_index=True)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), replications=st.integers(1, 40), data=st.data())
def test_parts_in_any_sizes_give_the_whole_tables_summary(seed, replications, data):
    whole = table(seed, replications)
    cuts = sorted(data.draw(st.sets(st.integers(1, replications - 1), max_size=6)) if replications > 1 else set())
    stream = SummaryStream()
    for first, last in zip([0, *cuts], [*cuts, replications], strict=True):
        stream.add(whole[(whole["replication"] >= first) & (whole["replication"] < last)])
    expected, got = summarise(whole), stream.result()
    assert_frame_equal(got, expected, check_exact=False, rtol=1e-9, atol=1e-12)
    assert (got["interval"] == expected["interval"]).all()
    # How the replications were cut into parts (it depends on the backend) must not
    # move a single bit: the same replications in one part give the same summary.
    one = SummaryStream()
    one.add(whole)
    assert_frame_equal(got, one.result(), check_exact=True)


def test_a_group_first_seen_in_a_later_part_keeps_its_place_and_counts():
    whole = table(1, 6)
    early = whole[(whole["replication"] < 3) & (whole["kpi"] != "any_idva_burnout")]
    late = whole[whole["replication"] >= 3]
    stream = SummaryStream()
    stream.add(early)
    stream.add(late)
    got = stream.result()
    burnout = got[got["kpi"] == "any_idva_burnout"]
    assert (burnout["n"] == 3).all() and len(got) == len(summarise(whole))
    assert list(got["kpi"].iloc[:2]) == list(summarise(early)["kpi"].iloc[:2]), "first appearance order"


def test_an_empty_stream_and_mismatched_parts_are_refused():
    with pytest.raises(ValueError, match="no part"):
        SummaryStream().result()
    stream = SummaryStream()
    stream.add(table(2, 3))
    with pytest.raises(ValueError, match="columns"):
        stream.add(table(2, 3).drop(columns="window"))
