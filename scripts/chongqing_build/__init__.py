"""The build of the Chongqing main-grid data files (``outage_sim/data/chongqing/*.csv``).

The maintainers' record of how the synthetic-but-recognisable model was derived: the public
figures with their sources (``facts_districts``, ``facts_backbone``, from the project's fact
sheet) and the stated rules that fill the gaps the public record leaves (``layer220``: the 220 kV
stations, supply areas and chains; ``main``: loads, customers, units). Run through
``scripts/build_chongqing_data.py``.
"""

from .geo import OUT
from .main import build

__all__ = ["OUT", "build"]
