"""Epoch AI's chip dataset -> the generated layer (`datasets/imported/epoch/hardware.yaml`).

Which rows: every accelerator (Epoch type GPU, GPGPU, DCU, TPU, NPU, ASIC, LPU, XPU, XPU-R,
Other: Cerebras wafers, MTIA, edge NPUs); CPUs, hybrid CPUs and SoCs only when Epoch marks
them as ML hardware or counts a model trained on them. Rows without a type are classed by name
(Radeon, GeForce, Quadro, Tesla, Instinct -> gpu; TPU -> tpu; Xeon, EPYC, Core, Pentium -> cpu;
anything else -> asic) under the same rule.

Dense peaks. The catalog stores dense peak TFLOP/s only (NVIDIA prints tensor figures "with
sparsity", twice the dense rate). Epoch's tensor figures were checked against the published pairs
(H100 SXM5: Epoch 989.4 = NVIDIA's dense BF16, 1,979 with sparsity; A100: Epoch 312 = dense, 624
with sparsity; H100 INT8: Epoch 1,979 = dense, 3,958 with sparsity): they are dense. The rule
stays in code: a figure for a chip that datasets/hardware.yaml also describes is compared with
the curated dense peak, and one that is twice it (within 5%) is halved (method derived, with a
note), never stored as dense.

Units: FLOP/s / 1e12 -> TFLOP/s, bytes / 1e9 -> GB, bytes/s / 1e12 -> TB/s, intranode bytes/s / 1e9
-> interconnect GB/s. Epoch's "Tensor-FP16/BF16" column gives both fp16 and bf16, except for chips
without one of the two formats (NVIDIA Volta and Turing have no bf16; Google TPUs no fp16 on the
matrix unit); without a tensor figure, the "FP16 (half precision)" column is the fp16 peak.
"""

from __future__ import annotations

import collections
import re
from dataclasses import dataclass, field

from catalog.fields import HARDWARE_FIELDS, ValueProblem
from scrapers.parsers.epoch import map_ids
from scrapers.parsers.epoch_chips import parse_epoch_chips
from scrapers.sources.epoch_models import entry_slug, parse_date, unique_id

ORIGIN = "import:epoch"
SOURCE_ID = "epoch-ml-hardware"
DATA_PAGE = "https://epoch.ai/data/machine-learning-hardware"
LICENSE = "CC-BY-4.0"
KINDS = {"gpu": "gpu", "gpgpu": "gpu", "dcu (gpgpu)": "gpu", "tpu": "tpu", "npu": "asic", "asic": "asic",
         "lpu": "asic", "xpu": "asic", "xpu-r": "asic", "other": "asic", "cpu": "cpu", "hybrid cpu": "cpu",
         "soc": "cpu"}
ONLY_IF_ML = {"cpu"}  # kinds kept only when Epoch marks the row as ML hardware or counts models on it
_NAME_KINDS = ((re.compile(r"\bTPU\b", re.I), "tpu"),
               (re.compile(r"xeon|epyc|\bcore\b|pentium|opteron|ryzen|sunway|sw26010|\bmt-\d", re.I), "cpu"),
               (re.compile(r"radeon|geforce|quadro|tesla|instinct|titan|firepro|nvidia|\bgpu\b", re.I), "gpu"))
NO_BF16 = re.compile(r"V100|Titan V\b|\bT4\b|Quadro (GV|RTX)|RTX ?20\d0|TITAN RTX|Tesla T4|Quadro RTX", re.I)
NO_FP16 = re.compile(r"Google TPU", re.I)
SPARSE_TOLERANCE = 0.05
# Claim field -> (record key, scale to the catalog unit, locator column key).
CLAIMS = {
    "memory_gb": ("memory_bytes", 1e-9),
    "memory_bandwidth_tbps": ("memory_bandwidth_bytes_s", 1e-12),
    "interconnect_gbps": ("intranode_bandwidth_bytes_s", 1e-9),
    "tdp_w": ("tdp_w", 1.0),
    "fp32_tflops": ("fp32_flops", 1e-12),
    "tf32_tflops": ("tf32_flops", 1e-12),
    "fp8_tflops": ("fp8_flops", 1e-12),
    "int8_tops": ("int8_ops", 1e-12),
}
PEAKS = ("fp32_tflops", "tf32_tflops", "fp16_tflops", "bf16_tflops", "fp8_tflops", "int8_tops")
# US export controls. TPP (Total Processing Performance, ECCN 3A090) = dense TOPS x bit length;
# 3A090.a: TPP >= 4800, or TPP >= 1600 with performance density (TPP / die mm^2) >= 5.92
# (BIS interim final rule of 17 Oct 2023, 88 FR 73458, published 25 Oct 2023).
BIS_RULE = "BIS rule of 17 Oct 2023, 88 FR 73458"
BITS = {"fp32_tflops": 32, "bf16_tflops": 16, "fp16_tflops": 16, "fp8_tflops": 8, "int8_tops": 8}
CHINA_MARKET = (
    (re.compile(r"\bA800\b"), "China-market A100 variant (NVLink cut to 400 GB/s) made to pass the US rule of "
                              "7 Oct 2022; the 17 Oct 2023 rule (TPP threshold only) covers it too"),
    (re.compile(r"\bH800\b"), "China-market H100 variant (NVLink cut to 400 GB/s) made to pass the US rule of "
                              "7 Oct 2022; the 17 Oct 2023 rule (TPP threshold only) covers it too"),
    (re.compile(r"\bH20\b"), "China-market Hopper GPU designed to stay under the 17 Oct 2023 US thresholds; "
                             "NVIDIA disclosed in April 2025 that its exports to China need a US licence"),
    (re.compile(r"\bL20\b|\bL2\b"), "China-market Ada data-centre GPU designed to stay under the 17 Oct 2023 "
                                    "US thresholds"),
    (re.compile(r"4090 ?D\b"), "China-market RTX 4090 with TPP cut below 4800 for the 17 Oct 2023 US rule"),
)


@dataclass
class ChipsReport:
    rows: int = 0
    entries: int = 0
    skipped: collections.Counter = field(default_factory=collections.Counter)  # why -> rows
    by_kind: collections.Counter = field(default_factory=collections.Counter)
    warnings: int = 0
    halved_sparse: list[str] = field(default_factory=list)
    dense_confirmed: list[str] = field(default_factory=list)
    curated_ids: dict[str, str] = field(default_factory=dict)  # curated id -> Epoch name
    merged_duplicates: list[str] = field(default_factory=list)
    distinct_duplicates: list[str] = field(default_factory=list)
    export_control: int = 0


def chip_kind(record: dict) -> str:
    kind = KINDS.get((record.get("type") or "").lower())
    if kind:
        return kind
    for pattern, named in _NAME_KINDS:
        if pattern.search(record["name"]):
            return named
    return "asic"


def dense_check(value: float, dense_reference: float | None) -> str:
    """'dense', 'sparse' (twice the reference dense peak) or 'unchecked'/'differs'."""
    if not dense_reference:
        return "unchecked"
    ratio = value / dense_reference
    if abs(ratio - 1) <= SPARSE_TOLERANCE:
        return "dense"
    if abs(ratio - 2) <= 2 * SPARSE_TOLERANCE:
        return "sparse"
    return "differs"


def _numbers(record: dict) -> tuple:
    return tuple(sorted((k, v) for k, v in record.items() if k not in ("row", "last_modified", "datasheet")))


def build_chips(content: bytes, *, file_name: str, curated_names: dict[str, str],
                curated_figures: dict[str, dict[str, float]], vendors: dict[str, str]) -> tuple[dict, ChipsReport]:
    """Sections (sources, organizations, hardware) for `write_generated`, and a report.

    `curated_names`: chip names and synonyms -> curated hardware ids; `curated_figures`: curated id
    -> {claim field: value} (peaks are dense); `vendors`: organisation names -> curated organisation ids.
    Where several rows map to one curated chip, the row that agrees with most of its figures (then
    the one with more figures, then the earlier row) takes the curated id; the others keep their own.
    """
    parsed = parse_epoch_chips(content, file_name)
    report = ChipsReport(rows=len(parsed["chips"]))
    columns = {key: column for column, key in parsed["columns"]["mapped"].items()}
    errors = collections.defaultdict(list)
    for error in parsed["row_errors"]:
        errors[error["row"]].append(error)
        if error["chip"] is None:
            report.skipped["row without a hardware name"] += 1
    kept = []
    for record in parsed["chips"]:
        kind = chip_kind(record)
        ml = record.get("ml_hardware") or (record.get("models_trained") or 0) > 0
        if kind in ONLY_IF_ML and not ml:
            report.skipped[f"{kind} not marked as ML hardware"] += 1
            continue
        record["kind"] = kind
        kept.append(record)
    exported = max((_us_date(r.get("last_modified")) for r in kept), default="") or None
    source = {"id": SOURCE_ID, "kind": "dataset", "title": "Epoch AI, Data on Machine Learning Hardware (chip dataset)",
              "authors": "Epoch AI", "date": exported, "year": int(exported[:4]) if exported else None,
              "url": DATA_PAGE, "license": LICENSE}

    # One name listed twice: the same chip when every figure agrees, else distinct entries.
    groups: list[list[dict]] = []
    by_name = collections.defaultdict(list)
    for record in kept:
        by_name[record["name"]].append(record)
    for name, rows in by_name.items():
        merged: list[list[dict]] = []
        for row in rows:
            same = next((g for g in merged if _numbers(g[0]) == _numbers(row)), None)
            (same.append(row) if same is not None else merged.append([row]))
        groups.extend(merged)
        if len(rows) > 1:
            if len(merged) < len(rows):
                report.merged_duplicates.append(f"{name}: rows {', '.join(str(r['row']) for r in rows)} "
                                                f"-> {len(merged)} entr{'y' if len(merged) == 1 else 'ies'}")

    # Curated ids: the row with the most figures among those whose name maps to a curated chip.
    lookup = {re.sub(r'[^a-z0-9]', '', k.lower()): v for k, v in curated_names.items()}
    claimants = collections.defaultdict(list)
    for group in groups:
        cid = lookup.get(re.sub(r'[^a-z0-9]', '', group[0]["name"].lower()))
        if cid:
            claimants[cid].append(group)
    curated_of = {}
    for cid, candidates in claimants.items():
        figures = curated_figures.get(cid, {})
        best = sorted(candidates, key=lambda g: (-_agreement(g[0], figures), -len(g[0]), g[0]["row"]))[0]
        curated_of[id(best)] = cid
        report.curated_ids[cid] = best[0]["name"]
    curated_ids = set(curated_figures) | set(curated_names.values())
    groups.sort(key=lambda g: (curated_of.get(id(g)) or entry_slug(g[0]["name"]), g[0]["row"]))
    ids, taken, by_slug = {}, set(curated_of.values()), collections.defaultdict(list)
    for group in groups:
        if id(group) in curated_of:
            ids[id(group)] = curated_of[id(group)]
            continue
        base = entry_slug(group[0]["name"])
        if base in curated_ids:
            base = f"{base}-epoch"  # a different row of Epoch's than the one matched to the curated chip
        ids[id(group)] = unique_id(base, taken)
        by_slug[base].append(group)

    vendor_ids, vendor_entries = {}, []
    entries = []
    for group in groups:
        entry = _entry(group, ids[id(group)], columns, errors, {k: v for k, v in curated_figures.get(ids[id(group)], {}).items() if k in PEAKS},
                       id(group) in curated_of, report)
        maker = group[0].get("manufacturer")
        if maker and maker.lower() not in ("other", "unknown", "n/a"):
            if maker not in vendor_ids:
                mapped, _ = map_ids([maker], vendors)
                vendor_ids[maker] = mapped[0] if mapped else entry_slug(maker)
                if not mapped:
                    vendor_entries.append({"id": vendor_ids[maker], "name": maker})
            entry["vendor"] = vendor_ids[maker]
        siblings = by_slug.get(entry_slug(group[0]["name"]), [])
        if len(siblings) > 1 and id(group) not in curated_of:
            entry["distinct_from"] = sorted(ids[id(g)] for g in siblings if g is not group)
        entries.append(entry)
        report.by_kind[entry["kind"]] += 1
    for base, siblings in sorted(by_slug.items()):
        if len(siblings) > 1:
            report.distinct_duplicates.append(f"{base}: rows {', '.join(str(g[0]['row']) for g in siblings)} "
                                              f"-> {', '.join(ids[id(g)] for g in siblings)}")
    unique_vendors = {v["id"]: v for v in vendor_entries}
    report.entries = len(entries)
    report.warnings = sum(len(e.get("warnings", [])) for e in entries)
    return {"sources": [source], "organizations": list(unique_vendors.values()), "hardware": entries}, report


def _values(record: dict) -> dict[str, tuple[float, str]]:
    """Claim field -> (value in the catalog's unit, the record key it came from)."""
    values: dict[str, tuple[float, str]] = {}
    for name, (key, scale) in CLAIMS.items():
        if key in record:
            values[name] = (record[key] * scale, key)
    if "tensor16_flops" in record:
        figure = record["tensor16_flops"] * 1e-12
        if not NO_FP16.search(record["name"]):
            values["fp16_tflops"] = (figure, "tensor16_flops")
        if not NO_BF16.search(record["name"]):
            values["bf16_tflops"] = (figure, "tensor16_flops")
    elif "fp16_flops" in record and not NO_FP16.search(record["name"]):
        values["fp16_tflops"] = (record["fp16_flops"] * 1e-12, "fp16_flops")
    return values


def _agreement(record: dict, figures: dict[str, float]) -> int:
    """How many of a curated chip's figures this row gives within 5% (dense or halved)."""
    values = _values(record)
    return sum(1 for k, v in figures.items() if k in values and v and dense_check(values[k][0], v) in ("dense", "sparse"))


def _us_date(text: str | None) -> str:
    # "11/26/2025 2:06pm" -> "2025-11-26"
    m = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})", text or "")
    return f"{m.group(3)}-{int(m.group(1)):02d}-{int(m.group(2)):02d}" if m else ""


def _entry(group: list[dict], eid: str, columns: dict, errors: dict, dense: dict[str, float], curated: bool,
           report: ChipsReport) -> dict:
    record = group[0]
    row = record["row"]
    entry: dict = {"id": eid, "name": record["name"], "kind": record["kind"]}
    warnings: list[str] = []

    def column(key: str) -> str:
        return columns.get(key, key)

    for error in (e for r in group for e in errors.get(r["row"], [])):
        warnings.append(f"{error['field']}: dropped (row {error['row']}, column '{column(error['field'])}'): "
                        f"{error['message']}")
    if record.get("release_date"):
        iso, why = parse_date(record["release_date"])
        if iso:
            entry["release_date"] = iso
        else:
            warnings.append(f"release_date: dropped (row {row}, column '{column('release_date')}'): {why}")

    values = _values(record)

    claims = {}
    for name, (value, key) in sorted(values.items()):
        locator = f"row {row}, column '{column(key)}'"
        if value <= 0:
            warnings.append(f"{name}: dropped ({locator}): {'0 is not a peak' if value == 0 else 'negative'}")
            continue
        claim = {"value": _round(value), "source": SOURCE_ID, "locator": locator, "confidence": "medium",
                 "evidence": "secondary", "method": "reported"}
        if name in PEAKS:
            verdict = dense_check(value, dense.get(name))
            if verdict == "sparse":
                claim.update(value=_round(value / 2), method="derived",
                             note=f"Epoch gives {value:g} TFLOP/s, twice the curated dense peak "
                                  f"{dense[name]:g}: a sparsity-doubled figure, halved")
                report.halved_sparse.append(f"{eid} {name}: {value:g} -> {value / 2:g}")
            elif verdict == "dense":
                report.dense_confirmed.append(f"{eid} {name}: {value:g} (curated dense {dense[name]:g})")
            elif verdict == "differs":
                warnings.append(f"{name}: {value:g} differs from the curated dense peak {dense[name]:g} by "
                                f"x{value / dense[name]:.2f}; kept ({locator})")
        try:
            HARDWARE_FIELDS[name].check_number(value)
        except ValueProblem:
            spec = HARDWARE_FIELDS[name]
            side = "below" if value < (spec.low or 0) else "above"
            warnings.append(f"{name}: {value:.4g} {spec.unit} is {side} the usual range "
                            f"({spec.low:g}..{spec.high:g}); kept ({locator})")
        claims[name] = claim
    tensor = values.get("bf16_tflops", values.get("fp16_tflops", (None,)))[0]
    for name in ("fp8_tflops", "int8_tops"):
        if tensor and name in values and values[name][0] > 2 * (1 + SPARSE_TOLERANCE) * tensor:
            warnings.append(f"{name}: {values[name][0]:g} is {values[name][0] / tensor:.1f}x the 16-bit peak "
                            f"{tensor:g}; one of the two may be sparsity-doubled (kept)")
    if claims:
        entry["claims"] = claims
    if not curated:  # curated chips carry their own, reviewed export-control notes
        note = export_control(record["name"], {k: c["value"] for k, c in claims.items()}, record.get("die_size_mm2"))
        if note:
            entry["export_control"] = note
            report.export_control += 1
    if warnings:
        entry["warnings"] = warnings
    return entry


def export_control(name: str, peaks: dict[str, float], die_mm2: float | None) -> str | None:
    """A short, sourced note: China-market variants by name, and ECCN 3A090.a by TPP arithmetic."""
    parts = [text for pattern, text in CHINA_MARKET if pattern.search(name)]
    tpp_by = {k: peaks[k] * bits for k, bits in BITS.items() if k in peaks}
    if tpp_by:
        which = max(sorted(tpp_by), key=lambda k: tpp_by[k])
        tpp = tpp_by[which]
        density = tpp / die_mm2 if die_mm2 else None
        if tpp >= 4800 or (tpp >= 1600 and density is not None and density >= 5.92):
            why = f"TPP {tpp:,.0f} >= 4800" if tpp >= 4800 else f"TPP {tpp:,.0f} with density {density:.2f} >= 5.92"
            parts.append(f"{why} (from Epoch's dense {which.split('_')[0]} peak): within ECCN 3A090.a, "
                         "so exports to China need a US licence (cegdb's arithmetic, not an official classification)")
    return f"{'; '.join(parts)} ({BIS_RULE})." if parts else None


def _round(value: float) -> float:
    return float(f"{value:.6g}")
