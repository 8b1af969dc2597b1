"""``solve``'s Err with a wider or fuller broadened default at sigma = 1e-5, on hand-picked spectra (session 15).

Run: OMP_NUM_THREADS=1 PYTHONPATH=. python scripts/smooth_default_probe.py   (~5 min)

The smooth shapes of ``physical_families_check.py --smooth`` (beta = 20 and 100), two band-edge continua, and
six spectra with sharp features (metals, a Mott insulator, a BCS gap, an atomic-limit peak), one noise draw at
sigma = 1e-5 each.  Columns: the shipped default (0.7 of the network broadened by 2 + 0.1|nu|), a full share
(1) at the shipped width, a full share at twice the width (4 + 0.2|nu|), and 0.7 at twice the width.  The broad
check of the same variants is ``fit_start_by_noise_check.py ... broadw:1:4:0.2`` (docs/accuracy.md, "A smoother
default for very precise data").
"""
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import physical_families_check as families  # noqa: E402

import ac_learned  # noqa: E402
from ac_learned import refine  # noqa: E402

SOLVE = sys.modules["ac_learned.solve"]
SHIPPED = (SOLVE.broadened_share, SOLVE.with_broadened_share)
CASES = ([(n, 20, 8, 401) for n in families.SMOOTH_SHAPES] + [(n, 100, 5, 801) for n in families.SMOOTH_SHAPES]
         + [("positive_only", 20, 8, 401), ("semicond", 100, 5, 801), ("metal_U4_g02", 100, 8, 801),
            ("metal_U2", 20, 8, 401), ("metal_U4", 50, 8, 401), ("mott_U4", 20, 8, 401), ("bcs_D03", 50, 5, 401),
            ("atomic_1p5", 20, 8, 401)])
VARIANTS = {"shipped": None, "share 1": (1.0, (2.0, 0.1)), "share 1, (4, 0.2)": (1.0, (4.0, 0.2)),
            "share 0.7, (4, 0.2)": (0.7, (4.0, 0.2))}


def use(spec) -> None:
    """Make solve's fit use ``spec`` = (share, widths) for its default model, or the shipped rule (None)."""
    if spec is None:
        SOLVE.broadened_share, SOLVE.with_broadened_share = SHIPPED
        return
    share, widths = spec

    def with_share(weights, nu, shares):
        s = np.broadcast_to(np.asarray(shares, float), weights.shape[:1])[:, None]
        return (1 - s) * weights + s * refine.broadened(weights, nu, widths)

    SOLVE.broadened_share = lambda sigma_rel: np.full(np.shape(sigma_rel), share)
    SOLVE.with_broadened_share = with_share


def main() -> None:
    warnings.simplefilter("ignore")
    print("| case | " + " | ".join(VARIANTS) + " |\n|---|" + "---|" * len(VARIANTS))
    try:
        for name, beta, wmax, ntau in CASES:
            tau, g, _, omega, truth, sigma, _, _ = families.make_case(name, beta, wmax, ntau, 1e-5, 0)
            errs = []
            for spec in VARIANTS.values():
                use(spec)
                a = ac_learned.solve(tau, g, beta=beta, omega=omega, err=sigma).A
                errs.append(families.err_l1(a, truth, omega))
            print(f"| {name}, beta {beta} | " + " | ".join(f"{e:.3f}" for e in errs) + " |", flush=True)
    finally:
        use(None)


if __name__ == "__main__":
    main()
