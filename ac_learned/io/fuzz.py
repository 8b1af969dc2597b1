"""Corrupt valid files and check that the readers only raise ac_learned errors.

Used by the test suite (driven by hypothesis) and runnable on its own for longer
campaigns on any seed files::

    python -m ac_learned.io.fuzz seed1.h5 seed2.dat --examples 100000 --seed 1

Each mutation is a pure function of a few integers, so a failing case can be
replayed from the report. Byte-level damage to HDF5 files can in principle
crash the HDF5 C library itself; the standalone runner therefore reports the
case before running it when ``--verbose`` is given.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import warnings
from collections.abc import Callable

import h5py
import numpy as np

from ..errors import ACLearnedError

#: Byte-level mutations (work on any file).
BYTE_OPS = ("truncate", "flip", "zero", "garbage")
#: HDF5-level mutations (need a valid HDF5 seed).
H5_OPS = (
    "delete",
    "rename",
    "del_attr",
    "attr_string",
    "attr_nan",
    "attr_negative",
    "reshape",
    "retype_int",
    "retype_float32",
    "to_string",
    "nan",
    "inf",
    "negate",
    "scale",
    "empty",
    "transpose",
)
OPS = BYTE_OPS + H5_OPS


def _nodes(f: h5py.File) -> list[str]:
    names: list[str] = []
    f.visit(names.append)
    return sorted(names)


def h5_names(data: bytes) -> tuple[list[str], list[tuple[str, str]]]:
    """Object names and (object, attribute) pairs of an HDF5 image."""
    with h5py.File(io.BytesIO(data), "r") as f:
        nodes = _nodes(f)
        attrs = [(n, a) for n in [""] + nodes for a in (f[n] if n else f).attrs.keys()]
    return nodes, attrs


def mutate_bytes(data: bytes, op: str, a: int, b: int) -> bytes:
    """Damage the raw bytes: truncate, flip bits, zero or randomise a range."""
    n = len(data)
    if n == 0:
        return data
    pos = a % n
    if op == "truncate":
        return data[:pos]
    buf = bytearray(data)
    if op == "flip":
        buf[pos] ^= 1 << (b % 8)
    elif op == "zero":
        end = min(n, pos + 1 + b % 64)
        buf[pos:end] = bytes(end - pos)
    elif op == "garbage":
        rng = np.random.default_rng(b)
        end = min(n, pos + 1 + b % 16)
        buf[pos:end] = rng.integers(0, 256, end - pos, dtype=np.uint8).tobytes()
    else:
        raise ValueError(f"unknown byte mutation {op!r}")
    return bytes(buf)


def _replace(parent: h5py.Group, key: str, value: np.ndarray | str, attrs: dict) -> None:
    del parent[key]
    ds = parent.create_dataset(key, data=value)
    for k, v in attrs.items():
        ds.attrs[k] = v


def _mutate_dataset(f: h5py.File, name: str, op: str, b: int) -> None:
    ds = f[name]
    if not isinstance(ds, h5py.Dataset):
        return
    attrs = dict(ds.attrs)
    parent, key = ds.parent, name.rsplit("/", 1)[-1]
    arr = np.asarray(ds[()])
    numeric = arr.dtype.kind in "biufc"
    if op == "to_string":
        _replace(parent, key, "not a number", {})
    elif op == "reshape":
        _replace(parent, key, np.resize(arr, (b % 7 + 1,) + arr.shape[1:]) if arr.ndim else np.zeros(b % 5), attrs)
    elif op == "transpose" and arr.ndim > 1:
        _replace(parent, key, np.ascontiguousarray(arr.T), attrs)
    elif op == "empty":
        _replace(parent, key, np.zeros((0,) + arr.shape[1:], dtype=arr.dtype) if arr.ndim else np.zeros(0), attrs)
    elif not numeric or arr.dtype.names:
        return
    elif op == "retype_int":
        _replace(parent, key, arr.real.astype(np.int64) if arr.dtype.kind == "c" else arr.astype(np.int64), attrs)
    elif op == "retype_float32":
        _replace(parent, key, arr.astype(np.complex64 if arr.dtype.kind == "c" else np.float32), attrs)
    else:
        out = arr.astype(np.result_type(arr.dtype, np.float64))
        flat = out.reshape(-1)
        if flat.size == 0:
            return
        if op == "nan":
            flat[b % flat.size] = np.nan
        elif op == "inf":
            flat[b % flat.size] = np.inf
        elif op == "negate":
            out = -out
        elif op == "scale":
            out = out * (10.0 ** (b % 9 - 4))
        ds[...] = out.astype(arr.dtype) if op in ("negate", "scale") and arr.dtype.kind in "iu" else out


def mutate_h5(data: bytes, op: str, a: int, b: int) -> bytes:
    """Apply one HDF5-level mutation to object/attribute number ``a``."""
    bio = io.BytesIO(data)
    with h5py.File(bio, "r+") as f:
        nodes = _nodes(f)
        if op in ("del_attr", "attr_string", "attr_nan", "attr_negative"):
            pairs = [(n, k) for n in [""] + nodes for k in (f[n] if n else f).attrs.keys()]
            if not pairs:
                return data
            node, key = pairs[a % len(pairs)]
            obj = f[node] if node else f
            if op == "del_attr":
                del obj.attrs[key]
            elif op == "attr_string":
                obj.attrs[key] = "garbage"
            elif op == "attr_nan":
                obj.attrs[key] = np.nan
            else:
                obj.attrs[key] = -abs(b) - 1
        elif nodes:
            name = nodes[a % len(nodes)]
            if op == "delete":
                del f[name]
            elif op == "rename":
                f.move(name, name + "_x")
            else:
                _mutate_dataset(f, name, op, b)
    return bio.getvalue()


def mutate(data: bytes, op: str, a: int, b: int) -> bytes:
    """Any mutation in :data:`OPS`; HDF5-level ones on non-HDF5 data fall back to bytes."""
    if op in BYTE_OPS:
        return mutate_bytes(data, op, a, b)
    if not data.startswith(b"\x89HDF"):
        return mutate_bytes(data, BYTE_OPS[a % len(BYTE_OPS)], a, b)
    return mutate_h5(data, op, a, b)


def check(path: str, load: Callable[[str], object]) -> str:
    """Call ``load(path)``; return "ok" or the ac_learned error class name.

    Any other exception propagates: that is a bug the fuzzer is looking for.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            load(path)
        except ACLearnedError as exc:
            return type(exc).__name__
    return "ok"


def run(seeds: list[str], examples: int, seed: int = 0, verbose: bool = False) -> dict[str, int]:
    """Fuzz ``load`` and ``inspect`` on mutants of ``seeds``; return outcome counts."""
    from .api import inspect, load

    rng = np.random.default_rng(seed)
    images = [open(p, "rb").read() for p in seeds]
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(examples):
            k = int(rng.integers(len(images)))
            op = OPS[int(rng.integers(len(OPS)))]
            a, b = int(rng.integers(1 << 30)), int(rng.integers(1 << 30))
            if verbose:
                print(f"{i}: seed={seeds[k]} op={op} a={a} b={b}", flush=True)
            target = os.path.join(tmp, os.path.basename(seeds[k]))
            with open(target, "wb") as fh:
                fh.write(mutate(images[k], op, a, b))
            try:
                outcome = check(target, lambda p: load(p, **_load_kwargs(p)))
                check(target, inspect)
            except Exception as exc:  # noqa: BLE001 - report, do not stop
                outcome = f"BUG {type(exc).__name__}"
                print(f"BUG in case {i}: seed={seeds[k]} op={op} a={a} b={b}: {exc!r}", file=sys.stderr)
            counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def _load_kwargs(path: str) -> dict:
    """Text seeds need beta; a fixed value keeps the runner generic."""
    return {} if path.endswith((".h5", ".hdf5")) else {"beta": 10.0}


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("seeds", nargs="+", help="valid input files to corrupt")
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    counts = run(args.seeds, args.examples, args.seed, args.verbose)
    for outcome, n in sorted(counts.items()):
        print(f"{outcome:24s} {n}")
    return 1 if any(k.startswith("BUG") for k in counts) else 0


if __name__ == "__main__":
    sys.exit(main())
