"""Fermionic analytic-continuation kernels, dimensionless and overflow-free.

The imaginary-time kernel ``K(tau, omega) = exp(-tau omega) / (1 + exp(-beta omega))``
depends on ``tau`` and ``omega`` only through ``x = tau / beta`` and
``nu = beta omega``: ``k(x, nu) = exp(-x nu) / (1 + exp(-nu))``.  It is evaluated
as ``exp(-x nu - log1p(exp(-nu)))`` for ``nu >= 0`` and
``exp((1 - x) nu - log1p(exp(nu)))`` for ``nu < 0``, which never overflows.
"""

from __future__ import annotations

import numpy as np


def _log1pexp_neg_abs(nu: np.ndarray) -> np.ndarray:
    """Return ``log(1 + exp(-|nu|))`` without overflow."""
    return np.log1p(np.exp(-np.abs(nu)))


def fermionic_kernel_dimensionless(x: np.ndarray, nu: np.ndarray) -> np.ndarray:
    """Dimensionless fermionic imaginary-time kernel ``k(x, nu)``.

    Parameters
    ----------
    x : array_like, shape (Nx,)
        Reduced imaginary times ``tau / beta`` in [0, 1].
    nu : array_like, shape (Nnu,)
        Reduced frequencies ``beta * omega``.

    Returns
    -------
    ndarray, shape (Nx, Nnu)
        ``exp(-x nu) / (1 + exp(-nu))``; ``k(0, nu) + k(1, nu) = 1`` exactly.
    """
    x = np.asarray(x, dtype=float)[:, None]
    nu = np.asarray(nu, dtype=float)[None, :]
    pos = nu >= 0
    # nu >= 0: exp(-x nu) / (1 + e^-nu); nu < 0: exp((1-x) nu) / (1 + e^nu)
    exponent = np.where(pos, -x * nu, (1.0 - x) * nu) - _log1pexp_neg_abs(nu)
    return np.exp(exponent)


def fermionic_kernel(tau: np.ndarray, omega: np.ndarray, beta: float) -> np.ndarray:
    """Fermionic imaginary-time kernel ``K(tau, omega)`` in physical units.

    Parameters
    ----------
    tau : array_like, shape (Ntau,)
        Imaginary times in [0, beta].
    omega : array_like, shape (Nomega,)
        Real frequencies (units of 1/beta).
    beta : float
        Inverse temperature.

    Returns
    -------
    ndarray, shape (Ntau, Nomega)
        ``exp(-tau omega) / (1 + exp(-beta omega))`` so that
        ``-G(tau) = int K(tau, omega) A(omega) d omega``.
    """
    return fermionic_kernel_dimensionless(np.asarray(tau, float) / beta, np.asarray(omega, float) * beta)


def fermionic_matsubara_kernel(omega_n: np.ndarray, omega: np.ndarray) -> np.ndarray:
    """Fermionic Matsubara kernel ``1 / (i omega_n - omega)``.

    Parameters
    ----------
    omega_n : array_like, shape (Nw,)
        Fermionic Matsubara frequencies ``(2n + 1) pi / beta``.
    omega : array_like, shape (Nomega,)
        Real frequencies.

    Returns
    -------
    ndarray of complex, shape (Nw, Nomega)
        So that ``G(i omega_n) = int K(i omega_n, omega) A(omega) d omega``.
    """
    wn = np.asarray(omega_n, dtype=float)[:, None]
    w = np.asarray(omega, dtype=float)[None, :]
    return 1.0 / (1j * wn - w)


def fermionic_matsubara_frequencies(beta: float, n_freq: int) -> np.ndarray:
    """The first ``n_freq`` non-negative fermionic Matsubara frequencies."""
    return (2 * np.arange(n_freq) + 1) * np.pi / beta
