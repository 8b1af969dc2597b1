"""torch is optional: inference, the command line, the ana_cont plugin and the numpy benchmarks run without it.

Each check runs in a fresh interpreter in which ``import torch`` fails as if
torch were not installed (whether or not it is), so it holds in every
environment.  What needs torch (training, ``backend="torch"``, the torch
benchmarks) must say how to install it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ac_learned._torch import INSTALL_HINT, require_torch, torch_available
from ac_learned.errors import BackendError

#: Prepended to each script: a meta-path finder that makes every torch import fail like a missing package.
NO_TORCH = '''
import sys

class _NoTorch:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "torch":
            raise ModuleNotFoundError("No module named 'torch'", name="torch")
        return None

sys.meta_path.insert(0, _NoTorch())
'''

HINT = 'pip install "ac-learned[torch]"'


def _run_without_torch(code: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, "-c", NO_TORCH + code], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def test_inference_cli_and_plugin_run_without_torch(tmp_path):
    code = '''
import numpy as np
import ac_learned
from ac_learned._torch import torch_available
from ac_learned.cli import main
from ac_learned.io import write_text

assert not torch_available()
tau = np.linspace(0, 10.0, 101)
omega = np.linspace(-4, 4, 81)
from ac_learned.kernels import fermionic_kernel
from ac_learned.grids import trapezoid_weights
a = np.exp(-omega**2 / 2)
a /= a @ trapezoid_weights(omega)
g = -fermionic_kernel(tau, omega, 10.0) @ (a * trapezoid_weights(omega))
res = ac_learned.solve(tau, g + 1e-4 * np.random.default_rng(0).standard_normal(tau.size), beta=10.0,
                       omega=omega, err=1e-4)
assert res.A.shape == omega.shape and np.all(res.A >= 0)
write_text("g.dat", tau, g, np.full(tau.size, 1e-4), fmt="ana_cont")
assert main(["models"]) == 0
assert main(["inspect", "g.dat"]) == 0
assert main(["continue", "g.dat", "--beta", "10", "--out", "A.h5"]) == 0
assert main(["demo", "--no-plot"]) == 0
import ac_learned.ana_cont as plugin
import ac_learned.hosts.ana_cont
import ac_learned.bench
from ac_learned.bench._common import machine_info, machine_markdown
info = machine_info()
assert info["torch"] == "not installed" and "torch not installed" in machine_markdown(info)
print("torch imported:", "torch" in sys.modules)
'''
    proc = _run_without_torch(code, tmp_path)
    assert "torch imported: False" in proc.stdout
    assert (tmp_path / "A.h5").exists()


def test_what_needs_torch_says_how_to_install_it(tmp_path):
    cfg = tmp_path / "cfg.json"
    cfg.write_text(json.dumps({"name": "t", "arch": {"type": "rlista", "depth": 2}}))
    code = f'''
import numpy as np
from ac_learned.errors import BackendError
from ac_learned.cli import main
from ac_learned.cards import load_model
from ac_learned.zoo import models_dir
from ac_learned.inference import make_backend
from ac_learned.bench import main as bench

HINT = {HINT!r}
assert main(["train", {str(cfg)!r}]) == 2
model = load_model(sorted(models_dir().glob("*.json"))[0])
for call in (lambda: make_backend(model, "torch", "cpu"), lambda: make_backend(model, "auto", "cuda"),
             lambda: bench(["time", "--quick", "--out", "out"], log=lambda *a: None),
             lambda: bench(["gpu", "--quick", "--out", "out"], log=lambda *a: None)):
    try:
        call()
    except BackendError as exc:
        assert HINT in str(exc) and "needs PyTorch" in str(exc), exc
    else:
        raise AssertionError("no BackendError")
for module in ("ac_learned.train", "ac_learned.nets"):
    try:
        __import__(module)
    except BackendError as exc:
        assert HINT in str(exc), exc
    else:
        raise AssertionError(module + " imported")
'''
    proc = _run_without_torch(code, tmp_path)
    assert "needs PyTorch, which is not installed" in proc.stderr and HINT in proc.stderr  # from `train`
    assert "Traceback" not in proc.stderr


def test_require_torch_messages(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now fails with ModuleNotFoundError
    with pytest.raises(BackendError, match=r"training needs PyTorch, which is not installed") as info:
        require_torch("training")
    assert HINT in str(info.value) and HINT in INSTALL_HINT and "install selector" in INSTALL_HINT
    assert not torch_available()


def test_require_torch_reports_a_broken_torch(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def broken(name, *args, **kwargs):
        if name == "torch":
            raise ImportError("libtorch_cpu.so: cannot open shared object file", name="torch_cpu")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", broken)
    with pytest.raises(BackendError, match=r"importing it failed \(libtorch_cpu.so: cannot open") as info:
        require_torch("backend='torch'")
    assert HINT in str(info.value)


@pytest.mark.torch
def test_require_torch_returns_torch():
    import torch

    assert require_torch("training") is torch and torch_available()


DATA = Path(__file__).resolve().parent / "data"
REFRESH = "the stored tiny model is stale: refresh tests/data/tiny-test.* with `python tests/conftest.py`"


def test_stored_tiny_model_loads():
    from ac_learned.cards import load_model

    model = load_model(DATA / "tiny-test.json")  # the sha256 of its weights is checked
    assert model.card["name"] == "tiny-test" and len(model.x) == 40 and len(model.nu) == 41


@pytest.mark.torch
def test_stored_tiny_model_is_what_training_gives(tiny_model):
    import numpy as np

    stored, fresh = (json.loads(p.read_text()) for p in (DATA / "tiny-test.json", Path(tiny_model)))
    assert stored["training"]["config_hash"] == fresh["training"]["config_hash"], REFRESH
    assert {k: stored[k] for k in ("arch", "grid", "noise")} == {k: fresh[k] for k in ("arch", "grid", "noise")}, \
        REFRESH
    with np.load(DATA / "tiny-test.npz") as a, np.load(Path(tiny_model).with_suffix(".npz")) as b:
        assert set(a.files) == set(b.files), REFRESH
        for key in a.files:
            scale = max(float(np.abs(b[key]).max()), 1e-12)
            np.testing.assert_allclose(a[key], b[key], rtol=0, atol=1e-3 * scale, err_msg=REFRESH)
