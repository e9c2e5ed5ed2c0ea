"""Stage 1 — the grid model (电网模型).

The pandapower model of the Chongqing main grid at a load level (:func:`chongqing_net`), built
from the data files under ``outage_sim/data/chongqing/``; the annotations every later stage reads
(district, customers, shedding priority, important users) and :func:`annotate_net` to put them on
any pandapower net; the AC power flow, the model's summary tables and its catalogue
(:func:`catalog_table`: substations, lines, units ... by the names scenarios use).

Modules: ``schema`` (the data files' rows and references, checked), ``data`` (reading them),
``model`` (the net and its AC power flow), ``annotate`` (the annotations, on our net or any
pandapower net), ``stats`` (summaries), ``catalog`` (one table per kind of element, for
``outage-sim grid list``), ``layers`` (the grid by layer: supply areas, the districts that hang
on one 500 kV station, topology, the 容载比 per district), ``n1`` (AC N-1 by element class:
lines and transformers per voltage level, units, interties).

The names below are this stage's public API (listed in ``__init__.pyi``), loaded on first use.
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
