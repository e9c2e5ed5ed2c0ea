"""Geometry for the hazard models: line routes by district, stations, plants, river distances.

:func:`hazard_context` turns an annotated net into the tables every hazard model reads, once:

- the component table of :func:`outage_sim.hazards.component_table`;
- a line × district matrix of route kilometres (:func:`line_exposure`): a line's route is the
  straight line between its end buses, cut into equal segments, each segment assigned to its end
  bus's district (first and last) or to the district whose outline holds it
  (:func:`district_outlines`, the shipped 区县 polygons) — or to none when it lies outside the
  province. A net whose districts are not all in the outline file (a grid of your own) falls
  back to the district with the nearest centroid, none beyond ``outside_km``;
- stations (every bus of a 500/1000 kV station or converter together; each 220 kV load substation
  on its own), the lowest-numbered transformer of each station, and plants (units grouped by
  ``plant``), with their coordinates.

Distances use a local equirectangular projection (error < 0.5% over Chongqing's extent).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.path import Path as MplPath

from outage_sim.errors import AnnotationError, DataFileError
from outage_sim.hazards.data import hazard_parameters, parameter
from outage_sim.hazards.faults import component_table

if TYPE_CHECKING:  # the outlines are read without pandapower (outage-sim plot needs no grid)
    import pandapower as pp

KM_PER_DEG = 111.195  # mean Earth radius 6371.0 km × π / 180
#: The 38 区县 outlines shipped with the package (built by scripts/build_district_outlines.py).
OUTLINES_FILE = Path(__file__).resolve().parents[1] / "data" / "chongqing" / "district_outlines.geojson"


@dataclass(frozen=True, eq=False)
class HazardContext:
    """The tables of one net that the hazard models read (build with :func:`hazard_context`).

    Attributes
    ----------
    components
        :func:`outage_sim.hazards.component_table` of the net.
    lines
        The line rows of ``components``, positional index.
    exposure_km
        ``(n_lines, n_districts)`` route kilometres of each line in each district.
    districts
        District names, the columns of ``exposure_km``.
    stations
        One row per station: ``key``, ``district``, ``lat``, ``lon``, ``vn_kv`` (highest),
        ``kind`` (``load220`` for a 220 kV load substation, ``station`` otherwise).
    station_buses
        ``station`` (row of ``stations``), ``index``, ``name`` of every bus of every station.
    station_trafo
        ``station``, ``index``, ``name``: the lowest-numbered transformer of each station that
        has one.
    plants
        One row per plant: ``key``, ``district``, ``lat``, ``lon``.
    plant_units
        ``plant`` (row of ``plants``), ``index``, ``name``, ``type`` of every unit (``net.gen``).
    data_dir
        Folder of the hazard parameter files (``None``: the shipped ones).
    """

    components: pd.DataFrame
    lines: pd.DataFrame
    exposure_km: np.ndarray
    districts: tuple[str, ...]
    stations: pd.DataFrame
    station_buses: pd.DataFrame
    station_trafo: pd.DataFrame
    plants: pd.DataFrame
    plant_units: pd.DataFrame
    data_dir: Path | None = None

    def params(self, name: str) -> dict:
        """The parameters of hazard data file ``name`` (see :mod:`outage_sim.hazards.data`)."""
        return hazard_parameters(name, self.data_dir)


def hazard_context(net: pp.pandapowerNet, data_dir: str | Path | None = None) -> HazardContext:
    """Build the :class:`HazardContext` of an annotated net (the net is not changed).

    Parameters
    ----------
    net
        A net annotated as :mod:`outage_sim.grid.model` describes (bus ``district``, ``lat``, ``lon``;
        ``net["districts"]`` with centroids).
    data_dir
        Folder of hazard parameter files; the shipped ``data/hazards`` by default.

    Raises
    ------
    AnnotationError
        The net lacks the district table or bus coordinates.
    """
    if "districts" not in net or not {"name", "lat", "lon"} <= set(net["districts"].columns):
        raise AnnotationError("net['districts'] with name, lat, lon is needed for hazards "
                              "(annotate the net with outage_sim.grid.annotate_net)")
    for col in ("district", "lat", "lon"):
        if col not in net.bus:
            raise AnnotationError(f"net.bus lacks column {col!r} needed for hazards")
    ddir = Path(data_dir) if data_dir is not None else None
    comps = component_table(net)
    lines = comps[comps["element"] == "line"].reset_index(drop=True)
    dist = net["districts"]
    geo = hazard_parameters("geometry", ddir)
    names = dist["name"].astype(str).tolist()
    outlines = district_outlines()
    exposure = line_exposure(lines, names, dist["lat"].to_numpy(float), dist["lon"].to_numpy(float),
                             int(parameter(geo, "segments_per_line", "geometry")),
                             float(parameter(geo, "outside_km", "geometry")),
                             outlines=outlines if set(names) <= set(outlines) else None)
    stations, members, trafo = _stations(net, comps)
    plants, units = _plants(net)
    return HazardContext(comps, lines, exposure, tuple(names), stations,
                         members, trafo, plants, units, ddir)


def local_xy_km(lat: np.ndarray, lon: np.ndarray, lat0: float) -> tuple[np.ndarray, np.ndarray]:
    """Equirectangular projection (km) about latitude ``lat0``."""
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    return lon * KM_PER_DEG * np.cos(np.radians(lat0)), lat * KM_PER_DEG


def distance_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance (haversine, km) between points, broadcasting."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2.0 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


@lru_cache(maxsize=4)
def district_outlines(path: str | Path | None = None) -> dict[str, tuple[np.ndarray, ...]]:
    """District name → the rings (``(n, 2)`` arrays of lon, lat; outer rings and holes alike) of
    its outline, from the shipped ``district_outlines.geojson`` (or the GeoJSON at ``path``).

    Raises
    ------
    DataFileError
        The file is missing or not a FeatureCollection of (Multi)Polygons with a ``name``.
    """
    file = Path(path) if path is not None else OUTLINES_FILE
    try:
        features = json.loads(file.read_text(encoding="utf-8"))["features"]
        out = {}
        for f in features:
            geom = f["geometry"]
            polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
            out[str(f["properties"]["name"])] = tuple(np.asarray(ring, dtype=float)
                                                     for poly in polys for ring in poly)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataFileError(f"{file}: not a readable district outline file ({exc})") from None
    return out


def point_districts(lat: np.ndarray, lon: np.ndarray, outlines: dict[str, tuple[np.ndarray, ...]],
                    names: list[str]) -> np.ndarray:
    """Position in ``names`` of the district whose outline holds each point (even-odd rule over
    its rings), -1 for a point in none. ``lat`` and ``lon`` are flat arrays."""
    pts = np.column_stack([np.asarray(lon, float), np.asarray(lat, float)])
    code = np.full(len(pts), -1)
    for i, name in enumerate(names):
        todo = code < 0
        rings = outlines.get(name, ())
        if not rings or not todo.any():
            continue
        inside = np.zeros(len(pts), dtype=bool)
        for ring in rings:
            lo, hi = ring.min(axis=0), ring.max(axis=0)
            near = todo & np.all((pts >= lo) & (pts <= hi), axis=1)
            if near.any():
                inside[near] ^= MplPath(ring).contains_points(pts[near])
        code[inside & todo] = i
    return code


def line_exposure(lines: pd.DataFrame, names: list[str], c_lat: np.ndarray, c_lon: np.ndarray,
                  segments: int, outside_km: float,
                  outlines: dict[str, tuple[np.ndarray, ...]] | None = None) -> np.ndarray:
    """Route kilometres of each line in each district.

    Parameters
    ----------
    lines
        Rows with ``lat``, ``lon`` (from-bus), ``lat2``, ``lon2`` (to-bus), ``length_km``,
        ``district``, ``district2``.
    names, c_lat, c_lon
        District names and centroids.
    segments
        Equal segments per route.
    outside_km
        Without ``outlines``: a segment farther than this from every centroid belongs to no
        district.
    outlines
        :func:`district_outlines`: a segment belongs to the district whose outline holds its
        midpoint; outside them all, to none — or, on a line with both ends in the districts, to
        the one with the nearest centroid. ``None``: every segment to the nearest centroid.

    Returns
    -------
    numpy.ndarray
        ``(len(lines), len(names))``; a row sums to the line's length less its part outside.
    """
    n, nd = len(lines), len(names)
    out = np.zeros((n, nd))
    if n == 0 or nd == 0:
        return out
    t = (np.arange(segments) + 0.5) / segments
    lat1, lon1 = lines["lat"].to_numpy(float), lines["lon"].to_numpy(float)
    lat2, lon2 = lines["lat2"].to_numpy(float), lines["lon2"].to_numpy(float)
    lat = lat1[:, None] + (lat2 - lat1)[:, None] * t
    lon = lon1[:, None] + (lon2 - lon1)[:, None] * t
    lat0 = float(np.mean(c_lat))
    x, y = local_xy_km(lat, lon, lat0)
    cx, cy = local_xy_km(c_lat, c_lon, lat0)
    d2 = (x[..., None] - cx) ** 2 + (y[..., None] - cy) ** 2
    nearest = np.where(np.sqrt(d2.min(axis=-1)) <= outside_km, d2.argmin(axis=-1), -1)
    pos = {name: i for i, name in enumerate(names)}
    first = lines["district"].astype(str).map(pos).fillna(-1).to_numpy(int)
    last = lines["district2"].astype(str).map(pos).fillna(-1).to_numpy(int)
    if outlines is None:
        code = nearest
    else:  # a straight route between two stations of the province that cuts across a corner of
        # a neighbouring province stays exposed in the nearest district; other routes do not
        code = point_districts(lat.ravel(), lon.ravel(), outlines, names).reshape(lat.shape)
        own = ((first >= 0) & (last >= 0))[:, None] & (code < 0)
        code = np.where(own, d2.argmin(axis=-1), code)
    code[:, 0] = np.where(first >= 0, first, code[:, 0])
    code[:, -1] = np.where(last >= 0, last, code[:, -1])
    rows = np.repeat(np.arange(n), segments)
    flat = code.ravel()
    seg_km = np.repeat(lines["length_km"].to_numpy(float) / segments, segments)
    keep = flat >= 0
    np.add.at(out, (rows[keep], flat[keep]), seg_km[keep])
    return out


def distance_to_polyline_km(lat: np.ndarray, lon: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Distance (km) from each point to the polyline ``points`` (``[[lat, lon], ...]``)."""
    points = np.asarray(points, dtype=float)
    lat0 = float(points[:, 0].mean())
    px, py = local_xy_km(lat, lon, lat0)
    vx, vy = local_xy_km(points[:, 0], points[:, 1], lat0)
    ax, ay, bx, by = vx[:-1], vy[:-1], vx[1:], vy[1:]
    dx, dy = bx - ax, by - ay
    seg2 = np.where(dx * dx + dy * dy > 0, dx * dx + dy * dy, 1.0)
    tt = np.clip(((px[:, None] - ax) * dx + (py[:, None] - ay) * dy) / seg2, 0.0, 1.0)
    qx, qy = ax + tt * dx, ay + tt * dy
    return np.sqrt((px[:, None] - qx) ** 2 + (py[:, None] - qy) ** 2).min(axis=1)


def _station_key(bus: pd.DataFrame) -> pd.Series:
    """A station's buses share a key: the ``station`` annotation for 500/1000 kV stations, the
    name before the voltage for a 220 kV load substation (``'万州1号 220kV'`` → ``'万州1号'``),
    the bus name otherwise."""
    station = bus["station"].astype(str).replace({"nan": "", "None": ""})
    kind = bus["type"].astype(str)
    name = _names(bus["name"], bus["index"], "bus")
    prefix = name.str.rsplit(" ", n=1).str[0]
    return pd.Series(np.where(kind == "load220", prefix, np.where(station != "", station, name)),
                     index=bus.index)


def _names(names: pd.Series, index: pd.Series, what: str) -> pd.Series:
    """Readable names, with ``'<what> <index>'`` where a name is missing or not unique."""
    text = names.astype(str).replace({"nan": "", "None": ""})
    bad = (text == "") | text.duplicated(keep=False)
    return text.where(~bad, what + " " + index.astype(str))


def _stations(net: pp.pandapowerNet, comps: pd.DataFrame
              ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    bus = comps[comps["element"] == "bus"]
    outside = bus["type"].astype(str).str.startswith("ext") | (bus["district"].astype(str) == "")
    bus = bus[~outside.to_numpy()]
    key = _station_key(bus)
    grouped = bus.assign(key=key.to_numpy(), load220=(bus["type"].astype(str) == "load220"))
    order = list(dict.fromkeys(grouped["key"]))
    agg = grouped.groupby("key", sort=False).agg(
        district=("district", "first"), lat=("lat", "mean"), lon=("lon", "mean"),
        vn_kv=("vn_kv", "max"), load220=("load220", "all")).loc[order].reset_index()
    agg["kind"] = np.where(agg.pop("load220"), "load220", "station")
    pos = {k: i for i, k in enumerate(agg["key"])}
    members = pd.DataFrame({"station": grouped["key"].map(pos).to_numpy(int),
                            "index": grouped["index"].to_numpy(np.int64),
                            "name": grouped["name"].astype(str).to_numpy()})
    bus_key = dict(zip(grouped["index"].to_numpy(np.int64), grouped["key"]))
    tr = net.trafo.sort_index()
    tkey = tr["hv_bus"].map(bus_key)
    first = tr[tkey.notna()].assign(key=tkey[tkey.notna()]).groupby("key", sort=False).head(1)
    trafo = pd.DataFrame({"station": first["key"].map(pos).to_numpy(int),
                          "index": first.index.to_numpy(np.int64),
                          "name": first["name"].astype(str).to_numpy()})
    return agg, members, trafo


def _plants(net: pp.pandapowerNet) -> tuple[pd.DataFrame, pd.DataFrame]:
    g = net.gen
    role = g["role"] if "role" in g else pd.Series("unit", index=g.index)
    units = g[role.astype(str) == "unit"]
    name = _names(units["name"], pd.Series(units.index, index=units.index), "gen")
    plant = (units["plant"].astype(str).replace({"nan": "", "None": ""}) if "plant" in units
             else pd.Series("", index=units.index))
    plant = plant.where(plant != "", name)
    b = net.bus.loc[units["bus"]]
    table = pd.DataFrame({"key": plant.to_numpy(), "district": b["district"].astype(str).to_numpy(),
                          "lat": b["lat"].to_numpy(float), "lon": b["lon"].to_numpy(float)})
    order = list(dict.fromkeys(table["key"]))
    plants = table.groupby("key", sort=False).first().loc[order].reset_index()
    pos = {k: i for i, k in enumerate(plants["key"])}
    members = pd.DataFrame({"plant": table["key"].map(pos).to_numpy(int),
                            "index": units.index.to_numpy(np.int64),
                            "name": units["name"].astype(str).to_numpy(),
                            "type": units["type"].astype(str).to_numpy()
                            if "type" in units else "unit"})
    return plants, members
