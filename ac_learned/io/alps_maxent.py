"""ALPS MaxEnt input files (``DATA_IN_HDF5 = 1``).

``/Data`` holds the data points in order (complex data as re1, im1, re2, im2,
...), ``/Error`` the error bars or ``/Covariance`` the ``ndat * ndat`` matrix
flattened row-major (ALPSCore maxent ``default_model``/``maxent_parms``).
β and the tau points are not part of the data: they come from the parameter
file, so ``beta=`` must be passed unless the file also holds a ``/parameters``
group with ``BETA``, ``DATASPACE`` ("time" or "frequency") and ``TAU_0``,
``TAU_1``, .... Without ``TAU_i`` and without ``grid=``, time data are taken on
ALPS MaxEnt's own default, the uniform grid with both ends
``tau_i = i * beta / (NDAT - 1)`` (CQMP/Maxent README, "Time Data"), and
``meta["tau_grid_assumed"]`` says so; ``grid="centres"`` (bin centres
``(i + 1/2) beta / NDAT``) or the tau points themselves override it. Frequency data are taken on
w_n = (2n + 1) pi / beta, n = 0, 1, ...; with ``PARTICLE_HOLE_SYMMETRY`` they
are imaginary parts only. The sign is detected from the data (standard expected).
"""

from __future__ import annotations

import h5py
import numpy as np

from ..conventions import detect_sign
from ..errors import FileFormatError, InputError
from . import _h5util as h5u
from ._base import Candidate, Context, Raw, named_tau_grid, resolve_beta
from ._wording import on_command_line, option

NAME = "alps_maxent"


def sniff(f: h5py.File, cache: dict | None = None) -> bool:
    """``/Data`` plus ``/Error`` or ``/Covariance``."""
    return isinstance(h5u.get(f, "Data"), h5py.Dataset) and (
        h5u.get(f, "Error") is not None or h5u.get(f, "Covariance") is not None
    )


def _param(f: h5py.File, key: str) -> object | None:
    params = h5u.get(f, "parameters")
    if not isinstance(params, h5py.Group):
        return None
    obj = h5u.get(params, key)
    return obj if obj is not None else h5u.attr(params, key)


def _kind(ctx: Context) -> str:
    space = _param(ctx.h5, "DATASPACE")
    if space is not None:
        text = h5u.string(space, ctx.path, "/parameters/DATASPACE").lower()
        kind = "iw" if text.startswith("freq") else "tau"
        if ctx.kind is not None and ctx.kind != kind:
            raise InputError(f"{ctx.path}: DATASPACE={text!r} but kind={ctx.kind!r} was passed")
        return kind
    return ctx.kind or "tau"


def candidates(ctx: Context) -> list[Candidate]:
    """The one data set of the file."""
    ds = h5u.get(ctx.h5, "Data")
    n = int(np.prod(ds.shape)) if isinstance(ds, h5py.Dataset) else 0
    kernel = _param(ctx.h5, "KERNEL")
    fermionic = True
    if kernel is not None:
        fermionic = "boson" not in h5u.string(kernel, ctx.path, "/parameters/KERNEL").lower()
    return [
        Candidate(name="Data", h5path="/Data", kind=_kind(ctx), shape=(n,), fermionic=fermionic,
                  note="" if fermionic else "bosonic kernel")
    ]


def stores_tau_points(ctx: Context) -> bool:
    """Whether the file's ``/parameters`` group lists the tau points (``TAU_0``, ...)."""
    params = h5u.get(ctx.h5, "parameters")
    return isinstance(params, h5py.Group) and h5u.get(params, "TAU_0") is not None


def _tau_points(ctx: Context, n: int) -> np.ndarray | None:
    if not stores_tau_points(ctx):
        return None
    params = h5u.get(ctx.h5, "parameters")
    pts = []
    for i in range(n):
        obj = h5u.get(params, f"TAU_{i}")
        if obj is None:
            raise FileFormatError(f"{ctx.path}: /parameters has TAU_0 but not TAU_{i} ({n} data points)")
        pts.append(h5u.scalar(obj, ctx.path, f"/parameters/TAU_{i}"))
    return np.asarray(pts)


def grid_override_hint() -> str:
    """How to give other tau points, worded for the caller."""
    points = "a text file of tau points" if on_command_line() else "the tau points"
    return f"if the data sit elsewhere pass {option('grid', 'centres')} (bin centres) or {points}"


def _time_grid(ctx: Context, beta: float, n: int, meta: dict) -> np.ndarray:
    """tau points: ``grid=`` (points or a name), the file's ``TAU_i``, else ALPS MaxEnt's uniform default."""
    if isinstance(ctx.grid, str):
        return named_tau_grid(ctx.grid, beta, n)
    if ctx.grid is not None:
        return ctx.grid
    points = _tau_points(ctx, n)
    if points is not None:
        return points
    meta["tau_grid_assumed"] = (
        f"the file has no tau points: taken as ALPS MaxEnt's default, {n} points from 0 to beta with both ends "
        f"(tau_i = i beta / {n - 1}); {grid_override_hint()}"
    )
    return named_tau_grid("uniform", beta, n)


def file_beta(ctx: Context, cand: Candidate | None) -> float | None:
    """``BETA`` of an embedded ``/parameters`` group, usually absent."""
    obj = _param(ctx.h5, "BETA")
    return None if obj is None else h5u.scalar(obj, ctx.path, "/parameters/BETA")


def read(ctx: Context, cand: Candidate) -> Raw:
    """Read /Data with /Error or /Covariance."""
    path, f = ctx.path, ctx.h5
    data = h5u.real(f["Data"], path, "/Data").reshape(-1)
    beta = resolve_beta(ctx, file_beta(ctx, cand), "ALPS MaxEnt input; BETA lives in the parameter file")
    err = h5u.get(f, "Error")
    cov_obj = h5u.get(f, "Covariance")
    ndat = data.size
    meta: dict = {}
    cov = None
    if cov_obj is not None:
        cov = h5u.real(cov_obj, path, "/Covariance").reshape(-1)
        if cov.size != ndat * ndat:
            raise FileFormatError(f"{path}: /Covariance has {cov.size} numbers, expected {ndat}*{ndat}")
        cov = cov.reshape(ndat, ndat)
        errors = np.sqrt(np.abs(np.diagonal(cov)))
    else:
        errors = h5u.real(err, path, "/Error").reshape(-1)
        if errors.size != ndat:
            raise FileFormatError(f"{path}: /Error has {errors.size} numbers, /Data {ndat}")
    phs = _param(f, "PARTICLE_HOLE_SYMMETRY")
    imag_only = phs is not None and h5u.scalar(phs, path, "/parameters/PARTICLE_HOLE_SYMMETRY") != 0
    if cand.kind == "tau":
        values = data
        grid = _time_grid(ctx, beta, ndat, meta)
    else:
        if imag_only:
            values = 1j * data
        else:
            if ndat % 2:
                raise FileFormatError(f"{path}: complex /Data needs an even count (re, im pairs), found {ndat}")
            values = data[0::2] + 1j * data[1::2]
            meta["errors_re_im"] = errors.reshape(-1, 2)
            errors = errors.reshape(-1, 2).max(axis=1)
            if cov is not None:
                meta["cov_re_im"] = cov.reshape(ndat // 2, 2, ndat // 2, 2)
                cov = None
        if isinstance(ctx.grid, str):
            raise InputError(f"{path} holds Matsubara data: {option('grid', ctx.grid)} names a tau grid")
        grid = ctx.grid if ctx.grid is not None else (2 * np.arange(values.size) + 1) * np.pi / beta
    sign = detect_sign(values.real if cand.kind == "tau" else values.imag)
    if sign == "positive":
        values = -values
    return Raw(
        kind=cand.kind or "tau",
        beta=beta,
        grid=grid,
        values=values,
        axes=[],
        source=NAME,
        h5path="/Data",
        sign_in_file=sign,
        errors=errors,
        cov=cov if cand.kind == "tau" else None,
        diag=np.ones((), dtype=bool),
        meta=meta,
        grid_from_user=ctx.grid is not None,
    )
