"""Restoration parameters: the data file ``outage_sim/data/restoration/repair.yaml``, checked.

Every number of the restoration model lives in that file with its ``source`` or ``estimate``
(the same form as the hazard files, read by :func:`outage_sim.hazards.data.hazard_parameters`):
repair work by component kind and cause, crews and their bases, travel, how a hazard slows work,
start-up and restart times, pick-up rates, cold-load pick-up, and the defaults of the §4.3 checks.
:func:`repair_data` reads and checks it once and returns a frozen :class:`RepairData` whose
methods answer the engine's questions (:mod:`outage_sim.restoration.driver`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from outage_sim.errors import DataFileError
from outage_sim.hazards import hazard_parameters

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
_REQUIRED = ("repair_rts_gmlc", "repair_default", *(f"repair_{c}" for c in CAUSE_TABLES),
             "cause_aliases", "max_crews", "crew_bases", "travel", "hazard_work_factor",
             "hazard_travel_factor", "hazard_end_h", "secondary_clear_h", "start_h",
             "black_start_h", "restart_h", "pickup_rate_pct_per_h", "cold_load_pickup",
             "priority_weights", "backbone", "operating_limits")


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

    def pickup_rate(self, source_type: str) -> float:
        """Load an island can pick up per hour, as a share (not %) of a source's capacity."""
        table = self.values["pickup_rate_pct_per_h"]
        return float(table.get(source_type, min(table.values()))) / 100.0


def _check(values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    missing = [k for k in _REQUIRED if k not in values]
    if missing:
        raise DataFileError(f"{FILE}: missing parameter {missing[0]!r}")
    repair: dict[str, dict[str, Any]] = {"default": {**values["repair_default"],
                                                     **values["repair_rts_gmlc"]}}
    for cause in CAUSE_TABLES:
        repair[cause] = dict(values[f"repair_{cause}"])
    for cause, table in repair.items():
        for kind, entry in table.items():
            where = f"{FILE}: repair_{cause if cause != 'default' else 'default'}.{kind}"
            if kind not in KINDS:
                raise DataFileError(f"{where}: unknown component kind "
                                    f"(use one of {', '.join(KINDS)})")
            if isinstance(entry, dict):
                if set(entry) != {"base_h", "per_km_h"}:
                    raise DataFileError(f"{where}: give hours or {{base_h, per_km_h}}")
                nums = list(entry.values())
            else:
                nums = [entry]
            if any(isinstance(n, bool) or not isinstance(n, (int, float)) or n < 0 for n in nums):
                raise DataFileError(f"{where}: hours must be numbers ≥ 0")
    if any(k not in repair["default"] for k in KINDS):
        gap = next(k for k in KINDS if k not in repair["default"])
        raise DataFileError(f"{FILE}: repair_default has no entry for {gap!r}")
    for key in ("hazard_work_factor", "hazard_travel_factor"):
        for c, v in values[key].items():
            if not 0.0 <= float(v) <= 1.0:
                raise DataFileError(f"{FILE}: {key}.{c} must be between 0 and 1")
    for c, v in values["hazard_travel_factor"].items():
        if float(v) <= 0.0:
            raise DataFileError(f"{FILE}: hazard_travel_factor.{c} must be above 0")
    for d, n in values["crew_bases"].items():
        if not isinstance(n, int) or n < 0:
            raise DataFileError(f"{FILE}: crew_bases.{d} must be a whole number ≥ 0")
    if float(values["cold_load_pickup"]["factor"]) < 1.0:
        raise DataFileError(f"{FILE}: cold_load_pickup.factor must be at least 1")
    return repair


def repair_data(data_dir: str | Path | None = None) -> RepairData:
    """The checked restoration parameters (cached per folder).

    Raises
    ------
    DataFileError
        The file is missing, a parameter lacks ``value`` or its provenance, or a value is out of
        range; the message names the file and the parameter.
    """
    return _load(Path(data_dir) if data_dir is not None else RESTORATION_DATA_DIR)


@lru_cache(maxsize=4)
def _load(directory: Path) -> RepairData:
    values = hazard_parameters("repair", directory)
    repair = _check(values)
    return RepairData(repair=repair, values=values, source=FILE)
