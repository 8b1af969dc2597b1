"""Data consistency for a network's spectrum: the smallest change that fits the data to its noise.

A direct estimator such as RLISTA maps ``G`` to ``A`` without looking back at
the data; its back-transform typically misses precise data by many error bars
(chi2/N of 10^2-10^4 at sigma = 1e-4).  :func:`fit_to_data` keeps the network's
weights ``a0`` where the data allow it and moves them only as far as needed:

    minimise   D(a, a0) = sum_i (a_i - a0_i)^2 / (a0_i + floor * max(a0))
    subject to chi2(a) / N <= target,  a >= 0.

The sum of ``a`` is not held to 1: the data were divided by their own
``G(0) + G(beta)``, a measurement with error ``delta = hypot(err[0], err[-1])``
(relative units), and holding ``sum a = 1`` exactly would force the fit through
that error (at sigma = 1e-4 it left about 1 % of fits at chi2/N 1.5-2 whose
truth fits at 1).  ``sum a`` is tied to 1 within ``delta`` instead, by one more
term ``((sum a - 1) / delta)^2`` in chi2, and returned as
:attr:`FitReport.norm_scale`, the correction of the normalisation; ``a``
itself is returned normalised.

``D`` is Neyman's chi-square divergence, the second-order expansion of the
relative entropy that MaxEnt uses: a change is cheap where the network put
weight and expensive where it put none, which keeps the fit from growing
spurious spikes.  The problem is solved as ``min D + mu * N * chi2`` (a
non-negative least-squares problem) with ``mu`` chosen by bisection in
``log mu`` so that ``chi2/N`` meets the target (Morozov's discrepancy
principle, target 1: fitted to the noise, not beyond).  The mean alone can
hide a run of badly fitted points (typically the first and last few tau,
which carry the spectrum's tails) behind an interior fitted below its noise,
so the tau points are also cut into ``blocks`` contiguous runs and each run's
chi2 per point must stay below its chance level (the chi-square quantile at
a 1 % false-alarm rate over all blocks, Bonferroni).  When no admissible
spectrum reaches the target (error bars too small for the data), the goal
becomes 1.2 times the best achievable chi2/N (and 1.2 times the best
block) instead of an overfit.  ``a0``
is returned unchanged when it already fits.

Where the data are precise (relative error ``<= 1e-4``), the default model is
not the network's spectrum alone but a mixture ``(1 - w) * network + w *
broadened network`` with ``w = BROADENED_SHARE`` (:func:`broadened_share`,
tapering to 0 at ``3e-4``; :func:`broadened`: a Gaussian of width
``2 + 0.1 |nu|`` in ``nu = beta * omega``, i.e. two temperatures near the
Fermi level and a tenth of the frequency far from it).  Precise data pin a
spectrum's large-scale shape; the broadened share lets the fit smooth away
fine structure the network put where the data are silent, which on smooth
physical spectra is mostly wrong (the networks' training prior is rich in
sharp peaks), while the network's support and its peaks' positions stay in
the default (a flat share instead spreads weight over the whole window and
costs narrow quasi-particle peaks and Hubbard bands at low temperature).
``scripts/fit_start_by_noise_check.py``, docs/accuracy.md.

It is Tikhonov regularisation with the network's spectrum as default model:
the counterpart of RLISTA+ (MaxEnt with the neural default model) at a small
fraction of its cost.  Everything is on the model's dimensionless grid and
relative to ``G(0) + G(beta) = 1`` (see :mod:`ac_learned.conventions`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import nnls
from scipy.stats import chi2 as chi2_distribution

from .covariance import checked_covariance, cholesky_factor, whiten
from .errors import InputError
from .grids import trapezoid_weights

#: chi2/N aimed at (Morozov: the data fitted to their noise, not beyond).
DEFAULT_TARGET = 1.0
#: Relative floor of the divergence's denominator (where the network put no weight).
DEFAULT_FLOOR = 1e-3
#: Contiguous runs of tau points whose chi2 is checked separately (at least 5 points each).
DEFAULT_BLOCKS = 20
#: Share of the broadened network's spectrum in the fit's default model for precise data (:func:`broadened_share`).
BROADENED_SHARE = 0.7
#: Relative errors at or below which the full share applies, and at or above which none does.
BROADENED_SHARE_SIGMAS = (1e-4, 3e-4)
#: Width of the broadening in nu = beta * omega: ``c0 + c1 * |nu|`` (:func:`broadened`).
BROADENING = (2.0, 0.1)
_BLOCK_FALSE_ALARM = 0.01
_UNREACHABLE_MARGIN = 1.2


@dataclass
class FitReport:
    """What :func:`fit_to_data` did to one spectrum.

    Attributes
    ----------
    chi2_before, chi2_after : float
        chi2 per tau point of the network's and of the returned weights.
    changed : bool
        False when the network's weights already met the target.
    reached : bool
        Whether ``chi2_after <= target`` (to 5 %); False when no non-negative
        spectrum fits that well (error bars too small, or data outside the
        kernel's range).
    distance : float
        ``||a - a0||_2 / ||a0||_2``: how far the fit moved the spectrum.
    norm_scale : float
        ``sum(a)`` of the fit before it is returned normalised: the factor by
        which the data's ``G(0) + G(beta)`` (the normalisation the caller
        divided by, itself a noisy measurement) is corrected.  1 when the
        network's weights already fit.
    """

    chi2_before: float
    chi2_after: float
    changed: bool
    reached: bool
    distance: float
    norm_scale: float = 1.0


def broadened_share(sigma_rel: np.ndarray | float) -> np.ndarray:
    """Share of the broadened network spectrum in the fit's default model for data of relative error ``sigma_rel``.

    ``BROADENED_SHARE`` at or below ``BROADENED_SHARE_SIGMAS[0]``, 0 at or above
    ``BROADENED_SHARE_SIGMAS[1]``, linear in ``log(sigma_rel)`` between.

    Parameters
    ----------
    sigma_rel : float or ndarray
        One-sigma error of ``G`` relative to ``G(0) + G(beta)`` (e.g. the median
        over tau points), one per spectrum.

    Returns
    -------
    ndarray
        ``w`` in ``[0, BROADENED_SHARE]``, shaped like ``sigma_rel``.
    """
    lo, hi = np.log(BROADENED_SHARE_SIGMAS)
    t = (hi - np.log(np.maximum(np.asarray(sigma_rel, float), 1e-300))) / (hi - lo)
    return BROADENED_SHARE * np.clip(t, 0.0, 1.0)


def broadened(weights: np.ndarray, nu: np.ndarray, widths: tuple[float, float] = BROADENING) -> np.ndarray:
    """Weights on ``nu`` spread by a Gaussian of width ``c0 + c1 |nu|`` (of the source point), mass kept.

    Parameters
    ----------
    weights : ndarray, shape (n, Nnu)
        Weights on the grid ``nu`` (any sums; each row's sum is kept).
    nu : ndarray, shape (Nnu,)
        Dimensionless frequencies ``beta * omega``, strictly increasing.
    widths : (c0, c1)
        The Gaussian's standard deviation at ``nu`` is ``c0 + c1 * |nu|``.
    """
    width = widths[0] + widths[1] * np.abs(nu)
    spread = np.exp(-0.5 * ((nu[:, None] - nu[None, :]) / width[None, :]) ** 2) * trapezoid_weights(nu)[:, None]
    spread /= spread.sum(axis=0, keepdims=True)  # each source point's weight lands somewhere on the grid
    return weights @ spread.T


def with_broadened_share(weights: np.ndarray, nu: np.ndarray, share: np.ndarray | float) -> np.ndarray:
    """``(1 - share) * weights + share * broadened(weights)`` for each row (the fit's default model).

    Parameters
    ----------
    weights : ndarray, shape (n, Nnu)
    nu : ndarray, shape (Nnu,)
    share : float or ndarray, shape (n,)
    """
    share = np.broadcast_to(np.asarray(share, float), weights.shape[:1])[:, None]
    if not np.any(share > 0):
        return weights
    return (1.0 - share) * weights + share * broadened(weights, nu)


def _solve_mu(mu: float, s_vt: np.ndarray, u_g: np.ndarray, inv_sqrt_scale: np.ndarray, a0: np.ndarray) -> np.ndarray:
    """``argmin_{a >= 0} mu ||S V^T a - U^T g||^2 + ||(a - a0) / sqrt(scale)||^2``."""
    rows = np.vstack([np.sqrt(mu) * s_vt, np.diag(inv_sqrt_scale)])
    rhs = np.concatenate([np.sqrt(mu) * u_g, inv_sqrt_scale * a0])
    a, _ = nnls(rows, rhs, maxiter=50 * a0.size)
    return a


def _block_edges(n: int, blocks: int) -> np.ndarray:
    """Start indices (and the end) of ``min(blocks, n // 5)`` contiguous runs covering ``range(n)``."""
    k = max(1, min(blocks, n // 5))
    return np.linspace(0, n, k + 1).round().astype(int)


def _block_limits(edges: np.ndarray) -> np.ndarray:
    """chi2 per point that a run of ``diff(edges)`` points exceeds by chance with probability 1 % / #runs."""
    sizes = np.diff(edges)
    return chi2_distribution.ppf(1.0 - _BLOCK_FALSE_ALARM / sizes.size, sizes) / sizes


def fit_to_data(a0: np.ndarray, kernel: np.ndarray, g: np.ndarray, err: np.ndarray | float | None = None,
                target: float = DEFAULT_TARGET, floor: float = DEFAULT_FLOOR, rtol: float = 0.05,
                max_steps: int = 40, blocks: int = DEFAULT_BLOCKS,
                cov: np.ndarray | None = None, norm_error: float | None = None,
                _factored: tuple | None = None) -> tuple[np.ndarray, FitReport]:
    """The weights closest to ``a0`` (divergence ``D``) with ``chi2/N <= target``.

    Parameters
    ----------
    a0 : ndarray, shape (Nnu,)
        Non-negative weights summing to 1 (the network's output).
    kernel : ndarray, shape (Ntau, Nnu)
        ``G = kernel @ a`` in the positive convention, relative to ``G(0) + G(beta)``.
    g : ndarray, shape (Ntau,)
        Data (positive convention).
    err : float or ndarray, shape (Ntau,)
        One-sigma errors of independent points, in the units of ``g``; or None with ``cov``.
    target : float
        chi2/N to reach.
    floor : float
        Relative floor of the divergence's denominator.
    rtol : float
        Accept ``chi2/N`` within ``[goal (1 - rtol), goal]``.
    max_steps : int
        Bisection steps in ``log mu``.
    blocks : int
        Number of contiguous runs of tau points whose chi2 per point must
        also stay below chance level (``target`` scales their limits too);
        1 checks only the mean.
    cov : ndarray, shape (Ntau, Ntau), optional
        Covariance of ``g`` (units of ``g`` squared) instead of ``err``:
        chi2 is then ``r^T cov^{-1} r / Ntau`` and the block check runs on the
        whitened residuals (:mod:`ac_learned.covariance`).
    norm_error : float, optional
        Error of the normalisation the data were divided by, within which
        ``sum a`` is tied to 1; by default that of ``G(0) + G(beta)`` from the
        first and last points (``hypot(err[0], err[-1])``, or from ``cov``);
        ``inf`` leaves the sum to the data (Matsubara data, which hold it).

    Returns
    -------
    a : ndarray, shape (Nnu,)
        Non-negative, summing to 1; ``report.norm_scale * a`` is the fit itself
        (``chi2_after`` is its chi2).
    report : FitReport

    Raises
    ------
    InputError
        Shapes that do not match, non-positive or non-finite errors, or
        weights that are negative, non-finite or all zero.
    """
    a0, kernel, g, err, cov = _checked(a0, kernel, g, err, cov)
    if cov is None:
        # _factored: (kernel / err, its SVD) from fit_each, shared by rows with the same kernel and errors
        kt, gt = (kernel / err[:, None] if _factored is None else _factored[0]), g / err
        ends_error = float(np.hypot(err[0], err[-1]))  # of the G(0) + G(beta) that g was divided by
    else:
        chol = cholesky_factor(cov)
        kt, gt = whiten(chol, kernel), whiten(chol, g)
        ends_error = float(np.sqrt(max(cov[0, 0] + cov[-1, -1] + 2 * cov[0, -1], 1e-300)))
    norm_error = ends_error if norm_error is None else float(norm_error)

    edges = _block_edges(g.size, blocks)
    limits = target * _block_limits(edges) if edges.size > 2 else np.array([np.inf])

    def chi2(a):
        return float(np.mean((kt @ a - gt) ** 2))

    def worst_block(a):
        """Largest ratio of a run's chi2 per point to its limit."""
        if edges.size <= 2:
            return 0.0
        per_run = np.add.reduceat((kt @ a - gt) ** 2, edges[:-1]) / np.diff(edges)
        return float(np.max(per_run / limits))

    c0 = chi2(a0)
    if c0 <= target and worst_block(a0) <= 1.0:
        return a0, FitReport(c0, c0, False, True, 0.0)
    u, s, vt = np.linalg.svd(kt, full_matrices=False) if _factored is None or cov is not None else _factored[1]
    keep = s > s[0] * 1e-12
    s_vt = s[keep, None] * vt[keep]
    u_g = u[:, keep].T @ gt
    if np.isfinite(norm_error):  # an infinite error leaves sum a to the data
        s_vt = np.vstack([s_vt, np.full((1, a0.size), 1.0 / norm_error)])
        u_g = np.append(u_g, 1.0 / norm_error)
    inv_sqrt_scale = 1.0 / np.sqrt(a0 + floor * a0.max())
    # mu in units that weigh the two terms alike for a change of the size of a0
    mu_unit = float(np.sum((a0 * inv_sqrt_scale) ** 2)) / (c0 * g.size)

    lo, hi = -6.0, 14.0  # log10(mu / mu_unit)
    best = _solve_mu(mu_unit * 10.0 ** hi, s_vt, u_g, inv_sqrt_scale, a0)
    goal = max(target, _UNREACHABLE_MARGIN * chi2(best))
    block_goal = max(1.0, _UNREACHABLE_MARGIN * worst_block(best))
    for _ in range(max_steps):
        mid = 0.5 * (lo + hi)
        a_mid = _solve_mu(mu_unit * 10.0 ** mid, s_vt, u_g, inv_sqrt_scale, a0)
        c_mid, b_mid = chi2(a_mid), worst_block(a_mid)
        if c_mid > goal or b_mid > block_goal:
            lo = mid
        else:
            hi, best = mid, a_mid
            if c_mid >= goal * (1 - rtol) or b_mid >= block_goal * (1 - rtol) or hi - lo < 0.02:
                break
    scale = float(best.sum())
    c1 = chi2(best)
    a = best / scale
    return a, FitReport(c0, c1, True, c1 <= target * (1 + rtol), _distance(a, a0), scale)


def _checked(a0, kernel, g, err, cov) -> tuple:
    """The inputs of :func:`fit_to_data` as float arrays, or an :class:`InputError` saying what is wrong."""
    a0, kernel, g = (np.asarray(v, float) for v in (a0, kernel, g))
    if a0.ndim != 1 or kernel.ndim != 2 or g.ndim != 1:
        raise InputError(f"fit_to_data takes one spectrum: a0 (Nnu,), kernel (Ntau, Nnu), g (Ntau,); got shapes "
                         f"{a0.shape}, {kernel.shape}, {g.shape}")
    if kernel.shape != (g.size, a0.size):
        raise InputError(f"kernel has shape {kernel.shape}; with g of {g.size} and a0 of {a0.size} points it "
                         f"must be ({g.size}, {a0.size})")
    if (err is None) == (cov is None):
        raise InputError("fit_to_data needs the data's errors: pass err (independent points) or cov, not both")
    if cov is not None:
        cov = checked_covariance(cov, g.size)
    else:
        try:
            err = np.broadcast_to(np.asarray(err, float), g.shape)
        except ValueError:
            raise InputError(f"err must be a scalar or have g's shape {g.shape}, got {np.shape(err)}") from None
        if not (np.all(np.isfinite(err)) and np.all(err > 0)):
            raise InputError("err must be finite and strictly positive (one-sigma error bars)")
    if not (np.all(np.isfinite(a0)) and np.all(a0 >= 0) and a0.sum() > 0):
        raise InputError("a0 must be finite, non-negative weights with a positive sum (a network's output)")
    if not (np.all(np.isfinite(g)) and np.all(np.isfinite(kernel))):
        raise InputError("g and kernel must be finite")
    return a0, kernel, g, err, cov


def fit_each(a0: np.ndarray, kernel: np.ndarray, g: np.ndarray, err: np.ndarray | float | None = None,
             cov: np.ndarray | None = None, norm_error: float | None = None
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`fit_to_data` for each row of a batch.

    Parameters
    ----------
    a0, g : ndarray, shapes (n, Nnu), (n, Ntau)
    kernel : ndarray, shape (Ntau, Nnu)
    err : float or ndarray, broadcastable to (n, Ntau), optional
        Independent one-sigma errors.
    cov : ndarray, shape (Ntau, Ntau) or (n, Ntau, Ntau), optional
        Covariance of each row instead of ``err`` (one for all rows, or one each).
    norm_error : float, optional
        As for :func:`fit_to_data`.

    Returns
    -------
    a : ndarray, shape (n, Nnu)
        Each row normalised to 1.
    distance : ndarray, shape (n,)
        :attr:`FitReport.distance` of each row.
    norm_scale : ndarray, shape (n,)
        :attr:`FitReport.norm_scale` of each row: multiply the normalisation
        ``g`` was divided by with it.
    """
    n = a0.shape[0]
    if err is None and cov is None:
        raise InputError("fit_each needs the data's errors: pass err (independent points) or cov")
    if cov is not None:
        cov = np.asarray(cov, float)
        covs = np.broadcast_to(cov, (n, *cov.shape[-2:])) if cov.ndim == 2 else cov
        errs = [None] * n
    else:
        errs, covs = np.broadcast_to(err, g.shape), [None] * n
    out = np.empty_like(a0)
    dist = np.empty(n)
    scale = np.ones(n)
    # noise draws and jackknife samples: errors that differ between rows by a factor only (each row divided by
    # its own norm) share one SVD of the whitened kernel, whose singular values scale by that factor
    base = None
    if cov is None and n > 1:
        errs = np.asarray(errs, float)
        ratio = errs[:, :1] / errs[:1, :1]
        if np.allclose(errs, ratio * errs[0], rtol=1e-12, atol=0.0):
            kt0 = np.asarray(kernel, float) / errs[0][:, None]
            u0, s0, vt0 = np.linalg.svd(kt0, full_matrices=False)
            base = (kt0, u0, s0, vt0, ratio[:, 0])
    for i in range(n):
        factored = None if base is None else (base[0] / base[4][i], (base[1], base[2] / base[4][i], base[3]))
        out[i], rep = fit_to_data(a0[i], kernel, g[i], errs[i], cov=covs[i], norm_error=norm_error,
                                  _factored=factored)
        dist[i], scale[i] = rep.distance, rep.norm_scale
    return out, dist, scale


def _distance(a: np.ndarray, a0: np.ndarray) -> float:
    return float(np.linalg.norm(a - a0) / max(float(np.linalg.norm(a0)), 1e-300))
