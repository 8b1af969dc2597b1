"""The `papertable` benchmark's --quick mode: every method at every sigma, MaxEnt beside on the subset."""

from __future__ import annotations

import json

import numpy as np
import pytest
from md_tables import table_rows

from ac_learned.bench import main
from ac_learned.bench.paper_table import _settings

pytestmark = pytest.mark.torch  # trains LISTA and RLISTA networks


def test_papertable_quick(tmp_path):
    paths = main(["papertable", "--quick", "--out", str(tmp_path)], log=lambda *a: None)
    assert [p.name for p in paths] == ["papertable.md", "papertable.json", "papertable.png"]
    s = _settings(True)
    raw = json.loads(paths[1].read_text())
    expected = {f"{d}-LISTA" for d in s["lista_depths"]} | {f"{d}-RLISTA" for d in s["rlista_depths"]}
    assert set(raw["parameters"]) == expected
    for sigma in raw["full"].values():
        assert expected <= set(sigma)
        assert any(m.startswith("ISTA") for m in sigma)
        assert all(np.isfinite(q["rse_mean"]) and 0 <= q["rse_median"] <= 2 for q in sigma.values())
    for sigma in raw["subset"].values():
        assert "MaxEnt (flat)" in sigma
        assert {f"{d}-RLISTA + fit" for d in s["rlista_depths"]} <= set(sigma)
        assert sigma["MaxEnt (flat)"]["n"] + sigma["_dropped"] == s["n_subset"]
    rows = table_rows(paths[0].read_text())
    for d in s["rlista_depths"]:  # parameter column: d * (Nomega Ntau + Nomega^2 + 1)
        row = next(r for r in rows if r[0] == f"{d}-RLISTA" and len(r) > 2 and r[1].replace(",", "").isdigit())
        assert int(row[1].replace(",", "")) == d * (50 * 100 + 50 * 50 + 1)
