"""``ac-learned continue`` / ``inspect`` on the problems a user-acceptance test found (/tmp/uat/report.md 3-5, 8-10).

The input is never overwritten; ``--err`` replaces NaN error bars; ALPS MaxEnt
input continues with ``--beta`` (and ``--tau-grid``); axes of length 1 need no
selector; messages name command-line options; outputs are explicit.
"""

from __future__ import annotations

import os

import h5py
import io_fixtures as fx
import numpy as np
import pytest

from ac_learned import io
from ac_learned.cli import cli_message, main
from ac_learned.errors import FileFormatError, InputError
from ac_learned.pipeline import continue_file

FAST = ["--omega-max", "2", "--n-omega", "41", "--draws", "3"]  # the tiny model serves V <= 20 at BETA = 10


_TEMP_ROOTS: list[str] = []


@pytest.fixture(autouse=True, scope="module")
def _temp_roots(tmp_path_factory):
    """The temporary folder's root, which :func:`_run` takes out of the output."""
    root = tmp_path_factory.getbasetemp()
    _TEMP_ROOTS[:] = sorted({str(root.resolve()), str(root)}, key=len, reverse=True)


def _run(argv, capsys) -> tuple[int, str, str]:
    """Exit code, stdout and stderr, with the temporary folder's path replaced by ``<tmp>``.

    What the messages must not say is checked on the text alone: the folder's own
    name (chosen by pytest or ``--basetemp``) might hold any of those words.
    """
    rc = main([str(a) for a in argv])
    captured = capsys.readouterr()
    out, err = captured.out, captured.err
    for root in _TEMP_ROOTS:
        out, err = out.replace(root, "<tmp>"), err.replace(root, "<tmp>")
    return rc, out, err


@pytest.fixture()
def w2dyn(tmp_path):
    return fx.write_w2dynamics(tmp_path / "run.h5").path


# ---------------------------------------------------------------- 1. the input file is never an output


@pytest.mark.parametrize("spelling", ["same", "dotdot", "symlink", "plot"])
def test_continue_never_overwrites_its_input(w2dyn, tmp_path, capsys, spelling):
    before = open(w2dyn, "rb").read()
    (tmp_path / "sub").mkdir()
    out = {"same": w2dyn, "dotdot": tmp_path / "sub" / ".." / "run.h5", "symlink": tmp_path / "link.h5",
           "plot": tmp_path / "o.h5"}[spelling]
    if spelling == "symlink":
        os.symlink(w2dyn, out)
    extra = ["--plot", w2dyn] if spelling == "plot" else []
    rc, _, err = _run(["continue", w2dyn, "--block", "gtau", "--orbital", "0", "--spin", "0", "--out", out,
                       "--force", *extra], capsys)
    assert rc == 2 and "is the input file" in err and "even with --force" in err
    assert open(w2dyn, "rb").read() == before
    expected = ["run.h5", "sub"] + (["link.h5"] if spelling == "symlink" else [])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(expected)  # nothing written


def test_the_text_table_beside_out_may_not_be_the_input(tmp_path):
    tau = np.linspace(0, fx.BETA, 41)
    src = tmp_path / "g.dat"
    np.savetxt(src, np.column_stack([tau, fx.g_tau(tau), np.full(41, 1e-4)]))
    before = src.read_bytes()
    with pytest.raises(InputError, match=r"g\.dat \(the text table written beside out_h5=.*is the input file"):
        continue_file(src, out_h5=tmp_path / "g.h5", force=True, selectors={"beta": fx.BETA}, log=lambda *a: None)
    assert src.read_bytes() == before and not (tmp_path / "g.h5").exists()


# ---------------------------------------------------------------- 2. --err replaces NaN error bars


def test_err_overrides_nan_error_bars_of_a_one_rank_w2dynamics_run(tmp_path, tiny_model, capsys):
    path = fx.write_w2dynamics(tmp_path / "onerank.h5", one_rank=True).path
    args = ["continue", path, "--block", "gtau", "--orbital", "0", "--spin", "0", "--model", tiny_model, *FAST]
    rc, _, err = _run(args, capsys)
    assert rc == 2 and "NaN" in err and "--err" in err and "drop_bad_errors" not in err
    rc, out, _ = _run([*args, "--err", "1e-4", "--out", tmp_path / "o.h5"], capsys)
    assert rc == 0 and "error bars are not used" in out and "--err 0.0001 replaces them" in out
    with h5py.File(tmp_path / "o.h5", "r") as f:
        assert np.all(np.isfinite(f["A"][()]))
        # the errors used are stored, not the file's NaN ones
        assert np.all(f["data/G_err"][()] == 1e-4) and f["data/G_err"].attrs["source"].startswith("--err")
    with pytest.raises(FileFormatError, match="drop_bad_errors=True"):  # the Python API keeps its own advice
        io.load(path, block="gtau", orbital=0, spin=0)


# ---------------------------------------------------------------- 3. ALPS MaxEnt input from the command line


def test_alps_maxent_input_continues_from_the_command_line(tmp_path, tiny_model, capsys):
    path = fx.write_alps_maxent(tmp_path / "maxent_in.h5").path
    rc, _, err = _run(["continue", path], capsys)
    assert rc == 2 and "pass --beta BETA" in err and "load()" not in err
    rc, out, _ = _run(["inspect", path], capsys)
    assert rc == 0 and "pass --beta BETA" in out and "--tau-grid centres" in out
    common = ["continue", path, "--beta", fx.BETA, "--model", tiny_model, *FAST]
    rc, out, _ = _run([*common, "--out", tmp_path / "u.h5"], capsys)
    assert rc == 0 and "ALPS MaxEnt's default" in out and "--tau-grid centres" in out
    with h5py.File(tmp_path / "u.h5", "r") as f:
        np.testing.assert_allclose(f["data/tau"][()], np.linspace(0, fx.BETA, 33))
    rc, out, _ = _run([*common, "--tau-grid", "centres", "--out", tmp_path / "c.h5"], capsys)
    assert rc == 0 and "default" not in out
    with h5py.File(tmp_path / "c.h5", "r") as f:
        np.testing.assert_allclose(f["data/tau"][()], (np.arange(33) + 0.5) * fx.BETA / 33)
    np.savetxt(tmp_path / "tau.txt", np.linspace(0, fx.BETA, 33) ** 1.0)
    rc, _, _ = _run([*common, "--tau-grid", tmp_path / "tau.txt", "--out", tmp_path / "f.h5"], capsys)
    assert rc == 0
    rc, _, err = _run([*common, "--tau-grid", "bins"], capsys)
    assert rc == 2 and "--tau-grid bins is not a tau grid" in err and "text file" in err


def test_tau_grid_is_refused_for_files_with_their_own_grid(w2dyn, capsys):
    rc, _, err = _run(["continue", w2dyn, "--tau-grid", "uniform"], capsys)
    assert rc == 2 and "--tau-grid applies to ALPS MaxEnt input only" in err


# ---------------------------------------------------------------- 4. axes of length 1 need no selector


def test_one_orbital_alf_and_one_pair_smoqy_need_no_orbital(tmp_path, tiny_model, capsys):
    alf = fx.write_alf(tmp_path / "alf.h5").path  # Green_tau: (orbital1=1, orbital2=1, k=3)
    rc, out, _ = _run(["inspect", alf], capsys)
    assert "selectors needed: --k" in out and "--orbital" not in out and "orbital1, orbital2" in out
    rc, out, err = _run(["continue", alf, "--k", "0", "--model", tiny_model, *FAST], capsys)
    assert rc == 0, err
    assert "taken automatically: orbital1, orbital2" in out
    smoqy = fx.write_smoqy(tmp_path / "smoqy").path  # greens/MOMENTUM: (orbital_pair=1, k_1=2, k_2=3)
    rc, out, _ = _run(["inspect", smoqy], capsys)
    assert "--k" in out and "--orbital" not in out and "need no selector" in out
    rc, out, err = _run(["continue", smoqy, "--block", "greens/MOMENTUM", "--k", "1,2", "--model", tiny_model,
                         *FAST], capsys)
    assert rc == 0, err


def test_squeeze_drops_only_length_one_axes(tmp_path):
    data = io.load(fx.write_alf(tmp_path / "alf.h5").path)
    assert data.values.shape == (1, 1, 3, 41)
    one = io.squeeze(data)
    assert one.values.shape == (3, 41) and one.bins.shape == (6, 3, 41) and one.errors.shape == (3, 41)
    assert one.meta["axes"] == ["k", "tau"] and one.meta["auto_selected"] == ["orbital1", "orbital2"]
    assert data.values.shape == (1, 1, 3, 41)  # a copy
    assert io.squeeze(one) is one


# ---------------------------------------------------------------- 5. command-line wording


def test_messages_name_command_line_options(tmp_path, capsys):
    triqs = fx.write_triqs(tmp_path / "t.h5").path
    rc, _, err = _run(["continue", triqs], capsys)
    assert rc == 2 and "--block NAME" in err and "block=" not in err
    rc, out, _ = _run(["inspect", triqs], capsys)
    assert "choose one with --block, e.g. --block" in out and "load(" not in out
    w2 = fx.write_w2dynamics(tmp_path / "w.h5").path
    rc, _, err = _run(["continue", w2, "--block", "gtau", "--orbital", "5", "--spin", "0"], capsys)
    assert rc == 2 and "--orbital 5" in err and "valid indices 0..1" in err
    rc, _, err = _run(["continue", w2, "--block", "gtau", "--orbital", "0", "--spin", "0", "--beta", "3"], capsys)
    assert rc == 2 and "--beta 3.0 was passed; leave --beta out" in err
    # messages from the model zoo are translated
    assert cli_message("pass its card with model='path/to/card.json'") == "pass its card with --model path/to/card.json"
    # and the Python API keeps its keywords
    with pytest.raises(InputError, match=r"block=<name> \(for example block="):
        io.load(triqs)
    with pytest.raises(InputError, match="orbital=5: index 5 is out of range"):
        io.load(w2, block="gtau", orbital=5, spin=0)


def test_existing_outputs_message_is_grammatical(w2dyn, tmp_path, capsys):
    (tmp_path / "o.h5").write_bytes(b"x")
    rc, _, err = _run(["continue", w2dyn, "--out", tmp_path / "o.h5"], capsys)
    assert rc == 2 and "o.h5 already exists; pass --force to overwrite" in err
    (tmp_path / "o.dat").write_bytes(b"x")
    rc, _, err = _run(["continue", w2dyn, "--out", tmp_path / "o.h5"], capsys)
    assert rc == 2 and "o.dat already exist; pass --force" in err


# ---------------------------------------------------------------- 6. outputs are explicit


def test_without_out_it_says_nothing_was_written(w2dyn, tmp_path, tiny_model, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rc, out, _ = _run(["continue", w2dyn, "--block", "gtau", "--orbital", "0", "--spin", "0", "--model",
                       tiny_model, *FAST], capsys)
    assert rc == 0 and "nothing was written: pass --out file.h5" in out
    assert sorted(os.listdir(tmp_path)) == ["run.h5"]


def test_out_into_a_missing_folder_is_refused(w2dyn, tmp_path, capsys):
    rc, _, err = _run(["continue", w2dyn, "--out", tmp_path / "new" / "sub" / "o.h5"], capsys)
    assert rc == 2 and "does not exist; create it first" in err
    assert not (tmp_path / "new").exists()


def test_text_table_without_error_bars_has_nan_errors(tmp_path, tiny_model):
    tau = np.linspace(0, fx.BETA, 41)
    src = tmp_path / "g.dat"
    np.savetxt(src, np.column_stack([tau, fx.g_tau(tau)]))
    out = continue_file(src, out_h5=tmp_path / "A.h5", selectors={"beta": fx.BETA}, omega_max=2.0, n_omega=41,
                        model=str(tiny_model), log=lambda *a: None)
    assert out.band is None
    table = np.loadtxt(tmp_path / "A.dat")
    assert table.shape == (41, 3) and np.all(np.isnan(table[:, 2])) and np.all(np.isfinite(table[:, :2]))
    header = (tmp_path / "A.dat").read_text().splitlines()[:3]
    assert any("error = nan: no error band" in line for line in header)
