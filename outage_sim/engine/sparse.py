"""Sparse DC sensitivities: the reduced susceptance matrix factorised once per topology.

:class:`DCFactor` holds one sparse LU (:func:`scipy.sparse.linalg.splu`) of the susceptance
matrix with each island's reference bus removed (block-diagonal: one factorisation serves every
island). From it come, on demand and never through a dense n × n inverse:

- flows of many injection vectors at once (:meth:`DCFactor.flows`: one multi-right-hand-side
  solve);
- columns of the branch-to-branch transfer matrix ``M`` (:meth:`DCFactor.transfer_cols`:
  ``M[l, k]`` = flow on ``l`` per MW sent from ``k``'s from-bus to its to-bus; one solve per
  column);
- PTDF columns (:meth:`DCFactor.ptdf_cols`) and, when it fits :data:`DENSE_BUDGET_MB`, the whole
  PTDF and ``M`` built from the same factorisation and kept (:meth:`DCFactor.dense`): for a net
  the size of Chongqing's (163 buses, 479 branches) a matrix product beats a solve.

Conventions are those of :class:`outage_sim.engine.state.DCModel`: a bus's injection is
withdrawn at its island's reference (the island's first bus), whose PTDF column is zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csc_matrix, csr_matrix
from scipy.sparse.linalg import splu

# The dense PTDF and M together are kept when they take at most this many MB; Chongqing's take
# 2.4 MB, case1354pegase's 55 MB, case2869pegase's 270 MB (so it works column by column).
DENSE_BUDGET_MB = 128.0


@dataclass
class DCFactor:
    """The factorised DC model of one topology (see the module docstring).

    ``island`` labels each bus (-1: out of service); branches join buses of one island.
    """

    n_bus: int
    br_from: np.ndarray
    br_to: np.ndarray
    br_b: np.ndarray
    island: np.ndarray
    dense_mb: float = DENSE_BUDGET_MB
    _ptdf: np.ndarray | None = field(default=None, repr=False)
    _transfer: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        n = self.n_bus
        ref = np.zeros(n, bool)
        live = self.island >= 0
        _, first = np.unique(self.island[live], return_index=True)
        ref[np.flatnonzero(live)[first]] = True
        self.keep = np.flatnonzero(live & ~ref)       # the buses of the reduced system
        self.red = np.full(n, -1, np.int64)            # bus -> row of the reduced system
        self.red[self.keep] = np.arange(len(self.keep))
        self._factorise()
        if self.fits():
            self._ptdf = self._theta(self._incidence_rhs()).T.copy()
            self._transfer = self._ptdf[:, self.br_from] - self._ptdf[:, self.br_to]

    def _factorise(self) -> None:
        n, f, t, b = self.n_bus, self.br_from, self.br_to, self.br_b
        bbus = csr_matrix((np.concatenate([b, b, -b, -b]),
                           (np.concatenate([f, t, f, t]), np.concatenate([f, t, t, f]))),
                          shape=(n, n))
        self.lu = splu(csc_matrix(bbus[self.keep][:, self.keep]), permc_spec="MMD_AT_PLUS_A") \
            if len(self.keep) else None

    def __getstate__(self) -> dict:
        # SuperLU objects do not pickle (Dask ships the model to its workers): factorise again
        return {k: v for k, v in self.__dict__.items() if k != "lu"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._factorise()

    @property
    def n_branch(self) -> int:
        return len(self.br_from)

    def fits(self) -> bool:
        """Whether the dense PTDF and M fit :attr:`dense_mb`."""
        m = self.n_branch
        return 8.0 * m * (m + self.n_bus) / 1e6 <= self.dense_mb

    def dense(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The dense (PTDF, M) when they fit the budget, else None."""
        return None if self._ptdf is None else (self._ptdf, self._transfer)  # type: ignore[return-value]

    def _incidence_rhs(self) -> np.ndarray:
        """(reduced buses × branches) ``Aᵀ diag(b)``: solving with it gives PTDFᵀ (B⁻¹ symmetric)."""
        rhs = np.zeros((len(self.keep), self.n_branch))
        cols = np.arange(self.n_branch)
        for ends, sign in ((self.br_from, 1.0), (self.br_to, -1.0)):
            r = self.red[ends]
            ok = r >= 0
            rhs[r[ok], cols[ok]] = sign * self.br_b[ok]
        return rhs

    def _theta(self, rhs: np.ndarray) -> np.ndarray:
        """Bus angles (buses × columns; 0 at the references) of reduced injections ``rhs``."""
        theta = np.zeros((self.n_bus, rhs.shape[1]))
        if self.lu is not None and rhs.shape[1]:
            theta[self.keep] = self.lu.solve(np.asfortranarray(rhs))
        return theta

    def _solve_flows(self, rhs: np.ndarray) -> np.ndarray:
        """Branch flows (branches × columns) of reduced injections ``rhs`` (reduced × columns)."""
        theta = self._theta(rhs)
        return self.br_b[:, None] * (theta[self.br_from] - theta[self.br_to])

    def flows(self, p: np.ndarray) -> np.ndarray:
        """(S, branches) DC flows of (S, buses) injections, each island balanced."""
        if self._ptdf is not None:
            return p @ self._ptdf.T
        return self._solve_flows(p[:, self.keep].T).T

    def transfer_cols(self, k: np.ndarray) -> np.ndarray:
        """``M[:, k]`` (branches × len(k))."""
        k = np.asarray(k, np.int64)
        if self._transfer is not None:
            return self._transfer[:, k]
        rhs = np.zeros((len(self.keep), len(k)))
        cols = np.arange(len(k))
        for ends, sign in ((self.br_from[k], 1.0), (self.br_to[k], -1.0)):
            r = self.red[ends]
            ok = r >= 0
            rhs[r[ok], cols[ok]] += sign
        return self._solve_flows(rhs)

    def ptdf_cols(self, buses: np.ndarray) -> np.ndarray:
        """PTDF columns of ``buses`` (branches × len(buses))."""
        buses = np.asarray(buses, np.int64)
        if self._ptdf is not None:
            return self._ptdf[:, buses]
        rhs = np.zeros((len(self.keep), len(buses)))
        r = self.red[buses]
        ok = r >= 0
        rhs[r[ok], np.flatnonzero(ok)] = 1.0
        return self._solve_flows(rhs)

    def ptdf_rows(self, rows: np.ndarray) -> np.ndarray:
        """PTDF rows of branches ``rows`` (len(rows) × buses, or one row for a scalar)."""
        if self._ptdf is not None:
            return self._ptdf[rows]
        r = np.atleast_1d(np.asarray(rows, np.int64))
        rhs = np.zeros((len(self.keep), len(r)))
        cols = np.arange(len(r))
        for ends, sign in ((self.br_from[r], 1.0), (self.br_to[r], -1.0)):
            red = self.red[ends]
            ok = red >= 0
            rhs[red[ok], cols[ok]] = sign * self.br_b[r][ok]
        out = self._theta(rhs).T
        return out[0] if np.ndim(rows) == 0 else out

    def transfer_diag(self, block: int = 512) -> np.ndarray:
        """``diag(M)``, block by block of columns (1 for a bridge)."""
        m = self.n_branch
        if self._transfer is not None:
            return np.diag(self._transfer).copy()
        out = np.empty(m)
        for s in range(0, m, block):
            k = np.arange(s, min(m, s + block))
            out[k] = self.transfer_cols(k)[k, np.arange(len(k))]
        return out

    def ptdf_matrix(self) -> np.ndarray:
        """The whole PTDF (branches × buses), from the factorisation (dense output)."""
        if self._ptdf is not None:
            return self._ptdf
        if not self.n_branch:
            return np.zeros((0, self.n_bus))
        return self._theta(self._incidence_rhs()).T


@dataclass(frozen=True)
class OutagePTDF:
    """The PTDF after the branches ``out`` are lost (compensation; their rows 0), by columns:
    ``ptdf[:, buses]`` is all :func:`outage_sim.engine.lp.optimal_dispatch` reads. The columns
    of ``buses`` (the buses with loads and sources) are computed once, others on demand. Exact
    for injections balanced in each island the outage leaves."""

    factor: DCFactor
    out: np.ndarray
    _mk: np.ndarray = field(repr=False)      # M[:, out]
    _inv: np.ndarray = field(repr=False)     # (I − M[out, out])⁻¹ (regularised when singular)
    _at: np.ndarray = field(repr=False)      # bus -> column of _cols, -1 when not kept
    _cols: np.ndarray = field(repr=False)

    @classmethod
    def of(cls, factor: DCFactor, out: np.ndarray, buses: np.ndarray | None = None) -> OutagePTDF:
        out = np.asarray(out, np.int64)
        mk = factor.transfer_cols(out)
        inv = small_inverse(np.eye(len(out)) - mk[out])
        at = np.full(factor.n_bus, -1, np.int64)
        kept = np.unique(np.asarray(buses if buses is not None else [], np.int64))
        at[kept] = np.arange(len(kept))
        self = cls(factor, out, mk, inv, at, np.zeros((factor.n_branch, 0)))
        object.__setattr__(self, "_cols", self._compute(kept))
        return self

    def _compute(self, buses: np.ndarray) -> np.ndarray:
        cols = self.factor.ptdf_cols(buses)
        if len(self.out):
            cols = cols + self._mk @ (self._inv @ cols[self.out])
            cols[self.out] = 0.0
        return cols

    @property
    def shape(self) -> tuple[int, int]:
        return (self.factor.n_branch, self.factor.n_bus)

    def __getitem__(self, key) -> np.ndarray:
        if not isinstance(key, tuple):  # rows, every bus (no outage: the rows of the PTDF)
            if len(self.out):
                return self[:, :][key]
            return self.factor.ptdf_rows(np.arange(self.factor.n_branch)[key])
        rows, buses = key
        buses = np.arange(self.factor.n_bus)[buses]
        pos = self._at[buses]
        cols = self._cols[:, pos] if (pos >= 0).all() else self._compute(buses)
        return cols[rows]

    def __matmul__(self, x: np.ndarray) -> np.ndarray:
        return self[:, :] @ x

    def toarray(self) -> np.ndarray:
        return self[:, :]


def bridges(n_bus: int, br_from: np.ndarray, br_to: np.ndarray) -> np.ndarray:
    """(branches,) True for the branches whose loss splits their island (graph bridges, by
    :func:`networkx.bridges` on the bus graph; a branch with a parallel twin is never one):
    ``M[k, k] = 1`` exactly for these, found without a solve per branch."""
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(range(n_bus))
    g.add_edges_from(zip(br_from.tolist(), br_to.tolist()))
    pairs = {(min(a, b), max(a, b)) for a, b in nx.bridges(g)}
    lo, hi = np.minimum(br_from, br_to), np.maximum(br_from, br_to)
    key = lo * n_bus + hi
    twin = np.bincount(np.unique(key, return_inverse=True)[1]) > 1
    is_pair = np.array([(int(a), int(b)) in pairs for a, b in zip(lo, hi)], bool)
    return is_pair & ~twin[np.unique(key, return_inverse=True)[1]] & (lo != hi)


def small_inverse(a: np.ndarray, tol: float = 1e-9) -> np.ndarray:
    """Inverse of a small square matrix, or its Tikhonov-regularised least-squares inverse when
    it is singular (an outage set that islands the grid: the system is consistent because each
    island is balanced, and every solution gives the same flows off the outaged branches)."""
    if not len(a):
        return a.copy()
    if not _singular(a[None], tol)[0]:
        return np.linalg.inv(a)
    eps = 1e-12 * max(1.0, float(np.abs(a).max()))
    return np.linalg.solve(a.T @ a + eps * np.eye(len(a)), a.T)


def solve_stacked(a: np.ndarray, rhs: np.ndarray, tol: float = 1e-9) -> tuple[np.ndarray, np.ndarray]:
    """Solve the (S, k, k) systems ``a Δ = rhs`` at once: closed form for k = 1, a batched
    :func:`numpy.linalg.solve` for the rest, regularised least squares where ``|det a| ≤ tol``
    (a cut that islands the grid). Returns Δ (S, k) and the singular flags (S,)."""
    S, k = rhs.shape
    if k == 1:
        d = a[:, 0, 0]
        singular = np.abs(d) <= tol
        return np.divide(rhs, d[:, None], out=np.zeros_like(rhs), where=~singular[:, None]), singular
    singular = _singular(a, tol)
    delta = np.zeros((S, k))
    ok = ~singular
    if ok.any():
        delta[ok] = np.linalg.solve(a[ok], rhs[ok][:, :, None])[:, :, 0]
    if singular.any():
        s = a[singular]
        st = np.swapaxes(s, 1, 2)
        eps = 1e-12 * max(1.0, float(np.abs(s).max()))
        delta[singular] = np.linalg.solve(st @ s + eps * np.eye(k)[None],
                                          (st @ rhs[singular][:, :, None]))[:, :, 0]
    return delta, singular


def _singular(a: np.ndarray, tol: float) -> np.ndarray:
    """(S,) True where the (S, k, k) ``a`` is singular: ``|det| ≤ tol`` for k ≤ 2 (det(I − M_KK)
    is the ratio of the reduced susceptance determinants after and before the outage, zero
    exactly when it islands the grid), the smallest singular value ≤ tol × the largest beyond."""
    if a.shape[1] <= 2:
        return np.abs(np.linalg.det(a)) <= tol
    sv = np.linalg.svd(a, compute_uv=False)
    return sv[:, -1] <= tol * np.maximum(sv[:, 0], 1e-300)
