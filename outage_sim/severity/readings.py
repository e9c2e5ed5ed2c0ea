"""Readings the plan leaves open, as data of the plan file: who is affected, how §4.3(2) reads.

The plan names the districts where an event happened, that it involves or affects (事发地、涉及、
受影响、有关区县) as the ones that lead, report, warn and clean up, but gives no figure; and its
§4.3(2) "受停电影响的重点地区负荷恢复90%以上" can be read against the key areas' load shed or their
pre-event load, in aggregate or per key area. A plan file's ``[affected]`` and ``[termination]``
tables make these choices, each with its clause and reason, so that every document can say them.
Both tables may be left out of another province's file: the defaults then are the loosest reading
(any shed makes a district affected) and the reading this package used before it was data.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["AffectedRule", "TerminationRule"]

Pct = Annotated[float, Field(ge=0, le=100)]


class AffectedRule(BaseModel):
    """When a district counts as affected (事发地 / 涉及 / 受影响区县).

    A district is affected when its load shed reaches ``min_load_shed_pct`` of its pre-event load
    or its customers out ``min_customers_out_pct`` of its customers (both inclusive, as "以上"),
    or, with ``criterion_fired``, one of its §1.5 district criteria fired. A district with some
    shed or customers out but less is a minor impact (轻微影响). At 0 % every trace counts.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    min_load_shed_pct: Pct = 0.0
    min_customers_out_pct: Pct = 0.0
    criterion_fired: bool = True
    clause: str = ""
    reason: str = "任何减供负荷或停电用户即视为受影响区县"
    reason_en: str = "any load shed or customer out makes a district affected"
    spread_note: str = ""
    spread_note_en: str = ""


class TerminationRule(BaseModel):
    """§4.3(2): how much of the load must be back before the response may end.

    ``load_restored_pct`` of the event's load shed, and ``key_area_restored_pct`` in the key
    areas affected by the outage, where "负荷恢复" is read against the key areas' load shed
    (``key_area_basis = "shed"``) or their pre-event load (``"load"``); with ``per_key_area`` each
    affected key area must pass on its own as well as all of them together.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    clause: str = "§4.3(2)"
    load_restored_pct: Pct = 80.0
    key_area_restored_pct: Pct = 90.0
    key_area_basis: Literal["shed", "load"] = "shed"
    per_key_area: bool = False
    reason: str = ""
    reason_en: str = ""
