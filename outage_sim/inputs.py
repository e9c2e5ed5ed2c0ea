"""Reading user input safely: files and stdin, YAML, JSON and TOML, in one place.

Every reader of user input (the classify/respond event, scenario files and their ``drill:``
section, plan, organisation, hazard and repair files, the grid's data tables) goes through this
module, so that each input is refused the same way, with one line naming the file (and line or
field), as an :class:`~outage_sim.errors.InputError` (or the :class:`DataFileError` a caller asks
for):

* **size**: a file or stdin above :data:`MAX_BYTES` (4 MB; :data:`MAX_DATA_BYTES` for a data
  table) is refused before it is parsed, whatever its type (a FIFO, ``/dev/zero``);
* **encoding**: strict UTF-8 (a leading byte-order mark is dropped), the same from a file and
  from stdin; a lone surrogate (``"\\ud800"``) or a control character in a text is refused;
* **YAML**: aliases count as the values they stand for, so a "billion laughs" is refused at
  :data:`MAX_NODES` before it is expanded; no exotic tags (``!!binary``, ``!!python/...``), no
  duplicate keys; YAML's own errors (bad syntax, an unquoted
  ``2026-02-30`` or hour 25) become one line with the file and line; an unquoted time is handed
  on as its ISO 8601 text;
* **JSON**: no duplicate keys; a number beyond range or nesting beyond the limit is one line;
* **shape**: at most :data:`MAX_DEPTH` levels of nesting, :data:`MAX_NODES` values in all,
  :data:`MAX_TEXT` characters in a text and whole numbers within ±2**64 (never a
  RecursionError, an OverflowError or minutes of checking);
* **text**: every text (keys too) is normalised — NFC, zero-width characters removed, surrounding
  whitespace stripped — before any name is matched, and two keys equal after that are duplicates;
* **times**: a value written as an ISO 8601 date-time must lie within :data:`YEARS`
  (1970–2200), so that no clock arithmetic overflows.

:data:`Timestamp` and :data:`Seed` are the pydantic types for a bounded, aware time and a seed
(an integer, never a boolean).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import sys
import tomllib
import unicodedata
from pathlib import Path
from typing import Annotated, Any, ClassVar

import yaml
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.resolver import Resolver

from outage_sim.errors import InputError

__all__ = [
    "MAX_BYTES", "MAX_DATA_BYTES", "MAX_DEPTH", "MAX_NODES", "MAX_SEED", "MAX_TEXT", "YEARS",
    "Seed", "Timestamp", "check_time", "clean", "decode", "normalise_text", "parse_json",
    "parse_toml", "parse_yaml", "read_text",
]

MAX_BYTES = 4 * 1024 * 1024  #: largest scenario, event, plan or organisation file (and stdin)
MAX_DATA_BYTES = 32 * 1024 * 1024  #: largest grid data table (CSV)
MAX_DEPTH = 32  #: deepest nesting of lists and mappings
MAX_NODES = 100_000  #: most values (lists, mappings, scalars) in one document
MAX_TEXT = 65_536  #: longest text, in characters
YEARS = (1970, 2200)  #: the years a time may fall in
MAX_SEED = 2**63 - 1  #: largest seed (a seed is stored as a 64-bit integer)
MAX_INT = 2**64  #: largest whole number (in size) an input may hold

# zero-width space, non-joiner, joiner, word joiner, BOM, Mongolian vowel separator
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u180e"), None)
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# a text that is all an ISO 8601 date-time (what a time field holds)
_ISO_TIME = re.compile(r"^([+-]?\d{4,6})-\d{1,2}-\d{1,2}(?:[Tt ]\d{1,2}:\d{2}.*)?$")


def _mb(n: int) -> str:
    return f"{n / 2**20:g} MB"


# --- reading bytes ------------------------------------------------------------------------------


def read_text(source: str | Path, *, name: str | None = None, limit: int = MAX_BYTES,
              error: type[InputError] = InputError, not_found: str | None = None) -> str:
    """The UTF-8 text of a file, or of stdin when ``source`` is ``-``, at most ``limit`` bytes.

    Parameters
    ----------
    source
        A path, or ``"-"`` for standard input.
    name
        How messages name the input (default: the path, or ``<stdin>``).
    limit
        Largest accepted size in bytes; more is refused without reading further.
    error
        The exception raised (an :class:`InputError` subclass).
    not_found
        The message (after the name) for a missing file; default ``cannot read it (...)``.

    Raises
    ------
    InputError
        Unreadable, too large, or not UTF-8 (the same from a file and from stdin).
    """
    stdin = str(source) == "-"
    label = name or ("<stdin>" if stdin else str(source))
    try:
        if stdin:
            data = _read_stdin(limit)
        else:
            with open(source, "rb") as handle:
                data = handle.read(limit + 1)
    except FileNotFoundError as exc:
        raise error(f"{label}: {not_found or f'cannot read it ({exc.strerror})'}") from None
    except OSError as exc:
        raise error(f"{label}: cannot read it ({exc.strerror or type(exc).__name__})") from None
    if len(data) > limit:
        raise error(f"{label}: larger than the {_mb(limit)} limit for an input")
    return decode(data, label, error=error)


def _read_stdin(limit: int) -> bytes:
    if sys.stdin is None:
        raise OSError(0, "there is no standard input")
    stream = getattr(sys.stdin, "buffer", None)
    if stream is not None:
        return stream.read(limit + 1)
    text = sys.stdin.read(limit + 1)  # a text stream without bytes (a test's StringIO)
    return text.encode("utf-8", "surrogateescape")


def decode(data: bytes, label: str, *, error: type[InputError] = InputError) -> str:
    """``data`` as strict UTF-8 (a leading byte-order mark dropped), or one line saying where
    the first byte that is not UTF-8 is."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise error(f"{label}: not UTF-8 text (byte 0x{data[exc.start]:02x} at line {line}, "
                    f"column {column}); save it as UTF-8") from None


# --- text ---------------------------------------------------------------------------------------


def normalise_text(text: str) -> str:
    """``text`` in NFC, without zero-width characters and surrounding whitespace: the form in
    which names are matched (``'渝北区\\u200b '`` is ``'渝北区'``)."""
    return unicodedata.normalize("NFC", text.translate(_ZERO_WIDTH)).strip()


def _text_problem(text: str) -> str | None:
    """Why ``text`` cannot be used as it is, or None."""
    if len(text) > MAX_TEXT:
        return f"text of {len(text):,} characters; at most {MAX_TEXT:,} are accepted"
    bad = _SURROGATE.search(text)
    if bad:
        return f"holds a lone surrogate (\\u{ord(bad.group()):04x}), which is not a character"
    bad = _CONTROL.search(text)
    if bad:
        return f"holds the control character U+{ord(bad.group()):04X}"
    return _time_problem(text)


def _time_problem(text: str) -> str | None:
    match = _ISO_TIME.match(text)
    if match and not YEARS[0] <= int(match.group(1)) <= YEARS[1]:
        return f"year {int(match.group(1))} is outside {YEARS[0]}–{YEARS[1]}"
    return None


class _Walk:
    """The state of :func:`clean`: values seen so far."""

    def __init__(self) -> None:
        self.nodes = 0

    def count(self, where: str) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ValueError(f"{where or '(top)'}: more than {MAX_NODES:,} values in one input")

    @staticmethod
    def enter(where: str, depth: int) -> None:
        if depth >= MAX_DEPTH:
            raise ValueError(f"{where or '(top)'}: nested deeper than {MAX_DEPTH} levels")


def clean(obj: Any, *, where: str = "") -> Any:
    """A copy of parsed input with every text normalised (:func:`normalise_text`), checked.

    Raises
    ------
    ValueError
        ``"path: problem"``: nesting deeper than :data:`MAX_DEPTH`, more than :data:`MAX_NODES`
        values, a text that is too long or holds a lone surrogate or control character, a time
        outside :data:`YEARS`, or two keys of a mapping equal once normalised.
    """
    return _clean(obj, where, 0, _Walk())


def _clean(obj: Any, where: str, depth: int, walk: _Walk) -> Any:
    walk.count(where)
    if isinstance(obj, str):
        return _clean_text(obj, where)
    if isinstance(obj, dict):
        walk.enter(where, depth)
        return _clean_mapping(obj, where, depth, walk)
    if isinstance(obj, list | tuple):
        walk.enter(where, depth)
        return [_clean(v, f"{where}[{i}]", depth + 1, walk) for i, v in enumerate(obj)]
    if isinstance(obj, int) and not isinstance(obj, bool) and not -MAX_INT <= obj <= MAX_INT:
        raise ValueError(f"{where or '(top)'}: must be a finite number, not a whole number of "
                         f"{len(str(abs(obj)))} digits")
    return obj


def _clean_text(text: str, where: str) -> str:
    problem = _text_problem(text)
    if problem:
        raise ValueError(f"{where or '(top)'}: {problem}")
    return normalise_text(text)


def _clean_mapping(obj: dict, where: str, depth: int, walk: _Walk) -> dict:
    out: dict = {}
    for key, value in obj.items():
        name = _clean(key, where, depth + 1, walk) if isinstance(key, str) else key
        path = f"{where}.{name}" if where else str(name)
        if name in out:
            raise ValueError(f"{path}: key given twice (once written {key!r})")
        out[name] = _clean(value, path, depth + 1, walk)
    return out


def _cleaned(obj: Any, source: str, error: type[InputError]) -> Any:
    try:
        return clean(obj)
    except ValueError as exc:
        raise error(f"{source}: {exc}") from None


# --- YAML ---------------------------------------------------------------------------------------


class _Refused(Exception):
    """A YAML construct we do not accept, with where it is."""

    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(message)
        self.mark = mark


try:  # libyaml's parser (C, no recursion), our composer (Python, bounded)
    from yaml._yaml import CParser as _Parser

    class _ParserBase(Composer, _Parser):  # type: ignore[misc, valid-type]
        def __init__(self, stream: str) -> None:
            _Parser.__init__(self, stream)
            Composer.__init__(self)

except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _ParserBase(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)


_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_ALLOWED_TAGS = ("null", "bool", "int", "float", "str", "seq", "map", "timestamp")


class _Loader(_ParserBase, SafeConstructor, Resolver):
    """A YAML loader for untrusted input (see the module docstring)."""

    yaml_constructors: ClassVar[dict] = {t: f for t, f in SafeConstructor.yaml_constructors.items()
                                         if t is None or t.rpartition(":")[2] in _ALLOWED_TAGS}

    def __init__(self, stream: str) -> None:
        _ParserBase.__init__(self, stream)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self.depth = 0
        self.nodes = 0
        self.sizes: dict[str, int] = {}  # values under each anchor, aliases expanded

    def compose_node(self, parent: Any, index: Any) -> Any:
        # an alias counts as every value of what it stands for: the budget is spent on the
        # expanded document, which is what later checks walk through
        event = self.peek_event()
        anchor = getattr(event, "anchor", None)
        before = self.nodes
        self.nodes += self.sizes.get(anchor, 0) if self.check_event(AliasEvent) else 1
        if self.nodes > MAX_NODES:
            raise _Refused(event.start_mark, f"more than {MAX_NODES:,} values in one input "
                                             "(aliases counted as what they stand for)")
        if self.depth >= MAX_DEPTH:
            raise _Refused(event.start_mark, f"nested deeper than {MAX_DEPTH} levels")
        self.depth += 1
        try:
            node = super().compose_node(parent, index)
        finally:
            self.depth -= 1
        if anchor is not None and not isinstance(event, AliasEvent):
            self.sizes[anchor] = self.nodes - before
        return node

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as exc:  # e.g. an integer of 5000 digits
            raise _Refused(node.start_mark, f"{node.value!r:.40} is not usable ({exc})") from None

    def construct_mapping(self, node: Any, deep: bool = False) -> dict:
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # merged keys give way to the mapping's own (YAML's rule)
            key = self.construct_object(key_node, deep=True)
            norm = normalise_text(key) if isinstance(key, str) else key
            try:
                first = seen.get(norm)
            except TypeError:  # an unhashable key: the base class says so
                break
            if first is not None:
                raise _Refused(key_node.start_mark, f"duplicate key {key!r} (first at line "
                                                    f"{first.line + 1})")
            seen[norm] = key_node.start_mark
        return super().construct_mapping(node, deep)

    def construct_timestamp(self, node: Any) -> str:
        """An unquoted time, checked (a real date and hour, within :data:`YEARS`), handed on as
        its ISO 8601 text: the models parse times from text, whatever the input format."""
        try:
            value = SafeConstructor.construct_yaml_timestamp(self, node)
        except (ValueError, OverflowError) as exc:
            raise _Refused(node.start_mark, f"{node.value} is not a real date or time "
                                            f"({exc})") from None
        if not YEARS[0] <= value.year <= YEARS[1]:
            raise _Refused(node.start_mark, f"year {value.year} is outside {YEARS[0]}–{YEARS[1]}")
        return value.isoformat()


_Loader.add_constructor(_TIMESTAMP, _Loader.construct_timestamp)


def _where(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "?"


def parse_yaml(text: str, source: str, *, error: type[InputError] = InputError) -> Any:
    """The YAML document in ``text``, checked and cleaned (see the module docstring).

    Raises
    ------
    InputError
        ``"{source}: not valid YAML at line L, column C: ..."`` for YAML's own errors,
        ``"{source}: line L, column C: ..."`` for what is refused, ``"{source}: path: ..."``
        for a text or time that cannot be used.
    """
    loader = _Loader(text)
    try:
        data = loader.get_single_data()
    except _Refused as exc:
        raise error(f"{source}: {_where(exc.mark)}: {exc}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(str(exc.problem or exc.context or "").split())
        if what.startswith("but ") and exc.context:  # "expected ... but found ..."
            what = " ".join(f"{exc.context} {what}".split())
        if "nesting depth" in what:  # libyaml's own limit, met while scanning ahead
            what = f"nested deeper than {MAX_DEPTH} levels"
        raise error(f"{source}: not valid YAML at {_where(mark)}: {what}") from None
    except yaml.YAMLError as exc:  # a reader error: a character YAML does not allow
        first = " ".join(str(exc).split())
        raise error(f"{source}: not valid YAML ({first})") from None
    finally:
        loader.dispose()
    return _cleaned(data, source, error)


# --- JSON and TOML ------------------------------------------------------------------------------


class _Duplicate(Exception):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict:
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise _Duplicate(key)
        out[key] = value
    return out


def parse_json(text: str, source: str, *, error: type[InputError] = InputError) -> Any:
    """The JSON value in ``text``, checked and cleaned (see the module docstring).

    ``NaN`` and ``Infinity`` are read (the models name the field that holds one).

    Raises
    ------
    InputError
        ``"{source}: not valid JSON (... at line L column C)"``, ``"{source}: duplicate key
        ..."``, ``"{source}: nested deeper than ..."`` or ``"{source}: path: ..."``.
    """
    try:
        data = json.loads(text, object_pairs_hook=_pairs)
    except json.JSONDecodeError as exc:
        raise error(f"{source}: not valid JSON ({exc.msg} at line {exc.lineno} column "
                    f"{exc.colno})") from None
    except _Duplicate as exc:
        key = exc.args[0]
        raise error(f"{source}: duplicate key {key!r}{_json_line(text, key)}; give each key "
                    "once") from None
    except RecursionError:
        raise error(f"{source}: nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:  # an integer of more than 4300 digits
        raise error(f"{source}: not valid JSON ({' '.join(str(exc).split())})") from None
    return _cleaned(data, source, error)


def _json_line(text: str, key: str) -> str:
    """`` at line N``: where ``key`` appears a second time as a key, when that can be found."""
    marks = [m.start() for m in re.finditer(re.escape(json.dumps(key)) + r"\s*:", text)]
    if len(marks) < 2:
        marks = [m.start() for m in re.finditer(re.escape(json.dumps(key, ensure_ascii=False))
                                                + r"\s*:", text)]
    return f" at line {text.count(chr(10), 0, marks[1]) + 1}" if len(marks) >= 2 else ""


def parse_toml(text: str, source: str, *, error: type[InputError] = InputError) -> Any:
    """The TOML document in ``text``, checked and cleaned (TOML refuses duplicate keys itself)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{source}: not valid TOML ({exc})") from None
    except RecursionError:
        raise error(f"{source}: nested deeper than {MAX_DEPTH} levels") from None
    return _cleaned(data, source, error)


# --- pydantic types -----------------------------------------------------------------------------


def check_time(value: dt.datetime) -> dt.datetime:
    """``value`` when its year lies within :data:`YEARS` (so clock arithmetic cannot overflow)."""
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise ValueError(f"year {value.year} is outside {YEARS[0]}–{YEARS[1]}")
    return value


def _time_text(value: Any) -> Any:
    # a number is not a time (pydantic would read it as seconds since 1970)
    if isinstance(value, bool | int | float):
        raise ValueError("must be an ISO 8601 time with a UTC offset, e.g. "  # noqa: TRY004
                         f"2026-01-25T06:30:00+08:00, not the number {value!r}")
    if isinstance(value, str):
        problem = _time_problem(value.strip())
        if problem:
            raise ValueError(problem)
    return value


#: An ISO 8601 time with a UTC offset within :data:`YEARS`.
Timestamp = Annotated[AwareDatetime, BeforeValidator(_time_text), AfterValidator(check_time)]


def _integer(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(f"must be a whole number, not the boolean {value}")  # noqa: TRY004
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"must be a whole number, not {value}")
    return value


#: A random seed: a whole number from 0 to 2**63 - 1 (``true`` is not 1).
Seed = Annotated[int, Field(ge=0, le=MAX_SEED), BeforeValidator(_integer)]
