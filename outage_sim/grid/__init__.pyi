"""Type-checker view of the facade; `__init__.py` loads the same names lazily."""

from .annotate import annotate_net, check_annotations
from .catalog import CATALOG_KINDS, catalog_table, element_name
from .data import (
    DATA_DIR,
    RAISING_CONTROLS,
    distribution_blocks,
    district_names,
    grid_totals,
    load_levels,
    read_grid_data,
    transfer_capacity,
)
from .layers import capacity_ratio, sole_supply, supply_areas, topology
from .model import MODEL_VERSION, chongqing_net, import_mw, run_power_flow
from .n1 import N1_CLASSES, GenerationLoss, generation_loss, n1_check
from .stats import district_table, summarize

__all__ = [
    "CATALOG_KINDS",
    "DATA_DIR",
    "MODEL_VERSION",
    "N1_CLASSES",
    "RAISING_CONTROLS",
    "GenerationLoss",
    "annotate_net",
    "capacity_ratio",
    "catalog_table",
    "check_annotations",
    "chongqing_net",
    "distribution_blocks",
    "district_names",
    "district_table",
    "element_name",
    "generation_loss",
    "grid_totals",
    "import_mw",
    "load_levels",
    "n1_check",
    "read_grid_data",
    "run_power_flow",
    "sole_supply",
    "summarize",
    "supply_areas",
    "topology",
    "transfer_capacity",
]
