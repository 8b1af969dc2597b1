"""Bad files and bad arguments give clear ac_learned errors; suspicious data warn."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import h5py
import io_fixtures as fx
import numpy as np
import pytest

from ac_learned import io
from ac_learned.errors import ACLearnedWarning, FileFormatError, InputError

# ------------------------------------------------------------- unreadable


def test_missing_empty_and_binary_files(tmp_path):
    with pytest.raises(FileFormatError, match="no such file"):
        io.load(tmp_path / "nothing.h5")
    (tmp_path / "empty.h5").write_bytes(b"")
    with pytest.raises(FileFormatError, match="empty"):
        io.load(tmp_path / "empty.h5")
    (tmp_path / "blob.bin").write_bytes(bytes(range(256)) * 4)
    with pytest.raises(FileFormatError, match="neither an HDF5 file nor"):
        io.load(tmp_path / "blob.bin")
    with pytest.raises(FileFormatError, match="not a regular file"):
        io.load(tmp_path)
    with pytest.raises(InputError, match="file path"):
        io.load(12.5)


def test_truncated_hdf5(tmp_path):
    full = fx.write_triqs(tmp_path / "full.h5").path
    data = open(full, "rb").read()
    for cut in (100, len(data) // 2, len(data) - 10):
        (tmp_path / "cut.h5").write_bytes(data[:cut])
        with pytest.raises(FileFormatError):
            io.load(tmp_path / "cut.h5", block="G_tau/up")


def test_unknown_hdf5_layout(tmp_path):
    with h5py.File(tmp_path / "other.h5", "w") as f:
        f["x"] = np.arange(3.0)
    with pytest.raises(FileFormatError, match="recognised"):
        io.load(tmp_path / "other.h5")
    with pytest.raises(FileFormatError, match="recognised"):
        io.detect_format(tmp_path / "other.h5")


def test_text_that_is_not_a_table(tmp_path):
    (tmp_path / "words.dat").write_text("tau G\nzero one\n")
    with pytest.raises(FileFormatError, match="not a row of numbers"):
        io.load(tmp_path / "words.dat", beta=10)
    (tmp_path / "ragged.dat").write_text("0 1 2\n1 2\n")
    with pytest.raises(FileFormatError, match="columns"):
        io.load(tmp_path / "ragged.dat", beta=10)
    (tmp_path / "wide.dat").write_text("0 1 2 3 4 5\n")
    with pytest.raises(FileFormatError, match="6 columns"):
        io.load(tmp_path / "wide.dat", beta=10)
    # a tau table with an extra column (two orbitals, or tau G err err) is not Matsubara data
    tau = np.linspace(0, 10, 11)
    np.savetxt(tmp_path / "tau4.dat", np.column_stack([tau, -np.ones(11), -np.ones(11), np.full(11, 1e-3)]))
    with pytest.raises(FileFormatError, match="holds 0.*2 or 3 columns"):
        io.load(tmp_path / "tau4.dat", beta=10)
    (tmp_path / "comments.dat").write_text("# only a comment\n")
    with pytest.raises(FileFormatError, match="no data rows"):
        io.load(tmp_path / "comments.dat", beta=10)


# --------------------------------------------------------------- meshes


@pytest.mark.parametrize("mesh", ["MeshDLRImTime", "MeshLegendre", "MeshProduct", "MeshDLRImFreq"])
def test_unsupported_triqs_meshes(tmp_path, mesh):
    path = fx.write_triqs_mesh(tmp_path / "mesh.h5", mesh).path
    with pytest.raises(FileFormatError, match="evaluate onto an imaginary-time mesh first"):
        io.load(path)
    assert not io.list_candidates(path)[0].loadable


def test_unsupported_alpscore_mesh(tmp_path):
    path = fx.write_alpscore(tmp_path / "leg.h5").path
    with h5py.File(path, "r+") as f:
        del f["gtau/mesh/1/kind"]
        f["gtau/mesh/1"].create_dataset("kind", data="LEGENDRE", dtype=h5py.string_dtype())
    with pytest.raises(FileFormatError, match="evaluate onto an imaginary-time mesh first"):
        io.load(path)


def test_mesh_and_data_sizes_differ(tmp_path):
    path = fx.write_triqs(tmp_path / "mismatch.h5").path
    with h5py.File(path, "r+") as f:
        del f["G_tau/up/mesh/n_tau"]
        f["G_tau/up/mesh/n_tau"] = fx.NTAU + 3
    with pytest.raises(FileFormatError, match="sizes differ"):
        io.load(path, block="G_tau/up")
    w2d = fx.write_w2dynamics(tmp_path / "w2d.hdf5").path
    with h5py.File(w2d, "r+") as f:
        f[".config"].attrs["qmc.ntau"] = 49
    with pytest.raises(FileFormatError, match="sizes differ"):
        io.load(w2d, block="gtau")
    smoqy = fx.write_smoqy(tmp_path / "smoqy", with_bins=False).path
    with h5py.File(smoqy, "r+") as f:
        f.attrs["L_TAU"] = 20
        f.attrs["DELTA_TAU"] = fx.BETA / 20
    with pytest.raises(FileFormatError, match="sizes differ"):
        io.load(smoqy, block="greens/MOMENTUM")


def test_beta_missing_or_inconsistent(tmp_path):
    path = fx.write_triqs(tmp_path / "nobeta.h5").path
    with h5py.File(path, "r+") as f:
        del f["G_tau/up/mesh/beta"]
    with pytest.raises(InputError, match="beta is not stored in this file.*pass beta="):
        io.load(path, block="G_tau/up")
    assert io.load(path, block="G_tau/up", beta=fx.BETA).beta == fx.BETA  # a mesh without beta takes beta=
    ok = fx.write_triqs_2x(tmp_path / "ok.h5").path
    with pytest.raises(InputError, match="leave beta= out"):
        io.load(ok, beta=5.0)
    for bad in (-1.0, 0.0, np.nan, "ten", True):
        with pytest.raises(InputError, match="beta must be"):
            io.load(ok, beta=bad)
    smoqy = fx.write_smoqy(tmp_path / "smoqy", with_bins=False).path
    with h5py.File(smoqy, "r+") as f:
        f.attrs["BETA"] = -3.0
    with pytest.raises(FileFormatError, match="not a positive number"):
        io.load(smoqy, block="greens/MOMENTUM")


# --------------------------------------------------------- values/errors


def test_nan_values(tmp_path):
    path = fx.write_alps_maxent(tmp_path / "nan.h5", params=True).path
    with h5py.File(path, "r+") as f:
        f["Data"][3] = np.nan
    with pytest.raises(FileFormatError, match="NaN"):
        io.load(path)


@pytest.mark.parametrize("bad", [-1e-4, np.inf, np.nan])
def test_bad_error_bars(tmp_path, bad):
    path = fx.write_alps_maxent(tmp_path / "err.h5", params=True).path
    with h5py.File(path, "r+") as f:
        f["Error"][5] = bad
    with pytest.raises(FileFormatError, match="error bars.*pass your own error bars"):
        io.load(path)
    data = io.load(path, drop_bad_errors=True)
    assert data.errors is None and data.meta["errors_dropped"]


def test_all_zero_error_bars_are_refused(tmp_path):
    path = fx.write_alps_maxent(tmp_path / "err.h5", params=True).path
    with h5py.File(path, "r+") as f:
        f["Error"][...] = 0.0
    with pytest.raises(FileFormatError, match="zero error bars on non-zero data.*pass your own error bars"):
        io.load(path)
    assert "error bars, but they cannot be used (zero error bars on non-zero data: 33 of 33" in io.inspect(path)


def test_bad_covariance(tmp_path):
    path = fx.write_alps_maxent(tmp_path / "cov.h5", covariance=True, params=True).path
    with h5py.File(path, "r+") as f:
        cov = f["Covariance"][()]
        cov[0] = np.nan
        f["Covariance"][...] = cov
    with pytest.raises(FileFormatError):
        io.load(path)


def test_tau_outside_range_or_not_increasing(tmp_path):
    tau = np.linspace(0, fx.BETA, 21)
    g = fx.g_tau(tau)
    np.savetxt(tmp_path / "g.dat", np.column_stack([tau, -g, np.full(21, 1e-4)]))
    with pytest.raises(FileFormatError, match=r"tau outside \[0, beta"):
        io.load(tmp_path / "g.dat", beta=fx.BETA / 2)
    shuffled = np.column_stack([tau, -g, np.full(21, 1e-4)])[[0, 2, 1] + list(range(3, 21))]
    np.savetxt(tmp_path / "s.dat", shuffled)
    with pytest.raises(FileFormatError, match="not strictly increasing"):
        io.load(tmp_path / "s.dat", beta=fx.BETA)
    alf = fx.write_alf(tmp_path / "alf.h5").path
    with h5py.File(alf, "r+") as f:
        f["parameters/var_model_generic"].attrs["beta"] = 5.0  # dtau * Ltrot = 10
    with pytest.raises(FileFormatError, match="tau outside"):
        io.load(alf, k=0)
    maxent = fx.write_alps_maxent(tmp_path / "m.h5").path
    with pytest.raises(InputError, match="not strictly increasing"):
        io.load(maxent, beta=fx.BETA, grid=np.linspace(0, fx.BETA, 33)[::-1])
    with pytest.raises(InputError, match="sizes differ"):
        io.load(maxent, beta=fx.BETA, grid=np.linspace(0, fx.BETA, 30))


def test_bosonic_data_refused(tmp_path):
    path = fx.write_triqs_2x(tmp_path / "b.h5").path
    with h5py.File(path, "r+") as f:
        del f["G/mesh/domain/statistic"]
        f["G/mesh/domain"].create_dataset("statistic", data="B", dtype=h5py.string_dtype())
    with pytest.raises(InputError, match="bosonic"):
        io.load(path)
    wn = 2 * np.arange(1, 12) * np.pi / fx.BETA
    np.savetxt(tmp_path / "bos.dat", np.column_stack([wn, -0.1 / wn, -1 / wn, np.full(11, 1e-4)]))
    with pytest.raises(InputError, match="bosonic"):
        io.load(tmp_path / "bos.dat", beta=fx.BETA)
    alps = fx.write_alpscore(tmp_path / "a.h5").path
    with h5py.File(alps, "r+") as f:
        f["gtau/mesh/1/statistics"][()] = 0
    with pytest.raises(InputError, match="bosonic"):
        io.load(alps)
    maxent = fx.write_alps_maxent(tmp_path / "m.h5", params=True).path
    with h5py.File(maxent, "r+") as f:
        del f["parameters/KERNEL"]
        f["parameters"].create_dataset("KERNEL", data="bosonic", dtype=h5py.string_dtype())
    with pytest.raises(InputError, match="bosonic"):
        io.load(maxent)


def test_matsubara_text_without_consistent_frequencies(tmp_path):
    wn = fx.matsubara(10)[[0, 2, 5, 9]]  # sparse: the spacing does not give beta
    g = fx.g_iw(wn)
    np.savetxt(tmp_path / "sparse.dat", np.column_stack([wn, g.real, g.imag, np.full(4, 1e-4)]))
    with pytest.raises(InputError, match="beta="):
        io.load(tmp_path / "sparse.dat")
    assert io.load(tmp_path / "sparse.dat", beta=fx.BETA).grid.size == 4
    with pytest.raises(FileFormatError, match="not Matsubara frequencies"):
        io.load(tmp_path / "sparse.dat", beta=3.3)


# -------------------------------------------------------------- warnings


def test_wrong_sign_warns(tmp_path):
    path = fx.write_triqs_2x(tmp_path / "flipped.h5").path
    original = io.load(path, orbital=0)
    with h5py.File(path, "r+") as f:
        f["G/data"][...] = -f["G/data"][()]
    with pytest.warns(ACLearnedWarning) as record:
        data = io.load(path, orbital=0)
    messages = [str(w.message) for w in record]
    # -G in a format that stores G: flipped, said once, and the norm is then right (no norm warning)
    assert len(messages) == 1 and "this format stores G," in messages[0] and "taken as -G (-G(tau) >= 0)" in messages[0]
    assert all(w.filename == __file__ for w in record)  # they point at the caller
    assert np.all(data.values <= 1e-12) and data.meta["sign_in_file"] == "positive"
    np.testing.assert_array_equal(data.values, original.values)
    assert "-G (-G(tau) >= 0) as stored, although the format stores G (flipped on load" in io.inspect(path)
    w2d = fx.write_w2dynamics(tmp_path / "w2d.hdf5").path
    with h5py.File(w2d, "r+") as f:  # a file that stored G instead of -G
        f["dmft-002/ineq-001/gtau/value"][...] = -f["dmft-002/ineq-001/gtau/value"][()]
    with pytest.warns(ACLearnedWarning, match="this format stores -G, .* taken as G"):
        flipped = io.load(w2d, block="gtau", orbital=0, spin=0)
    assert np.all(flipped.values <= 0) and flipped.meta["sign_in_file"] == "standard"
    # a few wrong-sign points in data of the right sign on the whole still warn as before
    with h5py.File(path, "r+") as f:
        f["G/data"][...] = -f["G/data"][()]
        f["G/data"][3, 0, 0] = 0.05
    with pytest.warns(ACLearnedWarning, match="standard sign is G <= 0"):
        io.load(path, orbital=0)


def test_norm_warns(tmp_path):
    path = fx.write_triqs_2x(tmp_path / "half.h5").path
    with h5py.File(path, "r+") as f:
        f["G/data"][...] = 0.5 * f["G/data"][()]
    with pytest.warns(ACLearnedWarning, match=r"G\(0\) \+ G\(beta\) = -0.5"):
        io.load(path, orbital=1)


def test_off_diagonal_elements_do_not_warn(tmp_path):
    path = fx.write_triqs_2x(tmp_path / "off.h5").path
    with h5py.File(path, "r+") as f:
        data = f["G/data"][()]
        data[:, 0, 1] *= -1  # positive off-diagonal element: allowed
        f["G/data"][...] = data
    with warnings.catch_warnings():
        warnings.simplefilter("error", ACLearnedWarning)
        io.load(path)


# -------------------------------------------------------------- selectors


@pytest.fixture(scope="module")
def triqs(tmp_path_factory):
    return fx.write_triqs(tmp_path_factory.mktemp("sel") / "t.h5").path


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"block": "G_tau/up", "orbital": 5}, "out of range"),
        ({"block": "G_tau/up", "orbital": -1}, "non-negative"),
        ({"block": "G_tau/up", "orbital": 1.5}, "non-negative integer"),
        ({"block": "G_tau/up", "orbital": (0, 1, 2)}, "pair"),
        ({"block": "G_tau/up", "k": 0}, "k= cannot be applied"),
        ({"block": "G_tau", "spin": "sideways"}, "spin must be"),
        ({"block": "G_tau/up", "spin": "down"}, "contradicts"),
        ({"block": "G_tau/up", "iteration": 1}, "w2dynamics files only"),
        ({"block": "G_tau/up", "grid": [0, 1]}, "ALPS MaxEnt input only"),
        ({"block": "G_tau/up", "kind": "iw"}, "ALPS MaxEnt input only"),
        ({"block": "nothing"}, "no Green's function matches"),
        ({"block": "G_tau"}, "matches several"),
        ({"block": 3}, "non-empty string"),
        ({"block": "G_tau/up", "kind": "omega"}, "kind must be"),
    ],
)
def test_bad_selectors(triqs, kwargs, match):
    with pytest.raises(InputError, match=match):
        io.load(triqs, **kwargs)


def test_selectors_on_files_without_axes(tmp_path):
    path = fx.write_text_tau(tmp_path / "g.dat").path
    with pytest.raises(InputError, match="orbital= cannot be applied"):
        io.load(path, beta=fx.BETA, orbital=0)
    with pytest.raises(InputError, match="spin= cannot be applied"):
        io.load(path, beta=fx.BETA, spin=0)
    smoqy = fx.write_smoqy(tmp_path / "s", with_bins=False).path
    with pytest.raises(InputError, match="needs 2 indices"):
        io.load(smoqy, block="greens/MOMENTUM", k=(1,))
    with pytest.raises(InputError, match="out of range"):
        io.load(smoqy, block="greens/MOMENTUM", k=6)


# ---------------------------------------------- wrapped low-level failures


def test_strings_where_numbers_are(tmp_path):
    path = fx.write_triqs_2x(tmp_path / "str.h5").path
    with h5py.File(path, "r+") as f:
        del f["G/data"]
        f.create_dataset("G/data", data="not numbers", dtype=h5py.string_dtype())
    with pytest.raises(FileFormatError, match="should hold numbers"):
        io.load(path)
    alf = fx.write_alf(tmp_path / "alf.h5").path
    with h5py.File(alf, "r+") as f:
        f["Green_tau"].attrs["dtau"] = "a quarter"
    with pytest.raises(FileFormatError, match="should be a number"):
        io.load(alf, k=0)


def test_dangling_link_and_missing_members(tmp_path):
    w2d = fx.write_w2dynamics(tmp_path / "w2d.hdf5").path
    with h5py.File(w2d, "r+") as f:
        del f["dmft-002"]
    data = io.load(w2d, block="gtau", orbital=0, spin=0)  # default: the last existing iteration
    assert data.meta["iteration"] == "dmft-001"
    with pytest.raises(InputError, match="no iteration"):
        io.load(w2d, block="gtau", iteration="dmft-last")
    seg = fx.write_alps_segment(tmp_path / "sim.h5").path
    with h5py.File(seg, "r+") as f:
        del f["G_tau/1"]
    with pytest.raises(FileFormatError, match="G_tau/1/mean/value is missing"):
        io.load(seg)


def test_huge_declared_dataset_is_refused(tmp_path, monkeypatch):
    from ac_learned.io import _h5util

    monkeypatch.setattr(_h5util, "MAX_READ_BYTES", 100)
    path = fx.write_triqs_2x(tmp_path / "big.h5").path
    with pytest.raises(FileFormatError, match="probably damaged"):
        io.load(path)


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs a /proc folder (Linux) that no one can write")
def test_atomic_write_to_an_unwritable_folder_is_an_input_error():
    from ac_learned.atomic import atomic_write

    with pytest.raises(InputError, match="cannot write /proc/x.dat"):
        atomic_write("/proc/x.dat", lambda p: Path(p).write_text("x"))


def test_atomic_write_that_fails_with_an_os_error_leaves_nothing(tmp_path):
    from ac_learned.atomic import atomic_write

    def full_disk(p):
        Path(p).write_text("partial")
        raise OSError(28, "No space left on device")

    with pytest.raises(InputError, match="No space left on device"):
        atomic_write(tmp_path / "x.dat", full_disk)
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------ user test of the QMC-file loaders


def _cli(argv, capsys) -> tuple[int, str, str]:
    from ac_learned.cli import main

    rc = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


@pytest.mark.skipif(os.environ.get("HDF5_USE_FILE_LOCKING", "").upper() == "FALSE", reason="HDF5 file locking is off")
def test_file_locked_by_another_process(tmp_path, monkeypatch):
    """A file another process holds open read without the lock, with a warning; or a clear error."""
    import subprocess
    import sys

    from ac_learned.io import _h5util

    path = fx.write_triqs_2x(tmp_path / "held.h5").path
    holder = subprocess.Popen(
        [sys.executable, "-c", "import h5py, sys, time; f = h5py.File(sys.argv[1], 'a'); print('open', flush=True); "
         "time.sleep(60)", path], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        try:
            h5py.File(path, "r").close()
            pytest.skip("this file system does not lock HDF5 files")
        except OSError:
            pass
        with pytest.warns(ACLearnedWarning, match="held open by another process.*read without the lock"):
            data = io.load(path, orbital=0)
        assert data.values.size == fx.NTAU
        assert "note: the file is held open by another process" in io.inspect(path)

        class NoLockingKeyword(h5py.File):  # h5py < 3.5 / HDF5 < 1.12.1: no locking=False
            def __init__(self, *args, locking=None, **kwargs):
                if locking is not None:
                    raise TypeError("__init__() got an unexpected keyword argument 'locking'")
                super().__init__(*args, **kwargs)

        monkeypatch.setattr(_h5util.h5py, "File", NoLockingKeyword)
        with pytest.raises(FileFormatError, match="locked by another process.*HDF5_USE_FILE_LOCKING=FALSE") as err:
            io.load(path, orbital=0)
        assert "truncated" not in str(err.value).replace(str(path), "<file>")
    finally:
        holder.kill()
        holder.wait()


def test_damaged_group_is_named(tmp_path):
    """Bytes of a group's symbol table overwritten: 'looks damaged at <group>', and what to do."""
    import re

    path = fx.write_triqs(tmp_path / "damaged.h5").path
    data = bytearray(Path(path).read_bytes())
    last = [m.start() for m in re.finditer(b"SNOD", data)][-1]  # the symbol table node of a group
    data[last:last + 4] = b"XXXX"
    Path(path).write_bytes(bytes(data))
    for call in (io.inspect, io.load):
        with pytest.raises(FileFormatError, match=r"looks damaged \(truncated or corrupted\) at /\w.*"
                                                  r"copy the file again.*check that the run finished") as err:
            call(path)
        assert "RuntimeError" not in str(err.value).replace(str(path), "<file>")


def test_alf_single_bin_needs_err(tmp_path, capsys):
    path = fx.write_alf(tmp_path / "one_bin.h5", nbins=1).path
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(FileFormatError, match=r"one_bin.h5:/Green_tau: the file has a single bin: one bin gives "
                                                  r"no error bar \(a jackknife .* at least 2 bins\).*drop_bad_errors"):
            io.load(path, k=0)
        data = io.load(path, k=0, drop_bad_errors=True)
    assert data.bins is None and data.errors is None and "one bin" in data.meta["errors_dropped"]
    assert "single bin: one bin gives no error bar" in io.inspect(path)
    rc, _, err = _cli(["continue", path, "--k", "0", "--out", tmp_path / "A.h5"], capsys)
    assert rc == 2 and "one bin gives no error bar" in err and "--err" in err
    assert "RuntimeWarning" not in err.replace(str(tmp_path), "<tmp>")


def test_alf_zero_average_sign(tmp_path):
    path = fx.write_alf(tmp_path / "zero_sign.h5").path
    with h5py.File(path, "r+") as f:
        f["Green_tau/sign"][...] = 0.0
    with pytest.raises(FileFormatError, match=r"zero_sign.h5:/Green_tau: the average sign is 0 \(6 of the 6 bins "
                                              r"have average sign 0\), so the sign-reweighted G = <sG>/<s> is "
                                              r"undefined"):
        io.load(path, k=0)
    with h5py.File(path, "r+") as f:  # only bin 0 has a sign: the jackknife without it divides by 0
        f["Green_tau/sign"][...] = [0.8, 0, 0, 0, 0, 0]
    with pytest.raises(FileFormatError, match=r"without bin 0 the other bins' average signs sum to 0 \(5 of the 6"):
        io.load(path, k=0)


def test_inspect_says_what_continue_refuses(tmp_path):
    w2d = fx.write_w2dynamics(tmp_path / "one_rank.h5", one_rank=True).path
    text = io.inspect(w2d)
    assert "the file has error bars, but they cannot be used (NaN or inf error bars: 200 of 200; a one-rank" in text
    path = fx.write_triqs_2x(tmp_path / "nan.h5").path
    with h5py.File(path, "r+") as f:
        f["G/data"][7, 1, 1] = np.nan
    assert "WARNING: the values contain NaN or inf: 1 of " in io.inspect(path)
    with pytest.raises(FileFormatError, match=r"contain NaN or inf: 1 of 41, the first at tau index 7 \(tau = 1.75\)"):
        io.load(path, orbital=1)
    with pytest.raises(FileFormatError, match=r"first at index \(1, 1, 7\) \(orbital1=1, orbital2=1, tau index 7, "
                                              r"tau = 1.75\)"):
        io.load(path)
    with h5py.File(path, "r+") as f:
        f["G/data"][...] = 0.0
    text = io.inspect(path)
    for name in (str(path), str(Path(path).resolve())):  # the file's folder (pytest-0/...) may hold "-0"
        text = text.replace(name, "<file>")
    assert "-[G(0) + G(beta)] = 0 (1 for" in text and "-0" not in text


def test_alpscore_mesh_size_differs_from_the_data(tmp_path):
    path = fx.write_alpscore(tmp_path / "n.h5").path
    with h5py.File(path, "r+") as f:
        f["gtau/mesh/1/N"][()] = 300
    with pytest.raises(FileFormatError, match=r"sizes differ: /gtau/mesh/1/N=300 \(IMAGINARY_TIME\), but data axis 0 "
                                              r"has 61 imaginary time points"):
        io.load(path, orbital=0)


def test_absurd_values_are_refused_as_damage(tmp_path):
    path = fx.write_triqs_2x(tmp_path / "damaged.h5").path
    with h5py.File(path, "r+") as f:
        good = f["G/data"][()]
        f["G/data"][3, 0, 1] = 4.4e288  # an off-diagonal element
        f["G/data"][5, 0, 0] = -1.7e286
    with pytest.raises(FileFormatError, match=r"look damaged: \|G\| = 1.7e\+286 at index \(0, 0, 5\) \(orbital1=0, "
                                              r"orbital2=0, tau index 5, tau = 1.25\) is absurdly large.*2 value\(s\) "
                                              r"like it.*copy the file again"):
        io.load(path)
    with pytest.raises(FileFormatError, match=r"\|G\| = 4.4e\+288 at tau index 3 \(tau = 0.75\)"):
        io.load(path, orbital=(0, 1))
    assert "WARNING: the values look damaged" in io.inspect(path)
    with h5py.File(path, "r+") as f:  # un-normalised data (G times a number of orbitals) are data
        f["G/data"][...] = 100 * good
    with pytest.warns(ACLearnedWarning, match=r"G\(0\) \+ G\(beta\) = -100"):
        assert np.max(np.abs(io.load(path, orbital=0).values)) > 10
    iw = fx.write_triqs_iw(tmp_path / "iw.h5").path
    with h5py.File(iw, "r+") as f:
        f["G_iw/data"][...] = 100 * f["G_iw/data"][()]
    io.load(iw)


def test_an_assumed_tau_grid_is_named_when_the_norm_is_off(tmp_path):
    """Session 16 user test: ALPS MaxEnt data on [0, beta/2] without TAU_i read as [0, beta], norm 0.40."""
    half = np.linspace(0, fx.BETA / 2, 33)
    path = tmp_path / "half.h5"
    with h5py.File(path, "w") as f:
        f["Data"] = fx.g_tau(half, -0.3)
        f["Error"] = np.full(33, 1e-4)
    with pytest.warns(ACLearnedWarning, match=r"far from -1 .*the tau points were not in the file but assumed"):
        io.load(path, beta=fx.BETA)
    with warnings.catch_warnings():  # a full grid given: no such warning
        warnings.simplefilter("error")
        io.load(fx.write_alps_maxent(tmp_path / "full.h5").path, beta=fx.BETA)
