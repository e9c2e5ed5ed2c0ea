"""Hazard parameter files and name checks shared by the hazard models.

The numbers of every hazard model live in ``outage_sim/data/hazards/<hazard>.yaml``, one entry per
parameter with its ``value`` and either a ``source`` (a citation) or an ``estimate`` (how it was
derived). :func:`hazard_parameters` reads a file, checks every parameter with
:class:`HazardParameter` (a value, and exactly one of source and estimate), and returns the
values. A user edits the files to change a model.

:func:`check_district` and :func:`district_zones` validate district names (with the closest name
suggested) against the grid model's ``districts.csv``.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, RootModel, ValidationError, model_validator

from outage_sim.errors import DataFileError, did_you_mean
from outage_sim.grid import read_grid_data
from outage_sim.inputs import normalise_text, parse_yaml, read_text
from outage_sim.validation import problems

HAZARD_DATA_DIR = Path(__file__).parents[1] / "data" / "hazards"
HAZARD_FILES = ("geometry", "ice_storm", "wind_storm", "earthquake", "flood", "landslide",
                "external_damage", "heat_wave", "distribution")
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
        one of ``source`` and ``estimate``; the message names the file and lists every such
        parameter (``ice_storm.yaml: beta: needs exactly one of 'source' or 'estimate' ...``).
    """
    directory = Path(data_dir) if data_dir is not None else HAZARD_DATA_DIR
    return copy.deepcopy(_read(directory, name))


class HazardParameter(BaseModel):
    """One parameter of a hazard file: its ``value`` and where the value comes from."""

    value: Any
    source: Any = None
    estimate: Any = None

    @model_validator(mode="before")
    @classmethod
    def _has_value(cls, entry: Any) -> Any:
        if not isinstance(entry, dict) or "value" not in entry:
            raise ValueError("has no 'value'")
        return entry

    @model_validator(mode="after")
    def _one_provenance(self) -> HazardParameter:
        # an empty source or estimate says nothing about the value, so it does not count
        given = [p for p in _PROVENANCE if getattr(self, p)]
        if len(given) != 1:
            raise ValueError(f"needs exactly one of 'source' or 'estimate' "
                             f"(found {', '.join(given) or 'neither'})")
        return self


class HazardFile(RootModel[dict[Any, HazardParameter]]):
    """A hazard parameter file: ``{parameter: {value, source | estimate}}``, at least one."""

    @model_validator(mode="before")
    @classmethod
    def _mapping(cls, raw: Any) -> Any:
        if not isinstance(raw, dict) or not raw:
            raise ValueError("expected a mapping of parameters")
        return raw


@lru_cache(maxsize=32)
def _read(directory: Path, name: str) -> dict[str, Any]:
    path = directory / f"{name}.yaml"
    text = read_text(path, name=path.name, error=DataFileError,
                     not_found=f"hazard data file not found in {directory}")
    raw = parse_yaml(text, path.name, error=DataFileError)
    try:
        table = HazardFile.model_validate(raw)
    except ValidationError as exc:
        raise DataFileError(f"{path.name}: {'; '.join(problems(exc))}") from None
    return {key: entry.value for key, entry in table.root.items()}


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
    text = normalise_text(str(name))
    if text in names:
        return text
    full = [n for n in names if n[:-1] == text and n[-1] in "区县"]
    if len(full) == 1:
        return full[0]
    raise ValueError(f"unknown district {text!r}{suggestion(text, names)}")
