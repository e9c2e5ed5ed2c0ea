"""The engine's working state and the dispatcher's balance: islands, the priority rule, the
interties' support, the one LP for balance and relief (:mod:`outage_sim.engine.lp`).

:class:`WorkState` holds the arrays :func:`outage_sim.engine.shed.shed_load` works on (positions
follow the net's tables); :func:`balance_islands` applies the balance rule to every island,
:func:`dispatch_islands` adds the LP where the rule's state overloads a branch, and
:func:`injections` gives the DC injections of a state. See :mod:`outage_sim.engine.shed` for the
whole method.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from outage_sim.engine.lp import DispatchProblem, optimal_dispatch
from outage_sim.engine.result import element_name
from outage_sim.engine.state import DCModel
from outage_sim.errors import ModelError
from outage_sim.hazards import Outage

GRID_FORMING_IMPORTS = ("ac_uhv", "ac_tie", "vsc_b2b")
# How a healthy intertie answers a loss (``control`` of interties.csv, on the net's gen/sgen):
# the most it may carry minutes after the event (dispatch) and in the first seconds (cascade).
# ``synchronous`` AC ties: the synchronous area's response at once, emergency support later, both
# up to the tie's rating (``max_p_mw``); ``emergency_support`` converters: up to their rating
# within about a second; ``fixed`` (and a user's import without ``control``): its schedule.
# outage_sim.grid.RAISING_CONTROLS names the first two (the grid's N-1 takes them the same way).
MAX_CASCADE_ROUNDS = 50
# Primary (governor) response a unit gives within seconds, as a share of its rating: what can
# cover a sudden deficit before under-frequency load shedding acts (cascade mode). Assumed typical
# 一次调频 limits: thermal units about 6% of rated output, hydro about 10%.
PRIMARY_RESPONSE = {"coal": 0.06, "gas": 0.06, "hydro": 0.10}
PRIMARY_RESPONSE_DEFAULT = 0.06
# Most an under-frequency load-shedding scheme (低频减载) can cut, as a share of an island's load
# (assumed, typical of provincial settings). A larger deficit after the primary response cannot
# be arrested: the island's frequency collapses and it goes black, as Italy's did on 2003-09-28
# when it lost its imports (about a quarter of its load).
UFLS_MAX_SHARE = 0.40


@dataclass
class WorkState:
    """Mutable working arrays while the engine runs (positions follow the net's tables)."""

    demand: np.ndarray        # per load, MW before the event
    served: np.ndarray        # per load, MW
    cause: np.ndarray         # per load, str
    unit_p: np.ndarray        # per dispatchable source (gen units, then ext_grids)
    unit_pmin: np.ndarray
    unit_pmax: np.ndarray
    unit_resp: np.ndarray     # primary response, share of rating
    unit_fast_max: np.ndarray # pre-event output plus primary response (cascade mode cap)
    unit_on: np.ndarray
    unit_bus: np.ndarray      # bus positions
    unit_ref: list[tuple[str, int]]
    fixed_p: np.ndarray       # per fixed injection (imports, renewables, sgens)
    fixed_pmax: np.ndarray    # most it may carry minutes after the event (interties' support)
    fixed_fast: np.ndarray    # most it may carry in the first seconds (cascade mode)
    fixed_on: np.ndarray
    fixed_bus: np.ndarray
    fixed_sync: np.ndarray    # grid-forming (counts as a source for an island)
    fixed_order: np.ndarray   # curtailment order: renewables (0) before imports (1)
    fixed_ref: list[tuple[str, int]]
    load_bus: np.ndarray
    shed_cost: np.ndarray     # per load, LP cost per MW shed (by priority)
    loss: float = 0.0         # losses as a share of the load served
    tripped: list[Outage] = field(default_factory=list)
    limit_notes: list[str] = field(default_factory=list)  # limits taken as usable (base state)
    overloaded: list[tuple[str, float]] = field(default_factory=list)  # before the event, % rating



# ------------------------------------------------------------------------------- balance
def shed_by_priority(served: np.ndarray, priority: np.ndarray, amount_mw: float) -> np.ndarray:
    """Cut ``amount_mw`` from loads by priority: lowest priority first, in full; the marginal
    priority by the same share on each load. Returns the new served MW (never below 0)."""
    new = served.copy()
    left = float(amount_mw)
    for prio in np.unique(priority):
        if left <= 1e-9:
            break
        sel = (priority == prio) & (new > 0)
        total = float(new[sel].sum())
        if total <= left:
            new[sel] = 0.0
            left -= total
        else:
            new[sel] *= 1.0 - left / total
            left = 0.0
    return new


BALANCE_CAUSE = {"pre": "supply short before the event (有序用电, orderly use)",
                 "dispatch": "island short of generation",
                 "fast": "under-frequency load shedding (低频减载)"}


def balance_islands(work, model: DCModel, st: WorkState, loss: float, *, stage: str) -> None:
    """Make every island's supply meet its served load (see the module docstring).

    ``stage`` is ``pre`` (the state before the event), ``dispatch`` (minutes after: units up to
    their maximum) or ``fast`` (cascade mode, the first seconds: a unit rises only by its primary
    response above its pre-event output; the rest of a deficit is under-frequency load shedding,
    and a deficit beyond :data:`UFLS_MAX_SHARE` collapses the island).
    """
    fast = stage == "fast"
    cap = st.unit_fast_max if fast else st.unit_pmax
    fixed_cap = {"pre": st.fixed_p, "dispatch": st.fixed_pmax, "fast": st.fixed_fast}[stage]
    fixed_cap = np.maximum(fixed_cap, st.fixed_p)
    prio = work.load.shed_priority.to_numpy(np.int64)
    load_isl = model.island[st.load_bus]
    unit_isl = np.where(st.unit_on, model.island[st.unit_bus], -1)
    fixed_isl = np.where(st.fixed_on, model.island[st.fixed_bus], -1)
    for k in range(model.n_islands):
        ld = (load_isl == k) & (st.served > 0)
        un = unit_isl == k
        fx = fixed_isl == k
        has_source = bool(un.any() or (fx & st.fixed_sync).any())
        if not has_source:
            st.served[ld] = 0.0
            st.cause[ld] = "island without generation (black)"
            for j in np.flatnonzero(fx):
                if st.fixed_p[j] > 0:
                    st.tripped.append(Outage(st.fixed_ref[j][0], st.fixed_ref[j][1],
                                             element_name(work, st.fixed_ref[j]),
                                             "no synchronous source left in its island", "island"))
            st.fixed_on[fx] = False
            continue
        demand = float(st.served[ld].sum())
        fixed = float(st.fixed_p[fx].sum())
        supply_max = float(cap[un].sum()) + float(fixed_cap[fx].sum())
        if demand * (1 + loss) > supply_max + 1e-6:
            before = st.served.copy()
            cut = demand - supply_max / (1 + loss)
            if fast and cut > UFLS_MAX_SHARE * demand:
                _collapse(work, model, st, k, ld, un, fx, cut / demand)
                continue
            st.served[ld] = shed_by_priority(st.served[ld], prio[ld], cut)
            hit = ld & (st.served < before - 1e-9)
            st.cause[hit & (st.cause == "")] = BALANCE_CAUSE[stage]
        need = float(st.served[load_isl == k].sum()) * (1 + loss) - fixed
        pmin_sum = float(st.unit_pmin[un].sum())
        if need < pmin_sum:  # surplus: curtail renewables, then imports, then trip units
            surplus = pmin_sum - need
            for j in sorted(np.flatnonzero(fx), key=lambda j: (st.fixed_order[j], -st.fixed_p[j])):
                take = min(surplus, st.fixed_p[j])
                st.fixed_p[j] -= take
                surplus -= take
            need = float(st.served[load_isl == k].sum()) * (1 + loss) - float(st.fixed_p[fx].sum())
            for u in sorted(np.flatnonzero(un), key=lambda u: (st.unit_pmax[u], u)):
                if need >= float(st.unit_pmin[un & st.unit_on].sum()) - 1e-9:
                    break
                if (un & st.unit_on).sum() == 1:
                    break
                st.unit_on[u] = False
                st.unit_p[u] = 0.0
                st.tripped.append(Outage(st.unit_ref[u][0], st.unit_ref[u][1],
                                         element_name(work, st.unit_ref[u]),
                                         "tripped: generation surplus in its island", "island"))
            un = un & st.unit_on
        _follow(st, un, fx, float(st.served[load_isl == k].sum()) * (1 + loss), cap, fixed_cap)


def _collapse(work, model: DCModel, st: WorkState, k: int, ld, un, fx, deficit_share: float) -> None:
    """Island ``k`` loses its frequency: every load, unit and infeed in it goes."""
    st.served[ld] = 0.0
    st.cause[ld] = (f"frequency collapse: deficit {100 * deficit_share:.0f}% of load, beyond the "
                    f"{100 * UFLS_MAX_SHARE:.0f}% under-frequency load shedding can cut")
    for u in np.flatnonzero(un):
        st.unit_on[u] = False
        st.unit_p[u] = 0.0
        st.tripped.append(Outage(st.unit_ref[u][0], st.unit_ref[u][1], element_name(work, st.unit_ref[u]),
                                 "tripped by under-frequency protection (frequency collapse)",
                                 "collapse"))
    for j in np.flatnonzero(fx):
        st.fixed_on[j] = False
        st.tripped.append(Outage(st.fixed_ref[j][0], st.fixed_ref[j][1], element_name(work, st.fixed_ref[j]),
                                 "tripped in the frequency collapse of its island", "collapse"))


def _follow(st: WorkState, un: np.ndarray, fx: np.ndarray, need: float, cap: np.ndarray,
            fixed_cap: np.ndarray) -> None:
    """Units of one island move so that it generates ``need`` in total, each in proportion to its
    headroom in the direction of the change (AGC); what they cannot give, the island's healthy
    interties give up to ``fixed_cap`` (emergency support), in proportion to their headroom."""
    idx = np.flatnonzero(un)
    short = need - float(st.fixed_p[fx].sum()) - float(cap[idx].sum())
    jdx = np.flatnonzero(fx & (fixed_cap > st.fixed_p + 1e-9))
    if short > 1e-9 and len(jdx):
        room = fixed_cap[jdx] - st.fixed_p[jdx]
        st.fixed_p[jdx] += room * min(1.0, short / float(room.sum()))
    if not len(idx):
        return
    p = st.unit_p[idx]
    delta = need - float(st.fixed_p[fx].sum()) - float(p.sum())
    room = (cap[idx] - p) if delta > 0 else (p - st.unit_pmin[idx])
    room = np.clip(room, 0.0, None)
    if room.sum() > 1e-9:
        p = p + delta * room / room.sum() if abs(delta) <= room.sum() else \
            (cap[idx] if delta > 0 else st.unit_pmin[idx]).astype(float)
    st.unit_p[idx] = p


def injections(model: DCModel, st: WorkState) -> np.ndarray:
    """Net injection per bus position (MW), each island balanced for the DC flows."""
    p = np.zeros(model.n_bus)
    np.add.at(p, st.unit_bus[st.unit_on], st.unit_p[st.unit_on])
    np.add.at(p, st.fixed_bus[st.fixed_on], st.fixed_p[st.fixed_on])
    # losses as a share of each load, as the balance counts them (see engine.lp)
    np.add.at(p, st.load_bus, -st.served * (1.0 + st.loss))
    # what is left unbalanced (a unit held at its minimum in a surplus island, rounding): spread
    # over the island's units as the AC slack would, so DC flows see balanced islands
    for k in range(model.n_islands):
        members = model.island == k
        mism = p[members].sum()
        if abs(mism) > 1e-9:
            units = st.unit_on & (model.island[st.unit_bus] == k)
            if units.any():
                w = st.unit_pmax[units] / st.unit_pmax[units].sum()
                np.add.at(p, st.unit_bus[units], -mism * w)
            else:
                p[np.flatnonzero(members)[0]] -= mism
    return p


# ------------------------------------------------------------------------------- overloads
PRE_OVERLOAD_CAUSE = "overload before the event, relieved by the dispatcher"
RELIEF_CAUSE = "overload relief (dispatcher, 紧急限电序位表)"


def dispatch_islands(work, model: DCModel, st: WorkState, loss: float, *,
                     stage: str, joint: bool = True) -> list[tuple[int, float]]:
    """The dispatcher's minutes after the event (``stage`` ``dispatch``, or ``pre`` for the
    state before it): the balance rule, and where its state overloads a branch, balance and
    relief as one LP (:mod:`outage_sim.engine.lp`; ``joint=False`` keeps the rule's shed and
    relieves on top of it, the sequential way, for comparison). Returns the branches the rule's
    state overloaded, as (position, flow / DC rating)."""
    before = st.served.copy()
    cause_before = st.cause.copy()
    balance_islands(work, model, st, loss, stage=stage)
    flows = model.flows(injections(model, st))
    over = np.flatnonzero(np.abs(flows) > model.br_rating_mw + 1e-6)
    if len(over):
        energised = _energised(model, st)
        rule_shed = np.where(energised[model.island[st.load_bus]] & (model.island[st.load_bus] >= 0),
                             np.clip(before - st.served, 0.0, None), 0.0)
        if joint:
            st.cause = np.where(rule_shed > 0, cause_before, st.cause)
        else:
            rule_shed = np.zeros_like(rule_shed)
        _optimal_relief(model, st, rule_shed, flows, stage)
    return [(int(k), float(abs(flows[k]) / model.br_rating_mw[k])) for k in over]


def _energised(model: DCModel, st: WorkState) -> np.ndarray:
    """Per island: holds a synchronous source in service."""
    on = np.zeros(model.n_islands + 1, bool)
    on[model.island[st.unit_bus[st.unit_on]]] = True
    on[model.island[st.fixed_bus[st.fixed_on & st.fixed_sync]]] = True
    return on[:model.n_islands]


def _optimal_relief(model: DCModel, st: WorkState, rule_shed: np.ndarray, flows: np.ndarray,
                    stage: str) -> float:
    """Balance and relief as one LP from the rule's state with ``rule_shed`` put back; the
    state takes the solution. Returns the LP objective."""
    w = 1.0 + st.loss
    ptdf = model.ptdf()
    isl = model.island[st.load_bus]
    live = isl >= 0
    balance = np.bincount(isl[live], weights=(w * rule_shed)[live], minlength=model.n_islands)
    fixed_cap = st.fixed_p if stage == "pre" else np.maximum(st.fixed_pmax, st.fixed_p)
    prob = DispatchProblem(
        ptdf=ptdf, island=model.island, rating=model.br_rating_mw,
        active=np.ones(len(model.br_rating_mw), bool),
        flows=flows - ptdf[:, st.load_bus] @ (w * rule_shed), balance=balance,
        served=st.served + rule_shed, load_bus=st.load_bus, priority=st.shed_cost,
        cost=st.shed_cost, unit_bus=st.unit_bus, unit_p=st.unit_p, unit_lo=st.unit_pmin,
        unit_hi=st.unit_pmax, unit_on=st.unit_on, fixed_bus=st.fixed_bus, fixed_p=st.fixed_p,
        fixed_hi=fixed_cap, fixed_on=st.fixed_on, loss=st.loss)
    sol = optimal_dispatch(prob)
    if not sol.ok:  # shedding every load is always feasible: this is a solver failure
        raise ModelError(f"DC optimal load shed failed: {sol.message}")
    relief = PRE_OVERLOAD_CAUSE if stage == "pre" else RELIEF_CAUSE
    short = balance[np.where(live, isl, 0)] > 1e-6
    empty = st.cause == ""
    st.cause[(sol.group_cut > 1e-6) & empty & short] = BALANCE_CAUSE[stage]
    st.cause[((sol.aimed_cut > 1e-6) | ((sol.group_cut > 1e-6) & ~short)) & (st.cause == "")] = relief
    st.served, st.unit_p, st.fixed_p = sol.served, sol.unit_p, sol.fixed_p
    return sol.objective
