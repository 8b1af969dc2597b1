import json

import numpy as np
import pytest
from spectra import gaussian_spectrum

import ac_learned
from ac_learned.cards import load_model, sha256_file
from ac_learned.errors import ModelError
from ac_learned.kernels import fermionic_kernel_dimensionless
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


def _fake(name, v, sigma_max):
    return {"name": name, "grid": {"v_max": v}, "noise": {"sigma_max": sigma_max}}


def test_pick_noise_band_rules():
    from ac_learned.zoo import BAND_MARGIN, pick_noise_band

    broad, low = _fake("broad", 56, 1e-2), _fake("low", 56, 3e-4)
    assert pick_noise_band([broad, low], None)["name"] == "broad"  # unknown noise: the broad model
    assert pick_noise_band([broad, low], 1e-5)["name"] == "low"
    assert pick_noise_band([broad, low], 3e-4 / BAND_MARGIN)["name"] == "low"
    assert pick_noise_band([broad, low], 3e-4 / BAND_MARGIN * 1.01)["name"] == "broad"
    assert pick_noise_band([broad, low], 0.5)["name"] == "broad"  # noisier than anything trained: broadest
    assert pick_noise_band([low], 1e-2)["name"] == "low"  # the only model of the window
    assert pick_noise_band([broad, low, _fake("mid", 56, 3e-3)], 1e-3)["name"] == "mid"


AUTO_WINDOWS = sorted({float(c["grid"]["v_max"]) for c in CARDS if c.get("auto", True)})
BAND_WINDOWS = sorted({float(c["grid"]["v_max"]) for c in CARDS if c["name"].endswith("-lownoise")})


@pytest.mark.parametrize("v", AUTO_WINDOWS)
def test_auto_serves_the_all_noise_models_at_every_noise_level(v):
    """The low-noise bands lost on physical spectra outside the prior (scripts/noise_band_check.py)."""
    from ac_learned.zoo import companion

    for sigma in (None, 1e-5, 1e-4, 1e-3):
        served = resolve("auto", v * 0.999, sigma)
        assert served.v_max == v and served.card["noise"]["sigma_max"] >= 1e-2
    partner = companion(served)
    assert partner is None or partner.card["noise"]["sigma_max"] >= 1e-2


@pytest.fixture
def bands_in_auto(monkeypatch):
    """The shipped zoo with its low-noise bands marked for automatic use (as a user's own zoo may be)."""
    import ac_learned.zoo as zoo

    if not BAND_WINDOWS:
        pytest.skip("no noise-band models shipped")
    cards = [dict(c, auto=True) if c["name"].endswith("-lownoise") else c for c in zoo.list_cards()]
    monkeypatch.setattr(zoo, "list_cards", lambda: [dict(c) for c in cards])


def test_noise_bands_marked_auto_are_chosen_by_the_error_bars(bands_in_auto):
    for v in BAND_WINDOWS:
        low = resolve("auto", v * 0.999, 1e-5)
        assert low.v_max == v and low.card["noise"]["sigma_max"] < 1e-3
        for sigma in (None, 1e-3):
            broad = resolve("auto", v * 0.999, sigma)
            assert broad.v_max == v and broad.card["noise"]["sigma_max"] >= 1e-2


def test_solve_chooses_a_band_marked_auto_from_err(bands_in_auto):
    from ac_learned import solve
    from ac_learned.kernels import fermionic_kernel

    v = BAND_WINDOWS[0]
    beta = 10.0
    tau, omega = np.linspace(0, beta, 81), np.linspace(-0.9 * v / beta, 0.9 * v / beta, 101)
    A = np.exp(-0.5 * (omega / (0.1 * v / beta)) ** 2)
    A /= np.trapezoid(A, omega)
    g = -fermionic_kernel(tau, omega, beta) @ (A * np.gradient(omega))
    assert solve(tau, g, beta=beta, omega=omega, err=1e-5).model_card["noise"]["sigma_max"] < 1e-3
    assert solve(tau, g, beta=beta, omega=omega, err=1e-3).model_card["noise"]["sigma_max"] >= 1e-2
    assert solve(tau, g, beta=beta, omega=omega).model_card["noise"]["sigma_max"] >= 1e-2


def test_auto_with_errors_resamples_the_data_once(monkeypatch):
    """The noise estimate and the network share one resampling onto the window's grid."""
    import sys

    import ac_learned.grids as grids
    from ac_learned import solve
    from ac_learned.kernels import fermionic_kernel

    solve_module = sys.modules["ac_learned.solve"]
    beta = 10.0
    tau, omega = np.linspace(0, beta, 81), np.linspace(-3.0, 3.0, 101)
    A = np.exp(-0.5 * (omega / 0.8) ** 2)
    A /= np.trapezoid(A, omega)
    g = -fermionic_kernel(tau, omega, beta) @ (A * np.gradient(omega))
    # the network alone: with model="auto" a fit would start from two windows' average
    chosen = solve(tau, g, beta=beta, omega=omega, err=1e-4, fit_data=False).model_card["name"]
    explicit = solve(tau, g, beta=beta, omega=omega, err=1e-4, model=chosen, fit_data=False)
    calls = []
    original = grids.resample_to_x

    def counting(*args, **kwargs):
        calls.append(len(args[0]))
        return original(*args, **kwargs)

    monkeypatch.setattr(grids, "resample_to_x", counting)
    monkeypatch.setattr(solve_module, "resample_to_x", counting)
    auto = solve(tau, g, beta=beta, omega=omega, err=1e-4, fit_data=False)
    assert sorted(calls) == [41, 81]  # every other point (the error estimate) and all points, once each
    np.testing.assert_allclose(auto.A, explicit.A, rtol=1e-10, atol=1e-12)


def test_relative_noise_estimate():
    from ac_learned.solve import relative_noise_estimate

    g = np.array([[-0.6, -0.1, -0.4], [-0.5, -0.2, -0.5]])
    assert relative_noise_estimate(g, None) is None
    assert relative_noise_estimate(g, np.full((2, 3), 1e-3)) == pytest.approx(1e-3)
    assert relative_noise_estimate(g, np.array([[1e-3] * 3, [4e-3] * 3])) == pytest.approx(4e-3)


def test_coarse_tau_grid_with_a_wide_window_keeps_the_broad_model(bands_in_auto):
    """Resampling error counts as noise: 41 tau points cannot feed a low-noise model at V = 560."""
    from ac_learned import solve
    from ac_learned.kernels import fermionic_kernel

    if 560 not in BAND_WINDOWS:
        pytest.skip("no V = 560 noise band shipped")
    beta = 10.0
    omega = np.linspace(-50.0, 50.0, 201)
    A = np.exp(-0.5 * ((omega - 20.0) / 3.0) ** 2) + np.exp(-0.5 * (omega / 2.0) ** 2)
    A /= np.trapezoid(A, omega)
    picked = {}
    for n_tau in (41, 2001):
        tau = np.linspace(0, beta, n_tau)
        g = -fermionic_kernel(tau, omega, beta) @ (A * np.gradient(omega))
        picked[n_tau] = solve(tau, g, beta=beta, omega=omega, err=1e-5, fit_data=False).model_card["name"]
    assert picked[41] == "rlista10-v560"
    assert picked[2001] == "rlista10-v560-lownoise"


def test_card_listing_is_cached_but_follows_file_changes(tmp_path, monkeypatch):
    import json
    import os

    import ac_learned.zoo as zoo

    src = zoo.models_dir() / "paper-rlista6.json"
    card = json.loads(src.read_text())
    path = tmp_path / "paper-rlista6.json"
    path.write_text(json.dumps(card))
    monkeypatch.setattr(zoo, "models_dir", lambda: tmp_path)
    first = zoo.list_cards()
    assert [c["name"] for c in first] == ["paper-rlista6"]
    first[0]["name"] = "mutated by a caller"
    assert zoo.list_cards()[0]["name"] == "paper-rlista6"  # callers get copies
    path.write_text(json.dumps(dict(card, name="renamed-model")))
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))  # a new stamp even on coarse clocks
    assert [c["name"] for c in zoo.list_cards()] == ["renamed-model"]


def test_zoo_covers_beta_200_with_a_10_ev_window_at_the_required_resolution():
    """The brief's users: beta up to 200 and windows of +-10 eV (V = 2000); spacing at 0 <= Omega_max / 100."""
    assert resolve("auto", 200 * 10.0).v_max >= 2000
    for card in (c for c in CARDS if c.get("auto", True)):
        nu = load_model(card["_path"]).nu
        spacing_at_zero = np.diff(nu)[np.argmin(np.abs(nu[:-1] + nu[1:]))]
        assert spacing_at_zero <= card["grid"]["v_max"] / 100, card["name"]


@pytest.mark.parametrize("peaks", [((0.2, 0.3, 0.6), (-2.0, 0.8, 0.4)),  # metal
                                   ((0.02, 0.05, 0.3), (2.5, 0.6, 0.35), (-2.5, 0.6, 0.35))])  # narrow QP
def test_beta_200_with_10_ev_fits_precise_data(peaks):
    """At V = 2000 the model grid is 11 apart in nu at 0; the fit refines it near 0 (refine_near_zero),
    without which precise metallic data stayed at chi2/N 2.6-8.5 and were flagged unreliable."""
    beta, w = 200.0, np.linspace(-15, 15, 3001)
    a_true = gaussian_spectrum(w, peaks)
    a_true /= np.trapezoid(a_true, w)
    tau = np.linspace(0, beta, 201)
    g = -fermionic_kernel_dimensionless(tau / beta, beta * w) @ (a_true * np.gradient(w))
    g += 1e-4 * np.random.default_rng(0).standard_normal(tau.size)
    omega = np.linspace(-10, 10, 401)
    res = ac_learned.solve(tau, g, beta=beta, omega=omega, err=1e-4)
    assert res.model_card["grid"]["v_max"] >= 2000
    assert res.chi2 < 1.3 and res.reliable
    assert res.nu_model.size > res.model_card["grid"]["n_nu"]
    err = np.trapezoid(np.abs(res.A - np.interp(omega, w, a_true)), omega)
    assert err < 0.2


def test_coarse_tau_grid_for_the_window_is_pointed_out():
    """beta = 200 with +-10: 21 tau points (spacing 10) cannot see the window's high frequencies; 2001 can."""
    from ac_learned import solve
    from ac_learned.kernels import fermionic_kernel

    beta = 200.0
    omega = np.linspace(-10.0, 10.0, 201)
    A = np.exp(-0.5 * ((omega - 2.0) / 0.8) ** 2) + np.exp(-0.5 * ((omega + 2.0) / 0.8) ** 2)
    A /= np.trapezoid(A, omega)
    said = {}
    for n_tau in (21, 151, 401, 2001):
        tau = np.linspace(0, beta, n_tau)
        g = -fermionic_kernel(tau, omega, beta) @ (A * np.gradient(omega))
        res = solve(tau, g, beta=beta, omega=omega, err=1e-4, fit_data=False)
        said[n_tau] = [w for w in res.warnings if "tau grid is coarse" in w]
    assert len(said[21]) == 1 and "spacing is 10" in said[21][0] and "beyond about 0.25" in said[21][0]
    assert len(said[151]) == 1 and "beyond about 1.8" in said[151][0]  # spacing 1.33: bands at 2 move inwards
    assert not said[401] and not said[2001]


def test_companion_is_the_same_band_of_the_next_wider_window():
    from ac_learned.zoo import companion, noise_ceiling

    auto = [c for c in CARDS if c.get("auto", True)]
    windows = sorted({float(c["grid"]["v_max"]) for c in auto})
    for card in auto:
        partner = companion(load_model(card["_path"]))
        v = float(card["grid"]["v_max"])
        if v == windows[-1]:
            assert partner is None
            continue
        assert partner is not None
        assert partner.v_max == windows[windows.index(v) + 1]
        assert noise_ceiling(partner.card) == noise_ceiling(card)
        np.testing.assert_array_equal(partner.x, load_model(card["_path"]).x)
    paper = next(c for c in CARDS if c["name"] == "paper-rlista6")
    assert companion(load_model(paper["_path"])) is None


def test_auto_fit_starts_from_two_windows_and_keeps_the_served_models_flag():
    """With model='auto' the fit starts from the average of two windows; chi2_network stays the served model's."""
    from ac_learned import solve
    from ac_learned.kernels import fermionic_kernel

    beta = 10.0
    tau, omega = np.linspace(0, beta, 101), np.linspace(-4.0, 4.0, 161)
    A = np.exp(-0.5 * ((omega - 1.0) / 0.5) ** 2) + 0.5 * np.exp(-0.5 * ((omega + 1.5) / 0.7) ** 2)
    A /= np.trapezoid(A, omega)
    g = -fermionic_kernel(tau, omega, beta) @ (A * np.gradient(omega))
    g = g + 1e-4 * np.random.default_rng(2).standard_normal(tau.size)
    auto = solve(tau, g, beta=beta, omega=omega, err=1e-4)
    single = solve(tau, g, beta=beta, omega=omega, err=1e-4, model=auto.model_card["name"])
    raw = solve(tau, g, beta=beta, omega=omega, err=1e-4, fit_data=False)
    assert auto.averaged_with is not None and single.averaged_with is None and raw.averaged_with is None
    assert auto.averaged_with != auto.model_card["name"]
    assert auto.chi2_network == pytest.approx(single.chi2_network, rel=1e-12)
    assert auto.reliable == single.reliable
    assert not np.allclose(auto.A, single.A)  # a different start, fitted to the same data
    assert 0.8 < auto.chi2 < 1.3 and 0.8 < single.chi2 < 1.3
