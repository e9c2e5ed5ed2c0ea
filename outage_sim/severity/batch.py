"""The severity rule on arrays: millions of scenarios at once, no Python loop over scenarios.

:func:`classify_batch` takes the figures of the classify contract as arrays, ``(S,)`` for the
main grid and ``(S, D)`` for the districts (a figure that is the same in every scenario, such as
the pre-event load, may be given once: a scalar for the main grid, ``(D,)`` for the districts),
and returns a :class:`BatchSeverity` with each scenario's level rank and the criterion that
decided it. :meth:`BatchSeverity.explain` gives the full one-event result of one scenario.

:func:`criterion_levels` and :func:`decide` are the kernel; the one-event classifier
(:func:`outage_sim.severity.classify`) runs the same two functions on a batch of one, so batch
and one-event results agree exactly. Scenarios are processed in chunks so that the temporaries
stay small (about 2.5 MB each for 38 districts) whatever S is; ``workers > 1`` runs chunks in
threads (numpy releases the GIL in its loops).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from outage_sim.errors import InputError
from outage_sim.severity.event import (
    FIELDS,
    PAIRS,
    SUM_TOLERANCE,
    Area,
    parse_event,
    sum_districts,
    whole_grid_event,
)
from outage_sim.severity.kernel import (
    DEFAULT_CHUNK,
    Figures,
    criterion_levels,
    decide,
)
from outage_sim.severity.plan import (
    MEASURES,
    Plan,
    resolve_plan,
)
from outage_sim.severity.rules import Severity, classify

if TYPE_CHECKING:
    import pandas as pd

@dataclass(frozen=True, eq=False)
class BatchSeverity:
    """Levels of a batch of scenarios.

    Attributes
    ----------
    rank : numpy.ndarray of int8, (S,)
        Event level rank per scenario, 0 (not an event) .. ``plan.max_rank``.
    decided_scope : numpy.ndarray of int16, (S,)
        Who decided: :data:`SCOPE_MAIN` (-1), a district index, or :data:`SCOPE_NONE` (-2).
    decided_measure : numpy.ndarray of int8, (S,)
        0 load shed, 1 customers out, -1 none.
    district_names : tuple of str
    plan : Plan
    main, districts : mapping of field name to array
        The input figures as given (not copied), for :meth:`explain`; ``main`` is None when it
        was derived from the districts.
    """

    rank: np.ndarray
    decided_scope: np.ndarray
    decided_measure: np.ndarray
    district_names: tuple[str, ...]
    plan: Plan
    main: Figures | None
    districts: Figures

    def __len__(self) -> int:
        return len(self.rank)

    def explain(self, i: int) -> Severity:
        """The full one-event result (criteria, margins) of scenario ``i``."""
        n = len(self)
        if not -n <= i < n:
            raise IndexError(f"scenario {i} is out of range for {n} scenarios")
        i %= n
        obj: dict[str, Any] = {"districts": [
            {"name": name, **{f: float(_row(self.districts[f], i, 2)[d]) for f in FIELDS}}
            for d, name in enumerate(self.district_names)]}
        if self.main is None:  # the districts are the whole grid here (see classify_batch)
            whole = whole_grid_event([Area(d["name"], *(d[f] for f in FIELDS))
                                      for d in obj["districts"]])
            # checked as the one-event parser checks (the sums cover the districts exactly)
            checked = parse_event({**obj, "main": {f: getattr(whole.main, f) for f in FIELDS}})
            return classify(whole_grid_event(checked.districts), self.plan)
        obj["main"] = {f: float(_row(self.main[f], i, 1)) for f in FIELDS}
        return classify(parse_event(obj), self.plan)

    def to_frame(self) -> pd.DataFrame:
        """One row per scenario: level keys (中文 and English), warning, response, decider
        (see :func:`level_frame`)."""
        return level_frame(self.plan, self.rank, self.decided_scope, self.decided_measure,
                           self.district_names)


def level_frame(plan: Plan, rank: np.ndarray, decided_scope: np.ndarray,
                decided_measure: np.ndarray, district_names: Sequence[str]) -> pd.DataFrame:
    """Level keys as in ``outage-sim classify --json`` per scenario.

    Columns: level, level_en, level_rank, response_level, warning_color, warning_level, and the
    deciding criterion: ``decided_scope`` (a district name, ``"main"``, or ``""`` when nothing
    decided) and ``decided_measure`` (``"load_shed"``, ``"customers_out"`` or ``""``). The
    contingency and Monte-Carlo tables are made of these columns.
    """
    import pandas as pd

    rank = np.asarray(rank).astype(np.intp)
    levels = [plan.level(r) for r in range(plan.max_rank + 1)]

    def pick(attr: str, none: str | None) -> np.ndarray:
        table = np.array([getattr(lv, attr) if lv else none for lv in levels], dtype=object)
        return table[rank]

    decided_scope = np.asarray(decided_scope)
    decided_measure = np.asarray(decided_measure)
    # districts keep their index; SCOPE_MAIN (-1) -> "main", SCOPE_NONE (-2) -> ""
    names = np.array([*district_names, "main", ""], dtype=object)
    n = len(district_names)
    scope = names[np.where(decided_scope >= 0, decided_scope, n - 1 - decided_scope)]
    measure = np.array([*MEASURES, ""], dtype=object)[decided_measure]
    return pd.DataFrame({"level": pick("name", "none"), "level_en": pick("name_en", "none"),
                         "level_rank": rank, "response_level": pick("response_level", None),
                         "warning_color": pick("warning_color", None),
                         "warning_level": pick("warning_level", None),
                         "decided_scope": scope, "decided_measure": measure})

def classify_batch(
    districts: Mapping[str, Any] | None = None,
    main: Mapping[str, Any] | None = None,
    *,
    district_names: Sequence[str] | None = None,
    plan: Plan | str | Path | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    workers: int = 1,
    check: bool = True,
) -> BatchSeverity:
    """Classify S scenarios at once.

    Parameters
    ----------
    districts : mapping, optional
        ``load_mw``, ``shed_mw``, ``customers``, ``customers_out``, each ``(S, D)`` or ``(D,)``
        (the same in every scenario).
    main : mapping, optional
        The same fields for the main grid, each ``(S,)`` or a scalar; left out, the districts
        are the whole grid and the main grid is their sum (unlike the one-event contract, where
        a left-out main grid is the built-in model's: a batch's districts are every district of
        the net it came from).
    district_names : sequence of str, optional
        Names of the D districts (default ``"district 0"``, ...).
    plan : Plan or path, optional
        Default: the Chongqing 2021 plan.
    chunk_size : int
        Scenarios per chunk.
    workers : int
        Threads working on chunks.
    check : bool
        Check the figures (finite, not negative, part not above whole) as the one-event parser
        does; turn off only for figures already checked.

    Returns
    -------
    BatchSeverity

    Raises
    ------
    InputError
        Bad shapes, or (with ``check``) a bad figure, named by field, scenario and district.
    """
    plan = resolve_plan(plan)
    if chunk_size < 1 or workers < 1:
        raise InputError("classify_batch: chunk_size and workers must be at least 1")
    dist, main_arrays = _figures(districts, main)
    n_scenarios = _n_scenarios(dist, main_arrays)
    n_districts = dist["load_mw"].shape[-1]
    names = tuple(district_names) if district_names is not None else tuple(
        f"district {d}" for d in range(n_districts))
    if len(names) != n_districts:
        raise InputError(f"district_names: {len(names)} names for {n_districts} districts")
    result = BatchSeverity(np.empty(n_scenarios, dtype=np.int8),
                           np.empty(n_scenarios, dtype=np.int16),
                           np.empty(n_scenarios, dtype=np.int8), names, plan, main_arrays, dist)

    def run(start: int) -> None:
        _grade(result, slice(start, min(start + chunk_size, n_scenarios)), check)

    starts = range(0, n_scenarios, chunk_size)
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for _ in pool.map(run, starts):  # re-raises the first failing chunk's error
                pass
    else:
        for start in starts:
            run(start)
    return result


def _figures(
    districts: Mapping[str, Any] | None, main: Mapping[str, Any] | None
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray] | None]:
    """The district and main-grid figures as float arrays (no districts: zero of them)."""
    dist = _as_arrays(districts, "districts", 2)
    main_arrays = _as_arrays(main, "main", 1)
    if dist is None and main_arrays is None:
        raise InputError("classify_batch: needs main-grid or district figures")
    if dist is None:
        dist = {f: np.zeros((0,)) for f in FIELDS}
    n_districts = dist["load_mw"].shape[-1]
    if any(a.shape[-1] != n_districts for a in dist.values()):
        raise InputError(f"districts: arrays disagree on the number of districts "
                         f"({', '.join(f'{f}{a.shape}' for f, a in dist.items())})")
    return dist, main_arrays


def _n_scenarios(dist: Figures, main_arrays: Figures | None) -> int:
    """The number of scenarios, on which every figure given per scenario must agree."""
    lengths = {a.shape[0] for a in dist.values() if a.ndim == 2}
    lengths |= {a.shape[0] for a in (main_arrays or {}).values() if a.ndim == 1}
    if len(lengths) != 1:
        raise InputError(f"classify_batch: arrays disagree on (or do not give) the number of "
                         f"scenarios: {sorted(lengths)}")
    return lengths.pop()


def _grade(result: BatchSeverity, rows: slice, check: bool) -> None:
    """Classify the scenarios ``rows`` of ``result``'s figures into its rank and decider arrays."""
    n = rows.stop - rows.start
    n_districts = len(result.district_names)
    dc = {f: np.broadcast_to(_rows(a, rows, 2), (n, n_districts))
          for f, a in result.districts.items()}
    if check:
        _check(dc, "districts", rows.start, result.district_names)
    if result.main is None:
        mc = {f: np.broadcast_to(sum_districts(_rows(a, rows, 2)), (n,))
              for f, a in result.districts.items()}
    else:
        mc = {f: np.broadcast_to(_rows(a, rows, 1), (n,)) for f, a in result.main.items()}
        if check:
            _check(mc, "main", rows.start, result.district_names)
            _check_covers(mc, dc, rows.start)
    result.rank[rows], result.decided_scope[rows], result.decided_measure[rows] = decide(
        criterion_levels(result.plan, mc, dc))


def _as_arrays(
    raw: Mapping[str, Any] | None, where: str, full_ndim: int
) -> dict[str, np.ndarray] | None:
    if raw is None:
        return None
    out = {}
    for f in FIELDS:
        if f not in raw:
            raise InputError(f"{where}: missing field {f!r}")
        try:
            a = np.asarray(raw[f], dtype=np.float64)
        except (TypeError, ValueError):
            raise InputError(f"{where}.{f}: must be an array of numbers") from None
        if a.ndim not in (full_ndim - 1, full_ndim):
            raise InputError(f"{where}.{f}: must have {full_ndim - 1} or {full_ndim} "
                             f"dimensions, not {a.ndim}")
        out[f] = a
    return out


def _rows(a: np.ndarray, rows: slice, full_ndim: int) -> np.ndarray:
    """Scenario rows of a figure given per scenario, or the figure itself if static."""
    return a[rows] if a.ndim == full_ndim else a


def _row(a: np.ndarray, i: int, full_ndim: int) -> np.ndarray:
    return a[i] if a.ndim == full_ndim else a


def _check_covers(main: Figures, districts: Figures, offset: int) -> None:
    """Raise InputError when the main grid is below its districts' sum (beyond rounding), as
    the one-event parser does."""
    for f in FIELDS:
        sums = districts[f].sum(axis=-1)
        bad = sums - SUM_TOLERANCE[f] > main[f]
        if bad.any():
            i = int(np.argmax(bad))
            raise InputError(f"main.{f}[scenario {offset + i}]: {main[f][i]:g} is below the "
                             f"districts' sum {sums[i]:g} (beyond rounding of "
                             f"{SUM_TOLERANCE[f]:g}); the main grid holds every district")


def _check(chunk: Figures, where: str, offset: int, names: tuple[str, ...]) -> None:
    """Raise InputError naming the first bad figure (by field, scenario, district)."""
    for part_name, whole_name in PAIRS:
        part, whole = chunk[part_name], chunk[whole_name]
        if (part >= 0).all() and (part <= whole).all() and (whole < np.inf).all():
            continue
        for name, bad, why in (
            (whole_name, ~np.isfinite(whole), "must be a finite number"),
            (whole_name, whole < 0, "must not be negative"),
            (part_name, ~np.isfinite(part), "must be a finite number"),
            (part_name, part < 0, "must not be negative"),
            (part_name, part > whole, f"is above {whole_name}"),
        ):
            if bad.any():
                index = np.unravel_index(np.argmax(bad), bad.shape)
                at = f"scenario {offset + int(index[0])}"
                if len(index) == 2:
                    at += f", district {int(index[1])} ({names[int(index[1])]})"
                got = f"{chunk[name][index]:g}"
                if name == part_name and why.startswith("is above"):
                    got += f" > {whole[index]:g}"
                raise InputError(f"{where}.{name}[{at}]: {why} (got {got})")
