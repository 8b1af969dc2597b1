"""Other starts for the fit than solve's two-window average (experiments, not shipped).

Run: OMP_NUM_THREADS=1 PYTHONPATH=. python scripts/ensemble_variants_check.py [draws]   (~3 min with 3 draws;
docs/accuracy.md)

On the smooth physical spectra of scripts/ensemble_check.py (six families, beta = 2 ... 100, +-10 window,
`draws` noise draws each), the fit to the data is started from the average of k windows' networks of the same
noise band (k = 1: the served network alone; k = 2: what `solve(model="auto")` does; k = 3, 4: more windows)
and from the average of the two noise bands of the served window.  Mean Err over the families and draws.
"""
import sys
import warnings

import numpy as np
from ensemble_check import PHYSICAL_BETAS, SIGMAS, physical_spectrum

import ac_learned
from ac_learned.cards import load_model
from ac_learned.grids import trapezoid_weights, weights_on_grid
from ac_learned.inference import make_backend
from ac_learned.kernels import fermionic_kernel
from ac_learned.metrics import err_l1, normalise_output
from ac_learned.zoo import list_cards, noise_ceiling

SOLVE = sys.modules["ac_learned.solve"]
NAMES = ("metal", "mott", "semicircle", "asymmetric", "lorentzian", "band edges")


class AveragedNetworks:
    """Backend-like: the mean of several networks' normalised outputs on the served model's grid."""

    def __init__(self, served, members):
        self.nu = served.nu
        self.members = [(make_backend(m), m.nu) for m in [served] + members]

    def run(self, g):
        outs = []
        for backend, nu in self.members:
            a = np.maximum(backend.run(g), 0.0)
            if not np.array_equal(nu, self.nu):
                keep = np.abs(nu) <= self.nu[-1] * (1 + 1e-12)
                a = weights_on_grid(a[:, keep], nu[keep], self.nu)
            outs.append(normalise_output(a))
        return np.mean(outs, axis=0)


def variant(kind: str, k: int = 1):
    """A replacement for solve's make_backend that averages the chosen members."""
    cards = [c for c in list_cards() if c.get("auto", True)]
    windows = sorted({float(c["grid"]["v_max"]) for c in cards})

    def make(served, backend="auto", device="cpu"):
        v = float(served.card["grid"]["v_max"])
        if kind == "windows":
            wider = [w for w in windows if w > v][:k - 1]
            chosen = [c for c in cards if float(c["grid"]["v_max"]) in wider
                      and noise_ceiling(c) == noise_ceiling(served.card)]
        else:  # the other noise band of the served window
            chosen = [c for c in cards if float(c["grid"]["v_max"]) == v and c["name"] != served.card["name"]]
        return AveragedNetworks(served, [load_model(c["_path"]) for c in chosen])
    return make


def main(draws: int) -> None:
    warnings.simplefilter("ignore")
    SOLVE.companion = lambda served: None  # the variants replace solve's own average
    variants = {"1 window": variant("windows", 1), "2 windows (solve)": variant("windows", 2),
                "3 windows": variant("windows", 3), "4 windows": variant("windows", 4),
                "2 noise bands": variant("bands")}
    w, fine = np.linspace(-10.0, 10.0, 401), np.linspace(-40.0, 40.0, 40001)
    print(f"mean Err over {len(NAMES)} families x {draws} noise draws")
    print("| beta | sigma | " + " | ".join(variants) + " |")
    print("|---|---|" + "---|" * len(variants))
    for beta, n_tau in PHYSICAL_BETAS:
        tau = np.linspace(0.0, beta, n_tau)
        kern = fermionic_kernel(tau, fine, beta) * trapezoid_weights(fine)
        for sigma in SIGMAS:
            cells = []
            for make in variants.values():
                SOLVE.make_backend = make
                errs = []
                for j, name in enumerate(NAMES):
                    truth = physical_spectrum(name, w)
                    noisy = -(kern @ physical_spectrum(name, fine)) + sigma * np.random.default_rng(
                        100 * j + 1).standard_normal((draws, n_tau))
                    res = ac_learned.solve(tau, noisy, beta=beta, omega=w, err=sigma)
                    errs += list(err_l1(res.A * trapezoid_weights(w), truth * trapezoid_weights(w)))
                cells.append(f"{np.mean(errs):.3f}")
            print(f"| {beta:g} | {sigma:g} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
