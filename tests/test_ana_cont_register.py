"""register()/unregister(), the numpy proxy, and ana_cont's own reference cases with the plugin.

ana_cont's sdist ships no tests; the cases below are those of its upstream test
suite (fermionic MaxEnt with preblur, Pade on a subset of frequencies, bosonic
MaxEnt, kernels, Kramers-Kronig).  "Without the plugin" ana_cont cannot run
MaxEnt on numpy >= 2.4, so the reference is vanilla ana_cont with a temporary
process-wide ``numpy.trapz = numpy.trapezoid`` (numpy < 2.4 behaviour, same
function); the numbers must be identical, bit for bit.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("ana_cont")

import ana_cont  # noqa: E402
import ana_cont.continuation as cont  # noqa: E402
import ana_cont.kernels as ac_kernels  # noqa: E402
import ana_cont.solvers as ac_solvers  # noqa: E402

import ac_learned.hosts.ana_cont as plugin  # noqa: E402
from ac_learned.ana_cont import AnalyticContinuationProblem, is_registered, register, unregister  # noqa: E402

ORIGINAL_SOLVE = cont.AnalyticContinuationProblem.__dict__["solve"]
NUMPY_HAS_TRAPZ = hasattr(np, "trapz")


@pytest.fixture
def clean():
    """No registration and no numpy proxy before and after the test."""
    unregister()
    plugin.remove_numpy_compat()
    yield
    unregister()
    plugin.remove_numpy_compat()


def test_import_registers_nothing():
    code = (
        "import numpy, ana_cont.solvers as s, ana_cont.continuation as c\n"
        "orig = c.AnalyticContinuationProblem.__dict__['solve']\n"
        "import ac_learned, ac_learned.ana_cont as p\n"
        "assert c.AnalyticContinuationProblem.__dict__['solve'] is orig\n"
        "assert s.np is numpy and not p.is_registered()\n"
        "assert not hasattr(numpy, 'trapz') or numpy.__version__ < '2.4'\n"
    )
    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)


def test_register_is_idempotent_and_reversible(clean):
    host = cont.AnalyticContinuationProblem
    assert not is_registered() and host.__dict__["solve"] is ORIGINAL_SOLVE
    assert register() is True
    wrapper = host.__dict__["solve"]
    assert wrapper is not ORIGINAL_SOLVE and is_registered()
    assert register() is False and host.__dict__["solve"] is wrapper  # idempotent
    if not NUMPY_HAS_TRAPZ:
        assert isinstance(ac_solvers.np, plugin.NumpyWithTrapz) and ac_solvers.np.trapz is np.trapezoid
    assert not hasattr(np, "trapz") or NUMPY_HAS_TRAPZ  # numpy itself untouched
    assert unregister() is True
    assert host.__dict__["solve"] is ORIGINAL_SOLVE  # the very same function object
    assert ac_solvers.np is np  # the proxy register installed is gone
    assert unregister() is False and not is_registered()
    probl = cont.AnalyticContinuationProblem(im_axis=np.linspace(0, 10, 11), re_axis=np.linspace(-3, 3, 31),
                                             im_data=np.full(11, 0.5), kernel_mode="time_fermionic", beta=10.0)
    with pytest.raises(ValueError, match="Unknown continuation method"):
        probl.solve(method="rlista", stdev=np.full(11, 1e-3))


def test_unregister_keeps_a_proxy_the_subclass_installed(clean):
    AnalyticContinuationProblem(im_axis=np.linspace(0, 10, 11), re_axis=np.linspace(-3, 3, 31),
                                im_data=np.full(11, 0.5), kernel_mode="time_fermionic", beta=10.0)
    register()  # the proxy is already there: register does not own it
    unregister()
    if NUMPY_HAS_TRAPZ:
        assert ac_solvers.np is np
    else:
        assert isinstance(ac_solvers.np, plugin.NumpyWithTrapz)


def test_only_solvers_calls_trapz():
    pkg = Path(ana_cont.__file__).parent
    users = sorted(f"ana_cont.{p.stem}" for p in pkg.glob("*.py") if "trapz" in p.read_text())
    assert tuple(users) == plugin.TRAPZ_MODULES


@pytest.mark.skipif(NUMPY_HAS_TRAPZ, reason="numpy < 2.4 still has trapz")
def test_maxent_runs_on_this_numpy_without_global_trapz(clean):
    register()
    w = np.linspace(-3, 3, 61)
    tau = np.linspace(0, 10, 51)
    g = ac_kernels.Kernel("time_fermionic", w * 10, tau / 10).matrix @ (np.exp(-w**2) / np.sqrt(np.pi)) * 0.1
    probl = cont.AnalyticContinuationProblem(im_axis=tau, re_axis=w, im_data=g, kernel_mode="time_fermionic",
                                             beta=10.0)
    sol, _ = probl.solve(method="maxent_svd", alpha_determination="chi2kink", model=np.full(61, 1 / 60.),
                         stdev=np.full(51, 1e-4), verbose=False)
    assert np.trapezoid(sol.A_opt, w) == pytest.approx(1.0, abs=1e-2)
    assert not hasattr(np, "trapz")


# ------------------------------------------------------------------ ana_cont's reference cases

def _fermionic_case():
    w = np.linspace(-10.0, 10.0, num=501)
    spec = 0.4 * np.exp(-0.5 * (w - 1.8) ** 2) + 0.6 * np.exp(-0.5 * (w + 1.8) ** 2)
    spec /= np.trapezoid(spec, w)
    beta, niw = 10.0, 20
    iw = np.pi / beta * (2.0 * np.arange(niw) + 1.0)
    giw = np.trapezoid(spec[None, :] / (1j * iw[:, None] - w[None, :]), w, axis=1)
    rng = np.random.RandomState(4713)
    giw = giw + 1e-4 * (rng.randn(niw) + 1j * rng.randn(niw))
    return w, iw, giw


def run_maxent_fermionic(cls):
    w, iw, giw = _fermionic_case()
    probl = cls(im_axis=iw, re_axis=w, im_data=giw, kernel_mode="freq_fermionic")
    sol, _ = probl.solve(method="maxent_svd", alpha_determination="chi2kink", optimizer="newton",
                         model=np.full(w.size, 1 / 20.0), stdev=np.full(iw.size, 1e-4), interactive=False,
                         alpha_start=1e12, alpha_end=1e-2, preblur=True, blur_width=0.5, verbose=False)
    return sol.A_opt, sol.backtransform, np.array([sol.chi2])


def run_pade(cls):
    w, iw, giw = _fermionic_case()
    idx = [0, 1, 2, 3, 4, 5, 6, 8, 9]
    probl = cls(im_axis=iw[idx], re_axis=w, im_data=giw[idx], kernel_mode="freq_fermionic")
    sol = probl.solve(method="pade")
    check = probl.solver.check(im_axis_fine=np.linspace(0.0, 1.25 * iw[idx[-1]], num=500))
    return sol.A_opt, check


def run_maxent_bosonic(cls):
    w_real = np.linspace(0.0, 5.0, num=2001)
    spec = np.exp(-(w_real**2) / (2 * 0.2**2)) + 0.3 * np.exp(-((w_real - 1.5) ** 2) / (2 * 0.8**2)) \
        + 0.3 * np.exp(-((w_real + 1.5) ** 2) / (2 * 0.8**2))
    spec /= np.trapezoid(spec, w_real)
    iw = 2.0 * np.pi / 10.0 * np.arange(10)
    noise = np.random.RandomState(1234).normal(0.0, 1e-4, iw.size)
    with np.errstate(invalid="ignore"):
        kernel = w_real[None, :] ** 2 / (iw[:, None] ** 2 + w_real[None, :] ** 2)
    kernel[0, 0] = 1.0
    gf = np.trapezoid(kernel * spec[None, :], w_real, axis=1) + noise
    norm = gf[0]
    w = np.linspace(0.0, 5.0, num=501)
    probl = cls(im_axis=iw, re_axis=w, im_data=gf / norm, kernel_mode="freq_bosonic")
    sol, _ = probl.solve(method="maxent_svd", alpha_determination="chi2kink", optimizer="newton",
                         stdev=np.full(iw.size, 1e-4 / norm), model=np.full(w.size, 0.2), interactive=False,
                         verbose=False)
    return sol.A_opt, sol.backtransform, np.array([sol.chi2])


@pytest.mark.parametrize("case", [run_maxent_fermionic, run_pade, run_maxent_bosonic])
def test_existing_methods_give_identical_numbers(case, clean, monkeypatch):
    # without the plugin: vanilla ana_cont (with numpy.trapz restored process-wide for MaxEnt)
    with monkeypatch.context() as m:
        if not NUMPY_HAS_TRAPZ and case is not run_pade:
            m.setattr(np, "trapz", np.trapezoid, raising=False)
        reference = case(cont.AnalyticContinuationProblem)
    assert not hasattr(np, "trapz") or NUMPY_HAS_TRAPZ
    register()
    with_register = case(cont.AnalyticContinuationProblem)
    unregister()
    with_subclass = case(AnalyticContinuationProblem)
    for ref, a, b in zip(reference, with_register, with_subclass):
        np.testing.assert_array_equal(a, ref)
        np.testing.assert_array_equal(b, ref)
    assert np.all(np.isfinite(reference[0]))


def test_reference_sanity_of_the_cases(clean):
    """The MaxEnt answers are what ana_cont's tests expect them to be, physically."""
    register()
    a_f, back_f, chi2_f = run_maxent_fermionic(cont.AnalyticContinuationProblem)
    w = np.linspace(-10, 10, 501)
    assert np.trapezoid(a_f, w) == pytest.approx(1.0, abs=2e-3) and chi2_f[0] < 2 * 2 * 20
    assert back_f.shape == (20,) and np.iscomplexobj(back_f)


def test_kernels_and_kkt_unchanged_by_the_plugin(clean):
    register()
    w, iw_f, iw_b = np.linspace(0.0, 1.0, 3), 2.0 * np.arange(3) + 1.0, 2.0 * np.arange(3)
    tau = np.linspace(0, 1, 3, endpoint=False)
    k = ac_kernels.Kernel(kind="freq_fermionic", im_axis=iw_f, re_axis=w).matrix
    np.testing.assert_allclose(k, 1.0 / (1j * iw_f[:, None] - w[None, :]))
    k = ac_kernels.Kernel(kind="time_fermionic", im_axis=tau, re_axis=w).matrix
    np.testing.assert_allclose(k, np.exp(-tau[:, None] * w[None, :]) / (1 + np.exp(-w[None, :])))
    k = ac_kernels.Kernel(kind="freq_bosonic", im_axis=iw_b, re_axis=w).matrix
    with np.errstate(invalid="ignore"):
        expected = w[None, :] ** 2 / (w[None, :] ** 2 + iw_b[:, None] ** 2)
    expected[0, 0] = 1.0
    np.testing.assert_allclose(k, expected)
    wg = np.linspace(-10.0, 10.0, 21)
    spec = np.exp(-(((wg - 1.0) / 0.5) ** 2))
    spec /= np.trapezoid(spec, wg)
    g = cont.GreensFunction(spectrum=spec, wgrid=wg, kind="fermionic").kkt()
    np.testing.assert_allclose(g.imag, -np.pi * spec)
    # Kramers-Kronig real part of a spectrum centred at 1: negative below, positive above far from it
    assert g.real[0] < 0 < g.real[-1]


def test_proxy_linalg_refuses_non_finite_matrices_instead_of_hanging():
    """A diverged Newton step hands inf/NaN to pinv; OpenBLAS's SVD would never return."""
    import numpy as np

    from ac_learned.hosts._numpy_compat import FiniteLinalg, NumpyWithTrapz

    proxy = NumpyWithTrapz(np)
    assert isinstance(proxy.linalg, FiniteLinalg)
    m = np.array([[2.0, 0.0], [0.0, 4.0]])
    np.testing.assert_allclose(proxy.linalg.pinv(m), np.linalg.pinv(m))
    assert proxy.linalg.LinAlgError is np.linalg.LinAlgError and proxy.linalg.norm(m) == np.linalg.norm(m)
    for bad in (np.nan, np.inf):
        with pytest.raises(np.linalg.LinAlgError, match="non-finite"):
            proxy.linalg.pinv(np.array([[1.0, bad], [0.0, 1.0]]))
        with pytest.raises(np.linalg.LinAlgError):
            proxy.linalg.svd(np.array([[1.0, bad], [0.0, 1.0]]))
