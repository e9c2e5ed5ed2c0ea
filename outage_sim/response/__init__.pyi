"""Type-checker view of the facade; `__init__.py` loads the same names lazily."""

from .aftermath import Aftermath, build_aftermath
from .build import add_minutes, build_response, rebuild_response, respond, respond_output
from .documents import (
    REPORT_KIND_LABELS,
    TBD,
    brief_markdown,
    incident_report_markdown,
    markdown,
    summary_text,
    warning_notice_markdown,
)
from .event import (
    RespondInput,
    canonical_cause,
    canonical_secondary,
    functional_area_hint,
    parse_respond_event,
)
from .from_run import exercise_context, important_users_from_loads
from .organisation import load_organisation
from .plan import ImportantUsers, Report, ResponsePlan
from .text import BEIJING, clause_zh, cn_time, hu_zh, mw_zh

__all__ = [
    "BEIJING",
    "REPORT_KIND_LABELS",
    "TBD",
    "Aftermath",
    "ImportantUsers",
    "Report",
    "RespondInput",
    "ResponsePlan",
    "add_minutes",
    "brief_markdown",
    "build_aftermath",
    "build_response",
    "canonical_cause",
    "canonical_secondary",
    "clause_zh",
    "cn_time",
    "exercise_context",
    "functional_area_hint",
    "hu_zh",
    "important_users_from_loads",
    "incident_report_markdown",
    "load_organisation",
    "markdown",
    "mw_zh",
    "parse_respond_event",
    "rebuild_response",
    "respond",
    "respond_output",
    "summary_text",
    "warning_notice_markdown",
]
