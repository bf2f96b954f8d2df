"""The checks a reader makes on every model row, written as warnings on the row (never refusals).

Run once claims are resolved and 6ND / hardware-time claims derived (catalog/resolve.py):

- implied MFU: compute / (GPU-hours x 3600 x the chip's dense 16-bit peak) above 100% is
  impossible (FLAN 137B: pre-training compute against the 60 hours of instruction tuning), below 1%
  says the hours or the compute belong to something else;
- compute more than 3x from 6 x N x D (N the active parameters of a mixture of experts): the warning
  names the likely reason where the row shows one (epochs Epoch counts, a fine-tune whose tokens are
  the fine-tuning set), else says none is known;
- a fine-tune whose compute is well below its base model's: the fine-tune's compute sits in the
  pre-training column;
- the resolved compute is a low-confidence estimate (Epoch's "Speculative": Mixtral 8x7B's
  10T-token guess).

Each warning starts with its check's name ("implied_mfu: ...", "compute_vs_6nd: ...",
"finetune_compute: ...", "speculative_compute: ..."), so `warning_fields` facets them and the canned
query `row_checks` lists them.
"""

from __future__ import annotations

import json
from collections import defaultdict

from sqlalchemy import Connection, text

MFU_HIGH, MFU_LOW = 1.0, 0.01
RATIO_6ND = 3.0
FINETUNE_SHARE = 0.5  # a fine-tune's own "training compute" below half its base model's is the fine-tune alone
CHECKS = ("implied_mfu", "compute_vs_6nd", "finetune_compute", "speculative_compute")

_ROWS = """
SELECT m.id, m.training_compute_flop, m.gpu_hours, m.hardware_id, m.parameters, m.active_parameters,
       m.training_tokens, m.training_epochs, m.base_model_id, m.no_6nd_reason,
       COALESCE(h.bf16_tflops, h.fp16_tflops, h.fp32_tflops),
       CASE WHEN h.bf16_tflops IS NOT NULL THEN 'bf16' WHEN h.fp16_tflops IS NOT NULL THEN 'fp16'
            WHEN h.fp32_tflops IS NOT NULL THEN 'fp32' END,
       b.training_compute_flop, w.method, w.confidence, wc.origin,
       CASE m.training_precision WHEN 'fp32' THEN h.fp32_tflops WHEN 'fp16' THEN h.fp16_tflops
            WHEN 'bf16' THEN h.bf16_tflops WHEN 'fp8' THEN h.fp8_tflops END, m.training_precision
FROM model m
LEFT JOIN hardware h ON h.id = m.hardware_id
LEFT JOIN model b ON b.id = m.base_model_id
LEFT JOIN claim_winner w ON w.entity_type = 'model' AND w.entity_id = m.id AND w.field = 'training_compute_flop'
LEFT JOIN claim wc ON wc.id = w.id
ORDER BY m.id
"""


def _pct(x: float) -> str:
    return f"{x:.0%}" if x >= 0.01 else f"{x:.2%}"


def row_warnings(row: tuple) -> list[str]:
    """The warnings for one row of _ROWS (pure: tested on planted rows)."""
    (mid, compute, hours, hw, params, active, tokens, epochs, base, no_6nd, peak, precision, base_compute,
     method, confidence, origin, *stated) = row
    out = []
    n = active or params
    # The resolved compute, and 6ND (what the report's implied MFU uses), each against the 16-bit peak
    # and against the stated training precision's peak: one warning for the first that fails.
    peaks = [(peak, precision)] + ([(stated[0], stated[1])] if stated and stated[0] else [])
    flops = [(compute, "FLOP")] + ([(6 * n * tokens, "FLOP by 6ND")] if n and tokens and not no_6nd else [])
    for flop, what in flops:
        for chip_peak, chip_precision in peaks:
            if not (flop and hours and chip_peak):
                continue
            mfu = flop / (hours * 3600 * chip_peak * 1e12)
            if mfu > MFU_HIGH or mfu < MFU_LOW:
                side = "above 100%: impossible" if mfu > MFU_HIGH else "below 1%"
                out.append(f"implied_mfu: {_pct(mfu)} ({flop:.3g} {what} in {hours:.4g} GPU-hours at {hw}'s "
                           f"{chip_peak:g} TFLOP/s {chip_precision} peak), {side} - the hours and the compute are "
                           "not one run")
                break
        if out:
            break
    if compute and n and tokens and not no_6nd and method != "derived":
        six_nd = 6 * n * tokens
        ratio = compute / six_nd
        if ratio > RATIO_6ND or ratio < 1 / RATIO_6ND:
            reasons = []
            if epochs and epochs > 1.5 and (ratio > 1) == (epochs > 1):
                reasons.append(f"Epoch counts {epochs:g} epochs")
            if base:
                reasons.append(f"a fine-tune of {base}: its tokens may be the fine-tuning set")
            why = " - likely reason: " + ", ".join(reasons) if reasons else " - no reason on record"
            out.append(f"compute_vs_6nd: compute {compute:.3g} FLOP is {ratio:.3g}x 6 x "
                       f"{'active ' if active else ''}parameters x tokens (6 x {n:.3g} x {tokens:.3g} = {six_nd:.3g})"
                       + why)
    if compute and base and base_compute and compute < FINETUNE_SHARE * base_compute:
        out.append(f"finetune_compute: {compute:.3g} FLOP is below its base model {base}'s {base_compute:.3g}: "
                   "the fine-tune's own compute stands in the pre-training column")
    if compute and confidence == "low" and origin and origin != "curated" and method != "derived":
        out.append("speculative_compute: the resolved training compute is a low-confidence estimate "
                   f"({origin}), treat it as a guess")
    return out


def check_rows(conn: Connection) -> dict[str, int]:
    """Set the checks' warnings in `model.warnings` / `warning_fields` beside the others; counts per check.

    Idempotent: a check's earlier warnings are replaced, so resolving twice (`scrape --db`) adds nothing.
    Warnings are joined by "; " and a check's own message never contains one.
    """
    counts: dict[str, int] = defaultdict(int)
    found = {row[0]: row_warnings(tuple(row)) for row in conn.execute(text(_ROWS)).all()}
    updates = []
    for mid, old_text, old_fields in conn.execute(text("SELECT id, warnings, warning_fields FROM model ORDER BY id")):
        mine = found.get(mid, [])
        kept = [w for w in (old_text.split("; ") if old_text else []) if w.split(":", 1)[0] not in CHECKS]
        if not mine and len(kept) == len(old_text.split("; ") if old_text else []):
            continue
        fields = {f for f in (json.loads(old_fields) if old_fields else []) if f not in CHECKS}
        for warning in mine:
            counts[warning.split(":", 1)[0]] += 1
            fields.add(warning.split(":", 1)[0])
        joined = "; ".join(kept + mine) or None
        updates.append({"w": joined, "f": json.dumps(sorted(fields)) if fields else None, "id": mid})
    if updates:
        conn.execute(text("UPDATE model SET warnings = :w, warning_fields = :f WHERE id = :id"), updates)
    return dict(counts)
