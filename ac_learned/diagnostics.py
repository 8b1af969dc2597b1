"""Goodness of fit and the calibrated reliability flag.

Every result carries ``chi2 = mean(((G_back - G) / err)^2)`` over the input's
tau points.  A model card stores, for a ladder of relative noise levels
``sigma``, a threshold: the ``quantile`` (default 0.99) of this chi2 over
held-out in-distribution spectra at that noise.  A result whose chi2 exceeds the
threshold at its own noise level is flagged unreliable.

A spectrum fitted to the data (``solve``'s default) is also flagged when its
chi2/N stays above :data:`FIT_NOTE_ABOVE`: the fit aims at chi2/N = 1 and
gets there whenever a non-negative spectrum inside the model's window fits
the data to their error bars, so failing by a factor of two means none does
(spectral weight beyond the frequency window, error bars too small, or data
that are not a diagonal fermionic ``G``).
"""

from __future__ import annotations

import numpy as np

RECOMMENDATION = (
    "the network's own spectrum misses these data by more than it misses its training spectra (they are "
    "probably unlike them; with fit_data the spectrum was moved to fit the data, but the network's shape "
    "is a poor guide here); compare with method 'rlista+' (MaxEnt with the network's spectrum as default model)"
)


#: chi2/N above which a spectrum fitted to the data (target 1) is said not to fit them.
FIT_NOTE_ABOVE = 2.0

#: What to do about spectral weight beyond the model's window ({widen} of FIT_FAILED and AT_EDGE): with
#: model="auto" a wider omega brings a wider model; a model asked for by name serves no more than its own.
WIDEN_AUTO = "widen omega (model='auto' then takes a wider window)"
WIDEN_NAMED = ("use model='auto' with a wider omega, or a model of a wider window (this one serves no more than "
               "its own)")

FIT_FAILED = (
    "even fitted to the data the spectrum reaches only chi2/N = {chi2:.3g} (> {limit:g}): no non-negative "
    "spectrum in the model's window |omega| <= {omega_max:.4g} (which holds the requested omega) fits these "
    "data to their error bars. If spectral weight may lie beyond that, {widen}; otherwise the error bars are "
    "too small (correlated bins, too few samples) or G is not a diagonal fermionic Green's function"
)
#: How that warning begins (dropped where a failed Matsubara tail fit explains the high chi2).
FIT_FAILED_START = FIT_FAILED.split("{", 1)[0]


def mark_biased_tail(res, tail_warning: str, fitted_to_matsubara: bool = False, reach: float | None = None) -> None:
    """A result from G(tau) mapped from Matsubara data whose tail failed its test: warned, and not reliable.

    The mapped G(tau) is then off by several error bars.  Fitted to that G(tau), the fit's own chi2
    warning (:data:`FIT_FAILED`) would blame the window or the error bars, so it gives way to
    ``tail_warning``.  Fitted to the Matsubara data themselves (``fitted_to_matsubara``), the spectrum
    fits what was measured, but the frequencies stop short of the tail: the data say little about
    the spectrum beyond them, and the network's start and its reliability flag came from the biased
    G(tau).  Then ``reach`` (:func:`ac_learned.matsubara_fit.reach`: the last frequency over the spectrum's
    99 % half-width) decides: below :data:`ac_learned.matsubara_fit.TAIL_REACH_RELIABLE` the data end inside
    the spectrum and the result is not reliable; above, the warning is given and the flag stays as the other
    checks set it.  ``res`` is a :class:`ac_learned.ContinuationResult` (changed in place).
    """
    if fitted_to_matsubara:
        from .matsubara_fit import TAIL_REACH_RELIABLE

        text = tail_warning.replace("may be off by as much", "may be off by as much (the network read it; the "
                                    "spectrum was then fitted to the Matsubara data themselves)")
        if reach is not None and reach >= TAIL_REACH_RELIABLE:
            res.warnings.append(text + f"; the points reach {reach:.2g} times the half-width holding 99 % of the "
                                "fitted spectrum, which they constrain, so the reliability flag is left to the other "
                                "checks")
            return
        res.warnings.append(text + (f"; the points end inside the fitted spectrum (at {reach:.2g} of the half-width "
                                    "holding 99 % of its weight)" if reach is not None else "")
                            + "; the result is not reliable")
    else:
        res.warnings = [w for w in res.warnings if not w.startswith(FIT_FAILED_START)]
        res.warnings.append(tail_warning + "; the result is not reliable (a high chi2 of the fit comes from this "
                            "bias, not from the window or the error bars)")
    res.reliable = False


def fit_note(chi2: float | None, method: str = "rlista", fitted: bool = False) -> str:
    """A plain-words reading of chi2/N, for console output.

    :func:`ac_learned.solve` moves the network's spectrum until it fits the
    data to chi2/N = 1 (``fit_data``); a chi2/N still above
    :data:`FIT_NOTE_ABOVE` means no non-negative spectrum close to the
    network's fits the data: the error bars are too small for the data, or
    ``G`` is not a diagonal fermionic Green's function on this grid.  Empty
    for a ``fitted`` result, whose warnings already say so (:data:`FIT_FAILED`).
    """
    if fitted or chi2 is None or not np.isscalar(chi2) and np.size(chi2) != 1:
        return ""
    c = float(np.asarray(chi2).ravel()[0])
    if c <= FIT_NOTE_ABOVE or method != "rlista":
        return ""
    return (f" (chi2/N {c:.3g} > {FIT_NOTE_ABOVE:g}: no non-negative spectrum near the network's fits these data "
            "to their error bars; are the errors underestimated (correlated bins, too few samples), or was "
            "fit_data switched off?)")


#: chi2/N of a fitted spectrum below which the error bars are said to be too large.
ERRORS_TOO_LARGE_BELOW = 0.25

ERRORS_TOO_LARGE = (
    "chi2/N = {chi2:.3g} (< {limit:g}): the spectrum fits the data far better than their error bars allow, "
    "which look about {factor:.2g}x too large "
    "(the spread of the samples passed instead of the error of their mean? errors from too few bins?). "
    "With errors too large the spectrum is smoother and less resolved than the data allow; if the errors are "
    "right but strongly correlated in tau, pass their covariance (cov=)"
)


def errors_look_too_large(chi2_fitted: np.ndarray) -> np.ndarray:
    """Whether a fitted chi2/N is too small for correctly estimated errors.

    The fit stops at chi2/N = 1; a spectrum that already fits the data far
    better than that is fitting noise that is not there.  With correct error
    bars the fitted chi2/N stayed above 0.51 on 2,400 held-out spectra
    (white and strongly tau-correlated noise, AR(1) coefficient up to 0.9;
    ``scripts/error_scale_check.py``), so :data:`ERRORS_TOO_LARGE_BELOW`
    (errors about 2x too large) raises no false warning there.
    """
    return np.asarray(chi2_fitted) < ERRORS_TOO_LARGE_BELOW


NOISE_ABOVE_MODEL = (
    "the data's relative noise ({sigma:.2g} of G(0)+G(beta){where}) is above the largest that model {name} was "
    "trained on ({ceiling:.2g}): its spectrum is a poor guide for such data, even fitted (reliable is False); "
    "{advice}"
)
#: {where} of NOISE_ABOVE_MODEL for data averaged to the model's resolution (a grid denser than the model's).
NOISE_AVERAGED = ", after averaging the points to the model's resolution"
#: {advice} of NOISE_ABOVE_MODEL for a model asked for by name.
NOISE_ADVICE_NAMED = "use model='auto', which picks a model trained on this noise"
#: {advice} of NOISE_ABOVE_MODEL when model='auto' chose the model: no shipped model covers such noise.
NOISE_ADVICE_AUTO = (
    "no shipped model was trained on noise this large. Lower it (more measurements: the noise falls as one over "
    "the square root of their number), or continue with MaxEnt (method 'maxent'), which takes any noise level"
)


#: Data noisier than this times a model's largest training noise are flagged (the margin absorbs the
#: scatter of the measured G(0) + G(beta) by which the errors are divided, and data at a model's own top level).
NOISE_ABOVE_MARGIN = 1.5


def noise_above_model(sigma_rel: np.ndarray, ceiling: float) -> np.ndarray:
    """Spectra whose relative noise exceeds :data:`NOISE_ABOVE_MARGIN` times the largest a model was
    trained on (``noise.sigma_max``).

    A named low-noise model (trained on sigma <= 3e-4) on data at 1e-3 gave a
    fitted Err 2-4x that of ``model="auto"`` in the session-12 user test, with
    chi2/N about 1 and no other sign of it.
    """
    return np.asarray(sigma_rel, float) > NOISE_ABOVE_MARGIN * ceiling


#: Largest tau spacing at the ends times max|omega| before the grid is said to be coarse for the window.
#: Session-12 user test (metal and Mott spectra with bands near |omega| = 1-2, beta = 100-200, omega_max
#: 8-10, sigma = 1e-4): at spacing * omega_max = 2.5-5 ``solve``'s Err is that of a fine grid, at 8-10 it is
#: 0-22 % higher, at 13-20 30-300 % higher with the bands moved inwards (it was 20 until then).
COARSE_TAU_LIMIT = 10.0

#: spacing * |omega| up to which features are still resolved (bands at |omega| = 2 moved at spacing 1.33-2,
#: not at 1); the warning names ``COARSE_TAU_RESOLVED / spacing``.
COARSE_TAU_RESOLVED = 2.5

COARSE_TAU = (
    "the tau grid is coarse for this window: next to tau = 0 and beta its spacing is {spacing:.3g}, and G(tau) "
    "falls off there like exp(-|omega| tau), so spectral features at |omega| beyond about {resolved:.3g} are "
    "seen only through the total weight and their shape comes from the model's prior (MaxEnt has the same "
    "limit); measure G on a finer grid near the ends, or narrow omega"
)


def end_spacing(tau: np.ndarray, beta: float) -> float:
    """The widest step next to ``tau = 0`` or ``beta`` (end gaps included)."""
    return float(max(tau[1] - tau[0], tau[-1] - tau[-2], tau[0], beta - tau[-1]))


#: Outer part of a model's window, as a fraction of its half-width V, watched for piled-up weight.
EDGE_REGION = 0.9
#: Share of the spectral weight in that outer part above which the spectrum is said to reach beyond the window.
EDGE_WEIGHT_MAX = 0.1

#: Part of solve's warning that spectral weight lies beyond the user's omega grid.
OUTSIDE_GRID_PHRASE = "of the spectral weight lies outside the omega grid"

#: Below this beta * max|omega| (the window in units of the temperature) a warning says what the data can tell.
NARROW_WINDOW_WARN = 5.0
NARROW_WINDOW = (
    "the window spans beta * max|omega| = {v:.3g} < {warn:g} temperatures: over it the kernel "
    "e^(-tau omega) / (1 + e^(-beta omega)) hardly varies with omega, so G(tau) fixes little beyond the total "
    "weight and the first moments, and structure inside the window is the prior's guess (MaxEnt's too: on a "
    "metal with Hubbard bands at beta * max|omega| = 0.5-5 both had errors int|A - A_true| / int A_true of "
    "0.5-0.7, scripts/narrow_window_check.py)"
)

AT_EDGE = (
    "{share:.0%} of the spectral weight lies within the outer {outer:.0%} of the model's window "
    "|omega| <= {omega_max:.4g}: the spectrum probably extends beyond it and what lies beyond has been piled "
    "up at the edge; {widen}"
)


def weight_at_window_edge(weights: np.ndarray, nu: np.ndarray, v_max: float) -> np.ndarray:
    """Share of each row of ``weights`` (on ``nu``) in ``|nu| > EDGE_REGION * v_max``.

    A continuation on a window too narrow for the spectrum moves the weight
    that lies beyond the window to its edge (the kernel cannot tell them
    apart).  On held-out spectra of every shipped model's prior this share
    stays below 0.05 (99th percentile 0.01-0.04); spectra with 10-50 % of
    their weight beyond the window put 0.05-0.55 (median) there
    (docs/bench/reliability.md).
    """
    outer = np.abs(np.asarray(nu)) > EDGE_REGION * v_max
    return np.asarray(weights)[..., outer].sum(axis=-1)


def fit_failed(chi2_fitted: np.ndarray) -> np.ndarray:
    """True where a spectrum fitted to the data still has chi2/N above :data:`FIT_NOTE_ABOVE`."""
    return np.asarray(chi2_fitted) > FIT_NOTE_ABOVE


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
