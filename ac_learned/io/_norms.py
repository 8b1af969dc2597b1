"""The first moment of Matsubara data as ``continue`` fits it, for :func:`ac_learned.io.inspect`."""

from __future__ import annotations

import warnings

import numpy as np

from ..errors import InputError
from ._base import Raw
from ._validate import finalize
from ._wording import option
from .data import GreenData

#: Diagonal elements whose norm inspect fits at most (each costs a tail fit and its tests).
MAX_ROWS = 8


def _rows(raw: Raw) -> list[tuple]:
    """Indices of the diagonal elements among the leading axes (``[()]`` for a single G)."""
    values = np.asarray(raw.values)
    if values.ndim < 2:
        return [()]
    diag = raw.diag
    if diag is None or np.shape(diag) != values.shape[:-1]:
        return [tuple(i) for i in np.ndindex(values.shape[:-1])]
    return [tuple(int(j) for j in i) for i in np.argwhere(np.asarray(diag, bool))]


def _element(data: GreenData, idx: tuple, with_errors: bool) -> GreenData:
    def pick(a, lead=()):
        return None if a is None or not with_errors else np.asarray(a)[lead + idx]

    return GreenData(kind="iw", beta=data.beta, grid=data.grid, values=np.asarray(data.values)[idx],
                     errors=pick(data.errors), cov=pick(data.cov), bins=pick(data.bins, (slice(None),)),
                     source=data.source, path=data.path, meta={})


def matsubara_norms(raw: Raw, path: str) -> tuple[np.ndarray, str]:
    """``c1 = -lim w_n Im G(i w_n)`` of each diagonal element, by the tail fit of
    :func:`ac_learned.pipeline.tau_from_matsubara` with the default window and model, and how it was fitted.

    ``raw`` is validated as :func:`ac_learned.io.load` would (and changed by it). With the file's error bars
    (as ``continue`` without ``err``); without them where the file has none or they cannot be used.
    """
    from ..pipeline import default_omega_max, tau_from_matsubara

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = _rows(raw)
        data = finalize(raw, path, drop_bad_errors=True)
    if not rows:
        return np.zeros(0), ""
    omega_max = default_omega_max(data.beta)
    c1, terms, used, bare = [], set(), None, False
    done: dict[bytes, GreenData] = {}  # equal elements (spin-degenerate ones, say) are fitted once
    for idx in rows[:MAX_ROWS]:
        one = _element(data, idx, True)
        key = b"".join(np.ascontiguousarray(a).tobytes() for a in (one.values, one.errors, one.cov, one.bins)
                        if a is not None)
        if key not in done:
            try:
                done[key] = tau_from_matsubara(one, omega_max)
            except InputError:  # error bars continue cannot use: it needs err then, which replaces them
                done[key], bare = tau_from_matsubara(_element(data, idx, False), omega_max), True
        mapped = done[key]
        c1.append(mapped.meta["matsubara_norm"])
        terms.add(int(mapped.meta["matsubara_tail_terms"]))
        used = int(mapped.meta["matsubara_used"])
    n = np.asarray(data.grid).size
    frequencies = f"all {n} frequencies" if used == n else f"the first {used} of {n} frequencies"
    k = " or ".join(f"1..{t}" for t in sorted(terms))
    errors = "without error bars" if bare or (data.errors is None and data.cov is None and data.bins is None) \
        else "weighted by the file's error bars"
    some = f" (the first {MAX_ROWS} of {len(rows)} diagonal elements)" if len(rows) > MAX_ROWS else ""
    return np.asarray(c1, float), (f"as continue fits it{some}: 1/(i w_n)^k, k = {k}, on {frequencies}, {errors}; "
                                   f"{option('err')} may add terms")
