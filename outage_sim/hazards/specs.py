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
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Level:
    """The range and unit of a hazard's intensity, given as one number or one per district.

    :meth:`field` puts the description, the unit and the range into the model's JSON Schema
    (``minimum``/``maximum`` on the number and on each value of the mapping, ``unit`` beside
    them), where ``outage-sim schema``, ``hazards`` and ``scenarios new`` read them;
    :meth:`check` applies the same range with messages naming the unit.
    """

    lo: float
    hi: float
    unit: str

    def field(self, description: str, *, default: Any = ...) -> Any:
        """The pydantic field (required unless a ``default`` is given)."""
        return Field(default, description=description, json_schema_extra=self._schema)

    def _schema(self, schema: dict[str, Any]) -> None:
        schema["unit"] = self.unit
        for branch in schema.get("anyOf", ()):
            number = branch.get("additionalProperties", branch)
            if isinstance(number, dict) and number.get("type") == "number":
                number.update(minimum=self.lo, maximum=self.hi)

    def check(self, value: Any) -> Any:
        """The number or ``{district: number}`` mapping, each within the range."""
        return _check_level(value, self.lo, self.hi, self.unit)


ICE_MM = Level(0.0, 200.0, "mm")
GUST_MS = Level(0.0, 120.0, "m/s")
RAIN_MM_24H = Level(0.0, 1000.0, "mm")
UPLIFT_PCT = Level(0.0, 100.0, "%")

DISTRICTS_TEXT = ("districts the hazard covers (城口县, or 城口 for short); may be left out when "
                  "the intensity is given per district")


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
    #: the hazard's name in Chinese and in English, for people (覆冰 / ice storm)
    TERM: ClassVar[tuple[str, str]] = ("", "")


class _DistrictHazard(_Spec):
    """A hazard over districts with one intensity per district (or one for all)."""

    LEVEL_FIELD: ClassVar[str] = ""
    districts: list[str] | None = Field(None, description=DISTRICTS_TEXT)

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
    """Ice/snow storm over districts: radial ice on the conductors fails lines at random.

    Lines whose route crosses the districts fail per km with a chance that rises with the ice
    load over their design ice load (data/hazards/ice_storm.yaml).
    """

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"type": "ice_storm", "districts": ["城口县", "巫溪县", "奉节县"], "thickness_mm": 30}]})
    TERM: ClassVar[tuple[str, str]] = ("覆冰", "ice storm")
    type: Literal["ice_storm"] = "ice_storm"
    thickness_mm: PerDistrict = ICE_MM.field(
        "radial ice thickness on the conductors, accumulated over the storm: one number, or one "
        "per district")
    duration_h: float | None = Field(
        None, gt=0, le=24 * 60, examples=[120], json_schema_extra={"unit": "h"},
        description="how long the storm lasts (recorded in the notes: the thickness already is "
                    "the storm's accumulated ice)")
    LEVEL_FIELD: ClassVar[str] = "thickness_mm"

    @field_validator("thickness_mm", mode="before")
    @classmethod
    def _thickness(cls, v: Any) -> Any:
        return ICE_MM.check(v)

    @model_validator(mode="after")
    def _need_districts(self):
        if self.districts is None:
            raise ValueError("districts: list the districts under the storm (or give "
                             "thickness_mm per district)")
        return self


class WindStorm(_DistrictHazard):
    """Wind storm over districts: gusts fail transmission towers at random.

    A line fails if any of its towers in the districts does (data/hazards/wind_storm.yaml).
    """

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"type": "wind_storm", "districts": ["万州区", "开州区"], "gust_ms": 32}]})
    TERM: ClassVar[tuple[str, str]] = ("大风", "wind storm")
    type: Literal["wind_storm"] = "wind_storm"
    gust_ms: PerDistrict = GUST_MS.field(
        "3-second gust speed: one number, or one per district")
    LEVEL_FIELD: ClassVar[str] = "gust_ms"

    @field_validator("gust_ms", mode="before")
    @classmethod
    def _gust(cls, v: Any) -> Any:
        return GUST_MS.check(v)

    @model_validator(mode="after")
    def _need_districts(self):
        if self.districts is None:
            raise ValueError("districts: list the districts under the storm (or give gust_ms "
                             "per district)")
        return self


class Landslide(_DistrictHazard):
    """Rain-triggered landslides and debris flows: tower foundations fail at random.

    Lines in the districts fail per km with a chance that rises with the 24-hour rainfall
    (data/hazards/landslide.yaml).
    """

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"type": "landslide", "districts": ["巫溪县", "城口县", "奉节县"], "rainfall_mm_24h": 250}]})
    TERM: ClassVar[tuple[str, str]] = ("滑坡泥石流", "landslide")
    districts: list[str] | None = Field(
        None, description="districts under the rain (城口县, or 城口 for short); default: the "
                          "mountain counties (data/hazards/landslide.yaml)")
    type: Literal["landslide"] = "landslide"
    rainfall_mm_24h: PerDistrict = RAIN_MM_24H.field(
        "rainfall in 24 hours: one number, or one per district")
    LEVEL_FIELD: ClassVar[str] = "rainfall_mm_24h"

    @field_validator("rainfall_mm_24h", mode="before")
    @classmethod
    def _rain(cls, v: Any) -> Any:
        return RAIN_MM_24H.check(v)


class Earthquake(_Spec):
    """Earthquake: ground motion at every substation and plant decides its damage at random.

    Peak ground acceleration from the epicentre, magnitude and depth (Yu et al. 2013), then HAZUS
    fragility (data/hazards/earthquake.yaml).
    """

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"type": "earthquake", "lat": 29.45, "lon": 108.75, "magnitude": 6.0}]})
    TERM: ClassVar[tuple[str, str]] = ("地震", "earthquake")
    type: Literal["earthquake"] = "earthquake"
    lat: float = Field(ge=20.0, le=40.0, description="latitude of the epicentre",
                       json_schema_extra={"unit": "°N"})
    lon: float = Field(ge=95.0, le=120.0, description="longitude of the epicentre",
                       json_schema_extra={"unit": "°E"})
    magnitude: float = Field(ge=4.0, le=8.5, description="magnitude, on magnitude_scale")
    depth_km: float = Field(15.0, gt=0.0, le=70.0, description="focal depth",
                            json_schema_extra={"unit": "km"})
    magnitude_scale: Literal["Ms", "Mw"] = Field(
        "Ms", description="Ms (surface-wave: the ground-motion relation's and Chinese reports' "
                          "scale) or Mw (moment; converted to Ms, Cheng et al. 2017)")


def _river_table() -> dict[str, list[str]]:
    rivers = hazard_parameters("flood")["rivers"]
    return {name: [str(a).lower() for a in spec.get("aliases", [])] + [name]
            for name, spec in rivers.items()}


class Flood(_Spec):
    """River flood: substations near the river fail when the water passes their margin.

    Give either ``water_rise_m`` or ``return_period_yr`` (data/hazards/flood.yaml).
    """

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"type": "flood", "river": "长江", "water_rise_m": 20, "districts": ["万州区"]}]})
    TERM: ClassVar[tuple[str, str]] = ("洪涝", "river flood")
    type: Literal["flood"] = "flood"
    river: str = Field(description="the river, by name or alias (data/hazards/flood.yaml)")
    water_rise_m: float | None = Field(
        None, ge=0.0, le=60.0, examples=[20], json_schema_extra={"unit": "m"},
        description="water level above the normal flood-season level (or give return_period_yr)")
    return_period_yr: float | None = Field(
        None, ge=2.0, le=1000.0, examples=[100], json_schema_extra={"unit": "years"},
        description="the flood's return period, turned into a rise by the river's table (or "
                    "give water_rise_m)")
    districts: list[str] | None = Field(
        None, description="only substations in these districts (default: all along the river)")

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

    kind: Literal[FAULT_KINDS] = Field(  # type: ignore[valid-type]
        description="what the name names")
    name: str = Field(description="the component's readable name (as in a scenario's faults)")

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and "kind" not in data and len(data) == 1:
            (kind, name), = data.items()
            return {"kind": kind, "name": name}
        return data


AGENTS = ("construction_crane", "kite", "theft", "vehicle", "fire", "tree", "other")


class ExternalDamage(_Spec):
    """External damage (a crane, a kite, theft, a vehicle, a fire): named components fail for
    sure, and/or a count of random lines (data/hazards/external_damage.yaml)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"type": "external_damage", "count": 1, "districts": ["城口县"], "voltage_kv": 220}]})
    TERM: ClassVar[tuple[str, str]] = ("外力破坏", "external damage")
    type: Literal["external_damage"] = "external_damage"
    components: list[ComponentRef] = Field(
        default_factory=list, examples=[[{"line": "城口1号-开州1号 220kV #1"}]],
        description="components that fail for sure, by kind and name ({line: '...'})")
    count: int = Field(0, ge=0, le=100, json_schema_extra={"unit": "lines"},
                       description="random lines that fail besides the named components")
    districts: list[str] | None = Field(
        None, description="random lines touch these districts (default: anywhere)")
    voltage_kv: float | None = Field(
        None, gt=0, examples=[220], json_schema_extra={"unit": "kV"},
        description="voltage of the random lines (default in data/hazards/external_damage.yaml)")
    agent: Literal[AGENTS] = Field(  # type: ignore[valid-type]
        "construction_crane", description="what did the damage")

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
    """Heat wave and drought: demand up, plants derated, imports short, units tripping.

    It changes the grid before anything fails (data/hazards/heat_wave.yaml).
    """

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"type": "heat_wave", "demand_uplift_pct": 6, "hydro_derate_pct": 50,
         "unit_trip_prob": 0.05}]})
    TERM: ClassVar[tuple[str, str]] = ("高温干旱", "heat wave")
    type: Literal["heat_wave"] = "heat_wave"
    demand_uplift_pct: float | dict[str, float] | None = UPLIFT_PCT.field(
        "demand above the level's: one number, or one per zone of data/hazards/heat_wave.yaml; "
        "default 0 unless max_temperature_c is given", default=None)
    max_temperature_c: float | None = Field(
        None, ge=20.0, le=50.0, examples=[40], json_schema_extra={"unit": "°C"},
        description="daily maximum temperature, turned into a demand uplift by the rule in "
                    "data/hazards/heat_wave.yaml when no uplift is given")
    thermal_derate_pct: float = Field(0.0, ge=0.0, le=100.0, json_schema_extra={"unit": "%"},
                                      description="coal and gas units' maximum output lost")
    hydro_derate_pct: float = Field(0.0, ge=0.0, le=100.0, json_schema_extra={"unit": "%"},
                                    description="hydro units' and small hydro's output lost")
    import_scale: float = Field(1.0, ge=0.0, le=2.0, json_schema_extra={"unit": "×"},
                                description="multiplies every intertie's scheduled import "
                                            "(capped at its capacity)")
    unit_trip_prob: float = Field(0.0, ge=0.0, le=1.0,
                                  description="chance that each in-service unit trips")

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
