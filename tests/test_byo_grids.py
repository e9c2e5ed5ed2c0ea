"""Bring-your-own grids (issue 19, item 6): what is wrong before the event is the base state,
never a loss of the event; the event is measured against what the intact net serves; library
calls raise the package's own errors. Both faces of the engine agree."""

from __future__ import annotations

import warnings

import numpy as np
import pandapower as pp
import pandapower.networks as pn
import pytest

from outage_sim import annotate_net, classify, shed_load
from outage_sim.engine import OutageMatrix, base_state, compile_batch, run_batch
from outage_sim.errors import AnnotationError, InputError, OutageSimError
from outage_sim.hazards import Outage

warnings.filterwarnings("ignore", category=FutureWarning)


def _isolated_load():
    net = pn.case9()
    b = pp.create_bus(net, 345.0, name="lonely")
    pp.create_load(net, b, p_mw=50.0, name="cut off")
    return net


def _no_generation():
    net = pn.case9()
    net.gen.drop(net.gen.index, inplace=True)
    net.ext_grid.drop(net.ext_grid.index, inplace=True)
    return net


def _all_units_out():
    net = pn.case9()
    net.gen["in_service"] = False
    net.ext_grid["in_service"] = False
    return net


def _both_faces(net, outages=()):
    """The single engine's and the batch engine's main-grid shed and load for one scenario."""
    single = shed_load(net, list(outages), ac_check=False)
    bm = compile_batch(net)
    batch = run_batch(bm, OutageMatrix.from_outages(bm, [list(outages)]))
    return single, batch


# -------------------------------------------------------------------- intact nets: no event
@pytest.mark.parametrize("make, unserved_mw, words", [
    (pn.case4gs, 182.0, "ext_grid 0 limited to max_p_mw 0 MW"),
    (_isolated_load, 50.0, "1 load(s), 50.0 MW, without supply"),
    (_no_generation, 315.0, "3 load(s), 315.0 MW, without supply"),
    (_all_units_out, 315.0, "without a synchronous source"),
])
def test_an_intact_net_is_no_event_and_its_problems_are_the_base_state(make, unserved_mw, words):
    net = annotate_net(make())
    single, batch = _both_faces(net)
    assert single.main["shed_mw"] == 0.0 and single.main["customers_out"] == 0
    assert classify(single.to_event()).level == "none"
    base = single.base
    assert not base.secure and base.unserved_mw == pytest.approx(unserved_mw)
    assert any(words in p for p in base.problems), base.problems
    assert all("\n" not in p for p in base.problems)
    assert any(f.startswith("base state (before the event): ") for f in single.flags)
    # the event is measured against what the intact net serves
    assert single.main["load_mw"] == pytest.approx(base.load_mw - unserved_mw)
    assert single.to_dict()["base_state"]["unserved_mw"] == pytest.approx(unserved_mw)
    # the batch face: the same reference, no shed, the same base state
    assert batch.main_shed_mw[0] == 0.0 and batch.main_customers_out[0] == 0
    assert batch.main_load_mw == pytest.approx(single.main["load_mw"])
    assert base_state(net).problems == base.problems


def test_case4gs_was_a_major_event_and_is_now_none_with_the_shortfall_reported():
    """Issue 19: intact case4gs shed 182 MW (重大) because its ext_grid has max_p_mw = 0."""
    r = shed_load(annotate_net(pn.case4gs()))
    assert classify(r.to_event()).level == "none"
    assert r.base.served_mw == pytest.approx(318.0) and r.base.load_mw == pytest.approx(500.0)
    assert "有序用电" in r.base.problems[0]


def test_an_overloaded_intact_net_is_relieved_before_the_event():
    net = pp.create_empty_network()
    b = [pp.create_bus(net, 220.0) for _ in range(2)]
    imax = 70.0 / 0.95 / (np.sqrt(3) * 220.0)  # 70 MW in the DC check
    pp.create_line_from_parameters(net, b[0], b[1], 10.0, 0.04, 0.3, 0.0, imax, name="L01")
    pp.create_gen(net, b[0], p_mw=100.0, slack=True, min_p_mw=0.0, max_p_mw=200.0, name="G")
    pp.create_load(net, b[1], p_mw=100.0, name="town")
    net = annotate_net(net, district_of_bus={0: "A", 1: "B"})
    single, batch = _both_faces(net)
    assert single.main["shed_mw"] == pytest.approx(0.0, abs=1e-6)
    assert single.base.overloaded == ("L01",) and single.base.unserved_mw == pytest.approx(30.0)
    assert "1 branch(es) above 95% of their rating" in " ".join(single.base.problems)
    assert batch.main_shed_mw[0] == pytest.approx(0.0, abs=1e-6)
    # an event on top of it: losing the line loses what the intact net served behind it
    single, batch = _both_faces(net, [Outage("line", 0, "L01", "test")])
    assert single.main["shed_mw"] == pytest.approx(70.0) == batch.main_shed_mw[0]
    assert single.main["customers_out"] == single.main["customers"] == batch.main_customers_out[0]


def test_a_unit_with_pmin_above_pmax_is_a_base_note_not_a_shortfall():
    net = pn.case9()
    net.gen.loc[0, ["min_p_mw", "max_p_mw"]] = [200.0, 150.0]
    r = shed_load(annotate_net(net), ac_check=False)
    assert r.main["shed_mw"] == 0.0
    assert any("min_p_mw 200 above max_p_mw 150; taken as 150 MW" in p for p in r.base.problems)


def test_hazard_conditions_are_the_event_not_the_base_state():
    """A heat wave's higher demand is the event's (kept apart in net["pre_conditions"])."""
    net = annotate_net(pn.case4gs())
    before = net.load[["p_mw"]].copy()
    net["pre_conditions"] = {"load": before}
    net.load["p_mw"] = net.load.p_mw * 1.1  # what apply_conditions does, in effect
    r = shed_load(net, ac_check=False)
    assert r.base.unserved_mw == pytest.approx(182.0)  # the intact net's shortfall: base
    assert r.main["shed_mw"] == pytest.approx(50.0)    # the extra 10% demand cannot be served
    assert r.main["load_mw"] == pytest.approx(550.0 - 182.0)
    assert _both_faces(net)[1].main_shed_mw[0] == pytest.approx(50.0)


# -------------------------------------------------------------------- events on such nets
@pytest.mark.parametrize("make", [pn.case4gs, _isolated_load, pn.case33bw])
def test_single_and_batch_agree_on_every_single_outage(make):
    net = annotate_net(make())
    outs = ([[Outage("line", int(i), "line", "test")] for i in net.line.index]
            + [[Outage("gen", int(i), "gen", "test")] for i in net.gen.index])
    bm = compile_batch(net)
    res = run_batch(bm, OutageMatrix.from_outages(bm, outs))
    single = np.array([shed_load(net, o, ac_check=False).main["shed_mw"] for o in outs])
    assert np.allclose(single, res.main_shed_mw, atol=1e-6)


def test_case33bw_without_opf_limits_runs():
    """pandapower's case33bw has no min_p_mw column: it was an AttributeError."""
    net = annotate_net(pn.case33bw())
    single, batch = _both_faces(net, [Outage("line", 0, "line 0", "test")])
    assert single.main["shed_mw"] == pytest.approx(single.main["load_mw"])  # the feeder's head
    assert batch.main_shed_mw[0] == pytest.approx(single.main["shed_mw"])


# -------------------------------------------------------------------- our own errors
def _one_line(exc: OutageSimError) -> str:
    msg = str(exc)
    assert "\n" not in msg and msg
    return msg


def test_a_zero_impedance_line_is_an_input_error_on_both_faces():
    net = pn.case9()
    net.line.loc[3, "x_ohm_per_km"] = 0.0
    net = annotate_net(net)
    for call in (lambda: shed_load(net), lambda: compile_batch(net), lambda: base_state(net)):
        with pytest.raises(InputError) as err:
            call()
        assert _one_line(err.value).startswith("line 3: x_ohm_per_km × length_km = 0: zero")


def test_an_unknown_outage_index_is_an_input_error_on_both_faces():
    net = annotate_net(pn.case9())
    with pytest.raises(InputError, match=r"outages: line 99 is not in net.line \(its rows: 0–8\)"):
        shed_load(net, [Outage("line", 99, "?", "test")])
    bm = compile_batch(net)
    with pytest.raises(InputError, match="outages: line 99 is not in net.line"):
        OutageMatrix.from_outages(bm, [[Outage("line", 99, "?", "test")]])


@pytest.mark.parametrize("table, col, value, words", [
    ("load", "p_mw", np.nan, "load 0: p_mw = nan; must be a finite number"),
    ("line", "max_i_ka", 0.0, "line 0: max_i_ka × parallel × df = 0: no rating"),
    ("trafo", "vk_percent", np.nan, "trafo 0: vk_percent = nan: zero impedance"),
])
def test_numbers_the_engine_cannot_use_are_named(table, col, value, words):
    net = annotate_net(pn.case14() if table == "trafo" else pn.case9())
    net[table].loc[net[table].index[0], col] = value
    with pytest.raises(InputError) as err:
        shed_load(net)
    assert words in _one_line(err.value)


@pytest.mark.parametrize("kwargs, words", [
    ({"n_districts": -3}, "n_districts: must be a whole number from 1 to 9"),
    ({"n_districts": 0}, "n_districts: must be a whole number from 1 to 9"),
    ({"n_districts": 10}, "n_districts: must be a whole number from 1 to 9"),
    ({"n_districts": 2.5}, "n_districts"),
    ({"customers_per_mw": float("nan")}, "customers_per_mw: must be a finite number"),
    ({"priorities": {99: 1}}, "priorities: load 99 is not in net.load"),
    ({"priorities": {0: 0}}, "priorities: load 0: 0 is not a place"),
    ({"important_users": {99: "hospital"}}, "important_users: load 99 is not in net.load"),
])
def test_annotate_net_arguments_out_of_range_are_annotation_errors(kwargs, words):
    with pytest.raises(AnnotationError) as err:
        annotate_net(pn.case9(), **kwargs)
    assert words in _one_line(err.value)
