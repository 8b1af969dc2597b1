"""Public entry points: :func:`load`, :func:`list_candidates`, :func:`inspect`."""

from __future__ import annotations

import contextlib
import copy
import os
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import numpy as np

from ..errors import ACLearnedError, FileFormatError, InputError
from . import _h5util as h5u
from . import alps_maxent, text, w2dynamics
from ._base import (
    Candidate,
    Context,
    Raw,
    check_user_beta,
    check_user_grid,
    choose,
    mark_self_energies,
    spin_label,
)
from ._content import self_energy_advice, self_energy_tail, unmeasured, unmeasured_advice
from ._norms import matsubara_norms
from ._select import select
from ._validate import (
    ONE_BIN,
    _bad_errors,
    _error_hint,
    _one_bin_hint,
    _warn,
    diagonal_rows,
    finalize,
    sign_words,
    stored_as_minus_g,
    value_problem,
)
from ._wording import on_command_line, option, pass_hint
from .data import GreenData
from .detect import check_path, sniff_h5


@contextlib.contextmanager
def _opened(path: str | os.PathLike, **kwargs: Any) -> Iterator[tuple[ModuleType, Context]]:
    """Detect the format and yield (reader, context with the file open)."""
    path = check_path(path)
    ctx = Context(path=path, **kwargs)
    with h5u.guard(path, "the file"):
        hdf5 = h5u.is_hdf5(path)
    if not hdf5:
        yield text, ctx
        return
    with h5u.open_h5(path) as f:
        ctx.h5 = f
        yield sniff_h5(f, path, ctx.cache), ctx


def _candidates(reader: ModuleType, ctx: Context) -> list[Candidate]:
    with h5u.guard(ctx.path, f"the list of Green's functions ({reader.NAME})", ctx.h5):
        return mark_self_energies(reader.candidates(ctx))


def list_candidates(path: str | os.PathLike, iteration: Any = None) -> list[Candidate]:
    """List the Green's functions a file holds.

    Parameters
    ----------
    path : path-like
        File to look into.
    iteration : int or str, optional
        w2dynamics iteration (default: the last one).

    Returns
    -------
    list of Candidate
        ``name`` is what ``load(path, block=name)`` takes.
    """
    with _opened(path, iteration=iteration) as (reader, ctx):
        return _candidates(reader, ctx)


def load(
    path: str | os.PathLike,
    block: str | None = None,
    orbital: int | tuple[int, int] | None = None,
    spin: int | str | None = None,
    k: int | tuple[int, ...] | None = None,
    iteration: int | str | None = None,
    beta: float | None = None,
    *,
    grid: np.ndarray | str | None = None,
    kind: str | None = None,
    drop_bad_errors: bool = False,
) -> GreenData:
    """Load a fermionic Green's function from a QMC output file.

    The format is sniffed (w2dynamics, SmoQyDQMC, ALF, ALPSCore, ALPS segment
    solver, ALPS MaxEnt input, TRIQS, or a text table of ana_cont / ACFlow /
    TRIQS-maxent) and the data come back in the standard sign G(tau) <= 0.

    Parameters
    ----------
    path : path-like
        The file.
    block : str, optional
        Which Green's function when the file holds several (see
        :func:`list_candidates`); a "/"-separated suffix of the name is enough,
        e.g. ``"up"`` for the TRIQS block ``"G_tau/up"``.
    orbital : int or (int, int), optional
        Orbital element; an int ``i`` means the diagonal ``(i, i)``.
    spin : int or {"up", "down"}, optional
        Spin element, or spin block for files that store spins as blocks.
    k : int or tuple of int, optional
        Momentum index, or displacement index of position-space data (flat,
        or one index per lattice direction).
    iteration : int or str, optional
        w2dynamics iteration (number, or name such as ``"dmft-003"``); default
        the last one.
    beta : float, optional
        Inverse temperature for files that do not store it; checked against
        the file's value otherwise.
    grid : array_like or {"uniform", "centres"}, optional
        tau points (or frequencies) for files without them (ALPS MaxEnt input),
        or the name of a grid of as many points as the data: "uniform" (from 0
        to beta, both ends: ALPS MaxEnt's default, used when the file has no
        ``TAU_i``) or "centres" (bin centres ``(i + 1/2) beta / N``).
    kind : {"tau", "iw"}, optional
        Data kind for files that do not say (ALPS MaxEnt input).
    drop_bad_errors : bool
        Drop NaN/inf or non-positive error bars (``errors=None``, reason in
        ``meta["errors_dropped"]``), or a single bin that gives no error bar
        (``bins=None``), instead of raising.

    Returns
    -------
    GreenData
        ``values`` with index axes first (labels in ``meta["axes"]``) and the grid
        last; ``meta["sign_in_file"]`` tells which sign the file used.

    Raises
    ------
    FileFormatError
        Unreadable (damaged, or locked by another process where HDF5 cannot
        read it without the lock), unknown or inconsistent file; NaN/inf or
        absurdly large values; a zero average sign.
    InputError
        Bad selector or argument, a missing beta/grid, several candidates and
        no ``block=``, or bosonic data.
    """
    if kind not in (None, "tau", "iw"):
        raise InputError(f"kind must be 'tau' or 'iw', got {kind!r}")
    user = {"beta": check_user_beta(beta), "grid": check_user_grid(grid), "kind": kind, "iteration": iteration}
    with _opened(path, **user) as (reader, ctx):
        locked = h5u.unlocked_note(ctx.h5, ctx.path)
        if locked:
            _warn(locked)
        if iteration is not None and reader.NAME != "w2dynamics":
            raise InputError(f"{option('iteration')} applies to w2dynamics files only; {ctx.path} is {reader.NAME}")
        if (grid is not None or kind is not None) and reader.NAME != "alps_maxent":
            what = option("grid") + " applies" if kind is None else f"{option('grid')} and {option('kind')} apply"
            raise InputError(f"{what} to ALPS MaxEnt input only; {ctx.path} ({reader.NAME}) has its own grid")
        cands = _candidates(reader, ctx)
        cand = choose(cands, block, spin, ctx.path)
        if cand.spin is not None and spin is not None:
            if spin_label(spin) != cand.spin:
                raise InputError(f"{option('spin', spin)} contradicts the spin block {cand.name!r}")
            spin = None
        with h5u.guard(ctx.path, f"{cand.name} ({reader.NAME})", ctx.h5):
            raw = reader.read(ctx, cand)
            _refuse_unmeasured(raw, reader, ctx, cands, cand)
    with h5u.guard(ctx.path, f"{cand.name} ({reader.NAME})"):
        raw = select(raw, orbital=orbital, spin=spin, k=k)
        _refuse_unmeasured_element(raw, ctx.path, cand)
        return finalize(raw, ctx.path, drop_bad_errors=drop_bad_errors)


def _where(path: str, raw: Raw) -> str:
    return f"{path}:{raw.h5path}" if raw.h5path else path


def _refuse_unmeasured(raw: Raw, reader: ModuleType, ctx: Context, cands: list[Candidate], cand: Candidate) -> None:
    """A block whose values are all NaN or all zero holds no measurement: say so, and which blocks do."""
    state = unmeasured(raw.values)
    if state is None:
        return
    measured = [c.name for c in cands if c is not cand and _measured(reader, ctx, c)]
    raise FileFormatError(f"{_where(ctx.path, raw)}: {cand.name!r} was not measured (its values are {state}); "
                          f"{unmeasured_advice(measured)}")


def _refuse_unmeasured_element(raw: Raw, path: str, cand: Candidate) -> None:
    """The selected diagonal element of a measured block is all zero (or NaN): not measured, or one that vanishes.

    Off-diagonal elements that vanish are data (load returns them).
    """
    state = unmeasured(raw.values)
    if state is not None and raw.diag is not None and np.all(raw.diag):
        raise FileFormatError(f"{_where(path, raw)}: the selected diagonal element of {cand.name!r} is {state}: "
                              "not measured, or an element that vanishes (an empty orbital, say); choose another one "
                              "(inspect lists the file's elements and selectors)")


#: Candidates read at most to find the measured ones.
_MEASURED_MAX_READS = 40


def _measured(reader: ModuleType, ctx: Context, cand: Candidate) -> bool:
    """Whether a loadable candidate holds data (not all NaN, not all zero); False when it cannot be read."""
    if not (cand.loadable and cand.fermionic and cand.kind in ("tau", "iw")):
        return False
    reads = ctx.cache.setdefault("measured_reads", [0])
    if int(np.prod(cand.shape)) > _INSPECT_MAX_VALUES or reads[0] >= _MEASURED_MAX_READS:
        return False
    reads[0] += 1
    try:
        raw, _ = _probe(reader, ctx, cand)
    except ACLearnedError:
        return False
    return unmeasured(raw.values) is None


def inspect(path: str | os.PathLike, iteration: Any = None) -> str:
    """Describe what a file holds: format, beta, Green's functions and selectors.

    Parameters
    ----------
    path : path-like
        The file.
    iteration : int or str, optional
        w2dynamics iteration to list (default: the last one).

    Returns
    -------
    str
        A human-readable listing.
    """
    with _opened(path, iteration=iteration) as (reader, ctx):
        cands = _candidates(reader, ctx)
        lines = [f"{ctx.path}", f"  format: {reader.NAME}"]
        locked = h5u.unlocked_note(ctx.h5, ctx.path)
        if locked:
            lines.append(f"  note: {locked.removeprefix(ctx.path + ': ')}")
        lines.append(f"  beta: {_beta_text(reader, ctx, cands)}")
        if reader is w2dynamics:
            names = ", ".join(w2dynamics.iterations(ctx.h5)) or "(none)"
            lines.append(f"  iterations: {names} (select with {option('iteration')})")
        if reader is alps_maxent and any(c.kind == "tau" for c in cands) and not alps_maxent.stores_tau_points(ctx):
            lines.append("  tau points: not stored in the file; ALPS MaxEnt's default is assumed (N points from 0 "
                         f"to beta, both ends); {alps_maxent.grid_override_hint()}")
        lines.append(f"  Green's functions ({len(cands)}):")
        empty = set()
        for c in cands:
            mark = "" if c.loadable and c.fermionic else "  (not loadable)"
            lines.append(f"    {c.describe()}{mark}")
            if c.loadable and c.fermionic and c.kind in ("tau", "iw"):
                text, measured = _convention_text(reader, ctx, c)
                lines.append(f"      {text}")
                if not measured:
                    empty.add(c.name)
    usable = [c for c in cands if c.loadable and c.fermionic]
    if len(usable) > 1:
        example = option("block", next((c.name for c in usable if c.name not in empty), usable[0].name))
        lines.append(f"  choose one with {option('block')}, e.g. "
                     + (example if on_command_line() else f"load(path, {example})"))
    lines.extend(_selector_lines(usable))
    return "\n".join(lines)


def _selector_lines(usable: list[Candidate]) -> list[str]:
    """Which selectors the index axes need; axes of length 1 need none."""
    needed, single = set(), []
    for c in usable:
        for label, size in zip(c.axes, c.shape[:-1]):
            if size > 1:
                needed.add(_selector(label) or f"(axis {label!r}: no selector)")
            elif label not in single:
                single.append(label)
    lines = []
    if needed:
        lines.append(f"  selectors needed: {', '.join(sorted(needed))}")
    if single:
        how = "taken automatically" if on_command_line() else "taken automatically by `continue`; io.squeeze drops them"
        lines.append(f"  axes of length 1 need no selector ({how}): {', '.join(single)}")
    return lines


def _selector(label: str) -> str | None:
    label = label.lower()
    if label.startswith(("orbital", "band", "flavor", "index", "site", "id_pair", "pair")):
        return option("orbital")
    if label.startswith("spin"):
        return option("spin")
    if label == "k" or label.startswith(("k_", "r_")):
        return option("k")
    return None


_INSPECT_MAX_VALUES = 10_000_000


def _probe(reader: ModuleType, ctx: Context, cand: Candidate) -> tuple[Raw, bool]:
    """Read a candidate for inspection, with a placeholder beta where the file stores none (sign and norm do not
    depend on it); also whether beta is known."""
    probe = Context(path=ctx.path, h5=ctx.h5, beta=ctx.beta, iteration=ctx.iteration, cache=ctx.cache)
    with h5u.guard(ctx.path, "the values", ctx.h5):
        beta_known = not (probe.beta is None and reader.file_beta(ctx, cand) is None)
        if not beta_known and hasattr(reader, "inferred_beta"):  # a Matsubara table: loading infers it
            beta_known = reader.inferred_beta(ctx, cand) is not None
        if not beta_known:
            probe.beta = 1.0
        return reader.read(probe, cand), beta_known


def _convention_text(reader: ModuleType, ctx: Context, cand: Candidate) -> tuple[str, bool]:
    """The sign the file stores and the norm (-[G(0) + G(beta)] for G(tau), c1 for G(i w_n)); and whether the
    candidate holds data (False: not measured, or unreadable).

    ``ac_learned``'s convention (docs): G(tau) <= 0 with -[G(0) + G(beta)] = 1 for a normalised spectrum (the
    integral of A over omega); Im G(i w_n) < 0.
    """
    if int(np.prod(cand.shape)) > _INSPECT_MAX_VALUES:
        return "sign: not read (large data set)", True
    try:
        raw, beta_known = _probe(reader, ctx, cand)
    except ACLearnedError as exc:
        return f"sign: unreadable ({exc})", False
    state = unmeasured(raw.values)
    if state is not None:
        norm = _tau_norm_text(raw, beta_known) if raw.kind == "tau" and state == "all zero" else ""
        norm = norm if norm.startswith("; -[G(0)") else ""
        return f"not measured ({state}): nothing to continue{norm}", False
    problem = value_problem(raw)
    if problem is not None:
        return f"WARNING: {problem}; loading an element that holds them fails (other elements may load)", True
    if raw.kind != "tau":
        why = self_energy_tail(raw.grid, diagonal_rows(raw.values, raw.diag))
        if why is not None:
            return f"self-energy, not a Green's function: {why}; {self_energy_advice()}", True
    norm = ((lambda: _matsubara_norm_text(raw, ctx.path, beta_known)) if raw.kind != "tau"
            else (lambda: _tau_norm_text(raw, beta_known)))
    if stored_as_minus_g(raw):  # the file holds the other sign than its format declares: load flips it
        raw.values = -np.asarray(raw.values)
        held, declared = sign_words(raw.kind, raw.sign_in_file)
        return (f"sign: {held} as stored, although the format stores {declared} (flipped on load, with a "
                f"warning){norm()}{_statistics_text(raw)}", True)
    stored = {"standard": "G <= 0 as stored" if raw.kind == "tau" else "Im G(i w_n) < 0 for w_n > 0 as stored",
              "positive": "-G >= 0 as stored (flipped on load)" if raw.kind == "tau"
              else "Im G(i w_n) > 0 for w_n > 0 as stored (flipped on load)"}.get(raw.sign_in_file, raw.sign_in_file)
    return f"sign: {stored}{norm()}{_statistics_text(raw)}", True


def _statistics_text(raw) -> str:
    """What the file holds besides the mean: bins (a jackknife band), errors, a covariance; and whether
    ``load`` can use them (NaN error bars or a single bin need ``err``, as ``continue`` says)."""
    held = []
    n_bins = None if raw.bins is None else np.shape(raw.bins)[0]
    if n_bins is not None and (n_bins >= 2 or raw.errors is not None or raw.cov is not None):
        held.append(f"{n_bins} bins (the band is a jackknife over them)")
    if raw.cov is not None:
        cov = np.asarray(raw.cov)
        if np.all(np.isfinite(cov)) and not np.any(np.diagonal(cov, axis1=-2, axis2=-1) < 0):
            held.append("a covariance")
        else:
            held.append(f"a covariance, but it cannot be used (NaN/inf or negative variances; "
                        f"{_error_hint(raw.source)})")
    elif raw.errors is not None:
        errors, values = np.asarray(raw.errors), np.asarray(raw.values)
        problem = _bad_errors(values, errors) if errors.shape == values.shape else None
        same = errors.shape == values.shape
        exact = int(np.count_nonzero((errors == 0) & (values != 0))) if problem is None and same else 0
        if problem is None:
            held.append(f"error bars ({exact} point(s) with error 0, taken as exact)" if exact else "error bars")
        else:
            with np.errstate(invalid="ignore"):
                bad = ~np.isfinite(errors) | (errors < 0) | ((errors == 0) & (values != 0))
            held.append(f"error bars, but they cannot be used ({problem}: {int(np.count_nonzero(bad))} of "
                        f"{errors.size}; {_error_hint(raw.source, problem)})")
    if held:
        return f"; the file has {' and '.join(held)}"
    if n_bins is not None:
        return f"; the file has a single bin: {ONE_BIN}; {_one_bin_hint()}"
    return f"; no error bars or bins (pass {option('err')})"


def _tau_norm_text(raw, beta_known: bool) -> str:
    """``; -[G(0) + G(beta)] = ...`` for grids with both ends, or why the norm is not stored."""
    values = np.asarray(raw.values).real
    grid = np.asarray(raw.grid, float)
    if grid.size < 2 or values.shape[-1] != grid.size or not np.all(np.isfinite(values[..., [0, -1]])):
        return ""
    if abs(grid[0]) > 1e-9 * max(1.0, abs(grid[-1])):
        return "; normalisation not stored (no point at tau = 0: bin centres?)"
    if beta_known and abs(grid[-1] - raw.beta) > 1e-9 * raw.beta:
        return "; normalisation not stored (no point at tau = beta)"
    rows = diagonal_rows(values, raw.diag)
    ends = 0.0 - (rows[:, 0] + rows[:, -1])  # 0.0 - x: no "-0" for zero data
    if ends.size == 0:
        return ""
    same = np.ptp(ends) <= 1e-3 * max(1.0, abs(ends.max()))
    norm = f"{ends.min():.4g}" if same else f"{ends.min():.4g} ... {ends.max():.4g}"
    return f"; -[G(0) + G(beta)] = {norm} (1 for a normalised spectrum)"


def _matsubara_norm_text(raw: Raw, path: str, beta_known: bool) -> str:
    """``; norm c1 = ...``: the first moment ``c1 = -lim w_n Im G(i w_n)`` of the diagonal elements, as
    ``continue`` fits it (:func:`ac_learned.io._norms.matsubara_norms`). Readers return the standard sign."""
    grid = np.asarray(raw.grid, float)
    only_negative = " only negative frequencies stored (conjugated on load);" if np.all(grid < 0) else ""
    if not beta_known:
        return f";{only_negative} norm c1 not computed (beta unknown)"
    try:
        c1, how = matsubara_norms(copy.deepcopy(raw), path)
    except ACLearnedError:
        return only_negative.rstrip(";")
    if c1.size == 0:
        return only_negative.rstrip(";")
    c1 = c1 + 0.0  # + 0.0: no "-0"
    same = np.ptp(c1) <= 1e-3 * max(1.0, abs(c1.max()))
    norm = f"{c1.min():.4g}" if same else f"{c1.min():.4g} ... {c1.max():.4g}"
    return f";{only_negative} norm c1 = -lim w_n Im G(i w_n) = {norm} (1 for a normalised spectrum; {how})"


def _beta_text(reader: ModuleType, ctx: Context, cands: list[Candidate]) -> str:
    """beta as stored in the file, or what to pass."""
    usable = [c for c in cands if c.loadable and c.fermionic]
    try:
        with h5u.guard(ctx.path, "beta", ctx.h5):  # any Green's function's mesh tells beta, loadable or not
            beta = reader.file_beta(ctx, usable[0] if usable else (cands[0] if cands else None))
    except ACLearnedError as exc:
        return f"unreadable ({exc})"
    if beta is None and usable and hasattr(reader, "inferred_beta"):
        guess = reader.inferred_beta(ctx, usable[0])
        if guess is not None:
            return f"not stored in the file; {guess:.8g} from the Matsubara frequencies (2n+1) pi/beta"
    return f"not stored in the file: {pass_hint('beta')}" if beta is None else f"{beta:g}"
