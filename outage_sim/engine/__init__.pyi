"""Type-checker view of the facade; `__init__.py` loads the same names lazily."""

from .batch import BatchModel, BatchResult, OutageMatrix, compile_batch, run_batch
from .result import ShedResult
from .shed import GRID_FORMING_IMPORTS, MODES, shed_by_priority, shed_load
from .state import DC_RATING_MARGIN, active_masks, build_dc_model

__all__ = [
    "BatchModel",
    "BatchResult",
    "DC_RATING_MARGIN",
    "GRID_FORMING_IMPORTS",
    "MODES",
    "OutageMatrix",
    "ShedResult",
    "active_masks",
    "build_dc_model",
    "compile_batch",
    "run_batch",
    "shed_by_priority",
    "shed_load",
]
