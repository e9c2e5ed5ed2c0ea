"""Emergency power for important users (应急电源): their own backup while its fuel lasts and the
generator vehicles (应急发电车), counted beside the grid, never above the fleet or the users."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outage_sim.grid import chongqing_net
from outage_sim.restoration import repair_data, restore
from outage_sim.restoration.emergency import EmergencyPower
from outage_sim.studies import load_scenario, run_scenario


@lru_cache(maxsize=1)
def _net_loads():
    net = chongqing_net()
    loads = net.load[["name", "district", "important_user"]].copy()
    loads["demand_mw"] = net.load.p_mw.to_numpy(float)
    return net, loads


@lru_cache(maxsize=2)
def _run(name: str, horizon_h: float | None = None):
    run = run_scenario(load_scenario(name), restore=False)
    return run, restore(run, horizon_h=horizon_h)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_emergency_power_within_fleet_and_users(data):
    """Any users out, any times: per user backup + vehicles ≤ its unserved and critical load,
    backup only while its fuel lasts, vehicles in total ≤ the fleet."""
    net, loads = _net_loads()
    em = EmergencyPower(net, loads, repair_data(), 0.5)
    demand = loads.demand_mw.to_numpy(float)
    out = data.draw(st.lists(st.integers(0, len(demand) - 1), min_size=1, max_size=60))
    cut = data.draw(st.floats(0.1, 1.0))
    gap = np.zeros(len(demand))
    gap[out] = demand[out] * cut
    t = 0.0
    for _ in range(data.draw(st.integers(1, 4))):
        em.dispatch(t, gap, hazard=data.draw(st.booleans()))
        t += data.draw(st.floats(0.0, 30.0))
        backup, mobile = em.backup_mw(t, gap), em.mobile_mw(t, gap)
        assert (backup >= 0).all() and (mobile >= 0).all()
        assert (backup + mobile <= np.minimum(gap, em.critical) + 1e-9).all()
        assert (backup <= em.backup + 1e-9).all()
        assert (backup[em.endurance <= t] == 0).all()
        assert mobile.sum() <= em.fleet_mw + 1e-9
        assert sum(v.job is not None for v in em.vehicles) <= len(em.vehicles)
        gap[out[: len(out) // 2]] = 0.0  # the grid takes some users back


def test_backup_serves_important_users_while_fuel_lasts():
    """金山 fire: important users out ride on their own backup from the first moment; emergency
    power is counted beside the grid's served load and never above what is shed."""
    _, res = _run("core_station_fire")
    tl = res.timeline
    assert tl.backup_mw.iloc[0] > 0
    assert (tl.emergency_mw <= tl.shed_mw + 1e-6).all()
    assert (tl.supplied_pct >= tl.restored_pct - 1e-9).all()
    assert res.to_dict()["first_hours"]["backup_mw_peak"] > 0
    # restored is measured against what the shed customers would draw at that hour
    want = 100 * (1 - tl.shed_now_mw / tl.shed0_now_mw)
    assert np.allclose(tl.restored_pct, want.clip(0, 100), atol=1e-6)


def test_ice_storm_sends_generator_vehicles_to_xiushan():
    """The ice storm: 秀山 has no neighbour to take its load, so generator vehicles go there."""
    _, res = _run("ice_storm_2008", 30.0)  # vehicles reach 秀山 within the first day
    ev = res.events[res.events.kind == "emergency_power"]
    assert (ev.district == "秀山县").any()
    assert ev.what.str.contains("应急发电车").all()
    assert res.timeline.mobile_mw.max() > 0
