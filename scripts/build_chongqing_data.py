"""Write the Chongqing main-grid data files (``outage_sim/data/chongqing/*.csv``).

The rules and facts live in the ``chongqing_build`` package beside this script; this is its
entry point. It is run once when the model changes; the CSV files it writes are what the package
ships and what a user edits. ``tests/test_grid.py`` checks that running it again reproduces the
files exactly, so the rules and the data never drift apart.

Run: ``python scripts/build_chongqing_data.py [OUT_DIR]`` (default: the package's data folder).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from chongqing_build import OUT, build  # noqa: E402

if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    build(target)
    sys.stdout.write(f"wrote data files to {target.name}/\n")
