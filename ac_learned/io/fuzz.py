"""Corrupt valid files and check that the readers only raise ac_learned errors.

Used by the test suite (driven by hypothesis) and runnable on its own for longer
campaigns on any seed files::

    python -m ac_learned.io.fuzz run.h5::'{"block": "G_tau/up"}' g.dat::'{"beta": 10}' --examples 100000

Each mutation is a pure function of ``(op, a, b)``, so a reported case can be
replayed. Loads run in worker processes (:class:`Pool`) with a time limit: byte-level
damage can make the HDF5 C library itself hang (a zeroed global-heap object
length loops forever in HDF5 2.0) or crash, which no Python code can catch.
Such cases are reported as ``"hang"`` or ``"crash"`` outcomes, separately from
Python exceptions that escape the readers (``"BUG ..."``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import multiprocessing.connection
import os
import pickle
import sys
import tempfile
import time
import traceback
import warnings
from typing import Any

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
_ATTR_OPS = ("del_attr", "attr_string", "attr_nan", "attr_negative")


def mutate_bytes(data: bytes, op: str, a: int, b: int) -> bytes:
    """Damage the raw bytes: truncate, flip a bit, zero or randomise a range."""
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


def _replace(parent: h5py.Group, key: str, value: Any, attrs: dict) -> None:
    del parent[key]
    ds = parent.create_dataset(key, data=value)
    for k, v in attrs.items():
        ds.attrs[k] = v


def _mutate_dataset(ds: h5py.Dataset, op: str, b: int) -> None:
    attrs = dict(ds.attrs)
    parent, key = ds.parent, ds.name.rsplit("/", 1)[-1]
    arr = np.asarray(ds[()])
    if op == "to_string":
        _replace(parent, key, "not a number", {})
    elif op == "reshape":
        new = np.resize(arr, (b % 7 + 1,) + arr.shape[1:]) if arr.ndim else np.zeros(b % 5)
        _replace(parent, key, new, attrs)
    elif op == "transpose":
        if arr.ndim > 1:
            _replace(parent, key, np.ascontiguousarray(arr.T), attrs)
    elif op == "empty":
        new = np.zeros((0,) + arr.shape[1:], dtype=arr.dtype) if arr.ndim else np.zeros(0)
        _replace(parent, key, new, attrs)
    elif arr.dtype.kind not in "biufc" or arr.dtype.names:
        return
    elif op == "retype_int":
        _replace(parent, key, arr.real.astype(np.int64), attrs)
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
        _replace(parent, key, out, attrs)


def h5_inventory(data: bytes) -> tuple[list[str], list[tuple[str, str]]]:
    """Object names and (object, attribute) pairs of a valid HDF5 image."""
    with h5py.File.in_memory(data) as f:
        nodes: list[str] = []
        f.visit(nodes.append)
        nodes.sort()
        attrs = [(n, k) for n in [""] + nodes for k in sorted((f[n] if n else f).attrs.keys())]
    return nodes, attrs


def mutate_h5(data: bytes, op: str, a: int, b: int, inventory: tuple | None = None) -> bytes:
    """Apply one HDF5-level mutation to object (or attribute) number ``a``."""
    nodes, attrs = inventory if inventory is not None else h5_inventory(data)
    with h5py.File.in_memory(data) as f:
        if op in _ATTR_OPS:
            if not attrs:
                return data
            node, key = attrs[a % len(attrs)]
            obj = f[node] if node else f
            if op == "del_attr":
                del obj.attrs[key]
            elif op == "attr_string":
                obj.attrs[key] = "garbage"
            elif op == "attr_nan":
                obj.attrs[key] = np.nan
            else:
                obj.attrs[key] = -(b % 1000) - 1
        elif nodes:
            name = nodes[a % len(nodes)]
            if op == "delete":
                del f[name]
            elif op == "rename":
                f.move(name, name + "_x")
            elif isinstance(f[name], h5py.Dataset):
                _mutate_dataset(f[name], op, b)
        f.flush()
        return f.id.get_file_image()


def mutate(data: bytes, op: str, a: int, b: int, inventory: tuple | None = None) -> bytes:
    """Any mutation of :data:`OPS`; HDF5-level ones on non-HDF5 seeds damage bytes instead."""
    if op in BYTE_OPS:
        return mutate_bytes(data, op, a, b)
    if not data.startswith(b"\x89HDF"):
        return mutate_bytes(data, BYTE_OPS[a % len(BYTE_OPS)], a, b)
    return mutate_h5(data, op, a, b, inventory)


def check(path: str, kwargs: dict, with_inspect: bool = False) -> str:
    """Load (and inspect) ``path``: "ok", an ac_learned error name, or "BUG ..." with a traceback."""
    from .api import inspect, load

    outcome = "ok"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            load(path, **kwargs)
        except ACLearnedError as exc:
            outcome = type(exc).__name__
        except Exception:  # noqa: BLE001 - anything else is what the fuzzer looks for
            return "BUG in load: " + traceback.format_exc()
        if with_inspect:
            try:
                inspect(path)
            except ACLearnedError:
                pass
            except Exception:  # noqa: BLE001
                return "BUG in inspect: " + traceback.format_exc()
    return outcome


#: HDF5 edits whose result depends on ``b`` only through ``b % n`` (None: not at all).
_B_PERIOD = {"reshape": 7, "scale": 9, "attr_negative": 1000}
_B_FREE = ("delete", "rename", "del_attr", "attr_string", "attr_nan", "to_string", "transpose", "empty",
           "retype_int", "retype_float32", "negate")


def _edit_key(name: str, op: str, a: int, b: int, inventory: tuple | None) -> tuple | None:
    """A key equal for all (a, b) that give the same HDF5 edit of seed ``name``."""
    if inventory is None or (op not in _B_FREE and op not in _B_PERIOD):
        return None
    nodes, attrs = inventory
    items = attrs if op in _ATTR_OPS else nodes
    if not items:
        return None
    return (name, op, a % len(items), b % _B_PERIOD[op] if op in _B_PERIOD else 0)


def _serve(conn: Any, seeds: dict, folder: str) -> None:
    """Worker loop: mutate a seed, write it, check it, answer with the outcome.

    Different cases often produce the same damaged file (deleting object number
    ``a`` depends only on ``a`` modulo the number of objects): as loading is
    deterministic, outcomes are remembered by edit and by file content.
    """
    inventories: dict = {}
    outcomes: dict = {}
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        if request is None:
            return
        name, op, a, b, kwargs, with_inspect = request
        data, filename = seeds[name]
        if op in H5_OPS and data.startswith(b"\x89HDF") and name not in inventories:
            inventories[name] = h5_inventory(data)
        edit = _edit_key(name, op, a, b, inventories.get(name))
        edit = None if edit is None else (edit, with_inspect)
        if edit is not None and edit in outcomes:
            conn.send(outcomes[edit])
            continue
        try:
            mutant = mutate(data, op, a, b, inventories.get(name))
        except Exception:  # noqa: BLE001 - a mutation that h5py refuses is skipped
            conn.send("skipped")
            continue
        key = (hashlib.sha1(mutant).hexdigest(), filename, repr(sorted(kwargs.items())), with_inspect)
        if key not in outcomes:
            path = os.path.join(folder, filename)
            with open(path, "wb") as fh:
                fh.write(mutant)
            outcomes[key] = check(path, kwargs, with_inspect)
        if edit is not None:
            outcomes[edit] = outcomes[key]
        conn.send(outcomes[key])


class Pool:
    """Worker processes that check mutants in parallel, with a time limit per case.

    A worker that exceeds the limit (an HDF5 library hang) or dies (a crash) is
    replaced; its case is reported as ``"hang"`` or ``"crash ..."``.

    Parameters
    ----------
    seeds : dict
        ``name -> (file bytes, file name)``; the file name keeps the extension.
    workers : int
        Number of worker processes.
    timeout : float
        Seconds one check may take before it counts as a hang.
    """

    def __init__(self, seeds: dict[str, tuple[bytes, str]], workers: int = 2, timeout: float = 30.0) -> None:
        self.seeds = seeds
        self.timeout = timeout
        self._tmp = tempfile.TemporaryDirectory(prefix="ac_learned_fuzz_")
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        self._mp = multiprocessing.get_context(method)
        self._slots: list[dict] = [self._start(i) for i in range(max(1, workers))]

    def _start(self, i: int) -> dict:
        folder = os.path.join(self._tmp.name, str(i))
        os.makedirs(folder, exist_ok=True)
        conn, child = self._mp.Pipe()
        proc = self._mp.Process(target=_serve, args=(child, self.seeds, folder), daemon=True)
        proc.start()
        child.close()
        return {"i": i, "conn": conn, "proc": proc, "case": None, "deadline": 0.0}

    def _restart(self, slot: dict) -> None:
        slot["proc"].kill()
        slot["proc"].join()
        slot["conn"].close()
        self._slots[self._slots.index(slot)] = self._start(slot["i"])

    def _collect(self, block: bool) -> list[tuple[tuple, str]]:
        """Results of finished cases; with ``block``, wait for at least one."""
        done: list[tuple[tuple, str]] = []
        while True:
            busy = [s for s in self._slots if s["case"] is not None]
            if not busy:
                return done
            wait = max(0.0, min(s["deadline"] for s in busy) - time.monotonic()) if block and not done else 0.0
            ready = multiprocessing.connection.wait([s["conn"] for s in busy], timeout=wait)
            now = time.monotonic()
            for slot in busy:
                if slot["conn"] in ready:
                    try:
                        outcome = slot["conn"].recv()
                    except (EOFError, OSError):
                        outcome = f"crash (exit code {slot['proc'].exitcode})"
                        done.append((slot["case"], outcome))
                        self._restart(slot)
                        continue
                    done.append((slot["case"], outcome))
                    slot["case"] = None
                elif now >= slot["deadline"]:
                    done.append((slot["case"], "hang"))
                    self._restart(slot)
            if done or not block:
                return done

    def submit(self, case: tuple) -> list[tuple[tuple, str]]:
        """Queue ``(name, op, a, b, kwargs, with_inspect)``; return cases finished meanwhile."""
        done: list[tuple[tuple, str]] = []
        while not any(s["case"] is None for s in self._slots):
            done += self._collect(block=True)
        slot = next(s for s in self._slots if s["case"] is None)
        try:
            slot["conn"].send(case)
        except (OSError, pickle.PickleError):
            done.append((case, "crash (worker gone)"))
            self._restart(slot)
            return done
        slot["case"], slot["deadline"] = case, time.monotonic() + self.timeout
        return done + self._collect(block=False)

    def drain(self) -> list[tuple[tuple, str]]:
        """Wait for every queued case."""
        done: list[tuple[tuple, str]] = []
        while any(s["case"] is not None for s in self._slots):
            done += self._collect(block=True)
        return done

    def close(self) -> None:
        """Stop the workers and remove their files."""
        for slot in self._slots:
            try:
                slot["conn"].send(None)
            except OSError:
                pass
            slot["proc"].join(timeout=5)
            if slot["proc"].is_alive():
                slot["proc"].kill()
        self._tmp.cleanup()


def run(seeds: list[str], examples: int, seed: int = 0, workers: int = 2) -> dict[str, int]:
    """Fuzz ``load``/``inspect`` on mutants of ``seeds``; return outcome counts.

    Each seed is ``PATH`` or ``PATH::JSON`` with the keyword arguments of
    :func:`ac_learned.io.load` for it, e.g. ``'g.dat::{"beta": 10}'``.
    """
    specs = {}
    for spec in seeds:
        path, _, extra = spec.partition("::")
        specs[spec] = (path, json.loads(extra) if extra else {})
    images = {spec: (open(path, "rb").read(), os.path.basename(path)) for spec, (path, _) in specs.items()}
    rng = np.random.default_rng(seed)
    counts: dict[str, int] = {}
    pool = Pool(images, workers=workers)

    def record(results: list[tuple[tuple, str]]) -> None:
        for case, outcome in results:
            if outcome.startswith(("BUG", "hang", "crash")):
                name, op, a, b = case[:4]
                print(f"seed={name} op={op} a={a} b={b}: {outcome}", file=sys.stderr)
                outcome = outcome.split(":")[0]
            counts[outcome] = counts.get(outcome, 0) + 1

    try:
        for i in range(examples):
            name = seeds[int(rng.integers(len(seeds)))]
            op = OPS[int(rng.integers(len(OPS)))]
            a, b = int(rng.integers(1 << 30)), int(rng.integers(1 << 30))
            record(pool.submit((name, op, a, b, specs[name][1], i % 8 == 0)))
        record(pool.drain())
    finally:
        pool.close()
    return counts


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; exit status 1 when a Python exception escaped."""
    parser = argparse.ArgumentParser(description="Fuzz ac_learned.io.load with corrupted copies of seed files.")
    parser.add_argument("seeds", nargs="+", help='valid files to corrupt: PATH or PATH::{"block": ..., "beta": ...}')
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    counts = run(args.seeds, args.examples, args.seed, args.workers)
    for outcome, n in sorted(counts.items()):
        print(f"{outcome:24s} {n}")
    return 1 if any(k.startswith("BUG") for k in counts) else 0


if __name__ == "__main__":
    sys.exit(main())
