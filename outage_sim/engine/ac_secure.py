"""An AC-feasible end state: the DC engine's shed, then AC checks that shed more until it holds.

The DC engine (:mod:`outage_sim.engine.shed`) relieves overloads on active power with a margin
(:data:`~outage_sim.engine.state.DC_RATING_MARGIN`); the reactive part, the voltages and the
losses are only seen by an AC power flow. :func:`ac_secure` runs pandapower's AC power flow on
the end state (:func:`~outage_sim.engine.ac.ac_case`) and, while a branch is above 100% of its
rating or a voltage is outside the emergency band (:data:`~outage_sim.engine.ac.VM_BAND`,
0.90–1.10 pu), sheds more load and runs again:

* an overloaded branch: at the loads whose cut lowers its flow most, by the DC model's PTDF net
  of the island's units taking the change, cheapest relief first (the engine's per-MW cost by
  priority over the MW of branch flow each MW shed removes: lowest priority first among loads
  that help alike), by the AC excess above :data:`LOADING_TARGET_PCT` in MW;
* a voltage below 0.90 pu: :data:`LOW_V_SHARE` of what the loads within
  :data:`NEIGHBOURHOOD_HOPS` branches of the low buses still take, lowest priority first;
* a voltage above 1.10 pu is not cured by shedding: capacitor banks in service near it are
  switched off (recorded), and what remains is flagged.

Units follow the shed as the engine's AGC does (``follow``, the engine's own rule, passed in so
this module does not import the engine that calls it). Buses outside the normal band 0.95–1.05
pu are alerts only (越限告警): listed, never a reason to shed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.sparse import coo_matrix, identity

from outage_sim.engine.ac import NOTHING_TO_CHECK, VM_BAND, _solve, _summary, ac_case
from outage_sim.engine.state import DC_RATING_MARGIN, DCModel

if TYPE_CHECKING:  # pandapower only in annotations: array workers never load it
    import pandapower as pp

METHOD = "dc-shed/ac-check loop"
# Normal operating band (pu): buses outside it are alerts (越限告警), not shed for.
VM_NORMAL_BAND = (0.95, 1.05)
# Overload relief aims this far below the rating: the AC flow does not fall exactly as the DC
# PTDF says (reactive flow, losses, voltages), and a few points of margin keep the loop to one or
# two rounds instead of creeping up on 100%.
LOADING_TARGET_PCT = 97.0
# Share of the served load near buses below 0.90 pu cut per round (a voltage problem has no
# linear sensitivity to aim with; a share per round and a fresh AC check is the dispatcher's way).
LOW_V_SHARE = 0.15
# How far from a low- (or high-) voltage bus the area reaches, in branches.
NEIGHBOURHOOD_HOPS = 2
# A load whose cut moves an overloaded branch's flow by less than this (MW per MW shed) does not
# help that branch enough to be cut for it.
MIN_RELIEF = 0.02
ALERTS_SHOWN = 10
OVERLOAD_CAUSE = "AC check: overload relief (交流校核过载切负荷)"
LOW_V_CAUSE = "AC check: low voltage (交流校核低电压切负荷)"

# follow(st, units_mask, need_mw, cap): the engine's AGC rule (its state type is the engine's own)
Follow = Callable[[Any, np.ndarray, float, np.ndarray], None]


@dataclass
class _Violations:
    """What is outside limits in one converged AC state."""

    over: list[tuple[str, int, float]]  # element, index, loading %
    low: np.ndarray                     # bus indices below the band
    high: np.ndarray                    # bus indices above the band

    @property
    def secure(self) -> bool:
        return not self.over and not len(self.low) and not len(self.high)

    def counts(self) -> dict:
        return {"branches": len(self.over), "low_v_buses": len(self.low),
                "high_v_buses": len(self.high)}


def ac_secure(work: pp.pandapowerNet, model: DCModel, st, *, max_iter: int = 8,
              follow: Follow | None = None) -> dict:
    """Shed until the end state holds in AC: branches within 100%, voltages 0.90–1.10 pu.

    Parameters
    ----------
    work
        The engine's working net (outages applied); it is not modified.
    model
        The DC model of the end state (islands, PTDF, branch positions and ratings).
    st
        The engine's working state; ``served``, ``cause`` and ``unit_p`` are updated in place
        with every MW the loop sheds (never below 0).
    max_iter
        Most shedding rounds; the state is reported insecure if it still fails after them. 0
        checks only (the engine's cascade mode: the first seconds, before a dispatcher acts).
    follow
        ``follow(st, units_mask, need_mw, cap)``: moves an island's units to ``need_mw`` in
        total (the engine's AGC rule). Without it only the AC slack takes the change.

    Returns
    -------
    dict
        :func:`~outage_sim.engine.ac.ac_power_flow`'s summary of the last converged state, plus
        ``method``, ``iterations`` (shedding rounds), ``max_iter``, ``ac_shed_mw``, ``secure``, ``initial``
        (violations the first AC state had), ``shunts_off`` (capacitor banks switched off),
        ``alerts`` (up to :data:`ALERTS_SHOWN` bus names outside the normal band),
        ``alerts_count``, ``vm_band`` and ``vm_normal_band``. ``converged`` False (the DC state
        kept) when no AC state converged; None when no island is energised.
    """
    served_dc = float(st.served.sum())
    shunts_off: list[int] = []
    last = None  # (net, opened, snapshot of the state) of the last converged AC state
    initial: dict | None = None
    rounds, rescued = 0, False
    note = ""
    while True:
        case = ac_case(work, model, st)
        if case is None:
            return dict(NOTHING_TO_CHECK)
        net, opened = case
        net.shunt.loc[shunts_off, "in_service"] = False
        if not _solve(net):
            if last is None or rescued or rounds >= max_iter:
                break
            # shed a little at the lowest voltages of the last state that solved, and try again
            _restore(st, last[2])
            vm = last[0].res_bus.vm_pu
            _shed(last[0], model, st, _Violations([], np.array([vm.idxmin()]), np.array([])), follow)
            rounds, rescued = rounds + 1, True
            continue
        last = (net, opened, _snapshot(st))
        viol = _violations(net)
        initial = initial or viol.counts()
        if viol.secure or rounds >= max_iter:
            break
        switched = _capacitors_off(net, model, viol.high, shunts_off)
        if _shed(net, model, st, viol, follow) <= 1e-6 and not switched:
            break  # nothing left that shedding here could do
        rounds += 1
    if last is None:
        return {"converged": False, "method": METHOD, "iterations": 0, "ac_shed_mw": 0.0,
                "secure": False}
    if not np.array_equal(st.served, last[2][0]):
        _restore(st, last[2])
        note = "AC power flow did not converge after more shedding; the last state that did is kept"
    return {**_report(last[0], last[1], st, served_dc, rounds, initial or {}, shunts_off, note),
            "max_iter": max_iter}


def _report(net: pp.pandapowerNet, opened: list[str], st, served_dc: float, rounds: int,
            initial: dict, shunts_off: list[int], note: str) -> dict:
    """The summary of the final AC state with the loop's figures."""
    viol = _violations(net)
    vm = net.res_bus.vm_pu
    lo, hi = VM_NORMAL_BAND
    alerts = [str(net.bus.at[b, "name"]) for b in vm[(vm < lo) | (vm > hi)].sort_values().index]
    out = {**_summary(net), "open_ends": opened, "method": METHOD, "iterations": rounds,
           "ac_shed_mw": round(max(served_dc - float(st.served.sum()), 0.0), 3),
           "secure": viol.secure, "initial": initial,
           "shunts_off": [str(net.shunt.at[i, "name"]) for i in shunts_off],
           "alerts": alerts[:ALERTS_SHOWN], "alerts_count": len(alerts),
           "vm_band": list(VM_BAND), "vm_normal_band": list(VM_NORMAL_BAND)}
    if note:
        out["note"] = note
    return out


def _snapshot(st) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return st.served.copy(), st.unit_p.copy(), st.cause.copy()


def _restore(st, snap: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    st.served[:], st.unit_p[:], st.cause[:] = (a.copy() for a in snap)


def _violations(net: pp.pandapowerNet) -> _Violations:
    """Branches above 100% and buses outside the emergency band in a converged AC state."""
    over = []
    for el in ("line", "trafo"):
        loading = net[f"res_{el}"].loading_percent.fillna(0.0)
        over += [(el, int(i), float(v)) for i, v in loading[loading > 100.0].items()]
    vm = net.res_bus.vm_pu.dropna()
    low, high = VM_BAND
    return _Violations(sorted(over, key=lambda o: -o[2]), vm.index[vm < low].to_numpy(),
                       vm.index[vm > high].to_numpy())


def _shed(net: pp.pandapowerNet, model: DCModel, st, viol: _Violations,
          follow: Follow | None) -> float:
    """One round of shedding for ``viol``; returns the MW shed. Units follow per island."""
    avail = st.served.copy()
    cut_over = _overload_cuts(net, model, st, viol.over, avail)
    cut_low = _area_cuts(model, st, viol.low, avail - cut_over) if len(viol.low) else 0.0 * avail
    cut = np.minimum(cut_over + cut_low, avail)
    if cut.sum() <= 1e-9:
        return 0.0
    st.served[:] = np.clip(st.served - cut, 0.0, None)
    fresh = st.cause == ""
    st.cause[fresh & (cut_over > 1e-9)] = OVERLOAD_CAUSE
    st.cause[fresh & (cut_over <= 1e-9) & (cut_low > 1e-9)] = LOW_V_CAUSE
    if follow is not None:
        load_isl = model.island[st.load_bus]
        for k in np.unique(load_isl[cut > 0]):
            un = st.unit_on & (model.island[st.unit_bus] == k)
            follow(st, un, float(st.unit_p[un].sum() - cut[load_isl == k].sum()), st.unit_pmax)
    return float(cut.sum())


def _overload_cuts(net: pp.pandapowerNet, model: DCModel, st,
                   over: list[tuple[str, int, float]], avail: np.ndarray) -> np.ndarray:
    """MW to cut per load so every overloaded branch comes down to the target loading."""
    cut = np.zeros_like(avail)
    if not over:
        return cut
    pos = {(str(e), int(i)): k for k, (e, i) in enumerate(zip(model.br_element, model.br_index))}
    ptdf = model.ptdf()
    load_isl = model.island[st.load_bus]
    for el, idx, loading in over:
        k = pos.get((el, idx))
        if k is None:
            continue
        res = net[f"res_{el}"]
        p, q = (float(res.at[idx, c]) for c in (("p_from_mw", "q_from_mvar") if el == "line"
                                                  else ("p_hv_mw", "q_hv_mvar")))
        pf = abs(p) / np.hypot(p, q) if np.hypot(p, q) > 0 else 1.0
        rating_mva = float(model.br_rating_mw[k]) / DC_RATING_MARGIN
        excess_mw = (loading - LOADING_TARGET_PCT) / 100.0 * rating_mva * pf
        isl = model.island[model.br_from[k]]
        relief = -np.sign(p) * _net_sensitivity(ptdf[k], model, st, isl)
        relief = np.where((load_isl == isl) & (relief >= MIN_RELIEF), relief, 0.0)
        left = excess_mw - float(relief @ cut)
        if left > 0:
            room = np.where(relief > 0, avail - cut, 0.0)
            merit = np.divide(st.shed_cost, relief, out=np.full_like(relief, np.inf), where=relief > 0)
            cut += cut_by_merit(room, merit, relief, left)
    return cut


def _net_sensitivity(row: np.ndarray, model: DCModel, st, isl: int) -> np.ndarray:
    """Per load, the branch's flow change per MW cut there, the island's units taking the MW
    back in proportion to their room down (as the engine's AGC moves them)."""
    un = np.flatnonzero(st.unit_on & (model.island[st.unit_bus] == isl))
    if len(un):
        room = np.clip(st.unit_p[un] - st.unit_pmin[un], 0.0, None)
        w = room if room.sum() > 1e-9 else st.unit_pmax[un]
        back = float(row[st.unit_bus[un]] @ (w / w.sum())) if w.sum() > 0 else 0.0
    else:
        back = 0.0
    return row[st.load_bus] - back


def _area_cuts(model: DCModel, st, buses: np.ndarray, avail: np.ndarray) -> np.ndarray:
    """MW to cut per load near ``buses`` (a share of what they take, lowest priority first)."""
    near = _near(model, buses)
    room = np.where(near[st.load_bus], np.clip(avail, 0.0, None), 0.0)
    return cut_by_merit(room, st.shed_cost, np.ones_like(room), LOW_V_SHARE * float(room.sum()))


def _near(model: DCModel, buses: np.ndarray) -> np.ndarray:
    """Per bus position, whether it lies within :data:`NEIGHBOURHOOD_HOPS` branches of ``buses``
    (pandapower indices) in the end state's in-service branch graph."""
    n = model.n_bus
    adj = coo_matrix((np.ones(len(model.br_from)), (model.br_from, model.br_to)), shape=(n, n))
    step = (adj + adj.T + identity(n)).tocsr()
    reach = np.zeros(n)
    reach[[model.bus_pos[int(b)] for b in buses]] = 1.0
    for _ in range(NEIGHBOURHOOD_HOPS):
        reach = step @ reach
    return reach > 0


def cut_by_merit(room: np.ndarray, merit: np.ndarray, gain: np.ndarray, amount: float) -> np.ndarray:
    """MW to cut per load to gain ``amount``: loads in order of ``merit`` (lowest first), each
    gaining ``gain`` per MW cut, cut in full up to ``room``; loads of the marginal merit cut by
    the same share (rotating outages, as :func:`~outage_sim.engine.shed.shed_by_priority`)."""
    cut = np.zeros_like(room)
    left = float(amount)
    for m in np.unique(merit[(room > 0) & np.isfinite(merit)]):
        if left <= 1e-9:
            break
        sel = (merit == m) & (room > 0)
        total = float(gain[sel] @ room[sel])
        share = 1.0 if total <= left else left / total
        cut[sel] = share * room[sel]
        left -= share * total
    return cut


def _capacitors_off(net: pp.pandapowerNet, model: DCModel, high: np.ndarray,
                    shunts_off: list[int]) -> bool:
    """Switch off the capacitor banks in service near buses above the band (recorded in
    ``shunts_off``); True when any was switched."""
    if not len(high) or not len(net.shunt):
        return False
    near = _near(model, high)
    sh = net.shunt
    cap = sh.in_service.astype(bool) & (sh.q_mvar * sh.step < 0)
    picked = [int(i) for i in sh.index[cap]
              if int(i) not in shunts_off and near[model.bus_pos[int(sh.at[i, "bus"])]]]
    shunts_off += picked
    return bool(picked)
