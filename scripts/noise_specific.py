"""Noise-specific training on the paper set: does a network trained at one sigma beat paper-rlista6 there?

Run: OMP_NUM_THREADS=1 PYTHONPATH=. python scripts/noise_specific.py SIGMA DEPTH   (docs/accuracy.md used
1e-4 10 and 1e-3 10).  Trains a DEPTH-RLISTA (LMMSE warm start, soft thresholding) on 100k paper-prior
spectra with white noise SIGMA only (30 epochs, Adam 1e-3) and scores it on the `default` benchmark's
paper set (200 spectra of paper-rlista6's held-out seed, noise seed 123), where paper-rlista6 and MaxEnt
were measured (docs/bench/default.md).  ~1-2 min per run on one thread.
"""
import sys
import tempfile

import numpy as np

from ac_learned.bench.fig2a import paper_config, paper_grids, predict, train_network
from ac_learned.metrics import rse
from ac_learned.priors import make_dataset

sig, depth = float(sys.argv[1]), int(sys.argv[2])
x, nu = paper_grids()
noise = {"sigma_min": sig, "sigma_max": sig, "p_correlated": 0.0, "levels": [sig]}
arch = {"type": "rlista", "depth": depth, "threshold": "soft", "init": "lmmse"}
cfg = paper_config(f"ns-{sig}-{depth}", arch, noise, 100000, 30, n_test=50)
cfg["eval"] = {"sigmas": [sig], "calibration_sigmas": [sig], "quantile": 0.99}
with tempfile.TemporaryDirectory() as work:
    net, _ = train_network(cfg, work, log=lambda *a: None)
a, g, _ = make_dataset(200, x, nu, {"paper": 1}, 2)  # paper-rlista6's held-out seed (data.seed + 2)
gn = g + sig * np.random.default_rng(123).standard_normal(g.shape)
print(f"sigma {sig:g}, {depth}-RLISTA: mean RSE on the default-bench paper set {rse(predict(net, gn), a).mean():.4f}")
