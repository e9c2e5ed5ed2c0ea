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
from typing import Annotated, Any, Literal

import numpy as np
import pandapower as pp
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

from outage_sim.errors import InputError, did_you_mean
from outage_sim.grid import chongqing_net, district_names, load_levels
from outage_sim.hazards import (
    FAULT_KINDS,
    HazardSpec,
    Outage,
    check_district,
    draw_hazards,
    resolve_fault,
    unique_outages,
)
from outage_sim.inputs import Seed, Timestamp, clean, parse_yaml, read_text
from outage_sim.response import canonical_cause, canonical_secondary, functional_area_hint
from outage_sim.restoration import POLICIES
from outage_sim.validation import problems as validation_problems

#: Most entries in one of a scenario's lists (faults, hazards, key areas, secondary incidents):
#: far more than any event, few enough that checking every name stays within seconds.
MAX_ITEMS = 500


class FaultSpec(BaseModel):
    """One explicit fault: exactly one of the kinds, plus an optional reason."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    line: str | None = None
    corridor: str | None = None
    transformer: str | None = None
    substation: str | None = None
    unit: str | None = None
    plant: str | None = None
    intertie: str | None = None
    reason: str | None = None
    repair_h: float | None = Field(None, ge=0, le=24 * 365, strict=True, description=(
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
    policy: Literal[POLICIES] = "priority_first"  # type: ignore[valid-type]
    horizon_h: float = Field(720.0, gt=0, le=24 * 365, strict=True)
    step_h: float = Field(0.25, ge=0.05, le=24, strict=True)
    crews: dict[str, StrictInt] | None = None
    secondary_clear_h: StrictFloat | dict[str, StrictFloat] | None = None

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
    name: str = Field(min_length=1)
    description: str = ""
    time: Timestamp
    level: str = "summer_peak"
    mode: Literal["dispatch", "cascade"] = "dispatch"
    cascade_threshold: float = Field(1.2, ge=1.0, le=3.0, strict=True)
    seed: Seed = 0
    cause: str | None = None
    secondary: list[SecondaryName] = Field(default_factory=list, max_length=MAX_ITEMS)
    key_areas: list[DistrictName] | None = Field(None, max_length=MAX_ITEMS)
    faults: list[FaultSpec] = Field(default_factory=list, max_length=MAX_ITEMS)
    hazards: list[HazardSpec] = Field(default_factory=list, max_length=MAX_ITEMS)
    end_of_hazard_h: float | None = Field(None, ge=0, le=24 * 365, strict=True,
                                          description="hours until the hazard is over")
    restoration: RestorationSpec = Field(default_factory=RestorationSpec)
    drill: dict[str, Any] | None = Field(
        None, description="a drill script (injects, step_min), read by outage_sim.drill.session; "
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
    return {"grid": cache(lambda: chongqing_net(level))}


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
    """Read and check a scenario YAML file."""
    path = Path(path)
    # size, UTF-8, no aliases or duplicate keys, times and texts checked: outage_sim.inputs
    text = read_text(path, not_found="scenario file not found")
    return parse_scenario(parse_yaml(text, path.name), source=path.name)


def draw_outages(scenario: Scenario, net: pp.pandapowerNet, seed: int | None = None) -> tuple[list[Outage], list[str]]:
    """The outages of one realisation: hazards first (drawn with ``seed``, default the
    scenario's), then the explicit faults; each element fails once, for its first reason.

    Hazards that change the grid (a heat wave raises demand, derates plants) change ``net``,
    which must therefore be the caller's own copy. Returns the outages and the hazard notes.
    """
    rng = np.random.default_rng(scenario.seed if seed is None else seed)
    draw = draw_hazards(net, scenario.hazards, rng)
    outs = list(draw.outages)
    for f in scenario.faults:
        outs += resolve_fault(net, f.kind, f.name, reason=f.reason)
    return unique_outages(outs), list(draw.notes)
