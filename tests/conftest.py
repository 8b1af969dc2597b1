"""Shared fixtures: a tiny RLISTA trained in seconds, used instead of shipped weights."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """Card path of a 3-layer RLISTA on a small grid (V = 20), trained for 2 epochs."""
    from ac_learned.train import train

    cfg = {
        "name": "tiny-test",
        "arch": {"type": "rlista", "depth": 3, "init": "lmmse"},
        "grid": {"n_x": 40, "x_kind": "chebyshev", "n_nu": 41, "nu_kind": "sinh", "v_max": 20.0},
        "prior": {"gaussians": 1.0, "hubbard": 1.0},
        "noise": {"sigma_min": 1e-4, "sigma_max": 1e-3},
        "data": {"n_train": 3000, "n_val": 200, "n_test": 400, "seed": 1},
        "train": {"epochs": 2, "batch_size": 128, "lr": 1e-3, "weight_decay": 0.0},
        "eval": {"sigmas": [1e-4], "calibration_sigmas": [1e-4, 1e-3]},
    }
    out = tmp_path_factory.mktemp("tiny")
    return train(cfg, out_dir=out, progress=False, log=lambda *a: None)

