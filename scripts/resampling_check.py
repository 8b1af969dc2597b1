"""Log-spline vs plain cubic resampling of G(tau) through solve (network alone), on bin centres and a coarse grid.

Run: OMP_NUM_THREADS=1 PYTHONPATH=. python scripts/resampling_check.py  (docs/accuracy.md quotes its output).
LOG_SHIFT = 1e9 makes the log-spline a plain cubic spline of G.
"""
import numpy as np, json
import ac_learned.grids as grids
from ac_learned.cards import load_model
from ac_learned.zoo import models_dir
from ac_learned.priors import make_dataset
from ac_learned.kernels import fermionic_kernel_dimensionless
from ac_learned.solve import solve
from ac_learned.metrics import rse
BETA=10.0
for v in (56, 560):
    name=f"rlista10-v{v}"; m=load_model(models_dir()/f"{name}.json"); card=json.load(open(models_dir()/f"{name}.json"))
    a,_,_=make_dataset(300,m.x,m.nu,card["prior"],int(card["data"]["seed"])+5)
    for kind in ("centres200","uniform101"):
        tau = (np.arange(200)+0.5)/200*BETA if kind=="centres200" else np.linspace(0,BETA,101)
        g0=-(a@fermionic_kernel_dimensionless(tau/BETA,m.nu).T)
        for sig in (1e-4,1e-3,1e-2):
            g=g0+sig*np.random.default_rng(1).standard_normal(g0.shape)
            out=[]
            for shift in (1e-3, 1e9):
                grids.LOG_SHIFT=shift
                r=solve(tau,g,beta=BETA,omega=m.nu/BETA,err=sig,model=name,fit_data=False)
                out.append(rse(r.weights,a).mean())
            grids.LOG_SHIFT=1e-3
            print(v, kind, sig, "log %.4f plain %.4f"%tuple(out))
