import numpy as np
import pytest
from spectra import gaussian_spectrum

import ac_learned
from ac_learned.errors import InputError, ModelError
from ac_learned.grids import trapezoid_weights
from ac_learned.kernels import fermionic_kernel

BETA = 4.0


def make_data(tau, beta=BETA, peaks=((0.5, 0.6, 0.6), (-1.5, 0.7, 0.4)), norm=1.0):
    w = np.linspace(-15, 15, 6001)
    return -norm * fermionic_kernel(tau, w, beta) @ (gaussian_spectrum(w, peaks) * trapezoid_weights(w))


def test_solve_shapes_norm_and_sign(tiny_model):
    tau = np.linspace(0, BETA, 81)
    g = make_data(tau, norm=0.8)
    omega = np.concatenate([np.linspace(-5, -1, 20, endpoint=False), np.linspace(-1, 5, 150)])
    res = ac_learned.solve(tau, g, beta=BETA, omega=omega, err=1e-3, model=str(tiny_model), fit_data=False)
    assert res.A.shape == omega.shape and np.all(res.A >= 0)
    np.testing.assert_allclose(trapezoid_weights(omega) @ res.A, 0.8, rtol=1e-6)
    # fitted, the norm is the fit's estimate: within a few errors of the data's G(0) + G(beta)
    fitted = ac_learned.solve(tau, g, beta=BETA, omega=omega, err=1e-3, model=str(tiny_model))
    np.testing.assert_allclose(trapezoid_weights(omega) @ fitted.A, fitted.norm, rtol=1e-6)
    assert abs(fitted.norm - 0.8) < 3 * np.hypot(1e-3, 1e-3)
    assert res.sign_seen == "standard" and np.all(res.backtransform <= 0)
    assert res.backtransform.shape == tau.shape and isinstance(res.chi2, float)
    assert res.model_card["name"] == "tiny-test"
    pos = ac_learned.solve(tau, -g, beta=BETA, omega=omega, err=1e-3, model=str(tiny_model), fit_data=False)
    assert pos.sign_seen == "positive" and np.all(pos.backtransform >= 0)
    np.testing.assert_allclose(pos.A, res.A, rtol=1e-10)


def test_solve_chi2_is_the_backtransform_misfit(tiny_model):
    tau = np.linspace(0, BETA, 61)
    g = make_data(tau)
    res = ac_learned.solve(tau, g, beta=BETA, omega=np.linspace(-5, 5, 101), err=2e-3, model=str(tiny_model))
    np.testing.assert_allclose(res.chi2, np.mean(((res.backtransform - g) / 2e-3) ** 2))


def test_solve_batch_and_bin_centre_grid(tiny_model):
    n = 100
    tau = (np.arange(n) + 0.5) * BETA / n
    g = np.stack([make_data(tau), make_data(tau, peaks=((0.0, 0.5, 1.0),))])
    res = ac_learned.solve(tau, g, beta=BETA, omega=np.linspace(-5, 5, 51), err=np.full(n, 1e-3),
                           model=str(tiny_model))
    assert res.A.shape == (2, 51) and res.chi2.shape == (2,) and res.reliable.shape == (2,)
    # the norm is extrapolated to tau = 0 and beta from the bin centres, then corrected by the fit
    raw = ac_learned.solve(tau, g, beta=BETA, omega=np.linspace(-5, 5, 51), err=np.full(n, 1e-3),
                           model=str(tiny_model), fit_data=False)
    np.testing.assert_allclose(raw.norm, 1.0, atol=2e-3)
    np.testing.assert_allclose(res.norm, 1.0, atol=1e-2)


def test_unreliable_flag_on_unfittable_data(tiny_model):
    tau = np.linspace(0, BETA, 61)
    g = make_data(tau, peaks=((0.0, 0.02, 1.0),))  # a delta peak: outside the tiny model's prior
    g = g + 0.05 * np.sin(9 * tau)  # and a wiggle no spectrum can produce
    res = ac_learned.solve(tau, g, beta=BETA, omega=np.linspace(-5, 5, 51), err=1e-5, model=str(tiny_model))
    assert res.reliable is False
    assert any("rlista+" in w for w in res.warnings)


def test_neural_default_model_positive_and_normalised(tiny_model):
    tau = np.linspace(0, BETA, 61)
    omega = np.linspace(-6, 6, 121)
    dm = ac_learned.neural_default_model(tau, make_data(tau), beta=BETA, omega=omega, model=str(tiny_model))
    assert np.all(dm > 0)
    np.testing.assert_allclose(trapezoid_weights(omega) @ dm, 1.0)


def test_neural_default_model_broadened_share(tiny_model):
    from ac_learned.solve import default_broadened_share, default_model_from_spectrum

    tau = np.linspace(0, BETA, 61)
    omega = np.linspace(-6, 6, 121)
    g = make_data(tau)
    kw = {"beta": BETA, "omega": omega, "model": str(tiny_model)}
    raw = ac_learned.neural_default_model(tau, g, broadened_share=0.0, **kw)
    # without errors the data's precision is unknown: "auto" (the default) keeps the network's own spectrum
    np.testing.assert_allclose(ac_learned.neural_default_model(tau, g, **kw), raw)
    full = ac_learned.neural_default_model(tau, g, broadened_share=1.0, **kw)
    np.testing.assert_allclose(trapezoid_weights(omega) @ full, 1.0)
    assert np.all(full > 0) and full.max() < raw.max()  # broadening lowers the peaks, keeps the mass
    # "auto": the fit's share by noise level (0.7 for precise data, none for noisy data)
    precise = ac_learned.neural_default_model(tau, g, err=1e-5, broadened_share="auto", **kw)
    np.testing.assert_allclose(precise, ac_learned.neural_default_model(tau, g, broadened_share=0.7, **kw))
    noisy = ac_learned.neural_default_model(tau, g, err=1e-2, **kw)
    np.testing.assert_allclose(noisy, ac_learned.neural_default_model(tau, g, err=1e-2, broadened_share=0, **kw))
    assert default_broadened_share("auto", np.array([1.0, 1.0]), np.array([[1e-5] * 3, [1e-3] * 3]), 3) == \
        pytest.approx([0.7, 0.0])
    # a delta-like spectrum is spread by the broadening width (2 in beta * omega: 0.5 here)
    delta = np.where(np.abs(omega) < 0.06, 1.0, 0.0)
    spread = default_model_from_spectrum(delta, omega, flat_weight=0.0, broadened_share=1.0, beta=BETA)
    width = np.sqrt(trapezoid_weights(omega) @ (spread * omega**2))
    assert width == pytest.approx(2.0 / BETA, rel=0.1)
    with pytest.raises(InputError, match="needs beta"):
        default_model_from_spectrum(delta, omega, broadened_share=0.5)
    with pytest.raises(InputError, match=r"in \[0, 1\]"):
        ac_learned.neural_default_model(tau, g, broadened_share=1.5, **kw)
    with pytest.raises(InputError, match="'auto'"):
        ac_learned.neural_default_model(tau, g, broadened_share="wide", **kw)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"g": np.full(41, np.nan)}, "NaN"),
        ({"g": np.zeros(40)}, "shape"),
        ({"tau": np.linspace(0, 2 * BETA, 41)}, r"\[0, beta\]"),
        ({"tau": np.linspace(0, BETA / 2, 41)}, r"covers \[0, 2\] but beta = 4.*pass beta=2"),
        ({"tau": np.linspace(BETA / 4, BETA, 41)}, r"covers \[1, 4\] but beta = 4"),
        ({"tau": np.linspace(BETA, 0, 41)}, "increasing"),
        ({"omega": np.array([1.0, 0.0, 2.0])}, "increasing"),
        ({"err": -1.0}, "positive"),
        ({"err": np.zeros(41)}, "positive"),
        ({"err": np.ones(7)}, "err must be"),
        ({"beta": -2.0}, "beta"),
        ({"beta": "hot"}, "beta"),
        ({"g": np.ones(41) * 1j}, "real"),
        ({"g": make_data(np.linspace(0, BETA, 41)) + 1e-3j}, "imaginary part"),
    ],
)
def test_malformed_inputs_give_clear_errors(tiny_model, kwargs, match):
    args = {"tau": np.linspace(0, BETA, 41), "g": make_data(np.linspace(0, BETA, 41)), "beta": BETA,
            "omega": np.linspace(-4, 4, 41), "err": 1e-3}
    args.update(kwargs)
    with pytest.raises(InputError, match=match):
        ac_learned.solve(args["tau"], args["g"], beta=args["beta"], omega=args["omega"], err=args["err"],
                         model=str(tiny_model))


def test_outside_every_model_names_the_train_command():
    tau = np.linspace(0, 200.0, 101)
    with pytest.raises(ModelError, match="ac-learned train"):
        ac_learned.solve(tau, make_data(tau, beta=200.0), beta=200.0, omega=np.linspace(-50, 50, 11))


def test_unknown_model_name_lists_shipped():
    with pytest.raises(ModelError, match="shipped models"):
        ac_learned.solve(np.linspace(0, 1, 10), -np.ones(10) / 2, beta=1.0, omega=np.linspace(-1, 1, 5),
                         model="no-such-model")


def test_explicit_model_narrower_than_omega_warns(tiny_model):
    tau = np.linspace(0, BETA, 41)
    res = ac_learned.solve(tau, make_data(tau), beta=BETA, omega=np.linspace(-10, 10, 41), model=str(tiny_model))
    assert any("beyond model" in w for w in res.warnings)
    assert np.all(res.A[np.abs(res.omega) > 20 / BETA + 0.3] == 0)


def test_window_too_narrow_is_flagged(tiny_model):
    """Half the weight beyond |omega| = V / beta = 5: piled up at the edge, flagged, told of a wider window."""
    tau = np.linspace(0, BETA, 81)
    omega = np.linspace(-5, 5, 101)
    beyond = ac_learned.solve(tau, make_data(tau, peaks=((0.5, 0.6, 0.5), (8.0, 1.0, 0.5))), beta=BETA,
                              omega=omega, err=1e-4, model=str(tiny_model))
    assert beyond.reliable is False
    assert any("outer 10% of the model's window" in w and "a model of a wider window" in w for w in beyond.warnings)
    inside = ac_learned.solve(tau, make_data(tau), beta=BETA, omega=omega, err=1e-4, model=str(tiny_model))
    assert not any("outer 10%" in w for w in inside.warnings)


def test_fit_that_cannot_reach_the_noise_is_flagged(tiny_model):
    """Error bars 100x smaller than the noise: even the fitted spectrum misses the data; said, and flagged."""
    tau = np.linspace(0, BETA, 81)
    g = make_data(tau) + 1e-3 * np.random.default_rng(0).standard_normal(tau.size)
    res = ac_learned.solve(tau, g, beta=BETA, omega=np.linspace(-5, 5, 101), err=1e-5, model=str(tiny_model))
    assert res.chi2 > 2 and res.reliable is False
    assert any(w.startswith("even fitted to the data") and "error bars are too small" in w for w in res.warnings)
    ok = ac_learned.solve(tau, g, beta=BETA, omega=np.linspace(-5, 5, 101), err=1e-3, model=str(tiny_model))
    assert ok.chi2 <= 2 and not any(w.startswith("even fitted") for w in ok.warnings)


@pytest.mark.parametrize("kind", ["both ends", "bin centres", "open", "no tau = 0", "dense at the ends"])
def test_grids_that_cover_zero_to_beta_are_accepted(tiny_model, kind):
    n = 41
    tau = {
        "both ends": np.linspace(0, BETA, n),
        "bin centres": (np.arange(n) + 0.5) * BETA / n,
        "open": np.arange(1, n) * BETA / n,
        "no tau = 0": np.arange(1, n + 1) * BETA / n,
        "dense at the ends": 0.5 * BETA * (1 - np.cos(np.linspace(0.02, np.pi - 0.02, n))),
    }[kind]
    res = ac_learned.solve(tau, make_data(tau), beta=BETA, omega=np.linspace(-4, 4, 41), err=1e-3,
                           model=str(tiny_model))
    assert np.isfinite(res.norm) and abs(res.norm - 1.0) < 0.05


def test_omega_on_part_of_the_spectrum_shows_the_density_there(tiny_model):
    """A grid on omega >= 0 gives the same A there as a full grid; it is not rescaled to integrate to 1."""
    tau = np.linspace(0, BETA, 81)
    g = make_data(tau)
    full_grid, positive = np.linspace(-5, 5, 201), np.linspace(0, 5, 101)
    full = ac_learned.solve(tau, g, beta=BETA, omega=full_grid, err=1e-3, model=str(tiny_model))
    half = ac_learned.solve(tau, g, beta=BETA, omega=positive, err=1e-3, model=str(tiny_model))
    np.testing.assert_allclose(half.A[5:], full.A[105:], rtol=0.02, atol=1e-3)
    share = trapezoid_weights(positive) @ half.A / half.norm
    assert 0.3 < share < 0.8
    assert any("outside the omega grid" in w and "res.norm is the total" in w for w in half.warnings)


def test_error_bars_far_too_large_are_pointed_out(tiny_model):
    tau = np.linspace(0, BETA, 81)
    g = make_data(tau) + 1e-3 * np.random.default_rng(3).standard_normal(tau.size)
    right = ac_learned.solve(tau, g, beta=BETA, omega=np.linspace(-5, 5, 101), err=1e-3, model=str(tiny_model))
    assert not any("too large" in w for w in right.warnings)
    # 50x too large (the tiny test network alone misses the data by ~2 error bars of 1e-2)
    wrong = ac_learned.solve(tau, g, beta=BETA, omega=np.linspace(-5, 5, 101), err=5e-2, model=str(tiny_model))
    assert wrong.chi2 < 0.25
    assert any("error bars" in w and "too large" in w and "cov=" in w for w in wrong.warnings)


def test_complex_g_with_a_zero_imaginary_part_is_taken_as_real(tiny_model):
    tau = np.linspace(0, BETA, 41)
    g = make_data(tau)
    as_real = ac_learned.solve(tau, g, beta=BETA, omega=np.linspace(-4, 4, 41), err=1e-3, model=str(tiny_model))
    as_complex = ac_learned.solve(tau, g.astype(complex), beta=BETA, omega=np.linspace(-4, 4, 41), err=1e-3,
                                  model=str(tiny_model))
    np.testing.assert_array_equal(as_complex.A, as_real.A)


def test_named_model_on_data_noisier_than_its_training_is_flagged():
    # a low-noise band (trained on sigma <= 3e-4) asked for by name on data at 1e-3
    tau = np.linspace(0, BETA, 101)
    omega = np.linspace(-3, 3, 121)
    g = make_data(tau)
    rng = np.random.default_rng(5)
    for sigma, noisy in ((1e-4, False), (1e-3, True)):
        res = ac_learned.solve(tau, g + sigma * rng.standard_normal(tau.size), beta=BETA, omega=omega, err=sigma,
                    model="rlista10-v32-lownoise")
        flagged = [w for w in res.warnings if "above the largest that model rlista10-v32-lownoise" in w]
        assert bool(flagged) == noisy
        if noisy:
            assert res.reliable is False and "model='auto'" in flagged[0]
    auto = ac_learned.solve(tau, g + 1e-3 * rng.standard_normal(tau.size), beta=BETA, omega=omega, err=1e-3)
    assert not any("above the largest" in w for w in auto.warnings)


def test_bad_api_inputs_get_ac_learned_errors(tiny_model):
    from ac_learned.errors import BackendError

    tau = np.linspace(0, BETA, 41)
    g, omega = make_data(tau), np.linspace(-3, 3, 61)
    bad = [
        (dict(omega=omega + 0.05j), InputError, "complex grid"),
        (dict(err=np.full(tau.size, 1e-4) + 1e-5j), InputError, "complex err"),
        (dict(g=np.zeros((0, tau.size))), InputError, "no spectra"),
        (dict(model=None), ModelError, "model must be"),
        (dict(model="/nonexistent/card.json"), ModelError, "does not exist"),
        (dict(model="PAPER-RLISTA6"), ModelError, "did you mean 'paper-rlista6'"),
        (dict(model=str(tiny_model), backend="torch", device="gpu"), BackendError, "device='gpu'"),
    ]
    for kw, error, message in bad:
        args = {"g": g, "omega": omega, "err": 1e-4, "model": str(tiny_model), **kw}
        with pytest.raises(error, match=message):
            ac_learned.solve(tau, args.pop("g"), beta=BETA, **args)
    for kw in ({"flat_weight": 2.0}, {"floor": -1.0}):
        with pytest.raises(InputError, match="must lie in"):
            ac_learned.neural_default_model(tau, g, beta=BETA, omega=omega, err=1e-4, model=str(tiny_model), **kw)


def test_neural_default_model_takes_cov_backend_and_device(tiny_model):
    tau = np.linspace(0, BETA, 41)
    g, omega = make_data(tau), np.linspace(-3, 3, 61)
    ref = ac_learned.neural_default_model(tau, g, beta=BETA, omega=omega, err=1e-4, model=str(tiny_model))
    with_cov = ac_learned.neural_default_model(tau, g, beta=BETA, omega=omega, cov=np.eye(tau.size) * 1e-8,
                                               model=str(tiny_model))
    np.testing.assert_allclose(with_cov, ref, rtol=1e-10)
    pytest.importorskip("torch")
    on_torch = ac_learned.neural_default_model(tau, g, beta=BETA, omega=omega, err=1e-4, model=str(tiny_model),
                                               backend="torch", device="cpu")
    np.testing.assert_allclose(on_torch, ref, rtol=1e-8, atol=1e-12)


def test_a_window_of_a_few_temperatures_is_warned_of_and_the_weight_beyond_it_is_what_A_misses():
    """Session 16 user test: at beta = 0.001 on +-5 the warning said 64.6 % outside where A held 6 % of the norm."""
    import re

    for beta, omega_max in ((0.001, 5.0), (0.1, 5.0), (10.0, 3.0)):
        tau = np.linspace(0, beta, 101)
        omega = np.linspace(-omega_max, omega_max, 201)
        res = ac_learned.solve(tau, make_data(tau, beta), beta=beta, omega=omega, err=1e-4)
        narrow = [w for w in res.warnings if "temperatures: over it the kernel" in w]
        assert bool(narrow) == (beta * omega_max < 5)
        missing = 1 - trapezoid_weights(omega) @ res.A / res.norm
        said = [float(m) for w in res.warnings for m in re.findall(r"up to ([\d.]+)% of the spectral weight", w)]
        if missing > 0.01:
            assert said == [pytest.approx(100 * missing, abs=0.1)]
        else:
            assert said == []


def test_a_named_model_at_its_edge_is_told_of_a_wider_model_not_of_a_wider_omega(tiny_model):
    """Session 16 retest: with an explicit model the advice was to widen omega, which that model cannot serve."""
    tau = np.linspace(0, BETA, 81)
    g = make_data(tau, peaks=((-1.0, 0.3, 0.5), (7.0, 0.5, 0.5)))  # weight beyond the tiny model's |omega| <= 5
    omega = np.linspace(-5.0, 5.0, 81)
    res = ac_learned.solve(tau, g, beta=BETA, omega=omega, err=1e-3, model=str(tiny_model))
    advice = [w for w in res.warnings if "model's window" in w]  # at its edge; and the fit fails
    assert len(advice) == 2 and all("or a model of a wider window" in w and "widen omega" not in w for w in advice)


def test_noise_check_takes_the_noise_at_the_model_resolution(tiny_model):
    """Per-point noise above the tiny model's training (1e-3) is flagged on 201 points; on 4001 points the
    averages the network reads are below it, and the flag and its advice follow."""
    omega = np.linspace(-4, 4, 81)
    verdict = {}
    for n in (201, 4001):
        tau = np.linspace(0, BETA, n)
        g = make_data(tau) + 3e-3 * np.random.default_rng(0).standard_normal(n)
        res = ac_learned.solve(tau, g, beta=BETA, omega=omega, err=3e-3, model=str(tiny_model), fit_data=False)
        verdict[n] = [w for w in res.warnings if "above the largest that model tiny-test" in w]
    assert verdict[201] and "model='auto'" in verdict[201][0] and not verdict[4001]


def test_average_to_grid_lowers_the_noise_the_network_reads():
    from ac_learned.grids import average_to_grid, noise_shrink, resample_to_x
    from ac_learned.zoo import resolve

    x = resolve("rlista10-v32", 30.0).x
    tau = np.linspace(0, BETA, 4001)
    exact = -make_data(tau)
    rng = np.random.default_rng(1)
    noisy = exact + 1e-3 * rng.standard_normal((300, tau.size))
    avg = average_to_grid(tau, noisy, BETA, x, err=1e-3)
    shrink = noise_shrink(avg, BETA, x)
    assert avg.grouped and avg.tau.size < tau.size / 5 and np.all(shrink < 0.6)
    # the propagated errors are the spread of the averages, and the input on x is that much less noisy
    np.testing.assert_allclose(np.median(avg.g.std(axis=0) / avg.err[0]), 1.0, atol=0.1)
    truth = -make_data(x * BETA)
    spread = np.median(np.std(resample_to_x(avg.tau, avg.g, BETA, x) - truth, axis=0))
    assert spread < 0.7e-3
    # exact data: the averages stay on G (quadratic fits over half the model's spacing)
    clean = average_to_grid(tau, exact, BETA, x)
    assert np.max(np.abs(resample_to_x(clean.tau, clean.g, BETA, x)[0] - truth)) < 1e-6
    # a grid no denser than the model's is left as it is
    coarse = average_to_grid(tau[::40], exact[::40], BETA, x, err=1e-3)
    assert not coarse.grouped and np.array_equal(coarse.g[0], exact[::40]) and np.all(coarse.shrink == 1)


def test_noise_check_on_dense_and_on_noisy_data_with_auto():
    """A dense CT-HYB-like grid (10001 points at 2e-2 each) is not refused; 201 points at 5e-2 are flagged,
    and the advice is not model='auto' (it is in use) but what can be done."""
    omega = np.linspace(-3, 3, 61)
    out = {}
    for n, sigma in ((10001, 2e-2), (201, 5e-2)):
        tau = np.linspace(0, BETA, n)
        g = make_data(tau) + sigma * np.random.default_rng(2).standard_normal(n)
        out[n] = ac_learned.solve(tau, g, beta=BETA, omega=omega, err=sigma, fit_data=False)
    assert out[10001].reliable is True and not any("above the largest" in w for w in out[10001].warnings)
    flagged = [w for w in out[201].warnings if "above the largest" in w]
    assert out[201].reliable is False and len(flagged) == 1
    assert "model='auto'" not in flagged[0] and "no shipped model" in flagged[0] and "maxent" in flagged[0]
