"""Shared fixtures: a tiny RLISTA trained in seconds, used instead of shipped weights.

torch is optional (the ``[torch]`` extra).  Tests marked ``@pytest.mark.torch``
are skipped without it, and the ``tiny_model`` fixture then uses a stored copy
of the same tiny model (``tests/data/tiny-test.*``, written by
``python tests/conftest.py`` with torch installed) instead of training it.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"

#: The tiny model's training config (3-layer RLISTA, V = 20, 2 epochs).
TINY_CONFIG = {
    "name": "tiny-test",
    "arch": {"type": "rlista", "depth": 3, "init": "lmmse"},
    "grid": {"n_x": 40, "x_kind": "chebyshev", "n_nu": 41, "nu_kind": "sinh", "v_max": 20.0},
    "prior": {"gaussians": 1.0, "hubbard": 1.0},
    "noise": {"sigma_min": 1e-4, "sigma_max": 1e-3},
    "data": {"n_train": 3000, "n_val": 200, "n_test": 400, "seed": 1},
    "train": {"epochs": 2, "batch_size": 128, "lr": 1e-3, "weight_decay": 0.0},
    "eval": {"sigmas": [1e-4], "calibration_sigmas": [1e-4, 1e-3]},
}

HAVE_TORCH = importlib.util.find_spec("torch") is not None


def pytest_configure(config):
    config.addinivalue_line("markers", "torch: needs PyTorch (pip install \"ac-learned[torch]\"); skipped without it")


def pytest_collection_modifyitems(config, items):
    if HAVE_TORCH:
        return
    skip = pytest.mark.skip(reason='needs PyTorch, which is not installed (pip install "ac-learned[torch]")')
    for item in items:
        if item.get_closest_marker("torch") is not None:
            item.add_marker(skip)


def train_tiny(out_dir: Path) -> Path:
    """Train the tiny model into ``out_dir``; return its card's path."""
    from ac_learned.train import train

    return train(TINY_CONFIG, out_dir=out_dir, progress=False, log=lambda *a: None)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """Card path of a 3-layer RLISTA on a small grid (V = 20), trained for 2 epochs.

    Trained here when torch is installed; otherwise a copy of the stored one in ``tests/data``.
    """
    out = tmp_path_factory.mktemp("tiny")
    if HAVE_TORCH:
        return train_tiny(out)
    for name in ("tiny-test.json", "tiny-test.npz"):
        shutil.copy2(DATA / name, out / name)
    return out / "tiny-test.json"


if __name__ == "__main__":  # refresh tests/data/tiny-test.* (needs torch)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        card = train_tiny(Path(tmp))
        DATA.mkdir(exist_ok=True)
        for name in ("tiny-test.json", "tiny-test.npz"):
            shutil.copy2(card.parent / name, DATA / name)
    print(f"wrote {DATA / 'tiny-test.json'} and {DATA / 'tiny-test.npz'}")
