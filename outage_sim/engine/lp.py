"""One optimisation for the dispatcher's minutes after an event: island balance and overload
relief as one linear program, used by the single engine and by the batch engine alike.

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

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix, vstack

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

    ``flows`` are the DC flows of the state as given (``ptdf @ injections``); ``balance`` is what
    each island's changes must add up to (MW of generation to find, or load to shed × (1 + loss));
    ``active`` marks branches in service (others carry nothing and are not limited).
    """

    ptdf: np.ndarray
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
class _Columns:
    bus: list[np.ndarray]
    inj: list[np.ndarray]        # injection per unit of the variable at its bus (sign)
    cost: list[np.ndarray]
    ub: list[np.ndarray]
    island: list[np.ndarray]
    balance: list[np.ndarray]    # contribution per unit to the island's balance
    loads_of: list[np.ndarray]   # group columns: the loads they cut


def optimal_dispatch(prob: DispatchProblem) -> DispatchSolution:
    """Solve the joint balance-and-relief LP of ``prob`` (see the module docstring)."""
    loads = np.flatnonzero(prob.served > 1e-9)
    units = np.flatnonzero(prob.unit_on)
    fixed = np.flatnonzero(prob.fixed_on)
    lisl = prob.island[prob.load_bus[loads]]
    groups, gidx = np.unique(np.column_stack([lisl, prob.priority[loads]]), axis=0,
                             return_inverse=True)
    gidx = gidx.ravel()
    n_g, n_l, n_u, n_f = len(groups), len(loads), len(units), len(fixed)
    w = 1.0 + prob.loss
    served = prob.served[loads]
    g_mw = np.bincount(gidx, weights=served, minlength=n_g)
    # flow sensitivity of every variable (branch × variable), built from PTDF columns
    sens_load = prob.ptdf[:, prob.load_bus[loads]] * w
    sens_group = (sens_load * served[None, :]) @ _onehot(gidx, n_g)
    sens_unit = prob.ptdf[:, prob.unit_bus[units]]
    sens_fixed = prob.ptdf[:, prob.fixed_bus[fixed]]
    sens = np.hstack([sens_group, sens_load, sens_unit, -sens_unit, sens_fixed, -sens_fixed])
    cost_g = prob.cost[loads][np.unique(gidx, return_index=True)[1]] if n_g else np.zeros(0)
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
    n_var = len(cost)
    a_cap = csr_matrix((np.concatenate([served, np.ones(n_l)]),
                        (np.tile(np.arange(n_l), 2), np.concatenate([gidx, n_g + np.arange(n_l)]))),
                       shape=(n_l, n_var))
    x, res = _solve_with_watch(prob, sens, cost, ub, a_eq, b_eq, a_cap, served)
    if x is None:
        return DispatchSolution(prob.served.copy(), prob.unit_p.copy(), prob.fixed_p.copy(),
                                np.zeros_like(prob.served), np.zeros_like(prob.served), np.inf,
                                False, res)
    alpha, aimed = x[:n_g], x[n_g:n_g + n_l]
    group_cut = np.zeros_like(prob.served)
    aimed_cut = np.zeros_like(prob.served)
    group_cut[loads] = alpha[gidx] * served
    aimed_cut[loads] = aimed
    new_served = prob.served.copy()
    new_served[loads] = np.clip(served - group_cut[loads] - aimed, 0.0, None)
    o = n_g + n_l
    unit_p = prob.unit_p.copy()
    unit_p[units] += x[o:o + n_u] - x[o + n_u:o + 2 * n_u]
    o += 2 * n_u
    fixed_p = prob.fixed_p.copy()
    fixed_p[fixed] += x[o:o + n_f] - x[o + n_f:o + 2 * n_f]
    return DispatchSolution(new_served, unit_p, fixed_p, group_cut, aimed_cut,
                            float(cost @ x), True)


def _onehot(idx: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros((len(idx), n))
    out[np.arange(len(idx)), idx] = 1.0
    return out


def _solve_with_watch(prob: DispatchProblem, sens, cost, ub, a_eq, b_eq, a_cap, served):
    """Solve with the branches that bind, adding any the solution overloads (see the module
    docstring). Returns the solution vector (None on failure) and the solver's message."""
    rating = np.where(prob.active, prob.rating, np.inf)
    watch = prob.active & (np.abs(prob.flows) > WATCH_LOADING * prob.rating)
    bounds = np.column_stack([np.zeros(len(cost)), ub])
    message = ""
    for _ in range(MAX_ROUNDS):
        rows = np.flatnonzero(watch)
        s = sens[rows]
        a_ub = vstack([csr_matrix(s), csr_matrix(-s), a_cap]).tocsr()
        b_ub = np.concatenate([rating[rows] - prob.flows[rows], rating[rows] + prob.flows[rows],
                               served])
        res = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq if a_eq.shape[0] else None,
                      b_eq=b_eq if a_eq.shape[0] else None, bounds=bounds, method="highs")
        if res.status != 0:
            return None, str(res.message)
        x = np.clip(res.x, 0.0, None)
        flows = prob.flows + sens @ x
        over = prob.active & ~watch & (np.abs(flows) > rating + TOL_MW)
        if not over.any():
            return x, message
        watch |= over
    return None, f"overloads still appearing after {MAX_ROUNDS} rounds"
