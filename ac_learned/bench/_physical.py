"""Shared pieces of the benchmarks behind ``solve``'s defaults.

Test spectra of the kind QMC users continue and that no training family holds
as such (six fixed shapes and random physical spectra), their G(tau) from a
fine frequency grid, MaxEnt-flat on them, and a context manager that swaps
functions of :mod:`ac_learned.solve` for a comparison and restores them.
"""

from __future__ import annotations

import contextlib
import io
import sys
import warnings

import numpy as np

from ..grids import trapezoid_weights
from ..kernels import fermionic_kernel
from ..metrics import err_l1

#: (beta, N_tau) of the physical test cases: a +-10 window, uniform tau grids with both ends.
PHYSICAL_BETAS = ((2.0, 51), (5.0, 51), (10.0, 101), (37.5, 201), (100.0, 501))
#: The six fixed physical spectra.
SIX = ("metal", "mott", "semicircle", "asymmetric", "lorentzian", "band edges")
#: The user's omega grid and the fine grid the data are computed on.
OMEGA = np.linspace(-10.0, 10.0, 401)
FINE = np.linspace(-40.0, 40.0, 40001)


def solve_module():
    """The module :mod:`ac_learned.solve` (the package re-exports a function of the same name)."""
    import ac_learned.solve  # noqa: F401  (makes sure it is loaded)

    return sys.modules["ac_learned.solve"]


@contextlib.contextmanager
def patched(module, **attrs):
    """Set ``module.NAME = value`` for each keyword inside the block; restore the originals after it."""
    old = {k: getattr(module, k) for k in attrs}
    try:
        for k, v in attrs.items():
            setattr(module, k, v)
        yield
    finally:
        for k, v in old.items():
            setattr(module, k, v)


def _gauss(w, c, s):
    return np.exp(-0.5 * ((w - c) / s) ** 2)


def physical_spectrum(name: str, w: np.ndarray) -> np.ndarray:
    """One of the six fixed spectra (:data:`SIX`) on ``w``, normalised there."""
    a = {
        "metal": 0.4 * _gauss(w, 0, 0.2) / 0.2 + 0.3 * _gauss(w, -2.5, 0.6) / 0.6 + 0.3 * _gauss(w, 2.5, 0.6) / 0.6,
        "mott": _gauss(w, -2.0, 0.5) + _gauss(w, 2.0, 0.5),
        "semicircle": np.sqrt(np.clip(4.0 - w ** 2, 0.0, None)),
        "asymmetric": 0.7 * _gauss(w, -1.0, 0.4) / 0.4 + 0.3 * _gauss(w, 3.0, 1.0),
        "lorentzian": 0.3 / (w ** 2 + 0.09) * np.exp(-(w / 6.0) ** 4),
        "band edges": np.sqrt(np.clip(-0.5 - w, 0, None)) * np.exp(-(w + 0.5) ** 2 / 2)
        + np.sqrt(np.clip(w - 0.8, 0, None)) * np.exp(-(w - 0.8) ** 2),
    }[name]
    return a / (trapezoid_weights(w) @ a)


def six_physical(beta: float, n_tau: int, names=SIX):
    """tau, and per spectrum its true weights on :data:`OMEGA` and its exact G(tau), for the fixed spectra."""
    tau = np.linspace(0.0, beta, n_tau)
    kern = fermionic_kernel(tau, FINE, beta) * trapezoid_weights(FINE)
    tw = trapezoid_weights(OMEGA)
    return tau, [(physical_spectrum(n, OMEGA) * tw, -(kern @ physical_spectrum(n, FINE))) for n in names]


def six_noise(k: int, draws: int, n_tau: int) -> np.ndarray:
    """The unit noise of fixed spectrum number ``k``: ``draws`` rows (the same at every sigma)."""
    return np.random.default_rng(100 * k + 1).standard_normal((draws, n_tau))


def random_physical(rng: np.random.Generator, w: np.ndarray) -> np.ndarray:
    """One normalised spectrum of a random kind with random parameters (energies in eV, |features| <= 6).

    Metals (a quasi-particle peak between two Hubbard bands), Mott insulators,
    semicircular bands, two unequal broad peaks, Lorentzians with a smooth
    cut-off, semiconductors with square-root band edges.
    """
    def gauss(c, s):
        return np.exp(-0.5 * ((w - c) / s) ** 2) / s

    kind = rng.integers(6)
    u, shift = rng.uniform(2.0, 6.0), rng.uniform(-0.5, 0.5)
    if kind == 0:  # metal: quasi-particle peak and two Hubbard bands
        z = rng.uniform(0.1, 0.6)
        a = z * gauss(rng.uniform(-0.2, 0.2), rng.uniform(0.05, 0.4)) + (1 - z) * (
            rng.uniform(0.3, 0.7) * gauss(shift - u / 2, rng.uniform(0.3, 1.2))
            + rng.uniform(0.3, 0.7) * gauss(shift + u / 2, rng.uniform(0.3, 1.2)))
    elif kind == 1:  # Mott insulator
        a = rng.uniform(0.3, 0.7) * gauss(shift - u / 2, rng.uniform(0.3, 1.0)) + rng.uniform(0.3, 0.7) * gauss(
            shift + u / 2, rng.uniform(0.3, 1.0))
    elif kind == 2:  # semicircular band
        d = rng.uniform(0.5, 3.0)
        a = np.sqrt(np.clip(d * d - (w - shift) ** 2, 0.0, None))
    elif kind == 3:  # two unequal broad peaks
        a = rng.uniform(0.5, 0.9) * gauss(rng.uniform(-3, 0), rng.uniform(0.2, 0.6)) + rng.uniform(
            0.1, 0.5) * gauss(rng.uniform(1, 4), rng.uniform(0.5, 1.5))
    elif kind == 4:  # Lorentzian with a smooth cut-off
        g = rng.uniform(0.1, 1.0)
        a = g / ((w - shift) ** 2 + g * g) * np.exp(-(w / rng.uniform(4.0, 8.0)) ** 4)
    else:  # semiconductor: square-root band edges around a gap
        lo, hi = shift - rng.uniform(0.2, 1.0), shift + rng.uniform(0.2, 1.0)
        a = np.sqrt(np.clip(lo - w, 0, None)) * np.exp(-(w - lo) ** 2 / rng.uniform(1, 4)) + np.sqrt(
            np.clip(w - hi, 0, None)) * np.exp(-(w - hi) ** 2 / rng.uniform(1, 4))
    return a / (trapezoid_weights(w) @ a)


def random_physical_set(beta: float, n_tau: int, n: int):
    """``n`` random physical spectra at one beta.

    Returns
    -------
    tau, omega, truth, g, rng
        The tau grid, :data:`OMEGA`, the true weights on it (n, Nomega), the
        exact G(tau) (n, Ntau), and the generator whose next draws are the noise.
    """
    tau = np.linspace(0.0, beta, n_tau)
    kern = fermionic_kernel(tau, FINE, beta) * trapezoid_weights(FINE)
    rng = np.random.default_rng(int(beta * 10))
    spectra = [random_physical(np.random.default_rng(rng.integers(2**31)), FINE) for _ in range(n)]
    truth = np.array([np.interp(OMEGA, FINE, a) for a in spectra]) * trapezoid_weights(OMEGA)
    truth /= truth.sum(axis=1, keepdims=True)
    return tau, OMEGA, truth, -(np.array(spectra) @ kern.T), rng


def errs_on_omega(A: np.ndarray, omega: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Err = sum |a - a_true| / sum a_true of densities ``A`` on ``omega`` against true weights."""
    return err_l1(np.atleast_2d(A) * trapezoid_weights(omega), np.atleast_2d(truth))


def maxent_flat_err(tau, g, beta: float, omega, sigma: float, truth) -> float:
    """Err of ana_cont MaxEnt-flat (chi2kink, the true sigma as error bar) on one spectrum; NaN where it fails.

    A run longer than the benchmarks' limit (60 s) counts as failed.
    """
    from ..pipeline import _maxent_solve
    from .neural_default import MAXENT_TIMEOUT_S, _MaxEntTimeout, _time_limit

    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings(), _time_limit(MAXENT_TIMEOUT_S):
            warnings.simplefilter("ignore")
            res = _maxent_solve(tau, g, beta, omega, np.full(np.size(tau), sigma), "maxent", None, "numpy", "cpu")
    except (RuntimeError, ValueError, IndexError, np.linalg.LinAlgError, _MaxEntTimeout):
        return float("nan")
    return float(errs_on_omega(res.A, omega, truth)[0])
