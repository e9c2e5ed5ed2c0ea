"""Load transfer (负荷转供) in the first hours: a dark 220 kV station's load onto its neighbours.

Beneath every 220 kV station of the model lies its 110 kV network; normally open 110 kV ties
(and 10 kV tie switches) join it to a neighbouring station's. When a station is de-energised
(its supply chain lost, or the station itself damaged) the dispatcher opens the dead station's
110 kV side and closes the ties, so the neighbours pick up its load (倒换电网运行方式, how 泸县
2021 had 68% of its customers back in 2.5 h, chongqing-facts.md). ``transfers.csv`` (through
:func:`outage_sim.grid.transfer_capacity`) says which stations can take which others' load and
how much (the tie's limit); ``repair.yaml`` ``load_transfer`` says when the switching is done and
the power factor of a station's 220/110 kV transformer rating.

:meth:`LoadTransfer.plan` moves load rows (a share of each, never more than the tie, and never
more than the receiving station's 220/110 kV headroom: its rating less its own demand less what
it already took) from dark stations to energised partners. The moved rows sit on the partner's
bus in the net the load-shed engine is then asked about, so the 220 kV and 500 kV network's
ratings (the engine's DC model and its overload relief) are respected as well.
"""

from __future__ import annotations

import copy
from typing import NamedTuple

import numpy as np
import pandas as pd

from outage_sim.grid import transfer_capacity
from outage_sim.restoration.topology import Topology, TopoState


class Move(NamedTuple):
    """One load row moved: its position, the receiving bus (position), the share moved."""

    load: int
    to_bus: int
    share: float


class LoadTransfer:
    """The transfer partners of a net's 220 kV stations and their headroom (empty when the net
    has no transfer data or ``repair.yaml`` no ``load_transfer``)."""

    def __init__(self, net, topo: Topology, prm: dict | None, table: pd.DataFrame | None = None):
        self.topo = topo
        self.switch_h = float(prm["switch_h"]) if prm else np.inf
        pf = float(prm["power_factor"]) if prm else 0.0
        table = transfer_capacity() if table is None and prm else table
        names = {str(n): topo.bus_pos[int(i)] for i, n in net.bus.name.items()}
        self.pairs: dict[int, list[tuple[int, float]]] = {}
        if table is not None and len(table):
            for r in table.sort_values("transfer_mw", ascending=False, kind="stable").itertuples():
                a, b = names.get(str(r.from_station)), names.get(str(r.to_station))
                if a is not None and b is not None and float(r.transfer_mw) > 0:
                    self.pairs.setdefault(a, []).append((b, float(r.transfer_mw)))
        mva = (pd.to_numeric(net.bus["transformer_mva"], errors="coerce").to_numpy(float)
               if "transformer_mva" in net.bus else np.full(len(net.bus), np.nan))
        self.rating_mw = np.nan_to_num(mva, nan=0.0) * pf  # the 220/110 kV transformers, MW
        self.names = net.bus.name.astype(str).tolist()

    @property
    def empty(self) -> bool:
        return not self.pairs

    def rating_of(self, bus: int) -> float:
        return float(self.rating_mw[bus])

    def plan(self, t: float, st: TopoState, demand: np.ndarray,
             rank: np.ndarray) -> tuple[Move, ...]:
        """The moves at ``t``: every dark station's load rows, in pick-up order (``rank``), onto
        its energised partners within the tie's limit and the partner's headroom."""
        if self.empty or t < self.switch_h - 1e-9:
            return ()
        bus = self.topo.load_bus
        dark_load = self.topo.load_on0 & ~st.energised[bus] & (demand > 0)
        if not dark_load.any():
            return ()
        own = np.bincount(bus, demand, self.topo.n_bus)
        taken = np.zeros(self.topo.n_bus)
        moves: list[Move] = []
        dark = np.unique(bus[dark_load])
        # stations holding the most urgent load first, then the largest
        first = {s: (int(rank[dark_load & (bus == s)].min()), -own[s]) for s in dark}
        for s in sorted(dark, key=first.__getitem__):
            rows = np.flatnonzero(dark_load & (bus == s))
            moves += self._station(s, rows[np.argsort(rank[rows])], st, demand, own, taken)
        return tuple(moves)

    def _station(self, s: int, rows: np.ndarray, st: TopoState, demand: np.ndarray,
                 own: np.ndarray, taken: np.ndarray) -> list[Move]:
        """The moves of one dark station's rows onto its partners, largest tie first."""
        moves: list[Move] = []
        k = 0
        for p, tie in self.pairs.get(s, []):
            if k >= len(rows):
                break
            if not (st.energised[p] and self.topo.bus_on0[p]):
                continue
            room = min(tie, self.rating_mw[p] - own[p] - taken[p])
            while k < len(rows) and room > 1e-6:
                mw = min(float(demand[rows[k]]), room)
                moves.append(Move(int(rows[k]), int(p), mw / float(demand[rows[k]])))
                taken[p] += mw
                room -= mw
                k += 1
        return moves

    def moved_net(self, net, moves: tuple[Move, ...]):
        """A copy of ``net`` with each moved load row's share on its receiving bus."""
        out = copy.deepcopy(net)
        if not moves:
            return out
        idx = out.load.index[[m.load for m in moves]]
        bus_index = out.bus.index.to_numpy()
        share = np.array([m.share for m in moves])
        out.load.loc[idx, "bus"] = bus_index[[m.to_bus for m in moves]]
        out.load.loc[idx, "p_mw"] = out.load.loc[idx, "p_mw"].to_numpy(float) * share
        out.load.loc[idx, "q_mvar"] = out.load.loc[idx, "q_mvar"].to_numpy(float) * share
        return out

    def summary(self, moves: tuple[Move, ...], demand: np.ndarray) -> dict[tuple[int, int], float]:
        """MW moved per (dark station, receiving station) bus pair."""
        pairs: dict[tuple[int, int], float] = {}
        for m in moves:
            key = (int(self.topo.load_bus[m.load]), m.to_bus)
            pairs[key] = pairs.get(key, 0.0) + m.share * float(demand[m.load])
        return pairs
