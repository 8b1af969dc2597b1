"""Does smoothing the network's output over a grid point or two help or hurt?

Run: OMP_NUM_THREADS=1 PYTHONPATH=. python scripts/smoothing_check.py [n] [--test]   (~15 min; docs/accuracy.md)

The networks' spectra carry ripples of one or two grid points (soft thresholding acts point by point).
This measures, on spectra of each model's own prior drawn with its validation seed (data seed + 1: the
set training selects on, not the test set the cards and benchmarks score on; `--test` takes data seed + 2),
the mean RSE and Err of the network output and of the fitted spectrum (`refine.fit_each`) with the
density first smoothed by a Gaussian of width w grid points (w = 0: none), mass renormalised.
Data: the model's own x grid (no resampling), white noise sigma relative to G(0) + G(beta) = 1.
"""
import sys

import numpy as np

from ac_learned.grids import trapezoid_weights
from ac_learned.inference import make_backend
from ac_learned.kernels import fermionic_kernel_dimensionless
from ac_learned.metrics import err_l1, normalise_output, rse
from ac_learned.priors import make_dataset
from ac_learned.refine import fit_each
from ac_learned.zoo import resolve

WIDTHS = (0.0, 0.5, 0.75, 1.0)


def smooth(a: np.ndarray, nu: np.ndarray, w: float) -> np.ndarray:
    """Gaussian smoothing of the density a/dnu in grid-index space, width w points; sums to 1."""
    if w == 0:
        return a
    dnu = trapezoid_weights(nu)
    idx = np.arange(nu.size)
    k = np.exp(-0.5 * ((idx[:, None] - idx[None, :]) / w) ** 2)
    k /= k.sum(axis=1, keepdims=True)
    out = ((a / dnu) @ k.T) * dnu
    return out / out.sum(axis=1, keepdims=True)


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--test"]
    n = int(args[0]) if args else 100
    offset = 2 if "--test" in sys.argv else 1
    names = ["paper-rlista6", "rlista10-v10", "rlista10-v56", "rlista10-v180", "rlista10-v560",
             "rlista10-v56-lownoise", "rlista10-v320-lownoise"]
    print(f"{n} spectra per model (data seed + {offset}); cells: mean RSE / mean Err for smoothing widths "
          f"{WIDTHS} grid points")
    for name in names:
        net = resolve(name, 1.0)
        backend = make_backend(net, "numpy", "cpu")
        kernel = fermionic_kernel_dimensionless(net.x, net.nu)
        a_true, g, _ = make_dataset(n, net.x, net.nu, net.card["prior"], int(net.card["data"]["seed"]) + offset)
        sigmas = (1e-5, 1e-4, 1e-3) if "lownoise" not in name else (1e-5, 1e-4)
        for sigma in sigmas:
            gn = g + sigma * np.random.default_rng(123).standard_normal(g.shape)
            err = np.full_like(gn, sigma)
            a0 = normalise_output(backend.run(gn))
            row_net, row_fit = [], []
            for w in WIDTHS:
                a_s = smooth(a0, net.nu, w)
                a_f, _, _ = fit_each(a_s, kernel, gn, err)
                row_net.append(f"{rse(a_s, a_true).mean():.4f}/{err_l1(a_s, a_true).mean():.3f}")
                row_fit.append(f"{rse(a_f, a_true).mean():.4f}/{err_l1(a_f, a_true).mean():.3f}")
            print(f"{name:24s} sigma {sigma:g}: network {'  '.join(row_net)}", flush=True)
            print(f"{'':24s} {'':>{len(f'sigma {sigma:g}')}}  fitted  {'  '.join(row_fit)}", flush=True)


if __name__ == "__main__":
    main()
