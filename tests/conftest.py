"""Test-session settings.

One BLAS thread: the engine's matrices (a few hundred buses) are far below the size at which
threads help, and on a shared 2-core machine OpenBLAS's threads spin and cost CPU time for
nothing (the PTDF's 162 × 162 inverse of the Chongqing model: 0.8 ms on one thread, 8–60 ms
threaded under load). Set before numpy is first imported; a value already in the environment
wins.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
