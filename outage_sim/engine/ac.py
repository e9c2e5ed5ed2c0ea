"""The AC check of the load-shed engine: pandapower's AC power flow on the engine's end state.

The DC engine (:mod:`outage_sim.engine.shed`) decides what is served and dispatched; this module
puts that state on a copy of the net, gives every energised island one slack, runs the AC power
flow and reports loadings and voltages. :func:`ac_verdict` turns the report into the result's
``state`` and the flags a reader sees.

``st`` below is the engine's working state (:class:`~outage_sim.engine.balance.WorkState`): only its
arrays are read, so this module does not import the engine that calls it.
"""

from __future__ import annotations

import copy
import warnings
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from outage_sim.engine.state import DCModel

if TYPE_CHECKING:  # loaded where the AC power flow runs (_solve): array workers never need it
    import pandapower as pp

# Emergency voltage band (pu) outside which the end state is flagged.
VM_BAND = (0.90, 1.10)
# What pandapower (or lightsim2grid) raises when it cannot take a case at all, as opposed to a
# Newton iteration that does not converge.
_SOLVER_DECLINED = (UserWarning, ValueError, IndexError, np.linalg.LinAlgError, NotImplementedError)


def ac_power_flow(work: pp.pandapowerNet, model: DCModel, st) -> dict:
    """Run the AC power flow on the engine's end state and summarise it.

    Parameters
    ----------
    work
        The engine's working net (outages applied); it is not modified.
    model
        The DC model of the end state (islands, bus positions).
    st
        The engine's working state: served load, unit and infeed dispatch, on/off.

    Returns
    -------
    dict
        ``{"converged": None, "note": ...}`` when no island is energised, ``{"converged":
        False}`` when the power flow fails, else ``converged`` True with the largest line and
        transformer loadings, the voltage range, the overloaded branches, the solver and the
        slack units' output.
    """
    case = ac_case(work, model, st)
    if case is None:
        return dict(NOTHING_TO_CHECK)
    ac, opened = case
    if not _solve(ac):
        return {"converged": False}
    return {**_summary(ac), "open_ends": opened}


NOTHING_TO_CHECK = {"converged": None, "note": "no energised island: nothing to check"}


def ac_case(work: pp.pandapowerNet, model: DCModel, st) -> tuple[pp.pandapowerNet, list[str]] | None:
    """The end state as an AC case: a copy of ``work`` with the engine's dispatch, its open line
    ends switched off (:func:`open_dangling_ends`) and one slack per energised island; and the
    names of the buses switched off. None when no island is energised."""
    ac = _end_state_net(work, st)
    opened = open_dangling_ends(ac)
    ext_islands = _ext_grid_islands(ac, model)
    slacks = _slack_gens(model, st, ext_islands)
    if not slacks and not ext_islands:
        return None
    for idx in slacks:
        ac.gen.at[idx, "slack"] = True
    return ac, opened


def open_dangling_ends(net: pp.pandapowerNet) -> list[str]:
    """Switch off, in place, every bus left hanging at the end of a line; return their names.

    A bus with no in-service load, gen, sgen or external grid that is reached through lines
    from one neighbour only (a leaf of the in-service branch graph, parallel circuits counting
    once) is the far end of a line whose other end has nothing to feed: the far-end bus of a
    tripped intertie, say. Its breakers open both ends, so the bus and its lines go out of
    service (both: pandapower would keep a line to an out-of-service bus charged from its other
    end); repeated, so a chain of such buses goes too. Left energised, the line's charging
    alone would lift the near end's voltage (1.15 pu at 铜梁 with the 1000 kV tie to 天府南
    open at the Sichuan end, valley load). A leaf reached through a transformer is left alone.
    """
    on = net.bus.in_service.copy()
    fed = set()
    for table in ("load", "gen", "sgen", "ext_grid"):
        t = net[table]
        fed |= set(t.bus[t.in_service.astype(bool)].astype(int))
    opened: list[str] = []
    while True:
        ends = _line_leaves(net, on, fed)
        if not ends:
            return opened
        on[list(ends)] = False
        opened += [str(net.bus.at[b, "name"]) for b in sorted(ends)]
        net.bus.loc[list(ends), "in_service"] = False
        # pandapower keeps a line to an out-of-service bus energised from its other end
        touch = net.line.from_bus.isin(ends) | net.line.to_bus.isin(ends)
        net.line.loc[touch, "in_service"] = False


def _line_leaves(net: pp.pandapowerNet, on: pd.Series, fed: set[int]) -> set[int]:
    """Unfed in-service buses whose in-service branches all lead to one neighbour by line."""
    ends = [("line", net.line, "from_bus", "to_bus"), ("trafo", net.trafo, "hv_bus", "lv_bus")]
    neighbours: dict[int, set[int]] = {}
    by_trafo: set[int] = set()
    for kind, t, a, b in ends:
        live = t[t.in_service.astype(bool) & on.reindex(t[a]).to_numpy(bool)
                 & on.reindex(t[b]).to_numpy(bool)]
        for x, y in zip(live[a].astype(int), live[b].astype(int)):
            neighbours.setdefault(x, set()).add(y)
            neighbours.setdefault(y, set()).add(x)
            if kind == "trafo":
                by_trafo |= {x, y}
    return {b for b, nb in neighbours.items()
            if len(nb) == 1 and b not in fed and b not in by_trafo}


def ac_verdict(ac: dict) -> tuple[str, list[str]]:
    """The result's ``state`` (``"ac"``, ``"dc"`` or ``"none"``) and the AC check's flags."""
    if ac["converged"] is None:
        return "none", []
    if not ac["converged"]:
        return "dc", ["AC power flow did not converge; results are from the DC state"]
    flags = _loop_flags(ac) if "secure" in ac else []
    if not ac.get("secure", False):
        flags += _limit_flags(ac)
    if ac.get("alerts_count"):
        lo, hi = ac["vm_normal_band"]
        more = ", ..." if ac["alerts_count"] > len(ac["alerts"]) else ""
        flags.append(f"AC alerts: {ac['alerts_count']} bus(es) outside {lo:.2f}–{hi:.2f} pu "
                     f"(越限告警): {', '.join(ac['alerts'])}{more}")
    return "ac", flags


def _limit_flags(ac: dict) -> list[str]:
    """What is outside limits in an AC state: branches above 100%, voltages outside the band."""
    flags = []
    if ac["overloaded"]:
        worst = max(ac["max_line_loading_pct"], ac["max_trafo_loading_pct"] or 0)
        flags.append(f"AC check: {len(ac['overloaded'])} branch(es) above 100% (worst {worst:.0f}%)")
    low, high = VM_BAND
    if ac["vm_pu_min"] < low or ac["vm_pu_max"] > high:
        flags.append(f"AC check: voltages {ac['vm_pu_min']:.3f}–{ac['vm_pu_max']:.3f} pu "
                     f"outside the {low:.2f}–{high:.2f} pu emergency band")
    return flags


def _loop_flags(ac: dict) -> list[str]:
    """What the shed/check loop (:func:`~outage_sim.engine.ac_secure.ac_secure`) did."""
    k, mw = ac["iterations"], ac["ac_shed_mw"]
    first = ac.get("initial") or {}
    found = (f"{first.get('branches', 0)} branch(es)/"
             f"{first.get('low_v_buses', 0) + first.get('high_v_buses', 0)} voltage(s) outside limits")
    flags = []
    if not ac["secure"] and ac.get("max_iter", 1) > 0:  # with no rounds allowed, only checked
        flags.append(f"AC check: still insecure after {k} iteration(s), {mw:.1f} MW shed; {found} "
                     f"at first (交流校核未消除越限)")
    elif mw > 0:
        flags.append(f"AC check: {found} relieved by shedding {mw:.1f} MW in {k} iteration(s) "
                     f"(交流校核)")
    if ac.get("shunts_off"):
        flags.append(f"AC check: {len(ac['shunts_off'])} capacitor bank(s) switched off for high "
                     f"voltage (切除电容器): {', '.join(ac['shunts_off'])}")
    if ac.get("note"):
        flags.append(f"AC check: {ac['note']} (交流校核)")
    return flags


def _end_state_net(work: pp.pandapowerNet, st) -> pp.pandapowerNet:
    """A copy of ``work`` carrying the served load and the dispatch, with no slack yet."""
    ac = copy.deepcopy(work)
    frac = np.divide(st.served, st.demand, out=np.zeros_like(st.served), where=st.demand > 0)
    ac.load["p_mw"] = st.served / ac.load.scaling.replace(0, 1).to_numpy(float)
    # a load cut by a share keeps its power factor
    ac.load["q_mvar"] = ac.load.q_mvar.to_numpy(float) * frac
    ac.gen["slack"] = False
    for u, (table, idx) in enumerate(st.unit_ref):
        if table == "gen":
            ac.gen.at[idx, "p_mw"] = st.unit_p[u]
            ac.gen.at[idx, "in_service"] = bool(st.unit_on[u])
    for j, (table, idx) in enumerate(st.fixed_ref):
        scaling = ac[table].at[idx, "scaling"] if table == "sgen" else 1.0
        ac[table].at[idx, "p_mw"] = st.fixed_p[j] / scaling
        ac[table].at[idx, "in_service"] = bool(st.fixed_on[j])
    return ac


def _ext_grid_islands(ac: pp.pandapowerNet, model: DCModel) -> set[int]:
    """Islands holding an in-service external grid (it is their slack already)."""
    return {int(model.island[model.bus_pos[b]])
            for b, on in zip(ac.ext_grid.bus, ac.ext_grid.in_service) if on}


def _slack_gens(model: DCModel, st, ext_islands: set[int]) -> list[int]:
    """``gen`` indices to make slack: one per energised island without an external grid.

    The largest unit in service (by rating) holds an island's angle and balance; an island with
    no unit but grid-forming interties takes the first of them as listed.
    """
    best: dict[int, tuple[float, int]] = {}
    for u, (table, idx) in enumerate(st.unit_ref):
        if table == "gen" and st.unit_on[u]:
            k = int(model.island[st.unit_bus[u]])
            if k not in best or st.unit_pmax[u] > best[k][0]:
                best[k] = (st.unit_pmax[u], idx)
    for j, (table, idx) in enumerate(st.fixed_ref):
        if table == "gen" and st.fixed_on[j] and st.fixed_sync[j]:
            k = int(model.island[st.fixed_bus[j]])
            if k not in best and k not in ext_islands:
                best[k] = (st.fixed_p[j], idx)
    return [idx for k, (_, idx) in best.items() if k not in ext_islands]


def _solve(ac: pp.pandapowerNet) -> bool:
    """Run the AC power flow in place, the units within their reactive limits (``min_q_mvar``,
    ``max_q_mvar``; none where the net gives none); True when it converged."""
    import pandapower as pp

    # lightsim2grid's solver when installed (faster), pandapower's own when it declines the case
    for ls2g in ("auto", False):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pp.runpp(ac, init="dc", max_iteration=40, numba=False,
                         calculate_voltage_angles=True, lightsim2grid=ls2g, enforce_q_lims=True)
            return bool(ac.converged)
        except pp.LoadflowNotConverged:
            return False
        except _SOLVER_DECLINED:
            continue
    return False


def _summary(ac: pp.pandapowerNet) -> dict:
    """Loadings, voltages and slack output of a converged AC power flow."""
    solver = "lightsim2grid" if ac.get("_options", {}).get("lightsim2grid") else "pandapower"
    rl = ac.res_line.loading_percent.fillna(0.0)
    rt = ac.res_trafo.loading_percent.fillna(0.0)
    over = list(ac.line.name[rl > 100.0].astype(str)) + list(ac.trafo.name[rt > 100.0].astype(str))
    vm = ac.res_bus.vm_pu.dropna()
    return {"converged": True,
            "max_line_loading_pct": round(float(rl.max()), 2) if len(rl) else 0.0,
            "max_trafo_loading_pct": round(float(rt.max()), 2) if len(rt) else None,
            "vm_pu_min": round(float(vm.min()), 4), "vm_pu_max": round(float(vm.max()), 4),
            "overloaded": over, "solver": solver,
            "slack_mw": round(float(ac.res_gen.p_mw[ac.gen.slack].sum()), 2)}
