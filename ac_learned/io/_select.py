"""Apply the ``orbital=``, ``spin=`` and ``k=`` selectors to the index axes; drop axes of length 1."""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import InputError
from ._base import Axis, Raw, spin_label
from ._wording import option
from .data import GreenData


def _index(value: Any, what: str) -> int:
    """An explicit non-negative integer index."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InputError(f"{what} must be a non-negative integer, got {value!r}")
    if value < 0:
        raise InputError(f"{what} must be a non-negative integer, got {value!r}")
    return int(value)


def _pair(value: Any, what: str, to_index: Callable[[Any], int]) -> tuple[int, int]:
    """``i`` means the diagonal element ``(i, i)``; a pair ``(i, j)`` is taken as is."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise InputError(f"{what} must be an index or a pair (i, j), got {value!r}")
        return to_index(value[0]), to_index(value[1])
    i = to_index(value)
    return i, i


def _orbital_index(value: Any) -> int:
    return _index(value, "orbital")


def _spin_index(value: Any) -> int:
    if isinstance(value, str):
        return 0 if spin_label(value) == "up" else 1
    return _index(value, "spin")


def _take(raw: Raw, axis: int, idx: int, selector: str = "") -> None:
    """Reduce index axis ``axis`` of every array in ``raw`` to element ``idx``.

    ``selector`` (e.g. ``"orbital=5"`` or ``"--orbital 5"``) names what the user
    gave, for the out-of-range message.
    """
    size = raw.values.shape[axis]
    label = raw.axes[axis].label
    if idx >= size:
        what = f"{selector}: index {idx}" if selector else f"index {idx}"
        raise InputError(
            f"{what} is out of range: the file has {size} along axis {label!r}, valid indices 0..{size - 1}"
        )
    raw.values = np.take(raw.values, idx, axis=axis)
    if raw.errors is not None:
        raw.errors = np.take(raw.errors, idx, axis=axis)
    if raw.cov is not None:
        raw.cov = np.take(raw.cov, idx, axis=axis)
    if raw.bins is not None:
        raw.bins = np.take(raw.bins, idx, axis=axis + 1)
    if raw.diag is not None:
        raw.diag = np.take(raw.diag, idx, axis=axis)
    del raw.axes[axis]


def _role_axes(axes: list[Axis], role: str) -> list[int]:
    return [i for i, a in enumerate(axes) if a.role == role]


def _select_pairwise(raw: Raw, role: str, value: Any, what: str, to_index: Callable[[Any], int]) -> dict[int, int]:
    """Indices for the axes of one role: a single (diagonal) axis, or a row/column pair."""
    positions = _role_axes(raw.axes, role)
    i, j = _pair(value, what, to_index)
    if len(positions) == 1:
        if i != j:
            raise InputError(
                f"{option(what, value)}: only diagonal elements are stored "
                f"(axis {raw.axes[positions[0]].label!r}); pass {option(what, i)}"
            )
        return {positions[0]: i}
    if len(positions) == 2:
        return {positions[0]: i, positions[1]: j}
    raise InputError(f"{option(what)} cannot be applied: axes are {[a.label for a in raw.axes]}")


def _select_orbital(raw: Raw, orbital: Any) -> dict[int, int]:
    pair_axes = _role_axes(raw.axes, "pair")
    if pair_axes:
        axis = raw.axes[pair_axes[0]]
        wanted = _pair(orbital, "orbital", _orbital_index)
        if axis.pairs is None:
            if wanted[0] != wanted[1]:
                raise InputError(
                    f"this file does not label its orbital pairs; pass {option('orbital', placeholder='<pair index>')}"
                )
            return {pair_axes[0]: wanted[0]}
        if wanted not in axis.pairs:
            raise InputError(f"{option('orbital', orbital)} is not stored; orbital pairs are {axis.pairs}")
        return {pair_axes[0]: axis.pairs.index(wanted)}
    if not _role_axes(raw.axes, "orbital"):
        raise InputError(
            f"{option('orbital')} cannot be applied: this Green's function has axes {[a.label for a in raw.axes]}"
        )
    return _select_pairwise(raw, "orbital", orbital, "orbital", _orbital_index)


def _select_k(raw: Raw, k: Any) -> dict[int, int]:
    positions = _role_axes(raw.axes, "k")
    if not positions:
        raise InputError(
            f"{option('k')} cannot be applied: this Green's function has axes {[a.label for a in raw.axes]}"
        )
    sizes = [raw.values.shape[p] for p in positions]
    if isinstance(k, (tuple, list)):
        if len(k) != len(positions):
            raise InputError(
                f"{option('k', k)} needs {len(positions)} indices (axes {[raw.axes[p].label for p in positions]})"
            )
        idx = [_index(v, "k") for v in k]
    else:
        flat = _index(k, "k")
        total = int(np.prod(sizes))
        if flat >= total:
            raise InputError(f"{option('k', flat)} is out of range: {total} k-points, valid 0..{total - 1}")
        idx = [int(i) for i in np.unravel_index(flat, sizes)]
    return dict(zip(positions, idx))


def select(raw: Raw, orbital: Any = None, spin: Any = None, k: Any = None) -> Raw:
    """Reduce the index axes of ``raw`` in place and return it."""
    chosen: dict[int, tuple[int, str]] = {}
    if orbital is not None:
        chosen.update(_named(_select_orbital(raw, orbital), option("orbital", orbital)))
    if spin is not None:
        if not _role_axes(raw.axes, "spin"):
            raise InputError(
                f"{option('spin')} cannot be applied: this Green's function has axes {[a.label for a in raw.axes]}"
            )
        chosen.update(_named(_select_pairwise(raw, "spin", spin, "spin", _spin_index), option("spin", spin)))
    if k is not None:
        chosen.update(_named(_select_k(raw, k), option("k", k)))
    for axis in sorted(chosen, reverse=True):
        _take(raw, axis, *chosen[axis])
    return raw


def _named(indices: dict[int, int], selector: str) -> dict[int, tuple[int, str]]:
    return {axis: (idx, selector) for axis, idx in indices.items()}


def squeeze(data: GreenData) -> GreenData:
    """Drop the index axes of length 1 (one orbital, one orbital pair, one k-point), which need no selector.

    Parameters
    ----------
    data : GreenData
        As returned by :func:`ac_learned.io.load`.

    Returns
    -------
    GreenData
        A copy whose ``values``, ``errors``, ``cov`` and ``bins`` have no
        length-1 index axes; ``meta["axes"]`` is updated and
        ``meta["auto_selected"]`` lists the labels that were dropped.
    """
    axes = list(data.meta.get("axes", []))
    n_index = data.values.ndim - 1
    ones = [i for i in range(n_index) if data.values.shape[i] == 1]
    if not ones:
        return data
    labels = axes[:n_index] if len(axes) == n_index + 1 else [f"axis{i}" for i in range(n_index)]

    def drop(arr: np.ndarray | None, offset: int = 0) -> np.ndarray | None:
        return None if arr is None else np.squeeze(arr, axis=tuple(i + offset for i in ones))

    meta = dict(data.meta)
    meta["auto_selected"] = [labels[i] for i in ones]
    meta["axes"] = [lab for i, lab in enumerate(labels) if i not in ones] + axes[n_index:]
    return dataclasses.replace(data, values=drop(data.values), errors=drop(data.errors), cov=drop(data.cov),
                               bins=drop(data.bins, 1), meta=meta)
