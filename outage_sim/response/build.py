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
  ``city_or_designated_district``. Which districts count is the plan file's ``[affected]``
  reading (:attr:`Severity.affected`): a trace of shed does not make a 事发地.
- Every level has its first report (首报, §3.3.1, 立即). The 30-minute telephone and 1-hour
  written reports, the report to 应急管理部 and the daily follow-ups are clocked for
  重大/特别重大 only (§3.3.1, §3.3.3, 附件“二、成员单位职责” 市应急局); follow-ups are also due
  "promptly" (及时续报) when facts change, at every level (no clock, ``due`` None). Each body
  reports on its own (:mod:`outage_sim.response.clock`).
- Times are Beijing time (the plan's zone) whatever offset the input used; deadlines are added
  on the UTC time line, so they cross midnight and month ends correctly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from outage_sim.errors import DataFileError, InputError
from outage_sim.response.clock import add_minutes, reports
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
    ImportantUsers,
    Measure,
    ResponsePlan,
    WarningInfo,
)
from outage_sim.severity import Plan, Severity, classify

__all__ = ["add_minutes", "build_response", "rebuild_response", "respond", "respond_output"]

#: Follow-up reports listed when the end of handling is not known yet.
DEFAULT_FOLLOWUP_DAYS = 3

# --- building the plan ------------------------------------------------------------------------


def build_response(
    result: Severity,
    time: datetime,
    *,
    districts: Sequence[str] | None = None,
    cause: str | None = None,
    secondary: Sequence[str] = (),
    end_time: datetime | None = None,
    source: str | None = None,
    followup_days: int = DEFAULT_FOLLOWUP_DAYS,
    organisation: Organisation | None = None,
    exercise: bool = False,
    key_areas: Sequence[str] = (),
    important_users: Sequence[ImportantUsers] = (),
    facts: Mapping[str, tuple[str, str]] | None = None,
) -> ResponsePlan:
    """Turn a severity result and the event's context into a :class:`ResponsePlan`.

    Parameters
    ----------
    result : Severity
        The one-event severity result (:func:`outage_sim.severity.classify`).
    time : datetime
        When the event happened; must be timezone-aware.
    districts : sequence of str, optional
        The districts the event affects (事发地), in order (the first leads a single-district
        event); the 自治县 long forms are accepted (see :func:`canonical_district`). Default:
        ``result.affected``, the plan file's reading of which districts are affected (names
        that are not districts of the plan, from a user's own grid, left out).
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
    exercise : bool
        The event is a scenario or a drill (演练): every document is marked so at its head.
    key_areas : sequence of str
        The key areas (重点地区) used for §4.3 (the plan lists none; a scenario sets them).
    important_users : sequence of ImportantUsers
        重要电力用户 cut off, by district and category.
    facts : mapping, optional
        The §3.3.2 ``course``, ``trend``, ``handling`` as known: (Chinese, English) each.

    Returns
    -------
    ResponsePlan
        Its times in Beijing time (the plan's zone), whatever offset ``time`` had.

    Raises
    ------
    InputError
        ``time`` or ``end_time`` without a UTC offset, ``end_time`` before ``time``, an unknown
        district, cause or secondary incident.
    DataFileError
        The organisation's response level for the event level differs from the severity plan's.
    """
    org = organisation or load_organisation()
    if districts is None:  # the affected districts the plan knows (not a user grid's own names)
        known = district_aliases(org)
        districts = [d for d in result.affected if d in known]
    cause, secondary, districts = _checked_context(org, time, end_time, cause, secondary,
                                                   districts)
    event = {"severity": result, "time": time.astimezone(org.tz),
             "end_time": end_time.astimezone(org.tz) if end_time is not None else None,
             "districts": districts, "cause": cause, "secondary": secondary, "source": source}
    extra = {"exercise": exercise,
             "key_areas": tuple(canonical_district(d, f"key_areas[{i}]", org)
                                for i, d in enumerate(key_areas)),
             "important_users": tuple(important_users), "facts": dict(facts or {})}
    spec = org.level(int(result.level_rank))
    if spec is None:
        return replace(_not_started(org, event), **extra)
    return replace(_started(org, spec, event, followup_days), **extra)


def rebuild_response(
    plan: ResponsePlan,
    *,
    severity: Severity | None = None,
    time: datetime | None = None,
    end_time: datetime | None = None,
    followup_days: int = DEFAULT_FOLLOWUP_DAYS,
    districts: Sequence[str] | None = None,
    organisation: Organisation | None = None,
    facts: Mapping[str, tuple[str, str]] | None = None,
) -> ResponsePlan:
    """``plan`` built again with a new end of handling (or severity, time, districts), keeping
    every other part of its context (cause, incidents, source, exercise, key areas, important
    users)."""
    sev = severity if severity is not None else plan.severity
    if districts is None:
        districts = sev.affected if severity is not None else plan.districts
    return build_response(
        sev, time or plan.time, districts=districts, cause=plan.cause,
        secondary=plan.secondary, end_time=end_time, source=plan.source,
        followup_days=followup_days, organisation=organisation, exercise=plan.exercise,
        key_areas=plan.key_areas, important_users=plan.important_users,
        facts={**plan.facts, **(facts or {})})


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
        reports=reports(
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
    data_dir: str | Path | None = None,
) -> ResponsePlan:
    """Check a ``respond`` input, classify it and build its :class:`ResponsePlan`.

    The districts the plan acts on are the affected ones (:attr:`Severity.affected`); the
    others with some shed stay in the documents as minor impacts.

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
    data_dir : str or Path, optional
        The grid model whose main grid stands in for a left-out ``main``.
    """
    org = organisation or load_organisation()
    ev = parse_respond_event(obj, org, data_dir)
    result = classify(ev.event, plan=plan)
    return build_response(
        result,
        ev.time,
        cause=ev.cause,
        secondary=ev.secondary,
        end_time=ev.end_time,
        source=ev.source,
        followup_days=followup_days,
        organisation=org,
        key_areas=ev.key_areas,
        important_users=ev.important_users,
    )


def respond_output(plan: ResponsePlan) -> dict[str, Any]:
    """The whole ``outage-sim respond --json`` object: classification keys, event and response."""
    out = dict(plan.severity.to_dict())
    out["event"] = {
        "time": plan.time.isoformat(),
        "end_time": plan.end_time.isoformat() if plan.end_time else None,
        "districts": list(plan.districts),
        "minor_districts": [d.name for d in plan.minor],
        "cause": plan.cause,
        "secondary": list(plan.secondary),
        "source": plan.source,
    }
    out["response"] = plan.to_dict()
    return out
