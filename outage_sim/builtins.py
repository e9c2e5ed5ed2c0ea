"""Built-in scenarios and example events, addressed by name or by path.

The scenarios (``outage_sim/data/scenarios/*.yaml``) and the example events of ``classify`` and
``respond`` (``outage_sim/data/scenarios/events/*.json``) ship in the package, so
``outage-sim run uhv_and_dc_trip`` and ``load_scenario("uhv_and_dc_trip")`` work wherever the
package is installed. :func:`scenario_path` and :func:`event_path` are the one lookup every
command and the Python API use:

1. an existing path wins (a file of the user's named like a built-in is the user's);
2. otherwise a bare name, with or without its suffix (``ice_storm_2008``, ``ice_storm_2008.yaml``),
   is looked up among the built-ins;
3. otherwise an :class:`~outage_sim.errors.InputError` names the argument, suggests the closest
   built-in name and points to ``outage-sim scenarios list``.

A base module: it imports nothing of the stages, so a command can resolve its argument (and
answer a typo) before any model loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from outage_sim.errors import InputError, did_you_mean

__all__ = ["builtin_path", "event_names", "event_path", "events_dir", "scenario_names",
           "scenario_path", "scenarios_dir"]

LIST_HINT = "`outage-sim scenarios list` names the built-in ones"


@dataclass(frozen=True)
class _Kind:
    """One kind of built-in input: where it lives and how messages call it."""

    what: str  # "scenario" or "event"
    parts: tuple[str, ...]  # the folder under the package
    suffix: str

    def folder(self) -> Path:
        # the package is installed as files (its data are read by path everywhere), so the
        # Traversable is a filesystem path
        return Path(str(resources.files("outage_sim").joinpath(*self.parts)))

    def names(self) -> list[str]:
        return sorted(p.name.removesuffix(self.suffix) for p in self.folder().iterdir()
                      if p.name.endswith(self.suffix) and p.is_file())

    def resolve(self, source: str | Path, argument: str) -> Path:
        text = str(source)
        if _exists(text):
            return Path(text)
        name = text.removesuffix(self.suffix)
        bare = text != "" and "/" not in text and "\\" not in text and name not in ("", ".", "..")
        if bare:
            candidate = self.folder() / f"{name}{self.suffix}"
            if candidate.is_file():
                return candidate
        guess = _guess(Path(name).name, self.names())
        raise InputError(f"{argument} {text!r}: {self.what} file not found, nor a built-in "
                         f"{self.what} of that name{guess} ({LIST_HINT})")


def _guess(stem: str, names: list[str]) -> str:
    """``"; did you mean 'X'?"``: a name ``stem`` begins, else the closest one, or ``""``."""
    started = [n for n in names if stem and n.startswith(stem)]
    return did_you_mean(stem, started, cutoff=0) if started else did_you_mean(stem, names, 0.5)


def _exists(text: str) -> bool:
    """Whether ``text`` names an existing file or folder; False for a name no system accepts
    (an embedded NUL, a lone surrogate, a name too long)."""
    try:
        return text != "" and Path(text).exists()
    except (OSError, ValueError):
        return False


_SCENARIOS = _Kind("scenario", ("data", "scenarios"), ".yaml")
_EVENTS = _Kind("event", ("data", "scenarios", "events"), ".json")


def scenarios_dir() -> Path:
    """The folder of the built-in scenario files."""
    return _SCENARIOS.folder()


def events_dir() -> Path:
    """The folder of the built-in example events (classify and respond input)."""
    return _EVENTS.folder()


def scenario_names() -> list[str]:
    """The built-in scenarios' names (file names without ``.yaml``), sorted."""
    return _SCENARIOS.names()


def event_names() -> list[str]:
    """The built-in example events' names (file names without ``.json``), sorted."""
    return _EVENTS.names()


def scenario_path(source: str | Path, *, argument: str = "scenario") -> Path:
    """The file of a scenario given as a path or as a built-in name.

    Parameters
    ----------
    source
        A path to a YAML file, or a built-in name with or without ``.yaml``
        (``"uhv_and_dc_trip"``).
    argument
        How the message names what was given (``"SCENARIO"`` on the command line).

    Raises
    ------
    InputError
        Neither an existing path nor a built-in name (``SCENARIO 'ice_strom': scenario file not
        found, nor a built-in scenario of that name; did you mean 'ice_storm_2008'? (...)``).
    """
    return _SCENARIOS.resolve(source, argument)


def event_path(source: str | Path, *, argument: str = "EVENT.json") -> str | Path:
    """The file of an event given as a path or as a built-in name; ``"-"`` (stdin) as it is.

    Raises
    ------
    InputError
        Neither an existing path nor a built-in event name (see :func:`scenario_path`).
    """
    if str(source) == "-":
        return "-"
    return _EVENTS.resolve(source, argument)


def builtin_path(name: str, *, argument: str = "NAME") -> Path:
    """The file of a built-in scenario or example event, by name only (never a user's path).

    Raises
    ------
    InputError
        No built-in of that name (the closest one suggested).
    """
    for kind in (_SCENARIOS, _EVENTS):
        stem = str(name).removesuffix(kind.suffix)
        if stem in kind.names():
            return kind.folder() / f"{stem}{kind.suffix}"
    guess = _guess(str(name), _SCENARIOS.names() + _EVENTS.names())
    raise InputError(f"{argument} {str(name)!r}: no built-in scenario or event of that name"
                     f"{guess} ({LIST_HINT})")
