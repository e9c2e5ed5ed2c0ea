"""Matplotlib figures. Every function takes ``ax=None``, draws on it (or a new Axes) and returns
the Axes; none calls ``plt.show()``.

Labels are English with the plan's Chinese term beside it, drawn with the CJK font the package
ships (:mod:`outage_sim.reports.fonts`, registered once). Only if that file is missing does an
installed CJK font stand in; with neither, the Chinese part is left out rather than drawn as
empty boxes.
"""

from __future__ import annotations

from functools import lru_cache

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.lines import Line2D

from outage_sim.reports.fonts import register_cjk_font

VOLTAGE_COLOURS = {1000: "#7b2cbf", 500: "#d62828", 220: "#1d6fb8"}
STATION_LABEL_COLOUR = "#7a1010"  # a darker 500 kV red
PLANT_MARKERS = {"coal": ("s", "#444444"), "gas": ("D", "#f77f00"), "hydro": ("^", "#0096c7"),
                 "import": ("*", "#2a9d8f")}
_CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "WenQuanYi Zen Hei",
              "WenQuanYi Micro Hei", "SimHei", "Source Han Sans SC", "AR PL UMing CN", "Droid Sans Fallback")


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Name of the font that draws Chinese: the shipped Noto Sans SC, else an installed CJK font,
    else ``None``."""
    shipped = register_cjk_font()
    if shipped:
        return shipped
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in _CJK_FONTS if n in names), None)


def bilingual(en: str, zh: str) -> str:
    """``"en (zh)"`` when Chinese can be drawn, else ``"en"``."""
    return f"{en} ({zh})" if cjk_font() else en


def use_cjk_font() -> None:
    """Put the installed CJK font (if any) first in matplotlib's sans-serif list."""
    font = cjk_font()
    rc = matplotlib.rcParams  # pyplot's are the same; pyplot itself is not needed to save
    if font and font not in rc["font.sans-serif"]:
        rc["font.sans-serif"] = [font, *rc["font.sans-serif"]]
        rc["axes.unicode_minus"] = False


def plot_grid(net, ax=None, *, district_labels: bool = True, station_labels: bool = True):
    """Map of the grid: buses at their coordinates, lines coloured by voltage, plants marked,
    the stations of 500 kV and above named.

    Parameters
    ----------
    net
        An annotated net (:func:`outage_sim.grid.chongqing_net` or :func:`~outage_sim.grid.annotate_net`).
    ax
        Axes to draw on; a new figure is made when ``None``.
    district_labels
        Write district names at their centroids (Chinese when a CJK font exists, else English).
    station_labels
        Name the stations of 500 kV and above beside them, clear of each other and of the
        district names; those of the 中心城区 (central city) in an inset, where they are too
        close together at the map's scale (only with a CJK font: the names are Chinese).
    """
    use_cjk_font()
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(11, 10))
    _outlines(ax, net)
    drawn = _lines(ax, net)
    _plants(ax, net)
    core = _core(net) if station_labels and cjk_font() is not None else None
    names = (_district_names(ax, net["districts"], skip=core[1] if core else ())
             if district_labels and "districts" in net else [])
    ax.legend(handles=_grid_legend(drawn), loc="lower right", fontsize=8, framealpha=0.9)
    _geo_labels(ax, net)
    meta = net["meta"] if "meta" in net else {}
    ax.set_title(bilingual(f"{net.name or 'grid'} — model {meta.get('model_version', '')}",
                           "电网模型"), fontsize=10)
    ax.set_aspect("equal", adjustable="datalim")
    if station_labels and cjk_font() is not None:
        _station_names(ax, net, names, core, district_labels)
    return ax


def _station_names(ax, net, obstacles, core, district_labels: bool) -> None:
    """The name of each station of 500 kV and above, one label however many buses it has;
    those within the 中心城区 box ``core`` in an inset."""
    from outage_sim.reports.labels import place_labels

    bus = net.bus[net.bus.vn_kv >= 500]
    station = (bus["station"].fillna("").astype(str) if "station" in bus
               else pd.Series("", index=bus.index))
    name = station.where(station != "", bus["name"].astype(str).str.rsplit(" ", n=1).str[0])
    first = ~name.duplicated()
    lon, lat, name = (bus.loc[first, "lon"].astype(float), bus.loc[first, "lat"].astype(float),
                      name[first])
    inside = pd.Series(False, index=name.index)
    if core is not None:
        x0, x1, y0, y1 = core[0]
        inside = lon.between(x0, x1) & lat.between(y0, y1)
    if inside.any():
        ins, title = _core_inset(ax, net, core[0])
        near = (_district_names(ins, net["districts"], only=core[1]) if district_labels
                else [])
        place_labels(ins, list(zip(lon[inside], lat[inside])), name[inside].tolist(),
                     obstacles=[title, *near], fontsize=6.5, color=STATION_LABEL_COLOUR)
    place_labels(ax, list(zip(lon[~inside], lat[~inside])), name[~inside].tolist(),
                 obstacles=obstacles, fontsize=6.5, color=STATION_LABEL_COLOUR)


def _core(net) -> tuple[tuple[float, float, float, float], list[str]] | None:
    """The 中心城区 (the core districts of the shipped data): its (lon0, lon1, lat0, lat1) box
    and district names, when the net's districts are the shipped ones; ``None`` otherwise."""
    from outage_sim.grid import read_grid_data
    from outage_sim.hazards import district_outlines

    table = read_grid_data()["districts"]
    names = set(net["districts"]["name"].astype(str)) if "districts" in net else set()
    if names != set(table["name"].astype(str)):
        return None
    core = table.loc[table["zone"] == "core", "name"].astype(str).tolist()
    outlines = district_outlines()
    rings = [r for n in core for r in outlines.get(n, ())]
    if not rings:
        return None
    (x0, y0), (x1, y1) = np.concatenate(rings).min(axis=0), np.concatenate(rings).max(axis=0)
    return (float(x0), float(x1), float(y0), float(y1)), core


def _core_inset(ax, net, box):
    """The 中心城区 enlarged in the map's empty north-west corner (outlines, lines, plants);
    returns the inset and its title."""
    ins = ax.inset_axes([0.0, 0.6, 0.4, 0.4])
    _outlines(ins, net)
    _lines(ins, net)
    _plants(ins, net)
    ins.set_xlim(box[0], box[1])
    ins.set_ylim(box[2], box[3])
    ins.set_aspect("equal", adjustable="box")
    ins.set_xticks([])
    ins.set_yticks([])
    title = ins.text(0.03, 0.97, bilingual("central city", "中心城区"), transform=ins.transAxes,
                     ha="left", va="top", fontsize=7, zorder=7,
                     bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none",
                           "alpha": 0.8})
    ax.indicate_inset_zoom(ins, edgecolor="#555555", lw=0.8)
    return ins, title


def _district_names(ax, districts, *, skip=(), only=None) -> list:
    """District names at their centroids (all but ``skip``; only those in ``only`` if given)."""
    chinese = cjk_font() is not None
    rows = [r for r in districts.itertuples(index=False)
            if r.name not in skip and (only is None or r.name in only)]
    return [ax.annotate(row.name if chinese else row.name_en, (row.lon, row.lat), fontsize=7,
                        color="#333333", ha="center", va="bottom", xytext=(0, 4),
                        textcoords="offset points", zorder=4)
            for row in rows]


def _geo_labels(ax, net) -> None:
    geo = "lat" in net.bus and net.bus["lat"].between(-90, 90).all()
    ax.set_xlabel(bilingual("longitude (°E)", "经度") if geo else "x (layout units)")
    ax.set_ylabel(bilingual("latitude (°N)", "纬度") if geo else "y (layout units)")


def _outlines(ax, net) -> None:
    """The 区县 outlines under the grid, when the net's districts are the shipped ones."""
    from outage_sim.hazards import district_outlines

    outlines = district_outlines()
    names = set(net["districts"]["name"].astype(str)) if "districts" in net else set()
    if not names or not names <= set(outlines):
        return
    for name in names:
        for ring in outlines[name]:
            ax.plot(ring[:, 0], ring[:, 1], color="#c8c8c8", lw=0.5, zorder=0)


def _lines(ax, net) -> set[int]:
    """Lines coloured by voltage, transformers, buses; returns the voltages drawn."""
    lat, lon = net.bus["lat"], net.bus["lon"]
    kv_of_line = net.bus.loc[net.line.from_bus, "vn_kv"].to_numpy()
    drawn = set()
    for (fb, tb, kv) in sorted(set(zip(net.line.from_bus, net.line.to_bus, kv_of_line)),
                               key=lambda t: t[2]):
        colour = VOLTAGE_COLOURS.get(int(kv), "#888888")
        ax.plot([lon[fb], lon[tb]], [lat[fb], lat[tb]], color=colour,
                lw={1000: 3.0, 500: 1.8}.get(int(kv), 0.8), alpha=0.85, zorder=1)
        drawn.add(int(kv))
    for hv, lv in zip(net.trafo.hv_bus, net.trafo.lv_bus):
        ax.plot([lon[hv], lon[lv]], [lat[hv], lat[lv]], color="#555555", lw=0.6, zorder=1)
    ax.scatter(lon, lat, s=[18 if kv >= 500 else 6 for kv in net.bus.vn_kv], c="black", zorder=2)
    _supply_areas(ax, net)
    return drawn


def _supply_areas(ax, net) -> None:
    """220 kV load stations coloured by their supply area (分区: the 500 kV station whose area
    they belong to), when the net says which."""
    if "kind" not in net.bus or "station" not in net.bus:
        return
    loads = net.bus[net.bus["kind"] == "load220"]
    palette = matplotlib.colormaps["tab20"]
    for k, (_area, members) in enumerate(sorted(loads.groupby("station"), key=lambda t: str(t[0]))):
        ax.scatter(members["lon"], members["lat"], s=30, color=palette(k % 20), edgecolors="black",
                   linewidths=0.3, zorder=2.5)


def _plants(ax, net) -> None:
    lat, lon = net.bus["lat"], net.bus["lon"]
    gens = net.gen.assign(kind=net.gen["role"].where(net.gen["role"] == "import", net.gen["type"]))
    sg = net.sgen[net.sgen.get("role", "") == "import"].assign(kind="import")
    for kind, (marker, colour) in PLANT_MARKERS.items():
        buses = sorted(set(gens.loc[gens.kind == kind, "bus"]) | set(sg.loc[sg.kind == kind, "bus"]))
        if buses:
            ax.scatter(lon[buses], lat[buses], marker=marker, s=90, c=colour, edgecolors="white",
                       zorder=3)


def _grid_legend(drawn: set[int]) -> list:
    handles = [Line2D([], [], color=VOLTAGE_COLOURS[k], lw=2, label=f"{k} kV")
               for k in sorted(drawn, reverse=True) if k in VOLTAGE_COLOURS]
    handles.append(Line2D([], [], ls="", marker="o", color="#9edae5", markeredgecolor="black",
                          markersize=6, label=bilingual("220 kV station, colour = supply area",
                                                        "220kV站, 颜色=供电分区")))
    names = {"coal": bilingual("coal unit", "煤电"), "gas": bilingual("gas unit", "气电"),
             "hydro": bilingual("hydro unit", "水电"),
             "import": bilingual("intertie / DC infeed", "外来电")}
    return handles + [Line2D([], [], ls="", marker=m, color=c, markersize=8, label=names[k])
                      for k, (m, c) in PLANT_MARKERS.items()]
