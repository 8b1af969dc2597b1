"""Progress bars go to a terminal only: redirected standard error (batch jobs, nohup) gets no bar."""

from __future__ import annotations

import io
import json
import sys
from types import SimpleNamespace

import numpy as np
import pytest

from ac_learned._progress import on_terminal, progress_bar


class FakeTerminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


class Closed(io.StringIO):
    def isatty(self) -> bool:
        raise ValueError("I/O operation on closed file")


def test_on_terminal():
    assert on_terminal(FakeTerminal()) and not on_terminal(io.StringIO())
    assert not on_terminal(object()) and not on_terminal(Closed())


@pytest.mark.parametrize("tty", [False, True])
def test_bar_only_on_a_terminal(tty, monkeypatch):
    stream = FakeTerminal() if tty else io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    assert list(progress_bar(range(5), desc="work")) == list(range(5))
    text = stream.getvalue()
    if tty:
        assert "work" in text and "\r" in text
    else:
        assert text == ""


def _band(monkeypatch):
    from ac_learned import pipeline

    omega = np.linspace(-3, 3, 7)
    fake = SimpleNamespace(A=np.ones(omega.size))
    monkeypatch.setattr(pipeline, "_maxent_solve", lambda *args, **kw: fake)
    tau = np.linspace(0, 10, 11)
    band, _ = pipeline._maxent_band(tau, np.full(tau.size, -0.5), 10.0, omega, np.full(tau.size, 1e-3), None,
                                    None, n_draws=4, centre=fake)
    assert band is not None and band.n_samples == 4


def test_maxent_band_writes_no_bar_into_redirected_output(monkeypatch, capsys):
    _band(monkeypatch)
    assert capsys.readouterr().err == ""
    term = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", term)
    _band(monkeypatch)
    assert "MaxEnt band" in term.getvalue()


@pytest.mark.torch
def test_training_writes_no_bar_into_redirected_output(tmp_path, capsys):
    from ac_learned.train import train

    cfg = {"name": "bar", "arch": {"type": "rlista", "depth": 2},
           "grid": {"n_x": 16, "x_kind": "uniform", "n_nu": 11, "nu_kind": "uniform", "v_max": 10.0},
           "data": {"n_train": 300, "n_val": 30, "n_test": 40, "seed": 0}, "train": {"epochs": 1},
           "eval": {"sigmas": [1e-4], "calibration_sigmas": [1e-4]}}
    (tmp_path / "c.json").write_text(json.dumps(cfg))
    train(tmp_path / "c.json", out_dir=tmp_path / "run", progress=True, log=lambda *a: None)
    err = capsys.readouterr().err
    assert "\r" not in err and "epoch 1/1" not in err
