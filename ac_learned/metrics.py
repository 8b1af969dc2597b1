"""Error measures between a reconstructed and a true spectrum (weights on one grid)."""

from __future__ import annotations

import numpy as np


def rse(a: np.ndarray, a_true: np.ndarray) -> np.ndarray:
    """Huang & Yang's RSE: ``|a - a_true|_2`` per spectrum (weights summing to 1)."""
    return np.linalg.norm(np.asarray(a) - np.asarray(a_true), axis=-1)


def err_l1(a: np.ndarray, a_true: np.ndarray) -> np.ndarray:
    """ACTest's Err: ``int |A - A_true| / int |A_true|`` per spectrum."""
    return np.abs(np.asarray(a) - a_true).sum(axis=-1) / np.abs(a_true).sum(axis=-1)


def normalise_output(a: np.ndarray) -> np.ndarray:
    """What :func:`ac_learned.solve` does to a network output: clip at 0, sum to 1."""
    a = np.maximum(np.asarray(a, float), 0.0)
    s = a.sum(axis=-1, keepdims=True)
    return np.divide(a, s, out=np.zeros_like(a), where=s > 0)
