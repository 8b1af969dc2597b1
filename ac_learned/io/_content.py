"""What a dataset holds beyond its layout: unmeasured blocks, self-energies, noise.

Shared by :func:`ac_learned.io.load` (which refuses what cannot be continued) and
:func:`ac_learned.io.inspect` (which labels it), so the two agree.
"""

from __future__ import annotations

import re

import numpy as np

from ._wording import option

#: Block or dataset names of self-energies: Sigma, Sigma_iw, Sigma_imp, S_iw, siw, self_energy, ...
#: (matched against each "/"-separated part of a candidate's name, case-insensitively).
_SELF_ENERGY_NAME = re.compile(
    r"^(sigma.*|self[_ -]?energy.*|s_?(iw|w|tau|imp|loc)([^a-z].*)?|sig([^a-z].*)?)$", re.IGNORECASE)

#: A self-energy's real part tends to Sigma_inf: at the highest frequencies it is this many times |Im| and
#: varies by less than :data:`_SELF_ENERGY_SPREAD` of itself (a G's falls off like c2 / w_n^2 << c1 / w_n).
_SELF_ENERGY_RATIO = 3.0
_SELF_ENERGY_SPREAD = 0.25


def self_energy_name(name: str) -> bool:
    """Whether a block or dataset name is that of a self-energy (``Sigma_iw/up``, ``S_iw``, ``siw`` ...)."""
    return any(_SELF_ENERGY_NAME.match(part) for part in str(name).split("/") if part)


def falls_off_like_a_tail(w: np.ndarray, im: np.ndarray) -> bool:
    """Whether ``im`` keeps its sign and falls off like ``c1 / w`` over the upper half of ``|w|`` (the tail of
    Im G(i w_n) or Im Sigma(i w_n): a log-log slope between -1.6 and -0.4); negative frequencies count by
    ``|w_n|``, with the sign of Im flipped."""
    w = np.asarray(w, dtype=float).reshape(-1)
    im = np.asarray(im, dtype=float).reshape(-1) * np.sign(w)  # Im G(-i w_n) = -Im G(i w_n)
    w = np.abs(w)
    upper = np.argsort(w)[w.size // 2:]
    im_up, w_up = im[upper], w[upper]
    if w_up.size < 3 or np.ptp(w_up) == 0 or not (np.all(im_up < 0) or np.all(im_up > 0)):
        return False
    slope = np.polyfit(np.log(w_up), np.log(np.abs(im_up)), 1)[0]
    return bool(-1.6 <= slope <= -0.4)


def self_energy_tail(grid: np.ndarray, values: np.ndarray) -> str | None:
    """Why Matsubara data look like a self-energy, or None: their real part tends to a non-zero constant, large
    against Im, while Im falls off like a tail c1 / w_n (a G whose level lies beyond the highest frequency has a
    near-constant real part too, but an imaginary part that grows with w_n).

    Parameters
    ----------
    grid : ndarray, shape (N,)
        Matsubara frequencies (negative ones count by ``|w_n|``).
    values : ndarray, shape (..., N)
        Complex values; every row is tested (pass the diagonal elements).
    """
    w = np.abs(np.asarray(grid, dtype=float).reshape(-1))
    rows = np.asarray(values).reshape(-1, w.size) if np.size(values) else np.zeros((0, w.size))
    if w.size < 8 or not np.iscomplexobj(rows) or not np.all(np.isfinite(rows)):
        return None
    top = np.argsort(w)[-max(4, w.size // 4):]
    for row in rows:
        re_top, im_top = row.real[top], row.imag[top]
        const = float(np.median(re_top))
        spread = float(np.median(np.abs(re_top - const)))
        constant = spread < _SELF_ENERGY_SPREAD * abs(const)
        if constant and abs(const) > _SELF_ENERGY_RATIO * float(np.median(np.abs(im_top))) and \
                falls_off_like_a_tail(grid, row.imag):
            return (f"its real part tends to a constant, {const:.4g}, at the highest frequencies (|w_n| from "
                    f"{w[top].min():.4g} to {w[top].max():.4g}), as a self-energy's tends to Sigma_inf; a Green's "
                    "function's real part falls off like 1/w_n^2 there")
    return None


def self_energy_advice(alternatives: list[str] | None = None) -> str:
    """What to do instead of continuing a self-energy."""
    instead = ""
    if alternatives:
        shown = ", ".join(option("block", a) for a in alternatives[:3])
        instead = f" ({'this file holds' if len(alternatives) == 1 else 'for example'} {shown})"
    return ("continuing a self-energy is not supported yet: continue the Green's function G instead"
            f"{instead}, or subtract Sigma_inf and divide by the first moment c1 = -lim w_n Im Sigma(i w_n) "
            "yourself, continue (Sigma - Sigma_inf) / c1 and multiply its spectrum by c1")


#: Note of candidates whose name says they are a self-energy (see :func:`self_energy_name`).
SELF_ENERGY_NOTE = "a self-energy (by its name), not a Green's function: continuing it is not supported yet"


def unmeasured(values: np.ndarray) -> str | None:
    """``"all NaN"``, ``"all zero"`` or ``"all zero or NaN"`` for data that hold no measurement; else None."""
    values = np.asarray(values)
    if values.size == 0:
        return None
    finite = np.isfinite(values)
    if not np.any(finite):
        return "all NaN"
    if np.any(values[finite] != 0):
        return None
    return "all zero" if np.all(finite) else "all zero or NaN"


def unmeasured_advice(measured: list[str]) -> str:
    """Which blocks of the file hold data, to load instead."""
    if not measured:
        return "no other Green's function of this file holds data either"
    shown = ", ".join(repr(m) for m in measured[:6]) + (", ..." if len(measured) > 6 else "")
    return f"measured in this file: {shown}; use one of them instead (e.g. {option('block', measured[0])})"


def noise_scale(rows: np.ndarray) -> np.ndarray:
    """A robust estimate of each row's point-to-point noise (standard deviation), shape ``(n, 1)``.

    From the median absolute second difference (``sqrt(6) sigma`` for white noise); smooth data give a
    small value (their curvature), so tests that allow for it only become more lenient with noisy data.
    """
    rows = np.asarray(rows, dtype=float)
    if rows.shape[-1] < 5:
        return np.zeros(rows.shape[:-1] + (1,))
    d2 = rows[..., 2:] - 2 * rows[..., 1:-1] + rows[..., :-2]
    return (np.median(np.abs(d2), axis=-1, keepdims=True) / 0.6745) / np.sqrt(6.0)
