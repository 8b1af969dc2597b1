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


METAL = ((0.0, 0.3, 0.5), (-2.0, 0.6, 0.25), (2.0, 0.6, 0.25))


def _noisy_metal(beta, n_freq, sigma, seed=0):
    tau = np.linspace(0, beta, 101)
    wn, giw, g_tau = exact_pair(n_freq, tau, beta=beta, peaks=METAL)
    rng = np.random.default_rng(seed)
    return tau, wn, giw + sigma * (rng.standard_normal(n_freq) + 1j * rng.standard_normal(n_freq)), g_tau


def test_tail_check_keeps_three_terms_when_the_data_reach_the_tail():
    tau, wn, g, _ = _noisy_metal(10.0, 200, 1e-4)
    res = matsubara_to_tau(wn, g, tau, stdev=1e-4)
    assert res.n_terms == 3 and res.tail_warning is None and res.tail_p > 0.01
    # without error bars there is no test: three terms
    assert matsubara_to_tau(wn, g, tau).n_terms == 3


def test_tail_check_takes_more_terms_when_three_are_biased():
    # beta = 40, frequencies up to 9.3 for a spectrum reaching +-3.5: three terms are off by ~37 error bars
    tau, wn, g, g_exact = _noisy_metal(40.0, 60, 1e-5)
    three = matsubara_to_tau(wn, g, tau, 40.0, stdev=1e-5, n_terms=3)
    checked = matsubara_to_tau(wn, g, tau, 40.0, stdev=1e-5)
    bias3 = np.max(np.abs(three.g_tau - g_exact) / three.err_tau)
    bias = np.max(np.abs(checked.g_tau - g_exact) / checked.err_tau)
    assert three.n_terms == 3 and checked.n_terms == 5 and checked.tail_warning is None
    assert bias3 > 20 and bias < bias3 / 4


def test_tail_check_warns_when_the_frequencies_stop_too_low():
    tau, wn, g, _ = _noisy_metal(40.0, 30, 1e-5)  # omega_last = 4.6
    res = matsubara_to_tau(wn, g, tau, 40.0, stdev=1e-5)
    assert res.n_terms == 7 and res.tail_p < 1e-3
    assert "stop at omega_n = 4.634, too low" in res.tail_warning and "5 tail terms are rejected" in res.tail_warning
    with pytest.raises(InputError, match="n_terms must be at least 3"):
        matsubara_to_tau(wn, g, tau, 40.0, stdev=1e-4, n_terms=2)


def test_tail_test_is_calibrated_on_exact_tails():
    """Noise alone (the 3-term tail exact) gives uniform p-values: 1 % of draws below 0.01."""
    from ac_learned.matsubara import TAIL_P_SWITCH, matsubara_operator, tail_test

    wn = fermionic_matsubara_frequencies(BETA, 100)
    tau = np.linspace(0, BETA, 101)
    l3 = matsubara_operator(wn, BETA, tau, n_terms=3)[0]
    l5 = matsubara_operator(wn, BETA, tau, n_terms=5)[0]
    rng = np.random.default_rng(5)
    p = np.array([tail_test(l3, l5, rng.standard_normal(2 * wn.size), np.eye(2 * wn.size))[0] for _ in range(3000)])
    assert np.mean(p < TAIL_P_SWITCH) < 0.02 and 0.4 < np.median(p) < 0.6


def test_tail_warning_names_the_cut_and_how_far_the_data_reach():
    """Cut at 100 of 200 frequencies, too low for the tail at these error bars: the warning names the cut and the
    data's last frequency; with extend the map takes all of them, where the tail passes."""
    tau, wn, g, _ = _noisy_metal(40.0, 200, 1e-7)
    cut = matsubara_to_tau(wn, g, tau, 40.0, stdev=1e-7, n_max=100)
    assert cut.n_used == 100 and cut.operator.shape[1] == 200
    assert f"stop at omega_n = {wn[99]:.4g} (the first 100 of the 200 given" in cut.tail_warning
    assert f"the data reach {wn[-1]:.4g}" in cut.tail_warning and "too low for the tail" in cut.tail_warning
    full = matsubara_to_tau(wn, g, tau, 40.0, stdev=1e-7, n_max=100, extend=True)
    assert full.n_used == 200 and full.tail_warning is None and full.operator.shape[1] == 400


def test_tail_warning_blames_the_error_bars_when_the_lower_frequencies_fit():
    """Frequencies reaching 20 widths whose upper half is ten times noisier than their error bars say: the
    tail fails, and the warning says the frequencies are not the cause."""
    tau, wn, g, _ = _noisy_metal(40.0, 200, 1e-5)
    rng = np.random.default_rng(3)
    g = g.copy()
    g[100:] += 1e-4 * (rng.standard_normal(100) + 1j * rng.standard_normal(100))
    res = matsubara_to_tau(wn, g, tau, 40.0, stdev=1e-5)
    assert res.tail_warning is not None and "too low" not in res.tail_warning
    assert "The frequencies are not what fails" in res.tail_warning
    assert res.tail_warning.startswith(f"the Matsubara data stop at omega_n = {wn[-1]:.4g}:")
