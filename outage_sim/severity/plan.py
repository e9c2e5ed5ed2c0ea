"""The plan's severity numbers as data (§1.5, §3.2.1, §4.1), and the one rule that applies them.

A plan file (TOML or YAML; the default is ``outage_sim/data/plan/chongqing-2021.toml``) holds the
event levels with their warning and response, the main-grid bands and the district classes with
their bands, each with the plan clause beside it, and the readings the plan leaves open (which
districts are affected, how §4.3(2) reads: :mod:`outage_sim.severity.readings`). :func:`load_plan` reads it, checks it with the
pydantic model :class:`PlanFile` (a bad file is a :class:`~outage_sim.errors.DataFileError` naming
the file and each bad key's path) and derives a frozen :class:`Plan`.

The rule lives here too, as numpy functions that both the one-event classifier
(:func:`outage_sim.severity.classify`) and the batch classifier
(:func:`outage_sim.severity.classify_batch`) call, so the two cannot disagree.

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, ClassVar, Self

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationError,
    field_validator,
    model_validator,
)

from outage_sim.errors import DataFileError
from outage_sim.inputs import decode, parse_toml, parse_yaml, read_text
from outage_sim.severity.readings import AffectedRule, TerminationRule
from outage_sim.validation import validation_message

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


# --- the plan file's values -------------------------------------------------------------------
# Each table of the file is a pydantic model. Its messages are the plan author's words
# ("missing or not a number"), and an absent key reads as null so that its field's own check
# names it. Validators raise ValueError, the exception pydantic turns into a problem with a path,
# also for a value of the wrong type (hence the TRY004 exemptions).


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("missing or not a non-empty string")
    return value


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("missing or not a number")  # noqa: TRY004
    try:
        number = float(value)
    except OverflowError:  # a YAML integer beyond float range
        number = math.inf
    if math.isnan(number):
        raise ValueError("missing or not a number")
    return number


def _integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("missing or not an integer")  # noqa: TRY004
    return value


def _non_empty_list(value: Any) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise ValueError("missing or not a non-empty list")
    return value


Text = Annotated[str, BeforeValidator(_text)]
Number = Annotated[float, BeforeValidator(_number)]
Integer = Annotated[int, BeforeValidator(_integer)]
# for a key that may be left out (its default None is not checked); written as null, it is wrong
OptionalNumber = Annotated[float | None, BeforeValidator(_number)]


class _Table(BaseModel):
    """A table of the plan file (unknown keys, such as the plan's ``code``, are ignored)."""

    model_config = ConfigDict(frozen=True)

    _NOT_A_TABLE: ClassVar[str] = "missing or not a table"

    @model_validator(mode="before")
    @classmethod
    def _a_table(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise ValueError(cls._NOT_A_TABLE)  # noqa: TRY004
        absent = {name: None for name, field in cls.model_fields.items()
                  if field.is_required() and name not in data}
        return {**data, **absent}


class Level(_Table):
    """One event level (§1.5) with the warning for its forecast (§3.2.1) and its response (§4.1).

    Read straight from a ``[[levels]]`` table of the plan file.
    """

    rank: Integer
    name: Text
    name_en: Text
    clause: Text
    response_level: Text
    response_level_zh: Text
    response_clause: Text
    warning_level: Integer
    warning_level_zh: Text
    warning_color: Text
    warning_color_zh: Text
    warning_clause: Text


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
    affected: AffectedRule = field(default_factory=AffectedRule)
    termination: TerminationRule = field(default_factory=TerminationRule)

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


class _BandRow(_Table):
    """One ``bands`` entry of the file: the level it reaches by name, its lower bound."""

    level: Text
    measure: Text
    low_pct: Number
    high_pct: OptionalNumber = None
    clause: Text

    @field_validator("measure")
    @classmethod
    def _known_measure(cls, value: str) -> str:
        if value not in MEASURES:
            raise ValueError(f"must be one of {', '.join(MEASURES)}")
        return value

    @field_validator("low_pct")
    @classmethod
    def _a_percentage_the_rule_can_hold(cls, value: float) -> float:
        # the rule compares whole nano-percent, so a bound must be one (module docstring)
        nano = value * _NPCT_PER_PCT
        if not 0 < value <= 100 or abs(nano - round(nano)) > 1e-3:
            raise ValueError(f"must be in (0, 100] with at most {SHARE_DECIMALS} decimal places")
        return value


class _MainTable(_Table):
    name: Text
    name_en: Text
    bands: Annotated[list[_BandRow], BeforeValidator(_non_empty_list)]


class _ClassTable(_Table):
    name: Text
    name_en: Text
    min_load_mw: Number
    clause: Text
    bands: Annotated[list[_BandRow], BeforeValidator(_non_empty_list)]

    @field_validator("min_load_mw")
    @classmethod
    def _not_negative(cls, value: float) -> float:
        if value < 0:
            raise ValueError("must not be negative")
        return value

    def district_class(self, ranks: Mapping[str, int]) -> DistrictClass:
        """The class with its bands completed (see :func:`_bands`)."""
        return DistrictClass(self.name, self.name_en, self.min_load_mw, self.clause,
                             _bands(self.bands, ranks))


class _DistrictTable(_Table):
    name: Text
    name_en: Text
    classes: Annotated[list[_ClassTable], BeforeValidator(_non_empty_list)]

    @model_validator(mode="after")
    def _one_class_from_zero(self) -> Self:
        # every district must fall in a class, however small its load
        if min(c.min_load_mw for c in self.classes) != 0:
            raise ValueError("classes: one class must have min_load_mw = 0")
        return self


class _Head(_Table):
    name: Text
    name_en: Text
    document: Text
    boundary_rule: Text
    boundary_rule_en: Text
    boundary_clause: Text


class PlanFile(_Table):
    """A plan file as read (TOML or YAML): ``[plan]``, ``[[levels]]``, ``[main]``, ``[district]``.

    Checks every key's type, the levels' ranks, each band's measure and bound, and that the bands
    fit the levels; :meth:`to_plan` derives the :class:`Plan`.
    """

    _NOT_A_TABLE: ClassVar[str] = "top level: missing or not a table"

    plan: _Head
    levels: Annotated[list[Level], BeforeValidator(_non_empty_list)]
    main: _MainTable
    district: _DistrictTable
    affected: AffectedRule = AffectedRule()
    termination: TerminationRule = TerminationRule()

    @field_validator("levels")
    @classmethod
    def _ranks_in_order(cls, value: list[Level]) -> list[Level]:
        levels = sorted(value, key=lambda lv: lv.rank)
        if [lv.rank for lv in levels] != list(range(1, len(levels) + 1)):
            raise ValueError("ranks must be 1, 2, ... with no gap or repeat")
        return levels

    @model_validator(mode="after")
    def _bands_fit_the_levels(self) -> Self:
        ranks = self.ranks()
        tables = [("main.bands", self.main.bands)] + [
            (f"district.classes[{i}].bands", c.bands) for i, c in enumerate(self.district.classes)]
        for where, rows in tables:
            problem = _bands_problem(where, rows, ranks)
            if problem:
                # the message carries its whole path: these checks span tables, so pydantic
                # locates them at the file itself
                raise ValueError(problem)
        return self

    def ranks(self) -> dict[str, int]:
        """Each level's rank by its name, lowest first."""
        return {lv.name: lv.rank for lv in self.levels}

    def to_plan(self, source: str) -> Plan:
        """The :class:`Plan` of this file; ``source`` names it in results and messages."""
        ranks = self.ranks()
        main_bands = _bands(self.main.bands, ranks)
        classes = tuple(sorted((c.district_class(ranks) for c in self.district.classes),
                               key=lambda c: c.min_load_mw))
        n = len(self.levels)
        head = self.plan
        return Plan(
            name=head.name, name_en=head.name_en, document=head.document,
            grid=self.main.name, grid_en=self.main.name_en,
            district_term=self.district.name, district_term_en=self.district.name_en,
            boundary_rule=head.boundary_rule, boundary_rule_en=head.boundary_rule_en,
            boundary_clause=head.boundary_clause, source=source, levels=tuple(self.levels),
            main_bands=main_bands, district_classes=classes,
            main_at_least=_at_least(main_bands, n),
            district_at_least=np.stack([_at_least(c.bands, n) for c in classes]),
            affected=self.affected, termination=self.termination,
        )


def _by_measure(
    rows: Sequence[_BandRow], ranks: Mapping[str, int]
) -> dict[str, list[tuple[int, _BandRow, float | None]]]:
    """Each measure's bands, lowest level first, as (index in the file, row, upper bound).

    The upper bound is the next level's lower bound (None at the top): only lower bounds decide.
    """
    out = {}
    for measure in MEASURES:
        mine = sorted(((i, r) for i, r in enumerate(rows) if r.measure == measure),
                      key=lambda ir: ranks[ir[1].level])
        highs = [row.low_pct for _, row in mine[1:]] + [None]
        out[measure] = [(i, row, high) for (i, row), high in zip(mine, highs, strict=True)]
    return out


def _bands_problem(where: str, rows: Sequence[_BandRow], ranks: Mapping[str, int]) -> str | None:
    """The first way the bands ``rows`` (at path ``where``) do not fit the levels, or None."""
    for i, row in enumerate(rows):
        if row.level not in ranks:
            return f"{where}[{i}].level: unknown level {row.level!r} (levels: {', '.join(ranks)})"
    for measure, mine in _by_measure(rows, ranks).items():
        for (_, below, _), (i, above, _) in itertools.pairwise(mine):
            if ranks[above.level] == ranks[below.level] or above.low_pct <= below.low_pct:
                return (f"{where}[{i}]: {measure} bands must have one band a level and lower "
                        "bounds rising with the level")
        for i, row, high in mine:
            if row.high_pct is not None and row.high_pct != high:
                return (f"{where}[{i}].high_pct: is {row.high_pct} but the next level's low_pct "
                        f"is {high}")
    return None


def _bands(rows: Sequence[_BandRow], ranks: Mapping[str, int]) -> tuple[Band, ...]:
    """Checked rows as bands, each closed by the next level's lower bound; highest level first."""
    bands = [Band(ranks[row.level], measure, row.low_pct, high, row.clause)
             for measure, mine in _by_measure(rows, ranks).items() for _, row, high in mine]
    return tuple(sorted(bands, key=lambda b: (-b.rank, MEASURES.index(b.measure))))


def _at_least(bands: tuple[Band, ...], n_levels: int) -> np.ndarray:
    """(2, n_levels) nano-percent thresholds: lowest share reaching level k + 1 or above."""
    table = np.full((len(MEASURES), n_levels), np.inf)
    for band in bands:
        m = MEASURES.index(band.measure)
        npct = pct_to_npct(band.low_pct)
        table[m, : band.rank] = np.minimum(table[m, : band.rank], npct)
    return table


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
        The file is missing, unreadable or breaks the scheme; the message names every bad key by
        its path.
    """
    if path is None:
        return _default_plan()
    path = Path(path)
    # size, UTF-8, no YAML aliases or duplicate keys, depth, texts: outage_sim.inputs
    text = read_text(path, name=f"plan file {str(path)!r}", error=DataFileError)
    return _parse_plan(text, str(path), yaml_file=path.suffix.lower() in {".yaml", ".yml"})


def resolve_plan(plan: Plan | str | Path | None) -> Plan:
    """A :class:`Plan` as given, or loaded from a path, or the default for None."""
    return plan if isinstance(plan, Plan) else load_plan(plan)


@functools.cache
def _default_plan() -> Plan:
    resource = resources.files("outage_sim") / "data" / "plan" / DEFAULT_PLAN
    return _parse_plan(resource.read_bytes(), f"outage_sim/data/plan/{DEFAULT_PLAN}", False)


def _parse_plan(text: bytes | str, source: str, yaml_file: bool) -> Plan:
    label = f"plan file {source!r}"
    if isinstance(text, bytes):
        text = decode(text, label, error=DataFileError)
    raw = (parse_yaml if yaml_file else parse_toml)(text, label, error=DataFileError)
    try:
        checked = PlanFile.model_validate(raw)
    except ValidationError as exc:
        raise DataFileError(f"plan file {source!r}: {validation_message(exc)}") from None
    return checked.to_plan(source)
