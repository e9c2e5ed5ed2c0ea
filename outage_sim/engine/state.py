"""The network state after faults: islands, and the DC model of each island.

:class:`DCModel` compiles a (faulted) pandapower net into arrays once: the in-service buses and
branches, the islands (one :func:`scipy.sparse.csgraph.connected_components` call), the branch
susceptances and ratings, and the PTDF of every island. The load-shed engine
(:mod:`outage_sim.engine.shed`) balances islands and relieves overloads on these arrays; the AC check
goes back to pandapower.

Notes
-----
Conventions follow pandapower's DC power flow (``pp.rundcpp``): branch reactance only, no shunts,
transformer reactance √(vk² − vkr²) on its own rating (referred to the bus voltages and off-nominal
ratio as pandapower's DC power flow does), flows in MW positive from the from/hv bus.
A tested difference: pandapower gives NaN flows on buses it finds isolated; here they are 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from outage_sim.engine.sparse import DENSE_BUDGET_MB, DCFactor, OutagePTDF

if TYPE_CHECKING:  # pandapower only in annotations: array workers never load it
    import pandapower as pp

# Share of a branch's MVA rating the DC (active-power-only) flow may use, leaving room for the
# reactive part so the AC check of a relieved state stays within 100% in practice.
DC_RATING_MARGIN = 0.95

# PTDFs by topology (bus count, branch ends and susceptances, islands), least recently used
# dropped first; each is branches × buses floats (about 0.4 MB for the Chongqing net)
_PTDF_CACHE: dict[tuple, np.ndarray] = {}
_PTDF_CACHE_SIZE = 64


def active_masks(net: pp.pandapowerNet) -> dict[str, np.ndarray]:
    """Which buses, branches and injections are in service after faults.

    An element counts only if it is in service and so are its buses (pandapower's semantics).
    """
    bus_on = net.bus.in_service.to_numpy(bool)
    pos = {b: i for i, b in enumerate(net.bus.index)}

    def on(table, cols):
        if not len(net[table]):
            return np.zeros(0, bool)
        ok = net[table].in_service.to_numpy(bool)
        for c in cols:
            ok &= bus_on[[pos[b] for b in net[table][c]]]
        return ok

    return {"bus": bus_on, "line": on("line", ["from_bus", "to_bus"]),
            "trafo": on("trafo", ["hv_bus", "lv_bus"]), "load": on("load", ["bus"]),
            "gen": on("gen", ["bus"]), "sgen": on("sgen", ["bus"])}


@dataclass
class DCModel:
    """Arrays of a faulted net for islanding and DC flows.

    Attributes
    ----------
    bus_pos
        pandapower bus index → position 0..n-1.
    island
        Island label per bus position; -1 for buses out of service.
    br_from, br_to
        Branch end positions (in-service lines, then in-service transformers).
    br_b
        Branch susceptance (per unit on ``net.sn_mva``).
    br_rating_mw
        Branch rating in MW for the DC check (MVA rating × ``DC_RATING_MARGIN``).
    br_element, br_index
        ``"line"``/``"trafo"`` and the pandapower index of each branch.
    """

    bus_pos: dict[int, int]
    island: np.ndarray
    br_from: np.ndarray
    br_to: np.ndarray
    br_b: np.ndarray
    br_rating_mw: np.ndarray
    br_element: np.ndarray
    br_index: np.ndarray
    sn_mva: float
    _ptdf: np.ndarray | None = None
    _factor: DCFactor | None = None

    @property
    def n_bus(self) -> int:
        return len(self.island)

    @property
    def n_islands(self) -> int:
        return int(self.island.max()) + 1 if (self.island >= 0).any() else 0

    def ptdf(self) -> np.ndarray:
        """Branch × bus PTDF (MW of branch flow per MW injected at the bus, withdrawn at the
        island's reference). Block-structured: an injection only moves flows in its own island.
        Kept per topology (:data:`_PTDF_CACHE`): restoration asks for the same few topologies
        many times, and the matrix inversion was most of its time. Read-only."""
        if self._ptdf is None and not self.fits():
            # too large to keep (a 10,000-bus net's would take GBs): columns and rows on demand
            # from the factorisation (OutagePTDF with no outage); the engine's readers take
            # ``ptdf[:, buses]``, ``ptdf[k]`` and ``ptdf @ x`` only
            return OutagePTDF.of(self._get_factor(), np.zeros(0, np.int64))  # type: ignore[return-value]
        if self._ptdf is None:
            key = (self.n_bus, self.br_from.tobytes(), self.br_to.tobytes(), self.br_b.tobytes(),
                   self.island.tobytes())
            cached = _PTDF_CACHE.pop(key, None)
            if cached is None:  # shared between models of one topology: never written to
                cached = self._build_ptdf()
                cached.flags.writeable = False
            self._ptdf = cached
            _PTDF_CACHE[key] = self._ptdf  # most recently used last
            while len(_PTDF_CACHE) > _PTDF_CACHE_SIZE:
                _PTDF_CACHE.pop(next(iter(_PTDF_CACHE)))
        return self._ptdf

    def factor(self, dense_mb: float = 0.0) -> DCFactor:
        """The reduced susceptance matrix factorised (sparse LU, each island's first bus its
        angle reference): PTDF and transfer columns on demand, dense ones kept when they fit
        ``dense_mb`` (:class:`outage_sim.engine.sparse.DCFactor`)."""
        return DCFactor(self.n_bus, self.br_from, self.br_to, self.br_b, self.island, dense_mb)

    def _build_ptdf(self) -> np.ndarray:
        # from the sparse factorisation: one solve per branch, no dense n × n inverse
        ptdf = self.factor().ptdf_matrix()
        ptdf.setflags(write=False)
        return ptdf

    def flows(self, p_bus_mw: np.ndarray) -> np.ndarray:
        """DC branch flows (MW) for net injections per bus position (each island balanced):
        through the PTDF when it fits :data:`~outage_sim.engine.sparse.DENSE_BUDGET_MB`, else
        one solve with the factorisation (a large net's PTDF is never built for its flows)."""
        if self._ptdf is None and not self.fits():
            return self._get_factor().flows(np.asarray(p_bus_mw, float)[None, :])[0]
        return self.ptdf() @ p_bus_mw

    def fits(self) -> bool:
        """Whether the dense PTDF fits :data:`~outage_sim.engine.sparse.DENSE_BUDGET_MB`."""
        return 8.0 * self.n_bus * len(self.br_b) / 1e6 <= DENSE_BUDGET_MB

    def _get_factor(self) -> DCFactor:
        if self._factor is None:
            self._factor = self.factor()
        return self._factor


def build_dc_model(net: pp.pandapowerNet, masks: dict[str, np.ndarray] | None = None) -> DCModel:
    """Compile the in-service part of a net into a :class:`DCModel`."""
    masks = masks or active_masks(net)
    pos = {int(b): i for i, b in enumerate(net.bus.index)}
    ln = net.line[masks["line"]]
    tr = net.trafo[masks["trafo"]]
    z_base_line = net.bus.vn_kv.loc[ln.from_bus].to_numpy() ** 2 / net.sn_mva
    x_line = (ln.x_ohm_per_km * ln.length_km / ln.parallel).to_numpy() / z_base_line
    # as pandapower's DC power flow: the reactance referred to the low-voltage bus's nominal
    # voltage and divided by the off-nominal ratio (525/230 kV units on 500/220 kV buses), which
    # matters once a 220 kV chain closes a loop between two 500 kV stations
    vn_hv_bus = net.bus.vn_kv.loc[tr.hv_bus].to_numpy()
    vn_lv_bus = net.bus.vn_kv.loc[tr.lv_bus].to_numpy()
    tap = (tr.vn_hv_kv.to_numpy() / tr.vn_lv_kv.to_numpy()) / (vn_hv_bus / vn_lv_bus)
    vk = np.sqrt(np.maximum(tr.vk_percent.to_numpy() ** 2 - tr.vkr_percent.to_numpy() ** 2, 0.0))
    x_tr = vk / 100.0 * net.sn_mva / tr.sn_mva.to_numpy() / tr.parallel.to_numpy()
    x_tr = x_tr * (tr.vn_lv_kv.to_numpy() / vn_lv_bus) ** 2 * tap
    rating_line = (np.sqrt(3) * net.bus.vn_kv.loc[ln.from_bus].to_numpy() * ln.max_i_ka.to_numpy()
                   * ln.parallel.to_numpy() * ln.df.to_numpy())
    rating_tr = (tr.sn_mva * tr.parallel).to_numpy()
    br_from = np.array([pos[b] for b in ln.from_bus] + [pos[b] for b in tr.hv_bus], dtype=np.int64)
    br_to = np.array([pos[b] for b in ln.to_bus] + [pos[b] for b in tr.lv_bus], dtype=np.int64)
    n = len(pos)
    bus_on = masks["bus"]
    adj = coo_matrix((np.ones(len(br_from)), (br_from, br_to)), shape=(n, n))
    _, labels = connected_components(adj, directed=False)
    # relabel so in-service buses get 0..k-1 in order of first appearance; others -1
    island = np.full(n, -1, dtype=np.int64)
    mapping: dict[int, int] = {}
    for i in np.flatnonzero(bus_on):
        island[i] = mapping.setdefault(int(labels[i]), len(mapping))
    return DCModel(
        bus_pos=pos, island=island, br_from=br_from, br_to=br_to,
        br_b=1.0 / np.concatenate([x_line, x_tr]),
        br_rating_mw=np.concatenate([rating_line, rating_tr]) * DC_RATING_MARGIN,
        br_element=np.array(["line"] * len(ln) + ["trafo"] * len(tr)),
        br_index=np.concatenate([ln.index.to_numpy(), tr.index.to_numpy()]).astype(np.int64),
        sn_mva=float(net.sn_mva))
