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

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from outage_sim.errors import InputError, did_you_mean

if TYPE_CHECKING:  # FAULT_KINDS is read when a scenario is checked, before any net is built
    import pandapower as pp

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


# ------------------------------------------------------------------ the fault kinds
# Each kind says which names are valid, which spellings of a name it accepts, and which elements
# a valid name takes out, as (pandapower table, index, readable name).
_Selected = list[tuple[str, int, str]]


def _line_names(net: pp.pandapowerNet) -> list[str]:
    return net.line.name.astype(str).tolist()


def _corridor_names(net: pp.pandapowerNet) -> list[str]:
    return sorted({_corridor_of(n) for n in net.line.name.astype(str)})


def _transformer_names(net: pp.pandapowerNet) -> list[str]:
    return net.trafo.name.astype(str).tolist()


def _substation_names(net: pp.pandapowerNet) -> list[str]:
    names = {n.rsplit(" ", 1)[0] for n in net.bus.name.astype(str)}
    if "station" in net.bus:
        names |= set(net.bus.station.dropna().astype(str))
    return sorted(n for n in names if n)


def _unit_names(net: pp.pandapowerNet) -> list[str]:
    return net.gen.name[net.gen.get("role", "unit") == "unit"].astype(str).tolist()


def _plant_names(net: pp.pandapowerNet) -> list[str]:
    return sorted(set(net.gen.plant[net.gen.get("role", "unit") == "unit"].astype(str)) - {""})


def _intertie_names(net: pp.pandapowerNet) -> list[str]:
    return [str(n) for t in ("gen", "sgen") for n in net[t].name[net[t].get("role", "") == "import"]]


def _by_name(table: str) -> Callable[[pp.pandapowerNet, str], _Selected]:
    """Every element of ``table`` called exactly ``name``."""
    def select(net: pp.pandapowerNet, name: str) -> _Selected:
        return [(table, int(i), name) for i in net[table].index[net[table].name == name]]
    return select


def _corridor(net: pp.pandapowerNet, name: str) -> _Selected:
    sel = net.line.index[net.line.name.astype(str).map(_corridor_of) == name]
    return [("line", int(i), str(net.line.name[i])) for i in sel]


def _substation(net: pp.pandapowerNet, name: str) -> _Selected:
    # a station's own buses (not the load substations it feeds), or a bus by its name prefix
    station = net.bus.get("station", pd.Series("", index=net.bus.index)).astype(str)
    own = net.bus.get("kind", pd.Series("", index=net.bus.index)).astype(str) != "load220"
    prefix = net.bus.name.astype(str).str.rsplit(" ", n=1).str[0]
    sel = net.bus.index[((station == name) & own) | (prefix == name)]
    return [("bus", int(i), str(net.bus.name[i])) for i in sel]


def _plant(net: pp.pandapowerNet, name: str) -> _Selected:
    sel = net.gen.index[(net.gen.plant == name) & (net.gen.role == "unit")]
    return [("gen", int(i), str(net.gen.name[i])) for i in sel]


def _intertie(net: pp.pandapowerNet, name: str) -> _Selected:
    return [(table, int(i), name) for table in ("gen", "sgen")
            for i in net[table].index[(net[table].name == name) & (net[table].get("role", "") == "import")]]


def _line_spellings(name: str) -> tuple[str, ...]:
    """A circuit named from either end: ``'长寿-张家坝 500kV #1'`` is ``'张家坝-长寿 500kV #1'``."""
    if " #" not in name:
        return (name,)
    corridor, _, circuit = name.rpartition(" #")
    return (name, f"{_flip(corridor)} #{circuit}")


def _line_suggestions(name: str, choices: list[str]) -> list[str]:
    """Suggest a circuit in the order of ends the user wrote it, when they wrote a circuit."""
    if " #" not in name:
        return choices
    return choices + [_flip(_corridor_of(c)) + " #" + c.rpartition(" #")[2] for c in choices]


@dataclass(frozen=True)
class _FaultKind:
    """How faults of one kind are named and what they take out."""

    names: Callable[[pp.pandapowerNet], list[str]]
    select: Callable[[pp.pandapowerNet, str], _Selected]
    spellings: Callable[[str], tuple[str, ...]] = lambda name: (name,)
    suggestions: Callable[[str, list[str]], list[str]] = lambda name, choices: choices
    numbered: bool = False  # names end in ' #n', which YAML reads as a comment unless quoted


_KINDS: dict[str, _FaultKind] = {
    "line": _FaultKind(_line_names, _by_name("line"), _line_spellings, _line_suggestions,
                       numbered=True),
    "corridor": _FaultKind(_corridor_names, _corridor, lambda name: (name, _flip(name))),
    "transformer": _FaultKind(_transformer_names, _by_name("trafo")),
    "substation": _FaultKind(_substation_names, _substation),
    "unit": _FaultKind(_unit_names, _by_name("gen"), numbered=True),
    "plant": _FaultKind(_plant_names, _plant),
    "intertie": _FaultKind(_intertie_names, _intertie),
}
FAULT_KINDS = tuple(_KINDS)  # line, corridor, transformer, substation, unit, plant, intertie


def _kind(kind: str) -> _FaultKind:
    try:
        return _KINDS[kind]
    except (KeyError, TypeError):
        raise InputError(f"fault kind {kind!r} unknown; use one of {', '.join(FAULT_KINDS)}") from None


def fault_names(net: pp.pandapowerNet, kind: str) -> list[str]:
    """Valid names for a fault kind (see :data:`FAULT_KINDS`)."""
    return _kind(kind).names(net)


def resolve_fault(net: pp.pandapowerNet, kind: str, name: str, *, reason: str | None = None,
                  cause: str = "scenario") -> list[Outage]:
    """The outages a named fault means.

    Parameters
    ----------
    kind
        One of :data:`FAULT_KINDS`.
    name
        Readable name, e.g. ``'板桥-圣泉 500kV #1'`` (line, either order of its ends),
        ``'张家坝-长寿 500kV'`` (corridor, either order), ``'板桥 500/220kV #1'``, ``'板桥'``
        (substation: every bus of the station; a 220 kV load substation by its name such as
        ``'渝中1号'``), ``'华能珞璜 #5'``, ``'华能珞璜'``, ``'哈密-重庆 ±800kV DC'``.

    Raises
    ------
    InputError
        The kind or the name is unknown; the message suggests the closest valid name.
    """
    spec = _kind(kind)
    choices = spec.names(net)
    known = next((n for n in spec.spellings(name) if n in choices), None)
    if known is None:
        hint = ""
        if spec.numbered and " #" not in name:
            hint = " (quote names with '#' in YAML: an unquoted ' #' starts a comment)"
        raise InputError(f"no {kind} named {name!r}"
                         f"{did_you_mean(name, spec.suggestions(name, choices))}{hint}")
    why = reason or f"{kind} named in the scenario"
    return [Outage(table, idx, readable, why, cause) for table, idx, readable in spec.select(net, known)]


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
