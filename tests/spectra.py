"""Test helper: analytic spectra."""

import numpy as np


def gaussian_spectrum(omega: np.ndarray, peaks=((0.0, 0.4, 1.0),)) -> np.ndarray:
    """Sum of normalised Gaussians (centre, width, weight)."""
    return sum(w * np.exp(-((omega - m) ** 2) / (2 * s * s)) / (np.sqrt(2 * np.pi) * s) for m, s, w in peaks)
