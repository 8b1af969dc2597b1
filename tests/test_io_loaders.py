"""Every loader returns the model G of ``io_fixtures`` on its own grid, and the selectors work."""

from __future__ import annotations

import os
import re
import warnings

import io_fixtures as fx
import numpy as np
import pytest

from ac_learned import io
from ac_learned.errors import ACLearnedWarning, FileFormatError, InputError

SOURCES = {
    "triqs": "triqs",
    "triqs_cthyb": "triqs",
    "triqs_iw": "triqs",
    "triqs_iw_pos": "triqs",
    "triqs_2x": "triqs",
    "triqs_legacy": "triqs",
    "w2dynamics": "w2dynamics",
    "alpscore": "alpscore",
    "alps_segment": "alps_segment",
    "alps_maxent": "alps_maxent",
    "alps_maxent_cov": "alps_maxent",
    "alps_maxent_iw": "alps_maxent",
    "alf": "alf",
    "smoqy": "smoqy",
    "text_ana_cont": "text",
    "text_triqs_maxent": "text",
    "text_iw": "text",
}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return fx.write_all(tmp_path_factory.mktemp("io_fixtures"))


def _load(fixture, **extra):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ACLearnedWarning)  # valid files must not warn
        return io.load(fixture.path, **{**fixture.kwargs, **extra})


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_loader_returns_the_model(files, name):
    fixture = files[name]
    data = _load(fixture)
    assert data.source == SOURCES[name]
    assert io.detect_format(fixture.path) == SOURCES[name]
    assert data.kind == fixture.kind
    assert data.beta == pytest.approx(fx.BETA, rel=1e-12)
    assert data.grid.dtype == np.float64 and np.all(np.diff(data.grid) > 0)
    assert data.values.shape[-1] == data.grid.size
    assert data.meta["sign_in_file"] == fixture.sign_in_file
    want = fx.expected(fixture, data.grid)
    np.testing.assert_allclose(np.squeeze(data.values), want, rtol=0, atol=1e-10)
    if data.kind == "tau":
        assert data.values.dtype == np.float64 and np.all(data.values <= 0)
        assert data.grid[0] >= 0 and data.grid[-1] <= data.beta
    else:
        assert np.iscomplexobj(data.values) and np.all(data.values.imag < 0)
        x = data.grid * data.beta / np.pi
        np.testing.assert_allclose(x, 2 * np.arange(x.size) + 1 + (x[0] - 1), atol=1e-9)
    assert data.path.startswith(fixture.path)
    for arr in (data.errors, data.bins):
        if arr is not None:
            assert np.all(np.isfinite(arr))


def test_grids_follow_each_layout(files):
    legacy = io.load(files["triqs_legacy"].path)
    np.testing.assert_allclose(legacy.grid, (np.arange(40) + 0.5) * fx.BETA / 40, rtol=0, atol=1e-14)
    w2d = io.load(files["w2dynamics"].path, **files["w2dynamics"].kwargs)
    np.testing.assert_allclose(w2d.grid, fx.w2d_taubin(50), rtol=0, atol=1e-14)
    triqs = io.load(files["triqs"].path, **files["triqs"].kwargs)
    np.testing.assert_allclose(triqs.grid, np.linspace(0, fx.BETA, fx.NTAU), rtol=0, atol=1e-14)
    alf = io.load(files["alf"].path, k=0)
    np.testing.assert_allclose(alf.grid, np.arange(41) * 0.25, rtol=0, atol=1e-14)


# ----------------------------------------------------------------- TRIQS


def test_triqs_candidates_and_listing_error(files):
    path = files["triqs"].path
    names = [c.name for c in io.list_candidates(path)]
    assert names == ["G_iw", "G_tau/down", "G_tau/up", "chi_tau"]
    bosonic = {c.name: c.fermionic for c in io.list_candidates(path)}
    assert bosonic["chi_tau"] is False
    with pytest.raises(InputError, match="block=") as err:
        io.load(path)
    for name in ("G_iw", "G_tau/down", "G_tau/up"):
        assert repr(name) in str(err.value)


def test_triqs_blocks_spin_and_orbitals(files):
    path = files["triqs"].path
    full = io.load(path, block="G_tau/up")
    assert full.values.shape == (2, 2, fx.NTAU)
    assert full.meta["axes"] == ["orbital1", "orbital2", "tau"]
    np.testing.assert_allclose(full.values[0, 1], 0.05 * fx.g_tau(full.grid), atol=1e-12)
    down = io.load(path, block="G_tau", spin="down", orbital=1)
    np.testing.assert_allclose(down.values, fx.g_tau(down.grid, 0.3), atol=1e-10)
    same = io.load(path, block="down", orbital=(1, 1))
    np.testing.assert_array_equal(same.values, down.values)
    off = io.load(path, block="G_tau/up", orbital=(0, 1))
    np.testing.assert_allclose(off.values, 0.05 * fx.g_tau(off.grid), atol=1e-12)


def test_triqs_matsubara_drops_negative_frequencies(files):
    data = io.load(files["triqs"].path, block="G_iw")
    assert data.kind == "iw" and data.grid.size == fx.NIW
    assert data.meta["dropped_negative_frequencies"] == fx.NIW
    np.testing.assert_allclose(data.grid, fx.matsubara(fx.NIW), rtol=1e-14)


def test_triqs_bosonic_block_is_refused(files):
    with pytest.raises(InputError, match="bosonic"):
        io.load(files["triqs"].path, block="chi_tau")


def test_inspect_gives_beta_of_a_file_with_only_bosonic_data(files, tmp_path):
    import h5py

    path = tmp_path / "chi_only.h5"
    with h5py.File(files["triqs"].path, "r") as src, h5py.File(path, "w") as dst:
        src.copy("chi_tau", dst)
    assert "beta: 10" in io.inspect(path)


def test_triqs_cthyb_single_block_needs_no_selector(files):
    data = io.load(files["triqs_cthyb"].path)
    assert data.path.endswith("/solver/container_set/G_tau/up_0")
    assert io.load(files["triqs_cthyb"].path, block="container_set/G_tau").values.shape == (1, 1, fx.NTAU)


# ------------------------------------------------------------ w2dynamics


def test_w2dynamics_iterations(files):
    fixture = files["w2dynamics"]
    base = dict(block="gtau", orbital=1, spin=0)
    last = io.load(fixture.path, **base)
    assert last.meta["iteration"] == "dmft-002"
    first = io.load(fixture.path, iteration=1, **base)
    np.testing.assert_allclose(first.values, fx.g_tau(first.grid, 0.1 + 0.5), atol=1e-10)
    named = io.load(fixture.path, iteration="dmft-001", **base)
    np.testing.assert_array_equal(named.values, first.values)
    link = io.load(fixture.path, iteration="dmft-last", **base)
    np.testing.assert_array_equal(link.values, last.values)
    with pytest.raises(InputError, match="no iteration"):
        io.load(fixture.path, iteration=7, **base)
    # the command line passes strings: "1", "001" and "-1" mean 1, 1 and the last
    for text, same in (("1", first), ("001", first), ("-1", last)):
        np.testing.assert_array_equal(io.load(fixture.path, iteration=text, **base).values, same.values)


def test_w2dynamics_quantities(files):
    path = files["w2dynamics"].path
    names = {c.name for c in io.list_candidates(path)}
    assert names == {"ineq-001/gtau", "ineq-001/gtau-full", "ineq-001/giw-full"}
    with pytest.raises(InputError, match="block="):
        io.load(path)
    both = io.load(path, block="gtau")
    assert both.values.shape == (2, 2, 50) and both.meta["axes"] == ["band", "spin", "tau"]
    np.testing.assert_allclose(both.errors, 1e-4)
    full = io.load(path, block="gtau-full", orbital=(1, 1), spin=(1, 1))
    np.testing.assert_allclose(full.values, fx.g_tau(full.grid, 0.1), atol=1e-10)
    giw = io.load(path, block="giw-full", orbital=0, spin="down")
    assert giw.kind == "iw" and giw.meta["sign_in_file"] == "standard"
    np.testing.assert_allclose(giw.values, fx.g_iw(giw.grid), atol=1e-10)
    np.testing.assert_allclose(giw.errors, 1e-4)
    with pytest.raises(InputError, match="only diagonal"):
        io.load(path, block="gtau", orbital=(0, 1))


def test_w2dynamics_one_rank_errors(tmp_path):
    path = fx.write_w2dynamics(tmp_path / "one_rank.hdf5", one_rank=True).path
    with pytest.raises(FileFormatError, match="one-rank w2dynamics"):
        io.load(path, block="gtau", orbital=0, spin=0)
    data = io.load(path, block="gtau", orbital=0, spin=0, drop_bad_errors=True)
    assert data.errors is None and "NaN" in data.meta["errors_dropped"]


def test_w2dynamics_giw_cov_gives_the_error_bars(tmp_path):
    # session 15 (user test): giw-cov was read into meta and never used; continue then said "no err given"
    import h5py

    path = fx.write_w2dynamics(tmp_path / "cov.hdf5").path
    nb, ns, niw = 2, 2, fx.NIW
    wn = fx.matsubara(niw, both=True)
    sd = 1e-4 * (1 + np.arange(niw))  # growing with the frequency, as QMC errors do
    with h5py.File(path, "r+") as f:
        ineq = f["dmft-002/ineq-001"]
        giw = np.zeros((nb, ns, 2 * niw), dtype=complex)
        for b in range(nb):
            for s in range(ns):
                giw[b, s] = fx.g_iw(wn, 0.1 * b)
        ineq.create_group("giw")["value"] = giw
        cov = np.zeros((nb, ns, niw, 2, niw, 2))
        k = np.arange(niw)
        cov[:, :, k, 0, k, 0] = sd ** 2
        cov[:, :, k, 1, k, 1] = (0.5 * sd) ** 2
        ineq.create_group("giw-cov")["value"] = cov
    data = io.load(path, block="giw", orbital=1, spin=0)
    np.testing.assert_allclose(data.errors, sd, rtol=1e-12)  # positive frequencies kept, the larger part's
    assert "giw-cov" in data.meta["errors_from"]
    assert "error bars" in io.inspect(path)


# ----------------------------------------------------------------- ALPS


def test_alpscore_orbital_pairs(files):
    path = files["alpscore"].path
    data = io.load(path)
    assert data.values.shape == (2, 2, 61) and data.meta["axes"] == ["index1", "index2", "tau"]
    np.testing.assert_allclose(io.load(path, orbital=(0, 1)).values, 0.0)


def test_alps_segment_errors_and_bins(files):
    data = io.load(files["alps_segment"].path, orbital=1)
    np.testing.assert_allclose(data.errors[1:-1], 1e-4)
    np.testing.assert_allclose(data.errors[[0, -1]], 2e-4)  # half-width end bins doubled
    assert data.bins.shape == (8, 51)
    np.testing.assert_allclose(data.bins.mean(axis=0), data.values, atol=1e-10)


def test_alps_maxent_needs_beta_and_assumes_its_default_grid(files):
    path = files["alps_maxent"].path
    with pytest.raises(InputError, match=r"pass beta=\.\.\. to load\(\)"):
        io.load(path)
    data = io.load(path, beta=fx.BETA)  # no TAU_i: ALPS MaxEnt's own default, tau_i = i beta / (N - 1)
    np.testing.assert_allclose(data.grid, np.linspace(0, fx.BETA, data.values.size))
    assert "both ends" in data.meta["tau_grid_assumed"] and "grid='centres'" in data.meta["tau_grid_assumed"]
    np.testing.assert_allclose(data.values, fx.g_tau(data.grid, -0.3), atol=1e-10)
    centres = io.load(path, beta=fx.BETA, grid="centres")
    n = centres.values.size
    np.testing.assert_allclose(centres.grid, (np.arange(n) + 0.5) * fx.BETA / n)
    assert "tau_grid_assumed" not in centres.meta
    with pytest.raises(InputError, match="not a tau grid"):
        io.load(path, beta=fx.BETA, grid="bins")
    with pytest.raises(InputError, match="applies to ALPS MaxEnt input only"):
        io.load(files["triqs"].path, grid="uniform")
    with pytest.raises(InputError, match="beta"):
        io.load(files["alps_maxent_cov"].path, beta=2 * fx.BETA)
    cov = io.load(files["alps_maxent_cov"].path)
    assert cov.cov.shape == (cov.grid.size, cov.grid.size)
    np.testing.assert_allclose(cov.errors, 1e-4)


# ------------------------------------------------------------------- ALF


def test_alf_jackknife_bins_and_k(files):
    path = files["alf"].path
    data = io.load(path)
    assert data.values.shape == (1, 1, 3, 41)
    assert data.meta["axes"] == ["orbital1", "orbital2", "k", "tau"]
    for k, shift in enumerate(fx.alf_shifts(3)):
        np.testing.assert_allclose(data.values[0, 0, k], fx.g_tau(data.grid, shift), atol=1e-10)
    assert data.bins.shape == (6, 1, 1, 3, 41)
    np.testing.assert_allclose(data.bins.mean(axis=0), data.values, atol=1e-12)
    assert np.all(data.errors > 0)
    assert data.meta["bin_signs"].shape == (6,)
    assert 0.5 < data.meta["average_sign"] < 1.0
    one = io.load(path, k=2, orbital=0)
    assert one.values.shape == (41,) and one.bins.shape == (6, 41)


def test_alf_jackknife_error_formula(files):
    data = io.load(files["alf"].path, k=0, orbital=0)
    import h5py

    with h5py.File(files["alf"].path) as f:
        obs = -f["Green_tau/obser"][:, 0, 0, :, 0, 0]
        sign = f["Green_tau/sign"][()]
    n = sign.size
    jack = (obs.sum(0) - obs) / (sign.sum() - sign[:, None])
    want = np.sqrt((n - 1) / n * ((jack - jack.mean(0)) ** 2).sum(0))
    np.testing.assert_allclose(data.errors, want, rtol=1e-12)


def test_alf_bosonic_and_missing_beta(files, tmp_path):
    with pytest.raises(InputError, match="bosonic"):
        io.load(files["alf"].path, block="SpinZ_tau")
    path = fx.write_alf(tmp_path / "nobeta.h5", beta_in_file=False).path
    with pytest.raises(InputError, match="beta="):
        io.load(path)
    assert io.load(path, beta=fx.BETA, k=1).beta == fx.BETA


# -------------------------------------------------------------- SmoQyDQMC


def test_smoqy_axes_k_and_bins(files):
    fixture = files["smoqy"]
    data = io.load(fixture.path, block="greens/MOMENTUM")
    assert data.meta["axes"] == ["orbital_pair", "k_1", "k_2", "tau"]
    assert data.values.shape == (1, 2, 3, 41)
    for k1 in range(2):
        for k2 in range(3):
            want = fx.g_tau(data.grid, fx.smoqy_shift(k1, k2))
            np.testing.assert_allclose(data.values[0, k1, k2], want, atol=1e-10)
    np.testing.assert_allclose(data.errors, 1e-4)
    assert data.bins.shape == (8, 1, 2, 3, 41)
    np.testing.assert_allclose(data.bins.mean(axis=0), data.values, atol=1e-10)
    flat = io.load(fixture.path, block="greens/MOMENTUM", k=1 * 3 + 2, orbital=0)
    pair = io.load(fixture.path, block="greens/MOMENTUM", k=(1, 2), orbital=(0, 0))
    np.testing.assert_array_equal(flat.values, pair.values)
    assert data.meta["orbital_pairs"] == [(0, 0)]
    with pytest.raises(InputError, match="not stored"):
        io.load(fixture.path, block="greens/MOMENTUM", orbital=(0, 1))


def test_smoqy_candidates(files, tmp_path):
    path = files["smoqy"].path
    cands = {c.name: c for c in io.list_candidates(path)}
    assert set(cands) == {"density/MOMENTUM", "density/POSITION", "greens/MOMENTUM", "greens/POSITION"}
    assert not cands["density/MOMENTUM"].fermionic
    with pytest.raises(InputError, match="greens/MOMENTUM"):
        io.load(path)
    with pytest.raises(InputError, match="bosonic"):
        io.load(path, block="density/MOMENTUM")
    position = io.load(path, block="greens/POSITION", orbital=0)
    assert position.meta["axes"] == ["r_1", "r_2", "tau"] and position.values.shape == (2, 3, 41)
    momentum = io.load(path, block="greens/MOMENTUM", orbital=0)
    local = io.load(path, block="greens/POSITION", orbital=0, k=(0, 0))
    np.testing.assert_allclose(local.values, momentum.values.mean(axis=(0, 1)), atol=1e-12)
    alone = fx.write_smoqy(tmp_path / "nobins", with_bins=False)
    assert io.load(alone.path, **alone.kwargs).bins is None


def test_smoqy_id_pairs_as_a_dataset(files, tmp_path):
    import h5py

    fixture = fx.write_smoqy(tmp_path / "ds", with_bins=False)
    with h5py.File(fixture.path, "r+") as f:
        c = f["CORRELATIONS/STANDARD/TIME-DISPLACED/greens"]
        pairs = c.attrs["ID_PAIRS"]
        del c.attrs["ID_PAIRS"]
        c["ID_PAIRS"] = pairs
    data = io.load(fixture.path, **fixture.kwargs)
    assert data.meta["orbital_pairs"] == [(0, 0)]
    np.testing.assert_allclose(data.values[0], fx.g_tau(data.grid, fx.smoqy_shift(1, 2)), atol=1e-10)


def test_smoqy_bin_file_directly(files):
    bin_path = os.path.join(os.path.dirname(files["smoqy"].path), "bins", "bins_pID-0.h5")
    data = io.load(bin_path, block="greens/MOMENTUM", k=(1, 2), orbital=0)
    np.testing.assert_allclose(data.values, fx.g_tau(data.grid, fx.smoqy_shift(1, 2)), atol=1e-10)
    assert data.bins.shape == (4, 41) and np.all(data.errors > 0)


# ------------------------------------------------------------------ text


def test_text_sign_detection_and_beta(files):
    ana = io.load(files["text_ana_cont"].path, beta=fx.BETA)
    std = io.load(files["text_triqs_maxent"].path, beta=fx.BETA)
    np.testing.assert_array_equal(ana.values, std.values)
    assert (ana.meta["sign_in_file"], std.meta["sign_in_file"]) == ("positive", "standard")
    with pytest.raises(InputError, match="beta="):
        io.load(files["text_ana_cont"].path)
    iw = io.load(files["text_iw"].path)
    assert iw.beta == pytest.approx(fx.BETA, rel=1e-12) and iw.meta["beta_inferred"]
    assert iw.meta["dropped_negative_frequencies"] == fx.NIW


@pytest.mark.parametrize("fmt", ["ana_cont", "acflow"])
def test_write_text_round_trip(files, tmp_path, fmt):
    src = io.load(files["triqs"].path, **files["triqs"].kwargs)
    errors = np.full(src.grid.size, 1e-4)
    out = io.write_text(tmp_path / f"g_{fmt}.dat", src.grid, src.values, errors, fmt=fmt)
    table = np.loadtxt(out)
    assert np.all(table[:, 1] >= 0)  # both tools want -G(tau)
    back = io.load(out, beta=src.beta)
    np.testing.assert_allclose(back.values, src.values, rtol=1e-15, atol=1e-16)
    assert back.meta["sign_in_file"] == "positive"
    with pytest.raises(InputError, match="overwrite"):
        io.write_text(out, src.grid, src.values, errors, fmt=fmt)
    io.write_text(out, src.grid, src.values, 2 * errors, fmt=fmt, overwrite=True)
    assert np.loadtxt(out)[0, 2] == pytest.approx(2e-4)
    assert sorted(os.listdir(tmp_path)) == [f"g_{fmt}.dat"]  # no temporary file left


def test_write_text_matsubara(files, tmp_path):
    src = io.load(files["triqs"].path, block="G_iw")
    out = io.write_text(tmp_path / "giw.dat", src.grid, src.values, np.full(src.grid.size, 1e-4))
    back = io.load(out)
    np.testing.assert_allclose(back.values, src.values, rtol=1e-15)
    with pytest.raises(InputError):
        io.write_text(tmp_path / "x.dat", src.grid, src.values, None)
    with pytest.raises(InputError):
        io.write_text(tmp_path / "x.dat", src.grid, src.values, np.zeros(src.grid.size))
    with pytest.raises(InputError, match="fmt"):
        io.write_text(tmp_path / "x.dat", src.grid, src.values, np.ones(src.grid.size), fmt="csv")


# ------------------------------------------------------- inspect / listing


@pytest.mark.parametrize("name", ["triqs", "w2dynamics", "alf", "smoqy", "alps_maxent", "text_ana_cont"])
def test_inspect_describes_the_file(files, name):
    text = io.inspect(files[name].path)
    assert f"format: {SOURCES[name]}" in text
    for cand in io.list_candidates(files[name].path):
        assert repr(cand.name) in text
    if name in ("alps_maxent", "text_ana_cont"):
        assert "pass beta=" in text
    else:
        assert "beta: 10" in text


def test_inspect_states_sign_and_normalisation(files, tmp_path):
    """inspect says which sign the file stores and -[G(0) + G(beta)] (1 for a normalised spectrum)."""
    text = io.inspect(files["triqs"].path)
    assert "sign: G <= 0 as stored; -[G(0) + G(beta)] = 1 " in text
    assert "sign: Im G(i w_n) < 0 for w_n > 0 as stored" in text
    # w2dynamics stores -G on bin centres: the flip is reported and no norm is claimed
    w2d = io.inspect(files["w2dynamics"].path)
    assert "-G >= 0 as stored (flipped on load)" in w2d and "normalisation not stored" in w2d
    # a tau table in ana_cont's sign, scaled to 0.5: beta is not needed to read sign and norm
    src = io.load(files["triqs"].path, block="G_tau/up", orbital=0)
    path = tmp_path / "half.dat"
    np.savetxt(path, np.column_stack([src.grid, -0.5 * src.values.real]))
    text = io.inspect(path)
    assert "-G >= 0 as stored (flipped on load); -[G(0) + G(beta)] = 0.5 " in text
    assert "pass beta=" in text


def _inspected_c1(text: str) -> float:
    return float(re.search(r"norm c1 = -lim w_n Im G\(i w_n\) = ([-0-9.e+]+) \(", text).group(1))


def test_inspect_gives_the_matsubara_norm(files, tmp_path):
    """For G(i w_n) inspect gives c1 = -lim w_n Im G (1 for the fixture's normalised spectrum), in any stored sign."""
    text = io.inspect(files["triqs_iw"].path)
    assert "Im G(i w_n) < 0 for w_n > 0 as stored; norm c1 = -lim w_n Im G(i w_n) = " in text
    assert _inspected_c1(text) == pytest.approx(1.0, abs=2e-3)
    wn = fx.matsubara(200)
    g = -0.5 * fx.g_iw(wn)  # ana_cont's sign, half the weight
    np.savetxt(tmp_path / "half_iw.dat", np.column_stack([wn, g.real, g.imag, np.full(wn.size, 1e-4)]))
    text = io.inspect(tmp_path / "half_iw.dat")
    assert "(flipped on load); norm c1 = -lim w_n Im G(i w_n) = 0.5 " in text
    assert "beta: not stored in the file; 10 from the Matsubara frequencies" in text  # loading infers it


def test_negative_frequencies_are_checked_and_noted(files, tmp_path):
    data = io.load(files["text_iw"].path)
    note = data.meta["negative_frequencies"]
    assert note.startswith(f"{fx.NIW} negative Matsubara frequencies dropped after checking G(-i w_n) = G(i w_n)*")
    assert f"on {fx.NIW} pairs" in note
    # a negative half that is not the conjugate of the positive one warns (off-diagonal or reordered data)
    wn = fx.matsubara(fx.NIW, both=True)
    g = fx.g_iw(wn, -0.1)
    g[: fx.NIW] = g[: fx.NIW][::-1]  # stored from -w_1 down to -w_N: the wrong order
    np.savetxt(tmp_path / "bad.dat", np.column_stack([wn, g.real, g.imag, np.full(wn.size, 1e-4)]))
    with pytest.warns(ACLearnedWarning, match=r"G\(-i w_n\) differs from G\(i w_n\)\* by up to .* error bars"):
        bad = io.load(tmp_path / "bad.dat")
    np.testing.assert_allclose(bad.values, data.values, rtol=1e-12)  # the positive half is used


def test_only_negative_frequencies_are_conjugated(files, tmp_path):
    wn = fx.matsubara(fx.NIW, both=True)[: fx.NIW]
    g = fx.g_iw(wn, -0.1)
    np.savetxt(tmp_path / "neg.dat", np.column_stack([wn, g.real, g.imag, np.full(wn.size, 1e-4)]))
    data = io.load(tmp_path / "neg.dat")
    text = io.inspect(tmp_path / "neg.dat")
    assert "Im G(i w_n) < 0 for w_n > 0 as stored; only negative frequencies stored (conjugated on load); " \
           "norm c1 = -lim w_n Im G(i w_n) = " in text
    assert _inspected_c1(text) == pytest.approx(1.0, abs=2e-3)
    np.testing.assert_allclose(data.grid, fx.matsubara(fx.NIW), rtol=1e-12)
    np.testing.assert_allclose(data.values, fx.g_iw(data.grid, -0.1), rtol=1e-10)
    assert data.meta["sign_in_file"] == "standard" and "only negative" in data.meta["negative_frequencies"]
    assert data.beta == pytest.approx(fx.BETA, rel=1e-10)


def test_tau_table_with_two_equal_g_columns_is_not_matsubara(tmp_path):
    tau = (np.arange(100) + 0.5) * 0.1  # bin centres look like (2n+1) pi / beta
    g = fx.g_tau(tau)
    np.savetxt(tmp_path / "updown.dat", np.column_stack([tau, g, g * (1 + 1e-3), np.full(100, 1e-4)]))
    with pytest.raises(FileFormatError, match="two G columns equal"):
        io.load(tmp_path / "updown.dat")


def test_inspect_claims_no_norm_without_the_point_at_beta(files, tmp_path):
    import shutil

    import h5py

    path = tmp_path / "nolast.h5"
    shutil.copy(files["alpscore"].path, path)
    with h5py.File(path, "r+") as f:  # N points from 0 to beta - dtau: G(beta) is not stored
        del f["gtau/mesh/1/points"], f["gtau/mesh/1/last_point_included"]
        f["gtau/mesh/1/last_point_included"] = 0
    assert "normalisation not stored (no point at tau = beta)" in io.inspect(path)
    assert "-[G(0) + G(beta)] = 1 " in io.inspect(files["alpscore"].path)


def test_inspect_says_what_statistics_the_file_holds(files):
    assert "the file has 6 bins (the band is a jackknife over them)" in io.inspect(files["alf"].path)
    assert "no error bars or bins (pass err=" in io.inspect(files["triqs"].path)


def test_inspect_mentions_selectors(files):
    text = io.inspect(files["triqs"].path)
    assert "block=" in text and "orbital=" in text and "(not loadable)" in text
    assert "iterations: dmft-001, dmft-002" in io.inspect(files["w2dynamics"].path)
    assert "k=" in io.inspect(files["alf"].path)


def test_text_table_with_fortran_exponents(tmp_path):
    tau = np.linspace(0, 10.0, 41)
    g = -0.5 * (np.exp(-0.3 * tau) + np.exp(-0.3 * (10.0 - tau))) / (1 + np.exp(-3.0))
    path = tmp_path / "fortran.dat"
    path.write_text("".join(f"{t:.8E} {v:.8E} 1.0D-04\n".replace("E", "D") for t, v in zip(tau, g)))
    data = io.load(path, beta=10.0)
    np.testing.assert_allclose(data.grid, tau, rtol=1e-7)
    np.testing.assert_allclose(data.values, g, rtol=1e-7)
    np.testing.assert_allclose(data.errors, 1e-4)


def test_text_three_columns_of_matsubara_data_without_errors(tmp_path):
    # session 15 (user test): w_n, Re G, Im G without an error column was read as tau, G, error and refused
    # with messages about beta and the tau range
    wn = fx.matsubara(40)
    g = fx.g_iw(wn)
    path = tmp_path / "giw3.dat"
    np.savetxt(path, np.column_stack([wn, g.real, g.imag]))
    data = io.load(path)
    assert data.kind == "iw" and data.errors is None and data.beta == pytest.approx(fx.BETA)
    np.testing.assert_allclose(data.values, g, rtol=1e-12)
    # a tau table on bin centres (whose first column looks like fermionic frequencies) stays a tau table
    tau = (np.arange(40) + 0.5) * 10.0 / 40
    gt = -0.5 * (np.exp(-0.3 * tau) + np.exp(-0.3 * (10.0 - tau))) / (1 + np.exp(-3.0))
    np.savetxt(tmp_path / "gtau3.dat", np.column_stack([tau, gt, np.full(40, 1e-4)]))
    assert io.load(tmp_path / "gtau3.dat", beta=10.0).kind == "tau"
