"""numpy >= 2.4 for ana_cont only: a module-namespace numpy proxy with ``trapz``.

ana_cont 1.1.2's MaxEnt calls ``np.trapz``, which numpy 2.4 removed.  The modules
listed in :data:`TRAPZ_MODULES` get their own proxy of numpy that adds
``trapz = numpy.trapezoid``; numpy itself is never modified.

The proxy's ``linalg`` also refuses non-finite matrices in ``pinv``, ``svd``,
``inv`` and ``solve`` with a ``LinAlgError``.  When a Newton step of ana_cont's
MaxEnt diverges (seen at sigma = 1e-5 on sharp spectra), its Jacobian holds inf
or NaN and OpenBLAS's SVD on it never returns: the run hangs forever, beyond
the reach of Python signals.  ana_cont already handles ``LinAlgError`` there
(zero step), and goes on with the next alpha.
"""

from __future__ import annotations

import importlib
import logging
import types

import numpy

_LOG = logging.getLogger("ac_learned.ana_cont")


#: ana_cont modules that call ``np.trapz`` (checked against the installed sources by the tests).
TRAPZ_MODULES = ("ana_cont.solvers",)


_GUARDED = ("pinv", "svd", "inv", "solve")


class _ModuleView(types.ModuleType):
    """A module seen through a proxy: attributes not set on the proxy are looked up on the target (and cached)."""

    def __init__(self, target: types.ModuleType):
        super().__init__(target.__name__, target.__doc__)
        self._target = target

    def __getattr__(self, name: str):
        value = getattr(self._target, name)
        setattr(self, name, value)
        return value


class FiniteLinalg(_ModuleView):
    """``numpy.linalg`` whose :data:`_GUARDED` functions raise ``LinAlgError`` on inf/NaN input."""

    def __init__(self, target: types.ModuleType):
        super().__init__(target)
        for name in _GUARDED:
            setattr(self, name, self._guard(getattr(target, name), name))

    @staticmethod
    def _guard(fn, name: str):
        def guarded(a, *args, **kwargs):
            if not numpy.all(numpy.isfinite(a)):
                raise numpy.linalg.LinAlgError(
                    f"ac_learned: non-finite matrix passed to numpy.linalg.{name} inside ana_cont "
                    "(a diverged Newton step); refused instead of hanging in LAPACK")
            return fn(a, *args, **kwargs)

        guarded.__name__ = name
        return guarded


class NumpyWithTrapz(_ModuleView):
    """numpy seen through a module proxy that adds ``trapz = numpy.trapezoid``.

    Every other attribute is looked up on numpy (and cached); numpy itself is
    not modified, so ``numpy.trapz`` stays absent for everyone else.
    """

    def __init__(self, target: types.ModuleType):
        super().__init__(target)
        self.trapz = target.trapezoid
        self.linalg = FiniteLinalg(target.linalg)

    def __dir__(self) -> list[str]:
        return sorted(set(dir(self._target)) | {"trapz"})


_compat: dict = {"owner": None, "modules": [], "logged": False}


def numpy_compat_needed() -> bool:
    """True when the installed numpy lacks ``trapz``."""
    return not hasattr(numpy, "trapz")


def numpy_compat_installed() -> bool:
    """Whether ana_cont's modules currently see the numpy proxy."""
    return any(isinstance(getattr(importlib.import_module(m), "np", None), NumpyWithTrapz) for m in TRAPZ_MODULES)


def compat_owner() -> str | None:
    """Who installed the proxy (``"register"``, ``"subclass"``) or None."""
    return _compat["owner"]


def install_numpy_compat(owner: str) -> None:
    """Give each module in :data:`TRAPZ_MODULES` a numpy proxy with ``trapz`` (if numpy lacks it)."""
    if not numpy_compat_needed() or numpy_compat_installed():
        return
    installed = []
    for name in TRAPZ_MODULES:
        mod = importlib.import_module(name)
        if getattr(mod, "np", None) is numpy:
            mod.np = NumpyWithTrapz(numpy)
            installed.append(name)
    if installed:
        _compat.update(owner=owner, modules=installed)
        if not _compat["logged"]:
            _LOG.info("numpy %s has no trapz, which ana_cont's MaxEnt calls: %s now see a numpy proxy with "
                      "trapz = numpy.trapezoid (numpy itself is unchanged)", numpy.__version__, ", ".join(installed))
            _compat["logged"] = True


def remove_numpy_compat() -> None:
    """Give the modules back the real numpy."""
    for name in _compat["modules"]:
        mod = importlib.import_module(name)
        if isinstance(getattr(mod, "np", None), NumpyWithTrapz):
            mod.np = numpy
    _compat.update(owner=None, modules=[])
