"""Progress bars on a terminal only: redirected output (batch jobs, ``nohup``, logs) gets no bar.

A tqdm bar redraws itself with carriage returns; written into a file it leaves
a line full of ``\\r`` per update.  :func:`progress_bar` shows the bar only when
standard error is a terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable


def on_terminal(stream) -> bool:
    """True when ``stream`` is an interactive terminal (False for files, pipes and streams without ``isatty``)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # no isatty, or a closed stream
        return False


def progress_bar(iterable: Iterable, desc: str, leave: bool = False) -> Iterable:
    """``iterable`` wrapped in a tqdm bar on standard error, drawn only when standard error is a terminal.

    Parameters
    ----------
    iterable : iterable
        What to iterate over.
    desc : str
        Label in front of the bar.
    leave : bool
        Keep the finished bar on screen.

    Returns
    -------
    iterable
        A tqdm object (disabled off a terminal: it then only iterates).
    """
    from tqdm import tqdm

    stream = sys.stderr
    return tqdm(iterable, desc=desc, leave=leave, file=stream, disable=not on_terminal(stream))
