"""``solve`` beside MaxEnt-flat on physical spectra of families the networks were not trained on (session 12).

Run: OMP_NUM_THREADS=1 PYTHONPATH=. python scripts/physical_families_check.py [--extra] [--only NAME_SUBSTR]
         [--no-maxent] [--model NAME] [--out FILE.jsonl] [--arrays DIR] [--shard K/N]
     ... physical_families_check.py --coarse-tau   (solve's Err against the tau grid's end spacing, ~1 min)
     ... physical_families_check.py --shares       (solve with its broadened share forced, ~1 min)
     ... physical_families_check.py --smooth       (four smooth shapes of no family, 16 cases with MaxEnt)
     ... physical_families_check.py --compare-models OLD NEW --grid 20,8,401   (two models, no MaxEnt, ~5 min)
(53 cases, or 14 with ``--extra``: other noise seeds of the worst cases and smooth one-sided spectra; one
MaxEnt-flat run each, 1-300 s; run two shards ``--shard 0/2`` and ``1/2`` side by side; docs/accuracy.md
"A user test on unseen spectral families")

Spectra: metals (Lorentzian quasi-particle peak of width 0.02-0.1 and semicircular Hubbard bands at +-U/2),
Mott insulators, a hole-doped metal, a BCS gap with coherence peaks, an atomic-limit peak, a flat band on a
broad background, one-sided continua and a semiconductor with square-root band edges.  Each is cut to the
window [-omega_max, omega_max] and normalised there; G(tau) on uniform tau points by the trapezoid rule over
40001 omega points; white noise sigma relative to G(0) + G(beta) = 1, passed as ``err``.  A(omega) on 401
points; Err = int |A - A_true| / int A_true against the fine spectrum averaged over the cells.  Writes one
JSON line per case (resumable: cases already in the file are skipped).
"""
import argparse
import contextlib
import io
import json
import os
import time
import zlib

import numpy as np
from scipy.signal import find_peaks

import ac_learned
from ac_learned.pipeline import _maxent_solve

NFINE = 40001


# ---------------------------------------------------------------- spectra (unnormalised, on fine grid)
def lor(w, w0, g):
    return g / np.pi / ((w - w0) ** 2 + g ** 2)


def semi(w, w0, D):
    x = (w - w0) / D
    return np.where(np.abs(x) < 1, 2 / (np.pi * D) * np.sqrt(np.clip(1 - x * x, 0, None)), 0.0)


def gauss(w, w0, s):
    return np.exp(-0.5 * ((w - w0) / s) ** 2) / np.sqrt(2 * np.pi) / s


def spec_metal(w, U, gam, Z=0.3):
    # Lorentzian quasiparticle + Hubbard bands: semicircles of half width 1 at +-U/2
    return Z * lor(w, 0, gam) + (1 - Z) / 2 * (semi(w, -U / 2, 1.0) + semi(w, U / 2, 1.0))


def spec_mott(w, U, D=1.0):
    return 0.5 * (semi(w, -U / 2, D) + semi(w, U / 2, D))


def spec_doped(w):
    # hole-doped: lower Hubbard band big, QP peak at +0.2 narrow-ish, upper Hubbard band at +3.5
    return 0.45 * semi(w, -1.5, 1.2) + 0.2 * lor(w, 0.2, 0.08) + 0.35 * semi(w, 3.5, 1.0)


def spec_bcs(w, Delta, Gam=0.01, W=2.0):
    z = w + 1j * Gam
    dos = np.real(z / np.sqrt(z * z - Delta ** 2 + 0j))
    dos = np.abs(dos)
    return dos * (np.abs(w) < W)


def spec_atomic(w, w0=1.5, gam=0.03):
    return lor(w, w0, gam)


def spec_flatband(w):
    return 0.4 * lor(w, -0.5, 0.02) + 0.6 * semi(w, 0.5, 4.0)


def spec_positive(w):
    # weight only at omega > 0: x^2 e^{-x} band edge starting at 0.3
    x = np.clip(w - 0.3, 0, None)
    return x ** 1.5 * np.exp(-x / 0.8)


def spec_twoband_edge(w):
    # semiconductor: sqrt band edges at -0.5 and +0.8 (3D DOS), exponential cutoffs
    xv = np.clip(-0.5 - w, 0, None)
    xc = np.clip(w - 0.8, 0, None)
    return 0.5 * np.sqrt(xv) * np.exp(-xv / 1.0) + 0.5 * np.sqrt(xc) * np.exp(-xc / 1.5)


def fermi(x):
    return 0.5 * (1 - np.tanh(x / 2))


def spec_lognormal(w):
    # a log-normal continuum from an onset at -0.5 (peak near +0.4, long tail)
    x = np.clip(w + 0.5, 1e-12, None)
    return np.where(w > -0.5, np.exp(-np.log(x / 1.2) ** 2 / (2 * 0.45 ** 2)) / x, 0.0)


def spec_fermi_band(w):
    # a flat-topped band from -2.5 to +1 with soft (Fermi-function) edges of different widths
    return fermi((w - 1.0) / 0.3) * fermi(-(w + 2.5) / 0.6)


def spec_drude_interband(w):
    # a Drude peak (Lorentzian, width 0.3) and a soft interband onset at 1.2 with an exponential tail
    return 0.3 * lor(w, 0, 0.3) + 0.7 * fermi(-(w - 1.2) / 0.15) * np.exp(-np.clip(w - 1.2, 0, None) / 1.5)


def spec_skew_bump(w):
    # a skewed broad bump (skew-normal-like)
    return np.exp(-0.5 * ((w + 0.5) / 1.2) ** 2) * (1 + np.tanh(2.0 * (w + 0.5)))


SPECTRA = {
    "negative_only": lambda w: spec_positive(-w),
    "semicircle_D2": lambda w: semi(w, 0.0, 2.0),
    "semicircle_D2_shift": lambda w: semi(w, 0.7, 2.0),
    "metal_U2": lambda w: spec_metal(w, 2.0, 0.05),
    "metal_U4": lambda w: spec_metal(w, 4.0, 0.05),
    "metal_U6": lambda w: spec_metal(w, 6.0, 0.05),
    "metal_U4_g02": lambda w: spec_metal(w, 4.0, 0.02),
    "metal_U4_g10": lambda w: spec_metal(w, 4.0, 0.10),
    "mott_U4": lambda w: spec_mott(w, 4.0),
    "mott_U6": lambda w: spec_mott(w, 6.0),
    "doped": spec_doped,
    "bcs_D03": lambda w: spec_bcs(w, 0.3),
    "atomic_1p5": spec_atomic,
    "flatband": spec_flatband,
    "positive_only": spec_positive,
    "semicond": spec_twoband_edge,
    # smooth shapes of no training family and no earlier case (session 13, ``--smooth``)
    "lognormal": spec_lognormal,
    "fermi_band": spec_fermi_band,
    "drude_interband": spec_drude_interband,
    "skew_bump": spec_skew_bump,
}
SMOOTH_SHAPES = ("lognormal", "fermi_band", "drude_interband", "skew_bump")


def make_case(name, beta, wmax, ntau, rel, seed):
    wf = np.linspace(-wmax, wmax, NFINE)
    Af = SPECTRA[name](wf)
    Af = Af / np.trapezoid(Af, wf)  # truncated to the window and normalised there
    tau = np.linspace(0, beta, ntau)
    K = np.exp(-tau[:, None] * wf[None, :] - np.logaddexp(0, -beta * wf[None, :]))
    wts = np.full(NFINE, wf[1] - wf[0])
    wts[[0, -1]] *= 0.5
    G = -(K * (Af * wts)[None, :]).sum(1)
    rng = np.random.default_rng(seed)
    sig = rel * 1.0  # relative to G(0)+G(beta) = 1
    gn = G + sig * rng.standard_normal(ntau)
    omega = np.linspace(-wmax, wmax, 401)
    # truth on the 401 grid: cell averages of the fine spectrum (what a density on that grid means)
    edges = np.concatenate([[omega[0]], 0.5 * (omega[1:] + omega[:-1]), [omega[-1]]])
    cum = np.concatenate([[0], np.cumsum(0.5 * (Af[1:] + Af[:-1]) * np.diff(wf))])
    cedge = np.interp(edges, wf, cum)
    At = np.diff(cedge) / np.diff(edges)
    return tau, gn, G, omega, At, sig, wf, Af


def err_l1(A, At, omega):
    return float(np.trapezoid(np.abs(A - At), omega) / np.trapezoid(At, omega))


def peaks(A, omega):
    if A is None or not np.all(np.isfinite(A)):
        return []
    p, pr = find_peaks(A, prominence=0.05 * np.max(A))
    return [round(float(omega[i]), 3) for i in p]


def feats(A, omega):
    if A is None:
        return {}
    m = np.abs(omega) <= 0.3
    return {"w_tot": float(np.trapezoid(A, omega)), "w_low": float(np.trapezoid(A[m], omega[m])),
            "A0": float(np.interp(0, omega, A)), "peaks": peaks(A, omega),
            "neg": bool(np.any(A < -1e-12)), "nan": bool(not np.all(np.isfinite(A)))}


def run_one(name, beta, wmax, ntau, rel, seed, do_maxent=True, model="auto", arrays=None):
    tau, gn, G, omega, At, sig, wf, Af = make_case(name, beta, wmax, ntau, rel, seed)
    row = dict(case=name, beta=beta, wmax=wmax, ntau=ntau, sigma=rel, seed=seed, model=model,
               truth=feats(At, omega))
    t0 = time.time()
    try:
        r = ac_learned.solve(tau, gn, beta=beta, omega=omega, err=sig, model=model)
        row.update(t_solve=time.time() - t0, err_solve=err_l1(r.A, At, omega), chi2=float(r.chi2),
                   chi2_net=float(r.chi2_network), reliable=bool(r.reliable), warnings=list(r.warnings),
                   served=r.model_card.get("name"), averaged_with=str(getattr(r, "averaged_with", None)),
                   norm=float(r.norm), solve=feats(r.A, omega))
        if arrays:
            np.save(os.path.join(arrays, f"{tag(row)}_solve.npy"), r.A)
    except Exception as e:  # noqa
        row.update(t_solve=time.time() - t0, solve_exc=f"{type(e).__name__}: {e}")
    if do_maxent:
        t0 = time.time()
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                m = _maxent_solve(tau, gn, beta, omega, np.full(ntau, sig), "maxent", "auto", "numpy", "cpu")
            row.update(t_me=time.time() - t0, err_me=err_l1(m.A, At, omega), chi2_me=float(m.chi2),
                       me=feats(m.A, omega))
            if arrays:
                np.save(os.path.join(arrays, f"{tag(row)}_me.npy"), m.A)
        except Exception as e:  # noqa
            row.update(t_me=time.time() - t0, me_exc=f"{type(e).__name__}: {e}")
        if "err_me" in row and "err_solve" in row:
            row["ratio"] = row["err_solve"] / row["err_me"]
    if arrays:
        np.save(os.path.join(arrays, f"{tag(row)}_true.npy"), At)
    return row


def tag(row):
    seed = f"_seed{row['repeat']}" if row.get("repeat") else ""
    return f"{row['case']}_b{row['beta']:g}_w{row['wmax']:g}_s{row['sigma']:g}_{row['model']}{seed}"


def extra_matrix():
    """Other noise draws (repeat > 0) of the worst cases, and smooth one-sided and semicircular spectra."""
    return [("positive_only", 20, 8, 401, 1e-4, 1), ("positive_only", 20, 8, 401, 1e-4, 2),
            ("positive_only", 20, 8, 401, 1e-5, 0), ("positive_only", 100, 8, 801, 1e-4, 0),
            ("positive_only", 200, 10, 801, 1e-5, 0), ("negative_only", 20, 8, 401, 1e-4, 0),
            ("mott_U6", 200, 10, 801, 1e-4, 1), ("mott_U6", 100, 8, 801, 1e-4, 0),
            ("semicircle_D2", 20, 6, 401, 1e-4, 0), ("semicircle_D2", 100, 6, 801, 1e-5, 0),
            ("semicircle_D2_shift", 50, 6, 401, 1e-4, 0), ("metal_U4", 20, 8, 401, 1e-5, 0),
            ("semicond", 50, 5, 401, 1e-3, 0), ("positive_only", 50, 8, 401, 1e-3, 0)]


def smooth_matrix():
    """Four smooth shapes of no training family (session 13): is the weak spot smooth spectra, or band edges?"""
    return [(name, beta, wmax, ntau, rel, 0) for name in SMOOTH_SHAPES
            for beta, wmax, ntau in ((20, 8, 401), (100, 5, 801)) for rel in (1e-5, 1e-4)]


# ------------------------------------------------------------- the test matrix (~60 MaxEnt runs)
def matrix():
    M = []
    # (beta, wmax, ntau): physical combos
    for U in (2, 4, 6):
        for beta, wmax, ntau in ((20, 8, 401), (50, 8, 401), (100, 10, 801)):
            for rel in (1e-4, 1e-3):
                M.append((f"metal_U{U}", beta, wmax, ntau, rel))
    M += [("metal_U4", 200, 10, 801, 1e-4), ("metal_U4", 5, 6, 201, 1e-4), ("metal_U4", 50, 8, 401, 1e-5),
          ("metal_U4_g02", 100, 8, 801, 1e-4), ("metal_U4_g02", 200, 10, 801, 1e-5),
          ("metal_U4_g10", 20, 8, 401, 1e-4), ("metal_U4_g10", 50, 8, 401, 1e-5)]
    for beta, wmax, ntau in ((5, 6, 201), (20, 8, 401), (100, 8, 801)):
        for rel in (1e-5, 1e-3):
            M.append(("mott_U4", beta, wmax, ntau, rel))
    M += [("mott_U6", 50, 8, 401, 1e-4), ("mott_U6", 200, 10, 801, 1e-4)]
    for beta, wmax, ntau, rel in ((20, 6, 401, 1e-4), (50, 8, 401, 1e-5), (100, 8, 801, 1e-3), (5, 6, 201, 1e-4)):
        M.append(("doped", beta, wmax, ntau, rel))
    for beta, wmax, ntau, rel in ((50, 5, 401, 1e-4), (100, 5, 801, 1e-5), (200, 5, 801, 1e-4), (200, 5, 801, 1e-3)):
        M.append(("bcs_D03", beta, wmax, ntau, rel))
    for beta, wmax, ntau, rel in ((20, 5, 201, 1e-4), (50, 6, 401, 1e-5), (100, 8, 801, 1e-3), (5, 5, 201, 1e-4)):
        M.append(("atomic_1p5", beta, wmax, ntau, rel))
    for beta, wmax, ntau, rel in ((20, 6, 401, 1e-4), (100, 6, 801, 1e-4), (50, 8, 401, 1e-3)):
        M.append(("flatband", beta, wmax, ntau, rel))
    for beta, wmax, ntau, rel in ((20, 8, 401, 1e-4), (50, 10, 401, 1e-5), (5, 8, 201, 1e-3)):
        M.append(("positive_only", beta, wmax, ntau, rel))
    for beta, wmax, ntau, rel in ((20, 5, 401, 1e-4), (100, 5, 801, 1e-5)):
        M.append(("semicond", beta, wmax, ntau, rel))
    return M


def coarse_tau_rows() -> None:
    """``solve``'s Err against the tau grid's end spacing times omega_max (docs/accuracy.md, coarse-tau table)."""
    for name, beta, wmax in (("metal_U4", 200, 10), ("metal_U4", 100, 10), ("mott_U4", 200, 10), ("metal_U2", 200, 8)):
        for ntau in (51, 101, 151, 201, 401, 801):
            tau, gn, _, omega, At, sig, _, _ = make_case(name, beta, wmax, ntau, 1e-4, 7)
            r = ac_learned.solve(tau, gn, beta=beta, omega=omega, err=sig)
            coarse = any("tau grid is coarse" in w for w in r.warnings)
            print(f"{name} beta {beta} ntau {ntau}: spacing*omega_max {beta / (ntau - 1) * wmax:.1f}, "
                  f"Err {err_l1(r.A, At, omega):.3f}, peaks {peaks(r.A, omega)}{', coarse warning' if coarse else ''}",
                  flush=True)


def share_rows() -> None:
    """``solve`` with its broadened share forced to 0 / 0.7 / 0.9 / 1 (docs/accuracy.md, smooth continua)."""
    import importlib

    solve_module = importlib.import_module("ac_learned.solve")
    shipped = solve_module.broadened_share
    cases = [("positive_only", 20, 8, 401, 1e-4), ("positive_only", 50, 10, 401, 1e-5), ("semicond", 100, 5, 801, 1e-5),
             ("semicond", 20, 5, 401, 1e-4), ("metal_U4", 50, 8, 401, 1e-4), ("metal_U2", 20, 8, 401, 1e-4),
             ("mott_U4", 20, 8, 401, 1e-5), ("bcs_D03", 50, 5, 401, 1e-4), ("doped", 20, 6, 401, 1e-4),
             ("metal_U4_g02", 100, 8, 801, 1e-4)]
    print("case | network alone | shipped | share 0 | 0.7 | 0.9 | 1 (Err)")
    try:
        for name, beta, wmax, ntau, rel in cases:
            tau, gn, _, omega, At, sig, _, _ = make_case(name, beta, wmax, ntau, rel, 0)
            errs = []
            for share in ("shipped", 0.0, 0.7, 0.9, 1.0):
                solve_module.broadened_share = shipped if share == "shipped" else (
                    lambda s, v=share: np.full(np.shape(s), v))
                errs.append(err_l1(ac_learned.solve(tau, gn, beta=beta, omega=omega, err=sig).A, At, omega))
            solve_module.broadened_share = shipped
            alone = ac_learned.solve(tau, gn, beta=beta, omega=omega, err=sig, fit_data=False)
            print(f"{name} beta {beta} sigma {rel:g} | {err_l1(alone.A, At, omega):.3f} | "
                  + " | ".join(f"{e:.3f}" for e in errs), flush=True)
    finally:
        solve_module.broadened_share = shipped


FAMILIES_7 = ("paper", "gaussians", "lorentzians", "sharp", "gapped", "semicircle", "hubbard")


def compare_models(old: str, new: str, beta: float, wmax: float, ntau: int) -> None:
    """Two models (names or card paths, one window each, no MaxEnt) on every spectrum here and on held-out sets.

    Used for the continua-prior experiment (docs/accuracy.md, session 13): ``solve(model=...)`` Err on all
    SPECTRA at sigma 1e-5, 1e-4, 1e-3 with two noise draws each, then the networks' RSE on 3000 held-out
    spectra of the shipped zoo's seven families and of the ``continua`` family.
    """
    from ac_learned.inference import NumpyBackend
    from ac_learned.priors import make_dataset
    from ac_learned.zoo import resolve

    ratios: dict = {}
    for name in sorted(SPECTRA):
        for rel in (1e-5, 1e-4, 1e-3):
            for repeat in (0, 1):
                seed = zlib.crc32(f"{name}-{beta}-{rel}".encode()) % 2 ** 31 + 1000 * repeat
                tau, gn, _, omega, At, sig, _, _ = make_case(name, beta, wmax, ntau, rel, seed)
                e = [err_l1(ac_learned.solve(tau, gn, beta=beta, omega=omega, err=sig, model=m).A, At, omega)
                     for m in (old, new)]
                ratios.setdefault(name, []).append(e[1] / e[0])
                ratios.setdefault(rel, []).append(e[1] / e[0])
                print(f"{name} sigma {rel:g} draw {repeat}: Err old {e[0]:.4f} new {e[1]:.4f}", flush=True)
    print("new / old Err, mean over the draws and noise levels of each spectrum:")
    for name in sorted(SPECTRA):
        print(f"  {name}: {np.mean(ratios[name]):.2f}")
    for rel in (1e-5, 1e-4, 1e-3):
        print(f"  sigma {rel:g}: median {np.median(ratios[rel]):.3f}")
    print(f"  all: median {np.median([r for k, v in ratios.items() if isinstance(k, str) for r in v]):.3f}")
    models = [resolve(m, 1.0) for m in (old, new)]
    for label, mix in (("seven families", dict.fromkeys(FAMILIES_7, 1.0)), ("continua", {"continua": 1.0})):
        a, g, _ = make_dataset(3000, models[0].x, models[0].nu, mix, seed=12345)
        rng = np.random.default_rng(5)
        for rel in (1e-5, 1e-4, 1e-3):
            gn = g + rel * rng.standard_normal(g.shape)
            rse = [np.mean(np.linalg.norm(NumpyBackend(m).run(gn) - a, axis=1)) for m in models]
            print(f"held-out {label}, sigma {rel:g}: network RSE old {rse[0]:.4f} new {rse[1]:.4f} "
                  f"({rse[1] / rse[0]:.3f})", flush=True)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--coarse-tau", action="store_true", help="only the coarse-tau rows")
    ap.add_argument("--shares", action="store_true", help="only the forced-share rows")
    ap.add_argument("--extra", action="store_true", help="the extra cases instead of the main matrix")
    ap.add_argument("--smooth", action="store_true", help="four smooth shapes of no family instead (16 cases)")
    ap.add_argument("--compare-models", nargs=2, metavar=("OLD", "NEW"),
                    help="two models (one window each, no MaxEnt) on every spectrum at --grid, and held-out sets")
    ap.add_argument("--grid", default="20,8,401", help="BETA,OMEGA_MAX,NTAU for --compare-models")
    ap.add_argument("--only", default=None)
    ap.add_argument("--no-maxent", action="store_true")
    ap.add_argument("--model", default="auto")
    ap.add_argument("--out", default="physical_families.jsonl")
    ap.add_argument("--arrays", default=None, help="folder for the spectra as .npy (not saved without it)")
    ap.add_argument("--shard", default="0/1")
    a = ap.parse_args()
    if a.compare_models:
        beta_c, wmax_c, ntau_c = a.grid.split(",")
        compare_models(*a.compare_models, float(beta_c), float(wmax_c), int(ntau_c))
        raise SystemExit(0)
    if a.coarse_tau or a.shares:
        coarse_tau_rows() if a.coarse_tau else share_rows()
        raise SystemExit(0)
    if a.arrays:
        os.makedirs(a.arrays, exist_ok=True)
    done = set()
    if os.path.exists(a.out):
        for line in open(a.out):
            done.add(tag(json.loads(line)))
    k, n = map(int, a.shard.split("/"))
    cases = extra_matrix() if a.extra else smooth_matrix() if a.smooth else [(*c, 0) for c in matrix()]
    for i, (name, beta, wmax, ntau, rel, repeat) in enumerate(cases):
        if i % n != k or (a.only and a.only not in name):
            continue
        row0 = dict(case=name, beta=beta, wmax=wmax, sigma=rel, model=a.model, repeat=repeat)
        if tag(row0) in done:
            continue
        seed = zlib.crc32(f"{name}-{beta}-{rel}".encode()) % 2 ** 31 + 1000 * repeat
        row = run_one(name, beta, wmax, ntau, rel, seed, do_maxent=not a.no_maxent, model=a.model, arrays=a.arrays)
        row["repeat"] = repeat
        with open(a.out, "a") as f:
            f.write(json.dumps(row) + "\n")
        print(f"{name:14s} b={beta:<4g} s={rel:g} solve={row.get('err_solve', np.nan):.3f} "
              f"me={row.get('err_me', np.nan):.3f} chi2={row.get('chi2', np.nan):.2f} "
              f"rel={row.get('reliable')} t={row.get('t_solve', 0):.2f}/{row.get('t_me', 0):.1f}s "
              f"{row.get('solve_exc', '')}{row.get('me_exc', '')}", flush=True)
