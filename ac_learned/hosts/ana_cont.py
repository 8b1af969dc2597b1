"""ana_cont plugin: ``method="rlista"``, ``method="rlista+"`` and ``model="rlista"``.

ana_cont 1.1.2 has no plugin registry (``AnalyticContinuationProblem.solve`` is
an if/elif over ``'maxent_svd'`` and ``'pade'``), so two ways in are offered:

* :class:`AnalyticContinuationProblem`, a drop-in subclass with the same
  constructor whose ``solve`` understands the new methods and hands every other
  call to ana_cont unchanged;
* :func:`register` / :func:`unregister`, which put a dispatching ``solve`` on
  ana_cont's own class (for existing scripts) and restore the original function
  object afterwards.  Nothing is registered at import.

New methods and options (everything else goes to ana_cont untouched):

``method="rlista"``
    The learned optimizer; ``kernel_mode`` ``"time_fermionic"`` or
    ``"freq_fermionic"`` (Matsubara data are mapped to ``G(tau)`` by
    :mod:`ac_learned.matsubara`).  Needs ``stdev`` or ``cov``.  Returns
    ``(OptimizationResult, [OptimizationResult])`` like ``maxent_svd``.
``method="maxent_svd", model="rlista"``
    MaxEnt with the network's spectrum as default model.
``method="rlista+"``
    Shorthand for ``maxent_svd`` + ``alpha_determination="chi2kink"`` + ``model="rlista"``.

Extra keywords: ``rlista_model`` (``"auto"``, a shipped name or a card path),
``backend``, ``device`` and, for the default model, ``flat_weight`` and ``floor``.

numpy >= 2.4 removed ``np.trapz``, which ana_cont's MaxEnt calls.  The plugin
gives ``ana_cont.solvers`` its own module-namespace proxy of numpy with
``trapz = numpy.trapezoid`` (numpy itself is not changed); :func:`register`
and the subclass install it, :func:`unregister` removes it if register did.
"""

from __future__ import annotations

import functools
import logging
import warnings as _warnings

import numpy

try:
    from ana_cont import continuation as _continuation
    from ana_cont import solvers as _solvers
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "the ana_cont plugin needs ana_cont 1.1.2; its sdist needs Cython and numpy at build time: "
        "pip install Cython setuptools wheel && pip install --no-build-isolation ana-cont==1.1.2"
    ) from exc

from ..cards import load_model
from ..conventions import detect_sign
from ..diagnostics import FIT_NOTE_ABOVE, OUTSIDE_GRID_PHRASE, mark_biased_tail
from ..errors import ACLearnedWarning, InputError, ModelError, SolverError
from ..grids import trapezoid_weights
from ..io._base import check_user_beta
from ..kernels import fermionic_kernel, fermionic_matsubara_kernel
from ..matsubara import MATSUBARA_CAP, MatsubaraToTau, frequencies_to_use, matsubara_beta, matsubara_to_tau
from ..matsubara_fit import MatsubaraData, reach
from ..matsubara_fit import backtransform as matsubara_backtransform
from ..solve import (
    ContinuationResult,
    check_default_mix,
    checked_grid,
    default_broadened_share,
    default_model_from_spectrum,
    density_with_broadened_share,
    relative_noise_estimate,
    solve,
)
from ..zoo import auto_x_grid, list_cards, resolve
from ._numpy_compat import (  # noqa: F401  (re-exported for the tests and users)
    TRAPZ_MODULES,
    NumpyWithTrapz,
    compat_owner,
    install_numpy_compat,
    numpy_compat_installed,
    remove_numpy_compat,
)

__all__ = [
    "AnalyticContinuationProblem",
    "register",
    "unregister",
    "is_registered",
    "solve_rlista",
    "neural_default",
    "SUPPORTED_KERNEL_MODES",
    "NEW_METHODS",
    "DEFAULT_FLAT_WEIGHT",
    "DEFAULT_BROADENED_SHARE",
]

_LOG = logging.getLogger("ac_learned.ana_cont")

#: Kernel modes the networks serve (diagonal fermionic Green's functions).
SUPPORTED_KERNEL_MODES = ("time_fermionic", "freq_fermionic")
#: Methods added to ana_cont's ``solve``.
NEW_METHODS = ("rlista", "rlista+")
#: Share of a flat model mixed into the neural default model (measured in docs/ana_cont.md).
DEFAULT_FLAT_WEIGHT = 0.05
#: Floor of the neural default model, relative to its maximum.
DEFAULT_FLOOR = 1e-4
#: Share of the network's spectrum broadened in beta * omega in the neural default model (a number or "auto":
#: the fit's share for the data's noise, 0.7 for precise data, none above 3e-4; docs/accuracy.md).
DEFAULT_BROADENED_SHARE: float | str = "auto"

BROADENED_NOTE_START = "neural default model: "
MAXENT_MISSES_DATA = (
    "MaxEnt with the neural default misses the data: chi2/N = {chi2:.3g} (> {limit:g}) at the alpha chi2kink "
    "chose; the error bars are likely too small (correlated bins, too few samples), or re_axis does not cover "
    "the spectrum, or G is not a diagonal fermionic Green's function; reliable is False"
)
_OWN_KWARGS = ("rlista_model", "backend", "device", "flat_weight", "floor", "broadened_share")
# keywords of ana_cont's MaxEnt that mean nothing to rlista (accepted so a script
# can switch methods by one word; listed in the result's warnings when they matter)
_MAXENT_KWARGS = frozenset({
    "model", "offdiag", "preblur", "blur_width", "optimizer", "alpha_determination", "alpha_start",
    "alpha_end", "alpha_div", "fit_position", "interactive", "alphastart", "alphadiv", "ustart",
    "iterfac", "use_bayes", "alpha",
})
_RLISTA_KWARGS = frozenset({"stdev", "cov", "verbose", *_OWN_KWARGS})


# --------------------------------------------------------------------------------------------
# registration
# --------------------------------------------------------------------------------------------

_HOST = _continuation.AnalyticContinuationProblem
_registry: dict = {"original": None}


def is_registered() -> bool:
    """Whether :func:`register` is in effect on ana_cont's ``AnalyticContinuationProblem``."""
    return getattr(_HOST.__dict__.get("solve"), "__ac_learned_plugin__", False)


def _original_solve():
    """ana_cont's own ``solve`` function, whether or not the plugin is registered."""
    return _registry["original"] if is_registered() else _HOST.__dict__["solve"]


def register() -> bool:
    """Make ana_cont's own ``AnalyticContinuationProblem.solve`` understand the new methods.

    Idempotent.  Also installs the numpy proxy of ``ana_cont.solvers`` when
    numpy has no ``trapz``.  Existing methods are handed to ana_cont unchanged.

    Returns
    -------
    bool
        True if this call registered the plugin, False if it already was.
    """
    if is_registered():
        return False
    original = _HOST.__dict__["solve"]

    @functools.wraps(original)
    def solve(self, method="", **kwargs):
        return _dispatch(self, original, method, kwargs)

    solve.__ac_learned_plugin__ = True
    solve.__doc__ = (original.__doc__ or "") + (
        "\n        ac_learned plugin: also method='rlista', method='rlista+' and model='rlista' "
        "(see ac_learned.ana_cont).\n")
    _registry["original"] = original
    _HOST.solve = solve
    install_numpy_compat("register")
    _LOG.info("ac_learned: ana_cont's AnalyticContinuationProblem.solve now accepts %s", NEW_METHODS)
    return True


def unregister() -> bool:
    """Restore ana_cont's original ``solve`` (the same function object) and, if register installed it,
    remove the numpy proxy.

    Returns
    -------
    bool
        True if the plugin was registered, False if there was nothing to undo.
    """
    if not is_registered():
        return False
    _HOST.solve = _registry["original"]
    _registry["original"] = None
    if compat_owner() == "register":
        remove_numpy_compat()
    return True


#: The kernel modes ana_cont 1.1.2's constructor accepts.
KERNEL_MODES = ("freq_fermionic", "freq_bosonic", "time_fermionic", "time_bosonic", "freq_fermionic_phsym",
                "time_fermionic_phsym")


def _checked_problem_args(im_axis, re_axis, im_data, kernel_mode, beta) -> tuple:
    """The constructor's arguments as ana_cont needs them (arrays), or an InputError saying what is wrong.

    ana_cont itself answers a list with ``AttributeError: 'list' object has no attribute 'imag'`` and a time
    kernel without beta with ``TypeError`` from a division; lists and tuples are taken as arrays here.
    """
    if kernel_mode not in KERNEL_MODES:
        raise InputError(f"kernel_mode must be one of {list(KERNEL_MODES)}, got {kernel_mode!r}")
    arrays = []
    for name, value in (("im_axis", im_axis), ("re_axis", re_axis), ("im_data", im_data)):
        if value is None:
            raise InputError(f"AnalyticContinuationProblem needs {name}")
        arr = numpy.asarray(value)
        if arr.dtype.kind not in "biufc" or arr.ndim == 0 or arr.size == 0:
            raise InputError(f"{name} must be a non-empty array of numbers, got {type(value).__name__} "
                             f"with dtype {arr.dtype} and shape {arr.shape}")
        arrays.append(arr)
    im_axis, re_axis, im_data = arrays
    if im_axis.ndim != 1 or re_axis.ndim != 1:
        raise InputError(f"im_axis and re_axis must be 1-D, got shapes {im_axis.shape} and {re_axis.shape}")
    if numpy.iscomplexobj(re_axis):
        raise InputError("re_axis must be real (the real frequencies)")
    if im_data.shape[-1] != im_axis.size:
        raise InputError(f"im_data has {im_data.shape[-1]} points on its last axis, im_axis {im_axis.size}")
    if kernel_mode.startswith("time"):
        if beta is None:
            raise InputError(f"kernel_mode={kernel_mode!r} needs beta= (the inverse temperature)")
        beta = check_user_beta(beta)
    return im_axis, re_axis.astype(float), im_data, beta


class AnalyticContinuationProblem(_HOST):
    """Drop-in subclass of ana_cont's ``AnalyticContinuationProblem`` with the ac_learned methods.

    Same constructor as ana_cont's; the physical axes and ``beta`` are kept as
    given (ana_cont stores ``tau / beta`` and ``omega * beta`` for time kernels).
    ``solve(method=...)`` accepts ``"rlista"`` and ``"rlista+"`` and
    ``model="rlista"`` inside ``"maxent_svd"``; every other call goes to ana_cont.
    """

    def __init__(self, im_axis=None, re_axis=None, im_data=None, kernel_mode=None, beta=None):
        im_axis, re_axis, im_data, beta = _checked_problem_args(im_axis, re_axis, im_data, kernel_mode, beta)
        super().__init__(im_axis=im_axis, re_axis=re_axis, im_data=im_data, kernel_mode=kernel_mode, beta=beta)
        self.physical_axes = (numpy.array(im_axis, dtype=float), numpy.array(re_axis, dtype=float),
                           None if beta is None else float(beta))
        install_numpy_compat("subclass")

    def solve(self, method="", **kwargs):
        """Solve with ``method`` in ``'maxent_svd'``, ``'pade'``, ``'rlista'``, ``'rlista+'``.

        Parameters
        ----------
        method : str
        **kwargs
            As for ana_cont, plus ``rlista_model``, ``backend``, ``device``,
            ``flat_weight``, ``floor`` for the new methods.

        Returns
        -------
        tuple or OptimizationResult
            What ana_cont returns for the method; for ``'rlista'`` a tuple
            ``(OptimizationResult, [OptimizationResult])``.
        """
        install_numpy_compat("subclass")
        return _dispatch(self, _original_solve(), method, kwargs)


# --------------------------------------------------------------------------------------------
# dispatch
# --------------------------------------------------------------------------------------------

def _dispatch(problem, base_solve, method, kwargs: dict):
    if method == "rlista":
        return solve_rlista(problem, **kwargs)
    if method == "rlista+":
        model = kwargs.get("model")
        if model is not None and not _is_rlista_model(model):
            raise InputError("method='rlista+' means MaxEnt with the network's default model; to use your own "
                             "model pass method='maxent_svd', model=...")
        kwargs = dict(kwargs, model="rlista")
        kwargs.setdefault("alpha_determination", "chi2kink")
        method = "maxent_svd"
    if method == "maxent_svd" and _is_rlista_model(kwargs.get("model")):
        return _maxent_with_neural_default(problem, base_solve, kwargs)
    return base_solve(problem, method=method, **kwargs)


def _is_rlista_model(model) -> bool:
    """``model="rlista"`` (the neural default); any other string is refused (ana_cont takes arrays)."""
    if isinstance(model, str) and model != "rlista":
        raise InputError(f"model={model!r}: a MaxEnt default model is an array on re_axis, or 'rlista' for the "
                         "network's spectrum (lower case); method='rlista+' is MaxEnt with it")
    return isinstance(model, str)


def _maxent_with_neural_default(problem, base_solve, kwargs: dict):
    unknown = sorted(set(kwargs) - _RLISTA_KWARGS - _MAXENT_KWARGS)
    if unknown:  # ana_cont drops unknown keywords silently; a misspelled one would change nothing
        _warnings.warn(f"MaxEnt with the neural default ignores unknown keyword(s) {unknown} (ana_cont's "
                       f"maxent_svd takes {sorted(_MAXENT_KWARGS | {'stdev', 'cov', 'verbose'})})",
                       ACLearnedWarning, stacklevel=4)
    own = {k: kwargs.pop(k) for k in _OWN_KWARGS if k in kwargs}
    if kwargs.get("offdiag"):
        raise InputError("model='rlista' needs a diagonal Green's function (offdiag=False): the networks "
                         "return a positive spectrum")
    stdev, cov = _error_bars(problem, kwargs, "model='rlista'")
    if problem.kernel_mode == "time_fermionic" and detect_sign(numpy.real(problem.im_data)) == "standard":
        raise InputError("ana_cont's MaxEnt takes -G(tau) >= 0 for kernel_mode='time_fermionic' (its kernel is "
                         "positive), and these data are G(tau) <= 0: pass im_data=-G (method='rlista' takes "
                         "either sign)")
    if problem.kernel_mode == "freq_fermionic" and float(numpy.sum(numpy.imag(problem.im_data))) > 0:
        raise InputError("ana_cont's MaxEnt takes G(i omega_n) with Im G < 0 for kernel_mode='freq_fermionic' "
                         "(its kernel is 1/(i omega_n - omega)), and these data have Im G > 0: -G or G* was "
                         "passed. Pass im_data=G (negate -G; method='rlista' takes either sign)")
    if stdev is not None:
        kwargs["stdev"] = numpy.array(stdev)  # a scalar is broadcast (ana_cont needs an array)
    default, res, extra = neural_default(problem, stdev=stdev, cov=cov, **own)
    kwargs["model"] = default
    if kwargs.get("verbose", True):
        print(f"ac_learned: default model from {res.model_card['name']} (flat_weight = "
              f"{own.get('flat_weight', DEFAULT_FLAT_WEIGHT)})")
        for note in extra:
            print(f"ac_learned: {note}")
    problem.solver = None  # ana_cont sets it first thing; the fallback must not reuse a stale one
    given = problem.im_data
    if problem.kernel_mode == "time_fermionic" and numpy.iscomplexobj(given):
        # an imaginary part of zero (checked above): MaxEnt gets the real G(tau), or it returns a complex chi2
        # and numpy ComplexWarnings (session 16 retest)
        problem.im_data = numpy.real(given)
    try:
        out = base_solve(problem, method="maxent_svd", **kwargs)
    except RuntimeError as exc:  # chi2kink's sigmoid fit: no kink when the default already fits the data
        if kwargs.get("alpha_determination") != "chi2kink" or problem.solver is None:
            raise
        out, note = _no_kink_fallback(problem, kwargs, exc)
        extra = extra + [note]
        if kwargs.get("verbose", True):
            print(f"ac_learned: {note}")
    finally:
        problem.im_data = given
    best = out[0]
    scale = problem.beta if problem.kernel_mode == "time_fermionic" else 1.0
    best.default_model = default * scale
    best.rlista = res
    best.model_card = res.model_card
    best.reliable = res.reliable  # whether the network that made the default was in its calibrated range
    # solve's words are about its own spectrum; the default model built from it is flat outside the window.
    # Its weight beyond re_axis is the unfitted network's (up to 5 % on spectra well inside re_axis, user test
    # of session 16); MaxEnt's A_opt holds the whole norm on re_axis, and a spectrum that does reach beyond it
    # shows in MaxEnt's chi2 (checked below).
    best.warnings = [w.replace("A is zero for", "the network's spectrum (not MaxEnt's, whose default is flat "
                               "there) is zero for") for w in res.warnings if OUTSIDE_GRID_PHRASE not in w]
    best.notes = list(extra)
    n_data = numpy.size(problem.im_data) * (2 if problem.kernel_mode == "freq_fermionic" else 1)
    per_point = float(best.chi2) / n_data
    if per_point > FIT_NOTE_ABOVE:  # chi2kink picked an alpha, but no spectrum near the default fits the data
        best.warnings.append(MAXENT_MISSES_DATA.format(chi2=per_point, limit=FIT_NOTE_ABOVE))
        best.reliable = False
    return out


def _no_kink_fallback(problem, kwargs: dict, exc: Exception) -> tuple[tuple, str]:
    """alpha ladder as chi2kink's, then the largest alpha with chi2 <= min chi2 + sqrt(2 N).

    Used only with the neural default model, when chi2kink's sigmoid fit fails:
    the default model then already fits the data nearly to their noise, so
    chi2(alpha) has no kink.  ``sqrt(2 N)`` is the standard deviation of chi2
    for N data points.
    """
    solver = problem.solver
    alpha = float(kwargs.get("alpha_start", 1e9))
    alpha_end, alpha_div = float(kwargs.get("alpha_end", 1e-3)), float(kwargs.get("alpha_div", 10.0))
    optarr, ustart = [], numpy.zeros(solver.n_sv)
    while alpha >= alpha_end:
        try:
            opt = solver.maxent_optimization(alpha=alpha, ustart=ustart)
        except (RuntimeWarning, numpy.linalg.LinAlgError, FloatingPointError):
            opt = None
        if opt is not None and numpy.isfinite(opt.chi2):
            optarr.append(opt)
            ustart = opt.u_opt
        alpha /= alpha_div
    if not optarr:
        raise exc
    chis = numpy.array([o.chi2 for o in optarr])
    n_data = solver.niw * (2 if problem.kernel_mode == "freq_fermionic" else 1)  # Re and Im count apart
    if chis.min() > FIT_NOTE_ABOVE * n_data:
        raise SolverError(
            f"chi2kink found no kink ({exc}), and no alpha fits the data: chi2/N = {chis.min() / n_data:.3g} at "
            f"best (about 1 for a fit). MaxEnt with the neural default cannot reach these data: check the sign "
            f"of im_data, that re_axis covers the spectrum and resolves it, and the error bars; "
            f"method='rlista' reports what it can fit"
        ) from exc
    limit = chis.min() + numpy.sqrt(2.0 * solver.niw)
    pick = optarr[int(numpy.argmax(chis <= limit))]
    best = solver.maxent_optimization(alpha=pick.alpha, ustart=pick.u_opt)
    if problem.kernel_mode == "time_fermionic":
        best.A_opt = best.A_opt * problem.beta
    note = (f"chi2kink found no kink ({exc}): the neural default already fits the data (chi2 {chis[0]:.4g} at "
            f"alpha = {optarr[0].alpha:.3g}, {chis.min():.4g} at best); alpha = {pick.alpha:.3g} chosen as the "
            f"largest with chi2 <= min + sqrt(2N)")
    return (best, optarr), note


# --------------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------------

def _check_kernel(problem, what: str) -> str:
    mode = problem.kernel_mode
    data = numpy.asarray(problem.im_data)
    if not numpy.all(numpy.isfinite(data)):
        raise InputError(f"{what}: im_data contains NaN or inf; drop or repair those points first")
    if mode == "time_fermionic" and numpy.iscomplexobj(data) and \
            float(numpy.max(numpy.abs(data.imag))) > 1e-8 * float(numpy.max(numpy.abs(data.real))):
        raise InputError(f"{what}: im_data is complex, but G(tau) of kernel_mode='time_fermionic' is real; pass "
                         "its real part (a large imaginary part points to an off-diagonal element or to Matsubara "
                         "data, kernel_mode='freq_fermionic')")
    if mode == "freq_fermionic" and (not numpy.iscomplexobj(data) or not numpy.any(data.imag)):
        raise InputError(f"{what}: im_data of kernel_mode='freq_fermionic' is the complex G(i omega_n), and these "
                         "data are real (only Re G or only Im G?): pass re + 1j * im")
    if mode == "freq_fermionic" and numpy.any(numpy.asarray(physical_axes(problem)[0], dtype=float) <= 0):
        raise InputError(f"{what}: im_axis holds omega_n <= 0; pass the positive Matsubara frequencies only "
                         "(G(-i omega_n) = G(i omega_n)* adds nothing for a diagonal element; drop the negative "
                         "ones, or conjugate a table of negative ones onto the positive)")
    if mode not in SUPPORTED_KERNEL_MODES:
        raise InputError(
            f"{what} supports kernel_mode {' and '.join(repr(m) for m in SUPPORTED_KERNEL_MODES)}, not {mode!r}: "
            "the networks continue diagonal fermionic Green's functions; use method='maxent_svd' with your own "
            "default model for this kernel"
        )
    _check_axes(problem, what)
    return mode


def _check_axes(problem, what: str) -> None:
    """im_axis and re_axis finite and strictly increasing, im_data as long as im_axis (ana_cont's own class
    checks none of it; a spline deep inside would fail on them)."""
    im_axis, re_axis, _ = physical_axes(problem)
    n_data = numpy.shape(problem.im_data)[-1] if numpy.ndim(problem.im_data) else 0
    if n_data != im_axis.size:
        raise InputError(f"{what}: im_data has {n_data} points and im_axis {im_axis.size}; pass one value of G "
                         "per point of im_axis")
    for name, axis in (("im_axis", im_axis), ("re_axis", re_axis)):
        checked_grid(f"{what}: {name}", axis, 1)


def physical_axes(problem) -> tuple[numpy.ndarray, numpy.ndarray, float | None]:
    """The user's imaginary axis, real axis and beta, undoing ana_cont's scaling of time kernels.

    Parameters
    ----------
    problem : ana_cont AnalyticContinuationProblem
        The subclass keeps its constructor's arguments; for ana_cont's own class
        they are recovered from ``im_axis * beta`` and ``re_axis / beta``.

    Returns
    -------
    im_axis, re_axis : ndarray
    beta : float or None
        None for frequency kernels of ana_cont's own class (it does not store beta).
    """
    stored = getattr(problem, "physical_axes", None)
    if stored is not None:
        return stored
    mode = problem.kernel_mode
    if mode.startswith("time"):
        beta = float(problem.beta)
        return numpy.asarray(problem.im_axis, float) * beta, numpy.asarray(problem.re_axis, float) / beta, beta
    return numpy.asarray(problem.im_axis, float), numpy.asarray(problem.re_axis, float), getattr(problem, "beta", None)


def _error_bars(problem, kwargs: dict, what: str):
    stdev, cov = kwargs.get("stdev"), kwargs.get("cov")
    n = numpy.shape(problem.im_data)[-1]
    if stdev is None and cov is None:
        raise InputError(f"{what} needs the data's error bars: pass stdev=<one-sigma error per point, shape ({n},)> "
                         "or cov=<covariance matrix>")
    if stdev is not None and cov is not None:
        raise InputError("pass stdev or cov, not both (ana_cont uses one of them)")
    if stdev is not None:
        if numpy.iscomplexobj(stdev):
            raise InputError("stdev must be real one-sigma error bars (of the real and of the imaginary part each, "
                             "for Matsubara data), got complex numbers")
        stdev = numpy.broadcast_to(numpy.asarray(stdev, dtype=float), (n,)) if numpy.ndim(stdev) == 0 else \
            numpy.asarray(stdev, dtype=float)
        if stdev.shape != (n,):
            raise InputError(f"stdev must have one error bar per data point, shape ({n},), or be a scalar; got "
                             f"shape {stdev.shape}")
        bad = ~numpy.isfinite(stdev) | (stdev <= 0)
        if numpy.any(bad):
            raise InputError(f"stdev must be finite and strictly positive: {int(bad.sum())} of its {n} values are "
                             f"not (first at index {int(numpy.argmax(bad))}: {stdev[numpy.argmax(bad)]!r})")
    else:
        cov = numpy.asarray(cov)
        if cov.shape != (n, n):
            raise InputError(f"cov must have shape ({n}, {n}), got {cov.shape}")
    return stdev, cov


# --------------------------------------------------------------------------------------------
# the network on an ana_cont problem
# --------------------------------------------------------------------------------------------

def _loaded_for(rlista_model: str, v_required: float, allow_clip: bool, sigma_rel: float | None = None):
    """Model for ``v_required`` (and noise ``sigma_rel``); with ``allow_clip``, the widest one when none covers it."""
    try:
        return resolve(rlista_model, v_required, sigma_rel), False
    except ModelError:
        if not (allow_clip and rlista_model == "auto"):
            raise
    cards = list_cards()
    if not cards:
        raise ModelError("no shipped model found")
    return load_model(cards[-1]["_path"]), True


def _continue(problem, omega: numpy.ndarray, stdev, cov, rlista_model: str, backend: str, device: str,
              allow_clip: bool, fit_data: bool = True
              ) -> tuple[ContinuationResult, MatsubaraToTau | None, numpy.ndarray, list[str]]:
    """Run the network; returns the result (on ``omega[inside]``), the Matsubara map, ``inside``, notes.

    The notes say what was done (the Matsubara map, the diagonal of ``cov``); what limits the answer (a
    window clipped to the widest model) is in the result's warnings.

    ``fit_data`` as for :func:`ac_learned.solve` (``method="rlista"`` fits the data; the neural default
    model of ``"rlista+"`` is the network's own output, as in the paper).
    """
    mode = problem.kernel_mode
    im_axis, _, beta = physical_axes(problem)
    notes: list[str] = []
    if mode == "freq_fermionic":
        beta = matsubara_beta(im_axis, beta)
    v_required = beta * float(numpy.max(numpy.abs(omega)))
    sigma_rel = None  # Matsubara data: errors are known on G(tau) only after the mapping; the broad model serves
    if mode == "time_fermionic":
        err0 = stdev if cov is None else numpy.sqrt(numpy.abs(numpy.diag(cov)))
        grid_x = auto_x_grid(v_required) if rlista_model == "auto" else None
        sigma_rel = relative_noise_estimate(numpy.real(problem.im_data).astype(float), err0, im_axis, beta, grid_x)
    net, clipped = _loaded_for(rlista_model, v_required, allow_clip, sigma_rel)
    inside = numpy.ones(omega.size, dtype=bool)
    clip_warning = None
    if clipped:
        inside = numpy.abs(omega) <= net.v_max / beta
        if inside.sum() < 8:
            raise ModelError(f"re_axis lies almost entirely outside the widest model's window |omega| <= "
                             f"{net.v_max / beta:.4g}")
        clip_warning = (f"re_axis reaches beta*max|omega| = {v_required:.4g}, beyond every "
                        f"shipped model (widest V = {net.v_max:.4g}): the neural default covers |omega| <= "
                        f"{net.v_max / beta:.4g} and is flat outside")
    card = str(net.card_path)
    if mode == "time_fermionic":
        if cov is not None:
            notes.append("rlista fits the data and computes chi2 with the full cov; its reliability flag, "
                         "calibrated on independent errors, uses the diagonal of cov" if fit_data else
                         "the network behind the default model is not fitted to the data; its reliability flag, "
                         "calibrated on independent errors, uses the diagonal of cov")
        # "auto" when no clipping was needed: solve then picks the same model and, fitting, its window average
        chosen = "auto" if rlista_model == "auto" and not clipped else card
        res = solve(im_axis, numpy.real(problem.im_data).astype(float), beta, omega[inside],
                    err=stdev if cov is None else None, cov=cov, model=chosen, backend=backend, device=device,
                    fit_data=fit_data)
        return _with_warning(res, clip_warning), None, inside, notes
    wn = numpy.asarray(im_axis, dtype=float)
    n_max = frequencies_to_use(wn, beta, net.v_max)
    tau = net.x * beta
    mapped = matsubara_to_tau(wn, numpy.asarray(problem.im_data), tau, beta, stdev=stdev, cov=cov, n_max=n_max)
    if n_max < wn.size:
        notes.append(f"G(tau) built from the first {n_max} of {wn.size} Matsubara frequencies "
                     f"(omega_n <= {MATSUBARA_CAP:g} V/beta) with a fitted 1/(i omega)^k tail, k = 1..{mapped.n_terms}")
    if mapped.n_terms > 3 and mapped.tail_warning is None:
        notes.append(f"the Matsubara tail was fitted with {mapped.n_terms} terms: the data showed 3 to be biased")
    notes.append("reliable is judged on G(tau) mapped from the Matsubara data, with propagated diagonal errors")
    fit_to = None
    if fit_data and stdev is not None and cov is None:
        # the spectrum is fitted to the Matsubara data themselves: their map to G(tau) can be biased by its tail
        fit_to = MatsubaraData(wn[:n_max], numpy.asarray(problem.im_data)[:n_max],
                               numpy.broadcast_to(numpy.asarray(stdev, dtype=float), wn.shape)[:n_max])
        notes.append(f"the network read G(tau) mapped from the data; its spectrum was then fitted to the first {n_max} "
                     "Matsubara points themselves (chi2 there, not on the map)")
    res = solve(tau, mapped.g_tau, beta, omega[inside], err=mapped.err_tau, model=card, backend=backend,
                device=device, fit_data=fit_data, matsubara=fit_to)
    if mapped.tail_warning:
        reached = None if fit_to is None else reach(float(fit_to.omega_n[-1]), res.weights, res.nu_model, beta)
        mark_biased_tail(res, mapped.tail_warning, fit_to is not None, reached)  # a warning: printed, unlike notes
    return _with_warning(res, clip_warning), mapped, inside, notes


def _with_warning(res: ContinuationResult, warning: str | None) -> ContinuationResult:
    """``res`` with ``warning`` (if any) added to its warnings."""
    if warning:
        res.warnings.append(warning)
    return res


def _backtransform(problem, omega: numpy.ndarray, a: numpy.ndarray, sign: str) -> numpy.ndarray:
    im_axis, _, beta = physical_axes(problem)
    aw = a * trapezoid_weights(omega)
    if problem.kernel_mode == "time_fermionic":
        back = fermionic_kernel(im_axis, omega, beta) @ aw
        return -back if sign == "standard" else back
    back = fermionic_matsubara_kernel(im_axis, omega) @ aw
    return -back if sign == "positive" else back  # -G(i omega_n) given: compare in the input's sign


def _matsubara_backtransform(problem, res: ContinuationResult) -> numpy.ndarray:
    """G(i omega_n) of the spectrum's weights on its model grid, in the sign of the input."""
    im_axis, _, beta = physical_axes(problem)
    beta = matsubara_beta(im_axis, beta)  # Matsubara problems need not pass beta
    back = matsubara_backtransform(im_axis, res.weights, res.nu_model, beta, res.norm)
    return -back if res.sign_seen == "positive" else back


def _chi2(residual: numpy.ndarray, stdev, cov) -> float:
    """ana_cont's chi2: ``sum |r|^2 / sigma^2``, or ``r^H C^-1 r`` in the eigenbasis of ``cov``."""
    if cov is None:
        return float(numpy.sum(numpy.abs(residual) ** 2 / stdev ** 2))
    var, u = numpy.linalg.eigh(cov)
    rotated = u.conj().T @ residual
    return float(numpy.sum(numpy.abs(rotated) ** 2 / numpy.abs(var)))


def solve_rlista(problem, rlista_model: str = "auto", backend: str = "auto", device: str = "cpu",
                 **kwargs) -> tuple:
    """``method="rlista"`` on an ana_cont problem.

    Parameters
    ----------
    problem : ana_cont AnalyticContinuationProblem
        ``kernel_mode`` ``"time_fermionic"`` or ``"freq_fermionic"``.
    rlista_model : str
        ``"auto"``, a shipped model's name or a card path.
    backend, device : str
        As for :func:`ac_learned.solve`.
    **kwargs
        ``stdev`` or ``cov`` (required), ``verbose`` (default True, as ana_cont);
        MaxEnt-only keywords are accepted and ignored; unknown ones warn.

    Returns
    -------
    (OptimizationResult, [OptimizationResult])
        ``A_opt`` on the user's ``re_axis`` in physical units (``int A = norm``),
        ``backtransform`` on the user's ``im_axis`` (input sign; for time data
        that of the fitted spectrum on the model's grid, as :func:`ac_learned.solve`
        reports it), ``chi2`` as ana_cont defines it (total, not per point),
        ``norm``; attributes
        ``model_card``, ``reliable``, ``warnings``, ``rlista`` (the
        :class:`~ac_learned.solve.ContinuationResult`) and, for Matsubara data,
        ``matsubara`` (the :class:`~ac_learned.matsubara.MatsubaraToTau` map).
    """
    _check_kernel(problem, "method='rlista'")
    unknown = sorted(set(kwargs) - _RLISTA_KWARGS - _MAXENT_KWARGS)
    if unknown:
        _warnings.warn(f"method='rlista' ignores unknown keyword(s) {unknown}", ACLearnedWarning, stacklevel=3)
    if kwargs.get("offdiag"):
        raise InputError("method='rlista' continues diagonal Green's functions only (offdiag=False)")
    stdev, cov = _error_bars(problem, kwargs, "method='rlista'")
    _, omega, _ = physical_axes(problem)
    res, mapped, _, notes = _continue(problem, omega, stdev, cov, rlista_model, backend, device, allow_clip=False)
    ignored = sorted(k for k in set(kwargs) & _MAXENT_KWARGS
                     if k != "verbose" and not (k == "model" and isinstance(kwargs[k], str) and kwargs[k] == "rlista"))
    if ignored:
        res.warnings.append(f"MaxEnt option(s) {ignored} have no effect on method='rlista'")
    default_only = sorted(set(kwargs) & {"flat_weight", "floor", "broadened_share"})
    if default_only:
        res.warnings.append(f"option(s) {default_only} shape the neural default model of method='rlista+' and "
                            "model='rlista'; they have no effect on method='rlista'")
    if problem.kernel_mode == "time_fermionic":
        # the fitted spectrum's own backtransform on the user's tau (as solve reports it): K @ A_opt by the
        # trapezoid rule on a coarse or partial re_axis misses the data by its discretisation, not the fit's
        back = numpy.real(res.backtransform)
    else:
        # from the spectrum's weights on the model's own grid, not A on re_axis: a coarse or partial
        # re_axis would miss the data by its quadrature and by the weight outside it (chi2/2N of 2-100
        # on good fits, user test of session 14)
        back = _matsubara_backtransform(problem, res)
    data = numpy.asarray(problem.im_data)
    nan = float("nan")  # MaxEnt's own numbers have no meaning here; NaN formats where None would raise
    sol = _solvers.OptimizationResult(
        A_opt=res.A, backtransform=back, chi2=_chi2(data - back, stdev, cov),
        norm=float(trapezoid_weights(omega) @ res.A), alpha=nan, entropy=nan, Q=nan, probability=nan,
        n_good=nan, blur_width=0.0,
    )
    # solve's words name its own result; here the total is sol.rlista.norm and sol.norm is ana_cont's
    res.warnings = [w.replace("(res.norm is the total)", "(sol.rlista.norm is the total; sol.norm integrates "
                              "A_opt on re_axis)") for w in res.warnings]
    sol.model_card = res.model_card
    sol.reliable = res.reliable
    if problem.kernel_mode == "freq_fermionic":
        per_point = sol.chi2 / (2 * data.size)  # Re and Im of each frequency
        if per_point > FIT_NOTE_ABOVE:
            res.warnings.append(f"the spectrum misses the Matsubara data: chi2/(2N) = {per_point:.3g} "
                                f"(> {FIT_NOTE_ABOVE:g}): the error bars are likely too small for these data, or "
                                "re_axis does not cover the spectrum; reliable is False")
            sol.reliable = res.reliable = False
    sol.warnings = list(res.warnings)
    sol.notes = list(notes)
    sol.rlista = res
    sol.matsubara = mapped
    if kwargs.get("verbose", True):
        print(f"ac_learned rlista ({res.model_card['name']}): chi2 = {sol.chi2:.4g}, norm = {sol.norm:.4f}, "
              f"reliable = {res.reliable}")
        for msg in res.warnings:
            print(f"warning: {msg}")
    return sol, [sol]


def neural_default(problem, stdev=None, cov=None, rlista_model: str = "auto", backend: str = "auto",
                   device: str = "cpu", flat_weight: float = DEFAULT_FLAT_WEIGHT,
                   floor: float = DEFAULT_FLOOR, broadened_share: float | str | None = None
                   ) -> tuple[numpy.ndarray, ContinuationResult, list[str]]:
    """The network's spectrum as a MaxEnt default model for an ana_cont problem.

    ``D = norm * default_model_from_spectrum(A_rlista, omega, flat_weight, floor)``
    on the user's ``re_axis``: strictly positive, ``int D d omega`` equal to the
    data's norm.  For ``time_fermionic`` it is divided by ``beta``, because
    ana_cont's MaxEnt works on ``nu = beta * omega`` (``D(nu) d nu = D(omega) d omega``)
    and multiplies only the final ``A_opt`` by beta.  When ``re_axis`` reaches
    beyond every shipped model (``rlista_model="auto"``), the widest model is
    used inside its window and the default is flat outside.

    Parameters
    ----------
    problem : ana_cont AnalyticContinuationProblem
    stdev, cov : array_like
        Error bars of the data (one of them).
    rlista_model, backend, device : str
        As for :func:`solve_rlista`.
    flat_weight, floor : float
        See :func:`ac_learned.solve.default_model_from_spectrum`.
    broadened_share : float or "auto", optional
        Share of the network's spectrum broadened in ``beta * omega``
        (:func:`ac_learned.solve.default_broadened_share`); default
        :data:`DEFAULT_BROADENED_SHARE`.

    Returns
    -------
    model : ndarray, shape (Nomega,)
        In ana_cont's internal normalisation, ready for ``model=``.
    result : ContinuationResult
        The network's continuation (on the part of ``re_axis`` inside its window).
    notes : list of str
        What was done that is no warning: the broadened share, the Matsubara map, the diagonal of ``cov``.
    """
    mode = _check_kernel(problem, "model='rlista'")
    if stdev is None and cov is None:
        raise InputError("model='rlista' needs stdev or cov")
    check_default_mix(flat_weight, floor)  # before the network runs
    _, omega, _ = physical_axes(problem)
    res, mapped, inside, notes = _continue(problem, omega, stdev, cov, rlista_model, backend, device,
                                           allow_clip=True, fit_data=False)
    norm = float(res.norm)
    beta = physical_axes(problem)[2] if mode == "time_fermionic" else mapped.beta
    if mapped is not None:
        err_tau = mapped.err_tau
    else:
        err_tau = stdev if cov is None else numpy.sqrt(numpy.abs(numpy.diag(cov)))
    choice = DEFAULT_BROADENED_SHARE if broadened_share is None else broadened_share
    share = default_broadened_share(choice, norm, err_tau, numpy.size(mapped.g_tau if mapped else problem.im_data))
    a = numpy.zeros(omega.size)
    # broadened inside the network's window only: beyond it (a clipped window) the default stays flat
    a[inside] = density_with_broadened_share(res.A, omega[inside], share, beta)[0]
    model = norm * default_model_from_spectrum(a, omega, flat_weight=flat_weight, floor=floor)
    if mode == "time_fermionic":
        model = model / beta
    if numpy.max(share) > 0:
        notes.append(f"{BROADENED_NOTE_START}{float(numpy.max(share)):.2f} of the network's spectrum broadened "
                     "in beta*omega (MaxEnt is pulled less towards structure the data do not "
                     "show; broadened_share=0 gives the paper's raw network default)")
    return model, res, notes
