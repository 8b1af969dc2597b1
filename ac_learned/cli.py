"""Command line: ``ac-learned continue | inspect | demo | train | models``."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import sys
import threading

from .errors import ACLearnedError, InputError

#: Python-API phrases in messages from outside ac_learned.io (model choice, solve) and their command-line form.
_CLI_PHRASES = (
    (re.compile(r"widen omega \(model='auto' then takes a wider window\)"),
     "raise --omega-max (with --model auto a wider window is then taken)"),
    (re.compile(r"widen omega to see it"), "raise --omega-max to see it"),
    (re.compile(r"model='auto' with a wider omega"), "--model auto with a larger --omega-max"),
    (re.compile(r"\(res\.norm is the total\)"), "(the total is the fitted norm, attribute norm of an --out file)"),
    (re.compile(r"with fit_data the spectrum"), "fitted, the spectrum"),
    (re.compile(r"compare with method 'rlista\+'"), "compare with --method rlista+"),
    (re.compile(r"\bbroadened_share=0\b"), "--default-broadening 0"),
    (re.compile(r"\bdevice='cpu' or 'cuda\[:N\]'"), "--device cpu or cuda[:N]"),
    (re.compile(r"\bdevice='cpu'"), "--device cpu"),
    (re.compile(r"\bmodel='([^']*)'"), r"--model \1"),
    (re.compile(r"\bpass --force \(overwrite=True\)"), "pass --force"),
)


def _cmd_demo(args) -> int:
    from .demo import run_demo

    run_demo(plot=None if args.no_plot else args.plot, noise=args.noise, seed=args.seed)
    return 0


def _tau_grid(text: str | None):
    """``--tau-grid``: a text file with one tau point per line, else a grid name checked by the loader."""
    if text is None or not os.path.isfile(text):
        return text  # "uniform", "centres", or a bad name the loader explains
    import numpy as np

    try:
        points = np.loadtxt(text, ndmin=1)
    except (OSError, ValueError) as exc:
        raise InputError(f"--tau-grid {text}: not a readable column of numbers ({exc})") from None
    if points.ndim != 1:
        raise InputError(f"--tau-grid {text}: expected one tau point per line, found {points.shape[1]} columns")
    return points


def _cmd_continue(args) -> int:
    from .pipeline import continue_file

    selectors = {k: v for k, v in {"block": args.block, "orbital": args.orbital, "spin": args.spin, "k": args.k,
                                   "iteration": args.iteration, "beta": args.beta,
                                   "grid": _tau_grid(args.tau_grid)}.items() if v is not None}
    continue_file(args.file, out_h5=args.out, plot=args.plot, force=args.force, selectors=selectors,
                  log=lambda text: print(cli_message(text)),
                  method=args.method, omega_max=args.omega_max, n_omega=args.n_omega, model=args.model,
                  err=args.err, n_draws=args.draws, backend=args.backend, device=args.device,
                  default_broadening=args.default_broadening)
    return 0


def _cmd_inspect(args) -> int:
    from .io import inspect

    print(inspect(args.file))
    return 0


def _share_or_auto(text: str) -> float | str:
    """``--default-broadening``: ``auto`` or a number in [0, 1]."""
    if text == "auto":
        return text
    try:
        share = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected 'auto' or a number in [0, 1], got {text!r}") from None
    if not 0.0 <= share <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {text}")
    return share


def _positive_number(text: str) -> float:
    """A finite number > 0 (``--omega-max``, ``--beta``, ``--err``); argparse names the option in its message."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not (value > 0 and value < float("inf")):
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text}")
    return value


def _int_or_pair(text: str):
    parts = [int(p) for p in text.split(",")]
    return parts[0] if len(parts) == 1 else tuple(parts)


def _cmd_train(args) -> int:
    from .train import train

    try:
        train(args.config, out_dir=args.out, device=args.device, resume=not args.fresh, progress=not args.quiet)
    except KeyboardInterrupt:
        print("\ninterrupted: the last checkpoint is kept in the run's folder; the same command resumes from it "
              "(--fresh starts over)", file=sys.stderr)
        return 130
    return 0


def _cmd_models(args) -> int:
    from .zoo import list_cards

    if args.markdown:
        from .atomic import atomic_write
        from .report import models_markdown

        text = models_markdown(list_cards())
        atomic_write(args.markdown, lambda p: open(p, "w").write(text))
        print(f"wrote {args.markdown}")
        return 0
    if args.cards:
        from .cards import load_model

        for path in args.cards:
            model = load_model(path)  # checks the weights against the card's sha256
            print(_card_line(model.card))
            _print_card_details(model.card)
        return 0
    for c in list_cards():
        print(_card_line(c))
    return 0


def _card_line(c: dict) -> str:
    g = c["grid"]
    return (f"{c['name']:28s} {c['arch']['type']}-{c['arch'].get('depth', '')}  V = beta*Omega_max = "
            f"{g['v_max']:g}  grid x {g['n_x']} ({g['x_kind']}), nu {g['n_nu']} ({g['nu_kind']})"
            f"{'' if c.get('auto', True) else '  [not auto]'}")


def _print_card_details(c: dict) -> None:
    """What a card of one's own holds: noise, prior, training, held-out metrics; the weights were verified."""
    noise, tr = c.get("noise", {}), c.get("training", {})
    print(f"  weights verified (sha256 {str(c.get('sha256', ''))[:12]}...); trained at commit {c.get('git_commit')}, "
          f"{tr.get('seconds')} s, config hash {tr.get('config_hash')}")
    print(f"  noise sigma {noise.get('sigma_min')} ... {noise.get('sigma_max')} (relative to G(0)+G(beta)); "
          f"prior {c.get('prior')}")
    for row in c.get("metrics", {}).get("per_sigma", []):
        print(f"  held-out sigma {row['sigma']:g}: mean RSE {row['rse_mean']:.4g}, mean Err {row['err_mean']:.4g}")


def _cmd_bench(args) -> int:
    """Run a sub-benchmark in a fresh process with one BLAS/OpenMP thread (``python -m ac_learned.bench``)."""
    import subprocess

    from .bench._common import pinned_environ

    return subprocess.call([sys.executable, "-m", "ac_learned.bench", *args.bench_args], env=pinned_environ())


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``ac-learned``."""
    p = argparse.ArgumentParser(prog="ac-learned", description="Learned optimizers for analytic continuation")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("continue", help="continue a QMC file: spectrum with error band, HDF5 + text + PNG")
    c.add_argument("file")
    c.add_argument("--block", help="which Green's function (see `ac-learned inspect FILE`)")
    c.add_argument("--orbital", type=_int_or_pair, help="orbital index i or pair i,j")
    c.add_argument("--spin", help="spin index or up/down")
    c.add_argument("--k", type=_int_or_pair, help="momentum index (flat, or comma-separated)")
    c.add_argument("--iteration", help="w2dynamics iteration (default: last)")
    c.add_argument("--beta", type=_positive_number, help="inverse temperature, for files that do not store it")
    c.add_argument("--tau-grid", metavar="GRID",
                   help="tau points of ALPS MaxEnt input without TAU_i: 'uniform' (N points from 0 to beta, both "
                        "ends; the default, as in ALPS MaxEnt), 'centres' (bin centres (i + 1/2) beta / N), or a "
                        "text file with one tau per line")
    c.add_argument("--method", default="rlista", choices=["rlista", "rlista+", "maxent"],
                   help="network alone, MaxEnt with the network's default model, or MaxEnt with a flat one")
    c.add_argument("--model", default="auto", help="model name or card path (default: chosen by beta*omega_max)")
    c.add_argument("--default-broadening", default="auto", type=_share_or_auto, metavar="SHARE",
                   help="rlista+ only: share in [0, 1] of the network's spectrum broadened in its MaxEnt default "
                        "model, or 'auto' (the default: 0.7 for errors <= 1e-4 of G(0)+G(beta), none above 3e-4); "
                        "0 is the paper's raw network default")
    c.add_argument("--omega-max", type=_positive_number, default=None,
                   help="window [-W, W] (default min(10, V_max/beta), V_max of --model or of the widest shipped model)")
    c.add_argument("--n-omega", type=int, default=401)
    c.add_argument("--err", type=_positive_number, default=None,
                   help="absolute error bar, overriding the file's (which may then be missing or NaN)")
    c.add_argument("--draws", type=int, default=None,
                   help="noise draws for the band without bins (default 200 for rlista, 20 for MaxEnt methods; "
                        "for MaxEnt methods also the groups bins are averaged into); 1: no band")
    c.add_argument("--backend", default="auto", choices=["auto", "numpy", "torch"])
    c.add_argument("--device", default="cpu")
    c.add_argument("--out", help="HDF5 output (a .dat text table is written beside it); without --out and "
                                 "--plot nothing is written. Its folder must exist")
    c.add_argument("--plot", help="PNG output")
    c.add_argument("--force", action="store_true", help="overwrite existing outputs (never the input file)")
    c.set_defaults(func=_cmd_continue)
    i = sub.add_parser("inspect", help="list the Green's functions a file holds")
    i.add_argument("file")
    i.set_defaults(func=_cmd_inspect)
    d = sub.add_parser("demo", help="continue an embedded example and plot it")
    d.add_argument("--plot", default="ac_learned_demo.png", help="PNG to write (default %(default)s)")
    d.add_argument("--no-plot", action="store_true")
    d.add_argument("--noise", type=float, default=1e-4)
    d.add_argument("--seed", type=int, default=0)
    d.set_defaults(func=_cmd_demo)
    t = sub.add_parser(
        "train", help="train a network from a JSON config",
        description="Train a network from a JSON config (sections name, arch, grid, prior, noise, data, train, "
                    "eval; every key and its default: docs/training.md, 'Config keys'). The run checkpoints "
                    "into --out after every epoch; re-running the same command resumes, and a finished run is "
                    "not redone. A folder holding another config's checkpoint or model is refused unless "
                    "--fresh is given.")
    t.add_argument("config", help="the JSON config file (e.g. configs/zoo-v100.json)")
    t.add_argument("--out", default=None, help="working folder: checkpoint.pt, NAME.npz, NAME.json "
                                               "(default runs/NAME)")
    t.add_argument("--device", default="cpu", help="cpu or cuda[:N] (default cpu); under torchrun each rank "
                                                   "takes its local GPU")
    t.add_argument("--fresh", action="store_true", help="start over: ignore and replace a checkpoint or a model "
                                                        "of the same name in --out")
    t.add_argument("--quiet", action="store_true", help="no progress bars")
    t.set_defaults(func=_cmd_train)
    m = sub.add_parser("models", help="list the shipped models, or check and describe model cards of one's own")
    m.add_argument("cards", nargs="*", metavar="CARD", help="model card JSON files (e.g. runs/NAME/NAME.json) to "
                                                            "verify against their weights and describe")
    m.add_argument("--markdown", metavar="FILE", help="write the models' card metrics as a Markdown page")
    m.set_defaults(func=_cmd_models)
    b = sub.add_parser("bench", add_help=False,
                       help="benchmarks beside MaxEnt: time, gpu, fig2a, params, robustness, default, reliability, "
                            "papertable; behind solve's defaults: broadening, averaging, noiseband, narrowwindow, "
                            "errorscale, srvo3 (`ac-learned bench --help`)")
    b.add_argument("bench_args", nargs=argparse.REMAINDER)
    b.set_defaults(func=_cmd_bench)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``ac-learned`` command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["bench"]:  # everything after "bench" (--help included) belongs to the bench parser
        return _cmd_bench(argparse.Namespace(bench_args=argv[1:]))
    args = build_parser().parse_args(argv)
    from .io._wording import command_line_wording

    try:
        with command_line_wording(), _sigterm_as_interrupt():
            return args.func(args)
    except ACLearnedError as exc:
        print(f"ac-learned: error: {cli_message(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nac-learned: interrupted; files being written were removed, none is left half-written (continue "
              "writes its outputs together at the end: all of them or none)", file=sys.stderr)
        return 130


@contextlib.contextmanager
def _sigterm_as_interrupt():
    """SIGTERM (a batch queue's time limit, ``kill``) raises KeyboardInterrupt, so that temporary files are removed.

    Without it the process ends at once and leaves the hidden temporary files of an atomic write behind.
    Only in the main thread (signal handlers cannot be set elsewhere).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def cli_message(text: str) -> str:
    """An error message with the Python-API phrases of modules outside ``ac_learned.io`` in command-line form."""
    for pattern, repl in _CLI_PHRASES:
        text = pattern.sub(repl, text)
    return text


if __name__ == "__main__":
    sys.exit(main())
