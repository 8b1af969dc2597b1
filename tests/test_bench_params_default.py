"""The `params` (Fig. 2b) and `default` (Fig. 5) benchmarks' --quick modes and their helpers."""

from __future__ import annotations

import numpy as np
import pytest
from md_tables import table_rows

from ac_learned.bench import main
from ac_learned.bench.neural_default import METHODS, summarise
from ac_learned.bench.param_efficiency import count_parameters, networks, references


@pytest.mark.torch
def test_params_quick(tmp_path):
    from ac_learned.nets import build_network

    paths = main(["params", "--quick", "--out", str(tmp_path)], log=lambda *a: None)
    assert [p.name for p in paths] == ["params.md", "params.json", "params.png"]
    rows = [r for r in table_rows(paths[0].read_text()) if r[0] != "family"]
    assert [r[0] for r in rows] == ["prior mean", "LMMSE (linear)"] + [n[0] for n in networks(True)]
    for row, (_, _, arch) in zip(rows[2:], networks(True)):
        assert int(row[2].replace(",", "")) == count_parameters(build_network(arch, 100, 50))
    assert all(np.isfinite(float(r[3])) and float(r[3]) >= 0 for r in rows)


@pytest.mark.torch
def test_parameter_count_of_rlista():
    from ac_learned.nets import build_network

    assert count_parameters(build_network({"type": "rlista", "depth": 6}, 100, 50)) == 6 * (50 * 100 + 50 * 50 + 1)


def test_references_prior_mean_ignores_the_input_and_lmmse_is_exact_on_a_linear_problem():
    rng = np.random.default_rng(0)
    w_true = rng.normal(size=(8, 5))
    g = rng.normal(size=(400, 8))
    a = g @ w_true
    refs = references(a, g, rng)
    est, n_par = refs["prior mean"]
    assert n_par == 0 and np.allclose(est(g[:3]), a.mean(axis=0))
    assert refs["LMMSE (linear)"][1] == 40


def test_summarise_counts_wins_and_drops():
    a_true = np.array([[0.5, 0.5], [1.0, 0.0], [0.0, 1.0]])
    flat = np.array([[0.6, 0.4], [0.5, 0.5], [np.nan, np.nan]])  # last MaxEnt run failed
    plus = np.array([[0.5, 0.5], [0.4, 0.6], [0.0, 1.0]])
    net = np.array([[0.7, 0.3], [0.9, 0.1], [0.0, 1.0]])
    s = summarise(a_true, {"RLISTA": net, "MaxEnt-flat": flat, "RLISTA+": plus})
    assert s["n"] == 3 and s["dropped"] == 1
    assert s["methods"]["RLISTA+"]["wins_rse"] == pytest.approx(0.5)
    assert s["methods"]["RLISTA"]["wins_err"] == pytest.approx(0.5)
    assert "wins_rse" not in s["methods"]["MaxEnt-flat"]
    # kept rows: RLISTA RSE (0.2, 0.1) * sqrt(2), MaxEnt-flat (0.1, 0.5) * sqrt(2): ratio 0.3 / 0.6
    assert s["methods"]["RLISTA"]["rse_ratio"] == pytest.approx(0.5)


def test_default_quick(tmp_path):
    paths = main(["default", "--quick", "--out", str(tmp_path)], log=lambda *a: None)
    assert [p.name for p in paths] == ["default.md", "default.json", "default.png"]
    rows = [r for r in table_rows(paths[0].read_text()) if r[0] != "test set"]
    assert {r[5] for r in rows} == set(METHODS)
    for r in rows:
        kept, n = (int(v) for v in r[4].split("/"))
        assert kept <= n and (kept == 0 or np.isfinite(float(r[6])))
    # the zoo row runs the network model='auto' picks at sigma = 1e-4: the all-noise model (since session 9)
    zoo_rows = [r for r in rows if r[5] == "RLISTA-fit" and r[0] != "paper-rlista6"]
    assert zoo_rows and all(r[1].startswith("rlista10-v") and not r[1].endswith("-lownoise") for r in zoo_rows)


def test_maxent_runs_over_the_time_limit_count_as_failed():
    from ac_learned.bench.fig2a import paper_grids
    from ac_learned.bench.neural_default import BETA, _maxent
    from ac_learned.kernels import fermionic_kernel_dimensionless
    from ac_learned.zoo import models_dir

    x, nu = paper_grids()
    a = np.exp(-0.5 * (nu / 5.0) ** 2)
    a /= a.sum()
    noise = 1e-4 * np.random.default_rng(0).standard_normal((1, x.size))
    g = -(fermionic_kernel_dimensionless(x, nu) @ a)[None, :] + noise
    card = str(models_dir() / "paper-rlista6.json")
    err = np.full(x.size, 1e-4)
    assert np.all(np.isnan(_maxent(x * BETA, g, nu / BETA, err, "maxent", card, timeout_s=1e-3)))
    assert np.all(np.isfinite(_maxent(x * BETA, g, nu / BETA, err, "maxent", card, timeout_s=120)))
