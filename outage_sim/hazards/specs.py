"""The hazard specifications: one pydantic model per hazard, joined in :data:`HazardSpec`.

A scenario's ``hazards:`` list holds mappings like::

    - type: ice_storm
      districts: [城口县, 巫溪县, 奉节县]
      thickness_mm: 30            # or {城口县: 35, 巫溪县: 30, 奉节县: 25}
    - type: earthquake
      lat: 29.5
      lon: 108.8
      magnitude: 6.0

Each model checks its own fields (ranges, district names with the closest name suggested, river
names); the ``type`` key picks the model. :func:`parse_hazard` validates one mapping and turns
pydantic's ``ValidationError`` into an :class:`~outage_sim.errors.InputError` whose message
names every bad field (``ice_storm.thickness_mm: must be between 0 and 200 mm, got -5``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from outage_sim.errors import InputError
from outage_sim.hazards.data import check_district, hazard_parameters, suggestion
from outage_sim.hazards.faults import FAULT_KINDS
from outage_sim.validation import validation_message

PerDistrict = Union[float, dict[str, float]]


def _check_level(value: Any, lo: float, hi: float, unit: str) -> Any:
    """A number, or a mapping of district → number, each within [lo, hi]."""
    items = value.items() if isinstance(value, Mapping) else [(None, value)]
    for key, v in items:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ValueError(f"must be a number in {unit}{'' if key is None else f' (for {key})'}, "
                             f"got {v!r}")
        if not lo <= float(v) <= hi:
            where = "" if key is None else f" for {key}"
            raise ValueError(f"must be between {lo:g} and {hi:g} {unit}{where}, got {v!r}")
    if isinstance(value, Mapping):
        if not value:
            raise ValueError("give one number or one per district (the mapping is empty)")
        out: dict[str, float] = {}
        for k, v in value.items():
            out[check_district(k)] = float(v)
        return out
    return float(value)


def _districts(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        raise ValueError(f"must be a list of district names, not {type(value).__name__}")
    names = [check_district(v) for v in value]
    if not names:
        raise ValueError("list at least one district")
    return list(dict.fromkeys(names))


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _DistrictHazard(_Spec):
    """A hazard over districts with one intensity per district (or one for all)."""

    LEVEL_FIELD: ClassVar[str] = ""
    districts: list[str] | None = None

    @field_validator("districts", mode="before")
    @classmethod
    def _norm_districts(cls, v: Any) -> Any:
        return _districts(v)

    @model_validator(mode="before")
    @classmethod
    def _districts_from_keys(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and data.get("districts") is None:
            level = data.get(cls.LEVEL_FIELD)
            if isinstance(level, Mapping) and level:
                data = {**data, "districts": list(level)}
        return data

    @model_validator(mode="after")
    def _levels_match_districts(self):
        level = getattr(self, self.LEVEL_FIELD)
        if isinstance(level, dict) and self.districts is not None:
            missing = [d for d in self.districts if d not in level]
            extra = [d for d in level if d not in self.districts]
            if missing:
                raise ValueError(f"{self.LEVEL_FIELD}: no value for {', '.join(missing)} "
                                 "(give one number, or one per listed district)")
            if extra:
                raise ValueError(f"{self.LEVEL_FIELD}: {', '.join(extra)} is not in districts")
        return self

    def levels(self, default_districts: list[str] | None = None) -> dict[str, float]:
        """``{district: intensity}`` over the affected districts."""
        level = getattr(self, self.LEVEL_FIELD)
        names = self.districts if self.districts is not None else (default_districts or [])
        if isinstance(level, dict):
            return {d: float(level[d]) for d in names}
        return {d: float(level) for d in names}


class IceStorm(_DistrictHazard):
    """Ice/snow storm over districts: radial ice thickness on the conductors (mm).

    Fields: ``districts`` (list of district names; may be omitted when ``thickness_mm`` is a
    mapping), ``thickness_mm`` (0–200 mm, one value or per district), ``duration_h`` (optional,
    hours; recorded in the notes — the thickness already is the storm's accumulated ice).
    """

    type: Literal["ice_storm"] = "ice_storm"
    thickness_mm: PerDistrict
    duration_h: float | None = Field(None, gt=0, le=24 * 60)
    LEVEL_FIELD: ClassVar[str] = "thickness_mm"

    @field_validator("thickness_mm", mode="before")
    @classmethod
    def _thickness(cls, v: Any) -> Any:
        return _check_level(v, 0.0, 200.0, "mm")

    @model_validator(mode="after")
    def _need_districts(self):
        if self.districts is None:
            raise ValueError("districts: list the districts under the storm (or give "
                             "thickness_mm per district)")
        return self


class WindStorm(_DistrictHazard):
    """Wind storm over districts: 3-second gust speed (m/s, 0–120, one value or per district)."""

    type: Literal["wind_storm"] = "wind_storm"
    gust_ms: PerDistrict
    LEVEL_FIELD: ClassVar[str] = "gust_ms"

    @field_validator("gust_ms", mode="before")
    @classmethod
    def _gust(cls, v: Any) -> Any:
        return _check_level(v, 0.0, 120.0, "m/s")

    @model_validator(mode="after")
    def _need_districts(self):
        if self.districts is None:
            raise ValueError("districts: list the districts under the storm (or give gust_ms "
                             "per district)")
        return self


class Landslide(_DistrictHazard):
    """Rain-triggered landslides: 24-hour rainfall (mm, 0–1000) over districts.

    ``districts`` defaults to the mountain counties (see ``data/hazards/landslide.yaml``).
    """

    type: Literal["landslide"] = "landslide"
    rainfall_mm_24h: PerDistrict
    LEVEL_FIELD: ClassVar[str] = "rainfall_mm_24h"

    @field_validator("rainfall_mm_24h", mode="before")
    @classmethod
    def _rain(cls, v: Any) -> Any:
        return _check_level(v, 0.0, 1000.0, "mm")


class Earthquake(_Spec):
    """Earthquake: epicentre (lat, lon in degrees), magnitude (4.0–8.5), focal depth (km).

    ``magnitude_scale`` is ``Ms`` (surface-wave, the scale of the ground-motion relation and of
    Chinese reports) or ``Mw`` (converted to Ms, Cheng et al. 2017). ``depth_km`` defaults to 15.
    """

    type: Literal["earthquake"] = "earthquake"
    lat: float = Field(ge=20.0, le=40.0)
    lon: float = Field(ge=95.0, le=120.0)
    magnitude: float = Field(ge=4.0, le=8.5)
    depth_km: float = Field(15.0, gt=0.0, le=70.0)
    magnitude_scale: Literal["Ms", "Mw"] = "Ms"


def _river_table() -> dict[str, list[str]]:
    rivers = hazard_parameters("flood")["rivers"]
    return {name: [str(a).lower() for a in spec.get("aliases", [])] + [name]
            for name, spec in rivers.items()}


class Flood(_Spec):
    """River flood: ``river`` (长江/Yangtze, 嘉陵江/Jialing, 乌江/Wu), and either ``water_rise_m``
    (metres above the normal flood-season level, 0–60) or ``return_period_yr`` (2–1000 years),
    optionally limited to ``districts``."""

    type: Literal["flood"] = "flood"
    river: str
    water_rise_m: float | None = Field(None, ge=0.0, le=60.0)
    return_period_yr: float | None = Field(None, ge=2.0, le=1000.0)
    districts: list[str] | None = None

    @field_validator("districts", mode="before")
    @classmethod
    def _norm_districts(cls, v: Any) -> Any:
        return _districts(v)

    @field_validator("river", mode="before")
    @classmethod
    def _river(cls, v: Any) -> str:
        table = _river_table()
        text = str(v).strip()
        for name, aliases in table.items():
            if text == name or text.lower() in aliases:
                return name
        known = ", ".join(table)
        aliases = [a for al in table.values() for a in al]
        raise ValueError(f"unknown river {text!r}{suggestion(text.lower(), aliases, 0.6)} "
                         f"(choose one of {known})")

    @model_validator(mode="after")
    def _one_level(self):
        if (self.water_rise_m is None) == (self.return_period_yr is None):
            raise ValueError("give exactly one of water_rise_m and return_period_yr")
        return self


class ComponentRef(_Spec):
    """A component by readable name: ``{kind: line, name: '...'}`` or short ``{line: '...'}``."""

    kind: Literal[FAULT_KINDS]  # type: ignore[valid-type]
    name: str

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and "kind" not in data and len(data) == 1:
            (kind, name), = data.items()
            return {"kind": kind, "name": name}
        return data


AGENTS = ("construction_crane", "kite", "theft", "vehicle", "fire", "tree", "other")


class ExternalDamage(_Spec):
    """External damage: named ``components`` (fail for sure) and/or ``count`` random lines of
    ``voltage_kv`` (default 220) touching ``districts`` (default: anywhere); ``agent`` says what
    did it (construction_crane, kite, theft, vehicle, fire, tree, other)."""

    type: Literal["external_damage"] = "external_damage"
    components: list[ComponentRef] = Field(default_factory=list)
    count: int = Field(0, ge=0, le=100)
    districts: list[str] | None = None
    voltage_kv: float | None = Field(None, gt=0)
    agent: Literal[AGENTS] = "construction_crane"  # type: ignore[valid-type]

    @field_validator("districts", mode="before")
    @classmethod
    def _norm_districts(cls, v: Any) -> Any:
        return _districts(v)

    @model_validator(mode="after")
    def _something(self):
        if not self.components and self.count == 0:
            raise ValueError("give components, a count of random lines, or both")
        return self


class HeatWave(_Spec):
    """Heat wave and drought.

    Fields: ``demand_uplift_pct`` (0–100 %, one value or per zone: core, new_urban, regional,
    rural, mountain; default 0 unless ``max_temperature_c`` is given), ``max_temperature_c``
    (daily maximum, °C; turned into an uplift by the rule in ``heat_wave.yaml`` when no uplift is
    given), ``thermal_derate_pct`` (0–100, coal and gas ``max_p_mw``), ``hydro_derate_pct``
    (0–100, hydro units and small hydro), ``import_scale`` (0–2, multiplies every intertie's
    scheduled import, capped at its capacity), ``unit_trip_prob`` (0–1, per in-service unit).
    """

    type: Literal["heat_wave"] = "heat_wave"
    demand_uplift_pct: float | dict[str, float] | None = None
    max_temperature_c: float | None = Field(None, ge=20.0, le=50.0)
    thermal_derate_pct: float = Field(0.0, ge=0.0, le=100.0)
    hydro_derate_pct: float = Field(0.0, ge=0.0, le=100.0)
    import_scale: float = Field(1.0, ge=0.0, le=2.0)
    unit_trip_prob: float = Field(0.0, ge=0.0, le=1.0)

    @field_validator("demand_uplift_pct", mode="before")
    @classmethod
    def _uplift(cls, v: Any) -> Any:
        if v is None:
            return None
        zones = [str(z) for z in hazard_parameters("heat_wave")["zones"]]
        items = v.items() if isinstance(v, Mapping) else [(None, v)]
        for key, x in items:
            if key is not None and key not in zones:
                raise ValueError(f"unknown zone {key!r}{suggestion(str(key), zones)} "
                                 f"(zones: {', '.join(zones)})")
            if isinstance(x, bool) or not isinstance(x, (int, float)) or not 0 <= x <= 100:
                where = "" if key is None else f" for {key}"
                raise ValueError(f"must be between 0 and 100 %{where}, got {x!r}")
        return {k: float(x) for k, x in v.items()} if isinstance(v, Mapping) else float(v)


HazardSpec = Annotated[Union[IceStorm, WindStorm, Earthquake, Flood, Landslide, ExternalDamage,
                             HeatWave], Field(discriminator="type")]
"""Any hazard specification; the ``type`` key selects the model (for the scenario schema)."""

HAZARD_TYPES = ("ice_storm", "wind_storm", "earthquake", "flood", "landslide", "external_damage",
                "heat_wave")
_ADAPTER: TypeAdapter = TypeAdapter(HazardSpec)


def parse_hazard(spec: Any, where: str = "") -> Any:
    """Validate a hazard given as a mapping (or pass a model through).

    Parameters
    ----------
    spec
        A mapping with a ``type`` key, or an already built model.
    where
        Prefix for messages, e.g. ``'hazards[0]'``.

    Raises
    ------
    InputError
        A field is missing, out of range or unknown; the message names each one.
    """
    if isinstance(spec, (IceStorm, WindStorm, Earthquake, Flood, Landslide, ExternalDamage,
                         HeatWave)):
        return spec
    if not isinstance(spec, Mapping):
        raise InputError(f"{where or 'hazard'}: expected a mapping with a 'type' key, got "
                         f"{type(spec).__name__}")
    kind = spec.get("type")
    if kind not in HAZARD_TYPES:
        raise InputError(f"{(where + '.') if where else ''}type: unknown hazard type {kind!r}"
                         f"{suggestion(str(kind), list(HAZARD_TYPES))} (types: "
                         f"{', '.join(HAZARD_TYPES)})")
    try:
        return _ADAPTER.validate_python(dict(spec))
    except ValidationError as exc:
        raise InputError(validation_message(exc, where)) from None
