"""One chunk of a Monte-Carlo sweep: draw samples ``start:stop`` of a master seed, run them
through the batch engine, and reduce them to what travels back (a Dask task's whole work).

The set-up (:class:`MonteCarloSetup`) is arrays only: the compiled grid
(:class:`~outage_sim.engine.BatchModel`), the probability tables as
:class:`~outage_sim.hazards.DrawTable`, where each table row lands in the
:class:`~outage_sim.engine.OutageMatrix`, and the distribution blocks' probabilities. Drawing
imports numpy alone (:mod:`outage_sim.hazards.draws`); outages are written into the matrix a
column group at a time, with no loop over samples.

What a chunk returns is small: per sample the rank, MW shed, customers out, components failed,
the deciding criterion (about 30 bytes), and per district the sums over the chunk (dark count,
MW shed), not per sample.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from outage_sim.engine import BatchModel, OutageMatrix, run_batch, scenario_seed
from outage_sim.hazards import (
    DrawTable,
    dark_share,
    draw_block_failures,
    draw_table_failures,
    load_fractions,
)
from outage_sim.severity import classify_batch

#: The OutageMatrix's arrays, in the order of :attr:`Targets.kind` codes.
KINDS = ("branch", "bus", "unit", "fixed")


@dataclass(frozen=True)
class Targets:
    """Where the columns of the concatenated table failures land, per matrix array: ``rows``
    (table rows, sorted by target position), ``starts`` (where each position's rows begin) and
    ``positions`` (the distinct positions); a position hit by several rows fails if any does."""

    rows: tuple[np.ndarray, ...]
    starts: tuple[np.ndarray, ...]
    positions: tuple[np.ndarray, ...]
    fixed: tuple[np.ndarray, ...]   # positions out in every sample (the scenario's faults)


@dataclass(frozen=True)
class MonteCarloSetup:
    """Everything a chunk needs, built once per sweep (numpy arrays; sent to Dask workers)."""

    model: BatchModel
    tables: tuple[DrawTable, ...]
    targets: Targets
    mode: str
    cascade_threshold: float
    scenario_name: str
    # beneath the transmission model: P(110 kV lost), P(feeder fails), feeders per block, and
    # the blocks × loads matrix; None when no hazard reaches distribution
    distribution: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None


def build_targets(kinds: np.ndarray, positions: np.ndarray,
                  fixed: list[tuple[str, int]]) -> Targets:
    """:class:`Targets` from each table row's matrix array (index into :data:`KINDS`, −1 when
    the component was out before the event) and position, and the fixed outages' places."""
    rows, starts, uniq = [], [], []
    for k in range(len(KINDS)):
        r = np.flatnonzero(kinds == k)
        r = r[np.argsort(positions[r], kind="stable")]
        u, first = np.unique(positions[r], return_index=True)
        rows.append(r)
        starts.append(first.astype(np.intp))
        uniq.append(u.astype(np.intp))
    fixed_pos = tuple(np.array(sorted({p for kind, p in fixed if kind == name}), np.intp)
                      for name in KINDS)
    return Targets(tuple(rows), tuple(starts), tuple(uniq), fixed_pos)


def draw_matrix(setup: MonteCarloSetup, master: int, start: int, stop: int) -> OutageMatrix:
    """The outage matrix of samples ``start:stop`` of master seed ``master``."""
    parts = draw_table_failures(setup.tables, master, start, stop)
    failed = np.concatenate(parts, axis=1) if parts else np.zeros((stop - start, 0), bool)
    om = OutageMatrix.empty(setup.model, stop - start)
    t = setup.targets
    for name, rows, starts, pos, fixed in zip(KINDS, t.rows, t.starts, t.positions, t.fixed):
        out = getattr(om, name)
        if len(rows):
            out[:, pos] |= np.logical_or.reduceat(failed[:, rows], starts, axis=1)
        out[:, fixed] = True
    return om


def cut_shares(setup: MonteCarloSetup, master: int, start: int, stop: int) -> np.ndarray | None:
    """(S × loads) share of each load cut off beneath the transmission model, or None."""
    if setup.distribution is None:
        return None
    p_110, p_feeder, feeders, matrix = setup.distribution
    lost, failed = draw_block_failures(p_110, p_feeder, feeders, master, start, stop)
    return load_fractions(dark_share(lost, failed, feeders), matrix)


def run_chunk(setup: MonteCarloSetup, master: int, start: int, stop: int) -> dict:
    """Draw and run samples ``start:stop``; returns compact per-sample arrays and per-district
    sums over the chunk (picklable, small)."""
    om = draw_matrix(setup, master, start, stop)
    # sample i's cascade draws: scenario_seed(master, i), as `run --seed master --sample i` replays
    res = run_batch(setup.model, om, mode=setup.mode, cascade_threshold=setup.cascade_threshold,
                    cut_share=cut_shares(setup, master, start, stop),
                    seed=np.array([scenario_seed(master, i) for i in range(start, stop)], np.int64))
    sev = classify_batch(**res.to_events())
    failed = om.branch.sum(1) + om.bus.sum(1) + om.unit.sum(1) + om.fixed.sum(1)
    return {"sample": np.arange(start, stop, dtype=np.int64), "rank": sev.rank.astype(np.int8),
            "shed_mw": res.main_shed_mw, "customers_out": res.main_customers_out,
            "failed": failed.astype(np.int32), "uncertain": res.uncertain,
            "decided_scope": sev.decided_scope, "decided_measure": sev.decided_measure,
            "districts_shed": (res.shed_mw > 1e-6).sum(axis=1).astype(np.int16),
            # per district, summed over the chunk (not per sample: memory stays flat)
            "dark_count": res.dark().sum(axis=0), "shed_sum_mw": res.shed_mw.sum(axis=0)}
