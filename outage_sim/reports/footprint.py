"""Hazard footprints over a district map: ice zone, wind swath, landslide rain and external damage
as hatched districts (with their intensity), earthquake intensity as PGA contours round the
epicentre, a flood as its river's centre-line. A heat wave covers the whole province and draws
nothing. :func:`draw_footprint` returns the legend handles of what it drew."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch

from outage_sim.reports.figures import bilingual

#: colour, hatch and (English, Chinese) legend name of each hazard type
STYLE = {"ice_storm": ("#1d6fb8", "///", ("ice zone", "覆冰区"), "mm"),
         "wind_storm": ("#2a9d8f", "\\\\\\", ("wind swath", "大风区"), "m/s"),
         "landslide": ("#8d5524", "xxx", ("landslide rain", "强降雨地质灾害区"), "mm"),
         "external_damage": ("#6a4c93", "...", ("external damage area", "外力破坏区"), ""),
         "flood": ("#0077b6", "", ("flooded river", "洪水河段"), ""),
         "earthquake": ("#7b2cbf", "", ("quake PGA contours (g)", "地震动峰值加速度"), "g")}
PGA_LEVELS = (0.05, 0.1, 0.2, 0.4)


def _spec(h):
    from outage_sim.hazards import parse_hazard

    return parse_hazard(h)


def _district_levels(spec) -> dict[str, float]:
    if hasattr(spec, "levels"):
        return spec.levels()
    return {d: 0.0 for d in (getattr(spec, "districts", None) or [])}


def _hatch(ax, spec, paths: dict) -> list:
    colour, hatch, (en, zh), unit = STYLE[spec.type]
    levels = _district_levels(spec)
    drawn = False
    for name, value in levels.items():
        if name not in paths:
            continue
        ax.add_patch(PathPatch(paths[name], facecolor="none", edgecolor=colour, hatch=hatch,
                               lw=1.2, alpha=0.8, zorder=2))
        drawn = True
    if not drawn:
        return []
    values = sorted(set(levels.values()))
    span = (f" {values[0]:g}–{values[-1]:g} {unit}" if len(values) > 1 else
            f" {values[0]:g} {unit}") if unit and values and values[-1] > 0 else ""
    return [Patch(facecolor="none", edgecolor=colour, hatch=hatch,
                  label=bilingual(en, zh) + span)]


def _earthquake(ax, spec) -> list:
    from outage_sim.hazards import peak_ground_acceleration

    colour, _, (en, zh), _ = STYLE["earthquake"]
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    lon, lat = np.meshgrid(np.linspace(x0, x1, 160), np.linspace(y0, y1, 130))
    pga = peak_ground_acceleration(spec, lat.ravel(), lon.ravel()).reshape(lat.shape)
    levels = [v for v in PGA_LEVELS if pga.min() < v < pga.max()]
    if levels:
        cs = ax.contour(lon, lat, pga, levels=levels, colors=colour, linewidths=1.1, zorder=4)
        ax.clabel(cs, fmt="%.2g g", fontsize=6)
    ax.plot(spec.lon, spec.lat, marker="*", ms=14, color=colour, mec="white", zorder=5)
    return [Line2D([], [], color=colour, marker="*", ms=9,
                   label=bilingual(f"{en}, M{spec.magnitude:g}", zh))]


def _flood(ax, spec) -> list:
    from outage_sim.hazards import hazard_parameters

    colour, _, (en, zh), _ = STYLE["flood"]
    river = hazard_parameters("flood")["rivers"].get(spec.river, {})
    pts = np.array([p[:2] for p in river.get("points", [])], dtype=float)
    if len(pts) < 2:
        return []
    ax.plot(pts[:, 1], pts[:, 0], color=colour, lw=5, alpha=0.35, solid_capstyle="round",
            zorder=2)
    ax.plot(pts[:, 1], pts[:, 0], color=colour, lw=1.5, zorder=2)
    return [Line2D([], [], color=colour, lw=3, label=bilingual(f"{en} ({spec.river})", zh))]


def draw_footprint(ax, hazards: Iterable | None, paths: dict) -> list:
    """Overlay each hazard of ``hazards`` (specs or their dicts, as in a scenario file); returns
    legend handles."""
    handles: list = []
    for h in hazards or ():
        spec = _spec(h)
        if spec.type == "earthquake":
            handles += _earthquake(ax, spec)
        elif spec.type == "flood":
            handles += _flood(ax, spec)
        elif spec.type in STYLE:
            handles += _hatch(ax, spec, paths)
    return handles


def hazard_specs(hazards: Sequence | None) -> list:
    """The hazards as plain specs (``None`` → none)."""
    return [_spec(h) for h in hazards or ()]
