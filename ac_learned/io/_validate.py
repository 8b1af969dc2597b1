"""Checks every loaded Green's function passes, and the sign and norm warnings."""

from __future__ import annotations

import os
import sys
import warnings

import numpy as np

from ..errors import ACLearnedWarning, FileFormatError, InputError
from ._base import Raw
from ._content import noise_scale, self_energy_advice, self_energy_tail
from ._h5util import DAMAGE_ADVICE
from ._negative_frequencies import fold_negative_frequencies
from ._wording import on_command_line, option
from .data import GreenData

#: Relative slack when checking that tau lies in [0, beta].
TAU_TOL = 1e-8
#: |G(0) + G(beta) + 1| above this (plus three error bars) triggers a norm warning.
NORM_TOL = 0.05
#: A diagonal value of the wrong sign warns when it exceeds this fraction of max|G|
#: (and three error bars).
SIGN_TOL = 1e-3
#: Values more than this many times the data's typical magnitude (and than this number) are damage, not data:
#: |G(tau)| is at most the norm, |w_n G(i w_n)| tends to it, and G scaled by an occupation or a number of
#: orbitals stays within a few hundred.
ABSURD_FACTOR = 1e6


def _error_hint(source: str = "", problem: str = "") -> str:
    """How to go on without the file's error bars, worded for the caller (``problem``: what is wrong with them)."""
    nan = not problem or "nan" in problem.lower()
    why = "a one-rank w2dynamics run stores NaN errors; " if source == "w2dynamics" and nan else ""
    if on_command_line():
        return f"{why}pass your own error bar with {option('err')} (for example --err 1e-4), which replaces the file's"
    return (f"{why}load with drop_bad_errors=True and pass your own error bars to the solver (or --err on the "
            "command line), or use the bins")


def _grid_error(raw: Raw, message: str) -> Exception:
    cls = InputError if raw.grid_from_user else FileFormatError
    return cls(message)


def _check_grid(raw: Raw, where: str) -> None:
    grid = np.asarray(raw.grid, dtype=np.float64)
    n = raw.values.shape[-1] if raw.values.ndim else 0
    if grid.ndim != 1 or grid.size != n:
        raise _grid_error(
            raw,
            f"{where}: mesh and data sizes differ: the grid has {grid.size} points, "
            f"the data {n} along the grid axis",
        )
    if n == 0:
        raise FileFormatError(f"{where}: no data points")
    if not np.all(np.isfinite(grid)):
        raise _grid_error(raw, f"{where}: the grid contains NaN or inf")
    if n > 1 and not np.all(np.diff(grid) > 0):
        raise _grid_error(raw, f"{where}: the grid is not strictly increasing (repeated points, or stored in "
                               "decreasing order: sort the table by its grid column first)")
    beta = raw.beta
    if raw.kind == "tau":
        tol = TAU_TOL * beta
        if grid[0] < -tol or grid[-1] > beta + tol:
            raise _grid_error(
                raw,
                f"{where}: tau outside [0, beta={beta:g}]: from {grid[0]:.6g} to {grid[-1]:.6g}",
            )
        grid = np.clip(grid, 0.0, beta)
    else:
        if grid[0] <= 0:
            raise _grid_error(raw, f"{where}: Matsubara frequencies must be positive")
        x = grid * beta / np.pi
        nearest = np.rint(x)
        implied = f"if they are the fermionic (2n+1) pi/beta from n = 0, they imply beta = {np.pi / grid[0]:.8g}"
        if not np.all(np.abs(x - nearest) <= 1e-4 * np.maximum(1.0, x)):
            raise _grid_error(
                raw, f"{where}: frequencies are not Matsubara frequencies n*pi/beta for beta={beta:g}; {implied} "
                     "(a wrong beta?)"
            )
        if np.any(nearest % 2 == 0):
            raise InputError(
                f"{where}: bosonic Matsubara frequencies (2n pi/beta) for beta={beta:g} found; a fermionic "
                f"Green's function is expected. Or beta is wrong: {implied}"
            )
    raw.grid = grid


def diagonal_rows(values: np.ndarray, diag: np.ndarray | None) -> np.ndarray:
    """The diagonal elements' rows of ``values`` (shape ``(..., N)``) as ``(n, N)``.

    All rows when ``diag`` is missing or does not match the leading axes; a single row as one.
    """
    values = np.asarray(values)
    if values.ndim < 2:
        return values.reshape(1, -1)
    if diag is None or np.shape(diag) != values.shape[:-1]:
        return values.reshape(-1, values.shape[-1])
    return values[np.asarray(diag, bool)]


def sign_words(kind: str, sign_in_file: str) -> tuple[str, str]:
    """How data of ``kind`` stored against their format's ``sign_in_file`` read: (what is held, what is declared)."""
    held = {("tau", "standard"): "-G (-G(tau) >= 0)", ("tau", "positive"): "G (G(tau) <= 0)",
            ("iw", "standard"): "-G (Im G(i w_n) > 0 for w_n > 0)",
            ("iw", "positive"): "G (Im G(i w_n) < 0 for w_n > 0)"}[(kind if kind == "tau" else "iw", sign_in_file)]
    declared = "G" if sign_in_file == "standard" else "-G"
    return held, declared


def stored_as_minus_g(raw: Raw) -> bool:
    """Whether a file holds the other sign than its format declares (or than the reader detected).

    Readers return the standard sign by the format's convention (G for TRIQS, -G flipped for w2dynamics);
    diagonal elements of the wrong sign on the whole (sum of G(tau), or of Im G(i w_n) sign(w_n),
    positive) mean the file stored the other one.
    """
    if raw.sign_in_file not in ("standard", "positive") or raw.diag is None or not np.any(raw.diag):
        return False
    values = np.asarray(raw.values)
    if values.ndim < 1 or np.shape(raw.diag) != values.shape[:-1]:
        return False
    picked = diagonal_rows(values, raw.diag)
    if raw.kind == "tau":
        part = picked.real
    else:
        part = picked.imag * np.sign(np.asarray(raw.grid, dtype=float))
    if not np.all(np.isfinite(part)):
        return False
    # the other sign on the whole, beyond the noise: a noisy element whose points scatter across zero keeps its sign
    sigma = _point_noise(raw, part)
    return float(np.sum(part)) > 3 * float(np.sqrt(np.sum(sigma ** 2)))


def _point_noise(raw: Raw, part: np.ndarray) -> np.ndarray:
    """One-sigma noise of each point of ``part`` (the diagonal rows): the file's error bars where usable,
    else an estimate from the scatter of the data themselves (:func:`ac_learned.io._content.noise_scale`)."""
    if raw.errors is not None and np.shape(raw.errors) == np.shape(raw.values):
        errors = diagonal_rows(np.asarray(raw.errors, dtype=float), raw.diag)
        if errors.shape == part.shape and np.all(np.isfinite(errors)) and np.all(errors >= 0):
            return errors
    return np.broadcast_to(noise_scale(part), part.shape)


def _flip_minus_g(raw: Raw, where: str) -> None:
    """Flip data stored as -G in a format that declares G, and say so."""
    if not stored_as_minus_g(raw):
        return
    raw.values = -raw.values
    if raw.bins is not None:
        raw.bins = -raw.bins
    held, declared = sign_words(raw.kind, raw.sign_in_file)
    raw.sign_in_file = "positive" if raw.sign_in_file == "standard" else "standard"
    raw.meta["sign_against_format"] = True
    _warn(f"{where}: this format stores {declared}, but the file's diagonal data have the other sign on the "
          f"whole: taken as {held} and flipped to the standard sign. If the file really holds what its "
          "format says, it is not a fermionic Green's function's diagonal element")


def _position(raw: Raw, mask: np.ndarray) -> str:
    """Where the first True of ``mask`` (shaped like ``raw.values``) lies: index, axis labels and grid point."""
    idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(mask)), mask.shape))
    grid = np.asarray(raw.grid, dtype=float).reshape(-1)
    name = "tau" if raw.kind == "tau" else "w_n"
    point = f"{name} = {grid[idx[-1]]:.6g}" if grid.size == mask.shape[-1] and np.isfinite(grid[idx[-1]]) else ""
    if len(idx) == 1:
        return f"at {name} index {idx[0]}" + (f" ({point})" if point else "")
    labels = [a.label for a in raw.axes]
    if len(labels) != len(idx) - 1:
        labels = [f"axis {i}" for i in range(len(idx) - 1)]
    parts = [f"{label}={i}" for label, i in zip(labels, idx[:-1])] + [f"{name} index {idx[-1]}"]
    parts += [point] if point else []
    return f"at index {idx} ({', '.join(parts)})"


def value_problem(raw: Raw) -> str | None:
    """Why the values cannot be used: NaN/inf, or absurdly large (damaged bytes); None when they can.

    The typical magnitude is the median of |G(tau)| (of |w_n G(i w_n)| for Matsubara data), at least 1;
    values more than :data:`ABSURD_FACTOR` times it are refused.
    """
    values = np.asarray(raw.values)
    if values.ndim == 0 or values.size == 0:
        return None
    bad = ~np.isfinite(values)
    if np.any(bad):
        return (f"the values contain NaN or inf: {int(np.count_nonzero(bad))} of {values.size}, the first "
                f"{_position(raw, bad)}")
    grid = np.asarray(raw.grid, dtype=float).reshape(-1)
    with np.errstate(all="ignore"):
        mag = np.abs(values)
        if raw.kind != "tau" and grid.size == values.shape[-1]:
            mag = mag * np.abs(grid)
        typical = max(1.0, float(np.median(mag)))
        absurd = ~(mag <= ABSURD_FACTOR * typical)
    if not np.any(absurd):
        return None
    first = values[np.unravel_index(int(np.argmax(absurd)), absurd.shape)]
    what = "w_n G(i w_n)" if raw.kind != "tau" else "G"
    return (f"the values look damaged: |G| = {abs(first):.3g} {_position(raw, absurd)} is absurdly large (|{what}| "
            f"more than {ABSURD_FACTOR:.0e} times the data's typical magnitude, {typical:.3g}); "
            f"{int(np.count_nonzero(absurd))} value(s) like it. The file is probably corrupted there: {DAMAGE_ADVICE}")


def _bad_errors(values: np.ndarray, errors: np.ndarray) -> str | None:
    """Why error bars cannot be used: NaN/inf, negative, or zero on every non-zero point of an element.

    Some points with error 0 (ALF fixes G(0) and G(beta) exactly) are exact points: see :func:`_exact_points`.
    """
    if not np.all(np.isfinite(errors)):
        return "NaN or inf error bars"
    if np.any(errors < 0):
        return "negative error bars"
    rows_v, rows_e = diagonal_rows(values, None), diagonal_rows(errors, None)
    if np.any(np.any(rows_v != 0, axis=-1) & np.all((rows_e == 0) | (rows_v == 0), axis=-1)):
        return "zero error bars on non-zero data"
    return None


#: A zero error bar (an exact point) is replaced by this fraction of the smallest positive one of its element.
EXACT_ERROR_FRACTION = 0.1


def _exact_points(raw: Raw) -> None:
    """Give points with error 0 on non-zero data (known exactly) a tenth of their element's smallest positive
    error bar, which the fit honours (it needs positive errors) as a point 100 times as heavy as the best
    measured one; say so in ``meta["errors_from"]``."""
    errors = np.array(raw.errors, dtype=float)
    rows_v, rows_e = diagonal_rows(raw.values, None), errors.reshape(-1, errors.shape[-1])
    exact = (rows_e == 0) & (rows_v != 0)
    if not np.any(exact):
        return
    smallest = np.min(np.where(rows_e > 0, rows_e, np.inf), axis=-1, keepdims=True)
    rows_e[exact] = (EXACT_ERROR_FRACTION * np.broadcast_to(smallest, rows_e.shape))[exact]
    raw.errors = rows_e.reshape(errors.shape)
    grid = np.asarray(raw.grid, dtype=float).reshape(-1)
    name = "tau" if raw.kind == "tau" else "w_n"
    points = sorted({float(grid[j]) for j in np.nonzero(np.any(exact, axis=0))[0]})
    at = ", ".join(f"{name} = {p:.6g}" for p in points[:4]) + (", ..." if len(points) > 4 else "")
    note = (f"{int(np.count_nonzero(exact))} point(s) with error bar 0 in the file ({at}) taken as exact: their "
            f"error set to {EXACT_ERROR_FRACTION:g} of the smallest positive error bar of their element, so the fit "
            f"weighs them {1 / EXACT_ERROR_FRACTION ** 2:g} times the best-measured point")
    raw.meta["errors_from"] = "; ".join(filter(None, [raw.meta.get("errors_from"), note]))


#: Why a file with a single bin has no error bar.
ONE_BIN = "one bin gives no error bar (a jackknife or standard error needs at least 2 bins)"


def _one_bin_hint() -> str:
    """How to go on with a single bin, worded for the caller."""
    if on_command_line():
        return f"pass your own error bar with {option('err')} (for example --err 1e-4)"
    return ("load with drop_bad_errors=True (bins=None) and pass your own error bars to the solver (or --err on the "
            "command line)")


def _check_statistics(raw: Raw, where: str, drop_bad_errors: bool) -> None:
    shape = raw.values.shape
    if raw.errors is not None:
        if raw.errors.shape != shape:
            raise FileFormatError(f"{where}: errors have shape {raw.errors.shape}, values {shape}")
        problem = _bad_errors(raw.values, raw.errors)
        if problem is not None:
            if not drop_bad_errors:
                raise FileFormatError(f"{where}: {problem} ({_error_hint(raw.source, problem)})")
            raw.errors = None
            raw.meta["errors_dropped"] = problem
        else:
            _exact_points(raw)
    if raw.cov is not None:
        want = shape + (shape[-1],)
        if raw.cov.shape != want:
            raise FileFormatError(f"{where}: covariance has shape {raw.cov.shape}, expected {want}")
        diag = np.diagonal(raw.cov, axis1=-2, axis2=-1)
        if not np.all(np.isfinite(raw.cov)) or np.any(diag < 0):
            if not drop_bad_errors:
                raise FileFormatError(
                    f"{where}: covariance has NaN/inf or negative variances ({_error_hint(raw.source)})")
            raw.cov = None
            raw.meta["cov_dropped"] = "NaN/inf or negative variances"
    if raw.bins is not None:
        if raw.bins.ndim != raw.values.ndim + 1 or raw.bins.shape[1:] != shape:
            raise FileFormatError(f"{where}: bins have shape {raw.bins.shape}, values {shape}")
        if not np.all(np.isfinite(raw.bins)):
            raise FileFormatError(f"{where}: bins contain NaN or inf")
        if raw.bins.shape[0] < 2 and raw.errors is None and raw.cov is None:
            if not drop_bad_errors:
                raise FileFormatError(f"{where}: the file has a single bin: {ONE_BIN}; {_one_bin_hint()}")
            raw.bins = None
            raw.meta["errors_dropped"] = ONE_BIN


def _warn(message: str) -> None:
    """Warn, pointing at the first caller outside ac_learned."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    frame, level = sys._getframe(0), 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(package + os.sep):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, ACLearnedWarning, stacklevel=level)


def _check_sign_and_norm(raw: Raw, where: str) -> None:
    """Warn when a diagonal element has the wrong sign, or G(0)+G(beta) is far from -1."""
    if raw.diag is None or not np.any(raw.diag):
        return
    values = raw.values[raw.diag]
    part = values.real if raw.kind == "tau" else values.imag
    # without error bars, the data's own scatter: points of the wrong sign within the noise do not count
    errors = raw.errors[raw.diag] if raw.errors is not None else np.broadcast_to(noise_scale(part), part.shape)
    scale = float(np.max(np.abs(part))) if part.size else 0.0
    if scale == 0.0:
        return
    # standard sign: G(tau) <= 0 and Im G(iw_n) <= 0 for w_n > 0
    wrong = part > np.maximum(3 * errors, SIGN_TOL * scale)
    if np.any(wrong):
        n_bad = int(np.count_nonzero(np.any(wrong, axis=-1)))
        what = "G(tau) > 0" if raw.kind == "tau" else "Im G(iw_n) > 0"
        _warn(
            f"{where}: {n_bad} diagonal element(s) have {what} somewhere "
            f"(largest {float(np.max(part)):.3g}); the standard sign is G <= 0. "
            f"The file's sign was taken as {raw.sign_in_file!r}: check the data"
        )
    if raw.kind != "tau" or raw.grid.size < 2:
        return
    beta = raw.beta
    if abs(raw.grid[0]) > TAU_TOL * beta or abs(raw.grid[-1] - beta) > TAU_TOL * beta:
        return
    ends = part[..., 0] + part[..., -1]
    slack = NORM_TOL + 3 * (errors[..., 0] + errors[..., -1])
    far = np.abs(ends + 1.0) > slack
    if np.any(far):
        worst = float(ends.reshape(-1)[np.argmax(np.abs(ends + 1.0).reshape(-1))])
        assumed = ("; the tau points were not in the file but assumed (see the note): data on another grid, "
                   f"e.g. only [0, beta/2], would read like this, so check it ({option('grid', 'centres')} or a "
                   "file of tau points)" if raw.meta.get("tau_grid_assumed") else "")
        _warn(
            f"{where}: G(0) + G(beta) = {worst:.4g} on a diagonal element, far from -1 "
            f"(a normalised fermionic Green's function); check the sign and normalisation{assumed}"
        )


def finalize(raw: Raw, file_path: str, drop_bad_errors: bool = False) -> GreenData:
    """Validate ``raw`` and build the :class:`GreenData` returned by ``load``."""
    where = f"{file_path}:{raw.h5path}" if raw.h5path else file_path
    if not np.isfinite(raw.beta) or raw.beta <= 0:
        raise FileFormatError(f"{where}: beta={raw.beta} is not a positive number")
    if raw.kind == "tau":
        raw.values = np.asarray(raw.values, dtype=np.float64)
    else:
        raw.values = np.asarray(raw.values, dtype=np.complex128)
    if raw.values.ndim == 0:
        raise FileFormatError(f"{where}: no data points")
    conjugate_warning = fold_negative_frequencies(raw, where)
    if conjugate_warning:
        _warn(conjugate_warning)
    _check_grid(raw, where)
    problem = value_problem(raw)
    if problem is not None:
        raise FileFormatError(f"{where}: {problem}")
    if raw.kind == "iw":
        why = self_energy_tail(raw.grid, diagonal_rows(raw.values, raw.diag))
        if why is not None:
            raise InputError(f"{where}: this looks like a self-energy, not a Green's function: {why}; "
                             f"{self_energy_advice()}")
    _flip_minus_g(raw, where)
    _check_statistics(raw, where, drop_bad_errors)
    _check_sign_and_norm(raw, where)
    meta = dict(raw.meta)
    meta["sign_in_file"] = raw.sign_in_file
    meta["axes"] = [a.label for a in raw.axes] + [raw.kind]
    pairs = [a.pairs for a in raw.axes if a.pairs is not None]
    if pairs:
        meta["orbital_pairs"] = pairs[0]
    return GreenData(
        kind=raw.kind,  # type: ignore[arg-type]
        beta=float(raw.beta),
        grid=np.ascontiguousarray(raw.grid, dtype=np.float64),
        values=np.ascontiguousarray(raw.values),
        errors=None if raw.errors is None else np.ascontiguousarray(raw.errors, dtype=np.float64),
        cov=None if raw.cov is None else np.ascontiguousarray(raw.cov, dtype=np.float64),
        bins=None if raw.bins is None else np.ascontiguousarray(raw.bins),
        source=raw.source,
        path=where,
        meta=meta,
    )
