import json
import subprocess
import sys

import pytest

from ac_learned.cli import main


def test_demo_runs_and_writes_png(tmp_path, capsys):
    out = tmp_path / "demo.png"
    assert main(["demo", "--plot", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Err =" in text and "chi2/N" in text
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_models_lists_the_shipped_model(capsys):
    assert main(["models"]) == 0
    assert "paper-rlista6" in capsys.readouterr().out


def test_models_checks_and_describes_a_card_of_ones_own(tiny_model, tmp_path, capsys):
    import shutil

    assert main(["models", str(tiny_model)]) == 0
    text = capsys.readouterr().out
    assert "tiny-test" in text and "weights verified" in text and "held-out sigma" in text
    copy = tmp_path / "copy"
    shutil.copytree(tiny_model.parent, copy)
    weights = copy / "tiny-test.npz"
    data = bytearray(weights.read_bytes())
    data[-100] ^= 0xFF
    weights.write_bytes(bytes(data))
    assert main(["models", str(copy / "tiny-test.json")]) != 0  # the error names the checksum mismatch
    assert "sha256" in capsys.readouterr().err


@pytest.mark.torch
def test_train_command_and_clear_errors(tmp_path, capsys):
    cfg = {"name": "cli-t", "arch": {"type": "rlista", "depth": 2},
           "grid": {"n_x": 16, "x_kind": "uniform", "n_nu": 11, "nu_kind": "uniform", "v_max": 10.0},
           "data": {"n_train": 300, "n_val": 30, "n_test": 40, "seed": 0}, "train": {"epochs": 1},
           "eval": {"sigmas": [1e-4], "calibration_sigmas": [1e-4]}}
    path = tmp_path / "c.json"
    path.write_text(json.dumps(cfg))
    assert main(["train", str(path), "--out", str(tmp_path / "run"), "--quiet"]) == 0
    assert (tmp_path / "run" / "cli-t.npz").exists() and (tmp_path / "run" / "cli-t.json").exists()
    assert main(["train", str(tmp_path / "missing.json")]) == 2
    assert "not found" in capsys.readouterr().err


def test_console_entry_point_is_installed():
    exe = subprocess.run([sys.executable, "-m", "ac_learned.cli", "--help"], capture_output=True, text=True)
    assert exe.returncode == 0 and "demo" in exe.stdout


@pytest.mark.parametrize("argv", [["demo", "--noise", "-1"]])
def test_bad_cli_values_are_clear(argv, capsys):
    assert main(argv) == 2
    assert "error" in capsys.readouterr().err
