"""ana_cont's MaxEnt needs the neural default model on its own scaled axis: ``neural_default`` gives it in one call.

For a time kernel ana_cont integrates over nu = beta * omega, so a model given as a
density in omega must be divided by beta (and carry the data's norm).  The plugin's
``neural_default(probl, stdev=err)`` does both; ``neural_default_model`` returns the
density in omega, normalised to 1.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("ana_cont")

from ac_learned import neural_default_model  # noqa: E402
from ac_learned.ana_cont import AnalyticContinuationProblem, neural_default  # noqa: E402
from ac_learned.grids import trapezoid_weights  # noqa: E402
from ac_learned.kernels import fermionic_kernel  # noqa: E402

BETA = 10.0
OMEGA = np.linspace(-3.0, 3.0, 121)


def _data(sigma: float):
    w = np.linspace(-8.0, 8.0, 1601)
    a = np.exp(-0.5 * ((w - 1.0) / 0.3) ** 2) + 0.6 * np.exp(-0.5 * ((w + 1.2) / 0.5) ** 2)
    a /= trapezoid_weights(w) @ a
    tau = np.linspace(0.0, BETA, 101)
    g = -fermionic_kernel(tau, w, BETA) @ (a * trapezoid_weights(w))
    return tau, g + sigma * np.random.default_rng(3).standard_normal(tau.size)


@pytest.mark.parametrize("sigma", [1e-5, 1e-3])  # with and without the broadened share
def test_neural_default_is_the_density_divided_by_beta(sigma):
    tau, g = _data(sigma)
    err = np.full(tau.size, sigma)
    probl = AnalyticContinuationProblem(im_axis=tau, re_axis=OMEGA, im_data=-g, kernel_mode="time_fermionic",
                                        beta=BETA)
    model, res, _ = neural_default(probl, stdev=err)
    density = neural_default_model(tau, g, beta=BETA, omega=OMEGA, err=err)
    np.testing.assert_allclose(model, res.norm * density / BETA, rtol=1e-10)
    # on ana_cont's internal axis (omega * beta) the host-ready model integrates to the norm
    assert np.trapezoid(model, probl.re_axis) == pytest.approx(res.norm, rel=1e-10)
    assert trapezoid_weights(OMEGA) @ density == pytest.approx(1.0, rel=1e-10)


def test_the_host_ready_model_runs_in_maxent():
    tau, g = _data(1e-4)
    err = np.full(tau.size, 1e-4)
    probl = AnalyticContinuationProblem(im_axis=tau, re_axis=OMEGA, im_data=-g, kernel_mode="time_fermionic",
                                        beta=BETA)
    model, _, _ = neural_default(probl, stdev=err)
    sol, _ = probl.solve(method="maxent_svd", model=model, alpha_determination="chi2kink", stdev=err,
                         optimizer="newton", interactive=False, verbose=False)
    same, _ = probl.solve(method="maxent_svd", model="rlista", alpha_determination="chi2kink", stdev=err,
                          optimizer="newton", interactive=False, verbose=False)
    np.testing.assert_allclose(sol.A_opt, same.A_opt, rtol=1e-8)
    assert trapezoid_weights(OMEGA) @ sol.A_opt == pytest.approx(1.0, abs=0.02)
