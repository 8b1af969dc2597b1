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
    # the broad families of the shipped zoo (without "paper"; "continua", session 13, is opt-in: docs/accuracy.md)
    "prior": {name: 1.0 for name in FAMILIES if name not in ("paper", "continua")},
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


def load_config(source: str | Path | dict) -> dict:
    """Read a training config (path or dict), fill defaults and check it.

    Raises
    ------
    InputError
        Missing file, bad JSON, unknown keys or families, bad values.
    """
    if isinstance(source, dict):
        raw = source
    else:
        path = Path(source)
        try:
            raw = json.loads(path.read_text())
        except FileNotFoundError:
            raise InputError(f"config {path} not found") from None
        except json.JSONDecodeError as exc:
            raise InputError(f"config {path} is not valid JSON: {exc}") from None
    unknown = set(raw) - set(DEFAULTS)
    if unknown:
        raise InputError(f"unknown config sections {sorted(unknown)}; known: {sorted(DEFAULTS)}")
    cfg = _merge(DEFAULTS, raw)
    if not cfg["name"]:
        raise InputError("config needs a 'name' (the model's name)")
    bad = set(cfg["prior"]) - set(FAMILIES)
    if bad:
        raise InputError(f"unknown prior families {sorted(bad)}; known: {sorted(FAMILIES)}")
    g = cfg["grid"]
    if g["v_max"] <= 0 or g["n_x"] < 4 or g["n_nu"] < 4:
        raise InputError("grid needs v_max > 0, n_x >= 4, n_nu >= 4")
    if cfg["train"]["schedule"] not in ("global", "layerwise"):
        raise InputError("train.schedule must be 'global' or 'layerwise'")
    return cfg


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
