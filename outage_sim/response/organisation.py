"""The plan's organisation as data: command, member units, warnings, reports, measures.

:func:`load_organisation` reads ``outage_sim/data/plan/organisation.yaml`` (or another file of the
same shape) into a frozen :class:`Organisation`. The file is checked by the pydantic model
:class:`~outage_sim.response.organisation_file.OrganisationFile`: every section and field typed,
and the references between sections (every trigger a member unit uses is known, every duty
part's trigger is among its unit's activation tags, every warning colour has issuers, the
response levels cover ranks 1..4); a bad file is one :class:`~outage_sim.errors.DataFileError`
naming the file and the path of each problem. :mod:`outage_sim.response.build` turns the
organisation, with an event, into a :class:`~outage_sim.response.ResponsePlan`.

Everything a person reads is kept in Chinese (``zh``, verbatim from the plan where marked in the
data file) with a short English gloss (``en``) beside it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta, timezone
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from outage_sim.errors import DataFileError
from outage_sim.inputs import parse_yaml, read_text
from outage_sim.response.organisation_docs import (
    AftermathSpec,
    Category,
    DocumentsSpec,
    PublicWarning,
)
from outage_sim.response.organisation_file import (
    ChainLinkSpec,
    ClockSpec,
    LevelSpec,
    MeasureSpec,
    MemberUnitSpec,
    OrganisationFile,
    Role,
    WarningAction,
)
from outage_sim.validation import problems

__all__ = ["Organisation", "load_organisation"]

DEFAULT_ORGANISATION = "organisation.yaml"


@dataclass(frozen=True, eq=False)
class Organisation:
    """The organisation part of a plan, read from a data file by :func:`load_organisation`.

    Sections that are only ever shown (texts, templates, the report texts) stay as read-only
    mappings of the file (:attr:`raw`, :attr:`city_hq`, :attr:`warning`, ...), checked like the
    rest; everything the response logic decides on is typed.
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
    documents: DocumentsSpec
    categories: Mapping[str, Category]
    public_warning: PublicWarning
    aftermath: AftermathSpec
    functional_areas: Mapping[str, tuple[str, ...]]

    @property
    def tz(self) -> timezone:
        """The zone every document's clock times are written in (Beijing time)."""
        return timezone(timedelta(hours=self.documents.utc_offset_h))

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


def _read(path: Path | None) -> tuple[Any, str]:
    """The parsed YAML of ``path`` (the packaged file when None) and how to name it."""
    if path is None:
        ref = resources.files("outage_sim") / "data" / "plan" / DEFAULT_ORGANISATION
        text, source = (
            ref.read_text(encoding="utf-8"),
            f"outage_sim/data/plan/{DEFAULT_ORGANISATION}",
        )
    else:
        source = str(path)
        # size, UTF-8, no YAML aliases or duplicate keys, depth, texts: outage_sim.inputs
        text = read_text(path, name=source, error=DataFileError)
    return parse_yaml(text, source, error=DataFileError), source


def _organisation(f: OrganisationFile, data: Mapping[str, Any], source: str) -> Organisation:
    """The checked file as the :class:`Organisation` the response code reads."""
    bodies = {
        k: Role(zh=b.zh or k, en=b.en, per_district=b.per_district)
        for k, b in f.reports.bodies.items()
    }
    return Organisation(
        source=source,
        title_zh=f.plan.title_zh,
        title_en=f.plan.title_en,
        document=f.plan.document,
        levels=f.response_levels,
        multi_district_min=f.multi_district_min,
        multi_district_lead=f.multi_district_lead,
        leads=f.leads,
        on_site_hq=f.on_site_hq,
        city_hq=data["city_hq"],
        commander=f.city_hq.commander,
        deputies=f.city_hq.deputies,
        working_groups=tuple(Role(zh=g.zh, en=g.en) for g in f.working_groups),
        district_command=data["district_command"],
        triggers=f.triggers,
        causes=f.causes,
        cause_aliases=f.cause_aliases,
        secondary=f.secondary,
        district_full_names=f.district_full_names,
        unknown_district=f.unknown_district.model_dump(),
        member_units=f.member_units,
        warning=data["warning"],
        warning_actions=f.warning.actions,
        issuers=f.warning.issuers,
        channels=f.warning.channels,
        chain=f.reports.chain,
        clock=f.reports.clock,
        bodies=bodies,
        reports=data["reports"],
        report_fields=tuple((c.key, c.zh, c.en) for c in f.reports.contents),
        measures=f.measures,
        raw=data,
        documents=f.documents,
        categories=f.important_user_categories,
        public_warning=f.public_warning,
        aftermath=f.aftermath,
        functional_areas=f.functional_areas,
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
        The file is missing, not YAML, lacks a section or field, or is inconsistent: one error
        naming the file and the path of every problem (``member_units[21].activation[0]: ...``).
    """
    if path is None:
        return _default_organisation()
    return _load(Path(path))


@functools.lru_cache(maxsize=1)
def _default_organisation() -> Organisation:
    return _load(None)


def _load(path: Path | None) -> Organisation:
    data, source = _read(path)
    if not isinstance(data, dict):
        raise DataFileError(f"{source}: expected a mapping at the top level")
    try:
        checked = OrganisationFile.model_validate(data)
    except ValidationError as exc:
        raise DataFileError(f"{source}: {'; '.join(problems(exc))}") from None
    return _organisation(checked, data, source)
