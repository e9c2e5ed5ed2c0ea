"""Tables of batch results: one row per scenario with its level keys (``BatchSeverity.to_frame``).

Used by ``outage-sim contingency`` and the Monte-Carlo summaries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from outage_sim.severity import classify_batch

if TYPE_CHECKING:
    from outage_sim.engine import BatchResult


def to_frame(result: BatchResult, labels: list[str] | None = None, plan=None) -> pd.DataFrame:
    """One row per scenario: label, level keys (graded under ``plan``, the built-in plan by
    default), MW and customers lost, deciding criterion."""
    sev = classify_batch(**result.to_events(), plan=plan)
    frame = sev.to_frame()
    frame.insert(0, "scenario", labels if labels is not None else np.arange(len(result)))
    return frame.assign(
        shed_mw=np.round(result.main_shed_mw, 3),
        shed_pct=np.round(100 * result.main_shed_mw / max(result.main_load_mw, 1e-12), 3),
        customers_out=result.main_customers_out, uncertain=result.uncertain,
        tripped=result.tripped)
