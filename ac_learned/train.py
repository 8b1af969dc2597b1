"""Training: the paper's recipe plus layer-wise schedules, checkpoints and DDP.

Recipe (Huang & Yang): Adam, staircase exponential decay of the learning rate
(``decay_rate`` every ``decay_every`` epochs), loss = mean RSE
``|a_theta - a_true|_2`` plus ``weight_decay * sum |W|^2`` over every layer but
the last.  Options: ``grad_clip`` (clip the gradient norm; 0 = off),
``arch.init = "lmmse"`` (warm start from the least-squares linear estimator),
``schedule="layerwise"`` first trains depth 1, 2, ..., L for
``layerwise_epochs`` each, then all layers together; fresh noise is drawn for
every epoch (augmentation) from the config's noise model.

Multi-GPU: launch with ``torchrun --nproc_per_node=N -m ac_learned.cli train CONFIG``;
each rank trains on its share of every batch under DistributedDataParallel.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import numpy as np

try:
    import torch
except ImportError:  # torch is optional (the [torch] extra): say how to install it
    from ._torch import require_torch

    require_torch("training (ac_learned.train)")
    raise

from ._version import __version__
from .cards import save_model
from .config import build_grids, config_hash, load_config, noise_model
from .diagnostics import calibrate_thresholds
from .errors import InputError
from .kernels import fermionic_kernel_dimensionless
from .metrics import err_l1, normalise_output, rse
from .nets import build_network, count_parameters
from .priors import make_dataset


def git_commit(package_dir: Path | None = None) -> str:
    """Commit of the package's code (with ``-dirty`` when it has uncommitted changes), or ``"unknown"``.

    The shipped weights under ``models/`` are data, not code: publishing one model
    there must not mark the next one, trained by the same code, as dirty.

    Parameters
    ----------
    package_dir : Path, optional
        The package folder to describe (default: this package's).
    """
    here = Path(package_dir) if package_dir is not None else Path(__file__).resolve().parent
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True,
                             timeout=5).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", ".", ":!models"], cwd=here, capture_output=True,
                               text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (sha + ("-dirty" if dirty else "")) if sha else "unknown"


def lmmse_init(net, a: np.ndarray, g: np.ndarray, x: np.ndarray, nm, seed: int) -> None:
    """Warm start: the first layer gives the best linear estimate, the others pass it on.

    ``W_lin`` minimises ``|g_noisy W - a|^2`` over the training set (noisy
    inputs from the config's noise model); layer 1 gets ``W_e = W_lin^T / eta``
    so that ``a_2 = S(W_lin^T g)``, later layers ``W_t = I`` and small random
    ``W_e`` (1 % of LeCun) so that training starts from the linear estimator.
    """
    rng = np.random.default_rng([seed, 999])
    gn = g + nm.draw(x, len(g), rng)
    gram = gn.T @ gn
    w_lin = np.linalg.solve(gram + 1e-10 * np.trace(gram) / len(x) * np.eye(len(x)), gn.T @ a)
    with torch.no_grad():
        net.w_e.mul_(0.01)
        net.w_t.mul_(0.01)
        net.w_e[0] = torch.as_tensor(w_lin.T / net.eta, dtype=net.w_e.dtype)
        for layer in range(1, net.depth):
            net.w_t[layer] += torch.eye(net.n_nu)


def add_l2_penalty_grad(net, weight_decay: float, depth: int | None) -> None:
    """Add the gradient of ``weight_decay * sum |W|^2`` (all layers but the last) to ``.grad``.

    Done after ``backward`` rather than as a loss term so that it works under
    DistributedDataParallel (the penalty is the same on every rank).
    """
    if weight_decay <= 0:
        return
    with torch.no_grad():
        for param, sl in net.penalised_parameters(depth):
            if param.grad is not None:
                param.grad[sl] += 2.0 * weight_decay * param[sl]


def _stages(cfg: dict) -> list[tuple[int, int]]:
    """(depth, epochs) of each training stage."""
    tr, depth = cfg["train"], int(cfg["arch"].get("depth", 1))
    stages = []
    if tr["schedule"] == "layerwise" and cfg["arch"]["type"] in ("rlista", "lista"):
        stages += [(d, int(tr["layerwise_epochs"])) for d in range(1, depth)]
    stages.append((depth if cfg["arch"]["type"] in ("rlista", "lista") else None, int(tr["epochs"])))
    return stages


class _Dist:
    """torchrun environment (single process when not launched by torchrun)."""

    def __init__(self, device: str):
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        local = int(os.environ.get("LOCAL_RANK", "0"))
        if self.world > 1:
            import torch.distributed as dist

            use_cuda = device.startswith("cuda")
            dist.init_process_group("nccl" if use_cuda else "gloo")
            if use_cuda:
                device = f"cuda:{local}"
                torch.cuda.set_device(local)
        self.device = torch.device(device)

    @property
    def main(self) -> bool:
        return self.rank == 0


def _predict(net, g: np.ndarray, device, batch: int = 4096) -> np.ndarray:
    net.eval()
    out = []
    with torch.no_grad():
        for s in range(0, len(g), batch):
            gt = torch.as_tensor(g[s:s + batch], dtype=torch.float32, device=device)
            out.append(net(gt).double().cpu().numpy())
    net.train()
    return np.concatenate(out)


def evaluate(net, a_true: np.ndarray, g_clean: np.ndarray, x: np.ndarray, nu: np.ndarray, cfg: dict,
             device="cpu") -> dict:
    """Held-out metrics and the chi2 calibration of a trained network.

    RSE and Err are measured on the normalised output (clipped at 0, summing
    to 1: what :func:`ac_learned.solve` returns).  The chi2 thresholds are
    calibrated on the first half of the test set and their false-alarm rate
    is measured on the second half.
    """
    rng = np.random.default_rng(12345)
    nm = noise_model(cfg["noise"])
    kern = fermionic_kernel_dimensionless(x, nu)
    metrics: dict = {"per_sigma": []}
    for sigma in cfg["eval"]["sigmas"]:
        g = g_clean + nm.draw(x, len(g_clean), rng, np.full(len(g_clean), sigma)) * (sigma > 0)
        a = normalise_output(_predict(net, g, device))
        r, e = rse(a, a_true), err_l1(a, a_true)
        metrics["per_sigma"].append({"sigma": sigma, "rse_mean": float(r.mean()), "rse_median": float(np.median(r)),
                                     "err_mean": float(e.mean()), "err_median": float(np.median(e))})
    half = len(g_clean) // 2
    sig = np.asarray(cfg["eval"]["calibration_sigmas"], float)
    chi2 = []
    for sigma in sig:
        g = g_clean + sigma * rng.standard_normal(g_clean.shape)
        a = normalise_output(_predict(net, g, device))
        chi2.append(np.mean(((a @ kern.T - g) / sigma) ** 2, axis=1))
    chi2 = np.asarray(chi2)
    q = float(cfg["eval"]["quantile"])
    thr = calibrate_thresholds(sig, chi2[:, :half], q)
    far = [float(np.mean(c[half:] > t)) for c, t in zip(chi2, thr)]
    reliability = {"sigma": sig.tolist(), "chi2_threshold": thr, "quantile": q,
                   "false_alarm_rate_heldout": far, "chi2_median": np.median(chi2, axis=1).tolist(),
                   "n_calibration": half, "n_heldout": len(g_clean) - half}
    return {"metrics": metrics, "reliability": reliability}


def train(config, out_dir: str | Path | None = None, device: str = "cpu", resume: bool = True,
          progress: bool = True, log=print) -> Path | None:
    """Train a network from a config and write its weights and card.

    Parameters
    ----------
    config : path or dict
        See :mod:`ac_learned.config` for the sections and defaults.
    out_dir : path, optional
        Working folder (checkpoint, final ``NAME.npz`` / ``NAME.json``);
        default ``runs/NAME``.
    device : str
        ``"cpu"`` or ``"cuda"``; under torchrun each rank takes its local GPU.
    resume : bool
        Continue from ``out_dir/checkpoint.pt`` when its config hash matches.
    progress : bool
        Show a progress bar per epoch (tqdm), when standard error is a terminal.
    log : callable
        Where progress lines go.

    Returns
    -------
    Path or None
        The card's path (None on ranks other than 0).
    """
    filled: list[str] = []
    cfg = load_config(config, filled)
    if device.startswith("cuda") and not torch.cuda.is_available():
        from .errors import BackendError

        raise BackendError(f"device={device!r} but CUDA is not available; use --device cpu")
    out = Path(out_dir or Path("runs") / cfg["name"])
    chash = config_hash(cfg)
    finished, saved = _check_out_dir(out, cfg["name"], chash, resume)
    if finished is not None:
        log(f"[{cfg['name']}] already trained from this config: {finished} (nothing to do; --fresh retrains)")
        return finished
    if filled:
        log(f"[{cfg['name']}] sections absent from the config, taken from the defaults (the paper's recipe "
            f"where it applies; docs/training.md): {', '.join(filled)}")
    created = not out.exists()
    try:
        return _train(cfg, out, chash, saved, device, progress, log)
    except BaseException:
        if created and out.is_dir() and not any(out.iterdir()):
            out.rmdir()  # a run that failed before writing anything leaves no empty folder behind
        raise


def _check_out_dir(out: Path, name: str, chash: str, resume: bool) -> tuple[Path | None, dict | None]:
    """The card of a finished run of this very config in ``out`` (then there is nothing to do), else None;
    and the checkpoint to resume from (read on the CPU), or None.

    Raises an :class:`InputError` when ``out`` is a file, or holds a checkpoint or a finished model of
    another config (which a new run would replace): another ``--out`` keeps both, ``--fresh`` replaces.
    """
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} is a file; give a folder (it is created if missing)")
    card_path = out / f"{name}.json"
    ckpt = out / "checkpoint.pt"
    saved = None
    if resume and ckpt.exists():
        saved = _read_checkpoint(ckpt)
        if saved.get("config_hash") != chash:
            other = saved.get("name") or "another config"
            raise InputError(f"{ckpt} belongs to {other} (config hash {saved.get('config_hash')!s}, this config's is "
                             f"{chash}); train into another --out, or pass --fresh to discard that checkpoint")
        if card_path.exists() and _card_hash(card_path) == chash and saved.get("done"):
            return card_path, saved
    if resume:
        for other_card in sorted(out.glob("*.json")) if out.is_dir() else []:
            h = _card_hash(other_card)
            if h is not None and h != chash and other_card.stem == name:
                raise InputError(f"{other_card} is a finished model of another config (hash {h}, this config's is "
                                 f"{chash}); train into another --out, or pass --fresh to replace it")
    return None, saved


def _card_hash(path: Path) -> str | None:
    import json

    try:
        return json.loads(path.read_text()).get("training", {}).get("config_hash")
    except (OSError, ValueError, AttributeError):
        return None


def _read_checkpoint(path: Path) -> dict:
    """A checkpoint's contents (weights only; no pickle), or an InputError saying it cannot be read."""
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - torch raises many kinds on a corrupt file
        raise InputError(f"{path} cannot be read ({type(exc).__name__}); delete it or pass --fresh") from None


def _train(cfg: dict, out: Path, chash: str, saved: dict | None, device: str, progress: bool, log) -> Path | None:
    """The training run itself (:func:`train` has checked the config and the folder, and read ``saved``,
    the checkpoint of this config to resume from, if any)."""
    ckpt = out / "checkpoint.pt"
    dist = _Dist(device)
    out.mkdir(parents=True, exist_ok=True)
    tr, data = cfg["train"], cfg["data"]
    torch.manual_seed(int(tr["seed"]))
    x, nu = build_grids(cfg["grid"])
    kern = fermionic_kernel_dimensionless(x, nu)
    t0 = time.time()
    a_tr, g_tr, _ = make_dataset(int(data["n_train"]), x, nu, cfg["prior"], int(data["seed"]))
    a_val, g_val, _ = make_dataset(int(data["n_val"]), x, nu, cfg["prior"], int(data["seed"]) + 1)
    log(f"[{cfg['name']}] data: {len(a_tr)} train, {len(a_val)} val spectra in {time.time() - t0:.1f}s")

    net = build_network(cfg["arch"], len(x), len(nu), kernel=kern)
    if cfg["arch"].get("init") == "lmmse" and hasattr(net, "w_t"):
        lmmse_init(net, a_tr, g_tr, x, noise_model(cfg["noise"]), int(tr["seed"]))
    net = net.to(dist.device)
    trainable = any(p.requires_grad for p in net.parameters())
    model = net
    if dist.world > 1 and trainable:
        from torch.nn.parallel import DistributedDataParallel

        model = DistributedDataParallel(net, find_unused_parameters=hasattr(net, "w_t"))
    opt = torch.optim.Adam(net.parameters(), lr=float(tr["lr"])) if trainable else None
    stages = _stages(cfg)
    history: list[dict] = []
    state = {"stage": 0, "epoch": 0}
    # what the card records of the whole run, however often it was resumed
    run_info = {"seconds": 0.0, "commit": git_commit()}
    if saved is not None:
        net.load_state_dict(saved["model"])  # onto the device; the optimiser's state follows its parameters
        if opt is not None:
            opt.load_state_dict(saved["optim"])
        state = {"stage": int(saved["stage"]), "epoch": int(saved["epoch"])}
        history = [{"stage": int(h[0]), "epoch": int(h[1]), "loss": h[2], "val_rse": h[3], "lr": h[4]}
                   for h in saved["history"].tolist()]
        run_info["seconds"] = float(saved.get("seconds", 0.0))
        run_info["commit"] = str(saved.get("commit", run_info["commit"]))
        log(f"[{cfg['name']}] resumed from {ckpt}: stage {state['stage'] + 1} of {len(stages)}, "
            f"{state['epoch']} epoch(s) done in it")
    t_start = time.time()

    def save_checkpoint(done: bool = False) -> None:
        elapsed = run_info["seconds"] + time.time() - t_start
        _save_checkpoint(ckpt, net, opt, state, history, chash, stages,
                         extra={"name": cfg["name"], "seconds": elapsed, "commit": run_info["commit"], "done": done})

    nm = noise_model(cfg["noise"])
    g_tr_t = torch.as_tensor(g_tr, dtype=torch.float32)
    a_tr_t = torch.as_tensor(a_tr, dtype=torch.float32)
    bs = int(tr["batch_size"])
    while trainable and state["stage"] < len(stages):
        depth, n_epochs = stages[state["stage"]]
        final_stage = state["stage"] == len(stages) - 1
        while state["epoch"] < n_epochs:
            ep = state["epoch"]
            lr = float(tr["lr"]) * float(tr["decay_rate"]) ** (ep // int(tr["decay_every"])) if final_stage \
                else float(tr["lr"])
            for group in opt.param_groups:
                group["lr"] = lr
            rng = np.random.default_rng([int(tr["seed"]), state["stage"], ep])
            noisy = g_tr_t + torch.as_tensor(nm.draw(x, len(g_tr), rng), dtype=torch.float32)
            perm = torch.as_tensor(rng.permutation(len(g_tr)))
            batches = range(0, len(perm), bs)
            if progress and dist.main:
                from ._progress import progress_bar

                batches = progress_bar(batches, desc=f"stage {state['stage'] + 1}/{len(stages)} epoch "
                                                     f"{ep + 1}/{n_epochs}")
            total, count = 0.0, 0
            for s in batches:
                idx = perm[s:s + bs][dist.rank::dist.world]
                gb, ab = noisy[idx].to(dist.device), a_tr_t[idx].to(dist.device)
                pred = model(gb, depth) if depth is not None else model(gb)
                loss = torch.linalg.norm(pred - ab, dim=1).mean()
                opt.zero_grad()
                loss.backward()
                add_l2_penalty_grad(net, float(tr["weight_decay"]), depth)
                if float(tr.get("grad_clip", 0.0)) > 0:
                    torch.nn.utils.clip_grad_norm_(net.parameters(), float(tr["grad_clip"]))
                opt.step()
                total += float(loss.detach()) * len(idx)
                count += len(idx)
            val = float(rse(normalise_output(_predict(net, g_val + nm.draw(x, len(g_val), rng), dist.device)),
                            a_val).mean())
            history.append({"stage": state["stage"], "epoch": ep, "loss": total / max(count, 1),
                            "val_rse": val, "lr": lr})
            state["epoch"] += 1
            if dist.main:
                log(f"[{cfg['name']}] stage {state['stage'] + 1}/{len(stages)} (depth {depth}) epoch "
                    f"{ep + 1}/{n_epochs}: loss {total / max(count, 1):.5f} val RSE {val:.5f} lr {lr:.2e}")
                if state["epoch"] % int(tr["checkpoint_every"]) == 0 or state["epoch"] == n_epochs:
                    save_checkpoint()
        state = {"stage": state["stage"] + 1, "epoch": 0}
        if dist.main:
            save_checkpoint()

    if dist.world > 1:
        import torch.distributed as tdist

        tdist.barrier()
    if not dist.main:
        tdist.destroy_process_group()
        return None
    a_te, g_te, _ = make_dataset(int(data["n_test"]), x, nu, cfg["prior"], int(data["seed"]) + 2)
    ev = evaluate(net, a_te, g_te, x, nu, cfg, dist.device)
    arrays = {"x": x, "nu": nu}
    if hasattr(net, "export"):
        arrays.update(net.export())
    arch = dict(cfg["arch"])
    if hasattr(net, "eta"):
        arch["eta"] = net.eta
    card = {
        "name": cfg["name"],
        "description": cfg["description"],
        "auto": bool(cfg["auto"]),
        "arch": arch,
        "n_parameters": count_parameters(net),
        "grid": dict(cfg["grid"], x_convention="x = tau / beta, both ends included",
                     nu_convention="nu = beta * omega; weights a_j = A(omega_j) * trapezoid weight, sum 1"),
        "input": "g(x) = -G(beta x) / (-(G(0) + G(beta))): positive, g(0) + g(1) = 1",
        "prior": cfg["prior"],
        "noise": cfg["noise"],
        "data": cfg["data"],
        "training": dict(cfg["train"], stages=stages, device=str(dist.device), world_size=dist.world,
                         seconds=round(run_info["seconds"] + time.time() - t_start, 1),
                         data_seconds=round(t_start - t0, 1), config_hash=chash,
                         final_val_rse=history[-1]["val_rse"] if history else None),
        "eval": cfg["eval"],
        "code_version": __version__,
        "git_commit": run_info["commit"],
        "torch_version": torch.__version__,
        "metrics": ev["metrics"],
        "reliability": ev["reliability"],
        "history": [[h["stage"], h["epoch"], round(h["loss"], 6), round(h["val_rse"], 6)] for h in history],
    }
    if run_info["commit"] != git_commit():
        card["git_commit_at_end"] = git_commit()  # resumed under other code than it started with
    path = save_model(out / f"{cfg['name']}.json", arrays, card, overwrite=True)
    save_checkpoint(done=True)
    log(f"[{cfg['name']}] wrote {path}")
    if dist.world > 1:
        tdist.destroy_process_group()
    return path


def _save_checkpoint(path: Path, net, opt, state, history, chash, stages, extra: dict | None = None) -> None:
    hist = np.array([[h["stage"], h["epoch"], h["loss"], h["val_rse"], h["lr"]] for h in history], float)
    payload = {"model": net.state_dict(), "optim": opt.state_dict() if opt else {}, "stage": state["stage"],
               "epoch": state["epoch"], "history": torch.as_tensor(hist.reshape(-1, 5)), "config_hash": chash,
               **(extra or {})}
    tmp = path.with_suffix(".tmp")
    torch.save(payload, tmp)
    os.replace(tmp, path)
