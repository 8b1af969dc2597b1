"""Grids and the conversions between a user's data and a model's grids.

A model works on a reduced imaginary-time grid ``x = tau / beta`` in [0, 1] and a
reduced frequency grid ``nu = beta * omega`` in [-V, V].  This module builds those
grids, resamples a user's ``G(tau)`` onto ``x`` and maps a model's weights back
to a density ``A(omega)`` on the user's (possibly non-uniform) frequency grid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.interpolate import CubicSpline

from .errors import InputError


def trapezoid_weights(grid: np.ndarray) -> np.ndarray:
    """Trapezoid quadrature weights of a strictly increasing 1-D grid.

    Parameters
    ----------
    grid : ndarray, shape (N,)

    Returns
    -------
    ndarray, shape (N,)
        ``w`` with ``sum(w * f) = trapezoid(f, grid)``.
    """
    grid = np.asarray(grid, dtype=float)
    if grid.size < 2:
        return np.ones_like(grid)
    d = np.diff(grid)
    w = np.zeros_like(grid)
    w[:-1] += d / 2
    w[1:] += d / 2
    return w


def make_x_grid(n: int, kind: str = "uniform") -> np.ndarray:
    """Reduced imaginary-time grid on [0, 1], both ends included.

    Parameters
    ----------
    n : int
        Number of points.
    kind : {"uniform", "chebyshev"}
        ``"chebyshev"`` puts the Chebyshev-Lobatto points
        ``(1 - cos(pi i / (n - 1))) / 2``, dense near both ends where ``G(tau)``
        carries its high-frequency information.
    """
    if kind == "uniform":
        return np.linspace(0.0, 1.0, n)
    if kind == "chebyshev":
        x = 0.5 * (1.0 - np.cos(np.pi * np.arange(n) / (n - 1)))
        x[0], x[-1] = 0.0, 1.0
        return x
    raise InputError(f"unknown x-grid kind {kind!r}; use 'uniform' or 'chebyshev'")


def make_nu_grid(n: int, v_max: float, kind: str = "uniform", stretch: float = 2.0) -> np.ndarray:
    """Reduced frequency grid on [-v_max, v_max].

    Parameters
    ----------
    n : int
        Number of points (odd numbers put a point at nu = 0).
    v_max : float
        Half-width ``V = beta * Omega_max``.
    kind : {"uniform", "sinh"}
        ``"sinh"`` maps a uniform ``u`` in [-1, 1] by
        ``V sinh(stretch u) / sinh(stretch)``: finer near nu = 0.
    stretch : float
        Stretch factor of the ``"sinh"`` grid.
    """
    u = np.linspace(-1.0, 1.0, n)
    if kind == "uniform":
        return v_max * u
    if kind == "sinh":
        return v_max * np.sinh(stretch * u) / np.sinh(stretch)
    raise InputError(f"unknown nu-grid kind {kind!r}; use 'uniform' or 'sinh'")


def cell_edges(grid: np.ndarray) -> np.ndarray:
    """Edges of the cells around each grid point: midpoints, ends at the grid ends."""
    grid = np.asarray(grid, dtype=float)
    mid = 0.5 * (grid[1:] + grid[:-1])
    return np.concatenate([[grid[0]], mid, [grid[-1]]])


#: Shift of the log-spline resampling, relative to G(0) + G(beta) (see :func:`resample_to_x`).
LOG_SHIFT = 1e-3


def resample_to_x(tau: np.ndarray, g: np.ndarray, beta: float, x: np.ndarray) -> np.ndarray:
    """Resample ``G(tau)`` onto a model's reduced grid ``x``.

    A not-a-knot cubic spline in ``tau / beta`` through ``log(g + c)`` with
    ``c = LOG_SHIFT * (g_first + g_last)`` (plus twice the most negative
    value, if any) is used for each positive-convention row (``g_first +
    g_last > 0``); other rows take a cubic spline through ``g`` itself.  Near
    ``tau = 0`` and ``beta`` a G(tau) with spectral weight at large ``|omega|``
    decays like ``exp(-|omega| tau)``, which a spline through ``g`` follows
    poorly on a coarse grid (on 201 points with ``beta * Omega_max = 560`` its
    error reaches 1.4e-3 rms, 2.6e-2 at worst); through the logarithm it is
    16-180 times smaller (``scripts/resampling_check.py``).  Both reproduce
    the data on grids with both ends and extrapolate the short distance to 0
    and 1 on grids without them (bin centres, open grids).

    Parameters
    ----------
    tau : ndarray, shape (Ntau,)
        Strictly increasing times in [0, beta].
    g : ndarray, shape (..., Ntau)
        Values, grid on the last axis.
    beta : float
    x : ndarray, shape (Nx,)

    Returns
    -------
    ndarray, shape (..., Nx)
    """
    t = np.asarray(tau, float) / beta
    g = np.asarray(g, float)
    x = np.asarray(x, float)
    rows = g.reshape(-1, g.shape[-1])
    flat = np.empty((rows.shape[0], x.size))
    scale = rows[:, 0] + rows[:, -1]
    pos = scale > 0
    if np.any(pos):
        r = rows[pos]
        c = LOG_SHIFT * scale[pos, None] + 2.0 * np.maximum(0.0, -r.min(axis=1, keepdims=True))
        flat[pos] = np.exp(CubicSpline(t, np.log(r + c), axis=-1, extrapolate=True)(x)) - c
    if not np.all(pos):
        flat[~pos] = CubicSpline(t, rows[~pos], axis=-1, extrapolate=True)(x)
    return flat.reshape(g.shape[:-1] + (x.size,))


def resampling_error(tau: np.ndarray, g: np.ndarray, beta: float, x: np.ndarray,
                     full: np.ndarray | None = None) -> np.ndarray:
    """Estimated rms error of :func:`resample_to_x` on ``x``, per row.

    The resampling from every other point of ``tau`` (both end points kept)
    is compared with the one from all points; for a fourth-order interpolant
    the error of the full grid is about 1/15 of that difference (Richardson).
    Zero for grids of fewer than 8 points (no estimate).  ``full``, when
    given, is ``resample_to_x(tau, g, beta, x)`` already computed.

    Returns
    -------
    ndarray, shape (...,)
    """
    tau = np.asarray(tau, float)
    g = np.asarray(g, float)
    if tau.size < 8:
        return np.zeros(g.shape[:-1])
    keep = np.arange(0, tau.size, 2)
    if keep[-1] != tau.size - 1:
        keep = np.append(keep, tau.size - 1)
    if full is None:
        full = resample_to_x(tau, g, beta, x)
    diff = resample_to_x(tau[keep], g[..., keep], beta, x) - full
    return np.sqrt(np.mean(diff ** 2, axis=-1)) / 15.0


#: Fewest data points averaged into one node (a quadratic through fewer would hardly lower the noise).
AVERAGE_MIN_POINTS = 5
#: Widest span of the points averaged into one node, as a share of the model grid's local spacing: the
#: node's bias from G's curvature then stays below 2e-6 of G(0) + G(beta) for weight at |nu| = 1000.
AVERAGE_SPAN = 0.5


@dataclass
class Averaged:
    """Data on a dense tau grid averaged to the resolution of a model's grid (:func:`average_to_grid`).

    Attributes
    ----------
    tau : ndarray, shape (Nnodes,)
        Times of the nodes: the data's own points where they are no denser than the model's grid, the
        centres of the averaged groups elsewhere.
    g : ndarray, shape (n, Nnodes)
    err : ndarray, shape (n, Nnodes) or None
        One-sigma errors of the nodes, propagated from the data's (None without errors).
    shrink : ndarray, shape (n, Nnodes) or None
        ``err`` over the rms error of the points each node averages (1 for the data's own points).
    grouped : bool
        Whether any points were averaged (False: the nodes are the data themselves).
    """

    tau: np.ndarray
    g: np.ndarray
    err: np.ndarray | None
    shrink: np.ndarray | None
    grouped: bool


def _groups(t: np.ndarray, x: np.ndarray) -> list[tuple[int, int]]:
    """Runs ``[i, j)`` of ``t`` each averaged into one node: at least ``AVERAGE_MIN_POINTS`` points spanning
    less than ``AVERAGE_SPAN`` times the spacing of ``x`` there; single points elsewhere."""
    span = AVERAGE_SPAN * np.interp(t, 0.5 * (x[1:] + x[:-1]), np.diff(x))
    runs, i = [], 0
    while i < t.size:
        j = int(np.searchsorted(t, t[i] + span[i], side="left"))
        step = j - i if j - i >= AVERAGE_MIN_POINTS else 1
        runs.append((i, i + step))
        i += step
    return runs


def averaging_map(tau: np.ndarray, beta: float, x: np.ndarray) -> tuple[np.ndarray, sparse.csr_matrix | None]:
    """The linear map from data on ``tau`` to nodes at the resolution of a model's grid ``x``.

    Where the data are denser than ``x`` (at least ``AVERAGE_MIN_POINTS`` points within
    ``AVERAGE_SPAN`` of its local spacing) a run of points becomes one node: the value at the run's centre
    of the least-squares quadratic through them (unbiased for any quadratic; its noise is
    ``sqrt(9 / (4 n))`` of the points' for ``n`` points).  Elsewhere the points are kept.

    Returns
    -------
    tau_nodes : ndarray, shape (Nnodes,)
    matrix : scipy.sparse.csr_matrix, shape (Nnodes, Ntau), or None
        ``nodes = matrix @ data``; None when no points are averaged.
    """
    tau = np.asarray(tau, float)
    runs = _groups(tau / beta, np.asarray(x, float))
    if len(runs) == tau.size:
        return tau, None
    rows, cols, vals, centres = [], [], [], []
    for k, (i, j) in enumerate(runs):
        s = tau[i:j]
        centre = 0.5 * (s[0] + s[-1])
        coef = np.ones(1)
        if j - i > 1:
            u = (s - centre) / (0.5 * (s[-1] - s[0]))
            coef = np.linalg.pinv(np.stack([np.ones_like(u), u, u * u], axis=1))[0]
        rows.extend([k] * (j - i))
        cols.extend(range(i, j))
        vals.extend(coef)
        centres.append(centre)
    return np.asarray(centres), sparse.csr_matrix((vals, (rows, cols)), shape=(len(runs), tau.size))


def average_to_grid(tau: np.ndarray, g: np.ndarray, beta: float, x: np.ndarray, err=None,
                    cov: np.ndarray | None = None) -> Averaged:
    """``g`` on ``tau`` averaged to the resolution of a model's grid ``x`` (:func:`averaging_map`).

    A model reads its input on ``x`` (128 points); interpolated from, say, 10001 points, that input
    would carry each point's full noise.  Averaged first, it carries the noise of the averages, which is
    how much the data constrain the spectrum at the model's resolution.

    Parameters
    ----------
    tau : ndarray, shape (Ntau,)
    g : ndarray, shape (Ntau,) or (n, Ntau)
    beta : float
    x : ndarray
        The model's reduced grid.
    err : float or ndarray, optional
        Independent one-sigma errors of ``g`` (broadcast to its shape).
    cov : ndarray, shape (Ntau, Ntau), optional
        Their covariance instead (the same for every row): correlated noise averages out less.

    Returns
    -------
    Averaged
    """
    g2 = np.atleast_2d(np.asarray(g, float))
    nodes, matrix = averaging_map(tau, beta, x)
    if err is None and cov is None:
        return Averaged(nodes, g2 if matrix is None else (matrix @ g2.T).T, None, None, matrix is not None)
    var = (np.diag(np.asarray(cov, float)) if cov is not None
           else np.broadcast_to(np.asarray(err, float) ** 2, g2.shape))
    var = np.broadcast_to(var, g2.shape)
    if matrix is None:
        return Averaged(nodes, g2, np.sqrt(var), np.ones(var.shape), False)
    if cov is not None:
        node_var = np.asarray((matrix @ sparse.csr_matrix(cov)).multiply(matrix).sum(axis=1)).ravel()
        node_var = np.broadcast_to(node_var, (g2.shape[0], nodes.size))
    else:
        node_var = (matrix.multiply(matrix) @ var.T).T
    members = (matrix != 0).astype(float)
    mean_var = (members @ var.T).T / np.asarray(members.sum(axis=1)).ravel()
    err_nodes = np.sqrt(node_var)
    return Averaged(nodes, (matrix @ g2.T).T, err_nodes, err_nodes / np.sqrt(mean_var), True)


def noise_shrink(averaged: Averaged, beta: float, x: np.ndarray) -> np.ndarray:
    """Per row, the median over a model's grid ``x`` of the nodes' noise reduction (``Averaged.shrink``).

    The data's per-point relative noise times this factor is their noise at the model's resolution: the
    number to compare with the noise a model was trained on (1 when nothing was averaged).
    """
    if averaged.shrink is None or not averaged.grouped:
        return np.ones(averaged.g.shape[0])
    t = averaged.tau / beta
    return np.array([np.median(np.interp(x, t, row)) for row in averaged.shrink])


def _piecewise_linear_antiderivative(knots: np.ndarray, values: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Antiderivative of the piecewise-linear function through ``(knots, values)``.

    Zero left of the first knot and constant right of the last one.  ``values``
    may be batched, shape (n, K); returns shape (n, len(points)).
    """
    h = np.diff(knots)
    cum = np.concatenate(
        [np.zeros(values.shape[:-1] + (1,)), np.cumsum(0.5 * h * (values[..., 1:] + values[..., :-1]), axis=-1)],
        axis=-1,
    )
    p = np.clip(points, knots[0], knots[-1])
    idx = np.clip(np.searchsorted(knots, p, side="right") - 1, 0, len(knots) - 2)
    t = (p - knots[idx]) / h[idx]
    d0 = values[..., idx]
    d1 = values[..., idx + 1]
    return cum[..., idx] + h[idx] * (d0 * t + 0.5 * (d1 - d0) * t * t)


def weights_to_density(
    a: np.ndarray, nu: np.ndarray, beta: float, omega: np.ndarray, norm: np.ndarray | float = 1.0
) -> np.ndarray:
    """Map a model's weights on ``nu`` to a density ``A(omega)`` on a user grid.

    The weights ``a_j`` define the piecewise-linear density ``d(nu)`` through
    ``(nu_j, a_j / w_j)`` (``w`` = trapezoid weights, so ``int d = sum a``).
    Each user point gets the average of ``d`` over a window centred on it and
    as wide as its cell (half the distance between its neighbours): this keeps
    narrow peaks' weight on coarse grids, reduces to interpolation on fine ones,
    and is unbiased where the grid spacing changes.  The result is scaled to
    ``beta`` (``d nu = beta d omega``), and renormalised so that the trapezoid
    integral over ``omega`` equals ``norm`` times the share of the weight that
    lies within ``[omega[0], omega[-1]]``: a grid covering part of the spectrum
    shows the density there, not a rescaled one.

    Parameters
    ----------
    a : ndarray, shape (Nnu,) or (n, Nnu)
        Non-negative weights on ``nu``.
    nu : ndarray, shape (Nnu,)
    beta : float
    omega : ndarray, shape (Nomega,)
        Strictly increasing user grid, uniform or not.
    norm : float or ndarray of shape (n,)
        ``int A d omega`` over all frequencies (``sum(a)`` is taken as 1).

    Returns
    -------
    ndarray, shape (Nomega,) or (n, Nomega)
    """
    a = np.asarray(a, dtype=float)
    single = a.ndim == 1
    a2 = np.atleast_2d(a)
    density_nu = a2 / trapezoid_weights(nu)
    nu_user = np.asarray(omega, float) * beta
    half = 0.5 * np.diff(cell_edges(nu_user))  # windows as wide as the cells, centred on the points
    lo = _piecewise_linear_antiderivative(np.asarray(nu, float), density_nu, nu_user - half)
    hi = _piecewise_linear_antiderivative(np.asarray(nu, float), density_nu, nu_user + half)
    dens = (hi - lo) / (2 * half) * beta  # per unit omega
    w_omega = trapezoid_weights(omega)
    total = dens @ w_omega
    ends = _piecewise_linear_antiderivative(np.asarray(nu, float), density_nu, nu_user[[0, -1]])
    share_inside = np.clip((ends[:, 1] - ends[:, 0]) / np.maximum(a2.sum(axis=1), 1e-300), 0.0, 1.0)
    norm_arr = np.broadcast_to(np.asarray(norm, float), total.shape) * share_inside
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(total > 0, norm_arr / total, 0.0)
    dens = dens * scale[:, None]
    return dens[0] if single else dens


#: Half-width of the region around nu = 0 where the kernel's Fermi factor varies on a scale of ~1.
FERMI_REGION = 20.0
#: Largest nu spacing kept there when a spectrum is fitted to precise data.
FERMI_SPACING = 4.0


def refine_near_zero(nu: np.ndarray, half_width: float = FERMI_REGION,
                     max_spacing: float = FERMI_SPACING) -> np.ndarray:
    """``nu`` with the cells that reach into ``|nu| < half_width`` split to at most ``max_spacing``.

    ``K(x, nu) = exp(-x nu) / (1 + exp(-nu))`` varies on a scale of about 1
    in ``nu`` near 0 (the Fermi factor), and nowhere faster.  A grid whose
    spacing there is ~10 (``V = 2000``: ``V / 181``) cannot represent
    ``int K A dnu`` of a metallic spectrum to 1e-4, so a fit to precise data
    stalls at chi2/N of 2-8 (measured: 2.6 and 8.5 at beta = 200, +-10 eV,
    sigma = 1e-4).  Splitting the few central cells (8-16 extra points) brings
    it to 1.0-1.1; grids already fine there are returned unchanged.

    Returns
    -------
    ndarray
        Strictly increasing, containing every point of ``nu``.
    """
    nu = np.asarray(nu, float)
    lo, hi = nu[:-1], nu[1:]
    near = (np.minimum(np.abs(lo), np.abs(hi)) < half_width) | ((lo < 0) & (hi > 0))
    parts = np.where(near, np.ceil((hi - lo) / max_spacing), 1).astype(int)
    if np.all(parts == 1):
        return nu
    pieces = [np.linspace(a, b, k, endpoint=False) for a, b, k in zip(lo, hi, parts)]
    return np.concatenate([*pieces, nu[-1:]])


def weights_on_grid(a: np.ndarray, nu: np.ndarray, nu_new: np.ndarray) -> np.ndarray:
    """Weights ``a`` on ``nu`` carried to ``nu_new`` through the piecewise-linear density, each row summing as before.

    Parameters
    ----------
    a : ndarray, shape (Nnu,) or (n, Nnu)
    nu, nu_new : ndarray
        Old and new grids over the same interval.
    """
    a2 = np.atleast_2d(np.asarray(a, float))
    dens = a2 / trapezoid_weights(nu)
    out = np.stack([np.interp(nu_new, nu, row) for row in dens]) * trapezoid_weights(nu_new)
    total = out.sum(axis=1, keepdims=True)
    out = out * np.where(total > 0, a2.sum(axis=1, keepdims=True) / np.where(total > 0, total, 1.0), 0.0)
    return out[0] if np.ndim(a) == 1 else out
