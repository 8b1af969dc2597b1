import json

import numpy as np
import pytest

from ac_learned.cards import load_model, sha256_file
from ac_learned.errors import ModelError
from ac_learned.zoo import list_cards, models_dir, resolve

CARDS = list_cards()


def test_at_least_the_paper_model_ships():
    assert any(c["name"] == "paper-rlista6" for c in CARDS)


@pytest.mark.parametrize("card", CARDS, ids=[c["name"] for c in CARDS])
def test_shipped_card_is_complete_and_verified(card):
    model = load_model(card["_path"])  # verifies sha256
    assert sha256_file(models_dir() / card["weights_file"]) == card["sha256"]
    for key in ("arch", "grid", "prior", "noise", "data", "training", "code_version", "git_commit", "metrics",
                "reliability"):
        assert key in card, key
    assert card["training"]["seed"] is not None and card["data"]["seed"] is not None
    assert len(model.x) == card["grid"]["n_x"] and len(model.nu) == card["grid"]["n_nu"]
    np.testing.assert_allclose(np.max(np.abs(model.nu)), card["grid"]["v_max"])
    assert all(m["rse_mean"] > 0 for m in card["metrics"]["per_sigma"])
    far = card["reliability"]["false_alarm_rate_heldout"]
    assert max(far) < 0.05  # calibrated at the 99 % quantile


def test_auto_picks_the_smallest_covering_model():
    auto = sorted(float(c["grid"]["v_max"]) for c in CARDS if c.get("auto", True))
    for v in auto:
        assert resolve("auto", v * 0.999).v_max == v
    with pytest.raises(ModelError, match="ac-learned train"):
        resolve("auto", auto[-1] * 1.01)


def test_package_data_size_budget():
    total = sum(p.stat().st_size for p in models_dir().iterdir())
    assert total < 60e6


def test_configs_in_repo_match_shipped_cards():
    from pathlib import Path

    from ac_learned.config import config_hash, load_config

    root = Path(__file__).resolve().parent.parent / "configs"
    by_name = {json.loads(p.read_text())["name"]: p for p in root.glob("*.json")}
    for card in CARDS:
        assert card["name"] in by_name, f"no config in configs/ trains {card['name']}"
        assert config_hash(load_config(by_name[card["name"]])) == card["training"]["config_hash"]
