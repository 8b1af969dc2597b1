"""ALPS CT-HYB segment solver output (``sim.h5``, ALPSCore/CT-HYB-SEGMENT).

``/G_tau/{nt, ns, nf}`` and one ``/G_tau/<flavor>/mean/value`` of ``nt`` points
per flavor (``green_function.h``), on tau_i = i beta / (nt - 1). The evaluation
(``hybevaluate.cpp``) replaces the two end points by the densities,
G(0) = -(1 - n) and G(beta) = -n: standard sign. ``G_l_tau`` (from Legendre
coefficients) is read the same way; ``G_omega``/``G_l_omega`` are Matsubara data
on w_n = (2n + 1) pi / beta, n = 0 .. nt - 1. beta is ``/parameters/BETA``.

Errors and bins of ``G_tau`` come from the raw accumulators
``/simulation/results/g_<flavor>/{mean/error, timeseries/data}``, whose first and
last bins are half-width: those end points are doubled here, like the solver
does for the mean. The bins' end points therefore are the raw doubled values,
not the density-based ends of ``values``.
"""

from __future__ import annotations

import h5py
import numpy as np

from ..errors import FileFormatError
from . import _h5util as h5u
from ._base import Axis, Candidate, Context, Raw, resolve_beta

NAME = "alps_segment"
_GROUPS = {"G_tau": "tau", "G_l_tau": "tau", "G_omega": "iw", "G_l_omega": "iw"}


def sniff(f: h5py.File, cache: dict | None = None) -> bool:
    """``/G_tau/nt`` marks a segment-solver file."""
    return h5u.get(f, "G_tau/nt") is not None


def _sizes(g: h5py.Group, path: str) -> tuple[int, int, int]:
    nt, ns, nf = (h5u.integer(h5u.require(g, k, path), path, f"{g.name}/{k}") for k in ("nt", "ns", "nf"))
    if nt < 1 or nf < 1 or ns < 1:
        raise FileFormatError(f"{path}: {g.name}: nt={nt}, ns={ns}, nf={nf} must be positive")
    return nt, ns, nf


def candidates(ctx: Context) -> list[Candidate]:
    """``G_tau`` and, when present, ``G_l_tau``, ``G_omega``, ``G_l_omega``."""
    out = []
    for name, kind in _GROUPS.items():
        g = h5u.get(ctx.h5, name)
        if not isinstance(g, h5py.Group) or h5u.get(g, "nt") is None:
            continue
        nt, ns, nf = _sizes(g, ctx.path)
        note = "" if ns == 1 else f"multi-site data (ns={ns}) are not supported"
        out.append(
            Candidate(name=name, h5path="/" + name, kind=kind, shape=(nf, nt), axes=("flavor",),
                      loadable=ns == 1, note=note)
        )
    return out


def file_beta(ctx: Context, cand: Candidate | None) -> float | None:
    """``/parameters/BETA``."""
    params = h5u.get(ctx.h5, "parameters")
    obj = h5u.get(params, "BETA")
    if obj is None and params is not None:
        obj = h5u.attr(params, "BETA")
    return None if obj is None else h5u.scalar(obj, ctx.path, "/parameters/BETA")


def _per_flavor(g: h5py.Group, nt: int, nf: int, path: str) -> np.ndarray:
    rows = []
    for i in range(nf):
        arr = h5u.numeric(h5u.require(g, f"{i}/mean/value", path), path, f"{g.name}/{i}/mean/value")
        if arr.shape != (nt,):
            raise FileFormatError(
                f"{path}: mesh and data sizes differ:"
                f" {g.name}/{i}/mean/value has shape {arr.shape}, nt={nt}"
            )
        rows.append(arr)
    return np.stack(rows)


def _raw_results(ctx: Context, nt: int, nf: int) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Errors and bins of G_tau from ``/simulation/results/g_<i>`` (ends doubled)."""
    res = h5u.get(ctx.h5, "simulation/results")
    if not isinstance(res, h5py.Group) or h5u.get(res, "g_0") is None:
        return None, None
    errs, bins = [], []
    for i in range(nf):
        err_obj = h5u.get(res, f"g_{i}/mean/error")
        if err_obj is None:
            return None, None
        err = h5u.real(err_obj, ctx.path, f"g_{i}/mean/error").reshape(-1)
        if err.size != nt:
            raise FileFormatError(
                f"{ctx.path}: mesh and data sizes differ:"
                f" g_{i}/mean/error has {err.size} points, nt={nt}"
            )
        errs.append(err)
        ts = h5u.get(res, f"g_{i}/timeseries/data")
        if ts is not None:
            data = h5u.real(ts, ctx.path, f"g_{i}/timeseries/data")
            if data.ndim == 2 and data.shape[1] != nt and data.shape[0] == nt:
                data = data.T
            if data.ndim != 2 or data.shape[1] != nt:
                raise FileFormatError(
                    f"{ctx.path}: g_{i}/timeseries/data has shape "
                    f"{data.shape}, expected (bins, {nt})"
                )
            bins.append(data)
    errors = np.stack(errs)
    errors[:, [0, -1]] *= 2
    binned = None
    if len(bins) == nf and len({b.shape[0] for b in bins}) == 1:
        binned = np.stack(bins, axis=1)
        binned[..., [0, -1]] *= 2
    return errors, binned


def read(ctx: Context, cand: Candidate) -> Raw:
    """Read one of the per-flavor Green's functions."""
    path = ctx.path
    g = h5u.require(ctx.h5, cand.h5path, path)
    nt, ns, nf = _sizes(g, path)
    beta = resolve_beta(ctx, file_beta(ctx, cand), "/parameters/BETA")
    errors = bins = None
    if ns != 1:
        raise FileFormatError(f"{path}: {cand.h5path}: multi-site data (ns={ns}) are not supported")
    values = _per_flavor(g, nt, nf, path)
    axes = [Axis("flavor", "orbital")]
    diag = np.ones(nf, dtype=bool)
    meta: dict = {}
    if cand.kind == "tau":
        values = np.real(values)
        grid = np.arange(nt) * beta / max(nt - 1, 1)
        if cand.name == "G_tau":
            errors, bins = _raw_results(ctx, nt, nf)
    else:
        grid = (2 * np.arange(nt) + 1) * np.pi / beta
        values = values.astype(np.complex128)
    return Raw(
        kind=cand.kind or "tau",
        beta=beta,
        grid=grid,
        values=values,
        axes=axes,
        source=NAME,
        h5path=cand.h5path,
        sign_in_file="standard",
        errors=errors,
        bins=bins,
        diag=diag,
        meta=meta,
    )
