"""What the engine is measured against, shared by bench_batch.py and bench_scaling.py.

- :func:`flows_kernel`: the hardware limit — post-outage DC flows of the same outages by
  compensation on the compiled transfer matrix, chunk by chunk, and the count of branches over
  their rating; no islands, no balance, no shed, no severity. Whatever the engine does beyond
  this is its price.
- :func:`ls2g_contingencies`: the peer — lightsim2grid's ``ContingencyAnalysisCPP`` (DC_KLU or
  NR_KLU) on the same net and the same branch outages, its converter set-up
  (``network.from_pandapower.init``) included in every call.
- :func:`engine_levels`: the engine's batch (``run_batch``) and the plan's levels
  (``classify_batch``) on an :class:`~outage_sim.engine.OutageMatrix`.

Notes
-----
lightsim2grid numbers branches as the net's lines in table order, then its two-winding
transformers (:func:`ls2g_branch_ids`); its DC flows use the net's own slack, where the engine's
use the pre-event dispatch and its loss factor, so the flows differ by the slack's share. Both
are flows-only screenings of the same outages at the same size of problem.
"""

from __future__ import annotations

import copy
import warnings
from itertools import combinations

import numpy as np

from outage_sim.engine import OutageMatrix, run_batch
from outage_sim.severity import classify_batch

KERNEL_CHUNK_BYTES = 64 * 2**20  # the gathered transfer columns of one chunk


def branch_sets(n_branch: int, k: int, sample: int | None = None, seed: int = 0) -> np.ndarray:
    """(S, k) branch positions: every single (k=1) or every pair (k=2), or ``sample`` random
    distinct pairs (rows sorted, seeded) when the full set is larger."""
    if k == 1:
        return np.arange(n_branch, dtype=np.int64)[:, None]
    total = n_branch * (n_branch - 1) // 2
    if sample is None or sample >= total:
        return np.array(list(combinations(range(n_branch), 2)), dtype=np.int64).reshape(-1, 2)
    rng = np.random.default_rng(seed)
    picked: set[tuple[int, int]] = set()
    while len(picked) < sample:
        a, b = rng.choice(n_branch, 2, replace=False)
        picked.add((int(min(a, b)), int(max(a, b))))
    return np.array(sorted(picked), dtype=np.int64)


def outage_matrix(bm, sets: np.ndarray) -> OutageMatrix:
    """The engine's outage matrix of branch sets (rows of :func:`branch_sets`)."""
    om = OutageMatrix.empty(bm, len(sets))
    om.branch[np.repeat(np.arange(len(sets)), sets.shape[1]), sets.ravel()] = True
    return om


def engine_levels(bm, om: OutageMatrix, chunk: int = 1024) -> np.ndarray:
    """Level rank of every scenario: islands, balance, shed (``run_batch``) and severity."""
    res = run_batch(bm, om, chunk=chunk)
    return classify_batch(**res.to_events()).rank


def flows_kernel(bm, sets: np.ndarray):
    """A callable giving, for every row of ``sets``, the number of branches above their DC
    rating after its outages (-1 where the outages split the grid: no flows without a balance).

    The transposed transfer matrix is laid out once here (as compiling would); the callable does
    only the per-scenario work: ``f = f0 + M[:, K] Δ`` with ``(I − M[K, K]) Δ = f0[K]``.
    """
    transfer_t = np.ascontiguousarray(bm.transfer.T)  # row k: flows per MW sent across k
    f0, rating = bm.f_base, bm.br_rating
    k = sets.shape[1]
    eye = np.eye(k)
    rows = max(1, KERNEL_CHUNK_BYTES // (8 * k * bm.n_branch))

    def run() -> np.ndarray:
        overloads = np.empty(len(sets), np.int64)
        for start in range(0, len(sets), rows):
            K = sets[start:start + rows]
            a = eye[None, :, :] - bm.transfer[K[:, :, None], K[:, None, :]]
            split = np.abs(np.linalg.det(a)) < 1e-9
            a[split] = eye
            delta = np.linalg.solve(a, f0[K][:, :, None])[:, :, 0]
            f = f0[None, :] + np.einsum("skm,sk->sm", transfer_t[K], delta)
            np.put_along_axis(f, K, 0.0, axis=1)
            n_over = (np.abs(f) > rating[None, :]).sum(axis=1)
            overloads[start:start + len(K)] = np.where(split, -1, n_over)
        return overloads

    return run


def ls2g_branch_ids(net, bm) -> np.ndarray:
    """lightsim2grid's branch id of each of the engine's branches (lines, then transformers)."""
    ids = np.full(bm.n_branch, -1, np.int64)
    is_line = bm.br_element == "line"
    is_trafo = bm.br_element == "trafo"
    ids[is_line] = net.line.index.get_indexer(bm.br_index[is_line].astype(np.int64))
    ids[is_trafo] = len(net.line) + net.trafo.index.get_indexer(bm.br_index[is_trafo].astype(np.int64))
    return ids


def ls2g_net(net):
    """The net lightsim2grid converts: a copy with a DC power flow run (its converter reads the
    results) and no distributed slack (as pandapower's ``run_contingency_ls2g`` sets it)."""
    import pandapower as pp

    work = copy.deepcopy(net)
    if "slack_weight" in work.gen:
        work.gen["slack_weight"] = 0.0
    pp.rundcpp(work)
    return work


def ls2g_contingencies(work, ids: np.ndarray, algorithm: str = "dc"):
    """A callable running lightsim2grid's contingency analysis of the branch sets ``ids``
    ((S, k) lightsim2grid ids) on ``work`` (from :func:`ls2g_net`), converter included; it
    returns the (S, branches) MW flows and the number of converged contingencies."""
    import lightsim2grid.lightsim2grid_cpp as cpp
    from lightsim2grid.network.from_pandapower import init as init_ls2g

    algo = {"dc": cpp.AlgorithmType.DC_KLU, "ac": cpp.AlgorithmType.NR_KLU}[algorithm]
    v_init = np.ones(len(work.bus), dtype=complex)
    ids = np.asarray(ids, np.int64)

    def run() -> tuple[np.ndarray, int]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            grid = init_ls2g(work)
        ca = cpp.ContingencyAnalysisCPP(grid)
        ca.change_algorithm(algo)
        if ids.shape[1] == 1:
            ca.add_multiple_n1(ids[:, 0])
        else:
            for row in ids.tolist():
                ca.add_nk(row)
        ca.compute(v_init, 10, 1e-8)
        ca.compute_power_flows()
        return ca.get_power_flows(), int(np.sum(ca.converged_mask()))

    return run
