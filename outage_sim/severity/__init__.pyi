"""Type-checker view of the facade; `__init__.py` loads the same names lazily."""

from .batch import BatchSeverity, classify_batch, level_frame
from .event import (
    Area,
    AreaInput,
    DistrictInput,
    Event,
    EventInput,
    parse_event,
    read_event,
    read_event_json,
    whole_grid_event,
)
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
from .rules import NO_LEVEL_ZH, Criterion, Margin, Severity, classify, main_source_text

__all__ = [
    "MEASURES",
    "MEASURE_EN",
    "MEASURE_UNIT",
    "MEASURE_ZH",
    "NO_LEVEL_ZH",
    "Area",
    "AreaInput",
    "BatchSeverity",
    "Criterion",
    "DistrictInput",
    "Event",
    "EventInput",
    "Margin",
    "Plan",
    "Severity",
    "classify",
    "classify_batch",
    "level_frame",
    "load_plan",
    "main_source_text",
    "npct_to_pct",
    "parse_event",
    "read_event",
    "read_event_json",
    "share_npct",
    "whole_grid_event",
]
