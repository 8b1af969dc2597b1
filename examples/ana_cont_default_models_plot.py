"""Side by side: MaxEnt with a flat default model vs the neural default, against the true spectrum.

beta = 10, omega in [-3, 3], G(tau) with noise 1e-4 and 1e-3.
Run: ``python examples/ana_cont_default_models_plot.py [out.png]`` (default ana_cont_default_models.png).
"""

import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ac_learned.ana_cont import AnalyticContinuationProblem  # noqa: E402
from ac_learned.demo import demo_spectrum  # noqa: E402
from ac_learned.grids import trapezoid_weights  # noqa: E402
from ac_learned.kernels import fermionic_kernel  # noqa: E402

out = sys.argv[1] if len(sys.argv) > 1 else "ana_cont_default_models.png"
beta = 10.0
tau = np.linspace(0.0, beta, 101)
w_fine = np.linspace(-10.0, 10.0, 4001)
g_exact = fermionic_kernel(tau, w_fine, beta) @ (demo_spectrum(w_fine) * trapezoid_weights(w_fine))
w = np.linspace(-3.0, 3.0, 201)
truth = demo_spectrum(w)
flat = np.full(w.size, 1.0 / (w[-1] - w[0]))

fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for ax, noise in zip(axes, (1e-4, 1e-3)):
    g = g_exact + noise * np.random.default_rng(1).standard_normal(tau.size)
    probl = AnalyticContinuationProblem(im_axis=tau, re_axis=w, im_data=g, kernel_mode="time_fermionic", beta=beta)
    stdev = np.full(tau.size, noise)
    sol_flat, _ = probl.solve(method="maxent_svd", alpha_determination="chi2kink", model=flat / beta,
                              stdev=stdev, verbose=False)
    sol_nn, _ = probl.solve(method="rlista+", stdev=stdev, verbose=False)
    err = {k: np.trapezoid(np.abs(s.A_opt - truth), w) for k, s in (("flat", sol_flat), ("nn", sol_nn))}
    ax.plot(w, truth, "k--", lw=2, label="true A(ω)")
    ax.plot(w, sol_flat.A_opt, "C0", label=f"MaxEnt, flat default (Err {err['flat']:.3f})")
    ax.plot(w, sol_nn.A_opt, "C3", label=f"MaxEnt, neural default (Err {err['nn']:.3f})")
    ax.plot(w, sol_nn.default_model, "C3:", label="neural default model")
    ax.set_title(f"β = {beta:g}, noise {noise:g}")
    ax.set_xlabel("ω")
    ax.legend(fontsize=8)
    print(f"noise {noise:g}: Err flat {err['flat']:.3f}, neural default {err['nn']:.3f}")
axes[0].set_ylabel("A(ω)")
fig.tight_layout()
fig.savefig(out, dpi=100)
print(f"wrote {out}")
