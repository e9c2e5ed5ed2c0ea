"""Type-checker view of the facade; `__init__.py` loads the same names lazily."""

from .balance import GRID_FORMING_IMPORTS, shed_by_priority
from .base import BaseState
from .batch import BatchModel, BatchResult, OutageMatrix, compile_batch, run_batch
from .cascade_model import CascadeData, cascade_rng, load_cascade_data, scenario_seed
from .frequency import (
    FrequencyData,
    FrequencyResponse,
    IslandDynamics,
    island_dynamics,
    load_frequency_data,
    quiet_islands,
    simulate_frequency,
)
from .result import ShedResult, with_distribution
from .shed import MODES, base_state, shed_load
from .state import DC_RATING_MARGIN, active_masks, build_dc_model

__all__ = [
    "DC_RATING_MARGIN",
    "GRID_FORMING_IMPORTS",
    "MODES",
    "BaseState",
    "BatchModel",
    "BatchResult",
    "CascadeData",
    "FrequencyData",
    "FrequencyResponse",
    "IslandDynamics",
    "OutageMatrix",
    "ShedResult",
    "active_masks",
    "base_state",
    "build_dc_model",
    "cascade_rng",
    "compile_batch",
    "island_dynamics",
    "load_cascade_data",
    "load_frequency_data",
    "quiet_islands",
    "run_batch",
    "scenario_seed",
    "shed_by_priority",
    "shed_load",
    "simulate_frequency",
    "with_distribution",
]
