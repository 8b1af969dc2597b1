"""Probe (session 15, not shipped): does the disagreement of two networks flag spectra of unseen shapes?

Run: OMP_NUM_THREADS=1 PYTHONPATH=. python scripts/disagreement_check.py [MODEL] [SIGMA]

``model="auto"`` averages the served network with the one of the next wider window (its companion) before the
fit.  Where the data leave a spectrum's shape open, two networks trained on different windows might disagree more
than on spectra of their training prior: an ensemble-disagreement detector of unfamiliar inputs.  For 300 spectra
each of the model's held-out prior and of the unseen families of ``ac-learned bench reliability`` (boxes, power-law
edges, combs, ramps), on the model's own grid with white noise SIGMA, this prints the median L1 distance between
the two networks' normalised outputs (raw, and both broadened as the fit's default model is) and the share above
the in-distribution 99 % quantile (1 % false alarms by construction).
"""
import sys

import numpy as np

from ac_learned.bench import reliability as R
from ac_learned.cards import load_model
from ac_learned.grids import weights_on_grid
from ac_learned.inference import make_backend
from ac_learned.kernels import fermionic_kernel_dimensionless
from ac_learned.metrics import normalise_output
from ac_learned.priors import make_dataset
from ac_learned.refine import broadened
from ac_learned.zoo import companion, list_cards

name = sys.argv[1] if len(sys.argv) > 1 else "rlista10-v100"
sigma = float(sys.argv[2]) if len(sys.argv) > 2 else 1e-4
n = 300
card = [c for c in list_cards() if c["name"] == name][0]
net = load_model(card["_path"])
part = companion(net)
print(name, "companion", part.name)
nu = net.nu

def disagreement(g_model):
    a1 = normalise_output(make_backend(net).run(g_model))
    o = np.maximum(make_backend(part).run(g_model), 0)
    keep = np.abs(part.nu) <= nu[-1] * (1 + 1e-12)
    a2 = normalise_output(weights_on_grid(o[:, keep], part.nu[keep], nu))
    d_raw = np.abs(a1 - a2).sum(1)
    d_b = np.abs(broadened(a1, nu) - broadened(a2, nu)).sum(1)
    return d_raw, d_b

seed0 = int(card["data"]["seed"]) + 555
out = {}
for k, fam in enumerate(["in-distribution", *R.UNSEEN]):
    rng = np.random.default_rng(seed0 + k)
    if fam in R.UNSEEN:
        a = R.UNSEEN[fam](rng, n, nu / np.max(np.abs(nu)))
    else:
        a, _, _ = make_dataset(n, net.x, nu, card["prior"], seed0 + k)
    g = a @ fermionic_kernel_dimensionless(net.x, nu).T
    g = g + sigma * rng.standard_normal(g.shape)
    g = g / (g[:, :1] + g[:, -1:])
    out[fam] = disagreement(g)
thr = [np.quantile(out["in-distribution"][i], 0.99) for i in (0, 1)]
for fam, (dr, db) in out.items():
    print(f"{fam:16s} raw median {np.median(dr):.3f} flag {np.mean(dr > thr[0]):.0%} | "
          f"broadened median {np.median(db):.3f} flag {np.mean(db > thr[1]):.0%}")
