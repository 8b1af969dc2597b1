"""RLISTA+ with solve's fitted spectrum as MaxEnt's default model instead of the network's raw output.

Run: OMP_NUM_THREADS=1 PYTHONPATH=. python scripts/fitted_default_check.py [n] [sigma]   (~5 min with n = 200,
sigma = 1e-4; docs/accuracy.md)

The paper set of `ac-learned bench default` (paper-rlista6's grid and held-out seed, the same noise), compared
twice: RLISTA+ with the network's own spectrum as default (`fit_data=False`, as in the paper; no broadened share,
as when this was measured in session 6) and with the network's spectrum first fitted to the data.
Both beside MaxEnt-flat on the same data: mean RSE, ratio to
MaxEnt-flat and the share of spectra where RLISTA+ beats it.
"""
import sys

import ac_learned.bench.neural_default as bench
import ac_learned.hosts.ana_cont as host
from ac_learned.zoo import list_cards

SHIPPED_CONTINUE = host._continue


def _fitted_continue(*args, **kwargs):
    kwargs["fit_data"] = True
    return SHIPPED_CONTINUE(*args, **kwargs)


def main(n: int, sigma: float) -> None:
    card = {c["name"]: c for c in list_cards()}["paper-rlista6"]
    bench.METHODS = ("MaxEnt-flat", "RLISTA+")
    host.DEFAULT_BROADENED_SHARE = 0.0  # as measured (session 6): no broadened share in either default
    for label, continue_fn in (("raw network", SHIPPED_CONTINUE), ("fitted spectrum", _fitted_continue)):
        host._continue = continue_fn
        raw = bench.compare(card, n, sigma, "model")
        m = bench.summarise(raw["a_true"], {k: raw[k]["weights"] for k in bench.METHODS})["methods"]
        print(f"sigma {sigma:g}, default = {label}: RLISTA+ mean RSE {m['RLISTA+']['rse_mean']:.4f} "
              f"({m['RLISTA+']['rse_ratio']:.3f}x MaxEnt-flat {m['MaxEnt-flat']['rse_mean']:.4f}, "
              f"better on {m['RLISTA+']['wins_rse']:.1%})", flush=True)
    host._continue = SHIPPED_CONTINUE
    host.DEFAULT_BROADENED_SHARE = "auto"


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200, float(sys.argv[2]) if len(sys.argv) > 2 else 1e-4)
