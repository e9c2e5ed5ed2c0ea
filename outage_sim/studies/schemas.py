"""The JSON Schemas of what other tools read and write: scenario, event, respond input, result.

Each schema is generated from the pydantic model that checks (inputs) or describes (the result)
the document, so the published schema and the code cannot drift apart. ``outage-sim schema NAME``
prints one; ``docs/schemas/`` holds the same files for readers (a test keeps them current).

``result.json`` (``outage-sim run --json`` / ``--out``) carries ``schema_version``: the major part
changes when a key is removed or changes meaning, the minor part when keys are added.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from outage_sim.errors import InputError, did_you_mean
from outage_sim.response import RespondInput
from outage_sim.severity import EventInput
from outage_sim.studies.run import RESULT_SCHEMA_VERSION
from outage_sim.studies.scenario import Scenario

_OPEN = ConfigDict(extra="allow")  # the contract names these keys; more may come beside them

LevelName = Literal["特别重大", "重大", "较大", "一般", "none"]


class _Criterion(BaseModel):
    model_config = _OPEN
    scope: str = Field(description="'main' or a district name")
    measure: Literal["load_shed", "customers_out"]
    value_pct: float = Field(description="The measure as a share of the whole, in %")
    level: LevelName
    level_rank: int = Field(ge=0, le=4)
    clause: str = Field(description="The plan's clause, e.g. §1.5.2(1)")


class _Report(BaseModel):
    model_config = _OPEN
    kind: Literal["first", "phone", "written", "ministry", "followup", "final"]
    to: str
    by: str
    due: str | None = Field(description="ISO 8601 time with offset, or null when it has none")


class _Warning(BaseModel):
    model_config = _OPEN
    level: int | None = Field(ge=1, le=4)
    color: Literal["red", "orange", "yellow", "blue"] | None
    issuers: list[str]


class _Response(BaseModel):
    model_config = _OPEN
    response_level: Literal["I", "II", "III", "IV"] | None
    lead: Literal["city", "district", "city_or_designated_district"] | None
    on_site_hq: Any
    commander: Any
    working_groups: list[Any]
    member_units: list[dict[str, Any]]
    warning: _Warning | None
    reports: list[_Report]


class _Figures(BaseModel):
    model_config = _OPEN
    load_mw: float = Field(ge=0)
    shed_mw: float = Field(ge=0)
    customers: int = Field(ge=0)
    customers_out: int = Field(ge=0)


class _District(_Figures):
    name: str


class _Shed(BaseModel):
    model_config = _OPEN
    model_version: str
    seed: int | None
    mode: Literal["dispatch", "cascade"]
    main: _Figures
    districts: list[_District]


class RunResultDocument(BaseModel):
    """``result.json``: the classification keys of ``outage-sim classify --json`` at the top,
    ``response`` as in ``outage-sim respond --json``, ``shed`` and, with restoration,
    ``restoration`` beside them, with the seed and model version that reproduce the run."""

    model_config = ConfigDict(extra="allow", title="outage_sim result.json")
    schema_version: str = Field(pattern=r"^\d+\.\d+$", examples=[RESULT_SCHEMA_VERSION])
    level: LevelName
    level_en: str
    level_rank: int = Field(ge=0, le=4)
    response_level: Literal["I", "II", "III", "IV"] | None
    warning_color: Literal["red", "orange", "yellow", "blue"] | None
    warning_level: int | None = Field(ge=1, le=4)
    criteria: list[_Criterion]
    main: _Figures
    response: _Response
    scenario: dict[str, Any]
    seed: int
    model_version: str
    shed: _Shed
    restoration: dict[str, Any] | None = None


SCHEMAS = {"scenario": Scenario, "event": EventInput, "respond": RespondInput,
           "result": RunResultDocument}


def json_schema(name: str) -> dict:
    """The JSON Schema of ``name`` (one of :data:`SCHEMAS`)."""
    model = SCHEMAS.get(name)
    if model is None:
        raise InputError(f"schema: {name!r} unknown{did_you_mean(name, SCHEMAS)}; "
                         f"use one of {', '.join(SCHEMAS)}")
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def schema_text(name: str) -> str:
    """:func:`json_schema` as the text ``outage-sim schema`` prints and ``docs/schemas/`` holds."""
    return json.dumps(json_schema(name), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
