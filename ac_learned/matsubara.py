"""Fermionic Matsubara data to imaginary time, the representation the models read.

``G(tau) = (1/beta) sum_{n in Z} exp(-i omega_n tau) G(i omega_n)`` converges
slowly because ``G(i omega_n) ~ c1 / (i omega_n)``.  The high-frequency tail

    ``T(i omega_n) = c1 / (i omega_n) + c2 / (i omega_n)^2 + c3 / (i omega_n)^3``

is fitted to the data (weighted least squares on the upper half of the
frequencies used), its
transform is added in closed form,

    ``1 / (i omega_n)    ->  -1/2``
    ``1 / (i omega_n)^2  ->  (2 tau - beta) / 4``
    ``1 / (i omega_n)^3  ->  tau (beta - tau) / 4``

(standard sign, ``0 < tau < beta``), and only the remainder ``G - T``, which
falls off like ``(i omega_n)^-4``, is summed over the given frequencies with
``G(-i omega_n) = conj(G(i omega_n))``.  Every step is linear in the data, so the
whole map is one real matrix ``L`` acting on ``[Re G; Im G]``; the errors of
``G(tau)`` follow from it exactly (``diag(L S L^T)``, ``S`` the covariance of the
stacked data).  ``-(G(0) + G(beta)) = c1``: the norm is the fitted ``c1``.

Conventions follow :mod:`ac_learned.conventions`: ``G(i omega_n) =
int A / (i omega_n - omega)``, ``omega_n = (2n + 1) pi / beta``, standard sign.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import InputError

#: Tail terms subtracted analytically (c1, c2, c3).
N_TAIL = 3
#: Matsubara frequencies up to this multiple of the model's window ``V / beta`` are used.
MATSUBARA_CAP = 8.0
#: Fewest Matsubara frequencies used when the data have at least that many.
MATSUBARA_MIN = 16
#: Terms fitted by default.  Fitting 4 or 5 lowers the bias on exact data but
#: raises the noise of ``G(tau)`` by 1.1-2x (measured while choosing, see docs/ana_cont.md).
N_FIT_TERMS = 3


@dataclass
class MatsubaraToTau:
    """Result of :func:`matsubara_to_tau`.

    Attributes
    ----------
    tau : ndarray, shape (Ntau,)
    g_tau : ndarray, shape (Ntau,) or (n, Ntau)
        ``G(tau)`` in the standard sign (``<= 0``).
    err_tau : ndarray or None
        One-sigma errors of ``g_tau`` propagated from the Matsubara errors (the
        errors of different tau points are correlated; this is the diagonal).
    tail : ndarray, shape (3,) or (n, 3)
        Fitted ``c1, c2, c3``; ``c1`` is the norm ``int A d omega``.
    beta : float
    operator : ndarray, shape (Ntau, 2 Nw)
        The linear map ``L`` with ``g_tau = L @ [Re G; Im G]``.
    """

    tau: np.ndarray
    g_tau: np.ndarray
    err_tau: np.ndarray | None
    tail: np.ndarray
    beta: float
    operator: np.ndarray


def beta_from_frequencies(odd, omega_n) -> float:
    """beta fitted by least squares to ``omega_n = odd * pi / beta`` over all frequencies.

    A file's rounded frequencies (say 10 digits) still give beta to about that precision, where
    ``pi / omega_0`` alone would carry the first one's rounding error.
    """
    odd = np.asarray(odd, dtype=float)
    return float(np.pi * np.sum(odd * odd) / np.sum(odd * np.asarray(omega_n, dtype=float)))


def matsubara_beta(omega_n, beta: float | None = None, rtol: float = 1e-5) -> float:
    """Check that ``omega_n`` are the first fermionic frequencies and return beta.

    Parameters
    ----------
    omega_n : array_like, shape (Nw,)
        Must be ``(2n + 1) pi / beta`` for ``n = 0 .. Nw - 1`` (all of them, in
        order: the Fourier sum needs every frequency up to the cut-off).
    beta : float, optional
        If given, checked against the grid.
    rtol : float
        Relative tolerance of the checks.

    Returns
    -------
    float

    Raises
    ------
    InputError
        If the grid is not of that form or disagrees with ``beta``.
    """
    wn = np.asarray(omega_n, dtype=float)
    if wn.ndim != 1 or wn.size < 4 or not np.all(np.isfinite(wn)) or wn[0] <= 0:
        raise InputError("Matsubara frequencies must be a 1-D array of at least 4 positive numbers "
                         "(the imaginary parts omega_n, as ana_cont's im_axis)")
    odd = 2 * np.arange(wn.size) + 1
    beta_grid = beta_from_frequencies(odd, wn)
    expected = odd * np.pi / beta_grid
    if not np.allclose(wn, expected, rtol=rtol, atol=0.0):
        raise InputError(
            "the Matsubara axis must hold the fermionic frequencies (2n+1) pi / beta for n = 0, 1, ..., Nw-1, "
            "all of them and in order (the Fourier transform to imaginary time needs every frequency below the "
            "cut-off); a subset such as the one used for Pade cannot be transformed"
        )
    if beta is not None and not np.isclose(float(beta), beta_grid, rtol=rtol, atol=0.0):
        raise InputError(f"beta = {beta} disagrees with the Matsubara axis, which implies beta = {beta_grid:.8g}")
    # the user's beta when given (the tau grid is built on it), else the grid's
    return float(beta) if beta is not None else beta_grid


def frequencies_to_use(omega_n, beta: float, v_max: float) -> int:
    """How many of the first Matsubara frequencies to map for a model of window ``v_max``.

    Those up to ``MATSUBARA_CAP * v_max / beta`` (beyond, white noise only adds to the error of G(tau)
    while the fitted tail carries the rest; docs/ana_cont.md), and at least ``MATSUBARA_MIN``.
    """
    wn = np.asarray(omega_n, dtype=float)
    return max(min(MATSUBARA_MIN, wn.size), int(np.sum(wn <= MATSUBARA_CAP * v_max / beta)))


def _tail_basis(wn: np.ndarray, n_terms: int) -> np.ndarray:
    """Complex ``1 / (i omega_n)^k`` for k = 1..n_terms, shape (Nw, n_terms)."""
    return (1.0 / (1j * wn[:, None])) ** np.arange(1, n_terms + 1)[None, :]


def tail_tau(tau, beta: float, coeffs) -> np.ndarray:
    """Closed-form imaginary-time transform of ``sum_k c_k / (i omega_n)^k``, k = 1..3.

    Parameters
    ----------
    tau : array_like, shape (Ntau,)
        Times in [0, beta] (the ends are the one-sided limits).
    beta : float
    coeffs : array_like, shape (3,) or (n, 3)

    Returns
    -------
    ndarray, shape (Ntau,) or (n, Ntau)
    """
    tau = np.asarray(tau, dtype=float)
    basis = np.stack([np.full_like(tau, -0.5), (2 * tau - beta) / 4, tau * (beta - tau) / 4], axis=-1)
    return np.asarray(coeffs, dtype=float) @ basis.T


def _tail_fit_operator(wn: np.ndarray, sigma: np.ndarray, n_fit: int, n_terms: int) -> np.ndarray:
    """Real matrix P (n_terms, 2 Nw) with ``c = P @ [Re G; Im G]`` (weighted LSQ on the last n_fit points)."""
    nw = wn.size
    basis = _tail_basis(wn, n_terms)
    design = np.concatenate([basis.real, basis.imag])  # (2 Nw, n_terms), real coefficients
    rows = np.zeros(2 * nw, dtype=bool)
    rows[nw - n_fit:nw] = True
    rows[2 * nw - n_fit:] = True
    w = 1.0 / np.concatenate([sigma, sigma])
    # scale columns (1/omega^k spans many decades) for a well-conditioned pseudo-inverse
    scale = np.abs(design[rows]).max(axis=0)
    a = design[rows] / scale * w[rows, None]
    p_rows = np.linalg.pinv(a) * w[None, rows]
    p = np.zeros((n_terms, 2 * nw))
    p[:, rows] = p_rows / scale[:, None]
    return p


def matsubara_operator(omega_n, beta: float, tau, stdev=None, n_fit: int | None = None,
                       n_terms: int = N_FIT_TERMS) -> tuple[np.ndarray, np.ndarray]:
    """The linear map from stacked Matsubara data to ``G(tau)`` and to the tail.

    Parameters
    ----------
    omega_n : array_like, shape (Nw,)
        ``(2n + 1) pi / beta``, n = 0 .. Nw - 1.
    beta : float
    tau : array_like, shape (Ntau,)
        Target times in [0, beta].
    stdev : array_like, optional
        Errors of the data (weights of the tail fit); uniform if None.
    n_fit : int, optional
        Number of highest frequencies used for the tail fit; default
        ``min(Nw, max(n_terms + 3, Nw // 2))``.
    n_terms : int
        Tail terms in the fit (at least 3; the first 3 are subtracted).

    Returns
    -------
    L : ndarray, shape (Ntau, 2 Nw)
        ``G(tau) = L @ [Re G; Im G]``.
    P : ndarray, shape (3, 2 Nw)
        ``(c1, c2, c3) = P @ [Re G; Im G]``.
    """
    wn = np.asarray(omega_n, dtype=float)
    tau = np.asarray(tau, dtype=float)
    nw = wn.size
    if n_terms < N_TAIL:
        raise InputError(f"n_terms must be at least {N_TAIL}")
    n_fit = min(nw, max(n_terms + 3, nw // 2)) if n_fit is None else int(n_fit)
    if not n_terms <= n_fit <= nw:
        raise InputError(f"n_fit must lie in [{n_terms}, {nw}] (number of frequencies), got {n_fit}")
    sigma = np.ones(nw) if stdev is None else np.broadcast_to(np.asarray(stdev, dtype=float), (nw,))
    p = _tail_fit_operator(wn, sigma, n_fit, n_terms)[:N_TAIL]
    # Fourier sum over n >= 0 of the remainder: (2 / beta) [cos(w tau) Re D + sin(w tau) Im D]
    phase = wn[None, :] * tau[:, None]
    fourier = (2.0 / beta) * np.concatenate([np.cos(phase), np.sin(phase)], axis=1)  # (Ntau, 2 Nw)
    basis = _tail_basis(wn, N_TAIL)
    tail_stacked = np.concatenate([basis.real, basis.imag])  # (2 Nw, 3)
    t_tau = tail_tau(tau, beta, np.eye(N_TAIL)).T  # (Ntau, 3)
    op = fourier + (t_tau - fourier @ tail_stacked) @ p
    return op, p


def _stacked_covariance(nw: int, stdev, cov) -> np.ndarray | None:
    """Covariance of ``[Re G; Im G]`` in ana_cont's convention.

    ``stdev`` is the standard deviation of the real part and of the imaginary
    part each; a complex Hermitian ``cov`` C gives ``[[Re C, -Im C], [Im C, Re C]]``.
    """
    if cov is not None:
        c = np.asarray(cov)
        if c.shape != (nw, nw):
            raise InputError(f"cov must have shape ({nw}, {nw}), got {c.shape}")
        return np.block([[c.real, -c.imag], [c.imag, c.real]])
    if stdev is not None:
        s = np.broadcast_to(np.asarray(stdev, dtype=float), (nw,))
        return np.diag(np.concatenate([s, s]) ** 2)
    return None


def matsubara_to_tau(omega_n, g_iw, tau, beta: float | None = None, stdev=None, cov=None,
                     n_fit: int | None = None, n_max: int | None = None) -> MatsubaraToTau:
    """Transform fermionic ``G(i omega_n)`` to ``G(tau)`` with tail subtraction.

    Parameters
    ----------
    omega_n : array_like, shape (Nw,)
        The first ``Nw`` positive fermionic Matsubara frequencies.
    g_iw : array_like of complex, shape (Nw,) or (n, Nw)
        ``G(i omega_n)`` in the standard sign (``Im G < 0``).
    tau : array_like, shape (Ntau,)
        Target times in [0, beta].
    beta : float, optional
        Checked against ``omega_n`` (inferred from it when None).
    stdev : array_like, optional
        One-sigma error of the real and of the imaginary part (as in ana_cont).
    cov : array_like, optional
        Complex covariance matrix (Nw, Nw) instead of ``stdev``.
    n_fit : int, optional
        Number of highest frequencies in the tail fit (see :func:`matsubara_operator`).
    n_max : int, optional
        Use only the first ``n_max`` frequencies (all if None).  With white
        noise the error of ``G(tau)`` grows like ``sqrt(n_max)`` while the
        truncation error falls like ``omega_max^-3``; about eight times the
        spectral width is enough (see docs/ana_cont.md).

    Returns
    -------
    MatsubaraToTau
        Its ``operator`` acts on the first ``n_max`` frequencies.
    """
    beta = matsubara_beta(omega_n, beta)
    wn = np.asarray(omega_n, dtype=float)
    g = np.asarray(g_iw)
    if g.shape[-1] != wn.size or g.ndim not in (1, 2):
        raise InputError(f"g_iw must have shape ({wn.size},) or (n, {wn.size}), got {g.shape}")
    if not np.all(np.isfinite(g)):
        raise InputError("g_iw contains NaN or inf")
    tau = np.asarray(tau, dtype=float)
    if tau.ndim != 1 or tau.min() < 0 or tau.max() > beta * (1 + 1e-12):
        raise InputError(f"tau must be a 1-D grid in [0, beta] = [0, {beta}]")
    if stdev is not None and cov is not None:
        raise InputError("pass stdev or cov, not both")
    if stdev is not None and np.ndim(stdev) > 0 and np.shape(stdev) != wn.shape:
        raise InputError(f"stdev must be a scalar or have shape {wn.shape}, got {np.shape(stdev)}")
    if cov is not None and np.shape(cov) != (wn.size, wn.size):
        raise InputError(f"cov must have shape ({wn.size}, {wn.size}), got {np.shape(cov)}")
    if n_max is not None:
        n_max = int(n_max)
        if n_max < 4:
            raise InputError(f"n_max must be at least 4, got {n_max}")
        if stdev is not None:
            stdev = np.broadcast_to(np.asarray(stdev, dtype=float), wn.shape)[:n_max]
        if cov is not None:
            cov = np.asarray(cov)[:n_max, :n_max]
        wn, g = wn[:n_max], g[..., :n_max]
    sigma_fit = None
    if cov is not None:
        sigma_fit = np.sqrt(np.abs(np.real(np.diag(np.asarray(cov)))))
    elif stdev is not None:
        sigma_fit = np.broadcast_to(np.asarray(stdev, dtype=float), wn.shape)
    if sigma_fit is not None and (not np.all(np.isfinite(sigma_fit)) or np.any(sigma_fit <= 0)):
        raise InputError("stdev (or the diagonal of cov) must be finite and strictly positive")
    op, p = matsubara_operator(wn, beta, tau, stdev=sigma_fit, n_fit=n_fit)
    stacked = np.concatenate([g.real, g.imag], axis=-1).astype(float)
    g_tau = stacked @ op.T
    tail = stacked @ p.T
    s = _stacked_covariance(wn.size, stdev, cov)
    err = None if s is None else np.sqrt(np.maximum(np.sum((op @ s) * op, axis=1), 0.0))
    return MatsubaraToTau(tau=tau, g_tau=g_tau, err_tau=err, tail=tail, beta=beta, operator=op)
