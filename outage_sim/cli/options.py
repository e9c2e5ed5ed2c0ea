"""Command-line options checked where they are parsed, before any model loads.

Ranges of whole numbers are typer's own (``min=``/``max=``). Numbers that must be finite
(``--step``, ``--at``) and a Dask scheduler's address have parsers of their own (:func:`finite`,
:func:`scheduler_address`): a float option reads ``inf`` and ``nan``, and a text option takes
any text. A bad value is a usage error, printed by the root group as one line naming the option
(:func:`one_line`: ``error: --seed: -1 is not in the range 0<=x<=9223372036854775807.``) with
exit status 2.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import typer

from outage_sim.inputs import MAX_SEED

try:  # typer >= 0.2x carries its own copy of click
    from typer._click.exceptions import BadParameter, NoArgsIsHelpError, UsageError
except ImportError:  # pragma: no cover - older typer, on click itself
    from click.exceptions import BadParameter, NoArgsIsHelpError, UsageError

__all__ = ["MAX_SEED", "DataDir", "NoArgsIsHelpError", "Quiet", "UsageError", "finite",
           "one_line", "scheduler_address"]

#: ``--data DIR``: another grid model's data folder (the shipped layout), for every command that
#: reads the model (``grid``; ``classify``/``respond`` take a left-out "main" from it).
DataDir = Annotated[Path | None, typer.Option(
    "--data", metavar="DIR", exists=True, file_okay=False, show_default=False,
    help="Folder of grid data files with the shipped layout (default: the built-in Chongqing "
         "model); classify and respond take a left-out \"main\" from its main grid.")]

#: ``--quiet``: no progress bar on stderr, for every command that shows one (``run --compare``,
#: ``contingency``, ``montecarlo``); the bar is off anyway when stderr is not a terminal.
Quiet = Annotated[bool, typer.Option(
    "--quiet", "-q", help="No progress bar on stderr (it is shown only on a terminal anyway).")]

SCHEMES = ("tcp", "tls", "inproc", "ucx", "ws", "wss")
_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,252})|\[[0-9A-Fa-f:.]+\])$")
_EXAMPLE = "write e.g. tcp://10.0.0.5:8786"


def finite(lo: float | None = None, hi: float | None = None, *, lo_open: bool = False,
           unit: str = "") -> Callable[[str], float]:
    """A parser of a finite number within [lo, hi] (above ``lo`` when ``lo_open``)."""
    low = "" if lo is None else f"{lo:g} {'<' if lo_open else '<='} "
    span = f"{low}x{'' if hi is None else f' <= {hi:g}'}{' ' + unit if unit else ''}"

    def parse(value: str) -> float:
        if isinstance(value, float | int) and not isinstance(value, bool):
            number = float(value)
        else:
            try:
                number = float(str(value).strip())
            except ValueError:
                raise ValueError(f"{value!r} is not a number") from None
        if not math.isfinite(number):
            raise ValueError(f"must be a finite number, not {value}")
        low_ok = lo is None or (number > lo if lo_open else number >= lo)
        if not low_ok or (hi is not None and number > hi):
            raise ValueError(f"{number:g} is not in the range {span}")
        return number

    return parse


def scheduler_address(value: str) -> str:
    """A Dask scheduler address ``[scheme://]host[:port]`` (``tcp://10.0.0.5:8786``)."""
    text = str(value).strip()
    scheme, sep, _ = text.partition("://")
    if not sep:
        scheme, text = "tcp", f"tcp://{text}"
    if scheme not in SCHEMES:
        raise ValueError(f"{value!r}: unknown scheme {scheme!r}; use one of {', '.join(SCHEMES)}")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"{value!r} is not an address ({exc}); {_EXAMPLE}") from None
    host = parts.netloc.rpartition(":")[0] if port is not None else parts.netloc
    if not _HOST.match(host or "") or parts.path not in ("", "/") or parts.query:
        raise ValueError(f"{value!r} is not an address; {_EXAMPLE}")
    return text


def one_line(exc: UsageError) -> str:
    """A usage error as one line that starts with the option or argument it is about."""
    opts = [o for o in getattr(getattr(exc, "param", None), "opts", ()) or ()
            if str(o).startswith("--")]
    param = getattr(exc, "param", None)
    if type(exc) is BadParameter and param is not None:
        message = " ".join(str(exc.message).split()).removeprefix("Value error, ")
        # an option by its long name, an argument as its help shows it (KIND, SCENARIO)
        name = max(opts, key=len) if opts else (param.metavar or str(param.name).upper())
        return f"{name}: {message.replace('Input should be', 'must be')}"
    return " ".join(exc.format_message().split())  # "Missing argument 'SCENARIO'." and such
