"""The classic ana_cont MaxEnt script, with one word changed: method='rlista'.

Fermionic Matsubara data at beta = 10 from a three-peak spectrum plus noise,
continued on omega in [-3, 3] (served by the model that ``model='auto'`` picks: rlista10-v32).
Run: ``python examples/ana_cont_rlista.py`` (writes ana_cont_rlista.png).
"""

import matplotlib

matplotlib.use("Agg")
import ana_cont.continuation as cont  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ac_learned.ana_cont import register  # noqa: E402
from ac_learned.demo import demo_spectrum  # noqa: E402

register()  # ana_cont's own AnalyticContinuationProblem.solve now also knows 'rlista' and 'rlista+'

# real-frequency grid and example spectrum
w = np.linspace(-3.0, 3.0, num=301, endpoint=True)
w_fine = np.linspace(-10.0, 10.0, num=4001)
spec_fine = demo_spectrum(w_fine)

# Matsubara frequency grid and transformation of data
beta = 10.0
niw = 64
iw = np.pi / beta * (2.0 * np.arange(niw) + 1.0)
kernel = 1.0 / (1j * iw[:, None] - w_fine[None, :])
giw = np.trapezoid(kernel * spec_fine[None, :], w_fine, axis=1)

# add noise to the data
rng = np.random.RandomState(4713)
noise_ampl = 1e-4
giw += noise_ampl * (rng.randn(niw) + 1j * rng.randn(niw))

# error bars and default model for analytic continuation
err = np.ones_like(iw) * noise_ampl
model = np.ones_like(w)
model /= np.trapezoid(model, w)

# specify the analytic continuation problem
probl = cont.AnalyticContinuationProblem(im_axis=iw, re_axis=w, im_data=giw, kernel_mode="freq_fermionic")

# solve the problem -- the one changed word: method="rlista" (was "maxent_svd")
sol, _ = probl.solve(method="rlista", alpha_determination="chi2kink", optimizer="newton",
                     stdev=err, model=model, interactive=False)

print(f"model {sol.model_card['name']}, chi2 = {sol.chi2:.1f} for {2 * niw} real data points, "
      f"norm = {sol.norm:.4f}, reliable = {sol.reliable}")
truth = demo_spectrum(w)
print(f"Err = int|A - A_true| / int A_true = {np.trapezoid(np.abs(sol.A_opt - truth), w):.3f}")

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
ax1.plot(w, truth, "k--", label="true A(ω)")
ax1.plot(w, sol.A_opt, label="rlista")
ax1.set_xlabel("ω")
ax1.legend()
ax2.plot(iw, giw.imag, "o", ms=3, label="Im G(iω_n)")
ax2.plot(iw, sol.backtransform.imag, label="backtransform")
ax2.set_xlabel("ω_n")
ax2.legend()
fig.tight_layout()
fig.savefig("ana_cont_rlista.png", dpi=100)
print("wrote ana_cont_rlista.png")
