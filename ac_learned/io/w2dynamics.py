"""w2dynamics output files (outfile version 2.x).

Layout (``w2dyn/auxiliaries/hdfout.py`` and ``w2dyn/dmft/meta.py``):

* root attribute ``outfile-version``; run configuration as attributes of
  ``.config`` (lower-case keys: ``general.beta``, ``qmc.ntau``, ``qmc.niw``);
* iterations ``dmft-001``, ``stat-001``, ``worm-001`` ... with soft links
  ``dmft-last`` etc.; impurity results in ``<iteration>/ineq-XXX/<quantity>``
  with datasets ``value`` and (from several MPI ranks) ``error``;
* ``gtau`` ``(band, spin, n_tau)`` and ``gtau-full`` ``(band, spin, band, spin,
  n_tau)`` store **-G >= 0** on bin centres tau_k = (k + 1/2) beta / n_tau
  (``.axes/taubin``); ``giw`` ``(band, spin, 2 n_iw)`` and ``giw-full`` store the
  standard-sign G(i w_n) for n = -n_iw .. n_iw - 1 (the negative ones are checked and dropped);
* ``giw-cov`` ``(band, spin, n_iw, 2, n_iw, 2)``: covariance of the diagonal
  G(i w_n) over positive frequencies and (re, im); it goes to
  ``meta["giw_cov"]`` when ``giw`` is loaded.

Without ``iteration=`` the last iteration is read: the highest ``stat-``
number if there is one, else the highest ``dmft-``, else ``worm-``.
"""

from __future__ import annotations

import re

import h5py
import numpy as np

from ..errors import FileFormatError, InputError
from . import _h5util as h5u
from ._base import Axis, Candidate, Context, Raw, resolve_beta

NAME = "w2dynamics"
_ITER = re.compile(r"^(dmft|stat|worm)-(\d+)$")
#: quantity -> (kind, axes labels, stored sign)
_QUANTITIES = {
    "gtau": ("tau", ("band", "spin"), "positive"),
    "gtau-full": ("tau", ("band1", "spin1", "band2", "spin2"), "positive"),
    "giw": ("iw", ("band", "spin"), "standard"),
    "giw-full": ("iw", ("band1", "spin1", "band2", "spin2"), "standard"),
}
_ROLES = {"band": "orbital", "spin": "spin"}


def sniff(f: h5py.File, cache: dict | None = None) -> bool:
    """Root attribute ``outfile-version`` and a ``.config`` group."""
    return h5u.attr(f, "outfile-version") is not None and isinstance(h5u.get(f, ".config"), h5py.Group)


def _config(f: h5py.File, key: str, path: str) -> float | None:
    cfg = h5u.get(f, ".config")
    if cfg is None:
        return None
    value = h5u.attr(cfg, key)
    if value is None:
        for name in list(cfg.attrs.keys()):
            if name.lower() == key:
                value = h5u.attr(cfg, name)
                break
    if value is None:
        return None
    return h5u.scalar(value, path, f".config attribute {key}")


def iterations(f: h5py.File) -> list[str]:
    """Names of the numbered iterations, in file order (prefix, number)."""
    found = []
    for name in f.keys():
        m = _ITER.match(name)
        if m:
            found.append((m.group(1), int(m.group(2)), name))
    found.sort()
    return [name for _, _, name in found]


def _iteration(ctx: Context) -> str:
    f = ctx.h5
    names = iterations(f)
    it = ctx.iteration
    if isinstance(it, str) and it.strip().lstrip("+-").isdigit():
        it = int(it)  # "1", "001", "-1" from the command line mean what 1, 1, -1 mean in Python
    if it is None or it == -1 or it == "last":
        for prefix in ("stat", "dmft", "worm"):
            group = [n for n in names if n.startswith(prefix + "-")]
            if group:
                return group[-1]
        raise FileFormatError(f"{ctx.path}: no dmft-/stat-/worm- iteration with results")
    if isinstance(it, bool):
        raise InputError(f"iteration must be an int or a name like 'dmft-003', got {it!r}")
    if isinstance(it, (int, np.integer)):
        hits = [n for n in names if int(_ITER.match(n).group(2)) == int(it)]
        if len(hits) == 1:
            return hits[0]
        if not hits:
            raise InputError(f"{ctx.path}: no iteration number {it}; iterations: {', '.join(names)}")
        raise InputError(f"{ctx.path}: iteration {it} is ambiguous ({', '.join(hits)}); pass its name")
    if isinstance(it, str):
        if h5u.get(f, it) is None:
            raise InputError(f"{ctx.path}: no iteration {it!r}; iterations: {', '.join(names)}")
        return it
    raise InputError(f"iteration must be an int or a name like 'dmft-003', got {it!r}")


def candidates(ctx: Context) -> list[Candidate]:
    """G quantities of every inequivalent atom of the selected iteration."""
    version = h5u.attr(ctx.h5, "outfile-version")
    major = np.asarray(version).reshape(-1)[:1]
    if major.size and major.dtype.kind in "iuf" and major[0] < 2:
        raise FileFormatError(f"{ctx.path}: w2dynamics outfile version {version} is not supported (need 2.x)")
    it = _iteration(ctx)
    group = h5u.require(ctx.h5, it, ctx.path)
    out = []
    for ineq in sorted(k for k in group.keys() if k.startswith("ineq-")):
        sub = h5u.get(group, ineq)
        for qty, (kind, labels, _) in _QUANTITIES.items():
            ds = h5u.get(h5u.get(sub, qty), "value")
            if not isinstance(ds, h5py.Dataset):
                continue
            shape = tuple(int(n) for n in ds.shape)
            if kind == "iw" and shape:
                shape = shape[:-1] + (shape[-1] // 2,)
            out.append(
                Candidate(
                    name=f"{ineq}/{qty}",
                    h5path=f"/{it}/{ineq}/{qty}",
                    kind=kind,
                    shape=shape,
                    axes=labels,
                    extra={"iteration": it},
                )
            )
    return out


def _beta(ctx: Context) -> float:
    return resolve_beta(ctx, _config(ctx.h5, "general.beta", ctx.path), ".config general.beta")


def _errors(group: h5py.Group, shape: tuple[int, ...], path: str, what: str) -> np.ndarray | None:
    ds = h5u.get(group, "error")
    if ds is None:
        return None
    err = h5u.numeric(ds, path, what)
    if np.iscomplexobj(err):
        err = np.maximum(np.abs(err.real), np.abs(err.imag))
    if err.shape != shape:
        raise FileFormatError(f"{path}: {what} has shape {err.shape}, values {shape}")
    return err


def _errors_from_cov(cov: np.ndarray, shape: tuple, path: str) -> np.ndarray:
    """One-sigma errors of ``giw`` (band, spin, 2 n_iw) from ``giw-cov`` (band, spin, n_iw, 2, n_iw, 2).

    The covariance covers the positive frequencies; G(-i w_n) = G(i w_n)* carries the same error.
    """
    niw = shape[-1] // 2
    if cov.shape != (*shape[:-1], niw, 2, niw, 2):
        raise FileFormatError(f"{path}: giw-cov/value has shape {cov.shape}; with giw of shape {shape} it must be "
                              f"{(*shape[:-1], niw, 2, niw, 2)}")
    n = np.arange(niw)
    var = cov[..., n, :, n, :]  # (niw, band, spin, 2, 2) by numpy's rules for separated advanced indices
    var = np.moveaxis(np.diagonal(var, axis1=-2, axis2=-1), 0, -2)  # (band, spin, niw, 2): var(Re), var(Im)
    positive = np.sqrt(np.clip(var.max(axis=-1), 0.0, None))
    return np.concatenate([positive[..., ::-1], positive], axis=-1)


def file_beta(ctx: Context, cand: Candidate | None) -> float | None:
    """``general.beta`` of ``.config``."""
    return _config(ctx.h5, "general.beta", ctx.path)


def read(ctx: Context, cand: Candidate) -> Raw:
    """Read gtau / gtau-full / giw / giw-full of one inequivalent atom."""
    path = ctx.path
    qty = cand.name.split("/")[-1]
    kind, labels, sign = _QUANTITIES[qty]
    group = h5u.require(ctx.h5, cand.h5path, path)
    values = h5u.numeric(h5u.require(group, "value", path), path, f"{cand.h5path}/value")
    if values.ndim != len(labels) + 1:
        raise FileFormatError(
            f"{path}: {cand.h5path}/value has shape {values.shape}; expected axes {labels + ('grid',)}"
        )
    errors = _errors(group, values.shape, path, f"{cand.h5path}/error")
    beta = _beta(ctx)
    n = values.shape[-1]
    meta: dict = {"iteration": cand.extra.get("iteration"), "quantity": qty}
    if kind == "tau":
        ntau = _config(ctx.h5, "qmc.ntau", path)
        if ntau is not None and int(ntau) != n:
            raise FileFormatError(f"{path}: mesh and data sizes differ: qmc.ntau={int(ntau)}, {qty} has {n} points")
        grid = (np.arange(n) + 0.5) * beta / n
        axis = h5u.get(h5u.get(ctx.h5, ".axes"), "taubin")
        if axis is not None:
            taubin = h5u.real(axis, path, ".axes/taubin")
            if taubin.shape != (n,):
                raise FileFormatError(
                    f"{path}: mesh and data sizes differ:"
                    f" .axes/taubin has {taubin.size} points, {qty} {n}"
                )
        if np.iscomplexobj(values):
            values = values.real
        values = -values
    else:
        if n % 2:
            raise FileFormatError(f"{path}: {qty} has {n} frequencies, not the symmetric 2*n_iw")
        niw = n // 2
        # all 2 n_iw frequencies: the validation checks G(-i w_n) = G(i w_n)* and keeps the positive ones
        grid = (2 * np.arange(-niw, niw) + 1) * np.pi / beta
        values = values.astype(np.complex128)
        if qty == "giw":
            cov = h5u.get(h5u.get(group.parent, "giw-cov"), "value")
            if cov is not None:
                meta["giw_cov"] = h5u.real(cov, path, "giw-cov/value")
                if errors is None:
                    errors = _errors_from_cov(meta["giw_cov"], values.shape, path)
                    meta["errors_from"] = ("error bars from the diagonal of giw-cov (the larger of the real and "
                                           "imaginary parts' variances; correlations between frequencies unused)")
    axes = [Axis(lab, _ROLES[lab.rstrip("12")]) for lab in labels]
    if len(labels) == 2:
        diag = np.ones(values.shape[:-1], dtype=bool)
    else:
        nb, ns = values.shape[0], values.shape[1]
        eye = np.eye(nb, dtype=bool)[:, None, :, None] & np.eye(ns, dtype=bool)[None, :, None, :]
        diag = eye
    return Raw(
        kind=kind,
        beta=beta,
        grid=grid,
        values=values,
        axes=axes,
        source=NAME,
        h5path=cand.h5path,
        sign_in_file=sign,
        errors=errors,
        diag=diag,
        meta=meta,
    )
