"""Type-checker view of the facade; `__init__.py` loads the same names lazily."""

from .questions import QUESTION_IDS
from .session import Drill, load_drill

__all__ = [
    "Drill",
    "QUESTION_IDS",
    "load_drill",
]
