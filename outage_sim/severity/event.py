"""The event input of ``outage-sim classify`` (design.md): reading and checking it.

An event is the main grid's figures and each district's, all measured against the moment just
before the event::

    {"main": {"load_mw": 21000, "shed_mw": 1200, "customers": 15000000, "customers_out": 900000},
     "districts": [{"name": "城口县", "load_mw": 60, "shed_mw": 30,
                    "customers": 110000, "customers_out": 40000}]}

``main`` may be left out; it is then the sum of the districts. Other top-level keys (``time``,
``cause``, ... of ``outage-sim respond``) are left for other readers. Every check fails with an
:class:`~outage_sim.errors.InputError` whose one-line message names the field and the district.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from outage_sim.errors import InputError

#: The figures every area (main grid or district) must give, in this order.
FIELDS: tuple[str, ...] = ("load_mw", "shed_mw", "customers", "customers_out")
#: (part, whole) pairs that must satisfy 0 <= part <= whole.
PAIRS: tuple[tuple[str, str], ...] = (("shed_mw", "load_mw"), ("customers_out", "customers"))
MAIN = "main"


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
        The main grid; the sum of the districts when ``main_from_districts``.
    districts : tuple of Area
        Each district on its own (may be empty when ``main`` was given).
    main_from_districts : bool
        True when the input left ``main`` out.
    """

    main: Area
    districts: tuple[Area, ...] = ()
    main_from_districts: bool = False


def sum_districts(values: np.ndarray) -> np.ndarray:
    """Main-grid totals from district figures: sum over the last axis.

    The one-event and batch classifiers both derive the main grid with this function, on
    C-contiguous float64 data, so they add in the same order and agree to the last bit.
    """
    totals: np.ndarray = np.ascontiguousarray(values, dtype=np.float64).sum(axis=-1)
    return totals


def read_event_json(source: str | Path) -> dict[str, Any]:
    """Read the raw JSON object of an event from a file, or from stdin when ``source`` is ``-``.

    Raises
    ------
    InputError
        The file cannot be read, is not UTF-8 JSON, or does not hold a JSON object.
    """
    label = "<stdin>" if str(source) == "-" else str(source)
    try:
        text = sys.stdin.read() if str(source) == "-" else Path(source).read_text("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"EVENT.json {label!r}: not UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"EVENT.json {label!r}: cannot read it ({exc.strerror})") from None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"EVENT.json {label!r}: not valid JSON ({exc.msg} at line {exc.lineno}"
                         f" column {exc.colno})") from None
    if not isinstance(obj, dict):
        raise InputError(f"EVENT.json {label!r}: must hold a JSON object, not {_kind(obj)}")
    return obj


def read_event(source: str | Path) -> Event:
    """Read and check an event from a JSON file, or from stdin when ``source`` is ``-``."""
    return parse_event(read_event_json(source))


def parse_event(obj: Mapping[str, Any]) -> Event:
    """Check the raw event mapping of the classify contract and return an :class:`Event`.

    Parameters
    ----------
    obj : Mapping
        ``{"main": {...}, "districts": [{...}, ...]}``; either key may be missing, not both.

    Returns
    -------
    Event

    Raises
    ------
    InputError
        With one line naming the field (and the district): a missing field, a value that is not
        a finite number, a negative value, shed above load, customers out above customers, a
        missing or repeated district name, or neither main grid nor districts.
    """
    if not isinstance(obj, Mapping):
        raise InputError(f"event: must be a JSON object, not {_kind(obj)}")
    main = None
    if obj.get("main") is not None:
        if not isinstance(obj["main"], Mapping):
            raise InputError(f"main: must be an object, not {_kind(obj['main'])}")
        main = _area(obj["main"], "main", MAIN)
    raw_districts = obj.get("districts", [])
    if raw_districts is None:
        raw_districts = []
    if not isinstance(raw_districts, Sequence) or isinstance(raw_districts, str):
        raise InputError(f"districts: must be a list, not {_kind(raw_districts)}")
    districts: list[Area] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(raw_districts):
        where = f"districts[{i}]"
        if not isinstance(raw, Mapping):
            raise InputError(f"{where}: must be an object, not {_kind(raw)}")
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            raise InputError(f"{where}.name: missing or not a non-empty string")
        if name == MAIN:
            raise InputError(f"{where}.name: {MAIN!r} is reserved for the main grid")
        if name in seen:
            raise InputError(f"{where}.name: {name!r} repeats districts[{seen[name]}]")
        seen[name] = i
        districts.append(_area(raw, f"{where} ({name})", name))
    if main is not None:
        return Event(main, tuple(districts), False)
    if not districts:
        raise InputError('event: needs "main" or at least one district in "districts"')
    table = np.array([[getattr(d, f) for d in districts] for f in FIELDS])
    totals = dict(zip(FIELDS, (float(v) for v in sum_districts(table)), strict=True))
    return Event(Area(MAIN, **totals), tuple(districts), True)


def _area(raw: Mapping[str, Any], where: str, name: str) -> Area:
    values: dict[str, float] = {}
    for field in FIELDS:
        if field not in raw:
            raise InputError(f"{where}: missing field {field!r}")
        value = raw[field]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(f"{where}.{field}: must be a number, not {_kind(value)}")
        try:
            value = float(value)
        except OverflowError:
            value = math.inf
        if not math.isfinite(value):
            spelled = "NaN" if math.isnan(value) else ("-" if value < 0 else "") + "Infinity"
            raise InputError(f"{where}.{field}: must be a finite number, not {spelled}")
        if value < 0:
            raise InputError(f"{where}.{field}: must not be negative (got {_show(value)})")
        values[field] = value
    for part, whole in PAIRS:
        if values[part] > values[whole]:
            raise InputError(f"{where}.{part}: {_show(values[part])} is above {whole} "
                             f"{_show(values[whole])}")
    return Area(name, **values)


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
