"""Training spectra (priors) and noise models, vectorised and seeded.

Spectra are built in the window coordinate ``u = nu / V`` in [-1, 1] (``V`` the
model's half-width ``beta * Omega_max``) so one family serves every window.
Each spectrum is a mixture of components (Gaussian, Lorentzian, semicircle,
band edge) whose weight on a grid cell is the exact integral of the component over the
cell (difference of its cumulative distribution), so peaks narrower than the
grid keep their weight.  Weight outside the window is dropped and every
spectrum is renormalised to ``sum(a) = 1``.

Families (``FAMILIES``):

``paper``
    Huang & Yang eq. 16 on the window ``Omega_0 = 3``: ``N_R`` in 1..10
    Gaussians with ``mu`` in [-1.5, 1.5], ``sigma`` in (0, 0.5], plus a
    quasi-particle peak ``mu`` in (-0.05, 0.05), ``sigma`` in (0.05, 0.3); all
    components weigh the same (the QP peak counts as one more term).
``gaussians``
    1-8 Gaussians with random weights, spread over a random fraction of the window.
``lorentzians``
    1-4 Lorentzians (heavy tails, truncated at the window edge).
``sharp``
    1-3 delta-like peaks (width below 1 % of the window) on an optional broad background.
``gapped``
    an insulator: two bands (semicircles or Gaussian pairs) separated by a gap.
``semicircle``
    band edges: one or two semicircular (square-root edge) bands.
``hubbard``
    three peaks: a quasi-particle peak near zero plus lower and upper Hubbard bands.
``continua``
    smooth one-sided continua: one or two band edges with a power-law onset
    ``|u - e|^p`` (``p`` in [-0.3, 2.5]: 1D, 2D, 3D densities of states and
    softer) and an exponential tail, on either side, with an optional broad
    Gaussian background (semiconductors, band tails, photoemission-like continua).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.special import erf, gammainc

from .errors import InputError
from .grids import cell_edges
from .kernels import fermionic_kernel_dimensionless

GAUSS, LORENTZ, SEMI, EDGE = 0, 1, 2, 3
MAX_COMPONENTS = 12


@dataclass
class Components:
    """A batch of mixtures: arrays of shape (n, MAX_COMPONENTS) in window units.

    ``shape`` is used by band edges only (``EDGE``): the Gamma shape ``p + 1``
    of a density ``|u - center|^p exp(-|u - center| / |width|)``, on the side
    ``u > center`` for ``width > 0`` and ``u < center`` for ``width < 0``.
    """

    kind: np.ndarray
    center: np.ndarray
    width: np.ndarray
    weight: np.ndarray
    shape: np.ndarray = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.shape is None:
            self.shape = np.ones(self.kind.shape)

    @classmethod
    def empty(cls, n: int) -> Components:
        shape = (n, MAX_COMPONENTS)
        return cls(np.zeros(shape, int), np.zeros(shape), np.ones(shape), np.zeros(shape), np.ones(shape))

    def set(self, rows: np.ndarray, col: int, kind: int, center, width, weight) -> None:
        self.kind[rows, col] = kind
        self.center[rows, col] = center
        self.width[rows, col] = width
        self.weight[rows, col] = weight


def _cdf(kind: np.ndarray, center: np.ndarray, width: np.ndarray, shape: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Cumulative distribution of each component at points ``u``; shapes (n, C, len(u))."""
    z = (u[None, None, :] - center[..., None]) / width[..., None]
    out = np.empty(z.shape)
    k = kind[..., None]
    g = np.broadcast_to(k == GAUSS, z.shape)
    out[g] = 0.5 * (1.0 + erf(z[g] / np.sqrt(2.0)))
    lo = np.broadcast_to(k == LORENTZ, z.shape)
    out[lo] = 0.5 + np.arctan(z[lo]) / np.pi
    se = np.broadcast_to(k == SEMI, z.shape)
    zc = np.clip(z[se], -1.0, 1.0)
    out[se] = 0.5 + (zc * np.sqrt(1.0 - zc * zc) + np.arcsin(zc)) / np.pi
    ed = np.broadcast_to(k == EDGE, z.shape)
    if np.any(ed):
        # z = (u - c) / w is the distance into the band on either side (w < 0: mirrored)
        shape_b = np.broadcast_to(shape[..., None], z.shape)[ed]
        left = np.broadcast_to(width[..., None] < 0, z.shape)[ed]
        p_in = gammainc(shape_b, np.clip(z[ed], 0.0, None))
        out[ed] = np.where(left, 1.0 - p_in, p_in)
    return out


def components_to_weights(comp: Components, u_grid: np.ndarray) -> np.ndarray:
    """Cell-integrated, normalised weights of mixtures on a window grid ``u``.

    Parameters
    ----------
    comp : Components
    u_grid : ndarray, shape (Nnu,)
        Grid in window units (``nu / V``), increasing, inside [-1, 1].

    Returns
    -------
    ndarray, shape (n, Nnu)
        Non-negative weights summing to one per row.
    """
    edges = cell_edges(u_grid)
    cdf = _cdf(comp.kind, comp.center, comp.width, comp.shape, edges)
    per_cell = np.diff(cdf, axis=-1)  # (n, C, Nnu)
    a = np.einsum("nc,ncj->nj", comp.weight, per_cell)
    total = a.sum(axis=1, keepdims=True)
    return a / np.where(total > 0, total, 1.0)


def _loguniform(rng: np.random.Generator, lo: float, hi: float, size) -> np.ndarray:
    return np.exp(rng.uniform(np.log(lo), np.log(hi), size))


def _family_paper(rng, n, v_max):
    # eq. 16 is written on omega in [-3, 3]; window units u = omega / 3
    comp = Components.empty(n)
    n_r = rng.integers(1, 11, n)
    for c in range(10):
        rows = np.nonzero(n_r > c)[0]
        comp.set(rows, c, GAUSS, rng.uniform(-1.5, 1.5, rows.size) / 3.0,
                 np.maximum(rng.uniform(0.0, 0.5, rows.size), 1e-3) / 3.0, 1.0)
    rows = np.arange(n)
    comp.set(rows, 10, GAUSS, rng.uniform(-0.05, 0.05, n) / 3.0, rng.uniform(0.05, 0.3, n) / 3.0, 1.0)
    return comp


def _scale(rng, n):
    """Fraction of the window a spectrum occupies."""
    return rng.uniform(0.15, 0.9, n)


def _family_gaussians(rng, n, v_max):
    comp = Components.empty(n)
    s = _scale(rng, n)
    k = rng.integers(1, 9, n)
    for c in range(8):
        rows = np.nonzero(k > c)[0]
        comp.set(rows, c, GAUSS, s[rows] * rng.uniform(-1, 1, rows.size),
                 s[rows] * _loguniform(rng, 0.01, 0.5, rows.size), rng.uniform(0.1, 1.0, rows.size))
    return comp


def _family_lorentzians(rng, n, v_max):
    comp = Components.empty(n)
    s = _scale(rng, n)
    k = rng.integers(1, 5, n)
    for c in range(4):
        rows = np.nonzero(k > c)[0]
        comp.set(rows, c, LORENTZ, s[rows] * rng.uniform(-0.8, 0.8, rows.size),
                 s[rows] * _loguniform(rng, 0.005, 0.2, rows.size), rng.uniform(0.1, 1.0, rows.size))
    return comp


def _family_sharp(rng, n, v_max):
    comp = Components.empty(n)
    s = _scale(rng, n)
    k = rng.integers(1, 4, n)
    for c in range(3):
        rows = np.nonzero(k > c)[0]
        comp.set(rows, c, GAUSS, s[rows] * rng.uniform(-1, 1, rows.size),
                 _loguniform(rng, 1e-4, 1e-2, rows.size), rng.uniform(0.2, 1.0, rows.size))
    rows = np.nonzero(rng.uniform(size=n) < 0.5)[0]
    comp.set(rows, 3, GAUSS, s[rows] * rng.uniform(-0.5, 0.5, rows.size),
             s[rows] * rng.uniform(0.2, 0.6, rows.size), rng.uniform(0.2, 2.0, rows.size))
    return comp


def _family_gapped(rng, n, v_max):
    comp = Components.empty(n)
    s = _scale(rng, n)
    gap = s * rng.uniform(0.05, 0.6, n)
    mid = s * rng.uniform(-0.2, 0.2, n)
    for c, side in enumerate((-1.0, 1.0)):
        width = s * rng.uniform(0.05, 0.4, n)
        semi = rng.uniform(size=n) < 0.5
        rows = np.arange(n)
        kind = np.where(semi, SEMI, GAUSS)
        # a semicircle's half-width is its support; a Gaussian's edge is ~2 sigma
        center = mid + side * (gap / 2 + np.where(semi, width, 2 * width))
        comp.kind[rows, c] = kind
        comp.center[rows, c] = center
        comp.width[rows, c] = width
        comp.weight[rows, c] = rng.uniform(0.3, 1.0, n)
    return comp


def _family_semicircle(rng, n, v_max):
    comp = Components.empty(n)
    s = _scale(rng, n)
    k = rng.integers(1, 3, n)
    for c in range(2):
        rows = np.nonzero(k > c)[0]
        comp.set(rows, c, SEMI, s[rows] * rng.uniform(-0.5, 0.5, rows.size),
                 s[rows] * rng.uniform(0.1, 0.6, rows.size), rng.uniform(0.2, 1.0, rows.size))
    return comp


def _family_hubbard(rng, n, v_max):
    comp = Components.empty(n)
    s = _scale(rng, n)
    rows = np.arange(n)
    z = rng.uniform(0.0, 0.7, n)
    u_half = s * rng.uniform(0.2, 0.7, n)
    comp.set(rows, 0, GAUSS, s * rng.uniform(-0.05, 0.05, n), s * _loguniform(rng, 0.005, 0.1, n), z)
    lower_share = rng.uniform(0.2, 0.8, n)
    comp.set(rows, 1, GAUSS, -u_half * rng.uniform(0.8, 1.2, n), s * rng.uniform(0.05, 0.3, n),
             (1 - z) * lower_share)
    comp.set(rows, 2, GAUSS, u_half * rng.uniform(0.8, 1.2, n), s * rng.uniform(0.05, 0.3, n),
             (1 - z) * (1 - lower_share))
    return comp


def _family_continua(rng, n, v_max):
    comp = Components.empty(n)
    s = _scale(rng, n)
    k = rng.integers(1, 3, n)
    mid = s * rng.uniform(-0.3, 0.3, n)
    gap = s * rng.uniform(0.0, 0.5, n)
    first_side = np.where(rng.uniform(size=n) < 0.5, -1.0, 1.0)
    for c in range(2):
        rows = np.nonzero(k > c)[0]
        # two edges face away from each other across a gap (a semiconductor); one edge sits anywhere
        side = first_side[rows] * (1.0 if c == 0 else -1.0)
        onset = np.where(k[rows] == 2, mid[rows] + side * gap[rows] / 2, s[rows] * rng.uniform(-0.6, 0.6, rows.size))
        tail = s[rows] * _loguniform(rng, 0.03, 0.5, rows.size)
        comp.set(rows, c, EDGE, onset, side * tail, rng.uniform(0.3, 1.0, rows.size))
        comp.shape[rows, c] = 1.0 + rng.uniform(-0.3, 2.5, rows.size)
    rows = np.nonzero(rng.uniform(size=n) < 0.4)[0]
    comp.set(rows, 2, GAUSS, s[rows] * rng.uniform(-0.5, 0.5, rows.size), s[rows] * rng.uniform(0.2, 0.6, rows.size),
             rng.uniform(0.05, 0.5, rows.size))
    return comp


FAMILIES = {
    "paper": _family_paper,
    "gaussians": _family_gaussians,
    "lorentzians": _family_lorentzians,
    "sharp": _family_sharp,
    "gapped": _family_gapped,
    "semicircle": _family_semicircle,
    "hubbard": _family_hubbard,
    "continua": _family_continua,
}


def sample_spectra(
    n: int, nu: np.ndarray, mixture: dict[str, float], rng: np.random.Generator, chunk: int = 8192
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n`` normalised training spectra on a reduced frequency grid.

    Parameters
    ----------
    n : int
        Number of spectra.
    nu : ndarray, shape (Nnu,)
        Model frequency grid on [-V, V].
    mixture : dict
        Family name -> relative probability, e.g. ``{"paper": 1.0}``.
    rng : numpy.random.Generator
        Source of randomness (seed it for reproducibility).
    chunk : int
        Spectra generated at once (memory bound).

    Returns
    -------
    weights : ndarray, shape (n, Nnu)
        Rows sum to one.
    family : ndarray of int, shape (n,)
        Index into ``sorted(mixture)`` of each spectrum's family.
    """
    unknown = set(mixture) - set(FAMILIES)
    if unknown:
        raise InputError(f"unknown prior families {sorted(unknown)}; known: {sorted(FAMILIES)}")
    names = sorted(mixture)
    p = np.array([mixture[k] for k in names], float)
    if np.any(p < 0) or p.sum() <= 0:
        raise InputError("prior mixture probabilities must be non-negative and not all zero")
    family = rng.choice(len(names), size=n, p=p / p.sum())
    v_max = float(np.max(np.abs(nu)))
    u = np.asarray(nu, float) / v_max
    out = np.empty((n, u.size))
    for f, name in enumerate(names):
        idx = np.nonzero(family == f)[0]
        for start in range(0, idx.size, chunk):
            rows = idx[start:start + chunk]
            comp = FAMILIES[name](rng, rows.size, v_max)
            out[rows] = components_to_weights(comp, u)
    return out, family


@dataclass
class NoiseModel:
    """Additive noise on the normalised ``g(x)`` (so ``g(0) + g(1) = 1``).

    Attributes
    ----------
    sigma_min, sigma_max : float
        Per-sample noise level drawn log-uniformly in [sigma_min, sigma_max]
        (equal values give a fixed level; ``sigma_max = 0`` means noiseless).
    p_correlated : float
        Fraction of samples whose noise is correlated in ``x`` with an
        exponential correlation ``exp(-|x - x'| / ell)``.
    corr_length : tuple of float
        Range of ``ell`` (log-uniform).
    levels : tuple of float
        If given, each sample's level is drawn uniformly from these values
        instead (the paper's ``{1e-5, 1e-4, 1e-3}``).
    """

    sigma_min: float = 1e-5
    sigma_max: float = 1e-2
    p_correlated: float = 0.0
    corr_length: tuple[float, float] = field(default=(0.01, 0.1))
    levels: tuple[float, ...] = ()

    def draw_sigma(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """Per-sample noise levels, shape (n,)."""
        if self.levels:
            return rng.choice(np.asarray(self.levels, float), size=n)
        if self.sigma_max <= 0:
            return np.zeros(n)
        if self.sigma_min >= self.sigma_max:
            return np.full(n, self.sigma_max)
        return _loguniform(rng, self.sigma_min, self.sigma_max, n)

    def draw(self, x: np.ndarray, n: int, rng: np.random.Generator, sigma: np.ndarray | None = None) -> np.ndarray:
        """Noise realisations, shape (n, len(x)); unit-free (relative to the norm)."""
        sigma = self.draw_sigma(n, rng) if sigma is None else np.broadcast_to(sigma, (n,))
        xi = rng.standard_normal((n, x.size))
        if self.p_correlated > 0:
            rows = np.nonzero(rng.uniform(size=n) < self.p_correlated)[0]
            if rows.size:
                ells = _loguniform(rng, *self.corr_length, 8)
                which = rng.integers(0, 8, rows.size)
                dist = np.abs(x[:, None] - x[None, :])
                for i, ell in enumerate(ells):
                    sel = rows[which == i]
                    if sel.size:
                        chol = np.linalg.cholesky(np.exp(-dist / ell) + 1e-10 * np.eye(x.size))
                        xi[sel] = xi[sel] @ chol.T
        return sigma[:, None] * xi


def make_dataset(
    n: int, x: np.ndarray, nu: np.ndarray, mixture: dict[str, float], seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Clean training pairs for a model grid.

    Returns
    -------
    a : ndarray, shape (n, Nnu)
        Normalised weights.
    g : ndarray, shape (n, Nx)
        ``k(x, nu) @ a`` (positive convention, ``g(0) + g(1) = 1``).
    family : ndarray, shape (n,)
    """
    rng = np.random.default_rng(seed)
    a, family = sample_spectra(n, nu, mixture, rng)
    g = a @ fermionic_kernel_dimensionless(x, nu).T
    return a, g, family
