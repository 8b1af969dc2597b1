"""ALF ``data.h5`` time-displaced observables (``Green_tau`` and friends).

Each observable is a root group (attributes ``dtau``, ``Channel``) with
``obser`` ``(n_bins, N_orb, N_orb, N_tau, N_k, 2)`` (as h5py sees it; the last
axis is re/im), ``back`` and ``sign`` ``(n_bins,)`` (pyALF ``read_latt``).
tau_i = i * dtau; beta is the attribute ``beta`` of ``/parameters/var_model_generic``.
ALF stores sign-weighted bin averages of **-G >= 0**. ``Channel="P"`` (or a
name starting with "Green") marks fermionic observables; "PH"/"PP" are bosonic.

The estimate is ``sum_b obs_b / sum_b s_b`` with a jackknife error (after
``n_skip``/``n_rebin`` from ``/parameters/var_errors`` when present, as pyALF
does). ``bins`` are the linearised per-bin samples of
:func:`ac_learned.io._stats.reweighted` (mean equal to ``values``; with
average sign 1 they are the bins themselves); ``meta["bin_signs"]`` keeps the
per-bin signs. The background ``back`` (zero for a Green's function) is ignored.
"""

from __future__ import annotations

import h5py
import numpy as np

from ..errors import FileFormatError
from . import _h5util as h5u
from ._base import Axis, Candidate, Context, Raw, real_part, resolve_beta
from ._stats import check_signs, reweighted

NAME = "alf"


def _is_obs(g: object) -> bool:
    return (
        isinstance(g, h5py.Group)
        and isinstance(h5u.get(g, "obser"), h5py.Dataset)
        and h5u.get(g, "sign") is not None
        and h5u.attr(g, "dtau") is not None
    )


def sniff(f: h5py.File, cache: dict | None = None) -> bool:
    """A root group with ``obser``, ``sign`` and attribute ``dtau``."""
    return any(_is_obs(h5u.get(f, k)) for k in f.keys())


def _fermionic(name: str, g: h5py.Group) -> tuple[bool, str]:
    channel = h5u.attr_str(g, "Channel")
    if channel:
        fermi = channel.upper() == "P"
        return fermi, f"Channel={channel}"
    return name.lower().startswith("green"), "no Channel attribute"


def candidates(ctx: Context) -> list[Candidate]:
    """Every time-displaced observable; only fermionic ones are loadable."""
    out = []
    for name in sorted(ctx.h5.keys()):
        g = h5u.get(ctx.h5, name)
        if not _is_obs(g):
            continue
        shape = tuple(int(n) for n in g["obser"].shape)
        if len(shape) != 6:
            continue  # equal-time or scalar observable
        fermionic, why = _fermionic(name, g)
        nb, no1, no2, nt, nk, _ = shape
        out.append(
            Candidate(
                name=name,
                h5path="/" + name,
                kind="tau",
                shape=(no1, no2, nk, nt),
                axes=("orbital1", "orbital2", "k"),
                fermionic=fermionic,
                note="" if fermionic else f"bosonic ({why})",
                extra={"n_bins": nb},
            )
        )
    return out


def _param(f: h5py.File, group: str, key: str) -> object | None:
    """Attribute ``key`` of the namelist group ``/parameters/<group>``."""
    params = h5u.get(f, f"parameters/{group}")
    return None if params is None else h5u.attr(params, key)


def file_beta(ctx: Context, cand: Candidate | None) -> float | None:
    """Attribute ``beta`` of ``/parameters/var_model_generic`` (or another namelist)."""
    obj = _param(ctx.h5, "var_model_generic", "beta")
    if obj is None:
        params = h5u.get(ctx.h5, "parameters")
        for sub in params.keys() if isinstance(params, h5py.Group) else []:
            obj = h5u.attr(h5u.get(params, sub), "beta")
            if obj is not None:
                break
    return None if obj is None else h5u.scalar(obj, ctx.path, "/parameters/var_model_generic beta")


def _skip_rebin(ctx: Context, obs: np.ndarray, sign: np.ndarray, meta: dict) -> tuple[np.ndarray, np.ndarray]:
    """Apply ALF's ``n_skip`` and ``n_rebin`` when the file records them."""
    skip_obj = _param(ctx.h5, "var_errors", "n_skip")
    rebin_obj = _param(ctx.h5, "var_errors", "n_rebin")
    n_skip = 0 if skip_obj is None else h5u.integer(skip_obj, ctx.path, "var_errors n_skip")
    n_rebin = 1 if rebin_obj is None else max(h5u.integer(rebin_obj, ctx.path, "var_errors n_rebin"), 1)
    if n_skip == 0 and n_rebin == 1:
        return obs, sign
    obs, sign = obs[n_skip:], sign[n_skip:]
    n = (obs.shape[0] // n_rebin) * n_rebin
    if n == 0:
        raise FileFormatError(f"{ctx.path}: no bins left after n_skip={n_skip}, n_rebin={n_rebin}")
    obs = obs[:n].reshape((n // n_rebin, n_rebin) + obs.shape[1:]).mean(axis=1)
    sign = sign[:n].reshape(n // n_rebin, n_rebin).mean(axis=1)
    meta.update(n_skip=n_skip, n_rebin=n_rebin)
    return obs, sign


def read(ctx: Context, cand: Candidate) -> Raw:
    """Jackknife estimate of ``<sG>/<s>`` in the standard sign, axes (orb, orb, k, tau)."""
    path = ctx.path
    g = h5u.require(ctx.h5, cand.h5path, path)
    obs = h5u.numeric(g["obser"], path, f"{cand.h5path}/obser")
    if not np.iscomplexobj(obs):
        if obs.ndim != 6 or obs.shape[-1] != 2:
            raise FileFormatError(
                f"{path}: {cand.h5path}/obser has shape {obs.shape}; "
                f"expected (bins, orb, orb, tau, k, 2)"
            )
        obs = obs[..., 0] + 1j * obs[..., 1]
    if obs.ndim != 5:
        raise FileFormatError(f"{path}: {cand.h5path}/obser has {obs.ndim} axes; expected (bins, orb, orb, tau, k)")
    sign = h5u.numeric(h5u.require(g, "sign", path), path, f"{cand.h5path}/sign")
    if not np.iscomplexobj(sign) and sign.ndim == 2 and sign.shape[-1] == 2:
        sign = sign[..., 0] + 1j * sign[..., 1]
    sign = sign.reshape(-1)
    if sign.size != obs.shape[0]:
        raise FileFormatError(f"{path}: {cand.h5path}: {sign.size} signs for {obs.shape[0]} bins")
    if obs.shape[0] == 0:
        raise FileFormatError(f"{path}: {cand.h5path} has no bins")
    dtau = h5u.scalar(h5u.attr(g, "dtau"), path, f"{cand.h5path} attribute dtau")
    beta = resolve_beta(ctx, file_beta(ctx, cand), "attribute beta of /parameters/var_model_generic")
    meta: dict = {}
    obs, sign = _skip_rebin(ctx, obs, sign, meta)
    obs = np.moveaxis(obs, 3, -1)  # (bins, orb, orb, k, tau)
    check_signs(sign, f"{path}:{cand.h5path}")
    with np.errstate(all="ignore"):
        mean, errors, samples = reweighted(obs, sign)
    values = -real_part(mean, meta)
    bins = -np.real(samples)
    nt = values.shape[-1]
    grid = np.arange(nt) * dtau
    meta.update(
        bin_signs=np.real(sign).copy(),
        average_sign=complex(np.mean(sign)) if np.iscomplexobj(sign) else float(np.mean(sign)),
        channel=h5u.attr_str(g, "Channel"),
        dtau=dtau,
    )
    no1, no2 = values.shape[0], values.shape[1]
    diag = np.broadcast_to((np.arange(no1)[:, None] == np.arange(no2)[None, :])[:, :, None], values.shape[:-1]).copy()
    return Raw(
        kind="tau",
        beta=beta,
        grid=grid,
        values=values,
        axes=[Axis("orbital1", "orbital"), Axis("orbital2", "orbital"), Axis("k", "k")],
        source=NAME,
        h5path=cand.h5path,
        sign_in_file="positive",
        errors=errors,
        bins=bins,
        diag=diag,
        meta=meta,
    )
