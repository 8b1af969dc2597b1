"""The ana_cont plugin on real ana_cont 1.1.2: rlista, rlista+, model='rlista', errors."""

import re
import warnings

import numpy as np
import pytest
from spectra import gaussian_spectrum

pytest.importorskip("ana_cont")

import ana_cont.continuation as cont  # noqa: E402

from ac_learned import solve  # noqa: E402
from ac_learned.ana_cont import AnalyticContinuationProblem, neural_default  # noqa: E402
from ac_learned.errors import ACLearnedWarning, InputError, ModelError  # noqa: E402
from ac_learned.grids import trapezoid_weights  # noqa: E402
from ac_learned.kernels import (  # noqa: E402
    fermionic_kernel,
    fermionic_matsubara_frequencies,
    fermionic_matsubara_kernel,
)
from ac_learned.zoo import list_cards  # noqa: E402

BETA = 10.0
NOISE = 1e-4
PEAKS = ((0.1, 0.15, 0.35), (-1.3, 0.35, 0.3), (1.5, 0.4, 0.35))
FINE = np.linspace(-10, 10, 8001)
A_FINE = gaussian_spectrum(FINE, PEAKS) * trapezoid_weights(FINE)
# non-uniform real axis: finer around zero
OMEGA = np.unique(np.concatenate([np.linspace(-3, -0.5, 40), np.linspace(-0.5, 0.5, 41), np.linspace(0.5, 3, 40)]))


def err_l1(a, omega=OMEGA):
    truth = gaussian_spectrum(omega, PEAKS)
    w = trapezoid_weights(omega)
    return float(np.abs(a - truth) @ w / (truth @ w))


@pytest.fixture(scope="module")
def tau_data():
    tau = np.linspace(0, BETA, 101)
    g = fermionic_kernel(tau, FINE, BETA) @ A_FINE  # positive sign, as ana_cont expects
    return tau, g + NOISE * np.random.default_rng(1).standard_normal(tau.size)


@pytest.fixture(scope="module")
def iw_data():
    wn = fermionic_matsubara_frequencies(BETA, 60)
    giw = fermionic_matsubara_kernel(wn, FINE) @ A_FINE
    rng = np.random.default_rng(2)
    return wn, giw + NOISE * (rng.standard_normal(wn.size) + 1j * rng.standard_normal(wn.size))


def tau_problem(tau_data, omega=OMEGA, sign=1.0, cls=AnalyticContinuationProblem):
    tau, g = tau_data
    return cls(im_axis=tau, re_axis=omega, im_data=sign * g, kernel_mode="time_fermionic", beta=BETA)


def test_rlista_on_tau_data(tau_data):
    tau, g = tau_data
    out = tau_problem(tau_data).solve(method="rlista", stdev=np.full(tau.size, NOISE), verbose=False)
    assert isinstance(out, tuple) and len(out) == 2 and out[1] == [out[0]]
    sol = out[0]
    assert sol.A_opt.shape == OMEGA.shape and np.all(sol.A_opt >= 0)
    np.testing.assert_allclose(trapezoid_weights(OMEGA) @ sol.A_opt, sol.norm, rtol=1e-12)
    # ana_cont's norm is the integral on re_axis: the weight the continuation puts inside [-3, 3]
    # (the truth has 0.99997 there; the fitted tails may leave a few 1e-3 outside, no longer squeezed in)
    assert sol.norm == pytest.approx(1.0, abs=5e-3)
    # the same as ac_learned.solve on the user's (physical) axes
    direct = solve(tau, g, BETA, OMEGA, err=NOISE)
    np.testing.assert_allclose(sol.A_opt, direct.A, rtol=1e-12)
    # ana_cont's chi2: total, sum ((data - backtransform) / stdev)^2, with the fitted spectrum's own
    # backtransform (solve's); K @ A_opt by quadrature on this re_axis is close to it, not equal
    assert sol.backtransform.shape == tau.shape and np.all(sol.backtransform > 0)
    np.testing.assert_allclose(sol.backtransform, direct.backtransform, rtol=1e-12)
    np.testing.assert_allclose(sol.chi2, np.sum(((g - sol.backtransform) / NOISE) ** 2))
    assert sol.chi2 / tau.size == pytest.approx(direct.chi2, rel=1e-10)
    quadrature = fermionic_kernel(tau, OMEGA, BETA) @ (sol.A_opt * trapezoid_weights(OMEGA))
    assert np.max(np.abs(quadrature - sol.backtransform)) < 0.05 * np.max(sol.backtransform)
    assert sol.model_card["name"] == direct.model_card["name"]
    assert isinstance(sol.reliable, bool) and isinstance(sol.warnings, list)
    assert err_l1(sol.A_opt) < 0.4


def test_rlista_standard_sign_and_cov(tau_data):
    tau, g = tau_data
    sol, _ = tau_problem(tau_data, sign=-1.0).solve(method="rlista", cov=np.diag(np.full(tau.size, NOISE**2)),
                                                    verbose=False)
    ref, _ = tau_problem(tau_data).solve(method="rlista", stdev=np.full(tau.size, NOISE), verbose=False)
    np.testing.assert_allclose(sol.A_opt, ref.A_opt, rtol=1e-10)
    np.testing.assert_allclose(sol.backtransform, -ref.backtransform, rtol=1e-10)
    np.testing.assert_allclose(sol.chi2, ref.chi2, rtol=1e-8)
    # how cov was used is a note, not a warning (session 15)
    assert any("diagonal of cov" in n for n in sol.notes) and not any("diagonal of cov" in w for w in sol.warnings)


def test_rlista_on_matsubara_data(iw_data, tau_data):
    wn, giw = iw_data
    probl = AnalyticContinuationProblem(im_axis=wn, re_axis=OMEGA, im_data=giw, kernel_mode="freq_fermionic")
    sol, _ = probl.solve(method="rlista", stdev=np.full(wn.size, NOISE), verbose=False)
    assert sol.A_opt.shape == OMEGA.shape and sol.norm == pytest.approx(1.0, abs=5e-3)
    assert sol.backtransform.shape == wn.shape and np.iscomplexobj(sol.backtransform)
    np.testing.assert_allclose(sol.chi2, np.sum(np.abs(giw - sol.backtransform) ** 2) / NOISE**2)
    assert sol.matsubara.tail[0] == pytest.approx(1.0, abs=5e-3)
    assert err_l1(sol.A_opt) < 0.4
    # -G(i omega_n) given: the same spectrum, and the backtransform in the input's sign (same chi2)
    neg = AnalyticContinuationProblem(im_axis=wn, re_axis=OMEGA, im_data=-giw, kernel_mode="freq_fermionic")
    sol_neg, _ = neg.solve(method="rlista", stdev=np.full(wn.size, NOISE), verbose=False)
    np.testing.assert_allclose(sol_neg.A_opt, sol.A_opt, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(sol_neg.backtransform, -sol.backtransform, rtol=1e-8)
    assert sol_neg.chi2 == pytest.approx(sol.chi2, rel=1e-8)
    # close to the continuation of the same spectrum from G(tau)
    ref, _ = tau_problem(tau_data).solve(method="rlista", stdev=NOISE, verbose=False)
    assert np.abs(sol.A_opt - ref.A_opt) @ trapezoid_weights(OMEGA) < 0.15


def test_matsubara_rlista_fits_the_matsubara_data_on_a_partial_re_axis(iw_data):
    """The backtransform comes from the model's weights: chi2/(2N) near 1 on OMEGA (+-3, part of the weight
    outside) where A on re_axis gave 2-100 (user test, session 14); a spectrum that misses is not reliable."""
    wn, giw = iw_data
    probl = AnalyticContinuationProblem(im_axis=wn, re_axis=OMEGA, im_data=giw, kernel_mode="freq_fermionic")
    sol, _ = probl.solve(method="rlista", stdev=np.full(wn.size, NOISE), verbose=False)
    assert sol.chi2 / (2 * wn.size) < 1.6 and sol.reliable
    coarse = AnalyticContinuationProblem(im_axis=wn, re_axis=np.linspace(-2, 2, 21), im_data=giw,
                                         kernel_mode="freq_fermionic")
    sol_c, _ = coarse.solve(method="rlista", stdev=np.full(wn.size, NOISE), verbose=False)
    np.testing.assert_allclose(sol_c.chi2, sol.chi2, rtol=0.2)  # the same fit, whatever re_axis shows of it
    # errors 20x too small: the spectrum misses the data themselves, and says so
    tight = probl.solve(method="rlista", stdev=np.full(wn.size, NOISE / 20), verbose=False)[0]
    assert tight.reliable is False
    assert any("misses the Matsubara data: chi2/(2N)" in w and "error bars are likely too small" in w
                   for w in tight.warnings)


def test_rlista_plus_on_minus_matsubara_data_is_refused(iw_data):
    wn, giw = iw_data
    neg = AnalyticContinuationProblem(im_axis=wn, re_axis=OMEGA, im_data=-giw, kernel_mode="freq_fermionic")
    with pytest.raises(InputError, match="Im G > 0: -G or G\\* was passed"):
        neg.solve(method="rlista+", stdev=np.full(wn.size, NOISE), verbose=False)


def test_no_kink_fallback_refuses_when_nothing_fits(tau_data, monkeypatch):
    """chi2kink's failure meant 'the default already fits' only when the best chi2 is near N."""
    from ac_learned.errors import SolverError
    from ac_learned.hosts import ana_cont as host

    tau, g = tau_data
    probl = tau_problem(tau_data)
    probl.solve(method="rlista+", stdev=np.full(tau.size, NOISE), verbose=False)  # sets up the solver
    solver = probl.solver

    class Opt:
        def __init__(self, alpha, chi2):
            self.alpha, self.chi2, self.u_opt, self.A_opt = alpha, chi2, np.zeros(solver.n_sv), np.ones(3)

    monkeypatch.setattr(solver, "maxent_optimization", lambda alpha, ustart: Opt(alpha, 50.0 * tau.size))
    with pytest.raises(SolverError, match="no alpha fits the data: chi2/N = 50 at best"):
        host._no_kink_fallback(probl, {"alpha_determination": "chi2kink"}, RuntimeError("no kink"))
    monkeypatch.setattr(solver, "maxent_optimization", lambda alpha, ustart: Opt(alpha, 1.1 * tau.size))
    _, note = host._no_kink_fallback(probl, {"alpha_determination": "chi2kink"}, RuntimeError("no kink"))
    assert "already fits the data" in note


def test_rlista_with_a_card_path_on_ana_cont_own_class_after_register(tiny_model, tau_data, registered):
    tau, _ = tau_data
    omega = np.linspace(-2, 2, 81)  # tiny model: V = 20
    sol, _ = tau_problem(tau_data, omega, cls=cont.AnalyticContinuationProblem).solve(
        method="rlista", stdev=NOISE, rlista_model=str(tiny_model), verbose=False)
    assert sol.model_card["name"] == "tiny-test" and sol.A_opt.shape == omega.shape


@pytest.fixture
def registered():
    from ac_learned.ana_cont import register, unregister

    fresh = register()
    yield
    if fresh:
        unregister()


def test_rlista_plus_and_neural_default_model(tau_data):
    tau, _ = tau_data
    probl = tau_problem(tau_data)
    stdev = np.full(tau.size, NOISE)
    sol, alphas = probl.solve(method="rlista+", stdev=stdev, verbose=False)
    assert len(alphas) == 13  # chi2kink's ladder 1e9 .. 1e-3
    assert sol.A_opt.shape == OMEGA.shape
    assert trapezoid_weights(OMEGA) @ sol.A_opt == pytest.approx(1.0, abs=3e-3)  # physical units (times beta)
    d = sol.default_model
    assert np.all(d > 0) and trapezoid_weights(OMEGA) @ d == pytest.approx(1.0, abs=3e-3)
    assert sol.model_card["name"] and isinstance(sol.warnings, list)
    assert err_l1(sol.A_opt) < 0.4
    # model="rlista" inside maxent_svd is the same computation
    same, _ = probl.solve(method="maxent_svd", model="rlista", alpha_determination="chi2kink", stdev=stdev,
                          verbose=False)
    np.testing.assert_allclose(same.A_opt, sol.A_opt, rtol=1e-10)


def test_neural_default_is_normalised_for_ana_cont_scaled_axes(tau_data, iw_data):
    tau, _ = tau_data
    probl = tau_problem(tau_data)
    model, res, _ = neural_default(probl, stdev=np.full(tau.size, NOISE))
    # ana_cont integrates the model over its internal axis omega * beta: the model carries 1/beta
    assert np.all(model > 0)
    assert np.trapezoid(model, probl.re_axis) == pytest.approx(res.norm, rel=1e-10)
    assert np.trapezoid(model, OMEGA) == pytest.approx(res.norm / BETA, rel=1e-10)
    wn, giw = iw_data
    pf = AnalyticContinuationProblem(im_axis=wn, re_axis=OMEGA, im_data=giw, kernel_mode="freq_fermionic")
    model_f, res_f, _ = neural_default(pf, stdev=NOISE)
    assert np.trapezoid(model_f, OMEGA) == pytest.approx(res_f.norm, rel=1e-10)


def test_neural_default_broadened_share_through_the_plugin(tau_data, iw_data):
    import ac_learned.hosts.ana_cont as host

    tau, _ = tau_data
    probl = tau_problem(tau_data)
    raw, res, _ = neural_default(probl, stdev=np.full(tau.size, NOISE))
    wide, _, _ = neural_default(probl, stdev=np.full(tau.size, NOISE), broadened_share=1.0)
    assert np.trapezoid(wide, probl.re_axis) == pytest.approx(res.norm, rel=1e-10)
    assert wide.max() < raw.max()
    # "auto" below sigma = 1e-4 (relative to G(0) + G(beta) = 1) is the fit's full share
    auto, _, _ = neural_default(probl, stdev=np.full(tau.size, NOISE / 2), broadened_share="auto")
    share, _, _ = neural_default(probl, stdev=np.full(tau.size, NOISE), broadened_share=0.7)
    np.testing.assert_allclose(auto, share)
    # the module default is read at call time, and the keyword passes through solve(method="rlista+")
    old = host.DEFAULT_BROADENED_SHARE
    try:
        host.DEFAULT_BROADENED_SHARE = 1.0
        np.testing.assert_allclose(neural_default(probl, stdev=np.full(tau.size, NOISE))[0], wide)
    finally:
        host.DEFAULT_BROADENED_SHARE = old
    sol, _ = probl.solve(method="rlista+", stdev=np.full(tau.size, NOISE), broadened_share=1.0, verbose=False)
    np.testing.assert_allclose(sol.default_model, wide * BETA, rtol=1e-10)
    # what the default model holds is said in sol.notes, not among the warnings (session 15)
    assert any(n.startswith("neural default model: 1.00") for n in sol.notes)
    assert sol.reliable is sol.rlista.reliable  # the default's network flag, as for method="rlista"
    assert not any("neural default model" in w for w in sol.warnings)
    wn, giw = iw_data
    pf = AnalyticContinuationProblem(im_axis=wn, re_axis=OMEGA, im_data=giw, kernel_mode="freq_fermionic")
    model_f, res_f, _ = neural_default(pf, stdev=NOISE, broadened_share="auto")
    assert np.all(model_f > 0) and np.trapezoid(model_f, OMEGA) == pytest.approx(res_f.norm, rel=1e-10)
    with pytest.raises(InputError, match="broadened_share"):
        neural_default(probl, stdev=NOISE, broadened_share=-0.1)


def test_neural_default_beyond_every_model_is_flat_outside(tau_data):
    tau, _ = tau_data
    edge = max(float(c["grid"]["v_max"]) for c in list_cards()) / BETA  # the widest model's window
    omega = np.linspace(-2 * edge, 2 * edge, 801)
    probl = tau_problem(tau_data, omega)
    model, res, notes = neural_default(probl, stdev=NOISE)
    # a default that is flat beyond the widest model limits the answer: a warning (session 15)
    assert np.all(model > 0) and any("flat outside" in w for w in res.warnings)
    assert not any("flat outside" in n for n in notes)
    assert np.ptp(model[np.abs(omega) > 1.01 * edge]) < 1e-12
    with pytest.raises(ModelError):
        probl.solve(method="rlista", stdev=NOISE, verbose=False)


def test_rlista_plus_on_matsubara_data(iw_data):
    wn, giw = iw_data
    probl = AnalyticContinuationProblem(im_axis=wn, re_axis=OMEGA, im_data=giw, kernel_mode="freq_fermionic")
    sol, _ = probl.solve(method="rlista+", stdev=np.full(wn.size, NOISE), verbose=False)
    assert trapezoid_weights(OMEGA) @ sol.A_opt == pytest.approx(1.0, abs=5e-3)
    assert err_l1(sol.A_opt) < 0.4


def test_no_kink_fallback():
    # large noise (1 %): the neural default already fits the data at every alpha, chi2(alpha) has no kink
    # (at 3e-3 whether it has one depended on the particular trained weights)
    tau = np.linspace(0, BETA, 51)
    g = fermionic_kernel(tau, FINE, BETA) @ A_FINE + 1e-2 * np.random.default_rng(0).standard_normal(51)
    omega = np.linspace(-3, 3, 61)
    probl = AnalyticContinuationProblem(im_axis=tau, re_axis=omega, im_data=g, kernel_mode="time_fermionic",
                                        beta=BETA)
    sol, alphas = probl.solve(method="rlista+", stdev=1e-2, verbose=False, rlista_model="paper-rlista6")
    assert any("no kink" in n for n in sol.notes) and not any("no kink" in w for w in sol.warnings)
    assert trapezoid_weights(omega) @ sol.A_opt == pytest.approx(1.0, abs=0.02)
    assert sol.chi2 <= min(o.chi2 for o in alphas) + np.sqrt(2 * 51) + 1e-9


@pytest.mark.parametrize("mode", ["freq_bosonic", "time_bosonic"])
@pytest.mark.parametrize("method", ["rlista", "rlista+"])
def test_unsupported_kernel_modes(mode, method):
    axis = np.linspace(0.0, 1.0, 11) if mode.startswith("time") else 2 * np.pi / BETA * np.arange(11)
    probl = AnalyticContinuationProblem(im_axis=axis, re_axis=np.linspace(0, 3, 31), im_data=np.ones(11),
                                        kernel_mode=mode, beta=BETA)
    with pytest.raises(InputError, match="'time_fermionic' and 'freq_fermionic'"):
        probl.solve(method=method, stdev=np.full(11, 1e-3), verbose=False)


@pytest.mark.parametrize("kwargs", [{"method": "rlista"}, {"method": "rlista+"},
                                    {"method": "maxent_svd", "model": "rlista", "alpha_determination": "chi2kink"}])
def test_missing_error_bars(tau_data, kwargs):
    with pytest.raises(InputError, match="stdev=.*or cov="):
        tau_problem(tau_data).solve(verbose=False, **kwargs)


def test_other_input_errors(tau_data, iw_data):
    tau, _ = tau_data
    with pytest.raises(InputError, match="not both"):
        tau_problem(tau_data).solve(method="rlista", stdev=NOISE, cov=np.eye(tau.size), verbose=False)
    with pytest.raises(InputError, match="maxent_svd"):
        tau_problem(tau_data).solve(method="rlista+", model=np.ones(OMEGA.size), stdev=NOISE, verbose=False)
    tau_nan, g_nan = tau_data[0], tau_data[1].copy()
    g_nan[5] = np.nan
    with pytest.raises(InputError, match="NaN or inf"):
        tau_problem((tau_nan, g_nan)).solve(method="rlista", stdev=NOISE, verbose=False)
    # MaxEnt's kernel is positive: standard-sign data would give A = 0; method='rlista' takes them (above)
    for kw in ({"method": "rlista+"}, {"method": "maxent_svd", "model": "rlista"}):
        with pytest.raises(InputError, match="pass im_data=-G"):
            tau_problem(tau_data, sign=-1.0).solve(stdev=NOISE, verbose=False, **kw)
    with pytest.warns(ACLearnedWarning, match="alpha_detrmination"):
        tau_problem(tau_data).solve(method="rlista", stdev=NOISE, alpha_detrmination="chi2kink", verbose=False)
    wn, giw = iw_data
    subset = [0, 1, 2, 3, 4, 5, 6, 8, 9]  # Pade-style subset: no Fourier transform possible
    probl = AnalyticContinuationProblem(im_axis=wn[subset], re_axis=OMEGA, im_data=giw[subset],
                                        kernel_mode="freq_fermionic")
    with pytest.raises(InputError, match="all of them"):
        probl.solve(method="rlista", stdev=NOISE, verbose=False)


def test_subclass_constructor_takes_lists_and_names_bad_arguments(tau_data):
    """ana_cont's constructor answers these with AttributeError/TypeError/ValueError; the subclass explains."""
    tau, g = tau_data
    as_lists = AnalyticContinuationProblem(im_axis=list(tau), re_axis=list(OMEGA), im_data=list(g),
                                           kernel_mode="time_fermionic", beta=BETA)
    sol, _ = as_lists.solve(method="rlista", stdev=np.full(tau.size, NOISE), verbose=False)
    ref, _ = tau_problem(tau_data).solve(method="rlista", stdev=np.full(tau.size, NOISE), verbose=False)
    np.testing.assert_allclose(sol.A_opt, ref.A_opt)
    ok = dict(im_axis=tau, re_axis=OMEGA, im_data=g, kernel_mode="time_fermionic", beta=BETA)
    for change, match in ((dict(beta=None), "needs beta"), (dict(beta=-1.0), "positive"),
                          (dict(kernel_mode="time"), "kernel_mode must be one of"),
                          (dict(im_data=g[:-1]), "im_data has 100 points"), (dict(re_axis=None), "needs re_axis"),
                          (dict(im_data=["a"] * tau.size), "array of numbers"),
                          (dict(re_axis=OMEGA + 0.5j), "re_axis must be real")):
        with pytest.raises(InputError, match=match):
            AnalyticContinuationProblem(**{**ok, **change})


def test_plugin_input_mistakes_of_the_user_test(tau_data):
    """Session 14: complex G(tau), a zero or complex stdev, near-miss model strings, MaxEnt fields."""
    tau, g = tau_data
    with pytest.raises(InputError, match="im_data is complex, but G\\(tau\\)"):
        tau_problem((tau, g + 1e-3j)).solve(method="rlista", stdev=NOISE, verbose=False)
    # a complex array with a zero imaginary part is real data: same answer, no numpy ComplexWarning
    real_sol, _ = tau_problem(tau_data).solve(method="rlista", stdev=NOISE, verbose=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        complex_sol, _ = tau_problem((tau, g + 0j)).solve(method="rlista", stdev=NOISE, verbose=False)
    np.testing.assert_array_equal(complex_sol.A_opt, real_sol.A_opt)
    with warnings.catch_warnings():  # rlista+ too: MaxEnt gets the real part (its chi2 was complex)
        warnings.simplefilter("error")
        # numpy 2.0-2.3 deprecate the np.trapz that ana_cont's MaxEnt calls (numpy >= 2.4: the plugin's proxy)
        warnings.filterwarnings("ignore", message="`trapz` is deprecated", category=DeprecationWarning)
        plus, _ = tau_problem((tau, g + 0j)).solve(method="rlista+", stdev=np.full(tau.size, NOISE), verbose=False)
    assert np.isrealobj(plus.chi2) and np.isrealobj(plus.A_opt)
    stdev = np.full(tau.size, NOISE)
    stdev[7] = 0.0
    with pytest.raises(InputError, match="1 of its 101 values are not \\(first at index 7"):
        tau_problem(tau_data).solve(method="rlista", stdev=stdev, verbose=False)
    with pytest.raises(InputError, match="got complex"):
        tau_problem(tau_data).solve(method="rlista", stdev=stdev + 1j, verbose=False)
    for bad in ("RLISTA", "rlista+"):
        with pytest.raises(InputError, match=re.escape(f"model={bad!r}: a MaxEnt default model is an array")):
            tau_problem(tau_data).solve(method="maxent_svd", model=bad, stdev=np.full(tau.size, NOISE),
                                        alpha_determination="chi2kink", verbose=False)
    sol, sols = tau_problem(tau_data).solve(method="rlista", stdev=NOISE, model=np.ones(OMEGA.size), verbose=False)
    assert f"{sol.alpha:.3g}" == "nan" and sols[0] is sol
    assert any("['model'] have no effect" in w for w in sol.warnings)


def test_rlista_plus_warns_of_misspelled_keywords(tau_data):
    tau, g = tau_data
    with pytest.warns(ACLearnedWarning, match="ignores unknown keyword\\(s\\) \\['alpha_detremination'\\]"):
        tau_problem(tau_data).solve(method="rlista+", stdev=np.full(tau.size, NOISE), alpha_detremination="chi2kink",
                                    verbose=False)


def test_rlista_plus_that_misses_the_data_is_not_reliable():
    """Session 16 user test: error bars 10x too small; chi2kink picked an alpha, MaxEnt missed the data by
    chi2/N ~ 100, and rlista+ said reliable=True without a warning (rlista said False)."""
    tau = np.linspace(0, BETA, 101)
    gapped = gaussian_spectrum(FINE, ((-1.5, 0.3, 0.5), (1.5, 0.3, 0.5))) * trapezoid_weights(FINE)
    g = fermionic_kernel(tau, FINE, BETA) @ gapped + 1e-3 * np.random.default_rng(9).standard_normal(tau.size)
    sol, _ = tau_problem((tau, g), np.linspace(-5, 5, 201)).solve(method="rlista+", stdev=np.full(tau.size, 1e-4),
                                                                verbose=False)
    assert sol.chi2 / tau.size > 2
    assert sol.reliable is False and any(w.startswith("MaxEnt with the neural default misses") for w in sol.warnings)


def test_axes_are_checked_before_anything_resamples_them(tau_data, registered):
    """Session 16 user test: with ana_cont's own class these reached a scipy spline and its traceback."""
    tau, g = tau_data
    bad = tau.copy()
    bad[5] = np.nan
    cases = (((tau, g[:-1]), OMEGA, "im_data has 100 points and im_axis 101"),
             ((bad, g), OMEGA, "im_axis must be a 1-D array of finite numbers"),
             ((tau[::-1], g), OMEGA, "im_axis must be strictly increasing"),
             ((tau, g), np.where(OMEGA > 2.9, np.inf, OMEGA), "re_axis must be a 1-D array of finite numbers"))
    for (axis, data), omega, match in cases:
        for method in ("rlista", "rlista+"):
            probl = cont.AnalyticContinuationProblem(im_axis=axis, re_axis=omega, im_data=data,
                                                     kernel_mode="time_fermionic", beta=BETA)
            with pytest.raises(InputError, match=re.escape(match)):
                probl.solve(method=method, stdev=NOISE, verbose=False)


def test_default_model_options_on_rlista_are_named_as_without_effect(tau_data):
    tau, g = tau_data
    sol, _ = tau_problem(tau_data).solve(method="rlista", stdev=NOISE, flat_weight=0.5, verbose=False)
    assert any("['flat_weight'] shape the neural default model" in w for w in sol.warnings)
