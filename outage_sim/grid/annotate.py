"""Annotations for any pandapower net ("bring your own grid").

Every later stage reads only the annotations listed in :mod:`outage_sim.grid.model`'s docstring
(district, customers, shedding priority and important users of each load; district and
coordinates of each bus; the district table). :func:`check_annotations` says which are missing;
:func:`annotate_net` puts them on a copy of any net, forming districts from the bus graph when the
user gives none.
"""

from __future__ import annotations

import copy
import json

import networkx as nx
import numpy as np
import pandapower as pp
import pandas as pd

from outage_sim._version import __version__
from outage_sim.errors import AnnotationError

LOAD_COLUMNS = ("district", "customers", "shed_priority", "important_user")
IMPORTANT_USER_CATEGORIES = ("hospital", "metro_rail", "airport", "water_works", "telecom",
                             "government", "chemical_steel")
DEFAULT_PRIORITY = 2  # place in the 紧急限电序位表 of a load the user did not rank
BUSES_PER_DISTRICT = 8  # default district size when districts are formed from the bus graph


def check_annotations(net: pp.pandapowerNet) -> None:
    """Raise :class:`AnnotationError` listing every annotation later stages need that is missing.

    Raises
    ------
    AnnotationError
        Columns or the district table are missing (all of them are named), or a load's
        customers, shedding priority or district is unusable.
    """
    missing = [f"load.{c}" for c in LOAD_COLUMNS if c not in net.load.columns]
    missing += [f"bus.{c}" for c in ("district", "lat", "lon") if c not in net.bus.columns]
    if "districts" not in net or not isinstance(net["districts"], pd.DataFrame):
        missing.append('net["districts"]')
    if missing:
        raise AnnotationError(f"net lacks {', '.join(missing)}; annotate it with "
                              "outage_sim.grid.annotate_net(net)")
    if net.load["customers"].isna().any() or (net.load["customers"] < 0).any():
        raise AnnotationError("load.customers: must be a non-negative count on every load")
    if (net.load["shed_priority"] < 1).any():
        raise AnnotationError("load.shed_priority: must be 1 or more (1 is cut first)")
    unknown = set(net.load["district"]) - set(net["districts"]["name"])
    if unknown:
        raise AnnotationError(f"load.district: {min(unknown)!r} is not in net['districts']")


def annotate_net(net: pp.pandapowerNet, *, n_districts: int | None = None,
                 customers_per_mw: float = 495.0, key_areas: list[str] | None = None,
                 priorities: dict[int, int] | None = None,
                 important_users: dict[int, str] | None = None,
                 district_of_bus: dict[int, str] | None = None) -> pp.pandapowerNet:
    """Return an annotated copy of any pandapower net so every later stage works on it.

    Parameters
    ----------
    net
        E.g. ``pandapower.networks.case118()``; it is not modified.
    n_districts
        Districts to form when ``district_of_bus`` is not given: the bus graph is split into
        communities (networkx greedy modularity, deterministic) and merged down to this number
        (default: about one district per 8 buses).
    customers_per_mw
        Supply accounts per MW of load (default 495, the Chongqing model's ratio at summer peak).
    key_areas
        Districts that are 重点地区 (default: the district with the most load).
    priorities, important_users
        Load index → place in the 紧急限电序位表 (default 2 for every load) and load index →
        important-user category (default none).
    district_of_bus
        Bus index → district name, to use the user's own districts.

    Raises
    ------
    AnnotationError
        The net has no loads, a bus has no district, an important-user category or a key area
        is unknown, or an argument is out of its range (``n_districts`` from 1 to the number of
        buses, ``customers_per_mw`` a finite number ≥ 0, priorities whole numbers ≥ 1 of loads
        the net has).

    Notes
    -----
    Buses without coordinates get a schematic Kamada-Kawai layout (``lat``/``lon`` are then
    layout units, not degrees).
    """
    if len(net.load) == 0:
        raise AnnotationError("net has no loads to annotate")
    _check_arguments(net, n_districts, customers_per_mw, priorities or {}, important_users or {})
    net = copy.deepcopy(net)
    graph = pp.topology.create_nxgraph(net, respect_switches=False, include_out_of_service=True)
    district_of_bus = _bus_districts(net, graph, n_districts, district_of_bus)
    net.bus["district"] = [district_of_bus[b] for b in net.bus.index]
    net.bus["lat"], net.bus["lon"] = _coordinates(net, graph)
    _annotate_loads(net, customers_per_mw, priorities or {}, important_users or {})
    net["districts"] = _district_table(net, sorted(set(district_of_bus.values())), key_areas)
    _annotate_generation(net)
    net["meta"] = {"model": net.name or "user net", "model_version": f"user+outage_sim-{__version__}",
                   "level": "as given", "level_zh": "原始", "data_dir": "", "loss_factor": 0.0}
    check_annotations(net)
    return net


def _check_arguments(net: pp.pandapowerNet, n_districts, customers_per_mw, priorities: dict,
                     important_users: dict) -> None:
    """Refuse arguments out of range in one line naming the argument (before networkx or pandas
    would fail on them with their own errors)."""
    n_bus = len(net.bus)
    if n_districts is not None and not (_whole(n_districts) and 1 <= n_districts <= n_bus):
        raise AnnotationError(f"n_districts: must be a whole number from 1 to {n_bus} (the net's "
                              f"buses), got {n_districts!r}")
    if isinstance(customers_per_mw, bool) or not isinstance(customers_per_mw, (int, float)) \
            or not np.isfinite(customers_per_mw) or customers_per_mw < 0:
        raise AnnotationError(f"customers_per_mw: must be a finite number of 0 or more, got "
                              f"{customers_per_mw!r}")
    for name, given in (("priorities", priorities), ("important_users", important_users)):
        unknown = [i for i in given if i not in net.load.index]
        if unknown:
            raise AnnotationError(f"{name}: load {unknown[0]!r} is not in net.load")
    bad = [(i, p) for i, p in priorities.items() if not (_whole(p) and p >= 1)]
    if bad:
        raise AnnotationError(f"priorities: load {bad[0][0]}: {bad[0][1]!r} is not a place in the "
                              "紧急限电序位表 (a whole number, 1 is cut first)")


def _whole(x) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


def _bus_districts(net: pp.pandapowerNet, graph: nx.MultiGraph, n_districts: int | None,
                   district_of_bus: dict[int, str] | None) -> dict[int, str]:
    """The user's district of every bus, or districts formed as communities of the bus graph."""
    if district_of_bus is None:
        k = n_districts or max(2, round(len(net.bus) / BUSES_PER_DISTRICT))
        comms = nx.community.greedy_modularity_communities(graph, cutoff=k, best_n=k)
        # numbered by their lowest bus, so the names do not depend on networkx's order
        comms = sorted((sorted(c) for c in comms), key=lambda c: c[0])
        district_of_bus = {b: f"D{i + 1:02d}" for i, c in enumerate(comms) for b in c}
    missing_bus = [b for b in net.bus.index if b not in district_of_bus]
    if missing_bus:
        raise AnnotationError(f"district_of_bus: bus {missing_bus[0]} has no district")
    return district_of_bus


def _annotate_loads(net: pp.pandapowerNet, customers_per_mw: float, priorities: dict[int, int],
                    important_users: dict[int, str]) -> None:
    """District, customers, shedding priority and important-user category of every load."""
    net.load["district"] = net.bus.loc[net.load.bus, "district"].to_numpy()
    net.load["customers"] = np.round(net.load.p_mw.clip(lower=0) * customers_per_mw).astype(np.int64)
    bad = [c for c in important_users.values() if c not in IMPORTANT_USER_CATEGORIES]
    if bad:
        raise AnnotationError(f"important_users: unknown category {bad[0]!r}; use one of "
                              f"{', '.join(IMPORTANT_USER_CATEGORIES)}")
    net.load["shed_priority"] = [int(priorities.get(i, DEFAULT_PRIORITY)) for i in net.load.index]
    net.load["important_user"] = [important_users.get(i, "") for i in net.load.index]
    net.load["load_class"] = np.where(net.load["important_user"] != "", "important", "general")


def _district_table(net: pp.pandapowerNet, names: list[str],
                    key_areas: list[str] | None) -> pd.DataFrame:
    """``net["districts"]``: one row per district, at the mean position of its buses."""
    load_by = net.load.groupby("district").p_mw.sum()
    keys = set(key_areas) if key_areas is not None else {load_by.idxmax()}
    unknown = keys - set(names)
    if unknown:
        raise AnnotationError(f"key_areas: {min(unknown)!r} is not a district of this net")
    pos = net.bus.groupby("district")[["lat", "lon"]].mean()
    return pd.DataFrame({"name": names, "name_en": names,
                         "key_area": [n in keys for n in names],
                         "lat": pos.loc[names, "lat"].to_numpy(),
                         "lon": pos.loc[names, "lon"].to_numpy()})


def _annotate_generation(net: pp.pandapowerNet) -> None:
    """Generators the user did not annotate are units (dispatchable, not black-start)."""
    for table in (net.gen, net.sgen):
        if len(table) and "role" not in table:
            table["role"] = "unit"
            table["plant"] = table["name"].fillna("").astype(str)
            table["district"] = net.bus.loc[table.bus, "district"].to_numpy()
            table["black_start"] = False
            table["intertie"] = ""


def _coordinates(net: pp.pandapowerNet, graph: nx.MultiGraph) -> tuple[np.ndarray, np.ndarray]:
    """Bus (lat, lon) from pandapower's ``geo`` column, or a schematic layout where absent."""
    if "geo" in net.bus and net.bus["geo"].notna().all():
        xy = np.array([json.loads(g)["coordinates"] for g in net.bus["geo"]], dtype=float)
        return xy[:, 1], xy[:, 0]
    layout = nx.kamada_kawai_layout(nx.Graph(graph))
    xy = np.array([layout[b] for b in net.bus.index])
    return xy[:, 1], xy[:, 0]
