"""Recovery curves with uncertainty: N restorations of one scenario, each with its own seed.

Sample ``i`` has the seed :func:`~outage_sim.studies.sample_seed` (master, i). A scenario with
hazards is redrawn with it (the outages differ from sample to sample, exactly as
``outage-sim run SCENARIO --seed <seed>`` draws them); a scenario of named faults is run once.
Every restoration draws its repair times from their lognormal with the same seed
(:func:`outage_sim.restoration.restore` ``seed``). The result is the band of the share of the load
shed restored (and of the customers), P10/P50/P90 at every hour, and the distribution of the
time to the §4.3 end (应急响应终止) and to 80% of the load shed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from outage_sim.errors import InputError
from outage_sim.outputs import save_figure, write_outputs
from outage_sim.progress import track
from outage_sim.restoration import restore
from outage_sim.studies.montecarlo import sample_seed
from outage_sim.studies.run import run_scenario
from outage_sim.studies.scenario import Scenario

RESTORATION_MC_FILES = ("restoration_summary.json", "restoration_band.csv",
                        "restoration_samples.csv", "recovery_band.png")
QUANTILES = (0.1, 0.5, 0.9)
MEASURES = {"load": "restored_pct", "supplied": "supplied_pct",
            "customers": "customers_restored_pct"}


@dataclass(frozen=True)
class RestorationBand:
    """``band``: one row per hour (``t_h``, ``{measure}_p10/p50/p90`` for load, supplied — with
    emergency power — and customers); ``samples``: one row per sample (``sample``, ``seed``,
    ``load_shed`` (False: the draw cut nothing, and is left out of the band), ``terminated_h``,
    ``t80_h``, ``t90_h``, ``restored_24h``, ``unserved_mwh``)."""

    scenario: str
    master_seed: int
    horizon_h: float
    band: pd.DataFrame
    samples: pd.DataFrame

    def summary(self) -> dict:
        s = self.samples[self.samples.load_shed] if self.samples.load_shed.any() else self.samples

        def quant(col: str) -> dict:
            v = s[col].dropna()
            return {f"p{int(100 * q)}": (round(float(v.quantile(q)), 2) if len(v) else None)
                    for q in QUANTILES} | {"share_within_horizon": round(len(v) / len(s), 4)}

        at = {h: self.band[self.band.t_h <= h + 1e-9].iloc[-1] for h in (6, 24, 72)
              if h <= self.horizon_h + 1e-9}
        return {"scenario": self.scenario, "samples": len(self.samples),
                "master_seed": self.master_seed,
                "samples_with_load_shed": int(s.load_shed.sum()),
                "horizon_h": self.horizon_h,
                "terminated_h": quant("terminated_h"), "t80_h": quant("t80_h"),
                "restored_pct_at": {f"{h}h": {f"p{int(100 * q)}": round(float(
                    r[f"load_p{int(100 * q)}"]), 1) for q in QUANTILES} for h, r in at.items()}}

    def write(self, out: str | Path, *, force: bool = False) -> list[Path]:
        """restoration_summary.json, the band and the samples as CSV, the fan chart."""
        from outage_sim.reports import plot_recovery_band

        def fan(path: Path) -> None:
            import matplotlib.pyplot as plt

            ax = plot_recovery_band(self.band, self.samples)
            try:
                save_figure(ax.figure, path, dpi=130, bbox_inches="tight")
            finally:
                plt.close(ax.figure)

        files: dict[str, Any] = {"restoration_summary.json": json.dumps(self.summary(), ensure_ascii=False,
                                                         indent=2),
                 "restoration_band.csv": lambda p: self.band.to_csv(p, index=False),
                 "restoration_samples.csv": lambda p: self.samples.to_csv(p, index=False),
                 "recovery_band.png": fan}
        return write_outputs(out, files, force=force)


def run_restoration_montecarlo(scenario: Scenario, samples: int, *, seed: int | None = None,
                               horizon_h: float | None = None,
                               progress: bool = False) -> RestorationBand:
    """``samples`` seeded restorations of ``scenario`` (master seed ``seed`` or the scenario's)."""
    if samples < 1:
        raise InputError("--samples: must be at least 1")
    master = scenario.seed if seed is None else int(seed)
    horizon = float(horizon_h if horizon_h is not None else scenario.restoration.horizon_h)
    hours = np.arange(0.0, horizon + 1e-9, 1.0)
    fixed = None if scenario.hazards else run_scenario(scenario, restore=False)
    cache: dict = {}
    curves: dict[str, list[np.ndarray]] = {m: [] for m in MEASURES}
    rows = []
    for i in track(range(samples), "恢复蒙特卡洛 restoration Monte Carlo", enabled=progress):
        s = sample_seed(master, i)
        run = fixed or run_scenario(scenario, seed=s, restore=False)
        res = restore(run, horizon_h=horizon, seed=s, cache=cache if fixed else None)
        tl = res.timeline
        shed = float(tl.shed_mw.iloc[0]) > 1e-6
        pos = np.searchsorted(tl.t_h.to_numpy(), hours + 1e-9, side="right") - 1
        if shed:  # a draw that cut nothing has nothing to restore: not in the band
            for m, col in MEASURES.items():
                curves[m].append(tl[col].to_numpy(float)[pos])
        r24 = float(tl.restored_pct.to_numpy(float)[pos[min(24, len(pos) - 1)]])
        rows.append({"sample": i, "seed": s, "load_shed": shed, "terminated_h": res.terminated_h,
                     "t80_h": res.time_to(80), "t90_h": res.time_to(90), "restored_24h": r24,
                     "unserved_mwh": round(res.unserved_mwh, 1)})
    band = pd.DataFrame({"t_h": hours})
    for m, arr in curves.items():
        q = (np.quantile(np.vstack(arr), QUANTILES, axis=0) if arr
             else np.full((len(QUANTILES), len(hours)), 100.0))
        for k, qq in enumerate(QUANTILES):
            band[f"{m}_p{int(100 * qq)}"] = q[k].round(3)
    return RestorationBand(scenario.name, master, horizon, band, pd.DataFrame(rows))
