"""What the model holds, one table per kind of element, by the names scenarios use.

:func:`catalog_table` answers ``outage-sim grid list KIND``: the substations (one row per bus),
lines, transformers, generating units, interties, districts and important power users
(重要电力用户) of an annotated net, each row named as a scenario file names it — ``name`` is what
the fault kind of the same name accepts (``line:``, ``transformer:``, ``unit:``, ``intertie:``,
``substation:``), and ``corridor`` and ``plant`` are what ``corridor:`` and ``plant:`` accept.
Units are in the column names (``vn_kv``, ``length_km``, ``rating_mva``, ``p_mw``).

Notes
-----
A substation fault takes out every bus of a station, so the substation name of a 500 kV
station's 220 kV side is the station's (``陈家桥`` for ``陈家桥 220kV``); the bus is in ``bus``.
The names follow the rules of :func:`outage_sim.hazards.resolve_fault` (a circuit is
``'<corridor> #n'``, a station a bus name without its voltage); a test keeps the two agreeing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import lazy_loader as lazy
import numpy as np

from outage_sim.errors import InputError, did_you_mean

if TYPE_CHECKING:
    import pandapower as pp
    import pandas as pd
else:  # CATALOG_KINDS is read as the command line is parsed: pandas loads once a table is made
    pd = lazy.load("pandas")

__all__ = ["CATALOG_KINDS", "catalog_table", "element_name"]


def element_name(net: pp.pandapowerNet, ref: tuple[str, int]) -> str:
    """The readable name of a (table, index) element, or ``"table index"`` without one."""
    table, idx = ref
    name = net[table].at[idx, "name"] if "name" in net[table] else None
    return str(name) if isinstance(name, str) and name else f"{table} {idx}"


def _text(frame: pd.DataFrame, column: str, default: str = "") -> pd.Series:
    """A text column of a pandapower table, or ``default`` where the net does not have it."""
    if column not in frame:
        return pd.Series(default, index=frame.index, dtype=object)
    return frame[column].fillna(default).astype(str)


def _bus_column(net: pp.pandapowerNet, buses, column: str) -> np.ndarray:
    """``column`` of ``net.bus`` for each bus index in ``buses``."""
    values = _text(net.bus, column) if column != "vn_kv" else net.bus["vn_kv"].astype(float)
    return values.to_numpy()[net.bus.index.get_indexer(np.asarray(buses))]


def _station_of(bus_names: pd.Series) -> pd.Series:
    """``'陈家桥 500kV'`` → ``'陈家桥'``: the name a ``substation:`` fault accepts for a bus."""
    return bus_names.astype(str).str.rsplit(" ", n=1).str[0]


def _substations(net: pp.pandapowerNet) -> pd.DataFrame:
    bus = net.bus
    loads = net.load[net.load.in_service]
    by_bus = loads.groupby("bus").agg(load_mw=("p_mw", "sum"), customers=("customers", "sum"))
    names = bus["name"].astype(str)
    station = _text(bus, "station")
    own = _text(bus, "kind") != "load220"  # a 220 kV load substation is a station of its own
    return pd.DataFrame({
        "name": _station_of(names).where(~own | (station == ""), station),
        "bus": names, "kind": _text(bus, "kind"), "vn_kv": bus["vn_kv"].astype(float),
        "district": _text(bus, "district"), "station": station,
        "load_mw": bus.index.map(by_bus["load_mw"]).fillna(0.0).astype(float).round(3),
        "customers": bus.index.map(by_bus["customers"]).fillna(0).astype(np.int64),
        "lat": bus["lat"].astype(float), "lon": bus["lon"].astype(float)})


def _lines(net: pp.pandapowerNet) -> pd.DataFrame:
    ln = net.line
    vn_kv = _bus_column(net, ln.from_bus, "vn_kv")
    rating = (np.sqrt(3) * vn_kv * ln.max_i_ka.to_numpy() * ln.parallel.to_numpy()
              * ln.df.to_numpy())
    names = ln["name"].astype(str)
    return pd.DataFrame({
        "name": names, "corridor": names.str.rsplit(" #", n=1).str[0],
        "from_bus": _bus_column(net, ln.from_bus, "name"),
        "to_bus": _bus_column(net, ln.to_bus, "name"), "vn_kv": vn_kv,
        "length_km": ln.length_km.astype(float).round(3), "rating_mva": np.round(rating, 1),
        "district": _bus_column(net, ln.from_bus, "district"),
        "district_to": _bus_column(net, ln.to_bus, "district"),
        "in_service": ln.in_service.astype(bool)})


def _transformers(net: pp.pandapowerNet) -> pd.DataFrame:
    tr = net.trafo
    return pd.DataFrame({
        "name": tr["name"].astype(str), "hv_bus": _bus_column(net, tr.hv_bus, "name"),
        "lv_bus": _bus_column(net, tr.lv_bus, "name"), "vn_hv_kv": tr.vn_hv_kv.astype(float),
        "vn_lv_kv": tr.vn_lv_kv.astype(float),
        "rating_mva": (tr.sn_mva * tr.parallel).astype(float).round(1),
        "district": _bus_column(net, tr.hv_bus, "district"),
        "in_service": tr.in_service.astype(bool)})


def _units(net: pp.pandapowerNet) -> pd.DataFrame:
    gen = net.gen[_text(net.gen, "role", "unit") == "unit"]
    on = gen.in_service.astype(bool)
    return pd.DataFrame({
        "name": gen["name"].astype(str), "plant": _text(gen, "plant"),
        "type": _text(gen, "type"), "district": _bus_column(net, gen.bus, "district"),
        "bus": _bus_column(net, gen.bus, "name"), "p_max_mw": gen.max_p_mw.astype(float),
        "p_min_mw": gen.min_p_mw.astype(float),
        "p_mw": gen.p_mw.astype(float).where(on, 0.0).round(3), "committed": on,
        "black_start": gen.get("black_start", pd.Series(False, index=gen.index)).astype(bool)})


def _interties(net: pp.pandapowerNet) -> pd.DataFrame:
    parts = []
    for table in ("gen", "sgen"):
        g = net[table][_text(net[table], "role") == "import"]
        parts.append(pd.DataFrame({
            "name": g["name"].astype(str), "kind": _text(g, "type"),
            "bus": _bus_column(net, g.bus, "name"),
            "district": _bus_column(net, g.bus, "district"),
            "capacity_mw": g.max_p_mw.astype(float), "p_mw": g.p_mw.astype(float).round(3),
            "in_service": g.in_service.astype(bool)}))
    return pd.concat(parts, ignore_index=True)


def _districts(net: pp.pandapowerNet) -> pd.DataFrame:
    from outage_sim.grid.stats import district_table

    d = district_table(net)
    users = _important_users(net).groupby("district").size()
    coords = net["districts"].set_index("name")
    return d.assign(important_users=d["name"].map(users).fillna(0).astype(np.int64),
                    lat=d["name"].map(coords["lat"]).astype(float),
                    lon=d["name"].map(coords["lon"]).astype(float))


def _important_users(net: pp.pandapowerNet) -> pd.DataFrame:
    load = net.load[_text(net.load, "important_user") != ""]
    names = pd.Series(_bus_column(net, load.bus, "name"), index=load.index)
    return pd.DataFrame({
        "name": load["name"].astype(str), "category": _text(load, "important_user"),
        "district": _text(load, "district"), "bus": names, "substation": _station_of(names),
        "load_mw": load.p_mw.astype(float).round(3),
        "customers": load.customers.astype(np.int64),
        "shed_priority": load.shed_priority.astype(np.int64)})


#: Each kind of ``outage-sim grid list``, its table and how ``district=`` selects rows.
_KINDS: dict[str, tuple[Callable[[pp.pandapowerNet], pd.DataFrame], tuple[str, ...]]] = {
    "substations": (_substations, ("district",)),
    "lines": (_lines, ("district", "district_to")),
    "transformers": (_transformers, ("district",)),
    "units": (_units, ("district",)),
    "interties": (_interties, ("district",)),
    "districts": (_districts, ("name",)),
    "important-users": (_important_users, ("district",)),
}
CATALOG_KINDS = tuple(_KINDS)


def catalog_table(net: pp.pandapowerNet, kind: str, *,
                  district: str | None = None) -> pd.DataFrame:
    """One kind of element of an annotated net, one row each, named as scenarios name it.

    Parameters
    ----------
    net
        An annotated net (:func:`~outage_sim.grid.chongqing_net`, or any net after
        :func:`~outage_sim.grid.annotate_net`); it is not changed.
    kind
        One of :data:`CATALOG_KINDS`: ``substations``, ``lines``, ``transformers``, ``units``,
        ``interties``, ``districts``, ``important-users``.
    district
        Only the rows in this district (a line in it at either end; the district itself for
        ``districts``).

    Returns
    -------
    pandas.DataFrame
        In the net's order, index 0..n-1. Columns by kind:

        - substations: ``name`` (as ``substation:`` accepts it), ``bus``, ``kind``, ``vn_kv``,
          ``district``, ``station``, ``load_mw``, ``customers``, ``lat``, ``lon``;
        - lines: ``name``, ``corridor``, ``from_bus``, ``to_bus``, ``vn_kv``, ``length_km``,
          ``rating_mva``, ``district``, ``district_to``, ``in_service``;
        - transformers: ``name``, ``hv_bus``, ``lv_bus``, ``vn_hv_kv``, ``vn_lv_kv``,
          ``rating_mva``, ``district``, ``in_service``;
        - units: ``name``, ``plant``, ``type``, ``district``, ``bus``, ``p_max_mw``,
          ``p_min_mw``, ``p_mw`` (dispatch at the net's level), ``committed``, ``black_start``;
        - interties: ``name``, ``kind``, ``bus``, ``district``, ``capacity_mw``, ``p_mw``
          (schedule at the level), ``in_service``;
        - districts: ``name``, ``name_en``, ``load_mw``, ``customers``, ``key_area``,
          ``important_users``, ``lat``, ``lon``;
        - important-users: ``name`` (the load), ``category``, ``district``, ``bus``,
          ``substation``, ``load_mw``, ``customers``, ``shed_priority``.

    Raises
    ------
    InputError
        ``kind`` or ``district`` is unknown (the message suggests the closest).
    AnnotationError
        The net lacks the annotations.
    """
    if kind not in _KINDS:
        raise InputError(f"kind: {kind!r} unknown{did_you_mean(kind, CATALOG_KINDS)}; use one "
                         f"of {', '.join(CATALOG_KINDS)}")
    from outage_sim.grid.annotate import check_annotations

    check_annotations(net)
    names = net["districts"]["name"].astype(str).tolist()
    if district is not None and district not in names:
        raise InputError(f"--district: no district named {district!r}"
                         f"{did_you_mean(district, names)}")
    build, columns = _KINDS[kind]
    table = build(net)
    if district is not None:
        table = table[table[list(columns)].eq(district).any(axis=1)]
    return table.reset_index(drop=True)
