"""One optimisation (issue 16): balance and overload relief as one LP, never worse than the
sequential way (balance by the rule first, then relieve), on Chongqing and on case39."""

from __future__ import annotations

import copy

import numpy as np
import pandapower.networks as pn
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outage_sim import grid
from outage_sim.engine import balance, start
from outage_sim.engine.lp import CURTAIL_COST, DispatchProblem, optimal_dispatch
from outage_sim.engine.state import active_masks, build_dc_model
from outage_sim.hazards import Outage, apply_outages


@pytest.fixture(scope="module")
def nets():
    return {"cq": grid.chongqing_net("summer_peak"), "case39": grid.annotate_net(pn.case39())}


def _after(net, branches: list[int], joint: bool):
    """The engine's dispatch stage on ``net`` after losing ``branches`` (positions in the DC
    model's branch list): the state, and what the dispatch cost in shedding and in MW moved."""
    work, state, _ = start.event_start(net)
    model0 = build_dc_model(work)
    outs = [Outage(str(model0.br_element[k]), int(model0.br_index[k]), "", "test") for k in branches]
    apply_outages(work, outs)
    masks = active_masks(work)
    model = build_dc_model(work, masks)
    start.deactivate(work, masks, state)
    before = state.served.copy()
    unit0, fixed0 = state.unit_p.copy(), state.fixed_p.copy()
    balance.dispatch_islands(work, model, state, state.loss, stage="dispatch", joint=joint)
    cut = np.clip(before - state.served, 0.0, None)
    moved = np.abs(state.unit_p - unit0).sum() + np.abs(state.fixed_p - fixed0).sum()
    return state, model, float(state.shed_cost @ cut), float(moved), float(cut.sum())


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.sampled_from(["cq", "case39"]), picks=st.lists(st.integers(0, 10_000), min_size=2,
                                                                max_size=3, unique=True))
def test_the_joint_lp_is_never_worse_than_balance_then_relief(nets, which, picks):
    net = nets[which]
    n_br = len(build_dc_model(net).br_from)
    branches = sorted({p % n_br for p in picks})
    joint, model, cost_j, _, _ = _after(net, branches, joint=True)
    _, _, cost_s, moved_s, _ = _after(net, branches, joint=False)
    # the sequential answer is feasible for the joint LP, whose objective also counts moving
    # units and interties (at most CURTAIL_COST per MW): its shedding cannot cost more
    assert cost_j <= cost_s + CURTAIL_COST * moved_s + 1e-6 * max(cost_s, 1.0)
    # and its end state is within every rating
    flows = model.flows(balance.injections(model, joint))
    assert (np.abs(flows) <= model.br_rating_mw + 1e-4).all()
    assert ((joint.served >= -1e-9) & (joint.served <= joint.demand + 1e-9)).all()


@pytest.mark.parametrize("pair", [(36, 45), (41, 43), (37, 42)])
def test_on_case39_the_joint_lp_sheds_less_where_the_sequential_way_over_sheds(nets, pair):
    # the audit's finding: balancing first by priority and relieving afterwards sheds more than
    # one LP (these double outages of case39 are among the 5 of 150 random pairs where it does)
    _, _, cost_j, _, mw_j = _after(nets["case39"], list(pair), joint=True)
    _, _, cost_s, _, mw_s = _after(nets["case39"], list(pair), joint=False)
    assert cost_j < cost_s - 1.0 and mw_j < mw_s - 1.0


def test_without_binding_branches_the_lp_cuts_the_rule_s_whole_group_shares():
    # three loads at one bus pair, no network limit binding: the LP takes priority 1 whole, then
    # the same share of every priority-2 load (the rule), never an aimed cut
    ptdf = np.array([[0.0, -1.0]])  # one line from bus 0 (reference) to bus 1
    prob = DispatchProblem(
        ptdf=ptdf, island=np.array([0, 0]), rating=np.array([1e4]), active=np.array([True]),
        flows=np.array([0.0]), balance=np.array([150.0]),
        served=np.array([100.0, 60.0, 40.0]), load_bus=np.array([1, 1, 0]),
        priority=np.array([1, 2, 2]), cost=np.array([1000.0, 8000.0, 8000.0]),
        unit_bus=np.array([0]), unit_p=np.array([200.0]), unit_lo=np.array([0.0]),
        unit_hi=np.array([200.0]), unit_on=np.array([True]), fixed_bus=np.zeros(0, np.int64),
        fixed_p=np.zeros(0), fixed_hi=np.zeros(0), fixed_on=np.zeros(0, bool))
    sol = optimal_dispatch(prob)
    assert sol.ok
    assert sol.served == pytest.approx([0.0, 60 * 0.5, 40 * 0.5])
    assert sol.aimed_cut.sum() == pytest.approx(0.0)


def test_an_overloaded_line_is_relieved_by_an_aimed_cut_behind_it():
    # bus 0 (unit) feeds bus 1 over a 50 MW line; 80 MW of load at bus 1, 30 MW at bus 0, same
    # priority: the LP cuts 30 MW at bus 1 (aimed), nothing at bus 0
    ptdf = np.array([[0.0, -1.0]])
    prob = DispatchProblem(
        ptdf=ptdf, island=np.array([0, 0]), rating=np.array([50.0]), active=np.array([True]),
        flows=np.array([80.0]), balance=np.array([0.0]), served=np.array([80.0, 30.0]),
        load_bus=np.array([1, 0]), priority=np.array([1, 1]), cost=np.array([1000.0, 1000.0]),
        unit_bus=np.array([0]), unit_p=np.array([110.0]), unit_lo=np.array([0.0]),
        unit_hi=np.array([200.0]), unit_on=np.array([True]), fixed_bus=np.zeros(0, np.int64),
        fixed_p=np.zeros(0), fixed_hi=np.zeros(0), fixed_on=np.zeros(0, bool))
    sol = optimal_dispatch(prob)
    assert sol.ok
    assert sol.served == pytest.approx([50.0, 30.0])
    assert sol.unit_p == pytest.approx([80.0])


def test_a_copy_of_the_state_is_not_shared(nets):
    a, *_ = _after(copy.deepcopy(nets["case39"]), [0, 1], joint=True)
    b, *_ = _after(nets["case39"], [0, 1], joint=True)
    assert np.allclose(a.served, b.served)
