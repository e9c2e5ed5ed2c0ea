"""The hazards for people: each parameter's unit and range, and where the outcomes spread.

:func:`hazard_guide` is what ``outage-sim hazards`` prints and ``outage-sim scenarios new`` writes
into its comments. It copies no number: each parameter's description, unit, range, default and
example come from the hazard model's JSON Schema (:func:`field_facts` reads one property), and
the curves from the data files in ``outage_sim/data/hazards/`` through the functions the models
use (:mod:`~outage_sim.hazards.fragility`).

*Where outcomes spread*: the intensities over which a model's curve climbs from 5% to 95% of its
top — below, next to nothing fails; above, what is exposed fails at the curve's top rate, so a
scenario meant to be uncertain sets its intensity inside. The curve is the data file's: per km of
exposed line (ice, landslide), per tower (wind), per station (an earthquake at a reference
distance, a flood). The national scales sit beside the numbers where China has one: 风力等级 for
gusts, 降水量等级 for rain, 地震烈度 for ground motion.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from pydantic import BaseModel

from outage_sim.hazards.data import by_voltage, hazard_parameters
from outage_sim.hazards.fragility import (
    DAMAGE_STATES,
    G_CM_S2,
    fail_over_units,
    flood_p,
    hazus_exceedance,
    ice_p_per_km,
    rainfall_p_per_km,
    tower_wind_p,
    yu2013_pga_g,
)
from outage_sim.hazards.specs import (
    Earthquake,
    ExternalDamage,
    Flood,
    HeatWave,
    IceStorm,
    Landslide,
    WindStorm,
)

__all__ = ["FieldFacts", "HazardGuide", "ParameterGuide", "field_facts", "hazard_guide",
           "range_text"]

SPREAD = (0.05, 0.95)  #: shares of a curve's top between which outcomes spread
REFERENCE_ROUTE_KM = 20.0  #: route in the storm of the line the wind note speaks of
REFERENCE_EPICENTRE_KM = 10.0  #: epicentral distance of the station the earthquake spread is for
MODELS: tuple[type[BaseModel], ...] = (IceStorm, WindStorm, Earthquake, Flood, Landslide,
                                       ExternalDamage, HeatWave)


# --- one property of a JSON Schema --------------------------------------------------------------


@dataclass(frozen=True)
class FieldFacts:
    """What a JSON Schema says about one property, merged over its ``anyOf`` branches."""

    description: str = ""
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    above: bool = False  # the minimum itself is excluded (``exclusiveMinimum``)
    choices: tuple[Any, ...] = ()
    default: Any = None
    has_default: bool = False
    examples: tuple[Any, ...] = ()
    types: tuple[str, ...] = ()


def field_facts(prop: Mapping[str, Any]) -> FieldFacts:
    """The facts of a JSON Schema property (``model_json_schema()["properties"][name]``)."""
    branches = [prop, *prop.get("anyOf", ())]
    numbers = [b for b in branches if b.get("type") in ("number", "integer")]
    numbers += [b["additionalProperties"] for b in branches
                if isinstance(b.get("additionalProperties"), Mapping)]
    none: Mapping[str, Any] = {}
    low = next((b for b in numbers if "minimum" in b or "exclusiveMinimum" in b), none)
    high = next((b for b in numbers if "maximum" in b), none)
    choices = next((tuple(b["enum"]) for b in branches if "enum" in b), ())
    return FieldFacts(
        description=str(prop.get("description", "")), unit=str(prop.get("unit", "")),
        minimum=low.get("minimum", low.get("exclusiveMinimum")),
        maximum=high.get("maximum"), above="exclusiveMinimum" in low, choices=choices,
        default=prop.get("default"), has_default="default" in prop,
        examples=tuple(prop.get("examples", ())),
        types=tuple(str(b["type"]) for b in branches if "type" in b))


def range_text(facts: FieldFacts) -> str:
    """``"0–200 mm"``, ``"above 0, at most 1440 h"``, ``"at least 0"``; ``""`` without bounds."""
    unit = f" {facts.unit}" if facts.unit else ""
    lo, hi = facts.minimum, facts.maximum
    if lo is None and hi is None:
        return ""
    if lo is not None and hi is not None and not facts.above:
        return f"{_number(lo)}–{_number(hi)}{unit}"
    parts = [] if lo is None else [f"{'above' if facts.above else 'at least'} {_number(lo)}"]
    parts += [] if hi is None else [f"at most {_number(hi)}"]
    return ", ".join(parts) + unit


def _number(x: float) -> str:
    """A bound as written: whole numbers in full (a seed's 2**63 − 1), others short."""
    return str(x) if isinstance(x, int) else f"{x:g}"


# --- the guide ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParameterGuide:
    """One parameter of a hazard: its facts, and where outcomes spread (``None``: nowhere said)."""

    name: str
    required: bool
    facts: FieldFacts
    spread: tuple[float, float] | None = None
    spread_text: str = ""


@dataclass(frozen=True)
class HazardGuide:
    """One hazard: its names, its parameters, and notes read from its data file."""

    type: str
    zh: str
    en: str
    summary: str
    parameters: tuple[ParameterGuide, ...]
    notes: tuple[str, ...] = field(default=())
    example: Mapping[str, Any] = field(default_factory=dict)

    def parameter(self, name: str) -> ParameterGuide:
        return next(p for p in self.parameters if p.name == name)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json`` (ranges as numbers, units as text)."""
        out = asdict(self)
        out["parameters"] = [{"name": p.name, "required": p.required, **asdict(p.facts),
                              "range": range_text(p.facts),
                              "spread": list(p.spread) if p.spread else None,
                              "spread_text": p.spread_text}
                             for p in self.parameters]
        for p in out["parameters"]:
            p["choices"], p["examples"], p["types"] = (list(p[k]) for k in
                                                       ("choices", "examples", "types"))
        out["notes"], out["example"] = list(self.notes), dict(self.example)
        return out


def hazard_guide() -> list[HazardGuide]:
    """Every hazard type in the order of :data:`~outage_sim.hazards.HAZARD_TYPES`.

    Raises
    ------
    DataFileError
        A hazard data file is missing or malformed.
    """
    return [_guide(model) for model in MODELS]


def _guide(model: type[BaseModel]) -> HazardGuide:
    schema = model.model_json_schema()
    kind = str(schema["properties"]["type"]["const"])
    spreads, notes = _SPREADS.get(kind, _nothing)()
    required = set(schema.get("required", ()))
    params = []
    for name, prop in schema["properties"].items():
        if name == "type":
            continue
        lo_hi, text = spreads.get(name, (None, ""))
        params.append(ParameterGuide(name, name in required, field_facts(prop), lo_hi, text))
    zh, en = model.TERM  # type: ignore[attr-defined]
    summary = " ".join((model.__doc__ or "").strip().split("\n\n")[0].split())
    example = (schema.get("examples") or [{}])[0]
    return HazardGuide(kind, zh, en, summary, tuple(params), tuple(notes), example)


Spreads = dict[str, tuple[tuple[float, float] | None, str]]


def _nothing() -> tuple[Spreads, list[str]]:
    return {}, []


def _climb(curve: Callable[[np.ndarray], np.ndarray], lo: float, hi: float,
           step: float) -> tuple[float, float] | None:
    """The intensities (on a grid of ``step``) where ``curve`` first reaches 5% and 95% of its
    top over [lo, hi]; None for a flat curve."""
    xs = np.arange(lo, hi + step / 2, step)
    p = np.asarray(curve(xs), dtype=float)
    top = p.max()
    if not top > 0:
        return None
    first = [float(xs[np.argmax(p >= share * top)]) for share in SPREAD]
    return first[0], first[1]


def _scale_name(value: float, bounds: Mapping[Any, float], beyond: str) -> str:
    """The class of a national scale ``{name: lower bound}`` that ``value`` falls in."""
    below = [name for name, low in bounds.items() if value >= float(low)]
    return str(below[-1]) if below else beyond


def _ice() -> tuple[Spreads, list[str]]:
    prm = hazard_parameters("ice_storm")
    design = prm["design_ice_mm"]
    notes, ranges = [], []
    for kv in sorted(design, key=float):
        diameter = by_voltage(prm["conductor_diameter_mm"], kv, "ice_storm", "conductor_diameter_mm")

        def per_km(b: np.ndarray, kv: Any = kv, d: Any = diameter) -> np.ndarray:
            return ice_p_per_km(b, design[kv], d, prm["median_load_ratio"], prm["beta"],
                                prm["p_per_km_max"])

        span = _climb(per_km, 0.0, 200.0, 0.1)
        if span:
            ranges.append(span)
            notes.append(f"{kv} kV lines (design ice {design[kv]} mm): per-km failure climbs "
                         f"over {span[0]:.0f}–{span[1]:.0f} mm")
    notes.append(f"at most {prm['p_per_km_max']} failures per km of line in the storm "
                 "(覆冰 is patchy)")
    if not ranges:
        return {}, notes
    span = (min(r[0] for r in ranges), max(r[1] for r in ranges))
    return {"thickness_mm": (span, f"{span[0]:.0f}–{span[1]:.0f} mm")}, notes


def _beaufort(span: tuple[float, float], scale: Mapping[Any, float]) -> str:
    """``"阵风10级–12级"``: the 风力等级 of a range of gusts."""
    return "阵风" + "–".join(_scale_name(v, scale, "0级") for v in span)


def _wind() -> tuple[Spreads, list[str]]:
    prm = hazard_parameters("wind_storm")
    scale = prm["beaufort_scale_ms"]

    def tower(v: np.ndarray) -> np.ndarray:
        return tower_wind_p(v, prm["v50_ms"], prm["slope"])

    towers = REFERENCE_ROUTE_KM / float(prm["tower_spacing_km"])
    line = _climb(lambda v: fail_over_units(tower(v), towers), 0.0, 120.0, 0.1)
    one = _climb(tower, 0.0, 120.0, 0.1)
    notes = ["风力等级 (GB/T 28591-2012) beside each gust: weather services give gusts (阵风) on "
             "the same scale"]
    if one:
        notes.append(f"one tower fails with 5–95% chance over {one[0]:.0f}–{one[1]:.0f} m/s "
                     f"({_beaufort(one, scale)}); a line fails if any of its towers does")
    if not line:
        return {}, notes
    text = (f"{line[0]:.0f}–{line[1]:.0f} m/s ({_beaufort(line, scale)}) for a line with "
            f"{REFERENCE_ROUTE_KM:g} km in the storm ({towers:g} towers)")
    return {"gust_ms": (line, text)}, notes


def _earthquake() -> tuple[Spreads, list[str]]:
    prm = hazard_parameters("earthquake")
    coeffs = prm["coefficients"][prm["region"]]
    depth = float(prm["depth_default_km"])
    extra = float(prm["sigma_ln"]) if prm.get("use_sigma") else 0.0
    state = DAMAGE_STATES.index(prm["outage_rule"]["substation_out"])
    scale = {k: float(v) for k, v in prm["intensity_pga_ms2"].items()}

    def pga(ms: np.ndarray) -> np.ndarray:
        return np.array([yu2013_pga_g(m, REFERENCE_EPICENTRE_KM, depth, coeffs,
                                      float(prm["magnitude_switch"])) for m in ms]).ravel()

    def intensity(g: float) -> str:
        return _scale_name(g * G_CM_S2 / 100, scale, "below " + min(scale, key=scale.__getitem__))

    spans, notes = [], []
    for kind in ("high_voltage", "medium_voltage"):
        curves = prm["fragility"][prm["substation_class"][kind]]

        def lost(m: np.ndarray, c: Any = curves) -> np.ndarray:
            return hazus_exceedance(pga(m), c, extra)[:, state]

        span = _climb(lost, 4.0, 8.5, 0.05)
        if span:
            spans.append(span)
            g = pga(np.array(span))
            notes.append(f"{kind.replace('_', '-')} stations {REFERENCE_EPICENTRE_KM:g} km from "
                         f"the epicentre ({depth:g} km deep) are lost with 5–95% chance over "
                         f"Ms {span[0]:.1f}–{span[1]:.1f}: PGA {g[0]:.2f}–{g[1]:.2f} g, 烈度 "
                         f"{intensity(g[0])}–{intensity(g[1])} (GB/T 17742)")
    notes.append("farther stations need a larger magnitude; Chongqing's recorded events are "
                 "below M6¼ (1856 黔江 小南海)")
    if not spans:
        return {}, notes
    span = (min(s[0] for s in spans), max(s[1] for s in spans))
    return {"magnitude": (span, f"Ms {span[0]:.1f}–{span[1]:.1f} at "
                                f"{REFERENCE_EPICENTRE_KM:g} km")}, notes


def _flood() -> tuple[Spreads, list[str]]:
    prm = hazard_parameters("flood")
    band, base = float(prm["margin_band_m"]), float(prm["base_margin_m"])
    farthest = base + float(prm["margin_per_km_m"]) * float(prm["max_distance_km"])
    near = _climb(lambda r: flood_p(r, base, band), 0.0, 60.0, 0.1)
    far = _climb(lambda r: flood_p(r, farthest, band), 0.0, 60.0, 0.1)
    notes = [f"{river}: " + ", ".join(f"{yr} yr {rise:g} m" for yr, rise in sorted(
        table.items(), key=lambda kv: float(kv[0])))
        for river, table in prm["return_period_rise_m"].items()]
    notes.insert(0, "rivers: " + "; ".join(f"{name} ({', '.join(river.get('aliases', []))})"
                                            for name, river in prm["rivers"].items()))
    notes.insert(1, "rise above the normal flood-season level by return period (flood.yaml):")
    notes.append(f"stations more than {float(prm['max_distance_km']):g} km from the river "
                 "stay dry")
    if not (near and far):
        return {}, notes
    span = (near[0], far[1])
    return {"water_rise_m": (span, f"{span[0]:.0f}–{span[1]:.0f} m (riverbank to "
                                   f"{float(prm['max_distance_km']):g} km away)")}, notes


def _landslide() -> tuple[Spreads, list[str]]:
    prm = hazard_parameters("landslide")
    classes = prm["rainfall_classes_mm_24h"]
    span = _climb(lambda r: rainfall_p_per_km(r, prm["rainfall50_mm_24h"], prm["beta"],
                                              prm["p_per_km_max"]), 0.0, 1000.0, 1.0)
    notes = ["降水量等级 (GB/T 28592-2012, 24 h): " + ", ".join(
        f"{name} ≥ {low:g} mm" for name, low in classes.items()),
        f"at most {prm['p_per_km_max']} failures per km of line in the rain"]
    if not span:
        return {}, notes

    def rain(mm: float) -> str:
        return _scale_name(mm, classes, "无雨")

    return {"rainfall_mm_24h": (span, f"{span[0]:.0f} mm ({rain(span[0])})–{span[1]:.0f} mm "
                                      f"({rain(span[1])})")}, notes


def _external() -> tuple[Spreads, list[str]]:
    prm = hazard_parameters("external_damage")
    notes = [f"agent {name}: {text}" for name, text in prm["agents"].items()]
    notes.append(f"random lines default to {prm['default_voltage_kv']} kV; named components "
                 "fail for sure, so there is no spread to look for")
    return {}, notes


def _heat() -> tuple[Spreads, list[str]]:
    prm = hazard_parameters("heat_wave")
    return {}, [f"max_temperature_c above {prm['temperature_threshold_c']:g} °C adds "
                f"{prm['demand_pct_per_degc']:g}% demand per °C (when no uplift is given)",
                f"zones: {', '.join(map(str, prm['zones']))}"]


_SPREADS: dict[str, Callable[[], tuple[Spreads, list[str]]]] = {
    "ice_storm": _ice, "wind_storm": _wind, "earthquake": _earthquake, "flood": _flood,
    "landslide": _landslide, "external_damage": _external, "heat_wave": _heat}
