"""MaxEnt with the network's spectrum as default model (model="rlista"), and the one-word form rlista+.

G(tau) at beta = 10 (ana_cont's positive sign) from a three-peak spectrum plus
noise 1e-3; omega in [-3, 3].  Prints the error against the true spectrum for
a flat default model, the neural one, and the network alone.
Run: ``python examples/ana_cont_neural_default.py``.
"""

import time

import numpy as np

from ac_learned.ana_cont import AnalyticContinuationProblem
from ac_learned.demo import demo_spectrum
from ac_learned.grids import trapezoid_weights
from ac_learned.kernels import fermionic_kernel

beta, noise = 10.0, 1e-3
tau = np.linspace(0.0, beta, 101)
w_fine = np.linspace(-10.0, 10.0, 4001)
g = fermionic_kernel(tau, w_fine, beta) @ (demo_spectrum(w_fine) * trapezoid_weights(w_fine))
g += noise * np.random.default_rng(0).standard_normal(tau.size)
err = np.full(tau.size, noise)

w = np.linspace(-3.0, 3.0, 201)
truth = demo_spectrum(w)
probl = AnalyticContinuationProblem(im_axis=tau, re_axis=w, im_data=g, kernel_mode="time_fermionic", beta=beta)

runs = {
    # ana_cont works on omega * beta for time kernels: a model normalised in omega is divided by beta
    "MaxEnt, flat model": dict(method="maxent_svd", alpha_determination="chi2kink",
                               model=np.full(w.size, 1.0 / (w[-1] - w[0])) / beta),
    "MaxEnt, model='rlista'": dict(method="maxent_svd", alpha_determination="chi2kink", model="rlista"),
    "rlista+ (the same, one word)": dict(method="rlista+"),
    "rlista (network + fit to data)": dict(method="rlista"),
}
for name, kwargs in runs.items():
    t0 = time.perf_counter()
    sol, alphas = probl.solve(stdev=err, verbose=False, **kwargs)
    dt = time.perf_counter() - t0
    e = np.trapezoid(np.abs(sol.A_opt - truth), w)
    print(f"{name:30s} Err = {e:.3f}  chi2/N = {sol.chi2 / tau.size:7.2f}  alpha steps = {len(alphas):2d}  "
          f"{1e3 * dt:6.0f} ms")
    for msg in getattr(sol, "warnings", []):
        print(f"    note: {msg}")
