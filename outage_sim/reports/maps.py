"""District maps on the 38 区县 outlines: where, how bad, when.

- :func:`plot_district_map`: a choropleth of the share of each district's load shed at one moment
  (by default the worst moment of the run), an inset of the 中心城区, the stations and the faulted
  elements on top and the hazard footprint overlaid;
- :func:`plot_district_panels`: the same map at chosen hours (T+0, 6 h, 24 h, 72 h … within the
  run) as small multiples;
- :func:`plot_probability_map`: a value per district (the Monte-Carlo probability of going dark).

Each takes ``ax=None`` (a new figure when ``None``) and returns the Axes; none calls
``plt.show()``. The outlines are the shipped ``district_outlines.geojson``
(:func:`outage_sim.hazards.district_outlines`); a district missing there is drawn as a circle at
its centroid.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.collections import PatchCollection
from matplotlib.colors import Normalize
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, PathPatch
from matplotlib.path import Path as MplPath

from outage_sim.errors import InputError
from outage_sim.reports.figures import bilingual, cjk_font, use_cjk_font

#: Hours of the small multiples, kept when within the run.
PANEL_HOURS = (0.0, 1.0, 6.0, 24.0, 72.0, 168.0)
_NEED = ("t_h", "district", "load_mw", "shed_mw")
_EMPTY = "#f4f4f2"
_EDGE = "#7a7a7a"


# ------------------------------------------------------------------ geometry and data
@lru_cache(maxsize=1)
def _district_table() -> pd.DataFrame:
    from outage_sim.grid import read_grid_data

    return read_grid_data()["districts"][["name", "name_en", "zone", "lat", "lon"]].copy()


@lru_cache(maxsize=1)
def _paths() -> dict[str, MplPath]:
    """District → one compound path of its rings (exteriors counter-clockwise, holes clockwise,
    so the non-zero fill leaves enclaves open)."""
    from outage_sim.hazards import district_outlines

    out = {}
    for name, rings in district_outlines().items():
        verts = np.concatenate(rings)
        codes = np.concatenate([[MplPath.MOVETO] + [MplPath.LINETO] * (len(r) - 2)
                                + [MplPath.CLOSEPOLY] for r in rings])
        out[name] = MplPath(verts, codes)
    return out


@lru_cache(maxsize=1)
def _stations() -> pd.DataFrame:
    """Substations of the shipped grid (name, kind, vn_kv, lat, lon) for drawing."""
    from outage_sim.grid import read_grid_data

    s = read_grid_data()["substations"]
    return s[s["district"].fillna("").astype(str) != ""][["name", "kind", "vn_kv", "lat", "lon"]]


def _names(coords: pd.DataFrame | None) -> pd.DataFrame:
    return _district_table() if coords is None else coords


def worst_hour(districts: pd.DataFrame) -> float:
    """The first hour of the district timeline at which the load shed over all districts is
    largest (0 when nothing is ever shed)."""
    _check(districts)
    total = districts.groupby("t_h", sort=True)["shed_mw"].sum()
    return float(total.idxmax()) if len(total) and total.max() > 0 else float(total.index.min())


def shares_at(districts: pd.DataFrame, t_h: float) -> tuple[float, pd.Series]:
    """``(hour drawn, share of load shed % by district)`` at the last step at or before ``t_h``.

    Raises
    ------
    InputError
        ``t_h`` is negative or beyond the end of the run.
    """
    _check(districts)
    times = np.sort(districts["t_h"].unique())
    if not 0 <= t_h <= times[-1] + 1e-9:
        raise InputError(f"--at: {t_h:g} h is outside the run (0 to {times[-1]:g} h)")
    at = float(times[times <= t_h + 1e-9][-1])
    # the last row of each district at that hour (two steps may round to one hour in a CSV)
    snap = districts[districts["t_h"] == at].drop_duplicates("district", keep="last")
    load = snap["load_mw"].where(snap["load_mw"] > 0)
    share = (100.0 * snap["shed_mw"] / load).fillna(0.0).clip(0, 100)
    return at, pd.Series(share.to_numpy(), index=snap["district"].astype(str).to_numpy())


def _check(districts: pd.DataFrame) -> None:
    missing = [c for c in _NEED if c not in districts]
    if missing:
        raise InputError(f"district timeline: missing column(s) {', '.join(missing)}")
    if districts.empty:
        raise InputError("district timeline: no rows")


# ------------------------------------------------------------------ drawing pieces
def _axes(ax, size):
    use_cjk_font()
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=size)
    return ax


def draw_districts(ax, values: Mapping[str, float], *, cmap="Reds", vmin=0.0, vmax=100.0,
                   coords: pd.DataFrame | None = None, lw: float = 0.4):
    """Fill every district's outline by ``values`` (a district not in ``values``, or at 0, is
    drawn pale); returns the ScalarMappable-bearing collection (for a colour bar)."""
    paths = _paths()
    table = _names(coords)
    patches, vals = [], []
    for row in table.itertuples(index=False):
        name = str(row.name)
        patch = (PathPatch(paths[name]) if name in paths
                 else Circle((row.lon, row.lat), 0.08))
        patches.append(patch)
        vals.append(float(values.get(name, 0.0)))
    cmap = matplotlib.colormaps[cmap] if isinstance(cmap, str) else cmap
    coll = PatchCollection(patches, cmap=cmap.with_extremes(bad=_EMPTY),
                           norm=Normalize(vmin, vmax), edgecolor=_EDGE, linewidth=lw, zorder=1)
    coll.set_array(np.ma.masked_less_equal(np.asarray(vals), 0.0))  # 0: pale, not the cmap's 0
    ax.add_collection(coll)
    lon = np.concatenate([p.vertices[:, 0] for p in paths.values()]) if paths else table.lon
    lat = np.concatenate([p.vertices[:, 1] for p in paths.values()]) if paths else table.lat
    ax.set_xlim(float(np.min(lon)) - 0.05, float(np.max(lon)) + 0.05)
    ax.set_ylim(float(np.min(lat)) - 0.05, float(np.max(lat)) + 0.05)
    ax.set_aspect(1.0 / np.cos(np.radians(30.0)))
    return coll


def _label(ax, table: pd.DataFrame, shares: Mapping[str, float], which: Iterable[str], size=7,
           light_above: float = 60.0):
    chinese = cjk_font() is not None
    rows = table.set_index("name")
    for name in which:
        if name not in rows.index:
            continue
        r = rows.loc[name]
        s = shares.get(name, 0.0)
        text = (name if chinese else r["name_en"]) + (f"\n{s:.0f}%" if s >= 0.5 else "")
        ax.annotate(text, (r["lon"], r["lat"]), ha="center", va="center", fontsize=size,
                    color="white" if s >= light_above else "#222222", zorder=6)


def draw_stations(ax, failed: Sequence[Mapping] | None = None, *, scale: float = 1.0) -> list:
    """500/1000 kV stations (squares), 220 kV load substations (dots) and, on top, the faulted
    elements of ``failed`` (``result.json`` ``shed.failed`` / ``tripped`` rows: buses and
    transformers as red crosses at their station, lines as red strokes); returns legend handles."""
    s = _stations()
    big = s["vn_kv"] >= 500
    ax.scatter(s.loc[~big, "lon"], s.loc[~big, "lat"], s=4 * scale, c="#444444", zorder=3, lw=0)
    ax.scatter(s.loc[big, "lon"], s.loc[big, "lat"], s=16 * scale, marker="s", c="white",
               edgecolors="black", linewidths=0.7, zorder=3)
    handles = [Line2D([], [], ls="", marker="s", mfc="white", mec="black",
                      label=bilingual("500/1000 kV station", "500/1000千伏变电站")),
               Line2D([], [], ls="", marker=".", color="#444444",
                      label=bilingual("220 kV substation", "220千伏变电站"))]
    if failed:
        xs, ys, segs = _faulted_positions(failed)
        for (a, b) in segs:
            ax.plot([a[1], b[1]], [a[0], b[0]], color="#e00000", lw=2.2, zorder=4)
        ax.scatter(ys, xs, marker="X", s=70, c="#e00000", edgecolors="white", linewidths=0.6,
                   zorder=5)
        handles.append(Line2D([], [], ls="-", marker="X", color="#e00000",
                              label=bilingual("faulted element", "故障设备")))
    return handles


def _faulted_positions(failed: Sequence[Mapping]):
    """Station points (lat, lon lists) and line segments of the faulted elements that the shipped
    grid names (others are skipped)."""
    from outage_sim.grid import read_grid_data

    data = read_grid_data()
    pos = {r.name: (r.lat, r.lon) for r in data["substations"].itertuples(index=False)}
    lines = dict(zip(data["lines"]["name"], zip(data["lines"]["from_bus"], data["lines"]["to_bus"])))
    hv_bus = dict(zip(data["transformers"]["name"], data["transformers"]["hv_bus"]))
    lat, lon, segs = [], [], []
    for f in failed:
        name, kind = str(f.get("name", "")), str(f.get("element", ""))
        ends = lines.get(name, ()) if kind == "line" else ()
        if len(ends) == 2 and all(e in pos for e in ends):
            segs.append((pos[ends[0]], pos[ends[1]]))
            continue
        at = pos.get(hv_bus.get(name, "") if kind == "trafo" else name)
        if at is not None:
            lat.append(at[0])
            lon.append(at[1])
    return lat, lon, segs


# ------------------------------------------------------------------ the maps
def _core(table: pd.DataFrame) -> list[str]:
    zone = table["zone"] if "zone" in table else pd.Series("", index=table.index)
    return table.loc[zone.astype(str) == "core", "name"].astype(str).tolist()


def _inset(ax, shares: Mapping[str, float], table: pd.DataFrame, failed) -> None:
    """The 中心城区 (core districts) enlarged in the map's empty north-west corner."""
    core = _core(table)
    paths = _paths()
    verts = np.concatenate([paths[n].vertices for n in core if n in paths] or [np.zeros((1, 2))])
    if len(verts) < 3:
        return
    ins = ax.inset_axes([0.0, 0.6, 0.38, 0.40])
    draw_districts(ins, {n: shares.get(n, 0.0) for n in core}, coords=table, lw=0.6)
    draw_stations(ins, failed)
    _label(ins, table, shares, core, size=6.5)
    (x0, y0), (x1, y1) = verts.min(axis=0), verts.max(axis=0)
    ins.set_xlim(x0 - 0.02, x1 + 0.02)
    ins.set_ylim(y0 - 0.02, y1 + 0.02)
    ins.set_xticks([])
    ins.set_yticks([])
    ins.text(0.03, 0.97, bilingual("central city", "中心城区"), transform=ins.transAxes,
             ha="left", va="top", fontsize=7, zorder=7,
             bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.8})
    ax.indicate_inset_zoom(ins, edgecolor="#555555", lw=0.8)


def plot_district_map(districts: pd.DataFrame, t_h: float | None = None, ax=None, *,
                      failed: Sequence[Mapping] | None = None, hazards: Sequence | None = None,
                      inset: bool = True, colorbar: bool = True, labels: bool = True,
                      coords: pd.DataFrame | None = None, title: str | None = None):
    """Choropleth of the share of each district's load shed at hour ``t_h``.

    Parameters
    ----------
    districts
        The district timeline (``t_h``, ``district``, ``load_mw``, ``shed_mw``): a restoration
        run's ``districts`` or ``district_timeline.csv``; a single snapshot (``shed.districts``
        with ``t_h`` = 0) works too.
    t_h
        Hours after the event (the last step at or before it is drawn); ``None``: the worst
        moment (:func:`worst_hour`).
    failed
        Faulted elements to mark (``result.json`` ``shed.failed`` rows: ``element``, ``name``).
    hazards
        Hazard specs (or their dicts) whose footprint to overlay.
    inset
        Add the enlarged 中心城区 in the north-west corner.

    Raises
    ------
    InputError
        A column is missing, or ``t_h`` lies outside the run.
    """
    ax = _axes(ax, (9, 7.5))
    at, shares = shares_at(districts, worst_hour(districts) if t_h is None else float(t_h))
    table = _names(coords)
    coll = draw_districts(ax, shares, coords=table)
    from outage_sim.reports.footprint import draw_footprint

    handles = draw_footprint(ax, hazards, _paths())
    handles = draw_stations(ax, failed) + handles
    core = set(_core(table)) if inset else set()
    if labels:
        _label(ax, table, shares, [n for n, v in shares.items() if v >= 0.5 and n not in core])
    if inset:
        _inset(ax, shares, table, failed)
    if colorbar:
        cbar = ax.figure.colorbar(coll, ax=ax, shrink=0.7, pad=0.01)
        cbar.set_label(bilingual("load shed (% of district load)", "减供负荷占比 %"))
        cbar.ax.set_xlabel("%", fontsize=7)
    ax.legend(handles=handles, loc="lower left", fontsize=7, framealpha=0.9)
    _axis_labels(ax)
    ax.set_title(title or _map_title(at, t_h), fontsize=10)
    return ax


def _map_title(at: float, t_h: float | None) -> str:
    if t_h is None:
        return bilingual(f"Load shed by district, T+{at:g} h (worst moment)",
                         f"各区县减供负荷比例 事件后{at:g}小时（最严重时刻）")
    return bilingual(f"Load shed by district, T+{t_h:g} h", f"各区县减供负荷比例 事件后{t_h:g}小时")


def _axis_labels(ax) -> None:
    ax.set_xlabel(bilingual("longitude (°E)", "经度"))
    ax.set_ylabel(bilingual("latitude (°N)", "纬度"))


def panel_hours(districts: pd.DataFrame, hours: Sequence[float] | None = None) -> list[float]:
    """The hours of :func:`plot_district_panels`: ``hours`` (default :data:`PANEL_HOURS` and the
    worst moment) that lie within the run, sorted, without repeats."""
    _check(districts)
    end = float(districts["t_h"].max())
    wanted = list(PANEL_HOURS) + [worst_hour(districts)] if hours is None else list(hours)
    return sorted({float(h) for h in wanted if 0 <= float(h) <= end + 1e-9})


def panels_size(n: int) -> tuple[float, float]:
    """Figure size (inches) for ``n`` panels in a row."""
    return (3.1 * max(n, 1) + 1.2, 3.8)


def plot_district_panels(districts: pd.DataFrame, hours: Sequence[float] | None = None, ax=None,
                         *, failed: Sequence[Mapping] | None = None,
                         coords: pd.DataFrame | None = None):
    """The district map at several hours as small multiples (one row).

    ``ax``: a sequence of Axes, one per hour; or one Axes, whose place is split into one per
    hour; or ``None``: new ones in one figure. Returns them. Hours beyond the run are left out
    (:func:`panel_hours`)."""
    hours = panel_hours(districts, hours)
    use_cjk_font()
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(1, len(hours), figsize=panels_size(len(hours)), squeeze=False)
        ax = ax[0]
    elif hasattr(ax, "get_subplotspec") and ax.get_subplotspec() is not None:
        fig, spec = ax.figure, ax.get_subplotspec()
        ax.remove()
        ax = [fig.add_subplot(g) for g in spec.subgridspec(1, len(hours))]
    axes = list(np.atleast_1d(ax))
    if len(axes) < len(hours):
        raise InputError(f"plot_district_panels: {len(hours)} hours but {len(axes)} Axes")
    coll = None
    for a, h in zip(axes, hours):
        at, shares = shares_at(districts, h)
        coll = draw_districts(a, shares, coords=coords, lw=0.25)
        draw_stations(a, failed if h == hours[0] else None, scale=0.4)
        a.set_xticks([])
        a.set_yticks([])
        a.set_xlabel(bilingual("longitude", "经度"), fontsize=7)
        a.set_ylabel(bilingual("latitude", "纬度"), fontsize=7)
        a.set_title(bilingual(f"T+{h:g} h", f"事件后{h:g}小时"), fontsize=9)
    if coll is not None:
        cbar = axes[0].figure.colorbar(coll, ax=axes[: len(hours)], shrink=0.8, pad=0.01)
        cbar.set_label(bilingual("load shed %", "减供负荷占比 %"), fontsize=8)
        cbar.ax.set_xlabel("%", fontsize=7)
    return axes[: len(hours)]


def plot_probability_map(p: Mapping[str, float] | pd.Series, ax=None, *,
                         label: str | None = None, title: str | None = None):
    """Districts filled by a probability (0–1), e.g. of going dark in a Monte-Carlo sweep, with
    the 中心城区 inset and the value written on every district above 0.5%."""
    ax = _axes(ax, (9, 7.5))
    pct = {str(k): 100.0 * float(v) for k, v in dict(p).items()}
    top = max(1.0, max(pct.values(), default=0.0))
    table = _district_table()
    coll = draw_districts(ax, pct, cmap="Purples", vmax=top, coords=table)
    draw_stations(ax)
    _label(ax, table, pct, [n for n, v in pct.items() if v >= 0.5 and n not in _core(table)],
           light_above=0.6 * top)
    _inset(ax, pct, table, None)
    cbar = ax.figure.colorbar(coll, ax=ax, shrink=0.7, pad=0.01)
    cbar.set_label(label or bilingual("probability of going dark (%)", "全停概率 %"))
    cbar.ax.set_xlabel("%", fontsize=7)
    _axis_labels(ax)
    ax.set_title(title or bilingual("Probability each district goes dark", "各区县全停概率"),
                 fontsize=10)
    return ax
