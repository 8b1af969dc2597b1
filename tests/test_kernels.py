import numpy as np
from scipy.integrate import quad

from ac_learned.kernels import (
    fermionic_kernel,
    fermionic_kernel_dimensionless,
    fermionic_matsubara_frequencies,
    fermionic_matsubara_kernel,
)


def test_kernel_matches_direct_formula_where_safe():
    x = np.linspace(0, 1, 11)
    nu = np.linspace(-30, 30, 13)
    direct = np.exp(-x[:, None] * nu[None, :]) / (1 + np.exp(-nu[None, :]))
    np.testing.assert_allclose(fermionic_kernel_dimensionless(x, nu), direct, rtol=1e-13)


def test_kernel_no_overflow_and_limits():
    x = np.array([0.0, 0.5, 1.0])
    nu = np.array([-1e5, -800.0, 0.0, 800.0, 1e5])
    k = fermionic_kernel_dimensionless(x, nu)
    assert np.all(np.isfinite(k))
    np.testing.assert_allclose(k[0] + k[2], 1.0, rtol=1e-14)  # k(0) + k(1) = 1 for every nu
    assert k[1, 0] == 0.0 and k[1, -1] == 0.0


def test_kernel_physical_units_and_quadrature():
    beta, tau = 7.0, 2.3
    A = lambda w: np.exp(-((w - 0.5) ** 2) / 0.5) / np.sqrt(0.5 * np.pi)  # noqa: E731
    exact = quad(lambda w: np.exp(-tau * w) / (1 + np.exp(-beta * w)) * A(w), -20, 20, limit=200)[0]
    w = np.linspace(-20, 20, 20001)
    num = np.trapezoid(fermionic_kernel([tau], w, beta)[0] * A(w), w)
    np.testing.assert_allclose(num, exact, rtol=1e-8)


def test_matsubara_kernel_against_quadrature():
    beta = 5.0
    wn = fermionic_matsubara_frequencies(beta, 4)
    np.testing.assert_allclose(wn, np.pi / beta * np.array([1, 3, 5, 7]))
    A = lambda w: np.exp(-(w**2) / 2) / np.sqrt(2 * np.pi)  # noqa: E731
    w = np.linspace(-12, 12, 24001)
    g = np.trapezoid(fermionic_matsubara_kernel(wn, w) * A(w)[None, :], w, axis=1)
    re = [quad(lambda v, n=n: -v / (n**2 + v**2) * A(v), -12, 12)[0] for n in wn]
    im = [quad(lambda v, n=n: -n / (n**2 + v**2) * A(v), -12, 12)[0] for n in wn]
    np.testing.assert_allclose(g.real, re, atol=1e-9)
    np.testing.assert_allclose(g.imag, im, atol=1e-9)
    assert np.all(g.imag < 0)
