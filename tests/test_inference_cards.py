import json
import shutil

import numpy as np
import pytest

from ac_learned.cards import load_model
from ac_learned.errors import BackendError, ChecksumError, ModelError
from ac_learned.inference import NumpyBackend, TorchBackend, make_backend


@pytest.mark.torch
def test_numpy_and_torch_backends_agree(tiny_model):
    model = load_model(tiny_model)
    g = np.random.default_rng(0).uniform(0.05, 0.6, size=(7, len(model.x)))
    a_np = make_backend(model, "numpy").run(g)
    a_t = make_backend(model, "torch", "cpu").run(g)
    assert a_np.shape == (7, len(model.nu))
    np.testing.assert_allclose(a_t, a_np, rtol=1e-5, atol=1e-9 * np.abs(a_np).max())
    assert isinstance(make_backend(model), NumpyBackend)


@pytest.mark.torch
def test_cuda_request_without_gpu_is_clear(tiny_model):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(BackendError, match="CUDA is not available"):
        TorchBackend(load_model(tiny_model), device="cuda")
    with pytest.raises(BackendError, match="CPU only"):
        make_backend(load_model(tiny_model), "numpy", "cuda")


@pytest.mark.torch
def test_cuda_backend_agrees(tiny_model):
    import torch

    if not torch.cuda.is_available():
        pytest.skip("needs a CUDA GPU")
    model = load_model(tiny_model)
    g = np.random.default_rng(1).uniform(0.05, 0.6, size=(64, len(model.x)))
    np.testing.assert_allclose(TorchBackend(model, "cuda").run(g), NumpyBackend(model).run(g), rtol=1e-5,
                               atol=1e-12)


def test_checksum_mismatch_is_refused(tiny_model, tmp_path):
    for f in tiny_model.parent.glob(tiny_model.stem + ".*"):
        shutil.copy(f, tmp_path / f.name)
    npz = tmp_path / (tiny_model.stem + ".npz")
    data = dict(np.load(npz, allow_pickle=False))
    data["lam"] = data["lam"] + 1.0
    np.savez(npz, **data)
    with pytest.raises(ChecksumError, match="sha256"):
        load_model(tmp_path / tiny_model.name)


def test_edited_card_grid_is_refused(tiny_model, tmp_path):
    for f in tiny_model.parent.glob(tiny_model.stem + ".*"):
        shutil.copy(f, tmp_path / f.name)
    card_path = tmp_path / tiny_model.name
    card = json.loads(card_path.read_text())
    card["grid"]["v_max"] = card["grid"]["v_max"] / 2  # the weights' nu grid still reaches the old V
    card_path.write_text(json.dumps(card))
    with pytest.raises(ModelError, match="grid.v_max .* the card was edited"):
        load_model(card_path)


def test_card_records_what_it_must(tiny_model):
    card = json.loads(tiny_model.read_text())
    for key in ("arch", "grid", "prior", "noise", "training", "code_version", "git_commit", "sha256", "metrics",
                "reliability"):
        assert key in card
    assert card["training"]["seed"] == 0 and card["data"]["seed"] == 1
    assert card["grid"]["v_max"] == 20.0


def test_missing_card_is_clear(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        load_model(tmp_path / "nope.json")


def test_weights_are_loaded_without_pickle(tiny_model):
    # an object array would need pickle: np.load(allow_pickle=False) must be what loads them
    with np.load(tiny_model.with_suffix(".npz"), allow_pickle=False) as d:
        assert all(d[k].dtype != object for k in d.files)


def test_loaded_models_are_kept_until_their_files_change(tiny_model, tmp_path):
    import os
    import shutil

    for f in tiny_model.parent.glob(tiny_model.stem + ".*"):
        shutil.copy(f, tmp_path / f.name)
    card = tmp_path / tiny_model.name
    first = load_model(card)
    assert load_model(card) is first  # cached: not re-read, not re-hashed
    assert make_backend(first, "numpy") is make_backend(first, "numpy")
    with pytest.raises(ValueError):
        first.arrays["lam"][0] = 0.0  # shared through the cache, so read-only
    npz = tmp_path / first.card["weights_file"]
    data = dict(np.load(npz, allow_pickle=False))
    data["lam"] = data["lam"] + 1.0
    np.savez(npz, **data)
    os.utime(npz, ns=(1, 1))  # same size as before; the changed mtime is what gives it away
    with pytest.raises(ChecksumError, match="sha256"):
        load_model(card)  # a replaced weight file is verified again
