"""The document sections of an organisation file, as pydantic models.

What the documents a duty officer sends need beyond the organisation itself: how the plan is
cited and clock times written (``documents``), the important-user categories with the §4.2 words
they fall under, the public warning notice (§3.2.2), the §5 tasks and who investigates at each
level (``aftermath``), and the functional areas (功能区) that are not districts. Checked like the
rest of the file by :class:`~outage_sim.response.organisation_file.OrganisationFile`.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["AftermathSpec", "AftermathTask", "Category", "DocumentsSpec", "PublicWarning", "Text"]

_ENTRY = ConfigDict(frozen=True, extra="forbid")


class DocumentsSpec(BaseModel):
    """How documents cite the plan, write clock times and mark an exercise."""

    model_config = _ENTRY

    citation_zh: str
    citation_en: str
    utc_offset_h: Annotated[int, Field(ge=-12, le=14)] = 8
    time_zone_zh: str
    time_zone_en: str
    exercise_zh: str
    exercise_en: str
    exercise_source_zh: str
    exercise_source_en: str


class Category(BaseModel):
    """An important-user category (重要电力用户) with the plan's words for it."""

    model_config = _ENTRY

    zh: str
    en: str
    clause: str


class PublicLine(BaseModel):
    """One public measure of a warning notice, with where the plan says it."""

    model_config = _ENTRY

    zh: str
    en: str
    clause: str


class PublicWarning(BaseModel):
    """The public warning notice (§3.2.2): its title and what the public is asked to do."""

    model_config = _ENTRY

    title_zh: str
    title_en: str
    under_way_zh: str
    under_way_en: str
    measures: tuple[PublicLine, ...] = Field(min_length=1)


class AftermathTask(BaseModel):
    """One §5 task: its section, the owner the plan names and what must be done."""

    model_config = _ENTRY

    key: str
    section: str
    title_zh: str
    title_en: str
    owner_zh: str
    owner_en: str
    task_zh: str
    task_en: str
    per_district: bool = False


class Text(BaseModel):
    """A Chinese text and its English gloss."""

    model_config = _ENTRY

    zh: str
    en: str


class AftermathSpec(BaseModel):
    """§5 后期处置: the tasks, and who investigates at each event rank (1..4)."""

    model_config = _ENTRY

    clause: str
    tasks: tuple[AftermathTask, ...] = Field(min_length=1)
    investigation_clause: str
    investigation: dict[Annotated[int, Field(ge=1, le=4)], Text] = Field(min_length=4)
