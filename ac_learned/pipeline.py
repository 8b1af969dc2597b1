"""The main job: a QMC file in, a spectrum with error band, HDF5, text and a plot out.

Used by ``ac-learned continue`` and ``ac-learned demo``.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ._version import __version__
from .atomic import Writer, atomic_write, atomic_write_all
from .covariance import checked_covariance, cholesky_factor
from .diagnostics import fit_note, mark_biased_tail
from .errors import ACLearnedError, ACLearnedWarning, InputError, SolverError
from .io import GreenData, load, squeeze
from .io._wording import option
from .matsubara_fit import MatsubaraData, MatsubaraSource, backtransform, reach
from .solve import ContinuationResult, solve
from .uncertainty import Band, error_band
from .zoo import list_cards

DEFAULT_OMEGA_MAX = 10.0
METHODS = ("rlista", "rlista+", "maxent")
#: Noise draws for the band when each draw is a MaxEnt run (rlista+, maxent).
MAXENT_BAND_DRAWS = 20


@dataclass
class ContinuationOutput:
    """Everything the main job produced."""

    data: GreenData
    result: ContinuationResult
    band: Band | None
    method: str
    files: list[str] = field(default_factory=list)
    #: What was done that is no warning (how the band was made, rlista+'s default model); printed as notes.
    notes: list[str] = field(default_factory=list)
    #: The one-sigma errors per point of ``data.grid`` the continuation used, and where they came from.
    errors: np.ndarray | None = None
    errors_from: str = ""


def default_omega_max(beta: float, model: str = "auto") -> float:
    """``min(10, V_max / beta)``: 10 (eV or t) unless the models serve less at this beta.

    ``V_max`` is the widest shipped window for ``model="auto"``, else the named model's (or card's) own:
    a model asked for by name is not run beyond its window.
    """
    if model != "auto":
        from .zoo import resolve

        v_max = float(resolve(model, 0.0).v_max)
    else:
        v_max = max((float(c["grid"]["v_max"]) for c in list_cards() if c.get("auto", True)), default=0.0)
    return min(DEFAULT_OMEGA_MAX, v_max / beta) if v_max > 0 else DEFAULT_OMEGA_MAX


def _one_spectrum(data: GreenData) -> np.ndarray:
    """The one G(tau) of ``data`` (already squeezed: see :func:`ac_learned.io.squeeze`)."""
    if data.values.ndim != 1:
        axes = data.meta.get("axes", [])
        picks = "/".join(option(name) for name in ("orbital", "spin", "k"))
        raise InputError(
            f"{data.path} holds {data.values.shape[:-1]} Green's functions (axes {axes}); choose one with "
            f"{picks} (`ac-learned inspect FILE` lists what is needed)"
        )
    return data.values


def tau_from_matsubara(data: GreenData, omega_max: float, model: str = "auto", err: float | None = None) -> GreenData:
    """One fermionic G(i omega_n) as G(tau) on the grid of the model that will continue it.

    The map of :func:`ac_learned.matsubara.matsubara_to_tau` (the ana_cont plugin's for
    ``kernel_mode="freq_fermionic"``): the first frequencies up to ``MATSUBARA_CAP`` times the model's
    window, a fitted 1/(i omega_n)^k tail (k = 1..3) summed in closed form, the rest summed directly.
    Every step is linear, so errors are propagated exactly (the diagonal is kept: the mapped points are
    correlated) and bins are mapped one by one.

    Parameters
    ----------
    data : GreenData
        ``kind="iw"``, one Green's function (index axes already selected).
    omega_max : float
        Half-width of the real-frequency window; it chooses the model and so the tau grid.
    model : str
        As for :func:`ac_learned.solve`.
    err : float, optional
        Absolute error of the real and of the imaginary part, replacing the file's.

    Returns
    -------
    GreenData
        ``kind="tau"`` on the model's x-grid times beta, standard sign, with ``errors`` (when the data
        have error bars or bins) and ``bins``; ``meta["from_matsubara"]`` says what was done.
    """
    from .matsubara import MATSUBARA_CAP, frequencies_to_use, matsubara_to_tau
    from .zoo import resolve

    values = _one_spectrum(data)
    net = resolve(model, data.beta * omega_max)
    wn = np.asarray(data.grid, dtype=float)
    bins = None if data.bins is None else np.asarray(data.bins)
    stdev = _point_errors(data, err)[0]
    if stdev is not None and (stdev.shape != wn.shape or not np.all(np.isfinite(stdev)) or np.any(stdev <= 0)):
        raise InputError(f"{data.path}: the Matsubara error bars must be finite and positive, one per frequency "
                         f"(the file's contain NaN, zeros or negative values, or do not match the {wn.size} "
                         f"frequencies); {option('err', placeholder='<error of Re and Im>')} replaces them")
    n_max = frequencies_to_use(wn, data.beta, net.v_max)
    tau = net.x * data.beta
    # one map for the values and every bin (it is linear; the operator is built once)
    rows = values[None, :] if bins is None else np.concatenate([values[None, :], bins])
    mapped = matsubara_to_tau(wn, rows, tau, data.beta, stdev=stdev, n_max=n_max)
    mapped_bins = None if bins is None else mapped.g_tau[1:]
    used = (f"the first {n_max} of {wn.size} Matsubara frequencies (omega_n <= {MATSUBARA_CAP:g} V/beta)"
            if n_max < wn.size else f"all {wn.size} Matsubara frequencies")
    longer = (f"; {mapped.n_terms} terms because the data showed 3 to be biased"
              if mapped.n_terms > 3 and mapped.tail_warning is None else "")
    note = (f"G(i omega_n) mapped to G(tau) on {tau.size} points of model {net.name}'s grid from {used}, with a "
            f"fitted 1/(i omega_n)^k tail (k = 1..{mapped.n_terms}{longer}; norm c1 = {float(mapped.tail[0, 0]):.4g})"
            + ("; errors propagated (their diagonal: the mapped points are correlated)" if stdev is not None else ""))
    source = None
    if stdev is not None:
        source = MatsubaraSource(MatsubaraData(wn[:n_max], values[:n_max], stdev[:n_max]), mapped.operator,
                                 None if bins is None else bins[:, :n_max])
    meta = dict(data.meta, from_matsubara=note, matsubara_points=int(wn.size), matsubara_used=int(n_max),
                matsubara_norm=float(mapped.tail[0, 0]), matsubara_tail_terms=int(mapped.n_terms))
    if mapped.tail_warning:
        meta["matsubara_tail_warning"] = mapped.tail_warning
    return GreenData(kind="tau", beta=data.beta, grid=tau, values=mapped.g_tau[0], errors=mapped.err_tau,
                     bins=mapped_bins, source=data.source, path=data.path, meta=meta, mapped_from=source)


def _point_errors(data: GreenData, err: float | None) -> tuple[np.ndarray | None, str]:
    """One-sigma errors per grid point, and where they came from in words.

    ``err`` if given, else the file's errors (for G(tau) mapped from Matsubara data: those propagated
    through the map), covariance or bins; for complex (Matsubara) bins the larger of the real and
    imaginary parts' spreads.
    """
    if err is not None:
        return np.full(np.shape(data.grid), float(err)), f"--err {err:g} (the file's error bars replaced)"
    if data.errors is not None:
        return np.asarray(data.errors, dtype=float), (
            "propagated from the Matsubara data's errors through the map to G(tau)"
            if data.meta.get("from_matsubara") else "the file's error bars")
    if data.cov is not None:
        return np.sqrt(np.real(np.diagonal(data.cov))), "the diagonal of the file's covariance"
    if data.bins is not None:
        b = np.asarray(data.bins)
        return (np.maximum(b.real.std(axis=0, ddof=1), b.imag.std(axis=0, ddof=1)) / np.sqrt(b.shape[0]),
                "the standard error of the file's bins")
    return None, ""


def _maxent_solve(tau, g, beta, omega, err, method, model, backend, device,
                  broadened_share: float | str | None = None) -> ContinuationResult:
    """One MaxEnt run through the ana_cont plugin: flat default (``maxent``) or neural (``rlista+``).

    ``broadened_share`` is that of the neural default model (``rlista+`` only); None leaves it to the
    plugin's ``DEFAULT_BROADENED_SHARE`` ("auto").
    """
    import contextlib
    import io as _io

    from .ana_cont import AnalyticContinuationProblem
    from .conventions import detect_sign
    from .diagnostics import chi2_per_point
    from .grids import trapezoid_weights

    sign = detect_sign(g)
    g_pos = -g if sign == "standard" else g
    norm = float(g_pos[0] + g_pos[-1]) if tau[0] == 0 and np.isclose(tau[-1], beta) else 1.0
    probl = AnalyticContinuationProblem(im_axis=tau, re_axis=omega, im_data=g_pos, kernel_mode="time_fermionic",
                                        beta=beta)
    kw = {"alpha_determination": "chi2kink", "optimizer": "newton", "stdev": np.asarray(err, float),
          "interactive": False}
    if method == "maxent":
        flat = np.full(omega.shape, norm / (omega[-1] - omega[0]))
        kw["model"] = flat / beta  # ana_cont works on the scaled axis omega * beta
        solve_method = "maxent_svd"
        card = {"name": "maxent-flat", "arch": {"type": "maxent_svd (ana_cont, chi2kink, flat default)"}}
    else:
        kw.update(rlista_model=model, backend=backend, device=device)
        if broadened_share is not None:
            kw["broadened_share"] = broadened_share
        solve_method = "rlista+"
        card = None
    with contextlib.redirect_stdout(_io.StringIO()), warnings.catch_warnings():
        # ana_cont's Newton iterations overflow on the way (exp of large steps) and recover; its
        # RuntimeWarnings say nothing about the result, which chi2 and the band judge
        warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"ana_cont\.")
        try:
            sol, _ = probl.solve(method=solve_method, **kw)
        except ACLearnedError:
            raise
        except (RuntimeError, ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
            raise SolverError(
                f"ana_cont's MaxEnt ({solve_method}, chi2kink) failed on these data: {type(exc).__name__}: {exc}. "
                "Its alpha scan could not fit the chi2 curve; --method rlista does not need it"
            ) from exc
    back = -np.real(sol.backtransform) if sign == "standard" else np.real(sol.backtransform)
    A = np.asarray(sol.A_opt, float)
    return ContinuationResult(
        omega=omega, A=A, backtransform=back, chi2=float(chi2_per_point(g, back, err)),
        # rlista+: MaxEnt fits the data by construction; the flag says whether its default model came
        # from a network run that was itself in its calibrated range
        reliable=getattr(getattr(sol, "rlista", None), "reliable", None), warnings=list(getattr(sol, "warnings", [])),
        notes=list(getattr(sol, "notes", [])),
        model_card=card or getattr(sol, "model_card", {}), norm=float(A @ trapezoid_weights(omega)),
        sign_seen=sign,
    )


def regrouped_bins(bins: np.ndarray, n_groups: int) -> np.ndarray:
    """Consecutive bins averaged in groups of ``len(bins) // n_groups``, for a cheaper jackknife.

    Equal groups keep the jackknife valid (larger bins are as good as the originals, and better when
    neighbouring bins are correlated); there are at least ``n_groups`` of them, and the last
    ``len(bins) % size`` bins (fewer than one group) are left out.
    """
    bins = np.asarray(bins)
    size = max(1, bins.shape[0] // max(int(n_groups), 1))
    if size == 1:
        return bins
    count = bins.shape[0] // size
    return bins[: count * size].reshape((count, size) + bins.shape[1:]).mean(axis=1)


def _maxent_band(tau, g, beta, omega, errors, bins, cov, n_draws, centre, seed=0,
                 **kw) -> tuple[Band | None, list[str]]:
    """Error band of a MaxEnt-based method: one run per jackknife sample or noise draw (progress bar).

    Bins are regrouped into ``n_draws`` groups first (one MaxEnt run per bin took minutes).  A sample on
    which MaxEnt fails is left out, with a note; with fewer than half of them left there is no band.
    Returns the band (or None) and the notes.
    """
    from ._progress import progress_bar
    from .uncertainty import jackknife_samples

    rng = np.random.default_rng(seed)
    notes = []
    if bins is not None:
        n_bins = np.shape(bins)[0]
        grouped = regrouped_bins(bins, max(int(n_draws), 2))
        if grouped.shape[0] < n_bins:
            size = n_bins // grouped.shape[0]
            left = n_bins - size * grouped.shape[0]
            notes.append(f"MaxEnt band: the {n_bins} bins were averaged in {grouped.shape[0]} groups of {size} "
                         f"consecutive bins for the jackknife (about --draws groups)"
                         + (f"; the last {left} bins, less than a group, are left out of the band" if left else ""))
        samples, method = jackknife_samples(np.asarray(grouped, float)), "jackknife"
    elif cov is not None:
        samples = g + rng.standard_normal((n_draws, len(g))) @ np.linalg.cholesky(cov).T
        method = "covariance draws"
    else:
        samples, method = g + errors * rng.standard_normal((n_draws, len(g))), "error-bar draws"
    runs, failed = [], 0
    for s in progress_bar(samples, desc="MaxEnt band"):
        try:
            runs.append(_maxent_solve(tau, s, beta, omega, errors, **kw).A)
        except SolverError:
            failed += 1
    if failed:
        notes.append(f"MaxEnt failed on {failed} of {len(samples)} band samples; they are left out of the band")
    if len(runs) < max(2, len(samples) / 2):
        notes.append("no MaxEnt band: too few samples succeeded")
        return None, notes
    runs = np.array(runs)
    n = len(runs)
    if method == "jackknife":
        std = np.sqrt((n - 1) / n * np.sum((runs - runs.mean(axis=0)) ** 2, axis=0))
        lower, upper = centre.A - std, centre.A + std
    else:
        std = runs.std(axis=0, ddof=1)
        lower, upper = np.quantile(runs, [0.16, 0.84], axis=0)
    return Band(std=std, lower=np.maximum(lower, 0.0), upper=upper, method=method, n_samples=n), notes


def continue_data(data: GreenData, omega_max: float | None = None, n_omega: int = 401, method: str = "rlista",
                  model: str = "auto", err: float | None = None, n_draws: int | None = None,
                  backend: str = "auto", device: str = "cpu",
                  default_broadening: float | str = "auto") -> ContinuationOutput:
    """Continue a loaded Green's function and compute its error band.

    Parameters
    ----------
    data : GreenData
        One Green's function (select index axes first; axes of length 1 are
        dropped here).  Matsubara data are mapped to G(tau) first
        (:func:`tau_from_matsubara`).
    omega_max : float, optional
        Real-frequency window [-omega_max, omega_max]; default
        :func:`default_omega_max`.
    n_omega : int
    method : {"rlista", "rlista+", "maxent"}
        The network alone; MaxEnt (ana_cont, chi2kink) with the network's
        spectrum as default model; or MaxEnt with a flat default model.
    model : str
    err : float, optional
        Absolute error bar for files without errors or bins.
    n_draws : int, optional
        Noise draws for the band when the file has no bins (default 200 for
        rlista, ``MAXENT_BAND_DRAWS`` for the MaxEnt-based methods); for the
        MaxEnt-based methods also the number of groups the bins are averaged
        into for the jackknife.  1: no band, with or without bins.
    backend, device : str
    default_broadening : float or "auto"
        ``rlista+`` only: share of the network's spectrum broadened in its
        default model (``"auto"``: 0.7 for precise data, as the fit's default;
        0: the paper's raw network default).
    """
    if method not in METHODS:
        raise InputError(f"method must be one of {METHODS}, got {method!r}")
    data = squeeze(data)
    if err is not None and not (np.isfinite(float(err)) and float(err) > 0):
        raise InputError(f"--err (err) is the data's one-sigma error bar and must be a positive number, got {err}")
    if n_draws is not None and int(n_draws) < 1:
        raise InputError(f"--draws (n_draws) is the number of noise draws for the error band and must be at least 1 "
                         f"(1: no band), got {n_draws}")
    window_note = None
    if omega_max is None:
        omega_max = default_omega_max(data.beta, model)
        if model != "auto" and omega_max < DEFAULT_OMEGA_MAX:
            window_note = (f"the window |omega| <= {omega_max:.4g} is what model {model} serves at beta = "
                           f"{data.beta:g} (its V / beta); {option('omega_max', placeholder='<W>')} sets another, "
                           f"and {option('model', 'auto')} takes a model for it")
    omega_max = float(omega_max)
    if omega_max <= 0 or n_omega < 3:
        raise InputError("--omega-max must be positive and --n-omega at least 3")
    if data.kind == "iw":
        data = tau_from_matsubara(data, omega_max, model, err)
        err = None  # used for the Matsubara points; the mapped G(tau) carries its own errors
    g = _one_spectrum(data)
    errors, errors_from = _point_errors(data, err)
    omega = np.linspace(-omega_max, omega_max, int(n_omega))
    kw = {"model": model, "backend": backend, "device": device}
    if method != "rlista":
        if errors is None:
            raise InputError(f"method {method!r} needs error bars: the file has none; pass --err")
        mkw = dict(kw, method=method, broadened_share=default_broadening)
        res = _maxent_solve(data.grid, g, data.beta, omega, errors, **mkw)
        _biased_tail_verdict(data, res)
        draws = MAXENT_BAND_DRAWS if n_draws is None else int(n_draws)
        cov = data.cov if _usable_covariance(data, err)[0] else None
        band, notes = None, []
        if draws > 1:  # --draws 1: no band, with or without bins
            band, notes = _maxent_band(data.grid, g, data.beta, omega, errors, data.bins, cov, draws, res, **mkw)
        notes[:0] = res.notes + ([window_note] if window_note else [])  # e.g. rlista+'s default model: said
        return ContinuationOutput(data, res, band, method, notes=notes, errors=errors,
                                  errors_from=errors_from)
    n_draws = 200 if n_draws is None else int(n_draws)
    use_cov, cov_note = _usable_covariance(data, err)
    source = data.mapped_from if (errors is not None and not use_cov) else None
    res = solve(data.grid, g, beta=data.beta, omega=omega, err=None if use_cov else errors,
                cov=data.cov if use_cov else None, matsubara=None if source is None else source.data, **kw)
    if cov_note:
        res.warnings.append(cov_note)
    _biased_tail_verdict(data, res, source)
    band = None
    if n_draws < 2:
        band = None  # --draws 1: no band, with or without bins
    elif data.bins is not None and np.asarray(data.bins).shape[0] >= 2:
        band = error_band(data.grid, g, data.beta, omega, bins=data.bins, centre=res, matsubara=source, **kw)
    elif use_cov:
        band = error_band(data.grid, g, data.beta, omega, cov=data.cov, n_draws=n_draws, centre=res, **kw)
    elif errors is not None:
        band = error_band(data.grid, g, data.beta, omega, err=errors, n_draws=n_draws, centre=res, matsubara=source,
                          **kw)
    notes = [window_note] if window_note else []
    if source is not None:
        notes.append(f"the network read the mapped G(tau); its spectrum was then fitted to the "
                     f"{source.data.omega_n.size} Matsubara points themselves (chi2 is per real number of them)")
    return ContinuationOutput(data, res, band, method, notes=notes, errors=errors,
                              errors_from=errors_from)


def _biased_tail_verdict(data: GreenData, res: ContinuationResult, fitted_to: MatsubaraSource | None = None) -> None:
    """Matsubara data whose tail fit failed its test: warn, and (unless a fit to the points reaches past the
    spectrum, :func:`ac_learned.diagnostics.mark_biased_tail`) the result is not reliable."""
    warning = data.meta.get("matsubara_tail_warning")
    if warning:
        reached = None if fitted_to is None else reach(float(fitted_to.data.omega_n[-1]), res.weights, res.nu_model,
                                                       data.beta)
        mark_biased_tail(res, str(warning), fitted_to is not None, reached)


def _usable_covariance(data: GreenData, err: float | None) -> tuple[bool, str]:
    """Whether to fit with the file's covariance, and a note when it cannot be used.

    ``--err`` overrides it; a covariance that is not positive definite (estimated
    from fewer bins than tau points, say) falls back to its diagonal with a note
    instead of stopping the run.
    """
    if err is not None or data.cov is None:
        return False, ""
    try:
        cholesky_factor(checked_covariance(data.cov, np.size(data.grid)))
    except InputError as exc:
        return False, f"the file's covariance is not used ({exc}); fitted with its diagonal errors"
    return True, ""


def _fmt_chi2(chi2) -> str:
    return "n/a (no error bars)" if chi2 is None else f"{float(chi2):.3g}"


def _network_chi2_text(res: ContinuationResult) -> str:
    """`` (network alone: X)`` when the result was fitted to the data, else empty."""
    if res.chi2_network is None or res.fit_distance is None:
        return ""
    start = f", fit started from its average with {res.averaged_with}" if res.averaged_with else ""
    if res.broadened_share:
        start += f", {float(res.broadened_share):.2g} of it broadened (precise data)"
    return f" (network alone: {float(res.chi2_network):.3g}, fitted to the data{start})"


def write_hdf5(path: str | Path, out: ContinuationOutput, force: bool = False, command: str | None = None) -> Path:
    """Write the spectrum, band, data, backtransform, model card and provenance (atomically)."""
    return atomic_write(path, hdf5_writer(out, command), overwrite=force)


def hdf5_writer(out: ContinuationOutput, command: str | None = None) -> Writer:
    """The function that writes :func:`write_hdf5`'s file to the path it is given."""
    import h5py

    res, data = out.result, out.data

    def write(tmp: str) -> None:
        with h5py.File(tmp, "w") as f:
            f.attrs["ac_learned_version"] = __version__
            f.attrs["created"] = datetime.datetime.now(datetime.timezone.utc).isoformat()
            f.attrs["command"] = command or " ".join(sys.argv)
            f.attrs["method"] = out.method
            f.attrs["source_file"] = str(data.path)
            f.attrs["source_file_absolute"] = os.path.abspath(str(data.path).split("::")[0])
            f.attrs["sign_in_file"] = sign_in_file_text(data)
            f.attrs["source_format"] = data.source
            f.attrs["beta"] = data.beta
            f.attrs["chi2"] = np.nan if res.chi2 is None else res.chi2
            f.attrs["norm"] = float(np.asarray(res.norm).reshape(-1)[0])  # = int A d omega over the whole spectrum
            f.attrs["chi2_network"] = np.nan if res.chi2_network is None else res.chi2_network
            f.attrs["fitted_to_data"] = np.bool_(res.fit_distance is not None)
            f.attrs["fit_start_averaged_with"] = res.averaged_with or ""
            f.attrs["fit_start_broadened_share"] = np.nan if res.broadened_share is None else res.broadened_share
            # a boolean only where it is known (no attribute otherwise: a script testing it cannot take a string
            # such as 'False' for true); "reliability" says it in words
            if res.reliable is not None:
                f.attrs["reliable"] = np.bool_(res.reliable)
            f.attrs["reliability"] = ("n/a (MaxEnt-flat has no calibrated flag; it fits the data by construction)"
                                      if res.reliable is None and out.method == "maxent"
                                      else "unknown (no error bars, or a model without calibration)"
                                      if res.reliable is None
                                      else "reliable" if res.reliable else "unreliable: see warnings")
            f.attrs["warnings"] = json.dumps(res.warnings)
            f.attrs["notes"] = json.dumps(list(out.notes))
            f.attrs["selection"] = str(data.meta.get("selection", ""))
            f.attrs["model_card"] = json.dumps(res.model_card)
            f.attrs["conventions"] = "A(omega) >= 0, int A d omega = -(G(0)+G(beta)); G standard sign (<= 0)"
            f["omega"] = res.omega
            f["A"] = res.A
            if out.band is not None:
                f["A_std"] = out.band.std
                f["A_lower"] = out.band.lower
                f["A_upper"] = out.band.upper
                f["A_std"].attrs["method"] = out.band.method
                f["A_std"].attrs["n_samples"] = out.band.n_samples
                f["A_std"].attrs["about"] = "one-sigma spread of A over the band's samples"
                quantiles = ("16 % and 84 % quantiles of the samples' A (not symmetric about A)"
                             if out.band.method.endswith("draws") else "A -/+ A_std (jackknife)")
                for name in ("A_lower", "A_upper"):
                    f[name].attrs["about"] = quantiles
            d = f.create_group("data")
            if data.meta.get("from_matsubara"):
                d.attrs["from_matsubara"] = str(data.meta["from_matsubara"])
            d["tau"] = data.grid
            d["G"] = data.values
            if out.errors is not None:
                d["G_err"] = out.errors
                d["G_err"].attrs["source"] = out.errors_from
            elif data.errors is not None:
                d["G_err"] = data.errors
            d["backtransform"] = res.backtransform
            if data.mapped_from is not None and out.method == "rlista" and res.fit_distance is not None:
                _write_matsubara_points(f.create_group("matsubara"), data.mapped_from.data, res, data.beta)

    return write


def _write_matsubara_points(group, points: MatsubaraData, res: ContinuationResult, beta: float) -> None:
    """The Matsubara points the spectrum was fitted to, their errors and its backtransform there (chi2 is theirs)."""
    group.attrs["about"] = ("the Matsubara points the spectrum was fitted to (standard sign); the file's chi2 is "
                            "per real number of them: mean of ((Re, Im of G - backtransform) / G_err)^2")
    group["omega_n"] = points.omega_n
    group["G"] = np.asarray(points.values).reshape(-1)
    group["G_err"] = np.asarray(points.errors, float).reshape(-1)
    group["backtransform"] = backtransform(points.omega_n, res.weights, res.nu_model, beta, res.norm)


def write_spectrum_text(path: str | Path, out: ContinuationOutput, force: bool = False) -> Path:
    """ana_cont/ACFlow-style columns: omega, A(omega), error.

    The error is the band's standard deviation; without a band (no error bars,
    no bins) it is ``nan``, not 0 (which would read as exact), and the header
    says why.  ``numpy.loadtxt`` reads the table either way.
    """
    return atomic_write(path, text_writer(out), overwrite=force)


def text_writer(out: ContinuationOutput) -> Writer:
    """The function that writes :func:`write_spectrum_text`'s table to the path it is given."""
    res = out.result
    if out.band is not None:
        std = out.band.std
        column = f"error = std of the band ({out.band.method}, {out.band.n_samples} samples)"
    else:
        std = np.full_like(res.A, np.nan)
        why = "--draws 1" if out.method == "rlista" else "--draws 1, or too few MaxEnt samples succeeded"
        column = (f"error = nan: no error band ({why})" if res.chi2 is not None
                  else f"error = nan: no error band (the data have no error bars or bins; pass {option('err')})")
    header = (f"ac_learned {__version__} {out.method} model {res.model_card.get('name')} beta {out.data.beta:g} "
              f"chi2/N {res.chi2} reliable {res.reliable}\n{column}\nomega A(omega) error")
    table = np.column_stack([res.omega, res.A, std])
    return lambda p: np.savetxt(p, table, header=header)


def plot_output(path: str | Path, out: ContinuationOutput, force: bool = False) -> Path:
    """A figure of A(omega) with its band, and of the data against the backtransform.

    The format follows the suffix of ``path`` (``.png``, ``.pdf``, ``.svg``, ...:
    :func:`plot_format`).
    """
    return atomic_write(path, plot_writer(out, plot_format(path)), overwrite=force)


def plot_format(path: str | Path) -> str:
    """The figure format that ``path``'s suffix names (``png`` without one).

    Raises
    ------
    InputError
        For a suffix matplotlib cannot write.
    """
    from matplotlib.backend_bases import FigureCanvasBase

    suffix = Path(path).suffix.lower().lstrip(".")
    if not suffix:
        return "png"
    # pgf needs a LaTeX installation (it failed after the whole run in a user test)
    known = {k: v for k, v in FigureCanvasBase.get_supported_filetypes().items() if k != "pgf"}
    if suffix not in known:
        raise InputError(f"{option('plot', str(path))}: matplotlib cannot write '.{suffix}' figures; use one of "
                         f"{', '.join('.' + k for k in sorted(known))} (e.g. .png or .pdf)")
    return suffix


def plot_writer(out: ContinuationOutput, fmt: str = "png") -> Writer:
    """The function that draws :func:`plot_output`'s figure into the path it is given, in format ``fmt``."""
    return lambda tmp: _draw(out, tmp, fmt)


def _draw(out: ContinuationOutput, tmp: str, fmt: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    res, data = out.result, out.data
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    if out.band is not None:
        ax1.fill_between(res.omega, out.band.lower, out.band.upper, color="C0", alpha=0.3,
                         label=f"spread under the data's noise "
                               f"({'±1σ' if out.band.method == 'jackknife' else '16–84 %'}, {out.band.method}, "
                               f"{out.band.n_samples})")
    ax1.plot(res.omega, res.A, "C0", label=f"{out.method} ({res.model_card.get('name')})")
    ax1.set_xlabel("ω")
    ax1.set_ylabel("A(ω)")
    ax1.legend(fontsize=8)
    chi = "" if res.chi2 is None else f", χ²/N = {res.chi2:.3g}, reliable = {res.reliable}"
    ax1.set_title(f"{Path(str(data.path).split('::')[0]).name}: β = {data.beta:g}{chi}", fontsize=9)
    ax2.plot(data.grid, data.values, ".", ms=2, color="k", label="data")
    ax2.plot(data.grid, res.backtransform, "C1", lw=1, label="backtransform")
    ax2.set_xlabel("τ")
    ax2.set_ylabel("G(τ)")
    ax2.legend(fontsize=8)
    fig.tight_layout()
    try:
        fig.savefig(tmp, dpi=110, format=fmt)
    except (RuntimeError, ValueError) as exc:  # a backend that needs a missing tool, say
        raise InputError(f"the figure could not be written as .{fmt} ({exc}); give {option('plot')} a .png or "
                         ".pdf name; nothing was written") from None
    finally:
        plt.close(fig)


def _targets(out_h5: str | Path | None, plot: str | Path | None) -> list[tuple[str, Path]]:
    """(option, path) of every file ``continue_file`` would write."""
    targets = []
    if out_h5:
        targets += [("out_h5", Path(out_h5)), ("out_h5", Path(out_h5).with_suffix(".dat"))]
    if plot:
        targets.append(("plot", Path(plot)))
    return targets


def _same_file(a: Path, b: Path) -> bool:
    """Whether two spellings name one file (symlinks, ``..``, hard links)."""
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def _what(name: str, path: Path, out_h5: str | Path | None) -> str:
    """``--out X``, or ``the .dat beside --out X`` for the text table."""
    if name == "out_h5" and out_h5 is not None and path != Path(out_h5):
        return f"{path} (the text table written beside {option('out_h5', str(out_h5))})"
    return f"{path} ({option(name, str(path))})"


def check_targets(path: str | Path, out_h5: str | Path | None, plot: str | Path | None, force: bool) -> None:
    """Refuse outputs that would destroy the input, collide, sit in a missing folder, or exist without ``force``.

    Raises
    ------
    InputError
        Before anything is computed or written.
    """
    source = Path(path)
    if out_h5 is not None and Path(out_h5).suffix.lower() == ".dat":
        h5_name = option("out_h5", str(Path(out_h5).with_suffix(".h5")))
        raise InputError(f"{option('out_h5', str(out_h5))} names the HDF5 output; the .dat table is written beside "
                         f"it with the same name, so pass e.g. {h5_name}")
    targets = _targets(out_h5, plot)
    for name, target in targets:
        if _same_file(target, source):
            raise InputError(
                f"{_what(name, target, out_h5)} is the input file {source}: writing it would destroy the QMC "
                f"data, even with {option('force', True)}; choose another output name"
            )
    if plot is not None:
        plot_format(plot)
    for i, (name, target) in enumerate(targets):
        if any(_same_file(target, other) or target == other for _, other in targets[:i]):
            raise InputError(f"{_what(name, target, out_h5)} is also another output; give the outputs distinct names")
    for name, target in targets:
        folder = target.parent
        if not folder.is_dir():
            raise InputError(
                f"{_what(name, target, out_h5)}: the folder {folder} does not exist; create it first "
                "(it is not created for you) or choose another path"
            )
        try:  # a real write: permissions, read-only mounts and /proc-like folders all show here
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as exc:
            raise InputError(
                f"{_what(name, target, out_h5)}: the folder {folder} cannot be written ({exc.strerror or exc}); "
                "choose another path"
            ) from None
    if not force:
        existing = [str(t) for _, t in targets if t.exists() or t.is_symlink()]
        if existing:
            verb = "exists" if len(existing) == 1 else "exist"
            raise InputError(f"{', '.join(existing)} already {verb}; pass {option('force', True)} to overwrite")


#: An imaginary part of G(tau) above this fraction of the real part is reported when dropped.
IMAGINARY_PART_WARN_ABOVE = 1e-3


def _imaginary_part_warning(data: GreenData) -> list[str]:
    ratio = data.meta.get("dropped_imaginary_part")
    if ratio is None or ratio <= IMAGINARY_PART_WARN_ABOVE:
        return []
    return [f"the file's G(tau) has an imaginary part up to {ratio:.2g} of its real part; it was dropped. G(tau) "
            "of a diagonal element is real: a large imaginary part points to an off-diagonal element, a "
            "non-Hermitian one, or the wrong dataset"]


def sign_in_file_text(data: GreenData) -> str:
    """Which sign the file stored, in words (the data are held in the standard sign G <= 0 once loaded)."""
    stored = data.meta.get("sign_in_file")
    matsubara = bool(data.meta.get("from_matsubara"))
    if stored == "standard":
        return "G (Im G(i w_n) < 0), as continued" if matsubara else "G (G(tau) <= 0), as continued"
    if stored == "positive":
        return ("-G (Im G(i w_n) > 0), flipped to G on load" if matsubara
                else "-G (-G(tau) >= 0), flipped to G <= 0 on load")
    return str(stored or "unknown")


def _load_notes(data: GreenData, err: float | None) -> list[str]:
    """What the loader assumed or dropped, for the summary."""
    notes = []
    if data.meta.get("sign_in_file") == "positive":
        notes.append(f"the file stores {sign_in_file_text(data)}")
    if data.meta.get("auto_selected"):
        notes.append(f"axes of length 1 taken automatically: {', '.join(data.meta['auto_selected'])}")
    if err is not None and data.meta.get("errors_dropped"):
        notes.append(f"the file's error bars are not used ({data.meta['errors_dropped']}); "
                     f"{option('err', err)} replaces them")
    if data.meta.get("tau_grid_assumed"):
        notes.append(str(data.meta["tau_grid_assumed"]))
    if data.meta.get("negative_frequencies"):
        notes.append(str(data.meta["negative_frequencies"]))
    if data.meta.get("from_matsubara"):
        notes.append(str(data.meta["from_matsubara"]))
    if data.meta.get("errors_from") and err is None:
        notes.append(str(data.meta["errors_from"]))
    return notes


def _reliable_text(res: ContinuationResult, method: str) -> str:
    """The flag for the summary line; MaxEnt-flat has none (it fits the data by construction)."""
    if res.reliable is None:
        return "n/a (MaxEnt)" if method == "maxent" else "unknown"
    return str(res.reliable)


def _selection_text(selectors: dict | None) -> str:
    """``orbital=0, spin=up`` of what was chosen in the file (beta and grid are no selection)."""
    picked = {k: v for k, v in (selectors or {}).items() if k in ("block", "orbital", "spin", "k", "iteration")}
    return ", ".join(f"{k}={v}" for k, v in picked.items())


def continue_file(path: str | Path, out_h5: str | Path | None = None, plot: str | Path | None = None,
                  force: bool = False, selectors: dict | None = None, log=print, **kwargs) -> ContinuationOutput:
    """Load a QMC file, continue it, and write the requested outputs.

    Outputs are checked before any work (:func:`check_targets`): one that is the
    input file (under any spelling) is always refused, outputs in a folder that
    does not exist are refused, and existing ones unless ``force``.  ``out_h5``
    also gets a text table beside it (suffix ``.dat``).  With ``err`` given the
    file's own error bars are not needed (NaN ones, as in one-rank w2dynamics
    runs, are dropped); index axes of length 1 need no selector.  ``beta`` (for
    files without it) may be given as a keyword or in ``selectors``.
    """
    check_targets(path, out_h5, plot, force)
    if "beta" in kwargs:  # beta belongs to loading (files without it); accepted here as on the command line
        selectors = {**(selectors or {}), "beta": kwargs.pop("beta")}
    err = kwargs.get("err")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loaded = load(path, drop_bad_errors=err is not None, **(selectors or {}))
    ours = []  # what the loader warned of belongs to the result: printed as warnings and stored in the output
    for w in caught:
        if issubclass(w.category, ACLearnedWarning):
            ours.append(str(w.message))
        else:  # other packages' warnings go on as they came
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    out = continue_data(loaded, **kwargs)
    data = out.data  # with its length-1 axes dropped (continue_data squeezes)
    data.meta["selection"] = _selection_text(selectors)
    out.result.warnings[:0] = ours + _imaginary_part_warning(data)
    out.notes[:0] = _load_notes(data, err)  # printed and stored alike
    writers = []
    if out_h5:
        writers += [(out_h5, hdf5_writer(out)), (Path(out_h5).with_suffix(".dat"), text_writer(out))]
    if plot:
        writers.append((plot, plot_writer(out, plot_format(plot))))
    out.files += [str(p) for p in atomic_write_all(writers, overwrite=force)]  # all of them, or none
    res = out.result
    note = fit_note(res.chi2, out.method, fitted=res.fit_distance is not None)
    points = f"{len(data.grid)} tau points" + (f" mapped from {data.meta['matsubara_points']} Matsubara frequencies"
                                              if "matsubara_points" in data.meta else "")
    chosen = f" ({data.meta['selection']})" if data.meta["selection"] else ""
    log(f"{data.source} {data.path}{chosen}: beta = {data.beta:g}, {points}; model "
        f"{res.model_card.get('name')}; chi2/N = {_fmt_chi2(res.chi2)}"
        f"{_network_chi2_text(res)}; reliable = {_reliable_text(res, out.method)}{note}")
    for n in out.notes:
        log(f"note: {n}")
    for w in res.warnings:
        log(f"warning: {w}")
    for f in out.files:
        log(f"wrote {f}")
    if not out.files:
        log(f"nothing was written: pass {option('out_h5', placeholder='<file.h5>')} (HDF5 and a .dat table) "
            f"and/or {option('plot', placeholder='<file.png>')} to save the spectrum")
    return out
