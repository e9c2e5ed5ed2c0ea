"""Load transfer (负荷转供) in the first hours: dark 220 kV stations' load onto energised
neighbours, within each tie's limit and the receiving station's 220/110 kV headroom."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outage_sim.engine import shed_load
from outage_sim.grid import chongqing_net, transfer_capacity
from outage_sim.restoration import repair_data, restore
from outage_sim.restoration.topology import Topology
from outage_sim.restoration.transfer import LoadTransfer
from outage_sim.studies import load_scenario, run_scenario


@lru_cache(maxsize=1)
def _model():
    net = chongqing_net()
    topo = Topology(net)
    tr = LoadTransfer(net, topo, repair_data().values["load_transfer"])
    demand = net.load.p_mw.to_numpy(float)
    return net, topo, tr, demand


@lru_cache(maxsize=1)
def _fire():
    run = run_scenario(load_scenario("core_station_fire"), restore=False)
    return run, restore(run)


def _check_plan(out_buses: list[int]) -> None:
    net, topo, tr, demand = _model()
    out = {("bus", int(net.bus.index[b])) for b in out_buses}
    state = topo.state(out)
    rank = np.arange(len(demand))
    moves = tr.plan(5.0, state, demand, rank)
    own = np.bincount(topo.load_bus, demand, topo.n_bus)
    taken = np.zeros(topo.n_bus)
    pair: dict[tuple[int, int], float] = {}
    ties = {(a, b): mw for a, lst in tr.pairs.items() for b, mw in lst}
    for m in moves:
        assert 0 < m.share <= 1 + 1e-9
        assert not state.energised[topo.load_bus[m.load]] and state.energised[m.to_bus]
        mw = m.share * demand[m.load]
        taken[m.to_bus] += mw
        key = (int(topo.load_bus[m.load]), m.to_bus)
        pair[key] = pair.get(key, 0.0) + mw
    recv = taken > 0
    # never above a receiving station's 220/110 kV rating, never above a tie's limit
    assert (own[recv] + taken[recv] <= tr.rating_mw[recv] + 1e-6).all()
    assert all(mw <= ties[k] + 1e-6 for k, mw in pair.items())


@lru_cache(maxsize=1)
def _buses_220() -> list[int]:
    net = chongqing_net()
    return [i for i, v in enumerate(net.bus.vn_kv) if v == 220.0]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_transfer_never_above_a_rating(data):
    """Any set of dark stations: the planned moves stay within ties and transformer headroom."""
    _check_plan(data.draw(st.lists(st.sampled_from(_buses_220()), min_size=1, max_size=15,
                                   unique=True)))


def test_moved_load_flows_within_ratings():
    """The engine on the net with the moves: no branch above its rating (the DC model's flows)."""
    net, topo, tr, demand = _model()
    dark = [b for b in _buses_220() if net.bus.name.iloc[b].startswith("渝北")][:3]
    state = topo.state({("bus", int(net.bus.index[b])) for b in dark})
    moves = tr.plan(5.0, state, demand, np.arange(len(demand)))
    assert moves
    moved = tr.moved_net(net, moves)
    res = shed_load(moved, [], mode="dispatch", ac_check=True)
    assert res.ac.get("max_trafo_loading_pct", 0) <= 100.0 + 1e-6
    assert res.loads.served_mw.iloc[[m.load for m in moves]].sum() > 0


def test_core_fire_transfers_yubei_in_hours():
    """金山 fire: 渝北's load is switched to neighbours within the first hours (not 13 h)."""
    _, res = _fire()
    ev = res.events
    tr = ev[(ev.kind == "transfer") & (ev.district == "渝北区")]
    assert len(tr) and tr.t_h.max() <= 2.0
    assert tr.what.str.contains("负荷转供").all()
    d = res.districts[res.districts.district == "渝北区"]
    shed0 = float(d.shed_mw.iloc[0])
    at3 = float(d[d.t_h <= 3.0].shed_mw.iloc[-1])
    assert shed0 > 0 and at3 < 0.6 * shed0
    assert res.timeline.transferred_mw.max() > 0


def test_transfer_data_pairs_exist():
    """The transfer table names stations of the net, each with a source."""
    net, _, tr, _ = _model()
    table = transfer_capacity()
    names = set(net.bus.name.astype(str))
    assert set(table.from_station) <= names and set(table.to_station) <= names
    assert table.source.str.len().min() > 0
    assert not tr.empty


@pytest.mark.slow
@pytest.mark.parametrize("name", ["city_earthquake"])
def test_earthquake_restores_share_within_a_day(name):
    """The M6.8 city earthquake: a meaningful share back in 24 h by switching and transfer, over
    the draws (issue 16: without the under-frequency shed that switching restored at once, one
    draw can stay near 20%; `montecarlo --restoration --samples 20`: median 42%, P10 21%)."""
    shares, support = [], []
    for seed in range(1, 6):
        res = restore(run_scenario(load_scenario(name), seed=seed, restore=False), horizon_h=30)
        tl = res.timeline
        shares.append(float(tl[tl.t_h <= 24].restored_pct.iloc[-1]))
        assert (res.events.kind == "transfer").any()
        support.append(bool((res.events.kind == "support").any()))
    assert float(np.median(shares)) >= 30.0, shares
    assert any(support)  # a 重大 draw: cross-province crews after 24 h


def test_a_black_start_unit_on_a_live_bus_just_starts():
    """A black-start unit tripped while its island stays energised from the main grid is
    synchronised to it: a unit start in the log, no black start."""
    net = chongqing_net()
    unit = str(net.gen[net.gen.black_start.astype(bool)].name.iloc[0])
    from outage_sim.studies import parse_scenario

    sc = parse_scenario({"name": "bs", "time": "2026-08-12T14:30:00+08:00",
                         "faults": [{"unit": unit, "damaged": False}]})
    ev = restore(run_scenario(sc, restore=False), horizon_h=6).events
    assert not (ev.kind == "black_start").any()
    assert ev[ev.kind == "unit_start"].what.str.contains("no black start").any()
