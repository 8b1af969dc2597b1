"""Atomic file writes: write temporary files beside the targets, then rename them."""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
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
            with _signals_held():  # an interrupt between creating the file and noting its name would leave it
                temps.append(_temporary_beside(dest))
            write(temps[-1])
            os.chmod(temps[-1], 0o666 & ~umask)  # mkstemp makes 0600; give the file the usual permissions
        with _signals_held():  # the renames: all of them, then an interrupt (if one came)
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


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM that arrive inside the block take effect when it is done (main thread only).

    Python handlers run in the main thread whichever thread the operating system hands a signal to, so the
    block swaps them for one that only notes the signal (masking with ``pthread_sigmask`` would not do: another
    thread, torch's or OpenMP's, receives the signal instead).  The noted signal is then given to the handler
    that was there before; a default SIGTERM is sent again to end the process as it would have.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    noted: list[int] = []
    held = (signal.SIGINT, signal.SIGTERM)
    before = {sig: signal.signal(sig, lambda signum, frame: noted.append(signum)) for sig in held}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
        if noted:
            handler = before[noted[0]]
            if callable(handler):
                handler(noted[0], None)
            elif handler == signal.SIG_DFL:
                os.kill(os.getpid(), noted[0])


def _temporary_beside(dest: Path) -> str:
    """An empty temporary file in ``dest``'s folder (hidden, same suffix), its folder created if missing."""
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=dest.suffix or ".tmp", dir=dest.parent)
    except OSError as exc:
        raise InputError(f"cannot write {dest} ({exc.strerror or exc}); choose another path") from None
    os.close(fd)
    return tmp
