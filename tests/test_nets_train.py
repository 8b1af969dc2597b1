import numpy as np
import pytest

torch = pytest.importorskip("torch", reason='needs PyTorch (pip install "ac-learned[torch]")')

from ac_learned.config import load_config  # noqa: E402
from ac_learned.errors import InputError  # noqa: E402
from ac_learned.kernels import fermionic_kernel_dimensionless  # noqa: E402
from ac_learned.nets import CNNFCN, FCN, ISTA, LISTA, RLISTA, build_network, count_parameters  # noqa: E402
from ac_learned.train import train  # noqa: E402


def test_ista_layer_is_the_closed_form_step():
    x, nu = np.linspace(0, 1, 20), np.linspace(-10, 10, 15)
    k = fermionic_kernel_dimensionless(x, nu)
    net = ISTA(k, depth=3, lam=1e-3, threshold_kind="soft").double()
    g = np.random.default_rng(0).uniform(size=(2, 20))
    t, lam = 1 / np.linalg.norm(k, 2) ** 2, 1e-3
    a = np.zeros((2, 15))
    for _ in range(3):
        z = a - t * (a @ k.T - g) @ k
        a = np.sign(z) * np.maximum(np.abs(z) - t * lam, 0)
    got = net(torch.as_tensor(g)).numpy()
    np.testing.assert_allclose(got, a, rtol=1e-5, atol=1e-9)  # weights are stored in float32
    assert count_parameters(net) == 0


def test_rlista_structure_and_relaxation():
    net = RLISTA(12, 7, depth=4).double()
    assert net.eta == 0.5 and LISTA(12, 7, 2).eta == 1.0
    assert net.w_e.shape == (4, 7, 12) and net.w_t.shape == (4, 7, 7) and net.lam.shape == (4,)
    assert count_parameters(net) == 4 * (7 * 12 + 7 * 7 + 1)
    assert not any("bias" in n for n, _ in net.named_parameters())
    # LeCun init: std ~ 1/sqrt(fan_in)
    big = RLISTA(400, 300, 1)
    assert abs(big.w_e.std().item() - 1 / 20) < 0.005
    g = torch.rand(5, 12, dtype=torch.float64)
    # one layer from a_1 = 0: a_2 = eta * S(W_e g)
    one = net(g, depth=1)
    expected = 0.5 * torch.relu(g @ net.w_e[0].T - net.lam[0])
    torch.testing.assert_close(one, expected)
    assert torch.all(net(g) >= 0)  # non-negative thresholding keeps a >= 0


def test_baselines_output_distributions():
    g = torch.rand(3, 30)
    for net in (FCN(30, 20, [16, 16, 16]), CNNFCN(30, 20, width=24)):
        out = net(g)
        assert out.shape == (3, 20)
        torch.testing.assert_close(out.sum(1), torch.ones(3))


def test_build_network_rejects_unknown():
    with pytest.raises(InputError):
        build_network({"type": "transformer"}, 3, 3)


def test_tiny_training_lowers_loss_and_writes_card(tmp_path):
    cfg = {
        "name": "t", "arch": {"type": "rlista", "depth": 3},
        "grid": {"n_x": 30, "x_kind": "uniform", "n_nu": 25, "nu_kind": "uniform", "v_max": 15.0},
        "prior": {"gaussians": 1.0}, "noise": {"sigma_min": 1e-4, "sigma_max": 1e-4},
        "data": {"n_train": 2000, "n_val": 200, "n_test": 200, "seed": 0},
        "train": {"epochs": 4, "batch_size": 100, "lr": 3e-3, "weight_decay": 0.0, "schedule": "layerwise",
                  "layerwise_epochs": 1},
        "eval": {"sigmas": [1e-4], "calibration_sigmas": [1e-4]},
    }
    card_path = train(cfg, out_dir=tmp_path, progress=False, log=lambda *a: None)
    import json

    card = json.loads(card_path.read_text())
    hist = card["history"]
    assert [h[0] for h in hist] == [0, 1, 2, 2, 2, 2]  # layer-wise stages, then global
    final = [h[2] for h in hist if h[0] == 2]
    assert final[-1] < final[0]
    assert card["metrics"]["per_sigma"][0]["rse_mean"] > 0
    assert card["reliability"]["chi2_threshold"][0] > 0
    assert card["sha256"] and card["arch"]["eta"] == 0.5


def test_resume_continues_from_checkpoint(tmp_path):
    base = {
        "name": "r", "arch": {"type": "rlista", "depth": 2},
        "grid": {"n_x": 20, "x_kind": "uniform", "n_nu": 15, "nu_kind": "uniform", "v_max": 10.0},
        "prior": {"gaussians": 1.0}, "data": {"n_train": 500, "n_val": 50, "n_test": 50, "seed": 0},
        "train": {"epochs": 2, "batch_size": 100, "weight_decay": 0.0},
        "eval": {"sigmas": [1e-4], "calibration_sigmas": [1e-4]},
    }
    import json

    logs = []
    first = train(base, out_dir=tmp_path, progress=False, log=logs.append)
    card = json.loads(first.read_text())
    stamp = first.stat().st_mtime_ns
    # the same config again: a finished run is not redone (nor its card rewritten)
    logs_again = []
    assert train(base, out_dir=tmp_path, progress=False, log=logs_again.append) == first
    assert any("already trained" in m for m in logs_again) and first.stat().st_mtime_ns == stamp
    # another config into the same folder would replace this run: refused; --fresh (resume=False) replaces it
    base["train"]["epochs"] = 3
    with pytest.raises(InputError, match="belongs to r .*--fresh"):
        train(base, out_dir=tmp_path, progress=False, log=lambda *a: None)
    assert json.loads(first.read_text())["training"]["config_hash"] == card["training"]["config_hash"]
    fresh = json.loads(train(base, out_dir=tmp_path, resume=False, progress=False, log=lambda *a: None).read_text())
    assert fresh["training"]["epochs"] == 3 and len(fresh["history"]) == 3
    # an interrupted run resumes where its checkpoint stopped, and the card counts the whole run's time
    ckpt = torch.load(tmp_path / "checkpoint.pt", weights_only=True)
    ckpt.update(stage=0, epoch=2, done=False, seconds=100.0)
    ckpt["history"] = ckpt["history"][:2]
    torch.save(ckpt, tmp_path / "checkpoint.pt")
    logs3 = []
    resumed = json.loads(train(base, out_dir=tmp_path, progress=False, log=logs3.append).read_text())
    assert any("resumed" in m and "2 epoch(s) done" in m for m in logs3)
    assert sum("loss" in m for m in logs3) == 1  # only the third epoch ran
    assert resumed["training"]["seconds"] >= 100.0
    assert [h[:2] for h in resumed["history"]] == [[0, 0], [0, 1], [0, 2]]
    assert all(isinstance(v, int) for h in resumed["history"] for v in h[:2])
    # a file as --out
    afile = tmp_path / "afile"
    afile.write_text("")
    with pytest.raises(InputError, match="is a file"):
        train(base, out_dir=afile, progress=False, log=lambda *a: None)


def test_config_errors(tmp_path):
    with pytest.raises(InputError, match="name"):
        load_config({"arch": {"type": "rlista"}})
    with pytest.raises(InputError, match="unknown config sections"):
        load_config({"name": "x", "bogus": 1})
    bad = tmp_path / "c.json"
    bad.write_text("{not json")
    with pytest.raises(InputError, match="not valid JSON"):
        load_config(bad)
    with pytest.raises(InputError, match="is a folder"):
        load_config(tmp_path)


@pytest.mark.parametrize("change, message", [
    ({"train": {"epocs": 3}}, r"unknown key\(s\) train.epocs; known in 'train'"),
    ({"data": {"n_trian": 10}}, r"data.n_trian"),
    ({"train": 3}, r"section 'train' must be a JSON object"),
    ({"prior": ["gaussians"]}, r"section 'prior' must be a JSON object"),
    ({"prior": {"gaussians": 0.0}}, r"prior must be .* not all zero"),
    ({"name": "../escape"}, r"name must be a file name"),
    ({"arch": {"threshold": "hard"}}, r"arch.threshold must be one of \['nonneg', 'soft'\]"),
    ({"arch": {"init": "lmse"}}, r"arch.init must be one of"),
    ({"train": {"epochs": 0}}, r"train.epochs must be an integer >= 1, got 0"),
    ({"train": {"epochs": "3"}}, r'train.epochs must be an integer >= 1, got "3"'),
    ({"train": {"batch_size": 0}}, r"train.batch_size"),
    ({"train": {"decay_every": 0}}, r"train.decay_every"),
    ({"train": {"lr": -1e-3}}, r"train.lr must be a number > 0"),
    ({"train": {"decay_rate": 1.5}}, r"train.decay_rate must be a number > 0 and <= 1"),
    ({"data": {"n_train": 0}}, r"data.n_train"),
    ({"data": {"n_val": 0}}, r"data.n_val"),
    ({"data": {"n_test": 1}}, r"data.n_test must be an integer >= 2"),
    ({"grid": {"v_max": "40"}}, r'grid.v_max must be a number > 0, got "40"'),
    ({"grid": {"nu_kind": "sinhh"}}, r"grid.nu_kind"),
    ({"noise": {"sigma_min": 1e-2, "sigma_max": 1e-5}}, r"sigma_min .* above noise.sigma_max"),
    ({"noise": {"corr_length": [0.1]}}, r"noise.corr_length must be a list of 2 numbers"),
    ({"eval": {"quantile": 1.5}}, r"eval.quantile"),
    ({"auto": "yes"}, r"auto must be true or false"),
])
def test_config_values_are_checked(change, message):
    base = {"name": "ok", "train": {"epochs": 2}}
    cfg = {**base, **{k: (dict(base.get(k, {}), **v) if isinstance(v, dict) and k in base else v)
                      for k, v in change.items()}}
    with pytest.raises(InputError, match=message):
        load_config(cfg)


def test_shipped_configs_pass_the_checks_and_missing_sections_are_named():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "configs"
    for path in sorted(root.glob("*.json")) + sorted(root.glob("experiments/*.json")):
        load_config(path)
    filled = []
    cfg = load_config({"name": "x"}, filled)
    assert filled == ["arch", "grid", "prior", "noise", "data", "train", "eval"]
    # a config without a prior trains on the zoo's
    assert cfg["prior"] == load_config(root / "zoo-v100.json")["prior"]


def test_torchrun_ddp_two_processes(tmp_path):
    """Two CPU ranks (gloo) train the same tiny model under DistributedDataParallel."""
    import json
    import os
    import subprocess
    import sys

    cfg = {"name": "ddp", "arch": {"type": "rlista", "depth": 2},
           "grid": {"n_x": 16, "x_kind": "uniform", "n_nu": 11, "nu_kind": "uniform", "v_max": 10.0},
           "data": {"n_train": 400, "n_val": 40, "n_test": 40, "seed": 0},
           "train": {"epochs": 2, "batch_size": 50, "schedule": "layerwise", "layerwise_epochs": 1},
           "eval": {"sigmas": [1e-4], "calibration_sigmas": [1e-4]}}
    path = tmp_path / "ddp.json"
    path.write_text(json.dumps(cfg))
    env = dict(os.environ, OMP_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
                           "-m", "ac_learned.cli", "train", str(path), "--out", str(tmp_path / "run"), "--quiet"],
                          capture_output=True, text=True, env=env, timeout=240)
    assert proc.returncode == 0, proc.stderr[-2000:]
    card = json.loads((tmp_path / "run" / "ddp.json").read_text())
    assert card["training"]["world_size"] == 2


def test_l2_penalty_gradient_matches_autograd_and_skips_last_layer():
    from ac_learned.train import add_l2_penalty_grad

    net = RLISTA(6, 5, depth=3).double()
    for p in net.parameters():
        p.grad = torch.zeros_like(p)
    add_l2_penalty_grad(net, 0.01, None)
    ref = RLISTA(6, 5, depth=3).double()
    ref.load_state_dict(net.state_dict())
    penalty = 0.01 * ((ref.w_e[:2] ** 2).sum() + (ref.w_t[1:2] ** 2).sum())
    penalty.backward()
    torch.testing.assert_close(net.w_e.grad, ref.w_e.grad)
    torch.testing.assert_close(net.w_t.grad, ref.w_t.grad)
    assert torch.all(net.w_e.grad[2] == 0) and torch.all(net.w_t.grad[2] == 0)


def test_git_commit_ignores_published_weights_but_not_code(tmp_path):
    import shutil
    import subprocess

    from ac_learned.train import git_commit

    if shutil.which("git") is None:
        pytest.skip("git not installed")
    pkg = tmp_path / "pkg"
    (pkg / "models").mkdir(parents=True)
    (pkg / "code.py").write_text("x = 1\n")

    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@t", "add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "init")
    clean = git_commit(pkg)
    assert len(clean) == 40 and not clean.endswith("-dirty")
    (pkg / "models" / "new-model.npz").write_bytes(b"weights")
    assert git_commit(pkg) == clean
    (pkg / "code.py").write_text("x = 2\n")
    assert git_commit(pkg) == clean + "-dirty"
