"""The data fit of the network's spectrum (ac_learned.refine) and its use in solve()."""

import numpy as np
import pytest
from spectra import gaussian_spectrum

import ac_learned
from ac_learned.grids import trapezoid_weights
from ac_learned.kernels import fermionic_kernel, fermionic_kernel_dimensionless
from ac_learned.refine import fit_to_data

NU = np.linspace(-20, 20, 81)
X = np.linspace(0, 1, 41)
K = fermionic_kernel_dimensionless(X, NU)


def weights(peaks):
    a = gaussian_spectrum(NU, peaks) * trapezoid_weights(NU)
    return a / a.sum()


A_TRUE = weights(((3.0, 1.5, 0.6), (-6.0, 2.0, 0.4)))
A_GUESS = weights(((0.0, 6.0, 1.0),))  # a broad guess that misses the data


def data(sigma, seed=0):
    return K @ A_TRUE + sigma * np.random.default_rng(seed).standard_normal(X.size), np.full(X.size, sigma)


def chi2(a, g, err):
    return float(np.mean(((K @ a - g) / err) ** 2))


@pytest.mark.parametrize("sigma", [1e-4, 1e-3])
def test_fit_reaches_the_noise_and_keeps_the_constraints(sigma):
    g, err = data(sigma)
    assert chi2(A_GUESS, g, err) > 10
    a, rep = fit_to_data(A_GUESS, K, g, err)
    assert rep.changed and rep.reached and rep.chi2_before == pytest.approx(chi2(A_GUESS, g, err))
    fit = rep.norm_scale * a
    assert 0.9 <= chi2(fit, g, err) <= 1.0 * 1.05 and rep.chi2_after == pytest.approx(chi2(fit, g, err))
    assert np.all(a >= 0) and a.sum() == pytest.approx(1.0, abs=1e-12)
    assert rep.norm_scale == pytest.approx(1.0, abs=10 * sigma)
    # fitting moved the guess towards the truth
    assert np.linalg.norm(a - A_TRUE) < 0.8 * np.linalg.norm(A_GUESS - A_TRUE)


@pytest.mark.parametrize("norm_error", [-5e-4, 5e-4])
def test_a_noisy_normalisation_is_corrected_not_forced_on_the_fit(norm_error):
    # the caller divides by a measured G(0) + G(beta) that is off by 5 sigma; the
    # truth rescaled fits the data at chi2/N ~ 1, so the fit must reach it too
    # (a fit held to sum a = 1 cannot: chi2/N ~ 2 here) and report the correction
    sigma = 1e-4
    g, err = data(sigma, seed=1)
    g_rel, err_rel = g / (1 + norm_error), err / (1 + norm_error)
    assert chi2(A_TRUE / (1 + norm_error), g_rel, err_rel) < 0.9
    a, rep = fit_to_data(A_GUESS, K, g_rel, err_rel)
    assert rep.reached and rep.chi2_after <= 1.05
    assert rep.norm_scale * (1 + norm_error) == pytest.approx(1.0, abs=3 * sigma)
    assert a.sum() == pytest.approx(1.0, abs=1e-12)


def test_a_spectrum_that_fits_is_returned_unchanged():
    g, err = data(1e-3)
    a, rep = fit_to_data(A_TRUE, K, g, err, target=2.0)
    assert not rep.changed and rep.distance == 0.0 and a is A_TRUE


def test_the_smallest_change_is_made():
    # the minimal change for a looser target stays closer to the guess
    g, err = data(1e-4)
    a1, r1 = fit_to_data(A_GUESS, K, g, err, target=1.0)
    a4, r4 = fit_to_data(A_GUESS, K, g, err, target=4.0)
    assert r4.distance < r1.distance and 3.6 <= r4.chi2_after <= 4.0


def test_unreachable_target_does_not_overfit():
    # error bars 100 times too small: no spectrum reaches chi2/N = 1
    g, _ = data(1e-3)
    err = np.full(X.size, 1e-5)
    a, rep = fit_to_data(A_GUESS, K, g, err)
    assert not rep.reached and rep.chi2_after > 1.0
    assert np.all(np.isfinite(a)) and np.all(a >= 0) and a.sum() == pytest.approx(1.0)


def test_a_run_of_misfit_points_is_fitted_even_when_the_mean_passes():
    # error bars 1.5x too large hide a 3-sigma misfit of the first 10 of 200 points in the mean chi2;
    # the block check (20 runs of 10 points) still sees it and moves the spectrum
    x2 = np.linspace(0, 1, 200)
    k2 = fermionic_kernel_dimensionless(x2, NU)
    sigma = 1e-3
    g = k2 @ A_TRUE + sigma * np.random.default_rng(1).standard_normal(x2.size)
    g[:10] += 3 * sigma
    err = np.full(x2.size, 1.5 * sigma)

    def first_run(a):
        return float(np.mean(((k2 @ a - g) / err)[:10] ** 2))

    a_mean_only, r_mean_only = fit_to_data(A_TRUE, k2, g, err, blocks=1)
    assert r_mean_only.chi2_before < 1.0 and not r_mean_only.changed and a_mean_only is A_TRUE
    a, rep = fit_to_data(A_TRUE, k2, g, err)
    assert rep.changed and rep.chi2_after < rep.chi2_before < 1.0
    assert first_run(rep.norm_scale * a) < 0.7 * first_run(A_TRUE)  # the fit is norm_scale * a
    assert np.all(a >= 0) and a.sum() == pytest.approx(1.0)


BETA = 4.0


def physical_data(tau):
    w = np.linspace(-15, 15, 6001)
    return -fermionic_kernel(tau, w, BETA) @ (gaussian_spectrum(w, ((0.5, 0.6, 0.6), (-1.5, 0.7, 0.4)))
                                               * trapezoid_weights(w))


def test_solve_fits_the_data_by_default(tiny_model):
    tau = np.linspace(0, BETA, 61)
    g = physical_data(tau) + 1e-4 * np.random.default_rng(3).standard_normal(tau.size)
    omega = np.linspace(-5, 5, 101)
    raw = ac_learned.solve(tau, g, beta=BETA, omega=omega, err=1e-4, model=str(tiny_model), fit_data=False)
    fit = ac_learned.solve(tau, g, beta=BETA, omega=omega, err=1e-4, model=str(tiny_model))
    assert raw.fit_distance is None and raw.chi2 == pytest.approx(raw.chi2_network)
    assert fit.chi2_network == pytest.approx(raw.chi2) and fit.chi2_network > 1.5
    # the tiny model's 41-point grid cannot reach chi2/N = 1 exactly: within 1.2x of its best fit
    assert fit.chi2 < 1.5 and fit.chi2 < 0.01 * fit.chi2_network and fit.fit_distance > 0
    assert fit.reliable == raw.reliable  # the flag judges the network, not the fit
    # the fit may correct the measured G(0) + G(beta) within its error (hypot of two 1e-4 error bars)
    np.testing.assert_allclose(trapezoid_weights(omega) @ fit.A, fit.norm, rtol=1e-6)
    assert fit.norm != raw.norm and abs(fit.norm - raw.norm) < 3 * np.hypot(1e-4, 1e-4)
    np.testing.assert_allclose(fit.chi2, np.mean(((fit.backtransform - g) / 1e-4) ** 2))


def test_solve_without_errors_cannot_fit(tiny_model):
    tau = np.linspace(0, BETA, 61)
    res = ac_learned.solve(tau, physical_data(tau), beta=BETA, omega=np.linspace(-5, 5, 101),
                           model=str(tiny_model))
    assert res.chi2 is None and res.fit_distance is None
    assert any("fit to the data" in w for w in res.warnings)


def test_bad_inputs_give_input_errors():
    from ac_learned.errors import InputError

    kernel = np.ones((5, 3))
    good = (np.full(3, 1 / 3), kernel, np.ones(5), 1e-3)
    fit_to_data(*good)  # accepted
    bad = [
        ((np.full(4, 0.25), kernel, np.ones(5), 1e-3), "kernel has shape"),
        ((np.full(3, 1 / 3), kernel, np.ones(5), np.ones(4)), "err must be a scalar"),
        ((np.full(3, 1 / 3), kernel, np.ones(5), 0.0), "strictly positive"),
        ((np.array([0.5, -0.1, 0.6]), kernel, np.ones(5), 1e-3), "non-negative"),
        ((np.zeros(3), kernel, np.ones(5), 1e-3), "positive sum"),
        ((np.full((2, 3), 1 / 3), kernel, np.ones(5), 1e-3), "one spectrum"),
        ((np.full(3, 1 / 3), kernel, np.r_[np.ones(4), np.nan], 1e-3), "finite"),
    ]
    for args, match in bad:
        with pytest.raises(InputError, match=match):
            fit_to_data(*args)


def test_weight_at_window_edge_counts_the_outer_tenth():
    from ac_learned.diagnostics import weight_at_window_edge

    nu = np.linspace(-10, 10, 21)  # |nu| > 9: the two end points
    a = np.zeros((2, 21))
    a[0, 10] = 1.0
    a[1, [0, 10, 20]] = [0.2, 0.5, 0.3]
    np.testing.assert_allclose(weight_at_window_edge(a, nu, 10.0), [0.0, 0.5])


def test_broadening_keeps_mass_and_spreads_by_the_stated_width():
    """A point at nu0 is spread by a Gaussian of width 2 + 0.1 |nu0| (in nu), each row's sum kept."""
    from ac_learned.refine import BROADENING, broadened

    nu = np.linspace(-200, 200, 4001)
    for nu0 in (0.0, 100.0):
        a = np.zeros((2, nu.size))
        a[0, np.argmin(np.abs(nu - nu0))] = 0.7
        a[1] = np.interp(nu, NU, A_TRUE / trapezoid_weights(NU)) * trapezoid_weights(nu)
        out = broadened(a, nu)
        np.testing.assert_allclose(out.sum(axis=1), a.sum(axis=1), rtol=1e-12)
        assert np.all(out >= 0)
        mean = out[0] @ nu / out[0].sum()
        width = np.sqrt(out[0] @ (nu - mean) ** 2 / out[0].sum())
        assert mean == pytest.approx(nu0, abs=0.05)
        assert width == pytest.approx(BROADENING[0] + BROADENING[1] * abs(nu0), rel=0.02)


def test_broadened_share_is_full_for_precise_data_and_none_for_noisy():
    from ac_learned.refine import BROADENED_SHARE, broadened_share, with_broadened_share

    share = broadened_share(np.array([1e-6, 1e-5, 1e-4, 1.5e-4, 2e-4, 3e-4, 1e-3, 1e-2]))
    np.testing.assert_allclose(share[:3], BROADENED_SHARE)
    np.testing.assert_allclose(share[5:], 0.0)
    assert BROADENED_SHARE > share[3] > share[4] > 0
    a = np.vstack([A_TRUE, A_GUESS])
    assert with_broadened_share(a, NU, 0.0) is a
    mixed = with_broadened_share(a, NU, np.array([0.7, 0.0]))
    np.testing.assert_allclose(mixed[1], A_GUESS)
    assert np.abs(mixed[0] - A_TRUE).sum() > 0.01 and mixed[0].sum() == pytest.approx(1.0)


def test_solve_starts_the_fit_from_the_network_mixed_with_its_broadened_copy(monkeypatch):
    """At relative error 1e-5 the fit's start is 0.3 network + 0.7 broadened network; at 1e-3 the network alone."""
    import sys

    from ac_learned.refine import with_broadened_share

    solve_module = sys.modules["ac_learned.solve"]
    starts = []
    real_fit_each = solve_module.fit_each

    def capture(a0, *args, **kwargs):
        starts.append(a0.copy())
        return real_fit_each(a0, *args, **kwargs)

    monkeypatch.setattr(solve_module, "fit_each", capture)
    beta, tau = 10.0, np.linspace(0, 10.0, 101)
    omega = np.linspace(-4.0, 4.0, 161)
    g0 = -fermionic_kernel(tau, omega, beta) @ (gaussian_spectrum(omega, ((0.5, 0.6, 1.0),)) * np.gradient(omega))
    shares = []
    for sigma in (1e-5, 1e-3):
        g = g0 + sigma * np.random.default_rng(1).standard_normal(tau.size)
        res = ac_learned.solve(tau, g, beta=beta, omega=omega, err=sigma)
        shares.append(res.broadened_share)
        monkeypatch.setattr(solve_module, "broadened_share", lambda s: np.zeros(np.shape(s)))
        plain = ac_learned.solve(tau, g, beta=beta, omega=omega, err=sigma)
        monkeypatch.undo()
        monkeypatch.setattr(solve_module, "fit_each", capture)
        assert plain.broadened_share == 0.0
        expected = with_broadened_share(starts[-1], res.nu_model, shares[-1])
        np.testing.assert_allclose(starts[-2], expected, rtol=1e-10, atol=1e-14)
    assert shares == [pytest.approx(0.7), 0.0]
    assert ac_learned.solve(tau, g0, beta=beta, omega=omega, err=1e-5, fit_data=False).broadened_share is None


def test_fit_each_shares_one_svd_between_rows_whose_errors_differ_by_a_factor():
    # noise draws and jackknife samples are divided by their own norms: their whitened kernels differ by a
    # factor, and fit_each factors it once (session 15); the result is the row-by-row fit's
    from ac_learned.kernels import fermionic_kernel_dimensionless
    from ac_learned.refine import fit_each, fit_to_data

    x, nu = np.linspace(0, 1, 60), np.linspace(-20, 20, 81)
    k = fermionic_kernel_dimensionless(x, nu)
    rng = np.random.default_rng(0)
    a = rng.uniform(size=(6, 81))
    a /= a.sum(axis=1, keepdims=True)
    a0 = a + 0.3 * rng.uniform(size=a.shape)
    a0 /= a0.sum(axis=1, keepdims=True)
    err = 1e-4 * (1 + x)[None, :] / rng.uniform(0.9, 1.1, size=(6, 1))
    g = a @ k.T + err * rng.standard_normal((6, 60))
    shared, _, scale = fit_each(a0, k, g, err)
    for i in range(6):
        alone, report = fit_to_data(a0[i], k, g[i], err[i])
        np.testing.assert_allclose(shared[i], alone, atol=1e-12)
        assert scale[i] == pytest.approx(report.norm_scale, rel=1e-12)
