"""Stage 3 — the load-shed engine (减供负荷计算).

Given the failed components: islands, island balance by the emergency shedding order,
overload relief (operator shedding or a protection cascade), and the MW and customers lost per
load, district and for the main grid. Two faces of one engine: :func:`shed_load` for one
scenario with an AC check, :func:`run_batch` for many scenarios at once on arrays.

Modules: ``state`` (the network after faults: masks and the DC model), ``base`` (the intact
net before the event: its problems, the base state, and what the event is measured against),
``shed`` (the single face: ``start`` where it starts, ``balance`` the balance rule and the
dispatcher, ``lp`` the one LP of balance and relief, also the batch's, ``cascade`` cascade mode, its model
``cascade_model``),
``ac`` (its AC check), ``result`` (:class:`ShedResult`), ``batch``
(the batch face), ``batch_model`` (its arrays) ``chunk`` (its work on a chunk) and ``chunk_cascade`` (a chunk in cascade mode).

The names below are this stage's public API (listed in ``__init__.pyi``), loaded on first use.
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
