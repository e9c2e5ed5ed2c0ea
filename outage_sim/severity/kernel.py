"""The severity kernel: the plan's criteria on arrays, and the decision of each scenario.

:func:`criterion_levels` and :func:`decide` are shared by the one-event classifier
(:func:`outage_sim.severity.classify`, a batch of one) and :func:`classify_batch`
(:mod:`outage_sim.severity.batch`), so the two agree exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from outage_sim.severity.plan import (
    CUSTOMERS_OUT,
    LOAD_SHED,
    Plan,
    class_masks,
    district_levels,
    main_levels,
    share_npct,
)

#: ``decided_scope`` value when the main grid decided; districts are 0..D-1.
SCOPE_MAIN = -1
#: ``decided_scope`` (and ``decided_measure``) value when no criterion fired (rank 0).
SCOPE_NONE = -2
MEASURE_NONE = -1
DEFAULT_CHUNK = 8192  # 8192 x 38 float64 = 2.5 MB a temporary: stays in cache

Figures = Mapping[str, np.ndarray]


@dataclass(frozen=True)
class Levels:
    """Per-criterion shares (nano-percent) and level ranks of a batch, indexed by measure.

    ``main_npct[m]`` and ``main_level[m]`` are ``(n,)``; ``district_npct[m]`` and
    ``district_level[m]`` are ``(n, D)`` (``D`` may be 0).
    """

    main_npct: tuple[np.ndarray, np.ndarray]
    main_level: tuple[np.ndarray, np.ndarray]
    district_npct: tuple[np.ndarray, np.ndarray]
    district_level: tuple[np.ndarray, np.ndarray]


def criterion_levels(plan: Plan, main: Figures, districts: Figures) -> Levels:
    """Apply every criterion of ``plan`` to a chunk of checked figures.

    Parameters
    ----------
    plan : Plan
    main : mapping of field name to array (n,)
        Main-grid figures (``load_mw``, ``shed_mw``, ``customers``, ``customers_out``).
    districts : mapping of field name to array (n, D)

    Returns
    -------
    Levels
    """
    main_npct = (share_npct(main["shed_mw"], main["load_mw"]),
                 share_npct(main["customers_out"], main["customers"]))
    district_npct = (share_npct(districts["shed_mw"], districts["load_mw"]),
                     share_npct(districts["customers_out"], districts["customers"]))
    masks = class_masks(plan, districts["load_mw"])
    return Levels(
        main_npct=main_npct,
        main_level=(main_levels(plan, main_npct[LOAD_SHED], LOAD_SHED),
                    main_levels(plan, main_npct[CUSTOMERS_OUT], CUSTOMERS_OUT)),
        district_npct=district_npct,
        district_level=(district_levels(plan, district_npct[LOAD_SHED], masks, LOAD_SHED),
                        district_levels(plan, district_npct[CUSTOMERS_OUT], masks,
                                        CUSTOMERS_OUT)),
    )


def decide(levels: Levels) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Event rank and the deciding criterion of each scenario.

    The rank is the highest level any criterion reaches. When several reach it, the main grid
    comes before the districts, a lower district index before a higher one, and load shed before
    customers out.

    Returns
    -------
    rank : numpy.ndarray of int8, (n,)
    scope : numpy.ndarray of int16, (n,)
        :data:`SCOPE_MAIN`, a district index, or :data:`SCOPE_NONE` when the rank is 0.
    measure : numpy.ndarray of int8, (n,)
        Index into :data:`~outage_sim.severity.MEASURES`, or :data:`MEASURE_NONE`.
    """
    main_load, main_cust = levels.main_level
    main_rank = np.maximum(main_load, main_cust)
    main_measure = (main_load < main_cust).astype(np.int8)
    dist_load, dist_cust = levels.district_level
    n, n_districts = dist_load.shape
    if n_districts:
        dist = np.maximum(dist_load, dist_cust)
        which = dist.argmax(axis=1)[:, None]
        dist_rank = np.take_along_axis(dist, which, axis=1)[:, 0]
        dist_measure = (np.take_along_axis(dist_load, which, axis=1)[:, 0] < dist_rank)
        use_main = main_rank >= dist_rank
        rank = np.maximum(main_rank, dist_rank)
        scope = np.where(use_main, SCOPE_MAIN, which[:, 0]).astype(np.int16)
        measure = np.where(use_main, main_measure, dist_measure).astype(np.int8)
    else:
        rank, measure = main_rank, main_measure
        scope = np.full(n, SCOPE_MAIN, dtype=np.int16)
    none = rank == 0
    scope[none] = SCOPE_NONE
    measure[none] = MEASURE_NONE
    return rank, scope, measure
