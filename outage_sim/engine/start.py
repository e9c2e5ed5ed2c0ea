"""Where both faces of the engine start: the working copy of a net, the state the event finds
on it (:func:`pre_event_state`) and the intact net's base state (:func:`event_start`,
:func:`base_state`); :func:`deactivate` takes out what the outages took.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from outage_sim.engine.balance import (
    GRID_FORMING_IMPORTS,
    WorkState,
    dispatch_islands,
)
from outage_sim.engine.base import BaseState, check_engine_data, describe_base, intact_net
from outage_sim.engine.frequency import load_frequency_data
from outage_sim.engine.lp import shed_cost
from outage_sim.engine.result import element_name
from outage_sim.engine.state import DC_RATING_MARGIN, DCModel, active_masks, build_dc_model
from outage_sim.grid import RAISING_CONTROLS, check_annotations

if TYPE_CHECKING:  # pandapower only in annotations: array workers never load it
    import pandapower as pp


def event_start(net: pp.pandapowerNet) -> tuple[pp.pandapowerNet, WorkState, BaseState]:
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


def pre_event_state(work: pp.pandapowerNet) -> WorkState:
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
    over = dispatch_islands(work, model, st, loss, stage="pre")
    st.overloaded = [(element_name(work, (str(model.br_element[k]), int(model.br_index[k]))),
                      round(100 * DC_RATING_MARGIN * float(load_k), 1)) for k, load_k in over]
    st.unit_fast_max = np.minimum(st.unit_pmax, st.unit_p + st.unit_resp * st.unit_pmax)
    return st


def _col(table: pd.DataFrame, name: str, default) -> pd.Series:
    """A column of a pandapower table, or ``default`` on every row where the user's net lacks
    it (pandapower's case files leave out the OPF limits, for one)."""
    if name in table:
        return table[name]
    return pd.Series(default, index=table.index, dtype=object if isinstance(default, str) else float)


def _initial_state(work, masks, model: DCModel) -> WorkState:
    pos = model.bus_pos
    load = work.load
    demand = (load.p_mw.to_numpy(float).clip(min=0.0) * _col(load, "scaling", 1.0).to_numpy(float))
    served = np.where(masks["load"], demand, 0.0)
    cause = np.where(masks["load"] | (demand == 0), "",
                     np.where(load.in_service.to_numpy(bool), "substation out of service",
                              "load out of service")).astype(object)
    units, notes = _units(work, masks, pos)
    fixed = _infeeds(work, masks, pos)
    return WorkState(
        demand=demand, served=served, cause=cause, **units, **fixed,
        unit_fast_max=units["unit_pmax"].copy(),
        load_bus=np.array([pos[b] for b in load.bus], np.int64),
        shed_cost=shed_cost(load.shed_priority.to_numpy(float)), limit_notes=notes,
        loss=float(work.get("meta", {}).get("loss_factor", 0.0)))


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
    types = _col(u, "type", "").astype(str).to_numpy()
    # the primary response a unit gives within seconds (一次调频 limit, data/engine/frequency.yaml)
    resp = list(load_frequency_data().unit_values("response_limit_share", types))
    return {"unit_p": np.concatenate([u.p_mw.to_numpy(float), np.zeros(len(ext))]),
            "unit_pmin": pmin, "unit_pmax": pmax,
            "unit_on": np.concatenate([masks["gen"][is_unit], ext_on]).astype(bool),
            "unit_resp": np.array(resp + [1e6] * len(ext), float),  # an external grid: stiff
            "unit_type": np.array(list(types) + ["ext_grid"] * len(ext), dtype=object),
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
    p = np.concatenate([g.p_mw.to_numpy(float)[sel], sg_p]).clip(min=0.0)
    # the most a healthy intertie may carry: its rating (max_p_mw) when its control raises it
    control = np.concatenate([_col(g, "control", "").astype(str).to_numpy()[sel],
                              _col(sg, "control", "").astype(str).to_numpy()])
    rating = np.concatenate([_col(g, "max_p_mw", np.nan).astype(float).to_numpy()[sel],
                             _col(sg, "max_p_mw", np.nan).astype(float).to_numpy()])
    raise_ok = np.isin(control, RAISING_CONTROLS) & np.isfinite(rating)
    pmax = np.where(raise_ok, np.maximum(np.nan_to_num(rating), p), p)
    return {"fixed_pmax": pmax, "fixed_fast": pmax.copy(), "fixed_control": control,
            "fixed_ref": [("gen", int(g.index[k])) for k in sel] + [("sgen", int(i)) for i in sg.index],
            "fixed_p": p,
            "fixed_on": np.concatenate([masks["gen"][sel], masks["sgen"]]).astype(bool),
            "fixed_bus": np.array([pos[b] for b in g.bus.to_numpy()[sel]] + [pos[b] for b in sg.bus],
                                  np.int64),
            "fixed_sync": np.concatenate([np.isin(gtype[sel], GRID_FORMING_IMPORTS)
                                          | (role[sel] != "import"), np.zeros(len(sg), bool)]),
            "fixed_order": np.concatenate([np.ones(len(sel), np.int64),
                                           (sg_role == "import").astype(np.int64)])}


def deactivate(work, masks: dict[str, np.ndarray], st: WorkState) -> None:
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


