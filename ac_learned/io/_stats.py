"""Sign-reweighted estimates from per-bin QMC data (ALF, SmoQyDQMC bins)."""

from __future__ import annotations

import numpy as np


def reweighted(obs: np.ndarray, sign: np.ndarray) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Estimate ``<sG>/<s>`` with jackknife errors and linearised per-bin samples.

    Parameters
    ----------
    obs : ndarray, shape (n_bins, ...)
        Per-bin averages of sign times the observable.
    sign : ndarray, shape (n_bins,)
        Per-bin average sign.

    Returns
    -------
    mean : ndarray, shape (...)
        ``sum(obs) / sum(sign)``.
    errors : ndarray or None
        Jackknife standard error of the ratio (None with fewer than two bins);
        complex input gives the error of the real part.
    samples : ndarray, shape (n_bins, ...)
        Linearised (delta-method) per-bin samples
        ``G + (obs_b - <sG>)/<s> - G (s_b - <s>)/<s>``: their mean is exactly
        ``mean`` and ``std(samples)/sqrt(n_bins)`` is the leading-order error
        including the sign fluctuations. With ``s = 1`` they are the bins.
    """
    n = obs.shape[0]
    shape = (n,) + (1,) * (obs.ndim - 1)
    s = sign.reshape(shape)
    s_mean = np.mean(sign)
    o_mean = np.mean(obs, axis=0)
    mean = o_mean / s_mean
    samples = mean + (obs - o_mean) / s_mean - mean * (s - s_mean) / s_mean
    if n < 2:
        return mean, None, samples
    total_o = np.sum(obs, axis=0)
    total_s = np.sum(sign)
    jack = (total_o - obs) / (total_s - s)
    dev = jack - np.mean(jack, axis=0)
    errors = np.sqrt((n - 1) / n * np.sum(np.real(dev) ** 2, axis=0))
    return mean, errors, samples
