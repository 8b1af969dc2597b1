import numpy as np
import pytest
from test_solve import BETA, make_data

from ac_learned.errors import InputError
from ac_learned.uncertainty import error_band, jackknife_samples


def test_jackknife_samples_are_leave_one_out_means():
    bins = np.arange(12.0).reshape(4, 3)
    jk = jackknife_samples(bins)
    np.testing.assert_allclose(jk[0], bins[1:].mean(axis=0))
    with pytest.raises(InputError):
        jackknife_samples(bins[:1])


def test_band_grows_with_noise_and_jackknife_matches_draws(tiny_model):
    tau = np.linspace(0, BETA, 61)
    omega = np.linspace(-5, 5, 81)
    g = make_data(tau)
    small = error_band(tau, g, BETA, omega, err=1e-4, model=str(tiny_model))
    large = error_band(tau, g, BETA, omega, err=3e-3, model=str(tiny_model))
    assert small.method == "error-bar draws" and small.n_samples == 200
    assert np.all(small.lower <= small.upper)
    assert large.std.mean() > 3 * small.std.mean()
    # bins whose mean is g and whose spread gives an error of the mean of 3e-3
    rng = np.random.default_rng(1)
    n_bins = 64
    bins = g + 3e-3 * np.sqrt(n_bins) * rng.standard_normal((n_bins, tau.size))
    jk = error_band(tau, bins.mean(axis=0), BETA, omega, bins=bins, model=str(tiny_model))
    assert jk.method == "jackknife" and jk.n_samples == n_bins
    ratio = jk.std.mean() / large.std.mean()
    assert 0.6 < ratio < 1.6


def test_band_from_covariance_and_errors(tiny_model):
    tau = np.linspace(0, BETA, 41)
    g = make_data(tau)
    cov = 1e-6 * np.exp(-np.abs(tau[:, None] - tau[None, :]) / 0.5)
    b = error_band(tau, g, BETA, np.linspace(-4, 4, 41), cov=cov, n_draws=50, model=str(tiny_model))
    assert b.method == "covariance draws" and b.std.shape == (41,)
    with pytest.raises(InputError, match="positive diagonal"):
        error_band(tau, g, BETA, np.linspace(-4, 4, 41), cov=-cov, model=str(tiny_model))
    singular = 1e-6 * np.ones((41, 41)) + 1e-7 * np.diag(np.r_[np.zeros(40), 1.0])
    with pytest.raises(InputError, match="positive definite"):
        error_band(tau, g, BETA, np.linspace(-4, 4, 41), cov=singular, model=str(tiny_model))
    with pytest.raises(InputError, match="needs bins"):
        error_band(tau, g, BETA, np.linspace(-4, 4, 41), model=str(tiny_model))


def test_samples_are_continued_like_the_centre(tiny_model, monkeypatch):
    """Each sample gets the data's error bars (or covariance), so the same model and fit serve centre and band."""
    import ac_learned.uncertainty as unc

    seen = []
    real_solve = unc.solve

    def spy(tau, g, **kw):
        seen.append(kw.get("err") if kw.get("cov") is None else kw["cov"])
        return real_solve(tau, g, **kw)

    monkeypatch.setattr(unc, "solve", spy)
    tau = np.linspace(0, BETA, 41)
    g = make_data(tau)
    rng = np.random.default_rng(2)
    bins = g + 1e-3 * rng.standard_normal((16, tau.size))
    band = error_band(tau, bins.mean(axis=0), BETA, np.linspace(-4, 4, 41), bins=bins, model=str(tiny_model))
    assert len(seen) == 2  # the samples in one batch, then the centre
    for err in seen:
        np.testing.assert_allclose(err, bins.std(axis=0, ddof=1) / 4.0)
    cov = 1e-6 * np.eye(tau.size)
    seen.clear()
    error_band(tau, g, BETA, np.linspace(-4, 4, 41), cov=cov, n_draws=20, model=str(tiny_model))
    assert len(seen) == 2
    for used in seen:
        np.testing.assert_allclose(used, cov)
    assert np.all(band.lower <= band.upper)
