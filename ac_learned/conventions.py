"""Physics conventions of ac_learned, stated once.

Sign of G
    Fermionic imaginary-time Green's functions are stored in the *standard* sign,
    ``G(tau) = -<T c(tau) c^dagger> <= 0``, so that for a diagonal element
    ``G(tau) = -int K(tau, omega) A(omega) d omega`` with
    ``K(tau, omega) = exp(-tau omega) / (1 + exp(-beta omega))``.
    Input in the positive convention (``-G >= 0``, as written by ana_cont, ALF,
    w2dynamics) is accepted; :func:`detect_sign` reports which one was seen and
    results are returned in the sign of the input.

Normalisation
    ``A(omega) >= 0`` and ``int A d omega = -(G(0) + G(beta))``, which is 1 for a
    normalised diagonal element.  The networks work on the normalised positive
    function ``g = G / (G(0) + G(beta))`` and return weights ``a`` that sum to one.
    ``G(0) + G(beta)`` is taken from the data (extrapolated to the ends of the
    tau grid), so it is as noisy as they are; the fit to the data
    (:func:`ac_learned.refine.fit_to_data`) estimates it from all tau points
    and ``int A d omega`` is that estimate.

Grid weights
    Integrals over omega use trapezoid weights on the given (possibly
    non-uniform) grid; the discrete weights ``a_j`` of a model stand for
    ``A(omega_j) w_j`` with ``w_j`` the trapezoid weights of its grid.

Units
    omega is in units of 1/beta's inverse (eV when beta is in 1/eV); the models
    work in the dimensionless variables ``x = tau / beta`` and ``nu = beta omega``.

Matsubara data
    ``G(i omega_n) = int A(omega) / (i omega_n - omega) d omega`` with fermionic
    ``omega_n = (2n + 1) pi / beta`` (standard sign, ``Im G(i omega_n) < 0`` for
    ``omega_n > 0``).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

Sign = Literal["standard", "positive"]

#: Fermionic statistics tag used throughout the package.
FERMIONIC = "fermionic"


def detect_sign(g_tau: np.ndarray) -> Sign:
    """Tell whether fermionic ``G(tau)`` data are in standard or positive sign.

    Parameters
    ----------
    g_tau : ndarray
        Values on an imaginary-time grid, grid on the last axis.

    Returns
    -------
    {"standard", "positive"}
        ``"standard"`` when the data are mostly negative (``G <= 0``),
        ``"positive"`` when mostly positive (``-G``, the ana_cont convention).
    """
    total = float(np.sum(g_tau))
    return "standard" if total < 0 else "positive"
