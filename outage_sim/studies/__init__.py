"""Stage 8 — what users run (推演): scenarios and sweeps.

A scenario file (:func:`load_scenario`) run through the whole chain (:func:`run_scenario`), N-k
contingency tables (:func:`contingency_table`) and Monte-Carlo sweeps (:func:`run_montecarlo`).

Modules: ``scenario`` (the scenario file), ``run`` (one scenario end to end), ``tables`` (batch
results as level tables), ``contingency``, ``montecarlo``, ``schemas`` (the JSON Schemas of the
documents other tools read and write), ``template`` (a commented scenario file to start from).

The names below are this stage's public API (listed in ``__init__.pyi``), loaded on first use.
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
