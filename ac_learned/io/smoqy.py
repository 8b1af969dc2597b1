"""SmoQyDQMC HDF5 output: ``stats.h5`` and the bin files ``bins/bins_pID-<n>.h5``.

Written by HDF5.jl (``src/Measurements/process_measurements_internals.jl``,
``merge_bins.jl``): root attributes ``BETA``, ``DELTA_TAU``, ``L_TAU``
(``L_TAU + 1`` points tau_l = l * DELTA_TAU); correlations under
``CORRELATIONS/STANDARD/TIME-DISPLACED/<name>/{MOMENTUM, POSITION}``. In
``stats.h5`` each is a group with ``MEAN`` (complex, compound ``{r, i}``) and
``STD``; in a bin file it is a dataset with a leading (Julia) bin axis and the
sign-weighted bins, with per-bin signs in ``GLOBAL/sgn``. ``DIM_LABELS`` are
in Julia (column-major) order, e.g. ``["K_1", "K_2", "TAU", "ID_PAIR"]``: h5py
sees the axes reversed. ``ID_PAIRS`` lists the (1-based) orbital pairs;
``orbital=`` takes 0-based orbital indices. ``greens`` stores **-G >= 0**.

Values are returned with axes ``(pair, K_1 .. K_D, tau)`` (or ``R_d``); ``k=``
selects the momentum, or for POSITION data the displacement, index.
When a ``bins/`` folder sits beside ``stats.h5``, its bins (all pIDs) are
loaded too, as the linearised per-bin samples of
:func:`ac_learned.io._stats.reweighted`.
"""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

from ..errors import FileFormatError
from . import _h5util as h5u
from ._base import Axis, Candidate, Context, Raw, real_part, resolve_beta, spin_of_name
from ._stats import check_signs, reweighted

NAME = "smoqy"
_TD = "CORRELATIONS/STANDARD/TIME-DISPLACED"
_SPACES = ("MOMENTUM", "POSITION")


def sniff(f: h5py.File, cache: dict | None = None) -> bool:
    """Root attributes ``BETA`` and ``L_TAU``."""
    return h5u.attr(f, "BETA") is not None and h5u.attr(f, "L_TAU") is not None


def _fermionic(name: str) -> bool:
    return name.lower().startswith("greens")


def _labels(obj: h5py.HLObject, path: str) -> list[str]:
    """DIM_LABELS in h5py (C) order, without the bin axis."""
    raw = h5u.attr(obj, "DIM_LABELS")
    if raw is None:
        raise FileFormatError(f"{path}: {obj.name} has no DIM_LABELS attribute")
    labels = h5u.strings(raw, path, f"{obj.name} DIM_LABELS")
    return [lab.upper() for lab in reversed(labels) if lab.upper() not in ("BIN", "PID")]


def _entry(f: h5py.File, name: str, space: str) -> tuple[h5py.HLObject, h5py.Dataset, bool]:
    """(object carrying DIM_LABELS, mean or bin dataset, is_bins)."""
    obj = f[f"{_TD}/{name}/{space}"]
    if isinstance(obj, h5py.Group):
        return obj, h5u.dataset(h5u.get(obj, "MEAN"), f.filename, f"{obj.name}/MEAN"), False
    return obj, obj, True


def candidates(ctx: Context) -> list[Candidate]:
    """``<name>/<SPACE>`` for every time-displaced correlation."""
    td = h5u.get(ctx.h5, _TD)
    if not isinstance(td, h5py.Group):
        return []
    out = []
    for name in sorted(td.keys()):
        for space in _SPACES:
            if h5u.get(td, f"{name}/{space}") is None:
                continue
            labels_obj, ds, is_bins = _entry(ctx.h5, name, space)
            labels = _labels(labels_obj, ctx.path)
            shape = tuple(int(n) for n in ds.shape)
            if is_bins:
                shape = shape[:-1]
            order = _order(labels)
            fermionic = _fermionic(name)
            out.append(
                Candidate(
                    name=f"{name}/{space}",
                    h5path=f"/{_TD}/{name}/{space}",
                    kind="tau",
                    shape=tuple(shape[i] for i in order) if len(shape) == len(labels) else shape,
                    axes=tuple(labels[i].lower() for i in order[:-1]),
                    fermionic=fermionic,
                    note="" if fermionic else "bosonic correlation",
                    spin=spin_of_name(name),
                    extra={"bins_file": is_bins},
                )
            )
    return out


def _order(labels: list[str]) -> list[int]:
    """Axis order (ID_PAIR, K_1 .. K_D or R_1 .. R_D, TAU) from h5py-order labels."""
    space = sorted((i for i, lab in enumerate(labels) if lab[:2] in ("K_", "R_")), key=lambda i: labels[i])
    pair = [i for i, lab in enumerate(labels) if lab == "ID_PAIR"]
    tau = [i for i, lab in enumerate(labels) if lab == "TAU"]
    if len(tau) != 1 or len(pair) > 1 or len(space) + len(pair) + 1 != len(labels):
        return list(range(len(labels)))
    return pair + space + tau


def _pairs(group: h5py.Group, path: str) -> list[tuple[int, int]] | None:
    raw = h5u.attr(group, "ID_PAIRS")
    if raw is None:  # some SmoQyDQMC versions (merged bins) write a dataset instead of an attribute
        ds = h5u.get(group, "ID_PAIRS")
        raw = ds[()] if isinstance(ds, h5py.Dataset) else None
    if raw is None:
        return None
    arr = np.asarray(raw)
    if arr.dtype.names:
        arr = np.stack([arr[n] for n in arr.dtype.names], axis=-1)
    if arr.dtype.kind not in "iuf" or arr.size % 2:
        return None
    return [(int(a) - 1, int(b) - 1) for a, b in arr.reshape(-1, 2)]


def _bin_files(path: str) -> list[Path]:
    folder = Path(path).parent / "bins"
    return sorted(folder.glob("bins_pID-*.h5")) if folder.is_dir() else []


def _read_bins(bin_paths: list[Path], name: str, space: str, order: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Sign-weighted bins (bins, pair, K.., tau) and signs of every pID file."""
    obs, signs = [], []
    for p in bin_paths:
        with h5u.guard(str(p), f"the bins of {name}/{space}"), h5py.File(p, "r") as bf:
            ds = h5u.dataset(bf[f"{_TD}/{name}/{space}"], str(p), f"{name}/{space} bins")
            data = np.moveaxis(h5u.numeric(ds, str(p), f"{name}/{space} bins"), -1, 0)
            obs.append(np.transpose(data, [0] + [i + 1 for i in order]))
            signs.append(h5u.numeric(bf["GLOBAL/sgn"], str(p), "GLOBAL/sgn").reshape(-1))
    return np.concatenate(obs), np.concatenate(signs)


def file_beta(ctx: Context, cand: Candidate | None) -> float | None:
    """Root attribute ``BETA``."""
    return h5u.scalar(h5u.require_attr(ctx.h5, "BETA", ctx.path), ctx.path, "root attribute BETA")


def read(ctx: Context, cand: Candidate) -> Raw:
    """Read MEAN/STD (stats file) or reweight the bins (bin file)."""
    path, f = ctx.path, ctx.h5
    name, space = cand.name.rsplit("/", 1)
    beta = resolve_beta(ctx, file_beta(ctx, cand), "root attribute BETA")
    dtau = h5u.scalar(h5u.require_attr(f, "DELTA_TAU", path), path, "root attribute DELTA_TAU")
    ltau = h5u.integer(h5u.require_attr(f, "L_TAU", path), path, "root attribute L_TAU")
    if not np.isclose(ltau * dtau, beta, rtol=1e-6):
        raise FileFormatError(f"{path}: L_TAU*DELTA_TAU={ltau * dtau} differs from BETA={beta}")
    labels_obj, ds, is_bins = _entry(f, name, space)
    labels = _labels(labels_obj, path)
    order = _order(labels)
    if order == list(range(len(labels))) and labels[-1:] != ["TAU"]:
        raise FileFormatError(f"{path}: {cand.h5path}: cannot find the TAU axis in DIM_LABELS {labels}")
    meta: dict = {"dim_labels": [labels[i] for i in order]}
    errors = bins = None
    if is_bins:
        data = np.moveaxis(h5u.numeric(ds, path, f"{cand.h5path}"), -1, 0)
        sign = h5u.numeric(h5u.require(f, "GLOBAL/sgn", path), path, "GLOBAL/sgn").reshape(-1)
        obs = np.transpose(data, [0] + [i + 1 for i in order]) if data.ndim == len(labels) + 1 else None
        if obs is None or sign.size != obs.shape[0]:
            raise FileFormatError(f"{path}: {cand.h5path} does not match DIM_LABELS {labels} and GLOBAL/sgn")
    else:
        mean = h5u.numeric(ds, path, f"{cand.h5path}/MEAN")
        if mean.ndim != len(labels):
            raise FileFormatError(f"{path}: {cand.h5path}/MEAN has shape {mean.shape}, DIM_LABELS {labels}")
        mean = np.transpose(mean, order)
        std_obj = h5u.get(ds.parent, "STD")
        if std_obj is not None:
            errors = np.transpose(h5u.real(std_obj, path, f"{cand.h5path}/STD"), order)
        bin_paths = _bin_files(path)
        obs = sign = None
        if bin_paths:
            obs, sign = _read_bins(bin_paths, name, space, order)
            meta["bins_from"] = [str(p) for p in bin_paths]
    if obs is not None:
        check_signs(sign, f"{path}:{cand.h5path}" + ("" if is_bins else " (bins)"), jackknife=is_bins)
        with np.errstate(all="ignore"):
            bin_mean, bin_err, samples = reweighted(obs, sign)
        bins = -np.real(samples)
        meta["average_sign"] = complex(np.mean(sign))
        if is_bins:
            mean, errors = bin_mean, bin_err
    values = -real_part(mean, meta)
    if values.shape[-1] != ltau + 1:
        raise FileFormatError(
            f"{path}: mesh and data sizes differ:"
            f" L_TAU+1={ltau + 1}, TAU axis has {values.shape[-1]}"
        )
    grid = np.arange(ltau + 1) * dtau
    ordered = [labels[i] for i in order[:-1]]
    axes = []
    for lab in ordered:
        if lab == "ID_PAIR":
            axes.append(Axis("orbital_pair", "pair", _pairs(f[f"{_TD}/{name}"], path)))
        else:
            axes.append(Axis(lab.lower(), "k" if lab[:2] in ("K_", "R_") else "other"))
    diag = np.ones(values.shape[:-1], dtype=bool)
    if axes and axes[0].pairs is not None and len(axes[0].pairs) == values.shape[0]:
        same = np.array([a == b for a, b in axes[0].pairs])
        diag &= same.reshape((-1,) + (1,) * (values.ndim - 2))
    if space == "POSITION":  # only r = 0 is a local (diagonal) element
        origin = np.zeros(values.shape[:-1], dtype=bool)
        origin[tuple(0 if lab.startswith("R_") else slice(None) for lab in ordered)] = True
        diag &= origin
    return Raw(
        kind="tau",
        beta=beta,
        grid=grid,
        values=values,
        axes=axes,
        source=NAME,
        h5path=cand.h5path,
        sign_in_file="positive",
        errors=errors,
        bins=bins,
        diag=diag,
        meta=meta,
    )
