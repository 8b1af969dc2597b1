"""PyTorch is optional: inference runs on numpy, training and the torch backend need torch.

``pip install ac-learned`` installs no torch; ``pip install "ac-learned[torch]"``
adds it.  Every module that needs torch gets it through :func:`require_torch`,
which raises a :class:`~ac_learned.errors.BackendError` saying how to install
it instead of a bare ``ModuleNotFoundError``.
"""

from __future__ import annotations

import importlib.util

#: How to get torch, appended to every "needs PyTorch" error.
INSTALL_HINT = ('install it with: pip install "ac-learned[torch]" (for a CPU-only or a CUDA build of torch, '
                "take the command from PyTorch's own install selector)")


def torch_available() -> bool:
    """True when ``import torch`` can work (torch is installed), without importing it."""
    try:
        return importlib.util.find_spec("torch") is not None
    except (ImportError, ValueError):
        return False


def require_torch(purpose: str):
    """Import and return ``torch``, or raise a :class:`BackendError` that says how to install it.

    Parameters
    ----------
    purpose : str
        What needs torch, for the message, e.g. ``"training"`` or ``"backend='torch'"``.

    Returns
    -------
    module
        The ``torch`` module.

    Raises
    ------
    BackendError
        torch is not installed (or fails to import).
    """
    from .errors import BackendError

    try:
        import torch
    except ImportError as exc:
        if getattr(exc, "name", None) == "torch":
            raise BackendError(f"{purpose} needs PyTorch, which is not installed; {INSTALL_HINT}") from None
        raise BackendError(f"{purpose} needs PyTorch, but importing it failed ({exc}); {INSTALL_HINT}") from None
    return torch
