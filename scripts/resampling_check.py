"""Log-spline vs plain cubic resampling of G(tau) through solve (network alone), on bin centres and a coarse grid.

Run: OMP_NUM_THREADS=1 PYTHONPATH=. python scripts/resampling_check.py  (docs/accuracy.md quotes its output).
Setting ``ac_learned.grids.LOG_SHIFT`` to 1e9 makes the log-spline a plain cubic spline of G.
"""

import json

import numpy as np

import ac_learned.grids as grids
from ac_learned.cards import load_model
from ac_learned.kernels import fermionic_kernel_dimensionless
from ac_learned.metrics import rse
from ac_learned.priors import make_dataset
from ac_learned.solve import solve
from ac_learned.zoo import models_dir

BETA = 10.0
TAU_GRIDS = {"centres200": (np.arange(200) + 0.5) / 200 * BETA, "uniform101": np.linspace(0, BETA, 101)}


def main() -> None:
    for v in (56, 560):
        name = f"rlista10-v{v}"
        model = load_model(models_dir() / f"{name}.json")
        card = json.loads((models_dir() / f"{name}.json").read_text())
        a, _, _ = make_dataset(300, model.x, model.nu, card["prior"], int(card["data"]["seed"]) + 5)
        for kind, tau in TAU_GRIDS.items():
            g0 = -(a @ fermionic_kernel_dimensionless(tau / BETA, model.nu).T)
            for sigma in (1e-4, 1e-3, 1e-2):
                g = g0 + sigma * np.random.default_rng(1).standard_normal(g0.shape)
                scores = []
                for shift in (1e-3, 1e9):
                    grids.LOG_SHIFT = shift
                    res = solve(tau, g, beta=BETA, omega=model.nu / BETA, err=sigma, model=name, fit_data=False)
                    scores.append(rse(res.weights, a).mean())
                grids.LOG_SHIFT = 1e-3
                print(f"{v} {kind} {sigma:g}: log {scores[0]:.4f} plain {scores[1]:.4f}")


if __name__ == "__main__":
    main()
