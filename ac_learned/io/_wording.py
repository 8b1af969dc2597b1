"""Name options in messages the way the caller gives them: ``block='up'`` in Python, ``--block up`` in a shell.

The loaders and :mod:`ac_learned.pipeline` word their advice with :func:`option`
and :func:`pass_hint`; ``ac-learned`` runs its commands inside
:func:`command_line_wording`, so the same error reads right in both places.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

_CLI = contextvars.ContextVar("ac_learned_cli_wording", default=False)

#: Python keyword -> command-line option (``None``: no such option).
CLI_OPTIONS: dict[str, str | None] = {
    "block": "--block", "orbital": "--orbital", "spin": "--spin", "k": "--k", "iteration": "--iteration",
    "beta": "--beta", "grid": "--tau-grid", "model": "--model", "err": "--err", "out_h5": "--out",
    "plot": "--plot", "force": "--force", "kind": None, "drop_bad_errors": None,
}


@contextlib.contextmanager
def command_line_wording() -> Iterator[None]:
    """Inside this block, messages name command-line options (``--block``) instead of keywords."""
    token = _CLI.set(True)
    try:
        yield
    finally:
        _CLI.reset(token)


def on_command_line() -> bool:
    """Whether messages are being worded for ``ac-learned``."""
    return _CLI.get()


def _cli_value(value: Any) -> str:
    if isinstance(value, (tuple, list)):
        return ",".join(str(v) for v in value)
    return str(value)


def _metavar(placeholder: str) -> str:
    """``<name>`` -> ``NAME``, ``<pair index>`` -> ``PAIR_INDEX``; ``<file.h5>`` -> ``file.h5``."""
    text = placeholder.strip("<>")
    return text.upper().replace(" ", "_") if text.replace(" ", "").isalpha() else text


def option(name: str, value: Any = None, *, placeholder: str | None = None) -> str:
    """``name=value`` (Python) or ``--name value`` (command line).

    Parameters
    ----------
    name : str
        The keyword of :func:`ac_learned.io.load` or :func:`ac_learned.pipeline.continue_file`.
    value : optional
        A value to show (``repr`` in Python, plain on the command line).
    placeholder : str, optional
        Shown instead of a value, e.g. ``"<name>"``.
    """
    flag = CLI_OPTIONS.get(name, "--" + name.replace("_", "-"))
    if on_command_line() and flag is not None:
        if placeholder is not None:
            return f"{flag} {_metavar(placeholder)}"
        return flag if value is None or value is True else f"{flag} {_cli_value(value)}"
    if placeholder is not None:
        return f"{name}={placeholder}"
    return f"{name}=" if value is None else f"{name}={value!r}"


def pass_hint(name: str, placeholder: str = "...") -> str:
    """``pass beta=... to load()`` (Python) or ``pass --beta BETA`` (command line)."""
    if on_command_line() and CLI_OPTIONS.get(name, "") is not None:
        return f"pass {option(name, placeholder='<' + name + '>')}"
    return f"pass {name}={placeholder} to load()"
