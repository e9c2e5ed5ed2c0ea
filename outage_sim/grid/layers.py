"""The grid by layer: 500 kV stations and the districts that hang on each, the 220 kV supply
areas (分区), topology statistics and the capacity-to-load ratio (容载比) per district.

A district *hangs on* a 500 kV station when losing that station (both its voltage levels) leaves
none of the district's loads connected to the part of the grid that holds the most generation and
import: the audit's measure of a transmission layer without redundancy. The 容载比 is the 220 kV
transformer capacity of a district's load stations (``bus.transformer_mva``) over its peak load.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandapower as pp
import pandas as pd


def bus_graph(net: pp.pandapowerNet) -> nx.Graph:
    """The in-service bus graph (lines and transformers), parallel circuits merged."""
    return nx.Graph(pp.topology.create_nxgraph(net, respect_switches=True, include_out_of_service=False))

# Birchfield et al. 2017: real transmission graphs show a clustering coefficient of 0.03–0.06.
CLUSTERING_MAX = 0.1


def topology(net: pp.pandapowerNet) -> dict:
    """Mean degree and average clustering coefficient of the bus graph and of its 220 kV layer
    (parallel circuits merged)."""
    g = bus_graph(net)
    out = {}
    for key, nodes in (("all", list(g)), ("220kV", [b for b in g if net.bus.at[b, "vn_kv"] == 220])):
        h = g.subgraph(nodes)
        deg = [d for _, d in h.degree()]
        out[key] = {"buses": len(nodes), "mean_degree": round(float(np.mean(deg)), 3) if deg else 0.0,
                    "clustering": round(float(nx.average_clustering(h)), 4) if len(h) else 0.0}
    return out


def _source_weight(net: pp.pandapowerNet) -> pd.Series:
    """Generation capacity and import per bus (MW), for telling the main grid from islands."""
    parts = []
    for table in (net.gen, net.sgen, net.ext_grid):
        if len(table):
            cap = table["max_p_mw"] if "max_p_mw" in table else pd.Series(1e4, index=table.index)
            parts.append(pd.Series(cap.fillna(0.0).to_numpy(float), index=table["bus"].to_numpy()))
    return pd.concat(parts).groupby(level=0).sum() if parts else pd.Series(dtype=float)


def sole_supply(net: pp.pandapowerNet) -> dict[str, list[str]]:
    """500 kV station → the districts whose whole load is cut off from the main grid when the
    station (all its buses) is lost; stations with none are left out."""
    if "station" not in net.bus or "kind" not in net.bus:
        return {}
    g = bus_graph(net)
    weight = _source_weight(net)
    load_bus = net.load.loc[net.load.in_service, ["bus", "district"]]
    out = {}
    stations = sorted(set(net.bus.loc[net.bus["kind"] == "ac500", "station"]))
    for st in stations:
        lost = set(net.bus.index[(net.bus["station"] == st) & net.bus["kind"].isin(["ac500", "ac500_220side"])])
        h = g.subgraph([b for b in g if b not in lost])
        main = max(nx.connected_components(h), key=lambda c: float(weight.reindex(list(c)).fillna(0).sum()))
        alive = load_bus["bus"].isin(main)
        dark = sorted(set(load_bus["district"]) - set(load_bus.loc[alive, "district"]))
        if dark:
            out[st] = dark
    return out


def capacity_ratio(net: pp.pandapowerNet) -> pd.DataFrame:
    """Per district: 220 kV load stations, their transformer capacity (MVA), peak load of the
    net's level (MW) and the ratio (容载比); NaN capacity where the net does not carry it."""
    loads = net.load[net.load.in_service]
    by = loads.groupby("district").agg(load_mw=("p_mw", "sum"))
    hosts = net.bus.loc[sorted(set(loads["bus"]))]
    mva = (hosts["transformer_mva"] if "transformer_mva" in hosts else pd.Series(np.nan, index=hosts.index))
    cap = pd.DataFrame({"district": hosts["district"], "mva": mva.astype(float)})
    agg = cap.groupby("district").agg(stations=("mva", "size"), transformer_mva=("mva", "sum"))
    out = by.join(agg, how="left")
    out["ratio"] = out["transformer_mva"] / out["load_mw"]
    return out.reset_index().rename(columns={"index": "district"})


def supply_areas(net: pp.pandapowerNet) -> pd.Series:
    """220 kV load-station bus → its supply area (the 500 kV station it belongs to)."""
    if "station" not in net.bus or "kind" not in net.bus:
        return pd.Series(dtype=object)
    sel = net.bus["kind"] == "load220"
    return net.bus.loc[sel, "station"]


def layer_table(net: pp.pandapowerNet) -> list[dict]:
    """Per voltage level (high to low): buses, stations, line circuits and transformers (by their
    high-voltage side), and the supply areas at 220 kV."""
    kv_bus = net.bus["vn_kv"].astype(float)
    station = net.bus["station"] if "station" in net.bus else net.bus["name"]
    if "kind" in net.bus:  # a load station is its own station; its `station` names its area
        station = station.where(net.bus["kind"] != "load220", net.bus["name"])
    line_kv = kv_bus.loc[net.line.from_bus].to_numpy()
    trafo_kv = kv_bus.loc[net.trafo.hv_bus].to_numpy()
    rows = []
    for kv in sorted(set(kv_bus), reverse=True):
        at = kv_bus == kv
        row = {"kv": kv, "buses": int(at.sum()), "stations": int(station[at].nunique()),
               "lines": int((line_kv == kv).sum()), "transformers": int((trafo_kv == kv).sum())}
        if kv == 220 and len(supply_areas(net)):
            row["supply_areas"] = int(supply_areas(net).nunique())
        rows.append(row)
    return rows
