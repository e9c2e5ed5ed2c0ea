"""The batch engine's work on one chunk of scenarios: islands, balance, flows, relief.

Every function takes the compiled net (:class:`~outage_sim.engine.batch_model.BatchModel`) and
the working arrays of a chunk (:class:`_Chunk`, made by :func:`new_chunk`); see
:mod:`outage_sim.engine.batch` for the method and how it differs from the single engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from outage_sim.engine.batch_model import BatchModel, OutageMatrix
from outage_sim.engine.frequency import island_dynamics, load_frequency_data, simulate_frequency
from outage_sim.engine.lp import DispatchProblem, optimal_dispatch
from outage_sim.engine.sparse import OutagePTDF, solve_stacked
from outage_sim.grid import RAISING_CONTROLS

MAX_ROUNDS = 50


@dataclass
class _Chunk:
    """Working arrays of one chunk of scenarios."""

    br_out: np.ndarray
    bus_on: np.ndarray
    served: np.ndarray
    unit_on: np.ndarray
    fixed_on: np.ndarray
    unit_p: np.ndarray
    fixed_p: np.ndarray
    isl_load: np.ndarray = None
    isl_unit: np.ndarray = None
    isl_fixed: np.ndarray = None
    isl_bus: np.ndarray = None
    n_isl: int = 0


def new_chunk(bm: BatchModel, om: OutageMatrix) -> _Chunk:
    """The working arrays of a chunk right after its outages, before anything is balanced."""
    S = om.n
    bus_on = ~om.bus
    c = _Chunk(br_out=om.branch.copy(), bus_on=bus_on,
               served=np.where(bus_on[:, bm.load_bus], bm.served0[None, :], 0.0),
               unit_on=bm.unit_on0[None, :] & ~om.unit & bus_on[:, bm.unit_bus],
               fixed_on=bm.fixed_on0[None, :] & ~om.fixed & bus_on[:, bm.fixed_bus],
               unit_p=np.repeat(bm.unit_p0[None, :], S, axis=0),
               fixed_p=np.repeat(bm.fixed_p0[None, :], S, axis=0))
    c.br_out |= ~(bus_on[:, bm.br_from] & bus_on[:, bm.br_to])
    islands(bm, c)
    return c


def _run_chunk(bm: BatchModel, om: OutageMatrix):
    """Served MW per load, uncertain and tripped flags, for one chunk in dispatch mode (cascade
    mode: :mod:`outage_sim.engine.chunk_cascade`).

    Scenarios that lose only branches keep the pre-event injections unless their outages split
    an island (a bridge, or a singular compensation system: a cut): their flows are the base
    flows plus compensation, and unless that overloads a branch they lose nothing. Only the
    others (splits, lost buses or sources, overloads) go through the full path.
    """
    S = om.n
    served = np.repeat(bm.served_base[None, :], S, axis=0)
    uncertain = np.zeros(S, bool)
    tripped = np.zeros(S, np.int32)
    settled = np.zeros(S, bool)
    rows = np.flatnonzero(~om.bus.any(axis=1) & ~om.unit.any(axis=1) & ~om.fixed.any(axis=1))
    if len(rows):
        out = om.branch[rows]
        f, split = compensate(bm, np.repeat(bm.f_base[None, :], len(rows), axis=0), out)
        split |= (out & bm.bridge[None, :]).any(axis=1)
        over = (np.abs(f) > bm.br_rating[None, :] + 1e-6).any(axis=1)
        settled[rows[~split & ~over]] = True
    full = np.flatnonzero(~settled)
    if len(full):
        served[full], uncertain[full], tripped[full] = _run_full(bm, om.take(full))
    return served, uncertain, tripped


def _run_full(bm: BatchModel, om: OutageMatrix):
    S = om.n
    c = new_chunk(bm, om)
    before = c.served.copy()
    _balance(bm, c, False)
    flows = _flows(bm, c)
    uncertain = np.zeros(S, bool)
    tripped = np.zeros(S, np.int32)
    over = ((np.abs(flows) > bm.br_rating[None, :] + 1e-6) & ~c.br_out).any(axis=1)
    if over.any():
        rows = np.flatnonzero(over)
        rule_shed = np.clip(before[rows] - c.served[rows], 0.0, None)
        rule_shed *= _energised(bm, c)[c.isl_load[rows]]
        for r, s in enumerate(rows):
            uncertain[s] = not _optimal_relief(bm, c, int(s), rule_shed[r], flows[s])
    return c.served, uncertain, tripped


def islands(bm: BatchModel, c: _Chunk) -> None:
    """Label the islands of every scenario of the chunk with one connected-components call."""
    S, n = c.bus_on.shape
    # A scenario that loses at most one branch, not a bridge, and no bus keeps the islands of
    # the base grid (one, for a connected grid): no graph needed. The rest share one
    # connected-components call.
    k = c.br_out.sum(axis=1)
    intact = c.bus_on.all(axis=1) & (k <= 1) & ~(c.br_out & bm.bridge[None, :]).any(axis=1)
    base = bm.base_island if bm.base_island is not None else np.zeros(n, np.int64)
    n_base = int(base.max()) + 1 if n else 1
    labels = np.arange(S)[:, None] * n_base + base[None, :]
    rest = np.flatnonzero(~intact)
    n_comp = S * n_base
    if len(rest):
        # the block-diagonal graph built straight in CSR form: branches sorted by from-bus once,
        # so every scenario's rows come out in order without sorting the chunk
        R = len(rest)
        order = np.argsort(bm.br_from, kind="stable")
        keep = ~c.br_out[rest][:, order]
        offset = (np.arange(R) * n)[:, None]
        rows = (offset + bm.br_from[order][None, :])[keep]
        cols = (offset + bm.br_to[order][None, :])[keep]
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=R * n))])
        graph = csr_matrix((np.ones(len(cols), np.int8), cols, indptr), shape=(R * n, R * n))
        n_rest, sub = connected_components(graph, directed=False)
        labels[rest] = n_comp + sub.reshape(R, n)
        n_comp += n_rest
    labels = np.where(c.bus_on, labels, n_comp)  # dead buses: one extra "island" that never lives
    c.isl_bus = labels
    c.n_isl = n_comp + 1
    c.isl_load = labels[:, bm.load_bus]
    c.isl_unit = labels[:, bm.unit_bus]
    c.isl_fixed = labels[:, bm.fixed_bus]


def _sum(index: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    # float even when there is nothing to add up (bincount gives ints for empty input)
    return np.bincount(index.ravel(), weights=weights.ravel(), minlength=n).astype(float, copy=False)


def _balance(bm: BatchModel, c: _Chunk, fast: bool) -> None:
    """The single engine's island balance, for every island of every scenario at once."""
    n_isl, P = c.n_isl, len(bm.priorities)
    cap = bm.unit_fast if fast else bm.unit_pmax
    fixed_cap = np.maximum((bm.fixed_fast if fast else bm.fixed_pmax)[None, :], c.fixed_p)
    sync = _energised(bm, c)
    # black islands lose everything, their infeeds included
    black_load = ~sync[c.isl_load]
    c.served[black_load] = 0.0
    c.fixed_on &= sync[c.isl_fixed]
    demand = _sum(c.isl_load, c.served, n_isl)
    supply = (_sum(c.isl_unit, np.where(c.unit_on, cap[None, :], 0.0), n_isl)
              + _sum(c.isl_fixed, np.where(c.fixed_on, fixed_cap, 0.0), n_isl))
    cut = np.where(demand * (1.0 + bm.loss) > supply + 1e-6, demand - supply / (1.0 + bm.loss), 0.0)
    if fast:
        sel, res = _frequency(bm, c, demand)
        collapse = np.zeros(n_isl, bool)
        collapse[sel[~res.survived]] = True
        if collapse.any():
            c.served[collapse[c.isl_load]] = 0.0
            c.unit_on &= ~collapse[c.isl_unit]
            c.fixed_on &= ~collapse[c.isl_fixed]
        cut[sel] = np.maximum(cut[sel], res.ufls_share * demand[sel])
        cut[collapse] = 0.0
    short = (cut > 0) & sync
    if short.any():
        key = c.isl_load * P + bm.priority[None, :]
        by = _sum(key, c.served, n_isl * P).reshape(n_isl, P)
        before = np.cumsum(by, axis=1) - by
        need = np.where(short, cut, 0.0)[:, None]
        share = np.divide(need - before, by, out=np.zeros_like(by), where=by > 0)
        share = np.clip(share, 0.0, 1.0)
        c.served *= 1.0 - share.ravel()[key]
    _follow(bm, c, cap, fixed_cap)


def _frequency(bm: BatchModel, c: _Chunk, demand: np.ndarray):
    """The single engine's first seconds (:func:`outage_sim.engine.balance.island_frequency`) for
    every island of the chunk with a sudden deficit: the islands simulated and their response."""
    gen = (_sum(c.isl_unit, np.where(c.unit_on, c.unit_p, 0.0), c.n_isl)
           + _sum(c.isl_fixed, np.where(c.fixed_on, c.fixed_p, 0.0), c.n_isl))
    deficit = demand * (1.0 + bm.loss) - gen
    is_ext = bm.unit_type == "ext_grid"
    stiff = _sum(c.isl_unit, (c.unit_on & is_ext[None, :]).astype(float), c.n_isl) > 0
    sync = _energised(bm, c)
    sel = np.flatnonzero((deficit > 1e-6) & (demand > 0) & sync & ~stiff)
    data = load_frequency_data()
    raising = c.fixed_on & np.isin(bm.fixed_control, RAISING_CONTROLS)[None, :]
    ext_limit = _sum(c.isl_fixed, np.where(raising, np.clip(bm.fixed_fast[None, :] - c.fixed_p, 0.0,
                                                               None), 0.0), c.n_isl)[sel]
    area = (_sum(c.isl_fixed, (c.fixed_on & (bm.fixed_control == "synchronous")[None, :])
                 .astype(float), c.n_isl) > 0)[sel]
    pos = np.full(c.n_isl, -1)
    pos[sel] = np.arange(len(sel))
    units = c.unit_on & ~is_ext[None, :]
    S = c.unit_on.shape[0]
    dyn = island_dynamics(np.broadcast_to(bm.unit_type, (S, len(is_ext)))[units],
                          np.broadcast_to(bm.unit_pmax, (S, len(is_ext)))[units], c.unit_p[units],
                          np.ones(int(units.sum()), bool), pos[c.isl_unit[units]],
                          demand[sel], deficit[sel], data,
                          ext_gain=np.where(ext_limit > 0, data.area_gain_mw_per_hz, 0.0),
                          ext_limit=ext_limit,
                          ext_inertia=np.where(area, data.area_inertia_mws, 0.0))
    return sel, simulate_frequency(dyn, data)


def _follow(bm: BatchModel, c: _Chunk, cap: np.ndarray, fixed_cap: np.ndarray) -> None:
    """Units of each island follow its served load in proportion to their headroom (AGC); what
    they cannot give the healthy interties give up to ``fixed_cap`` (emergency support), and a
    surplus they cannot absorb curtails the island's infeeds in proportion."""
    n_isl = c.n_isl
    served = _sum(c.isl_load, c.served, n_isl)
    fixed = _sum(c.isl_fixed, np.where(c.fixed_on, c.fixed_p, 0.0), n_isl)
    p = np.where(c.unit_on, c.unit_p, 0.0)
    need = served * (1.0 + bm.loss) - fixed
    delta = need - _sum(c.isl_unit, p, n_isl)
    up = np.where(c.unit_on, np.clip(cap[None, :] - p, 0.0, None), 0.0)
    down = np.where(c.unit_on, np.clip(p - bm.unit_pmin[None, :], 0.0, None), 0.0)
    d_u = delta[c.isl_unit]
    room = np.where(d_u > 0, up, down)
    room_sum = _sum(c.isl_unit, room, n_isl)[c.isl_unit]
    move = np.divide(d_u * room, room_sum, out=np.zeros_like(room), where=room_sum > 1e-9)
    move = np.clip(move, -down, up)
    c.unit_p = np.where(c.unit_on, p + move, 0.0)
    left = need - _sum(c.isl_unit, c.unit_p, n_isl)
    excess = np.clip(-left, 0.0, None)
    scale = np.divide(np.maximum(fixed - excess, 0.0), fixed, out=np.ones_like(fixed), where=fixed > 0)
    c.fixed_p = np.where(c.fixed_on, c.fixed_p * scale[c.isl_fixed], 0.0)
    room = np.where(c.fixed_on, np.clip(fixed_cap - c.fixed_p, 0.0, None), 0.0)
    room_sum = _sum(c.isl_fixed, room, n_isl)
    take = np.divide(np.clip(left, 0.0, None), room_sum, out=np.zeros(n_isl), where=room_sum > 1e-9)
    c.fixed_p = c.fixed_p + room * np.minimum(take, 1.0)[c.isl_fixed]


def _injections(bm: BatchModel, c: _Chunk) -> np.ndarray:
    S = c.served.shape[0]
    n = bm.n_bus
    off = (np.arange(S) * n)[:, None]
    p = np.zeros(S * n)
    np.add.at(p, (off + bm.unit_bus[None, :]).ravel(), np.where(c.unit_on, c.unit_p, 0.0).ravel())
    np.add.at(p, (off + bm.fixed_bus[None, :]).ravel(), np.where(c.fixed_on, c.fixed_p, 0.0).ravel())
    np.add.at(p, (off + bm.load_bus[None, :]).ravel(), -(c.served * (1.0 + bm.loss)).ravel())
    p = p.reshape(S, n)
    # each island's small imbalance (losses) goes to its units by rating, as the AC slack would
    mism = _sum(c.isl_bus, p, c.n_isl)
    w = np.where(c.unit_on, bm.unit_pmax[None, :], 0.0)
    wsum = _sum(c.isl_unit, w, c.n_isl)
    share = np.divide(w, wsum[c.isl_unit], out=np.zeros_like(w), where=wsum[c.isl_unit] > 0)
    np.add.at(p.reshape(-1), (off + bm.unit_bus[None, :]).ravel(), (-mism[c.isl_unit] * share).ravel())
    return p


def _flows(bm: BatchModel, c: _Chunk) -> np.ndarray:
    """DC flows after each scenario's outages: the injections' flows (one multi-right-hand-side
    solve, or the kept PTDF) and compensation for the outaged branches."""
    return compensate(bm, bm.dc.flows(_injections(bm, c)), c.br_out)[0]


def compensate(bm: BatchModel, f0: np.ndarray, br_out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flows after the outages ``br_out`` (S, branches) from the flows ``f0`` with every branch
    in: ``f = f0 + M[:, K] Δ`` with ``(I − M[K, K]) Δ = f0[K]``, scenarios grouped by their
    outage count k (one stacked solve per group, closed form for k = 1). Also returns which
    scenarios' systems are singular: their outages split an island (consistent, because each
    island is balanced, and solved by regularised least squares)."""
    S = len(f0)
    f = f0.copy()
    singular = np.zeros(S, bool)
    counts = br_out.sum(axis=1)
    k_idx = np.nonzero(br_out)[1]
    starts = np.cumsum(counts) - counts
    for k in np.unique(counts[counts > 0]):
        rows = np.flatnonzero(counts == k)
        K = k_idx[starts[rows][:, None] + np.arange(k)[None, :]]
        uniq, pos = np.unique(K, return_inverse=True)
        pos = pos.reshape(K.shape)
        mcols = bm.dc.transfer_cols(uniq)                        # M[:, uniq]
        a = np.eye(k)[None] - mcols[K[:, :, None], pos[:, None, :]]
        delta, singular[rows] = solve_stacked(a, np.take_along_axis(f0[rows], K, axis=1))
        for j in range(k):
            f[rows] += mcols[:, pos[:, j]].T * delta[:, j:j + 1]
    f[br_out] = 0.0
    return f, singular


def _energised(bm: BatchModel, c: _Chunk) -> np.ndarray:
    """Per island of the chunk: holds a synchronous source in service."""
    sync = (_sum(c.isl_unit, c.unit_on.astype(float), c.n_isl)
            + _sum(c.isl_fixed, (c.fixed_on & bm.fixed_sync[None, :]).astype(float), c.n_isl)) > 0
    sync[-1] = False
    return sync


def outage_ptdf(bm: BatchModel, out: np.ndarray) -> OutagePTDF:
    """The PTDF after the branches ``out`` are lost (compensation; their rows 0), the columns
    of the buses with loads and sources computed at once. Exact for injections balanced in each
    island the outage leaves."""
    return OutagePTDF.of(bm.dc, out, np.concatenate([bm.load_bus, bm.unit_bus, bm.fixed_bus]))


def _optimal_relief(bm: BatchModel, c: _Chunk, s: int, rule_shed: np.ndarray,
                    flows: np.ndarray) -> bool:
    """Scenario ``s``: balance and relief as one LP (:mod:`outage_sim.engine.lp`, the single
    engine's), from the rule's state with ``rule_shed`` put back. False when it fails (the
    rule's state is kept and the scenario flagged uncertain)."""
    out = np.flatnonzero(c.br_out[s])
    ptdf = outage_ptdf(bm, out)
    _, island = np.unique(c.isl_bus[s], return_inverse=True)
    w = 1.0 + bm.loss
    balance = np.bincount(island[bm.load_bus], weights=w * rule_shed, minlength=island.max() + 1)
    prob = DispatchProblem(
        ptdf=ptdf,  # columns on demand: all the LP reads
        island=island, rating=bm.br_rating, active=~c.br_out[s],
        flows=flows - ptdf[:, bm.load_bus] @ (w * rule_shed), balance=balance,
        served=c.served[s] + rule_shed, load_bus=bm.load_bus, priority=bm.priority,
        cost=bm.shed_cost, unit_bus=bm.unit_bus, unit_p=np.where(c.unit_on[s], c.unit_p[s], 0.0),
        unit_lo=bm.unit_pmin, unit_hi=bm.unit_pmax, unit_on=c.unit_on[s], fixed_bus=bm.fixed_bus,
        fixed_p=np.where(c.fixed_on[s], c.fixed_p[s], 0.0),
        fixed_hi=np.maximum(bm.fixed_pmax, c.fixed_p[s]), fixed_on=c.fixed_on[s], loss=bm.loss)
    sol = optimal_dispatch(prob)
    if sol.ok:
        c.served[s], c.unit_p[s], c.fixed_p[s] = sol.served, sol.unit_p, sol.fixed_p
    return sol.ok
