"""The shipped models (package data) and how one is chosen for a request."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .cards import LoadedModel, load_model, read_card
from .errors import ModelError

TRAIN_HINT = (
    "train one with `ac-learned train CONFIG` (see configs/ for examples; set grid.v_max to at "
    "least beta * max|omega|) and pass its card with model='path/to/card.json'"
)


def models_dir() -> Path:
    """Folder of the shipped model cards and weights."""
    return Path(str(resources.files("ac_learned") / "models"))


def list_cards() -> list[dict]:
    """Cards of every shipped model, sorted by ``V``."""
    cards = [read_card(p) | {"_path": str(p)} for p in sorted(models_dir().glob("*.json"))]
    return sorted(cards, key=lambda c: float(c["grid"]["v_max"]))


def resolve(model: str, v_required: float) -> LoadedModel:
    """Find and load the model for a request.

    Parameters
    ----------
    model : str
        ``"auto"`` (the shipped model with the smallest ``V >= v_required``
        among those marked for automatic use), a shipped model's name, or the
        path of a model card.
    v_required : float
        ``beta * max|omega|`` of the request.

    Raises
    ------
    ModelError
        Unknown name, or no shipped model covers ``v_required``.
    """
    if model != "auto":
        path = Path(model)
        if path.suffix == ".json" and path.exists():
            return load_model(path)
        for card in list_cards():
            if card["name"] == model:
                return load_model(card["_path"])
        names = [c["name"] for c in list_cards()]
        raise ModelError(f"unknown model {model!r}; shipped models: {names}, or pass a card path")
    candidates = [c for c in list_cards() if c.get("auto", True) and float(c["grid"]["v_max"]) >= v_required]
    if not candidates:
        served = max((float(c["grid"]["v_max"]) for c in list_cards()), default=0.0)
        raise ModelError(
            f"beta * max|omega| = {v_required:.4g} is outside every shipped model (largest V = {served:.4g}); "
            + TRAIN_HINT
        )
    return load_model(candidates[0]["_path"])
