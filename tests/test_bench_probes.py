"""The benchmarks behind solve's defaults run in their --quick modes, write their tables, and leave solve as it was."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
from md_tables import table_rows

import ac_learned.zoo as zoo
from ac_learned.bench import SUBBENCHES, main
from ac_learned.errors import InputError

PROBES = ("broadening", "averaging", "noiseband", "narrowwindow", "errorscale", "srvo3")
#: Probes whose --quick mode runs ana_cont's MaxEnt (the ``ana_cont`` extra).
WITH_MAXENT = ("noiseband", "narrowwindow", "srvo3")


def _needs_ana_cont(name: str) -> None:
    if name in WITH_MAXENT:
        pytest.importorskip("ana_cont")


def _quiet(*args):
    pass


def _solve_module():
    return sys.modules["ac_learned.solve"]


@pytest.fixture
def srvo3_like(tmp_path):
    """A small file in the SrVO3 layout (tau, G(tau), error) at beta = 37.5: a metal with Hubbard bands."""
    from ac_learned.grids import trapezoid_weights
    from ac_learned.kernels import fermionic_kernel

    beta, w = 37.5, np.linspace(-12.0, 12.0, 2401)
    a = (0.5 * np.exp(-0.5 * ((w - 0.3) / 0.4) ** 2) + 0.3 * np.exp(-0.5 * ((w - 2.6) / 0.8) ** 2)
         + 0.2 * np.exp(-0.5 * ((w + 2.0) / 0.8) ** 2))
    a /= trapezoid_weights(w) @ a
    tau = np.linspace(0.0, beta, 81)
    g = -fermionic_kernel(tau, w, beta) @ (a * trapezoid_weights(w))
    err = np.full(tau.size, 1e-3)
    g = g + err * np.random.default_rng(0).standard_normal(tau.size)
    path = tmp_path / "srvo3_like.dat"
    np.savetxt(path, np.column_stack([tau, g, err]))
    return path


def test_every_probe_is_a_subcommand():
    assert set(PROBES) <= set(SUBBENCHES)


@pytest.mark.parametrize("name", PROBES)
def test_probe_quick_writes_its_tables(name, tmp_path, srvo3_like):
    _needs_ana_cont(name)
    solve_mod = _solve_module()
    originals = {k: getattr(solve_mod, k) for k in ("resolve", "companion", "_fitted", "with_broadened_share")}
    extra = ["--data", str(srvo3_like)] if name == "srvo3" else []
    paths = main([name, "--quick", "--out", str(tmp_path / "out"), *extra], log=_quiet)
    assert {p.name for p in paths} >= {f"{name}.md", f"{name}.json"}
    assert all(p.exists() and p.stat().st_size > 0 for p in paths)
    text = (tmp_path / "out" / f"{name}.md").read_text()
    assert f"Command: `python -m ac_learned.bench {name} --quick" in text and "CPU:" in text
    rows = table_rows(text)
    assert len(rows) >= 2 and all(len(r) == len(rows[0]) for r in rows[:2])  # a header and a data row
    raw = json.loads((tmp_path / "out" / f"{name}.json").read_text())
    assert raw["command"].startswith("python -m ac_learned.bench")
    # solve's model choice and fit are back to what ships
    assert {k: getattr(solve_mod, k) for k in originals} == originals
    assert solve_mod.resolve is zoo.resolve and solve_mod.companion is zoo.companion


def test_probe_numbers_are_finite(tmp_path):
    _needs_ana_cont("narrowwindow")
    main(["narrowwindow", "--quick", "--out", str(tmp_path)], log=_quiet)
    raw = json.loads((tmp_path / "narrowwindow.json").read_text())
    (row,) = raw["rows"]
    assert row["window"] < raw["warn_below"] and row["narrow_warning"]  # the quick case lies below the limit
    assert np.isfinite(row["err_solve"]) and 0 < row["err_solve"] < 2


def test_broadening_variants_and_sets(tmp_path):
    main(["broadening", "--quick", "--out", str(tmp_path), "--sets", "q", "--variants", "shipped,broad:0.7",
          "--sigmas", "1e-5"], log=_quiet)
    raw = json.loads((tmp_path / "broadening.json").read_text())
    assert raw["variants"] == ["shipped", "broad:0.7"] and raw["sigmas"] == [1e-5]
    # for precise data the shipped default is the 0.7 broadened share: the two columns agree
    for row in raw["rows"]:
        assert row["values"][0] == pytest.approx(row["values"][1], rel=1e-9)
    with pytest.raises(InputError, match="variant"):
        main(["broadening", "--quick", "--out", str(tmp_path), "--variants", "blur:3"], log=_quiet)
    with pytest.raises(InputError, match="--sets"):
        main(["broadening", "--quick", "--out", str(tmp_path), "--sets", "z"], log=_quiet)


def test_probe_options_belong_to_their_probe(tmp_path):
    with pytest.raises(InputError, match="unrecognized arguments"):
        main(["narrowwindow", "--quick", "--out", str(tmp_path), "--sets", "d"], log=_quiet)
    with pytest.raises(InputError, match="--sets"):
        main(["noiseband", "--quick", "--out", str(tmp_path), "--sets", "x"], log=_quiet)


def test_srvo3_without_the_file_says_where_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("SRVO3_DATA", str(tmp_path / "absent.dat"))
    with pytest.raises(InputError, match="not shipped.*--data"):
        main(["srvo3", "--quick", "--out", str(tmp_path)], log=_quiet)
    assert not (tmp_path / "srvo3.md").exists()
