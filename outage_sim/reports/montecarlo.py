"""Figures of a Monte-Carlo sweep (:mod:`outage_sim.studies.montecarlo`). Each takes the result and
``ax=None`` and returns the Axes; none calls ``plt.show()``."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from outage_sim.grid import read_grid_data
from outage_sim.reports.figures import bilingual, cjk_font, use_cjk_font

LEVEL_COLOURS = {4: "#d62828", 3: "#f77f00", 2: "#fcbf49", 1: "#3a86ff", 0: "#adb5bd"}


def plot_level_probability(result, ax=None):
    """Bar chart: probability of each event level over the sweep."""
    use_cjk_font()
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    lp = result.level_probability
    labels = [f"{en}\n{zh}" if cjk_font() else en for en, zh in zip(lp.level_en, lp.level)]
    ax.bar(labels, 100 * lp.probability, color=[LEVEL_COLOURS[r] for r in lp.level_rank])
    for x, p in enumerate(lp.probability):
        ax.annotate(f"{100 * p:.2f}%", (x, 100 * p), ha="center", va="bottom", fontsize=8)
    ax.set_ylabel(bilingual("probability (%)", "概率"))
    ax.set_xlabel(bilingual("event level", "事件级别"))
    ax.set_title(f"{result.scenario} — {len(result.samples):,} samples", fontsize=9)
    return ax


def plot_district_probability(result, ax=None):
    """District map: circles at the district centroids coloured by the probability of going dark."""
    use_cjk_font()
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 7))
    d = read_grid_data()["districts"].set_index("name")
    p = result.district_dark_probability.set_index("district").p_dark
    names = [n for n in p.index if n in d.index]
    sc = ax.scatter(d.loc[names, "lon"], d.loc[names, "lat"], c=100 * p[names], cmap="Reds",
                    vmin=0, vmax=max(1.0, 100 * float(p.max())), s=160, edgecolors="#333333")
    for n in names:
        label = n if cjk_font() else d.at[n, "name_en"]
        ax.annotate(label, (d.at[n, "lon"], d.at[n, "lat"]), fontsize=6, ha="center",
                    va="bottom", xytext=(0, 6), textcoords="offset points")
    ax.figure.colorbar(sc, ax=ax, label=bilingual("probability of going dark (%)", "全停概率"))
    ax.set_xlabel(bilingual("longitude (°E)", "经度"))
    ax.set_ylabel(bilingual("latitude (°N)", "纬度"))
    ax.set_aspect("equal", adjustable="datalim")
    return ax


def plot_shed_histogram(result, ax=None, bins: int = 40):
    """Histogram of the main grid's load shed (MW) over the sweep."""
    use_cjk_font()
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    shed = result.samples.shed_mw.to_numpy()
    ax.hist(shed, bins=bins, color="#1d6fb8", edgecolor="white")
    for pct, style in ((0.05, ":"), (0.10, "--"), (0.20, "-."), (0.50, "-")):
        ax.axvline(pct * result.load_mw, color="#d62828", ls=style, lw=1,
                   label=f"{int(100 * pct)}% of load")
    ax.set_yscale("log" if np.ptp(np.histogram(shed, bins=bins)[0]) > 100 else "linear")
    ax.set_xlabel(bilingual("main-grid load shed (MW)", "减供负荷"))
    ax.set_ylabel(bilingual("samples", "样本数"))
    ax.legend(fontsize=7)
    return ax
