"""Command line: ``ac-learned demo | train | models``."""

from __future__ import annotations

import argparse
import sys

from .errors import ACLearnedError


def _cmd_demo(args) -> int:
    from .demo import run_demo

    run_demo(plot=None if args.no_plot else args.plot, noise=args.noise, seed=args.seed)
    return 0


def _cmd_train(args) -> int:
    from .train import train

    train(args.config, out_dir=args.out, device=args.device, resume=not args.fresh, progress=not args.quiet)
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
    for c in list_cards():
        g = c["grid"]
        print(f"{c['name']:28s} {c['arch']['type']}-{c['arch'].get('depth', '')}  V = beta*Omega_max = "
              f"{g['v_max']:g}  grid x {g['n_x']} ({g['x_kind']}), nu {g['n_nu']} ({g['nu_kind']})"
              f"{'' if c.get('auto', True) else '  [not auto]'}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``ac-learned``."""
    p = argparse.ArgumentParser(prog="ac-learned", description="Learned optimizers for analytic continuation")
    sub = p.add_subparsers(dest="command", required=True)
    d = sub.add_parser("demo", help="continue an embedded example and plot it")
    d.add_argument("--plot", default="ac_learned_demo.png", help="PNG to write (default %(default)s)")
    d.add_argument("--no-plot", action="store_true")
    d.add_argument("--noise", type=float, default=1e-4)
    d.add_argument("--seed", type=int, default=0)
    d.set_defaults(func=_cmd_demo)
    t = sub.add_parser("train", help="train a network from a JSON config")
    t.add_argument("config")
    t.add_argument("--out", default=None, help="working folder (default runs/NAME)")
    t.add_argument("--device", default="cpu")
    t.add_argument("--fresh", action="store_true", help="ignore an existing checkpoint")
    t.add_argument("--quiet", action="store_true", help="no progress bars")
    t.set_defaults(func=_cmd_train)
    m = sub.add_parser("models", help="list the shipped models")
    m.add_argument("--markdown", metavar="FILE", help="write the models' card metrics as a Markdown page")
    m.set_defaults(func=_cmd_models)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``ac-learned`` command."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ACLearnedError as exc:
        print(f"ac-learned: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
