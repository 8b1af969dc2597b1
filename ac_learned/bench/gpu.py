"""Sub-benchmark ``gpu``: the ``time`` benchmark with the torch backends on CUDA.

Without a CUDA device (``torch.cuda.is_available()`` is False) it writes a table
that says so and succeeds.  Timed calls include the host-to-device copy of the
input and the copy of the result back to numpy (what
:class:`ac_learned.inference.TorchBackend` does); MaxEnt runs on the CPU.
"""

from __future__ import annotations

from pathlib import Path

from ._common import md_table, write_report
from .timing import BETA, V_MAX, markdown, plot, run, settings

GPU_BACKENDS = ("torch-f64", "torch-f32")


def cuda_device() -> str | None:
    """``"cuda"`` when torch sees a CUDA device, else None (a :class:`BackendError` without torch)."""
    from .._torch import require_torch

    torch = require_torch("the 'gpu' benchmark")

    return "cuda" if torch.cuda.is_available() else None


def run_bench(out_dir: Path, quick: bool, command: str, info: dict, log=print,
              n_tau: int | str | None = None, device: str | None = None) -> list[Path]:
    """Run the ``gpu`` sub-benchmark and write ``gpu.md`` (plus ``gpu.json``/``gpu.png`` when it ran).

    Parameters
    ----------
    device : str, optional
        torch device to time; default CUDA when available, else the benchmark is
        skipped.  (The tests pass ``"cpu"`` to exercise the code path.)
    """
    device = device or cuda_device()
    if device is None:
        log("gpu: skipped: no CUDA device")
        body = md_table(["status"], [["skipped: no CUDA device (torch.cuda.is_available() is False)"]])
        return [write_report(out_dir, "gpu", "Benchmark `gpu`: torch inference on CUDA", command, info, body,
                             {"skipped": "no CUDA device"})]
    s = settings(quick, n_tau)
    s.backends = GPU_BACKENDS
    raw = run(s, device, log)
    tau_note = "N_τ = 2·N_ω" if s.n_tau == "2w" else f"N_τ = {s.n_tau} fixed"
    intro = (f"torch backends on `{device}`, {tau_note}, β = {BETA:g}, V = {V_MAX:g}; same networks, spectra "
             "and MaxEnt (CPU) as the `time` benchmark. Times include copying the input to the device and the "
             "result back to numpy. '% of peak' is against the GEMM peak on the same device.\n\n")
    path = write_report(out_dir, "gpu", "Benchmark `gpu`: torch inference on CUDA", command, info,
                        intro + markdown(raw), raw)
    return [path, path.with_suffix(".json"), plot(raw, Path(out_dir) / "gpu.png")]
