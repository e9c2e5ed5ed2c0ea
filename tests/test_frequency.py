"""The system frequency response model (engine/frequency.py) against one-area closed forms.

Closed forms (M = 2 H_sys / f0, D' = D L / f0, K = S / (R f0), ΔP the deficit):
no governor, Δf(t) = −ΔP/D' (1 − exp(−D' t / M)); a governor with lead-lag F + (1 − F)/(1 + T s)
gives M T s² + (M + (D' + K F) T) s + (D' + K) as the characteristic polynomial (Anderson &
Mirheydar 1990), Δf_ss = −ΔP / (D' + K), and an underdamped response solved below.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outage_sim.engine import (
    FrequencyData,
    IslandDynamics,
    island_dynamics,
    load_frequency_data,
    quiet_islands,
    simulate_frequency,
)
from outage_sim.errors import DataFileError, InputError

DATA = load_frequency_data()
F0 = DATA.nominal_hz
NO_UFLS = dataclasses.replace(DATA, round_threshold_hz=np.zeros(0), round_delay_s=np.zeros(0),
                              round_share=np.zeros(0), round_special=np.zeros(0, bool))


def islands(load: object, deficit: object, *, inertia: object = 0.0, gain: object = 0.0,
            limit: object = 0.0, tau: object = 8.0, fast: object = 0.0, ext_gain: object = 0.0,
            ext_limit: object = 0.0, ext_inertia: object = 0.0) -> IslandDynamics:
    """IslandDynamics from scalars or arrays (broadcast to the islands' count)."""
    load_mw = np.atleast_1d(np.asarray(load, dtype=float))
    n = len(load_mw)

    def arr(v: object) -> np.ndarray:
        return np.broadcast_to(np.asarray(v, dtype=float), (n,)).copy()

    return IslandDynamics(load_mw=load_mw, deficit_mw=arr(deficit), inertia_mws=arr(inertia),
                          gov_gain_mw_per_hz=arr(gain), gov_limit_mw=arr(limit),
                          gov_time_s=arr(tau), gov_fast_share=arr(fast),
                          ext_gain_mw_per_hz=arr(ext_gain), ext_limit_mw=arr(ext_limit),
                          ext_inertia_mws=arr(ext_inertia))


def typical(load: float, deficit: object) -> IslandDynamics:
    """A coal island with 1.2 × its load in units (A&M: H 4 s, R 5%, F_H 0.3, T_R 8 s)."""
    s = 1.2 * load
    return islands(load, deficit, inertia=4.0 * s, gain=s / (0.05 * F0), limit=0.06 * s,
                   tau=8.0, fast=0.3)


# ---------------------------------------------------------------- (a) inertia and damping
@pytest.mark.parametrize("t", [0.5, 2.0, 5.0, 12.0, 30.0])
def test_no_governor_matches_the_first_order_closed_form(t: float) -> None:
    load, dp, h_sys = 1000.0, 20.0, 5000.0
    d = DATA.load_damping_pu * load / F0
    m = 2 * h_sys / F0
    expected = -dp / d * (1 - math.exp(-d * t / m))
    res = simulate_frequency(islands(load, dp, inertia=h_sys), NO_UFLS, t_end=t, early_stop=False, screen=False)
    assert res.final_hz[0] - F0 == pytest.approx(expected, abs=1e-3)
    assert res.survived[0] and res.ufls_share[0] == 0


# ---------------------------------------------------------------- (b) a governor
def second_order(load: float, dp: float, h_sys: float, k: float, tau: float, fast: float,
                 t: np.ndarray) -> np.ndarray:
    """Δf(t) of the swing equation with a lead-lag governor (no limits), underdamped."""
    d = DATA.load_damping_pu * load / F0
    m = 2 * h_sys / F0
    sigma = (m + (d + k * fast) * tau) / (2 * m * tau)
    wd = math.sqrt((d + k) / (m * tau) - sigma**2)
    a = dp / (d + k)
    b = (sigma * a - dp / m) / wd
    return -a + np.exp(-sigma * t) * (a * np.cos(wd * t) + b * np.sin(wd * t))


@pytest.mark.parametrize("fast", [0.0, 0.3])
def test_governor_matches_the_second_order_closed_form(fast: float) -> None:
    load, dp, h_sys, tau = 1000.0, 50.0, 4000.0, 8.0
    k = load / (0.05 * F0)
    t = np.linspace(0, 60, 600_001)
    exact = second_order(load, dp, h_sys, k, tau, fast, t)
    dyn = islands(load, dp, inertia=h_sys, gain=k, limit=1e9, tau=tau, fast=fast)
    res = simulate_frequency(dyn, NO_UFLS, t_end=60.0, early_stop=False, screen=False)
    assert res.nadir_hz[0] - F0 == pytest.approx(exact.min(), abs=1e-3)
    assert res.t_nadir_s[0] == pytest.approx(t[exact.argmin()], abs=0.1)
    assert res.final_hz[0] - F0 == pytest.approx(exact[-1], abs=1e-3)
    # steady state −ΔP / (D' + K), reached within 1e-3 Hz by 60 s
    assert res.final_hz[0] - F0 == pytest.approx(-dp / (DATA.load_damping_pu * load / F0 + k),
                                                 abs=1e-3)
    assert res.gov_mw[0] == pytest.approx(-k * (res.final_hz[0] - F0), rel=1e-2)


def test_governor_limit_caps_the_response() -> None:
    load, dp = 1000.0, 100.0
    d = DATA.load_damping_pu * load / F0
    dyn = islands(load, dp, inertia=4000.0, gain=400.0, limit=30.0, tau=5.0)
    res = simulate_frequency(dyn, NO_UFLS, t_end=120.0, early_stop=False, screen=False)
    assert res.gov_mw[0] == pytest.approx(30.0)
    assert res.final_hz[0] - F0 == pytest.approx(-(dp - 30.0) / d, abs=1e-3)


# ---------------------------------------------------------------- (c) load shedding rounds
def test_rounds_save_an_island_that_would_collapse_without_them() -> None:
    dyn = typical(10_000.0, 3_000.0)  # 30% of load lost at once
    assert not simulate_frequency(dyn, NO_UFLS).survived[0]
    res = simulate_frequency(dyn, DATA)
    assert res.survived[0] and res.nadir_hz[0] > DATA.unit_trip_hz
    assert res.final_hz[0] >= DATA.recovery_hz and res.restored[0]
    basic = ~DATA.round_special
    times = res.round_time_s[0, basic]
    fired = ~np.isnan(times)
    # the basic rounds fire from the highest threshold down, each after the one before
    assert fired.sum() >= 3 and not (fired[1:] & ~fired[:-1]).any()
    assert (np.diff(times[fired]) > 0).all()
    assert res.rounds_fired[0] == (~np.isnan(res.round_time_s[0])).sum()
    shed = DATA.round_share[~np.isnan(res.round_time_s[0])].sum()
    assert res.ufls_share[0] == pytest.approx(shed)
    assert res.nadir_hz[0] < DATA.round_threshold_hz[basic][fired].min()


def test_a_deficit_beyond_the_rounds_and_governors_collapses() -> None:
    load = 10_000.0
    cover = DATA.round_share.sum() * load + 0.06 * 1.2 * load
    res = simulate_frequency(typical(load, cover + 0.1 * load), DATA)
    assert not res.survived[0] and res.lost_share[0] == 1.0
    assert res.nadir_hz[0] == 0.0 and res.final_hz[0] == 0.0 and res.gov_mw[0] == 0.0
    assert res.ufls_share[0] <= DATA.round_share.sum() + 1e-12


def test_surplus_and_islands_without_inertia() -> None:
    dyn = islands([1000.0, 1000.0, 500.0, 500.0], [-100.0, 0.0, 50.0, -20.0],
                  inertia=[4000.0, 4000.0, 0.0, 0.0], gain=400.0, limit=60.0, tau=8.0)
    res = simulate_frequency(dyn, DATA)
    assert res.nadir_hz[0] == F0 and res.final_hz[0] > F0 and res.ufls_share[0] == 0
    assert res.nadir_hz[1] == F0 == res.final_hz[1]
    assert not res.survived[2] and res.lost_share[2] == 1.0  # short without inertia
    assert res.survived[3] and res.final_hz[3] == F0
    assert (res.rounds_fired[[0, 1, 3]] == 0).all()


def test_an_external_area_holds_the_frequency_until_its_ties_are_full() -> None:
    load, dp = 1000.0, 300.0
    alone = simulate_frequency(typical(load, dp), DATA)
    dyn = dataclasses.replace(typical(load, dp), ext_gain_mw_per_hz=np.array([5000.0]),
                              ext_limit_mw=np.array([250.0]), ext_inertia_mws=np.array([2e4]))
    tied = simulate_frequency(dyn, DATA)
    assert tied.nadir_hz[0] > alone.nadir_hz[0] and tied.ufls_share[0] < alone.ufls_share[0]


# ---------------------------------------------------------------- (d) many islands at once
def test_many_islands_at_once_equal_each_alone() -> None:
    rng = np.random.default_rng(7)
    n = 8
    load = rng.uniform(300, 12_000, n)
    dyn = islands(load, load * np.r_[rng.uniform(-0.1, 0.5, n - 1), 0.75], inertia=load * rng.uniform(2, 6, n),
                  gain=load * rng.uniform(0.3, 0.6, n), limit=load * rng.uniform(0.03, 0.1, n),
                  tau=rng.uniform(5, 8, n), fast=rng.uniform(0, 0.3, n),
                  ext_gain=np.where(np.arange(n) % 4 == 0, load, 0.0),
                  ext_limit=0.05 * load, ext_inertia=np.where(np.arange(n) % 4 == 0, load, 0.0))
    # the same steps for all (no island stiff enough to shorten them): the same numbers
    together = simulate_frequency(dyn, DATA, early_stop=False)
    settled = simulate_frequency(dyn, DATA)
    assert 0 < together.survived.sum() < n
    for i in range(n):
        one = dataclasses.replace(dyn, **{f.name: getattr(dyn, f.name)[i:i + 1]
                                          for f in dataclasses.fields(dyn)})
        alone = simulate_frequency(one, DATA, early_stop=False)
        for f in dataclasses.fields(together):
            a, b = getattr(together, f.name)[i], getattr(alone, f.name)[0]
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=0, err_msg=f"island {i}: {f.name}")
        # stopping once settled: the same rounds and outcome, the frequency within 1e-3 Hz
        early = simulate_frequency(one, DATA)
        assert early.survived[0] == settled.survived[i] == together.survived[i]
        assert early.rounds_fired[0] == settled.rounds_fired[i] == together.rounds_fired[i]
        assert early.final_hz[0] == pytest.approx(together.final_hz[i], abs=1e-3)
        assert settled.final_hz[i] == pytest.approx(together.final_hz[i], abs=1e-3)


# ---------------------------------------------------------------- (e) monotone in the deficit
@settings(max_examples=20, deadline=None)
@given(load=st.floats(200, 20_000), h=st.floats(1.5, 8.0), unit_ratio=st.floats(0.6, 2.0),
       limit_share=st.floats(0.0, 0.12), fast=st.floats(0.0, 0.5), tau=st.floats(2.0, 10.0))
def test_a_larger_deficit_is_never_better(load: float, h: float, unit_ratio: float,
                                          limit_share: float, fast: float, tau: float) -> None:
    s = unit_ratio * load
    deficits = np.linspace(-0.05, 0.8, 18) * load
    dyn = islands(np.full(len(deficits), load), deficits, inertia=h * s, gain=s / (0.05 * F0),
                  limit=limit_share * s, tau=tau, fast=fast)
    res = simulate_frequency(dyn, DATA)
    assert (np.diff(res.nadir_hz) <= 1e-9).all()
    assert (np.diff(res.lost_share) >= -1e-12).all()
    assert (np.diff(res.survived.astype(int)) <= 0).all()
    both = res.survived[1:] & res.survived[:-1]
    assert (np.diff(res.ufls_share)[both] >= -1e-12).all()
    assert (res.ufls_share <= DATA.round_share.sum() + 1e-12).all()


# ---------------------------------------------------------------- aggregation and the data
def test_island_dynamics_aggregates_units_per_island() -> None:
    dyn = island_dynamics(["coal", "hydro", "coal", "nuclear"], [600.0, 300.0, 350.0, 1000.0],
                          [500.0, 200.0, 340.0, 900.0], [True, True, True, False],
                          [0, 0, 1, 1], [900.0, 300.0], [100.0, 50.0], DATA)
    units = DATA.units
    k_coal = 600 / (units["droop_pu"]["coal"] * F0)
    k_hydro = 300 / (units["droop_pu"]["hydro"] * F0)
    assert dyn.inertia_mws[0] == pytest.approx(600 * units["inertia_s"]["coal"]
                                               + 300 * units["inertia_s"]["hydro"])
    assert dyn.gov_gain_mw_per_hz[0] == pytest.approx(k_coal + k_hydro)
    assert dyn.gov_limit_mw[0] == pytest.approx(600 * units["response_limit_share"]["coal"]
                                                + 300 * units["response_limit_share"]["hydro"])
    assert dyn.gov_limit_mw[1] == pytest.approx(10.0)  # headroom 350 − 340, below 6% of 350
    assert dyn.gov_time_s[0] == pytest.approx(
        (k_coal * units["governor_time_s"]["coal"] + k_hydro * units["governor_time_s"]["hydro"])
        / (k_coal + k_hydro))
    assert dyn.inertia_mws[1] == pytest.approx(350 * units["inertia_s"]["coal"])  # nuclear off


def test_bad_input_names_the_field() -> None:
    with pytest.raises(InputError, match=r"^deficit_mw: expected 2 values"):
        islands([1.0, 2.0], 0.0).__class__(
            **{**{f.name: np.zeros(2) for f in dataclasses.fields(IslandDynamics)},
               "deficit_mw": np.zeros(3)})
    with pytest.raises(InputError, match=r"^inertia_mws: negative"):
        islands(100.0, 10.0, inertia=-1.0)
    with pytest.raises(InputError, match=r"^unit_island: index beyond"):
        island_dynamics(["coal"], [100.0], [50.0], [True], [3], [100.0], [10.0], DATA)
    with pytest.raises(InputError, match=r"^dt: "):
        simulate_frequency(islands(100.0, 10.0, inertia=400.0), DATA, dt=0.0)


def test_the_data_file_is_checked(tmp_path) -> None:
    assert isinstance(DATA, FrequencyData) and DATA.round_share.sum() <= 1
    assert (np.diff(DATA.round_threshold_hz[~DATA.round_special]) < 0).all()
    text = (load_frequency_data.__globals__["FREQUENCY_DATA_DIR"] / "frequency.yaml").read_text(
        encoding="utf-8")
    bad = tmp_path / "frequency.yaml"
    bad.write_text(text.replace("inertia_s:\n  value: {coal: 4.0, gas: 5.0, hydro: 3.0, "
                                "default: 4.0}", "inertia_s:\n  value: {coal: 4.0}"),
                   encoding="utf-8")
    with pytest.raises(DataFileError, match=r"frequency\.yaml: inertia_s: needs a 'default'"):
        load_frequency_data(bad)
    # a number with both a source and an estimate (another folder: files are read once)
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "frequency.yaml").write_text(
        text.replace("  value: 47.5\n  estimate:", "  value: 47.5\n  source: x\n  estimate:"),
        encoding="utf-8")
    with pytest.raises(DataFileError, match="unit_trip_hz: needs exactly one of 'source'"):
        load_frequency_data(tmp_path / "b")


def test_screened_islands_are_the_ones_no_round_can_reach():
    # the screen settles islands without stepping them only where no round can fire: the
    # outcome (survival, rounds, load shed) equals the stepped run's, and the bound it reports is
    # below the true nadir
    rng = np.random.default_rng(4)
    load = rng.uniform(100.0, 5000.0, 400)
    deficit = load * rng.uniform(0.0, 0.5, 400)
    s = 1.2 * load
    ext = np.where(rng.random(400) < 0.5, 20_000.0, 0.0)
    dyn = islands(load, deficit, inertia=4.0 * s, gain=s / (0.05 * F0), limit=0.06 * s, tau=8.0,
                  fast=0.3, ext_gain=ext, ext_limit=rng.uniform(0.0, 3000.0, 400) * (ext > 0),
                  ext_inertia=ext * 9.0)
    quiet = quiet_islands(dyn, DATA)
    assert 0 < quiet.sum() < len(quiet)
    fast = simulate_frequency(dyn, DATA, early_stop=False)
    full = simulate_frequency(dyn, DATA, early_stop=False, screen=False)
    assert np.array_equal(fast.survived, full.survived)
    assert np.array_equal(fast.rounds_fired, full.rounds_fired)
    assert np.allclose(fast.ufls_share, full.ufls_share)
    assert (full.rounds_fired[quiet] == 0).all()
    assert (fast.nadir_hz[quiet] <= full.nadir_hz[quiet] + 1e-9).all()
