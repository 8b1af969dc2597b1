"""Atomic file writes: write a temporary file beside the target, then rename."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import InputError


def atomic_write(path: str | os.PathLike, write: Callable[[str], None], overwrite: bool = True) -> Path:
    """Call ``write(tmp_path)`` and move the result to ``path`` in one step.

    Parameters
    ----------
    path : path-like
        Final destination.
    write : callable
        Writes the whole file to the path it is given.
    overwrite : bool
        If False and ``path`` exists, raise :class:`InputError` and write nothing.

    Returns
    -------
    pathlib.Path
        The destination.
    """
    dest = Path(path)
    if dest.exists() and not overwrite:
        raise InputError(f"{dest} exists; pass --force (overwrite=True) to replace it")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=dest.suffix or ".tmp", dir=dest.parent)
    except OSError as exc:
        raise InputError(f"cannot write {dest} ({exc.strerror or exc}); choose another path") from None
    os.close(fd)
    try:
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file the usual permissions
        os.replace(tmp, dest)
    except BaseException as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError):  # disk full, quota, a folder that went away: nothing is left behind
            raise InputError(f"writing {dest} failed ({exc.strerror or exc}); nothing was written there") from None
        raise
    return dest
