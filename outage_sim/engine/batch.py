"""The batch face of the load-shed engine: many outage scenarios at once, on arrays.

:func:`compile_batch` turns an annotated net (its pre-event state, from the same
:func:`outage_sim.engine.shed.pre_event_state` the single engine starts from) into a
:class:`BatchModel`: incidence, susceptances, ratings, PTDF and the branch-to-branch transfer
matrix ``M`` (``M[l, k]`` = flow on ``l`` per MW sent from ``k``'s from-bus to its to-bus), load,
unit and infeed positions, priorities, customers and districts. :func:`run_batch` takes an
:class:`OutageMatrix` (S scenarios × branches, buses, units, infeeds) and returns shed MW and
customers out per district and for the main grid, with the severity ranks — chunk by chunk, with
no Python loop over scenarios in the hot path:

- **islands** of a whole chunk in one :func:`scipy.sparse.csgraph.connected_components` call on
  the block-diagonal graph of the chunk;
- **island balance** by sums per (island, priority) and a cumulative sum over the priority table:
  the same rule as the single engine (lowest priority in full, the marginal priority by the same
  share on each load; black islands; in cascade mode primary response only and frequency collapse
  beyond the under-frequency scheme);
- **flows** after k outages by compensation: ``f = f0 + M[:, K] Δ`` with ``(I − M[K, K]) Δ =
  f0[K]`` solved for every scenario at once (stacked pseudo-inverses, which also handle cuts that
  island the grid, where the system is singular but consistent because each island is balanced);
- **overloads**: ``cascade`` trips branches above the threshold in vectorized rounds; in
  ``dispatch`` mode the dispatcher's relief is a sensitivity-based shedding by the priority table
  (:func:`_relieve`), run only for the scenarios that have an overload after balancing. Those
  scenarios are flagged ``uncertain``: the single engine's optimal shed may redispatch units
  instead of shedding, and :func:`recheck` re-runs them through it on request.

Notes
-----
Differences from the single engine, by design: no AC check (a batch is DC); overload relief does
not redispatch units (it sheds), so it may shed more than the single engine's linear program; the
surplus of an island backs units down in proportion rather than tripping the smallest first (this
only moves flows).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandapower as pp
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from outage_sim.engine.shed import MODES, UFLS_MAX_SHARE, pre_event_state
from outage_sim.engine.state import DC_RATING_MARGIN, build_dc_model
from outage_sim.errors import InputError
from outage_sim.hazards import Outage

DEFAULT_CHUNK = 1024
MAX_ROUNDS = 50
RELIEF_ITERATIONS = 60


@dataclass(frozen=True)
class BatchModel:
    """A net compiled once for batches (all arrays; positions follow the net's tables)."""

    n_bus: int
    br_from: np.ndarray
    br_to: np.ndarray
    br_rating: np.ndarray            # MW, DC check (MVA rating × DC_RATING_MARGIN)
    br_element: np.ndarray
    br_index: np.ndarray
    br_name: np.ndarray
    ptdf: np.ndarray                 # branch × bus
    transfer: np.ndarray             # M, branch × branch
    load_bus: np.ndarray
    demand: np.ndarray               # MW before the event (the severity's "load")
    served0: np.ndarray              # MW served just before the event (after any orderly use)
    priority: np.ndarray             # 0-based position in the priority levels
    priorities: np.ndarray           # the distinct shed_priority values, ascending
    customers: np.ndarray
    load_district: np.ndarray
    district_names: tuple[str, ...]
    unit_bus: np.ndarray
    unit_p0: np.ndarray
    unit_pmin: np.ndarray
    unit_pmax: np.ndarray
    unit_fast: np.ndarray
    unit_on0: np.ndarray
    unit_ref: tuple[tuple[str, int], ...]
    fixed_bus: np.ndarray
    fixed_p0: np.ndarray
    fixed_sync: np.ndarray
    fixed_on0: np.ndarray
    fixed_ref: tuple[tuple[str, int], ...]
    loss: float
    model_version: str
    level: str
    positions: dict = field(repr=False)  # (element, index) -> ("branch"|"bus"|"unit"|"fixed", pos)
    bridge: np.ndarray = field(repr=False, default=None)   # branches whose loss splits the grid
    f_base: np.ndarray = field(repr=False, default=None)   # DC flows just before the event
    served_base: np.ndarray = field(repr=False, default=None)

    @property
    def n_branch(self) -> int:
        return len(self.br_from)


def compile_batch(net: pp.pandapowerNet) -> BatchModel:
    """Compile an annotated net (its state just before the event) for :func:`run_batch`."""
    import copy

    work = copy.deepcopy(net)
    st = pre_event_state(work)
    model = build_dc_model(work)
    if model.n_islands != 1:
        raise InputError(f"net: the pre-event grid has {model.n_islands} islands; the batch engine "
                         "needs one connected grid to start from")
    ptdf = model.ptdf()
    transfer = ptdf[:, model.br_from] - ptdf[:, model.br_to]
    prio_values = np.unique(work.load.shed_priority.to_numpy(np.int64))
    dnames = tuple(net["districts"]["name"])
    dpos = {d: i for i, d in enumerate(dnames)}
    positions: dict[tuple[str, int], tuple[str, int]] = {}
    for k, (el, idx) in enumerate(zip(model.br_element, model.br_index)):
        positions[(str(el), int(idx))] = ("branch", k)
    for b, pos in model.bus_pos.items():
        positions[("bus", int(b))] = ("bus", pos)
    for u, ref in enumerate(st.unit_ref):
        positions[ref] = ("unit", u)
    for j, ref in enumerate(st.fixed_ref):
        positions[ref] = ("fixed", j)
    names = np.array([str(work[el].at[idx, "name"]) for el, idx in zip(model.br_element, model.br_index)])
    meta = net.get("meta", {})
    bm = BatchModel(
        n_bus=model.n_bus, br_from=model.br_from, br_to=model.br_to, br_rating=model.br_rating_mw,
        br_element=model.br_element, br_index=model.br_index, br_name=names, ptdf=ptdf,
        transfer=transfer, load_bus=st.load_bus, demand=st.demand.copy(), served0=st.served.copy(),
        priority=np.searchsorted(prio_values, work.load.shed_priority.to_numpy(np.int64)),
        priorities=prio_values, customers=work.load.customers.to_numpy(np.int64),
        load_district=np.array([dpos[d] for d in work.load.district]), district_names=dnames,
        unit_bus=st.unit_bus, unit_p0=st.unit_p.copy(), unit_pmin=st.unit_pmin.copy(),
        unit_pmax=st.unit_pmax.copy(), unit_fast=st.unit_fast_max.copy(),
        unit_on0=st.unit_on.copy(), unit_ref=tuple(st.unit_ref), fixed_bus=st.fixed_bus,
        fixed_p0=st.fixed_p.copy(), fixed_sync=st.fixed_sync.copy(), fixed_on0=st.fixed_on.copy(),
        fixed_ref=tuple(st.fixed_ref),
        loss=float(meta.get("loss_factor", 0.0)), model_version=str(meta.get("model_version", "")),
        level=str(meta.get("level", "")), positions=positions,
        bridge=np.abs(np.diag(transfer) - 1.0) < 1e-6)
    # the state just before the event, through the same steps as every scenario
    base = new_chunk(bm, OutageMatrix.empty(bm, 1))
    _balance(bm, base, False)
    return replace(bm, f_base=_flows(bm, base)[0], served_base=base.served[0].copy())


@dataclass
class OutageMatrix:
    """Which components are out in each of S scenarios (boolean arrays, rows = scenarios)."""

    branch: np.ndarray   # (S, n_branch)
    bus: np.ndarray      # (S, n_bus)
    unit: np.ndarray     # (S, n_unit)
    fixed: np.ndarray    # (S, n_fixed)

    @property
    def n(self) -> int:
        return self.branch.shape[0]

    @classmethod
    def empty(cls, bm: BatchModel, n: int) -> OutageMatrix:
        return cls(np.zeros((n, bm.n_branch), bool), np.zeros((n, bm.n_bus), bool),
                   np.zeros((n, len(bm.unit_bus)), bool), np.zeros((n, len(bm.fixed_bus)), bool))

    @classmethod
    def from_outages(cls, bm: BatchModel, scenarios: list[list[Outage]]) -> OutageMatrix:
        """From lists of :class:`~outage_sim.hazards.Outage` (one list per scenario)."""
        om = cls.empty(bm, len(scenarios))
        for s, outs in enumerate(scenarios):
            for o in outs:
                om.set(s, bm, o.element, o.index)
        return om

    def set(self, s: int, bm: BatchModel, element: str, index: int) -> None:
        kind, pos = bm.positions.get((element, int(index)), (None, None))
        if kind is None:
            return  # out of service before the event: nothing to lose
        getattr(self, kind)[s, pos] = True

    def take(self, rows: slice | np.ndarray) -> OutageMatrix:
        return OutageMatrix(self.branch[rows], self.bus[rows], self.unit[rows], self.fixed[rows])


@dataclass(frozen=True)
class BatchResult:
    """Per-scenario results of :func:`run_batch`.

    ``shed_mw``/``customers_out`` are (S, D) by district; ``main_shed_mw``/``main_customers_out``
    (S,); ``uncertain`` marks scenarios whose overload relief was approximated (dispatch mode)
    or whose cascade did not settle; ``tripped`` counts branches tripped by protection (cascade
    mode). :meth:`to_events` is the input of :func:`outage_sim.severity.classify_batch`, as
    :meth:`outage_sim.engine.ShedResult.to_event` is that of :func:`outage_sim.severity.classify`.
    """

    shed_mw: np.ndarray
    customers_out: np.ndarray
    main_shed_mw: np.ndarray
    main_customers_out: np.ndarray
    uncertain: np.ndarray
    tripped: np.ndarray
    load_mw: np.ndarray
    customers: np.ndarray
    district_names: tuple[str, ...]
    model_version: str
    level: str

    def __len__(self) -> int:
        return len(self.main_shed_mw)

    @property
    def main_load_mw(self) -> float:
        return float(self.load_mw.sum())

    def to_events(self) -> dict:
        """The batch classify input: ``classify_batch(**result.to_events())`` grades every
        scenario (the main grid is the sum of the districts)."""
        return {"districts": {"load_mw": np.round(self.load_mw, 6), "shed_mw": self.shed_mw,
                              "customers": self.customers, "customers_out": self.customers_out},
                "district_names": self.district_names}

    def dark(self, threshold: float = 0.999) -> np.ndarray:
        """(S, D) True where a district lost at least ``threshold`` of its load."""
        return self.shed_mw >= threshold * np.maximum(self.load_mw, 1e-12)


def run_batch(bm: BatchModel, outages: OutageMatrix, *, mode: str = "dispatch",
              cascade_threshold: float = 1.2, chunk: int = DEFAULT_CHUNK) -> BatchResult:
    """Run S scenarios, ``chunk`` at a time (memory stays bounded whatever S is)."""
    if mode not in MODES:
        raise InputError(f"mode: {mode!r} unknown; use one of {', '.join(MODES)}")
    if chunk < 1:
        raise InputError("chunk: must be at least 1")
    S = outages.n
    n_d = len(bm.district_names)
    shed_d = np.zeros((S, n_d))
    cust_d = np.zeros((S, n_d), np.int64)
    uncertain = np.zeros(S, bool)
    tripped = np.zeros(S, np.int32)
    onehot = np.zeros((len(bm.demand), n_d))
    onehot[np.arange(len(bm.demand)), bm.load_district] = 1.0
    for start in range(0, S, chunk):
        rows = slice(start, min(S, start + chunk))
        served, unc, trip = _run_chunk(bm, outages.take(rows), mode, cascade_threshold)
        shed = np.clip(bm.demand[None, :] - served, 0.0, None)
        frac = np.divide(shed, bm.demand[None, :], out=np.zeros_like(shed), where=bm.demand > 0)
        frac = np.where(frac < 1e-9, 0.0, frac)
        shed = np.where(frac > 0, shed, 0.0)
        cout = np.minimum(bm.customers[None, :], np.floor(frac * bm.customers[None, :] + 0.5).astype(np.int64))
        shed_d[rows] = shed @ onehot
        cust_d[rows] = np.rint(cout.astype(float) @ onehot).astype(np.int64)  # exact: < 2**53
        uncertain[rows] = unc
        tripped[rows] = trip
    load_d = onehot.T @ bm.demand
    cust_tot = onehot.T.astype(np.int64) @ bm.customers
    shed_d = np.minimum(np.round(shed_d, 6), load_d[None, :])
    return BatchResult(shed_mw=shed_d, customers_out=cust_d, main_shed_mw=shed_d.sum(axis=1),
                       main_customers_out=cust_d.sum(axis=1), uncertain=uncertain,
                       tripped=tripped, load_mw=load_d, customers=cust_tot,
                       district_names=bm.district_names, model_version=bm.model_version,
                       level=bm.level)


# ------------------------------------------------------------------------------- one chunk
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


def _run_chunk(bm: BatchModel, om: OutageMatrix, mode: str, threshold: float):
    """Served MW per load, uncertain and tripped flags, for one chunk.

    Scenarios that lose at most one branch (not a bridge) and nothing else keep the pre-event
    injections: their flows are the base flows plus one compensation step, and unless that
    overloads a branch they lose nothing. Only the others go through the full path.
    """
    S = om.n
    served = np.repeat(bm.served_base[None, :], S, axis=0)
    uncertain = np.zeros(S, bool)
    tripped = np.zeros(S, np.int32)
    k = om.branch.sum(axis=1)
    simple = ((k <= 1) & ~om.bus.any(axis=1) & ~om.unit.any(axis=1) & ~om.fixed.any(axis=1)
              & ~(om.branch & bm.bridge[None, :]).any(axis=1))
    rows = np.flatnonzero(simple)
    if len(rows):
        out = om.branch[rows].argmax(axis=1)
        has = k[rows] == 1
        delta = np.where(has, bm.f_base[out] / (1.0 - np.diag(bm.transfer)[out]), 0.0)
        f = bm.f_base[None, :] + bm.transfer[:, out].T * delta[:, None]
        f[np.flatnonzero(has), out[has]] = 0.0
        limit = (bm.br_rating / DC_RATING_MARGIN * threshold if mode == "cascade"
                 else bm.br_rating + 1e-6)
        simple[rows[(np.abs(f) > limit[None, :]).any(axis=1)]] = False
    full = np.flatnonzero(~simple)
    if len(full):
        served[full], uncertain[full], tripped[full] = _run_full(bm, om.take(full), mode, threshold)
    return served, uncertain, tripped


def _run_full(bm: BatchModel, om: OutageMatrix, mode: str, threshold: float):
    S = om.n
    c = new_chunk(bm, om)
    fast = mode == "cascade"
    _balance(bm, c, fast)
    flows = _flows(bm, c)
    uncertain = np.zeros(S, bool)
    tripped = np.zeros(S, np.int32)
    if fast:
        trip_at = bm.br_rating / DC_RATING_MARGIN * threshold
        for _ in range(MAX_ROUNDS):
            over = (np.abs(flows) > trip_at[None, :]) & ~c.br_out
            if not over.any():
                break
            tripped += over.sum(axis=1).astype(np.int32)
            c.br_out |= over
            islands(bm, c)
            _balance(bm, c, True)
            flows = _flows(bm, c)
        else:
            uncertain |= ((np.abs(flows) > trip_at[None, :]) & ~c.br_out).any(axis=1)
    else:
        over = ((np.abs(flows) > bm.br_rating[None, :] + 1e-6) & ~c.br_out).any(axis=1)
        if over.any():
            uncertain |= over
            _relieve(bm, c, np.flatnonzero(over), flows)
    return c.served, uncertain, tripped


def islands(bm: BatchModel, c: _Chunk) -> None:
    """Label the islands of every scenario of the chunk with one connected-components call."""
    S, n = c.bus_on.shape
    # A scenario that loses at most one branch, not a bridge, and no bus keeps the one island of
    # the base grid: no graph needed. The rest share one connected-components call.
    k = c.br_out.sum(axis=1)
    intact = c.bus_on.all(axis=1) & (k <= 1) & ~(c.br_out & bm.bridge[None, :]).any(axis=1)
    labels = np.repeat(np.arange(S)[:, None], n, axis=1)
    rest = np.flatnonzero(~intact)
    n_comp = S
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
        labels[rest] = S + sub.reshape(R, n)
        n_comp = S + n_rest
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
    sync = (_sum(c.isl_unit, c.unit_on.astype(float), n_isl)
            + _sum(c.isl_fixed, (c.fixed_on & bm.fixed_sync[None, :]).astype(float), n_isl)) > 0
    sync[-1] = False
    # black islands lose everything, their infeeds included
    black_load = ~sync[c.isl_load]
    c.served[black_load] = 0.0
    c.fixed_on &= sync[c.isl_fixed]
    demand = _sum(c.isl_load, c.served, n_isl)
    fixed = _sum(c.isl_fixed, np.where(c.fixed_on, c.fixed_p, 0.0), n_isl)
    supply = _sum(c.isl_unit, np.where(c.unit_on, cap[None, :], 0.0), n_isl) + fixed
    cut = demand - supply / (1.0 + bm.loss)
    short = (demand * (1.0 + bm.loss) > supply + 1e-6) & sync
    if fast:
        collapse = short & (cut > UFLS_MAX_SHARE * demand)
        if collapse.any():
            c.served[collapse[c.isl_load]] = 0.0
            c.unit_on &= ~collapse[c.isl_unit]
            c.fixed_on &= ~collapse[c.isl_fixed]
            short &= ~collapse
    if short.any():
        key = c.isl_load * P + bm.priority[None, :]
        by = _sum(key, c.served, n_isl * P).reshape(n_isl, P)
        before = np.cumsum(by, axis=1) - by
        need = np.where(short, cut, 0.0)[:, None]
        share = np.divide(need - before, by, out=np.zeros_like(by), where=by > 0)
        share = np.clip(share, 0.0, 1.0)
        c.served *= 1.0 - share.ravel()[key]
    _follow(bm, c, cap)


def _follow(bm: BatchModel, c: _Chunk, cap: np.ndarray) -> None:
    """Units of each island follow its served load in proportion to their headroom (AGC); a
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


def _injections(bm: BatchModel, c: _Chunk) -> np.ndarray:
    S = c.served.shape[0]
    n = bm.n_bus
    off = (np.arange(S) * n)[:, None]
    p = np.zeros(S * n)
    np.add.at(p, (off + bm.unit_bus[None, :]).ravel(), np.where(c.unit_on, c.unit_p, 0.0).ravel())
    np.add.at(p, (off + bm.fixed_bus[None, :]).ravel(), np.where(c.fixed_on, c.fixed_p, 0.0).ravel())
    np.add.at(p, (off + bm.load_bus[None, :]).ravel(), -c.served.ravel())
    p = p.reshape(S, n)
    # each island's small imbalance (losses) goes to its units by rating, as the AC slack would
    mism = _sum(c.isl_bus, p, c.n_isl)
    w = np.where(c.unit_on, bm.unit_pmax[None, :], 0.0)
    wsum = _sum(c.isl_unit, w, c.n_isl)
    share = np.divide(w, wsum[c.isl_unit], out=np.zeros_like(w), where=wsum[c.isl_unit] > 0)
    np.add.at(p.reshape(-1), (off + bm.unit_bus[None, :]).ravel(), (-mism[c.isl_unit] * share).ravel())
    return p


def _flows(bm: BatchModel, c: _Chunk) -> np.ndarray:
    """DC flows after each scenario's outages (compensation with stacked pseudo-inverses)."""
    p = _injections(bm, c)
    f0 = p @ bm.ptdf.T
    counts = c.br_out.sum(axis=1)
    kmax = int(counts.max()) if len(counts) else 0
    if kmax == 0:
        return f0
    S = p.shape[0]
    # each scenario's outaged branches, left-aligned and padded to kmax
    s_idx, k_idx = np.nonzero(c.br_out)
    slot = np.arange(len(s_idx)) - np.repeat(np.cumsum(counts) - counts, counts)
    K = np.zeros((S, kmax), np.int64)
    valid = np.zeros((S, kmax), bool)
    K[s_idx, slot] = k_idx
    valid[s_idx, slot] = True
    mkk = bm.transfer[K[:, :, None], K[:, None, :]]
    a = np.eye(kmax)[None, :, :] - mkk * (valid[:, :, None] & valid[:, None, :])
    a[~valid] = 0.0
    idx = np.nonzero(~valid)
    a[idx[0], idx[1], idx[1]] = 1.0
    rhs = np.where(valid, np.take_along_axis(f0, K, axis=1), 0.0)
    delta = np.einsum("skj,sj->sk", np.linalg.pinv(a, rcond=1e-9), rhs)
    f = f0 + np.einsum("msk,sk->sm", bm.transfer[:, K], delta)
    f[c.br_out] = 0.0
    return f


def _relieve(bm: BatchModel, c: _Chunk, rows: np.ndarray, flows: np.ndarray) -> None:
    """Sensitivity-based relief for the scenarios with overloads, as a dispatcher would:

    for the worst overloaded branch, first **redispatch** — lower the unit whose output loads the
    branch most and raise the one in the same island that loads it least — while that helps;
    then **shed** loads whose cut lowers the flow (their outage-adjusted PTDF, net of the
    island's units backing down), lowest priority first and most effective first within a
    priority. Repeat until every branch is within its rating.
    """
    for s in rows:
        out = np.flatnonzero(c.br_out[s])
        ptdf = bm.ptdf
        if len(out):
            a = np.eye(len(out)) - bm.transfer[np.ix_(out, out)]
            ptdf = bm.ptdf + bm.transfer[:, out] @ np.linalg.pinv(a, rcond=1e-9) @ bm.ptdf[out]
            ptdf[out] = 0.0
        one = _Chunk(br_out=c.br_out[s:s + 1], bus_on=c.bus_on[s:s + 1], served=c.served[s:s + 1],
                     unit_on=c.unit_on[s:s + 1], fixed_on=c.fixed_on[s:s + 1],
                     unit_p=c.unit_p[s:s + 1], fixed_p=c.fixed_p[s:s + 1],
                     isl_load=c.isl_load[s:s + 1], isl_unit=c.isl_unit[s:s + 1],
                     isl_fixed=c.isl_fixed[s:s + 1], isl_bus=c.isl_bus[s:s + 1], n_isl=c.n_isl)
        for _ in range(RELIEF_ITERATIONS):
            over = np.abs(flows[s]) - bm.br_rating
            over[out] = 0.0
            k = int(np.argmax(over))
            if over[k] <= 1e-6:
                break
            sign = np.sign(flows[s, k])
            if _redispatch(bm, one, ptdf[k], sign, over[k]):
                flows[s] = _flows(bm, one)[0]
                continue
            isl = one.isl_load[0]
            w = np.where(one.unit_on[0], bm.unit_pmax, 0.0)
            wsum = np.bincount(one.isl_unit[0], weights=w, minlength=c.n_isl)
            contrib = np.bincount(one.isl_unit[0], weights=w * ptdf[k, bm.unit_bus], minlength=c.n_isl)
            unit_sens = np.divide(contrib, wsum, out=np.zeros(c.n_isl), where=wsum > 0)
            # shedding is +1 MW injected at the load, the units backing down take it back out
            eff = -sign * (ptdf[k, bm.load_bus] - unit_sens[isl])
            cand = np.flatnonzero((eff > 1e-4) & (one.served[0] > 1e-9))
            if not len(cand):
                break
            order = cand[np.lexsort((-eff[cand], bm.priority[cand]))]
            relief = np.cumsum(eff[order] * one.served[0, order])
            last = int(np.searchsorted(relief, over[k]))
            one.served[0, order[:last]] = 0.0
            if last < len(order):
                j = order[last]
                done = relief[last - 1] if last else 0.0
                one.served[0, j] -= min(one.served[0, j], (over[k] - done) / eff[j])
            _follow(bm, one, bm.unit_pmax)
            flows[s] = _flows(bm, one)[0]
        c.served[s], c.unit_p[s] = one.served[0], one.unit_p[0]


def _redispatch(bm: BatchModel, one: _Chunk, ptdf_k: np.ndarray, sign: float, over: float) -> bool:
    """Move output from the unit that loads the branch most to the one in the same island that
    loads it least; False when no such move lowers the flow."""
    on = one.unit_on[0]
    p = one.unit_p[0]
    sens = sign * ptdf_k[bm.unit_bus]
    down = np.where(on, p - bm.unit_pmin, 0.0) > 1e-6
    up = np.where(on, bm.unit_pmax - p, 0.0) > 1e-6
    best, pair = 1e-3, None
    for isl in np.unique(one.isl_unit[0][on]):
        here = one.isl_unit[0] == isl
        d, u = np.flatnonzero(here & down), np.flatnonzero(here & up)
        if not len(d) or not len(u):
            continue
        i, j = d[np.argmax(sens[d])], u[np.argmin(sens[u])]
        if sens[i] - sens[j] > best:
            best, pair = sens[i] - sens[j], (i, j)
    if pair is None:
        return False
    i, j = pair
    amount = min(over / best, p[i] - bm.unit_pmin[i], bm.unit_pmax[j] - p[j])
    one.unit_p[0, i] -= amount
    one.unit_p[0, j] += amount
    return amount > 1e-9
