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
    SolverError,
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
    "SolverError",
    "continue_file",
    "continue_data",
]


def __getattr__(name: str):
    """``continue_file`` and ``continue_data`` (file -> spectrum) load h5py only when first used."""
    if name in ("continue_file", "continue_data"):
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'ac_learned' has no attribute {name!r}")
