"""The shipped models (package data) and how one is chosen for a request."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np

from .cards import LoadedModel, load_model, read_card
from .errors import ModelError

BAND_MARGIN = 2.0  # a noise-band model serves data with sigma_rel <= its training sigma_max / BAND_MARGIN

TRAIN_HINT = (
    "train one with `ac-learned train CONFIG` (see configs/ for examples; set grid.v_max to at "
    "least beta * max|omega|) and pass its card with model='path/to/card.json'"
)


def models_dir() -> Path:
    """Folder of the shipped model cards and weights."""
    return Path(str(resources.files("ac_learned") / "models"))


_CARD_CACHE: dict[str, tuple[tuple[int, int], dict]] = {}


def _cached_card(path: Path) -> dict:
    """A card read once per (mtime, size) of its file; only for choosing a model (loading re-reads it)."""
    st = path.stat()
    stamp = (st.st_mtime_ns, st.st_size)
    hit = _CARD_CACHE.get(str(path))
    if hit is None or hit[0] != stamp:
        hit = (stamp, read_card(path) | {"_path": str(path)})
        _CARD_CACHE[str(path)] = hit
    return dict(hit[1])


def list_cards() -> list[dict]:
    """Cards of every shipped model, sorted by ``V`` (shallow copies; files re-read when they change)."""
    cards = [_cached_card(p) for p in sorted(models_dir().glob("*.json"))]
    return sorted(cards, key=lambda c: float(c["grid"]["v_max"]))


def noise_ceiling(card: dict) -> float:
    """Largest relative noise a model was trained on (``noise.sigma_max``; inf when absent)."""
    return float(card.get("noise", {}).get("sigma_max", float("inf")))


def pick_noise_band(cards: list[dict], sigma_rel: float | None) -> dict:
    """Among models of one window, the one for data with relative noise ``sigma_rel``.

    The most specialised model (smallest training ``sigma_max``) whose
    ``sigma_max / BAND_MARGIN`` still covers ``sigma_rel``; the model trained
    on the broadest noise range when no band covers it or the noise is unknown.
    """
    broad = max(cards, key=noise_ceiling)
    if sigma_rel is None or not sigma_rel > 0:
        return broad
    fits = [c for c in cards if covers_noise(c, sigma_rel)]
    return min(fits, key=noise_ceiling) if fits else broad


def covers_noise(card: dict, sigma_rel: float) -> bool:
    """Whether a model serves data of relative noise ``sigma_rel`` (``<= sigma_max / BAND_MARGIN``)."""
    return sigma_rel <= noise_ceiling(card) / BAND_MARGIN


#: Relative slack of a window's V: beta inferred from rounded frequencies (10.000000000000028) must not pass
#: over the window that serves beta = 10.
V_SLACK = 1e-9


def _auto_window(v_required: float) -> list[dict]:
    """Cards of the auto models with the smallest ``V >= v_required`` (one window, its noise bands)."""
    candidates = [c for c in list_cards()
                  if c.get("auto", True) and float(c["grid"]["v_max"]) * (1 + V_SLACK) >= v_required]
    if not candidates:
        return []
    v_best = min(float(c["grid"]["v_max"]) for c in candidates)
    return [c for c in candidates if float(c["grid"]["v_max"]) == v_best]


def auto_x_grid(v_required: float):
    """The x-grid of the models ``"auto"`` would choose from for ``v_required`` (None when none covers it).

    The noise bands of one window share its grids, so the resampling error of
    the data can be estimated before the band is chosen.
    """
    from .config import build_grids

    window = _auto_window(v_required)
    return build_grids(window[0]["grid"])[0] if window else None


def resolve(model: str, v_required: float, sigma_rel: float | None = None) -> LoadedModel:
    """Find and load the model for a request.

    Parameters
    ----------
    model : str
        ``"auto"`` (among the shipped models marked for automatic use, those
        with the smallest ``V >= v_required``; of these, the noise band that
        covers ``sigma_rel``, see :func:`pick_noise_band`), a shipped model's
        name, or the path of a model card.
    v_required : float
        ``beta * max|omega|`` of the request.
    sigma_rel : float, optional
        The data's noise relative to ``G(0) + G(beta)`` (the largest over a
        batch); None when no error bars are given (the broad-noise model is used).

    Raises
    ------
    ModelError
        Unknown name, or no shipped model covers ``v_required``.
    """
    if not isinstance(model, (str, Path)):
        raise ModelError(f"model must be 'auto', a shipped model's name or a card path, got {model!r}")
    if model != "auto":
        path = Path(model).expanduser()
        if path.suffix == ".json" and path.is_file():
            return load_model(path)
        for card in list_cards():
            if card["name"] == str(model):
                return load_model(card["_path"])
        names = [c["name"] for c in list_cards()]
        if path.suffix in (".json", ".npz") or len(path.parts) > 1:
            what = ("is a weight file: pass its card (.json) instead" if path.suffix == ".npz"
                    else "is not a file" if path.exists() else "does not exist")
            raise ModelError(f"model card {str(model)!r} {what}; shipped models: {names}")
        hint = [n for n in names if n.lower() == str(model).lower()]
        raise ModelError(f"unknown model {model!r}" + (f" (did you mean {hint[0]!r}?)" if hint else "")
                         + f"; shipped models: {names}, or pass a card path")
    window = _auto_window(v_required)
    if not window:
        served = max((float(c["grid"]["v_max"]) for c in list_cards()), default=0.0)
        raise ModelError(
            f"beta * max|omega| = {v_required:.4g} is outside every shipped model (largest V = {served:.4g}); "
            f"narrow the window to |omega| <= V / beta, or " + TRAIN_HINT
        )
    return load_model(pick_noise_band(window, sigma_rel)["_path"])


def companion(served: LoadedModel) -> LoadedModel | None:
    """The model averaged with an ``"auto"`` choice before the fit to the data.

    The same noise band (equal training ``sigma_max``) of the next wider
    shipped window, when its x-grid is the served model's (the shipped
    ``rlista10`` family shares one, so both run on the same resampled input);
    None for the widest window, for models not marked for automatic use, and
    for models without such a partner.  Two networks trained on different
    windows ripple at different frequencies, and their average is a better
    start for the fit (docs/accuracy.md, ``scripts/ensemble_check.py``).
    """
    card = served.card
    if not card.get("auto", True):
        return None
    next_window = _auto_window(served.v_max * (1 + 2 * V_SLACK))  # strictly wider: past the served one's slack
    for partner_card in next_window:
        if noise_ceiling(partner_card) == noise_ceiling(card):
            partner = load_model(partner_card["_path"])
            return partner if np.array_equal(partner.x, served.x) else None
    return None
