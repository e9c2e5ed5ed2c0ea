"""Stage 4 — event level and warning colour (事件分级).

The plan's §1.5 rules (thresholds as data, ``outage_sim/data/plan/``) for one event
(:func:`classify`) or millions (:func:`classify_batch`): level, warning colour, response level,
the criteria that fired and the margins to the next level.

Modules: ``plan`` (the plan file), ``readings`` (the readings the plan leaves open, as data:
which districts are affected, how §4.3(2) reads), ``event`` (the event input), ``kernel`` (the
criteria on arrays, shared), ``rules`` (one event), ``batch`` (arrays of events).

The names below are this stage's public API (listed in ``__init__.pyi``), loaded on first use.
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
