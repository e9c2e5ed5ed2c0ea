"""Type-checker view of the facade; `__init__.py` loads the same names lazily."""

from .distribution import (
    BlockProbabilities,
    DistributionDraw,
    block_load_matrix,
    block_probabilities,
    dark_share,
    draw_distribution,
    load_fractions,
    sample_blocks,
)
from .data import HAZARD_FILES, check_district, district_zones, hazard_parameters
from .faults import (
    FAULT_KINDS,
    Outage,
    apply_outages,
    component_table,
    fault_names,
    resolve_fault,
    unique_outages,
)
from .fragility import DAMAGE_STATES, hazus_exceedance, tower_wind_p, yu2013_pga_g
from .geo import OUTLINES_FILE, distance_km, district_outlines, hazard_context, point_districts
from .guide import FieldFacts, HazardGuide, field_facts, hazard_guide, range_text
from .sampling import (
    apply_conditions,
    draw_hazards,
    failure_probabilities,
    group_codes,
    peak_ground_acceleration,
    sample_failures,
)
from .specs import HAZARD_TYPES, Earthquake, HazardSpec, IceStorm, parse_hazard

__all__ = [
    "BlockProbabilities",
    "DAMAGE_STATES",
    "DistributionDraw",
    "FAULT_KINDS",
    "HAZARD_FILES",
    "HAZARD_TYPES",
    "OUTLINES_FILE",
    "Earthquake",
    "FieldFacts",
    "HazardGuide",
    "HazardSpec",
    "IceStorm",
    "Outage",
    "apply_conditions",
    "apply_outages",
    "block_load_matrix",
    "block_probabilities",
    "check_district",
    "component_table",
    "dark_share",
    "distance_km",
    "district_outlines",
    "district_zones",
    "draw_distribution",
    "draw_hazards",
    "failure_probabilities",
    "fault_names",
    "field_facts",
    "group_codes",
    "hazard_context",
    "hazard_guide",
    "hazard_parameters",
    "hazus_exceedance",
    "load_fractions",
    "parse_hazard",
    "peak_ground_acceleration",
    "point_districts",
    "range_text",
    "resolve_fault",
    "sample_blocks",
    "sample_failures",
    "tower_wind_p",
    "unique_outages",
    "yu2013_pga_g",
]
