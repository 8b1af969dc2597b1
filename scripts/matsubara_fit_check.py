"""The fit to Matsubara data themselves against the fit to their map to G(tau) (session 15).

Run: OMP_NUM_THREADS=1 PYTHONPATH=. python scripts/matsubara_fit_check.py [--maxent] [--sigmas 1e-5,1e-4,1e-3]

For the physical spectra of scripts/matsubara_tail_check.py (metals, Mott insulators, a doped metal, a BCS gap;
cut to +-8, normalised), exact G(i omega_n) on the first N = 30, 60, 200 frequencies at beta = 10, 40, 100 with
white noise sigma on Re and Im (one draw), continued on the window +-6 by the model ``model="auto"`` serves there.
The network reads G(tau) mapped with the tail test (:func:`ac_learned.matsubara.matsubara_to_tau`, the first
frequencies up to 8 V/beta); then ``solve`` fits its spectrum either to that G(tau) (before session 15) or to the
Matsubara points themselves (``solve(..., matsubara=...)``, what the ana_cont plugin and ``continue`` do since).
``--auto``: ``model="auto"``, whose fit starts from the average with the next wider window (what ``continue``
does; the plugin passed the served card until session 15).  Prints per case Err = int|A - A_true| / int A_true
and chi2 per real number on the Matsubara points for both, whether the tail test warned, the reliability flag of
the Matsubara fit before the tail warning is applied and its reach (last frequency over the fitted spectrum's 99 %
half-width, :func:`ac_learned.matsubara_fit.reach`); then summaries.  ``--maxent``: ana_cont's
maxent_svd (chi2kink, flat default) on the same Matsubara points too
(30-60 s per case at sigma = 1e-5).
"""
import argparse
import contextlib
import io
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from matsubara_tail_check import NAMES, exact  # noqa: E402

import ac_learned  # noqa: E402
from ac_learned import matsubara  # noqa: E402
from ac_learned.matsubara_fit import TAIL_REACH_RELIABLE, MatsubaraData, chi2_per_point, reach  # noqa: E402
from ac_learned.zoo import resolve  # noqa: E402

WINDOW = 6.0
OMEGA = np.linspace(-WINDOW, WINDOW, 241)


def truth_density(w: np.ndarray, aw: np.ndarray) -> np.ndarray:
    """Cell averages of the exact weights ``aw`` (on the fine grid ``w``) on OMEGA's cells."""
    edges = np.concatenate([[OMEGA[0]], 0.5 * (OMEGA[1:] + OMEGA[:-1]), [OMEGA[-1]]])
    cum = np.concatenate([[0.0], np.cumsum(aw)])
    at = np.concatenate([[w[0] - 0.5 * (w[1] - w[0])], w + 0.5 * (w[1] - w[0])])
    return np.diff(np.interp(edges, at, cum)) / np.diff(edges)


def err_l1(a: np.ndarray, truth: np.ndarray) -> float:
    return float(np.trapezoid(np.abs(a - truth), OMEGA) / np.trapezoid(truth, OMEGA))


def chi2_iw(res, wn, g, sigma, beta) -> float:
    """chi2 per real number of ``res`` against the Matsubara points ``g`` (standard sign)."""
    data = MatsubaraData(wn, np.atleast_2d(g), np.full((1, wn.size), sigma))
    return float(chi2_per_point(data, res.weights, res.nu_model, beta, res.norm, "standard")[0])


def maxent_err(wn, g, sigma, beta, truth) -> float:
    from ac_learned.ana_cont import AnalyticContinuationProblem

    probl = AnalyticContinuationProblem(im_axis=wn, re_axis=OMEGA, im_data=g, kernel_mode="freq_fermionic", beta=beta)
    flat = np.full(OMEGA.size, 1.0 / (OMEGA[-1] - OMEGA[0]))
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sol, _ = probl.solve(method="maxent_svd", model=flat, stdev=np.full(wn.size, sigma),
                             alpha_determination="chi2kink", optimizer="newton", verbose=False)
    return err_l1(np.asarray(sol.A_opt, float), truth)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--maxent", action="store_true")
    ap.add_argument("--sigmas", default="1e-5,1e-4,1e-3")
    ap.add_argument("--freqs", default="30,60,200", help="numbers of Matsubara frequencies N")
    ap.add_argument("--auto", action="store_true", help="model='auto' (the fit starts from two windows' average, "
                                                         "as `continue` does) instead of the served card")
    args = ap.parse_args()
    sigmas = [float(s) for s in args.sigmas.split(",")]
    rows = []
    print("| spectrum | beta | N | sigma | tail warned | Err map-fit | Err Matsubara fit | chi2/2N map-fit | "
          "chi2/2N Matsubara fit | flag before tail warning | reach |" + (" Err MaxEnt |" if args.maxent else ""))
    print("|---|---|---|---|---|---|---|---|---|---|---|" + ("---|" if args.maxent else ""))
    for name in NAMES:
        for beta in (10.0, 40.0, 100.0):
            net = resolve("auto", beta * WINDOW)
            tau = net.x * beta
            for n_freq in [int(n) for n in args.freqs.split(",")]:
                wn, giw, _, w, aw = exact(name, beta, n_freq, tau)
                truth = truth_density(w, aw)
                n_max = matsubara.frequencies_to_use(wn, beta, net.v_max)
                for sigma in sigmas:
                    rng = np.random.default_rng(11)
                    g = giw + sigma * (rng.standard_normal(n_freq) + 1j * rng.standard_normal(n_freq))
                    mapped = matsubara.matsubara_to_tau(wn, g, tau, beta, stdev=np.full(n_freq, sigma), n_max=n_max)
                    kw = {"err": mapped.err_tau, "model": "auto" if args.auto else str(net.card_path)}
                    on_map = ac_learned.solve(tau, mapped.g_tau, beta, OMEGA, **kw)
                    on_iw = ac_learned.solve(tau, mapped.g_tau, beta, OMEGA, **kw,
                                             matsubara=(wn[:n_max], g[:n_max], np.full(n_max, sigma)))
                    row = {"name": name, "beta": beta, "n": n_freq, "sigma": sigma,
                           "warned": mapped.tail_warning is not None,
                           "err_map": err_l1(on_map.A, truth), "err_iw": err_l1(on_iw.A, truth),
                           "chi2_map": chi2_iw(on_map, wn[:n_max], g[:n_max], sigma, beta),
                           "chi2_iw": chi2_iw(on_iw, wn[:n_max], g[:n_max], sigma, beta),
                           "flag": bool(on_iw.reliable),
                           "reach": reach(float(wn[n_max - 1]), on_iw.weights, on_iw.nu_model, beta)}
                    if args.maxent:
                        try:
                            row["err_me"] = maxent_err(wn[:n_max], g[:n_max], sigma, beta, truth)
                        except Exception as exc:  # noqa: BLE001 - ana_cont's chi2kink fails in several ways
                            row["err_me"] = float("nan")
                            print(f"maxent failed: {type(exc).__name__}", file=sys.stderr)
                    rows.append(row)
                    print(f"| {name} | {beta:g} | {n_freq} | {sigma:g} | {'yes' if row['warned'] else 'no'} | "
                          f"{row['err_map']:.3f} | {row['err_iw']:.3f} | {row['chi2_map']:.3g} | "
                          f"{row['chi2_iw']:.3g} | "
                          f"{row['flag']} | {row['reach']:.2g} |" + (f" {row['err_me']:.3f} |" if args.maxent else ""),
                          flush=True)
    print()
    for label, pick in (("all", lambda r: True), ("tail test passed", lambda r: not r["warned"]),
                        ("tail warned", lambda r: r["warned"])):
        sub = [r for r in rows if pick(r)]
        if not sub:
            continue
        em, ei = np.array([r["err_map"] for r in sub]), np.array([r["err_iw"] for r in sub])
        cm, ci = np.array([r["chi2_map"] for r in sub]), np.array([r["chi2_iw"] for r in sub])
        line = (f"{label} ({len(sub)} cases): mean Err {em.mean():.3f} -> {ei.mean():.3f}, median ratio "
                f"{np.median(ei / em):.3f}, better in {np.mean(ei < em):.0%}; chi2/2N > 2: {np.sum(cm > 2)} -> "
                f"{np.sum(ci > 2)} (max {cm.max():.3g} -> {ci.max():.3g})")
        if args.maxent:
            me = np.array([r["err_me"] for r in sub])
            ok = np.isfinite(me)
            line += (f"; MaxEnt mean Err {me[ok].mean():.3f} on {ok.sum()}, ratio of means "
                     f"{ei[ok].mean() / me[ok].mean():.3f}")
        print(line)
        if label == "tail warned":
            flagged = np.array([r["flag"] for r in sub])
            print(f"  of these, flagged reliable before the tail warning: {flagged.sum()} (mean Err "
                  f"{ei[flagged].mean() if flagged.any() else float('nan'):.3f}); not: {(~flagged).sum()} "
                  f"(mean Err {ei[~flagged].mean() if (~flagged).any() else float('nan'):.3f})")
            far = np.array([r["reach"] >= TAIL_REACH_RELIABLE for r in sub])
            for part, mask in (("reach >= 1 (left to the other checks)", far), ("reach < 1 (not reliable)", ~far)):
                if mask.any():
                    print(f"  {part}: {mask.sum()} cases, Err mean {ei[mask].mean():.3f}, max {ei[mask].max():.3f}")


if __name__ == "__main__":
    main()
