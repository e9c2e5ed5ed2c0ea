"""Stage 7 — figures and reports (图表与报告).

Matplotlib figures (grid map, recovery curves, levels, district maps, Monte-Carlo
distributions) and the self-contained ``report.html``.

Modules: ``figures`` (fonts, labels, the grid map), ``recovery`` (restoration figures and run
folders), ``montecarlo`` (sweep figures), ``html`` (the HTML report).

The names below are this stage's public API (listed in ``__init__.pyi``), loaded on first use.
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
