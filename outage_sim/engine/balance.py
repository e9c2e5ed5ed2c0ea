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

from outage_sim.engine.frequency import island_dynamics, load_frequency_data, simulate_frequency
from outage_sim.engine.lp import DispatchProblem, optimal_dispatch
from outage_sim.engine.result import element_name
from outage_sim.engine.state import DCModel
from outage_sim.errors import ModelError
from outage_sim.grid import RAISING_CONTROLS
from outage_sim.hazards import Outage

MODES = ("dispatch", "cascade")  # the engine's modes (see engine.shed)
GRID_FORMING_IMPORTS = ("ac_uhv", "ac_tie", "vsc_b2b")
# How a healthy intertie answers a loss (``control`` of interties.csv, on the net's gen/sgen):
# the most it may carry minutes after the event (dispatch) and in the first seconds (cascade).
# ``synchronous`` AC ties: the synchronous area's response at once, emergency support later, both
# up to the tie's rating (``max_p_mw``); ``emergency_support`` converters: up to their rating
# within about a second; ``fixed`` (and a user's import without ``control``): its schedule.
# (outage_sim.grid.RAISING_CONTROLS: the grid's N-1 takes them the same way)


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
    unit_type: np.ndarray     # coal, gas, hydro, ... (ext_grid for an external grid)
    unit_bus: np.ndarray      # bus positions
    unit_ref: list[tuple[str, int]]
    fixed_p: np.ndarray       # per fixed injection (imports, renewables, sgens)
    fixed_pmax: np.ndarray    # most it may carry minutes after the event (interties' support)
    fixed_fast: np.ndarray    # most it may carry in the first seconds (cascade mode)
    fixed_on: np.ndarray
    fixed_bus: np.ndarray
    fixed_control: np.ndarray # interties' control (synchronous, emergency_support, fixed, '')
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

    ``stage`` is ``pre`` (the state before the event), ``dispatch`` (minutes after: units and
    the healthy interties up to their maximum) or ``fast`` (cascade mode, the first seconds: the
    island's frequency response, :func:`outage_sim.engine.frequency.simulate_frequency` — units'
    governors within their primary response, the interties' fast support, load damping and the
    staged under-frequency load shedding; an island whose frequency falls below the units' trip
    frequency collapses).
    """
    fast = stage == "fast"
    cap = st.unit_fast_max if fast else st.unit_pmax
    fixed_cap = {"pre": st.fixed_p, "dispatch": st.fixed_pmax, "fast": st.fixed_fast}[stage]
    fixed_cap = np.maximum(fixed_cap, st.fixed_p)
    prio = work.load.shed_priority.to_numpy(np.int64)
    load_isl = model.island[st.load_bus]
    unit_isl = np.where(st.unit_on, model.island[st.unit_bus], -1)
    fixed_isl = np.where(st.fixed_on, model.island[st.fixed_bus], -1)
    freq = island_frequency(model, st, loss) if fast else None
    for k in range(model.n_islands):
        ld = (load_isl == k) & (st.served > 0)
        un = unit_isl == k
        fx = fixed_isl == k
        if not bool(un.any() or (fx & st.fixed_sync).any()):
            _black(work, st, ld, fx)
            continue
        demand = float(st.served[ld].sum())
        supply_max = float(cap[un].sum()) + float(fixed_cap[fx].sum())
        cut = max(0.0, demand - supply_max / (1 + loss)) if demand * (1 + loss) > supply_max + 1e-6 \
            else 0.0
        if freq is not None and k in freq:
            f = freq[k]
            if not f["survived"]:
                _collapse(work, st, ld, un, fx, f)
                continue
            cut = max(cut, f["ufls_share"] * demand)
        if cut > 0:
            before = st.served.copy()
            st.served[ld] = shed_by_priority(st.served[ld], prio[ld], cut)
            hit = ld & (st.served < before - 1e-9)
            st.cause[hit & (st.cause == "")] = (BALANCE_CAUSE[stage] if freq is None or k not in freq
                                                 else _ufls_cause(freq[k]))
        need = float(st.served[load_isl == k].sum()) * (1 + loss)
        un = _surplus(work, st, un, fx, need)
        _follow(st, un, fx, need, cap, fixed_cap)


def _black(work, st: WorkState, ld: np.ndarray, fx: np.ndarray) -> None:
    """An island without a synchronous source goes black, its infeeds with it."""
    st.served[ld] = 0.0
    st.cause[ld] = "island without generation (black)"
    for j in np.flatnonzero(fx):
        if st.fixed_p[j] > 0:
            st.tripped.append(Outage(st.fixed_ref[j][0], st.fixed_ref[j][1],
                                     element_name(work, st.fixed_ref[j]),
                                     "no synchronous source left in its island", "island"))
    st.fixed_on[fx] = False


def _surplus(work, st: WorkState, un: np.ndarray, fx: np.ndarray, need: float) -> np.ndarray:
    """A surplus the units cannot absorb at their minimum curtails renewables, then imports,
    then trips the smallest units; returns the island's units still on."""
    pmin_sum = float(st.unit_pmin[un].sum())
    if need - float(st.fixed_p[fx].sum()) >= pmin_sum:
        return un
    surplus = pmin_sum - (need - float(st.fixed_p[fx].sum()))
    for j in sorted(np.flatnonzero(fx), key=lambda j: (st.fixed_order[j], -st.fixed_p[j])):
        take = min(surplus, st.fixed_p[j])
        st.fixed_p[j] -= take
        surplus -= take
    left = need - float(st.fixed_p[fx].sum())
    for u in sorted(np.flatnonzero(un), key=lambda u: (st.unit_pmax[u], u)):
        if left >= float(st.unit_pmin[un & st.unit_on].sum()) - 1e-9 or (un & st.unit_on).sum() == 1:
            break
        st.unit_on[u] = False
        st.unit_p[u] = 0.0
        st.tripped.append(Outage(st.unit_ref[u][0], st.unit_ref[u][1], element_name(work, st.unit_ref[u]),
                                 "tripped: generation surplus in its island", "island"))
    return un & st.unit_on


def island_frequency(model: DCModel, st: WorkState, loss: float) -> dict[int, dict]:
    """The first seconds of every island with a sudden deficit (cascade mode): its frequency
    response (:mod:`outage_sim.engine.frequency`), by island. An island synchronous with the
    area behind the Sichuan AC ties gets the area's response and inertia through the ties'
    headroom; a converter with fast support adds its headroom; an external grid (a user's net)
    is an infinite bus: no frequency problem."""
    n = model.n_islands
    if not n:
        return {}
    load_isl = model.island[st.load_bus]
    live = (load_isl >= 0) & (st.served > 0)
    load = np.bincount(load_isl[live], weights=st.served[live], minlength=n)
    un = st.unit_on & (model.island[st.unit_bus] >= 0)
    fx = st.fixed_on & (model.island[st.fixed_bus] >= 0)
    gen = (np.bincount(model.island[st.unit_bus[un]], weights=st.unit_p[un], minlength=n)
           + np.bincount(model.island[st.fixed_bus[fx]], weights=st.fixed_p[fx], minlength=n))
    deficit = load * (1 + loss) - gen
    stiff = np.zeros(n, bool)
    stiff[model.island[st.unit_bus[un & (st.unit_type == "ext_grid")]]] = True
    sel = np.flatnonzero((deficit > 1e-6) & (load > 0) & ~stiff)
    if not len(sel):
        return {}
    data = load_frequency_data()
    raising = fx & np.isin(st.fixed_control, RAISING_CONTROLS)
    ext_limit = np.bincount(model.island[st.fixed_bus[raising]],
                            weights=(st.fixed_fast - st.fixed_p)[raising].clip(min=0.0), minlength=n)
    area = np.zeros(n, bool)
    area[model.island[st.fixed_bus[fx & (st.fixed_control == "synchronous")]]] = True
    pos = np.full(n, -1)
    pos[sel] = np.arange(len(sel))
    units = un & (st.unit_type != "ext_grid")
    dyn = island_dynamics(st.unit_type[units], st.unit_pmax[units], st.unit_p[units],
                          np.ones(int(units.sum()), bool), pos[model.island[st.unit_bus[units]]],
                          load[sel], deficit[sel], data,
                          ext_gain=np.where(ext_limit[sel] > 0, data.area_gain_mw_per_hz, 0.0),
                          ext_limit=ext_limit[sel],
                          ext_inertia=np.where(area[sel], data.area_inertia_mws, 0.0))
    res = simulate_frequency(dyn, data)
    return {int(k): {"survived": bool(res.survived[i]), "ufls_share": float(res.ufls_share[i]),
                     "nadir_hz": float(res.nadir_hz[i]), "rounds": int(res.rounds_fired[i]),
                     "deficit_share": float(deficit[k] / (load[k] * (1 + loss))),
                     "trip_hz": data.unit_trip_hz}
            for i, k in enumerate(sel)}


def _ufls_cause(f: dict) -> str:
    return (f"under-frequency load shedding (低频减载): {f['rounds']} round(s), nadir "
            f"{f['nadir_hz']:.2f} Hz")


def _collapse(work, st: WorkState, ld, un, fx, f: dict) -> None:
    """The island's frequency collapses: every load, unit and infeed in it goes."""
    st.served[ld] = 0.0
    st.cause[ld] = (f"frequency collapse (频率崩溃): deficit {100 * f['deficit_share']:.0f}% of load; "
                    f"below {f['trip_hz']:g} Hz after {f['rounds']} under-frequency load-shedding "
                    "round(s) (低频减载)")
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


def follow_units(st: WorkState, un: np.ndarray, need: float, cap: np.ndarray) -> None:
    """The units ``un`` of one island move to ``need`` MW in total by the AGC rule of
    :func:`_follow` (the interties keep their output): the AC check's shedding uses it."""
    _follow(st, un, np.zeros(len(st.fixed_on), bool), need, cap, st.fixed_p)


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
