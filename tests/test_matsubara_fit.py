"""The fit to Matsubara data themselves (session 15): solve(matsubara=...), the band, the pipeline, the plugin."""

import re

import numpy as np
import pytest
from test_matsubara import exact_pair

from ac_learned import solve
from ac_learned.cards import load_model
from ac_learned.errors import InputError
from ac_learned.io import GreenData
from ac_learned.matsubara import matsubara_to_tau
from ac_learned.matsubara_fit import MatsubaraData, MatsubaraSource, chi2_per_point
from ac_learned.refine import fit_to_data
from ac_learned.uncertainty import error_band

BETA = 10.0
NARROW = ((0.0, 0.3, 0.5), (-1.0, 0.3, 0.25), (1.0, 0.3, 0.25))  # inside the tiny model's window +-2 at beta 10
OMEGA = np.linspace(-2, 2, 81)


def _case(tiny_model, n_freq, sigma, seed=0):
    tau = load_model(tiny_model).x * BETA
    wn, giw, _ = exact_pair(n_freq, tau, beta=BETA, peaks=NARROW)
    rng = np.random.default_rng(seed)
    g = giw + sigma * (rng.standard_normal(n_freq) + 1j * rng.standard_normal(n_freq))
    mapped = matsubara_to_tau(wn, g, tau, BETA, stdev=np.full(n_freq, sigma))
    return tau, wn, g, mapped


def test_a_biased_map_is_fitted_through_the_matsubara_data(tiny_model):
    # 8 frequencies (omega_last = 4.7) at sigma = 1e-5: the tail test fails and the mapped G(tau) is off by
    # many error bars; the spectrum fitted to it misses the Matsubara data by chi2/2N ~ 10^3
    tau, wn, g, mapped = _case(tiny_model, 8, 1e-5)
    assert mapped.tail_warning is not None
    kw = {"err": mapped.err_tau, "model": str(tiny_model)}
    on_map = solve(tau, mapped.g_tau, BETA, OMEGA, **kw)
    on_iw = solve(tau, mapped.g_tau, BETA, OMEGA, **kw, matsubara=(wn, g, np.full(wn.size, 1e-5)))
    data = MatsubaraData(wn, g[None], np.full((1, wn.size), 1e-5))
    assert chi2_per_point(data, on_map.weights, on_map.nu_model, BETA, on_map.norm, "standard")[0] > 100
    assert on_iw.chi2 == pytest.approx(chi2_per_point(data, on_iw.weights, on_iw.nu_model, BETA, on_iw.norm,
                                                      "standard")[0])
    assert 0.5 < on_iw.chi2 < 1.2
    # the norm is the data's (1), not the biased tail's c1
    assert abs(on_iw.norm - 1.0) < 1e-3 < abs(on_map.norm - 1.0)
    # the same data in the other sign give the same spectrum
    flipped = solve(tau, -mapped.g_tau, BETA, OMEGA, **kw, matsubara=(wn, -g, np.full(wn.size, 1e-5)))
    np.testing.assert_allclose(flipped.A, on_iw.A, atol=1e-10)
    assert flipped.sign_seen == "positive"


def test_well_sampled_data_give_what_the_map_gives(tiny_model):
    tau, wn, g, mapped = _case(tiny_model, 40, 1e-4)
    assert mapped.tail_warning is None
    kw = {"err": mapped.err_tau, "model": str(tiny_model)}
    on_map = solve(tau, mapped.g_tau, BETA, OMEGA, **kw)
    on_iw = solve(tau, mapped.g_tau, BETA, OMEGA, **kw, matsubara=(wn, g, np.full(wn.size, 1e-4)))
    assert 0.7 < on_iw.chi2 < 1.2
    assert np.trapezoid(np.abs(on_iw.A - on_map.A), OMEGA) < 0.1


def test_matsubara_input_errors(tiny_model):
    tau, wn, g, mapped = _case(tiny_model, 20, 1e-4)
    kw = {"err": mapped.err_tau, "model": str(tiny_model)}
    with pytest.raises(InputError, match="shape"):
        solve(tau, mapped.g_tau, BETA, OMEGA, **kw, matsubara=(wn, g[:5], 1e-4))
    with pytest.raises(InputError, match="errors must be finite and positive"):
        solve(tau, mapped.g_tau, BETA, OMEGA, **kw, matsubara=(wn, g, -1e-4))
    with pytest.raises(InputError, match="increasing positive"):
        solve(tau, mapped.g_tau, BETA, OMEGA, **kw, matsubara=(-wn, g, 1e-4))
    with pytest.raises(InputError, match="other sign than g"):
        solve(tau, mapped.g_tau, BETA, OMEGA, **kw, matsubara=(wn, -g, 1e-4))
    with pytest.raises(InputError, match="not fermionic frequencies .* beta = 10"):
        solve(tau, mapped.g_tau, BETA, OMEGA, **kw, matsubara=(wn * BETA / 10.5, g, 1e-4))
    with pytest.raises(InputError, match="not cov"):
        solve(tau, mapped.g_tau, BETA, OMEGA, cov=np.diag(mapped.err_tau ** 2), model=str(tiny_model),
              matsubara=(wn, g, 1e-4))


def test_a_failed_tail_test_is_unreliable_only_where_the_points_end_inside_the_spectrum():
    from ac_learned.diagnostics import mark_biased_tail
    from ac_learned.matsubara_fit import TAIL_REACH_RELIABLE, reach
    from ac_learned.solve import ContinuationResult

    nu = np.linspace(-40, 40, 81)
    weights = np.exp(-0.5 * (nu / 10) ** 2)  # beta = 10: a Gaussian of width 1 in omega
    w99 = 2.58  # its half-width holding 99 % of the weight
    assert reach(2 * w99, weights, nu, 10.0) == pytest.approx(2.0, rel=0.1)
    for r, expected in ((0.5, False), (TAIL_REACH_RELIABLE + 0.5, True)):
        res = ContinuationResult(omega=np.zeros(3), A=np.zeros(3), backtransform=np.zeros(3), chi2=1.0, reliable=True)
        mark_biased_tail(res, "the Matsubara data stop at omega_n = 3, too low ... may be off by as much.", True, r)
        assert res.reliable is expected and len(res.warnings) == 1
    res = ContinuationResult(omega=np.zeros(3), A=np.zeros(3), backtransform=np.zeros(3), chi2=1.0, reliable=True)
    mark_biased_tail(res, "stop too low", False)  # fitted to the map: never reliable
    assert res.reliable is False


def test_an_infinite_norm_error_leaves_the_sum_to_the_data():
    x, nu = np.linspace(0, 1, 30), np.linspace(-10, 10, 41)
    from ac_learned.kernels import fermionic_kernel_dimensionless

    k = fermionic_kernel_dimensionless(x, nu)
    a = np.exp(-0.5 * (nu / 3) ** 2)
    a /= a.sum()
    g = 1.05 * (k @ a)  # data 5 % above the normalisation they were divided by
    err = np.full(x.size, 1e-5)
    _, tied = fit_to_data(a, k, g, err)
    _, free = fit_to_data(a, k, g, err, norm_error=np.inf)
    assert free.norm_scale == pytest.approx(1.05, rel=1e-3)
    assert abs(tied.norm_scale - 1.0) < abs(free.norm_scale - 1.0)


def test_band_samples_are_drawn_on_the_matsubara_points(tiny_model):
    tau, wn, g, mapped = _case(tiny_model, 20, 1e-4)
    source = MatsubaraSource(MatsubaraData(wn, g, np.full(wn.size, 1e-4)), mapped.operator)
    np.testing.assert_allclose(source.mapped(g)[0], mapped.g_tau, atol=1e-12)
    band = error_band(tau, mapped.g_tau, BETA, OMEGA, err=mapped.err_tau, n_draws=6, matsubara=source,
                      model=str(tiny_model))
    assert band.n_samples == 6 and band.method == "error-bar draws" and np.all(band.upper >= band.lower)
    rng = np.random.default_rng(1)
    bins = g + 1e-4 * np.sqrt(5) * (rng.standard_normal((5, wn.size)) + 1j * rng.standard_normal((5, wn.size)))
    with_bins = MatsubaraSource(source.data, mapped.operator, bins)
    jack = error_band(tau, mapped.g_tau, BETA, OMEGA, bins=with_bins.mapped(bins), matsubara=with_bins,
                      model=str(tiny_model))
    assert jack.method == "jackknife" and jack.n_samples == 5


def test_continue_fits_a_matsubara_file_to_its_points(tiny_model, tmp_path):
    import h5py

    from ac_learned.io import write_text
    from ac_learned.pipeline import continue_data, continue_file

    n_freq = 8
    wn, giw, _ = exact_pair(n_freq, np.linspace(0, BETA, 11), beta=BETA, peaks=NARROW)
    g = giw + 1e-5 * (np.random.default_rng(0).standard_normal(n_freq) * (1 + 1j))
    data = GreenData(kind="iw", beta=BETA, grid=wn, values=g, errors=np.full(n_freq, 1e-5), source="synthetic",
                     path="synthetic")
    out = continue_data(data, omega_max=2.0, model=str(tiny_model), n_draws=4)
    assert out.data.mapped_from is not None and out.data.mapped_from.data.omega_n.size == n_freq
    assert 0.5 < out.result.chi2 < 1.2  # on the Matsubara points, which the map alone missed by ~10^3
    # the frequencies stop too low for the tail (said), but reach ~3x past the spectrum: the flag is the others'
    assert any("fitted to the Matsubara data themselves" in w and "left to the other checks" in w
               for w in out.result.warnings)
    assert out.band is not None and out.band.n_samples == 4
    assert any("fitted to the 8 Matsubara points themselves" in n for n in out.notes)
    # the file keeps the points, their errors and the backtransform: its chi2 can be checked from it
    path = tmp_path / "giw.dat"
    write_text(path, wn, g, np.full(n_freq, 1e-5), fmt="ana_cont")
    out = continue_file(path, tmp_path / "A.h5", selectors={"beta": BETA}, omega_max=2.0, model=str(tiny_model),
                        n_draws=1, log=lambda *a: None)
    with h5py.File(tmp_path / "A.h5") as f:
        pts = f["matsubara"]
        r = (pts["G"][()] - pts["backtransform"][()]) / pts["G_err"][()]
        chi2 = np.mean(np.concatenate([r.real, r.imag]) ** 2)
        assert chi2 == pytest.approx(f.attrs["chi2"], rel=1e-6)
        assert "Matsubara frequencies" in " ".join(__import__("json").loads(f.attrs["notes"]))
    header = (tmp_path / "A.dat").read_text().splitlines()[1]
    assert "--draws 1" in header
    # MaxEnt methods run on the mapped G(tau): no claim of a fit to the points (the tail warning still applies)
    out = continue_file(path, tmp_path / "M.h5", selectors={"beta": BETA}, omega_max=2.0, method="maxent",
                        n_draws=1, log=lambda *a: None)
    assert not any("Matsubara points themselves" in n for n in out.notes) and out.result.reliable is False
    with h5py.File(tmp_path / "M.h5") as f:
        assert "matsubara" not in f


def test_plugin_refuses_real_or_negative_frequency_matsubara_data(tiny_model):
    from ac_learned.ana_cont import AnalyticContinuationProblem

    wn, giw, _ = exact_pair(40, np.linspace(0, BETA, 11), beta=BETA, peaks=NARROW)
    only_im = AnalyticContinuationProblem(im_axis=wn, re_axis=OMEGA, im_data=giw.imag, kernel_mode="freq_fermionic",
                                          beta=BETA)
    with pytest.raises(InputError, match="complex G.*re \\+ 1j \\* im"):
        only_im.solve(method="rlista", stdev=1e-4, rlista_model=str(tiny_model), verbose=False)
    both = AnalyticContinuationProblem(im_axis=np.concatenate([-wn[::-1], wn]), re_axis=OMEGA,
                                       im_data=np.concatenate([giw[::-1].conj(), giw]), kernel_mode="freq_fermionic",
                                       beta=BETA)
    with pytest.raises(InputError, match="positive Matsubara frequencies only"):
        both.solve(method="rlista", stdev=1e-4, rlista_model=str(tiny_model), verbose=False)


def test_plugin_fits_the_matsubara_points(tiny_model):
    from ac_learned.ana_cont import AnalyticContinuationProblem

    wn, giw, _ = exact_pair(40, np.linspace(0, BETA, 11), beta=BETA, peaks=NARROW)
    g = giw + 1e-4 * (np.random.default_rng(2).standard_normal(40) * (1 - 1j))
    probl = AnalyticContinuationProblem(im_axis=wn, re_axis=OMEGA, im_data=g, kernel_mode="freq_fermionic", beta=BETA)
    sol, _ = probl.solve(method="rlista", stdev=np.full(40, 1e-4), rlista_model=str(tiny_model), verbose=False)
    assert any(re.search(r"fitted to the first \d+ Matsubara points themselves", n) for n in sol.notes)
    assert sol.chi2 / (2 * 40) < 1.5
