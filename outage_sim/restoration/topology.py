"""Which parts of the grid are energised while components are out: islands for many outage sets.

Restoration asks the same question hundreds of times — with these components still out, which
buses are energised, and which would be if this repair were done? — so :class:`Topology` compiles
an annotated net into arrays once (from :func:`outage_sim.engine.active_masks`, so an
element counts only if it and its buses are in service, as everywhere else) and answers each
question with one :func:`scipy.sparse.csgraph.connected_components` call.

An island is energised when it holds a synchronous source, as in the load-shed engine
(:mod:`outage_sim.engine.shed`): a generating unit, a grid-forming intertie (UHV/AC tie, back-to-back
VSC) or an external grid. The LCC DC infeed and renewables need an energised bus.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandapower as pp
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from outage_sim.engine import GRID_FORMING_IMPORTS, active_masks

Key = tuple[str, int]  # (pandapower table, index): the identity of an element


@dataclass(frozen=True)
class TopoState:
    """Islands of one outage set: ``island`` per bus (-1 out of service), ``energised`` per bus."""

    island: np.ndarray
    energised: np.ndarray
    bus_on: np.ndarray


class Topology:
    """Arrays of an annotated net for islanding many outage sets (the net is not kept)."""

    def __init__(self, net: pp.pandapowerNet):
        masks = active_masks(net)
        self.bus_pos = {int(b): i for i, b in enumerate(net.bus.index)}
        self.n_bus = len(self.bus_pos)
        self.bus_on0 = masks["bus"]
        self._pos: dict[Key, tuple[str, int]] = {("bus", int(b)): ("bus", i)
                                                  for b, i in self.bus_pos.items()}
        ends = []
        offset = 0  # branches: lines, then transformers
        for table, a, b in (("line", "from_bus", "to_bus"), ("trafo", "hv_bus", "lv_bus")):
            t = net[table]
            ends.append((np.array([self.bus_pos[x] for x in t[a]], dtype=np.int64),
                         np.array([self.bus_pos[x] for x in t[b]], dtype=np.int64)))
            self._pos.update({(table, int(i)): ("branch", offset + k)
                              for k, i in enumerate(t.index)})
            offset += len(t)
        self.br_from = np.concatenate([ends[0][0], ends[1][0]])
        self.br_to = np.concatenate([ends[0][1], ends[1][1]])
        self.br_on0 = np.concatenate([masks["line"], masks["trafo"]])
        g = net.gen
        role = g["role"].astype(str).to_numpy() if "role" in g else np.full(len(g), "unit")
        gtype = g["type"].astype(str).to_numpy()
        self.gen_bus = np.array([self.bus_pos[x] for x in g.bus], dtype=np.int64)
        self.gen_on0 = masks["gen"]
        # a source as the shed engine counts one: units, grid-forming imports, non-imports
        self.gen_source = ((role == "unit") | np.isin(gtype, GRID_FORMING_IMPORTS)
                           | (role != "import"))
        self._pos.update({("gen", int(i)): ("gen", k) for k, i in enumerate(g.index)})
        self.sgen_bus = np.array([self.bus_pos[x] for x in net.sgen.bus], dtype=np.int64)
        self._pos.update({("sgen", int(i)): ("sgen", k) for k, i in enumerate(net.sgen.index)})
        ext = net.ext_grid
        ext = ext[ext.in_service.astype(bool)] if len(ext) else ext
        self.ext_bus = np.array([self.bus_pos[x] for x in ext.bus], dtype=np.int64)
        self.load_bus = np.array([self.bus_pos[x] for x in net.load.bus], dtype=np.int64)
        self.load_on0 = masks["load"]

    def position(self, key: Key) -> tuple[str, int]:
        """``("bus" | "branch" | "gen" | "sgen", position)`` of an element."""
        return self._pos[key]

    def state(self, out) -> TopoState:
        """Islands and energised buses with the elements ``out`` (keys) out of service."""
        bus_on = self.bus_on0.copy()
        br_on = self.br_on0.copy()
        gen_on = self.gen_on0.copy()
        for key in out:
            kind, p = self._pos[key]
            if kind == "bus":
                bus_on[p] = False
            elif kind == "branch":
                br_on[p] = False
            elif kind == "gen":
                gen_on[p] = False
        br_on &= bus_on[self.br_from] & bus_on[self.br_to]
        f, t = self.br_from[br_on], self.br_to[br_on]
        adj = coo_matrix((np.ones(len(f)), (f, t)), shape=(self.n_bus, self.n_bus))
        _, labels = connected_components(adj, directed=False)
        island = np.where(bus_on, labels, -1)
        src = self.gen_bus[gen_on & self.gen_source & bus_on[self.gen_bus]]
        src = np.concatenate([src, self.ext_bus[bus_on[self.ext_bus]]])
        live = np.unique(island[src])
        energised = bus_on & np.isin(island, live[live >= 0])
        return TopoState(island=island, energised=energised, bus_on=bus_on)

    def loads_energised(self, st: TopoState) -> np.ndarray:
        """Per load: in service and on an energised bus."""
        return self.load_on0 & st.energised[self.load_bus]
