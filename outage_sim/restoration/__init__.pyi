"""Type-checker view of the facade; `__init__.py` loads the same names lazily."""

from .data import POLICIES, repair_data
from .driver import PolicyComparison, Restoration, compare_policies, restore
from .result import CHECK_TEXT, CHECKS, key_area_last, load_check

__all__ = [
    "CHECKS",
    "CHECK_TEXT",
    "POLICIES",
    "PolicyComparison",
    "Restoration",
    "compare_policies",
    "key_area_last",
    "load_check",
    "repair_data",
    "restore",
]
