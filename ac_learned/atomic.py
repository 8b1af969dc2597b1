"""Atomic file writes: write temporary files beside the targets, then rename them."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from .errors import InputError

Writer = Callable[[str], None]


def atomic_write(path: str | os.PathLike, write: Writer, overwrite: bool = True) -> Path:
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
    return atomic_write_all([(path, write)], overwrite)[0]


def atomic_write_all(items: Sequence[tuple[str | os.PathLike, Writer]], overwrite: bool = True) -> list[Path]:
    """Write several files as one set: all of them, or (on any error or interrupt) none.

    Every file is first written to a temporary file beside its destination; only
    when all are complete are they renamed into place.  An exception, Ctrl-C or
    a SIGTERM turned into an exception (the command line does that) while writing
    removes every temporary file and leaves the destinations as they were.

    Parameters
    ----------
    items : sequence of (path, write)
        Destinations and the callables that write each whole file to the path they are given.
    overwrite : bool
        If False and a destination exists, raise :class:`InputError` and write nothing.

    Returns
    -------
    list of pathlib.Path
        The destinations, in the order given.
    """
    dests = [Path(p) for p, _ in items]
    if not overwrite:
        for dest in dests:
            if dest.exists():
                raise InputError(f"{dest} exists; pass --force (overwrite=True) to replace it")
    umask = os.umask(0)
    os.umask(umask)
    temps: list[str] = []
    current = dests[0] if dests else None
    try:
        for dest, (_, write) in zip(dests, items):
            current = dest
            tmp = _temporary_beside(dest)
            temps.append(tmp)
            write(tmp)
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file the usual permissions
        for i, (tmp, dest) in enumerate(zip(temps, dests)):
            current = dest
            os.replace(tmp, dest)
            temps[i] = ""
    except BaseException as exc:
        for tmp in temps:
            if tmp and os.path.exists(tmp):
                os.unlink(tmp)
        if isinstance(exc, OSError):  # disk full, quota, a folder that went away: nothing is left behind
            raise InputError(f"writing {current} failed ({exc.strerror or exc}); nothing was written "
                             f"{'there' if len(dests) == 1 else 'of ' + ', '.join(map(str, dests))}") from None
        raise
    return dests


def _temporary_beside(dest: Path) -> str:
    """An empty temporary file in ``dest``'s folder (hidden, same suffix), its folder created if missing."""
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=dest.suffix or ".tmp", dir=dest.parent)
    except OSError as exc:
        raise InputError(f"cannot write {dest} ({exc.strerror or exc}); choose another path") from None
    os.close(fd)
    return tmp
