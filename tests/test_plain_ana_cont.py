"""A MaxEnt script that never imports ac_learned keeps working once ac_learned is installed.

ana_cont 1.1.2's MaxEnt calls ``np.trapz``, which numpy 2.4 removed; the
``ana_cont`` extra therefore keeps numpy below 2.4.  With numpy >= 2.4 (which
that constraint rules out) plain ana_cont cannot run MaxEnt and the test skips.
"""

import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("ana_cont")

NUMPY_TOO_NEW = np.lib.NumpyVersion(np.__version__) >= "2.4.0"

SCRIPT = """
import sys
import warnings

import numpy as np
import ana_cont.continuation as cont
import ana_cont.kernels as kernels

warnings.simplefilter("ignore", DeprecationWarning)  # numpy 2.x deprecates np.trapz, which ana_cont calls
w = np.linspace(-3, 3, 61)
tau = np.linspace(0, 10, 51)
g = kernels.Kernel("time_fermionic", w * 10, tau / 10).matrix @ (np.exp(-w**2) / np.sqrt(np.pi)) * 0.1
probl = cont.AnalyticContinuationProblem(im_axis=tau, re_axis=w, im_data=g, kernel_mode="time_fermionic",
                                         beta=10.0)
sol, _ = probl.solve(method="maxent_svd", alpha_determination="chi2kink", model=np.full(61, 1 / 60.0),
                     stdev=np.full(51, 1e-4), verbose=False)
assert "ac_learned" not in sys.modules, "the script imported ac_learned"
print(f"norm {np.sum(0.5 * (sol.A_opt[1:] + sol.A_opt[:-1]) * np.diff(w)):.4f}")
"""


@pytest.mark.skipif(NUMPY_TOO_NEW, reason=f"numpy {np.__version__} >= 2.4 has no np.trapz, so plain ana_cont 1.1.2 "
                    "MaxEnt cannot run here; the ana_cont extra installs numpy<2.4, which this environment violates")
def test_plain_ana_cont_maxent_runs_without_ac_learned():
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    norm = float(proc.stdout.split()[-1])
    assert norm == pytest.approx(1.0, abs=1e-2)

