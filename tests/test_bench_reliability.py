"""The reliability benchmark's --quick mode, its spectrum families, and the console fit note."""

from __future__ import annotations

import numpy as np
import pytest
from md_tables import table_rows

from ac_learned.bench import main
from ac_learned.bench.reliability import CORRUPTED, UNSEEN, _negative_lobe, summary
from ac_learned.diagnostics import fit_note
from ac_learned.grids import make_nu_grid


def test_quick_writes_every_family(tmp_path):
    paths = main(["reliability", "--quick", "--out", str(tmp_path)], log=lambda *a: None)
    assert [p.name for p in paths] == ["reliability.md", "reliability.json", "reliability.png"]
    rows = table_rows(paths[0].read_text())
    header = next(r for r in rows if r[0] == "family")
    assert len(header) == 9  # no stray '|' inside a header cell
    families = {r[0] for r in rows if len(r) == 9 and r[0] != "family"}
    assert families == {"in-distribution", *UNSEEN, *CORRUPTED}
    rate = {r[0]: float(r[3].rstrip("%")) for r in rows if len(r) == 9 and r[0] != "family"}
    fitted = {r[0]: float(r[8].rstrip("%")) for r in rows if len(r) == 9 and r[0] != "family"}
    assert all(0 <= v <= 100 for v in [*rate.values(), *fitted.values()])
    # solve's default flags data that no spectrum in the window fits (half the weight lies beyond it)
    assert fitted["beyond window"] >= 50 and fitted["in-distribution"] <= 10


@pytest.mark.parametrize("family", list(UNSEEN))
def test_unseen_families_are_normalised_spectra(family):
    u = make_nu_grid(101, 30.0, "sinh") / 30.0
    a = UNSEEN[family](np.random.default_rng(0), 20, u)
    assert a.shape == (20, 101) and np.all(a >= 0)
    np.testing.assert_allclose(a.sum(axis=1), 1.0)
    assert np.all(a.max(axis=1) < 1.0)  # not collapsed onto one cell


def test_negative_lobe_has_negative_weight_and_unit_sum():
    x = np.arange(30)
    a = np.exp(-0.5 * ((x[None, :] - np.arange(3, 30, 3)[:, None]) / 1.5) ** 2)  # peaks at distinct places
    a /= a.sum(axis=1, keepdims=True)
    b = _negative_lobe(a, np.random.default_rng(2))
    np.testing.assert_allclose(b.sum(axis=1), 1.0)
    assert np.all(b.min(axis=1) < 0)


def test_summary_averages_models():
    rows = [{"family": "box", "sigma": 1e-4, "flag_rate": r, "bad_fraction": 0.5, "flag_rate_bad": None,
             "flag_rate_good": 0.0, "err_median": 1.0, "flag_rate_fitted": 2 * r} for r in (0.2, 0.4)]
    (s,) = summary(rows)
    assert s["models"] == 2 and s["flag_rate"] == pytest.approx(0.3) and s["flag_rate_bad"] is None
    assert s["flag_rate_fitted"] == pytest.approx(0.6)


def test_fit_note():
    assert fit_note(1.2) == "" and fit_note(None) == "" and fit_note(50.0, "rlista+") == ""
    assert "error bars" in fit_note(50.0) and "50" in fit_note(np.array([50.0]))
    assert fit_note(50.0, fitted=True) == ""  # a fitted result's warnings say it (diagnostics.FIT_FAILED)
