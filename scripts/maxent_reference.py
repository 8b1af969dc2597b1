"""MaxEnt (ana_cont maxent_svd, chi2kink, flat model / beta) on paper-prior spectra.

Run: PYTHONPATH=. OMP_NUM_THREADS=1 python scripts/maxent_reference.py N SIGMA   (docs used 30 1e-4)
Note: patches numpy.trapz process-wide (this script only); the package plugin does not.
"""

import sys
import time

import numpy as np

np.trapz = np.trapezoid
import ana_cont.continuation as cont  # noqa: E402

from ac_learned.config import build_grids, load_config  # noqa: E402
from ac_learned.grids import trapezoid_weights  # noqa: E402
from ac_learned.metrics import rse  # noqa: E402
from ac_learned.priors import make_dataset  # noqa: E402

cfg = load_config("configs/paper-rlista6.json")
x, nu = build_grids(cfg["grid"])
beta = 10.0
tau = x * beta
w = nu / beta
at, gt, _ = make_dataset(int(sys.argv[1]), x, nu, {"paper": 1}, 1)
rng = np.random.default_rng(3)
sig = float(sys.argv[2])
wts = trapezoid_weights(w)
model = np.ones_like(w) / (w[-1] - w[0]) / beta
res = []
t = time.time()
for i in range(len(at)):
    g = gt[i] + sig * rng.standard_normal(len(x))
    p = cont.AnalyticContinuationProblem(im_axis=tau, re_axis=w, im_data=g, kernel_mode="time_fermionic", beta=beta)
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        sol, _ = p.solve(
            method="maxent_svd",
            alpha_determination="chi2kink",
            optimizer="newton",
            stdev=np.full(len(x), sig),
            model=model,
            interactive=False,
        )
    a = sol.A_opt * wts
    a = a / a.sum()
    res.append(rse(a, at[i]))
print(sig, "MaxEnt mean RSE", np.mean(res), "median", np.median(res), f"{(time.time() - t) / len(at):.2f}s/spectrum")
