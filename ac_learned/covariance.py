"""Correlated errors of G(tau): checking a covariance matrix and whitening with it.

QMC estimates of ``G(tau)`` at neighbouring tau points come from the same
Monte Carlo configurations, so their errors are correlated (strongly so after
a Legendre or kernel-polynomial filter).  With the covariance ``C = L L^T``,
the residual ``r = G_back - G`` enters chi2 as ``r^T C^{-1} r = |L^{-1} r|^2``:
the whitened residual ``L^{-1} r`` has independent unit-variance entries, so
everything that assumes independent errors (the chi2 target, the block check
of :mod:`ac_learned.refine`) holds for it.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import solve_triangular

from .errors import InputError, real_array

#: Relative asymmetry ``max|C - C^T| / max|C|`` tolerated (rounding in files).
SYMMETRY_RTOL = 1e-8


def checked_covariance(cov, n: int) -> np.ndarray:
    """``cov`` as a symmetric float array of shape (n, n), or an :class:`InputError`.

    Parameters
    ----------
    cov : array_like
        Covariance matrix of the ``n`` values of ``G(tau)``, in the units of ``G`` squared.
    n : int
        Number of tau points.
    """
    c = real_array(cov, "cov must be a real (Ntau, Ntau) matrix (the covariance of G(tau))")
    if c.shape != (n, n):
        hint = "; for independent errors pass err instead" if c.ndim < 2 else ""
        raise InputError(f"cov must have shape ({n}, {n}) for {n} tau points, got {c.shape}{hint}")
    if not np.all(np.isfinite(c)):
        raise InputError("cov contains NaN or inf")
    scale = float(np.max(np.abs(c)))
    if scale == 0 or np.any(np.diag(c) <= 0):
        raise InputError("cov must have a strictly positive diagonal (the variances of G(tau))")
    if np.max(np.abs(c - c.T)) > SYMMETRY_RTOL * scale:
        raise InputError("cov is not symmetric; pass the covariance matrix, e.g. (C + C.T) / 2 of yours")
    return 0.5 * (c + c.T)


def cholesky_factor(cov: np.ndarray) -> np.ndarray:
    """Lower-triangular ``L`` with ``L L^T = cov``, or an :class:`InputError`.

    A covariance estimated from fewer bins than tau points is singular; such a
    matrix cannot weigh residuals and is refused with advice rather than
    regularised silently.
    """
    try:
        return np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        raise InputError(
            "cov is not positive definite (estimated from fewer bins than tau points, or a repeated tau point?); "
            "use more bins, fewer tau points, or pass err = sqrt(diag(cov)) for independent errors"
        ) from None


def whiten(chol: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``L^{-1} v`` along the first axis of ``values`` (shape (Ntau,) or (Ntau, m))."""
    return solve_triangular(chol, values, lower=True, check_finite=False)


def chi2_per_point_correlated(g: np.ndarray, g_back: np.ndarray, chol: np.ndarray) -> np.ndarray:
    """``|L^{-1} (g_back - g)|^2 / Ntau`` for each row of ``g`` (shape (n, Ntau) or (Ntau,))."""
    r = np.atleast_2d(np.asarray(g_back, float) - np.asarray(g, float))
    z = whiten(chol, r.T)
    out = np.mean(z ** 2, axis=0)
    return out if np.ndim(g) > 1 or np.ndim(g_back) > 1 else out[0]
