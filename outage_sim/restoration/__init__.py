"""Stage 6 — restoration over time (恢复与响应终止).

Repair crews, black start and step-by-step load pick-up, the event re-graded at every step and
the §4.3 termination checks (:func:`restore`, :func:`compare_policies`).

Modules: ``data`` (repair times, crews, pick-up rates), ``topology`` (the grid as repairs
proceed), ``crews`` (repair work), ``simulation`` (the time loop), ``tables`` (the result's
tables), ``log`` (events and the report clock), ``result`` (:class:`Restoration`), ``driver``
(the entry points).

The names below are this stage's public API (listed in ``__init__.pyi``), loaded on first use.
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
