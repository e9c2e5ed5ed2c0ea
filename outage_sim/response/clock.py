"""The reporting clock of §3.3: every report an event's level calls for, one per reporting body.

From the organisation's ``reports.clock`` entries, :func:`reports` lists each report as a
:class:`~outage_sim.response.plan.Report` with its due time: the 首报 (first report, every level,
立即), the 30-minute telephone and 1-hour written reports and the report to 应急管理部 (重大 and
特别重大), the follow-ups (及时续报 whenever facts change, and at least daily for 重大/特别重大)
and the final report. Each body reports on its own (a per-district body stands once for each
affected district's government or department), and the list is sorted by due time: what is due
立即 first, clock times in order, then what has no fixed time.

Deadlines are added on the UTC time line (:func:`add_minutes`), so they cross midnight, month
ends and daylight-saving changes correctly; the plan's documents show them in Beijing time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from outage_sim.response.organisation import Organisation
from outage_sim.response.plan import Report

__all__ = ["add_minutes", "reports"]


def add_minutes(time: datetime, minutes: float) -> datetime:
    """``time`` plus ``minutes`` of elapsed time, in ``time``'s own timezone.

    The sum is taken on the UTC time line, so a deadline is a true elapsed interval even across
    a daylight-saving change of a named zone.
    """
    return (time.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(time.tzinfo)


def _bodies(
    names: Sequence[str], org: Organisation, districts: Sequence[str]
) -> tuple[tuple[str, str], ...]:
    """(Chinese, English) names of report bodies, per-district ones expanded."""
    roles = org.per_district([org.bodies[n] for n in names], districts)
    return tuple((r.zh, r.en) for r in roles)


def _repeats(
    interval_min: int, time: datetime, end_time: datetime | None, followup_days: int
) -> list[int | None]:
    """Minutes after ``time`` of a repeated report (daily follow-ups): up to the end of
    handling when it is known, else ``followup_days`` of them."""
    due_min: list[int | None] = []
    k = 1
    while end_time is not None or k <= followup_days:
        if end_time is not None and add_minutes(time, k * interval_min) >= end_time:
            break
        due_min.append(k * interval_min)
        k += 1
    return due_min


def _due_minutes(c, time: datetime, end_time: datetime | None,
                 followup_days: int) -> list[int | None]:
    if c.interval_min:
        return _repeats(c.interval_min, time, end_time, followup_days)
    return [None] if c.deadline_min is None else [c.deadline_min]


def reports(
    org: Organisation,
    rank: int,
    time: datetime,
    end_time: datetime | None,
    districts: Sequence[str],
    followup_days: int,
) -> tuple[Report, ...]:
    """Every report on the clock for an event of ``rank``, one per body, sorted by due time."""
    out: list[Report] = []
    for c in org.clock:
        if not c.min_rank <= rank <= c.max_rank:
            continue
        to = _bodies(c.to, org, districts)
        for by in _bodies(c.by, org, districts):
            for minutes in _due_minutes(c, time, end_time, followup_days):
                if minutes is not None:
                    due = add_minutes(time, minutes)
                else:
                    due = end_time if c.kind == "final" else None
                out.append(Report(c.kind, (by[0],), (by[1],), tuple(t[0] for t in to),
                                  tuple(t[1] for t in to), due, minutes, c.clause, c.note))
    # 立即 first, then clock times, then what has no fixed time; ties keep the file's order
    return tuple(sorted(out, key=lambda r: (r.due is None, r.due or time)))
