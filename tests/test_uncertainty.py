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


def test_band_is_the_samples_spread_placed_around_the_centre(tiny_model, monkeypatch):
    """On exact data the samples (fitted to data with noise added) sit apart from the centre; the band keeps
    their 16-84 % spread but holds the centre wherever it is not clipped at zero."""
    import ac_learned.uncertainty as unc

    tau = np.linspace(0, BETA, 61)
    omega = np.linspace(-5, 5, 81)
    g = make_data(tau)
    kept = {}
    real_band = unc.band_from_samples

    def spy(a, centre, method):
        kept["a"] = np.atleast_2d(a)
        return real_band(a, centre, method)

    monkeypatch.setattr(unc, "band_from_samples", spy)
    centre = unc.solve(tau, g, beta=BETA, omega=omega, err=1e-4, model=str(tiny_model))
    band = error_band(tau, g, BETA, omega, err=1e-4, n_draws=60, centre=centre, model=str(tiny_model))
    big = centre.A > 0.1 * centre.A.max()
    q16, q84 = np.quantile(kept["a"], [0.16, 0.84], axis=0)
    np.testing.assert_allclose((band.upper - band.lower)[band.lower > 0], (q84 - q16)[band.lower > 0], atol=1e-12)
    assert np.all((band.lower <= centre.A) & (centre.A <= band.upper))
    assert np.mean(((centre.A >= q16) & (centre.A <= q84))[big]) < 1  # the raw quantiles missed it somewhere


def test_band_from_samples_jackknife_and_draws():
    from ac_learned.uncertainty import band_from_samples

    a = np.array([[1.0, 2.0], [3.0, 2.0], [5.0, 2.0]])
    centre = np.array([0.5, 1.0])
    jk = band_from_samples(a, centre, "jackknife")
    np.testing.assert_allclose(jk.upper - centre, np.sqrt(2 / 3 * np.array([8.0, 0.0])))
    draws = band_from_samples(a, centre, "error-bar draws")
    q16, q50, q84 = np.quantile(a, [0.16, 0.5, 0.84], axis=0)
    np.testing.assert_allclose(draws.upper, centre + q84 - q50)
    np.testing.assert_allclose(draws.lower, np.maximum(centre + q16 - q50, 0.0))
