"""The DC-shed / AC-check loop (engine.ac_secure) and the open line ends of the AC case."""

from __future__ import annotations

import numpy as np
import pandapower as pp
import pandapower.networks as pn
import pytest

from outage_sim import grid
from outage_sim.engine import shed_load
from outage_sim.engine.ac import ac_verdict, open_dangling_ends
from outage_sim.engine.ac_secure import LOW_V_CAUSE, OVERLOAD_CAUSE, cut_by_merit
from outage_sim.hazards import Outage
from outage_sim.severity import classify


def _radial(rating_mva: float = 106.0, beside_mw: float = 0.0):
    """bus0 (unit, 1.0 pu) = two equal lines (``rating_mva`` each) = bus1: 40 MW priority 1 and
    60 MW priority 3, both at power factor 0.8. The DC model sees 100 MW, within 95% of one
    line's rating once its twin trips; in AC the line carries about 125 MVA. ``beside_mw``: a
    priority-1 load on a third bus fed from bus0 by its own line, which no cut behind the twin
    lines can help."""
    net = pp.create_empty_network(sn_mva=100.0)
    b = [pp.create_bus(net, vn_kv=220.0, name=f"b{i}", geodata=(106.0 + i, 29.0)) for i in range(3)]
    imax = rating_mva / (np.sqrt(3) * 220.0)
    for name in ("L01", "L01b"):
        pp.create_line_from_parameters(net, b[0], b[1], length_km=10.0, r_ohm_per_km=0.04,
                                       x_ohm_per_km=0.3, c_nf_per_km=0.0, max_i_ka=imax, name=name)
    pp.create_line_from_parameters(net, b[0], b[2], length_km=10.0, r_ohm_per_km=0.04,
                                   x_ohm_per_km=0.3, c_nf_per_km=0.0, max_i_ka=1.0, name="L02")
    pp.create_gen(net, b[0], p_mw=100.0 + beside_mw, vm_pu=1.0, slack=True, min_p_mw=0.0,
                  max_p_mw=400.0, name="G0")
    pp.create_load(net, b[1], p_mw=40.0, q_mvar=30.0, name="works")
    pp.create_load(net, b[1], p_mw=60.0, q_mvar=45.0, name="homes")
    pp.create_load(net, b[2], p_mw=max(beside_mw, 1e-3), q_mvar=0.0, name="beside")
    return grid.annotate_net(net, district_of_bus={0: "A", 1: "A", 2: "B"},
                             priorities={0: 1, 1: 3, 2: 1})


TWIN = [Outage("line", 1, "L01b", "test")]


def test_dc_leaves_an_ac_overload_that_the_loop_relieves_lowest_priority_first():
    net = _radial()
    dc = shed_load(net, TWIN, ac_check=False)
    assert dc.main["shed_mw"] == 0.0  # 100 MW ≤ 0.95 × 106: the DC engine sees no overload
    r = shed_load(net, TWIN)
    a = r.ac
    assert a["method"] == "dc-shed/ac-check loop" and a["secure"]
    assert a["initial"]["branches"] == 1 and 1 <= a["iterations"] <= 3
    assert a["max_line_loading_pct"] <= 100.0 and a["overloaded"] == []
    assert 0.90 <= a["vm_pu_min"] <= a["vm_pu_max"] <= 1.10
    loads = r.loads.set_index("name")
    # about (125/106 − 0.97) × 106 × 0.8 MW: the priority-1 load alone covers it
    assert 10.0 < a["ac_shed_mw"] < 40.0
    assert loads.shed_mw["works"] == pytest.approx(a["ac_shed_mw"], abs=1e-3)
    assert loads.shed_mw["homes"] == 0.0
    assert loads.cause["works"] == OVERLOAD_CAUSE
    assert r.main["shed_mw"] == pytest.approx(dc.main["shed_mw"] + a["ac_shed_mw"], abs=1e-3)
    state, flags = ac_verdict(a)
    assert state == "ac" and r.state == "ac"
    assert any("relieved by shedding" in f and "(交流校核)" in f for f in flags)
    assert any("relieved by shedding" in f for f in r.flags)
    # the unit follows the shed: the DC dispatch stays balanced
    assert r.dispatch.set_index("name").p_mw["G0"] == pytest.approx(100.0 - a["ac_shed_mw"], abs=0.5)


def test_overload_relief_cuts_only_where_the_ptdf_helps():
    # the priority-1 load beside the twin lines is cheaper but its cut cannot relieve them
    r = shed_load(_radial(beside_mw=50.0), TWIN)
    loads = r.loads.set_index("name")
    assert r.ac["secure"] and r.ac["ac_shed_mw"] > 0
    assert loads.shed_mw["beside"] == 0.0 and loads.shed_mw["works"] > 0


def test_the_extra_shed_reaches_the_severity():
    net = _radial()
    dc, ac = shed_load(net, TWIN, ac_check=False), shed_load(net, TWIN)
    plan_dc, plan_ac = (classify(r.to_event()) for r in (dc, ac))
    share = ac.main["shed_mw"] / ac.main["load_mw"]
    assert share > 0.1 and dc.main["shed_mw"] == 0.0
    assert ac.districts.set_index("name").shed_mw["A"] == pytest.approx(ac.ac["ac_shed_mw"], abs=1e-3)
    assert plan_ac.level_rank >= plan_dc.level_rank
    mains = [c for c in plan_ac.criteria if c.scope == "main" and c.measure == "load_shed"]
    assert all(c.value_pct == pytest.approx(100 * share, abs=0.01) for c in mains)


@pytest.mark.parametrize("line", [1, 2, 4, 6])
def test_low_voltages_are_lifted_by_shedding_and_shed_only_grows(line):
    net = pn.case9()
    net.load["q_mvar"] = net.load.p_mw * 0.75  # power factor 0.8: case9's buses sag
    net = grid.annotate_net(net, priorities={0: 1, 1: 2, 2: 3})
    out = [Outage("line", line, f"line {line}", "test")]
    dc = shed_load(net, out, ac_check=False)
    r = shed_load(net, out)
    a = r.ac
    assert a["initial"]["low_v_buses"] >= 1 and a["iterations"] >= 1
    assert a["secure"] and a["vm_pu_min"] >= 0.90 and a["max_line_loading_pct"] <= 100.0
    served_dc = dc.loads.served_mw.to_numpy()
    served = r.loads.served_mw.to_numpy()
    assert (served <= served_dc + 1e-9).all() and (served >= 0).all()
    assert (served <= r.loads.demand_mw.to_numpy() + 1e-9).all()
    assert served_dc.sum() - served.sum() == pytest.approx(a["ac_shed_mw"], abs=1e-3)
    newly = (served < served_dc - 1e-9) & (dc.loads.shed_mw.to_numpy() == 0)
    causes = set(r.loads.cause[newly])
    assert newly.any() and causes <= {LOW_V_CAUSE, OVERLOAD_CAUSE}
    if a["initial"]["branches"] == 0:
        assert causes == {LOW_V_CAUSE}


def _long_line(vm_pu: float, cap_mvar: float = 0.0):
    """A 250 km 220 kV line feeding 5 MW: its charging lifts the far end (Ferranti); a capacitor
    bank there (``cap_mvar``) lifts it more."""
    net = pp.create_empty_network(sn_mva=100.0)
    b = [pp.create_bus(net, vn_kv=220.0, name=f"b{i}", geodata=(106.0 + i, 29.0)) for i in range(2)]
    pp.create_line_from_parameters(net, b[0], b[1], length_km=250.0, r_ohm_per_km=0.03,
                                   x_ohm_per_km=0.4, c_nf_per_km=12.0, max_i_ka=1.0, name="long")
    pp.create_gen(net, b[0], p_mw=5.0, vm_pu=vm_pu, slack=True, min_p_mw=0.0, max_p_mw=100.0,
                  name="G0")
    pp.create_load(net, b[1], p_mw=5.0, name="far")
    if cap_mvar:
        pp.create_shunt(net, b[1], q_mvar=-cap_mvar, name="far cap")
    return grid.annotate_net(net, district_of_bus={0: "A", 1: "A"})


def test_high_voltage_switches_capacitors_off_and_is_never_shed_for():
    r = shed_load(_long_line(1.04, cap_mvar=100.0))
    a = r.ac
    assert a["initial"]["high_v_buses"] == 1 and a["shunts_off"] == ["far cap"]
    assert a["secure"] and a["vm_pu_max"] <= 1.10 and a["ac_shed_mw"] == 0.0
    assert any("切除电容器" in f and "far cap" in f for f in r.flags)
    # no bank to switch: shedding cannot lower it, so the state is reported insecure
    r = shed_load(_long_line(1.05))
    assert not r.ac["secure"] and r.ac["vm_pu_max"] > 1.10 and r.main["shed_mw"] == 0.0
    assert any(f.startswith("AC check: still insecure after") for f in r.flags)
    assert any(f.startswith("AC alerts: 1 bus(es)") and "越限告警" in f for f in r.flags)


def test_open_intertie_is_de_energised_at_both_ends():
    # valley load, the 1000 kV tie to 天府南 (Sichuan) out: its line used to stay charged from
    # 铜梁 at 1.15 pu
    net = grid.chongqing_net("valley")
    imp = net.gen[net.gen.role == "import"]
    uhv = int(imp.index[imp.type == "ac_uhv"][0])
    far = str(net.bus.at[int(imp.at[uhv, "bus"]), "name"])
    r = shed_load(net, [Outage("gen", uhv, str(imp.at[uhv, "name"]), "test")])
    assert r.state == "ac" and r.ac["converged"]
    assert far in r.ac["open_ends"]
    assert r.ac["vm_pu_max"] <= 1.05 and r.ac["secure"] and r.ac["ac_shed_mw"] == 0.0


def test_dangling_chains_go_and_fed_or_meshed_buses_stay():
    net = pp.create_empty_network()
    b = [pp.create_bus(net, vn_kv=110.0, name=f"b{i}") for i in range(5)]
    pp.create_ext_grid(net, b[0])
    for f, t in ((0, 1), (1, 2), (2, 3), (0, 4), (0, 4)):
        pp.create_line(net, b[f], b[t], 5.0, "149-AL1/24-ST1A 110.0")
    pp.create_load(net, b[1], p_mw=5.0)
    pp.create_gen(net, b[4], p_mw=0.0, in_service=False)
    opened = open_dangling_ends(net)
    # b3, and b4 that hangs by two parallel circuits, its unit out of service
    assert opened == ["b3", "b4", "b2"]
    assert net.bus.in_service.tolist() == [True, True, False, False, False]
    assert net.line.in_service.tolist() == [True, False, False, False, False]
    pp.runpp(net)
    assert net.res_bus.vm_pu.dropna().index.tolist() == [0, 1]


def test_cut_by_merit_lowest_first_and_the_marginal_group_by_one_share():
    room = np.array([10.0, 10.0, 20.0, 5.0])
    merit = np.array([2.0, 1.0, 2.0, np.inf])
    cut = cut_by_merit(room, merit, np.ones(4), 25.0)
    assert cut.tolist() == pytest.approx([5.0, 10.0, 10.0, 0.0])
    # a load that moves the branch by half a MW per MW shed needs twice the cut
    assert cut_by_merit(np.array([50.0]), np.array([1.0]), np.array([0.5]), 10.0)[0] == 20.0


def test_chongqing_double_circuit_loss_sags_below_the_band_and_the_loop_sheds():
    # summer peak, both 万州3号-万县 220 kV circuits out: the DC engine serves everything, but
    # the 220 kV station left on a long radial feed sags below 0.90 pu in AC
    net = grid.chongqing_net("summer_peak")
    idx = net.line.index[net.line.name.str.startswith("万州3号-万县 220kV")]
    out = [Outage("line", int(i), str(net.line.name[i]), "test") for i in idx]
    assert len(out) == 2
    dc = shed_load(net, out, ac_check=False)
    r = shed_load(net, out)
    a = r.ac
    assert dc.main["shed_mw"] == 0.0 and a["initial"]["low_v_buses"] >= 1
    assert a["secure"] and a["vm_pu_min"] >= 0.90 and a["ac_shed_mw"] > 0
    assert r.main["shed_mw"] == pytest.approx(a["ac_shed_mw"], abs=1e-3)
    assert set(r.loads.cause[r.loads.shed_mw > 0]) == {LOW_V_CAUSE}
