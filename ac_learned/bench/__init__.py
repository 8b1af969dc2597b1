"""Benchmarks that reproduce Huang & Yang's results beside MaxEnt and measure speed.

``python -m ac_learned.bench SUBBENCH [--quick] [--out DIR] [--n-tau N|2w]``

Sub-benchmarks (one module each):

``time``
    Paper Table VI: per-spectrum inference time of 6-/20-RLISTA, FCN-4 and
    CNN-FCN (numpy and torch on the CPU) beside ana_cont MaxEnt, FLOPs and the
    fraction of the measured single-thread GEMM peak (:mod:`.timing`).
``gpu``
    The same with torch on CUDA; writes "skipped" without a device (:mod:`.gpu`).
``fig2a``
    ISTA vs LISTA vs RLISTA on a sharp peak and a multi-peak spectrum (:mod:`.fig2a`).
``params``
    Paper Fig. 2b: RSE against the number of parameters for LISTA, RLISTA,
    FCN-2/3/4 and CNN-FCN trained on the paper set (:mod:`.param_efficiency`).
``robustness``
    Paper Fig. 4: networks trained on noiseless data under noise (:mod:`.robustness`).
``default``
    Paper Fig. 5: MaxEnt-flat vs RLISTA vs RLISTA+ (MaxEnt with the neural
    default model) on the paper set and the zoo's held-out sets (:mod:`.neural_default`).
``papertable``
    Issue 3's paper-set table: ISTA, LISTA and RLISTA (depths 4-40) at
    sigma in {0, 1e-5, 1e-4, 1e-3} on 10k spectra, beside MaxEnt and the
    networks' data fits on a 200-spectrum subset (:mod:`.paper_table`).
``reliability``
    The calibrated chi2 flag: false alarms in distribution, detection on unseen
    spectrum families and broken inputs (:mod:`.reliability`).

Each writes ``SUBBENCH.md`` (command, machine, tables), ``SUBBENCH.json`` (raw
numbers) and where natural ``SUBBENCH.png`` into ``--out`` (default
``docs/bench``).  Run through ``python -m`` the process re-executes itself
with one BLAS/OpenMP thread; :func:`main` called in-process (tests) does not,
and the machine info it writes says how many threads were used.
"""

from __future__ import annotations

import argparse
import importlib
import time
from pathlib import Path

from ..errors import InputError

SUBBENCHES = {"time": "timing", "gpu": "gpu", "fig2a": "fig2a", "params": "param_efficiency",
              "robustness": "robustness", "default": "neural_default", "reliability": "reliability",
              "papertable": "paper_table"}
DEFAULT_OUT = Path("docs/bench")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # bad CLI input is an InputError, not SystemExit
        raise InputError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser."""
    p = _Parser(prog="python -m ac_learned.bench", description=__doc__.split("\n")[0])
    p.add_argument("subbench", metavar="SUBBENCH", help=f"one of {', '.join(SUBBENCHES)}")
    p.add_argument("--quick", action="store_true", help="tiny sizes, 1-2 repeats (seconds; used by the tests)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    p.add_argument("--n-tau", default=None,
                   help="time/gpu: N_tau, an integer or '2w' for twice N_omega (default 200; 32 with --quick)")
    return p


def main(argv: list[str] | None = None, log=print) -> list[Path]:
    """Run one sub-benchmark; return the files written.

    Parameters
    ----------
    argv : list of str
        Command-line arguments without the program name.
    log : callable
        Where progress lines go.

    Raises
    ------
    InputError
        Unknown sub-benchmark or option, bad ``--n-tau``.
    """
    import sys

    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    if args.subbench not in SUBBENCHES:
        raise InputError(f"unknown sub-benchmark {args.subbench!r}; use one of {', '.join(SUBBENCHES)}")
    extra = {}
    if args.n_tau is not None:
        if args.subbench not in ("time", "gpu"):
            raise InputError("--n-tau applies to the 'time' and 'gpu' sub-benchmarks only")
        from .timing import parse_n_tau

        extra["n_tau"] = parse_n_tau(args.n_tau)
    from ._common import command_line, machine_info, machine_markdown

    info = machine_info()
    command = command_line(argv)
    log(f"command: {command}")
    log(machine_markdown(info))
    module = importlib.import_module(f".{SUBBENCHES[args.subbench]}", __name__)
    t0 = time.perf_counter()
    paths = module.run_bench(args.out, args.quick, command, info, log=log, **extra)
    log(f"{args.subbench}: {time.perf_counter() - t0:.1f} s; wrote " + ", ".join(str(p) for p in paths))
    return paths
