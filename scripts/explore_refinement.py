"""Exploration (issue 3): data-consistency refinement of RLISTA output.

Run: PYTHONPATH=. python scripts/explore_refinement.py
Unconstrained Tikhonov around the network output (clipped) and the bound-constrained
version with the discrepancy principle; prints RSE and chi2 before/after on 300
paper-prior spectra with the shipped paper-rlista6 model.
"""

import time

import numpy as np
from scipy.optimize import brentq

from ac_learned.cards import load_model
from ac_learned.inference import NumpyBackend
from ac_learned.kernels import fermionic_kernel_dimensionless as kd
from ac_learned.metrics import normalise_output, rse
from ac_learned.priors import make_dataset

m = load_model("ac_learned/models/paper-rlista6.json")
x, nu = m.x, m.nu
at, gt, _ = make_dataset(300, x, nu, {"paper": 1}, 7)
K = kd(x, nu)


def refine(d, g, sig, eps_rel=0.02, target=1.0):
    eps = eps_rel / len(d)
    s = np.sqrt(d + eps)
    A = (K * s[None, :]) / sig
    U, S, Vt = np.linalg.svd(A, full_matrices=False)
    r = U.T @ ((g - K @ d) / sig)
    r_perp2 = np.sum(((g - K @ d) / sig) ** 2) - np.sum(r**2)
    N = len(g)

    def chi2(mu):  # residual of unclipped solution
        f = mu / (S**2 + mu)
        return (np.sum((f * r) ** 2) + r_perp2) / N

    lo, hi = 1e-12, 1e12
    if chi2(lo) >= target:
        mu = lo
    elif chi2(hi) <= target:
        mu = hi
    else:
        mu = np.exp(brentq(lambda t: np.log(chi2(np.exp(t))) - np.log(target), np.log(lo), np.log(hi), xtol=1e-3))
    y = Vt.T @ (S / (S**2 + mu) * r)
    a = np.maximum(d + s * y, 0)
    return a / a.sum(), mu


rng = np.random.default_rng(0)
for sig in [1e-5, 1e-4, 1e-3]:
    g = gt + sig * rng.standard_normal(gt.shape)
    d = normalise_output(NumpyBackend(m).run(g))
    t = time.perf_counter()
    out = [refine(d[i], g[i], sig) for i in range(len(g))]
    dt = (time.perf_counter() - t) / len(g)
    a = np.array([o[0] for o in out])
    c_raw = np.mean(((d @ K.T - g) / sig) ** 2, 1)
    c_ref = np.mean(((a @ K.T - g) / sig) ** 2, 1)
    print(
        f"sigma {sig}: RSE raw {rse(d, at).mean():.4f} refined {rse(a, at).mean():.4f} | chi2 raw median {np.median(c_raw):.1f} refined median {np.median(c_ref):.2f} 90% {np.quantile(c_ref, 0.9):.2f} | {dt * 1e3:.1f} ms"  # noqa: E501
    )
from scipy.optimize import nnls  # noqa: E402


def refine_c(d, g, sig, eps_rel=0.02, target=1.0):
    eps = eps_rel / len(d)
    s = np.sqrt(d + eps)
    A = (K * s[None, :]) / sig
    r = (g - K @ d) / sig
    U, S, Vt = np.linalg.svd(A, full_matrices=False)
    Ar, rr = S[:, None] * Vt, U.T @ r  # compressed
    rperp = np.sum(r**2) - np.sum(rr**2)
    n = len(d)
    lb = -d / s

    def sol(mu):
        M = np.vstack([Ar, np.sqrt(mu) * np.eye(n)])
        b = np.concatenate([rr, np.zeros(n)])
        # shift: z = y - lb >= 0 -> nnls
        z, _ = nnls(M, b - M @ lb, maxiter=50 * n)
        y = z + lb
        return y, (np.sum((Ar @ y - rr) ** 2) + rperp) / len(g)

    lo, hi = -8.0, 8.0
    _, c = sol(10**lo)
    if c >= target:
        y, _ = sol(10**lo)
    else:
        for _ in range(14):
            mid = 0.5 * (lo + hi)
            _, c = sol(10**mid)
            if c > target:
                hi = mid
            else:
                lo = mid
        y, _ = sol(10**lo)
    a = np.maximum(d + s * y, 0)
    return a / a.sum()


for sig in [1e-5, 1e-4, 1e-3]:
    g = gt[:100] + sig * rng.standard_normal(gt[:100].shape)
    d = normalise_output(NumpyBackend(m).run(g))
    t = time.perf_counter()
    a = np.array([refine_c(d[i], g[i], sig) for i in range(len(g))])
    dt = (time.perf_counter() - t) / len(g)
    c_ref = np.mean(((a @ K.T - g) / sig) ** 2, 1)
    print(
        f"constrained sigma {sig}: RSE raw {rse(d, at[:100]).mean():.4f} refined {rse(a, at[:100]).mean():.4f} | chi2 median {np.median(c_ref):.2f} 90% {np.quantile(c_ref, 0.9):.2f} | {dt * 1e3:.1f} ms"  # noqa: E501
    )
