"""Fuzz: corrupted copies of every fixture only ever raise ac_learned errors.

10^4 examples in total (byte-level damage, and HDF5-level edits: deleted or
renamed objects and attributes, changed shapes and dtypes, strings where numbers
are, NaN/inf, ...), reproducible (``derandomize=True``). Set
``AC_LEARNED_FUZZ_SCALE=10`` to run ten times more, or run
``python -m ac_learned.io.fuzz`` on any files.

hypothesis generates the cases; two worker processes
(:class:`ac_learned.io.fuzz.Pool`) load them in parallel, so that a hang or
crash inside the HDF5 C library, which Python cannot interrupt, is reported
(as a warning) instead of stalling the suite. Every case that let a Python
exception other than an ac_learned error escape is listed when the test fails.
"""

from __future__ import annotations

import os
import warnings

import io_fixtures as fx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ac_learned.io import fuzz

SCALE = float(os.environ.get("AC_LEARNED_FUZZ_SCALE", "1"))
N_BYTES = int(3000 * SCALE)
N_H5 = int(7000 * SCALE)
SEEDS = ("triqs", "triqs_iw", "triqs_legacy", "w2dynamics", "alpscore", "alps_segment", "alps_maxent_cov",
         "alps_maxent_iw", "alf", "smoqy", "text_ana_cont", "text_iw")
ALLOWED = ("ok", "skipped", "FileFormatError", "InputError")


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    files = fx.write_all(tmp_path_factory.mktemp("fuzz_seeds"))
    images = {name: (open(files[name].path, "rb").read(), os.path.basename(files[name].path)) for name in SEEDS}
    return images, {name: files[name].kwargs for name in SEEDS}


def _campaign(seeds, ops: tuple[str, ...], n: int) -> dict[str, int]:
    images, kwargs = seeds
    pool = fuzz.Pool(images, workers=2, timeout=3.0)
    results: list[tuple[tuple, str]] = []

    @settings(max_examples=n, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(name=st.sampled_from(SEEDS), op=st.sampled_from(ops), a=st.integers(0, 2**31), b=st.integers(0, 2**31))
    def case(name, op, a, b):
        results.extend(pool.submit((name, op, a, b, kwargs[name], a % 8 == 0)))

    try:
        case()
        results.extend(pool.drain())
    finally:
        pool.close()
    counts: dict[str, int] = {}
    bugs, faults = [], []
    for (name, op, a, b, *_), outcome in results:
        key = outcome.split(":")[0].split(" (")[0]
        counts[key] = counts.get(key, 0) + 1
        if outcome.startswith(("hang", "crash")):
            faults.append(f"{name} op={op} a={a} b={b}: {outcome}")
        elif outcome not in ALLOWED:
            bugs.append(f"{name} op={op} a={a} b={b}:\n{outcome}")
    assert not bugs, f"{len(bugs)} case(s) let a non-ac_learned exception escape:\n" + "\n".join(bugs[:5])
    if faults:
        warnings.warn("HDF5 library hang/crash on corrupted input (not a Python error):\n  " + "\n  ".join(faults),
                      UserWarning, stacklevel=1)
    assert sum(counts.values()) >= n
    assert counts.get("ok", 0) > 0 and counts.get("FileFormatError", 0) > 0
    print(f"fuzz {ops[0]}...: {n} examples, outcomes {counts}")
    return counts


def test_fuzz_damaged_bytes(seeds):
    _campaign(seeds, fuzz.BYTE_OPS, N_BYTES)


def test_fuzz_edited_hdf5(seeds):
    counts = _campaign(seeds, fuzz.H5_OPS, N_H5)
    assert counts.get("InputError", 0) > 0
