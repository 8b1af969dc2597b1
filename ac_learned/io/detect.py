"""Find out which code wrote a file, most specific layout first."""

from __future__ import annotations

import os
from types import ModuleType

import h5py

from ..errors import FileFormatError, InputError
from . import _h5util as h5u
from . import alf, alps, alps_maxent, alps_segment, smoqy, text, triqs, w2dynamics

#: Readers in sniffing order: the most specific layout first.
READERS: tuple[ModuleType, ...] = (w2dynamics, smoqy, alf, alps, alps_segment, alps_maxent, triqs)


def check_path(path: str | os.PathLike) -> str:
    """Return ``path`` as str after checking that it is a non-empty readable file."""
    try:
        path = os.fspath(path)
    except TypeError:
        raise InputError(f"path must be a file path, got {type(path).__name__}") from None
    if not isinstance(path, str):
        path = os.fsdecode(path)
    if not os.path.exists(path):
        raise FileFormatError(f"{path}: no such file")
    if not os.path.isfile(path):
        raise FileFormatError(f"{path}: not a regular file")
    if os.path.getsize(path) == 0:
        raise FileFormatError(f"{path}: empty file (0 bytes)")
    return path


def sniff_h5(f: h5py.File, path: str, cache: dict | None = None) -> ModuleType:
    """The reader for an open HDF5 file (``cache`` keeps what the sniffers scanned)."""
    for reader in READERS:
        with h5u.guard(path, f"the layout ({reader.NAME})", f):
            if reader.sniff(f, cache):
                return reader
    names = ", ".join(m.NAME for m in READERS)
    raise FileFormatError(
        f"{path}: HDF5 file without a recognised Green's function layout (known: {names})"
    )


def detect_format(path: str | os.PathLike) -> str:
    """Name of the format of ``path``: "triqs", "w2dynamics", ..., or "text".

    Raises
    ------
    FileFormatError
        Empty, unreadable, truncated, or of no known layout.
    """
    path = check_path(path)
    if not h5u.is_hdf5(path):
        return text.NAME
    with h5u.open_h5(path) as f:
        return sniff_h5(f, path).NAME
