"""Restoration parameters: the data file ``outage_sim/data/restoration/repair.yaml``, checked.

Every number of the restoration model lives in that file with its ``source`` or ``estimate``
(the same form as the hazard files, read by :func:`outage_sim.hazards.hazard_parameters`):
repair work by component kind and cause, crews and their bases, travel, how a hazard slows work,
start-up and restart times, pick-up rates, cold-load pick-up, and the defaults of the §4.3 checks.
:class:`RepairFile` is the pydantic model of its values; :func:`repair_data` reads and checks it
once (a :class:`~outage_sim.errors.DataFileError` names the file and the path of every problem,
e.g. ``repair.yaml: repair_ice.line_220.per_km_h: Field required``) and returns a frozen
:class:`RepairData` whose methods answer the engine's questions
(:mod:`outage_sim.restoration.driver`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from outage_sim.errors import DataFileError, did_you_mean
from outage_sim.hazards import hazard_parameters
from outage_sim.validation import problems

RESTORATION_DATA_DIR = Path(__file__).parents[1] / "data" / "restoration"
FILE = "repair.yaml"

#: Restoration policies: how free crews choose their next repair and in which order an island
#: picks load up (implemented in :mod:`outage_sim.restoration.driver`).
POLICIES = ("priority_first", "largest_load_first", "nearest_crew")

#: Component kinds the repair tables are keyed by (see the data file's header).
KINDS = ("line_500", "line_220", "transformer", "substation", "unit_coal", "unit_gas",
         "unit_hydro", "intertie_ac", "intertie_converter", "renewable")
#: Causes with their own repair table (others fall back to the default tables).
CAUSE_TABLES = ("lightning", "external_damage", "ice", "wind", "earthquake", "flood",
                "geological", "heat_wave")


# ---------------------------------------------------------------- the file's model
# Numbers are strict: YAML gives ints and floats; a quoted "11" or a `true` is a mistake.
Hours = Annotated[float, Field(strict=True, ge=0)]
Positive = Annotated[float, Field(strict=True, gt=0)]
Share = Annotated[float, Field(strict=True, ge=0, le=1)]
Count = Annotated[int, Field(strict=True, ge=0)]
CrewsPerJob = Annotated[int, Field(strict=True, ge=1)]


class _Section(BaseModel):
    """A mapping of the file: every key known, nothing changed after the check."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class LineWork(_Section):
    """A line's repair: a base (patrol, re-energising) plus hours per km of route (towers)."""

    base_h: Hours
    per_km_h: Hours


_HOURS, _LINE_WORK = TypeAdapter(Hours), TypeAdapter(LineWork)


def _repair_time(value: Any) -> Any:
    """Check an entry as what it looks like (a mapping is a :class:`LineWork`, anything else
    hours): a plain union would report a problem once per reading, under made-up paths."""
    return (_LINE_WORK if isinstance(value, Mapping) else _HOURS).validate_python(value)


def _known_kinds(table: Any) -> Any:
    """Refuse a repair table keyed by a kind not in :data:`KINDS`, naming the key."""
    if isinstance(table, Mapping):
        for kind in table:
            if kind not in KINDS:
                raise ValueError(f"{kind}: unknown component kind (use one of {', '.join(KINDS)})"
                                 f"{did_you_mean(kind, KINDS, cutoff=0.6)}")
    return table


#: Crew-hours by component kind: hours, or {base_h, per_km_h} (see :class:`LineWork`).
RepairTable = Annotated[
    dict[str, Annotated[Hours | LineWork, BeforeValidator(_repair_time)]],
    BeforeValidator(_known_kinds)]


class MaxCrews(_Section):
    """Crews on one job at once: a line one per section of route, other kinds a count."""

    line_km_per_crew: Positive
    default: CrewsPerJob
    transformer: CrewsPerJob | None = None
    substation: CrewsPerJob | None = None
    unit_coal: CrewsPerJob | None = None
    unit_gas: CrewsPerJob | None = None
    unit_hydro: CrewsPerJob | None = None
    intertie_ac: CrewsPerJob | None = None
    intertie_converter: CrewsPerJob | None = None
    renewable: CrewsPerJob | None = None


class Travel(_Section):
    """How fast crews reach a job (slowed by ``hazard_travel_factor`` while the hazard lasts)."""

    road_factor: Annotated[float, Field(strict=True, ge=1)]  # road km per straight-line km
    speed_kmh: Positive


class RestartTimes(_Section):
    """Hours to put back what was tripped or opened but not damaged."""

    intertie_ac: Hours
    intertie_converter: Hours
    renewable: Hours
    branch: Hours
    substation: Hours


class LoadTransferPrm(_Section):
    """负荷转供: when the switching of a dark station's load onto its neighbours is done, and the
    power factor that turns a station's 220/110 kV MVA into MW of headroom."""

    switch_h: Hours
    power_factor: Annotated[float, Field(strict=True, gt=0, le=1)]


class BackupPower(_Section):
    """自备应急电源 of one category of important user: shares of its load and fuel hours."""

    critical_share: Share
    backup_share: Share
    endurance_h: Hours

    @model_validator(mode="after")
    def _within_critical(self) -> BackupPower:
        if self.backup_share > self.critical_share:
            raise ValueError("backup_share: must not exceed critical_share")
        return self


class GeneratorFleet(_Section):
    """应急发电车: rating of a vehicle, mobilisation, bases (district → count), category order."""

    mw_each: Positive
    mobilise_h: Hours
    bases: dict[str, Count]
    priority: list[str]


class RepairSpread(_Section):
    """The lognormal of a repair's time around the table's value (its median)."""

    sigma: Annotated[float, Field(strict=True, ge=0, le=2)]


class SupportCrews(_Section):
    """跨省支援: crews by event level, the hours until they arrive, where they gather."""

    by_level: dict[str, Count]
    delay_h: Hours
    base: Annotated[str, Field(strict=True, min_length=1)]


class ColdLoadPickup(_Section):
    """Load out for longer than ``after_h`` costs ``factor`` × its MW of pick-up capacity."""

    factor: Annotated[float, Field(strict=True, ge=1)]  # MW of pick-up capacity per MW restored
    after_h: Hours


class PriorityWeights(_Section):
    """Weights of restored MW when ``priority_first`` ranks repairs."""

    important_user: Annotated[float, Field(strict=True, ge=0)]
    key_area: Annotated[float, Field(strict=True, ge=0)]
    other: Annotated[float, Field(strict=True, ge=0)]


class Backbone(_Section):
    """§4.3(1): the backbone's lowest voltage, and the size of a main plant."""

    min_kv: Positive
    main_plant_min_mw: Annotated[float, Field(strict=True, ge=0)]


class DistributionRepair(_Section):
    """Repairs beneath the transmission model: work hours per failed 10 kV feeder and per failed
    110 kV supply line, and the district's distribution crews (配网抢修队伍) by zone."""

    feeder_h: Positive
    line_110kv_h: Positive
    crews_by_zone: dict[str, Count]


class OperatingLimits(_Section):
    """§4.3(1): the AC state's limits (branch loading, bus voltages)."""

    max_loading_pct: Positive
    vm_pu_min: Positive
    vm_pu_max: Positive

    @model_validator(mode="after")
    def _band(self) -> OperatingLimits:
        """The voltage band must not be empty."""
        if self.vm_pu_max <= self.vm_pu_min:
            raise ValueError(f"vm_pu_max: must be above vm_pu_min ({self.vm_pu_min:g}), "
                             f"got {self.vm_pu_max:g}")
        return self


class RepairFile(_Section):
    """The values of ``repair.yaml`` (each parameter's ``value``; the file's header and each
    entry's ``source`` or ``estimate`` say what they mean and where they come from).

    The repair tables are ``repair_rts_gmlc`` and ``repair_default`` (together the default
    for every component kind) and one per cause of :data:`CAUSE_TABLES`.
    """

    repair_rts_gmlc: RepairTable
    repair_default: RepairTable
    repair_lightning: RepairTable
    repair_external_damage: RepairTable
    repair_ice: RepairTable
    repair_wind: RepairTable
    repair_earthquake: RepairTable
    repair_flood: RepairTable
    repair_geological: RepairTable
    repair_heat_wave: RepairTable
    cause_aliases: dict[str, Annotated[str, Field(strict=True, min_length=1)]]
    max_crews: MaxCrews
    crew_bases: dict[str, Count]  # district → crews (the districts are checked against the net)
    travel: Travel
    hazard_work_factor: dict[str, Share]  # by cause, with a `default`
    hazard_travel_factor: dict[str, Annotated[float, Field(strict=True, gt=0, le=1)]]
    hazard_end_h: dict[str, Hours]  # by cause, with an `other`
    secondary_clear_h: dict[str, Hours]  # by kind of secondary incident
    start_h: Annotated[dict[str, Hours], Field(min_length=1)]  # by unit type
    black_start_h: Hours
    restart_h: RestartTimes
    pickup_rate_pct_per_h: Annotated[dict[str, Positive], Field(min_length=1)]  # by source type
    cold_load_pickup: ColdLoadPickup
    priority_weights: PriorityWeights
    backbone: Backbone
    operating_limits: OperatingLimits
    distribution: DistributionRepair | None = None  # absent: distribution failures are not repaired
    load_transfer: LoadTransferPrm | None = None  # absent: no load is transferred
    backup_power: dict[str, BackupPower] | None = None  # with an `important_user` default
    generator_fleet: GeneratorFleet | None = None  # absent (either): no emergency power
    repair_spread: RepairSpread | None = None  # absent: repair times are not drawn
    emergency_tower: dict[str, Share] | None = None  # by cause: share of a line job's work
    support_crews: SupportCrews | None = None  # absent: no cross-province support

    @model_validator(mode="after")
    def _every_kind_has_a_default(self) -> RepairFile:
        """A cause's table may leave kinds out; the default tables may not."""
        known = {**self.repair_default, **self.repair_rts_gmlc}
        gaps = [k for k in KINDS if k not in known]
        if gaps:
            raise ValueError(f"repair_default: no entry for {', '.join(map(repr, gaps))} (nor in "
                             "repair_rts_gmlc); every component kind needs a default repair time")
        return self


@dataclass(frozen=True)
class RepairData:
    """The checked restoration parameters (read-only mappings; see ``repair.yaml``)."""

    repair: dict[str, dict[str, Any]]   # cause → kind → hours or {base_h, per_km_h}
    values: dict[str, Any]              # every other parameter by its key
    source: str

    def cause_key(self, cause: str | None) -> str:
        """The repair-table key of a cause (aliases resolved; ``equipment`` when unknown)."""
        c = str(cause or "equipment")
        return str(self.values["cause_aliases"].get(c, c))

    def work_h(self, kind: str, cause: str | None, length_km: float = 0.0) -> float:
        """Crew-hours to repair one component of ``kind`` damaged by ``cause``."""
        entry = self.repair.get(self.cause_key(cause), {}).get(kind)
        if entry is None:
            entry = self.repair["default"].get(kind)
        if entry is None:
            raise DataFileError(f"{self.source}: no repair time for {kind!r} (cause {cause!r}) "
                                "and no default")
        if isinstance(entry, dict):
            return float(entry["base_h"]) + float(entry["per_km_h"]) * float(length_km)
        return float(entry)

    def max_crews(self, kind: str, length_km: float = 0.0) -> int:
        """How many crews can work one job of ``kind`` at once."""
        mc = self.values["max_crews"]
        if kind.startswith("line_"):
            return max(1, math.ceil(float(length_km) / float(mc["line_km_per_crew"])))
        return int(mc.get(kind, mc["default"]))

    def _by_cause(self, key: str, cause: str | None) -> float:
        table = self.values[key]
        c = self.cause_key(cause)
        return float(table.get(c, table.get("default", 1.0)))

    def work_factor(self, cause: str | None) -> float:
        """Share of normal repair progress while the hazard lasts."""
        return self._by_cause("hazard_work_factor", cause)

    def travel_factor(self, cause: str | None) -> float:
        """Share of normal travel speed while the hazard lasts."""
        return self._by_cause("hazard_travel_factor", cause)

    def road_h(self, lat1: float, lon1: float, lat2: float, lon2: float,
               slowdown: float = 1.0) -> float:
        """Hours by road between two points: the straight line × ``travel.road_factor`` at
        ``travel.speed_kmh`` × ``slowdown`` (:meth:`travel_factor` while the hazard lasts).
        Crews and generator vehicles travel alike."""
        from outage_sim.hazards import distance_km  # hazards.geo loads pandapower: not at import

        tr = self.values["travel"]
        km = float(distance_km(lat1, lon1, lat2, lon2)) * float(tr["road_factor"])
        return km / (float(tr["speed_kmh"]) * slowdown)

    def hazard_end_h(self, cause: str | None) -> float:
        """Default hours until the hazard is basically removed (§4.3(3))."""
        table = self.values["hazard_end_h"]
        return float(table.get(self.cause_key(cause), table.get("other", 0.0)))

    def secondary_clear_h(self, kind: str) -> float:
        """Default hours until a secondary incident is basically dealt with (§4.3(4))."""
        return float(self.values["secondary_clear_h"][kind])

    def start_h(self, unit_type: str) -> float:
        """Hot/warm start time of a unit tripped in the event, once its bus is energised."""
        table = self.values["start_h"]
        return float(table.get(unit_type, max(table.values())))

    def restart_h(self, kind: str) -> float:
        """Time to put back a component that was tripped or opened but not damaged."""
        return float(self.values["restart_h"][kind])

    def draw_factor(self, rng: np.random.Generator | None) -> float:
        """A repair time's factor: 1 (the table's value, the median), or a draw from the
        lognormal of ``repair_spread`` when a run is seeded for draws (``rng``)."""
        spread = self.values.get("repair_spread")
        if rng is None or spread is None:
            return 1.0
        return float(np.exp(float(spread["sigma"]) * rng.standard_normal()))

    def pickup_rate(self, source_type: str) -> float:
        """Load an island can pick up per hour, as a share (not %) of a source's capacity."""
        table = self.values["pickup_rate_pct_per_h"]
        return float(table.get(source_type, min(table.values()))) / 100.0


def _check(values: dict[str, Any]) -> dict[str, Any]:
    """The file's values as checked by :class:`RepairFile` (only the keys the file gives)."""
    try:
        checked = RepairFile.model_validate(values)
    except ValidationError as exc:
        raise DataFileError(f"{FILE}: " + "; ".join(problems(exc))) from None
    return checked.model_dump(exclude_unset=True)


def repair_data(data_dir: str | Path | None = None) -> RepairData:
    """The checked restoration parameters (cached per folder).

    Raises
    ------
    DataFileError
        The file is missing, a parameter lacks ``value`` or its provenance, or the values do not
        fit :class:`RepairFile` (a parameter missing or unknown, a value out of range); the
        message names the file and the path of each problem.
    """
    return _load(Path(data_dir) if data_dir is not None else RESTORATION_DATA_DIR)


@lru_cache(maxsize=4)
def _load(directory: Path) -> RepairData:
    """Read and check ``repair.yaml`` in ``directory`` (provenance as for the hazard files)."""
    values = _check(hazard_parameters("repair", directory))
    # the default table: RTS-GMLC's figures, and stated estimates for the kinds it lacks
    repair = {"default": {**values["repair_default"], **values["repair_rts_gmlc"]},
              **{cause: values[f"repair_{cause}"] for cause in CAUSE_TABLES}}
    return RepairData(repair=repair, values=values, source=FILE)
