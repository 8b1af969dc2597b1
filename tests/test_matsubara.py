"""Matsubara -> imaginary time with tail subtraction, against exact G(tau)."""

import numpy as np
import pytest
from spectra import gaussian_spectrum

from ac_learned.errors import InputError
from ac_learned.grids import trapezoid_weights
from ac_learned.kernels import fermionic_kernel, fermionic_matsubara_frequencies, fermionic_matsubara_kernel
from ac_learned.matsubara import matsubara_beta, matsubara_to_tau, tail_tau

BETA = 10.0
PEAKS = ((0.1, 0.15, 0.35), (-1.3, 0.35, 0.3), (1.5, 0.4, 0.35))


def exact_pair(n_freq, tau, beta=BETA, peaks=PEAKS, norm=1.0):
    w = np.linspace(-12, 12, 12001)
    aw = norm * gaussian_spectrum(w, peaks) * trapezoid_weights(w)
    wn = fermionic_matsubara_frequencies(beta, n_freq)
    return wn, fermionic_matsubara_kernel(wn, w) @ aw, -fermionic_kernel(tau, w, beta) @ aw


@pytest.mark.parametrize("n_freq, tol", [(20, 1e-3), (50, 5e-5), (200, 1e-6)])
def test_exact_data_reproduce_g_tau(n_freq, tol):
    tau = np.linspace(0, BETA, 101)
    wn, giw, g_tau = exact_pair(n_freq, tau)
    res = matsubara_to_tau(wn, giw, tau)
    assert res.beta == pytest.approx(BETA)
    assert np.max(np.abs(res.g_tau - g_tau)) < tol
    # -(G(0) + G(beta)) is the fitted c1, the norm
    np.testing.assert_allclose(-(res.g_tau[0] + res.g_tau[-1]), res.tail[0], rtol=1e-12)
    assert res.tail[0] == pytest.approx(1.0, abs=10 * tol)


def test_tail_coefficients_are_the_moments():
    tau = np.linspace(0, BETA, 11)
    wn, giw, _ = exact_pair(400, tau, norm=0.7)
    c = matsubara_to_tau(wn, giw, tau).tail
    w = np.linspace(-12, 12, 12001)
    a = 0.7 * gaussian_spectrum(w, PEAKS) * trapezoid_weights(w)
    np.testing.assert_allclose(c, [a.sum(), a @ w, a @ w**2], rtol=2e-3, atol=1e-6)


def test_tail_tau_of_a_single_pole():
    # G(i w) = 1/(i w - e) has moments 1, e, e^2; G(tau) = -exp(-e tau) / (1 + exp(-beta e))
    e, tau = 0.05, np.linspace(0, BETA, 21)
    exact = -np.exp(-e * tau) / (1 + np.exp(-BETA * e))
    np.testing.assert_allclose(tail_tau(tau, BETA, [1.0, e, e * e]), exact, atol=(e * BETA) ** 3 / 10)


def test_propagated_errors_match_monte_carlo():
    tau = np.linspace(0, BETA, 21)
    wn, giw, _ = exact_pair(40, tau)
    sigma = 1e-3 * (1 + wn / wn[-1])
    res = matsubara_to_tau(wn, giw, tau, stdev=sigma)
    rng = np.random.default_rng(3)
    noisy = giw + sigma * (rng.standard_normal((2000, wn.size)) + 1j * rng.standard_normal((2000, wn.size)))
    spread = np.std(matsubara_to_tau(wn, noisy, tau, stdev=sigma).g_tau, axis=0)
    np.testing.assert_allclose(spread, res.err_tau, rtol=0.1)
    # a diagonal complex covariance gives the same errors
    cov = np.diag(sigma**2).astype(complex)
    np.testing.assert_allclose(matsubara_to_tau(wn, giw, tau, cov=cov).err_tau, res.err_tau, rtol=1e-10)


def test_n_max_uses_the_lowest_frequencies():
    tau = np.linspace(0, BETA, 31)
    wn, giw, g_tau = exact_pair(300, tau)
    res = matsubara_to_tau(wn, giw, tau, stdev=1e-4, n_max=40)
    assert res.operator.shape == (31, 80)
    assert np.max(np.abs(res.g_tau - g_tau)) < 1e-4


def test_batch_input():
    tau = np.linspace(0, BETA, 11)
    wn, giw, g_tau = exact_pair(60, tau)
    res = matsubara_to_tau(wn, np.stack([giw, 2 * giw]), tau)
    np.testing.assert_allclose(res.g_tau[1], 2 * res.g_tau[0], rtol=1e-12)


def test_beta_checks():
    wn = fermionic_matsubara_frequencies(5.0, 30)
    assert matsubara_beta(wn) == pytest.approx(5.0)
    with pytest.raises(InputError, match="disagrees"):
        matsubara_beta(wn, beta=6.0)
    with pytest.raises(InputError, match="all of them"):
        matsubara_beta(wn[[0, 1, 2, 3, 5, 6]])  # a Pade-style subset
    with pytest.raises(InputError, match="all of them"):
        matsubara_beta(2 * np.pi / 5.0 * np.arange(1, 30))  # bosonic
    tau = np.linspace(0, 5, 11)
    with pytest.raises(InputError, match="stdev or cov"):
        matsubara_to_tau(wn, np.zeros(30, complex), tau, stdev=1.0, cov=np.eye(30))
    with pytest.raises(InputError, match="shape"):
        matsubara_to_tau(wn, np.zeros(29, complex), tau)
