"""Seeded draws of many samples at once, with numpy alone (no pandapower: Dask workers use it).

A Monte-Carlo sweep of master seed ``m`` is cut into blocks of :data:`DRAW_BLOCK` samples; block
``b`` draws from its own streams, ``SeedSequence(m, spawn_key=(b, stream))`` (the same children
``SeedSequence(m).spawn`` gives), so sample ``i`` depends on ``m`` and ``i`` alone, whatever the
chunks, threads or workers that compute it. In a block, each probability table takes one
``random((samples, groups))`` matrix (rows of a group share a uniform, as in a single draw), and
the distribution blocks one uniform matrix and one binomial matrix.

:func:`failure_matrix` turns uniforms into failures; the single draw
(:func:`outage_sim.hazards.sample_failures`) calls it with one row, so both follow one rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Samples per seeding block (a sample's draw depends on the master seed and its index alone).
DRAW_BLOCK = 500
#: The streams of a block: the transmission tables, and the 110 kV / feeder blocks beneath them.
TABLE_STREAM, DISTRIBUTION_STREAM = 0, 1


def group_codes(table: pd.DataFrame) -> np.ndarray:
    """0-based group number of each row of a probability table (rows of a group share a draw)."""
    return pd.factorize(table["group"], sort=False)[0]


@dataclass(frozen=True)
class DrawTable:
    """A probability table as arrays: per row ``p_fail``, group code and ``choose`` (k of a set
    fail when ``choose = k > 0``); ``n_groups`` uniforms per sample."""

    p_fail: np.ndarray
    codes: np.ndarray
    choose: np.ndarray
    n_groups: int

    @classmethod
    def from_table(cls, table: pd.DataFrame) -> DrawTable:
        codes = group_codes(table).astype(np.int64)
        choose = (table["choose"].to_numpy(np.int64) if "choose" in table
                  else np.zeros(len(table), np.int64))
        return cls(table["p_fail"].to_numpy(float), codes, choose,
                   int(codes.max()) + 1 if len(codes) else 0)


def failure_matrix(u: np.ndarray, table: DrawTable) -> np.ndarray:
    """(S × rows) failed, from (S × groups) uniforms: ``u < p_fail``; rows with ``choose = k``
    are replaced, in every sample, by the k of them with the smallest uniforms."""
    uu = u[:, table.codes]
    failed = uu < table.p_fail
    rows = np.flatnonzero(table.choose > 0)
    if len(rows):
        k = int(table.choose[rows[0]])
        failed[:, rows] = False
        pick = np.argsort(uu[:, rows], axis=1, kind="stable")[:, :k]
        failed[np.arange(len(u))[:, None], rows[pick]] = True
    return failed


def block_generator(master: int, block: int, stream: int) -> np.random.Generator:
    """The generator of one block's stream (``SeedSequence(master).spawn`` child ``(block, stream)``)."""
    return np.random.default_rng(np.random.SeedSequence(int(master), spawn_key=(int(block), stream)))


def sample_blocks_of(start: int, stop: int) -> Iterator[tuple[int, slice, slice]]:
    """For samples ``start:stop``: each seeding block, the rows of it wanted, and where they go."""
    for b in range(start // DRAW_BLOCK, -(-stop // DRAW_BLOCK)):
        lo, hi = max(start, b * DRAW_BLOCK), min(stop, (b + 1) * DRAW_BLOCK)
        yield b, slice(lo - b * DRAW_BLOCK, hi - b * DRAW_BLOCK), slice(lo - start, hi - start)


class SampleStream:
    """The uniforms of one Monte-Carlo sample, handed out as a generator hands them out: the
    k-th ``random(n)`` call gives the sample's row of its block's k-th table matrix. Passed as
    ``rng`` to :func:`~outage_sim.hazards.draw_hazards`, it replays sample ``sample`` of master
    seed ``master`` through the single engine."""

    def __init__(self, master: int, sample: int) -> None:
        if sample < 0:
            raise ValueError(f"sample: must be at least 0, got {sample}")
        self.master, self.sample = int(master), int(sample)
        self._rng = block_generator(master, sample // DRAW_BLOCK, TABLE_STREAM)

    def random(self, n: int) -> np.ndarray:
        return self._rng.random((DRAW_BLOCK, int(n)))[self.sample % DRAW_BLOCK]


def draw_table_failures(tables: tuple[DrawTable, ...], master: int, start: int, stop: int
                        ) -> list[np.ndarray]:
    """Samples ``start:stop`` of a sweep: per table, (S × rows) failed."""
    out = [np.zeros((stop - start, len(t.p_fail)), bool) for t in tables]
    for b, rows, place in sample_blocks_of(start, stop):
        rng = block_generator(master, b, TABLE_STREAM)
        for t, dest in zip(tables, out):
            u = rng.random((DRAW_BLOCK, t.n_groups))[rows]
            dest[place] = failure_matrix(u, t)
    return out


def draw_block_failures(p_110: np.ndarray, p_feeder: np.ndarray, feeders: np.ndarray,
                        master: int, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
    """Samples ``start:stop``: per distribution block, whether its 110 kV supply failed (S × B)
    and how many of its feeders failed (binomial, S × B)."""
    lost = np.zeros((stop - start, len(feeders)), bool)
    failed = np.zeros((stop - start, len(feeders)), np.int64)
    for b, rows, place in sample_blocks_of(start, stop):
        rng = block_generator(master, b, DISTRIBUTION_STREAM)
        lost[place] = (rng.random((DRAW_BLOCK, len(feeders))) < p_110)[rows]
        failed[place] = rng.binomial(feeders, p_feeder, size=(DRAW_BLOCK, len(feeders)))[rows]
    return lost, failed


def dark_share(lost: np.ndarray, failed: np.ndarray, feeders: np.ndarray) -> np.ndarray:
    """Share of each block's load cut off: all of it when its 110 kV supply failed."""
    return np.where(lost, 1.0, failed / np.maximum(feeders, 1))


def load_fractions(dark: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """(S × loads) share of each load cut off by distribution failures, from (S × blocks)."""
    return np.clip(dark @ matrix, 0.0, 1.0)
