"""Continue the SrVO3 DFT+DMFT G(tau) (../shared/realdata) with RLISTA and MaxEnt, side by side.

Run: PYTHONPATH=. OMP_NUM_THREADS=1 python scripts/srvo3_check.py [MODEL] [OUT.png]
Prints chi2/N, the reliability flag, peak positions and band weights of the network alone, of `solve`'s
default (the network fitted to the data), of MaxEnt with a flat default model and of RLISTA+ (MaxEnt with
the network's spectrum as default model); the same with three windows and with the error bars taken 2x and
3.3x smaller; writes a figure.
The data file is not shipped (GPL-3 origin: the SrVO3 example of TRIQS/maxent, doc/guide/srvo3/, columns
tau, G(tau), error); it is read from ../shared/realdata/ beside the repository, or from the path in the
environment variable SRVO3_DATA.
"""

import contextlib
import io
import os
import sys
from pathlib import Path

import numpy as np

import ac_learned
from ac_learned.grids import trapezoid_weights

DATA = Path(os.environ.get("SRVO3_DATA",
                          Path(__file__).resolve().parents[1].parent / "shared" / "realdata" / "srvo3_G_tau.dat"))


def band_weights(omega, A):
    w = trapezoid_weights(omega)
    return {b: float(np.sum((A * w)[(omega >= lo) & (omega < hi)])) for b, (lo, hi) in
            {"[-4,-1]": (-4, -1), "[-1,1]": (-1, 1), "[1,5]": (1, 5)}.items()}


def maxent(tau, g, err, beta, omega):
    trapz_missing = not hasattr(np, "trapz")
    if trapz_missing:
        np.trapz = np.trapezoid  # this script only; the package's plugin confines the fix to ana_cont
    import ana_cont.continuation as cont

    probl = cont.AnalyticContinuationProblem(im_axis=tau, re_axis=omega, im_data=-g, kernel_mode="time_fermionic",
                                             beta=beta)
    model = np.ones_like(omega) / (omega[-1] - omega[0]) / beta
    with contextlib.redirect_stdout(io.StringIO()):
        sol, _ = probl.solve(method="maxent_svd", alpha_determination="chi2kink", optimizer="newton",
                             stdev=err, model=model, interactive=False)
    return sol.A_opt, float(np.mean(((-sol.backtransform - g) / err) ** 2))


def main():
    model = sys.argv[1] if len(sys.argv) > 1 else "auto"
    out = sys.argv[2] if len(sys.argv) > 2 else "docs/srvo3.png"
    if not DATA.is_file():
        sys.exit(f"srvo3_check: no data at {DATA}. The file is not shipped (GPL-3 origin): take srvo3_G_tau.dat "
                 "(tau, G(tau), error; beta = 37.5) from the SrVO3 example of TRIQS/maxent (doc/guide/srvo3/) "
                 "and pass its path as SRVO3_DATA=/path/to/file")
    tau, g, err = np.loadtxt(DATA, unpack=True)
    beta = 37.5
    omega = np.linspace(-10, 10, 801)
    res = ac_learned.solve(tau, g, beta=beta, omega=omega, err=err, model=model)
    net = ac_learned.solve(tau, g, beta=beta, omega=omega, err=err, model=model, fit_data=False)
    a_me, chi2_me = maxent(tau, g, err, beta, omega)
    from ac_learned.pipeline import _maxent_solve

    with contextlib.redirect_stdout(io.StringIO()):
        plus = _maxent_solve(tau, g, beta, omega, err, "rlista+", model, "auto", "cpu")
    rows = (("RLISTA network " + net.model_card["name"], net.A, net.chi2),
            ("RLISTA fitted (solve default)", res.A, res.chi2), ("MaxEnt flat", a_me, chi2_me),
            ("RLISTA+ (MaxEnt, neural default)", plus.A, plus.chi2))
    for name, A, chi2 in rows:
        near = (omega > -1) & (omega < 1.5)
        hub = (omega > 1.5) & (omega < 5)
        low = (omega > -4) & (omega < -1)
        print(f"{name}: chi2/N = {chi2:.3f}; QP peak {omega[near][np.argmax(A[near])]:+.2f} eV "
              f"(height {A[near].max():.2f}); upper band max {omega[hub][np.argmax(A[hub])]:+.2f} eV; "
              f"lower band max {omega[low][np.argmax(A[low])]:+.2f} eV; weights {band_weights(omega, A)}")
    print(f"reliable = {res.reliable}; warnings = {res.warnings}")
    for wmax in (4.0, 6.0, 10.0):  # does the answer hinge on the window (a different network each)?
        om = np.linspace(-wmax, wmax, 601)
        r = ac_learned.solve(tau, g, beta=beta, omega=om, err=err, model=model)
        near, hub = (om > -1) & (om < 1.5), (om > 1.5) & (om < 5)
        print(f"window +-{wmax:g} eV, {r.model_card['name']}: chi2/N = {r.chi2:.2f}; QP peak "
              f"{om[near][np.argmax(r.A[near])]:+.2f} eV; upper band max {om[hub][np.argmax(r.A[hub])]:+.2f} eV")
    for scale in (0.5, 0.3):  # error bars taken smaller: does a tighter fit move the upper band?
        r = ac_learned.solve(tau, g, beta=beta, omega=omega, err=err * scale, model=model)
        near, hub = (omega > -1) & (omega < 1.5), (omega > 1.5) & (omega < 5)
        z = (r.backtransform - g) / err
        print(f"error bars x{scale:g}: chi2/N with the file's errors {np.mean(z ** 2):.3f}; QP peak "
              f"{omega[near][np.argmax(r.A[near])]:+.2f} eV; upper band max {omega[hub][np.argmax(r.A[hub])]:+.2f} eV; "
              f"largest |residual| {np.abs(z).max():.1f} sigma")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 2, figsize=(11, 4))
    for (name, A, chi2), style in zip(rows, ("C0:", "C0-", "k-", "C3--")):
        ax[0].plot(omega, A, style, label=f"{name} (χ²/N {chi2:.2f})")
    ax[0].set_xlim(-6, 6)
    for x0 in (-2.0, 0.0, 2.6):
        ax[0].axvline(x0, color="0.8", lw=0.8, zorder=0)
    ax[0].set_xlabel("ω (eV)")
    ax[0].set_ylabel("A(ω) (1/eV)")
    ax[0].legend(fontsize=7)
    ax[1].plot(tau, (net.backtransform - g) / err, "C0:", lw=0.8, label="network")
    ax[1].plot(tau, (res.backtransform - g) / err, "C0", lw=0.8, label="fitted")
    ax[1].legend(fontsize=7)
    ax[1].set_xlabel("τ")
    ax[1].set_ylabel("(G_back − G)/σ")
    fig.suptitle("SrVO3 t2g, β = 37.5 1/eV")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
