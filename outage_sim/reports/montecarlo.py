"""Figures of a Monte-Carlo sweep (:mod:`outage_sim.studies.montecarlo`). Each takes the result and
``ax=None`` and returns the Axes; none calls ``plt.show()``."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from outage_sim.reports.figures import bilingual, cjk_font, use_cjk_font
from outage_sim.reports.maps import plot_probability_map

LEVEL_COLOURS = {4: "#d62828", 3: "#f77f00", 2: "#fcbf49", 1: "#3a86ff", 0: "#adb5bd"}


def plot_level_probability(result, ax=None):
    """Bar chart: probability of each event level over the sweep."""
    use_cjk_font()
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    lp = result.level_probability
    zh_names = ["未达" if z == "none" else z for z in lp.level]
    labels = [f"{en}\n{zh}" if cjk_font() else en for en, zh in zip(lp.level_en, zh_names)]
    ax.bar(labels, 100 * lp.probability, color=[LEVEL_COLOURS[r] for r in lp.level_rank])
    for x, p in enumerate(lp.probability):
        ax.annotate(f"{100 * p:.2f}%", (x, 100 * p), ha="center", va="bottom", fontsize=8)
    ax.set_ylabel(bilingual("probability (%)", "概率"))
    ax.set_xlabel(bilingual("event level", "事件级别"))
    ax.set_title(f"{result.scenario} — {len(result.samples):,} samples", fontsize=9)
    return ax


def plot_district_probability(result, ax=None):
    """District map: every district's outline filled by its probability of going dark over the
    sweep (:func:`outage_sim.reports.maps.plot_probability_map`), with the 中心城区 inset."""
    p = result.district_dark_probability.set_index("district").p_dark
    return plot_probability_map(p, ax, title=bilingual(
        f"P(district dark) — {result.scenario}, {len(result.samples):,} samples",
        "各区县全停概率"))


def shed_bins(shed: np.ndarray, max_bins: int = 30) -> np.ndarray:
    """Bin edges for the load shed of the samples that shed anything: from 0 to just past the
    largest, on round widths (1, 2, 2.5 or 5 × 10^k MW), at most ``max_bins`` bins."""
    top = float(np.max(shed)) if len(shed) else 0.0
    if top <= 0:
        return np.array([0.0, 1.0])
    auto = np.histogram_bin_edges(shed, bins="auto")
    raw = max(top / max_bins, float(np.diff(auto).mean()) if len(auto) > 1 else top / 10)
    mag = 10 ** np.floor(np.log10(raw))
    width = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    return np.arange(0.0, top + width, width)


def plot_shed_histogram(result, ax=None, bins: int | np.ndarray | None = None):
    """Histogram of the main grid's load shed (MW) over the sweep, on round bins over the range
    of the data; the samples that shed nothing are counted in the legend, not as a bar, and the
    plan's thresholds (5, 10, 20, 50% of the load) are drawn where the data reaches them."""
    use_cjk_font()
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    shed = result.samples.shed_mw.to_numpy(float)
    some = shed[shed > 1e-6]
    edges = shed_bins(some, bins if isinstance(bins, int) else 30) if not isinstance(
        bins, np.ndarray) else bins
    counts, _, _ = ax.hist(some, bins=edges, color="#1d6fb8", edgecolor="white", linewidth=0.6,
                           label=bilingual(f"{len(some):,} samples shed load",
                                           f"{len(some):,}次有减供"))
    ax.plot([], [], ls="", label=bilingual(f"{len(shed) - len(some):,} shed nothing",
                                           f"{len(shed) - len(some):,}次无减供"))
    right = float(edges[-1])
    for pct, style in ((0.05, ":"), (0.10, "--"), (0.20, "-."), (0.50, "-")):
        x = pct * result.load_mw
        if x <= right * 1.25:
            ax.axvline(x, color="#d62828", ls=style, lw=1,
                       label=bilingual(f"{int(100 * pct)}% of load", f"负荷的{int(100 * pct)}%"))
            right = max(right, x * 1.04)
    ax.set_xlim(0, right)
    ax.set_yscale("log" if len(counts) and counts.max() > 200 * max(counts[counts > 0].min(), 1)
                  else "linear")
    ax.set_xlabel(bilingual("main-grid load shed (MW)", "减供负荷，兆瓦"))
    ax.set_ylabel(bilingual("samples", "样本数"))
    ax.set_title(bilingual(f"Load shed over {len(shed):,} samples", "减供负荷分布"), fontsize=10)
    ax.legend(fontsize=7)
    return ax
