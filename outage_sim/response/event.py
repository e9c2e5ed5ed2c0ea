"""The input of ``outage-sim respond``: event time, cause, secondary incidents, district names.

The input (:class:`RespondInput`, a pydantic model) is the classify event
(:class:`outage_sim.severity.EventInput`) plus::

    "time": "2024-07-31T23:40:00+08:00",     # required, ISO 8601 with a UTC offset
    "cause": "flood",                         # optional, a key of the organisation's causes
    "secondary": ["environmental"],           # optional, keys of its secondary incidents
    "end_time": "2024-08-03T12:00:00+08:00",  # optional, when handling ended
    "source": "...",                          # optional, 信息来源 for the incident report
    "key_areas": ["渝中区"],                  # optional, 重点地区 of §4.3
    "important_users_out": [{"district": "渝中区", "category": "hospital", "count": 2}]

District names are checked against the 38 districts of :func:`outage_sim.grid.district_names`;
the autonomous counties may also be written in full (石柱土家族自治县 → 石柱县).
:func:`parse_respond_event` fails with an :class:`~outage_sim.errors.InputError` of one line
naming each bad field; unknown names and causes come with the closest valid one. The
``canonical_*`` functions give the same checks, one value at a time, to other callers.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from outage_sim.errors import InputError, did_you_mean
from outage_sim.response.organisation import Organisation, load_organisation
from outage_sim.response.plan import ImportantUsers
from outage_sim.severity import DistrictInput, Event, EventInput

_TIME_EXAMPLE = "2024-05-01T08:00:00+08:00"


@dataclass(frozen=True)
class RespondEvent:
    """A checked ``outage-sim respond`` input: the classify event plus its context.

    ``districts`` are the canonical names of the districts touched (any load shed or customers
    out), in input order.
    """

    event: Event
    time: datetime
    end_time: datetime | None
    cause: str | None
    secondary: tuple[str, ...]
    districts: tuple[str, ...]
    source: str | None
    key_areas: tuple[str, ...] = ()
    important_users: tuple[ImportantUsers, ...] = ()


# --- one value at a time -------------------------------------------------------------------------
# The ``_*_key`` and ``_aware_time`` checks raise a ValueError without the field's name: the
# model's validators get the field's path from pydantic, the public functions add ``field``.
# (A wrong type is a ValueError too, which is what pydantic reports: hence the TRY004 exemptions.)


def _naive_problem(value: datetime) -> str | None:
    if value.tzinfo is None or value.utcoffset() is None:
        return f"{value.isoformat()!r} has no UTC offset (write e.g. {_TIME_EXAMPLE})"
    return None


def _aware_time(value: Any) -> datetime:
    """An ISO 8601 time string with a UTC offset (``Z`` allowed) as a datetime."""
    if not isinstance(value, str):
        raise ValueError(  # noqa: TRY004
            f"must be an ISO 8601 time string with offset, not {value!r}")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(
            f"{value!r} is not an ISO 8601 time (write e.g. {_TIME_EXAMPLE})") from None
    problem = _naive_problem(parsed)
    if problem:
        raise ValueError(problem)
    return parsed


def _cause_key(cause: Any, org: Organisation) -> str:
    if not isinstance(cause, str):
        raise ValueError(f"must be a string, not {cause!r}")  # noqa: TRY004
    key = cause.strip()
    key = org.cause_aliases.get(key, key)
    if key not in org.causes:
        choices = list(org.causes) + list(org.cause_aliases)
        hint = (
            ' (that is a secondary incident: put it in "secondary")' if key in org.secondary else ""
        )
        raise ValueError(
            f"unknown cause {cause!r}{hint}{did_you_mean(key, choices, cutoff=0.0)} "
            f"(known: {', '.join(org.causes)})"
        )
    return key


def _secondary_key(item: Any, org: Organisation) -> str:
    if not isinstance(item, str) or item.strip() not in org.secondary:
        shown = item if isinstance(item, str) else repr(item)
        hint = did_you_mean(shown, list(org.secondary), cutoff=0.0) if isinstance(item, str) else ""
        raise ValueError(
            f"unknown secondary incident {shown!r}{hint} (known: {', '.join(org.secondary)})"
        )
    return item.strip()


def _district_key(
    name: Any, aliases: Mapping[str, str], areas: Mapping[str, Sequence[str]] | None = None
) -> str:
    key = name.strip() if isinstance(name, str) else name
    if key in aliases:
        return aliases[key]
    if areas and key in areas:  # a functional area (功能区) lies in districts: name them
        raise ValueError(
            f"{name!r} is a functional area (功能区), not a district: it lies in "
            f"{'、'.join(areas[key])}; use those districts instead, each with its own figures")
    # match any accepted spelling, suggest its canonical name
    guess = difflib.get_close_matches(str(key), list(aliases), n=1, cutoff=0.0)
    hint = f"; did you mean {aliases[guess[0]]!r}?" if guess else ""
    raise ValueError(f"unknown district {name!r}{hint}")


def functional_area_hint(name: str, org: Organisation | None = None) -> str | None:
    """For a functional area (功能区) such as 两江新区: a message naming the districts it lies
    in; None for any other name."""
    try:
        _district_key(name, {}, (org or load_organisation()).functional_areas)
    except ValueError as exc:
        return str(exc) if "functional area" in str(exc) else None
    return None


def check_aware(value: datetime, field: str) -> None:
    """Raise :class:`InputError` naming ``field`` unless ``value`` carries a UTC offset."""
    problem = _naive_problem(value)
    if problem:
        raise InputError(f"{field}: {problem}")


def parse_time(value: Any, field: str = "time") -> datetime:
    """Read an ISO 8601 time with a UTC offset (``Z`` allowed).

    Raises
    ------
    InputError
        Not a string, not ISO 8601, or without an offset (the message names ``field``).
    """
    try:
        return _aware_time(value)
    except ValueError as exc:
        raise InputError(f"{field}: {exc}") from None


def canonical_cause(cause: str | None, org: Organisation | None = None) -> str | None:
    """The cause key for ``cause`` (aliases such as ``landslide`` resolved), or None.

    Raises
    ------
    InputError
        An unknown cause, with the closest known one suggested.
    """
    if cause is None:
        return None
    try:
        return _cause_key(cause, org or load_organisation())
    except ValueError as exc:
        raise InputError(f"cause: {exc}") from None


def canonical_secondary(
    item: Any, field: str = "secondary", org: Organisation | None = None
) -> str:
    """The secondary-incident key for ``item``.

    Raises
    ------
    InputError
        Not a string or an unknown incident, with the closest known one suggested.
    """
    try:
        return _secondary_key(item, org or load_organisation())
    except ValueError as exc:
        raise InputError(f"{field}: {exc}") from None


def district_aliases(org: Organisation | None = None) -> dict[str, str]:
    """Every accepted district spelling mapped to its canonical name (38 + the 自治县 forms)."""
    from outage_sim.grid import district_names

    org = org or load_organisation()
    names = district_names()
    out = {n: n for n in names}
    out.update({full: short for short, full in org.district_full_names.items() if short in out})
    return out


def canonical_district(
    name: str,
    field: str = "district",
    org: Organisation | None = None,
    aliases: Mapping[str, str] | None = None,
) -> str:
    """The canonical name of a Chongqing district (石柱土家族自治县 → 石柱县).

    Raises
    ------
    InputError
        An unknown name, with the closest valid one suggested.
    """
    org = org or load_organisation()
    try:
        return _district_key(name, aliases if aliases is not None else district_aliases(org),
                             org.functional_areas)
    except ValueError as exc:
        raise InputError(f"{field}: {exc}") from None


# --- the model ----------------------------------------------------------------------------------
# The organisation (causes, secondary incidents, 自治县 names) comes in the validation context,
# ``{"organisation": Organisation}``; without one, the packaged file is used.


def _organisation(context: dict[str, Any] | None) -> Organisation:
    return (context or {}).get("organisation") or load_organisation()


def _aliases(context: dict[str, Any] | None) -> Mapping[str, str]:
    """The district spellings, worked out once per validation (kept in the context)."""
    if context is None:
        return district_aliases(_organisation(context))
    if "aliases" not in context:
        context["aliases"] = district_aliases(_organisation(context))
    aliases: Mapping[str, str] = context["aliases"]
    return aliases


def _secondary_item(value: Any, info: ValidationInfo) -> str:
    return _secondary_key(value, _organisation(info.context))


def _district_item(value: Any, info: ValidationInfo) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be a district name, not {value!r}")  # noqa: TRY004
    return _district_key(value, _aliases(info.context),
                         _organisation(info.context).functional_areas)


def _category_item(value: Any, info: ValidationInfo) -> str:
    known = list(_organisation(info.context).categories)
    if not isinstance(value, str) or value.strip() not in known:
        raise ValueError(f"unknown important-user category {value!r}"
                         f"{did_you_mean(str(value), known, cutoff=0.0)} (known: "
                         f"{', '.join(known)})")
    return value.strip()


DistrictName = Annotated[str, BeforeValidator(_district_item)]


class ImportantUserInput(BaseModel):
    """重要电力用户 of one category cut off in one district."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    district: DistrictName = Field(description="The district (one of the 38).")
    category: Annotated[str, BeforeValidator(_category_item)] = Field(
        description="hospital, metro_rail, airport, water_works, telecom, government, "
                    "chemical_steel or important_user.")
    count: int = Field(1, ge=1, description="How many of them.")
    shed_mw: float | None = Field(None, ge=0, description="Their load shed, in MW, if known.")


class RespondDistrictInput(DistrictInput):
    """One district's figures; its name may also be the 自治县 full form."""

    @field_validator("name", mode="before")
    @classmethod
    def _canonical_name(cls, value: Any, info: ValidationInfo) -> Any:
        # runs before the classify check of the name, which then sees the canonical name (and
        # reports a name that is not a string)
        return _district_item(value, info) if isinstance(value, str) else value


class RespondInput(EventInput):
    """An event to respond to: the classify event plus its time, cause and incidents."""

    districts: list[RespondDistrictInput] = Field(
        default_factory=list,
        description="Each district on its own (one of the 38, or a 自治县 in full); names must "
                    "not repeat.")
    time: datetime = Field(
        description=f"When the event happened: ISO 8601 with a UTC offset, e.g. {_TIME_EXAMPLE}.")
    end_time: datetime | None = Field(
        None, description="When handling ended, if it has: ISO 8601 with a UTC offset.")
    cause: str | None = Field(
        None, description="What caused the outage: a cause of the organisation data (e.g. flood) "
                           "or an alias.")
    secondary: tuple[Annotated[str, BeforeValidator(_secondary_item)], ...] = Field(
        (), description="Secondary incidents, keys of the organisation data "
                        "(e.g. environmental).")
    source: str | None = Field(
        None, description="Where the information came from (信息来源), for the report.")
    key_areas: tuple[DistrictName, ...] = Field(
        (), description="The key areas (重点地区) of §4.3, as district names (the plan lists "
                        "none).")
    important_users_out: tuple[ImportantUserInput, ...] = Field(
        (), description="Important power users (重要电力用户) cut off, by district and category.")

    @model_validator(mode="before")
    @classmethod
    def _time_reported_when_absent(cls, data: Any) -> Any:
        # an absent time reads as null, so the time check says how to write one
        if isinstance(data, Mapping) and "time" not in data:
            return {**data, "time": None}
        return data

    @field_validator("time", mode="before")
    @classmethod
    def _time(cls, value: Any) -> datetime:
        if value is None:
            raise ValueError(
                f'missing; give the event time as ISO 8601 with offset, e.g. "{_TIME_EXAMPLE}"')
        return _aware_time(value)

    @field_validator("end_time", mode="before")
    @classmethod
    def _end_time(cls, value: Any) -> datetime | None:
        return None if value is None else _aware_time(value)

    @field_validator("cause", mode="before")
    @classmethod
    def _cause(cls, value: Any, info: ValidationInfo) -> str | None:
        return None if value is None else _cause_key(value, _organisation(info.context))

    @field_validator("secondary", mode="before")
    @classmethod
    def _secondary_a_list(cls, value: Any) -> Any:
        if not value:
            return ()
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise ValueError(f"must be a list of strings, not {value!r}")  # noqa: TRY004
        return value

    @field_validator("secondary")
    @classmethod
    def _once_each(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(value))

    @field_validator("source", mode="before")
    @classmethod
    def _source_text(cls, value: Any) -> Any:
        if value is not None and not isinstance(value, str):
            raise ValueError(f"must be a string, not {value!r}")
        return value

    @classmethod
    def _label(cls, name: str, context: dict[str, Any] | None) -> str | None:
        # messages name a district by its canonical name, as the rest of the output does
        return _aliases(context).get(name.strip())

    def to_respond_event(self, org: Organisation | None = None) -> RespondEvent:
        """The checked :class:`RespondEvent`."""
        event = self.to_event()
        touched = tuple(d.name for d in event.districts if d.shed_mw > 0 or d.customers_out > 0)
        cats = (org or load_organisation()).categories
        users = tuple(ImportantUsers(u.district, u.category, cats[u.category].zh,
                                     cats[u.category].en, u.count, u.shed_mw)
                      for u in self.important_users_out)
        return RespondEvent(event, self.time, self.end_time, self.cause, self.secondary, touched,
                            self.source, tuple(dict.fromkeys(self.key_areas)), users)


def parse_respond_event(
    obj: Mapping[str, Any], organisation: Organisation | None = None,
    data_dir: str | Path | None = None,
) -> RespondEvent:
    """Check the raw input of ``outage-sim respond``.

    Parameters
    ----------
    obj : Mapping
        The classify event (``main``, ``districts``) plus ``time`` (ISO 8601 with offset),
        optional ``cause`` (str), ``secondary`` (list of str), ``end_time`` and ``source`` (str,
        the 信息来源 of the incident report).
    organisation : Organisation, optional
        Organisation data (causes, secondary incidents, district full names); the packaged
        file by default.
    data_dir : str or Path, optional
        The grid model whose main grid stands in for a left-out ``main`` (default: built-in).

    Returns
    -------
    RespondEvent

    Raises
    ------
    InputError
        One line naming each bad field: no time, a time without offset, an unknown cause or
        secondary incident, an unknown district (closest name suggested), or any classify-input
        error.
    """
    context: dict[str, Any] = {"organisation": organisation or load_organisation(),
                               "data_dir": data_dir}
    return RespondInput.from_raw(obj, context=context).to_respond_event(context["organisation"])
