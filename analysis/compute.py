"""Training compute by operation counting and by hardware time, and the utilisation that links them.

Operation counting: a dense transformer forward+backward pass costs about 6 FLOP per parameter per
token (2 forward, 4 backward; Kaplan et al. 2020, section 2.1), so C = 6 * N_active * D.
Hardware time: C = GPU-hours * 3600 * peak FLOP/s * utilisation. Where both inputs are known, the
utilisation that makes the two agree (model FLOP utilisation, MFU) is itself a finding.

Pure functions; the database glue is in analysis.store.
"""

from __future__ import annotations

from dataclasses import dataclass

FLOP_PER_PARAMETER_TOKEN = 6.0
SECONDS_PER_HOUR = 3600.0
# Large pre-training runs report MFU of roughly 0.35-0.45 (PaLM 540B 46.2%, Llama 3 405B 38-43%).
ASSUMED_UTILISATION = 0.40
UTILISATION_BOUNDS = (0.20, 0.60)


def operation_count_flop(active_parameters: float, training_tokens: float) -> float:
    """6 * N * D. For a mixture of experts N is the parameters active per token."""
    if active_parameters <= 0 or training_tokens <= 0:
        raise ValueError("parameters and tokens must be positive")
    return FLOP_PER_PARAMETER_TOKEN * active_parameters * training_tokens


def hardware_time_flop(gpu_hours: float, peak_tflops: float, utilisation: float = ASSUMED_UTILISATION) -> float:
    """GPU-hours * 3600 s/h * dense peak (TFLOP/s) * 1e12 * utilisation."""
    if gpu_hours <= 0 or peak_tflops <= 0 or not 0 < utilisation <= 1:
        raise ValueError("gpu_hours and peak must be positive and utilisation in (0, 1]")
    return gpu_hours * SECONDS_PER_HOUR * peak_tflops * 1e12 * utilisation


def implied_utilisation(training_compute_flop: float, gpu_hours: float, peak_tflops: float) -> float:
    """The MFU at which GPU-hours at this peak deliver the given compute."""
    return training_compute_flop / (gpu_hours * SECONDS_PER_HOUR * peak_tflops * 1e12)


@dataclass(frozen=True)
class ComputeEstimate:
    model_id: str
    operation_count_flop: float | None
    hardware_time_flop: float | None
    hardware_time_lower_flop: float | None
    hardware_time_upper_flop: float | None
    precision: str | None
    peak_tflops: float | None
    implied_utilisation: float | None
    implied_utilisation_bf16: float | None
    note: str


def estimate(model_id: str, *, active_parameters: float | None, training_tokens: float | None,
             gpu_hours: float | None, peaks: dict[str, float | None], precision: str | None,
             hardware_id: str | None = None) -> ComputeEstimate:
    """Both estimates and the implied utilisation for one model; None where an input is missing.

    `peaks` maps precision (fp32, fp16, bf16, fp8) to the hardware's dense peak TFLOP/s. The
    utilisation is reported against the claimed training precision's peak and, because most
    published MFU figures use it, against the BF16 peak too.
    """
    notes = []
    op = operation_count_flop(active_parameters, training_tokens) if active_parameters and training_tokens else None
    chosen = precision if precision and peaks.get(precision) else None
    if chosen is None:
        chosen = next((p for p in ("bf16", "fp16", "fp32") if peaks.get(p)), None)
        if chosen and gpu_hours:
            notes.append(f"training precision {'not stated' if not precision else precision + ' peak unknown'}; "
                         f"{chosen} peak used")
    peak = peaks.get(chosen) if chosen else None
    hw = lo = hi = mfu = mfu_bf16 = None
    if gpu_hours and peak:
        hw = hardware_time_flop(gpu_hours, peak)
        lo = hardware_time_flop(gpu_hours, peak, UTILISATION_BOUNDS[0])
        hi = hardware_time_flop(gpu_hours, peak, UTILISATION_BOUNDS[1])
        notes.append(f"{gpu_hours:.4g} GPU-h x {peak:g} TFLOP/s ({chosen}, {hardware_id or 'hardware'}) x "
                     f"utilisation {ASSUMED_UTILISATION:.2f} (bounds {UTILISATION_BOUNDS[0]:.2f}-{UTILISATION_BOUNDS[1]:.2f})")
        if op:
            mfu = implied_utilisation(op, gpu_hours, peak)
            if peaks.get("bf16"):
                mfu_bf16 = implied_utilisation(op, gpu_hours, peaks["bf16"])
    if op:
        notes.insert(0, f"6 x {active_parameters:.4g} x {training_tokens:.4g}")
    return ComputeEstimate(model_id, op, hw, lo, hi, chosen if peak else None, peak, mfu, mfu_bf16, "; ".join(notes))
