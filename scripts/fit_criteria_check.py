"""How much do the fit's stopping rules matter on synthetic data with correct error bars?

Run: OMP_NUM_THREADS=1 PYTHONPATH=. python scripts/fit_criteria_check.py   (~5 min; docs/accuracy.md)

1. Block check: `refine.fit_to_data` with ``blocks=1`` (mean chi2/N only) against the default (20
   contiguous runs of tau points, each below its chance level).  Paper set: paper-rlista6 on 200 held-out
   spectra (seed 2, noise seed 123) at sigma = 1e-5, 1e-4, 1e-3, white and tau-correlated noise
   (correlation length 0.02-0.05 in x).  Zoo: `solve` with rlista10-v56-lownoise and rlista10-v320 on 60
   spectra of their own prior (seed 99), beta = 10, 201 uniform tau points, sigma = 1e-4 and 1e-3.
2. chi2 target: the same paper-set data fitted to chi2/N = 0.5 ... 1.5 (blocks on).
Prints mean RSE for each.
"""
import functools

import numpy as np

import ac_learned
from ac_learned import refine
from ac_learned.bench.fig2a import paper_grids
from ac_learned.inference import make_backend
from ac_learned.kernels import fermionic_kernel_dimensionless
from ac_learned.metrics import normalise_output, rse
from ac_learned.priors import NoiseModel, make_dataset
from ac_learned.zoo import resolve

FIT = refine.fit_to_data


def noisy(g, x, sigma, correlated, seed):
    nm = NoiseModel(sigma, sigma, p_correlated=1.0 if correlated else 0.0, corr_length=(0.02, 0.05))
    return g + nm.draw(x, len(g), np.random.default_rng(seed))


def fit_all(a0, kernel, g, sigma, **kw):
    err = np.full(g.shape[1], sigma)
    return np.array([FIT(a0[i], kernel, g[i], err, **kw)[0] for i in range(len(a0))])


def main() -> None:
    x, nu = paper_grids()
    kernel = fermionic_kernel_dimensionless(x, nu)
    backend = make_backend(resolve("paper-rlista6", 1.0), "numpy", "cpu")
    a, g, _ = make_dataset(200, x, nu, {"paper": 1}, 2)
    print("1. block check, paper set (paper-rlista6): mean RSE network / fit mean-only / fit with blocks")
    for sigma in (1e-5, 1e-4, 1e-3):
        for corr in (False, True):
            gn = noisy(g, x, sigma, corr, 123)
            a0 = normalise_output(backend.run(gn))
            r = [rse(a0, a).mean()] + [rse(fit_all(a0, kernel, gn, sigma, blocks=b), a).mean() for b in (1, 20)]
            print(f"  sigma {sigma:g} {'correlated' if corr else 'white     '}: {r[0]:.4f} / {r[1]:.4f} / {r[2]:.4f}",
                  flush=True)
    beta, tau = 10.0, np.linspace(0, 10.0, 201)
    print("   zoo (solve, beta 10, 201 tau): mean RSE fit mean-only / fit with blocks")
    for name in ("rlista10-v56-lownoise", "rlista10-v320"):
        net = resolve(name, 1.0)
        at, _, _ = make_dataset(60, net.x, net.nu, net.card["prior"], 99)
        gc = at @ fermionic_kernel_dimensionless(tau / beta, net.nu).T
        for sigma in (1e-4, 1e-3):
            for corr in (False, True):
                gn = noisy(gc, tau / beta, sigma, corr, 7)
                r = []
                for b in (1, 20):
                    refine.fit_to_data = functools.partial(FIT, blocks=b)  # what solve's fit_each calls
                    try:
                        r.append(rse(ac_learned.solve(tau, gn, beta, net.nu / beta, err=sigma, model=name).weights,
                                     at).mean())
                    finally:
                        refine.fit_to_data = FIT
                print(f"  {name} sigma {sigma:g} {'correlated' if corr else 'white     '}: {r[0]:.4f} / {r[1]:.4f}",
                      flush=True)
    print("2. chi2/N target, paper set, white noise: mean RSE of the fit")
    targets = (0.5, 0.7, 0.85, 1.0, 1.2, 1.5)
    for sigma in (1e-5, 1e-4, 1e-3):
        gn = noisy(g, x, sigma, False, 123)
        a0 = normalise_output(backend.run(gn))
        r = [rse(fit_all(a0, kernel, gn, sigma, target=t), a).mean() for t in targets]
        print(f"  sigma {sigma:g}: " + ", ".join(f"{t:g}: {v:.4f}" for t, v in zip(targets, r)), flush=True)


if __name__ == "__main__":
    main()
