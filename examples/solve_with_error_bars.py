"""What `ac_learned.solve` does with error bars: fit to the data, reliability.

Synthetic G(tau) at beta = 40 on 401 tau points from a Hubbard-like three-peak spectrum, white noise
3e-5 and 1e-3.  For each: the model `model="auto"` picks (the window's all-noise model), the network's own
chi2/N, the chi2/N after the fit, how far the fit moved the spectrum, and the error against the truth,
beside the raw network (`fit_data=False`).
Run: ``python examples/solve_with_error_bars.py`` (writes solve_with_error_bars.png).
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import ac_learned  # noqa: E402
from ac_learned.kernels import fermionic_kernel  # noqa: E402


def hubbard_like(omega):
    """Quasi-particle peak and two Hubbard bands (normalised on omega)."""
    peaks = ((0.0, 0.15, 0.4), (-2.0, 0.5, 0.3), (2.0, 0.5, 0.3))
    a = sum(w * np.exp(-0.5 * ((omega - c) / s) ** 2) / (np.sqrt(2 * np.pi) * s) for c, s, w in peaks)
    return a / np.trapezoid(a, omega)


beta = 40.0
tau = np.linspace(0.0, beta, 401)
fine = np.linspace(-8.0, 8.0, 4001)
g_exact = -fermionic_kernel(tau, fine, beta) @ (hubbard_like(fine) * np.gradient(fine))
omega = np.linspace(-5.0, 5.0, 401)
truth = hubbard_like(omega)

fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for ax, sigma in zip(axes, (3e-5, 1e-3)):
    g = g_exact + sigma * np.random.default_rng(0).standard_normal(tau.size)
    fitted = ac_learned.solve(tau, g, beta=beta, omega=omega, err=sigma)
    raw = ac_learned.solve(tau, g, beta=beta, omega=omega, err=sigma, fit_data=False)
    err_fit = np.trapezoid(np.abs(fitted.A - truth), omega)
    err_raw = np.trapezoid(np.abs(raw.A - truth), omega)
    print(f"sigma {sigma:g}: model {fitted.model_card['name']}; network chi2/N {fitted.chi2_network:.3g} "
          f"-> fitted {fitted.chi2:.3g} (moved {fitted.fit_distance:.2f} in relative L2); "
          f"Err network {err_raw:.3f}, fitted {err_fit:.3f}; reliable = {fitted.reliable}")
    ax.plot(omega, truth, "k", lw=2, label="truth")
    ax.plot(omega, raw.A, "C0:", label=f"network (χ²/N {raw.chi2:.3g})")
    ax.plot(omega, fitted.A, "C3", label=f"fitted, solve's default (χ²/N {fitted.chi2:.3g})")
    ax.set(xlabel="ω", title=f"σ = {sigma:g}: {fitted.model_card['name']}")
    ax.legend(fontsize=8)
axes[0].set_ylabel("A(ω)")
fig.tight_layout()
fig.savefig("solve_with_error_bars.png", dpi=110)
print("wrote solve_with_error_bars.png")
