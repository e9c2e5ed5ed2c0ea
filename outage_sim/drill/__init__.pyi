"""Type-checker view of the facade; `__init__.py` loads the same names lazily."""

from .questions import QUESTION_IDS
from .session import Drill, load_drill
from .widget import DrillWidget

__all__ = [
    "QUESTION_IDS",
    "Drill",
    "DrillWidget",
    "load_drill",
]
