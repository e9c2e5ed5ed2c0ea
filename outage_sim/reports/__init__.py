"""Stage 7 — figures and reports (图表与报告).

Matplotlib figures (grid map, recovery curves, levels, district maps, Monte-Carlo
distributions) and the self-contained ``report.html``.

Modules: ``fonts`` (the shipped CJK font), ``figures`` (labels, the grid map), ``maps``
(district maps on the 区县 outlines), ``footprint`` (hazard footprints on a map), ``recovery``
(restoration figures and run folders), ``montecarlo`` (sweep figures), ``geojson``
(districts.geojson), ``html`` (the HTML report).

The names below are this stage's public API (listed in ``__init__.pyi``), loaded on first use.
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
