"""Exception and warning types raised by ac_learned.

Every error a user can trigger with bad input is an :class:`ACLearnedError`
subclass whose message says what is wrong and how to fix it.  They derive from
``ValueError`` (or ``OSError`` for file problems) so that generic handlers keep
working.
"""

from __future__ import annotations


class ACLearnedError(Exception):
    """Base class of every ac_learned error."""


class InputError(ACLearnedError, ValueError):
    """Invalid user input: shapes, NaNs, grids, errors bars, options."""


class ModelError(ACLearnedError, ValueError):
    """No usable model: unknown name, outside every model's range, bad card."""


class ChecksumError(ModelError):
    """A weight file does not match the sha256 recorded in its model card."""


class FileFormatError(ACLearnedError, OSError):
    """A data file cannot be read: not HDF5, truncated, unknown layout, ..."""


class SolverError(ACLearnedError, RuntimeError):
    """An external solver (ana_cont's MaxEnt) failed on data that passed every check."""


class BackendError(ACLearnedError, RuntimeError):
    """An inference backend or device is not available."""


class ACLearnedWarning(UserWarning):
    """Warnings about suspicious but usable input (sign, norm, reliability)."""


def real_array(value, message: str, imag_tolerance: float | None = None):
    """``value`` as a float numpy array, or an :class:`InputError` with ``message`` for complex or non-numbers.

    With ``imag_tolerance``, a complex array whose imaginary part is at most
    that fraction of its largest real value (a real quantity stored in a
    complex dtype, as TRIQS does for G(tau)) is accepted as its real part.
    """
    import numpy as np

    try:
        arr = np.asarray(value)
        if np.iscomplexobj(arr):
            imag = float(np.max(np.abs(arr.imag), initial=0.0))
            scale = float(np.max(np.abs(arr.real), initial=0.0))
            if imag_tolerance is None or not imag <= imag_tolerance * scale:
                raise TypeError
            arr = arr.real
        return arr.astype(float)
    except (TypeError, ValueError):
        raise InputError(message) from None
