"""Training configurations: JSON files with defaults filled in and checked."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import numpy as np

from .errors import InputError
from .grids import make_nu_grid, make_x_grid
from .priors import FAMILIES, NoiseModel

DEFAULTS: dict = {
    "name": None,
    "description": "",
    "auto": True,
    "arch": {"type": "rlista", "depth": 10, "threshold": "nonneg"},
    "grid": {"n_x": 128, "x_kind": "chebyshev", "n_nu": 201, "nu_kind": "sinh", "stretch": 2.0, "v_max": 30.0},
    # the seven families of the shipped zoo's configs ("continua", session 13, is opt-in: docs/accuracy.md)
    "prior": {name: 1.0 for name in FAMILIES if name != "continua"},
    "noise": {"sigma_min": 1e-5, "sigma_max": 1e-2, "p_correlated": 0.2, "corr_length": [0.01, 0.1], "levels": []},
    "data": {"n_train": 100000, "n_val": 2000, "n_test": 10000, "seed": 0},
    "train": {
        "epochs": 150, "batch_size": 256, "lr": 0.01, "decay_rate": 0.9, "decay_every": 10,
        "weight_decay": 0.01, "schedule": "global", "layerwise_epochs": 2, "seed": 0,
        "checkpoint_every": 1,
    },
    "eval": {
        "sigmas": [0.0, 1e-5, 1e-4, 1e-3],
        "calibration_sigmas": [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2],
        "quantile": 0.99,
    },
}


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict) and k != "prior":
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


#: Keys a section may hold beyond those in DEFAULTS (optional, read where they apply).
OPTIONAL_KEYS: dict = {
    "arch": {"init", "lam_init", "lam", "widths", "width", "channels", "kernel_size"},
    "grid": {"beta_reference"},
    "train": {"grad_clip"},
}
ARCH_TYPES = ("rlista", "lista", "ista", "fcn", "cnn_fcn")
THRESHOLDS = ("nonneg", "soft")
INITS = ("lecun", "lmmse")
#: A model name is a file name: letters, digits, '.', '_', '-'; no folders.
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


def load_config(source: str | Path | dict, filled: list[str] | None = None) -> dict:
    """Read a training config (path or dict), fill defaults and check it.

    Parameters
    ----------
    source : path or dict
    filled : list, optional
        Receives the names of the sections taken wholly from the defaults (absent from ``source``).

    Raises
    ------
    InputError
        Missing or unreadable file, bad JSON, unknown sections or keys, unknown families, values of the
        wrong type or out of range; the message names the key and what it must be.
    """
    if isinstance(source, dict):
        raw = source
    else:
        path = Path(source)
        try:
            raw = json.loads(path.read_text())
        except FileNotFoundError:
            raise InputError(f"config {path} not found") from None
        except IsADirectoryError:
            raise InputError(f"config {path} is a folder; give the JSON file (e.g. configs/zoo-v100.json)") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"config {path} cannot be read: {exc}") from None
        except json.JSONDecodeError as exc:
            raise InputError(f"config {path} is not valid JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise InputError(f"a config is a JSON object with sections {sorted(DEFAULTS)}; got a {type(raw).__name__}")
    unknown = set(raw) - set(DEFAULTS)
    if unknown:
        raise InputError(f"unknown config sections {sorted(unknown)}; known: {sorted(DEFAULTS)}")
    for section, default in DEFAULTS.items():
        if isinstance(default, dict) and section in raw:
            if not isinstance(raw[section], dict):
                raise InputError(f"config section {section!r} must be a JSON object ({{...}}), got "
                                 f"{json.dumps(raw[section])}")
            if section != "prior":
                known = set(default) | OPTIONAL_KEYS.get(section, set())
                bad = sorted(set(raw[section]) - known)
                if bad:
                    raise InputError(f"unknown key(s) {', '.join(f'{section}.{k}' for k in bad)}; known in "
                                     f"{section!r}: {sorted(known)} (docs/training.md lists them)")
    if filled is not None:
        filled.extend(k for k, v in DEFAULTS.items() if isinstance(v, dict) and k not in raw)
    cfg = _merge(DEFAULTS, raw)
    _check_values(cfg)
    return cfg


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and bool(np.isfinite(v))


def _fail(key: str, what: str, value) -> None:
    raise InputError(f"config {key} must be {what}, got {json.dumps(value)}")


def _int(cfg: dict, key: str, low: int) -> None:
    section, name = key.split(".")
    v = cfg[section][name]
    if isinstance(v, bool) or not isinstance(v, int) or v < low:
        _fail(key, f"an integer >= {low}", v)


def _number(cfg: dict, key: str, low: float, high: float = float("inf"), low_open: bool = False) -> None:
    section, name = key.split(".")
    v = cfg[section][name]
    ok = _is_number(v) and v <= high
    ok = ok and (v > low if low_open else v >= low)
    if not ok:
        bound = f"> {low:g}" if low_open else f">= {low:g}"
        _fail(key, f"a number {bound}" + (f" and <= {high:g}" if np.isfinite(high) else ""), v)


def _choice(cfg: dict, key: str, choices: tuple) -> None:
    section, name = key.split(".")
    if cfg[section].get(name) not in choices:
        _fail(key, f"one of {list(choices)}", cfg[section].get(name))


def _numbers(cfg: dict, key: str, low: float, low_open: bool = False, length: int | None = None) -> None:
    section, name = key.split(".")
    v = cfg[section][name]
    ok = isinstance(v, list) and (length is None or len(v) == length) and all(
        _is_number(e) and (e > low if low_open else e >= low) for e in v)
    if not ok:
        count = f"{length} " if length else ""
        _fail(key, f"a list of {count}numbers {'>' if low_open else '>='} {low:g}", v)


def _check_values(cfg: dict) -> None:
    """Types and ranges of every key a training run reads; an InputError naming the first bad one."""
    name = cfg["name"]
    if not name:
        raise InputError("config needs a 'name' (the model's name)")
    if not isinstance(name, str) or set(name) - _NAME_CHARS or name.startswith("."):
        _fail("name", "a file name of letters, digits, '.', '_' and '-' (no folders; it names NAME.npz and "
              "NAME.json in --out)", name)
    if not isinstance(cfg["auto"], bool):
        _fail("auto", "true or false", cfg["auto"])
    if not isinstance(cfg["description"], str):
        _fail("description", "a string", cfg["description"])
    prior = cfg["prior"]
    bad = set(prior) - set(FAMILIES)
    if bad:
        raise InputError(f"unknown prior families {sorted(bad)}; known: {sorted(FAMILIES)}")
    if not all(_is_number(w) and w >= 0 for w in prior.values()) or not sum(prior.values()) > 0:
        _fail("prior", "an object of family weights >= 0, not all zero", prior)
    _choice(cfg, "arch.type", ARCH_TYPES)
    _choice(cfg, "arch.threshold", THRESHOLDS)
    if "init" in cfg["arch"]:
        _choice(cfg, "arch.init", INITS)
    _int(cfg, "arch.depth", 1)
    if cfg["arch"]["type"] == "fcn":
        widths = cfg["arch"].get("widths")
        if not (isinstance(widths, list) and widths and all(isinstance(w, int) and not isinstance(w, bool) and w >= 1
                                                            for w in widths)):
            _fail("arch.widths", "a list of layer widths (integers >= 1) for type 'fcn'", widths)
    for key in ("width", "channels", "kernel_size"):
        if key in cfg["arch"]:
            _int(cfg, f"arch.{key}", 1)
    for key in ("lam_init", "lam"):
        if key in cfg["arch"]:
            _number(cfg, f"arch.{key}", 0.0)
    _int(cfg, "grid.n_x", 4)
    _int(cfg, "grid.n_nu", 4)
    _number(cfg, "grid.v_max", 0.0, low_open=True)
    _number(cfg, "grid.stretch", 0.0, low_open=True)
    _choice(cfg, "grid.x_kind", ("uniform", "chebyshev"))
    _choice(cfg, "grid.nu_kind", ("uniform", "sinh"))
    if "beta_reference" in cfg["grid"]:
        _number(cfg, "grid.beta_reference", 0.0, low_open=True)
    _number(cfg, "noise.sigma_min", 0.0)
    _number(cfg, "noise.sigma_max", 0.0)
    if cfg["noise"]["sigma_min"] > cfg["noise"]["sigma_max"]:
        raise InputError(f"config noise.sigma_min ({cfg['noise']['sigma_min']:g}) is above noise.sigma_max "
                         f"({cfg['noise']['sigma_max']:g}); swap them")
    _number(cfg, "noise.p_correlated", 0.0, 1.0)
    _numbers(cfg, "noise.corr_length", 0.0, low_open=True, length=2)
    _numbers(cfg, "noise.levels", 0.0)
    _int(cfg, "data.n_train", 1)
    _int(cfg, "data.n_val", 1)
    _int(cfg, "data.n_test", 2)  # halves: calibration and held-out false-alarm rate
    _int(cfg, "data.seed", 0)
    _int(cfg, "train.epochs", 1)
    _int(cfg, "train.batch_size", 1)
    _int(cfg, "train.decay_every", 1)
    _int(cfg, "train.layerwise_epochs", 0)
    _int(cfg, "train.checkpoint_every", 1)
    _int(cfg, "train.seed", 0)
    _number(cfg, "train.lr", 0.0, low_open=True)
    _number(cfg, "train.decay_rate", 0.0, 1.0, low_open=True)
    _number(cfg, "train.weight_decay", 0.0)
    if "grad_clip" in cfg["train"]:
        _number(cfg, "train.grad_clip", 0.0)
    _choice(cfg, "train.schedule", ("global", "layerwise"))
    _numbers(cfg, "eval.sigmas", 0.0)
    _numbers(cfg, "eval.calibration_sigmas", 0.0, low_open=True)
    _number(cfg, "eval.quantile", 0.0, 1.0, low_open=True)


def config_hash(cfg: dict) -> str:
    """Short hash of everything that determines the trained weights."""
    keep = {k: cfg[k] for k in ("arch", "grid", "prior", "noise", "data", "train")}
    return hashlib.sha256(json.dumps(keep, sort_keys=True).encode()).hexdigest()[:16]


def build_grids(grid: dict) -> tuple[np.ndarray, np.ndarray]:
    """The model's ``x`` and ``nu`` grids from a config's ``grid`` section."""
    x = make_x_grid(int(grid["n_x"]), grid.get("x_kind", "uniform"))
    nu = make_nu_grid(int(grid["n_nu"]), float(grid["v_max"]), grid.get("nu_kind", "uniform"),
                      float(grid.get("stretch", 2.0)))
    return x, nu


def noise_model(noise: dict) -> NoiseModel:
    """The :class:`NoiseModel` of a config's ``noise`` section."""
    return NoiseModel(float(noise["sigma_min"]), float(noise["sigma_max"]), float(noise["p_correlated"]),
                      tuple(noise["corr_length"]), tuple(noise.get("levels", ())))
