"""ALPSCore Green's functions (CT-HYB ``/gtau``) in the ALPSCore H5GF layout.

A Green's function group holds ``data`` (complex as a trailing 2 with
``__complex__``), ``version/{major, minor, ...}`` and ``mesh/N`` meshes
``mesh/1 .. mesh/N``, one per data axis, each with a ``kind`` string:
``IMAGINARY_TIME`` (``beta``, ``N``, ``statistics`` 0 bosonic / 1 fermionic,
``last_point_included``, ``half_point_mesh``, optional ``points``), ``MATSUBARA``
(``beta``, ``N``, ``statistics``, ``positive_only``, optional ``points``),
``INDEX`` (``N``). The ``points`` stored by the writer are used when present.
Standard sign. Legendre, power and Chebyshev meshes are refused.
"""

from __future__ import annotations

import h5py
import numpy as np

from ..errors import FileFormatError
from . import _h5util as h5u
from ._base import Axis, Candidate, Context, Raw, real_part, resolve_beta, unsupported_mesh_note

NAME = "alpscore"
_INDEX_KINDS = {"INDEX": "orbital", "MOMENTUM_INDEX": "k", "REAL_SPACE_INDEX": "other"}


def _is_gf(g: object) -> bool:
    return (
        isinstance(g, h5py.Group)
        and isinstance(h5u.get(g, "data"), h5py.Dataset)
        and isinstance(h5u.get(h5u.get(g, "mesh"), "1"), h5py.Group)
    )


def sniff(f: h5py.File, cache: dict | None = None) -> bool:
    """``/gtau/version`` or ``/gtau/mesh/1/kind``."""
    return h5u.get(f, "gtau/version") is not None or h5u.get(f, "gtau/mesh/1/kind") is not None


def _kind(mesh: h5py.Group, path: str) -> str:
    obj = h5u.get(mesh, "kind")
    if obj is None:
        obj = h5u.attr(mesh, "kind")
    if obj is None:
        raise FileFormatError(f"{path}: {mesh.name}/kind is missing")
    return h5u.string(obj, path, f"{mesh.name}/kind").upper()


def _meshes(g: h5py.Group, path: str) -> list[tuple[h5py.Group, str]]:
    mesh = h5u.require(g, "mesh", path)
    n_obj = h5u.get(mesh, "N")
    ndim = h5u.integer(n_obj, path, f"{mesh.name}/N") if n_obj is not None else None
    keys = sorted((k for k in mesh.keys() if k.isdigit()), key=int)
    if ndim is None:
        ndim = len(keys)
    if ndim < 1 or ndim > 16 or [str(i) for i in range(1, ndim + 1)] != keys[:ndim]:
        raise FileFormatError(f"{path}: {mesh.name}: mesh/N={ndim} does not match meshes {keys}")
    out = []
    for i in range(1, ndim + 1):
        sub = h5u.require(mesh, str(i), path)
        if not isinstance(sub, h5py.Group):
            raise FileFormatError(f"{path}: {sub.name} should be a group")
        out.append((sub, _kind(sub, path)))
    return out


def _classify(meshes: list[tuple[h5py.Group, str]]) -> tuple[str | None, int, str]:
    """(kind, position of the time/frequency mesh, note)."""
    found = [(i, k) for i, (_, k) in enumerate(meshes) if k not in _INDEX_KINDS]
    if len(found) != 1:
        return None, -1, unsupported_mesh_note("product" if found else "index-only")
    pos, kind = found[0]
    if kind == "IMAGINARY_TIME":
        return "tau", pos, ""
    if kind == "MATSUBARA":
        return "iw", pos, ""
    return None, pos, unsupported_mesh_note(kind.lower().replace("_", " "))


def _fermionic(mesh: h5py.Group, path: str) -> bool:
    obj = h5u.get(mesh, "statistics")
    if obj is None:
        return True
    return h5u.integer(obj, path, f"{mesh.name}/statistics") == 1


def candidates(ctx: Context) -> list[Candidate]:
    """ALPSCore Green's function groups at the root and one level down."""
    f = ctx.h5
    groups = [(k, h5u.get(f, k)) for k in f.keys()]
    for key, g in list(groups):
        if isinstance(g, h5py.Group) and not _is_gf(g):
            groups += [(f"{key}/{sub}", h5u.get(g, sub)) for sub in g.keys()]
    out = []
    for name, g in groups:
        if not _is_gf(g):
            continue
        meshes = _meshes(g, ctx.path)
        kind, pos, note = _classify(meshes)
        fermionic = _fermionic(meshes[pos][0], ctx.path) if kind else True
        ds = g["data"]
        shape = tuple(int(n) for n in ds.shape)
        if len(shape) == len(meshes) + 1 and shape[-1] == 2:
            shape = shape[:-1]
        labels = tuple(meshes[i][1].lower() for i in range(len(meshes)) if i != pos)
        if pos >= 0 and len(shape) == len(meshes):
            shape = shape[:pos] + shape[pos + 1 :] + shape[pos : pos + 1]
        out.append(
            Candidate(
                name=name,
                h5path="/" + name,
                kind=kind,
                shape=shape,
                axes=labels,
                fermionic=fermionic,
                loadable=kind is not None,
                note=note if kind is None else ("" if fermionic else "bosonic statistics"),
            )
        )
    return out


def _points(mesh: h5py.Group, n: int, path: str) -> np.ndarray | None:
    obj = h5u.get(mesh, "points")
    if obj is None:
        return None
    pts = h5u.real(obj, path, f"{mesh.name}/points").reshape(-1)
    if pts.size != n:
        raise FileFormatError(f"{path}: mesh and data sizes differ: {mesh.name}/points has {pts.size}, data {n}")
    return pts


def _flag(mesh: h5py.Group, key: str, path: str) -> bool:
    obj = h5u.get(mesh, key)
    return obj is not None and h5u.integer(obj, path, f"{mesh.name}/{key}") != 0


def file_beta(ctx: Context, cand: Candidate | None) -> float | None:
    """beta of a candidate's time or frequency mesh."""
    if cand is None:
        return None
    meshes = _meshes(h5u.require(ctx.h5, cand.h5path, ctx.path), ctx.path)
    _, pos, _ = _classify(meshes)
    tmesh = meshes[pos][0]
    return h5u.scalar(h5u.require(tmesh, "beta", ctx.path), ctx.path, f"{tmesh.name}/beta")


def read(ctx: Context, cand: Candidate) -> Raw:
    """Read one ALPSCore Green's function; the time/frequency axis goes last."""
    path = ctx.path
    g = h5u.require(ctx.h5, cand.h5path, path)
    meshes = _meshes(g, path)
    kind, pos, note = _classify(meshes)
    data = h5u.numeric(h5u.require(g, "data", path), path, f"{cand.h5path}/data")
    if data.ndim != len(meshes):
        raise FileFormatError(f"{path}: {cand.h5path}/data has {data.ndim} axes but {len(meshes)} meshes")
    for i, (mesh, mkind) in enumerate(meshes):  # N is the number of points of every mesh (ALPSCore's extent())
        size_obj = h5u.get(mesh, "N")
        if size_obj is not None:
            size = h5u.integer(size_obj, path, f"{mesh.name}/N")
            if size != data.shape[i]:
                what = "points" if mkind in _INDEX_KINDS else f"{mkind.lower().replace('_', ' ')} points"
                raise FileFormatError(
                    f"{path}: mesh and data sizes differ:"
                    f" {mesh.name}/N={size} ({mkind}), but data axis {i} has {data.shape[i]} {what}; "
                    "the mesh does not describe these data (check the program that wrote the file)"
                )
    tmesh = meshes[pos][0]
    beta = resolve_beta(ctx, h5u.scalar(h5u.require(tmesh, "beta", path), path, f"{tmesh.name}/beta"),
                        f"{tmesh.name}/beta")
    n = data.shape[pos]
    values = np.moveaxis(data, pos, -1)
    meta: dict = {}
    pts = _points(tmesh, n, path)
    if kind == "tau":
        if pts is not None:
            grid = pts
        elif _flag(tmesh, "half_point_mesh", path):
            grid = (np.arange(n) + 0.5) * beta / n
        elif _flag(tmesh, "last_point_included", path) or h5u.get(tmesh, "last_point_included") is None:
            grid = np.arange(n) * beta / max(n - 1, 1)
        else:
            grid = np.arange(n) * beta / n
        values = real_part(values, meta)
    else:
        if pts is not None:
            grid = pts
        elif _flag(tmesh, "positive_only", path):
            grid = (2 * np.arange(n) + 1) * np.pi / beta
        else:
            grid = (2 * np.arange(-(n // 2), n - n // 2) + 1) * np.pi / beta
        values = values.astype(np.complex128)  # negative frequencies are folded by the validation
    labels = [meshes[i][1] for i in range(len(meshes)) if i != pos]
    roles = [_INDEX_KINDS.get(k, "other") for k in labels]
    axes = [Axis(f"{k.lower()}{j + 1}" if roles.count("orbital") == 2 and r == "orbital" else k.lower(), r)
            for j, (k, r) in enumerate(zip(labels, roles))]
    orb = [i for i, r in enumerate(roles) if r == "orbital"]
    diag = np.ones(values.shape[:-1], dtype=bool)
    if len(orb) == 2:
        a, b = orb
        idx = np.indices(values.shape[:-1])
        diag = idx[a] == idx[b]
    return Raw(
        kind=kind or "tau",
        beta=beta,
        grid=grid,
        values=values,
        axes=axes,
        source=NAME,
        h5path=cand.h5path,
        sign_in_file="standard",
        diag=diag,
        meta=meta,
    )
