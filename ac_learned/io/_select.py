"""Apply the ``orbital=``, ``spin=`` and ``k=`` selectors to the index axes."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import InputError
from ._base import Axis, Raw, spin_label


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


def _take(raw: Raw, axis: int, idx: int) -> None:
    """Reduce index axis ``axis`` of every array in ``raw`` to element ``idx``."""
    size = raw.values.shape[axis]
    label = raw.axes[axis].label
    if idx >= size:
        raise InputError(f"index {idx} is out of range for axis {label!r} (size {size}, 0..{size - 1})")
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
                f"{what}={value!r}: only diagonal elements are stored "
                f"(axis {raw.axes[positions[0]].label!r}); pass {what}={i}"
            )
        return {positions[0]: i}
    if len(positions) == 2:
        return {positions[0]: i, positions[1]: j}
    raise InputError(f"{what}= cannot be applied: axes are {[a.label for a in raw.axes]}")


def _select_orbital(raw: Raw, orbital: Any) -> dict[int, int]:
    pair_axes = _role_axes(raw.axes, "pair")
    if pair_axes:
        axis = raw.axes[pair_axes[0]]
        wanted = _pair(orbital, "orbital", _orbital_index)
        if axis.pairs is None:
            if wanted[0] != wanted[1]:
                raise InputError("this file does not label its orbital pairs; pass orbital=<pair index>")
            return {pair_axes[0]: wanted[0]}
        if wanted not in axis.pairs:
            raise InputError(f"orbital={orbital!r} is not stored; orbital pairs are {axis.pairs}")
        return {pair_axes[0]: axis.pairs.index(wanted)}
    if not _role_axes(raw.axes, "orbital"):
        raise InputError(f"orbital= cannot be applied: this Green's function has axes {[a.label for a in raw.axes]}")
    return _select_pairwise(raw, "orbital", orbital, "orbital", _orbital_index)


def _select_k(raw: Raw, k: Any) -> dict[int, int]:
    positions = _role_axes(raw.axes, "k")
    if not positions:
        raise InputError(f"k= cannot be applied: this Green's function has axes {[a.label for a in raw.axes]}")
    sizes = [raw.values.shape[p] for p in positions]
    if isinstance(k, (tuple, list)):
        if len(k) != len(positions):
            raise InputError(f"k={k!r} needs {len(positions)} indices (axes {[raw.axes[p].label for p in positions]})")
        idx = [_index(v, "k") for v in k]
    else:
        flat = _index(k, "k")
        total = int(np.prod(sizes))
        if flat >= total:
            raise InputError(f"k={flat} is out of range: {total} k-points (0..{total - 1})")
        idx = [int(i) for i in np.unravel_index(flat, sizes)]
    return dict(zip(positions, idx))


def select(raw: Raw, orbital: Any = None, spin: Any = None, k: Any = None) -> Raw:
    """Reduce the index axes of ``raw`` in place and return it."""
    chosen: dict[int, int] = {}
    if orbital is not None:
        chosen.update(_select_orbital(raw, orbital))
    if spin is not None:
        if not _role_axes(raw.axes, "spin"):
            raise InputError(f"spin= cannot be applied: this Green's function has axes {[a.label for a in raw.axes]}")
        chosen.update(_select_pairwise(raw, "spin", spin, "spin", _spin_index))
    if k is not None:
        chosen.update(_select_k(raw, k))
    for axis in sorted(chosen, reverse=True):
        _take(raw, axis, chosen[axis])
    return raw
