"""Time of the 200-draw error band of a Matsubara file, with and without the shared SVD of ``fit_each`` (session 15).

Run: OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 PYTHONPATH=. python scripts/band_timing_check.py [--repeats 3]

``continue_data`` on a three-peak metal given as G(i omega_n) with sigma = 1e-4 (beta = 40 with 1000 frequencies,
window +-10, 713 points fitted; beta = 200 with 3000 frequencies, 2546 points), ``--draws 200``.  ``shared`` is
what ships: :func:`ac_learned.refine.fit_each` computes the SVD of the whitened kernel once for band samples whose
errors differ by a factor only; ``row by row`` calls :func:`ac_learned.refine.fit_to_data` for each sample, as
before.  Prints the median wall time of ``--repeats`` runs of each and checks that both give the same band.
"""
import argparse
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from test_matsubara import exact_pair  # noqa: E402

from ac_learned import refine  # noqa: E402
from ac_learned.io import GreenData  # noqa: E402
from ac_learned.pipeline import continue_data  # noqa: E402

METAL = ((0.0, 0.3, 0.5), (-2.0, 0.6, 0.25), (2.0, 0.6, 0.25))
SHIPPED_FIT_EACH = refine.fit_each


def row_by_row(a0, kernel, g, err=None, cov=None, norm_error=None):
    """``fit_each`` without the shared SVD: one ``fit_to_data`` per row."""
    out, dist, scale = np.empty_like(a0), np.empty(len(a0)), np.ones(len(a0))
    errs = np.broadcast_to(err, g.shape) if cov is None else [None] * len(a0)
    for i in range(len(a0)):
        out[i], rep = refine.fit_to_data(a0[i], kernel, g[i], errs[i], cov=cov, norm_error=norm_error)
        dist[i], scale[i] = rep.distance, rep.norm_scale
    return out, dist, scale


def timed(data, fit_each, repeats):
    solve_module = sys.modules["ac_learned.solve"]
    solve_module.fit_each = fit_each
    try:
        times, out = [], None
        for _ in range(repeats):
            t0 = time.perf_counter()
            out = continue_data(data, omega_max=10.0, n_draws=200)
            times.append(time.perf_counter() - t0)
    finally:
        solve_module.fit_each = SHIPPED_FIT_EACH
    return float(np.median(times)), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    print("| beta | frequencies | points fitted | shared SVD (s) | row by row (s) | ratio | same band |")
    print("|---|---|---|---|---|---|---|")
    for beta, n_freq in ((40.0, 1000), (200.0, 3000)):
        wn, giw, _ = exact_pair(n_freq, np.linspace(0, beta, 11), beta=beta, peaks=METAL)
        g = giw + 1e-4 * (np.random.default_rng(0).standard_normal(n_freq) * (1 + 1j))
        data = GreenData(kind="iw", beta=beta, grid=wn, values=g, errors=np.full(n_freq, 1e-4), source="synthetic",
                         path="synthetic")
        shared, out_shared = timed(data, SHIPPED_FIT_EACH, args.repeats)
        alone, out_alone = timed(data, row_by_row, args.repeats)
        same = np.allclose(out_shared.band.std, out_alone.band.std, rtol=1e-8, atol=1e-12)
        print(f"| {beta:g} | {n_freq} | {out_shared.data.mapped_from.data.omega_n.size} | {shared:.1f} | "
              f"{alone:.1f} | {alone / shared:.2f} | {same} |", flush=True)


if __name__ == "__main__":
    main()
