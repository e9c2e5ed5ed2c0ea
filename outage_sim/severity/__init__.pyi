"""Type-checker view of the facade; `__init__.py` loads the same names lazily."""

from .batch import BatchSeverity, classify_batch
from .event import Event, parse_event, read_event, read_event_json
from .plan import (
    MEASURE_EN,
    MEASURE_UNIT,
    MEASURE_ZH,
    MEASURES,
    Plan,
    load_plan,
    npct_to_pct,
    share_npct,
)
from .rules import NO_LEVEL_ZH, Criterion, Margin, Severity, classify

__all__ = [
    "BatchSeverity",
    "Criterion",
    "Event",
    "MEASURE_EN",
    "MEASURE_UNIT",
    "MEASURE_ZH",
    "MEASURES",
    "Margin",
    "NO_LEVEL_ZH",
    "Plan",
    "Severity",
    "classify",
    "classify_batch",
    "load_plan",
    "npct_to_pct",
    "parse_event",
    "read_event",
    "read_event_json",
    "share_npct",
]
