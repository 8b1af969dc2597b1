"""RLISTA vs MaxEnt-flat vs RLISTA+ on each zoo model's own held-out spectra (issue 3).

Run: OMP_NUM_THREADS=1 PYTHONPATH=. python scripts/zoo_vs_maxent.py N SIGMA [MODEL ...] > table.md

A thin wrapper around the ``default`` benchmark (:mod:`ac_learned.bench.neural_default`, which
``python -m ac_learned.bench default`` runs on the paper set and a fixed zoo subset).  For each model:
N spectra from its card's prior, drawn with the card's test seed (data.seed + 2, the held-out set the
card's metrics come from), beta = 10 (the kernel depends only on tau/beta and beta*omega), omega =
nu / beta (the model's grid), a user-like tau grid of 201 uniform points with both ends, white noise
SIGMA (relative to the norm) with the true SIGMA as error bars.  Errors on the weights A(omega_j) w_j:
Err = sum|a - a_true| / sum a_true and RSE = |a - a_true|_2.  MaxEnt is ana_cont maxent_svd with
chi2kink and a flat default (ac_learned.pipeline._maxent_solve).  Spectra on which a MaxEnt alpha
search failed are dropped from every method's statistics and counted in the table.
"""

import sys

from ac_learned.bench.neural_default import METHODS, compare, summarise
from ac_learned.zoo import list_cards


def main(argv: list[str] | None = None) -> None:
    """Print the Markdown table for ``N SIGMA [MODEL ...]`` (default: every ``rlista10-*`` card)."""
    argv = sys.argv[1:] if argv is None else argv
    n, sigma = int(argv[0]), float(argv[1])
    cards = {c["name"]: c for c in list_cards()}
    names = argv[2:] or [name for name in cards if name.startswith("rlista10-")]
    print("| model | V | method | mean Err | median Err | mean RSE | wins vs MaxEnt-flat (Err) | s/spectrum |")
    print("|---|---|---|---|---|---|---|---|")
    for name in names:
        card = cards[name]
        res = compare(card, n, sigma, "uniform201")
        summ = summarise(res["a_true"], {m: res[m]["weights"] for m in METHODS},
                         {m: res[m]["seconds"] for m in METHODS})
        for method in METHODS:
            q = summ["methods"][method]
            wins = f"{q['wins_err']:.0%}" if "wins_err" in q else ""
            print(f"| {name} | {card['grid']['v_max']:g} | {method} | {q['err_mean']:.3f} | {q['err_median']:.3f} | "
                  f"{q['rse_mean']:.4f} | {wins} | {q['seconds']:.3g} |", flush=True)
        print(f"| {name} | | ({summ['dropped']} of {summ['n']} spectra dropped: a MaxEnt alpha search failed) "
              "| | | | | |", flush=True)


if __name__ == "__main__":
    main()
