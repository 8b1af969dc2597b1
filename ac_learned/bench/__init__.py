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
    The paper-set table: ISTA, LISTA and RLISTA (depths 4-40) at
    sigma in {0, 1e-5, 1e-4, 1e-3} on 10k spectra, beside MaxEnt and the
    networks' data fits on a 200-spectrum subset (:mod:`.paper_table`).
``reliability``
    The calibrated chi2 flag: false alarms in distribution, detection on unseen
    spectrum families and broken inputs (:mod:`.reliability`).

The measurements behind ``solve``'s defaults:

``broadening``
    The fit's default model for precise data (a broadened share of the
    network's spectrum) against other defaults, and ``solve`` beside
    MaxEnt-flat on random physical spectra (:mod:`.broadening`).
``averaging``
    The fit started from two windows' average against the served network
    alone (``model="auto"``, :mod:`.averaging`).
``noiseband``
    Why ``model="auto"`` serves the all-noise models, not the low-noise bands
    (:mod:`.noiseband`).
``narrowwindow``
    ``solve`` and MaxEnt-flat on windows of a few temperatures, behind the
    narrow-window warning (:mod:`.narrowwindow`).
``errorscale``
    The fitted chi2/N with correct and too large error bars, behind the
    "error bars look too large" warning (:mod:`.errorscale`).
``srvo3``
    The SrVO3 DFT+DMFT data beside MaxEnt (the file is not shipped; ``--data``,
    :mod:`.srvo3`).

A sub-benchmark with options of its own lists them under
``ac-learned bench NAME --help``.

``time``, ``gpu``, ``fig2a``, ``params``, ``robustness`` and ``papertable``
train or time torch networks and need ``pip install "ac-learned[torch]"``
(:data:`NEEDS_TORCH`); the others run without torch.

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
              "papertable": "paper_table", "broadening": "broadening", "averaging": "averaging",
              "noiseband": "noiseband", "narrowwindow": "narrowwindow", "errorscale": "errorscale",
              "srvo3": "srvo3"}
#: Sub-benchmarks that train or time torch networks: they need the ``[torch]`` extra.
NEEDS_TORCH = ("time", "gpu", "fig2a", "params", "robustness", "papertable")
DEFAULT_OUT = Path("docs/bench")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # bad CLI input is an InputError, not SystemExit
        raise InputError(f"{self.prog}: {message}")


def build_parser(subbench: str | None = None) -> tuple[argparse.ArgumentParser, list[str]]:
    """The command-line parser, with the options of ``subbench`` when it has its own.

    Returns
    -------
    parser, names
        The parser and the destinations of the sub-benchmark's own options
        (passed to its ``run_bench`` as keywords).
    """
    p = _Parser(prog="python -m ac_learned.bench", description=__doc__.split("\n")[0])
    p.add_argument("subbench", metavar="SUBBENCH", help=f"one of {', '.join(SUBBENCHES)}")
    p.add_argument("--quick", action="store_true", help="tiny sizes, 1-2 repeats (seconds; used by the tests)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    p.add_argument("--n-tau", default=None,
                   help="time/gpu: N_tau, an integer or '2w' for twice N_omega (default 200; 32 with --quick)")
    names: list[str] = []
    if subbench in SUBBENCHES:
        module = importlib.import_module(f".{SUBBENCHES[subbench]}", __name__)
        if hasattr(module, "add_options"):
            group = p.add_argument_group(f"options of {subbench}")
            module.add_options(group)
            names = [a.dest for a in group._group_actions]
    return p, names


def _subbench_of(argv: list[str]) -> str | None:
    """The sub-benchmark named on a command line (its first word that is not an option)."""
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("subbench", nargs="?")
    pre.add_argument("--out")
    pre.add_argument("--n-tau")
    known, _ = pre.parse_known_args(argv)
    return known.subbench


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
    BackendError
        The sub-benchmark is one of :data:`NEEDS_TORCH` and torch is not installed.
    """
    import sys

    argv = list(sys.argv[1:] if argv is None else argv)
    parser, own = build_parser(_subbench_of(argv))
    args = parser.parse_args(argv)
    if args.subbench not in SUBBENCHES:
        raise InputError(f"unknown sub-benchmark {args.subbench!r}; use one of {', '.join(SUBBENCHES)}")
    extra = {name: getattr(args, name) for name in own}
    if args.n_tau is not None:
        if args.subbench not in ("time", "gpu"):
            raise InputError("--n-tau applies to the 'time' and 'gpu' sub-benchmarks only")
        from .timing import parse_n_tau

        extra["n_tau"] = parse_n_tau(args.n_tau)
    if args.subbench in NEEDS_TORCH:
        from .._torch import require_torch

        require_torch(f"the {args.subbench!r} benchmark")
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
