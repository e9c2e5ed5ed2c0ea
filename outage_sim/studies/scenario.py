"""Scenario files: what-if events as YAML, validated before anything runs.

A scenario names the load level, the event time, explicit faults by readable name, hazards that
fail components at random (seeded), key areas, the overload mode and the seed::

    name: 张家坝-长寿 corridor lost
    description: ...
    time: 2026-01-25T06:30:00+08:00
    level: winter_peak
    mode: dispatch            # or cascade
    seed: 2008
    cause: ice                # for the response (optional)
    secondary: []             # secondary incidents (optional)
    key_areas: [渝中区, 江北区] # default: the model's key areas
    end_of_hazard_h: 240      # when the hazard is basically removed (§4.3(3); optional)
    faults:
      - corridor: 张家坝-长寿 500kV
        repair_h: 96          # crew-hours to repair (default: data/restoration/repair.yaml)
      - unit: 华能珞璜 #5
        reason: boiler tube leak
      - intertie: 川渝 洪沟-板桥
        damaged: false        # opened, not damaged: re-closed without a crew
    hazards:
      - type: ice_storm
        districts: [城口县, 巫溪县]
        thickness_mm: 30
    restoration:              # all optional (see RestorationSpec)
      policy: priority_first
      crews: {万州区: 3, 黔江区: 2}
      secondary_clear_h: 48

:func:`load_scenario` reads and checks a file; a bad file raises one :class:`InputError` that
lists every problem with its path in the file (``faults[2].line: no line named ...; did you mean
...?``). :func:`draw_outages` turns a checked scenario into the outages of one realisation.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from outage_sim.builtins import scenario_path
from outage_sim.errors import InputError, did_you_mean
from outage_sim.grid import district_names, load_levels
from outage_sim.hazards import FAULT_KINDS, HazardSpec, check_district
from outage_sim.inputs import Seed, Timestamp, clean, parse_yaml, read_text
from outage_sim.response import canonical_cause, canonical_secondary, functional_area_hint
from outage_sim.restoration import POLICIES
from outage_sim.validation import problems as validation_problems

if TYPE_CHECKING:  # the grid and the hazard draws load pandapower: only once a scenario runs
    import pandapower as pp

    from outage_sim.hazards import Outage

#: The response's cause when a scenario names none: its first hazard's, else equipment.
HAZARD_CAUSE = {"ice_storm": "ice", "wind_storm": "wind", "earthquake": "earthquake",
                "flood": "flood", "landslide": "geological", "external_damage": "external_damage",
                "heat_wave": "heat_wave"}

#: Most entries in one of a scenario's lists (faults, hazards, key areas, secondary incidents):
#: far more than any event, few enough that checking every name stays within seconds.
MAX_ITEMS = 500


class FaultSpec(BaseModel):
    """One explicit fault: exactly one of the kinds, plus an optional reason."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, json_schema_extra={
        "examples": [{"corridor": "长寿-张家坝 500kV", "reason": "tower failure carrying both "
                      "circuits", "repair_h": 96}]})
    line: str | None = Field(None, examples=["城口1号-开州1号 220kV #1"], description=(
        "one circuit, either order of its ends (quote it: ' #' starts a YAML comment)"))
    corridor: str | None = Field(None, examples=["长寿-张家坝 500kV"],
                                 description="every circuit of a corridor, either order of its ends")
    transformer: str | None = Field(None, examples=["板桥 500/220kV #1"],
                                    description="one transformer")
    substation: str | None = Field(None, examples=["金山"],
                                   description="every bus of a station (a 220 kV one: 渝中1号)")
    unit: str | None = Field(None, examples=["华能珞璜 #5"], description="one generating unit")
    plant: str | None = Field(None, examples=["华能珞璜"], description="every unit of a plant")
    intertie: str | None = Field(None, examples=["哈密-重庆 ±800kV DC"],
                                 description="an intertie or the DC infeed (its import is lost)")
    reason: str | None = Field(None, examples=["bus fault, station tripped"],
                               description="why it failed, for the reader of the result")
    repair_h: float | None = Field(None, ge=0, le=24 * 365, strict=True, examples=[96],
                                   json_schema_extra={"unit": "h"}, description=(
        "crew-hours of repair work (or, if not damaged, hours until it is back once it may "
        "close or start); default from data/restoration/repair.yaml"))
    damaged: bool = Field(True, description=(
        "false: tripped or opened, not damaged (no crew; restored by switching or restart)"))

    @model_validator(mode="after")
    def _one_kind(self) -> FaultSpec:
        given = [k for k in FAULT_KINDS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of {', '.join(FAULT_KINDS)} (got "
                             f"{', '.join(given) or 'none'})")
        return self

    @model_validator(mode="after")
    def _known_name(self, info: ValidationInfo) -> FaultSpec:
        # runs after _one_kind (pydantic applies after-validators in the order they are defined);
        # only a caller that passes the grid in the context (parse_scenario) gets names checked
        grid = (info.context or {}).get("grid")
        if grid is not None:
            from outage_sim.hazards import resolve_fault

            try:
                resolve_fault(grid(), self.kind, self.name)
            except InputError as exc:
                raise ValueError(f"{self.kind}: {exc}") from None
        return self

    @property
    def kind(self) -> str:
        return next(k for k in FAULT_KINDS if getattr(self, k) is not None)

    @property
    def name(self) -> str:
        return str(getattr(self, self.kind))


class RestorationSpec(BaseModel):
    """How restoration runs for a scenario (every field has a default)::

        restoration:
          policy: priority_first        # or largest_load_first, nearest_crew
          horizon_h: 720                # stop here if the response has not ended
          step_h: 0.25                  # time step while load is being picked up
          crews: {万州区: 3, 黔江区: 2}   # repair crews by base district (replaces the defaults)
          secondary_clear_h: 48         # or {environmental: 72}: §4.3(4)
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    policy: Literal[POLICIES] = Field(  # type: ignore[valid-type]
        "priority_first", description="which load is picked up first once it can be")
    horizon_h: float = Field(720.0, gt=0, le=24 * 365, strict=True,
                             json_schema_extra={"unit": "h"},
                             description="stop here if the response has not ended")
    step_h: float = Field(0.25, ge=0.05, le=24, strict=True, json_schema_extra={"unit": "h"},
                          description="time step while load is being picked up")
    crews: dict[str, StrictInt] | None = Field(
        None, examples=[{"万州区": 3, "黔江区": 2}], json_schema_extra={"unit": "crews"},
        description="repair crews by base district (replaces data/restoration/repair.yaml's)")
    secondary_clear_h: StrictFloat | dict[str, StrictFloat] | None = Field(
        None, examples=[48], json_schema_extra={"unit": "h"},
        description="hours until the secondary incidents are cleared (§4.3(4)): one number, or "
                    "one per secondary incident of the scenario; default from repair.yaml")

    @field_validator("crews")
    @classmethod
    def _crews(cls, value: dict[str, int] | None) -> dict[str, int] | None:
        if value is None:
            return None
        out: dict[str, int] = {}
        for name, count in value.items():
            if count < 0:
                raise ValueError(f"{name}: crew count must be 0 or more, got {count}")
            out[check_district(name)] = count
        if sum(out.values()) < 1:
            raise ValueError("at least one crew is needed")
        return out

    @field_validator("secondary_clear_h")
    @classmethod
    def _clear(cls, value: float | dict[str, float] | None) -> float | dict[str, float] | None:
        items = (value.items() if isinstance(value, dict)
                 else [("", value)] if value is not None else [])
        for key, hours in items:
            if not 0 <= hours <= 24 * 365:
                raise ValueError(f"{key + ': ' if key else ''}hours must be between 0 and 8760, "
                                 f"got {hours}")
        if isinstance(value, dict):
            # the key leads the message, so the error's path ends in it
            return {canonical_secondary(k, field=str(k)): v for k, v in value.items()}
        return value


def _reason(exc: InputError) -> str:
    """The message of a check that puts its field first (``"cause: unknown ..."``) without the
    field: pydantic adds the field to the path itself."""
    return str(exc).partition(": ")[2] or str(exc)


def _known_secondary(item: str) -> str:
    try:
        canonical_secondary(item)
    except InputError as exc:
        raise ValueError(_reason(exc)) from None
    return item


def _known_district(name: str) -> str:
    names = district_names()
    if name not in names:  # a functional area (两江新区) is named with the districts it lies in
        raise ValueError(functional_area_hint(name)
                         or f"no district named {name!r}{did_you_mean(name, names)}")
    return name


SecondaryName = Annotated[str, AfterValidator(_known_secondary)]
DistrictName = Annotated[str, AfterValidator(_known_district)]


class Scenario(BaseModel):
    """A checked scenario (see the module docstring for the file format)."""

    # (This docstring is the published JSON Schema's description.) Names are checked against the
    # data as the fields are validated: the load level, the cause and the secondary incidents
    # (the plan's organisation file), the key areas (the grid's districts); fault names too when
    # the validation context carries the grid ({"grid": f}, f() the net at the scenario's
    # level), as parse_scenario does.

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    name: str = Field(min_length=1, description="the scenario's title",
                      examples=["张家坝-长寿 corridor lost"])
    description: str = Field("", description="what it rehearses and why it is plausible")
    time: Timestamp = Field(description="when the event starts: ISO 8601 with its UTC offset",
                            examples=["2026-07-15T10:20:00+08:00"])
    level: str = Field("summer_peak", description="the grid's load level at the event")
    mode: Literal["dispatch", "cascade"] = Field(
        "dispatch", description="dispatch: the dispatcher's minutes (units and the interties' "
                                "support re-dispatched, load shed by the priority table in one LP); "
                                "cascade: the first seconds and the cascade through time (frequency "
                                "response and under-frequency load shedding, protection, heating, "
                                "hidden failures, redispatch; seeded)")
    cascade_threshold: float = Field(1.2, ge=1.0, le=3.0, strict=True,
                                     json_schema_extra={"unit": "× rating"},
                                     description="loading at which protection trips a branch "
                                                 "(cascade mode)")
    seed: Seed = Field(0, description="seed of the hazards' random draws (same seed, same "
                                      "outages)")
    cause: str | None = Field(None, description="the cause the response names (default: the "
                                                "first hazard's, else equipment)")
    secondary: list[SecondaryName] = Field(
        default_factory=list, max_length=MAX_ITEMS, examples=[["environmental"]],
        description="secondary incidents (次生事件) that activate member units")
    key_areas: list[DistrictName] | None = Field(
        None, max_length=MAX_ITEMS, examples=[["渝中区", "江北区"]],
        description="key areas (重点地区) the termination checks watch (default: the model's)")
    faults: list[FaultSpec] = Field(default_factory=list, max_length=MAX_ITEMS,
                                    description="components that fail for sure, by name")
    hazards: list[HazardSpec] = Field(default_factory=list, max_length=MAX_ITEMS,
                                      description="hazards that fail components at random "
                                                  "(seeded); outage-sim hazards lists them")
    end_of_hazard_h: float | None = Field(
        None, ge=0, le=24 * 365, strict=True, examples=[72], json_schema_extra={"unit": "h"},
        description="hours until the hazard is basically over (§4.3(3)); default by cause "
                    "from data/restoration/repair.yaml")
    restoration: RestorationSpec = Field(default_factory=RestorationSpec,
                                         description="how restoration runs")
    drill: dict[str, Any] | None = Field(
        None, examples=[{"step_min": 30}],
        description="a drill script (injects, step_min), read by outage_sim.drill.session; "
                    "outage-sim run ignores it")
    source_file: str | None = Field(None, exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _clean(cls, data: Any) -> Any:
        # texts normalised (NFC, no zero-width characters or surrounding blanks) before any
        # name is matched; load_scenario has done so already, a library caller may not have
        return clean(data) if isinstance(data, dict) else data

    @field_validator("key_areas")
    @classmethod
    def _once_each(cls, value: list[str] | None) -> list[str] | None:
        seen: dict[str, int] = {}
        for i, name in enumerate(value or ()):
            if name in seen:
                raise ValueError(f"{name!r} is listed twice (items {seen[name]} and {i})")
            seen[name] = i
        return value

    @field_validator("level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        levels = load_levels()
        if value not in levels:
            raise ValueError(f"unknown load level {value!r}; choose one of {', '.join(levels)}")
        return value

    @field_validator("cause")
    @classmethod
    def _known_cause(cls, value: str | None) -> str | None:
        try:
            canonical_cause(value)
        except InputError as exc:
            raise ValueError(_reason(exc)) from None
        return value

    def build_net(self) -> pp.pandapowerNet:
        """The grid at the scenario's load level, with its key areas applied."""
        from outage_sim.grid import chongqing_net

        net = chongqing_net(self.level)
        if self.key_areas is not None:
            net["districts"]["key_area"] = net["districts"]["name"].isin(self.key_areas)
        return net


def parse_scenario(obj: Any, *, source: str = "scenario") -> Scenario:
    """Check a scenario mapping; every problem is listed in one :class:`InputError`.

    The fields are checked by :class:`Scenario` (fault names against the grid at the scenario's
    level, given in the validation context), then what needs the whole checked scenario.

    Raises
    ------
    InputError
        ``"{source}: N problem(s)"``, then one line per problem, each starting with its path.
    """
    if not isinstance(obj, dict):
        raise InputError(f"{source}: a scenario must be a mapping of fields, got {type(obj).__name__}")
    try:
        obj = clean(obj)
    except ValueError as exc:
        raise _problems(source, [str(exc)]) from None
    endless = _non_finite(obj)
    if endless:
        raise _problems(source, [f"{endless[0]}: must be a finite number, not {endless[1]}"])
    try:
        scenario = Scenario.model_validate(obj, context=_grid_context(obj))
    except ValidationError as exc:
        raise _problems(source, validation_problems(exc, top="(file)")) from None
    problems = _secondary_clear_problems(scenario)  # needs the checked secondary incidents
    if problems:
        raise _problems(source, problems)
    return scenario.model_copy(update={"source_file": source})


def _non_finite(obj: Any, where: str = "") -> tuple[str, float] | None:
    """(path, value) of the first NaN or infinite number in a parsed scenario, or None."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return where or "(file)", obj
    items = obj.items() if isinstance(obj, dict) else enumerate(obj) \
        if isinstance(obj, list) else ()
    for key, value in items:
        found = _non_finite(value, f"{where}[{key}]" if isinstance(obj, list)
                            else f"{where}.{key}" if where else str(key))
        if found:
            return found
    return None


def _grid_context(obj: dict) -> dict[str, Callable[[], pp.pandapowerNet]]:
    """The validation context: the grid at the scenario's level, built once when a fault is
    checked. Without a known level there is none (the level's own check reports it)."""
    level = obj.get("level", Scenario.model_fields["level"].default)
    if not isinstance(level, str) or level not in load_levels():
        return {}

    def grid() -> pp.pandapowerNet:
        from outage_sim.grid import chongqing_net

        return chongqing_net(level)

    return {"grid": cache(grid)}


def _secondary_clear_problems(scenario: Scenario) -> list[str]:
    """Clearing times may be given only for the scenario's own secondary incidents."""
    clear = scenario.restoration.secondary_clear_h
    if not isinstance(clear, dict):
        return []
    named = {canonical_secondary(s) for s in scenario.secondary}
    return [f"restoration.secondary_clear_h.{key}: not among the scenario's secondary incidents "
            f"({', '.join(sorted(named)) or 'none'})" for key in clear if key not in named]


def _problems(source: str, problems: list[str]) -> InputError:
    """One problem on one line (``s.yaml: seed: ...``); several under a head line, one a line."""
    if len(problems) == 1:
        return InputError(f"{source}: {problems[0]}")
    lines = "\n".join(f"  {p}" for p in problems)
    return InputError(f"{source}: {len(problems)} problems\n{lines}")


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario YAML file, given by its path or as a built-in name.

    ``load_scenario("uhv_and_dc_trip")`` reads the built-in scenario of that name (``outage-sim
    scenarios list`` names them); an existing path always wins over a built-in name.

    Raises
    ------
    InputError
        Neither a file nor a built-in name (with the closest name suggested), or a file that is
        not a valid scenario (every problem on its own line).
    """
    path = scenario_path(path)
    # size, UTF-8, no aliases or duplicate keys, times and texts checked: outage_sim.inputs
    text = read_text(path, not_found="scenario file not found")
    return parse_scenario(parse_yaml(text, path.name), source=path.name)


def draw_outages(scenario: Scenario, net: pp.pandapowerNet, seed: int | None = None,
                 sample: int | None = None) -> tuple[list[Outage], list[str]]:
    """The outages of one realisation: hazards first (drawn with ``seed``, default the
    scenario's; with ``sample``, as Monte-Carlo sample ``sample`` of master seed ``seed`` is
    drawn), then the explicit faults; each element fails once, for its first reason.

    Hazards that change the grid (a heat wave raises demand, derates plants) change ``net``,
    which must therefore be the caller's own copy. Returns the outages and the hazard notes.
    """
    import numpy as np

    from outage_sim.hazards import SampleStream, draw_hazards, resolve_fault, unique_outages

    master = scenario.seed if seed is None else seed
    rng = np.random.default_rng(master) if sample is None else SampleStream(master, sample)
    draw = draw_hazards(net, scenario.hazards, rng)
    outs = list(draw.outages)
    for f in scenario.faults:
        outs += resolve_fault(net, f.kind, f.name, reason=f.reason)
    return unique_outages(outs), list(draw.notes)
