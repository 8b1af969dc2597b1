"""Matsubara data stored over negative and positive frequencies: checked against each other, folded."""

from __future__ import annotations

import numpy as np

from ..errors import FileFormatError
from ._base import Raw

#: G(-i w_n) and G(i w_n)* of a diagonal element differing by more than this many error bars warn.
CONJUGATE_Z = 5.0
#: Without error bars: by more than this fraction of max |G|.
CONJUGATE_REL = 1e-3


def fold_negative_frequencies(raw: Raw, where: str) -> str | None:
    """Keep the positive Matsubara frequencies, after checking the negative ones against them.

    A diagonal element of a Hermitian G obeys ``G(-i w_n) = G(i w_n)*``, so the negative frequencies add
    nothing; they are compared with the positive ones (a difference points to an off-diagonal or
    non-Hermitian element, or a frequency order other than the one assumed) and dropped.  A file with only
    negative frequencies is conjugated onto the positive ones.  What was done goes to
    ``meta["negative_frequencies"]`` (printed as a note by the command line).

    Returns
    -------
    str or None
        A warning when the negative frequencies contradict the positive ones.
    """
    grid = np.asarray(raw.grid, dtype=np.float64)
    if raw.kind != "iw" or grid.ndim != 1 or not np.any(grid < 0) or grid.size != raw.values.shape[-1]:
        return None
    for name, arr, want in (("errors", raw.errors, raw.values.shape), ("bins", raw.bins, None)):
        if arr is not None and (arr.shape[-1] != grid.size or (want is not None and arr.shape != want)):
            raise FileFormatError(f"{where}: {name} have shape {arr.shape}, values {raw.values.shape}")
    neg = grid < 0
    n_neg = int(np.count_nonzero(neg))
    raw.meta["dropped_negative_frequencies"] = n_neg
    if not np.any(~neg):
        _take(raw, np.argsort(-grid), conjugate=True)
        raw.grid = np.abs(raw.grid)
        raw.meta["negative_frequencies"] = (f"the file holds only negative Matsubara frequencies ({n_neg}); "
                                            "G(i w_n) = G(-i w_n)* was used")
        return None
    result, warning = _conjugate_check(raw, grid, where)
    _take(raw, np.flatnonzero(~neg), conjugate=False)
    raw.meta["negative_frequencies"] = f"{n_neg} negative Matsubara frequencies dropped{result}"
    return warning


def _conjugate_check(raw: Raw, grid: np.ndarray, where: str) -> tuple[str, str | None]:
    """Compare G(-i w_n) with G(i w_n)* on the diagonal elements: what was found, and a warning if it fails."""
    odd = np.rint(grid * raw.beta / np.pi).astype(np.int64)
    index_of = {int(m): i for i, m in enumerate(odd) if m > 0}
    pairs = [(i, index_of[int(-m)]) for i, m in enumerate(odd) if m < 0 and int(-m) in index_of]
    diag = raw.diag if raw.diag is not None else np.zeros(raw.values.shape[:-1], dtype=bool)
    if not pairs:
        return " (no positive partner to check them against)", None
    if not np.any(diag):
        return " (not checked against the positive ones: off-diagonal element)", None
    i_neg, i_pos = (np.array(ix) for ix in zip(*pairs))
    g = raw.values[diag]
    diff = g[..., i_neg] - np.conj(g[..., i_pos])
    worst = np.maximum(np.abs(diff.real), np.abs(diff.imag))
    scale = float(np.max(np.abs(g)))
    rel = float(np.max(worst)) / scale if scale > 0 else 0.0
    if raw.errors is not None:
        e = raw.errors[diag]
        sd = np.hypot(e[..., i_neg], e[..., i_pos])
        z_max = float(np.max(worst / np.where(sd > 0, sd, np.inf)))
        bad, size = z_max > CONJUGATE_Z, f"{z_max:.3g} error bars ({rel:.2g} of max |G|)"
    else:
        bad, size = rel > CONJUGATE_REL, f"{rel:.2g} of max |G|"
    result = f" after checking G(-i w_n) = G(i w_n)* on {len(pairs)} pairs (largest difference {size})"
    if not bad:
        return result, None
    return result, (f"{where}: G(-i w_n) differs from G(i w_n)* by up to {size} on a diagonal element, which a "
                    "Hermitian Green's function does not allow: the data may be an off-diagonal or non-Hermitian "
                    "element, or the frequencies are stored in another order than n = -N .. N-1. The positive "
                    "frequencies are used")


def _take(raw: Raw, index: np.ndarray, conjugate: bool) -> None:
    """Keep the grid points ``index`` (in that order) of the grid, values, errors, bins and covariance."""
    flip = np.conj if conjugate else (lambda x: x)
    raw.grid = np.asarray(raw.grid, dtype=np.float64)[index]
    raw.values = flip(raw.values[..., index])
    if raw.errors is not None:
        raw.errors = raw.errors[..., index]
    if raw.bins is not None:
        raw.bins = flip(raw.bins[..., index])
    if raw.cov is not None:
        raw.cov = flip(raw.cov[..., index[:, None], index[None, :]])
