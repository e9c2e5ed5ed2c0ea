"""One way to check input: pydantic models, and their errors as lines a user can act on.

Every input outage_sim reads (scenario YAML, event JSON, the plan and repair data files) is a
pydantic model. :func:`problems` turns a :class:`pydantic.ValidationError` into one line per
problem, each naming its path (``hazards[0].thickness_mm: ...``, ``districts[3].shed_mw: ...``);
:func:`validation_message` joins them for an :class:`~outage_sim.errors.InputError`.
"""

from __future__ import annotations

import re

from pydantic import ValidationError

from outage_sim.errors import InputError

__all__ = ["field_path", "problems", "validate", "validation_message"]

# pydantic's internal steps that show up in an error's location but mean nothing to a user
_SKIP = ("function-after", "function-before", "function-wrap", "function-plain")


def field_path(loc: tuple, prefix: str = "") -> str:
    """``('hazards', 0, 'ice_storm', 'thickness_mm')`` as ``hazards[0].ice_storm.thickness_mm``."""
    out = prefix
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in _SKIP or str(part).startswith(("function-", "union[")):
            continue
        else:
            out += ("." if out else "") + str(part)
    return out


def problems(exc: ValidationError, prefix: str = "", *, top: str = "") -> list[str]:
    """One line per problem of ``exc``, each starting with its field path.

    A model-level check whose message starts with ``"name: "`` moves ``name`` into the path, so
    every line reads ``path.to.field: what is wrong``; ``top`` names a problem of the whole input
    (e.g. ``"(file)"``).
    """
    lines = []
    for err in exc.errors():
        msg = str(err.get("msg", "")).removeprefix("Value error, ")
        where = field_path(tuple(err.get("loc", ())), prefix) or top
        field = re.match(r"^([a-z_0-9]+(?:\[\d+\])?): ", msg)
        if field:
            where = f"{where}.{field.group(1)}" if where else field.group(1)
            msg = msg[field.end():]
        lines.append(f"{where}: {msg}" if where else msg)
    return lines


def validation_message(exc: ValidationError, prefix: str = "", *, top: str = "") -> str:
    """The problems of ``exc`` on one line, separated by ``; ``."""
    return "; ".join(problems(exc, prefix, top=top))


def validate(model, data, *, where: str = "", error: type[Exception] | None = None, top: str = ""):
    """``model.model_validate(data)``, or one error listing every problem with its path.

    Parameters
    ----------
    model
        A pydantic model class (or a :class:`pydantic.TypeAdapter`).
    data
        The parsed input (mapping, list, ...).
    where
        Prefix of every path, e.g. the file name or ``'hazards[0]'``.
    error
        The exception raised: :class:`~outage_sim.errors.InputError` (the default) for user
        input, :class:`~outage_sim.errors.DataFileError` for a data file.
    top
        How a problem of the whole input is named (e.g. ``'(file)'``).
    """
    check = getattr(model, "model_validate", None) or model.validate_python
    try:
        return check(data)
    except ValidationError as exc:
        raise (error or InputError)(validation_message(exc, where, top=top)) from None
