"""Shared helpers of the benchmarks: thread pinning, machine info, timing, Markdown output."""

from __future__ import annotations

import ctypes
import importlib.metadata
import json
import os
import platform
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

PIN_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_OPENBLAS_GETTERS = ("openblas_get_num_threads", "openblas_get_num_threads64_",
                     "scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads")


def blas_pinned() -> bool:
    """True when every BLAS/OpenMP thread variable is set to 1 in this process."""
    return all(os.environ.get(k) == "1" for k in PIN_VARS)


def pinned_environ() -> dict[str, str]:
    """A copy of ``os.environ`` with the BLAS/OpenMP thread variables set to 1."""
    return dict(os.environ, **{k: "1" for k in PIN_VARS})


def pin_torch() -> None:
    """One torch intra-op thread (and one inter-op thread when that can still be set); nothing without torch."""
    from .._torch import torch_available

    if not torch_available():
        return
    try:
        import torch
    except ImportError:
        return

    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # only settable before the first parallel work
        pass


def _openblas_threads() -> int | None:
    """Threads of the OpenBLAS loaded in this process (numpy's), read through ctypes."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "openblas" in line.lower() and "/" in line}
    except OSError:
        return None
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in _OPENBLAS_GETTERS:
            fn = getattr(lib, name, None)
            if fn is not None:
                return int(fn())
    return None


def blas_info() -> dict:
    """numpy's BLAS library and the number of threads it uses right now."""
    name = "unknown"
    try:
        name = np.show_config(mode="dicts")["Build Dependencies"]["blas"]["name"]
    except Exception:  # noqa: BLE001  (numpy < 1.25 or an unusual build)
        pass
    threads = None
    try:
        import threadpoolctl

        pools = [p for p in threadpoolctl.threadpool_info() if p.get("user_api") == "blas"]
        if pools:
            threads = int(pools[0]["num_threads"])
    except ImportError:
        threads = _openblas_threads()
    return {"library": name, "threads": threads}


def cpu_model() -> str:
    """CPU model name from /proc/cpuinfo (``platform.processor()`` elsewhere)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine_info() -> dict:
    """What the timings depend on: CPU, cores, load, library versions, thread settings.

    Without torch installed, ``torch`` is ``"not installed"`` and ``torch_threads`` and ``cuda`` are None.
    """
    from .._torch import torch_available
    from .._version import __version__

    torch = None
    if torch_available():
        try:
            import torch
        except ImportError:  # installed but broken: the benchmarks that need it say so themselves
            torch = None

    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    info = {
        "cpu": cpu_model(),
        "logical_cores": os.cpu_count(),
        "usable_cores": usable,
        "load_average": [round(v, 2) for v in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__ if torch is not None else "not installed",
        "ana_cont": _version("ana-cont"),
        "ac_learned": __version__,
        "blas": blas_info(),
        "torch_threads": torch.get_num_threads() if torch is not None else None,
        "env": {k: os.environ.get(k, "unset") for k in PIN_VARS},
        "cuda": torch.cuda.get_device_name(0) if torch is not None and torch.cuda.is_available() else None,
    }
    return info


def machine_markdown(info: dict) -> str:
    """Machine info as a Markdown bullet list."""
    blas = info["blas"]
    env = ", ".join(f"{k}={v}" for k, v in info["env"].items())
    lines = [
        f"- CPU: {info['cpu']}; {info['logical_cores']} logical cores ({info['usable_cores']} usable); "
        f"load average at start {info['load_average']}",
        f"- Python {info['python']}, numpy {info['numpy']} ({blas['library']}), torch {info['torch']}, "
        f"ana_cont {info['ana_cont']}, ac_learned {info['ac_learned']}",
        f"- threads: BLAS {blas['threads'] if blas['threads'] is not None else 'unknown'}, "
        f"torch {info['torch_threads'] if info['torch_threads'] is not None else 'n/a'}; {env}",
        f"- CUDA: {info['cuda'] or 'none'}",
    ]
    return "\n".join(lines)


def command_line(argv: Sequence[str]) -> str:
    """The command that reproduces a run."""
    return " ".join(["python -m ac_learned.bench", *argv])


def time_call(fn: Callable[[], object], repeats: int, min_time: float = 0.02) -> np.ndarray:
    """Seconds per call of ``fn``, one value per repeat.

    One warm-up call, then the number of calls per repeat is doubled until a
    repeat lasts at least ``min_time`` (as ``timeit.autorange``); each repeat's
    time is divided by that number.

    Parameters
    ----------
    fn : callable
        Called without arguments.
    repeats : int
        Number of timed repeats (at least 1).
    min_time : float
        Shortest repeat in seconds.

    Returns
    -------
    ndarray, shape (repeats,)
    """
    fn()
    number = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        elapsed = time.perf_counter() - t0
        if elapsed >= min_time or number >= 1 << 20:
            break
        number *= 2
    out = [elapsed / number]
    for _ in range(max(repeats, 1) - 1):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        out.append((time.perf_counter() - t0) / number)
    return np.asarray(out)


def fmt_seconds(t: float) -> str:
    """A duration with a readable unit (ns, µs, ms, s)."""
    if not np.isfinite(t):
        return "–"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if t >= scale:
            return f"{t / scale:.3g} {unit}"
    return f"{t / 1e-9:.3g} ns"


def fmt_ratio(r: float) -> str:
    """A speed-up such as ``1,234×`` or ``3.2×``."""
    return f"{r:,.0f}×" if r >= 100 else f"{r:.3g}×"


def md_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table from a header and rows of already formatted cells."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def write_report(out_dir: str | Path, name: str, title: str, command: str, info: dict, body: str,
                 raw: dict | None = None) -> Path:
    """Write ``out_dir/name.md`` (title, command, machine, body) and ``name.json`` with ``raw``.

    Returns
    -------
    Path
        The Markdown file.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    text = f"# {title}\n\nCommand: `{command}`\n\nMachine:\n\n{machine_markdown(info)}\n\n{body.rstrip()}\n"
    path = out / f"{name}.md"
    path.write_text(text)
    if raw is not None:
        payload = {"command": command, "machine": info, **raw}
        (out / f"{name}.json").write_text(json.dumps(payload, indent=1, default=_jsonable) + "\n")
    return path


def _jsonable(obj):
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return str(obj)


def savefig(fig, path: str | Path) -> Path:
    """Save a matplotlib figure (Agg) and close it."""
    import matplotlib.pyplot as plt

    path = Path(path)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path
