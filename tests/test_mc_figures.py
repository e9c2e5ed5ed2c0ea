"""Monte-Carlo figures: the shed histogram on bins that fit the data, the P(dark) map."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from outage_sim.reports.montecarlo import shed_bins

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def mc():
    from outage_sim import load_scenario, run_montecarlo

    return run_montecarlo(load_scenario(ROOT / "scenarios" / "ice_storm_2008.yaml"), 200, seed=7)


def test_bins_are_round_and_cover_the_data_only():
    shed = np.array([3.0, 50.0, 120.0, 480.0, 1269.6])
    edges = shed_bins(shed)
    width = np.diff(edges)
    assert np.allclose(width, width[0]) and edges[0] == 0 and edges[-1] >= shed.max()
    assert edges[-1] - shed.max() < width[0] and len(edges) - 1 <= 30
    assert width[0] / 10 ** np.floor(np.log10(width[0])) in (1, 2, 2.5, 5)


def test_histogram_axis_fits_the_data_not_the_load(mc):
    from matplotlib.figure import Figure

    from outage_sim.reports import plot_shed_histogram

    fig = Figure()
    ax = plot_shed_histogram(mc, fig.add_subplot())
    shed = mc.samples.shed_mw.to_numpy()
    assert shed.max() < 0.1 * mc.load_mw  # the data stay far below the load
    assert ax.get_xlim()[1] < 1.4 * max(shed.max(), 0.05 * mc.load_mw)
    bars = [p for p in ax.patches if p.get_height() > 0]
    assert len(bars) >= 5 and min(p.get_width() for p in bars) > shed.max() / 60  # not hairlines
    assert sum(p.get_height() for p in bars) == (shed > 1e-6).sum()  # zero-shed: legend only
    assert any("shed nothing" in t.get_text() for t in ax.get_legend().get_texts())


def test_probability_map_labels_the_districts_most_often_dark(mc):
    from matplotlib.figure import Figure

    from outage_sim.reports import plot_district_probability

    fig = Figure()
    ax = plot_district_probability(mc, fig.add_subplot())
    p = mc.district_dark_probability.set_index("district").p_dark
    top = p.idxmax()
    assert p.max() > 0.05
    assert any(t.get_text().startswith(top) for t in ax.texts)
