"""The shape of an organisation file (``outage_sim/data/plan/organisation.yaml``) as pydantic models.

:class:`OrganisationFile` checks a parsed file in one pass: every section and field is typed (no
unknown keys, so a misspelt one is caught), and its model validator checks the references
between sections: the tags a member unit is activated by are known triggers, causes
or secondary incidents, every report body the clock names is defined, every colour has issuers,
the response levels cover ranks 1..4. Each problem names its path in the file
(``member_units[21].activation[0]: ...``); :func:`outage_sim.response.load_organisation`
turns them into one :class:`~outage_sim.errors.DataFileError`.

The entries the response logic uses (:class:`LevelSpec`, :class:`MemberUnitSpec`,
:class:`WarningAction`, ...) are these models themselves, frozen; :class:`Role` is a plain frozen
dataclass (the response code builds roles of its own, positionally) that pydantic checks the same
way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from outage_sim.errors import did_you_mean
from outage_sim.response.organisation_docs import (
    AftermathSpec,
    Category,
    DocumentsSpec,
    PublicWarning,
)

#: Who leads a response (§2.2, §4.1).
Lead = Literal["city", "district", "city_or_designated_district"]
#: Warning colours (§3.2.1), highest first.
WarningColor = Literal["red", "orange", "yellow", "blue"]
#: Kinds of the reports on the clock (§3.3.1, §3.3.3).
ReportKind = Literal["first", "phone", "written", "ministry", "followup", "final"]

LEADS: tuple[str, ...] = get_args(Lead)
WARNING_COLORS: tuple[str, ...] = get_args(WarningColor)
REPORT_KINDS: tuple[str, ...] = get_args(ReportKind)

_ENTRY = ConfigDict(frozen=True, extra="forbid")

Rank = Annotated[int, Field(ge=1, le=4)]
Minutes = Annotated[int, Field(ge=0)]


@dataclass(frozen=True)
class Role:
    """A body, person, place or note named by the plan: Chinese text, English gloss, clause.

    ``zh``/``en`` may hold the templates ``{government}``, ``{government_en}``, ``{district}``
    and ``{district_en}``; ``per_district`` says the role stands once for each affected district
    (see :meth:`~outage_sim.response.organisation.Organisation.per_district`).
    """

    # pydantic reads this when a file entry is checked as a Role: unknown keys are errors
    __pydantic_config__ = ConfigDict(extra="forbid")

    zh: str
    en: str
    clause: str = ""
    per_district: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (``clause`` left out when empty)."""
        out: dict[str, Any] = {"zh": self.zh, "en": self.en}
        if self.clause:
            out["clause"] = self.clause
        return out


class LevelSpec(BaseModel):
    """§4.1: the response level an event level starts and who leads a single-district event."""

    model_config = _ENTRY

    rank: Rank
    level_zh: str
    response_level: str
    response_zh: str
    lead: Lead
    clause: str


class DutyPart(BaseModel):
    """One duty of a member unit (a ``；``-separated part of its paragraph) and when it applies.

    ``when`` left out in the file: the unit's whole activation.
    """

    model_config = _ENTRY

    zh: str
    en: str
    when: tuple[str, ...] = ()


class MemberUnitSpec(BaseModel):
    """A member unit of 附件二 with its verbatim duty paragraph and activation tags.

    ``listed`` says whether the attachment's list of member units names it (``listed_as`` gives
    the wording there when it differs from the duty paragraph's heading); ``per_district``
    marks a unit that stands for each affected district's government (事发地区县政府). A unit
    whose paragraph is not split has one duty part: the paragraph, for its whole activation.
    """

    model_config = _ENTRY

    name_zh: str
    name_en: str
    listed: bool = True
    listed_as: str | None = None
    per_district: bool = False
    activation: tuple[str, ...] = Field(min_length=1)
    duty_zh: str
    gloss_en: str
    duties: tuple[DutyPart, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _default_parts(cls, data: Any) -> Any:
        # the file leaves the obvious out: an unsplit paragraph is one part, and a part without
        # `when` applies for the unit's whole activation
        if not isinstance(data, Mapping):
            return data
        parts = data.get("duties")
        if not parts and "duty_zh" in data and "gloss_en" in data:
            parts = [{"zh": data["duty_zh"], "en": data["gloss_en"]}]
        whole = data.get("activation")
        if isinstance(parts, (list, tuple)) and isinstance(whole, (list, tuple)) and whole:
            parts = [{**p, "when": whole} if isinstance(p, Mapping) and not p.get("when") else p
                     for p in parts]
        return {**data, "duties": parts} if parts else data

    @model_validator(mode="after")
    def _parts_match_activation(self) -> MemberUnitSpec:
        used = {t for p in self.duties for t in p.when}
        if used != set(self.activation):
            raise ValueError(f"duties: {self.name_zh}: the parts use triggers {sorted(used)}, "
                             f"activation says {sorted(self.activation)}")
        return self


class WarningAction(BaseModel):
    """§3.2.3: what one party does once a warning is out (Chinese verbatim, English gloss)."""

    model_config = _ENTRY

    party_zh: str
    party_en: str
    action_zh: str
    action_en: str


class ChainLinkSpec(BaseModel):
    """§3.3.1: one report of the chain every event starts (``from`` reports to ``to``)."""

    model_config = _ENTRY

    from_zh: str
    from_en: str
    to_zh: str
    to_en: str
    when_zh: str
    when_en: str


class ClockSpec(BaseModel):
    """§3.3.1/§3.3.3: one report on the clock for events of rank ``min_rank``..``max_rank``.

    ``deadline_min`` counts from the event time; ``interval_min`` repeats the report (follow-ups);
    both None: no fixed time (due when known). ``by``/``to`` hold keys of ``reports.bodies``
    (body names or the placeholders ``district_governments`` and ``district_departments``).
    """

    model_config = _ENTRY

    kind: ReportKind
    min_rank: Rank
    max_rank: Rank
    deadline_min: Minutes | None = None
    interval_min: Annotated[int, Field(gt=0)] | None = None
    by: tuple[str, ...] = Field(min_length=1)
    to: tuple[str, ...] = Field(min_length=1)
    clause: str
    note_zh: str
    note_en: str

    @model_validator(mode="after")
    def _ranks(self) -> ClockSpec:
        if self.min_rank > self.max_rank:
            raise ValueError(f"max_rank: {self.max_rank} is below min_rank {self.min_rank}")
        return self

    @property
    def note(self) -> Role:
        """The plan's words on this report's timing."""
        return Role(zh=self.note_zh, en=self.note_en)


class MeasureSpec(BaseModel):
    """§4.2: one measure with the bodies the text names (``owners``).

    ``mapped`` lists attachment units whose duties cover the measure; it is our mapping, not the
    plan's wording, and is labelled so wherever it is shown.
    """

    model_config = _ENTRY

    id: str
    clause: str
    title_zh: str
    title_en: str
    action_zh: str
    action_en: str
    owners: tuple[Role, ...] = ()
    owners_note_zh: str = ""
    owners_note_en: str = ""
    mapped: tuple[str, ...] = ()

    @property
    def owners_note(self) -> Role | None:
        """A note on the owners (e.g. the text names none), or None."""
        return Role(zh=self.owners_note_zh, en=self.owners_note_en) if self.owners_note_zh else None


# --- the sections that are only read, shown or reshaped ------------------------------------------


class _PlanInfo(BaseModel):
    model_config = _ENTRY
    title_zh: str
    title_en: str
    document: str
    code: str = ""
    issued: str = ""


class _CityHQ(BaseModel):
    model_config = _ENTRY
    name_zh: str
    name_en: str
    clause: str
    under_zh: str
    under_en: str
    national_zh: str
    national_en: str
    national_clause: str
    commander: Role
    deputies: tuple[Role, ...]
    deputies_note_zh: str = ""
    deputies_note_en: str = ""
    duties_zh: tuple[str, ...]
    duties_en: tuple[str, ...]
    support_request_zh: str
    support_request_en: str
    support_request_clause: str


class _WorkingGroup(BaseModel):
    model_config = _ENTRY
    key: str
    zh: str
    en: str


class _DistrictCommand(BaseModel):
    model_config = _ENTRY
    commander: Role
    commander_multi: Role
    note_zh: str
    note_en: str
    clause: str


class _UnknownDistrict(BaseModel):
    model_config = _ENTRY
    district: str
    district_en: str
    government: str
    government_en: str


class _Field(BaseModel):
    model_config = _ENTRY
    key: str
    zh: str
    en: str


class _Warning(BaseModel):
    model_config = _ENTRY
    clause: str
    issuers_clause: str
    issuers: dict[WarningColor, Annotated[tuple[Role, ...], Field(min_length=1)]]
    proposer_zh: str
    proposer_en: str
    issuers_note_zh: str = ""
    issuers_note_en: str = ""
    content_clause: str
    content_fields: tuple[_Field, ...]
    channels: tuple[Role, ...]
    actions_clause: str
    actions: tuple[WarningAction, ...]
    adjust_clause: str
    adjust_zh: str
    adjust_en: str


class _ReportBody(BaseModel):
    # `zh` left out: the key is the body's Chinese name
    model_config = _ENTRY
    zh: str | None = None
    en: str
    per_district: bool = False


class _Reports(BaseModel):
    model_config = _ENTRY
    chain_clause: str
    chain: tuple[ChainLinkSpec, ...]
    chain_content_zh: str
    chain_content_en: str
    bodies: dict[str, _ReportBody]
    clock: tuple[ClockSpec, ...]
    contents_clause: str
    contents: tuple[_Field, ...]
    notify_clause: str
    notify_zh: str
    notify_en: str


class OrganisationFile(BaseModel):
    """A whole organisation file, checked (see the module notes for what is cross-checked)."""

    model_config = _ENTRY

    plan: _PlanInfo
    response_levels: tuple[LevelSpec, ...]
    multi_district_min: Annotated[int, Field(ge=1)]
    multi_district_lead: Lead
    leads: dict[Lead, Role]
    on_site_hq: dict[Lead, Role]
    city_hq: _CityHQ
    response_adjust: Role
    not_activated: Role
    working_groups_clause: str
    working_groups_note_zh: str
    working_groups_note_en: str
    working_groups: tuple[_WorkingGroup, ...]
    district_command: _DistrictCommand
    triggers: dict[str, Role]
    causes: dict[str, Role]
    cause_aliases: dict[str, str] = Field(default_factory=dict)
    secondary: dict[str, Role]
    district_full_names: dict[str, str] = Field(default_factory=dict)
    government_suffix_zh: str = "人民政府"
    government_suffix_en: str = "government"
    unknown_district: _UnknownDistrict
    member_units_clause: str = ""
    member_units: tuple[MemberUnitSpec, ...] = Field(min_length=1)
    warning: _Warning
    reports: _Reports
    measures_clause: str = ""
    measures: tuple[MeasureSpec, ...]
    documents: DocumentsSpec
    important_user_categories: dict[str, Category] = Field(default_factory=dict)
    public_warning: PublicWarning
    aftermath: AftermathSpec
    functional_areas: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _cross_checks(self) -> OrganisationFile:
        # every reference between sections, each problem with its path, all reported at once
        found = [p for check in _CHECKS for p in check(self)]
        if found:
            raise ValueError("; ".join(found))
        return self


# --- cross-checks: each yields "path: what is wrong" ---------------------------------------------


def _tag_tables(f: OrganisationFile) -> dict[str, Mapping[str, Role]]:
    return {"triggers": f.triggers, "causes": f.causes, "secondary": f.secondary}


def _check_tags(f: OrganisationFile) -> Iterator[str]:
    """Trigger, cause and secondary names are distinct; every cause alias points to a cause."""
    seen: dict[str, str] = {}
    for table, keys in _tag_tables(f).items():
        for key in keys:
            if key in seen:
                yield f"{table}.{key}: the name is already used in {seen[key]}"
            seen.setdefault(key, table)
    for alias, target in f.cause_aliases.items():
        if target not in f.causes:
            yield (f"cause_aliases.{alias}: {target!r} is not a cause"
                   f"{did_you_mean(target, list(f.causes))}")


def _check_levels(f: OrganisationFile) -> Iterator[str]:
    ranks = sorted(lv.rank for lv in f.response_levels)
    if ranks != [1, 2, 3, 4]:
        yield f"response_levels: need ranks 1, 2, 3 and 4 once each, got {ranks}"
    for table in ("leads", "on_site_hq"):
        missing = [lead for lead in LEADS if lead not in getattr(f, table)]
        if missing:
            yield f"{table}: missing {', '.join(missing)}"


def _check_member_units(f: OrganisationFile) -> Iterator[str]:
    known = list(dict.fromkeys(k for table in _tag_tables(f).values() for k in table))
    first: dict[str, int] = {}
    for i, unit in enumerate(f.member_units):
        for j, tag in enumerate(unit.activation):
            if tag not in known:
                yield (f"member_units[{i}].activation[{j}]: {unit.name_zh}: unknown activation "
                       f"tag {tag!r}{did_you_mean(tag, known)} (a trigger, cause or secondary "
                       f"incident: {', '.join(known)})")
        if unit.name_zh in first:
            yield (f"member_units[{i}].name_zh: {unit.name_zh!r} appears twice (first at "
                   f"member_units[{first[unit.name_zh]}])")
        first.setdefault(unit.name_zh, i)


def _check_measures(f: OrganisationFile) -> Iterator[str]:
    names = [u.name_zh for u in f.member_units]
    for i, m in enumerate(f.measures):
        for j, name in enumerate(m.mapped):
            if name not in names:
                yield (f"measures[{i}].mapped[{j}]: {m.id}: no member unit named {name!r}"
                       f"{did_you_mean(name, names)}")


def _check_warning(f: OrganisationFile) -> Iterator[str]:
    missing = [c for c in WARNING_COLORS if c not in f.warning.issuers]
    if missing:
        yield f"warning.issuers: each colour needs issuers; missing {', '.join(missing)}"


def _check_clock(f: OrganisationFile) -> Iterator[str]:
    kinds = {c.kind for c in f.reports.clock}
    missing = [k for k in REPORT_KINDS if k not in kinds]
    if missing:
        yield f"reports.clock: no entry of kind {', '.join(missing)}"
    bodies = list(f.reports.bodies)
    for i, c in enumerate(f.reports.clock):
        for side in ("by", "to"):
            for j, name in enumerate(getattr(c, side)):
                if name not in bodies:
                    yield (f"reports.clock[{i}].{side}[{j}]: {name!r} is not in reports.bodies"
                           f"{did_you_mean(name, bodies)}")


_CHECKS: tuple[Callable[[OrganisationFile], Iterator[str]], ...] = (
    _check_tags,
    _check_levels,
    _check_member_units,
    _check_measures,
    _check_warning,
    _check_clock,
)
