"""Type-checker view of the facade; `__init__.py` loads the same names lazily."""

from .data import POLICIES, repair_data
from .driver import PolicyComparison, Restoration, compare_policies, restore
from .result import CHECK_TEXT, CHECKS

__all__ = [
    "CHECKS",
    "CHECK_TEXT",
    "POLICIES",
    "PolicyComparison",
    "Restoration",
    "compare_policies",
    "repair_data",
    "restore",
]
