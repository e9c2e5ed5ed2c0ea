"""The result objects of :mod:`outage_sim.response.build`: the frozen :class:`ResponsePlan` and its parts.

Kept apart from the rules that build them (:func:`outage_sim.response.build_response`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from outage_sim.response.organisation_file import Role, WarningAction
from outage_sim.response.text import cn_time, mw_zh, num
from outage_sim.severity import Severity


@dataclass(frozen=True)
class ActivatedUnit:
    """A member unit (附件二) activated for the event, with the duties that apply.

    Attributes
    ----------
    name_zh, name_en : str
        The unit as the attachment names it, and an English name.
    duties_zh, duties_en : tuple of str
        The duty parts that apply to this event (Chinese verbatim, English gloss).
    triggers : tuple of str
        Why it is activated: ``all_events``, ``city_led``, ``major`` or a cause / secondary key.
    conditional : bool
        True when it is activated only because the city government *may* lead (a
        ``city_or_designated_district`` event).
    bodies : tuple of str
        For 事发地区县政府: the governments of the affected districts.
    """

    name_zh: str
    name_en: str
    duties_zh: tuple[str, ...]
    duties_en: tuple[str, ...]
    triggers: tuple[str, ...]
    conditional: bool = False
    bodies: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form."""
        out = {
            "name": self.name_zh,
            "name_en": self.name_en,
            "duties": list(self.duties_zh),
            "duties_en": list(self.duties_en),
            "triggers": list(self.triggers),
            "conditional": self.conditional,
        }
        if self.bodies:
            out["bodies"] = list(self.bodies)
        return out


@dataclass(frozen=True)
class ImportantUsers:
    """重要电力用户 (important power users) of one category cut off in one district (§4.2.2).

    ``shed_mw`` is their load shed when known (a run knows it; a real event may not).
    """

    district: str
    category: str
    category_zh: str
    category_en: str
    count: int
    shed_mw: float | None = None

    @property
    def text_zh(self) -> str:
        """``渝北区：医院3处（减供12.5兆瓦）``."""
        mw = f"（减供{mw_zh(self.shed_mw)}）" if self.shed_mw else ""
        return f"{self.district}：{self.category_zh}{self.count}处{mw}"

    @property
    def text_en(self) -> str:
        """``渝北区: 3 hospitals (12.5 MW shed)``."""
        mw = f" ({num(self.shed_mw)} MW shed)" if self.shed_mw else ""
        return f"{self.district}: {self.count} × {self.category_en}{mw}"

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form."""
        return {"district": self.district, "category": self.category,
                "category_zh": self.category_zh, "category_en": self.category_en,
                "count": self.count, "shed_mw": self.shed_mw}


@dataclass(frozen=True)
class Report:
    """A report on the clock: ``by`` reports to ``to`` by ``due`` (None: no fixed time yet).

    Each report has one reporting body (``by`` holds one name): bodies report on their own.
    ``deadline_min`` 0 is "立即" (at once, on receipt): ``due`` is then the event time.
    """

    kind: str
    by: tuple[str, ...]
    by_en: tuple[str, ...]
    to: tuple[str, ...]
    to_en: tuple[str, ...]
    due: datetime | None
    deadline_min: int | None
    clause: str
    note: Role

    @property
    def immediate(self) -> bool:
        """Due at once (立即, 接报后), not at a clock time."""
        return self.deadline_min == 0

    @property
    def due_zh(self) -> str:
        """When it is due, as a Chinese document writes it (Beijing time)."""
        if self.immediate:
            return "立即（接报后）"
        if self.due is not None:
            return cn_time(self.due)
        return "处置结束后及时" if self.kind == "final" else "及时（无固定时限）"

    @property
    def due_en(self) -> str:
        """When it is due, in English."""
        if self.immediate:
            return "at once (on receipt)"
        if self.due is not None:
            return self.due.isoformat(timespec="minutes")
        return "promptly when handling ends" if self.kind == "final" else "promptly (no fixed time)"

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form: ``to``/``by`` joined with 、 and ``due`` as ISO 8601 or None."""
        return {
            "kind": self.kind,
            "immediate": self.immediate,
            "due_zh": self.due_zh,
            "to": "、".join(self.to),
            "by": "、".join(self.by),
            "due": self.due.isoformat() if self.due else None,
            "to_en": "; ".join(self.to_en),
            "by_en": "; ".join(self.by_en),
            "to_units": list(self.to),
            "by_units": list(self.by),
            "deadline_min": self.deadline_min,
            "clause": self.clause,
            "note": self.note.zh,
            "note_en": self.note.en,
        }


@dataclass(frozen=True)
class ChainLink:
    """§3.3.1: one report of the chain every event starts, due at once."""

    by: str
    by_en: str
    to: str
    to_en: str
    when: Role

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form."""
        return {
            "by": self.by,
            "by_en": self.by_en,
            "to": self.to,
            "to_en": self.to_en,
            "when": self.when.zh,
            "when_en": self.when.en,
        }


@dataclass(frozen=True)
class WarningInfo:
    """§3.2: the warning matching the event level, who may issue it, where it goes, who acts."""

    level: int
    level_zh: str
    color: str
    color_zh: str
    issuers: tuple[Role, ...]
    channels: tuple[Role, ...]
    actions: tuple[WarningAction, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (``issuers`` in Chinese, ``issuers_en`` beside)."""
        return {
            "level": self.level,
            "level_zh": self.level_zh,
            "color": self.color,
            "color_zh": self.color_zh,
            "issuers": [r.zh for r in self.issuers],
            "issuers_en": [r.en for r in self.issuers],
            "channels": [r.zh for r in self.channels],
            "channels_en": [r.en for r in self.channels],
            "actions": [
                {
                    "party": a.party_zh,
                    "party_en": a.party_en,
                    "action": a.action_zh,
                    "action_en": a.action_en,
                }
                for a in self.actions
            ],
        }


@dataclass(frozen=True)
class Measure:
    """§4.2: one item of the measures checklist with its owners."""

    id: str
    clause: str
    title: Role
    action_zh: str
    action_en: str
    owners: tuple[Role, ...]
    owners_note: Role | None
    mapped_units: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form."""
        return {
            "id": self.id,
            "clause": self.clause,
            "title": self.title.zh,
            "title_en": self.title.en,
            "action": self.action_zh,
            "action_en": self.action_en,
            "owners": [o.zh for o in self.owners],
            "owners_en": [o.en for o in self.owners],
            "owners_note": self.owners_note.to_dict() if self.owners_note else None,
            "mapped_units": list(self.mapped_units),
        }


@dataclass(frozen=True)
class ResponsePlan:
    """What the plan requires for one event: command, units, warning, reports and measures.

    ``activated`` is False for an event below every band (level "none"): the plan is not
    started and every list is empty. ``severity`` is the severity result the plan was built from;
    ``source`` the 信息来源 (source of the information) for the incident report, if given.
    ``exercise`` marks a scenario or drill (演练) in every document; ``facts`` holds what a run
    knows for the §3.3.2 fields (``course``, ``trend``, ``handling``: Chinese and English);
    ``aftermath`` the §5 outputs once the response has ended (:mod:`outage_sim.response.aftermath`).
    """

    severity: Severity
    time: datetime
    end_time: datetime | None
    districts: tuple[str, ...]
    cause: str | None
    secondary: tuple[str, ...]
    source: str | None
    activated: bool
    response_level: str | None
    response_zh: str | None
    lead: str | None
    lead_role: Role | None
    lead_district: str | None
    on_site_hq: Role | None
    commander: Role | None
    deputies: tuple[Role, ...]
    working_groups: tuple[Role, ...]
    member_units: tuple[ActivatedUnit, ...]
    warning: WarningInfo | None
    report_chain: tuple[ChainLink, ...]
    reports: tuple[Report, ...]
    measures: tuple[Measure, ...]
    notes: tuple[Role, ...]
    exercise: bool = False
    key_areas: tuple[str, ...] = ()
    important_users: tuple[ImportantUsers, ...] = ()
    aftermath: Any = None
    facts: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def minor(self) -> tuple[Any, ...]:
        """Districts with some load shed or customers out below the affected reading (轻微影响)."""
        return self.severity.minor

    @property
    def level(self) -> str:
        """The event level in Chinese (特别重大/重大/较大/一般 or "none")."""
        return self.severity.level

    @property
    def level_rank(self) -> int:
        """The event level's rank, 4..1, 0 for none."""
        return int(self.severity.level_rank)

    def report(self, kind: str) -> tuple[Report, ...]:
        """The reports of one kind (first, phone, written, ministry, followup or final)."""
        return tuple(r for r in self.reports if r.kind == kind)

    def to_dict(self) -> dict[str, Any]:
        """The ``response`` object of the ``outage-sim respond --json`` contract (design.md)."""
        return {
            "activated": self.activated,
            "response_level": self.response_level,
            "response_level_zh": self.response_zh,
            "lead": self.lead,
            "lead_zh": self.lead_role.zh if self.lead_role else None,
            "lead_en": self.lead_role.en if self.lead_role else None,
            "lead_district": self.lead_district,
            "on_site_hq": self.on_site_hq.to_dict() if self.on_site_hq else None,
            "commander": self.commander.to_dict() if self.commander else None,
            "deputies": [d.to_dict() for d in self.deputies],
            "working_groups": [g.to_dict() for g in self.working_groups],
            "member_units": [u.to_dict() for u in self.member_units],
            "warning": self.warning.to_dict() if self.warning else None,
            "report_chain": [c.to_dict() for c in self.report_chain],
            "reports": [r.to_dict() for r in self.reports],
            "measures": [m.to_dict() for m in self.measures],
            "notes": [n.to_dict() for n in self.notes],
            "exercise": self.exercise,
            "key_areas": list(self.key_areas),
            "important_users_out": [u.to_dict() for u in self.important_users],
            "aftermath": self.aftermath.to_dict() if self.aftermath is not None else None,
            "facts": {k: {"zh": zh, "en": en} for k, (zh, en) in self.facts.items()},
        }
