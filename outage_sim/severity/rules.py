"""Event severity under the plan (§1.5): level, warning, response, the criteria that fired.

The public face of the severity stage. From load shed and customers out, for the main grid and
each district, :func:`classify` gives one event's :class:`Severity`: its level (特别重大 / 重大 /
较大 / 一般, or none), the warning for its forecast (§3.2.1), its response level (§4.1), every
criterion that fired, and the margins to the neighbouring levels. :func:`classify_batch` does the
same rule for millions of scenarios on arrays (see :mod:`outage_sim.severity.batch`).

The plan's numbers are data (:func:`load_plan`, :mod:`outage_sim.severity.plan`); the event input
is the JSON contract of ``outage-sim classify`` (:func:`parse_event`, :func:`read_event`,
:mod:`outage_sim.severity.event`). How shares on a band's boundary are treated is explained in
:mod:`outage_sim.severity.plan`.

Examples
--------
>>> from outage_sim.severity.rules import classify
>>> sev = classify({"main": {"load_mw": 21000, "shed_mw": 1050,
...                          "customers": 15000000, "customers_out": 0}})
>>> sev.level, sev.level_en, sev.warning_color, sev.response_level
('一般', 'general', 'blue', 'IV')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from outage_sim.severity.event import (
    FIELDS,
    MAIN,
    Area,
    Event,
    parse_event,
)
from outage_sim.severity.kernel import (
    SCOPE_MAIN,
    SCOPE_NONE,
    Levels,
    criterion_levels,
    decide,
)
from outage_sim.severity.plan import (
    MEASURE_FIELDS,
    MEASURE_UNIT,
    MEASURE_ZH,
    MEASURES,
    Level,
    Plan,
    npct_to_pct,
    pct_to_npct,
    resolve_plan,
)

__all__ = ["NO_LEVEL", "NO_LEVEL_ZH", "Criterion", "Margin", "Severity", "classify"]

#: ``level`` / ``level_en`` of an event below every band: the plan is not activated.
NO_LEVEL = "none"
NO_LEVEL_ZH = "未构成大面积停电事件"


@dataclass(frozen=True)
class Criterion:
    """One criterion that fired: a scope's share of a measure inside a level's band.

    Attributes
    ----------
    scope : str
        ``"main"`` or the district's name.
    measure : str
        ``"load_shed"`` or ``"customers_out"``.
    value_pct : float
        The share in percent, to :data:`~outage_sim.severity.plan.SHARE_DECIMALS` decimals.
    level_rank, level, level_en : int, str, str
        The level this criterion reaches.
    clause : str
        The plan clause of the band, e.g. ``"§1.5.2(1)"``.
    low_pct, high_pct : float, float or None
        The band ``[low_pct, high_pct)``; ``high_pct`` None means no upper bound.
    part, whole : float
        MW shed and MW load, or customers out and customers.
    district_class, district_class_en : str or None
        The district class (``"负荷150兆瓦以上的区县"``, ``"district with load of 150 MW or
        more"``); None for the main grid.
    """

    scope: str
    measure: str
    value_pct: float
    level_rank: int
    level: str
    level_en: str
    clause: str
    low_pct: float
    high_pct: float | None
    part: float
    whole: float
    district_class: str | None
    district_class_en: str | None


@dataclass(frozen=True)
class Margin:
    """How far one criterion is from a band's lower bound, in MW or customers.

    Attributes
    ----------
    scope, measure : str
        As in :class:`Criterion`.
    current : float
        MW shed or customers out now.
    boundary : float
        The band's lower bound in MW or customers (``boundary_pct`` of the pre-event figure).
    boundary_pct : float
    change : float
        ``boundary - current``. Raising: at least this much more reaches the band (on the
        bound counts as on). Lowering (negative): the figure must fall by *more* than this, to
        below the bound.
    level_rank, level, level_en : int, str, str
        The level of the criterion after the change (``level`` is ``"none"`` for rank 0).
    clause : str
        The clause of the band whose bound this is.
    """

    scope: str
    measure: str
    current: float
    boundary: float
    boundary_pct: float
    change: float
    level_rank: int
    level: str
    level_en: str
    clause: str

    @property
    def unit(self) -> str:
        """``"MW"`` or ``"customers"``."""
        return MEASURE_UNIT[self.measure]


@dataclass(frozen=True)
class Severity:
    """One event's classification under a plan.

    Attributes
    ----------
    level, level_en : str
        ``"重大"``, ``"major"``, ...; ``"none"`` when no criterion fired.
    level_rank : int
        4 (特别重大) .. 1 (一般), 0 for none.
    level_clause : str or None
    response_level, response_level_zh : str or None
        ``"II"``, ``"Ⅱ级"`` (§4.1).
    warning_level : int or None
        1 (highest) .. 4 (§3.2.1).
    warning_level_zh, warning_color, warning_color_zh : str or None
        ``"二级"``, ``"orange"``, ``"橙色"``.
    criteria : tuple of Criterion
        Every criterion that reached a level, highest level first.
    decided_by : Criterion or None
        The criterion the batch classifier reports as deciding (main grid first, then districts
        in input order; load shed before customers out).
    raise_options : tuple of Margin
        Each alone raises the event at least one level (empty at the top level).
    lower_rank : int or None
        The level after all of :attr:`lower_requirements` are met; None for rank 0.
    lower_requirements : tuple of Margin
        All must be met to lower the event a level.
    event : Event
        The figures classified (with the main grid derived from districts if it was).
    plan : Plan
    affected : tuple of str
        The districts the event affects (事发地 / 涉及 / 受影响区县) under the plan file's
        ``[affected]`` reading, in input order.
    minor : tuple of Area
        Districts with some load shed or customers out but below that reading (轻微影响).
    """

    level: str
    level_en: str
    level_rank: int
    level_clause: str | None
    response_level: str | None
    response_level_zh: str | None
    warning_level: int | None
    warning_level_zh: str | None
    warning_color: str | None
    warning_color_zh: str | None
    criteria: tuple[Criterion, ...]
    decided_by: Criterion | None
    raise_options: tuple[Margin, ...]
    lower_rank: int | None
    lower_requirements: tuple[Margin, ...]
    event: Event
    plan: Plan = field(repr=False, compare=False)
    affected: tuple[str, ...] = ()
    minor: tuple[Area, ...] = ()

    def district(self, name: str) -> Area | None:
        """The figures of the district called ``name``, or None."""
        return next((d for d in self.event.districts if d.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``outage-sim classify --json`` (design.md), plus margins."""
        lower = None
        if self.lower_rank is not None:
            lower = {**_level_keys(self.plan, self.lower_rank),
                     "all_of": [_margin_dict(m, "reduce_by_more_than") for m in
                                self.lower_requirements]}
        return {
            "level": self.level,
            "level_en": self.level_en,
            "level_rank": self.level_rank,
            "level_clause": self.level_clause,
            "response_level": self.response_level,
            "response_level_zh": self.response_level_zh,
            "warning_color": self.warning_color,
            "warning_color_zh": self.warning_color_zh,
            "warning_level": self.warning_level,
            "warning_level_zh": self.warning_level_zh,
            "criteria": [_criterion_dict(c) for c in self.criteria],
            "decided_by": None if self.decided_by is None else {
                "scope": self.decided_by.scope, "measure": self.decided_by.measure},
            "main": _main_dict(self.event),
            "margins": {
                "raise": None if self.level_rank == self.plan.max_rank else {
                    "any_of": [_margin_dict(m, "more") for m in self.raise_options]},
                "lower": lower,
            },
            "plan": {"name": self.plan.name, "document": self.plan.document,
                     "source": self.plan.source},
            "affected_districts": list(self.affected),
            "minor_impacts": [_area_dict(d) for d in self.minor],
            "affected_rule": self.plan.affected.model_dump(),
        }


@dataclass(frozen=True)
class _Candidate:
    """A criterion's inputs and result inside :func:`classify`."""

    scope: str
    district_class: int | None
    measure: int
    part: float
    whole: float
    npct: float
    level_rank: int


def classify(event: Event | Mapping[str, Any], plan: Plan | str | Path | None = None, *,
             data_dir: str | Path | None = None) -> Severity:
    """Classify one event.

    Parameters
    ----------
    event : Event or mapping
        A checked :class:`Event`, or the raw mapping of the classify contract (checked here).
    plan : Plan or path, optional
        Default: the Chongqing 2021 plan.
    data_dir : str or Path, optional
        For a mapping without ``main``: the grid model whose main grid stands in for it
        (default: the built-in Chongqing model).

    Returns
    -------
    Severity

    Raises
    ------
    InputError
        If ``event`` is a mapping that fails the checks of :func:`parse_event`.

    Notes
    -----
    The rank comes from the same array kernel as :func:`classify_batch` (a batch of one), so
    the two agree exactly, boundaries included.
    """
    plan = resolve_plan(plan)
    if not isinstance(event, Event):
        event = parse_event(event, data_dir)
    levels = _levels(plan, event)
    rank, scope, measure = (int(a[0]) for a in decide(levels))
    candidates = _candidates(plan, event, levels)
    fired = sorted((c for c in candidates if c.level_rank > 0), key=lambda c: -c.level_rank)
    criteria = tuple(_criterion(plan, c) for c in fired)
    lower_rank, lower = _lower(plan, candidates, rank)
    affected = _affected(plan, event, levels, {c.scope for c in criteria if c.scope != MAIN})
    return Severity(
        **_level_fields(plan.level(rank)),
        level_rank=rank,
        criteria=criteria,
        decided_by=_decided_by(event, criteria, scope, measure),
        raise_options=_raise(plan, candidates, rank),
        lower_rank=lower_rank,
        lower_requirements=lower,
        event=event,
        plan=plan,
        affected=affected,
        minor=tuple(d for d in event.districts if d.name not in affected
                    and (d.shed_mw > 0 or d.customers_out > 0)),
    )


def _affected(plan: Plan, event: Event, levels: Levels, fired: set[str]) -> tuple[str, ...]:
    """The districts the plan file's ``[affected]`` reading counts as affected, in input order.

    Shares are the rule's own nano-percent (so 1 % on the dot is 1 %, as "以上" wants).
    """
    rule = plan.affected
    least = (pct_to_npct(rule.min_load_shed_pct), pct_to_npct(rule.min_customers_out_pct))
    out = []
    for d, area in enumerate(event.districts):
        if area.shed_mw <= 0 and area.customers_out <= 0:
            continue
        shares = (levels.district_npct[0][0, d], levels.district_npct[1][0, d])
        if (any(s >= low for s, low in zip(shares, least, strict=True) if not np.isnan(s))
                or (rule.criterion_fired and area.name in fired)):
            out.append(area.name)
    return tuple(out)


#: The fields of :class:`Severity` that are the level's own: (attribute of the level, value when
#: no level is reached).
_LEVEL_FIELDS: dict[str, tuple[str, str | None]] = {
    "level": ("name", NO_LEVEL),
    "level_en": ("name_en", NO_LEVEL),
    "level_clause": ("clause", None),
    "response_level": ("response_level", None),
    "response_level_zh": ("response_level_zh", None),
    "warning_level": ("warning_level", None),
    "warning_level_zh": ("warning_level_zh", None),
    "warning_color": ("warning_color", None),
    "warning_color_zh": ("warning_color_zh", None),
}


def _level_fields(level: Level | None) -> dict[str, Any]:
    return {key: getattr(level, attr) if level else none
            for key, (attr, none) in _LEVEL_FIELDS.items()}


def _levels(plan: Plan, event: Event) -> Levels:
    """The kernel's criteria on the event as a batch of one (so batch and one event agree)."""
    main = {f: np.array([getattr(event.main, f)]) for f in FIELDS}
    districts = {f: np.array([getattr(d, f) for d in event.districts],
                             dtype=np.float64).reshape(1, len(event.districts)) for f in FIELDS}
    return criterion_levels(plan, main, districts)


def _candidates(plan: Plan, event: Event, levels: Levels) -> list[_Candidate]:
    """Every criterion: the main grid's, then each district's; load shed before customers out."""
    out = [_candidate(event.main, None, m, levels.main_npct[m][0], levels.main_level[m][0])
           for m in range(len(MEASURES))]
    for d, area in enumerate(event.districts):
        group = plan.district_class(area.load_mw)
        out += [_candidate(area, group, m, levels.district_npct[m][0, d],
                           levels.district_level[m][0, d]) for m in range(len(MEASURES))]
    return out


def _candidate(
    area: Area, district_class: int | None, measure: int, npct: float, level_rank: int
) -> _Candidate:
    part, whole = (getattr(area, f) for f in MEASURE_FIELDS[MEASURES[measure]])
    return _Candidate(area.name, district_class, measure, part, whole, npct, int(level_rank))


def _decided_by(
    event: Event, criteria: tuple[Criterion, ...], scope: int, measure: int
) -> Criterion | None:
    """The criterion :func:`decide` picked (as the batch classifier reports it), or None."""
    if scope == SCOPE_NONE:
        return None
    decider = event.main.name if scope == SCOPE_MAIN else event.districts[scope].name
    return next(c for c in criteria if c.scope == decider and c.measure == MEASURES[measure])


def _criterion(plan: Plan, c: _Candidate) -> Criterion:
    measure = MEASURES[c.measure]
    band = plan.band(measure, c.level_rank, c.district_class)
    assert band is not None  # a criterion at rank r lies in its class's band of rank r
    level: Level = plan.levels[c.level_rank - 1]
    group = None if c.district_class is None else plan.district_classes[c.district_class]
    return Criterion(
        scope=c.scope, measure=measure, value_pct=npct_to_pct(c.npct),
        level_rank=c.level_rank, level=level.name, level_en=level.name_en, clause=band.clause,
        low_pct=band.low_pct, high_pct=band.high_pct, part=c.part, whole=c.whole,
        district_class=group.name if group else None,
        district_class_en=group.name_en if group else None,
    )


def _margin(plan: Plan, c: _Candidate, band_rank: int, after_rank: int) -> Margin:
    measure = MEASURES[c.measure]
    band = plan.band(measure, band_rank, c.district_class)
    assert band is not None
    # On the bound by the rule (same nano-percent) is on it exactly, whatever binary noise says.
    on_bound = c.npct == pct_to_npct(band.low_pct)
    boundary = c.part if on_bound else band.low_pct * c.whole / 100
    level = plan.level(after_rank)
    return Margin(
        scope=c.scope, measure=measure, current=c.part, boundary=boundary,
        boundary_pct=band.low_pct, change=boundary - c.part, level_rank=after_rank,
        level=level.name if level else NO_LEVEL, level_en=level.name_en if level else NO_LEVEL,
        clause=band.clause,
    )


def _raise(plan: Plan, candidates: list[_Candidate], rank: int) -> tuple[Margin, ...]:
    """For each criterion that can, the least increase that lifts the event above ``rank``.

    Other figures are held as they are. (In a real event more shed in a district is also more
    shed in the main grid; the main grid's own option covers that, since it counts shed
    anywhere.)
    """
    options = []
    for c in candidates:
        if c.whole <= 0:
            continue
        target = next((r for r in range(rank + 1, plan.max_rank + 1)
                       if plan.band(MEASURES[c.measure], r, c.district_class)), None)
        if target is not None:
            options.append(_margin(plan, c, target, target))
    options.sort(key=lambda m: (m.scope != MAIN, MEASURES.index(m.measure), m.change))
    return tuple(options)


def _lower(
    plan: Plan, candidates: list[_Candidate], rank: int
) -> tuple[int | None, tuple[Margin, ...]]:
    """What must fall, and to which level the event then falls, to lower it below ``rank``.

    Every criterion at ``rank`` must drop below its band's lower bound; each then falls to the
    level just under that bound. Each amount is reckoned with the other figures held; as a cut in
    a district's shed is also a cut in the main grid's, the cuts together are enough and may
    overlap.
    """
    if rank == 0:
        return None, ()
    needed, others = [], [0]
    for c in candidates:
        if c.level_rank < rank:
            others.append(c.level_rank)
            continue
        table = (plan.main_at_least if c.district_class is None
                 else plan.district_at_least[c.district_class])[c.measure]
        below = int((table[: rank - 1] < table[rank - 1]).sum())
        needed.append(_margin(plan, c, rank, below))
    lower_rank = max(others + [m.level_rank for m in needed])
    return lower_rank, tuple(needed)


def _level_keys(plan: Plan, rank: int) -> dict[str, Any]:
    level = plan.level(rank)
    return {"level": level.name if level else NO_LEVEL,
            "level_en": level.name_en if level else NO_LEVEL, "level_rank": rank}


#: What a main grid's figures are, by :attr:`Event.main_source` (Chinese, English).
MAIN_SOURCE_TEXT = {
    "input": ("输入给定", "as given"),
    "model": ("主网负荷和供电用户数取自内置电网模型（{level_zh}），减供负荷和停电用户为所列区县之和",
              ("main-grid load and customers from the built-in grid model at {level}; load shed "
              "and customers out are the districts' sums")),
    "districts": ("所列区县即全网，主网为各区县之和",
                  "the districts are the whole grid; the main grid is their sum"),
}


def main_source_text(event: Event) -> tuple[str, str]:
    """How the main grid's figures were obtained, in Chinese and English."""
    zh, en = MAIN_SOURCE_TEXT[event.main_source]
    values = {"level": event.main_level, "level_zh": event.main_level_zh}
    return zh.format(**values), en.format(**values)


def _main_dict(event: Event) -> dict[str, Any]:
    zh, en = main_source_text(event)
    return {**{f: _plain(getattr(event.main, f)) for f in FIELDS},
            "from_districts": event.main_from_districts, "source": event.main_source,
            "source_zh": zh, "source_en": en, "level": event.main_level,
            "level_zh": event.main_level_zh, "model": event.main_model}


def _area_dict(a: Area) -> dict[str, Any]:
    return {"name": a.name, **{f: _plain(getattr(a, f)) for f in FIELDS},
            "shed_pct": _share_pct(a.shed_mw, a.load_mw),
            "customers_out_pct": _share_pct(a.customers_out, a.customers)}


def _share_pct(part: float, whole: float) -> float:
    return round(100 * part / whole, 4) if whole > 0 else 0.0


def _criterion_dict(c: Criterion) -> dict[str, Any]:
    return {
        "scope": c.scope, "measure": c.measure, "measure_zh": MEASURE_ZH[c.measure],
        "value_pct": c.value_pct, "level": c.level, "level_en": c.level_en,
        "level_rank": c.level_rank, "clause": c.clause, "band_pct": [c.low_pct, c.high_pct],
        "part": _plain(c.part), "whole": _plain(c.whole), "district_class": c.district_class,
        "district_class_en": c.district_class_en,
    }


def _margin_dict(m: Margin, change_key: str) -> dict[str, Any]:
    # Amounts to the watt / a millionth of a customer: enough for any planner, and free of
    # binary noise such as 1049.9999999999998.
    return {
        "scope": m.scope, "measure": m.measure, "unit": m.unit,
        change_key: _plain(round(abs(m.change), 6)), "current": _plain(m.current),
        "boundary": _plain(round(m.boundary, 6)), "boundary_pct": m.boundary_pct,
        "level": m.level, "level_en": m.level_en, "level_rank": m.level_rank,
        "clause": m.clause,
    }


def _plain(value: float) -> float | int:
    """Whole numbers as JSON integers (15000000, not 15000000.0)."""
    return int(value) if value.is_integer() and abs(value) < 2**53 else value
