"""Goodness of fit and the calibrated reliability flag.

Every result carries ``chi2 = mean(((G_back - G) / err)^2)`` over the input's
tau points.  A model card stores, for a ladder of relative noise levels
``sigma``, a threshold: the ``quantile`` (default 0.99) of this chi2 over
held-out in-distribution spectra at that noise.  A result whose chi2 exceeds the
threshold at its own noise level is flagged unreliable.
"""

from __future__ import annotations

import numpy as np

RECOMMENDATION = (
    "the network's own spectrum misses these data by more than it misses its training spectra (they are "
    "probably unlike them; with fit_data the spectrum was moved to fit the data, but the network's shape "
    "is a poor guide here); compare with method 'rlista+' (MaxEnt with the network's spectrum as default model)"
)


FIT_NOTE_ABOVE = 2.0


def fit_note(chi2: float | None, method: str = "rlista") -> str:
    """A plain-words reading of chi2/N, for console output.

    :func:`ac_learned.solve` moves the network's spectrum until it fits the
    data to chi2/N = 1 (``fit_data``); a chi2/N still above
    :data:`FIT_NOTE_ABOVE` means no non-negative spectrum close to the
    network's fits the data: the error bars are too small for the data, or
    ``G`` is not a diagonal fermionic Green's function on this grid.
    """
    if chi2 is None or not np.isscalar(chi2) and np.size(chi2) != 1:
        return ""
    c = float(np.asarray(chi2).ravel()[0])
    if c <= FIT_NOTE_ABOVE or method != "rlista":
        return ""
    return (f" (chi2/N {c:.3g} > {FIT_NOTE_ABOVE:g}: no non-negative spectrum near the network's fits these data "
            "to their error bars; are the errors underestimated (correlated bins, too few samples), or was "
            "fit_data switched off?)")


def chi2_per_point(g: np.ndarray, g_back: np.ndarray, err: np.ndarray) -> np.ndarray:
    """``mean(((g_back - g) / err)^2)`` over the last axis."""
    return np.mean(((g_back - g) / err) ** 2, axis=-1)


def calibrate_thresholds(sigmas: np.ndarray, chi2: np.ndarray, quantile: float = 0.99) -> list[float]:
    """Threshold per noise level: the ``quantile`` of chi2 over held-out spectra.

    Parameters
    ----------
    sigmas : ndarray, shape (S,)
    chi2 : ndarray, shape (S, n)
        chi2 per spectrum at each noise level.
    quantile : float
    """
    return [float(np.quantile(c, quantile)) for c in np.asarray(chi2)]


def threshold_for(card: dict, sigma_rel: float) -> float | None:
    """Calibrated chi2 threshold of a model at relative noise ``sigma_rel``.

    Interpolates ``log(threshold)`` linearly in ``log(sigma)``.  Below the
    calibrated range the threshold grows like ``sigma^-2`` (the network's own
    residual dominates there); above it the last value is kept.  Returns None
    when the card has no calibration.
    """
    rel = card.get("reliability")
    if not rel or not rel.get("sigma"):
        return None
    s = np.asarray(rel["sigma"], float)
    t = np.asarray(rel["chi2_threshold"], float)
    order = np.argsort(s)
    s, t = s[order], t[order]
    if sigma_rel <= s[0]:
        return float(t[0] * (s[0] / sigma_rel) ** 2)
    if sigma_rel >= s[-1]:
        return float(t[-1])
    return float(np.exp(np.interp(np.log(sigma_rel), np.log(s), np.log(t))))
