"""Backend-agnostic inference: one small protocol, a numpy and a torch backend.

Both run the unrolled recursion stored in a weight file in float64 on a batch of
normalised inputs ``g`` (n, Nx) and return weights (n, Nnu).  The numpy backend
needs no torch.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from .cards import LoadedModel
from .errors import BackendError, ModelError

UNROLLED = ("rlista", "lista", "ista")


class InferenceBackend(Protocol):
    """What an inference backend offers."""

    name: str

    def run(self, g: np.ndarray) -> np.ndarray:
        """Map normalised inputs (n, Nx) to weights (n, Nnu), as numpy float64."""
        ...


def _unrolled_params(model: LoadedModel) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, str]:
    arch = model.card["arch"]
    if arch.get("type") not in UNROLLED:
        raise ModelError(f"model {model.name}: inference supports {UNROLLED}, not {arch.get('type')!r}")
    return (model.arrays["w_e"].astype(np.float64), model.arrays["w_t"].astype(np.float64),
            model.arrays["lam"].astype(np.float64), float(arch["eta"]), arch.get("threshold", "nonneg"))


class NumpyBackend:
    """Pure-numpy inference on the CPU."""

    name = "numpy"

    def __init__(self, model: LoadedModel):
        self.w_e, self.w_t, self.lam, self.eta, self.kind = _unrolled_params(model)
        # transposes made contiguous once so each layer is one GEMM
        self._w_e_t = np.ascontiguousarray(np.transpose(self.w_e, (0, 2, 1)))
        self._w_t_t = np.ascontiguousarray(np.transpose(self.w_t, (0, 2, 1)))

    def run(self, g: np.ndarray) -> np.ndarray:
        g = np.atleast_2d(np.asarray(g, dtype=np.float64))
        a = np.zeros((g.shape[0], self.w_e.shape[1]))
        for layer in range(self.w_e.shape[0]):
            z = g @ self._w_e_t[layer]
            if layer > 0:
                z += a @ self._w_t_t[layer]
            if self.kind == "nonneg":
                s = np.maximum(z - self.lam[layer], 0.0)
            else:
                s = np.sign(z) * np.maximum(np.abs(z) - self.lam[layer], 0.0)
            a = (1 - self.eta) * a + self.eta * s
        return a


class TorchBackend:
    """torch inference on CPU or CUDA, batched, without autograd."""

    name = "torch"

    def __init__(self, model: LoadedModel, device: str = "cpu", dtype: str = "float64"):
        from ._torch import require_torch

        torch = require_torch(f"backend='torch' (device={device!r})")
        if str(device).startswith("cuda") and not torch.cuda.is_available():
            raise BackendError(
                f"device={device!r} was asked for but CUDA is not available on this machine "
                "(torch.cuda.is_available() is False); use device='cpu'"
            )
        self.torch = torch
        try:
            self.device = torch.device(device)
            torch.empty(1, device=self.device)  # a device type torch knows but this build lacks fails here
        except (RuntimeError, TypeError, ValueError) as exc:
            raise BackendError(f"device={device!r} cannot be used with torch here ({str(exc).splitlines()[0]}); "
                               "use device='cpu' or 'cuda[:N]'") from None
        self.dtype = getattr(torch, dtype)
        w_e, w_t, lam, self.eta, self.kind = _unrolled_params(model)
        as_t = lambda arr: torch.as_tensor(arr, dtype=self.dtype, device=self.device)  # noqa: E731
        self.w_e_t = as_t(np.transpose(w_e, (0, 2, 1))).contiguous()
        self.w_t_t = as_t(np.transpose(w_t, (0, 2, 1))).contiguous()
        self.lam = as_t(lam)

    def run(self, g: np.ndarray) -> np.ndarray:
        torch = self.torch
        with torch.inference_mode():
            gt = torch.as_tensor(np.atleast_2d(g), dtype=self.dtype, device=self.device)
            a = gt.new_zeros(gt.shape[0], self.w_e_t.shape[2])
            for layer in range(self.w_e_t.shape[0]):
                z = gt @ self.w_e_t[layer]
                if layer > 0:
                    z = z + a @ self.w_t_t[layer]
                if self.kind == "nonneg":
                    s = torch.relu(z - self.lam[layer])
                else:
                    s = torch.sign(z) * torch.relu(z.abs() - self.lam[layer])
                a = (1 - self.eta) * a + self.eta * s
            return a.to("cpu", torch.float64).numpy()


#: numpy backends of the models loaded last (their float64 transposed weights), by model object.
_NUMPY_BACKENDS: dict[int, tuple[LoadedModel, NumpyBackend]] = {}


def make_backend(model: LoadedModel, backend: str = "auto", device: str = "cpu") -> InferenceBackend:
    """Build the inference backend for a model (numpy backends are kept for the last 8 models).

    Parameters
    ----------
    model : LoadedModel
    backend : {"auto", "numpy", "torch"}
        ``"auto"`` takes numpy on the CPU and torch elsewhere.
    device : str
        ``"cpu"``, ``"cuda"`` or ``"cuda:N"``; numpy supports only ``"cpu"``.
    """
    if backend == "auto":
        backend = "numpy" if device == "cpu" else "torch"
    if backend == "numpy":
        if device != "cpu":
            raise BackendError(f"backend='numpy' runs on the CPU only; use backend='torch' for device={device!r}")
        hit = _NUMPY_BACKENDS.get(id(model))
        if hit is None or hit[0] is not model:
            if len(_NUMPY_BACKENDS) >= 8:
                _NUMPY_BACKENDS.pop(next(iter(_NUMPY_BACKENDS)))
            hit = (model, NumpyBackend(model))  # the model is kept alive so its id cannot be reused
            _NUMPY_BACKENDS[id(model)] = hit
        return hit[1]
    if backend == "torch":
        return TorchBackend(model, device)
    raise BackendError(f"unknown backend {backend!r}; use 'numpy', 'torch' or 'auto'")
