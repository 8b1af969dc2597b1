"""ac_learned: learned optimizers (RLISTA) for analytic continuation.

Conventions are stated once, in :mod:`ac_learned.conventions`.

>>> import ac_learned
>>> res = ac_learned.solve(tau, g, beta=10.0, omega=omega, err=1e-4)  # doctest: +SKIP
"""

from ._version import __version__
from .errors import (
    ACLearnedError,
    ACLearnedWarning,
    BackendError,
    ChecksumError,
    FileFormatError,
    InputError,
    ModelError,
)
from .solve import ContinuationResult, neural_default_model, solve

__all__ = [
    "__version__",
    "solve",
    "neural_default_model",
    "ContinuationResult",
    "ACLearnedError",
    "ACLearnedWarning",
    "BackendError",
    "ChecksumError",
    "FileFormatError",
    "InputError",
    "ModelError",
]
