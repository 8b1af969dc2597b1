"""The Matsubara map's tail check: G(tau) bias with 3 fitted tail terms and with the checked choice (session 14).

Run: OMP_NUM_THREADS=1 PYTHONPATH=. python scripts/matsubara_tail_check.py [--draws 20] [--continue]

For physical spectra (scripts/physical_families_check.py's metals, Mott insulators, a doped metal, a BCS gap)
cut to +-8 and normalised, exact G(i omega_n) on the first N frequencies (N = 16 ... 400) at beta = 10, 40,
100, white noise sigma on Re and Im, mapped with :func:`ac_learned.matsubara.matsubara_to_tau` onto the
201-point grid of the model that serves the window +-6 (the command line's route), once with 3 tail terms
(before session 14) and once with the checked choice (``n_terms=None``).  Prints per case: the last
frequency, the terms chosen (share of draws), the bias max_tau |mean(G_mapped) - G_exact| / err (averaged over
the draws, so noise does not count), the median over tau of the propagated error relative to the 3-term
map's, and how often the warning was raised.  With ``--continue``, Err of ``ac_learned.continue_data`` on
a few cases too (both tails; needs the shipped models; ~1 min).
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from physical_families_check import SPECTRA  # noqa: E402

from ac_learned import matsubara  # noqa: E402
from ac_learned.io.data import GreenData  # noqa: E402
from ac_learned.kernels import fermionic_kernel, fermionic_matsubara_frequencies  # noqa: E402
from ac_learned.zoo import resolve  # noqa: E402

WMAX_SPECTRUM = 8.0
WINDOW = 6.0
NAMES = ("metal_U2", "metal_U4", "mott_U4", "mott_U6", "doped", "bcs_D03")


def exact(name: str, beta: float, n_freq: int, tau: np.ndarray):
    w = np.linspace(-WMAX_SPECTRUM, WMAX_SPECTRUM, 160001)
    a = SPECTRA[name](w)
    wts = np.full(w.size, w[1] - w[0])
    wts[[0, -1]] *= 0.5
    aw = a * wts / np.sum(a * wts)
    wn = fermionic_matsubara_frequencies(beta, n_freq)
    giw = np.array([np.sum(aw / (1j * x - w)) for x in wn])
    g_tau = -fermionic_kernel(tau, w, beta) @ aw
    return wn, giw, g_tau, w, aw


def mapping_rows(draws: int) -> None:
    print("| spectrum | beta | N | omega_last | sigma | 3 terms: bias/err | checked: terms (share) | bias/err | "
          "median err / 3-term err | warned |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in NAMES:
        for beta in (10.0, 40.0, 100.0):
            net = resolve("auto", beta * WINDOW)
            tau = net.x * beta
            for n_freq in (16, 30, 60, 120, 400):
                wn, giw, g_exact, _, _ = exact(name, beta, n_freq, tau)
                n_max = matsubara.frequencies_to_use(wn, beta, net.v_max)
                for sigma in (1e-5, 1e-4, 1e-3):
                    rng = np.random.default_rng(7)
                    shape = (draws, n_freq)
                    noisy = giw + sigma * (rng.standard_normal(shape) + 1j * rng.standard_normal(shape))
                    out = {}
                    for label, terms in (("3", 3), ("auto", None)):
                        maps = [matsubara.matsubara_to_tau(wn, g, tau, beta, stdev=sigma, n_max=n_max, n_terms=terms)
                                for g in noisy]
                        mean = np.mean([m.g_tau for m in maps], axis=0)
                        err = maps[0].err_tau
                        out[label] = (float(np.max(np.abs(mean - g_exact) / err)),
                                      [m.n_terms for m in maps], err,
                                      np.mean([m.tail_warning is not None for m in maps]))
                    terms = out["auto"][1]
                    share = ", ".join(f"{k}: {terms.count(k) / len(terms):.0%}" for k in sorted(set(terms)))
                    ratio = float(np.median(out["auto"][2] / out["3"][2]))
                    print(f"| {name} | {beta:g} | {n_freq} | {wn[n_max - 1]:.3g} | {sigma:g} | {out['3'][0]:.3g} | "
                          f"{share} | {out['auto'][0]:.3g} | {ratio:.2f} | {out['auto'][3]:.0%} |", flush=True)


def continue_rows() -> None:
    from ac_learned.pipeline import continue_data

    print("| spectrum | beta | N | sigma | Err, 3 terms | Err, checked | reliable (3 / checked) |")
    print("|---|---|---|---|---|---|---|")
    for name, beta, n_freq, sigma in (("metal_U4", 40.0, 30, 1e-4), ("metal_U4", 40.0, 60, 1e-4),
                                      ("mott_U4", 40.0, 60, 1e-4), ("metal_U4", 100.0, 120, 1e-4),
                                      ("metal_U4", 10.0, 60, 1e-4), ("mott_U4", 10.0, 120, 1e-5)):
        tau = np.linspace(0, beta, 11)
        wn, giw, _, w, aw = exact(name, beta, n_freq, tau)
        rng = np.random.default_rng(3)
        g = giw + sigma * (rng.standard_normal(n_freq) + 1j * rng.standard_normal(n_freq))
        data = GreenData(kind="iw", beta=beta, grid=wn, values=g, errors=np.full(n_freq, sigma), source="synthetic",
                         path="synthetic")
        omega = np.linspace(-WINDOW, WINDOW, 401)
        truth = np.interp(omega, w, aw / (w[1] - w[0]))
        res = {}
        original = matsubara.matsubara_to_tau
        for label, terms in (("3", 3), ("auto", None)):
            def forced(*args, _terms=terms, _map=original, **kw):
                return _map(*args, **dict(kw, n_terms=_terms))
            matsubara.matsubara_to_tau = forced
            try:
                out = continue_data(data, omega_max=WINDOW, n_draws=1)
            finally:
                matsubara.matsubara_to_tau = original
            err = float(np.trapezoid(np.abs(out.result.A - truth), omega) / np.trapezoid(truth, omega))
            res[label] = (err, out.result.reliable)
        print(f"| {name} | {beta:g} | {n_freq} | {sigma:g} | {res['3'][0]:.3f} | {res['auto'][0]:.3f} | "
              f"{res['3'][1]} / {res['auto'][1]} |", flush=True)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=20)
    ap.add_argument("--continue", dest="cont", action="store_true")
    args = ap.parse_args()
    if args.cont:
        continue_rows()
    else:
        mapping_rows(args.draws)
