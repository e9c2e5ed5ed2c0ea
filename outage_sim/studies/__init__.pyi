"""Type-checker view of the facade; `__init__.py` loads the same names lazily."""

from .contingency import contingency_table
from .montecarlo import MONTECARLO_FILES, MonteCarloResult, run_montecarlo, sample_seed
from .restoration_mc import RESTORATION_MC_FILES, RestorationBand, run_restoration_montecarlo
from .run import RESULT_SCHEMA_VERSION, RunResult, check_out_dir, run_scenario
from .scenario import HAZARD_CAUSE, FaultSpec, Scenario, load_scenario, parse_scenario
from .schemas import SCHEMAS, RunResultDocument, json_schema, schema_text
from .tables import to_frame
from .template import scenario_template

__all__ = [
    "HAZARD_CAUSE",
    "MONTECARLO_FILES",
    "RESTORATION_MC_FILES",
    "RESULT_SCHEMA_VERSION",
    "SCHEMAS",
    "FaultSpec",
    "MonteCarloResult",
    "RestorationBand",
    "RunResult",
    "RunResultDocument",
    "Scenario",
    "check_out_dir",
    "contingency_table",
    "json_schema",
    "load_scenario",
    "parse_scenario",
    "run_montecarlo",
    "run_restoration_montecarlo",
    "run_scenario",
    "sample_seed",
    "scenario_template",
    "schema_text",
    "to_frame",
]
