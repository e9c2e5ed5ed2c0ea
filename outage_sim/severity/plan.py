"""The plan's severity numbers as data (§1.5, §3.2.1, §4.1), and the one rule that applies them.

A plan file (TOML or YAML; the default is ``outage_sim/data/plan/chongqing-2021.toml``) holds the
event levels with their warning and response, the main-grid bands and the district classes with
their bands, each with the plan clause beside it. :func:`load_plan` reads and checks it into a
frozen :class:`Plan`.

The rule lives here too, as numpy functions that both the one-event classifier
(:func:`outage_sim.severity.rules.classify`) and the batch classifier
(:func:`outage_sim.severity.batch.classify_batch`) call, so the two cannot disagree.

Boundaries
----------
§1.5: "以上"含本数，"以下"不含本数, so every band is ``[low, high)``. A share that sits on a band's
lower bound *in decimal* must count as on it, although binary floating point rarely lands there
(``2.8 / 7 * 100`` is ``39.99999999999999``). The rule therefore measures every share in whole
nano-percent: ``rint(part / whole * 1e11)``, i.e. the percentage rounded to
:data:`SHARE_DECIMALS` (9) decimal places, and compares that integer with the band's lower bound
in nano-percent (also an integer, since a bound may have at most 9 decimals). For decimal inputs
the floating-point error of ``part / whole`` is a few ulps (about 1e-14 of a percent), far below
the half nano-percent that rounding absorbs, so a decimal share on a bound lands exactly on it and
a share one nano-percent either side stays on its side. One nano-percent is 0.2 W of a 21,000 MW
grid or 1/7 of a customer out of 15 million, well below any figure the plan can mean.
"""

from __future__ import annotations

import functools
import itertools
import math
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import yaml

from outage_sim.errors import DataFileError

#: The two measures of §1.5, in the order used by every array of this package.
MEASURES: tuple[str, str] = ("load_shed", "customers_out")
LOAD_SHED, CUSTOMERS_OUT = 0, 1
MEASURE_ZH = {"load_shed": "减供负荷", "customers_out": "供电用户停电"}
MEASURE_EN = {"load_shed": "load shed", "customers_out": "customers out"}
#: (part, whole) field names of each measure.
MEASURE_FIELDS = {"load_shed": ("shed_mw", "load_mw"),
                  "customers_out": ("customers_out", "customers")}
MEASURE_UNIT = {"load_shed": "MW", "customers_out": "customers"}

#: Decimal places of a percentage kept before comparing it with a band (see module docstring).
SHARE_DECIMALS = 9
_NPCT_PER_PCT: int = 10**SHARE_DECIMALS  # nano-percent in a percent
_NPCT_PER_SHARE = 100 * _NPCT_PER_PCT  # nano-percent in a share of 1

DEFAULT_PLAN = "chongqing-2021.toml"


@dataclass(frozen=True)
class Level:
    """One event level (§1.5) with the warning for its forecast (§3.2.1) and its response (§4.1)."""

    rank: int
    name: str
    name_en: str
    clause: str
    response_level: str
    response_level_zh: str
    response_clause: str
    warning_level: int
    warning_level_zh: str
    warning_color: str
    warning_color_zh: str
    warning_clause: str


@dataclass(frozen=True)
class Band:
    """A criterion's band ``[low_pct, high_pct)`` reaching level ``rank`` (None: no upper bound)."""

    rank: int
    measure: str
    low_pct: float
    high_pct: float | None
    clause: str


@dataclass(frozen=True)
class DistrictClass:
    """Districts whose pre-event load is at least ``min_load_mw`` (up to the next class's)."""

    name: str
    name_en: str
    min_load_mw: float
    clause: str
    bands: tuple[Band, ...]


@dataclass(frozen=True, eq=False)
class Plan:
    """A severity scheme: levels, main-grid bands and district classes, read from a plan file.

    ``main_at_least[m, k]`` and ``district_at_least[c, m, k]`` hold, in nano-percent, the lowest
    share of measure ``m`` that reaches level ``k + 1`` or higher (``inf`` if none does); a
    share's level is the number of these it reaches. They are derived from the bands.
    """

    name: str
    name_en: str
    document: str
    grid: str
    grid_en: str
    district_term: str
    district_term_en: str
    boundary_rule: str
    boundary_rule_en: str
    boundary_clause: str
    source: str
    levels: tuple[Level, ...]
    main_bands: tuple[Band, ...]
    district_classes: tuple[DistrictClass, ...]
    main_at_least: np.ndarray
    district_at_least: np.ndarray

    @property
    def max_rank(self) -> int:
        """Rank of the highest level."""
        return len(self.levels)

    def level(self, rank: int) -> Level | None:
        """The level of ``rank`` (1..max_rank), or None for rank 0 (not an event)."""
        return self.levels[rank - 1] if rank > 0 else None

    def district_class(self, load_mw: float) -> int:
        """Index into :attr:`district_classes` of a district with pre-event load ``load_mw``."""
        return sum(load_mw >= c.min_load_mw for c in self.district_classes[1:])

    def band(self, measure: str, rank: int, district_class: int | None = None) -> Band | None:
        """The band of ``measure`` reaching ``rank`` for the main grid or a district class."""
        bands = (
            self.main_bands
            if district_class is None
            else self.district_classes[district_class].bands
        )
        return next((b for b in bands if b.measure == measure and b.rank == rank), None)


# --- the rule (shared by the one-event and the batch classifier) ------------------------------


def share_npct(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """Share of ``part`` in ``whole`` in whole nano-percent (float64; NaN where both are 0).

    Parameters
    ----------
    part, whole : array_like
        Same or broadcastable shapes, ``0 <= part <= whole``.

    Returns
    -------
    numpy.ndarray
        ``rint(part / whole * 1e11)``; see the module docstring for why.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        npct: np.ndarray = np.asarray(np.divide(part, whole, dtype=np.float64))
    npct *= _NPCT_PER_SHARE
    np.rint(npct, out=npct)
    return npct


def npct_to_pct(npct: float) -> float:
    """A nano-percent share as a percentage (0.0 for the NaN of an empty whole)."""
    return 0.0 if math.isnan(npct) else float(npct) / _NPCT_PER_PCT


def pct_to_npct(pct: float) -> int:
    """A percentage bound (at most :data:`SHARE_DECIMALS` decimals) in whole nano-percent."""
    return round(pct * _NPCT_PER_PCT)


def main_levels(plan: Plan, npct: np.ndarray, measure: int) -> np.ndarray:
    """Level rank (int8) that main-grid shares ``npct`` of ``measure`` reach."""
    level = np.zeros(np.shape(npct), dtype=np.int8)
    for threshold in plan.main_at_least[measure]:
        if np.isfinite(threshold):
            level += npct >= threshold
    return level


def class_masks(plan: Plan, load_mw: np.ndarray) -> list[np.ndarray]:
    """For each district class but the first, where the pre-event load puts a district in it."""
    return [load_mw >= c.min_load_mw for c in plan.district_classes[1:]]


def district_levels(
    plan: Plan, npct: np.ndarray, masks: list[np.ndarray], measure: int
) -> np.ndarray:
    """Level rank (int8) that district shares ``npct`` of ``measure`` reach.

    ``masks`` come from :func:`class_masks` on the districts' pre-event loads; a later class
    overrides an earlier one, which is "the class with the highest minimum not above the load".
    """
    level = np.zeros(np.shape(npct), dtype=np.int8)
    for column in plan.district_at_least[:, measure, :].T:  # one threshold per class
        if not np.isfinite(column).any():
            continue
        threshold: Any = column[0]
        if not (column == column[0]).all():
            for mask, value in zip(masks, column[1:], strict=True):
                threshold = np.where(mask, value, threshold)
        level += npct >= threshold
    return level


# --- loading a plan file ----------------------------------------------------------------------


def load_plan(path: str | Path | None = None) -> Plan:
    """Read and check a plan file (TOML, or YAML by a ``.yaml``/``.yml`` suffix).

    Parameters
    ----------
    path : str or Path, optional
        The plan file; None gives the Chongqing 2021 plan shipped with the package (read once
        and cached).

    Returns
    -------
    Plan

    Raises
    ------
    DataFileError
        The file is missing, unreadable or breaks the scheme; the message names the key.
    """
    if path is None:
        return _default_plan()
    path = Path(path)
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise DataFileError(f"plan file {str(path)!r}: cannot read it ({exc.strerror})") from None
    return _parse_plan(text, str(path), yaml_file=path.suffix.lower() in {".yaml", ".yml"})


def resolve_plan(plan: Plan | str | Path | None) -> Plan:
    """A :class:`Plan` as given, or loaded from a path, or the default for None."""
    return plan if isinstance(plan, Plan) else load_plan(plan)


@functools.cache
def _default_plan() -> Plan:
    resource = resources.files("outage_sim") / "data" / "plan" / DEFAULT_PLAN
    return _parse_plan(resource.read_bytes(), f"outage_sim/data/plan/{DEFAULT_PLAN}", False)


def _parse_plan(text: bytes, source: str, yaml_file: bool) -> Plan:
    try:
        raw = yaml.safe_load(text) if yaml_file else tomllib.loads(text.decode("utf-8"))
    except (yaml.YAMLError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DataFileError(f"plan file {source!r}: not valid {'YAML' if yaml_file else 'TOML'}"
                            f" ({exc})") from None
    reader = _Reader(source)
    root = reader.table(raw, "")
    head = reader.table(root.get("plan"), "plan")
    levels = _read_levels(reader, root.get("levels"))
    by_name = {lv.name: lv.rank for lv in levels}
    main = reader.table(root.get("main"), "main")
    main_bands = _read_bands(reader, main.get("bands"), "main.bands", by_name)
    district = reader.table(root.get("district"), "district")
    classes = sorted(
        (_read_class(reader, c, f"district.classes[{i}]", by_name)
         for i, c in enumerate(reader.array(district.get("classes"), "district.classes"))),
        key=lambda c: c.min_load_mw,
    )
    if classes[0].min_load_mw != 0:
        reader.fail("district.classes", "one class must have min_load_mw = 0")
    n = len(levels)
    return Plan(
        name=reader.text(head, "name", "plan"),
        name_en=reader.text(head, "name_en", "plan"),
        document=reader.text(head, "document", "plan"),
        grid=reader.text(main, "name", "main"),
        grid_en=reader.text(main, "name_en", "main"),
        district_term=reader.text(district, "name", "district"),
        district_term_en=reader.text(district, "name_en", "district"),
        boundary_rule=reader.text(head, "boundary_rule", "plan"),
        boundary_rule_en=reader.text(head, "boundary_rule_en", "plan"),
        boundary_clause=reader.text(head, "boundary_clause", "plan"),
        source=source,
        levels=levels,
        main_bands=main_bands,
        district_classes=tuple(classes),
        main_at_least=_at_least(main_bands, n),
        district_at_least=np.stack([_at_least(c.bands, n) for c in classes]),
    )


def _read_levels(reader: _Reader, raw: Any) -> tuple[Level, ...]:
    levels = []
    for i, item in enumerate(reader.array(raw, "levels")):
        where = f"levels[{i}]"
        t = reader.table(item, where)
        fields = {name: reader.text(t, name, where) for name in (
            "name", "name_en", "clause", "response_level", "response_level_zh",
            "response_clause", "warning_level_zh", "warning_color", "warning_color_zh",
            "warning_clause")}
        levels.append(Level(rank=reader.integer(t, "rank", where),
                            warning_level=reader.integer(t, "warning_level", where), **fields))
    levels.sort(key=lambda lv: lv.rank)
    if [lv.rank for lv in levels] != list(range(1, len(levels) + 1)):
        reader.fail("levels", "ranks must be 1, 2, ... with no gap or repeat")
    return tuple(levels)


def _read_class(reader: _Reader, raw: Any, where: str, by_name: dict[str, int]) -> DistrictClass:
    t = reader.table(raw, where)
    min_load = reader.number(t, "min_load_mw", where)
    if min_load < 0:
        reader.fail(f"{where}.min_load_mw", "must not be negative")
    return DistrictClass(
        name=reader.text(t, "name", where),
        name_en=reader.text(t, "name_en", where),
        min_load_mw=min_load,
        clause=reader.text(t, "clause", where),
        bands=_read_bands(reader, t.get("bands"), f"{where}.bands", by_name),
    )


def _read_bands(reader: _Reader, raw: Any, where: str, by_name: dict[str, int]) -> tuple[Band, ...]:
    """Read a list of bands; check them and fill in each band's upper bound."""
    rows = []
    for i, item in enumerate(reader.array(raw, where)):
        at = f"{where}[{i}]"
        t = reader.table(item, at)
        level = reader.text(t, "level", at)
        measure = reader.text(t, "measure", at)
        if level not in by_name:
            reader.fail(f"{at}.level", f"unknown level {level!r} (levels: {', '.join(by_name)})")
        if measure not in MEASURES:
            reader.fail(f"{at}.measure", f"must be one of {', '.join(MEASURES)}")
        low = reader.number(t, "low_pct", at)
        nano = low * _NPCT_PER_PCT
        if not 0 < low <= 100 or abs(nano - round(nano)) > 1e-3:
            reader.fail(f"{at}.low_pct", f"must be in (0, 100] with at most {SHARE_DECIMALS} "
                        "decimal places")
        high = reader.number(t, "high_pct", at) if "high_pct" in t else None
        rows.append((at, by_name[level], measure, low, high, reader.text(t, "clause", at)))
    bands = []
    for measure in MEASURES:
        mine = sorted((r for r in rows if r[2] == measure), key=lambda r: r[1])
        for below, above in itertools.pairwise(mine):
            if above[1] == below[1] or above[3] <= below[3]:
                reader.fail(above[0], f"{measure} bands must have one band a level and lower "
                            "bounds rising with the level")
        for k, (at, rank, _, low, high, clause) in enumerate(mine):
            derived_high = mine[k + 1][3] if k + 1 < len(mine) else None
            if high is not None and high != derived_high:
                reader.fail(f"{at}.high_pct", f"is {high} but the next level's low_pct is "
                            f"{derived_high}")
            bands.append(Band(rank, measure, low, derived_high, clause))
    return tuple(sorted(bands, key=lambda b: (-b.rank, MEASURES.index(b.measure))))


def _at_least(bands: tuple[Band, ...], n_levels: int) -> np.ndarray:
    """(2, n_levels) nano-percent thresholds: lowest share reaching level k + 1 or above."""
    table = np.full((len(MEASURES), n_levels), np.inf)
    for band in bands:
        m = MEASURES.index(band.measure)
        npct = pct_to_npct(band.low_pct)
        table[m, : band.rank] = np.minimum(table[m, : band.rank], npct)
    return table


class _Reader:
    """Typed access to the raw plan mapping with errors that name the file and the key."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, message: str) -> NoReturn:
        raise DataFileError(f"plan file {self.source!r}: {where or 'top level'}: {message}")

    def table(self, raw: Any, where: str) -> dict[str, Any]:
        if not isinstance(raw, dict):
            self.fail(where, "missing or not a table")
        return raw

    def array(self, raw: Any, where: str) -> list[Any]:
        if not isinstance(raw, list) or not raw:
            self.fail(where, "missing or not a non-empty list")
        return raw

    def text(self, t: dict[str, Any], key: str, where: str) -> str:
        value = t.get(key)
        if not isinstance(value, str) or not value:
            self.fail(f"{where}.{key}", "missing or not a non-empty string")
        return value

    def number(self, t: dict[str, Any], key: str, where: str) -> float:
        value = t.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            self.fail(f"{where}.{key}", "missing or not a number")
        return float(value)

    def integer(self, t: dict[str, Any], key: str, where: str) -> int:
        value = t.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(f"{where}.{key}", "missing or not an integer")
        return value
