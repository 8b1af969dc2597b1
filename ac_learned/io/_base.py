"""Types shared by the readers: candidates, index axes, raw results, choosing."""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import FileFormatError, InputError
from ._content import SELF_ENERGY_NOTE, self_energy_advice, self_energy_name
from ._wording import on_command_line, option, pass_hint


@dataclass(frozen=True)
class Candidate:
    """One Green's function a file holds, as listed by :func:`list_candidates`.

    Attributes
    ----------
    name : str
        What to pass as ``block=`` to load it (a suffix is enough when unique).
    h5path : str
        HDF5 path of the data ("" for text files).
    kind : {"tau", "iw"} or None
        Imaginary time or Matsubara frequencies; None when the mesh is unsupported.
    shape : tuple of int
        Shape of ``values`` once loaded (index axes, then the grid).
    axes : tuple of str
        Labels of the index axes (what ``orbital=``, ``spin=``, ``k=`` reduce).
    fermionic : bool
        False for bosonic correlators (density, spin, ...), which are listed but
        cannot be loaded as a Green's function.
    loadable : bool
        Whether :func:`load` can return it.
    note : str
        Why it is not loadable, or anything else worth knowing.
    spin : str or None
        Spin label ("up"/"down") of candidates that are one spin block.
    """

    name: str
    h5path: str
    kind: str | None
    shape: tuple[int, ...] = ()
    axes: tuple[str, ...] = ()
    fermionic: bool = True
    loadable: bool = True
    note: str = ""
    spin: str | None = None
    extra: dict = field(default_factory=dict, compare=False, repr=False)

    def describe(self) -> str:
        """One line for listings."""
        what = self.kind or "unsupported mesh"
        axes = ", ".join(f"{a}={n}" for a, n in zip(self.axes, self.shape[:-1]))
        grid = f"{self.shape[-1]} points" if self.shape else "?"
        text = f"{self.name!r}: {what}, {grid}"
        if axes:
            text += f", axes ({axes})"
        if not self.fermionic:
            text += ", bosonic"
        if self.note:
            text += f" [{self.note}]"
        return text


@dataclass
class Axis:
    """An index axis of the values, before the grid axis.

    ``role`` is "orbital", "spin", "k", "pair" (a list of orbital pairs, with
    ``pairs`` giving them) or "other".
    """

    label: str
    role: str
    pairs: list[tuple[int, int]] | None = None


@dataclass
class Raw:
    """What a reader returns before selection and validation."""

    kind: str
    beta: float
    grid: np.ndarray
    values: np.ndarray
    axes: list[Axis]
    source: str
    h5path: str
    sign_in_file: str
    errors: np.ndarray | None = None
    cov: np.ndarray | None = None
    bins: np.ndarray | None = None
    diag: np.ndarray | None = None
    meta: dict = field(default_factory=dict)
    grid_from_user: bool = False


@dataclass
class Context:
    """Arguments of :func:`load` that readers need, and the open file."""

    path: str
    h5: Any = None
    beta: float | None = None
    grid: np.ndarray | str | None = None
    kind: str | None = None
    iteration: Any = None
    cache: dict = field(default_factory=dict)


def check_user_beta(beta: Any) -> float | None:
    """Validate a user-given ``beta=``."""
    if beta is None:
        return None
    if isinstance(beta, bool):
        raise InputError(f"beta must be a positive number, got {beta!r}")
    try:
        value = float(beta)
    except (TypeError, ValueError):
        raise InputError(f"beta must be a positive number, got {beta!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"beta must be a positive finite number, got {beta!r}")
    return value


#: Names ``grid=`` takes for the tau points of ALPS MaxEnt input (see :func:`named_tau_grid`).
TAU_GRID_NAMES = ("uniform", "centres")
_TAU_GRID_ALIASES = {"uniform": "uniform", "ends": "uniform", "centres": "centres", "centers": "centres"}


def check_user_grid(grid: Any) -> np.ndarray | str | None:
    """Validate a user-given ``grid=``: finite numbers in one dimension, or a name from :data:`TAU_GRID_NAMES`."""
    if grid is None:
        return None
    if isinstance(grid, str):
        name = _TAU_GRID_ALIASES.get(grid.strip().lower())
        if name is None:
            raise InputError(
                f"{option('grid', grid)} is not a tau grid: give 'uniform' (N points from 0 to beta, both ends), "
                "'centres' (N bin centres (i + 1/2) beta / N) or "
                + ("a text file with one tau point per line" if on_command_line() else "the tau points themselves")
            )
        return name
    try:
        arr = np.asarray(grid, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError("grid must be a one-dimensional array of numbers") from None
    if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)):
        raise InputError("grid must be a non-empty one-dimensional array of finite numbers")
    return arr


def named_tau_grid(name: str, beta: float, n: int) -> np.ndarray:
    """The ``n`` tau points a name stands for: "uniform" ``i beta / (n - 1)``, "centres" ``(i + 1/2) beta / n``."""
    if name == "centres":
        return (np.arange(n) + 0.5) * beta / n
    if n < 2:
        raise InputError(f"a uniform tau grid with both ends needs at least 2 points, the data have {n}")
    return np.linspace(0.0, beta, n)


def resolve_beta(ctx: Context, file_beta: float | None, where: str) -> float:
    """Combine β from the file with ``beta=``; raise when neither is known."""
    if file_beta is not None:
        if not math.isfinite(file_beta) or file_beta <= 0:
            raise FileFormatError(f"{ctx.path}: {where} gives beta={file_beta}, not a positive number")
        if ctx.beta is not None and not math.isclose(ctx.beta, file_beta, rel_tol=1e-9):
            raise InputError(
                f"{ctx.path} stores beta = {file_beta:g} ({where}) but {option('beta', ctx.beta)} was passed; "
                f"leave {option('beta')} out to use the file's value"
            )
        return float(file_beta)
    if ctx.beta is None:
        raise InputError(
            f"{ctx.path}: beta is not stored in this file ({where}); {pass_hint('beta')}"
        )
    return ctx.beta


def _matches(name: str, block: str) -> bool:
    """``block`` names the candidate exactly or as a "/"-separated suffix."""
    name = name.strip("/")
    block = block.strip("/")
    return name == block or name.endswith("/" + block)


def choose(cands: list[Candidate], block: Any, spin: Any, path: str) -> Candidate:
    """Pick the candidate ``block=`` (and ``spin=`` for spin blocks) name.

    Without ``block=``, the only loadable fermionic candidate is taken; several
    raise an :class:`InputError` listing them.
    """
    listing = "\n  ".join(c.describe() for c in cands) or "(none)"
    if block is not None:
        if not isinstance(block, str) or not block.strip("/"):
            raise InputError(f"block must be a non-empty string, got {block!r}")
        found = [c for c in cands if _matches(c.name, block)]
        if not found:  # a BlockGf name: its blocks, narrowed by spin=
            prefix = block.strip("/") + "/"
            found = [c for c in cands if ("/" + c.name).find("/" + prefix) >= 0]
            if spin is not None and any(c.spin for c in found):
                found = [c for c in found if c.spin == spin_label(spin)]
        if not found:
            raise InputError(
                f"{path}: no Green's function matches {option('block', block)}; candidates:\n  {listing}"
            )
        if len(found) > 1:
            names = ", ".join(repr(c.name) for c in found)
            raise InputError(f"{path}: {option('block', block)} matches several: {names}; give more of the name")
        cand = found[0]
        _check_loadable(cand, path, cands)
        return cand
    usable = [c for c in cands if c.loadable and c.fermionic]
    if spin is not None and any(c.spin for c in usable):
        label = spin_label(spin)
        usable = [c for c in usable if c.spin == label]
    if len(usable) == 1:
        return usable[0]
    if not usable:
        if len(cands) == 1:
            _check_loadable(cands[0], path, cands)
        if cands and all(c.loadable and not c.fermionic for c in cands):
            raise InputError(f"{path}: only bosonic correlators; a fermionic G is expected:\n  {listing}")
        raise FileFormatError(f"{path}: no loadable fermionic Green's function; found:\n  {listing}")
    names = "\n  ".join(c.describe() for c in usable)
    raise InputError(
        f"{path} holds several Green's functions; choose one with {option('block', placeholder='<name>')} "
        f"(for example {option('block', usable[0].name)}):\n  {names}"
    )


def _check_loadable(cand: Candidate, path: str, cands: list[Candidate] | None = None) -> None:
    if cand.extra.get("self_energy"):
        raise InputError(f"{path}: {cand.name!r} is {SELF_ENERGY_NOTE.split(':')[0]}; "
                         f"{self_energy_advice(green_functions_like(cand, cands or []))}")
    if not cand.fermionic:
        raise InputError(
            f"{path}: {cand.name!r} is a bosonic correlator ({cand.note or 'bosonic statistic'}); "
            "a fermionic Green's function is expected"
        )
    if not cand.loadable:
        raise FileFormatError(f"{path}: {cand.name!r} cannot be loaded: {cand.note}")


def mark_self_energies(cands: list[Candidate]) -> list[Candidate]:
    """Candidates named like a self-energy (``Sigma_iw/up``, ``S_iw``, ...) become not loadable, with a note."""
    return [dataclasses.replace(c, loadable=False, note=SELF_ENERGY_NOTE, extra={**c.extra, "self_energy": True})
            if c.loadable and c.fermionic and self_energy_name(c.name) else c for c in cands]


def green_functions_like(cand: Candidate, cands: list[Candidate]) -> list[str]:
    """Loadable Green's functions of the file: the one named like ``cand`` with G for Sigma first, then those
    of the same kind."""
    parts = cand.name.split("/")
    at = next((i for i, part in enumerate(parts) if self_energy_name(part)), 0)
    parts[at] = re.sub(r"^(sigma|self[_ -]?energy|sig|s)", "G", parts[at], flags=re.IGNORECASE)
    twin = "/".join(parts)
    usable = [c for c in cands if c.loadable and c.fermionic]
    last = parts[-1]
    return [c.name for c in sorted(usable, key=lambda c: (c.name != twin, c.kind != cand.kind,
                                                         c.name.split("/")[-1] != last))]


_SPIN_NAMES = {"up": "up", "u": "up", "0": "up", "down": "down", "dn": "down", "d": "down", "1": "down"}


def spin_label(spin: Any) -> str:
    """Normalise a spin selector to "up" or "down"."""
    if isinstance(spin, bool):
        raise InputError(f"spin must be 0/1 or 'up'/'down', got {spin!r}")
    key = str(spin).strip().lower()
    if key not in _SPIN_NAMES:
        raise InputError(f"spin must be 0/1 or 'up'/'down', got {spin!r}")
    return _SPIN_NAMES[key]


def spin_of_name(name: str) -> str | None:
    """Spin label implied by a block or dataset name ("up", "dn", "down")."""
    last = name.rstrip("/").split("/")[-1].lower()
    for suffix, label in (("up", "up"), ("down", "down"), ("dn", "down")):
        if last == suffix or last.endswith("_" + suffix):
            return label
    return None


def unsupported_mesh_note(kind: str) -> str:
    """Message for meshes the readers cannot use."""
    return f"unsupported {kind} mesh: evaluate onto an imaginary-time mesh first"


def real_part(values: np.ndarray, meta: dict) -> np.ndarray:
    """G(tau) is real: drop an imaginary part, noting its relative size in ``meta``."""
    if not np.iscomplexobj(values):
        return values
    scale = max(float(np.max(np.abs(values.real), initial=0.0)), 1e-300)
    ratio = float(np.max(np.abs(values.imag), initial=0.0)) / scale
    if ratio > 1e-8:
        meta["dropped_imaginary_part"] = ratio
    return values.real.copy()
