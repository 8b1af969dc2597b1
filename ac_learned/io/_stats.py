"""Sign-reweighted estimates from per-bin QMC data (ALF, SmoQyDQMC bins)."""

from __future__ import annotations

import numpy as np

from ..errors import FileFormatError


def check_signs(sign: np.ndarray, where: str, jackknife: bool = True) -> None:
    """Refuse per-bin average signs whose sum (or, with ``jackknife``, a leave-one-out sum) is zero.

    ``<sG>/<s>`` is undefined when the average sign is 0, and its jackknife error when the other
    bins' signs cancel. The message counts the bins whose average sign is 0.

    Raises
    ------
    FileFormatError
        The average sign, or a leave-one-out sum, is 0 or not finite.
    """
    sign = np.asarray(sign).reshape(-1)
    n = sign.size
    zero = int(np.count_nonzero(sign == 0))
    bins_text = f"{zero} of the {n} bins have average sign 0" if zero else f"over {n} bin(s)"
    total = np.sum(sign)
    if not np.isfinite(total) or total == 0:
        raise FileFormatError(
            f"{where}: the average sign is {'not finite' if not np.isfinite(total) else 0} ({bins_text}), so the "
            "sign-reweighted G = <sG>/<s> is undefined: the run's sign problem is too severe at these parameters, "
            "or it did not write its signs")
    if jackknife and n >= 2:
        left = total - sign
        if np.any(left == 0):
            b = int(np.argmax(left == 0))
            raise FileFormatError(
                f"{where}: without bin {b} the other bins' average signs sum to 0 ({bins_text}), so the "
                "jackknife error of the sign-reweighted G = <sG>/<s> is undefined: the run's sign problem is too "
                "severe at these parameters, or it did not write its signs")


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
