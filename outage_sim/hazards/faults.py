"""Faults: what fails, by readable name, and the table of everything that can fail.

An :class:`Outage` is one pandapower element taken out of service, with the reason a person can
read ("ice load 32 mm on 张家坝-长寿 500kV #1", "named in the scenario"). Faults are given by name
(:func:`resolve_fault`): a line circuit, a whole corridor, a transformer, a substation (every bus
of the station), a generating unit, a plant, or an intertie / the DC infeed. Unknown names are
reported with the closest valid one.

:func:`component_table` lists every failable component once, with its location (district, lat,
lon), voltage, length and kind; hazard models draw failures from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandapower as pp
import pandas as pd

from outage_sim.errors import InputError, did_you_mean

FAULT_KINDS = ("line", "corridor", "transformer", "substation", "unit", "plant", "intertie")
ELEMENT_TABLES = ("line", "trafo", "bus", "gen", "sgen")


@dataclass(frozen=True)
class Outage:
    """One element out of service.

    Attributes
    ----------
    element
        pandapower table: ``line``, ``trafo``, ``bus``, ``gen`` or ``sgen``.
    index
        Row index in that table.
    name
        The element's readable name.
    reason
        Why it failed, for the person reading the result.
    cause
        Short machine key: ``scenario``, ``ice``, ``wind``, ``earthquake``, ``flood``,
        ``landslide``, ``external_damage``, ``heat``, ``cascade``, ...
    """

    element: str
    index: int
    name: str
    reason: str
    cause: str = "scenario"

    def to_dict(self) -> dict:
        return {"element": self.element, "index": int(self.index), "name": self.name,
                "reason": self.reason, "cause": self.cause}


def component_table(net: pp.pandapowerNet) -> pd.DataFrame:
    """Every failable component of an annotated net, one row each.

    Columns: ``element``, ``index``, ``name``, ``kind`` (``line``, ``transformer``, ``bus``,
    ``unit``, ``import``, ``renewable``), ``vn_kv``, ``district`` (of the from-bus for
    branches), ``lat``, ``lon`` (midpoint for lines), ``lat2``/``lon2`` (line ends), ``length_km``
    (lines, 0 otherwise), ``station``, ``type`` (unit/intertie type).
    """
    bus = net.bus
    rows = []
    ln = net.line
    fb, tb = ln.from_bus.to_numpy(), ln.to_bus.to_numpy()
    rows.append(pd.DataFrame({
        "element": "line", "index": ln.index, "name": ln.name.astype(str), "kind": "line",
        "vn_kv": bus.vn_kv.to_numpy()[bus.index.get_indexer(fb)],
        "district": bus.district.to_numpy()[bus.index.get_indexer(fb)],
        "district2": bus.district.to_numpy()[bus.index.get_indexer(tb)],
        "lat": bus.lat.to_numpy()[bus.index.get_indexer(fb)],
        "lon": bus.lon.to_numpy()[bus.index.get_indexer(fb)],
        "lat2": bus.lat.to_numpy()[bus.index.get_indexer(tb)],
        "lon2": bus.lon.to_numpy()[bus.index.get_indexer(tb)],
        "length_km": ln.length_km.to_numpy(), "station": "", "type": "line"}))
    tr = net.trafo
    hv = bus.index.get_indexer(tr.hv_bus)
    rows.append(pd.DataFrame({
        "element": "trafo", "index": tr.index, "name": tr.name.astype(str), "kind": "transformer",
        "vn_kv": tr.vn_hv_kv.to_numpy(), "district": bus.district.to_numpy()[hv],
        "district2": bus.district.to_numpy()[hv],
        "lat": bus.lat.to_numpy()[hv], "lon": bus.lon.to_numpy()[hv],
        "lat2": bus.lat.to_numpy()[hv], "lon2": bus.lon.to_numpy()[hv], "length_km": 0.0,
        "station": bus.get("station", pd.Series("", index=bus.index)).to_numpy()[hv],
        "type": "transformer"}))
    rows.append(pd.DataFrame({
        "element": "bus", "index": bus.index, "name": bus.name.astype(str), "kind": "bus",
        "vn_kv": bus.vn_kv.to_numpy(), "district": bus.district.to_numpy(),
        "district2": bus.district.to_numpy(), "lat": bus.lat.to_numpy(), "lon": bus.lon.to_numpy(),
        "lat2": bus.lat.to_numpy(), "lon2": bus.lon.to_numpy(), "length_km": 0.0,
        "station": bus.get("station", pd.Series("", index=bus.index)).astype(str).to_numpy(),
        "type": bus.get("kind", pd.Series("bus", index=bus.index)).to_numpy()}))
    for table in ("gen", "sgen"):
        g = net[table]
        if not len(g):
            continue
        gb = bus.index.get_indexer(g.bus)
        rows.append(pd.DataFrame({
            "element": table, "index": g.index, "name": g.name.astype(str), "kind": g["role"].to_numpy(),
            "vn_kv": bus.vn_kv.to_numpy()[gb], "district": bus.district.to_numpy()[gb],
            "district2": bus.district.to_numpy()[gb], "lat": bus.lat.to_numpy()[gb],
            "lon": bus.lon.to_numpy()[gb], "lat2": bus.lat.to_numpy()[gb], "lon2": bus.lon.to_numpy()[gb],
            "length_km": 0.0,
            "station": bus.get("station", pd.Series("", index=bus.index)).astype(str).to_numpy()[gb],
            "type": g.type.astype(str).to_numpy()}))
    out = pd.concat(rows, ignore_index=True)
    out["index"] = out["index"].astype(np.int64)
    return out


def _corridor_of(line_name: str) -> str:
    """``'板桥-圣泉 500kV #1'`` → ``'板桥-圣泉 500kV'``."""
    return line_name.rsplit(" #", 1)[0]


def _flip(corridor: str) -> str:
    ends, _, kv = corridor.partition(" ")
    a, _, b = ends.partition("-")
    return f"{b}-{a} {kv}" if b else corridor


def fault_names(net: pp.pandapowerNet, kind: str) -> list[str]:
    """Valid names for a fault kind (see :data:`FAULT_KINDS`)."""
    if kind == "line":
        return net.line.name.astype(str).tolist()
    if kind == "corridor":
        return sorted({_corridor_of(n) for n in net.line.name.astype(str)})
    if kind == "transformer":
        return net.trafo.name.astype(str).tolist()
    if kind == "substation":
        names = {n.rsplit(" ", 1)[0] for n in net.bus.name.astype(str)}
        if "station" in net.bus:
            names |= set(net.bus.station.dropna().astype(str))
        return sorted(n for n in names if n)
    if kind == "unit":
        return net.gen.name[net.gen.get("role", "unit") == "unit"].astype(str).tolist()
    if kind == "plant":
        return sorted(set(net.gen.plant[net.gen.get("role", "unit") == "unit"].astype(str)) - {""})
    if kind == "intertie":
        return [str(n) for t in ("gen", "sgen") for n in net[t].name[net[t].get("role", "") == "import"]]
    raise InputError(f"fault kind {kind!r} unknown; use one of {', '.join(FAULT_KINDS)}")


def resolve_fault(net: pp.pandapowerNet, kind: str, name: str, *, reason: str | None = None,
                  cause: str = "scenario") -> list[Outage]:
    """The outages a named fault means.

    Parameters
    ----------
    kind
        One of :data:`FAULT_KINDS`.
    name
        Readable name, e.g. ``'板桥-圣泉 500kV #1'`` (line), ``'张家坝-长寿 500kV'`` (corridor,
        either order), ``'板桥 500/220kV #1'``, ``'板桥'`` (substation: every bus of the station;
        a 220 kV load substation by its name such as ``'渝中1号'``), ``'华能珞璜 #5'``,
        ``'华能珞璜'``, ``'哈密-重庆 ±800kV DC'``.

    Raises
    ------
    InputError
        The name is unknown; the message suggests the closest valid name.
    """
    why = reason or f"{kind} named in the scenario"
    choices = fault_names(net, kind)
    if kind == "line" and name not in choices and " #" in name:
        corridor, _, circuit = name.rpartition(" #")
        flipped = f"{_flip(corridor)} #{circuit}"
        if flipped in choices:
            name = flipped
        else:
            raise InputError(f"no line named {name!r}"
                             f"{did_you_mean(name, choices + [_flip(_corridor_of(c)) + ' #' + c.rpartition(' #')[2] for c in choices])}")
    if kind == "corridor":
        target = name if name in choices else _flip(name)
        if target not in choices:
            raise InputError(f"no corridor named {name!r}{did_you_mean(name, choices)}")
        sel = net.line.index[net.line.name.astype(str).map(_corridor_of) == target]
        return [Outage("line", int(i), str(net.line.name[i]), why, cause) for i in sel]
    if name not in choices:
        hint = ""
        if kind in ("line", "unit") and " #" not in name:
            hint = " (quote names with '#' in YAML: an unquoted ' #' starts a comment)"
        raise InputError(f"no {kind} named {name!r}{did_you_mean(name, choices)}{hint}")
    if kind == "line":
        sel = net.line.index[net.line.name == name]
        return [Outage("line", int(i), name, why, cause) for i in sel]
    if kind == "transformer":
        sel = net.trafo.index[net.trafo.name == name]
        return [Outage("trafo", int(i), name, why, cause) for i in sel]
    if kind == "substation":
        # a station's own buses (not the load substations it feeds), or a bus by its name prefix
        station = net.bus.get("station", pd.Series("", index=net.bus.index)).astype(str)
        own = net.bus.get("kind", pd.Series("", index=net.bus.index)).astype(str) != "load220"
        prefix = net.bus.name.astype(str).str.rsplit(" ", n=1).str[0]
        sel = net.bus.index[((station == name) & own) | (prefix == name)]
        return [Outage("bus", int(i), str(net.bus.name[i]), why, cause) for i in sel]
    if kind == "unit":
        sel = net.gen.index[net.gen.name == name]
        return [Outage("gen", int(i), name, why, cause) for i in sel]
    if kind == "plant":
        sel = net.gen.index[(net.gen.plant == name) & (net.gen.role == "unit")]
        return [Outage("gen", int(i), str(net.gen.name[i]), why, cause) for i in sel]
    # intertie
    out = []
    for table in ("gen", "sgen"):
        sel = net[table].index[(net[table].name == name) & (net[table].get("role", "") == "import")]
        out += [Outage(table, int(i), name, why, cause) for i in sel]
    return out


def apply_outages(net: pp.pandapowerNet, outages: list[Outage]) -> pp.pandapowerNet:
    """Set every outaged element out of service, in place (call it on a copy)."""
    for o in outages:
        if o.element not in ELEMENT_TABLES:
            raise InputError(f"outage element {o.element!r} unknown")
        net[o.element].at[o.index, "in_service"] = False
    return net


def unique_outages(outages: list[Outage]) -> list[Outage]:
    """First outage per element, in order (a component fails once, for its first reason)."""
    seen: set[tuple[str, int]] = set()
    out = []
    for o in outages:
        key = (o.element, o.index)
        if key not in seen:
            seen.add(key)
            out.append(o)
    return out
