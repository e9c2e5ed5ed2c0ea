"""outage_sim: grid-outage emergency decision support for the Chongqing main grid.

Stages (one module each, imports point from later stages to earlier ones):
``grid`` → ``faults`` → ``shed`` → ``severity`` → ``response`` → ``restoration`` → ``report``/``plots``
→ ``cli``.
"""

__version__ = "0.1.0"
