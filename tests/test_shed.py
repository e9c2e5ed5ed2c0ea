"""The single-scenario load-shed engine: known answers, conservation, topology, DC flows."""

from __future__ import annotations

import copy

import numpy as np
import pandapower as pp
import pandapower.networks as pn
import pandapower.topology as top
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outage_sim import grid
from outage_sim.engine import (
    DC_RATING_MARGIN,
    active_masks,
    build_dc_model,
    shed_by_priority,
    shed_load,
)
from outage_sim.engine.ac import ac_verdict
from outage_sim.errors import InputError
from outage_sim.hazards import Outage, faults


def _tiny(line_limit_mw: float | None = None, twin: bool = False):
    """bus0 (100 MW unit) — bus1 (60 MW: 10 MW priority 1 + 50 MW priority 3) — bus2 (40 MW);
    ``twin``: a second, equal line bus0 — bus1 (line 2, "L01b"), so that the intact net is
    within its limits and losing the twin overloads L01."""
    net = pp.create_empty_network(sn_mva=100.0)
    b = [pp.create_bus(net, vn_kv=220.0, name=f"b{i}", geodata=(106.0 + i, 29.0)) for i in range(3)]
    imax = 10.0 if line_limit_mw is None else line_limit_mw / DC_RATING_MARGIN / (np.sqrt(3) * 220.0)
    for f, t in ((0, 1), (1, 2)):
        pp.create_line_from_parameters(net, b[f], b[t], length_km=10.0, r_ohm_per_km=0.04,
                                       x_ohm_per_km=0.3, c_nf_per_km=0.0, max_i_ka=imax,
                                       name=f"L{f}{t}")
    if twin:
        pp.create_line_from_parameters(net, b[0], b[1], length_km=10.0, r_ohm_per_km=0.04,
                                       x_ohm_per_km=0.3, c_nf_per_km=0.0, max_i_ka=imax,
                                       name="L01b")
    pp.create_gen(net, b[0], p_mw=100.0, vm_pu=1.0, slack=True, min_p_mw=0.0, max_p_mw=200.0,
                  name="G0")
    pp.create_load(net, b[1], p_mw=10.0, name="industry")
    pp.create_load(net, b[1], p_mw=50.0, name="homes")
    pp.create_load(net, b[2], p_mw=40.0, name="hospital")
    return grid.annotate_net(net, district_of_bus={0: "A", 1: "A", 2: "B"},
                             priorities={0: 1, 1: 3, 2: 4}, important_users={2: "hospital"})


def test_island_without_generation_is_black_exactly():
    net = _tiny()
    r = shed_load(net, [Outage("line", 1, "L12", "test")])
    assert r.loads.shed_mw.tolist() == [0.0, 0.0, 40.0]
    assert r.loads.cause.iat[2] == "island without generation (black)"
    b = r.districts.set_index("name").loc["B"]
    assert b.shed_mw == 40.0 and b.customers_out == b.customers and b.important_users_out == 1
    assert r.main["shed_mw"] == 40.0
    assert [i["status"] for i in r.islands] == ["energised", "black"]


def test_overloaded_line_sheds_exactly_by_priority():
    # L01 may carry 70 MW (DC); losing its twin leaves 100 MW of load behind it: 30 MW must go,
    # priority 1 first
    net = _tiny(line_limit_mw=70.0, twin=True)
    r = shed_load(net, [Outage("line", 2, "L01b", "test")], mode="dispatch")
    assert r.main["shed_mw"] == pytest.approx(30.0, abs=1e-6)
    shed = r.loads.set_index("name").shed_mw
    assert shed["industry"] == pytest.approx(10.0, abs=1e-6)
    assert shed["homes"] == pytest.approx(20.0, abs=1e-6)
    assert shed["hospital"] == pytest.approx(0.0, abs=1e-6)
    assert r.loads.set_index("name").cause["homes"].startswith("overload relief")


def test_cascade_trips_the_overloaded_line_and_loses_what_is_behind_it():
    net = _tiny(line_limit_mw=70.0, twin=True)  # 100 MW on a 70/0.95 MVA line: 135% > 120% trips
    twin = [Outage("line", 2, "L01b", "test")]
    r = shed_load(net, twin, mode="cascade")
    assert len(r.cascade_rounds) == 1 and r.cascade_rounds[0][0]["name"] == "L01"
    assert r.main["shed_mw"] == pytest.approx(100.0)
    assert r.tripped[0].cause == "cascade"
    # below the trip threshold protection leaves it (106%, the line heats too slowly to trip
    # first); the dispatcher relieves it 10 minutes on, by priority (cascade.yaml)
    r = shed_load(_tiny(line_limit_mw=90.0, twin=True), twin, mode="cascade")
    assert r.main["shed_mw"] == pytest.approx(10.0) and not r.cascade_rounds
    assert r.loads.set_index("name").cause["industry"].startswith("overload relief")
    assert not any("remain overloaded" in f for f in r.flags)


def test_ac_check_runs_on_the_energised_islands_and_says_when_none_is_left():
    r = shed_load(_tiny(), [Outage("line", 1, "L12", "test")])
    assert r.state == "ac" and r.ac["converged"] and r.ac["solver"] in ("pandapower", "lightsim2grid")
    assert r.ac["slack_mw"] == pytest.approx(60.0, rel=0.05)  # the unit carries island A alone
    r = shed_load(_tiny(), [Outage("gen", 0, "G0", "test")])
    assert r.state == "none" and r.main["shed_mw"] == 100.0 and not r.flags
    assert r.ac == {"converged": None, "note": "no energised island: nothing to check"}
    r = shed_load(_tiny(), [Outage("gen", 0, "G0", "test")], ac_check=False)
    assert r.state == "dc" and r.ac == {"converged": None}


def test_ac_verdict_flags_overloads_voltages_and_divergence():
    ok = {"converged": True, "overloaded": [], "max_line_loading_pct": 80.0,
          "max_trafo_loading_pct": None, "vm_pu_min": 0.95, "vm_pu_max": 1.05}
    assert ac_verdict(ok) == ("ac", [])
    bad = {**ok, "overloaded": ["L1", "T1"], "max_trafo_loading_pct": 131.6, "vm_pu_min": 0.8771}
    assert ac_verdict(bad) == ("ac", ["AC check: 2 branch(es) above 100% (worst 132%)",
                                      ("AC check: voltages 0.877–1.050 pu outside the 0.90–1.10 pu "
                                       "emergency band")])
    assert ac_verdict({"converged": False}) == (
        "dc", ["AC power flow did not converge; results are from the DC state"])
    assert ac_verdict({"converged": None, "note": "x"}) == ("none", [])


def test_shed_by_priority_rotates_the_marginal_priority():
    served = np.array([10.0, 20.0, 30.0, 40.0])
    prio = np.array([1, 2, 2, 3])
    out = shed_by_priority(served, prio, 35.0)
    assert out.tolist() == pytest.approx([0.0, 10.0, 15.0, 40.0])  # 25 MW from 50 MW: half each
    assert shed_by_priority(served, prio, 1e6).sum() == 0.0


@pytest.fixture(scope="module")
def cq():
    return grid.chongqing_net("summer_peak")


def test_base_case_sheds_nothing_and_ac_converges(cq):
    r = shed_load(cq)
    assert r.main["shed_mw"] == 0.0 and r.main["customers_out"] == 0
    assert r.state == "ac" and r.ac["converged"] and not r.flags
    assert r.model_version == grid.MODEL_VERSION and r.level == "summer_peak"


def test_losing_the_dc_bipole_at_peak_sheds_nothing_while_the_ac_ties_are_healthy(cq):
    # issue 16: the ±800 kV bipole (5 GW at the summer peak) is a design contingency; the units'
    # headroom and the Sichuan ties' emergency support (up to their ratings) carry it
    outs = faults.resolve_fault(cq, "intertie", "哈密-重庆 ±800kV DC")
    r = shed_load(cq, outs, seed=7)
    assert r.main["shed_mw"] == pytest.approx(0.0, abs=1e-6)
    assert r.state == "ac" and r.ac["converged"]
    # the ties carry what the units' headroom cannot
    units = cq.gen[(cq.gen.role == "unit") & cq.gen.in_service]
    headroom = float((units.max_p_mw - units.p_mw).sum())
    ties_before = float(cq.gen.loc[cq.gen.role == "import", "p_mw"].sum())
    ties_after = sum(i["import_mw"] for i in r.islands)
    assert ties_after - ties_before == pytest.approx(5000.0 - headroom, rel=0.05)
    assert r.seed == 7


def test_without_support_the_bipole_loss_is_shed_by_priority(cq):
    # the same loss with the ties held to their schedule (control fixed): the shortfall beyond the
    # units' headroom is cut by the priority table, the marginal priority by the same share
    net = copy.deepcopy(cq)
    net.gen.loc[net.gen.role == "import", "control"] = "fixed"
    r = shed_load(net, faults.resolve_fault(net, "intertie", "哈密-重庆 ±800kV DC"), ac_check=False)
    units = net.gen[(net.gen.role == "unit") & net.gen.in_service]
    headroom = float((units.max_p_mw - units.p_mw).sum())
    loss = net["meta"]["loss_factor"]
    assert r.main["shed_mw"] == pytest.approx((5000.0 - headroom) / (1 + loss), rel=0.02)
    p1 = r.loads[r.loads.shed_priority == 1]
    assert r.loads[r.loads.shed_priority > 1].shed_mw.sum() == 0.0
    share = p1.shed_mw / p1.demand_mw
    assert np.allclose(share, share.iloc[0]) and 0 < share.iloc[0] < 1


def test_losing_a_core_station_darkens_no_district_its_chains_have_a_second_end(cq):
    # issue 17: every 220 kV station is fed from two 500 kV stations, so 金山 alone (N-1) cuts
    # nothing; with 玉屏 out as well (N-1-1) the chains between the two go dark, 江北 whole
    r = shed_load(cq, faults.resolve_fault(cq, "substation", "金山"))
    assert r.main["shed_mw"] == pytest.approx(0.0, abs=1e-6) and r.state == "ac"
    r = shed_load(cq, faults.resolve_fault(cq, "substation", "金山")
                  + faults.resolve_fault(cq, "substation", "玉屏"))
    d = r.districts.set_index("name")
    assert d.at["江北区", "shed_mw"] == pytest.approx(d.at["江北区", "load_mw"])
    assert d.at["江北区", "customers_out"] == d.at["江北区", "customers"]
    assert 0 < d.at["渝北区", "shed_mw"] < d.at["渝北区", "load_mw"]


def test_conservation_on_a_severe_case(cq):
    outs = (faults.resolve_fault(cq, "substation", "铜梁特高压")
            + faults.resolve_fault(cq, "intertie", "哈密-重庆 ±800kV DC")
            + faults.resolve_fault(cq, "corridor", "明月山-万县 500kV"))
    for mode in ("dispatch", "cascade"):
        r = shed_load(cq, outs, mode=mode)
        _check_conservation(r)


def _check_conservation(r):
    L = r.loads
    assert np.allclose(L.served_mw + L.shed_mw, L.demand_mw)
    assert (L.shed_mw >= 0).all() and (L.shed_mw <= L.demand_mw + 1e-9).all()
    assert (L.customers_out >= 0).all() and (L.customers_out <= L.customers).all()
    d = r.districts
    assert d.shed_mw.sum() == pytest.approx(r.main["shed_mw"], abs=1e-3)
    assert d.load_mw.sum() == pytest.approx(r.main["load_mw"], abs=1e-3)
    assert d.customers_out.sum() == r.main["customers_out"]
    assert ((d.shed_mw >= 0) & (d.shed_mw <= d.load_mw + 1e-6)).all()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_conservation_under_random_outages(cq, data):
    lines = data.draw(st.lists(st.sampled_from(list(cq.line.index)), max_size=12, unique=True))
    units = data.draw(st.lists(st.sampled_from(list(cq.gen.index)), max_size=6, unique=True))
    outs = [Outage("line", i, "", "random") for i in lines] + [Outage("gen", i, "", "random") for i in units]
    r = shed_load(cq, outs, mode=data.draw(st.sampled_from(["dispatch", "cascade"])), ac_check=False)
    _check_conservation(r)



def _partition(labels, buses):
    groups = {}
    for b, lab in zip(buses, labels):
        groups.setdefault(lab, set()).add(b)
    return sorted(map(frozenset, groups.values()), key=min)


@pytest.mark.parametrize("case", ["chongqing", "case118"])
def test_islands_agree_with_pandapower_topology(case):
    net = grid.chongqing_net() if case == "chongqing" else grid.annotate_net(pn.case118())
    rng = np.random.default_rng(3)
    for _ in range(5):
        work = net.deepcopy() if hasattr(net, "deepcopy") else __import__("copy").deepcopy(net)
        out = rng.choice(work.line.index, size=25, replace=False)
        work.line.loc[out, "in_service"] = False
        model = build_dc_model(work)
        on = np.flatnonzero(model.island >= 0)
        buses = work.bus.index[on]
        ours = _partition(model.island[on], buses)
        g = top.create_nxgraph(work, respect_switches=True, include_out_of_service=False)
        theirs = sorted((frozenset(c) for c in top.connected_components(g)), key=min)
        assert ours == theirs


def test_dc_flows_match_pandapower_rundcpp(cq):
    net = __import__("copy").deepcopy(cq)
    pp.rundcpp(net)
    model = build_dc_model(net, active_masks(net))
    p = np.zeros(model.n_bus)
    pos = model.bus_pos
    for b, v in zip(net.res_bus.index, net.res_bus.p_mw):
        p[pos[b]] = -v  # res_bus.p_mw is consumption
    flows = model.flows(p)
    n_line = int((model.br_element == "line").sum())
    assert np.allclose(flows[:n_line], net.res_line.p_from_mw.to_numpy(), atol=1e-3)
    assert np.allclose(flows[n_line:], net.res_trafo.p_hv_mw.to_numpy(), atol=1e-3)


def test_bad_mode_and_threshold(cq):
    with pytest.raises(InputError, match="mode: 'panic'"):
        shed_load(cq, mode="panic")
    with pytest.raises(InputError, match="cascade_threshold"):
        shed_load(cq, mode="cascade", cascade_threshold=0.5)


def test_the_callers_net_is_not_modified(cq):
    before = (cq.line.in_service.copy(), cq.load.p_mw.copy(), cq.gen.p_mw.copy())
    shed_load(cq, faults.resolve_fault(cq, "substation", "板桥"), mode="cascade")
    assert cq.line.in_service.equals(before[0]) and cq.load.p_mw.equals(before[1])
    assert cq.gen.p_mw.equals(before[2])
