"""Readers for QMC Green's functions: TRIQS, w2dynamics, ALPS, ALF, SmoQyDQMC, text.

>>> from ac_learned import io
>>> print(io.inspect("run.h5"))                      # doctest: +SKIP
>>> g = io.load("run.h5", block="G_tau/up", orbital=0)  # doctest: +SKIP

Every reader returns a :class:`GreenData` in the standard sign G(tau) <= 0
(:mod:`ac_learned.conventions`); ``meta["sign_in_file"]`` records the file's.
"""

from ._base import Candidate
from ._select import squeeze
from .api import inspect, list_candidates, load
from .data import GreenData
from .detect import detect_format
from .text import write_text

__all__ = ["GreenData", "Candidate", "load", "inspect", "list_candidates", "detect_format", "write_text",
           "squeeze"]
