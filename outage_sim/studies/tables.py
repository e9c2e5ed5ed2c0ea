"""Tables of batch results: the level keys of ``outage-sim classify --json`` per scenario.

Used by ``outage-sim contingency`` and the Monte-Carlo summaries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from outage_sim.severity import classify_batch

if TYPE_CHECKING:
    from outage_sim.engine import BatchResult


def level_columns(plan, rank: np.ndarray, decided_scope: np.ndarray,
                  decided_measure: np.ndarray, district_names) -> pd.DataFrame:
    """Level keys as in ``outage-sim classify --json`` (level, level_en, level_rank,
    response_level, warning_color, warning_level) and the deciding criterion, per scenario."""
    rank = np.asarray(rank).astype(int)
    levels = [plan.level(r) for r in range(plan.max_rank + 1)]

    def col(attr, none):
        table = np.array([getattr(lv, attr) if lv else none for lv in levels], dtype=object)
        return table[rank]

    names = np.array(list(district_names) + [""], dtype=object)
    scope = np.where(decided_scope == -1, "main", names[np.where(decided_scope >= 0, decided_scope, -1)])
    measure = np.where(decided_measure == 0, "load_shed",
                       np.where(decided_measure == 1, "customers_out", ""))
    return pd.DataFrame({"level": col("name", "none"), "level_en": col("name_en", "none"),
                         "level_rank": rank, "response_level": col("response_level", None),
                         "warning_color": col("warning_color", None),
                         "warning_level": col("warning_level", None),
                         "decided_scope": scope, "decided_measure": measure})


def to_frame(result: BatchResult, labels: list[str] | None = None, plan=None) -> pd.DataFrame:
    """One row per scenario: label, level keys (graded under ``plan``, the built-in plan by
    default), MW and customers lost, deciding criterion."""
    sev = classify_batch(**result.to_events(), plan=plan)
    frame = level_columns(sev.plan, sev.rank, sev.decided_scope, sev.decided_measure,
                          result.district_names)
    frame.insert(0, "scenario", labels if labels is not None else np.arange(len(result)))
    return frame.assign(
        shed_mw=np.round(result.main_shed_mw, 3),
        shed_pct=np.round(100 * result.main_shed_mw / max(result.main_load_mw, 1e-12), 3),
        customers_out=result.main_customers_out, uncertain=result.uncertain,
        tripped=result.tripped)
