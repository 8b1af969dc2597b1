"""Networks (torch): ISTA, LISTA, RLISTA and the paper's baselines.

All map a batch of normalised ``g`` on the model's x-grid, shape (n, Nx), to
weights on its nu-grid, shape (n, Nnu).

Unrolled family (Huang & Yang)::

    a_1 = 0
    a_{l+1} = (1 - eta) a_l + eta * S_{lambda_l}(W_t^l a_l + W_e^l g)

with ``eta = 1`` for ISTA/LISTA and ``eta = 1/2`` for RLISTA.  ``S`` is the
soft-thresholding ``sign(z) max(|z| - lambda, 0)`` (``threshold="soft"``, the
paper's) or its non-negative version ``max(z - lambda, 0)``
(``threshold="nonneg"``, the proximal map of ``lambda |a|_1`` restricted to
``a >= 0``, which keeps spectra non-negative).
"""

from __future__ import annotations

import math

import numpy as np

try:
    import torch
    from torch import nn
except ImportError:  # torch is optional (the [torch] extra): say how to install it
    from ._torch import require_torch

    require_torch("the torch networks (ac_learned.nets)")
    raise

from .errors import InputError


def threshold(z: torch.Tensor, lam: torch.Tensor, kind: str) -> torch.Tensor:
    """Soft (``"soft"``) or non-negative (``"nonneg"``) thresholding."""
    if kind == "nonneg":
        return torch.relu(z - lam)
    return torch.sign(z) * torch.relu(z.abs() - lam)


class Unrolled(nn.Module):
    """Unrolled ISTA-type network with per-layer ``W_e``, ``W_t`` and ``lambda``.

    Parameters
    ----------
    n_x, n_nu : int
        Input and output sizes.
    depth : int
        Number of layers ``L``.
    eta : float
        Relaxation (1 for LISTA, 1/2 for RLISTA).
    threshold_kind : {"nonneg", "soft"}
    lam_init : float
        Initial ``lambda`` of every layer.
    """

    arch = "rlista"

    def __init__(self, n_x: int, n_nu: int, depth: int, eta: float = 0.5,
                 threshold_kind: str = "nonneg", lam_init: float = 0.0):
        super().__init__()
        if depth < 1:
            raise InputError("depth must be at least 1")
        self.n_x, self.n_nu, self.depth, self.eta = n_x, n_nu, depth, float(eta)
        self.threshold_kind = threshold_kind
        # LeCun normal init: variance 1 / fan_in
        self.w_e = nn.Parameter(torch.randn(depth, n_nu, n_x) / math.sqrt(n_x))
        self.w_t = nn.Parameter(torch.randn(depth, n_nu, n_nu) / math.sqrt(n_nu))
        self.lam = nn.Parameter(torch.full((depth,), float(lam_init)))

    def forward(self, g: torch.Tensor, depth: int | None = None) -> torch.Tensor:
        """Run the first ``depth`` layers (all by default)."""
        depth = self.depth if depth is None else depth
        a = g.new_zeros(g.shape[0], self.n_nu)
        for layer in range(depth):
            z = g @ self.w_e[layer].T
            if layer > 0:  # a_1 = 0, so the first layer has no W_t term
                z = z + a @ self.w_t[layer].T
            a = (1 - self.eta) * a + self.eta * threshold(z, self.lam[layer], self.threshold_kind)
        return a

    def penalised_parameters(self, depth: int | None = None) -> list[tuple[torch.Tensor, slice]]:
        """Weights under the l2 penalty: every layer's W but the last one's, as (parameter, slice)."""
        depth = self.depth if depth is None else depth
        return [(self.w_e, slice(0, depth - 1)), (self.w_t, slice(1, depth - 1))]

    def export(self) -> dict[str, np.ndarray]:
        """Arrays for the weight file."""
        return {
            "w_e": self.w_e.detach().cpu().numpy().astype(np.float32),
            "w_t": self.w_t.detach().cpu().numpy().astype(np.float32),
            "lam": self.lam.detach().cpu().numpy().astype(np.float32),
        }

    def load_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        """Inverse of :meth:`export`."""
        with torch.no_grad():
            self.w_e.copy_(torch.as_tensor(arrays["w_e"]))
            self.w_t.copy_(torch.as_tensor(arrays["w_t"]))
            self.lam.copy_(torch.as_tensor(arrays["lam"]))


class RLISTA(Unrolled):
    """RLISTA: relaxation ``eta = 1/2`` (Huang & Yang)."""

    arch = "rlista"

    def __init__(self, n_x: int, n_nu: int, depth: int, threshold_kind: str = "nonneg", lam_init: float = 0.0):
        super().__init__(n_x, n_nu, depth, 0.5, threshold_kind, lam_init)


class LISTA(Unrolled):
    """LISTA: no relaxation (``eta = 1``)."""

    arch = "lista"

    def __init__(self, n_x: int, n_nu: int, depth: int, threshold_kind: str = "nonneg", lam_init: float = 0.0):
        super().__init__(n_x, n_nu, depth, 1.0, threshold_kind, lam_init)


class ISTA(Unrolled):
    """Plain ISTA for ``min 1/2 |g - K a|^2 + lam |a|_1`` with fixed weights.

    ``W_e = t K^T``, ``W_t = I - t K^T K`` and threshold ``t * lam`` in every
    layer, with step ``t = 1 / |K|_2^2``.  Nothing is trained.
    """

    arch = "ista"

    def __init__(self, kernel: np.ndarray, depth: int, lam: float = 1e-4, threshold_kind: str = "nonneg"):
        n_x, n_nu = kernel.shape
        super().__init__(n_x, n_nu, depth, 1.0, threshold_kind)
        k = torch.as_tensor(kernel, dtype=torch.float32)
        step = 1.0 / float(np.linalg.norm(kernel, 2) ** 2)
        w_e = (step * k.T).expand(depth, n_nu, n_x).clone()
        w_t = (torch.eye(n_nu) - step * k.T @ k).expand(depth, n_nu, n_nu).clone()
        del self.w_e, self.w_t, self.lam
        self.register_buffer("w_e", w_e)
        self.register_buffer("w_t", w_t)
        self.register_buffer("lam", torch.full((depth,), step * lam))
        self.step = step

    def forward(self, g: torch.Tensor, depth: int | None = None) -> torch.Tensor:
        """ISTA from ``a = 0``: ``a <- S(a - t K^T (K a - g))``."""
        return super().forward(g, depth)


class FCN(nn.Module):
    """Fully connected baseline: hidden ReLU layers, softmax output.

    Parameters
    ----------
    n_x, n_nu : int
    widths : sequence of int
        Hidden widths; ``len(widths)`` hidden layers makes FCN-(len+1).
    """

    arch = "fcn"

    def __init__(self, n_x: int, n_nu: int, widths: list[int]):
        super().__init__()
        sizes = [n_x, *widths]
        layers: list[nn.Module] = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers += [nn.Linear(a, b), nn.ReLU()]
        layers.append(nn.Linear(sizes[-1], n_nu))
        self.body = nn.Sequential(*layers)
        self.widths = list(widths)

    def forward(self, g: torch.Tensor, depth: int | None = None) -> torch.Tensor:
        return torch.softmax(self.body(g), dim=-1)

    def penalised_parameters(self, depth: int | None = None) -> list[tuple[torch.Tensor, slice]]:
        linears = [m for m in self.body if isinstance(m, nn.Linear)]
        return [(m.weight, slice(None)) for m in linears[:-1]]


class CNNFCN(nn.Module):
    """CNN-FCN baseline: FC -> conv1d (8 channels, kernel 32) -> FC softmax.

    Parameters
    ----------
    n_x, n_nu : int
    width : int
        Size of the first fully connected layer (the conv's length).
    channels, kernel_size : int
    """

    arch = "cnn_fcn"

    def __init__(self, n_x: int, n_nu: int, width: int = 128, channels: int = 8, kernel_size: int = 32):
        super().__init__()
        self.fc_in = nn.Linear(n_x, width)
        self.conv = nn.Conv1d(1, channels, kernel_size)  # "same" padding done in forward
        self.fc_out = nn.Linear(channels * width, n_nu)
        self.width, self.channels, self.kernel_size = width, channels, kernel_size

    def forward(self, g: torch.Tensor, depth: int | None = None) -> torch.Tensor:
        h = torch.relu(self.fc_in(g)).unsqueeze(1)
        left = (self.kernel_size - 1) // 2
        h = nn.functional.pad(h, (left, self.kernel_size - 1 - left))
        h = torch.relu(self.conv(h)).flatten(1)
        return torch.softmax(self.fc_out(h), dim=-1)

    def penalised_parameters(self, depth: int | None = None) -> list[tuple[torch.Tensor, slice]]:
        return [(self.fc_in.weight, slice(None)), (self.conv.weight, slice(None))]


def count_parameters(net: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in net.parameters() if p.requires_grad)


def build_network(arch: dict, n_x: int, n_nu: int, kernel: np.ndarray | None = None) -> nn.Module:
    """Build a network from the ``arch`` section of a config or model card.

    Parameters
    ----------
    arch : dict
        ``{"type": "rlista"|"lista"|"ista"|"fcn"|"cnn_fcn", ...}`` with
        ``depth``, ``threshold`` (unrolled), ``lam`` (ista), ``widths`` (fcn),
        ``width``, ``channels``, ``kernel_size`` (cnn_fcn).
    n_x, n_nu : int
    kernel : ndarray, optional
        Needed by ISTA.
    """
    kind = arch.get("type")
    thr = arch.get("threshold", "nonneg")
    if kind == "rlista":
        return RLISTA(n_x, n_nu, int(arch["depth"]), thr, float(arch.get("lam_init", 0.0)))
    if kind == "lista":
        return LISTA(n_x, n_nu, int(arch["depth"]), thr, float(arch.get("lam_init", 0.0)))
    if kind == "ista":
        if kernel is None:
            raise InputError("ISTA needs the kernel matrix")
        return ISTA(kernel, int(arch["depth"]), float(arch.get("lam", 1e-4)), thr)
    if kind == "fcn":
        return FCN(n_x, n_nu, [int(w) for w in arch["widths"]])
    if kind == "cnn_fcn":
        return CNNFCN(n_x, n_nu, int(arch.get("width", 128)), int(arch.get("channels", 8)),
                      int(arch.get("kernel_size", 32)))
    raise InputError(f"unknown architecture {kind!r}; use rlista, lista, ista, fcn or cnn_fcn")
