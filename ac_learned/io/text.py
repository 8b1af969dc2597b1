"""Plain-text tables of ana_cont, ACFlow and TRIQS/maxent, for import and export.

Columns (whitespace or comma separated; lines starting with ``#``, ``%`` or
``!`` are comments):

* 2 columns: tau, G (no errors); 3 columns: tau, G, error;
* 4 columns: w_n, Re G, Im G, error; 5 columns: w_n, Re G, Im G, error Re, error Im (ana_cont, ACFlow)
  or w_n, Re G, error Re, Im G, error Im (ALPS / CQMP MaxEnt), told apart by which columns are non-negative
  error bars small against |G| and which falls off like the tail Im G ~ -c1 / w_n (both fitting: refused);
* a 2- or 3-column table whose first column has negative values is no G(tau): a real-frequency spectrum
  (omega, A[, err], an output of continuation) is named as such; it is listed, but not loadable;
* 3 columns that are w_n, Re G, Im G (no errors) are told from tau, G, error by their content: a first
  column of fermionic frequencies (2n + 1) pi / beta, a third column as large as the second (an error bar
  is far smaller than G) and larger than it at the highest frequencies (the tail Im G ~ -1 / w_n).

ana_cont and ACFlow write -G(tau) >= 0, TRIQS/maxent G(tau) <= 0: the sign is
detected from the data (``meta["sign_in_file"]``). Matsubara data are expected
in the standard sign (Im G < 0) but a flipped sign is detected as well; negative
frequencies are dropped. tau files do not store beta: pass ``beta=``. For
Matsubara files beta is inferred from the frequency spacing when it gives
(2n + 1) pi / beta, else ``beta=`` is needed.
"""

from __future__ import annotations

import os
import re
from typing import Literal

import numpy as np

from ..atomic import atomic_write
from ..conventions import detect_sign
from ..errors import FileFormatError, InputError
from ..matsubara import beta_from_frequencies
from ._base import Candidate, Context, Raw, resolve_beta
from ._content import falls_off_like_a_tail, self_energy_advice, self_energy_tail

NAME = "text"
_COMMENTS = ("#", "%", "!")
_MAX_BYTES = 256 << 20


def _table(path: str) -> np.ndarray:
    """Parse the numeric table; FileFormatError when it is not one."""
    if os.path.getsize(path) > _MAX_BYTES:
        raise FileFormatError(f"{path}: text file larger than {_MAX_BYTES} bytes")
    with open(path, "rb") as fh:
        blob = fh.read()
    if b"\x00" in blob:
        raise FileFormatError(f"{path}: neither an HDF5 file nor a text table (binary content)")
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError:
        raise FileFormatError(f"{path}: neither an HDF5 file nor a UTF-8 text table") from None
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith(_COMMENTS):
            continue
        fields = line.replace(",", " ").split()
        try:
            rows.append([_number(x) for x in fields])
        except ValueError:
            raise FileFormatError(f"{path}:{number}: not a row of numbers: {line[:60]!r}") from None
        if len(rows[-1]) != len(rows[0]):
            raise FileFormatError(
                f"{path}:{number}: {len(rows[-1])} columns where earlier rows have {len(rows[0])}"
            )
    if not rows:
        raise FileFormatError(f"{path}: empty file (no data rows)")
    table = np.asarray(rows, dtype=np.float64)
    if table.shape[1] not in (2, 3, 4, 5):
        raise FileFormatError(
            f"{path}: {table.shape[1]} columns; expected tau, G[, err] or w_n, Re, Im, err[, err]"
        )
    if not np.all(np.isfinite(table[:, 0])):
        raise FileFormatError(f"{path}: the first column (tau or w_n) contains NaN or inf")
    return table


_FORTRAN_EXPONENT = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))[dD]([+-]?\d+)$")


def _number(field: str) -> float:
    """A float, also in Fortran's double-precision notation (``1.0D-03``)."""
    m = _FORTRAN_EXPONENT.match(field)
    return float(f"{m.group(1)}e{m.group(2)}") if m else float(field)


def candidates(ctx: Context) -> list[Candidate]:
    """A text file holds one Green's function (a table whose first column has negative values and that is not
    Matsubara data is listed as not loadable: a real-frequency spectrum, or no G(tau))."""
    table = _table(ctx.path)
    kind = "tau" if table.shape[1] <= 3 and not _matsubara_without_errors(table) else "iw"
    if kind == "tau" and np.any(table[:, 0] < 0):
        return [Candidate(name="table", h5path="", kind=None, shape=(table.shape[0],), loadable=False,
                          note=_negative_first_column(table))]
    if kind == "iw" and np.any(table[:, 0] == 0.0):
        raise FileFormatError(
            f"{ctx.path}: {table.shape[1]} columns are read as Matsubara data (w_n, Re G, Im G, err[, err]), but "
            "the first column holds 0, which no fermionic frequency (2n + 1) pi / beta is; a tau table has 2 or "
            "3 columns (tau, G[, err]): keep those columns (one file per orbital)"
        )
    return [Candidate(name="table", h5path="", kind=kind, shape=(table.shape[0],), extra={"table": table})]


def _negative_first_column(table: np.ndarray) -> str:
    """Why a 2- or 3-column table with negative values in its first column is no G(tau)."""
    first, second = table[:, 0], table[:, 1]
    span = f"from {first.min():.4g} to {first.max():.4g}"
    if first.min() < 0 < first.max() and np.all(np.diff(first) > 0) and np.all(second >= -1e-3 * np.abs(second).max()):
        return (f"this looks like a spectrum on a real-frequency axis (omega {span}, a non-negative second "
                "column), not a Green's function; it is an output of continuation, not an input")
    return (f"the first column runs {span}, but tau lies in [0, beta]: a 2- or 3-column table is tau, G[, err] "
            "(Matsubara data are w_n, Re G, Im G[, err[, err]])")


def _matsubara_without_errors(table: np.ndarray) -> bool:
    """Whether a 3-column table is w_n, Re G, Im G rather than tau, G, error (see the module's docstring)."""
    if table.shape[1] != 3 or table.shape[0] < 4 or np.any(table[:, 0] <= 0):
        return False
    if _beta_of_frequencies(table[:, 0]) is None:
        return False  # (bin-centre tau grids pass this test too: the columns decide)
    re_g, third = np.abs(table[:, 1]), np.abs(table[:, 2])
    top = np.argsort(table[:, 0])[-max(2, table.shape[0] // 4):]
    same_sign = np.all(table[:, 2] < 0) or np.all(table[:, 2] > 0)
    return bool(same_sign and np.median(third) > 0.1 * np.median(re_g) and np.median(third[top]) > np.median(re_g[top]))


#: Column orders of five-column Matsubara tables: the columns of Re G, Im G and their errors.
FIVE_COLUMN_ORDERS = {
    "w_n, Re G, Im G, err Re, err Im (ana_cont, ACFlow)": (1, 2, 3, 4),
    "w_n, Re G, err Re, Im G, err Im (ALPS / CQMP MaxEnt)": (1, 3, 2, 4),
}


def _matsubara_columns(table: np.ndarray, path: str) -> tuple[int, int, list[int], str]:
    """Columns of Re G, Im G and the errors of a Matsubara table, and the five-column order taken ("" otherwise)."""
    if table.shape[1] < 5:
        return 1, 2, [3] if table.shape[1] == 4 else [], ""
    order = _five_column_order(table, path)
    re_col, im_col, *errs = FIVE_COLUMN_ORDERS[order]
    return re_col, im_col, errs, order


def _five_column_order(table: np.ndarray, path: str) -> str:
    """Which of :data:`FIVE_COLUMN_ORDERS` the table is in: the one whose error columns are non-negative and
    small against |G|, and whose Im G column falls off like the tail -c1 / w_n; when neither or only the first
    fits, the first (ana_cont's); when both, a FileFormatError naming them."""
    names = list(FIVE_COLUMN_ORDERS)
    fits = [name for name in names if _order_fits(table, FIVE_COLUMN_ORDERS[name])]
    if len(fits) == 1:
        return fits[0]
    if not fits:
        return names[0]
    keep = ("awk '{print $1, $2, $3, $5}'", "awk '{print $1, $2, $4, $5}'")
    raise FileFormatError(
        f"{path}: 5 columns that fit both Matsubara column orders, {names[0]} and {names[1]}; keep four "
        f"columns w_n, Re G, Im G, err (for example {keep[0]} for the first order, {keep[1]} for the second)")


def _order_fits(table: np.ndarray, cols: tuple[int, ...]) -> bool:
    """Whether a five-column table reads sensibly in the order ``cols`` (Re, Im, err Re, err Im)."""
    re_g, im_g, errors = table[:, cols[0]], table[:, cols[1]], table[:, list(cols[2:])]
    if not (np.all(np.isfinite(errors)) and np.all(errors >= 0)):
        return False
    if table.shape[0] < 8:
        return True
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.median(np.max(errors, axis=1) / np.hypot(re_g, im_g))
    return bool(relative < 0.5 and falls_off_like_a_tail(table[:, 0], im_g))


def file_beta(ctx: Context, cand: Candidate | None) -> float | None:
    """Text tables do not store beta."""
    return None


def _beta_of_frequencies(w: np.ndarray) -> float | None:
    """beta of fermionic frequencies (2n + 1) pi / beta, or None when the column is not such a grid."""
    pos = np.unique(np.abs(w[w != 0]))  # G(-i w_n) = G(i w_n)*: negative frequencies count by |w_n|
    if pos.size >= 2:
        beta = 2 * np.pi / float(np.min(np.diff(pos)))
        x = pos * beta / np.pi
        odd = np.rint(x)
        if np.all(np.abs(x - odd) < 1e-4 * np.maximum(1.0, x)) and np.all(odd % 2 == 1):
            return beta_from_frequencies(odd, pos)
    return None


def inferred_beta(ctx: Context, cand: Candidate | None) -> float | None:
    """beta that loading infers from a Matsubara table's frequencies (None for tau tables)."""
    if cand is None or cand.kind != "iw":
        return None
    return _beta_of_frequencies(np.asarray(cand.extra["table"][:, 0], dtype=float))


def _matsubara_beta(ctx: Context, w: np.ndarray) -> float:
    if ctx.beta is not None:
        return ctx.beta
    beta = _beta_of_frequencies(w)
    if beta is not None:
        return beta
    return resolve_beta(ctx, None, "a text table; the frequency spacing does not determine it")


def read(ctx: Context, cand: Candidate) -> Raw:
    """Read the table, detect the sign, return the standard sign."""
    table = cand.extra["table"]
    meta: dict = {}
    if cand.kind == "tau":
        beta = resolve_beta(ctx, None, "a text table; tau files do not store it")
        grid, values = table[:, 0], table[:, 1]
        errors = table[:, 2] if table.shape[1] == 3 else None
        sign = detect_sign(values)
    else:
        w = table[:, 0]
        beta = _matsubara_beta(ctx, w)
        meta["beta_inferred"] = ctx.beta is None
        re_col, im_col, err_cols, order = _matsubara_columns(table, ctx.path)
        if order:
            meta["column_order"] = order
        values = table[:, re_col] + 1j * table[:, im_col]
        why = self_energy_tail(w, values)
        if why is not None:
            raise InputError(f"{ctx.path}: this looks like a self-energy, not a Green's function: {why}; "
                             f"{self_energy_advice()}")
        top = np.argsort(np.abs(w))[-max(2, w.size // 4):]
        # G(i w_n) -> c1 / (i w_n): at high frequencies |Im G| >> |Re G| ~ c2 / w_n^2; a tau table's third
        # column (an error bar) is far smaller than its second
        not_a_tail = np.median(np.abs(values.imag[top])) < 0.1 * np.median(np.abs(values.real[top]))
        # two equal G columns (up and down spin of a tau table on bin centres): Re G = Im G at every point,
        # where a G(i w_n) has |Re G| ~ c2 / w_n^2 << |Im G| ~ c1 / w_n at high frequencies
        both = np.median(np.abs(values.real[top] - values.imag[top])) < 0.05 * np.median(np.abs(values.imag[top]))
        not_a_tail = not_a_tail or both
        if w.size >= 8 and not_a_tail:
            raise FileFormatError(
                f"{ctx.path}: {table.shape[1]} columns read as Matsubara data (w_n, Re G, Im G, err[, err]), but the "
                "values at the highest frequencies do not fall off like a G(i w_n) (tail 1/(i w_n)); is it a tau "
                "table with extra columns (its two G columns equal, say, for up and down spin)? A tau table has 2 "
                "or 3 columns (tau, G[, err]): keep one G column"
            )
        errors = None if not err_cols else np.max(table[:, err_cols], axis=1)
        grid = w  # negative frequencies are folded by the validation
        sign = detect_sign(values.imag * np.sign(w))  # standard sign: Im G(i w_n) has the sign of -w_n
    if sign == "positive":
        values = -values
    return Raw(
        kind=cand.kind or "tau",
        beta=beta,
        grid=grid,
        values=values,
        axes=[],
        source=NAME,
        h5path="",
        sign_in_file=sign,
        errors=errors,
        diag=np.ones((), dtype=bool),
        meta=meta,
    )


def write_text(
    path: str | os.PathLike,
    grid: np.ndarray,
    values: np.ndarray,
    errors: np.ndarray,
    fmt: Literal["ana_cont", "acflow"] = "ana_cont",
    overwrite: bool = False,
) -> str:
    """Write one Green's function as an ana_cont or ACFlow input table.

    Parameters
    ----------
    path : path-like
        Destination; written atomically (temporary file, then rename).
    grid : array_like, shape (N,)
        tau points, or Matsubara frequencies w_n when ``values`` is complex.
    values : array_like, shape (N,)
        G in the standard sign (real G(tau) <= 0, or complex G(i w_n)).
    errors : array_like, shape (N,)
        Positive one-sigma error bars (both tools need them).
    fmt : {"ana_cont", "acflow"}
        Both use columns tau, -G(tau), err, or w_n, Re G, Im G, err.
    overwrite : bool
        Replace an existing file; otherwise an existing ``path`` raises InputError.

    Returns
    -------
    str
        The path written.
    """
    if fmt not in ("ana_cont", "acflow"):
        raise InputError(f"fmt must be 'ana_cont' or 'acflow', got {fmt!r}")
    grid = np.asarray(grid, dtype=np.float64)
    values = np.asarray(values)
    if errors is None:
        raise InputError(f"{fmt} needs error bars: pass errors=")
    errors = np.asarray(errors, dtype=np.float64)
    if grid.ndim != 1 or values.shape != grid.shape or errors.shape != grid.shape:
        raise InputError(
            f"grid, values and errors must be one-dimensional of the same length, got "
            f"{grid.shape}, {values.shape}, {errors.shape}"
        )
    if not (np.all(np.isfinite(grid)) and np.all(np.isfinite(values)) and np.all(np.isfinite(errors))):
        raise InputError("grid, values and errors must be finite")
    if np.any(errors <= 0):
        raise InputError("errors must be positive")
    if np.iscomplexobj(values):
        table = np.column_stack([grid, values.real, values.imag, errors])
    else:
        table = np.column_stack([grid, -values.astype(np.float64), errors])
    dest = atomic_write(path, lambda tmp: np.savetxt(tmp, table, fmt="%.16e"), overwrite=overwrite)
    return str(dest)
