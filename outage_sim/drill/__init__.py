"""Stage 9 — drills for trainers (应急演练).

A drill steps an event forward; at each point the trainee answers the plan's questions against
the answer key computed by the engine (:class:`Drill`).

Modules: ``questions`` (the questions and scoring), ``session`` (the drill), ``widget`` (the
drill in Jupyter, ipywidgets: the ``jupyter`` extra).

The names below are this stage's public API (listed in ``__init__.pyi``), loaded on first use.
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
