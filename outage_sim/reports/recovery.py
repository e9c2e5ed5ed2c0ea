"""Restoration figures: load-recovery curve, customers out, event level over time, district map.

Every plot function takes the tables a restoration run writes (:class:`outage_sim.restoration.driver.
Restoration`'s ``timeline`` and ``districts``, or the same read back from ``timeline.csv`` and
``district_timeline.csv``), draws on ``ax`` (a new Axes when None) and returns the Axes; none calls
``plt.show()``. Labels are English with the plan's Chinese term beside it when a CJK font is
installed (:func:`outage_sim.reports.bilingual`).

:func:`draw_figures` writes the four figures of a run folder (:func:`figure_writers` gives them
to a larger set of files); :func:`read_run_folder` reads a folder written by ``outage-sim run
--out`` back (``outage-sim plot`` uses both).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from outage_sim.errors import InputError
from outage_sim.inputs import parse_json, read_text
from outage_sim.outputs import save_figure, write_outputs
from outage_sim.reports.figures import bilingual, cjk_font, use_cjk_font
from outage_sim.reports.maps import (
    panel_hours,
    panels_size,
    plot_district_map,
    plot_district_panels,
)

#: Tables a run folder holds besides result.json, and the figures drawn from them.
RESTORATION_FILES = ("timeline.csv", "events.csv", "district_timeline.csv", "jobs.csv")
FIGURES = ("recovery", "customers_out", "levels", "district_map", "district_panels")
#: Resolution of the figures (dots per inch): sharp on a screen and in report.html, where a
#: figure 8 inches wide is 960 pixels, about the page's width.
DPI = 120
LEVEL_COLOURS = {"red": "#d62828", "orange": "#f77f00", "yellow": "#fcbf49", "blue": "#1d6fb8",
                 "": "#e5e5e5"}
_TIMELINE_COLUMNS = ("t_h", "restored_pct", "key_restored_pct", "customers_out", "level_rank",
                     "warning_color", "response_level")


def _axes(ax, size=(8, 4.5)):
    use_cjk_font()
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=size)
    return ax


def _time(t_h) -> tuple[np.ndarray, float, str]:
    """x values, the divisor and the axis label: days when the run is longer than three days."""
    t = np.asarray(t_h, float)
    if len(t) and t.max() > 72:
        return t / 24.0, 24.0, bilingual("time since the event (days)", "事件后时间，天")
    return t, 1.0, bilingual("time since the event (h)", "事件后时间，小时")


def _check(timeline: pd.DataFrame, cols) -> None:
    missing = [c for c in cols if c not in timeline]
    if missing:
        raise InputError(f"timeline: missing column(s) {', '.join(missing)}")


def plot_recovery(timeline: pd.DataFrame, ax=None, *, termination_h: float | None = None,
                  label: str | None = None, key_areas: bool = True):
    """Share of the event's load shed restored over time (and of the key areas'), with the 80% and
    90% lines of §4.3(2) and the termination moment."""
    _check(timeline, ("t_h", "restored_pct"))
    ax = _axes(ax)
    x, div, xlabel = _time(timeline.t_h)
    line, = ax.plot(x, timeline.restored_pct, lw=2,
                    label=label or bilingual("load shed restored", "减供负荷恢复"))
    if key_areas and "key_restored_pct" in timeline and "key_shed_mw" in timeline \
            and timeline.key_shed_mw.iloc[0] > 0:
        ax.plot(x, timeline.key_restored_pct, lw=1.6, ls="--", color=line.get_color(),
                label=bilingual("key areas' load shed restored", "重点地区负荷恢复"))
    if "supplied_pct" in timeline and (timeline.get("emergency_mw", 0) > 0).any():
        ax.fill_between(x, timeline.restored_pct, timeline.supplied_pct,
                        color=line.get_color(), alpha=0.25, lw=0,
                        label=bilingual("emergency power (backup, generator vehicles)",
                                        "应急电源（自备、应急发电车）"))
    for pct, style in ((80, ":"), (90, "-.")):
        ax.axhline(pct, color="#666666", lw=0.9, ls=style)
        ax.annotate(f"{pct}%", (x[0] if len(x) else 0, pct), xytext=(2, 2),
                    textcoords="offset points", fontsize=8, color="#444444")
    if termination_h is not None:
        ax.axvline(termination_h / div, color="#2a9d8f", lw=1.5)
        ax.annotate(bilingual("response ends", "响应终止"), (termination_h / div, 0.35),
                    xycoords=ax.get_xaxis_transform(), xytext=(3, 0), textcoords="offset points",
                    fontsize=8, color="#2a9d8f", rotation=90, va="bottom")
    return finish_recovery_axes(ax, xlabel, bilingual("Load recovery", "负荷恢复曲线"))


def finish_recovery_axes(ax, xlabel: str, title: str):
    """The axes of a recovery figure: 0–105%, labels, title, legend, grid."""
    ax.set_ylim(0, 105)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(bilingual("restored (% of load shed)", "恢复比例 %"))
    ax.set_title(title, fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(alpha=0.3)
    return ax


def plot_customers_out(timeline: pd.DataFrame, ax=None):
    """Customers without supply over time (step curve)."""
    _check(timeline, ("t_h", "customers_out"))
    ax = _axes(ax)
    x, _, xlabel = _time(timeline.t_h)
    ax.step(x, timeline.customers_out / 1000.0, where="post", lw=2, color="#d62828")
    ax.fill_between(x, timeline.customers_out / 1000.0, step="post", alpha=0.15, color="#d62828")
    ax.set_ylim(bottom=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(bilingual("customers out (thousands)", "停电用户，千户"))
    ax.set_title(bilingual("Customers out", "停电用户"), fontsize=10)
    ax.grid(alpha=0.3)
    return ax


def plot_levels(timeline: pd.DataFrame, ax=None):
    """The re-graded event level over time as coloured bands (red/orange/yellow/blue, grey below
    every band), the level rank as a step line, and the response level written in each band."""
    _check(timeline, ("t_h", "level_rank", "warning_color"))
    ax = _axes(ax, size=(8, 2.8))
    x, _, xlabel = _time(timeline.t_h)
    colour = timeline.warning_color.fillna("").astype(str).to_numpy()
    resp = (timeline.response_level.fillna("").astype(str).to_numpy()
            if "response_level" in timeline else np.full(len(x), ""))
    end = x[-1] if len(x) else 0.0
    starts = [0] + [i for i in range(1, len(x))
                    if (colour[i], resp[i]) != (colour[i - 1], resp[i - 1])]
    for n, i in enumerate(starts):
        right = x[starts[n + 1]] if n + 1 < len(starts) else max(end, x[i] + 1e-6)
        ax.axvspan(x[i], right, color=LEVEL_COLOURS.get(colour[i], "#e5e5e5"), alpha=0.55, lw=0)
        if resp[i] and right - x[i] > 0.08 * max(end - x[0], 1e-9):  # room for the words
            ax.annotate(bilingual(f"response {resp[i]}", f"{resp[i]}级响应"),
                        ((x[i] + right) / 2, 4.4), ha="center", va="top", fontsize=7)
    ax.step(x, timeline.level_rank, where="post", color="black", lw=1.2)
    ax.set_ylim(-0.2, 4.5)
    ax.set_yticks(range(5))
    names = ["none", "general", "large", "major", "extraordinary"]
    zh = ["未达", "一般", "较大", "重大", "特别重大"]
    ax.set_yticklabels([bilingual(e, z) for e, z in zip(names, zh)], fontsize=7)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(bilingual("event level", "事件级别"))
    ax.legend(handles=[Patch(color=LEVEL_COLOURS[c], alpha=0.55, label=c)
                       for c in ("red", "orange", "yellow", "blue")],
              loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7,
              title=bilingual("warning colour", "预警颜色"), title_fontsize=7)
    ax.set_title(bilingual("Event level over time", "事件级别随时间变化"), fontsize=10)
    return ax


def district_coordinates() -> pd.DataFrame:
    """``name``, ``name_en``, ``lat``, ``lon`` of the model's districts (shipped data)."""
    from outage_sim.grid import read_grid_data

    return read_grid_data()["districts"][["name", "name_en", "lat", "lon"]]


def plot_district_snapshot(districts: pd.DataFrame, t_h: float, ax=None, *,
                           coords: pd.DataFrame | None = None):
    """Districts at their centroids, coloured by the share of their load shed at hour ``t_h``
    (the last step at or before it) and sized by their load."""
    need = ("t_h", "district", "load_mw", "shed_mw")
    missing = [c for c in need if c not in districts]
    if missing:
        raise InputError(f"district timeline: missing column(s) {', '.join(missing)}")
    ax = _axes(ax, size=(7, 6.5))
    times = np.sort(districts.t_h.unique())
    at = times[times <= t_h + 1e-9]
    at = at[-1] if len(at) else times[0]
    snap = districts[districts.t_h == at].merge(
        coords if coords is not None else district_coordinates(), left_on="district",
        right_on="name", how="inner")
    share = np.where(snap.load_mw > 0,
                     100.0 * snap.shed_mw / snap.load_mw.where(snap.load_mw > 0, 1), 0.0)
    sc = ax.scatter(snap.lon, snap.lat, c=share, cmap="Reds", vmin=0, vmax=100,
                    s=20 + 180 * np.sqrt(snap.load_mw / max(float(snap.load_mw.max()), 1e-9)),
                    edgecolors="#555555", linewidths=0.5)
    chinese = cjk_font() is not None
    for r, s in zip(snap.itertuples(), share):
        if s > 0.05:
            ax.annotate(f"{r.district if chinese else r.name_en} {s:.0f}%", (r.lon, r.lat),
                        fontsize=7, xytext=(0, 6), textcoords="offset points", ha="center")
    cbar = ax.figure.colorbar(sc, ax=ax, shrink=0.8)
    cbar.set_label(bilingual("load shed (% of district load)", "减供负荷占比 %"))
    ax.set_xlabel(bilingual("longitude (°E)", "经度"))
    ax.set_ylabel(bilingual("latitude (°N)", "纬度"))
    ax.set_title(bilingual(f"Districts {t_h:g} h after the event", f"事件后{t_h:g}小时各区县停电"),
                 fontsize=10)
    ax.set_aspect("equal", adjustable="datalim")
    return ax


def plot_policies(timelines: dict[str, pd.DataFrame], ax=None):
    """Load-recovery curves of several restoration policies on one Axes (strategy comparison)."""
    ax = _axes(ax)
    for name, tl in timelines.items():
        plot_recovery(tl, ax=ax, label=name, key_areas=False)
    ax.set_title(bilingual("Restoration policies compared", "恢复策略比较"), fontsize=10)
    return ax


def _figure_specs(timeline: pd.DataFrame, districts: pd.DataFrame, termination_h: float | None,
                  at_h: float | None, map_options: dict | None) -> dict[str, tuple]:
    """Figure name → (size in inches, function drawing it on an Axes)."""
    # the map at at_h (None: the worst moment; map_options: failed=, hazards= of maps.py)
    opts = map_options or {}
    return {
        "recovery": ((8, 4.5), lambda ax: plot_recovery(timeline, ax, termination_h=termination_h)),
        "customers_out": ((8, 4.5), lambda ax: plot_customers_out(timeline, ax)),
        "levels": ((8, 2.8), lambda ax: plot_levels(timeline, ax)),
        "district_map": ((9, 7.5), lambda ax: plot_district_map(districts, at_h, ax, **opts)),
        "district_panels": (panels_size(len(panel_hours(districts))),
                            lambda ax: plot_district_panels(districts, None, ax,
                                                            failed=opts.get("failed")))}


def _save(spec: tuple, target, fmt: str) -> None:
    """Draw one figure and save it into ``target`` (a path or a binary file object)."""
    size, draw = spec
    fig = Figure(figsize=size, layout="constrained")
    draw(fig.add_subplot())
    save_figure(fig, target, format=fmt, dpi=DPI)


def figure_writers(timeline: pd.DataFrame, districts: pd.DataFrame, *,
                   termination_h: float | None = None, at_h: float | None = None,
                   fmt: str = "png", coords: pd.DataFrame | None = None,
                   map_options: dict | None = None) -> dict[str, Callable]:
    """The four figures of a run folder as writers for :func:`outage_sim.outputs.write_outputs`
    (file name → function drawing the figure into the path it is given); see
    :func:`draw_figures`. Each figure is drawn only when written."""
    specs = _figure_specs(timeline, districts, termination_h, at_h, map_options)

    def writer(name):
        def write(path: Path) -> None:
            _save(specs[name], path, fmt)
        return write

    return {f"{name}.{fmt}": writer(name) for name in FIGURES}


def render_figures(timeline: pd.DataFrame, districts: pd.DataFrame, *,
                   termination_h: float | None = None, at_h: float | None = None,
                   fmt: str = "png", map_options: dict | None = None,
                   names: tuple[str, ...] = FIGURES) -> dict[str, bytes]:
    """The figures of :func:`figure_writers` drawn now, once each, as the bytes of their files
    (``"recovery.png"`` → bytes; ``names`` picks some of :data:`FIGURES`): a run writes them and
    ``report.html`` embeds the same bytes (:func:`outage_sim.reports.html_report`'s
    ``rendered``), so nothing is drawn twice."""
    specs = _figure_specs(timeline, districts, termination_h, at_h, map_options)
    out = {}
    for name in names:
        buf = io.BytesIO()
        _save(specs[name], buf, fmt)
        out[f"{name}.{fmt}"] = buf.getvalue()
    return out


def draw_figures(out_dir: str | Path, timeline: pd.DataFrame, districts: pd.DataFrame, *,
                 termination_h: float | None = None, at_h: float | None = None,
                 fmt: str = "png", coords: pd.DataFrame | None = None,
                 force: bool = True, map_options: dict | None = None) -> list[Path]:
    """Write the figures into ``out_dir`` (``recovery``, ``customers_out``, ``levels``,
    ``district_map``, ``district_panels`` with extension ``fmt``); the map is drawn at ``at_h``
    (default: the worst moment), the panels at T+0, 1, 6, 24, 72, 168 h within the run;
    ``map_options`` go to :func:`outage_sim.reports.maps.plot_district_map` (``failed``,
    ``hazards``). Uses matplotlib's object API, so no window opens.

    The figures appear together or not at all (:func:`outage_sim.outputs.write_outputs`); figures
    already there are replaced unless ``force`` is false."""
    return write_outputs(out_dir, figure_writers(timeline, districts, termination_h=termination_h,
                                                 at_h=at_h, fmt=fmt, coords=coords,
                                                 map_options=map_options), force=force)


def read_run_folder(folder: str | Path) -> dict:
    """The tables, restoration summary and faulted elements (``failed``) of a folder written by
    ``outage-sim run --out``.

    Raises
    ------
    InputError
        The folder or one of its files is missing or unreadable (named in the message).
    """
    d = Path(folder)
    if not d.is_dir():
        raise InputError(f"{d}: no such folder")
    out = {}
    for name in ("timeline.csv", "district_timeline.csv"):
        try:
            out[name.removesuffix(".csv")] = pd.read_csv(d / name, keep_default_na=False,
                                                          na_values=[""])
        except FileNotFoundError:
            raise InputError(f"{d / name}: not found (run `outage-sim run SCENARIO --out "
                             f"{d}` with restoration first)") from None
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError):
            raise InputError(f"{d / name}: unreadable CSV") from None
    _check(out["timeline"], _TIMELINE_COLUMNS)
    out["summary"], out["failed"] = _run_summary(d / "result.json")
    return out


def _run_summary(path: Path) -> tuple[dict, list]:
    """The restoration summary and the faulted elements of a run's ``result.json`` (empty when
    the file is absent); a file that is not the run's JSON object is an input error."""
    if not path.exists():
        return {}, []
    doc = parse_json(read_text(path), str(path))
    shed = doc.get("shed") if isinstance(doc, dict) else None
    summary = doc.get("restoration") if isinstance(doc, dict) else None
    if not isinstance(doc, dict) or not isinstance(shed or {}, dict) \
            or not isinstance(summary or {}, dict):
        raise InputError(f"{path}: not the result.json of `outage-sim run` (expected a JSON "
                         "object with 'shed' and 'restoration' objects)")
    failed = (shed or {}).get("failed") or []  # drawn on the map
    if not isinstance(failed, list):
        raise InputError(f"{path}: shed.failed must be a list")
    return summary or {}, failed
