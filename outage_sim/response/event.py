"""The input of ``outage-sim respond``: event time, cause, secondary incidents, district names.

The input is the classify event (checked by :func:`outage_sim.severity.rules.parse_event`) plus::

    "time": "2024-07-31T23:40:00+08:00",     # required, ISO 8601 with a UTC offset
    "cause": "flood",                         # optional, a key of the organisation's causes
    "secondary": ["environmental"],           # optional, keys of its secondary incidents
    "end_time": "2024-08-03T12:00:00+08:00",  # optional, when handling ended
    "source": "..."                           # optional, 信息来源 for the incident report

District names are checked against the 38 districts of :func:`outage_sim.grid.model.district_names`;
the autonomous counties may also be written in full (石柱土家族自治县 → 石柱县). Every check fails
with an :class:`~outage_sim.errors.InputError` of one line naming the field; unknown names and
causes come with the closest valid one.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from outage_sim.errors import InputError, did_you_mean
from outage_sim.response.organisation import Organisation, load_organisation
from outage_sim.severity import Event, parse_event


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


def check_aware(value: datetime, field: str) -> None:
    """Raise :class:`InputError` naming ``field`` unless ``value`` carries a UTC offset."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InputError(
            f"{field}: {value.isoformat()!r} has no UTC offset "
            "(write e.g. 2024-05-01T08:00:00+08:00)"
        )


def parse_time(value: Any, field: str = "time") -> datetime:
    """Read an ISO 8601 time with a UTC offset (``Z`` allowed).

    Raises
    ------
    InputError
        Not a string, not ISO 8601, or without an offset (the message names ``field``).
    """
    if not isinstance(value, str):
        raise InputError(f"{field}: must be an ISO 8601 time string with offset, not {value!r}")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InputError(
            f"{field}: {value!r} is not an ISO 8601 time (write e.g. 2024-05-01T08:00:00+08:00)"
        ) from None
    check_aware(parsed, field)
    return parsed


def canonical_cause(cause: str | None, org: Organisation | None = None) -> str | None:
    """The cause key for ``cause`` (aliases such as ``landslide`` resolved), or None.

    Raises
    ------
    InputError
        An unknown cause, with the closest known one suggested.
    """
    if cause is None:
        return None
    org = org or load_organisation()
    if not isinstance(cause, str):
        raise InputError(f"cause: must be a string, not {cause!r}")
    key = cause.strip()
    key = org.cause_aliases.get(key, key)
    if key not in org.causes:
        choices = list(org.causes) + list(org.cause_aliases)
        hint = (
            ' (that is a secondary incident: put it in "secondary")' if key in org.secondary else ""
        )
        raise InputError(
            f"cause: unknown cause {cause!r}{hint}{did_you_mean(key, choices, cutoff=0.0)} "
            f"(known: {', '.join(org.causes)})"
        )
    return key


def canonical_secondary(
    item: Any, field: str = "secondary", org: Organisation | None = None
) -> str:
    """The secondary-incident key for ``item``.

    Raises
    ------
    InputError
        Not a string or an unknown incident, with the closest known one suggested.
    """
    org = org or load_organisation()
    if not isinstance(item, str) or item.strip() not in org.secondary:
        shown = item if isinstance(item, str) else repr(item)
        hint = did_you_mean(shown, list(org.secondary), cutoff=0.0) if isinstance(item, str) else ""
        raise InputError(
            f"{field}: unknown secondary incident {shown!r}{hint} "
            f"(known: {', '.join(org.secondary)})"
        )
    return item.strip()


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
    aliases = aliases if aliases is not None else district_aliases(org)
    key = name.strip() if isinstance(name, str) else name
    if key in aliases:
        return aliases[key]
    # match any accepted spelling, suggest its canonical name
    guess = difflib.get_close_matches(str(key), list(aliases), n=1, cutoff=0.0)
    hint = f"; did you mean {aliases[guess[0]]!r}?" if guess else ""
    raise InputError(f"{field}: unknown district {name!r}{hint}")


def parse_respond_event(
    obj: Mapping[str, Any], organisation: Organisation | None = None
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

    Returns
    -------
    RespondEvent

    Raises
    ------
    InputError
        One line naming the field: no time, a time without offset, an unknown cause or secondary
        incident, an unknown district (closest name suggested), or any classify-input error.
    """
    org = organisation or load_organisation()
    if not isinstance(obj, Mapping):
        raise InputError("event: must be a JSON object")
    if "time" not in obj or obj["time"] is None:
        raise InputError(
            "time: missing; give the event time as ISO 8601 with offset, "
            'e.g. "2024-05-01T08:00:00+08:00"'
        )
    time = parse_time(obj["time"], "time")
    end_time = parse_time(obj["end_time"], "end_time") if obj.get("end_time") is not None else None
    cause = canonical_cause(obj.get("cause"), org)
    raw_secondary = obj.get("secondary") or []
    if isinstance(raw_secondary, str) or not isinstance(raw_secondary, Sequence):
        raise InputError(f"secondary: must be a list of strings, not {raw_secondary!r}")
    secondary = tuple(
        dict.fromkeys(
            canonical_secondary(s, f"secondary[{i}]", org) for i, s in enumerate(raw_secondary)
        )
    )
    source = obj.get("source")
    if source is not None and not isinstance(source, str):
        raise InputError(f"source: must be a string, not {source!r}")

    raw = dict(obj)
    raw_districts = obj.get("districts")
    if isinstance(raw_districts, Sequence) and not isinstance(raw_districts, str):
        aliases = district_aliases(org)
        fixed = []
        for i, d in enumerate(raw_districts):
            if isinstance(d, Mapping) and isinstance(d.get("name"), str):
                d = {
                    **d,
                    "name": canonical_district(d["name"], f"districts[{i}].name", org, aliases),
                }
            fixed.append(d)
        raw["districts"] = fixed
    event = parse_event(raw)
    touched = tuple(d.name for d in event.districts if d.shed_mw > 0 or d.customers_out > 0)
    return RespondEvent(event, time, end_time, cause, secondary, touched, source)
