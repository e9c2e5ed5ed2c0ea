"""The public API (type-checker view); ``__init__.py`` loads the same names lazily."""

from ._version import __version__
from .drill import Drill
from .engine import shed_load
from .grid import annotate_net, chongqing_net
from .response import build_response
from .restoration import restore
from .severity import classify, classify_batch
from .studies import contingency_table, load_scenario, run_montecarlo, run_scenario

__all__ = [
    "Drill",
    "__version__",
    "annotate_net",
    "build_response",
    "chongqing_net",
    "classify",
    "classify_batch",
    "contingency_table",
    "load_scenario",
    "restore",
    "run_montecarlo",
    "run_scenario",
    "shed_load",
]
