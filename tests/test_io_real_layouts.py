"""Layouts met in real QMC files: unmeasured blocks, ALPS five-column order, spectra, exact points,
self-energies, the Matsubara norm, and noisy diagonal elements."""

from __future__ import annotations

import re
import warnings

import h5py
import io_fixtures as fx
import numpy as np
import pytest

from ac_learned import io
from ac_learned.errors import ACLearnedWarning, FileFormatError, InputError
from ac_learned.pipeline import default_omega_max, tau_from_matsubara

# ------------------------------------------------------------ unmeasured data


def test_unmeasured_w2dynamics_blocks_are_named(tmp_path):
    path = fx.write_w2dynamics_unmeasured(tmp_path / "giw_only.hdf5").path
    text = io.inspect(path)
    assert re.search(r"'ineq-001/gtau': .*\n +not measured \(all NaN\)", text)
    assert re.search(r"'ineq-001/gtau-full': .*\n +not measured \(all zero\)", text)
    assert "e.g. load(path, block='ineq-001/giw-full')" in text  # the example is a measured block
    with pytest.raises(FileFormatError, match=r"'ineq-001/gtau' was not measured \(its values are all NaN\); "
                                              r"measured in this file: 'ineq-001/giw-full'; use one of them"):
        io.load(path, block="gtau", orbital=0, spin=0)
    with pytest.raises(FileFormatError, match=r"gtau-full: 'ineq-001/gtau-full' was not measured \(its values are "
                                              r"all zero\).*block='ineq-001/giw-full'"):
        io.load(path, block="gtau-full", orbital=0, spin=0)
    data = io.load(path, block="giw-full", orbital=1, spin="up")
    np.testing.assert_allclose(data.values, fx.g_iw(data.grid, 0.1), rtol=1e-10)


def test_an_all_zero_diagonal_element_is_refused_and_a_vanishing_off_diagonal_one_loads(tmp_path):
    path = fx.write_w2dynamics(tmp_path / "w2d.hdf5").path
    with h5py.File(path, "r+") as f:
        f["dmft-002/ineq-001/gtau/value"][1, 1] = 0.0
    with pytest.raises(FileFormatError, match=r"the selected diagonal element of 'ineq-001/gtau' is all zero"):
        io.load(path, block="gtau", orbital=1, spin=1)
    io.load(path, block="gtau", orbital=1, spin=0)
    off = io.load(path, block="gtau-full", orbital=(0, 1), spin=0)  # zero by construction: data all the same
    np.testing.assert_array_equal(off.values, 0.0)


# ------------------------------------------------------- five-column tables


def test_alps_five_column_order_is_recognised(tmp_path):
    fix = fx.write_text_five_columns_alps(tmp_path / "Gomegain")
    data = io.load(fix.path)
    assert data.meta["column_order"].startswith("w_n, Re G, err Re, Im G, err Im")
    assert data.meta["sign_in_file"] == "standard"
    np.testing.assert_allclose(data.values, fx.g_iw(data.grid, 0.2), rtol=1e-10)
    np.testing.assert_allclose(data.errors, 1e-5)
    text = io.inspect(fix.path)
    assert "Im G(i w_n) < 0 for w_n > 0 as stored" in text
    assert float(re.search(r"norm c1 = -lim w_n Im G\(i w_n\) = ([-0-9.e+]+) \(", text).group(1)) == \
        pytest.approx(1.0, abs=1e-3)


def test_ana_cont_five_column_order_is_kept_in_either_sign(tmp_path):
    wn = fx.matsubara(200)
    g = fx.g_iw(wn)
    err_re, err_im = 1e-3 * np.abs(g.real) + 1e-6, 1e-3 * np.abs(g.imag)  # errors that fall off like G
    for sign in (1, -1):
        path = tmp_path / f"g{sign}.dat"
        np.savetxt(path, np.column_stack([wn, sign * g.real, sign * g.imag, err_re, err_im]))
        data = io.load(path)
        assert data.meta["column_order"].startswith("w_n, Re G, Im G, err Re, err Im")
        np.testing.assert_allclose(data.values, g, rtol=1e-10)


def test_a_five_column_table_that_fits_both_orders_is_refused(tmp_path):
    wn = fx.matsubara(100)
    path = tmp_path / "both.dat"
    np.savetxt(path, np.column_stack([wn, np.full(wn.size, 5.0), 1 / wn, 0.5 / wn, np.full(wn.size, 1e-4)]))
    with pytest.raises(FileFormatError, match=r"fit both Matsubara column orders.*keep four columns"):
        io.load(path)


# ------------------------------------------------ real-frequency spectra


def test_a_real_frequency_spectrum_is_named_by_inspect_and_load_alike(tmp_path):
    fix = fx.write_text_spectrum(tmp_path / "maxspec.dat")
    words = "this looks like a spectrum on a real-frequency axis (omega from -8 to 8"
    text = io.inspect(fix.path)
    assert words in text and "output of continuation, not an input" in text and "(not loadable)" in text
    with pytest.raises(FileFormatError, match=re.escape(words)):
        io.load(fix.path, beta=fx.BETA)
    tau = np.linspace(-1.0, 9.0, 41)  # negative tau, G <= 0: no spectrum, no G(tau) either
    np.savetxt(tmp_path / "shifted.dat", np.column_stack([tau, fx.g_tau(tau + 1.0), np.full(41, 1e-4)]))
    with pytest.raises(FileFormatError, match=r"the first column runs from -1 to 9, but tau lies in \[0, beta\]"):
        io.load(tmp_path / "shifted.dat", beta=fx.BETA)


# -------------------------------------------------- exact points (error 0)


def test_points_with_zero_error_are_taken_as_exact(tmp_path):
    fix = fx.write_text_exact_ends(tmp_path / "g_dat")
    data = io.load(fix.path, **fix.kwargs)
    np.testing.assert_allclose(data.errors[1:-1], 2e-4)
    np.testing.assert_allclose(data.errors[[0, -1]], 2e-5)  # a tenth of the smallest positive error bar
    assert "2 point(s) with error bar 0 in the file (tau = 0, tau = 10) taken as exact" in data.meta["errors_from"]
    assert "error bars (2 point(s) with error 0, taken as exact)" in io.inspect(fix.path)


def test_continue_honours_exact_points(tmp_path):
    from ac_learned.pipeline import continue_file

    fix = fx.write_text_exact_ends(tmp_path / "g_dat")
    lines: list[str] = []
    out = continue_file(fix.path, beta=fx.BETA, n_draws=1, log=lines.append)
    assert np.all(np.isfinite(out.result.A)) and np.all(out.errors > 0)
    assert any("taken as exact" in line for line in lines if line.startswith("note:"))


# ---------------------------------------------------------- self-energies


def test_self_energies_are_refused_by_name_and_by_tail(tmp_path):
    path = fx.write_triqs_self_energy(tmp_path / "sr2ruo4.h5").path
    text = io.inspect(path)
    assert "'S_iw/up': iw, 48 points, axes (orbital1=1, orbital2=1) [a self-energy (by its name)" in text
    assert re.search(r"'data': iw, 48 points\n +self-energy, not a Green's function: its real part tends to a "
                     r"constant, 2\.4", text)
    with pytest.raises(InputError, match=r"'S_iw/up' is a self-energy .*not supported yet: continue the Green's "
                                         r"function G instead \(for example block='G_iw/up'"):
        io.load(path, block="S_iw/up")
    with pytest.raises(InputError, match=r"looks like a self-energy.*tends to a constant, 2.4.*subtract Sigma_inf"):
        io.load(path, block="data")
    # ordinary Green's functions load: a normalised one, and one whose level lies far from zero
    np.testing.assert_allclose(io.load(path, block="G_iw/up").values[0, 0], fx.g_iw(fx.matsubara(fx.NIW)),
                               rtol=1e-10)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ACLearnedWarning)
        io.load(path, block="G_shifted")


def test_self_energy_names():
    from ac_learned.io._content import self_energy_name

    for name in ("Sigma-9/up", "Sigma_iw/up_0", "S_iw/xy", "DMFT_results/last_iter/Sigma_freq_0/up_0", "siw",
                 "Sigma_imp", "self_energy"):
        assert self_energy_name(name), name
    for name in ("G_iw/up", "G-9/up", "ineq-001/giw-full", "spin_up", "smom", "G_tau/s", "Gimp_freq_0/up_0"):
        assert not self_energy_name(name), name


def test_a_self_energy_table_is_named_as_such(tmp_path):
    wn = fx.matsubara(100)
    sigma = fx.SIGMA_INF + fx.SIGMA_C1 * fx.g_iw(wn)
    np.savetxt(tmp_path / "siw.dat", np.column_stack([wn, sigma.real, sigma.imag, np.full(wn.size, 1e-4)]))
    with pytest.raises(InputError, match="looks like a self-energy"):
        io.load(tmp_path / "siw.dat")


# ------------------------------------------------------ one Matsubara norm


def test_inspect_reports_the_norm_continue_uses(tmp_path):
    wn = fx.matsubara(400)
    rng = np.random.default_rng(2)
    g = fx.g_iw(wn, 0.2) + 2e-4 * (rng.standard_normal(wn.size) + 1j * rng.standard_normal(wn.size))
    path = tmp_path / "noisy_iw.dat"
    np.savetxt(path, np.column_stack([wn, g.real, g.imag]))  # no errors: continue fits the tail without weights
    inspected = re.search(r"norm c1 = -lim w_n Im G\(i w_n\) = ([-0-9.e+]+) \(", io.inspect(path)).group(1)
    data = io.load(path)
    note = tau_from_matsubara(data, default_omega_max(data.beta))
    continued = re.search(r"norm c1 = ([-0-9.e+]+)\)", note.meta["from_matsubara"]).group(1)
    assert inspected == continued and float(inspected) == pytest.approx(note.meta["matsubara_norm"], rel=1e-3)


# ------------------------------------------------- noisy diagonal elements


def test_noisy_diagonal_elements_keep_their_sign(tmp_path):
    path = fx.write_triqs_noisy(tmp_path / "kanamori.h5").path
    for orbital in (0, 1):  # points of the wrong sign within the noise; element 1 sums to > 0 within it
        with warnings.catch_warnings():
            warnings.simplefilter("error", ACLearnedWarning)
            data = io.load(path, block="G_tau/up", orbital=orbital)
        assert np.any(data.values > 0) and data.meta["sign_in_file"] == "standard"
        assert np.sum(data.values) < 0 or orbital == 1
    # a sign change far beyond the noise is still told
    with pytest.warns(ACLearnedWarning) as record:
        io.load(path, block="G_tau/up", orbital=2)
    assert any("have G(tau) > 0 somewhere" in str(w.message) for w in record)


def test_noisy_diagonal_element_with_error_bars(tmp_path):
    tau = np.linspace(0, fx.BETA, 201)
    rng = np.random.default_rng(4)
    g = fx.g_tau(tau) + 0.2 * rng.standard_normal(tau.size)
    np.savetxt(tmp_path / "noisy.dat", np.column_stack([tau, g, np.full(tau.size, 0.2)]))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ACLearnedWarning)
        data = io.load(tmp_path / "noisy.dat", beta=fx.BETA)
    assert np.any(data.values > 0)
