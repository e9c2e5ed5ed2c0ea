"""Stage 2 — what fails (故障与灾害).

Explicit component outages by readable name (:func:`resolve_fault`, :class:`Outage`) and hazards
that fail components at random by fragility (ice and wind storms, floods, earthquakes,
landslides, external damage, heat waves), seeded and reproducible (:func:`draw_hazards`).

Modules: ``faults`` (outages by name), ``specs`` (the hazard models' inputs, validated),
``data`` (fragility parameters from the data files), ``geo`` (distances and exposure),
``fragility`` (the fragility curves), ``tables`` (per-component failure probabilities),
``sampling`` (drawing failures), ``draws`` (many samples at once, seeded by block, numpy
only), ``distribution`` (110 kV lines and 10 kV feeders beneath the
transmission model: their failure probabilities and draws), ``guide`` (each hazard's parameters,
units, ranges and where outcomes spread, for people).

The names below are this stage's public API (listed in ``__init__.pyi``), loaded on first use.
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
