"""The public entry points: :func:`solve` and :func:`neural_default_model`."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import matsubara_fit
from .cards import LoadedModel
from .conventions import detect_sign
from .covariance import checked_covariance, chi2_per_point_correlated, cholesky_factor
from .diagnostics import (
    AT_EDGE,
    COARSE_TAU,
    COARSE_TAU_LIMIT,
    COARSE_TAU_RESOLVED,
    EDGE_REGION,
    EDGE_WEIGHT_MAX,
    ERRORS_TOO_LARGE,
    ERRORS_TOO_LARGE_BELOW,
    FIT_FAILED,
    FIT_NOTE_ABOVE,
    NARROW_WINDOW,
    NARROW_WINDOW_WARN,
    NOISE_ABOVE_MODEL,
    NOISE_ADVICE_AUTO,
    NOISE_ADVICE_NAMED,
    NOISE_AVERAGED,
    OUTSIDE_GRID_PHRASE,
    RECOMMENDATION,
    WIDEN_AUTO,
    WIDEN_NAMED,
    chi2_per_point,
    end_spacing,
    errors_look_too_large,
    fit_failed,
    noise_above_model,
    threshold_for,
    weight_at_window_edge,
)
from .errors import InputError, real_array
from .grids import (
    Averaged,
    average_to_grid,
    noise_shrink,
    refine_near_zero,
    resample_to_x,
    resampling_error,
    trapezoid_weights,
    weights_on_grid,
    weights_to_density,
)
from .inference import make_backend
from .io._wording import option
from .kernels import fermionic_kernel_dimensionless
from .metrics import normalise_output
from .refine import broadened_share, fit_each, with_broadened_share
from .zoo import auto_x_grid, companion, noise_ceiling, resolve


@dataclass
class ContinuationResult:
    """What :func:`solve` returns.

    Attributes
    ----------
    omega : ndarray, shape (Nomega,)
    A : ndarray, shape (Nomega,) or (n, Nomega)
        Spectral density, ``int A d omega`` (trapezoid) equal to ``norm``.
    backtransform : ndarray, shape like the input ``g``
        ``G`` recomputed from the model's weights on the input tau grid, in the
        input's sign.
    chi2 : ndarray or float or None
        chi2 per tau point of the backtransform of ``A``, with the covariance
        when one was given (None without errors).
    reliable : bool or ndarray of bool or None
        False where ``chi2_network`` exceeds the model's calibrated threshold
        (the data are unlike the model's training set; on a grid denser than
        the model's, both taken at its resolution, see ``err`` of :func:`solve`),
        and where the
        spectrum fitted to the data still has chi2/N above
        :data:`ac_learned.diagnostics.FIT_NOTE_ABOVE` (no spectrum in the
        window fits the data) or more than 10 % of the weight lies in the
        outer tenth of the model's window (the spectrum reaches beyond it,
        :func:`ac_learned.diagnostics.weight_at_window_edge`), or where the
        data's relative noise (at the model's resolution) is above the largest the
        model was trained on (a named low-noise model on noisy data, or data
        noisier than any shipped model's training); None without ``err``.
    warnings : list of str
    model_card : dict
    norm : float or ndarray
        ``G(0) + G(beta)`` in the positive convention: extrapolated from the
        data, or, when the spectrum was fitted to the data, the fit's
        estimate from all tau points (:attr:`ac_learned.refine.FitReport.norm_scale`).
    sign_seen : {"standard", "positive"}
        Sign convention detected in the input.
    weights : ndarray
        The spectrum's normalised weights on ``nu_model`` (the network's
        output, fitted to the data when it was).
    nu_model : ndarray
        The model's grid; for a fitted spectrum, with its cells near
        ``nu = 0`` split where they are too coarse for the kernel's Fermi
        factor (:func:`ac_learned.grids.refine_near_zero`; V >= 1000 only).
    chi2_network : ndarray or float or None
        chi2 per tau point of the network's own output, before the data fit.
    fit_distance : ndarray or float or None
        ``||a - a_network|| / ||a_network||`` of the data fit (0 where the
        network already fitted; None when no fit was made).
    averaged_with : str or None
        With ``model="auto"`` and a fit to the data: the model whose output
        was averaged with the served model's as the fit's start (the same noise
        band of the next wider window, :func:`ac_learned.zoo.companion`).
    broadened_share : ndarray or float or None
        Share of the broadened network spectrum in the fit's start
        (:func:`ac_learned.refine.broadened_share`: 0.7 for precise data,
        relative error <= 1e-4, none at >= 3e-4); None when no fit was made.
    notes : list of str
        What was done that is no warning (e.g. the neural default model of a
        MaxEnt run made through the pipeline); empty for :func:`solve` itself.
    """

    omega: np.ndarray
    A: np.ndarray
    backtransform: np.ndarray
    chi2: np.ndarray | float | None
    reliable: np.ndarray | bool | None
    warnings: list[str] = field(default_factory=list)
    model_card: dict = field(default_factory=dict)
    norm: np.ndarray | float = 1.0
    sign_seen: str = "standard"
    weights: np.ndarray | None = None
    nu_model: np.ndarray | None = None
    chi2_network: np.ndarray | float | None = None
    fit_distance: np.ndarray | float | None = None
    averaged_with: str | None = None
    broadened_share: np.ndarray | float | None = None
    notes: list[str] = field(default_factory=list)


def checked_grid(name: str, arr, min_points: int) -> np.ndarray:
    """``arr`` as a real 1-D grid of at least ``min_points`` finite, strictly increasing points.

    Raises
    ------
    InputError
        Naming ``name`` and, for an unsorted grid, the first point that does not exceed its predecessor.
    """
    out = real_array(arr, f"{name} must be a 1-D array of real numbers (a complex grid is not accepted)")
    if out.ndim != 1 or out.size < min_points:
        raise InputError(f"{name} must be 1-D with at least {min_points} points, got shape {out.shape}")
    if not np.all(np.isfinite(out)):
        raise InputError(f"{name} must be a 1-D array of finite numbers (it holds NaN or inf)")
    steps = np.diff(out) <= 0
    if np.any(steps):
        first = int(np.argmax(steps))
        raise InputError(f"{name} must be strictly increasing, but point {first + 1} ({out[first + 1]:.6g}) does "
                         f"not exceed point {first} ({out[first]:.6g}); sort the points (and the data with them) and "
                         "drop duplicates")
    return out


def check_tau_covers_beta(tau: np.ndarray, beta: float) -> None:
    """Refuse a tau grid that leaves a gap at either end of ``[0, beta]``.

    ``G(0) + G(beta)`` normalises the data and the steep ends carry the
    high-frequency information, so both ends must be measured: each end gap
    (``tau[0]`` and ``beta - tau[-1]``) may be at most the grid's largest
    spacing (bin centres leave half a spacing, open grids one).  A larger gap
    is a wrong ``beta`` (e.g. the grid of another temperature) or half a grid.

    Raises
    ------
    InputError
    """
    widest = float(np.max(np.diff(tau)))
    gaps = (float(tau[0]), float(beta - tau[-1]))
    if max(gaps) <= widest * (1 + 1e-6) + 1e-12 * beta:
        return
    hint = (f" (the grid ends at {tau[-1]:.6g}: if that is beta, pass {option('beta', float(f'{tau[-1]:.6g}'))})"
            if gaps[1] > gaps[0] and gaps[0] <= widest else "")
    half = abs(tau[-1] - beta / 2) <= widest * (1 + 1e-6) and gaps[0] <= widest
    mirror = (" Data on [0, beta/2] only: mirror them to the full interval first (G(beta - tau) = G(tau) for a "
              "particle-hole symmetric G)") if half else ""
    raise InputError(
        f"tau covers [{tau[0]:.6g}, {tau[-1]:.6g}] but beta = {beta:.6g}: G(tau) is needed across [0, beta], "
        f"with no end gap wider than the grid's spacing ({widest:.4g}); check beta and the tau column{hint}."
        f"{mirror}"
    )


def validate_tau_input(tau, g, beta, err) -> tuple[np.ndarray, np.ndarray, float, np.ndarray | None]:
    """Check and convert the imaginary-time input of :func:`solve`.

    Returns ``tau`` (Ntau,), ``g`` (n, Ntau), ``beta`` and ``err`` broadcast to
    ``g``'s shape or None.
    """
    try:
        beta = float(beta)
    except (TypeError, ValueError):
        raise InputError(f"beta must be a positive number, got {beta!r}") from None
    if not np.isfinite(beta) or beta <= 0:
        raise InputError(f"beta must be a positive number, got {beta}")
    tau = checked_grid("tau", tau, 4)
    if tau[0] < -1e-10 * beta or tau[-1] > beta * (1 + 1e-10):
        raise InputError(f"tau must lie in [0, beta] = [0, {beta}], got [{tau[0]}, {tau[-1]}]; check beta")
    check_tau_covers_beta(tau, beta)
    g = real_array(g, "g must be real numbers; a complex G(tau) is accepted only with a negligible imaginary part "
                      "(<= 1e-8 of the real one); for Matsubara data use the ana_cont plugin", imag_tolerance=1e-8)
    if g.ndim not in (1, 2) or g.shape[-1] != tau.size:
        raise InputError(f"g must have shape (Ntau,) or (n, Ntau) with Ntau = {tau.size}, got {g.shape}")
    if not np.all(np.isfinite(g)):
        raise InputError("g contains NaN or inf")
    g2 = np.atleast_2d(g)
    if g2.shape[0] == 0:
        raise InputError("g holds no spectra (shape (0, Ntau)); pass at least one row")
    if err is not None:
        e = real_array(err, "err must be real, positive one-sigma error bars (a complex err is not accepted)")
        try:
            e = np.broadcast_to(e, g2.shape) if e.ndim < 2 else e
        except ValueError:
            raise InputError(f"err must be a scalar, shape (Ntau,) or {g2.shape}, got {np.shape(err)}") from None
        if e.shape != g2.shape:
            raise InputError(f"err must be a scalar, shape (Ntau,) or {g2.shape}, got {e.shape}")
        if not np.all(np.isfinite(e)) or np.any(e <= 0):
            raise InputError("err must be finite and strictly positive (one-sigma error bars)")
        err = e
    return tau, g2, beta, err


def relative_noise_estimate(g: np.ndarray, err: np.ndarray | None, tau: np.ndarray | None = None,
                            beta: float | None = None, x: np.ndarray | None = None,
                            resampled: np.ndarray | None = None, averaged: Averaged | None = None) -> float | None:
    """``max`` over spectra of the data's relative noise at a model's resolution, or None without errors.

    Without ``tau``, ``beta`` and the model's grid ``x``: ``median(err) / (|G(tau_0)| + |G(tau_last)|)``.
    With them, the median error is scaled by how much averaging the data to the resolution of ``x``
    lowers it (:func:`ac_learned.grids.noise_shrink`: 1 on grids no denser than ``x``, about 0.23 for
    10001 points and 128 Chebyshev points), because the network reads those averages; and the estimated
    error of resampling them onto ``x`` (:func:`ac_learned.grids.resampling_error`) is added in
    quadrature: on a coarse tau grid with a wide window it, not the QMC noise, limits the network's
    input.  The end points of a grid without ``tau = 0, beta`` underestimate ``G(0) + G(beta)``, so the
    estimate errs on the noisy side (towards the broad-noise model).  ``averaged``, when given, is
    :func:`ac_learned.grids.average_to_grid` of the data in the positive sign, and ``resampled`` its
    resampling onto ``x`` (each saves a computation).
    """
    if err is None:
        return None
    g = np.atleast_2d(g)
    norm = np.abs(g[:, 0]) + np.abs(g[:, -1])
    med = np.median(np.broadcast_to(err, g.shape), axis=1)
    if tau is not None and beta is not None and x is not None:
        if averaged is None:
            g_pos = g * np.where(g[:, :1] + g[:, -1:] < 0, -1.0, 1.0)  # the sign solve resamples in
            averaged = average_to_grid(tau, g_pos, beta, x, np.broadcast_to(err, g.shape))
        med = np.hypot(med * noise_shrink(averaged, beta, x),
                       resampling_error(averaged.tau, averaged.g, beta, x, full=resampled))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(norm > 0, med / norm, np.inf)
    return float(np.max(ratio))


def _model_input(tau: np.ndarray, g_pos: np.ndarray, beta: float, x: np.ndarray, err: np.ndarray | None,
                 cov: np.ndarray | None) -> tuple[Averaged, np.ndarray]:
    """The data (positive sign) averaged to the resolution of a model's grid ``x``, and resampled onto it.

    :func:`ac_learned.grids.average_to_grid` then :func:`ac_learned.grids.resample_to_x`: on a grid no
    denser than ``x`` the data themselves are resampled.
    """
    avg = average_to_grid(tau, g_pos, beta, x, err, cov)
    return avg, resample_to_x(avg.tau, avg.g, beta, x)


def _chi2_at_model_resolution(avg: Averaged, weights: np.ndarray, nu: np.ndarray, beta: float, norm: np.ndarray,
                              chi2_data: np.ndarray) -> np.ndarray:
    """chi2/N of the network's ``weights`` on the data averaged to the model's resolution.

    That is what its reliability threshold was calibrated on (its own grid, noise at that resolution);
    ``chi2_data`` (the chi2 on the data's points) where nothing was averaged, which is the same.
    """
    if not avg.grouped:
        return chi2_data
    back = weights @ fermionic_kernel_dimensionless(avg.tau / beta, nu).T
    return chi2_per_point(avg.g / norm[:, None], back, avg.err / norm[:, None])


def _calibrated_verdict(net: LoadedModel, chi2_calibrated: np.ndarray, sigma_rel: np.ndarray, averaged: bool,
                        warnings: list[str]) -> np.ndarray | None:
    """Whether the network's own chi2 is within its calibrated threshold at the noise ``sigma_rel``.

    None (and a warning) for a model without calibration; warns for the spectra beyond it.
    """
    thr = [threshold_for(net.card, s) for s in sigma_rel]
    if thr[0] is None:
        warnings.append(f"model {net.name} has no reliability calibration; reliable is not set")
        return None
    reliable = chi2_calibrated <= np.asarray(thr)
    if not np.all(reliable):
        where = (f" (chi2/N {float(np.max(chi2_calibrated[~reliable])):.3g} on the data averaged to the model's "
                 "resolution)" if averaged else "")
        warnings.append(f"{int(np.sum(~reliable))} of {reliable.size} spectra: the network's own chi2/N{where} is "
                        f"above its calibrated threshold ({max(thr):.3g}): " + RECOMMENDATION)
    return reliable


def _noise_verdict(net: LoadedModel, sigma_rel: np.ndarray, averaged: bool, model, single: bool,
                   warnings: list[str]) -> np.ndarray:
    """Spectra whose noise at the model's resolution is above what the model was trained on (warned).

    The advice names ``model='auto'`` only where another model was asked for: when ``"auto"`` chose
    this one, no shipped model was trained on such noise.
    """
    ceiling = noise_ceiling(net.card)
    too_noisy = noise_above_model(sigma_rel, ceiling)
    if np.any(too_noisy):
        prefix = "" if single else f"{int(too_noisy.sum())} of {too_noisy.size} spectra: "
        auto = isinstance(model, str) and model == "auto"
        warnings.append(prefix + NOISE_ABOVE_MODEL.format(
            sigma=float(sigma_rel[too_noisy].max()), name=net.name, ceiling=ceiling,
            where=NOISE_AVERAGED if averaged else "", advice=NOISE_ADVICE_AUTO if auto else NOISE_ADVICE_NAMED))
    return too_noisy


def _averaged(weights: np.ndarray, nu: np.ndarray, partner: LoadedModel, g_rel_model: np.ndarray, backend: str,
              device: str) -> np.ndarray:
    """The mean of ``weights`` (on ``nu``) and ``partner``'s normalised output, carried to ``nu``.

    ``partner`` (a wider window on the same x-grid) runs on the same resampled
    input ``g_rel_model``; its weight beyond ``nu`` is dropped before it is
    renormalised.
    """
    other = np.maximum(make_backend(partner, backend, device).run(g_rel_model), 0.0)
    keep = np.abs(partner.nu) <= nu[-1] * (1 + 1e-12)
    other = normalise_output(weights_on_grid(other[:, keep], partner.nu[keep], nu))
    if np.any(other.sum(axis=1) <= 0):
        return weights
    return 0.5 * (weights + other)


def _fitted(weights: np.ndarray, nu: np.ndarray, x: np.ndarray, g_rel: np.ndarray, err_rel: np.ndarray,
            cov_rel: np.ndarray | None, share: np.ndarray, target: tuple | None = None
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The network's weights fitted to the data (:func:`ac_learned.refine.fit_each`).

    The fit runs on ``nu`` with its cells near 0 split where they are too coarse
    for the kernel's Fermi factor (:func:`ac_learned.grids.refine_near_zero`),
    from the network's weights mixed with their broadened copy, ``share`` per
    spectrum (:func:`ac_learned.refine.with_broadened_share`).  ``g_rel`` and the errors
    (``err_rel``, or ``cov_rel`` of shape (n, Ntau, Ntau)) are relative to the
    data's ``G(0) + G(beta)``.  ``target`` = (rows(nu), data, errors), relative to the same: the
    Matsubara data to fit instead (:mod:`ac_learned.matsubara_fit`), with the sum of the weights left
    to them.

    Returns
    -------
    weights, nu, kernel, distance, norm_scale
        The fitted weights on the (possibly refined) grid ``nu``, the kernel
        on it, and :func:`ac_learned.refine.fit_each`'s distance (from the
        fit's start) and normalisation correction per spectrum.
    """
    fine = refine_near_zero(nu)
    if fine.size > nu.size:
        weights, nu = weights_on_grid(weights, nu, fine), fine
    weights = with_broadened_share(weights, nu, share)
    kernel = fermionic_kernel_dimensionless(x, nu)
    if target is not None:
        rows, data_rel, errors_rel = target
        weights, distance, norm_scale = fit_each(weights, rows(nu), data_rel, errors_rel, norm_error=np.inf)
    elif cov_rel is None:
        weights, distance, norm_scale = fit_each(weights, kernel, g_rel, err_rel)
    else:
        weights, distance, norm_scale = fit_each(weights, kernel, g_rel, cov=cov_rel)
    return weights, nu, kernel, distance, norm_scale


def solve(
    tau,
    g,
    beta: float,
    omega,
    err=None,
    model: str = "auto",
    backend: str = "auto",
    device: str = "cpu",
    fit_data: bool = True,
    cov=None,
    matsubara=None,
) -> ContinuationResult:
    """Continue fermionic ``G(tau)`` to ``A(omega)`` with a learned optimizer.

    Parameters
    ----------
    tau : array_like, shape (Ntau,)
        Strictly increasing imaginary times in [0, beta]; uniform with or
        without end points, bin centres, or any other increasing grid.
    g : array_like, shape (Ntau,) or (n, Ntau)
        ``G(tau)`` in the standard sign (``<= 0``) or the positive one; the
        sign seen is reported in ``sign_seen`` and kept in ``backtransform``.
    beta : float
        Inverse temperature, same units as ``1 / omega``.
    omega : array_like, shape (Nomega,)
        Strictly increasing real-frequency grid (non-uniform allowed).
    err : float or array_like, optional
        One-sigma errors of ``g`` (scalar, (Ntau,) or (n, Ntau)); needed for
        chi2 and the reliability flag.  On a tau grid denser than the model's
        (say 10001 points), the network reads the data averaged to its
        grid's resolution (:func:`ac_learned.grids.average_to_grid`), and the
        noise compared with what the model was trained on (the choice of
        ``model="auto"``, the calibrated threshold and the noise flag of
        ``reliable``) is the noise of those averages; the fit to the data and
        ``chi2`` use every point.
    model : str
        ``"auto"`` (chosen by ``beta * max|omega|``), a shipped model's name,
        or the path of a model card.
    backend : {"auto", "numpy", "torch"}
    device : str
        ``"cpu"`` or ``"cuda[:N]"`` (torch backend).
    fit_data : bool
        With ``err``, move the network's spectrum the least needed to fit the
        data to chi2/N = 1 with no run of tau points misfit beyond chance
        (:func:`ac_learned.refine.fit_to_data`, about 2-80 ms per spectrum);
        False returns the network's own output (microseconds).  With
        ``model="auto"`` the fit starts from the average of the served
        network's spectrum and that of the same noise band of the next wider
        window (:func:`ac_learned.zoo.companion`; ``averaged_with`` names it).
    cov : array_like, shape (Ntau, Ntau), optional
        Covariance of ``g`` (the same for every row) instead of ``err``, for
        errors correlated in tau (QMC bins): the fit and ``chi2`` then use
        ``r^T cov^{-1} r / Ntau``; the noise band of ``model="auto"`` and the
        reliability flag (calibrated on independent errors) use
        ``sqrt(diag(cov))`` and ``chi2_network`` stays the diagonal chi2.
    matsubara : MatsubaraData or (omega_n, G(i omega_n), errors), optional
        The Matsubara data that ``g`` was mapped from
        (:func:`ac_learned.matsubara.matsubara_to_tau`; ``G`` in the sign of
        ``g``, one row per row of ``g``, errors of the real and of the
        imaginary part).  With ``err`` and ``fit_data`` the network's spectrum
        (read from ``g``) is fitted to these data themselves instead of to
        ``g``, whose map can be biased by its fitted tail, and ``chi2`` is
        per real number of them (chi2 / 2Nw); :mod:`ac_learned.matsubara_fit`.

    Returns
    -------
    ContinuationResult
    """
    if cov is not None and err is not None:
        raise InputError("pass err (independent errors) or cov (correlated ones), not both")
    if matsubara is not None and cov is not None:
        raise InputError("matsubara data are fitted with their own independent errors; pass err for g, not cov")
    if cov is not None:
        cov = checked_covariance(cov, np.size(tau))
        chol = cholesky_factor(cov)
        err = np.sqrt(np.diag(cov))
    tau, g2, beta, err2 = validate_tau_input(tau, g, beta, err)
    omega = checked_grid("omega", omega, 2)
    single = np.ndim(g) == 1
    v_required = beta * float(np.max(np.abs(omega)))
    warnings: list[str] = []
    spacing = end_spacing(tau, beta)
    if spacing * v_required / beta > COARSE_TAU_LIMIT:
        warnings.append(COARSE_TAU.format(spacing=spacing, resolved=COARSE_TAU_RESOLVED / spacing))
    sign = detect_sign(g2)
    iw = None if matsubara is None else matsubara_fit.checked(matsubara, g2.shape[0], beta, sign)
    g_pos = -g2 if sign == "standard" else g2
    grid_x = auto_x_grid(v_required) if (model == "auto" and err2 is not None) else None
    # model="auto" with errors averages and resamples onto the window's grid once: for the noise estimate and
    # the network (the noise bands of one window share its grid)
    avg = g_model = None
    if grid_x is not None:
        avg, g_model = _model_input(tau, g_pos, beta, grid_x, err2, cov)
    net = resolve(model, v_required, relative_noise_estimate(g2, err2, tau, beta, grid_x, g_model, avg))
    if v_required > net.v_max * (1 + 1e-9):
        warnings.append(
            f"omega reaches beta*|omega| = {v_required:.4g} beyond model {net.name}'s window V = {net.v_max:.4g}: "
            f"A is zero for |omega| > {net.v_max / beta:.4g}; use model='auto' or a model with V >= {v_required:.4g}"
        )

    if g_model is None or not np.array_equal(grid_x, net.x):
        avg, g_model = _model_input(tau, g_pos, beta, net.x, err2, cov)
    norm = g_model[:, 0] + g_model[:, -1]
    if np.any(norm <= 0):
        raise InputError(
            "G(0) + G(beta) extrapolated from the data is not of the expected sign (or is zero); "
            "is this a diagonal fermionic G(tau)? Off-diagonal elements G_ij (i != j) carry no net spectral "
            "weight and cannot be continued to a positive A; continue diagonal elements"
        )
    weights = normalise_output(make_backend(net, backend, device).run(g_model / norm[:, None]))
    if np.any(weights.sum(axis=1) <= 0):
        raise InputError("the network returned no spectral weight; the data are far outside its training set")

    nu = net.nu
    kernel = fermionic_kernel_dimensionless(tau / beta, nu)
    chi2_net = chi2_calibrated = fit_distance = averaged_with = share = None
    if err2 is not None:
        g_rel, err_rel = g_pos / norm[:, None], err2 / norm[:, None]
        chi2_net = chi2_per_point(g_rel, weights @ kernel.T, err_rel)
        chi2_calibrated = _chi2_at_model_resolution(avg, weights, nu, beta, norm, chi2_net)
        if fit_data:
            cov_rel = None if cov is None else cov[None] / norm[:, None, None] ** 2
            partner = companion(net) if model == "auto" else None
            if partner is not None:
                weights = _averaged(weights, nu, partner, g_model / norm[:, None], backend, device)
                averaged_with = partner.name
            share = broadened_share(np.median(err_rel, axis=1))
            target = None
            if iw is not None:
                target = (lambda grid: matsubara_fit.kernel_rows(iw.omega_n, grid, beta),
                          matsubara_fit.stacked(iw.values, sign) / norm[:, None],
                          np.concatenate([iw.errors, iw.errors], axis=1) / norm[:, None])
            weights, nu, kernel, fit_distance, norm_scale = _fitted(weights, nu, tau / beta, g_rel, err_rel, cov_rel,
                                                                    share, target)
            norm = norm * norm_scale

    widen = WIDEN_AUTO if isinstance(model, str) and model == "auto" else WIDEN_NAMED
    edge_share = weight_at_window_edge(weights, nu, net.v_max)
    at_edge = edge_share > EDGE_WEIGHT_MAX
    if np.any(at_edge):
        prefix = "" if single else f"{int(at_edge.sum())} of {at_edge.size} spectra: "
        warnings.append(prefix + AT_EDGE.format(share=float(edge_share.max()), outer=1 - EDGE_REGION,
                                                omega_max=net.v_max / beta, widen=widen))

    dens = weights_to_density(weights, nu, beta, omega, norm)
    # what A on the user's grid holds (the model's grid points inside it miss the cells cut by its ends)
    outside = np.clip(1.0 - (dens @ trapezoid_weights(omega)) / norm, 0.0, 1.0)
    if np.any(outside > 0.01):
        warnings.append(
            f"up to {100 * outside.max():.1f}% {OUTSIDE_GRID_PHRASE} "
            f"[{omega[0]:.4g}, {omega[-1]:.4g}]: A on the grid integrates to the rest (res.norm is the "
            f"total); widen omega to see it"
        )
    window_in_temperatures = beta * float(np.max(np.abs(omega)))
    if window_in_temperatures < NARROW_WINDOW_WARN:
        warnings.append(NARROW_WINDOW.format(v=window_in_temperatures, warn=NARROW_WINDOW_WARN))
    back_pos = norm[:, None] * (weights @ kernel.T)
    back = -back_pos if sign == "standard" else back_pos

    chi2 = reliable = None
    if err2 is not None:
        chi2 = chi2_per_point(g2, back, err2) if cov is None else chi2_per_point_correlated(g2, back, chol)
        if iw is not None and fit_distance is not None:  # fitted to the Matsubara data: chi2 on them
            chi2 = matsubara_fit.chi2_per_point(iw, weights, nu, beta, norm, sign)
        # the data's noise at the model's resolution: what its card's noise levels and thresholds are about
        shrink = noise_shrink(avg, beta, net.x)
        sigma_rel = np.median(err2, axis=1) / norm * shrink
        reliable = _calibrated_verdict(net, chi2_calibrated, sigma_rel, avg.grouped, warnings)
        too_noisy = _noise_verdict(net, sigma_rel, bool(np.any(shrink < 0.99)), model, single, warnings)
        if reliable is not None:
            reliable = reliable & ~at_edge & ~too_noisy
        if fit_distance is not None:
            failed = fit_failed(chi2)
            if np.any(failed):
                if reliable is not None:
                    reliable = reliable & ~failed
                prefix = "" if single else f"{int(failed.sum())} of {failed.size} spectra: "
                warnings.append(prefix + FIT_FAILED.format(chi2=float(chi2[failed].max()), limit=FIT_NOTE_ABOVE,
                                                           omega_max=net.v_max / beta, widen=widen))
            too_good = errors_look_too_large(chi2)
            if np.any(too_good):
                prefix = "" if single else f"{int(too_good.sum())} of {too_good.size} spectra: "
                worst = float(chi2[too_good].min())
                warnings.append(prefix + ERRORS_TOO_LARGE.format(chi2=worst, limit=ERRORS_TOO_LARGE_BELOW,
                                                                 factor=1.0 / np.sqrt(max(worst, 1e-12))))
    else:
        warnings.append("no err given: chi2, the fit to the data and the reliability flag need the data's error bars")

    def unbatch(arr):
        return arr[0] if (single and arr is not None) else arr

    return ContinuationResult(
        omega=omega,
        A=unbatch(dens),
        backtransform=unbatch(back),
        chi2=None if chi2 is None else (float(chi2[0]) if single else chi2),
        reliable=None if reliable is None else (bool(reliable[0]) if single else reliable),
        warnings=warnings,
        model_card=net.card,
        norm=float(norm[0]) if single else norm,
        sign_seen=sign,
        weights=unbatch(weights),
        nu_model=nu,
        chi2_network=None if chi2_net is None else (float(chi2_net[0]) if single else chi2_net),
        fit_distance=None if fit_distance is None else (float(fit_distance[0]) if single else fit_distance),
        averaged_with=averaged_with,
        broadened_share=None if share is None else (float(share[0]) if single else share),
    )


def check_default_mix(flat_weight: float, floor: float) -> None:
    """Refuse a flat share or floor of a neural default model outside ``[0, 1]`` (:class:`InputError`)."""
    for name, value in (("flat_weight", flat_weight), ("floor", floor)):
        if not 0.0 <= float(value) <= 1.0:
            raise InputError(f"{name} must lie in [0, 1], got {value}")


def default_model_from_spectrum(A: np.ndarray, omega: np.ndarray, flat_weight: float = 0.05,
                                floor: float = 1e-4, broadened_share: np.ndarray | float = 0.0,
                                beta: float | None = None) -> np.ndarray:
    """Turn a spectrum into a strictly positive default model with unit integral.

    ``A`` is first mixed with its broadened copy, ``broadened_share`` of it
    (:func:`ac_learned.refine.with_broadened_share` on ``nu = beta * omega``,
    the same mix as the fit's default model); then
    ``D = (1 - flat_weight) * A / int A + flat_weight / width``, floored at
    ``floor * max(D)`` and renormalised.  The flat share lets MaxEnt put weight
    where the network put none (a zero in a default model pins MaxEnt's
    spectrum to zero there); the floor keeps ``log(A / D)`` finite.

    Parameters
    ----------
    A : ndarray, shape (Nomega,) or (n, Nomega)
        Non-negative spectral densities on ``omega``.
    omega : ndarray, shape (Nomega,)
    flat_weight, floor : float
    broadened_share : float or ndarray, shape (n,)
        Share of the broadened spectrum, in ``[0, 1]``; needs ``beta`` when > 0.
    beta : float, optional
        Inverse temperature (the broadening's width is set in ``beta * omega``).
    """
    check_default_mix(flat_weight, floor)
    w = trapezoid_weights(omega)
    A2 = np.atleast_2d(A)
    A2 = A2 / (A2 @ w)[:, None]
    A2 = density_with_broadened_share(A2, omega, broadened_share, beta)
    flat = 1.0 / (omega[-1] - omega[0])
    d = (1 - flat_weight) * A2 + flat_weight * flat
    d = np.maximum(d, floor * d.max(axis=1, keepdims=True))
    d = d / (d @ w)[:, None]
    return d[0] if np.ndim(A) == 1 else d


def density_with_broadened_share(A: np.ndarray, omega: np.ndarray, share: np.ndarray | float,
                                 beta: float | None) -> np.ndarray:
    """Densities ``A`` (Nomega,) or (n, Nomega) on ``omega`` mixed with their copy broadened in ``beta * omega``.

    :func:`ac_learned.refine.with_broadened_share` on the weights ``A * dω``;
    Always 2-D; ``A`` itself (as 2-D) when ``share`` is 0.
    """
    if not np.any(np.asarray(share) > 0):
        return np.atleast_2d(A)
    if beta is None:
        raise InputError("a broadened default model needs beta (its width is set in beta * omega)")
    w = trapezoid_weights(omega)
    return with_broadened_share(np.atleast_2d(A) * w, beta * np.asarray(omega, float), share) / w


def neural_default_model(tau, g, beta: float, omega, err=None, model: str = "auto",
                         flat_weight: float = 0.05, floor: float = 1e-4,
                         broadened_share: float | str = "auto", cov=None, backend: str = "auto",
                         device: str = "cpu") -> np.ndarray:
    """The network's spectrum as a MaxEnt default model.

    The network's own output (``solve(..., fit_data=False)``), as in the paper's
    RLISTA+: MaxEnt then does the fitting to the data.

    Parameters
    ----------
    tau, g, beta, omega, err, model, cov, backend, device
        As for :func:`solve` (``cov``: its diagonal sets the data's noise level
        for ``model="auto"`` and ``broadened_share="auto"``).
    flat_weight : float
        Share of a flat model mixed in (see :func:`default_model_from_spectrum`).
    floor : float
        Lower bound relative to the maximum.
    broadened_share : float or "auto"
        Share of the network's spectrum broadened in ``beta * omega``
        (:func:`ac_learned.refine.broadened`); ``"auto"`` (default) takes the
        share of the fit's default model for the data's relative error
        (:func:`ac_learned.refine.broadened_share`: 0.7 for precise data), none
        without ``err``.  0 is the paper's RLISTA+ default (the raw network).

    Returns
    -------
    ndarray, shape (Nomega,) or (n, Nomega)
        Strictly positive, ``int D d omega = 1`` (trapezoid) on ``omega``: a
        density in omega.  ana_cont's MaxEnt with a time kernel integrates over
        ``beta * omega`` and wants the data's norm, so its ``model=`` is
        ``norm * D / beta``: :func:`ac_learned.ana_cont.neural_default` returns
        exactly that for an ana_cont problem (and ``method="rlista+"`` uses it).
    """
    res = solve(tau, g, beta, omega, err=err, model=model, backend=backend, device=device, fit_data=False,
                cov=cov)
    noise = err if cov is None else np.sqrt(np.diag(np.asarray(cov, float)))
    share = default_broadened_share(broadened_share, res.norm, noise, np.shape(g)[-1])
    return default_model_from_spectrum(res.A, res.omega, flat_weight, floor, share, beta)


def default_broadened_share(choice: float | str, norm, err, n_tau: int) -> np.ndarray | float:
    """The broadened share of a neural default model: ``choice`` itself, or by noise level for ``"auto"``.

    Parameters
    ----------
    choice : float or "auto"
        A share in ``[0, 1]``, or ``"auto"``: :func:`ac_learned.refine.broadened_share`
        of ``median(err) / norm`` (the share the fit uses for such data), 0 when
        ``err`` is None.
    norm : float or ndarray, shape (n,)
        ``G(0) + G(beta)`` of the data (``ContinuationResult.norm``).
    err : float or ndarray or None
        The data's one-sigma errors on the tau grid.
    n_tau : int
    """
    if isinstance(choice, str):
        if choice != "auto":
            raise InputError(f"broadened_share must be a number in [0, 1] or 'auto', got {choice!r}")
        if err is None:  # the data's precision is unknown: the network's own spectrum
            return 0.0
        e = np.asarray(err, float)
        med = np.median(np.broadcast_to(e, np.broadcast_shapes(e.shape, (n_tau,))), axis=-1)
        return broadened_share(med / np.abs(np.asarray(norm, float)))
    share = float(choice)
    if not 0.0 <= share <= 1.0:
        raise InputError(f"broadened_share must lie in [0, 1], got {choice!r}")
    return share
