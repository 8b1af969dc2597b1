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

Three tail terms are right when the highest frequencies lie far beyond the
spectrum (``omega_n >> |omega|`` where ``A(omega)`` has weight).  When they do
not, the neglected ``c4 / (i omega_n)^4 + c5 / (i omega_n)^5`` bias the fit.
With error bars the map checks this itself.  The difference ``d = (L5 - L3) g``
between the G(tau) built with 3 and with 5 fitted terms is linear in the data,
with known covariance ``C = D S D^T`` (rank 2: the directions of ``c4`` and
``c5``), and zero mean when 3 terms are exact; so ``T = d^T C^+ d`` is
chi-squared with rank(C) degrees of freedom then, and a large ``T`` shows a
biased 3-term tail (a likelihood-ratio test of the nested tails).  When its
p-value is below ``TAIL_P_SWITCH`` (1 %), 5 terms are fitted (their map
triples the error of the two end points only) and tested against 7 the same
way.  A 5-term tail rejected at ``TAIL_P_WARN`` (0.1 %) means the data stop too
low for a tail fit, or their error bars are too small; 7 terms are used and
:attr:`MatsubaraToTau.tail_warning` says so, and which: a tail cut short is
biased the more the lower the frequencies it is fitted on, so where the lower
half of the frequencies fits it no worse the error bars are to blame.

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
#: Terms fitted by default.  Fitting 5 lowers the bias on exact data but triples the
#: noise of ``G(0)`` and ``G(beta)`` (docs/ana_cont.md), so 5 are fitted only when the
#: data show that 3 are not enough (see ``TAIL_P_SWITCH``).
N_FIT_TERMS = 3
#: Tail terms tried in turn when error bars are known: the next is taken when the test against the
#: one after it fails.
TAIL_TERMS_TRIED = (3, 5, 7)
#: A tail is replaced by the next when the test against it has a p-value below this (1 % of exact
#: tails switch needlessly, at the cost of noisier G(0) and G(beta) only).
TAIL_P_SWITCH = 1e-2
#: The last pair tried failing at a p-value below this raises ``tail_warning``.
TAIL_P_WARN = 1e-3


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
    n_terms : int
        Tail terms fitted (3, or 5 when the data showed 3 to be too few).
    tail_p : float or None
        p-value of the last tail test made (the chosen tail against two more terms, or the 5-term
        tail against 7 when 7 were needed), on the first row of ``g_iw``; None without error bars or
        with ``n_terms`` given.
    tail_warning : str or None
        Set when the 5-term tail fails its test too: ``g_tau`` may be biased by several of its error
        bars.  It names the last frequency used (and, when ``n_max`` cut the data, how far they reach)
        and what failed: frequencies too low for the tail or error bars too small for the data, or
        the error bars alone where the tail fits the lower half of the frequencies no worse (a tail
        cut short would fit it worse).
    n_used : int or None
        How many of the first frequencies the map acts on (``operator`` has ``2 * n_used`` columns);
        more than ``n_max`` only with ``extend``.
    """

    tau: np.ndarray
    g_tau: np.ndarray
    err_tau: np.ndarray | None
    tail: np.ndarray
    beta: float
    operator: np.ndarray
    n_terms: int = N_FIT_TERMS
    tail_p: float | None = None
    tail_warning: str | None = None
    n_used: int | None = None


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
                     n_fit: int | None = None, n_max: int | None = None,
                     n_terms: int | None = None, extend: bool = False) -> MatsubaraToTau:
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
    n_terms : int, optional
        Tail terms to fit (at least 3).  None: 3, or 5 or 7 when the data with their error bars show
        the shorter tail to be biased (see the module's notes and ``tail_warning``); without error
        bars 3.
    extend : bool
        When the tail fails its test on the first ``n_max`` frequencies and more are given, map all of
        them instead if the tail then passes (the cut, not the data, was too low for it).

    Returns
    -------
    MatsubaraToTau
        Its ``operator`` acts on the first ``n_used`` frequencies (``n_max``, or all with ``extend``).
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
    n_given = wn.size
    if n_max is not None and int(n_max) < 4:
        raise InputError(f"n_max must be at least 4, got {int(n_max)}")
    n_max = n_given if n_max is None else min(int(n_max), n_given)
    given = (n_given, float(wn[-1]))
    res = _mapped(wn, g, tau, beta, stdev, cov, n_fit, n_max, n_terms, given)
    if extend and res.tail_warning is not None and n_max < n_given:
        more = _mapped(wn, g, tau, beta, stdev, cov, n_fit, n_given, n_terms, given)
        if more.tail_warning is None:
            return more
        res.tail_warning += f"; mapped from all {n_given} frequencies the tail fails its test too"
    return res


def _mapped(wn: np.ndarray, g: np.ndarray, tau: np.ndarray, beta: float, stdev, cov, n_fit: int | None,
            n_max: int, n_terms: int | None, given: tuple[int, float]) -> MatsubaraToTau:
    """:func:`matsubara_to_tau` on the first ``n_max`` frequencies (inputs checked); ``given`` is the number
    of frequencies given and the last of them (for the wording of ``tail_warning``)."""
    if stdev is not None:
        stdev = np.broadcast_to(np.asarray(stdev, dtype=float), wn.shape)[:n_max]
    if cov is not None:
        cov = np.asarray(cov)[:n_max, :n_max]
    wn, g = wn[:n_max], g[..., :n_max]
    sigma_fit = None
    if cov is not None:
        sigma_fit = np.sqrt(np.abs(np.real(np.diag(np.asarray(cov)))))
    elif stdev is not None:
        sigma_fit = stdev
    if sigma_fit is not None and (not np.all(np.isfinite(sigma_fit)) or np.any(sigma_fit <= 0)):
        raise InputError("stdev (or the diagonal of cov) must be finite and strictly positive")
    stacked = np.concatenate([g.real, g.imag], axis=-1).astype(float)
    s = _stacked_covariance(wn.size, stdev, cov)
    tail_p, warning = None, None
    if n_terms is None and s is not None:
        first_row = stacked.reshape(-1, 2 * wn.size)[0]
        n_terms, (op, p), tail_p, warning = _checked_tail_terms(wn, beta, tau, sigma_fit, n_fit, first_row, s,
                                                                given)
    else:
        n_terms = N_FIT_TERMS if n_terms is None else int(n_terms)
        op, p = matsubara_operator(wn, beta, tau, stdev=sigma_fit, n_fit=n_fit, n_terms=n_terms)
    g_tau = stacked @ op.T
    tail = stacked @ p.T
    err = None if s is None else np.sqrt(np.maximum(np.sum((op @ s) * op, axis=1), 0.0))
    return MatsubaraToTau(tau=tau, g_tau=g_tau, err_tau=err, tail=tail, beta=beta, operator=op,
                          n_terms=n_terms, tail_p=tail_p, tail_warning=warning, n_used=int(wn.size))


def tail_test(op: np.ndarray, op_next: np.ndarray, stacked: np.ndarray, cov_stacked: np.ndarray
              ) -> tuple[float, float]:
    """Test a tail against a longer one: the p-value of ``T = d^T C^+ d``, ``d = (op_next - op) g``.

    Both maps are unbiased when the shorter tail is exact, so ``d`` then has zero mean and covariance
    ``C = D S D^T``; ``T`` is chi-squared with rank(C) degrees of freedom.  Returns the p-value and the
    estimated bias of ``op``'s G(tau) in its own error bars (rms over tau, ``d`` minus its noise).
    """
    from scipy.stats import chi2

    diff = op_next - op
    d = diff @ stacked
    cov_d = diff @ cov_stacked @ diff.T
    lam, vec = np.linalg.eigh(0.5 * (cov_d + cov_d.T))
    largest = float(lam.max()) if lam.size else 0.0
    if largest <= 0.0:
        return 1.0, 0.0
    keep = lam > 1e-10 * largest
    t = float(np.sum((vec[:, keep].T @ d) ** 2 / lam[keep]))
    var = np.maximum(np.sum((op @ cov_stacked) * op, axis=1), 1e-300)
    excess = float(np.mean(d ** 2 / var) - np.mean(np.diag(cov_d) / var))
    return float(chi2.sf(t, int(np.count_nonzero(keep)))), float(np.sqrt(max(excess, 0.0)))


def _checked_tail_terms(wn: np.ndarray, beta: float, tau: np.ndarray, sigma_fit, n_fit: int | None,
                        stacked: np.ndarray, cov_stacked: np.ndarray, given: tuple[int, float] | None = None
                        ) -> tuple[int, tuple[np.ndarray, np.ndarray], float | None, str | None]:
    """The fewest tail terms of ``TAIL_TERMS_TRIED`` that pass :func:`tail_test` against the next.

    Returns the terms, their ``(L, P)`` of :func:`matsubara_operator`, the p-value of the last test made,
    and a warning when the second-last tail fails at ``TAIL_P_WARN`` (the last tried is then used).
    ``given`` is the number of frequencies given and the last of them, when ``wn`` is a cut of them.
    """
    most = wn.size if n_fit is None else int(n_fit)  # a tail cannot have more terms than fitted points
    tried = [k for k in TAIL_TERMS_TRIED if k <= most] or [N_FIT_TERMS]
    maps = {k: matsubara_operator(wn, beta, tau, stdev=sigma_fit, n_fit=n_fit, n_terms=k) for k in tried}
    if len(tried) == 1:
        return tried[0], maps[tried[0]], None, None
    p, bias = 1.0, 0.0
    for k, k_next in zip(tried, tried[1:]):
        p, bias = tail_test(maps[k][0], maps[k_next][0], stacked, cov_stacked)
        if p >= TAIL_P_SWITCH:
            return k, maps[k], p, None
    warning = None
    if p < TAIL_P_WARN:
        test = (f"{tried[-2]} tail terms are rejected against {tried[-1]} (p = {p:.2g}; their G(tau) differ by "
                f"about {bias:.2g} error bars rms, a lower bound on the bias), and the {tried[-1]}-term G(tau) "
                f"used cannot be checked and may be off by as much")
        lower = _lower_half_fits_no_worse(wn, beta, tau, sigma_fit, stacked, cov_stacked, tried[-2:], bias)
        warning = _tail_warning(float(wn[-1]), wn.size, given, lower, test)
    return tried[-1], maps[tried[-1]], p, warning


#: Fewest frequencies in the lower half of the data for :func:`_lower_half_fits_no_worse` to be tried.
TAIL_PROBE_MIN = 20


def _lower_half_fits_no_worse(wn: np.ndarray, beta: float, tau: np.ndarray, sigma_fit: np.ndarray,
                              stacked: np.ndarray, cov_stacked: np.ndarray, terms, bias: float) -> bool:
    """Whether the failed tail test finds no more bias on the lower half of the frequencies than on all.

    A tail cut short (frequencies too low for it) is biased the more, in its error bars, the lower the
    frequencies it is fitted on (on a metal, bands at +-2, beta = 40, sigma = 1e-5 .. 1e-9: 1.6 to 50
    times more on half of 30-200 frequencies); error bars too small for the data give about the same
    bias on both.  So a lower half that fits no worse rules the frequencies out as the cause.
    False when the lower half holds fewer than ``TAIL_PROBE_MIN`` frequencies (no verdict).
    """
    half = wn.size // 2
    if half < TAIL_PROBE_MIN:
        return False
    rows = np.r_[0:half, wn.size:wn.size + half]
    ops = [matsubara_operator(wn[:half], beta, tau, stdev=sigma_fit[:half], n_terms=k)[0] for k in terms]
    _, bias_half = tail_test(ops[0], ops[1], stacked[rows], cov_stacked[np.ix_(rows, rows)])
    return bias_half <= bias


def _tail_warning(last: float, n_used: int, given: tuple[int, float] | None, not_the_frequencies: bool,
                  test: str) -> str:
    """The words of ``MatsubaraToTau.tail_warning``: the frequencies used, the failed ``test``, and its cause.

    ``given`` (frequencies given, the last of them) names a cut of the data; ``not_the_frequencies``
    (:func:`_lower_half_fits_no_worse`) blames the error bars alone.
    """
    cut = given is not None and given[0] > n_used
    used = (f"the Matsubara frequencies used stop at omega_n = {last:.4g} (the first {n_used} of the {given[0]} "
            f"given: the map stops at n_max, which a continuation sets at {MATSUBARA_CAP:g} V/beta of the model's "
            f"window; the data reach {given[1]:.4g})" if cut else f"the Matsubara data stop at omega_n = {last:.4g}")
    if not_the_frequencies:
        return (f"{used}: {test}. The frequencies are not what fails: the tail fits the lower half of them no "
                "worse, which a tail cut short would not. The error bars look too small for these data at the "
                "highest frequencies (their true spread is larger there, or the values there are not measured "
                "ones: a fitted tail, or the transform of a G(tau) on a grid)")
    return (f"{used}, too low for the tail fitted there, or their error bars are too small for these data: "
            f"{test}. The tail 1/(i omega_n)^k holds only far beyond the spectrum's width: give frequencies up to "
            "several times the width (if they already reach that far, the error bars of the highest frequencies "
            "are likely smaller than the data's true spread there)")
