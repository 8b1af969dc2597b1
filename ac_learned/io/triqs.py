"""TRIQS h5 archives: Gf and BlockGf on imaginary-time or Matsubara meshes.

Three storage schemes are read:

* TRIQS >= 3.2: group attribute ``Format="Gf"``; the mesh group
  (``Format="MeshImTime"`` / ``"MeshImFreq"``) holds ``beta``, ``statistic``
  ("F"/"B") and ``n_tau`` (imaginary time, both ends included) or ``size`` and
  ``positive_freq_only`` (Matsubara).
* TRIQS 2.x - 3.1: ``mesh/domain/{beta, statistic}`` and ``mesh/{min, max, size}``,
  tau = linspace(min, max, size).
* TRIQS <= 2.2 / 1.x: attribute ``TRIQS_HDF5_data_scheme`` ("GfImTime",
  "GfImFreq", "BlockGf") instead of ``Format``; a linear mesh may carry ``kind``
  (0 half bins, 1 full bins, 2 without the last point); ``data`` may be real.

``data`` is ``(n_mesh, N, N)`` (complex as a trailing 2 with ``__complex__``);
it is returned as ``(N, N, n_mesh)``. TRIQS stores the standard sign.
DLR, Legendre, real-axis and product meshes are listed but refused.
"""

from __future__ import annotations

import h5py
import numpy as np

from ..errors import FileFormatError
from . import _h5util as h5u
from ._base import (
    Axis,
    Candidate,
    Context,
    Raw,
    real_part,
    resolve_beta,
    spin_of_name,
    unsupported_mesh_note,
)

NAME = "triqs"
_MAX_NODES = 100_000


def _format(obj: h5py.HLObject) -> str:
    """The TRIQS type tag of a group: ``Format`` or the legacy data-scheme attribute."""
    return h5u.attr_str(obj, "Format") or h5u.attr_str(obj, "TRIQS_HDF5_data_scheme") or ""


def _is_gf(fmt: str) -> bool:
    return fmt.startswith("Gf")


def _tagged_groups(f: h5py.File, cache: dict | None = None) -> list[tuple[str, h5py.Group, str]]:
    """All groups tagged as a Gf, blocks of a BlockGf included (memoised in ``cache``).

    A Gf has a ``mesh`` member: only the parents of objects named ``mesh`` are
    opened, which is much cheaper than opening every object of the file.
    """
    if cache is not None and NAME in cache:
        return cache[NAME]
    names: list[str] = []

    def visit(name: str) -> None:
        if len(names) > _MAX_NODES:
            raise FileFormatError(f"{f.filename}: more than {_MAX_NODES} Gf meshes; not scanned")
        if name == "mesh" or name.endswith("/mesh"):
            names.append(name[: -len("mesh")].rstrip("/"))

    f.visit(visit)
    found: list[tuple[str, h5py.Group, str]] = []
    for name in sorted(names):
        obj = f if name == "" else h5u.get(f, name)
        if isinstance(obj, h5py.Group):
            fmt = _format(obj)
            if _is_gf(fmt):
                found.append((name, obj, fmt))
    if cache is not None:
        cache[NAME] = found
    return found


def sniff(f: h5py.File, cache: dict | None = None) -> bool:
    """A TRIQS archive has a group tagged ``Gf...`` (a BlockGf's blocks are Gfs)."""
    return bool(_tagged_groups(f, cache))


def _mesh_info(g: h5py.Group, fmt: str, path: str) -> tuple[str | None, str]:
    """Mesh kind ("tau"/"iw") of a Gf group, or None with the reason."""
    mesh = h5u.get(g, "mesh")
    if not isinstance(mesh, h5py.Group):
        return None, "no mesh group"
    mfmt = _format(mesh)
    tag = (mfmt or fmt).lower()
    for word, label in (("dlr", "DLR"), ("legendre", "Legendre"), ("prod", "product")):
        if word in tag:
            return None, unsupported_mesh_note(label)
    if "imtime" in tag:
        return "tau", ""
    if "imfreq" in tag:
        return "iw", ""
    if mfmt and mfmt.startswith("Mesh"):
        return None, unsupported_mesh_note(mfmt)
    if h5u.get(mesh, "n_tau") is not None:
        return "tau", ""
    if h5u.get(mesh, "positive_freq_only") is not None or h5u.get(mesh, "start_at_0") is not None:
        return "iw", ""
    if h5u.get(mesh, "min") is not None and h5u.get(mesh, "max") is not None:
        return "tau", ""
    return None, unsupported_mesh_note(mfmt or "unknown")


def _statistic(mesh: h5py.Group, path: str) -> bool:
    """True for fermions."""
    src = h5u.get(mesh, "domain") if h5u.get(mesh, "statistic") is None else mesh
    obj = h5u.get(src, "statistic") if src is not None else None
    if obj is None:
        return True
    text = h5u.string(obj, path, "mesh statistic").strip().upper()
    return not (text.startswith("B") or text == "0")


def _beta(mesh: h5py.Group, path: str) -> float | None:
    """beta of a mesh (``mesh/beta`` or ``mesh/domain/beta``); None when it stores neither (``beta=`` then)."""
    obj = h5u.get(mesh, "beta")
    if obj is None:
        obj = h5u.get(h5u.get(mesh, "domain"), "beta")
    if obj is None:
        return None
    return h5u.scalar(obj, path, f"{mesh.name}/beta")


def _shape(g: h5py.Group) -> tuple[int, ...]:
    ds = h5u.get(g, "data")
    if not isinstance(ds, h5py.Dataset):
        return ()
    shape = tuple(int(n) for n in ds.shape)
    if shape and shape[-1] == 2 and h5u.attr(ds, "__complex__") is not None:
        shape = shape[:-1]
    if shape:
        shape = shape[1:] + shape[:1]
    return shape


def _axes_labels(rank: int) -> tuple[str, ...]:
    if rank == 2:
        return ("orbital1", "orbital2")
    return tuple(f"index{i + 1}" for i in range(rank))


def _candidate(name: str, g: h5py.Group, fmt: str, path: str) -> Candidate:
    kind, note = _mesh_info(g, fmt, path)
    fermionic = True
    if kind is not None:
        try:  # a damaged Gf is listed as not loadable, the others stay usable
            with h5u.guard(path, f"{name}/mesh"):
                fermionic = _statistic(g["mesh"], path)
        except FileFormatError as exc:
            kind, note = None, str(exc)
    shape = _shape(g)
    return Candidate(
        name=name or "/",
        h5path="/" + name,
        kind=kind,
        shape=shape,
        axes=_axes_labels(max(len(shape) - 1, 0)),
        fermionic=fermionic,
        loadable=kind is not None,
        note=note if kind is None else ("" if fermionic else "bosonic statistic"),
        spin=spin_of_name(name),
    )


def candidates(ctx: Context) -> list[Candidate]:
    """Every Gf, including each block of a BlockGf (named like ``"G_tau/up"``)."""
    return [_candidate(name, g, fmt, ctx.path) for name, g, fmt in _tagged_groups(ctx.h5, ctx.cache)]


def _tau_grid(mesh: h5py.Group, n: int, beta: float, path: str) -> np.ndarray:
    lo_obj, hi_obj = h5u.get(mesh, "min"), h5u.get(mesh, "max")
    if lo_obj is None or hi_obj is None:
        return np.linspace(0.0, beta, n)
    lo = h5u.scalar(lo_obj, path, "mesh/min")
    hi = h5u.scalar(hi_obj, path, "mesh/max")
    kind_obj = h5u.get(mesh, "kind")
    kind = 1 if kind_obj is None else h5u.integer(kind_obj, path, "mesh/kind")
    if kind == 0:  # half bins
        return lo + (np.arange(n) + 0.5) * (hi - lo) / n
    if kind == 2:  # without the last point
        return lo + np.arange(n) * (hi - lo) / n
    if kind != 1:
        raise FileFormatError(f"{path}: {mesh.name}/kind={kind} is not a known linear-mesh kind")
    return np.linspace(lo, hi, n)


def _mesh_size(mesh: h5py.Group, path: str) -> int:
    for key in ("n_tau", "size"):
        obj = h5u.get(mesh, key)
        if obj is not None:
            return h5u.integer(obj, path, f"{mesh.name}/{key}")
    raise FileFormatError(f"{path}: {mesh.name}: the mesh size (n_tau or size) is missing")


def _positive_only(mesh: h5py.Group, path: str) -> bool:
    for key in ("positive_freq_only", "start_at_0"):
        obj = h5u.get(mesh, key)
        if obj is not None:
            return h5u.integer(obj, path, f"{mesh.name}/{key}") == 1
    return False


def file_beta(ctx: Context, cand: Candidate | None) -> float | None:
    """beta of a candidate's mesh, without reading its data."""
    if cand is None:
        return None
    return _beta(h5u.require(h5u.require(ctx.h5, cand.h5path, ctx.path), "mesh", ctx.path), ctx.path)


def read(ctx: Context, cand: Candidate) -> Raw:
    """Read one Gf: values ``(target..., n_mesh)`` in the standard sign."""
    path = ctx.path
    g = h5u.require(ctx.h5, cand.h5path, path)
    mesh = h5u.require(g, "mesh", path)
    stored = _beta(mesh, path)
    where = (f"{mesh.name}/beta" if h5u.get(mesh, "beta") is not None else f"{mesh.name}/domain/beta") \
        if stored is not None else f"neither {mesh.name}/beta nor {mesh.name}/domain/beta"
    beta = resolve_beta(ctx, stored, where)
    n = _mesh_size(mesh, path)
    data = h5u.numeric(h5u.require(g, "data", path), path, f"{cand.h5path}/data")
    meta: dict = {"format_tag": _format(g)}
    if data.ndim == 0:
        raise FileFormatError(f"{path}: {cand.h5path}/data is a scalar")
    if data.shape[0] != n:
        if data.shape[-1] == n:  # very old layouts put the mesh last
            data = np.moveaxis(data, -1, 0)
            meta["mesh_axis_last_in_file"] = True
        else:
            raise FileFormatError(
                f"{path}: {cand.h5path}: mesh and data sizes differ: the mesh has {n} points, "
                f"data has shape {data.shape}"
            )
    values = np.moveaxis(data, 0, -1)
    rank = values.ndim - 1
    labels = _axes_labels(rank)
    axes = [Axis(lab, "orbital" if rank == 2 else "other") for lab in labels]
    if rank == 2 and values.shape[0] == values.shape[1]:
        diag = np.eye(values.shape[0], dtype=bool)
    else:
        diag = np.full(values.shape[:-1], rank == 0, dtype=bool)
    if cand.kind == "tau":
        grid = _tau_grid(mesh, n, beta, path)
        values = real_part(values, meta)
    else:
        if _positive_only(mesh, path):
            first = 0
        else:
            if n % 2:
                raise FileFormatError(f"{path}: {mesh.name}: {n} frequencies cannot be symmetric fermionic ones")
            first = -(n // 2)
        # negative frequencies are kept here and folded onto the positive ones by the validation
        grid = (2 * np.arange(first, first + n) + 1) * np.pi / beta
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
        diag=diag,
        meta=meta,
    )
