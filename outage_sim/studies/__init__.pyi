"""Type-checker view of the facade; `__init__.py` loads the same names lazily."""

from .contingency import contingency_table
from .montecarlo import MONTECARLO_FILES, MonteCarloResult, run_montecarlo, sample_seed
from .run import RESULT_SCHEMA_VERSION, RunResult, check_out_dir, run_scenario
from .scenario import FaultSpec, Scenario, load_scenario, parse_scenario
from .schemas import SCHEMAS, RunResultDocument, json_schema, schema_text
from .tables import level_columns, to_frame

__all__ = [
    "FaultSpec",
    "MONTECARLO_FILES",
    "MonteCarloResult",
    "RESULT_SCHEMA_VERSION",
    "RunResult",
    "RunResultDocument",
    "SCHEMAS",
    "Scenario",
    "check_out_dir",
    "contingency_table",
    "json_schema",
    "level_columns",
    "load_scenario",
    "parse_scenario",
    "run_montecarlo",
    "run_scenario",
    "sample_seed",
    "schema_text",
    "to_frame",
]
