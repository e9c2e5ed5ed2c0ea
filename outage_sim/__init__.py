"""outage_sim: grid-outage emergency decision support for the Chongqing main grid.

Rehearse the city's large-area outage plan (重庆市大面积停电事件应急预案, 渝府办发〔2021〕18号):
what fails, how much load and how many customers are lost, the event level and warning colour,
who commands and reports what by when, and how the load comes back until the response may end.

The stages are subpackages; imports point from later stages to earlier ones only::

    grid → hazards → engine → severity → response → restoration → reports → studies → drill → cli

The public API below is loaded on first use, so ``import outage_sim`` is cheap and classifying
an event never imports pandapower::

    from outage_sim import load_scenario, run_scenario, classify
    result = run_scenario(load_scenario("core_station_fire.yaml"))   # restores, as the CLI does
    result.severity.level, result.restoration.terminated_h
"""

import lazy_loader as _lazy

from outage_sim._version import __version__ as __version__

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
