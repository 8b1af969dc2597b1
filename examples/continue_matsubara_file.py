"""Continuing a Matsubara file from the command line's code path, beside the same spectrum's G(tau).

A Hubbard-like three-peak spectrum at beta = 40: its G(i omega_n) on 500 fermionic frequencies with white
noise sigma on Re and Im, written as ana_cont's four-column text (w_n, Re G, Im G, err), is continued by
`ac-learned continue` (here `continue_file`, the same code): mapped to G(tau) on the serving model's grid
(frequencies up to 8 V/beta, fitted tail, propagated errors), then continued as tau data.  Beside it:
`solve` on G(tau) of the same spectrum on 401 points with white noise of the same sigma, and
`--method maxent` on the mapped data, and ana_cont's MaxEnt on the Matsubara data themselves
(``kernel_mode="freq_fermionic"``, all 500 frequencies, chi2kink, flat default).  Err = int |A - A_true| /
int A_true, mean over three noise draws.
Run: ``python examples/continue_matsubara_file.py`` (about two minutes; docs/ana_cont.md quotes its output).
"""

import contextlib
import io
import tempfile
import warnings
from pathlib import Path

import numpy as np

import ac_learned
from ac_learned.ana_cont import AnalyticContinuationProblem
from ac_learned.kernels import fermionic_kernel
from ac_learned.pipeline import continue_file


def hubbard_like(omega):
    """Quasi-particle peak and two Hubbard bands (normalised on omega)."""
    peaks = ((0.0, 0.15, 0.4), (-2.0, 0.5, 0.3), (2.0, 0.5, 0.3))
    a = sum(w * np.exp(-0.5 * ((omega - c) / s) ** 2) / (np.sqrt(2 * np.pi) * s) for c, s, w in peaks)
    return a / np.trapezoid(a, omega)


beta, n_freq, omega_max = 40.0, 500, 6.0
fine = np.linspace(-10.0, 10.0, 8001)
a_fine = hubbard_like(fine) * np.gradient(fine)
wn = (2 * np.arange(n_freq) + 1) * np.pi / beta
g_iw = (1.0 / (1j * wn[:, None] - fine[None, :])) @ a_fine
tau = np.linspace(0.0, beta, 401)
g_tau = -fermionic_kernel(tau, fine, beta) @ a_fine


def err_of(A, omega):
    truth = hubbard_like(omega) * np.trapezoid(hubbard_like(fine), fine)
    return float(np.trapezoid(np.abs(A - truth), omega) / np.trapezoid(truth, omega))


with tempfile.TemporaryDirectory() as tmp:
    path = Path(tmp) / "giw.dat"
    for sigma in (1e-4, 1e-3):
        errs: dict[str, list[float]] = {"matsubara file, rlista": [], "matsubara file, maxent": [],
                                        "G(tau) of the same spectrum, solve": [],
                                        "ana_cont maxent on G(i omega_n) itself": []}
        for seed in range(3):
            rng = np.random.default_rng(seed)
            noisy = g_iw + sigma * (rng.standard_normal(n_freq) + 1j * rng.standard_normal(n_freq))
            np.savetxt(path, np.column_stack([wn, noisy.real, noisy.imag, np.full(n_freq, sigma)]))
            for method in ("rlista", "maxent"):
                out = continue_file(path, omega_max=omega_max, method=method, n_draws=1, log=lambda *a: None)
                errs[f"matsubara file, {method}"].append(err_of(out.result.A, out.result.omega))
                if seed == 0 and method == "rlista":
                    print(f"sigma {sigma:g}: {out.data.meta['from_matsubara']}; chi2/N {out.result.chi2:.2f}, "
                          f"reliable {out.result.reliable}")
            res = ac_learned.solve(tau, g_tau + sigma * rng.standard_normal(tau.size), beta=beta,
                                   omega=np.linspace(-omega_max, omega_max, 401), err=sigma)
            errs["G(tau) of the same spectrum, solve"].append(err_of(res.A, res.omega))
            omega = np.linspace(-omega_max, omega_max, 401)
            problem = AnalyticContinuationProblem(im_axis=wn, re_axis=omega, im_data=noisy,
                                                  kernel_mode="freq_fermionic")
            with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # ana_cont's Newton steps overflow on the way
                sol, _ = problem.solve(method="maxent_svd", alpha_determination="chi2kink", optimizer="newton",
                                       stdev=np.full(n_freq, sigma), model=np.full(omega.size, 1 / (2 * omega_max)),
                                       interactive=False)
            errs["ana_cont maxent on G(i omega_n) itself"].append(err_of(np.asarray(sol.A_opt), omega))
        for name, values in errs.items():
            draws = ", ".join(f"{v:.3f}" for v in values)
            print(f"  sigma {sigma:g}, {name}: mean Err {np.mean(values):.3f} ({draws})")
