"""The batch engine's data: a net compiled to arrays (:class:`BatchModel`) and the outages of
many scenarios (:class:`OutageMatrix`). :func:`outage_sim.engine.batch.compile_batch` makes
the one, the caller the other; :mod:`outage_sim.engine.chunk` works on both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from outage_sim.engine.sparse import DCFactor
from outage_sim.errors import InputError
from outage_sim.hazards import Outage


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
    dc: DCFactor                     # the factorised DC model: flows, PTDF and M columns
    load_bus: np.ndarray
    demand: np.ndarray               # MW the event can lose (the severity's "load"): what the
                                     # intact net serves (engine.base.BaseState.reference)
    served0: np.ndarray              # MW served just before the event (after any orderly use)
    priority: np.ndarray             # 0-based position in the priority levels
    priorities: np.ndarray           # the distinct shed_priority values, ascending
    shed_cost: np.ndarray            # per load, the LP cost per MW shed (engine.lp.shed_cost)
    customers: np.ndarray            # customers the intact net supplies
    load_district: np.ndarray
    district_names: tuple[str, ...]
    unit_bus: np.ndarray
    unit_p0: np.ndarray
    unit_pmin: np.ndarray
    unit_pmax: np.ndarray
    unit_fast: np.ndarray
    unit_on0: np.ndarray
    unit_type: np.ndarray            # coal, gas, hydro, ... (ext_grid for an external grid)
    unit_ref: tuple[tuple[str, int], ...]
    fixed_bus: np.ndarray
    fixed_p0: np.ndarray
    fixed_pmax: np.ndarray           # the most each may carry minutes after (interties' support)
    fixed_fast: np.ndarray           # ... and in the first seconds (cascade mode)
    fixed_control: np.ndarray        # interties' control (outage_sim.grid.RAISING_CONTROLS)
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
    known: frozenset = field(repr=False, default=frozenset())  # every (table, index) of the net
    base_island: np.ndarray = field(repr=False, default=None)  # island of each bus before the event
    base: object = field(repr=False, default=None)  # the intact net's BaseState
    # each branch's place in the net's full branch list (all lines, then all transformers) and
    # that list's length: the cascade's random draws are vectors over it (engine.cascade_model)
    br_full: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0, np.int64))
    n_full: int = 0

    @property
    def n_branch(self) -> int:
        return len(self.br_from)

    @property
    def ptdf(self) -> np.ndarray:
        """The dense PTDF (branch × bus): kept when it fits the factor's budget, else built
        (branches × buses floats: avoid on large nets, use ``dc.ptdf_cols``)."""
        return self.dc.ptdf_matrix()

    @property
    def transfer(self) -> np.ndarray:
        """The dense M (branch × branch), as :attr:`ptdf` (else ``dc.transfer_cols``)."""
        dense = self.dc.dense()
        return dense[1] if dense else self.dc.transfer_cols(np.arange(self.n_branch))


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
    def from_indices(cls, bm: BatchModel, branch: np.ndarray | None = None,
                     bus: np.ndarray | None = None, unit: np.ndarray | None = None,
                     fixed: np.ndarray | None = None) -> OutageMatrix:
        """From (S, k) arrays of positions (branch, bus, unit and infeed positions of ``bm``;
        -1 pads a shorter row). Build one chunk at a time for big studies (see
        :func:`pairs_chunks`): only the chunk's booleans are ever held."""
        given = [a for a in (branch, bus, unit, fixed) if a is not None]
        if not given:
            raise InputError("outages: give at least one of branch, bus, unit, fixed")
        om = cls.empty(bm, len(given[0]))
        for name, idx in (("branch", branch), ("bus", bus), ("unit", unit), ("fixed", fixed)):
            if idx is None:
                continue
            idx = np.asarray(idx, np.int64)
            idx = idx[:, None] if idx.ndim == 1 else idx
            arr = getattr(om, name)
            if idx.ndim != 2 or len(idx) != om.n:
                raise InputError(f"{name}: expected ({om.n}, k) positions, got shape {idx.shape}")
            if (idx >= arr.shape[1]).any() or (idx < -1).any():
                raise InputError(f"{name}: positions must lie in -1..{arr.shape[1] - 1}")
            s, j = np.nonzero(idx >= 0)
            arr[s, idx[s, j]] = True
        return om

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
            if bm.known and (element, int(index)) not in bm.known:
                raise InputError(f"outages: {element} {index!r} is not in net.{element}")
            return  # out of service before the event: nothing to lose
        getattr(self, kind)[s, pos] = True

    def take(self, rows: slice | np.ndarray) -> OutageMatrix:
        return OutageMatrix(self.branch[rows], self.bus[rows], self.unit[rows], self.fixed[rows])


def pairs_chunks(n: int, chunk: int = 65536):
    """Every unordered pair of ``n`` positions (i < j) as (P, 2) int arrays of at most ``chunk``
    rows, in lexicographic order, never all at once: the index input of a full N-2 study
    (``OutageMatrix.from_indices(bm, branch=pairs)``)."""
    i, j = 0, 1
    while i < n - 1:
        rows_i, rows_j = [], []
        left = chunk
        while left > 0 and i < n - 1:
            take = min(left, n - j)
            rows_i.append(np.full(take, i, np.int64))
            rows_j.append(np.arange(j, j + take, dtype=np.int64))
            left -= take
            j += take
            if j >= n:
                i, j = i + 1, i + 2
        yield np.column_stack([np.concatenate(rows_i), np.concatenate(rows_j)])
