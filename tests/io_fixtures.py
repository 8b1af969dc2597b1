"""Small files in every layout ``ac_learned.io`` reads, all from one physical model.

The model: A(w) = 0.4 N(w; -1, 0.5) + 0.6 N(w; 1.5, 0.7) (normalised, optionally
shifted by ``shift`` for orbitals / k-points), beta = 10, and

    G(tau)   = -int exp(-tau w) / (1 + exp(-beta w)) A(w) dw      (G <= 0)
    G(i w_n) =  int A(w) / (i w_n - w) dw

by trapezoid quadrature on a fine w grid, with the kernel written so that it
never overflows for either sign of w. Each ``write_*`` function mimics one
producer's layout with h5py (or plain text) and returns a :class:`Fixture`:
the path, the keyword arguments that load one element, and the shift of that
element, so a test can compare what the loader returns with ``g_tau(grid, shift)``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np

BETA = 10.0
NTAU = 41  # tau points of TRIQS-like meshes (both ends included)
NIW = 24  # positive Matsubara frequencies
_W = np.linspace(-16.0, 16.0, 8001)
_STR = h5py.string_dtype()


def spectrum(w: np.ndarray, shift: float = 0.0) -> np.ndarray:
    """A(w): two normalised Gaussians, shifted by ``shift``."""
    x = np.asarray(w) - shift
    g1 = np.exp(-((x + 1.0) ** 2) / (2 * 0.5**2)) / (np.sqrt(2 * np.pi) * 0.5)
    g2 = np.exp(-((x - 1.5) ** 2) / (2 * 0.7**2)) / (np.sqrt(2 * np.pi) * 0.7)
    return 0.4 * g1 + 0.6 * g2


def _kernel(tau: np.ndarray, w: np.ndarray, beta: float) -> np.ndarray:
    """exp(-tau w) / (1 + exp(-beta w)) without overflow for any sign of w."""
    tau = np.asarray(tau, dtype=float)[:, None]
    w = np.asarray(w, dtype=float)[None, :]
    expo = np.where(w >= 0, -tau * w, (beta - tau) * w) - np.log1p(np.exp(-beta * np.abs(w)))
    return np.exp(expo)


def g_tau(tau: np.ndarray, shift: float = 0.0, beta: float = BETA) -> np.ndarray:
    """Standard-sign G(tau) <= 0 of the model."""
    return -np.trapezoid(_kernel(tau, _W, beta) * spectrum(_W, shift)[None, :], _W, axis=1)


def g_iw(wn: np.ndarray, shift: float = 0.0) -> np.ndarray:
    """G(i w_n) of the model (standard sign, Im G < 0 for w_n > 0)."""
    wn = np.asarray(wn, dtype=float)[:, None]
    return np.trapezoid(spectrum(_W, shift)[None, :] / (1j * wn - _W[None, :]), _W, axis=1)


def matsubara(n: int, beta: float = BETA, both: bool = False) -> np.ndarray:
    """Fermionic frequencies (2m+1) pi / beta, m = 0..n-1 (or -n..n-1)."""
    m = np.arange(-n, n) if both else np.arange(n)
    return (2 * m + 1) * np.pi / beta


@dataclass
class Fixture:
    """A written file and how to load one element of it."""

    path: str
    kwargs: dict = field(default_factory=dict)
    shift: float = 0.0
    kind: str = "tau"
    sign_in_file: str = "standard"


def _c2(z: np.ndarray) -> np.ndarray:
    """Complex to a trailing axis of 2 (TRIQS / ALPSCore storage)."""
    z = np.asarray(z, dtype=complex)
    return np.stack([z.real, z.imag], axis=-1)


def _compound(z: np.ndarray) -> np.ndarray:
    """Complex to the HDF5.jl compound {r, i}."""
    z = np.asarray(z, dtype=complex)
    out = np.empty(z.shape, dtype=[("r", "<f8"), ("i", "<f8")])
    out["r"], out["i"] = z.real, z.imag
    return out


# ----------------------------------------------------------------- TRIQS


def _triqs_mesh_new(grp: h5py.Group, kind: str, n: int, stat: str = "F", positive_only: bool = False) -> None:
    mesh = grp.create_group("mesh")
    mesh.attrs["Format"] = "MeshImTime" if kind == "tau" else "MeshImFreq"
    mesh["beta"] = BETA
    mesh.create_dataset("statistic", data=stat, dtype=_STR)
    if kind == "tau":
        mesh["n_tau"] = n
    else:
        mesh["size"] = n
        mesh["positive_freq_only"] = int(positive_only)


def _triqs_gf(parent: h5py.Group, name: str, data: np.ndarray, kind: str, stat: str = "F",
              positive_only: bool = False) -> h5py.Group:
    g = parent.create_group(name)
    g.attrs["Format"] = "Gf"
    _triqs_mesh_new(g, kind, data.shape[0], stat, positive_only)
    ds = g.create_dataset("data", data=_c2(data))
    ds.attrs["__complex__"] = "1"
    return g


def _matrix(diag: np.ndarray, off: float = 0.05) -> np.ndarray:
    """(n, 2, 2) with ``diag`` on the diagonal and a small off-diagonal part."""
    out = np.zeros(diag.shape + (2, 2), dtype=complex)
    out[:, 0, 0] = out[:, 1, 1] = diag
    out[:, 0, 1] = out[:, 1, 0] = off * diag
    return out


def write_triqs(path: str | os.PathLike) -> Fixture:
    """TRIQS >= 3.2: BlockGf ``G_tau`` (up/down, 2x2) and scalar Gf ``G_iw`` (all frequencies)."""
    tau = np.linspace(0, BETA, NTAU)
    with h5py.File(path, "w") as f:
        blk = f.create_group("G_tau")
        blk.attrs["Format"] = "BlockGf"
        blk.create_dataset("block_names", data=["up", "down"], dtype=_STR)
        _triqs_gf(blk, "up", _matrix(g_tau(tau)), "tau")
        _triqs_gf(blk, "down", _matrix(g_tau(tau, 0.3)), "tau")
        wn = matsubara(NIW, both=True)
        _triqs_gf(f, "G_iw", g_iw(wn), "iw")
        _triqs_gf(f, "chi_tau", g_tau(tau) ** 2, "tau", stat="B")
    return Fixture(str(path), {"block": "G_tau/up", "orbital": 0})


def write_triqs_cthyb(path: str | os.PathLike) -> Fixture:
    """A whole cthyb solver saved: ``solver/container_set/G_tau`` with one block."""
    tau = np.linspace(0, BETA, NTAU)
    with h5py.File(path, "w") as f:
        cs = f.create_group("solver").create_group("container_set")
        blk = cs.create_group("G_tau")
        blk.attrs["Format"] = "BlockGf"
        _triqs_gf(blk, "up_0", g_tau(tau, 0.2)[:, None, None], "tau")
    return Fixture(str(path), {}, shift=0.2)


def write_triqs_iw(path: str | os.PathLike, positive_only: bool = False) -> Fixture:
    """A scalar Gf on a MeshImFreq."""
    wn = matsubara(NIW, both=not positive_only)
    with h5py.File(path, "w") as f:
        _triqs_gf(f, "G_iw", g_iw(wn, 0.1), "iw", positive_only=positive_only)
    return Fixture(str(path), {}, shift=0.1, kind="iw")


def write_triqs_2x(path: str | os.PathLike) -> Fixture:
    """TRIQS 2.x - 3.1: ``mesh/domain/{beta, statistic}`` and ``mesh/{min, max, size}``."""
    tau = np.linspace(0, BETA, NTAU)
    with h5py.File(path, "w") as f:
        g = f.create_group("G")
        g.attrs["Format"] = "Gf"
        mesh = g.create_group("mesh")
        mesh.attrs["Format"] = "MeshImTime"
        dom = mesh.create_group("domain")
        dom["beta"] = BETA
        dom.create_dataset("statistic", data="F", dtype=_STR)
        mesh["min"], mesh["max"], mesh["size"] = 0.0, BETA, NTAU
        ds = g.create_dataset("data", data=_c2(_matrix(g_tau(tau, -0.2))))
        ds.attrs["__complex__"] = 1
        g.create_group("singularity")
    return Fixture(str(path), {"orbital": (1, 1)}, shift=-0.2)


def write_triqs_legacy(path: str | os.PathLike) -> Fixture:
    """TRIQS 1.x: ``TRIQS_HDF5_data_scheme``, real data, half-bin linear mesh (kind 0)."""
    n = 40
    tau = (np.arange(n) + 0.5) * BETA / n
    with h5py.File(path, "w") as f:
        blk = f.create_group("G_tau")
        blk.attrs["TRIQS_HDF5_data_scheme"] = np.bytes_(b"BlockGf")
        g = blk.create_group("imp")
        g.attrs["TRIQS_HDF5_data_scheme"] = np.bytes_(b"GfImTime")
        mesh = g.create_group("mesh")
        mesh.attrs["TRIQS_HDF5_data_scheme"] = np.bytes_(b"MeshImTime")
        dom = mesh.create_group("domain")
        dom["beta"] = BETA
        dom["statistic"] = np.bytes_(b"F")
        mesh["min"], mesh["max"], mesh["size"], mesh["kind"] = 0.0, BETA, n, 0
        g["data"] = g_tau(tau, 0.4)[:, None, None]
    return Fixture(str(path), {}, shift=0.4)


def write_triqs_mesh(path: str | os.PathLike, mesh_format: str) -> Fixture:
    """A Gf on an unsupported mesh (``MeshDLRImTime``, ``MeshLegendre``, ``MeshProduct``)."""
    with h5py.File(path, "w") as f:
        g = f.create_group("G")
        g.attrs["Format"] = "Gf"
        mesh = g.create_group("mesh")
        mesh.attrs["Format"] = mesh_format
        mesh["beta"] = BETA
        ds = g.create_dataset("data", data=_c2(np.ones((12, 1, 1))))
        ds.attrs["__complex__"] = "1"
    return Fixture(str(path))


# ------------------------------------------------------------ w2dynamics


def w2d_taubin(n: int) -> np.ndarray:
    return (np.arange(n) + 0.5) * BETA / n


def write_w2dynamics(path: str | os.PathLike, one_rank: bool = False) -> Fixture:
    """Two DMFT iterations; gtau (-G, bin centres), gtau-full, giw-full; ``dmft-last`` link."""
    ntau, nb, ns = 50, 2, 2
    tau = w2d_taubin(ntau)
    wn = matsubara(NIW, both=True)
    with h5py.File(path, "w") as f:
        f.attrs["outfile-version"] = np.array([2, 2])
        cfg = f.create_group(".config")
        cfg.attrs["general.beta"] = BETA
        cfg.attrs["qmc.ntau"] = ntau
        cfg.attrs["qmc.niw"] = NIW
        ax = f.create_group(".axes")
        ax["taubin"] = tau
        ax["tau"] = np.linspace(0, BETA, ntau)
        ax["iw"] = wn
        for it, extra in ((1, 0.5), (2, 0.0)):
            ineq = f.create_group(f"dmft-{it:03d}").create_group("ineq-001")
            gt = np.zeros((nb, ns, ntau))
            for b in range(nb):
                for s in range(ns):
                    gt[b, s] = -g_tau(tau, 0.1 * b + extra)  # w2dynamics stores -G >= 0
            grp = ineq.create_group("gtau")
            grp["value"] = gt
            grp["error"] = np.full(gt.shape, np.nan if one_rank else 1e-4)
            full = np.zeros((nb, ns, nb, ns, ntau))
            for b in range(nb):
                for s in range(ns):
                    full[b, s, b, s] = gt[b, s]
            ineq.create_group("gtau-full")["value"] = full
            giw = np.zeros((nb, ns, nb, ns, 2 * NIW), dtype=complex)
            for b in range(nb):
                for s in range(ns):
                    giw[b, s, b, s] = g_iw(wn, 0.1 * b + extra)
            grp = ineq.create_group("giw-full")
            grp["value"] = giw
            grp["error"] = np.full(giw.shape, 1e-4)
        f["dmft-last"] = h5py.SoftLink("/dmft-002")
        f.create_group("start")
    return Fixture(str(path), {"block": "gtau", "orbital": 1, "spin": "up"}, shift=0.1, sign_in_file="positive")


# ----------------------------------------------------------------- ALPS


def write_alpscore(path: str | os.PathLike) -> Fixture:
    """ALPSCore CT-HYB ``/gtau``: data (n_tau+1, nf, nf, 2), meshes itime x index x index."""
    nf, n = 2, 61
    tau = np.arange(n) * BETA / (n - 1)
    data = np.zeros((n, nf, nf), dtype=complex)
    for i in range(nf):
        data[:, i, i] = g_tau(tau, 0.25 * i)
    with h5py.File(path, "w") as f:
        g = f.create_group("gtau")
        ds = g.create_dataset("data", data=_c2(data))
        ds.attrs["__complex__"] = 1
        v = g.create_group("version")
        v["major"], v["minor"] = 0, 1
        v.create_dataset("originator", data="ALPSCore GF library", dtype=_STR)
        mesh = g.create_group("mesh")
        mesh["N"] = 3
        m1 = mesh.create_group("1")
        m1.create_dataset("kind", data="IMAGINARY_TIME", dtype=_STR)
        m1["N"], m1["statistics"], m1["beta"] = n, 1, BETA
        m1["half_point_mesh"], m1["last_point_included"] = 0, 1
        m1["points"] = tau
        for key in ("2", "3"):
            mi = mesh.create_group(key)
            mi.create_dataset("kind", data="INDEX", dtype=_STR)
            mi["N"] = nf
        f.create_group("parameters")["model.beta"] = BETA
    return Fixture(str(path), {"orbital": 1}, shift=0.25)


def write_alps_segment(path: str | os.PathLike, nbins: int = 8) -> Fixture:
    """ALPS segment solver ``sim.h5``: G_tau per flavor, raw results with half end bins."""
    ntau, nf = 50, 2
    nt = ntau + 1
    tau = np.arange(nt) * BETA / ntau
    rng = np.random.default_rng(3)
    with h5py.File(path, "w") as f:
        p = f.create_group("parameters")
        p["BETA"], p["N_TAU"], p["N_ORBITALS"] = BETA, ntau, nf
        gt = f.create_group("G_tau")
        gt["nt"], gt["ns"], gt["nf"] = nt, 1, nf
        res = f.create_group("simulation").create_group("results")
        for i in range(nf):
            g = g_tau(tau, 0.15 * i)
            gt[f"{i}/mean/value"] = g
            raw = g.copy()
            raw[[0, -1]] /= 2  # the raw accumulators' end bins are half-width
            noise = rng.normal(0, 1e-4, (nbins, nt))
            noise -= noise.mean(axis=0)
            res[f"g_{i}/mean/value"] = raw
            res[f"g_{i}/mean/error"] = np.full(nt, 1e-4)
            res[f"g_{i}/timeseries/data"] = raw + noise
    return Fixture(str(path), {"orbital": 1}, shift=0.15)


def write_alps_maxent(path: str | os.PathLike, covariance: bool = False, params: bool = False, n: int = 33) -> Fixture:
    """ALPS MaxEnt input: /Data and /Error (or /Covariance), optionally /parameters."""
    tau = np.linspace(0, BETA, n)
    g = g_tau(tau, -0.3)
    with h5py.File(path, "w") as f:
        f["Data"] = g
        if covariance:
            f["Covariance"] = np.diag(np.full(n, 1e-8)).ravel()
        else:
            f["Error"] = np.full(n, 1e-4)
        if params:
            p = f.create_group("parameters")
            p["BETA"] = BETA
            p.create_dataset("DATASPACE", data="time", dtype=_STR)
            p.create_dataset("KERNEL", data="fermionic", dtype=_STR)
            for i, t in enumerate(tau):
                p[f"TAU_{i}"] = t
    kwargs = {} if params else {"beta": BETA, "grid": tau}
    return Fixture(str(path), kwargs, shift=-0.3)


def write_alps_maxent_iw(path: str | os.PathLike) -> Fixture:
    """ALPS MaxEnt frequency input: /Data = re1, im1, re2, im2, ..."""
    wn = matsubara(NIW)
    g = g_iw(wn, 0.2)
    with h5py.File(path, "w") as f:
        f["Data"] = np.column_stack([g.real, g.imag]).ravel()
        f["Error"] = np.full(2 * NIW, 1e-4)
        p = f.create_group("parameters")
        p["BETA"] = BETA
        p.create_dataset("DATASPACE", data="frequency", dtype=_STR)
    return Fixture(str(path), {}, shift=0.2, kind="iw")


# ------------------------------------------------------------------- ALF


def alf_shifts(nk: int) -> np.ndarray:
    return 0.2 * np.arange(nk) - 0.2


def write_alf(path: str | os.PathLike, nbins: int = 6, sign_mean: float = 0.8, beta_in_file: bool = True) -> Fixture:
    """ALF data.h5: ``Green_tau`` (Channel P, -G, bins x sign), ``SpinZ_tau`` (PH)."""
    dtau, ltrot, nk = 0.25, 40, 3
    nt = ltrot + 1
    tau = np.arange(nt) * dtau
    rng = np.random.default_rng(5)
    signs = sign_mean + 0.1 * rng.standard_normal(nbins)
    minus_g = np.stack([-g_tau(tau, s) for s in alf_shifts(nk)], axis=-1)  # (nt, nk)
    obs = np.zeros((nbins, 1, 1, nt, nk, 2))
    noise = rng.normal(0, 1e-4, (nbins, nt, nk))
    noise -= noise.mean(axis=0)
    obs[:, 0, 0, :, :, 0] = signs[:, None, None] * minus_g[None] + noise
    with h5py.File(path, "w") as f:
        for name, channel in (("Green_tau", "P"), ("SpinZ_tau", "PH")):
            g = f.create_group(name)
            g.attrs["dtau"] = dtau
            g.attrs["Channel"] = channel
            g["obser"] = obs
            g["sign"] = signs
            g["back"] = np.zeros((nbins, 1, 2))
            lat = g.create_group("lattice")
            lat.attrs["L1"] = np.array([3.0, 0.0])
        sc = f.create_group("Ener_scal")
        sc["obser"] = np.zeros((nbins, 1, 2))
        sc["sign"] = signs
        if beta_in_file:
            f.create_group("parameters").create_group("var_model_generic").attrs["beta"] = BETA
    return Fixture(str(path), {"k": 1}, shift=float(alf_shifts(nk)[1]), sign_in_file="positive")


# -------------------------------------------------------------- SmoQyDQMC

SMOQY_L = (2, 3)  # L_1, L_2


def smoqy_shift(k1: int, k2: int) -> float:
    return 0.15 * k1 - 0.1 * k2


def _smoqy_root(f: h5py.File, ltau: int, dtau: float) -> None:
    f.attrs["BETA"], f.attrs["DELTA_TAU"], f.attrs["L_TAU"], f.attrs["N_ORBITALS"] = BETA, dtau, ltau, 1


def _smoqy_minus_g(tau: np.ndarray) -> np.ndarray:
    """-G in h5py order (ID_PAIR, TAU, K_2, K_1)."""
    l1, l2 = SMOQY_L
    out = np.zeros((1, tau.size, l2, l1))
    for k1 in range(l1):
        for k2 in range(l2):
            out[0, :, k2, k1] = -g_tau(tau, smoqy_shift(k1, k2))
    return out


def _smoqy_position(mg: np.ndarray) -> np.ndarray:
    """-G(r, tau): the k-average at r = 0 (the local G), a small fraction of it elsewhere."""
    local = mg.mean(axis=(2, 3))
    out = np.repeat(np.repeat(0.1 * local[:, :, None, None], mg.shape[2], 2), mg.shape[3], 3)
    out[:, :, 0, 0] = local
    return out


def _labels(group: h5py.HLObject, labels: list[str]) -> None:
    group.attrs.create("DIM_LABELS", labels, dtype=_STR)


def write_smoqy(folder: str | os.PathLike, with_bins: bool = True, nbins: int = 4) -> Fixture:
    """SmoQyDQMC ``stats.h5`` (MEAN {r,i}, STD) plus ``bins/bins_pID-{0,1}.h5``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ltau, dtau = 40, BETA / 40
    tau = np.arange(ltau + 1) * dtau
    mg = _smoqy_minus_g(tau)
    with h5py.File(folder / "stats.h5", "w") as f:
        _smoqy_root(f, ltau, dtau)
        f.attrs["N_BINS"] = 2 * nbins
        td = f.create_group("CORRELATIONS/STANDARD/TIME-DISPLACED")
        for name in ("greens", "density"):
            c = td.create_group(name)
            c.attrs.create("ID_TYPE", "ORBITAL_ID", dtype=_STR)
            c.attrs["ID_PAIRS"] = np.array([[1, 1]])
            for space, labels in (("MOMENTUM", ["K_1", "K_2", "TAU", "ID_PAIR"]),
                                  ("POSITION", ["R_1", "R_2", "TAU", "ID_PAIR"])):
                grp = c.create_group(space)
                _labels(grp, labels)
                data = mg if space == "MOMENTUM" else _smoqy_position(mg)
                grp["MEAN"] = _compound(data)
                grp["STD"] = np.full(data.shape, 1e-4)
        f.create_group("GLOBAL")
    if with_bins:
        rng = np.random.default_rng(11)
        bins_dir = folder / "bins"
        bins_dir.mkdir(exist_ok=True)
        for pid in range(2):
            signs = 0.9 + 0.05 * rng.standard_normal(nbins)
            noise = rng.normal(0, 1e-4, (nbins,) + mg.shape)
            noise -= noise.mean(axis=0)
            binned = signs.reshape(-1, 1, 1, 1, 1) * mg[None] + noise  # (bin, pair, tau, k2, k1)
            with h5py.File(bins_dir / f"bins_pID-{pid}.h5", "w") as f:
                _smoqy_root(f, ltau, dtau)
                f.attrs["N_BINS"] = nbins
                f["GLOBAL/sgn"] = _compound(signs.astype(complex))
                c = f.create_group("CORRELATIONS/STANDARD/TIME-DISPLACED/greens")
                c.attrs["ID_PAIRS"] = np.array([[1, 1]])
                for space, labels in (("MOMENTUM", ["BIN", "K_1", "K_2", "TAU", "ID_PAIR"]),
                                      ("POSITION", ["BIN", "R_1", "R_2", "TAU", "ID_PAIR"])):
                    ds = c.create_dataset(space, data=_compound(np.moveaxis(binned, 0, -1)))
                    _labels(ds, labels)
    return Fixture(str(folder / "stats.h5"), {"block": "greens/MOMENTUM", "k": (1, 2)},
                   shift=smoqy_shift(1, 2), sign_in_file="positive")


# ------------------------------------------------------------------ text


def write_text_tau(path: str | os.PathLike, sign: str = "positive") -> Fixture:
    """ana_cont/ACFlow (tau, -G, err) or TRIQS/maxent (tau, G, err) table."""
    tau = np.linspace(0, BETA, 51)
    g = g_tau(tau, 0.05)
    col = -g if sign == "positive" else g
    np.savetxt(path, np.column_stack([tau, col, np.full(tau.size, 1e-4)]), header="tau G err")
    return Fixture(str(path), {"beta": BETA}, shift=0.05, sign_in_file=sign)


def write_text_iw(path: str | os.PathLike) -> Fixture:
    """ana_cont/ACFlow Matsubara table (w_n, Re, Im, err) including negative w_n."""
    wn = matsubara(NIW, both=True)
    g = g_iw(wn, -0.1)
    np.savetxt(path, np.column_stack([wn, g.real, g.imag, np.full(wn.size, 1e-4)]))
    return Fixture(str(path), {}, shift=-0.1, kind="iw")


# ----------------------------------------------------------- all at once

WRITERS = {
    "triqs": lambda d: write_triqs(d / "triqs.h5"),
    "triqs_cthyb": lambda d: write_triqs_cthyb(d / "cthyb.h5"),
    "triqs_iw": lambda d: write_triqs_iw(d / "triqs_iw.h5"),
    "triqs_iw_pos": lambda d: write_triqs_iw(d / "triqs_iw_pos.h5", positive_only=True),
    "triqs_2x": lambda d: write_triqs_2x(d / "triqs_2x.h5"),
    "triqs_legacy": lambda d: write_triqs_legacy(d / "triqs_legacy.h5"),
    "w2dynamics": lambda d: write_w2dynamics(d / "w2d.hdf5"),
    "alpscore": lambda d: write_alpscore(d / "alpscore.h5"),
    "alps_segment": lambda d: write_alps_segment(d / "sim.h5"),
    "alps_maxent": lambda d: write_alps_maxent(d / "maxent_in.h5"),
    "alps_maxent_cov": lambda d: write_alps_maxent(d / "maxent_cov.h5", covariance=True, params=True, n=17),
    "alps_maxent_iw": lambda d: write_alps_maxent_iw(d / "maxent_iw.h5"),
    "alf": lambda d: write_alf(d / "data.h5"),
    "smoqy": lambda d: write_smoqy(d / "smoqy"),
    "text_ana_cont": lambda d: write_text_tau(d / "G_tau.dat"),
    "text_triqs_maxent": lambda d: write_text_tau(d / "G_tau_std.dat", sign="standard"),
    "text_iw": lambda d: write_text_iw(d / "G_iw.dat"),
}


def write_all(folder: str | os.PathLike) -> dict[str, Fixture]:
    """Write every fixture into ``folder``."""
    folder = Path(folder)
    return {name: writer(folder) for name, writer in WRITERS.items()}


def expected(fx: Fixture, grid: np.ndarray) -> np.ndarray:
    """The model on a loader's grid, for the element ``fx.kwargs`` selects."""
    return g_tau(grid, fx.shift) if fx.kind == "tau" else g_iw(grid, fx.shift)


# ------------------------------------------- layouts met in real files


def write_w2dynamics_unmeasured(path: str | os.PathLike) -> Fixture:
    """w2dynamics run that measured G(i w_n) only: ``gtau`` all NaN, ``gtau-full`` (and its errors) all zero."""
    fx = write_w2dynamics(path)
    with h5py.File(path, "r+") as f:
        for it in ("dmft-001", "dmft-002"):
            ineq = f[f"{it}/ineq-001"]
            ineq["gtau/value"][...] = np.nan
            ineq["gtau/error"][...] = np.nan
            ineq["gtau-full/value"][...] = 0.0
            ineq["gtau-full"]["error"] = np.zeros(ineq["gtau-full/value"].shape)
    return Fixture(fx.path, {"block": "giw-full", "orbital": 1, "spin": "up"}, shift=0.1, kind="iw")


def write_text_five_columns_alps(path: str | os.PathLike, n: int = 200) -> Fixture:
    """ALPS / CQMP MaxEnt Matsubara input: w_n, Re G, err Re, Im G, err Im."""
    wn = matsubara(n)
    g = g_iw(wn, 0.2)
    err = np.full(n, 1e-5)
    np.savetxt(path, np.column_stack([wn, g.real, err, g.imag, err]))
    return Fixture(str(path), {}, shift=0.2, kind="iw")


def write_text_spectrum(path: str | os.PathLike) -> Fixture:
    """A continuation's output on a real-frequency axis: omega, A(omega), error (TRIQS/maxent, ALPS)."""
    w = np.linspace(-8.0, 8.0, 161)
    np.savetxt(path, np.column_stack([w, spectrum(w), np.full(w.size, 0.05)]))
    return Fixture(str(path), {"beta": BETA})


def write_text_exact_ends(path: str | os.PathLike) -> Fixture:
    """ALF analysis output (tau, -G, err) whose fixed end points G(0) and G(beta) carry error 0."""
    tau = np.linspace(0, BETA, 41)
    err = np.full(tau.size, 2e-4)
    err[[0, -1]] = 0.0
    np.savetxt(path, np.column_stack([tau, -g_tau(tau), err]))
    return Fixture(str(path), {"beta": BETA}, sign_in_file="positive")


#: Sigma_inf and first moment of the model self-energy of :func:`write_triqs_self_energy`.
SIGMA_INF, SIGMA_C1 = 2.5, 2.7


def write_triqs_self_energy(path: str | os.PathLike) -> Fixture:
    """TRIQS archive with ``G_iw`` and the self-energy ``S_iw`` (BlockGfs, block ``up``), a self-energy under a
    neutral name (``data``), and a G with a large level shift (``G_shifted``): Sigma(i w_n) = Sigma_inf + c1 G(i w_n)
    with a constant Hartree part and a tail c1 / (i w_n), c1 != 1."""
    wn = matsubara(NIW, both=True)
    sigma = SIGMA_INF + SIGMA_C1 * g_iw(wn, 0.3)
    with h5py.File(path, "w") as f:
        for name, data in (("G_iw", g_iw(wn)), ("S_iw", sigma)):
            blk = f.create_group(name)
            blk.attrs["Format"] = "BlockGf"
            _triqs_gf(blk, "up", data[:, None, None], "iw")
        _triqs_gf(f, "data", sigma, "iw")
        _triqs_gf(f, "G_shifted", g_iw(wn, 4.0), "iw")
    return Fixture(str(path), {"block": "G_iw/up"}, kind="iw")


def write_triqs_noisy(path: str | os.PathLike, n: int = 401, noise: float = 0.2, seed: int = 3) -> Fixture:
    """A short CT-HYB run (TRIQS, one block ``up`` of 3x3): diagonal G(tau) with noise ``noise`` (points of the
    wrong sign within it), an almost empty orbital whose sum over tau is positive by noise, and an element
    ``(2, 2)`` that changes sign far beyond its noise (an off-diagonal one stored on the diagonal)."""
    rng = np.random.default_rng(seed)
    tau = np.linspace(0, BETA, n)
    data = np.zeros((n, 3, 3))
    data[:, 0, 0] = g_tau(tau) + noise * rng.standard_normal(n)
    empty = 0.01 * g_tau(tau, 3.0) + noise * rng.standard_normal(n)
    data[:, 1, 1] = empty - np.mean(empty) + noise / np.sqrt(n)  # its sum: positive, within the noise
    data[:, 2, 2] = 0.4 * (g_tau(tau) - g_tau(tau, 2.0)) + 1e-3 * rng.standard_normal(n)
    with h5py.File(path, "w") as f:
        blk = f.create_group("G_tau")
        blk.attrs["Format"] = "BlockGf"
        _triqs_gf(blk, "up", data.astype(complex), "tau")
    return Fixture(str(path), {"block": "G_tau/up", "orbital": 0})
