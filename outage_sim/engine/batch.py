"""The batch face of the load-shed engine: many outage scenarios at once, on arrays.

:func:`compile_batch` turns an annotated net (its pre-event state and base state, from the same
:func:`outage_sim.engine.start.event_start` the single engine starts from) into a
:class:`BatchModel`: incidence, susceptances, ratings, the DC model factorised once
(:class:`~outage_sim.engine.sparse.DCFactor`: a sparse LU of the reduced susceptance matrix, each
island's reference bus removed; flows of many injection vectors by one multi-right-hand-side
solve, columns of the PTDF and of the branch-to-branch transfer matrix ``M`` on demand, where
``M[l, k]`` = flow on ``l`` per MW sent from ``k``'s from-bus to its to-bus; a dense PTDF and
``M`` from the same factorisation kept when they fit ``dense_mb``, as for Chongqing), load, unit
and infeed positions, priorities, customers and districts. :func:`run_batch` takes an
:class:`OutageMatrix` (S scenarios × branches, buses, units, infeeds; built from index lists
chunk by chunk with :meth:`OutageMatrix.from_indices` for full N-k) and returns shed MW and
customers out per district and for the main grid, with the severity ranks — chunk by chunk, with
no Python loop over scenarios in the hot path (BLAS on one thread, ``threads``):

- **no change of injections**: a scenario that loses only branches and splits no island keeps
  the pre-event state; its flows are the base flows plus compensation, and unless they overload
  a branch nothing else is computed (no islands, no balance);
- **islands** of a whole chunk in one :func:`scipy.sparse.csgraph.connected_components` call on
  the block-diagonal graph of the chunk;
- **island balance** by sums per (island, priority) and a cumulative sum over the priority table:
  the same rule as the single engine (lowest priority in full, the marginal priority by the same
  share on each load; black islands; in cascade mode primary response only and frequency collapse
  beyond the under-frequency scheme);
- **flows** after k outages by compensation: ``f = f0 + M[:, K] Δ`` with ``(I − M[K, K]) Δ =
  f0[K]``, scenarios grouped by k and each group solved at once (closed form for k = 1, a
  batched :func:`numpy.linalg.solve` beyond; only the |K| columns ``M[:, K]`` a group needs are
  asked of the factorisation). ``det(I − M[K, K])`` is the ratio of the reduced susceptance
  determinants after and before the outage, so a singular system is a cut that islands the
  grid: found this way (bridges for k = 1), it sends the scenario through the island logic, and
  its system, consistent because each island is balanced, is solved by regularised least
  squares;
- **overloads**: ``cascade`` runs the single engine's cascade through time (protection,
  heating, the dispatcher, hidden failures; :mod:`outage_sim.engine.chunk_cascade`) with
  vectorised rounds and per-scenario random streams; in ``dispatch`` mode the scenarios that have an overload after the balance rule go through the
  single engine's linear program (:func:`outage_sim.engine.lp.optimal_dispatch`: balance and
  relief as one, with the PTDF after the scenario's outages by compensation, its columns asked
  of the factorisation as the LP reads them: :class:`~outage_sim.engine.sparse.OutagePTDF`), so
  they get the
  single engine's answer. ``uncertain`` marks the scenarios the batch cannot settle: the LP
  failed (the rule's state is kept), or a cascade did not settle.

Notes
-----
Differences from the single engine, by design: no AC check (a batch is DC); the surplus of an
island backs units down in proportion rather than tripping the smallest first (this only moves
flows).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components
from threadpoolctl import ThreadpoolController

from outage_sim.engine.balance import MODES
from outage_sim.engine.batch_model import BatchModel, OutageMatrix
from outage_sim.engine.cascade import Branches
from outage_sim.engine.cascade_model import load_cascade_data, scenario_seed
from outage_sim.engine.chunk import _balance, _flows, _run_chunk, new_chunk
from outage_sim.engine.chunk_cascade import run_cascade_chunk
from outage_sim.engine.sparse import DENSE_BUDGET_MB, bridges
from outage_sim.engine.state import build_dc_model
from outage_sim.errors import InputError

if TYPE_CHECKING:  # pandapower only in annotations: array workers never load it
    import pandapower as pp

__all__ = ["BatchModel", "BatchResult", "OutageMatrix", "compile_batch", "new_chunk", "run_batch"]

DEFAULT_CHUNK = 1024


def compile_batch(net: pp.pandapowerNet, *, dense_mb: float = DENSE_BUDGET_MB) -> BatchModel:
    """Compile an annotated net (its state just before the event) for :func:`run_batch`.

    The state the event finds and the intact net's base state come from the single engine's
    :func:`~outage_sim.engine.start.event_start`: the batch measures every scenario against the
    same reference (what the intact net serves), and a grid that is already split into islands
    before the event starts from those islands. The base state is kept in ``base``.

    The DC model is factorised once (:class:`~outage_sim.engine.sparse.DCFactor`); the dense
    PTDF and transfer matrix are kept beside it when they take at most ``dense_mb`` MB (faster
    for small nets), else the batch asks the factorisation for the columns each chunk needs.

    Raises
    ------
    AnnotationError, InputError
        As :func:`outage_sim.engine.shed_load`.
    """
    from outage_sim.engine.start import event_start  # pandapower: not for array workers

    work, st, base_state = event_start(net)
    demand, customers = base_state.reference(st.demand, work.load.customers.to_numpy(np.int64))
    model = build_dc_model(work)
    dc = model.factor(dense_mb)
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
    full = Branches.of(work, load_cascade_data())
    meta = net.get("meta", {})
    bm = BatchModel(
        n_bus=model.n_bus, br_from=model.br_from, br_to=model.br_to, br_rating=model.br_rating_mw,
        br_element=model.br_element, br_index=model.br_index, br_name=names, dc=dc,
        load_bus=st.load_bus, demand=demand, served0=st.served.copy(),
        priority=np.searchsorted(prio_values, work.load.shed_priority.to_numpy(np.int64)),
        priorities=prio_values, shed_cost=st.shed_cost.copy(), customers=customers,
        load_district=np.array([dpos[d] for d in work.load.district]), district_names=dnames,
        unit_bus=st.unit_bus, unit_p0=st.unit_p.copy(), unit_pmin=st.unit_pmin.copy(),
        unit_pmax=st.unit_pmax.copy(), unit_fast=st.unit_fast_max.copy(),
        unit_on0=st.unit_on.copy(), unit_type=st.unit_type.copy(), unit_ref=tuple(st.unit_ref), fixed_bus=st.fixed_bus,
        fixed_p0=st.fixed_p.copy(), fixed_pmax=st.fixed_pmax.copy(),
        fixed_fast=st.fixed_fast.copy(), fixed_control=st.fixed_control.copy(), fixed_sync=st.fixed_sync.copy(), fixed_on0=st.fixed_on.copy(),
        fixed_ref=tuple(st.fixed_ref),
        loss=float(meta.get("loss_factor", 0.0)), model_version=str(meta.get("model_version", "")),
        level=str(meta.get("level", "")), positions=positions,
        known=frozenset((t, int(i)) for t in ("line", "trafo", "bus", "gen", "sgen", "ext_grid")
                        for i in work[t].index),
        bridge=bridges(model.n_bus, model.br_from, model.br_to), base_island=_islands(model),
        base=base_state, br_full=full.positions(model), n_full=len(full.element))
    # the state just before the event, through the same steps as every scenario
    base = new_chunk(bm, OutageMatrix.empty(bm, 1))
    _balance(bm, base, False)
    return replace(bm, f_base=_flows(bm, base)[0], served_base=base.served[0].copy())


def _islands(model) -> np.ndarray:
    """Island label of every bus before the event (a bus out of service alone in its own)."""
    adj = csr_matrix((np.ones(len(model.br_from)), (model.br_from, model.br_to)),
                     shape=(model.n_bus, model.n_bus))
    return connected_components(adj, directed=False)[1].astype(np.int64)


@dataclass(frozen=True)
class BatchResult:
    """Per-scenario results of :func:`run_batch`.

    ``shed_mw``/``customers_out`` are (S, D) by district; ``main_shed_mw``/``main_customers_out``
    (S,); ``uncertain`` marks scenarios whose overload relief was approximated (dispatch mode)
    or whose cascade did not settle; ``tripped`` counts branches tripped in the cascade (cascade
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
              cascade_threshold: float = 1.2, chunk: int = DEFAULT_CHUNK,
              cut_share: np.ndarray | None = None,
              on_chunk: Callable[[int], object] | None = None,
              seed: int | np.ndarray | None = None, threads: int | None = 1) -> BatchResult:
    """Run S scenarios, ``chunk`` at a time (memory stays bounded whatever S is).

    ``seed`` seeds the cascade's random draws (``cascade`` mode): an integer (None counts as 0)
    gives scenario ``s`` the seed :func:`~outage_sim.engine.cascade_model.scenario_seed`
    ``(seed, s)``; an array gives each scenario its own (Monte-Carlo passes its samples' seeds).
    Either way scenario ``s`` equals ``shed_load(..., mode="cascade", seed=<its seed>)``,
    whatever the chunking.

    ``cut_share`` (S × loads), when given, is the share of each load cut off beneath the
    transmission model (110 kV lines and feeders): each load keeps ``1 − cut_share`` of what the
    transmission left it, as :func:`outage_sim.engine.with_distribution` does for one scenario.
    ``on_chunk(n)``, when given, is called after each chunk with the number of scenarios it ran
    (a progress bar's advance, :func:`outage_sim.progress.progress_bar`).

    ``threads`` caps the BLAS threads of the hot path (``threadpoolctl``; None leaves the
    environment's): the chunks' products are small, so one thread per process wastes least, and
    parallel runs (Dask, Monte-Carlo workers) do not oversubscribe the cores.
    """
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
    # (a scenario_seed per scenario costs more than a dispatch-mode N-1 of Chongqing)
    seeds = _seeds(seed, S) if mode == "cascade" or isinstance(seed, np.ndarray) else None
    base_shed, base_cust = _by_district(bm, bm.served_base[None, :], onehot)
    with _blas().limit(limits=threads):
        for start in range(0, S, chunk):
            rows = slice(start, min(S, start + chunk))
            if mode == "cascade":
                served, unc, trip = run_cascade_chunk(bm, outages.take(rows), cascade_threshold,
                                                      seeds[rows])  # type: ignore[index]
            else:
                served, unc, trip = _run_chunk(bm, outages.take(rows))
            if cut_share is not None:
                served = served * (1.0 - np.clip(cut_share[rows], 0.0, 1.0))
            # the scenarios that kept the pre-event state share its figures
            moved = np.flatnonzero((served != bm.served_base[None, :]).any(axis=1))
            shed_d[rows], cust_d[rows] = base_shed, base_cust
            if len(moved):
                shed_d[start + moved], cust_d[start + moved] = _by_district(bm, served[moved], onehot)
            uncertain[rows] = unc
            tripped[rows] = trip
            if on_chunk is not None:
                on_chunk(rows.stop - rows.start)
    load_d = onehot.T @ bm.demand
    cust_tot = onehot.T.astype(np.int64) @ bm.customers
    shed_d = np.minimum(np.round(shed_d, 6), load_d[None, :])
    return BatchResult(shed_mw=shed_d, customers_out=cust_d, main_shed_mw=shed_d.sum(axis=1),
                       main_customers_out=cust_d.sum(axis=1), uncertain=uncertain,
                       tripped=tripped, load_mw=load_d, customers=cust_tot,
                       district_names=bm.district_names, model_version=bm.model_version,
                       level=bm.level)


def _by_district(bm: BatchModel, served: np.ndarray, onehot: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shed MW and customers out by district of (S, loads) served MW."""
    shed = np.clip(bm.demand[None, :] - served, 0.0, None)
    frac = np.divide(shed, bm.demand[None, :], out=np.zeros_like(shed), where=bm.demand > 0)
    frac = np.where(frac < 1e-9, 0.0, frac)
    shed = np.where(frac > 0, shed, 0.0)
    cout = np.minimum(bm.customers[None, :], np.floor(frac * bm.customers[None, :] + 0.5).astype(np.int64))
    return shed @ onehot, np.rint(cout.astype(float) @ onehot).astype(np.int64)  # exact: < 2**53


@functools.cache
def _blas() -> ThreadpoolController:
    """The process's BLAS libraries, found once (finding them reads the loaded libraries: half
    a millisecond, a noticeable share of a small net's N-1)."""
    return ThreadpoolController()


def _seeds(seed: int | np.ndarray | None, n: int) -> np.ndarray:
    """Each scenario's cascade seed (see :func:`run_batch`)."""
    if seed is not None and np.ndim(seed) == 1:
        seeds = np.asarray(seed, np.int64)
        if len(seeds) != n:
            raise InputError(f"seed: {len(seeds)} seeds for {n} scenarios")
        return seeds
    if seed is not None and np.ndim(seed) != 0:
        raise InputError("seed: an integer or one seed per scenario")
    base = 0 if seed is None else int(seed)  # type: ignore[arg-type]
    return np.array([scenario_seed(base, s) for s in range(n)], np.int64)
