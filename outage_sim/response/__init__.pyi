"""Type-checker view of the facade; `__init__.py` loads the same names lazily."""

from .build import add_minutes, build_response, respond, respond_output
from .documents import (
    REPORT_KIND_LABELS,
    TBD,
    brief_markdown,
    incident_report_markdown,
    markdown,
    summary_text,
    warning_notice_markdown,
)
from .event import RespondInput, canonical_cause, canonical_secondary, parse_respond_event
from .organisation import load_organisation
from .plan import ResponsePlan

__all__ = [
    "REPORT_KIND_LABELS",
    "TBD",
    "RespondInput",
    "ResponsePlan",
    "add_minutes",
    "brief_markdown",
    "build_response",
    "canonical_cause",
    "canonical_secondary",
    "incident_report_markdown",
    "load_organisation",
    "markdown",
    "parse_respond_event",
    "respond",
    "respond_output",
    "summary_text",
    "warning_notice_markdown",
]
