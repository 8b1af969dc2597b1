"""Correlated errors: ac_learned.covariance, the fit with a covariance and solve(cov=...)."""

import numpy as np
import pytest
from test_refine import A_GUESS, A_TRUE, BETA, NU, K, X, physical_data

import ac_learned
from ac_learned.covariance import checked_covariance, chi2_per_point_correlated, cholesky_factor
from ac_learned.errors import InputError
from ac_learned.refine import fit_each, fit_to_data

N = X.size


def exponential_cov(sigma, ell, x=X):
    return sigma ** 2 * np.exp(-np.abs(x[:, None] - x[None, :]) / ell)


def test_bad_covariances_are_refused_with_advice():
    good = exponential_cov(1e-3, 0.1)
    with pytest.raises(InputError, match=rf"shape \({N}, {N}\)"):
        checked_covariance(good[:-1, :-1], N)
    with pytest.raises(InputError, match="symmetric"):
        checked_covariance(good + np.triu(np.full_like(good, 1e-7), 1), N)
    with pytest.raises(InputError, match="real"):
        checked_covariance(good.astype(complex), N)
    with pytest.raises(InputError, match="pass err instead"):
        checked_covariance(np.diag(good), N)
    with pytest.raises(InputError, match="NaN"):
        checked_covariance(np.where(np.eye(N) > 0, np.nan, good), N)
    with pytest.raises(InputError, match="positive diagonal"):
        checked_covariance(np.zeros((N, N)), N)
    bins = np.random.default_rng(0).standard_normal((20, N))  # fewer bins than points: singular
    with pytest.raises(InputError, match="positive definite.*more bins"):
        cholesky_factor(checked_covariance(np.cov(bins, rowvar=False), N))


def test_correlated_chi2_is_the_mahalanobis_distance_and_reduces_to_the_diagonal():
    rng = np.random.default_rng(1)
    g, back = rng.standard_normal(N), rng.standard_normal(N)
    cov = exponential_cov(0.3, 0.05)
    expected = (back - g) @ np.linalg.solve(cov, back - g) / N
    assert chi2_per_point_correlated(g, back, cholesky_factor(cov)) == pytest.approx(expected, rel=1e-10)
    err = np.linspace(0.1, 0.5, N)
    diag = chi2_per_point_correlated(np.stack([g, back]), np.stack([back, g]), cholesky_factor(np.diag(err ** 2)))
    np.testing.assert_allclose(diag, np.mean(((back - g) / err) ** 2))


def test_fit_with_a_diagonal_covariance_is_the_fit_with_errors():
    g = K @ A_TRUE + 1e-4 * np.random.default_rng(2).standard_normal(X.size)
    err = np.full(X.size, 1e-4)
    a_err, r_err = fit_to_data(A_GUESS, K, g, err)
    a_cov, r_cov = fit_to_data(A_GUESS, K, g, cov=np.diag(err ** 2))
    np.testing.assert_allclose(a_cov, a_err, atol=1e-9)
    assert r_cov.chi2_after == pytest.approx(r_err.chi2_after, rel=1e-6)
    with pytest.raises(InputError, match="not both"):
        fit_to_data(A_GUESS, K, g, err, cov=np.diag(err ** 2))
    with pytest.raises(InputError, match="err .* or cov"):
        fit_each(A_GUESS[None], K, g[None])


def test_fit_with_correlated_noise_reaches_the_covariance_chi2():
    # strongly correlated noise: the diagonal chi2 of the truth is far from its covariance chi2,
    # and only the fit that knows the covariance can aim at chi2/N = 1 in the right metric
    cov = exponential_cov(1e-4, 0.2)
    chol = cholesky_factor(cov)
    noise = np.random.default_rng(5).standard_normal((8, X.size)) @ chol.T
    g = K @ A_TRUE + noise
    true_chi2 = chi2_per_point_correlated(g, np.broadcast_to(K @ A_TRUE, g.shape), chol)
    assert np.all(true_chi2 < 1.6)
    a, _, scale = fit_each(np.broadcast_to(A_GUESS, (8, NU.size)), K, g, cov=cov)
    reached = chi2_per_point_correlated(g, (scale[:, None] * a) @ K.T, chol)
    assert np.all(reached <= 1.05 * np.maximum(1.0, 1.2 * true_chi2))
    assert np.all(np.abs(a.sum(axis=1) - 1) < 1e-12)


def test_solve_with_a_covariance(tiny_model):
    tau = np.linspace(0, BETA, 61)
    omega = np.linspace(-5, 5, 101)
    cov = exponential_cov(1e-3, 0.1, tau / BETA)
    chol = cholesky_factor(cov)
    g = physical_data(tau) + chol @ np.random.default_rng(4).standard_normal(tau.size)
    res = ac_learned.solve(tau, g, beta=BETA, omega=omega, cov=cov, model=str(tiny_model))
    assert res.chi2 == pytest.approx(chi2_per_point_correlated(g, res.backtransform, chol), rel=1e-10)
    assert res.fit_distance > 0 and res.chi2 < res.chi2_network
    # diagonal covariance = independent errors
    diag = ac_learned.solve(tau, g, beta=BETA, omega=omega, cov=1e-6 * np.eye(tau.size), model=str(tiny_model))
    plain = ac_learned.solve(tau, g, beta=BETA, omega=omega, err=1e-3, model=str(tiny_model))
    np.testing.assert_allclose(diag.A, plain.A, atol=1e-9)
    assert diag.chi2 == pytest.approx(plain.chi2, rel=1e-8)
    with pytest.raises(InputError, match="not both"):
        ac_learned.solve(tau, g, beta=BETA, omega=omega, err=1e-3, cov=cov, model=str(tiny_model))
    with pytest.raises(InputError, match=r"shape \(61, 61\)"):
        ac_learned.solve(tau, g, beta=BETA, omega=omega, cov=cov[1:, 1:], model=str(tiny_model))
