"""The plan's organisation as data: command, member units, warnings, reports, measures.

:func:`load_organisation` reads ``outage_sim/data/plan/organisation.yaml`` (or another file of the
same shape) into a frozen :class:`Organisation` and checks it: every trigger a member unit uses is
known, every duty part's trigger is among its unit's activation tags, every warning colour has
issuers and the response levels cover ranks 1..4. :mod:`outage_sim.response.build` turns it, with an
event, into a :class:`~outage_sim.response.build.ResponsePlan`.

Everything a person reads is kept in Chinese (``zh``, verbatim from the plan where marked in the
data file) with a short English gloss (``en``) beside it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from outage_sim.errors import DataFileError

DEFAULT_ORGANISATION = "organisation.yaml"

#: Leads a response can have (§2.2, §4.1).
LEADS = ("city", "district", "city_or_designated_district")
#: Warning colours (§3.2.1), highest first.
WARNING_COLORS = ("red", "orange", "yellow", "blue")
#: Kinds of the reports on the clock (§3.3.1, §3.3.3).
REPORT_KINDS = ("phone", "written", "ministry", "followup", "final")


@dataclass(frozen=True)
class Role:
    """A body, person, place or note named by the plan: Chinese text, English gloss, clause.

    ``zh``/``en`` may hold the templates ``{government}``, ``{government_en}``, ``{district}``
    and ``{district_en}``; ``per_district`` says the role stands once for each affected district
    (see :meth:`Organisation.per_district`).
    """

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


@dataclass(frozen=True)
class DutyPart:
    """One duty of a member unit (a ``；``-separated part of its paragraph) and when it applies."""

    zh: str
    en: str
    when: tuple[str, ...]


@dataclass(frozen=True)
class MemberUnitSpec:
    """A member unit of 附件二 with its verbatim duty paragraph and activation tags.

    ``listed`` says whether the attachment's list of member units names it (``listed_as`` gives
    the wording there when it differs from the duty paragraph's heading); ``per_district``
    marks a unit that stands for each affected district's government (事发地区县政府).
    """

    name_zh: str
    name_en: str
    listed: bool
    listed_as: str | None
    per_district: bool
    activation: tuple[str, ...]
    duty_zh: str
    gloss_en: str
    duties: tuple[DutyPart, ...]


@dataclass(frozen=True)
class LevelSpec:
    """§4.1: the response level an event level starts and who leads a single-district event."""

    rank: int
    level_zh: str
    response_level: str
    response_zh: str
    lead: str
    clause: str


@dataclass(frozen=True)
class WarningAction:
    """§3.2.3: what one party does once a warning is out (Chinese verbatim, English gloss)."""

    party_zh: str
    party_en: str
    action_zh: str
    action_en: str


@dataclass(frozen=True)
class ChainLinkSpec:
    """§3.3.1: one report of the chain every event starts (``from`` reports to ``to``)."""

    from_zh: str
    from_en: str
    to_zh: str
    to_en: str
    when_zh: str
    when_en: str


@dataclass(frozen=True)
class ClockSpec:
    """§3.3.1/§3.3.3: one report on the clock for events of rank ``min_rank``..``max_rank``.

    ``deadline_min`` counts from the event time; ``interval_min`` repeats the report (follow-ups);
    both None: no fixed time (due when known). ``by``/``to`` hold body names or the placeholders
    ``district_governments`` and ``district_departments``.
    """

    kind: str
    min_rank: int
    max_rank: int
    deadline_min: int | None
    interval_min: int | None
    by: tuple[str, ...]
    to: tuple[str, ...]
    clause: str
    note: Role


@dataclass(frozen=True)
class MeasureSpec:
    """§4.2: one measure with the bodies the text names (``owners``).

    ``mapped`` lists attachment units whose duties cover the measure; it is our mapping, not the
    plan's wording, and is labelled so wherever it is shown.
    """

    id: str
    clause: str
    title_zh: str
    title_en: str
    action_zh: str
    action_en: str
    owners: tuple[Role, ...]
    owners_note: Role | None
    mapped: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class Organisation:
    """The organisation part of a plan, read from a data file by :func:`load_organisation`.

    Sections that are only ever shown (texts, templates, the report clock) stay as read-only
    mappings in :attr:`raw`; everything the response logic decides on is typed.
    """

    source: str
    title_zh: str
    title_en: str
    document: str
    levels: tuple[LevelSpec, ...]
    multi_district_min: int
    multi_district_lead: str
    leads: Mapping[str, Role]
    on_site_hq: Mapping[str, Role]
    city_hq: Mapping[str, Any]
    commander: Role
    deputies: tuple[Role, ...]
    working_groups: tuple[Role, ...]
    district_command: Mapping[str, Any]
    triggers: Mapping[str, Role]
    causes: Mapping[str, Role]
    cause_aliases: Mapping[str, str]
    secondary: Mapping[str, Role]
    district_full_names: Mapping[str, str]
    unknown_district: Mapping[str, str]
    member_units: tuple[MemberUnitSpec, ...]
    warning: Mapping[str, Any]
    warning_actions: tuple[WarningAction, ...]
    issuers: Mapping[str, tuple[Role, ...]]
    channels: tuple[Role, ...]
    chain: tuple[ChainLinkSpec, ...]
    clock: tuple[ClockSpec, ...]
    bodies: Mapping[str, Role]
    reports: Mapping[str, Any]
    report_fields: tuple[tuple[str, str, str], ...]
    measures: tuple[MeasureSpec, ...]
    raw: Mapping[str, Any]

    def level(self, rank: int) -> LevelSpec | None:
        """The level of ``rank`` (1..4), or None for 0 (not an event)."""
        return next((lv for lv in self.levels if lv.rank == rank), None)

    def unit(self, name_zh: str) -> MemberUnitSpec:
        """The member unit named ``name_zh`` (KeyError if the attachment has none)."""
        for unit in self.member_units:
            if unit.name_zh == name_zh:
                return unit
        raise KeyError(name_zh)

    def full_name(self, district: str) -> str:
        """Official full name of a district (the autonomous counties' long form, else as is)."""
        return self.district_full_names.get(district, district)

    def government(self, district: str) -> str:
        """Name of a district's government, e.g. 城口县人民政府."""
        return self.full_name(district) + self.raw.get("government_suffix_zh", "人民政府")

    def template_values(self, district: str | None) -> dict[str, str]:
        """Values of the ``{district}``/``{government}`` templates (district None: unknown)."""
        if district is None:
            return dict(self.unknown_district)
        return {
            "district": district,
            "district_en": district,
            "government": self.government(district),
            "government_en": f"the {self.full_name(district)} government",
        }

    def per_district(self, roles: Sequence[Role], districts: Sequence[str]) -> tuple[Role, ...]:
        """``roles`` with each ``per_district`` one repeated for every district, templates filled.

        With no districts, a per-district role stands once with :attr:`unknown_district`'s values
        (e.g. 事发地区县政府).
        """
        places: list[str | None] = list(districts) or [None]
        out: list[Role] = []
        for r in roles:
            for d in places if r.per_district else [None]:
                values = self.template_values(d)
                out.append(Role(r.zh.format(**values), r.en.format(**values), r.clause))
        return tuple(out)


def _fail(source: str, where: str, what: str) -> DataFileError:
    return DataFileError(f"{source}: {where}: {what}")


def _role(d: Mapping[str, Any], source: str, where: str) -> Role:
    try:
        return Role(
            zh=str(d["zh"]),
            en=str(d["en"]),
            clause=str(d.get("clause", "")),
            per_district=bool(d.get("per_district", False)),
        )
    except (KeyError, TypeError) as exc:
        raise _fail(source, where, f"needs zh and en ({exc})") from None


def _roles(items: Sequence[Mapping[str, Any]], source: str, where: str) -> tuple[Role, ...]:
    return tuple(_role(d, source, f"{where}[{i}]") for i, d in enumerate(items))


def _read(path: Path | None) -> tuple[dict[str, Any], str]:
    if path is None:
        ref = resources.files("outage_sim") / "data" / "plan" / DEFAULT_ORGANISATION
        text, source = (
            ref.read_text(encoding="utf-8"),
            f"outage_sim/data/plan/{DEFAULT_ORGANISATION}",
        )
    else:
        source = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise DataFileError(
                f"{source}: cannot read organisation file ({exc.strerror})"
            ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DataFileError(f"{source}: not valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise DataFileError(f"{source}: expected a mapping at the top level")
    return data, source


def _member_units(
    data: Mapping[str, Any], known: set[str], source: str
) -> tuple[MemberUnitSpec, ...]:
    units = []
    for i, u in enumerate(data["member_units"]):
        where = f"member_units[{i}] ({u.get('name_zh', '?')})"
        activation = tuple(u.get("activation") or ())
        if not activation or not set(activation) <= known:
            raise _fail(
                source,
                where,
                f"activation {list(activation)} must be a non-empty list of {sorted(known)}",
            )
        parts = u.get("duties") or [
            {"zh": u["duty_zh"], "en": u["gloss_en"], "when": list(activation)}
        ]
        duties = tuple(
            DutyPart(zh=str(p["zh"]), en=str(p["en"]), when=tuple(p.get("when") or activation))
            for p in parts
        )
        used = {t for p in duties for t in p.when}
        if used != set(activation):
            raise _fail(
                source,
                where,
                f"duty parts use triggers {sorted(used)}, activation says {sorted(activation)}",
            )
        units.append(
            MemberUnitSpec(
                name_zh=str(u["name_zh"]),
                name_en=str(u["name_en"]),
                listed=bool(u.get("listed", True)),
                listed_as=u.get("listed_as"),
                per_district=bool(u.get("per_district", False)),
                activation=activation,
                duty_zh=str(u["duty_zh"]),
                gloss_en=str(u["gloss_en"]),
                duties=duties,
            )
        )
    names = [u.name_zh for u in units]
    if len(set(names)) != len(names):
        raise _fail(source, "member_units", "a unit appears twice")
    return tuple(units)


def _measures(
    data: Mapping[str, Any], unit_names: set[str], source: str
) -> tuple[MeasureSpec, ...]:
    out = []
    for i, m in enumerate(data["measures"]):
        where = f"measures[{i}] ({m.get('id', '?')})"
        mapped = tuple(m.get("mapped") or ())
        if not set(mapped) <= unit_names:
            raise _fail(
                source, where, f"mapped names unknown units {sorted(set(mapped) - unit_names)}"
            )
        note = None
        if m.get("owners_note_zh"):
            note = Role(zh=m["owners_note_zh"], en=m.get("owners_note_en", ""))
        out.append(
            MeasureSpec(
                id=str(m["id"]),
                clause=str(m["clause"]),
                title_zh=str(m["title_zh"]),
                title_en=str(m["title_en"]),
                action_zh=str(m["action_zh"]),
                action_en=str(m["action_en"]),
                owners=_roles(m.get("owners") or (), source, f"{where}.owners"),
                owners_note=note,
                mapped=mapped,
            )
        )
    return tuple(out)


def _build(data: dict[str, Any], source: str) -> Organisation:
    shown = (
        "response_adjust",
        "not_activated",
        "working_groups_note_zh",
        "working_groups_note_en",
        "working_groups_clause",
    )
    missing = [k for k in shown if k not in data]
    if missing:
        raise _fail(source, "top level", f"missing {', '.join(missing)}")
    for key in ("response_adjust", "not_activated"):
        _role(data[key], source, key)
    triggers = {k: _role(v, source, f"triggers.{k}") for k, v in data["triggers"].items()}
    causes = {k: _role(v, source, f"causes.{k}") for k, v in data["causes"].items()}
    secondary = {k: _role(v, source, f"secondary.{k}") for k, v in data["secondary"].items()}
    clash = (
        (set(triggers) & set(causes))
        | (set(triggers) & set(secondary))
        | (set(causes) & set(secondary))
    )
    if clash:
        raise _fail(source, "triggers/causes/secondary", f"names used twice: {sorted(clash)}")
    aliases = dict(data.get("cause_aliases") or {})
    if not set(aliases.values()) <= set(causes):
        raise _fail(source, "cause_aliases", "an alias points to an unknown cause")

    levels = tuple(
        LevelSpec(
            rank=int(lv["rank"]),
            level_zh=str(lv["level_zh"]),
            response_level=str(lv["response_level"]),
            response_zh=str(lv["response_zh"]),
            lead=str(lv["lead"]),
            clause=str(lv["clause"]),
        )
        for lv in data["response_levels"]
    )
    if sorted(lv.rank for lv in levels) != [1, 2, 3, 4] or any(
        lv.lead not in LEADS for lv in levels
    ):
        raise _fail(source, "response_levels", f"need ranks 1..4 each with a lead in {LEADS}")

    units = _member_units(data, set(triggers) | set(causes) | set(secondary), source)
    warning = data["warning"]
    issuers = {
        c: _roles(v or (), source, f"warning.issuers.{c}") for c, v in warning["issuers"].items()
    }
    if set(issuers) != set(WARNING_COLORS) or not all(issuers.values()):
        raise _fail(
            source, "warning.issuers", f"each of {WARNING_COLORS} needs at least one issuer"
        )
    hq = data["city_hq"]
    rep = data["reports"]
    clock = tuple(
        ClockSpec(
            kind=str(c["kind"]),
            min_rank=int(c["min_rank"]),
            max_rank=int(c["max_rank"]),
            deadline_min=c.get("deadline_min"),
            interval_min=c.get("interval_min"),
            by=tuple(c["by"]),
            to=tuple(c["to"]),
            clause=str(c["clause"]),
            note=Role(zh=str(c["note_zh"]), en=str(c["note_en"])),
        )
        for c in rep["clock"]
    )
    if {c.kind for c in clock} != set(REPORT_KINDS):
        raise _fail(source, "reports.clock", f"kinds must be exactly {REPORT_KINDS}")
    bodies = {
        k: Role(zh=str(v.get("zh", k)), en=str(v["en"]), per_district=bool(v.get("per_district")))
        for k, v in rep["bodies"].items()
    }
    named = {b for c in clock for b in c.by + c.to}
    if not named <= set(bodies):
        raise _fail(
            source, "reports.clock", f"bodies not in reports.bodies: {sorted(named - set(bodies))}"
        )
    unknown = dict(data["unknown_district"])
    if set(unknown) != {"district", "district_en", "government", "government_en"}:
        raise _fail(
            source, "unknown_district", "needs district, district_en, government, government_en"
        )
    return Organisation(
        source=source,
        title_zh=data["plan"]["title_zh"],
        title_en=data["plan"]["title_en"],
        document=data["plan"]["document"],
        levels=levels,
        multi_district_min=int(data["multi_district_min"]),
        multi_district_lead=str(data["multi_district_lead"]),
        leads={k: _role(v, source, f"leads.{k}") for k, v in data["leads"].items()},
        on_site_hq={k: _role(v, source, f"on_site_hq.{k}") for k, v in data["on_site_hq"].items()},
        city_hq=hq,
        commander=_role(hq["commander"], source, "city_hq.commander"),
        deputies=_roles(hq["deputies"], source, "city_hq.deputies"),
        working_groups=_roles(data["working_groups"], source, "working_groups"),
        district_command=data["district_command"],
        triggers=triggers,
        causes=causes,
        cause_aliases=aliases,
        secondary=secondary,
        district_full_names=dict(data.get("district_full_names") or {}),
        unknown_district=unknown,
        member_units=units,
        warning=warning,
        warning_actions=tuple(WarningAction(**a) for a in warning["actions"]),
        issuers=issuers,
        channels=_roles(warning["channels"], source, "warning.channels"),
        chain=tuple(ChainLinkSpec(**c) for c in rep["chain"]),
        clock=clock,
        bodies=bodies,
        reports=rep,
        report_fields=tuple((f["key"], f["zh"], f["en"]) for f in rep["contents"]),
        measures=_measures(data, {u.name_zh for u in units}, source),
        raw=data,
    )


def load_organisation(path: str | Path | None = None) -> Organisation:
    """Read and check an organisation file.

    Parameters
    ----------
    path : str or Path, optional
        A YAML file shaped like ``outage_sim/data/plan/organisation.yaml``; the packaged
        Chongqing 2021 file when omitted (read once and cached).

    Returns
    -------
    Organisation

    Raises
    ------
    DataFileError
        The file is missing, not YAML, lacks a section, or is inconsistent (the message names
        the entry).
    """
    if path is None:
        return _default_organisation()
    return _load(Path(path))


@functools.lru_cache(maxsize=1)
def _default_organisation() -> Organisation:
    return _load(None)


def _load(path: Path | None) -> Organisation:
    data, source = _read(path)
    try:
        return _build(data, source)
    except KeyError as exc:
        raise DataFileError(f"{source}: missing section or field {exc}") from None
    except TypeError as exc:
        raise DataFileError(f"{source}: malformed entry ({exc})") from None
