"""``python -m ac_learned.bench``: pin BLAS/OpenMP to one thread, then run a sub-benchmark.

``ac_learned/__init__`` has imported numpy before this module runs, so setting
the thread variables here would come too late: without them the process
re-executes itself with ``OMP_NUM_THREADS=OPENBLAS_NUM_THREADS=MKL_NUM_THREADS=1``
(as :mod:`ac_learned.bench_ana_cont` does) and torch is set to one thread.
"""

from __future__ import annotations

import os
import sys

from ._common import blas_pinned, pin_torch, pinned_environ


def _entry() -> int:
    if not blas_pinned():
        os.execve(sys.executable, [sys.executable, "-m", "ac_learned.bench", *sys.argv[1:]], pinned_environ())
    pin_torch()
    from ..errors import ACLearnedError
    from . import main

    try:
        main(sys.argv[1:])
    except ACLearnedError as exc:
        print(f"python -m ac_learned.bench: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(_entry())
