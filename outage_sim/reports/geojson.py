"""``districts.geojson``: the run's district table on the 区县 outlines, for GIS (QGIS opens it as
is: RFC 7946, lon/lat WGS 84 axes as the outlines ship them, one flat property table).

Each of the 38 features carries the district's ``name`` (中文) and ``name_en``; its load, load
shed and customers out at the event (``load_mw``, ``shed_mw``, ``shed_pct``, ``customers``,
``customers_out``, ``out_pct``, ``important_users_out``, ``key_area``); the highest level its own
criteria reach (``level``, ``level_en``, ``level_rank``, and ``criteria``: each criterion as
"measure value% ≥ band clause" joined by "; "); and, with a restoration run, ``peak_shed_mw``,
``worst_h`` (hour of its largest shed), ``restored_90_h`` (first hour from which at most 10% of
its largest number of customers out stay out) and ``restored_h`` (first hour from which nothing
stays shed or out), each ``null`` when it does not apply or is not reached within the run.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

#: File name in a run folder.
GEOJSON_FILE = "districts.geojson"


def _criteria(severity) -> dict[str, dict[str, Any]]:
    """District → its highest criterion (level fields) and every criterion as text."""
    out: dict[str, dict[str, Any]] = {}
    for c in severity.to_dict().get("criteria", []):
        scope = str(c.get("scope", ""))
        if scope == "main":
            continue
        band = c.get("band_pct") or [None]
        text = (f"{c.get('measure_zh', '')} {c.get('measure', '')} {float(c.get('value_pct', 0)):.1f}% "
                f"≥ {band[0]:g}% {c.get('clause', '')} {c.get('level', '')}")
        row = out.setdefault(scope, {"level": "", "level_en": "", "level_rank": 0, "criteria": []})
        row["criteria"].append(text)
        if int(c.get("level_rank") or 0) > row["level_rank"]:
            row.update(level=c.get("level", ""), level_en=c.get("level_en", ""),
                       level_rank=int(c.get("level_rank") or 0))
    return out


def _first_from(t: np.ndarray, ok: np.ndarray) -> float | None:
    """First time from which ``ok`` holds to the end (None if it does not hold at the end)."""
    if not len(ok) or not ok[-1]:
        return None
    bad = np.flatnonzero(~ok)
    return float(t[bad[-1] + 1]) if len(bad) else float(t[0])


def _restoration_times(timeline: pd.DataFrame) -> dict[str, dict[str, float | None]]:
    out = {}
    for name, g in timeline.sort_values("t_h").groupby("district", sort=False):
        t = g["t_h"].to_numpy(float)
        shed, cust = g["shed_mw"].to_numpy(float), g["customers_out"].to_numpy(float)
        hit = shed.max() > 1e-6 or cust.max() > 0
        out[str(name)] = {
            "peak_shed_mw": round(float(shed.max()), 3),
            "worst_h": float(t[int(np.argmax(shed))]) if hit else None,
            "restored_90_h": _first_from(t, cust <= 0.1 * cust.max()) if cust.max() > 0 else None,
            "restored_h": _first_from(t, (shed <= 1e-6) & (cust <= 0)) if hit else None,
        }
    return out


def _number(v):
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return None if not np.isfinite(v) else round(float(v), 4)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


def district_properties(run_result, restoration=None) -> dict[str, dict[str, Any]]:
    """District name → the properties of its feature (see the module notes)."""
    rest = restoration if restoration is not None else getattr(run_result, "restoration", None)
    crit = _criteria(run_result.severity)
    times = _restoration_times(rest.districts) if rest is not None else {}
    props = {}
    for r in run_result.shed.districts.to_dict("records"):
        name = str(r["name"])
        c = crit.get(name, {"level": "", "level_en": "", "level_rank": 0, "criteria": []})
        row = {"name": name, "name_en": r.get("name_en", ""), "key_area": bool(r.get("key_area")),
               "load_mw": r["load_mw"], "shed_mw": r["shed_mw"],
               "shed_pct": 100.0 * r["shed_mw"] / r["load_mw"] if r["load_mw"] > 0 else 0.0,
               "customers": int(r["customers"]), "customers_out": int(r["customers_out"]),
               "out_pct": (100.0 * r["customers_out"] / r["customers"] if r["customers"] > 0
                           else 0.0),
               "important_users_out": int(r.get("important_users_out", 0) or 0),
               "level": c["level"], "level_en": c["level_en"], "level_rank": c["level_rank"],
               "criteria": "; ".join(c["criteria"])}
        if rest is not None:
            row.update(times.get(name, {"peak_shed_mw": 0.0, "worst_h": None,
                                        "restored_90_h": None, "restored_h": None}))
        props[name] = {k: _number(v) for k, v in row.items()}
    return props


def districts_geojson(run_result, restoration=None) -> str:
    """The text of ``districts.geojson`` (a FeatureCollection of the districts that have an
    outline, in the order of the run's district table)."""
    from outage_sim.hazards import OUTLINES_FILE

    shapes = {f["properties"]["name"]: f["geometry"]
              for f in json.loads(OUTLINES_FILE.read_text(encoding="utf-8"))["features"]}
    features = [{"type": "Feature", "properties": p, "geometry": shapes[name]}
                for name, p in district_properties(run_result, restoration).items()
                if name in shapes]
    return json.dumps({"type": "FeatureCollection", "name": "districts",
                       "features": features}, ensure_ascii=False, separators=(",", ":")) + "\n"
