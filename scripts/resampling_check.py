"""Log-spline vs plain cubic resampling of G(tau) onto a model's x-grid.

Run: OMP_NUM_THREADS=1 PYTHONPATH=. python scripts/resampling_check.py  (docs/accuracy.md quotes its output).
Setting ``ac_learned.grids.LOG_SHIFT`` to 1e9 makes the log-spline a plain cubic spline of G.

Part 1: the resampling error itself (noiseless held-out spectra, 201 uniform tau points, beta = 10) and,
at V = 560, the network-alone RSE of the all-noise and the low-noise model at sigma = 1e-4 (the 40
spectra and noise of the ``default`` benchmark's zoo row).  Part 2: network-alone RSE through ``solve``
on bin centres and a coarse uniform grid at three noise levels.
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


def part1() -> None:
    tau = np.linspace(0, BETA, 201)
    for v in (56, 180, 560):
        name = f"rlista10-v{v}"
        model = load_model(models_dir() / f"{name}.json")
        card = json.loads((models_dir() / f"{name}.json").read_text())
        a, _, _ = make_dataset(40, model.x, model.nu, card["prior"], int(card["data"]["seed"]) + 2)
        g = a @ fermionic_kernel_dimensionless(tau / BETA, model.nu).T
        exact = a @ fermionic_kernel_dimensionless(model.x, model.nu).T
        for shift, label in ((1e9, "plain"), (1e-3, "log")):
            grids.LOG_SHIFT = shift
            d = np.abs(grids.resample_to_x(tau, g, BETA, model.x) - exact)
            line = f"V = {v}, 201 points, {label} spline: rms error {np.sqrt(np.mean(d ** 2)):.2g}, max {d.max():.2g}"
            if v == 560:
                noisy = -g + 1e-4 * np.random.default_rng(123).standard_normal(g.shape)
                for m in (name, f"{name}-lownoise"):
                    res = solve(tau, noisy, beta=BETA, omega=model.nu / BETA, err=1e-4, model=m, fit_data=False)
                    line += f"; {m} RSE {rse(res.weights, a).mean():.4f}"
            print(line)
        grids.LOG_SHIFT = 1e-3


def part2() -> None:
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
    part1()
    part2()
