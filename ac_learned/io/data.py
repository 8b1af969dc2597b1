"""The one data object every loader returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    from ..matsubara_fit import MatsubaraSource


@dataclass
class GreenData:
    """A fermionic Green's function as read from a file.

    Attributes
    ----------
    kind : {"tau", "iw"}
        Imaginary time or fermionic Matsubara frequencies.
    beta : float
        Inverse temperature.
    grid : ndarray, shape (N,)
        tau points in [0, beta] (increasing) or Matsubara frequencies omega_n.
    values : ndarray, shape (..., N)
        G in the standard sign (``G(tau) <= 0`` on the diagonal); real for
        ``kind="tau"``, complex for ``kind="iw"``.  Index axes such as orbital
        pair or k come before the grid axis.
    errors : ndarray or None
        One-sigma errors with the shape of ``values`` (real), or None.
    cov : ndarray or None
        Covariance, shape (..., N, N), or None.
    bins : ndarray or None
        Per-bin (or jackknife-ready) samples, shape (n_bins, ..., N), standard
        sign, already divided by the average sign where the code stores one.
    source : str
        Name of the format that was detected (e.g. ``"triqs"``, ``"w2dynamics"``).
    path : str
        File path and HDF5 path the data came from.
    meta : dict
        Anything else worth keeping (labels of the index axes, sign, ...).
    mapped_from : MatsubaraSource or None
        For ``kind="tau"`` mapped from Matsubara data with error bars
        (:func:`ac_learned.pipeline.tau_from_matsubara`): those data, which the
        continuation fits (:mod:`ac_learned.matsubara_fit`).
    """

    kind: Literal["tau", "iw"]
    beta: float
    grid: np.ndarray
    values: np.ndarray
    errors: np.ndarray | None = None
    cov: np.ndarray | None = None
    bins: np.ndarray | None = None
    source: str = ""
    path: str = ""
    meta: dict = field(default_factory=dict)
    mapped_from: MatsubaraSource | None = None
