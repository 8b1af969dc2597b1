"""The benchmarks' --quick modes run and write their tables (not timings: those are in docs/bench)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ac_learned.bench import gpu as gpu_bench
from ac_learned.bench import main
from ac_learned.bench._common import fmt_seconds, md_table, time_call
from ac_learned.bench.timing import BACKENDS, NETWORKS, forward_flops, make_net, make_runner
from ac_learned.errors import InputError


def _quiet(*args):
    pass


def _table_rows(text: str) -> list[list[str]]:
    return [[c.strip() for c in line.strip().strip("|").split("|")] for line in text.splitlines()
            if line.startswith("| ") and not line.startswith("|---")]


@pytest.mark.torch
def test_time_quick_writes_tables(tmp_path):
    paths = main(["time", "--quick", "--out", str(tmp_path)], log=_quiet)
    assert {p.name for p in paths} == {"time.md", "time.json", "time.png"}
    assert all(p.exists() and p.stat().st_size > 0 for p in paths)
    text = (tmp_path / "time.md").read_text()
    assert "Command: `python -m ac_learned.bench time --quick" in text and "CPU:" in text
    rows = _table_rows(text)
    nets = {(r[2], r[3]) for r in rows if len(r) > 4 and r[:2] == ["16", "32"] and r[2] in NETWORKS}
    assert nets == {(n, b) for n in NETWORKS for b in BACKENDS}
    assert any(r[:3] == ["16", "32", "1"] for r in rows)  # the MaxEnt row: N_ω, N_τ, spectra
    assert {(r[0], r[1]) for r in rows if r[0] in ("numpy", "torch")} == {
        (lib, dt) for lib in ("numpy", "torch") for dt in ("float64", "float32")}
    raw = json.loads((tmp_path / "time.json").read_text())
    assert len(raw["nets"]) == len(NETWORKS) * len(BACKENDS) and raw["maxent"][0]["n_tau"] == 32


@pytest.mark.torch
def test_gpu_skips_without_cuda(tmp_path, monkeypatch):
    monkeypatch.setattr(gpu_bench, "cuda_device", lambda: None)
    paths = main(["gpu", "--quick", "--out", str(tmp_path)], log=_quiet)
    assert [p.name for p in paths] == ["gpu.md"]
    assert ["skipped: no CUDA device (torch.cuda.is_available() is False)"] in _table_rows(paths[0].read_text())


@pytest.mark.torch
def test_gpu_code_path_runs_on_a_given_device(tmp_path):
    paths = gpu_bench.run_bench(tmp_path, True, "test", {"cpu": "x", "logical_cores": 1, "usable_cores": 1,
                                                          "load_average": None, "python": "", "numpy": "",
                                                          "torch": "", "ana_cont": "", "ac_learned": "",
                                                          "blas": {"library": "", "threads": 1},
                                                          "torch_threads": 1, "env": {}, "cuda": None},
                                log=_quiet, device="cpu")
    rows = _table_rows(paths[0].read_text())
    assert {r[3] for r in rows if len(r) > 4 and r[2] in NETWORKS} == {"torch-f64", "torch-f32"}


@pytest.mark.torch
def test_fig2a_quick_writes_table(tmp_path):
    paths = main(["fig2a", "--quick", "--out", str(tmp_path)], log=_quiet)
    assert all(p.exists() for p in paths) and (tmp_path / "fig2a.png").exists()
    rows = _table_rows((tmp_path / "fig2a.md").read_text())
    cases = {(r[0], r[1]) for r in rows if r[0] in ("sharp peak", "multi-peak")}
    methods = {"ISTA (100 it.)", "ISTA (6 it.)", "6-LISTA", "6-RLISTA", "6-RLISTA shipped (paper-rlista6)"}
    assert cases == {(s, m) for s in ("sharp peak", "multi-peak") for m in methods}
    assert all(float(r[2]) >= 0 for r in rows if r[0] in ("sharp peak", "multi-peak"))


@pytest.mark.torch
def test_robustness_quick_writes_table(tmp_path):
    paths = main(["robustness", "--quick", "--out", str(tmp_path)], log=_quiet)
    assert all(p.exists() for p in paths) and (tmp_path / "robustness.png").exists()
    rows = _table_rows((tmp_path / "robustness.md").read_text())
    got = {(r[0], r[1]) for r in rows if r[1] in ("1e-05", "0.0001", "0.001")}
    nets = ("6-RLISTA", "6-RLISTA (LMMSE init)", "CNN-FCN", "FCN-4", "paper-rlista6 (trained with noise)")
    assert got == {(n, s) for n in nets for s in ("1e-05", "0.0001", "0.001")}


@pytest.mark.parametrize("argv", [["nope"], ["time", "--n-tau", "x"], ["time", "--n-tau", "2"],
                                  ["fig2a", "--n-tau", "100"], ["time", "--bogus"], []])
def test_bad_cli_input_is_an_input_error(argv, tmp_path):
    with pytest.raises(InputError):
        main([*argv, "--out", str(tmp_path)] if argv else argv, log=_quiet)


@pytest.mark.torch
@pytest.mark.parametrize("name", NETWORKS)
def test_flop_count_matches_torch(name):
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    net = make_net(name, 40, 24)
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        net(torch.rand(1, 40))
    assert counter.get_total_flops() == forward_flops(name, 40, 24)


@pytest.mark.torch
@pytest.mark.parametrize("name", NETWORKS)
def test_numpy_and_torch_runners_agree(name):
    g = np.random.default_rng(0).uniform(size=(3, 40))
    ref = make_runner(name, make_net(name, 40, 24), "torch-f64")(g)
    np.testing.assert_allclose(make_runner(name, make_net(name, 40, 24), "numpy-f64")(g), ref, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(make_runner(name, make_net(name, 40, 24), "torch-f32")(g), ref, rtol=1e-3, atol=1e-5)


@pytest.mark.torch
def test_ista_is_the_nets_recursion():
    import torch

    from ac_learned.bench.fig2a import ista, paper_grids
    from ac_learned.kernels import fermionic_kernel_dimensionless
    from ac_learned.nets import ISTA

    x, nu = paper_grids()
    k = fermionic_kernel_dimensionless(x, nu)
    g = np.random.default_rng(1).uniform(size=(2, x.size))
    ref = ISTA(k, depth=5, lam=1e-3, threshold_kind="soft").double()(torch.as_tensor(g)).numpy()
    np.testing.assert_allclose(ista(k, g, 1e-3, 5), ref, rtol=1e-4, atol=1e-7)  # nets.ISTA stores float32


def test_helpers():
    t = time_call(lambda: None, repeats=3, min_time=1e-4)
    assert t.shape == (3,) and np.all(t > 0)
    assert fmt_seconds(2.5e-3) == "2.5 ms" and fmt_seconds(3e-7) == "300 ns"
    assert md_table(["a", "b"], [[1, 2]]) == "| a | b |\n|---|---|\n| 1 | 2 |\n"
