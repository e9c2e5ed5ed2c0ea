"""The schema of the grid model's data files, checked before a net is built (pandas and pydantic,
no pandapower).

Each row of each CSV file is a pydantic model (:data:`ROW_MODELS`): types, ranges and units
(a line of 0 km, a negative or NaN load, text where a number belongs, an unknown load class, a
unit whose minimum output is above its maximum). Then the files are checked together
(:func:`check_references`): names unique within a file (a district twice, also once with a
zero-width space), every reference between files resolved (a station's district, a line's ends
and type, a load's bus and district, ...), every district zone scaled at every load level, every
intertie scheduled at every load level. A problem names the file, row (the spreadsheet's row:
the header is row 1) and column: ``lines.csv row 12 (陈家桥-石坪 500kV #1), length_km: must be
greater than 0 (got '0')``.

pydantic rather than pandera (which pandapower installs): one validation style in the package
(see ``docs/architecture.md``), its messages already turned into lines with
:mod:`outage_sim.validation`, and no dependency we do not declare.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Annotated, Any, Literal

import pandas as pd
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
from outage_sim.inputs import normalise_text
from outage_sim.validation import field_path

#: Problems listed in one error (the rest are counted).
SHOWN = 5
#: Load classes a load may have (``general``: a load of a net annotated by annotate_net).
LOAD_CLASSES = ("interruptible", "industry_commerce", "residential", "important", "general")
#: Important-user categories (as ``outage_sim.grid.annotate.IMPORTANT_USER_CATEGORIES``).
IMPORTANT_USERS = ("hospital", "metro_rail", "airport", "water_works", "telecom", "government",
                   "chemical_steel")
UNIT_TYPES = ("coal", "gas", "hydro")
RENEWABLE_TYPES = ("small_hydro", "hydro", "wind", "solar")
INTERTIE_KINDS = ("ac_tie", "ac_uhv", "vsc_b2b", "dc_infeed")


def _text(value: Any) -> Any:
    return normalise_text(value) if isinstance(value, str) else value


def _cell(value: Any) -> Any:
    # an empty cell is no value (pydantic's "Field required" would blame a column that exists)
    if isinstance(value, str) and not value.strip():
        raise ValueError("empty cell")
    return value


Name = Annotated[str, BeforeValidator(_text), Field(min_length=1)]
MaybeName = Annotated[str, BeforeValidator(_text)]
Number = Annotated[float, BeforeValidator(_cell), Field(allow_inf_nan=False)]
Count = Annotated[int, BeforeValidator(_cell), Field(ge=0)]
Flag = Annotated[bool, BeforeValidator(_cell)]


def _num(lo: float | None = None, hi: float | None = None, *, above: float | None = None) -> Any:
    """A finite number from a cell: at least ``lo`` (above ``above``), at most ``hi``."""
    return Annotated[Number, Field(ge=lo, le=hi, gt=above)]


Lat, Lon = _num(-90, 90), _num(-180, 180)
MW = _num(0, 1e6)  # MW: no negative load or capacity, nothing beyond a million MW
KV = _num(above=0, hi=1500)
Share = _num(0, 1)


class _Row(BaseModel):
    # extra columns (notes, sources of sources, load-level factors) are read but not checked here
    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)
    source: Name


class DistrictRow(_Row):
    name: Name
    name_en: Name
    zone: Name
    lat: Lat
    lon: Lon
    peak_load_mw: MW
    customers: Count
    key_area_default: Flag


class SubstationRow(_Row):
    name: Name
    kind: Name
    district: MaybeName  # empty for a bus outside the grid (the far end of an intertie)
    vn_kv: KV
    lat: Lat
    lon: Lon
    station: MaybeName


class LineTypeRow(_Row):
    name: Name
    vn_kv: KV
    r_ohm_per_km: _num(0, 100)
    x_ohm_per_km: _num(hi=100, above=0)  # no zero impedance: the flow equations need one
    c_nf_per_km: _num(0, 1e4)
    max_i_ka: _num(hi=100, above=0)


class LineRow(_Row):
    name: Name
    from_bus: Name
    to_bus: Name
    std_type: Name
    length_km: _num(hi=5000, above=0)

    @model_validator(mode="after")
    def _two_ends(self) -> LineRow:
        if self.from_bus == self.to_bus:
            raise ValueError(f"to_bus: the line ends where it starts ({self.from_bus!r})")
        return self


class TransformerRow(_Row):
    name: Name
    hv_bus: Name
    lv_bus: Name
    sn_mva: _num(hi=1e5, above=0)
    vn_hv_kv: KV
    vn_lv_kv: KV
    vk_percent: _num(hi=100, above=0)
    vkr_percent: _num(0, 100)
    pfe_kw: _num(0, 1e5)
    i0_percent: _num(0, 100)

    @model_validator(mode="after")
    def _consistent(self) -> TransformerRow:
        if self.hv_bus == self.lv_bus:
            raise ValueError(f"lv_bus: the transformer ends where it starts ({self.hv_bus!r})")
        if self.vkr_percent >= self.vk_percent:
            raise ValueError(f"vkr_percent: {self.vkr_percent:g} must be below vk_percent "
                             f"{self.vk_percent:g}")
        return self


class UnitRow(_Row):
    name: Name
    plant: Name
    district: Name
    bus: Name
    type: Literal[UNIT_TYPES]  # type: ignore[valid-type]
    p_max_mw: MW
    p_min_mw: MW
    black_start: Flag

    @model_validator(mode="after")
    def _range(self) -> UnitRow:
        if self.p_min_mw > self.p_max_mw:
            raise ValueError(f"p_min_mw: {self.p_min_mw:g} MW is above p_max_mw "
                             f"{self.p_max_mw:g} MW")
        return self


class RenewableRow(_Row):
    name: Name
    district: Name
    bus: Name
    type: Literal[RENEWABLE_TYPES]  # type: ignore[valid-type]
    p_max_mw: MW


class IntertieRow(_Row):
    name: Name
    kind: Literal[INTERTIE_KINDS]  # type: ignore[valid-type]
    bus: Name
    capacity_mw: MW


class LoadLevelRow(_Row):
    level: Name
    name_zh: Name
    hydro_availability: Share
    wind_availability: Share
    solar_availability: Share
    loss_factor: _num(0, 0.5)
    unit_vm_pu: _num(0.9, 1.1) = 1.03  # optional column: 500 kV units' set point (逆调压)


class LoadRow(_Row):
    name: Name
    bus: Name
    district: Name
    load_class: Literal[LOAD_CLASSES]  # type: ignore[valid-type]
    shed_priority: Annotated[int, BeforeValidator(_cell), Field(ge=1, le=100)]
    important_user: Literal[("", *IMPORTANT_USERS)]  # type: ignore[valid-type]
    peak_p_mw: MW
    customers: Count


ROW_MODELS: dict[str, type[_Row]] = {
    "districts.csv": DistrictRow, "substations.csv": SubstationRow,
    "line_types.csv": LineTypeRow, "lines.csv": LineRow, "transformers.csv": TransformerRow,
    "units.csv": UnitRow, "renewables.csv": RenewableRow, "interties.csv": IntertieRow,
    "load_levels.csv": LoadLevelRow, "loads.csv": LoadRow,
}


class Problems:
    """Problems of the data files, the first :data:`SHOWN` spelled out, the rest counted."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.count = 0

    def add(self, line: str | Callable[[], str]) -> None:
        self.count += 1
        if len(self.lines) < SHOWN:
            self.lines.append(line() if callable(line) else line)

    def raise_any(self) -> None:
        if self.count:
            more = self.count - len(self.lines)
            tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
            raise DataFileError("; ".join(self.lines) + tail)


def _where(fname: str, frame: pd.DataFrame, i: int) -> str:
    key = "level" if "level" in frame and "name" not in frame else "name"
    label = str(frame[key].iat[i]).strip() if key in frame else ""
    return f"{fname} row {i + 2}" + (f" ({label[:60]})" if label else "")


def _message(err: dict) -> tuple[str, str]:
    """(column, problem) of one pydantic error of a row."""
    column = field_path(tuple(err.get("loc", ())))
    msg = str(err.get("msg", "")).removeprefix("Value error, ")
    if ": " in msg and not column:  # a row check names its column first
        column, _, msg = msg.partition(": ")
    given = err.get("input")
    if err.get("type") not in ("value_error",) and isinstance(given, str):
        msg += f" (got {given[:40]!r})"
    return column, msg.replace("Input should be", "must be")


def check_rows(fname: str, frame: pd.DataFrame, problems: Problems) -> None:
    """Every row of ``frame`` (all cells as text) against the file's row model."""
    adapter = TypeAdapter(ROW_MODELS[fname])
    for i, row in enumerate(frame.to_dict("records")):
        try:
            adapter.validate_python(row)
        except ValidationError as exc:
            for err in exc.errors():
                column, msg = _message(err)
                problems.add(f"{_where(fname, frame, i)}, {column}: {msg}")


def _unique(fname: str, frame: pd.DataFrame, column: str, problems: Problems) -> None:
    names = frame[column].map(lambda v: normalise_text(str(v)))
    first: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in first:
            problems.add(f"{_where(fname, frame, i)}, {column}: {name!r} repeats row "
                         f"{first[name] + 2}")
        else:
            first[name] = i


def _refers(fname: str, frame: pd.DataFrame, column: str, target: tuple[str, str],
            known: Iterable[str], problems: Problems, *, may_be_empty: bool = False) -> None:
    """Every value of ``column`` names a ``target`` (what, in which file) among ``known``."""
    names = set(known)
    for i, value in enumerate(frame[column].map(lambda v: normalise_text(str(v)))):
        if value in names or (may_be_empty and value == ""):
            continue
        problems.add(lambda i=i, value=value: (
            f"{_where(fname, frame, i)}, {column}: no {target[0]} named {value!r} in "
            f"{target[1]}{did_you_mean(value, names)}"))


def check_references(tables: dict[str, pd.DataFrame], problems: Problems) -> None:
    """Names unique within each file and every reference between files resolved."""
    t = tables
    for fname, column in (("districts.csv", "name"), ("substations.csv", "name"),
                          ("line_types.csv", "name"), ("lines.csv", "name"),
                          ("transformers.csv", "name"), ("units.csv", "name"),
                          ("renewables.csv", "name"), ("interties.csv", "name"),
                          ("load_levels.csv", "level"), ("loads.csv", "name")):
        _unique(fname, t[fname], column, problems)
    problems.raise_any()  # a name twice first: what refers to it follows from the fix
    districts = [normalise_text(str(d)) for d in t["districts.csv"]["name"]]
    buses = [normalise_text(str(b)) for b in t["substations.csv"]["name"]]
    types = [normalise_text(str(n)) for n in t["line_types.csv"]["name"]]
    district, bus = ("district", "districts.csv"), ("bus", "substations.csv")
    _refers("substations.csv", t["substations.csv"], "district", district, districts, problems,
            may_be_empty=True)
    for fname, columns in (("lines.csv", ("from_bus", "to_bus")),
                           ("transformers.csv", ("hv_bus", "lv_bus")), ("units.csv", ("bus",)),
                           ("renewables.csv", ("bus",)), ("interties.csv", ("bus",)),
                           ("loads.csv", ("bus",))):
        for column in columns:
            _refers(fname, t[fname], column, bus, buses, problems)
    _refers("lines.csv", t["lines.csv"], "std_type", ("line type", "line_types.csv"), types,
            problems)
    for fname in ("units.csv", "renewables.csv", "loads.csv"):
        _refers(fname, t[fname], "district", district, districts, problems)
    _levels(t, problems)


def _levels(t: dict[str, pd.DataFrame], problems: Problems) -> None:
    """Every zone scaled at every level (``factor_<zone>``), every intertie scheduled
    (``<level>_mw``, within its capacity)."""
    levels, ties = t["load_levels.csv"], t["interties.csv"]
    for zone in sorted({normalise_text(str(z)) for z in t["districts.csv"]["zone"]}):
        column = f"factor_{zone}"
        if column not in levels:
            problems.add(f"load_levels.csv: no column {column!r} for the zone {zone!r} of "
                         "districts.csv")
            continue
        _numbers("load_levels.csv", levels, column, 0, 10, problems)
    for level in (normalise_text(str(v)) for v in levels["level"]):
        column = f"{level}_mw"
        if column not in ties:
            problems.add(f"interties.csv: no column {column!r} for the load level {level!r}")
            continue
        capacity = pd.to_numeric(ties["capacity_mw"], errors="coerce")
        _numbers("interties.csv", ties, column, -capacity, capacity, problems)


def _numbers(fname: str, frame: pd.DataFrame, column: str, lo: Any, hi: Any,
             problems: Problems) -> None:
    """A column of finite numbers within [lo, hi] (numbers or per-row Series)."""
    values = pd.to_numeric(frame[column].map(lambda v: str(v).strip()), errors="coerce")
    lo_s = lo if isinstance(lo, pd.Series) else pd.Series(lo, index=frame.index)
    hi_s = hi if isinstance(hi, pd.Series) else pd.Series(hi, index=frame.index)
    for i in range(len(frame)):
        v, a, b = values.iat[i], lo_s.iat[i], hi_s.iat[i]
        if pd.isna(v) or v in (float("inf"), float("-inf")):
            problems.add(f"{_where(fname, frame, i)}, {column}: must be a finite number (got "
                         f"{str(frame[column].iat[i])[:40]!r})")
        elif not (pd.isna(a) or pd.isna(b)) and not a <= v <= b:
            problems.add(f"{_where(fname, frame, i)}, {column}: {v:g} is outside "
                         f"{a:g}…{b:g}")
