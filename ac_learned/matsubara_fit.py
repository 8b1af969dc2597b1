"""The fit to Matsubara data themselves, not to their map to G(tau).

The networks read ``G(tau)``, so Matsubara data are first mapped to it
(:mod:`ac_learned.matsubara`); the map needs a fitted ``1/(i omega_n)^k`` tail,
and where the frequencies stop too low for the spectrum the mapped ``G(tau)``
is biased by several error bars (its test says so).  A spectrum fitted to that
``G(tau)`` inherits the bias: it cannot fit the measured ``G(i omega_n)``
(chi2/2N of 2 to 6 10^5 on such data at sigma = 1e-5 ... 1e-3).

Fitted instead to the Matsubara data themselves, with the kernel
``1 / (i omega_n - omega)`` on the model's grid, the spectrum fits them to
their noise; only the network's start (and its reliability flag) still come
from the mapped ``G(tau)``.  The normalisation is left to the data: the
highest frequencies fix ``c1 = int A`` themselves, while the ``G(0) + G(beta)``
of the map is itself the fitted tail's ``c1`` (biased with it), so the sum of
the weights is not tied to it (``scripts/matsubara_fit_check.py``,
docs/ana_cont.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import InputError
from .kernels import fermionic_matsubara_kernel

#: A failed tail test leaves a spectrum fitted to the Matsubara points reliable only where the points reach
#: at least this far beyond the half-width holding 99 % of its weight (:func:`reach`).  With the fit to the
#: points the tail's length no longer biases the spectrum; what a failed test still says is that the data
#: stop early, and they stop too early where they end inside the spectrum.  On 85 warned cases of
#: ``scripts/matsubara_fit_check.py --freqs 20,30,60,200``: reach >= 1 in 21 (mean Err 0.18, max 0.25; 0.25
#: where the test passes), below 1 in 64 (mean 0.55, up to 1.5).
TAIL_REACH_RELIABLE = 1.0


@dataclass
class MatsubaraData:
    """Fermionic Matsubara data to fit: ``G(i omega_n)`` on ``omega_n > 0`` with one-sigma errors.

    Attributes
    ----------
    omega_n : ndarray, shape (Nw,)
        Positive fermionic Matsubara frequencies.
    values : ndarray, shape (Nw,) or (n, Nw), complex
        ``G(i omega_n)`` in the sign of the ``G(tau)`` it was mapped to.
    errors : ndarray, shape (Nw,) or (n, Nw)
        One-sigma error of the real and of the imaginary part (independent).
    """

    omega_n: np.ndarray
    values: np.ndarray
    errors: np.ndarray


@dataclass
class MatsubaraSource:
    """The Matsubara data a G(tau) was mapped from, kept so that the fit (and its error band) use them.

    Attributes
    ----------
    data : MatsubaraData
        The points the map used (the first ``n_max``), standard sign, with their errors.
    operator : ndarray, shape (Ntau, 2 Nw)
        The map's ``L``: ``G(tau) = L @ [Re G; Im G]`` on the mapped grid.
    bins : ndarray, shape (n_bins, Nw), complex, or None
        The file's bins on the same points, for a jackknife band.
    """

    data: MatsubaraData
    operator: np.ndarray
    bins: np.ndarray | None = None

    def mapped(self, values: np.ndarray) -> np.ndarray:
        """G(tau) of Matsubara rows ``values`` (n, Nw) through the same map."""
        values = np.atleast_2d(values)
        return np.concatenate([values.real, values.imag], axis=1) @ self.operator.T


def checked(data: MatsubaraData | tuple, n_spectra: int, beta: float | None = None,
            sign: str | None = None) -> MatsubaraData:
    """``data`` as float/complex arrays of shape (n_spectra, Nw), or an InputError saying what is wrong.

    With ``beta`` the frequencies must be fermionic ones of that beta, ``(2n+1) pi / beta``; with ``sign``
    (that detected on the G(tau) they were mapped to) their imaginary parts must have the matching sign.
    """
    if isinstance(data, tuple):
        if len(data) != 3:
            raise InputError("matsubara must be (omega_n, G(i omega_n), errors) or a MatsubaraData")
        data = MatsubaraData(*data)
    wn = np.asarray(data.omega_n, dtype=float)
    values = np.asarray(data.values, dtype=complex)
    errors = np.asarray(data.errors, dtype=float)
    if wn.ndim != 1 or wn.size < 2 or not np.all(np.isfinite(wn)) or np.any(wn <= 0) or np.any(np.diff(wn) <= 0):
        raise InputError("matsubara omega_n must be increasing positive frequencies (at least 2)")
    if values.shape not in ((wn.size,), (n_spectra, wn.size)) or not np.all(np.isfinite(values)):
        raise InputError(f"matsubara G(i omega_n) must be finite with shape ({wn.size},) or ({n_spectra}, {wn.size}), "
                         f"one row per G(tau); got {np.shape(data.values)}")
    values = np.broadcast_to(values, (n_spectra, wn.size))
    try:
        errors = np.broadcast_to(errors, values.shape)
    except ValueError:
        raise InputError(f"matsubara errors must be one per frequency ({wn.size}) or per spectrum and frequency; "
                         f"got shape {np.shape(data.errors)}") from None
    if not np.all(np.isfinite(errors)) or np.any(errors <= 0):
        raise InputError("matsubara errors must be finite and positive")
    if beta is not None:
        odd = wn * beta / np.pi
        if np.any(np.abs(odd - np.round(odd)) > 1e-6 * odd) or np.any(np.round(odd) % 2 != 1):
            raise InputError(f"matsubara omega_n are not fermionic frequencies (2n+1) pi / beta of beta = {beta:g} "
                             f"(omega_0 = {wn[0]:.6g} gives beta = {np.pi / wn[0]:.6g} if n starts at 0); pass the "
                             "beta the data were measured at")
    if sign is not None:
        im = float(np.sum(values.imag))
        if (sign == "standard" and im > 0) or (sign == "positive" and im < 0):
            raise InputError("matsubara G(i omega_n) has the other sign than g (G(tau) <= 0 goes with Im G(i omega_n) "
                             "< 0, and -G(tau) with -G(i omega_n)): pass both as G or both as -G")
    return MatsubaraData(wn, values, errors)


def kernel_rows(omega_n: np.ndarray, nu: np.ndarray, beta: float) -> np.ndarray:
    """Real kernel ``[Re; Im]`` of ``1 / (i omega_n - nu / beta)``, shape (2 Nw, Nnu): weights to stacked G."""
    k = fermionic_matsubara_kernel(omega_n, np.asarray(nu, dtype=float) / beta)
    return np.vstack([k.real, k.imag])


def stacked(values: np.ndarray, sign: str) -> np.ndarray:
    """``[Re G; Im G]`` per row in the standard sign (``Im G < 0``), from data in the sign ``sign`` of their G(tau)."""
    standard = values if sign == "standard" else -values
    return np.concatenate([standard.real, standard.imag], axis=-1)


def reach(omega_last: float, weights: np.ndarray, nu: np.ndarray, beta: float) -> float:
    """``omega_last`` over the half-width ``W`` in which the spectrum holds 99 % of its weight.

    ``W = max(|omega_lo|, |omega_hi|)`` with 0.5 % of the weight below ``omega_lo`` and 0.5 % above
    ``omega_hi`` (``weights`` on ``nu = beta * omega``, one spectrum).  Above 1 the Matsubara points extend
    beyond the spectrum.
    """
    cum = np.cumsum(np.asarray(weights, dtype=float).reshape(-1))
    cum = cum / cum[-1]
    omega = np.asarray(nu, dtype=float) / beta
    lo = omega[min(int(np.searchsorted(cum, 0.005)), omega.size - 1)]
    hi = omega[min(int(np.searchsorted(cum, 0.995)), omega.size - 1)]
    return float(omega_last / max(abs(lo), abs(hi), 1e-300))


def backtransform(omega_n: np.ndarray, weights: np.ndarray, nu: np.ndarray, beta: float, norm) -> np.ndarray:
    """Standard-sign ``G(i omega_n)`` of the spectra ``norm * weights`` on ``nu = beta * omega``.

    ``weights`` (Nnu,) or (n, Nnu) and ``norm`` a number or (n,); the result has the leading shape of ``weights``.
    """
    weights = np.asarray(weights, dtype=float)
    scaled = np.atleast_2d(weights) * np.reshape(np.asarray(norm, dtype=float), (-1, 1))
    back = scaled @ fermionic_matsubara_kernel(omega_n, np.asarray(nu, dtype=float) / beta).T
    return back if weights.ndim > 1 else back[0]


def chi2_per_point(data: MatsubaraData, weights: np.ndarray, nu: np.ndarray, beta: float, norm: np.ndarray,
                   sign: str) -> np.ndarray:
    """chi2 per real number (2 Nw of them) of the spectra ``norm * weights`` (on ``nu``) against ``data``."""
    back = np.atleast_2d(backtransform(data.omega_n, weights, nu, beta, norm))
    resid = (stacked(back, "standard") - stacked(data.values, sign)) / np.concatenate([data.errors, data.errors],
                                                                                       axis=-1)
    return np.mean(resid ** 2, axis=-1)
