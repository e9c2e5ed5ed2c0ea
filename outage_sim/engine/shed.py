"""The load-shed engine, one scenario: faults → islands → balance → overloads → AC check.

:func:`shed_load` applies outages to a copy of an annotated net and decides how much load every
load loses and why:

0. **Before the event.** The intact net is checked first (:func:`event_start`): what it cannot
   serve (islands without a source, loads out of service, generation short of the demand,
   branches above their rating, relieved as the dispatcher would) is its base state
   (:class:`~outage_sim.engine.base.BaseState`), reported as such and never as a loss of the
   event, whose shed is measured against what the intact net serves.

1. **Islands.** Buses split into islands (:mod:`outage_sim.engine.state`). An island without a
   synchronous source (a unit, a grid-forming intertie, an external grid) is black: the LCC DC
   infeed and grid-following renewables cannot run without one.
2. **Balance.** An island whose generation at maximum plus its imports cannot carry its load
   sheds by the 紧急限电序位表 (``shed_priority``, 1 first): every load of the lowest remaining
   priority is cut in full before the next priority is touched, and the marginal priority is cut
   by the same share on each of its loads (rotating outages by feeder). Units then follow the
   change in proportion to their headroom (AGC); a surplus curtails renewables and imports first,
   then trips the smallest units.
3. **Overloads.** ``mode="dispatch"`` (default): the dispatcher relieves every branch above its
   rating with a DC optimal load shed — a linear program (scipy's HiGHS) that redispatches units
   (cheap), curtails imports and renewables (dearer) and sheds load weighted by priority (dearest,
   important users last). ``mode="cascade"``: protection trips every branch loaded above
   ``cascade_threshold`` of its rating, the islands are balanced again, and rounds repeat until
   none trips; each round is recorded. Cascade mode describes the first seconds: units rise only
   by their primary response (:data:`PRIMARY_RESPONSE`) and the rest of a deficit is
   under-frequency load shedding (modelled on the same priority table); a deficit beyond what
   that scheme can cut (:data:`UFLS_MAX_SHARE`) collapses the island.
4. **AC check.** pandapower's AC power flow on the end state (one slack unit per island;
   :mod:`outage_sim.engine.ac`). If it does not converge the result says so (``flags``) and keeps
   the DC state.

Customers: a load cut by a share ``f`` puts ``round(f × customers)`` of its customers out
(rotating outages by feeder); a fully cut load puts all of them out.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
import pandapower as pp
import pandas as pd
from scipy.optimize import linprog

from outage_sim.engine.ac import ac_verdict
from outage_sim.engine.ac_secure import ac_secure
from outage_sim.engine.base import (
    BaseState,
    check_engine_data,
    check_outages,
    describe_base,
    intact_net,
)
from outage_sim.engine.result import ShedResult, build_result, element_name
from outage_sim.engine.state import DC_RATING_MARGIN, DCModel, active_masks, build_dc_model
from outage_sim.errors import InputError, ModelError
from outage_sim.grid import check_annotations
from outage_sim.hazards import Outage, apply_outages, unique_outages

MODES = ("dispatch", "cascade")
# LP costs per MW: redispatch < curtailment < shedding, shedding rising steeply with priority so
# that the LP never sheds a higher-priority MW where a lower-priority one would do.
REDISPATCH_COST, CURTAIL_COST = 1.0, 5.0
SHED_COST_BASE, SHED_COST_STEP = 1_000.0, 8.0
GRID_FORMING_IMPORTS = ("ac_uhv", "ac_tie", "vsc_b2b")
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
class _State:
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
    fixed_on: np.ndarray
    fixed_bus: np.ndarray
    fixed_sync: np.ndarray    # grid-forming (counts as a source for an island)
    fixed_order: np.ndarray   # curtailment order: renewables (0) before imports (1)
    fixed_ref: list[tuple[str, int]]
    load_bus: np.ndarray
    shed_cost: np.ndarray     # per load, LP cost per MW shed (by priority)
    tripped: list[Outage] = field(default_factory=list)
    limit_notes: list[str] = field(default_factory=list)  # limits taken as usable (base state)
    overloaded: list[tuple[str, float]] = field(default_factory=list)  # before the event, % rating


def shed_load(net: pp.pandapowerNet, outages: list[Outage] | tuple[Outage, ...] = (), *,
              mode: str = "dispatch", cascade_threshold: float = 1.2, ac_check: bool = True,
              seed: int | None = None) -> ShedResult:
    """Run the load-shed engine for one scenario.

    Parameters
    ----------
    net
        An annotated net (its state just before the event); it is not modified.
    outages
        Elements that failed (from :func:`outage_sim.hazards.resolve_fault` or a hazard draw).
    mode
        ``"dispatch"`` (operator sheds by the priority table to relieve overloads) or
        ``"cascade"`` (protection trips overloaded branches in rounds).
    cascade_threshold
        Loading (share of rating) above which protection trips a branch in ``cascade`` mode.
    ac_check
        Run pandapower's AC power flow on the end state.
    seed
        Recorded in the result (the engine itself is deterministic).

    Raises
    ------
    InputError
        An unknown ``mode`` or a ``cascade_threshold`` below 1, an outage of an element the net
        does not have, data the engine cannot compute with (:func:`~outage_sim.engine.base.
        check_engine_data`).
    AnnotationError
        ``net`` lacks the annotations the engine reads.

    Notes
    -----
    What is wrong before the event (islands, loads without supply, overloads, generation short
    of the demand) is the base state (:class:`~outage_sim.engine.base.BaseState`, the result's
    ``base``), never a loss of the event: the event's shed and customers out are measured
    against what the intact net serves.
    """
    _check_options(mode, cascade_threshold)
    failed = tuple(unique_outages(list(outages)))
    work, st, base = event_start(net)
    check_outages(work, failed)
    loss = float(work.get("meta", {}).get("loss_factor", 0.0))

    apply_outages(work, list(failed))
    masks = active_masks(work)
    model = build_dc_model(work, masks)
    _deactivate(work, masks, st)
    rounds: list[list[dict]] = []
    flags: list[str] = []

    _balance_islands(work, model, st, loss, stage="fast" if mode == "cascade" else "dispatch")
    if mode == "dispatch":
        _relieve_overloads(model, st)
    else:
        model, rounds, flags = _cascade(work, model, st, loss, cascade_threshold)

    ac: dict = {"converged": None}
    state = "dc"
    if ac_check:
        ac = ac_secure(work, model, st, follow=_follow, max_iter=8 if mode == "dispatch" else 0)
        state, ac_flags = ac_verdict(ac)
        flags += ac_flags
    return build_result(net, work, model, st, failed, rounds, ac, base.flags() + flags, mode, state,
                        seed, base=base)


def _check_options(mode: str, cascade_threshold: float) -> None:
    """Refuse options the engine cannot use, naming the option."""
    if mode not in MODES:
        raise InputError(f"mode: {mode!r} unknown; use one of {', '.join(MODES)}")
    if not cascade_threshold >= 1.0:
        raise InputError(f"cascade_threshold: must be at least 1.0, got {cascade_threshold}")


# ------------------------------------------------------------------------------- set-up
def event_start(net: pp.pandapowerNet) -> tuple[pp.pandapowerNet, _State, BaseState]:
    """A working copy of ``net``, the state the event finds on it and the intact net's base
    state; both faces of the engine start here (:func:`shed_load`, :func:`~outage_sim.engine.
    batch.compile_batch`).

    Raises
    ------
    AnnotationError, InputError
        As :func:`shed_load`.
    """
    check_annotations(net)
    check_engine_data(net)
    work = copy.deepcopy(net)
    st = pre_event_state(work)
    intact = intact_net(net)
    if intact is None:  # the net as given is the intact net
        return work, st, describe_base(work, st, st.overloaded, st.limit_notes)
    return work, st, base_state(intact)


def base_state(net: pp.pandapowerNet) -> BaseState:
    """What is wrong with the intact ``net`` before any event, and what it can serve.

    Raises
    ------
    AnnotationError, InputError
        ``net`` lacks annotations, or holds data the engine cannot compute with.
    """
    intact = intact_net(net)
    work = intact if intact is not None else copy.deepcopy(net)
    check_annotations(work)
    check_engine_data(work)
    st = pre_event_state(work)
    return describe_base(work, st, st.overloaded, st.limit_notes)


def pre_event_state(work: pp.pandapowerNet) -> _State:
    """The state the event finds, as the engine's working arrays.

    Generation follows the demand (a heat wave's too); a shortfall is cut by the priority table
    before anything fails (有序用电, orderly use), and branches above their rating are relieved
    as the dispatcher would (recorded in ``overloaded``). Each unit's fast cap is its output now
    plus its primary response. The batch engine compiles its arrays from this same state.
    """
    loss = float(work.get("meta", {}).get("loss_factor", 0.0))
    masks = active_masks(work)
    model = build_dc_model(work, masks)
    st = _initial_state(work, masks, model)
    _balance_islands(work, model, st, loss, stage="pre")
    flows = np.abs(model.flows(_injections(model, st)))
    over = np.flatnonzero(flows > model.br_rating_mw + 1e-6)
    st.overloaded = [(element_name(work, (str(model.br_element[k]), int(model.br_index[k]))),
                      round(100 * DC_RATING_MARGIN * float(flows[k] / model.br_rating_mw[k]), 1))
                     for k in over]
    if len(over):
        _relieve_overloads(model, st, cause=PRE_OVERLOAD_CAUSE)
    st.unit_fast_max = np.minimum(st.unit_pmax, st.unit_p + st.unit_resp * st.unit_pmax)
    return st


def _col(table: pd.DataFrame, name: str, default) -> pd.Series:
    """A column of a pandapower table, or ``default`` on every row where the user's net lacks
    it (pandapower's case files leave out the OPF limits, for one)."""
    if name in table:
        return table[name]
    return pd.Series(default, index=table.index, dtype=object if isinstance(default, str) else float)


def _initial_state(work, masks, model: DCModel) -> _State:
    pos = model.bus_pos
    load = work.load
    demand = (load.p_mw.to_numpy(float).clip(min=0.0) * _col(load, "scaling", 1.0).to_numpy(float))
    served = np.where(masks["load"], demand, 0.0)
    cause = np.where(masks["load"] | (demand == 0), "",
                     np.where(load.in_service.to_numpy(bool), "substation out of service",
                              "load out of service")).astype(object)
    units, notes = _units(work, masks, pos)
    fixed = _infeeds(work, masks, pos)
    return _State(
        demand=demand, served=served, cause=cause, **units, **fixed,
        unit_fast_max=units["unit_pmax"].copy(),
        load_bus=np.array([pos[b] for b in load.bus], np.int64),
        shed_cost=SHED_COST_BASE * SHED_COST_STEP ** (load.shed_priority.to_numpy(float) - 1.0),
        limit_notes=notes)


def _units(work, masks, pos) -> tuple[dict, list[str]]:
    """Dispatchable sources (units, then external grids) as the state's ``unit_*`` arrays, and
    a note for every limit that had to be taken otherwise than given."""
    g = work.gen
    is_unit = (_col(g, "role", "unit").to_numpy() == "unit")
    u = g[is_unit]
    refs = [("gen", int(i)) for i in u.index] + [("ext_grid", int(i)) for i in work.ext_grid.index]
    ext = work.ext_grid
    ext_on = ext.in_service.to_numpy(bool) & work.bus.in_service.reindex(ext.bus).to_numpy(bool)
    pmin = np.concatenate([_col(u, "min_p_mw", 0.0).astype(float).fillna(0.0).to_numpy(),
                           _col(ext, "min_p_mw", 0.0).astype(float).fillna(0.0).to_numpy()])
    pmax = np.concatenate([_col(u, "max_p_mw", np.nan).astype(float).fillna(u.p_mw.astype(float)).to_numpy(),
                           _col(ext, "max_p_mw", 1e6).astype(float).fillna(1e6).to_numpy()])
    pmin = pmin.clip(min=0.0)
    notes = []
    for j in np.flatnonzero((pmax < 0) | (pmin > pmax)):
        t, i = refs[j]
        notes.append(f"{element_name(work, (t, i))}: min_p_mw {pmin[j]:g} above max_p_mw "
                     f"{pmax[j]:g}; taken as {max(pmax[j], 0.0):g} MW" if pmin[j] > pmax[j] else
                     f"{element_name(work, (t, i))}: max_p_mw {pmax[j]:g} below 0; taken as 0 MW")
    pmax = pmax.clip(min=0.0)
    pmin = np.minimum(pmin, pmax)
    resp = [PRIMARY_RESPONSE.get(str(t), PRIMARY_RESPONSE_DEFAULT) for t in _col(u, "type", "")]
    return {"unit_p": np.concatenate([u.p_mw.to_numpy(float), np.zeros(len(ext))]),
            "unit_pmin": pmin, "unit_pmax": pmax,
            "unit_on": np.concatenate([masks["gen"][is_unit], ext_on]).astype(bool),
            "unit_resp": np.array(resp + [1e6] * len(ext), float),  # an external grid: stiff
            "unit_bus": np.array([pos[b] for b in u.bus] + [pos[b] for b in ext.bus], np.int64),
            "unit_ref": refs}, notes


def _infeeds(work, masks, pos) -> dict:
    """Fixed injections (imports and renewables: gens that are not units, then sgens) as the
    state's ``fixed_*`` arrays."""
    g, sg = work.gen, work.sgen
    role = _col(g, "role", "unit").to_numpy()
    gtype = _col(g, "type", "").astype(str).to_numpy()
    sel = np.flatnonzero(role != "unit")
    sg_role = _col(sg, "role", "").astype(str).to_numpy()
    sg_p = sg.p_mw.to_numpy(float) * _col(sg, "scaling", 1.0).to_numpy(float)
    return {"fixed_ref": [("gen", int(g.index[k])) for k in sel] + [("sgen", int(i)) for i in sg.index],
            "fixed_p": np.concatenate([g.p_mw.to_numpy(float)[sel], sg_p]).clip(min=0.0),
            "fixed_on": np.concatenate([masks["gen"][sel], masks["sgen"]]).astype(bool),
            "fixed_bus": np.array([pos[b] for b in g.bus.to_numpy()[sel]] + [pos[b] for b in sg.bus],
                                  np.int64),
            "fixed_sync": np.concatenate([np.isin(gtype[sel], GRID_FORMING_IMPORTS)
                                          | (role[sel] != "import"), np.zeros(len(sg), bool)]),
            "fixed_order": np.concatenate([np.ones(len(sel), np.int64),
                                           (sg_role == "import").astype(np.int64)])}


def _deactivate(work, masks: dict[str, np.ndarray], st: _State) -> None:
    """After the outages: loads, units and infeeds that lost their element or bus go."""
    lost = (st.served > 0) & ~masks["load"]
    st.cause[lost] = np.where(work.load.in_service.to_numpy(bool)[lost], "substation out of service",
                              "load out of service")
    st.served[lost] = 0.0
    for refs, on in ((st.unit_ref, st.unit_on), (st.fixed_ref, st.fixed_on)):
        for j, (table, idx) in enumerate(refs):
            if table == "ext_grid":
                row = work.ext_grid.loc[idx]
                active = bool(row.in_service) and bool(work.bus.at[row.bus, "in_service"])
            else:
                active = bool(masks[table][work[table].index.get_loc(idx)])
            if not active:
                on[j] = False
    st.unit_p[~st.unit_on] = 0.0


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


def _balance_islands(work, model: DCModel, st: _State, loss: float, *, stage: str) -> None:
    """Make every island's supply meet its served load (see the module docstring).

    ``stage`` is ``pre`` (the state before the event), ``dispatch`` (minutes after: units up to
    their maximum) or ``fast`` (cascade mode, the first seconds: a unit rises only by its primary
    response above its pre-event output; the rest of a deficit is under-frequency load shedding,
    and a deficit beyond :data:`UFLS_MAX_SHARE` collapses the island).
    """
    fast = stage == "fast"
    cap = st.unit_fast_max if fast else st.unit_pmax
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
        supply_max = float(cap[un].sum()) + fixed
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
        _follow(st, un, need, cap)


def _collapse(work, model: DCModel, st: _State, k: int, ld, un, fx, deficit_share: float) -> None:
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


def _follow(st: _State, un: np.ndarray, need: float, cap: np.ndarray) -> None:
    """Units of one island move from their current output to ``need`` in total, each in
    proportion to its headroom in the direction of the change (AGC)."""
    idx = np.flatnonzero(un)
    if not len(idx):
        return
    p = st.unit_p[idx]
    delta = need - float(p.sum())
    room = (cap[idx] - p) if delta > 0 else (p - st.unit_pmin[idx])
    room = np.clip(room, 0.0, None)
    if room.sum() > 1e-9:
        p = p + delta * room / room.sum() if abs(delta) <= room.sum() else \
            (cap[idx] if delta > 0 else st.unit_pmin[idx]).astype(float)
    st.unit_p[idx] = p


def _injections(model: DCModel, st: _State) -> np.ndarray:
    """Net injection per bus position (MW), each island balanced for the DC flows."""
    p = np.zeros(model.n_bus)
    np.add.at(p, st.unit_bus[st.unit_on], st.unit_p[st.unit_on])
    np.add.at(p, st.fixed_bus[st.fixed_on], st.fixed_p[st.fixed_on])
    np.add.at(p, st.load_bus, -st.served)
    # losses and rounding leave a small imbalance per island: spread it over the island's units
    # as the AC slack would, so DC flows see balanced islands
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


def _cascade(work, model: DCModel, st: _State, loss: float,
             threshold: float) -> tuple[DCModel, list[list[dict]], list[str]]:
    """Protection trips every branch above ``threshold`` of its rating, the islands are balanced
    again, and rounds repeat until none trips (cascade mode). Returns the end state's DC model,
    the branches tripped in each round and the flags for the reader."""
    rounds: list[list[dict]] = []
    flags: list[str] = []
    for r in range(1, MAX_CASCADE_ROUNDS + 1):
        loading = _loading(model, st)
        over = np.flatnonzero(loading > threshold)
        if not len(over):
            break
        # every trip of a round follows from the same flows: protection acts on all at once
        rounds.append([_trip(work, model, st, k, float(loading[k]), r) for k in over])
        model = build_dc_model(work, active_masks(work))
        _balance_islands(work, model, st, loss, stage="fast")
    else:
        flags.append(f"cascade did not settle within {MAX_CASCADE_ROUNDS} rounds")
    left = _loading(model, st) > 1.0 + 1e-9
    if left.any():
        flags.append(f"{int(left.sum())} branch(es) above 100% but below the "
                     f"{100 * threshold:.0f}% trip threshold remain overloaded")
    return model, rounds, flags


def _loading(model: DCModel, st: _State) -> np.ndarray:
    """Per branch, DC flow as a share of its rating (the DC rating margin taken off again)."""
    flows = model.flows(_injections(model, st))
    return np.abs(flows) / (model.br_rating_mw / DC_RATING_MARGIN)


def _trip(work, model: DCModel, st: _State, k: int, loading: float, r: int) -> dict:
    """Branch ``k`` trips in cascade round ``r``: out of service in ``work``, recorded in ``st``."""
    el, idx = str(model.br_element[k]), int(model.br_index[k])
    name = str(work[el].at[idx, "name"])
    work[el].at[idx, "in_service"] = False
    st.tripped.append(Outage(el, idx, name, f"protection trip at {100 * loading:.0f}% "
                             f"of rating, cascade round {r}", "cascade"))
    return {"element": el, "index": idx, "name": name, "loading_pct": round(100 * loading, 1)}


# ------------------------------------------------------------------------------- overloads
PRE_OVERLOAD_CAUSE = "overload before the event, relieved by the dispatcher"


def _relieve_overloads(model: DCModel, st: _State, *,
                       cause: str = "overload relief (dispatcher, 紧急限电序位表)") -> None:
    """DC optimal load shed: the cheapest redispatch, curtailment and priority-weighted shedding
    that brings every branch within its rating (scipy HiGHS)."""
    p_bus = _injections(model, st)
    f0 = model.flows(p_bus)
    if not len(f0) or (np.abs(f0) <= model.br_rating_mw + 1e-6).all():
        return
    ptdf = model.ptdf()
    loads = np.flatnonzero(st.served > 1e-9)
    units = np.flatnonzero(st.unit_on)
    fixed = np.flatnonzero(st.fixed_on & (st.fixed_p > 1e-9))
    n_l, n_u, n_f = len(loads), len(units), len(fixed)
    # variables: shed s_l | up_u | dn_u | curtail c_f
    cols_bus = np.concatenate([st.load_bus[loads], st.unit_bus[units], st.unit_bus[units],
                               st.fixed_bus[fixed]])
    sign = np.concatenate([np.ones(n_l), np.ones(n_u), -np.ones(n_u), -np.ones(n_f)])
    sens = ptdf[:, cols_bus] * sign  # flow change per MW of each variable
    cost = np.concatenate([st.shed_cost[loads], np.full(2 * n_u, REDISPATCH_COST),
                           np.full(n_f, CURTAIL_COST)])
    ub = np.concatenate([st.served[loads], st.unit_pmax[units] - st.unit_p[units],
                         st.unit_p[units], st.fixed_p[fixed]])
    ub = np.clip(ub, 0.0, None)
    # balance per island: shed + up - dn - curtail = 0
    isl = model.island[cols_bus]
    n_isl = model.n_islands
    a_eq = np.zeros((n_isl, len(cost)))
    a_eq[isl, np.arange(len(cost))] = sign
    a_ub = np.vstack([sens, -sens])
    b_ub = np.concatenate([model.br_rating_mw - f0, model.br_rating_mw + f0])
    res = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=np.zeros(n_isl),
                  bounds=np.column_stack([np.zeros(len(cost)), ub]), method="highs")
    if res.status != 0:  # shedding every load is always feasible: this is a solver failure
        raise ModelError(f"DC optimal load shed failed: {res.message}")
    x = res.x
    s = x[:n_l]
    st.served[loads] = np.clip(st.served[loads] - s, 0.0, None)
    hit = loads[s > 1e-6]
    st.cause[hit] = np.where(st.cause[hit] == "", cause, st.cause[hit])
    st.unit_p[units] += x[n_l:n_l + n_u] - x[n_l + n_u:n_l + 2 * n_u]
    st.fixed_p[fixed] -= x[n_l + 2 * n_u:]
