"""One optimisation for the dispatcher's minutes after an event: island balance and overload
relief as one linear program (HiGHS, through its own Python binding ``highspy``), used by the
single engine and by the batch engine alike.

The balance rule (:func:`outage_sim.engine.balance.shed_by_priority`: units up to their limits,
healthy interties up to theirs, then whole priority levels of load, the marginal level by the
same share on each of its loads) is what a dispatcher does when the network does not constrain
the choice. When a branch would be overloaded, balance and relief are decided together by
:func:`optimal_dispatch`, a DC optimal load shed (scipy's HiGHS) over

- ``α_g`` ∈ [0, 1]: the share cut from every load of a priority group ``g`` (one priority level in
  one island; the rule's rotating cut), costing the level's shedding cost per MW;
- ``s_l``: a cut aimed at one load (where the network needs it), the same cost plus
  :data:`TARGETED_PREMIUM`, so a whole-group share is preferred when it serves as well;
- ``up_u``/``dn_u``: units' redispatch within their limits (:data:`REDISPATCH_COST`);
- ``sup_f``: emergency support of the healthy interties up to their limits (:data:`SUPPORT_COST`);
- ``cur_f``: curtailment of renewables and imports (:data:`CURTAIL_COST`);

subject to each island's balance and every branch within its rating. Shedding costs rise by
:data:`SHED_COST_STEP` per priority level, so a higher level is never cut where a lower one would
do. The problem starts from the rule's state with the rule's shed put back, so the rule's answer
(and the rule followed by relief, the sequential way) is always feasible: the joint optimum is
never worse. Losses are a share of each load (``(1 + loss) × served`` withdrawn at its bus), so
the balance and the flows agree.

Branches are added to the problem as they bind (constraint generation): the first solve holds the
branches loaded above :data:`WATCH_LOADING` of their rating, later solves add any branch the
solution overloads, until none is.
"""

from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

import highspy
import numpy as np
from scipy.sparse import csr_matrix, vstack

if TYPE_CHECKING:
    from outage_sim.engine.sparse import OutagePTDF

REDISPATCH_COST, SUPPORT_COST, CURTAIL_COST = 1.0, 3.0, 5.0
SHED_COST_BASE, SHED_COST_STEP = 1_000.0, 8.0
TARGETED_PREMIUM = 1e-3
WATCH_LOADING = 0.7
MAX_ROUNDS = 12
TOL_MW = 1e-6


def shed_cost(priority: np.ndarray) -> np.ndarray:
    """LP cost per MW shed of loads by their ``shed_priority`` (1 cut first, cheapest)."""
    return SHED_COST_BASE * SHED_COST_STEP ** (np.asarray(priority, float) - 1.0)


@dataclass
class DispatchProblem:
    """One scenario's state for :func:`optimal_dispatch` (positions follow the engine's arrays).

    ``ptdf`` is branches × buses: a dense array, or an object giving its columns on demand
    (``ptdf[rows, buses]`` and ``shape``; :class:`outage_sim.engine.sparse.OutagePTDF`): the LP
    reads only the columns of the buses with loads and sources, and only the rows it watches.

    ``flows`` are the DC flows of the state as given (``ptdf @ injections``); ``balance`` is what
    each island's changes must add up to (MW of generation to find, or load to shed × (1 + loss));
    ``active`` marks branches in service (others carry nothing and are not limited).
    """

    ptdf: np.ndarray | OutagePTDF
    island: np.ndarray
    rating: np.ndarray
    active: np.ndarray
    flows: np.ndarray
    balance: np.ndarray
    served: np.ndarray
    load_bus: np.ndarray
    priority: np.ndarray
    cost: np.ndarray
    unit_bus: np.ndarray
    unit_p: np.ndarray
    unit_lo: np.ndarray
    unit_hi: np.ndarray
    unit_on: np.ndarray
    fixed_bus: np.ndarray
    fixed_p: np.ndarray
    fixed_hi: np.ndarray
    fixed_on: np.ndarray
    loss: float = 0.0


@dataclass
class DispatchSolution:
    """What :func:`optimal_dispatch` decided: new served MW per load, unit and infeed outputs,
    the MW cut from each load by whole-group shares and by aimed cuts, and the LP objective."""

    served: np.ndarray
    unit_p: np.ndarray
    fixed_p: np.ndarray
    group_cut: np.ndarray
    aimed_cut: np.ndarray
    objective: float
    ok: bool
    message: str = ""


@dataclass
class _Vars:
    """The LP's variables: group shares, aimed cuts, units up and down, interties up and
    curtailment down, in that order (positions into the problem's arrays)."""

    loads: np.ndarray
    units: np.ndarray
    fixed: np.ndarray
    gidx: np.ndarray             # group of each load
    n_g: int
    served: np.ndarray           # MW of each load
    w: float                     # 1 + loss

    @property
    def n_l(self) -> int:
        return len(self.loads)

    def sens(self, prob: DispatchProblem, rows: np.ndarray) -> np.ndarray:
        """Flow change on branches ``rows`` per unit of every variable (PTDF rows only)."""
        sl = _block(prob.ptdf, rows, prob.load_bus[self.loads]) * self.w
        sg = np.zeros((len(rows), self.n_g))
        for r in range(len(rows)):
            sg[r] = np.bincount(self.gidx, weights=sl[r] * self.served, minlength=self.n_g)
        su = _block(prob.ptdf, rows, prob.unit_bus[self.units])
        sf = _block(prob.ptdf, rows, prob.fixed_bus[self.fixed])
        return np.hstack([sg, sl, su, -su, sf, -sf])

    def injection(self, prob: DispatchProblem, x: np.ndarray) -> np.ndarray:
        """Injection change per bus of a solution ``x``."""
        n_g, n_l, n_u, n_f = self.n_g, self.n_l, len(self.units), len(self.fixed)
        dp = np.zeros(len(prob.island))
        np.add.at(dp, prob.load_bus[self.loads],
                  self.w * (x[:n_g][self.gidx] * self.served + x[n_g:n_g + n_l]))
        o = n_g + n_l
        np.add.at(dp, prob.unit_bus[self.units], x[o:o + n_u] - x[o + n_u:o + 2 * n_u])
        o += 2 * n_u
        np.add.at(dp, prob.fixed_bus[self.fixed], x[o:o + n_f] - x[o + n_f:o + 2 * n_f])
        return dp


@functools.cache
def _banner_swallowed() -> None:
    """HiGHS prints its banner on the process's standard output (the file descriptor, not
    ``sys.stdout``) when the first solver is made, and standard output is the result of
    ``--json`` commands: the first solver is made here, with it pointed at the null device."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _new_highs() -> highspy.Highs:
    """A quiet HiGHS solver (its banner swallowed once per process)."""
    _banner_swallowed()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    return h


def _highs(cost: np.ndarray, ub: np.ndarray, a, lo: np.ndarray,
           hi: np.ndarray) -> tuple[np.ndarray | None, str]:
    """min cost·x, 0 ≤ x ≤ ub, lo ≤ a x ≤ hi (``a`` CSC) with HiGHS (highspy): the solution,
    or None and the solver's status."""
    h = _new_highs()
    model = highspy.HighsLp()
    model.num_col_, model.num_row_ = len(cost), a.shape[0]
    model.col_cost_, model.col_lower_, model.col_upper_ = cost, np.zeros(len(cost)), ub
    inf = highspy.kHighsInf
    model.row_lower_ = np.where(np.isfinite(lo), lo, -inf)
    model.row_upper_ = np.where(np.isfinite(hi), hi, inf)
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_, model.a_matrix_.index_, model.a_matrix_.value_ = a.indptr, a.indices, a.data
    h.passModel(model)
    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        return None, h.modelStatusToString(status)
    return np.clip(np.asarray(h.getSolution().col_value), 0.0, None), ""


def _block(ptdf, rows: np.ndarray, buses: np.ndarray) -> np.ndarray:
    """PTDF entries of branches ``rows`` × buses ``buses``: of a dense array, or of an object
    giving columns on demand (``ptdf[rows, buses]``, :class:`outage_sim.engine.sparse.OutagePTDF`)."""
    if isinstance(ptdf, np.ndarray):
        return ptdf[np.ix_(rows, buses)]
    return ptdf[rows, buses]


def _dot(ptdf, dp: np.ndarray) -> np.ndarray:
    """Flow change of every branch for an injection change ``dp`` (only its buses' columns)."""
    nz = np.flatnonzero(dp)
    return _block(ptdf, np.arange(ptdf.shape[0]), nz) @ dp[nz]


def optimal_dispatch(prob: DispatchProblem) -> DispatchSolution:
    """Solve the joint balance-and-relief LP of ``prob`` (see the module docstring)."""
    loads = np.flatnonzero(prob.served > 1e-9)
    units = np.flatnonzero(prob.unit_on)
    fixed = np.flatnonzero(prob.fixed_on)
    lisl = prob.island[prob.load_bus[loads]]
    groups, gidx = np.unique(np.column_stack([lisl, prob.priority[loads]]), axis=0,
                             return_inverse=True)
    v = _Vars(loads, units, fixed, gidx.ravel(), len(groups), prob.served[loads], 1.0 + prob.loss)
    n_g, n_l, n_u, n_f, w, served = v.n_g, v.n_l, len(units), len(fixed), v.w, v.served
    g_mw = np.bincount(v.gidx, weights=served, minlength=n_g)
    cost_g = prob.cost[loads][np.unique(v.gidx, return_index=True)[1]] if n_g else np.zeros(0)
    cost = np.concatenate([cost_g * g_mw, prob.cost[loads] * (1 + TARGETED_PREMIUM),
                           np.full(2 * n_u, REDISPATCH_COST), np.full(n_f, SUPPORT_COST),
                           np.full(n_f, CURTAIL_COST)])
    ub = np.clip(np.concatenate([np.ones(n_g), served, prob.unit_hi[units] - prob.unit_p[units],
                                 prob.unit_p[units] - prob.unit_lo[units],
                                 prob.fixed_hi[fixed] - prob.fixed_p[fixed], prob.fixed_p[fixed]]),
                 0.0, None)
    # island balance: every variable's generation-side contribution
    var_isl = np.concatenate([groups[:, 0] if n_g else np.zeros(0, np.int64), lisl,
                              np.tile(prob.island[prob.unit_bus[units]], 2),
                              np.tile(prob.island[prob.fixed_bus[fixed]], 2)]).astype(np.int64)
    var_bal = np.concatenate([w * g_mw, np.full(n_l, w), np.ones(n_u), -np.ones(n_u),
                              np.ones(n_f), -np.ones(n_f)])
    islands = np.unique(np.concatenate([var_isl, np.flatnonzero(np.abs(prob.balance) > TOL_MW)]))
    islands = islands[islands >= 0]
    row = np.searchsorted(islands, var_isl)
    a_eq = csr_matrix((var_bal, (row, np.arange(len(cost)))), shape=(len(islands), len(cost)))
    b_eq = prob.balance[islands] if len(prob.balance) else np.zeros(0)
    # a load cannot lose more than it has: its group share and its aimed cut together
    a_cap = csr_matrix((np.concatenate([served, np.ones(n_l)]),
                        (np.tile(np.arange(n_l), 2), np.concatenate([v.gidx, n_g + np.arange(n_l)]))),
                       shape=(n_l, len(cost)))
    x, res = _solve_with_watch(prob, v, cost, ub, a_eq, b_eq, a_cap)
    if x is None:
        return DispatchSolution(prob.served.copy(), prob.unit_p.copy(), prob.fixed_p.copy(),
                                np.zeros_like(prob.served), np.zeros_like(prob.served), np.inf,
                                False, res)
    group_cut = np.zeros_like(prob.served)
    aimed_cut = np.zeros_like(prob.served)
    group_cut[loads] = x[:n_g][v.gidx] * served
    aimed_cut[loads] = x[n_g:n_g + n_l]
    new_served = prob.served.copy()
    new_served[loads] = np.clip(served - group_cut[loads] - aimed_cut[loads], 0.0, None)
    o = n_g + n_l
    unit_p = prob.unit_p.copy()
    unit_p[units] += x[o:o + n_u] - x[o + n_u:o + 2 * n_u]
    o += 2 * n_u
    fixed_p = prob.fixed_p.copy()
    fixed_p[fixed] += x[o:o + n_f] - x[o + n_f:o + 2 * n_f]
    return DispatchSolution(new_served, unit_p, fixed_p, group_cut, aimed_cut,
                            float(cost @ x), True)


def _solve_with_watch(prob: DispatchProblem, v: _Vars, cost, ub, a_eq, b_eq, a_cap):
    """Solve with the branches that bind, adding any the solution overloads (see the module
    docstring). Returns the solution vector (None on failure) and the solver's message."""
    rating = np.where(prob.active, prob.rating, np.inf)
    watch = prob.active & (np.abs(prob.flows) > WATCH_LOADING * prob.rating)
    rows = np.flatnonzero(watch)
    sens = v.sens(prob, rows)
    for _ in range(MAX_ROUNDS):
        a = vstack([csr_matrix(sens), a_cap, a_eq]).tocsc()
        lo = np.concatenate([-rating[rows] - prob.flows[rows], np.full(v.n_l, -np.inf), b_eq])
        hi = np.concatenate([rating[rows] - prob.flows[rows], v.served, b_eq])
        x, message = _highs(cost, ub, a, lo, hi)
        if x is None:
            return None, message
        flows = prob.flows + _dot(prob.ptdf, v.injection(prob, x))
        over = prob.active & ~watch & (np.abs(flows) > rating + TOL_MW)
        if not over.any():
            return x, ""
        new = np.flatnonzero(over)
        watch |= over
        rows = np.concatenate([rows, new])
        sens = np.vstack([sens, v.sens(prob, new)])
    return None, f"overloads still appearing after {MAX_ROUNDS} rounds"
