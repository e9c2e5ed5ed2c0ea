"""Recovery curves with uncertainty: ``outage-sim montecarlo SCENARIO --restoration``."""

from __future__ import annotations

import json

import numpy as np
from typer.testing import CliRunner

from outage_sim.cli import app
from outage_sim.studies import load_scenario, run_restoration_montecarlo

runner = CliRunner()


def test_band_is_ordered_and_reproducible():
    sc = load_scenario("core_station_fire")
    a = run_restoration_montecarlo(sc, 2, seed=5, horizon_h=24)
    b = run_restoration_montecarlo(sc, 2, seed=5, horizon_h=24)
    assert a.samples.equals(b.samples) and a.band.equals(b.band)
    band = a.band
    assert band.t_h.tolist() == list(np.arange(0.0, 25.0))
    for m in ("load", "supplied", "customers"):
        assert (band[f"{m}_p10"] <= band[f"{m}_p50"] + 1e-9).all()
        assert (band[f"{m}_p50"] <= band[f"{m}_p90"] + 1e-9).all()
    assert (band.supplied_p50 >= band.load_p50 - 1e-9).all()
    s = a.summary()
    assert s["samples"] == 2 and set(s["restored_pct_at"]) == {"6h", "24h"}


def test_cli_writes_the_fan_chart(tmp_path):
    out = tmp_path / "mc"
    res = runner.invoke(app, ["montecarlo", "core_station_fire", "--restoration", "--samples",
                              "2", "--horizon", "12", "--out", str(out), "-q"])
    assert res.exit_code == 0, res.output
    assert "恢复蒙特卡洛 restoration Monte Carlo" in res.stdout
    assert "应急响应终止" in res.stdout
    for name in ("restoration_summary.json", "restoration_band.csv", "restoration_samples.csv",
                 "recovery_band.png"):
        assert (out / name).stat().st_size > 0
    assert json.loads((out / "restoration_summary.json").read_text("utf-8"))["samples"] == 2
    bad = runner.invoke(app, ["montecarlo", "core_station_fire", "--restoration", "--samples",
                              "0"])
    assert bad.exit_code == 2 and "Traceback" not in bad.output
