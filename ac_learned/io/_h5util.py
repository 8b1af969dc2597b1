"""Shared HDF5 helpers: opening, strings, numbers, complex data and error wrapping.

Every reader goes through these functions so that a damaged or unexpected file
gives a :class:`~ac_learned.errors.FileFormatError` naming the file and what was
being read, never a bare ``KeyError`` or ``OSError`` from deep inside h5py.
"""

from __future__ import annotations

import contextlib
import errno
import os
import weakref
from collections.abc import Iterator
from typing import Any

import h5py
import numpy as np

from ..errors import ACLearnedError, FileFormatError

#: Largest dataset (in bytes) a reader loads; a corrupt shape cannot exhaust memory.
MAX_READ_BYTES = 1 << 30

#: Largest attribute (in bytes) a reader loads.
MAX_ATTR_BYTES = 1 << 24

#: Exceptions that h5py and numpy raise on damaged or unexpected content.
_WRAPPED = (
    OSError,
    LookupError,
    TypeError,
    ValueError,
    ArithmeticError,
    AttributeError,
    RuntimeError,
    MemoryError,
    BufferError,
    EOFError,
)

_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"

#: Words of HDF5 error messages that mean damaged bytes (a structure that does not parse), not an unusual layout.
_DAMAGE_WORDS = (
    "signature", "checksum", "truncated", "addr overflow", "address overflow", "bad object header",
    "symbol table", "local heap", "global heap", "fractal heap", "b-tree", "btree", "corrupt", "eof",
    "temporary file space", "unable to decode", "bad version", "wrong version", "bad flag", "invalid address",
)

#: What to do about a damaged file.
DAMAGE_ADVICE = ("copy the file again from where the run wrote it, and check that the run finished (a run killed "
                 "while writing, a full disk or an interrupted copy leaves a file like this)")


def looks_damaged(exc: BaseException) -> bool:
    """Whether an h5py exception reports damaged bytes (bad signature, checksum, truncation...)."""
    return isinstance(exc, (OSError, RuntimeError, KeyError, ValueError)) and any(
        word in str(exc).lower() for word in _DAMAGE_WORDS)


def damaged_at(f: h5py.File, limit: int = 100_000) -> str | None:
    """The first group (or object) of ``f`` that cannot be listed or opened, breadth first; None if none is found.

    Only hard links are followed (a dangling soft or external link is no damage); at most ``limit`` objects.
    """
    todo, seen = ["/"], 0
    while todo and seen < limit:
        name = todo.pop(0)
        try:
            group = f[name]
            keys = list(group.keys())
        except (*_WRAPPED, KeyError):
            return name
        for key in keys:
            child = f"{name.rstrip('/')}/{key}"
            seen += 1
            try:
                if group.id.links.get_info(key.encode()).type != h5py.h5l.TYPE_HARD:
                    continue
                oid = h5py.h5o.open(group.id, key.encode())
                kind = h5py.h5i.get_type(oid)
            except (*_WRAPPED, KeyError):
                return child
            if kind == h5py.h5i.GROUP:
                todo.append(child)
    return None


def damage_error(path: str, what: str, exc: BaseException, h5: h5py.File | None = None) -> FileFormatError:
    """The error for a file whose bytes do not parse, naming the damaged group when it can be found."""
    where = None
    if h5 is not None:
        try:
            where = damaged_at(h5)
        except (*_WRAPPED, KeyError):
            where = None
    at = f" at {where}" if where else ""
    return FileFormatError(
        f"{path}: the file looks damaged (truncated or corrupted){at}: HDF5 cannot read {what} ({exc}); "
        f"{DAMAGE_ADVICE}"
    )


@contextlib.contextmanager
def guard(path: str, what: str, h5: h5py.File | None = None) -> Iterator[None]:
    """Turn any h5py/numpy failure inside the block into a FileFormatError.

    :class:`~ac_learned.errors.ACLearnedError` subclasses pass through unchanged. A failure
    that reports damaged bytes says so, naming the damaged group when ``h5`` (the open file) is given.
    """
    try:
        yield
    except ACLearnedError:
        raise
    except _WRAPPED as exc:
        if looks_damaged(exc):
            raise damage_error(path, what, exc, h5) from exc
        raise FileFormatError(
            f"{path}: cannot read {what}: {type(exc).__name__}: {exc}".rstrip(": ")
        ) from exc


def is_hdf5(path: str) -> bool:
    """Tell whether ``path`` starts with the HDF5 signature (user blocks allowed)."""
    with open(path, "rb") as fh:
        offset = 0
        size = os.fstat(fh.fileno()).st_size
        while offset < size:
            fh.seek(offset)
            if fh.read(8) == _HDF5_SIGNATURE:
                return True
            offset = 512 if offset == 0 else offset * 2
    return False


def _is_lock_error(exc: BaseException) -> bool:
    """Whether opening failed because another process holds the file's HDF5 lock."""
    text = str(exc).lower()
    return (getattr(exc, "errno", None) in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES) and "lock" in text) or (
        "unable to lock file" in text or "file locking" in text)


def _locked_message(path: str, exc: BaseException) -> str:
    return (f"{path}: the file is locked by another process (a QMC run still writing it, or a notebook or viewer "
            "that has it open) and HDF5 refuses to open it: close it there (or wait for the run to finish), or set "
            f"the environment variable HDF5_USE_FILE_LOCKING=FALSE for read-only access ({exc})")


def open_h5(path: str) -> h5py.File:
    """Open an HDF5 file read-only with a clear error when it is unreadable.

    A file locked by another process is opened again without the lock (HDF5 >= 1.12.1, h5py ``locking=False``)
    with a warning that it may be incomplete; where that is not possible the error says how to go on.
    """
    try:
        return h5py.File(path, "r")
    except ACLearnedError:
        raise
    except _WRAPPED as exc:
        if _is_lock_error(exc):
            return _open_unlocked(path, exc)
        raise FileFormatError(
            f"{path}: HDF5 file is truncated or corrupt and cannot be opened ({exc}); {DAMAGE_ADVICE}"
        ) from exc


#: Files :func:`open_h5` opened without HDF5's lock because another process held it.
_UNLOCKED: weakref.WeakSet = weakref.WeakSet()


def _open_unlocked(path: str, locked: BaseException) -> h5py.File:
    """Open a file another process holds without HDF5's lock; or raise the locked-file error."""
    try:
        f = h5py.File(path, "r", locking=False)
    except (*_WRAPPED, KeyError) as exc:  # h5py < 3.5 or HDF5 < 1.12.1 (no locking=), or the file is unreadable
        raise FileFormatError(_locked_message(path, locked)) from exc
    _UNLOCKED.add(f)
    return f


def unlocked_note(f: h5py.File | None, path: str) -> str | None:
    """What to tell about a file :func:`open_h5` read without the lock another process holds; None otherwise."""
    if f is None or f not in _UNLOCKED:
        return None
    return (f"{path}: the file is held open by another process (HDF5 file lock); it was read without the "
            "lock. If that process is still writing it (a QMC run), the data may be incomplete: read it again once "
            "the run has finished, or close the file there")


def decode(value: Any) -> str:
    """Return a str from a str, bytes, numpy string or one-element array."""
    if isinstance(value, np.ndarray):
        if value.size != 1:
            raise FileFormatError(f"expected one string, found an array of shape {value.shape}")
        value = value.reshape(-1)[0]
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).decode("utf-8", errors="replace").rstrip("\x00").strip()
    if isinstance(value, str):
        return value.strip()
    return str(value).strip()


def get(group: Any, name: str) -> Any | None:
    """Return ``group[name]`` or None when it is absent or a dangling link.

    Absence is checked link by link with the low-level API first: opening
    objects through h5py is an order of magnitude slower, and readers probe
    many optional members.
    """
    if not isinstance(group, h5py.Group):
        return None
    try:
        if name.startswith("/"):
            group = group.file
        links = group.id.links
        parts = [p for p in name.split("/") if p]
        for i in range(1, len(parts) + 1):
            if not links.exists("/".join(parts[:i]).encode()):
                return None
        oid = h5py.h5o.open(group.id, name.encode())
        kind = h5py.h5i.get_type(oid)
    except (KeyError, OSError, ValueError, RuntimeError, TypeError, UnicodeError):
        return None
    if kind == h5py.h5i.GROUP:
        return h5py.Group(oid)
    if kind == h5py.h5i.DATASET:
        return h5py.Dataset(oid)
    return None


def require(group: Any, name: str, path: str) -> Any:
    """Return ``group[name]`` or raise a FileFormatError naming what is missing."""
    obj = get(group, name)
    if obj is None:
        where = name if name.startswith("/") else f"{getattr(group, 'name', '?').rstrip('/')}/{name}"
        raise FileFormatError(f"{path}: {where} is missing")
    return obj


def attr(obj: Any, name: str) -> Any | None:
    """Return attribute ``name`` of an HDF5 object, or None (also when unreadable).

    The declared size is checked first: a damaged attribute can claim a huge shape.
    """
    try:
        attrs = obj.attrs
        if not h5py.h5a.exists(obj.id, name.encode()):
            return None
        aid = h5py.h5a.open(obj.id, name.encode())
        shape = aid.shape or ()
        nbytes = float(np.prod(shape, dtype=np.float64)) * max(aid.dtype.itemsize, 1)
    except (KeyError, OSError, TypeError, ValueError, RuntimeError, AttributeError):
        return None
    if nbytes > MAX_ATTR_BYTES:
        raise FileFormatError(
            f"attribute {name} of {getattr(obj, 'name', '?')} declares {nbytes:.0f} bytes; "
            "the file is probably damaged"
        )
    try:
        return attrs[name]
    except (KeyError, OSError, TypeError, ValueError, RuntimeError, AttributeError):
        return None


def require_attr(obj: Any, name: str, path: str) -> Any:
    """Return attribute ``name`` or raise a FileFormatError naming what is missing."""
    value = attr(obj, name)
    if value is None:
        raise FileFormatError(f"{path}: attribute {name} of {getattr(obj, 'name', '/')} is missing")
    return value


def attr_str(obj: Any, name: str) -> str | None:
    """Return a string attribute (bytes, fixed or variable length) or None."""
    value = attr(obj, name)
    if value is None:
        return None
    try:
        return decode(value)
    except FileFormatError:
        return None


def _value_of(obj: Any, path: str, what: str) -> Any:
    """Read a dataset (checking its size) or pass an attribute value through."""
    if isinstance(obj, h5py.Dataset):
        check_size(obj, path, what)
        return obj[()]
    if isinstance(obj, h5py.Group):
        raise FileFormatError(f"{path}: {what} is a group where a value was expected")
    return obj


def scalar(obj: Any, path: str, what: str) -> float:
    """Read one real number from a dataset or attribute value (strings allowed)."""
    value = _value_of(obj, path, what)
    if isinstance(value, (bytes, str, np.bytes_, np.str_)):
        text = decode(value)
        try:
            return float(text)
        except ValueError:
            raise FileFormatError(f"{path}: {what} should be a number, found {text!r}") from None
    arr = np.asarray(value)
    if arr.dtype.kind in "SUO" and arr.size == 1:
        return scalar(arr.reshape(-1)[0], path, what)
    if arr.size != 1 or arr.dtype.kind not in "biuf":
        raise FileFormatError(
            f"{path}: {what} should be one number, found dtype {arr.dtype} shape {arr.shape}"
        )
    return float(arr.reshape(-1)[0])


def integer(obj: Any, path: str, what: str) -> int:
    """Read one non-negative integer from a dataset or attribute value."""
    value = scalar(obj, path, what)
    if not np.isfinite(value) or value != int(value) or value < 0 or value > 2**40:
        raise FileFormatError(f"{path}: {what} should be a non-negative integer, found {value}")
    return int(value)


def string(obj: Any, path: str, what: str) -> str:
    """Read a string from a dataset or attribute value."""
    value = _value_of(obj, path, what)
    try:
        return decode(value)
    except FileFormatError as exc:
        raise FileFormatError(f"{path}: {what}: {exc}") from None


def check_size(ds: h5py.Dataset, path: str, what: str) -> None:
    """Refuse datasets whose declared size exceeds :data:`MAX_READ_BYTES`."""
    nbytes = int(np.prod(ds.shape, dtype=np.float64) * ds.dtype.itemsize) if ds.shape else 8
    if nbytes > MAX_READ_BYTES:
        raise FileFormatError(
            f"{path}: {what} ({ds.name}) declares {nbytes} bytes, more than the "
            f"{MAX_READ_BYTES} a reader loads; the file is probably damaged"
        )


def dataset(obj: Any, path: str, what: str) -> h5py.Dataset:
    """Check that ``obj`` is a dataset."""
    if not isinstance(obj, h5py.Dataset):
        raise FileFormatError(f"{path}: {what} should be a dataset")
    return obj


def _complex_fields(dtype: np.dtype) -> tuple[str, str] | None:
    """Names of the (real, imaginary) fields of a compound complex dtype."""
    if dtype.names is None or len(dtype.names) != 2:
        return None
    lower = {n.lower(): n for n in dtype.names}
    for re_name, im_name in (("r", "i"), ("re", "im"), ("real", "imag"), ("real", "imaginary")):
        if re_name in lower and im_name in lower:
            return lower[re_name], lower[im_name]
    return None


def numeric(ds: Any, path: str, what: str) -> np.ndarray:
    """Read a dataset as float64 or complex128, whatever the complex storage.

    Complex numbers may be native, a compound ``{r, i}`` (HDF5.jl), or a trailing
    axis of length 2 flagged by the attribute ``__complex__`` (TRIQS, ALPSCore).
    Real data come back as float64.
    """
    ds = dataset(ds, path, what)
    check_size(ds, path, what)
    raw = np.asarray(ds[()])
    fields = _complex_fields(raw.dtype)
    if fields is not None:
        re_part = np.asarray(raw[fields[0]])
        im_part = np.asarray(raw[fields[1]])
        if re_part.dtype.kind not in "biuf" or im_part.dtype.kind not in "biuf":
            raise FileFormatError(f"{path}: {what} ({ds.name}) has non-numeric complex fields")
        return re_part.astype(np.float64) + 1j * im_part.astype(np.float64)
    if raw.dtype.kind == "c":
        return raw.astype(np.complex128)
    if raw.dtype.kind not in "biuf":
        raise FileFormatError(
            f"{path}: {what} ({ds.name}) should hold numbers, found dtype {raw.dtype}"
        )
    flag = attr(ds, "__complex__")
    if flag is not None and _truthy(flag):
        if raw.ndim == 0 or raw.shape[-1] != 2:
            raise FileFormatError(
                f"{path}: {what} ({ds.name}) is flagged __complex__ but its last axis "
                f"has length {raw.shape[-1] if raw.ndim else 0}, not 2"
            )
        return raw[..., 0].astype(np.float64) + 1j * raw[..., 1].astype(np.float64)
    return raw.astype(np.float64)


def real(ds: Any, path: str, what: str) -> np.ndarray:
    """Read a dataset of real numbers as float64 (complex data are refused)."""
    arr = numeric(ds, path, what)
    if np.iscomplexobj(arr):
        raise FileFormatError(f"{path}: {what} should be real, found complex numbers")
    return arr


def _truthy(flag: Any) -> bool:
    """Interpret a flag attribute stored as int, bool or string."""
    try:
        text = decode(flag).lower()
    except FileFormatError:
        return False
    return text not in ("", "0", "false", "no")


def strings(obj: Any, path: str, what: str) -> list[str]:
    """Read an array of strings from a dataset or attribute value."""
    arr = np.asarray(_value_of(obj, path, what))
    if arr.dtype.kind not in "SUO":
        raise FileFormatError(f"{path}: {what} should be strings, found dtype {arr.dtype}")
    return [decode(v) for v in arr.reshape(-1)]
