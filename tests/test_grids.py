import numpy as np
import pytest
from spectra import gaussian_spectrum

from ac_learned.grids import (
    make_nu_grid,
    make_x_grid,
    resample_to_x,
    trapezoid_weights,
    weights_to_density,
)
from ac_learned.kernels import fermionic_kernel


def test_trapezoid_weights_nonuniform():
    w = np.sort(np.random.default_rng(0).uniform(-3, 3, 50))
    f = np.sin(w) + w**2
    np.testing.assert_allclose(trapezoid_weights(w) @ f, np.trapezoid(f, w))


@pytest.mark.parametrize("kind", ["uniform", "chebyshev"])
def test_x_grid_has_ends(kind):
    x = make_x_grid(33, kind)
    assert x[0] == 0 and x[-1] == 1 and np.all(np.diff(x) > 0)


def test_sinh_grid_is_finer_at_zero():
    nu = make_nu_grid(101, 50.0, "sinh", 2.0)
    d = np.diff(nu)
    assert nu[0] == -50 and nu[-1] == 50 and abs(nu[50]) < 1e-12
    assert d[50] < d[0] / 3


def _g_tau(tau, beta):
    w = np.linspace(-10, 10, 4001)
    return -fermionic_kernel(tau, w, beta) @ (gaussian_spectrum(w, ((0.3, 0.5, 1.0),)) * trapezoid_weights(w))


@pytest.mark.parametrize("layout", ["ends", "open", "bin_centres"])
def test_resampling_round_trip(layout):
    beta, n = 10.0, 200
    if layout == "ends":
        tau = np.linspace(0, beta, n)
    elif layout == "open":
        tau = np.linspace(0, beta, n + 2)[1:-1]
    else:
        tau = (np.arange(n) + 0.5) * beta / n
    x = make_x_grid(64, "chebyshev")
    got = resample_to_x(tau, _g_tau(tau, beta), beta, x)
    np.testing.assert_allclose(got, _g_tau(x * beta, beta), atol=2e-5)
    assert abs(got[0] + got[-1] + 1) < 1e-4  # G(0) + G(beta) = -1


def test_weights_to_density_norm_and_shape_nonuniform():
    beta = 10.0
    nu = make_nu_grid(101, 40.0, "sinh")
    a = gaussian_spectrum(nu / beta, ((0.5, 0.3, 1.0),)) * trapezoid_weights(nu)
    a /= a.sum()
    omega = np.concatenate([np.linspace(-4, 0, 30, endpoint=False), np.linspace(0, 4, 200)])
    A = weights_to_density(a, nu, beta, omega, norm=0.7)
    np.testing.assert_allclose(trapezoid_weights(omega) @ A, 0.7, rtol=1e-12)
    np.testing.assert_allclose(A, 0.7 * gaussian_spectrum(omega, ((0.5, 0.3, 1.0),)), atol=0.02)


def test_weights_to_density_coarse_grid_keeps_weight():
    beta = 1.0
    nu = np.linspace(-10, 10, 2001)
    a = np.zeros_like(nu)
    a[1000 + 37] = 1.0  # a sharp peak at nu = 0.37
    omega = np.linspace(-10, 10, 11)  # much coarser than nu
    A = weights_to_density(a, nu, beta, omega)
    assert np.argmax(A) == 5
    np.testing.assert_allclose(trapezoid_weights(omega) @ A, 1.0)


def test_weights_to_density_batched():
    nu = np.linspace(-5, 5, 51)
    a = np.random.default_rng(0).uniform(size=(3, 51))
    A = weights_to_density(a, nu, 1.0, np.linspace(-5, 5, 80), norm=np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(A @ trapezoid_weights(np.linspace(-5, 5, 80)), [1, 2, 3])


def _wide_window_g(tau, beta):
    """Positive-convention G of weight at |omega| up to 30/beta * 10: steep near both ends."""
    omega = np.linspace(-30.0, 30.0, 601)
    A = gaussian_spectrum(omega, peaks=((-18.0, 2.0, 0.3), (0.0, 1.0, 0.4), (22.0, 3.0, 0.3)))
    return fermionic_kernel(tau, omega, beta) @ (A * trapezoid_weights(omega))


def test_log_spline_resampling_follows_steep_ends():
    from scipy.interpolate import CubicSpline

    beta = 10.0
    tau = np.linspace(0, beta, 101)
    g = _wide_window_g(tau, beta)
    x = make_x_grid(128, "chebyshev")
    exact = _wide_window_g(x * beta, beta)
    plain = CubicSpline(tau / beta, g)(x)
    err_log = np.abs(resample_to_x(tau, g, beta, x) - exact).max()
    assert err_log < np.abs(plain - exact).max() / 5
    np.testing.assert_allclose(resample_to_x(tau, g, beta, tau / beta), g, rtol=1e-10, atol=1e-14)
    # standard sign: the plain spline, still through the data
    np.testing.assert_allclose(resample_to_x(tau, -g, beta, tau / beta), -g, rtol=1e-10, atol=1e-14)
    # noisy values below zero in the middle are shifted, not logged as NaN
    noisy = g + 1e-3 * np.random.default_rng(0).standard_normal(g.shape)
    assert np.all(np.isfinite(resample_to_x(tau, noisy, beta, x)))


def test_resampling_error_estimate_tracks_the_true_error():
    from ac_learned.grids import resampling_error

    beta = 10.0
    x = make_x_grid(128, "chebyshev")
    exact = _wide_window_g(x * beta, beta)
    for n in (41, 101, 401):
        tau = np.linspace(0, beta, n)
        g = _wide_window_g(tau, beta)
        true_rms = np.sqrt(np.mean((resample_to_x(tau, g, beta, x) - exact) ** 2))
        est = resampling_error(tau, g, beta, x)
        assert true_rms / 10 < est < true_rms * 10, (n, est, true_rms)
    assert resampling_error(np.linspace(0, beta, 5), np.ones(5), beta, x) == 0.0


def test_refine_near_zero_splits_only_coarse_central_cells():
    from ac_learned.grids import FERMI_SPACING, refine_near_zero, weights_on_grid

    fine_enough = make_nu_grid(201, 560.0, "sinh")  # spacing 3.1 at 0
    assert refine_near_zero(fine_enough) is not None and np.array_equal(refine_near_zero(fine_enough), fine_enough)
    coarse = make_nu_grid(201, 2000.0, "sinh")  # spacing 11 at 0
    fine = refine_near_zero(coarse)
    assert np.all(np.isin(coarse, fine)) and np.all(np.diff(fine) > 0)
    assert 8 <= fine.size - coarse.size <= 30
    central = (fine[:-1] > -20) & (fine[1:] < 20)
    assert np.all(np.diff(fine)[central] <= FERMI_SPACING + 1e-12)
    np.testing.assert_array_equal(fine[np.abs(fine) > 40], coarse[np.abs(coarse) > 40])
    a = np.exp(-0.5 * (coarse / 300.0) ** 2) * trapezoid_weights(coarse)
    a /= a.sum()
    moved = weights_on_grid(np.stack([a, 2 * a]), coarse, fine)
    np.testing.assert_allclose(moved.sum(axis=1), [1.0, 2.0])
    np.testing.assert_allclose(weights_on_grid(a, coarse, coarse), a)
