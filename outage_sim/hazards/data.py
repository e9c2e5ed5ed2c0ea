"""Hazard parameter files and name checks shared by the hazard models.

The numbers of every hazard model live in ``outage_sim/data/hazards/<hazard>.yaml``, one entry per
parameter with its ``value`` and either a ``source`` (a citation) or an ``estimate`` (how it was
derived). :func:`hazard_parameters` reads a file, checks that every parameter says where it comes
from, and returns the values. A user edits the files to change a model.

:func:`check_district` and :func:`district_zones` validate district names (with the closest name
suggested) against the grid model's ``districts.csv``.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from outage_sim.errors import DataFileError, did_you_mean
from outage_sim.grid import read_grid_data

HAZARD_DATA_DIR = Path(__file__).parents[1] / "data" / "hazards"
HAZARD_FILES = ("geometry", "ice_storm", "wind_storm", "earthquake", "flood", "landslide",
                "external_damage", "heat_wave")
_PROVENANCE = ("source", "estimate")


def hazard_parameters(name: str, data_dir: str | Path | None = None) -> dict[str, Any]:
    """The parameter values of one hazard file.

    Parameters
    ----------
    name
        File stem, one of :data:`HAZARD_FILES` (``'ice_storm'``, ``'earthquake'``, ...).
    data_dir
        Folder holding the YAML files; the shipped ``data/hazards`` by default.

    Returns
    -------
    dict
        ``{parameter: value}`` (a fresh deep copy: callers may not change the cache).

    Raises
    ------
    DataFileError
        The file is missing or unreadable, or a parameter lacks ``value`` or does not give exactly
        one of ``source`` and ``estimate``; the message names the file and the parameter.
    """
    directory = Path(data_dir) if data_dir is not None else HAZARD_DATA_DIR
    return copy.deepcopy(_read(directory, name))


@lru_cache(maxsize=32)
def _read(directory: Path, name: str) -> dict[str, Any]:
    path = directory / f"{name}.yaml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataFileError(f"{path.name}: hazard data file not found in {directory}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataFileError(f"{path.name}: unreadable ({first})") from None
    if not isinstance(raw, dict) or not raw:
        raise DataFileError(f"{path.name}: expected a mapping of parameters")
    values = {}
    for key, entry in raw.items():
        if not isinstance(entry, dict) or "value" not in entry:
            raise DataFileError(f"{path.name}: parameter {key!r} has no 'value'")
        given = [p for p in _PROVENANCE if entry.get(p)]
        if len(given) != 1:
            raise DataFileError(f"{path.name}: parameter {key!r} needs exactly one of 'source' "
                                f"or 'estimate' (found {', '.join(given) or 'neither'})")
        values[key] = entry["value"]
    return values


def parameter(params: dict[str, Any], key: str, file: str) -> Any:
    """``params[key]``, or a :class:`DataFileError` naming the file and the missing key."""
    try:
        return params[key]
    except KeyError:
        raise DataFileError(f"{file}.yaml: missing parameter {key!r}") from None


def by_voltage(table: dict[Any, float], vn_kv: Any, file: str, key: str) -> Any:
    """Look a per-voltage table up for an array of nominal voltages.

    Each voltage takes the entry of the highest tabulated voltage not above it (the lowest entry
    for voltages below every key).
    """
    try:
        keys = np.array(sorted(float(k) for k in table))
    except (TypeError, ValueError):
        raise DataFileError(f"{file}.yaml: {key} must be keyed by voltage in kV") from None
    vals = np.array([float(table[k]) for k in sorted(table, key=float)])
    pos = np.clip(np.searchsorted(keys, np.asarray(vn_kv, dtype=float), side="right") - 1,
                  0, len(keys) - 1)
    return vals[pos]


suggestion = did_you_mean  # the project's one suggestion helper, under the name hazards use


@lru_cache(maxsize=4)
def _districts(directory: Path | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    table = read_grid_data(directory)["districts"]
    return tuple(table["name"].astype(str)), tuple(table["zone"].astype(str))


def district_zones(data_dir: str | Path | None = None) -> dict[str, str]:
    """``{district: zone}`` of the grid model (core, new_urban, regional, rural, mountain)."""
    names, zones = _districts(Path(data_dir) if data_dir is not None else None)
    return dict(zip(names, zones))


def check_district(name: str, data_dir: str | Path | None = None) -> str:
    """The model's full name of a district, accepting the short form (``'万州'`` → ``'万州区'``).

    Raises
    ------
    ValueError
        The district is unknown; the message suggests the closest name (pydantic turns it into a
        validation error with the field's path).
    """
    names = list(district_zones(data_dir))
    text = str(name).strip()
    if text in names:
        return text
    full = [n for n in names if n[:-1] == text and n[-1] in "区县"]
    if len(full) == 1:
        return full[0]
    raise ValueError(f"unknown district {text!r}{suggestion(text, names)}")
