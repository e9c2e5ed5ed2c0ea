"""The event input of ``outage-sim classify`` (design.md): the :class:`EventInput` model.

An event is the main grid's figures and each district's, all measured against the moment just
before the event::

    {"main": {"load_mw": 21000, "shed_mw": 1200, "customers": 15000000, "customers_out": 900000},
     "districts": [{"name": "城口县", "load_mw": 60, "shed_mw": 30,
                    "customers": 110000, "customers_out": 40000}]}

``main`` may be left out: its load and customers are then the built-in grid model's whole main
grid at the event's load level (``"level"``, summer_peak by default; another model's data folder
through ``data_dir``), and its shed and customers out the districts' sums, so one dark county is
not taken for the whole grid. A ``main`` below the districts' sums (beyond rounding) is an input
error. Other top-level keys (``time``, ``cause``, ... of ``outage-sim respond``) are left for
other readers. :class:`EventInput` (a
pydantic model, ``EventInput.model_json_schema()`` is the contract) does every check;
:func:`parse_event` turns its problems into one :class:`~outage_sim.errors.InputError` line that
names each field and district (``districts[0] (城口县).shed_mw: 61 is above load_mw 60``) and
returns the checked :class:`Event`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar, Self

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from outage_sim.errors import InputError
from outage_sim.inputs import clean, normalise_text, parse_json, read_text
from outage_sim.validation import problems

#: The figures every area (main grid or district) must give, in this order.
FIELDS: tuple[str, ...] = ("load_mw", "shed_mw", "customers", "customers_out")
#: (part, whole) pairs that must satisfy 0 <= part <= whole.
PAIRS: tuple[tuple[str, str], ...] = (("shed_mw", "load_mw"), ("customers_out", "customers"))
MAIN = "main"
#: How far the districts' sum may exceed ``main`` before the two are inconsistent: rounding of
#: figures given to the MW and to the customer.
SUM_TOLERANCE: dict[str, float] = {"load_mw": 0.5, "shed_mw": 0.5, "customers": 1.0,
                                   "customers_out": 1.0}
#: The load level of the built-in model used for a left-out ``main`` (design.md).
DEFAULT_LEVEL = "summer_peak"
#: Where the main grid's figures came from: given, the built-in model (load and customers) with
#: the districts' sums (shed and customers out), or the districts taken as the whole grid.
MAIN_SOURCES = ("input", "model", "districts")


@dataclass(frozen=True)
class Area:
    """Figures of the main grid or of one district.

    Attributes
    ----------
    name : str
        ``"main"`` for the main grid, else the district's name.
    load_mw, customers : float
        Load and customer count just before the event.
    shed_mw, customers_out : float
        Load shed and customers out by the event.
    """

    name: str
    load_mw: float
    shed_mw: float
    customers: float
    customers_out: float


@dataclass(frozen=True)
class Event:
    """A checked event: main-grid figures and per-district figures.

    Attributes
    ----------
    main : Area
        The main grid.
    districts : tuple of Area
        Each district on its own (may be empty when ``main`` was given).
    main_source : str
        ``"input"`` (given), ``"model"`` (left out: load and customers of the built-in model at
        ``main_level``, shed and customers out the districts' sums) or ``"districts"`` (the
        districts are the whole grid and the main grid is their sum, as in batch runs).
    main_level, main_level_zh, main_model : str or None
        For ``"model"``: the load level (``summer_peak``, 夏季高峰) and the model's data folder.
    """

    main: Area
    districts: tuple[Area, ...] = ()
    main_source: str = "input"
    main_level: str | None = None
    main_level_zh: str | None = None
    main_model: str | None = None

    @property
    def main_from_districts(self) -> bool:
        """True when the input left ``main`` out (its shed and customers out are then the
        districts' sums)."""
        return self.main_source != "input"


def whole_grid_event(districts: Sequence[Area]) -> Event:
    """An event whose districts are the whole grid: the main grid is their sum (batch runs)."""
    table = np.array([[getattr(d, f) for d in districts] for f in FIELDS], dtype=np.float64)
    totals = dict(zip(FIELDS, (float(v) for v in sum_districts(table)), strict=True))
    return Event(Area(MAIN, **totals), tuple(districts), "districts")


def sum_districts(values: np.ndarray) -> np.ndarray:
    """Main-grid totals from district figures: sum over the last axis.

    The one-event and batch classifiers both derive the main grid with this function, on
    C-contiguous float64 data, so they add in the same order and agree to the last bit.
    """
    totals: np.ndarray = np.ascontiguousarray(values, dtype=np.float64).sum(axis=-1)
    return totals


# --- the model ----------------------------------------------------------------------------------

# Validators raise ValueError, the exception pydantic turns into a problem with a path, also
# for a value of the wrong type (hence the TRY004 exemptions).


def _figure(value: Any) -> float:
    """A finite, non-negative JSON number (a boolean is not one) as a float."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"must be a number, not {_kind(value)}")  # noqa: TRY004
    try:
        number = float(value)
    except OverflowError:  # an integer literal beyond float range, e.g. 10**400
        number = math.inf
    if not math.isfinite(number):
        spelled = "NaN" if math.isnan(number) else ("-" if number < 0 else "") + "Infinity"
        raise ValueError(f"must be a finite number, not {spelled}")
    if number < 0:
        raise ValueError(f"must not be negative (got {_show(number)})")
    return number


# the bound first, so that the schema shows it as "minimum" (``_figure`` already enforces it)
Figure = Annotated[float, Field(ge=0), BeforeValidator(_figure)]


class AreaInput(BaseModel):
    """The four figures of one area (the main grid or a district), just before and after."""

    model_config = ConfigDict(frozen=True)

    load_mw: Figure = Field(description="Load just before the event, in MW.")
    shed_mw: Figure = Field(description="Load shed by the event, in MW (at most load_mw).")
    customers: Figure = Field(description="Customers supplied just before the event (count).")
    customers_out: Figure = Field(
        description="Customers out of supply by the event (count, at most customers).")

    @model_validator(mode="before")
    @classmethod
    def _object_with_every_figure(cls, data: Any) -> Any:
        # One line for all missing figures, at the area's path: pydantic's own "Field required"
        # per field would not say that the area, not the value, is incomplete.
        if not isinstance(data, Mapping):
            raise ValueError(f"must be an object, not {_kind(data)}")  # noqa: TRY004
        missing = [f for f in FIELDS if f not in data]
        if len(missing) == 1:
            raise ValueError(f"missing field {missing[0]!r}")
        if missing:
            raise ValueError(f"missing fields {', '.join(map(repr, missing))}")
        return data

    @field_validator("shed_mw", "customers_out")
    @classmethod
    def _part_within_whole(cls, value: float, info: ValidationInfo) -> float:
        whole_name = dict(PAIRS)[str(info.field_name)]
        whole = info.data.get(whole_name)  # absent when the whole itself was bad
        if whole is not None and value > whole:
            raise ValueError(f"{_show(value)} is above {whole_name} {_show(whole)}")
        return value

    def area(self, name: str) -> Area:
        """The checked figures as an :class:`Area` called ``name``."""
        return Area(name, self.load_mw, self.shed_mw, self.customers, self.customers_out)


class DistrictInput(AreaInput):
    """One district's figures and its name."""

    name: str = Field(min_length=1, description="The district's name, e.g. 城口县.")

    @model_validator(mode="before")
    @classmethod
    def _name_reported_when_absent(cls, data: Any) -> Any:
        # an absent name reads as null, so the name check below reports it in its own words
        if isinstance(data, Mapping) and "name" not in data:
            return {**data, "name": None}
        return data

    @field_validator("name", mode="before")
    @classmethod
    def _usable_name(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = normalise_text(value)  # 渝北区 with a zero-width space is 渝北区
        if not isinstance(value, str) or not value:
            raise ValueError("missing or not a non-empty string")
        if value == MAIN:
            raise ValueError(f"{MAIN!r} is reserved for the main grid")
        return value


class EventInput(BaseModel):
    """An event to classify: main-grid figures, district figures or both; other keys are ignored."""

    # The docstring above is the schema's description; for code: ``from_raw`` validates and
    # raises an InputError, ``to_event`` gives the Event. ``outage-sim respond`` adds its keys in
    # outage_sim.response.RespondInput.

    model_config = ConfigDict(frozen=True)

    main: AreaInput | None = Field(
        None, description="The whole main grid. Left out: its load and customers are the "
                          "built-in grid model's at `level`, its shed and customers out the "
                          "districts' sums. Given: it may not be below the districts' sums.")
    districts: list[DistrictInput] = Field(
        default_factory=list, description="Each district on its own; names must not repeat.")
    level: str | None = Field(
        None, description="Load level of the built-in grid model (summer_peak, winter_peak, "
                          "valley) for a left-out `main`; default summer_peak.")

    _model_main: Any = PrivateAttr(default=None)

    @field_validator("level", mode="before")
    @classmethod
    def _level_text(cls, value: Any) -> Any:
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ValueError(f"must be a load level name such as {DEFAULT_LEVEL!r}, not "
                             f"{_kind(value)}")
        return value.strip() if isinstance(value, str) else value

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            raise ValueError(f"event: must be a JSON object, not {_kind(data)}")  # noqa: TRY004
        # texts normalised and checked, times within 1970–2200, as read_event_json does for a
        # file: a library caller's mapping gets the same (outage_sim.inputs.clean)
        return clean(dict(data))

    @field_validator("districts", mode="before")
    @classmethod
    def _a_list(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise ValueError(f"must be a list, not {_kind(value)}")  # noqa: TRY004
        return value

    @model_validator(mode="after")
    def _some_figures_and_unique_names(self) -> Self:
        if self.main is None and not self.districts:
            raise ValueError('event: needs "main" or at least one district in "districts"')
        seen: dict[str, int] = {}
        for i, district in enumerate(self.districts):
            if district.name in seen:
                raise ValueError(f"districts[{i}].name: {district.name!r} repeats "
                                 f"districts[{seen[district.name]}]")
            seen[district.name] = i
        return self

    @model_validator(mode="after")
    def _main_covers_the_districts(self, info: ValidationInfo) -> Self:
        # the main grid is the whole grid: never less than the districts given (beyond rounding)
        sums = {f: math.fsum(getattr(d, f) for d in self.districts) for f in FIELDS}
        over = {f: sums[f] - SUM_TOLERANCE[f] for f in FIELDS}
        if self.main is not None:
            bad = [f"main.{f}: {_show(getattr(self.main, f))} is below the districts' sum "
                   f"{_show(round(sums[f], 6))} (beyond rounding of {_show(SUM_TOLERANCE[f])})"
                   for f in FIELDS if over[f] > getattr(self.main, f)]
            if bad:
                raise ValueError("; ".join(bad) + "; the main grid holds every district")
            return self
        totals = _model_totals(self.level, (info.context or {}).get("data_dir"))
        model = {"load_mw": totals.load_mw, "customers": float(totals.customers)}
        bad = [f"districts: their {f} add up to {_show(round(sums[f], 6))}, above the built-in "
               f"model's whole main grid ({_show(model[f])} at level {totals.level} "
               f"{totals.level_zh})" for f in model if over[f] > model[f]]
        if bad:
            raise ValueError("; ".join(bad) + '; give "main" or another "level"')
        self._model_main = totals
        return self

    #: Lines about a district's figures; a district's own name line is left alone.
    _DISTRICT_LINE: ClassVar[re.Pattern[str]] = re.compile(r"^districts\[(\d+)\](?!\.name:)")

    @classmethod
    def from_raw(cls, obj: Any, *, context: dict[str, Any] | None = None) -> Self:
        """Validate ``obj`` (the parsed JSON) into this model.

        Parameters
        ----------
        obj : Any
            The raw input.
        context : dict, optional
            pydantic's validation context, for models that need one (``RespondInput``).

        Raises
        ------
        InputError
            One line listing every problem, each with its path; a district's figures are named
            by index and name (``districts[0] (城口县).shed_mw``), as the user knows it by name.
        """
        try:
            return cls.model_validate(obj, context=context)
        except ValidationError as exc:
            labels = cls._district_labels(obj, context)
            lines = [cls._DISTRICT_LINE.sub(lambda m: _labelled(m, labels), line)
                     for line in problems(exc)]
            raise InputError("; ".join(lines)) from None

    @classmethod
    def _district_labels(cls, obj: Any, context: dict[str, Any] | None) -> list[str | None]:
        """Each raw district's name as shown in messages, or None when it has no usable one."""
        raw = obj.get("districts") if isinstance(obj, Mapping) else None
        if isinstance(raw, str) or not isinstance(raw, Sequence):
            return []
        names = [d.get("name") if isinstance(d, Mapping) else None for d in raw]
        return [cls._label(n, context) if isinstance(n, str) and n.strip() and n != MAIN
                else None for n in names]

    @classmethod
    def _label(cls, name: str, context: dict[str, Any] | None) -> str | None:
        """How a district called ``name`` in the input is named in messages: as given, or quoted
        with its escapes when it holds a line break or another control character (a message is
        one line whatever the input holds)."""
        return name if name.isprintable() else repr(name)

    def to_event(self) -> Event:
        """The checked :class:`Event` (a left-out main grid from the built-in model)."""
        districts = tuple(d.area(d.name) for d in self.districts)
        if self.main is not None:
            return Event(self.main.area(MAIN), districts)
        totals = self._model_main
        table = np.array([[getattr(d, f) for d in districts] for f in FIELDS], dtype=np.float64)
        shed_mw, customers_out = (float(v) for v in sum_districts(table[[1, 3]]))
        main = Area(MAIN, totals.load_mw, shed_mw, float(totals.customers), customers_out)
        return Event(main, districts, "model", totals.level, totals.level_zh, totals.model)


def _model_totals(level: str | None, data_dir: Any) -> Any:
    """The built-in model's main grid at ``level`` (a ValueError naming ``level`` if unknown)."""
    from outage_sim.grid import grid_totals  # pandas only: classify never loads pandapower

    try:
        return grid_totals(level or DEFAULT_LEVEL, data_dir)
    except InputError as exc:
        raise ValueError(str(exc)) from None


def _labelled(match: re.Match[str], labels: list[str | None]) -> str:
    i = int(match.group(1))
    label = labels[i] if i < len(labels) else None
    return match.group(0) if label is None else f"{match.group(0)} ({label})"


# --- reading ------------------------------------------------------------------------------------


def read_event_json(source: str | Path) -> dict[str, Any]:
    """Read the raw JSON object of an event from a file, or from stdin when ``source`` is ``-``.

    Raises
    ------
    InputError
        The file cannot be read, is not UTF-8 JSON, or does not hold a JSON object.
    """
    label = "<stdin>" if str(source) == "-" else str(source)
    # size, UTF-8 (the same from stdin), duplicate keys, depth, text: outage_sim.inputs
    name = f"EVENT.json {label!r}"
    obj = parse_json(read_text(source, name=name), name)
    if not isinstance(obj, dict):
        raise InputError(f"EVENT.json {label!r}: must hold a JSON object, not {_kind(obj)}")
    return obj


def read_event(source: str | Path, data_dir: str | Path | None = None) -> Event:
    """Read and check an event from a JSON file, or from stdin when ``source`` is ``-``.

    ``data_dir``: the grid model whose main grid stands in for a left-out ``main``.
    """
    return parse_event(read_event_json(source), data_dir)


def parse_event(obj: Mapping[str, Any], data_dir: str | Path | None = None) -> Event:
    """Check the raw event mapping of the classify contract and return an :class:`Event`.

    Parameters
    ----------
    obj : Mapping
        ``{"main": {...}, "districts": [{...}, ...], "level": ...}``; ``main`` or
        ``districts`` may be missing, not both.
    data_dir : str or Path, optional
        The grid model's data folder for a left-out ``main`` (default: the built-in model).

    Returns
    -------
    Event

    Raises
    ------
    InputError
        With one line naming each bad field (and its district): a missing field, a value that
        is not a finite number, a negative value, shed above load, customers out above
        customers, a missing or repeated district name, neither main grid nor districts, a
        main grid below the districts' sums, or an unknown load level.
    """
    return EventInput.from_raw(obj, context={"data_dir": data_dir}).to_event()


def _show(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        text = value if len(value) <= 20 else value[:17] + "..."
        return f"the string {text!r}"
    kinds = {bool: "a boolean", list: "a list", dict: "an object"}
    return kinds.get(type(value), type(value).__name__)
