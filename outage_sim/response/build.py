"""What the plan requires once an event is classified: command, warnings, reports, member units.

From a severity result (:mod:`outage_sim.severity.rules`) and the event's context — its time, the
districts it touches, its cause and any secondary incidents — :func:`build_response` returns a
frozen :class:`ResponsePlan`: the response level, who leads and commands, the on-site
headquarters, the city headquarters' working groups, the member units activated with their
duties, the warning and who may issue it, the reports as clock times, and the §4.2 measures as a
checklist. The organisation itself is data (``outage_sim/data/plan/organisation.yaml``, read by
:mod:`outage_sim.response.organisation`).

:func:`~outage_sim.response.parse_respond_event` checks the JSON input of ``outage-sim
respond`` (the classify input plus ``time``, ``cause``, ``secondary``, and optionally ``end_time``
and ``source``) and :func:`respond` runs the whole chain.

Notes
-----
Readings of the plan's text that the code takes (each also noted in the data file):

- Two or more districts (§2.2 "两个以上", "以上" includes the number) make a 一般/较大 event
  ``city_or_designated_district``. A district counts as touched when it has any load shed or
  customers out.
- The 30-minute telephone and 1-hour written reports, the report to 应急管理部 and the daily
  follow-ups are clocked for 重大/特别重大 only (§3.3.1, §3.3.3, 附件二 市应急局). Below that a
  follow-up is due "promptly" when facts change (no clock, ``due`` None).
- Deadlines are added on the UTC time line and shown in the event's own offset, so they cross
  midnight, month ends and daylight-saving changes correctly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from outage_sim.errors import DataFileError, InputError
from outage_sim.response.event import (
    canonical_cause,
    canonical_district,
    canonical_secondary,
    check_aware,
    district_aliases,
    parse_respond_event,
)
from outage_sim.response.organisation import Organisation, load_organisation
from outage_sim.response.organisation_file import LevelSpec, Role
from outage_sim.response.plan import (
    ActivatedUnit,
    ChainLink,
    Measure,
    Report,
    ResponsePlan,
    WarningInfo,
)
from outage_sim.severity import Plan, Severity, classify

__all__ = ["add_minutes", "build_response", "respond", "respond_output"]

#: Follow-up reports listed when the end of handling is not known yet.
DEFAULT_FOLLOWUP_DAYS = 3

# --- building the plan ------------------------------------------------------------------------


def build_response(
    result: Severity,
    time: datetime,
    *,
    districts: Sequence[str] = (),
    cause: str | None = None,
    secondary: Sequence[str] = (),
    end_time: datetime | None = None,
    source: str | None = None,
    followup_days: int = DEFAULT_FOLLOWUP_DAYS,
    organisation: Organisation | None = None,
) -> ResponsePlan:
    """Turn a severity result and the event's context into a :class:`ResponsePlan`.

    Parameters
    ----------
    result : Severity
        The one-event severity result (:func:`outage_sim.severity.classify`).
    time : datetime
        When the event happened; must be timezone-aware.
    districts : sequence of str
        The districts the event touches, in order (the first leads a single-district event);
        the 自治县 long forms are accepted (see :func:`canonical_district`).
    cause : str, optional
        What caused the outage, a key of the organisation's ``causes`` (or an alias).
    secondary : sequence of str
        Secondary incidents, keys of the organisation's ``secondary``.
    end_time : datetime, optional
        When handling ended, if known: follow-ups stop there and the final report falls due.
    source : str, optional
        Where the information came from (信息来源), for the incident report.
    followup_days : int
        Daily follow-ups to list for 重大/特别重大 while ``end_time`` is unknown.
    organisation : Organisation, optional
        The organisation data; the packaged Chongqing 2021 file by default.

    Returns
    -------
    ResponsePlan

    Raises
    ------
    InputError
        ``time`` or ``end_time`` without a UTC offset, ``end_time`` before ``time``, an unknown
        district, cause or secondary incident.
    DataFileError
        The organisation's response level for the event level differs from the severity plan's.
    """
    org = organisation or load_organisation()
    cause, secondary, districts = _checked_context(
        org, time, end_time, cause, secondary, districts
    )
    event = {
        "severity": result,
        "time": time,
        "end_time": end_time,
        "districts": districts,
        "cause": cause,
        "secondary": secondary,
        "source": source,
    }
    spec = org.level(int(result.level_rank))
    if spec is None:
        return _not_started(org, event)
    return _started(org, spec, event, followup_days)


def _started(
    org: Organisation, spec: LevelSpec, event: Mapping[str, Any], followup_days: int
) -> ResponsePlan:
    """The plan of an event at level ``spec``; ``event`` holds the checked context."""
    result: Severity = event["severity"]
    if result.response_level is not None and result.response_level != spec.response_level:
        raise DataFileError(
            f"{org.source}: response level {spec.response_level} for "
            f"{spec.level_zh} differs from the severity plan's "
            f"{result.response_level}"
        )
    rank, districts = spec.rank, event["districts"]
    lead = spec.lead
    if lead == "district" and len(districts) >= org.multi_district_min:
        lead = org.multi_district_lead
    lead_district = districts[0] if lead == "district" and districts else None
    commander, deputies, groups = _command(org, lead, districts)
    tags = _activation(lead, rank, event["cause"], event["secondary"])
    return ResponsePlan(
        **event,
        activated=True,
        response_level=spec.response_level,
        response_zh=spec.response_zh,
        lead=lead,
        lead_role=org.leads[lead],
        lead_district=lead_district,
        on_site_hq=_on_site_hq(org, lead, lead_district),
        commander=commander,
        deputies=deputies,
        working_groups=groups,
        member_units=_activated_units(org, tags, lead, districts),
        warning=_warning(org, result, districts),
        report_chain=_chain(org, districts),
        reports=_reports(
            org, rank, event["time"], event["end_time"], districts, followup_days
        ),
        measures=_measures(org),
        notes=_notes(org, lead, rank),
    )


def _checked_context(
    org: Organisation,
    time: datetime,
    end_time: datetime | None,
    cause: str | None,
    secondary: Sequence[str],
    districts: Sequence[str],
) -> tuple[str | None, tuple[str, ...], tuple[str, ...]]:
    """The event's cause, secondary incidents and districts as canonical keys and names, after
    checking its times (each problem an :class:`InputError` naming the field)."""
    check_aware(time, "time")
    if end_time is not None:
        check_aware(end_time, "end_time")
        if end_time < time:
            raise InputError(f"end_time: {end_time.isoformat()} is before time {time.isoformat()}")
    cause = canonical_cause(cause, org)
    keys = tuple(
        dict.fromkeys(
            canonical_secondary(s, f"secondary[{i}]", org) for i, s in enumerate(secondary)
        )
    )
    names: tuple[str, ...] = ()
    if districts:
        aliases = district_aliases(org)
        names = tuple(
            dict.fromkeys(
                canonical_district(d, f"districts[{i}]", org, aliases)
                for i, d in enumerate(districts)
            )
        )
    return cause, keys, names


def _not_started(org: Organisation, event: Mapping[str, Any]) -> ResponsePlan:
    """The plan of an event below every band: nothing starts (§1.5)."""
    return ResponsePlan(
        **event,
        activated=False,
        response_level=None,
        response_zh=None,
        lead=None,
        lead_role=None,
        lead_district=None,
        on_site_hq=None,
        commander=None,
        deputies=(),
        working_groups=(),
        member_units=(),
        warning=None,
        report_chain=(),
        reports=(),
        measures=(),
        notes=(Role(**org.raw["not_activated"]),),
    )


def _activation(lead: str, rank: int, cause: str | None, secondary: Sequence[str]) -> set[str]:
    """The tags that activate member units for this event: the standing triggers that hold,
    its cause and its secondary incidents."""
    tags = {"all_events"} | set(secondary) | ({cause} if cause else set())
    if lead in ("city", "city_or_designated_district"):
        tags.add("city_led")
    if rank >= 3:
        tags.add("major")
    return tags


def _command(
    org: Organisation, lead: str, districts: Sequence[str]
) -> tuple[Role, tuple[Role, ...], tuple[Role, ...]]:
    """Commander, deputies and working groups (the latter two only for the city headquarters)."""
    if lead == "city":
        return org.commander, org.per_district(org.deputies, districts), org.working_groups
    dc = org.district_command
    if lead == "city_or_designated_district":
        return Role(**dc["commander_multi"]), (), ()
    commander = Role(**dc["commander"], per_district=True)
    return org.per_district([commander], districts[:1])[0], (), ()


def _measures(org: Organisation) -> tuple[Measure, ...]:
    """§4.2 as a checklist: every measure, with the owners the text names."""
    return tuple(
        Measure(
            m.id,
            m.clause,
            Role(m.title_zh, m.title_en),
            m.action_zh,
            m.action_en,
            m.owners,
            m.owners_note,
            m.mapped,
        )
        for m in org.measures
    )


def _on_site_hq(org: Organisation, lead: str, district: str | None) -> Role:
    hq = org.on_site_hq[lead]
    if lead != "district":
        return hq
    return org.per_district([replace(hq, per_district=True)], [district] if district else [])[0]


def _activated_units(
    org: Organisation, context: set[str], lead: str, districts: Sequence[str]
) -> tuple[ActivatedUnit, ...]:
    out = []
    for unit in org.member_units:
        parts = [p for p in unit.duties if context & set(p.when)]
        if not parts:
            continue
        triggers = tuple(t for t in unit.activation if t in context)
        out.append(
            ActivatedUnit(
                name_zh=unit.name_zh,
                name_en=unit.name_en,
                duties_zh=tuple(p.zh for p in parts),
                duties_en=tuple(p.en for p in parts),
                triggers=triggers,
                conditional=lead == "city_or_designated_district" and triggers == ("city_led",),
                bodies=tuple(org.government(d) for d in districts) if unit.per_district else (),
            )
        )
    return tuple(out)


def _warning(org: Organisation, result: Severity, districts: Sequence[str]) -> WarningInfo | None:
    color = result.warning_color
    if color is None:
        return None
    return WarningInfo(
        level=int(result.warning_level),
        level_zh=result.warning_level_zh,
        color=color,
        color_zh=result.warning_color_zh,
        issuers=org.per_district(org.issuers[color], districts),
        channels=org.channels,
        actions=org.warning_actions,
    )


def _chain(org: Organisation, districts: Sequence[str]) -> tuple[ChainLink, ...]:
    out: list[ChainLink] = []
    for link in org.chain:
        templated = "{" in link.from_zh + link.to_zh
        for d in (list(districts) or [None]) if templated else [None]:
            v = org.template_values(d)
            out.append(
                ChainLink(
                    link.from_zh.format(**v),
                    link.from_en.format(**v),
                    link.to_zh.format(**v),
                    link.to_en.format(**v),
                    Role(link.when_zh, link.when_en),
                )
            )
    return tuple(out)


def _bodies(
    names: Sequence[str], org: Organisation, districts: Sequence[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Chinese and English names of report bodies, per-district ones expanded."""
    roles = org.per_district([org.bodies[n] for n in names], districts)
    return tuple(r.zh for r in roles), tuple(r.en for r in roles)


def add_minutes(time: datetime, minutes: float) -> datetime:
    """``time`` plus ``minutes`` of elapsed time, in ``time``'s own timezone.

    The sum is taken on the UTC time line, so a deadline is a true elapsed interval even across
    a daylight-saving change of a named zone.
    """
    return (time.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(time.tzinfo)


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


def _reports(
    org: Organisation,
    rank: int,
    time: datetime,
    end_time: datetime | None,
    districts: Sequence[str],
    followup_days: int,
) -> tuple[Report, ...]:
    out: list[Report] = []
    for c in org.clock:
        if not c.min_rank <= rank <= c.max_rank:
            continue
        by, by_en = _bodies(c.by, org, districts)
        to, to_en = _bodies(c.to, org, districts)
        if c.interval_min:
            due_min = _repeats(c.interval_min, time, end_time, followup_days)
        elif c.kind == "final":
            due_min = [None]
        else:
            due_min = [c.deadline_min]
        for minutes in due_min:
            if minutes is not None:
                due = add_minutes(time, minutes)
            else:
                due = end_time if c.kind == "final" else None
            out.append(Report(c.kind, by, by_en, to, to_en, due, minutes, c.clause, c.note))
    return tuple(out)


def _notes(org: Organisation, lead: str, rank: int) -> tuple[Role, ...]:
    hq = org.city_hq
    notes = []
    if rank >= 3:
        notes.append(Role(hq["national_zh"], hq["national_en"], hq["national_clause"]))
    if lead == "city":
        raw = org.raw
        notes.append(
            Role(
                raw["working_groups_note_zh"],
                raw["working_groups_note_en"],
                raw["working_groups_clause"],
            )
        )
    else:
        dc = org.district_command
        notes.append(Role(dc["note_zh"], dc["note_en"], dc["clause"]))
    notes.append(Role(**org.raw["response_adjust"]))
    notes.append(
        Role(hq["support_request_zh"], hq["support_request_en"], hq["support_request_clause"])
    )
    return tuple(notes)


def respond(
    obj: Mapping[str, Any],
    *,
    followup_days: int = DEFAULT_FOLLOWUP_DAYS,
    organisation: Organisation | None = None,
    plan: Plan | str | Path | None = None,
) -> ResponsePlan:
    """Check a ``respond`` input, classify it and build its :class:`ResponsePlan`.

    Parameters
    ----------
    obj : Mapping
        The raw input (see :func:`parse_respond_event`).
    followup_days : int
        Daily follow-ups to list while the end of handling is unknown.
    organisation : Organisation, optional
        Organisation data; the packaged file by default.
    plan : optional
        Severity plan (object or path) passed to the classifier; the packaged one by default.
    """
    org = organisation or load_organisation()
    ev = parse_respond_event(obj, org)
    result = classify(ev.event, plan=plan)
    return build_response(
        result,
        ev.time,
        districts=ev.districts,
        cause=ev.cause,
        secondary=ev.secondary,
        end_time=ev.end_time,
        source=ev.source,
        followup_days=followup_days,
        organisation=org,
    )


def respond_output(plan: ResponsePlan) -> dict[str, Any]:
    """The whole ``outage-sim respond --json`` object: classification keys, event and response."""
    out = dict(plan.severity.to_dict())
    out["event"] = {
        "time": plan.time.isoformat(),
        "end_time": plan.end_time.isoformat() if plan.end_time else None,
        "districts": list(plan.districts),
        "cause": plan.cause,
        "secondary": list(plan.secondary),
        "source": plan.source,
    }
    out["response"] = plan.to_dict()
    return out
