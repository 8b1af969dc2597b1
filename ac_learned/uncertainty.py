"""Per-frequency error bands: RLISTA on every jackknife sample or on noise draws.

The network is a fixed, cheap map, so propagating the data's uncertainty costs
one batched forward pass (plus, by default, each sample's fit to the data,
2-45 ms per sample):

- with bins (ALF, SmoQyDQMC, ALPS time series): leave-one-out jackknife over the
  bins; the band is the jackknife standard error
  ``sqrt((n - 1) / n * sum_i (A_i - mean A)^2)``;
- with a covariance: draws ``g + L xi`` with ``L L^T = cov``;
- with error bars only: draws ``g + err * xi`` (independent points).

The centre is the continuation of the data themselves (not the mean of the
samples), and the band is placed around it: its limits are the centre plus the
16 % and 84 % quantiles of the samples minus their median (the jackknife's:
the centre -/+ its standard error).  The band is the spread of the answer under
the data's noise, not an interval around the truth, and it always holds the
centre.  The samples' own quantiles are not the band: each sample is fitted
to data carrying the noise twice (the data's own and the draw's), so the fit
moves it further than it moves the centre, and on precise data (three-peak
spectra, error bars of 1e-4 and 1e-5) those quantiles missed the centre at up
to 88 % of the frequencies where A exceeds a tenth of its maximum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .covariance import checked_covariance, cholesky_factor
from .errors import InputError
from .matsubara_fit import MatsubaraData, MatsubaraSource
from .solve import ContinuationResult, solve


@dataclass
class Band:
    """An error band of a spectrum.

    Attributes
    ----------
    std : ndarray, shape (Nomega,)
        One-sigma spread of A(omega) over the samples.
    lower, upper : ndarray
        The spread of A(omega) under the data's noise, placed around the centre (the continuation of
        the data themselves): centre + (16 % and 84 % quantiles of the samples - their median) for
        draws, centre -/+ std for the jackknife; ``lower`` is clipped at 0.
    method : str
        ``"jackknife"``, ``"covariance draws"`` or ``"error-bar draws"``.
    n_samples : int
    """

    std: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    method: str
    n_samples: int


def jackknife_samples(bins: np.ndarray) -> np.ndarray:
    """Leave-one-out means of bins, shape (n_bins, Ntau) from (n_bins, Ntau)."""
    n = bins.shape[0]
    if n < 2:
        raise InputError("a jackknife needs at least 2 bins")
    return (bins.sum(axis=0, keepdims=True) - bins) / (n - 1)


def error_band(tau, g, beta: float, omega, err=None, cov=None, bins=None, n_draws: int = 200, seed: int = 0,
               centre: ContinuationResult | None = None, matsubara: MatsubaraSource | None = None,
               **solve_kwargs) -> Band:
    """Error band of the RLISTA spectrum of ``g``.

    Parameters
    ----------
    tau, g, beta, omega : as for :func:`ac_learned.solve` (``g`` one spectrum).
    err : array_like, optional
        Error bars, used for draws when neither ``bins`` nor ``cov`` is given.
    cov : ndarray, shape (Ntau, Ntau), optional
    bins : ndarray, shape (n_bins, Ntau), optional
        Per-bin estimates (already sign-reweighted); a jackknife is used.
    n_draws : int
        Number of noise draws (ignored with bins).
    seed : int
    centre : ContinuationResult, optional
        The result for ``g`` itself, if already computed.
    matsubara : MatsubaraSource, optional
        The Matsubara data ``g`` was mapped from: the samples are then drawn
        there (noise of their error bars, or a jackknife over their bins),
        mapped to G(tau) by the same map, and each is fitted to its own
        Matsubara sample, as the centre is (:mod:`ac_learned.matsubara_fit`).
    **solve_kwargs
        ``model``, ``backend``, ``device``, ``fit_data``.

    Every sample is continued exactly as ``g`` is: with the data's error bars
    (``err``, ``cov`` itself or the bins' standard error), so the
    same noise-band model and, by default, the same fit to the data
    (:func:`ac_learned.refine.fit_to_data`) apply to the centre and the band.

    Returns
    -------
    Band
        The spread of the samples placed around the centre (:func:`band_from_samples`): how much the
        answer moves under the data's noise.
    """
    g = np.asarray(g, float)
    if g.ndim != 1:
        raise InputError("error_band takes one spectrum at a time (g of shape (Ntau,))")
    rng = np.random.default_rng(seed)
    if matsubara is not None:
        return _matsubara_band(tau, g, beta, omega, err, bins, n_draws, rng, centre, matsubara, solve_kwargs)
    if bins is not None:
        bins = np.asarray(bins, float)
        samples = jackknife_samples(bins)
        sample_err = bins.std(axis=0, ddof=1) / np.sqrt(bins.shape[0])
        method = "jackknife"
    elif cov is not None:
        cov = checked_covariance(cov, len(g))
        samples = g + rng.standard_normal((n_draws, len(g))) @ cholesky_factor(cov).T
        sample_err = None  # the samples are continued with the covariance itself
        method = "covariance draws"
    elif err is not None:
        sample_err = np.broadcast_to(np.asarray(err, float), g.shape)
        samples = g + sample_err * rng.standard_normal((n_draws, len(g)))
        method = "error-bar draws"
    else:
        raise InputError("an error band needs bins, a covariance or error bars")
    errors = {"err": sample_err} if sample_err is not None else {"cov": cov}
    res = solve(tau, samples, beta=beta, omega=omega, **errors, **solve_kwargs)
    if centre is None:
        centre = solve(tau, g, beta=beta, omega=omega, **errors, **solve_kwargs)
    return _band(np.atleast_2d(res.A), centre, method)


def _band(a: np.ndarray, centre: ContinuationResult, method: str) -> Band:
    """:func:`band_from_samples` of the sample spectra ``a`` about ``centre.A``."""
    return band_from_samples(a, centre.A, method)


def band_from_samples(a: np.ndarray, centre: np.ndarray, method: str) -> Band:
    """The band of sample spectra ``a`` (n, Nomega), placed around the spectrum ``centre`` (Nomega,).

    Jackknife: ``centre -/+`` the jackknife standard error.  Draws: ``centre + q - median(a)`` for the
    16 % and 84 % quantiles ``q`` of the samples, so the band keeps their spread (the answer's precision
    under the data's noise) but is centred where the answer is (see the module's notes).
    """
    a = np.atleast_2d(a)
    n = a.shape[0]
    if method == "jackknife":
        std = np.sqrt((n - 1) / n * np.sum((a - a.mean(axis=0)) ** 2, axis=0))
        lower, upper = centre - std, centre + std
    else:
        std = a.std(axis=0, ddof=1)
        q16, median, q84 = np.quantile(a, [0.16, 0.5, 0.84], axis=0)
        lower, upper = centre + (q16 - median), centre + (q84 - median)
    return Band(std=std, lower=np.maximum(lower, 0.0), upper=upper, method=method, n_samples=n)


def _matsubara_band(tau, g, beta, omega, err, bins, n_draws, rng, centre, source: MatsubaraSource,
                    solve_kwargs: dict) -> Band:
    """:func:`error_band` for G(tau) mapped from Matsubara data: samples drawn on the Matsubara points."""
    data = source.data
    iw_err = np.asarray(data.errors, float)
    if source.bins is not None and bins is not None and np.shape(source.bins)[0] >= 2:
        iw_samples = jackknife_samples(np.asarray(source.bins))
        tau_err = np.asarray(bins, float).std(axis=0, ddof=1) / np.sqrt(np.shape(bins)[0])
        method = "jackknife"
    else:
        if err is None:
            raise InputError("an error band needs bins or error bars")
        shape = (n_draws, iw_err.size)
        iw_samples = data.values + iw_err * (rng.standard_normal(shape) + 1j * rng.standard_normal(shape))
        tau_err = np.broadcast_to(np.asarray(err, float), g.shape)
        method = "error-bar draws"
    samples = source.mapped(iw_samples)
    fit_to = MatsubaraData(data.omega_n, iw_samples, iw_err)
    res = solve(tau, samples, beta=beta, omega=omega, err=tau_err, matsubara=fit_to, **solve_kwargs)
    if centre is None:
        centre = solve(tau, g, beta=beta, omega=omega, err=tau_err, matsubara=data, **solve_kwargs)
    return _band(np.atleast_2d(res.A), centre, method)
