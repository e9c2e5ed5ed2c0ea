"""The fan chart of a restoration Monte Carlo (:func:`outage_sim.studies.run_restoration_montecarlo`):
P10–P90 of the load shed restored over time, its median, the §4.3(2) lines, and the distribution
of the time to the end of the response (应急响应终止) beneath."""

from __future__ import annotations

import numpy as np
import pandas as pd

from outage_sim.errors import InputError
from outage_sim.reports.figures import bilingual
from outage_sim.reports.recovery import _axes, _time, finish_recovery_axes


def plot_recovery_band(band: pd.DataFrame, samples: pd.DataFrame | None = None, ax=None):
    """Fan chart: the P10–P90 band and the median of the share of the load shed restored (and,
    lighter, with emergency power beside it); ticks of each sample's §4.3 end beneath."""
    need = [f"load_p{q}" for q in (10, 50, 90)]
    missing = [c for c in ("t_h", *need) if c not in band]
    if missing:
        raise InputError(f"band: missing column(s) {', '.join(missing)}")
    ax = _axes(ax)
    x, div, xlabel = _time(band.t_h)
    ax.fill_between(x, band.load_p10, band.load_p90, color="#1d3557", alpha=0.25, lw=0,
                    label=bilingual("P10–P90 of load shed restored", "减供负荷恢复 P10–P90"))
    ax.plot(x, band.load_p50, color="#1d3557", lw=2,
            label=bilingual("median", "中位数"))
    if "supplied_p50" in band and (band.supplied_p50 > band.load_p50 + 1e-6).any():
        ax.plot(x, band.supplied_p50, color="#e76f51", lw=1.2, ls="--",
                label=bilingual("median with emergency power", "含应急电源 中位数"))
    for pct, style in ((80, ":"), (90, "-.")):
        ax.axhline(pct, color="#666666", lw=0.9, ls=style)
    if samples is not None and "terminated_h" in samples:
        ends = samples.terminated_h.dropna().to_numpy(float) / div
        ax.plot(ends, np.full(len(ends), 2.0), "|", color="#2a9d8f", ms=12,
                label=bilingual(f"response ends ({len(ends)}/{len(samples)} samples)",
                                "应急响应终止"))
        if len(ends):
            ax.axvline(float(np.median(ends)), color="#2a9d8f", lw=1.2)
    return finish_recovery_axes(ax, xlabel, bilingual("Load recovery with uncertainty",
                                                      "负荷恢复曲线（不确定性）"))
