"""Weight files and model cards.

A model is two files side by side: ``NAME.npz`` (arrays only, read with
``allow_pickle=False``) and ``NAME.json``, its card.  The card records the
architecture, the grids (``x``, ``nu``, ``V = beta * Omega_max``), the prior and
noise it was trained on, the training config and seed, the code version, the
sha256 of the npz, and the metrics measured on held-out data.  Loading checks
the checksum and refuses a mismatch.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .atomic import atomic_write
from .errors import ChecksumError, ModelError

CARD_FORMAT_VERSION = 1
REQUIRED_ARRAYS = ("x", "nu")


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass
class LoadedModel:
    """A verified model: its card and its arrays.

    Attributes
    ----------
    card : dict
        The JSON model card.
    arrays : dict of ndarray
        ``x``, ``nu`` and the network's weights (``w_e``, ``w_t``, ``lam`` for
        the unrolled family).
    card_path : Path
    """

    card: dict
    arrays: dict
    card_path: Path

    @property
    def name(self) -> str:
        return self.card["name"]

    @property
    def x(self) -> np.ndarray:
        return self.arrays["x"]

    @property
    def nu(self) -> np.ndarray:
        return self.arrays["nu"]

    @property
    def v_max(self) -> float:
        return float(self.card["grid"]["v_max"])


def save_model(card_path: str | Path, arrays: dict[str, np.ndarray], card: dict, overwrite: bool = False) -> Path:
    """Write ``NAME.npz`` and ``NAME.json`` atomically, the checksum in the card.

    Parameters
    ----------
    card_path : path-like
        Where the card goes; the weights go beside it with suffix ``.npz``.
    arrays : dict
        Must contain ``x`` and ``nu``.
    card : dict
        Card content; ``weights_file``, ``sha256`` and ``format_version`` are set here.
    overwrite : bool

    Returns
    -------
    Path
        The card's path.
    """
    card_path = Path(card_path).with_suffix(".json")
    npz_path = card_path.with_suffix(".npz")
    missing = [k for k in REQUIRED_ARRAYS if k not in arrays]
    if missing:
        raise ModelError(f"weight arrays lack {missing}")
    atomic_write(npz_path, lambda p: _write_npz(p, arrays), overwrite=overwrite)
    card = dict(card, weights_file=npz_path.name, sha256=sha256_file(npz_path),
                format_version=CARD_FORMAT_VERSION)
    text = json.dumps(card, indent=1, sort_keys=False) + "\n"
    atomic_write(card_path, lambda p: Path(p).write_text(text), overwrite=overwrite)
    return card_path


def _write_npz(path: str, arrays: dict[str, np.ndarray]) -> None:
    with open(path, "wb") as f:
        np.savez(f, **{k: np.asarray(v) for k, v in arrays.items()})


def read_card(card_path: str | Path) -> dict:
    """Read and check a model card (no weights)."""
    card_path = Path(card_path)
    try:
        card = json.loads(card_path.read_text())
    except FileNotFoundError:
        raise ModelError(f"model card {card_path} not found") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"model card {card_path} is not readable JSON: {exc}") from None
    for key in ("name", "arch", "grid", "weights_file", "sha256"):
        if key not in card:
            raise ModelError(f"model card {card_path} lacks the field {key!r}")
    return card


#: Verified models kept between calls, keyed by the card's resolved path; each entry is re-used only
#: while neither the card nor its weights have changed (mtime and size), else re-read and re-verified.
_MODEL_CACHE: dict[str, tuple[tuple, LoadedModel]] = {}
_MODEL_CACHE_SIZE = 8


def _file_stamps(*paths: Path) -> tuple | None:
    try:
        return tuple((st.st_mtime_ns, st.st_size) for st in (p.stat() for p in paths))
    except OSError:
        return None


def load_model(card_path: str | Path) -> LoadedModel:
    """Load a model, verifying the weights' sha256 against its card.

    A model is read and verified once and then kept (up to 8 of them) until its
    card or weight file changes on disk; its arrays are read-only.

    Raises
    ------
    ChecksumError
        If the npz file does not match the card.
    ModelError
        If a file is missing or malformed.
    """
    card_path = Path(card_path)
    key = str(card_path.resolve())
    hit = _MODEL_CACHE.get(key)
    if hit is not None and hit[0] == _file_stamps(card_path, card_path.parent / hit[1].card["weights_file"]):
        return hit[1]
    model = _read_and_verify(card_path)
    stamps = _file_stamps(card_path, card_path.parent / model.card["weights_file"])
    if stamps is not None:
        if len(_MODEL_CACHE) >= _MODEL_CACHE_SIZE and key not in _MODEL_CACHE:
            _MODEL_CACHE.pop(next(iter(_MODEL_CACHE)))
        _MODEL_CACHE[key] = (stamps, model)
    return model


def _read_and_verify(card_path: Path) -> LoadedModel:
    """Read a card and its weights, check the checksum and the arrays (no cache)."""
    card = read_card(card_path)
    npz_path = card_path.parent / card["weights_file"]
    if not npz_path.exists():
        raise ModelError(f"weights {npz_path} named by {card_path} not found")
    digest = sha256_file(npz_path)
    if digest != card["sha256"]:
        raise ChecksumError(
            f"{npz_path} has sha256 {digest[:12]}..., its card says {card['sha256'][:12]}...: "
            "the file is corrupt or was replaced; reinstall the package or retrain the model"
        )
    try:
        with np.load(npz_path, allow_pickle=False) as data:
            arrays = {k: np.asarray(data[k]) for k in data.files}
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read weights {npz_path}: {exc}") from None
    for k in REQUIRED_ARRAYS:
        if k not in arrays:
            raise ModelError(f"weights {npz_path} lack the array {k!r}")
    _check_grid_matches(card, arrays, card_path)
    for arr in arrays.values():
        arr.flags.writeable = False  # shared between calls through the cache
    return LoadedModel(card, arrays, card_path)


def _check_grid_matches(card: dict, arrays: dict, card_path: Path) -> None:
    """The card's grid fields must describe the weights' own grids (the sha256 covers only the weights).

    ``grid.v_max`` decides which windows a model serves and where ``solve`` warns; an edited value would
    go unnoticed otherwise.
    """
    grid = card.get("grid", {})
    actual = {"v_max": float(np.max(np.abs(arrays["nu"]))), "n_nu": arrays["nu"].size, "n_x": arrays["x"].size}
    for name, value in actual.items():
        stated = grid.get(name)
        try:
            matches = stated is None or np.isclose(float(stated), value, rtol=1e-9, atol=0.0)
        except (TypeError, ValueError):
            matches = False
        if not matches:
            raise ModelError(f"{card_path}: grid.{name} = {stated!r} but the weights' grid has {value:g}: the card "
                             "was edited or belongs to other weights; restore it (reinstall the package) or retrain")
