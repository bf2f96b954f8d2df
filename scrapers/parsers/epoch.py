"""Epoch AI models CSV ("All models" / "Notable models" downloads; CC BY 4.0) -> one record per model.

Data: Epoch AI, 'Data on AI Models', https://epoch.ai/data/ai-models, licensed CC BY 4.0.

Column names change between exports ("System" became "Model"; "Country (from Organization)"
became "Country (of organization)"; the dataset-size column gained "(DEPRECATED)" and a
"(total)" successor). They are mapped by COLUMNS, a synonym table; a column it does not know is
returned in `columns.unmapped`, never an error. A value that cannot be read is reported in
`row_errors` (row, model, field, message) and the rest of the row is kept.

Dataset size. For language models Epoch's "datapoints" are words: the definition its own notes
repeat ("This is a text generation model so dataset size is measured in number of words",
SaulLM-large), and its annotators convert at 0.75 words per token, i.e. 4/3 tokens per word
(GPT-3 175B: "499 billion tokens ... multiply this by 0.75 to give 374b words"; Nemotron-4
340B: "6.75T words using 1 token = 0.75 words"; Aya Expanse: "4/3 tokens per word on average").
The same ratio is in Epoch's LLM data as republished by Our World in Data ("100 tokens is
equivalent to around 75 words", indicator 820641). Epoch's field documentation
(https://epoch.ai/data/ai-models-documentation) was not readable from here; the rule rests on
the data itself. Many recent rows nevertheless hold token counts ("encompassing up to 18
trillion tokens", Qwen2.5), so each row's unit is read from its note first: the number in the
note that equals the cell, followed by "words" or "tokens". Only when the note does not say is
the column definition (words) assumed, and `dataset_size_unit_basis` says which it was.
"""

from __future__ import annotations

import csv
import io
import re

from scrapers.errors import ParseError
from scrapers.numbers import clean_text, find_quantities, is_missing, parse_quantity
from scrapers.parsers import decode_text
from scrapers.parsers.csv_rows import mapped_rows, read_header


# Our key -> Epoch column names across exports (compared case- and space-insensitively).
# None as the key marks columns read on purpose and left out (long free text).
COLUMNS: dict[str | None, tuple[str, ...]] = {
    "model": ("Model", "System"),
    "domain": ("Domain",),
    "task": ("Task",),
    "organizations": ("Organization",),
    "organization_categories": ("Organization categorization", "Organization categorization (from Organization)"),
    "countries": ("Country (of organization)", "Country (from Organization)"),
    "authors": ("Authors",),
    "publication_date": ("Publication date",),
    "reference": ("Reference",),
    "links": ("Link",),
    "citations": ("Citations",),
    "notability_criteria": ("Notability criteria",),
    "parameters": ("Parameters",),
    "training_compute_flop": ("Training compute (FLOP)",),
    "training_compute_lower": ("Training compute lower bound",),
    "training_compute_upper": ("Training compute upper bound",),
    "training_compute_method": ("Training compute estimation method",),
    "training_dataset": ("Training dataset",),
    "dataset_size": ("Training dataset size (total)", "Training dataset size (datapoints)",
                     "(DEPRECATED) Training dataset size (datapoints)", "Training dataset size"),
    "dataset_size_gradients": ("Training dataset size (gradients)",),
    "training_time_hours": ("Training time (hours)",),
    "hardware": ("Training hardware",),
    "hardware_count": ("Hardware quantity",),
    "hardware_utilization": ("Hardware utilization (MFU)", "Hardware utilization"),
    "hardware_utilization_hfu": ("Hardware utilization (HFU)",),
    "training_cost_cloud_usd": ("Training compute cost (cloud)",),
    "training_cost_upfront_usd": ("Training compute cost (upfront)",),
    "frontier_model": ("Frontier model",),
    "gpu_hours": ("Training chip-hours",),
    "training_cost_usd_2023": ("Training compute cost (2023 USD)",),
    "training_cost_usd_2020": ("Training compute cost (2020 USD)",),
    "training_power_draw_w": ("Training power draw (W)",),
    "numerical_format": ("Numerical format",),
    "approach": ("Approach",),
    "confidence": ("Confidence",),
    "epochs": ("Epochs",),
    "batch_size": ("Batch size",),
    "model_accessibility": ("Model accessibility",),
    "training_code_accessibility": ("Training code accessibility",),
    "base_model": ("Base model",),
    "finetune_compute_flop": ("Finetune compute (FLOP)",),
    "post_training_compute_flop": ("Post-training compute (FLOP)",),
    "foundation_model": ("Foundation model",),
    "cloud_vendor": ("Training cloud compute vendor",),
    "data_center": ("Training data center",),
    "hf_developer_id": ("Hugging Face developer id",),
    "compute_rank_when_published": ("Compute rank when published",),
    "last_modified": ("Last modified",),
    # Epoch's notes: the quote for the claim of the same name.
    "note:parameters": ("Parameters notes",),
    "note:training_compute_flop": ("Training compute notes",),
    "note:dataset_size": ("Dataset size notes",),
    "note:training_time_hours": ("Training time notes",),
    "note:hardware_utilization": ("Utilization notes",),
    "note:training_cost": ("Compute cost notes",),
    "note:finetune_compute_flop": ("Finetune compute notes",),
    "note:post_training_compute_flop": ("Post-training compute notes",),
    "note:batch_size": ("Batch size notes",),
    "note:training_dataset": ("Training dataset notes",),
    "note:model_accessibility": ("Accessibility notes",),
    "note:notability_criteria": ("Notability criteria notes",),
    None: ("Abstract", "Archived links", "Benchmark data"),
}
NUMBERS = {"parameters", "training_compute_flop", "training_compute_lower", "training_compute_upper", "dataset_size",
           "dataset_size_gradients", "hardware_utilization_hfu", "training_cost_cloud_usd", "training_cost_upfront_usd",
           "training_time_hours", "hardware_count", "hardware_utilization", "gpu_hours", "training_cost_usd_2023",
           "training_cost_usd_2020", "training_power_draw_w", "epochs", "batch_size", "finetune_compute_flop",
           "post_training_compute_flop", "citations", "compute_rank_when_published"}
LISTS = {"domain", "task", "organizations", "organization_categories", "countries", "notability_criteria",
         "hardware", "training_compute_method", "numerical_format", "training_dataset"}
# Epoch's confidence in its compute estimate -> cegdb's confidence. "Unknown" maps to nothing.
CONFIDENCE = {"confident": "high", "likely": "medium", "speculative": "low"}
PRECISION = {"fp32": "fp32", "tf32": "fp32", "fp16": "fp16", "bf16": "bf16", "fp8": "fp8"}
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
NEGATIVE = re.compile(r"^\s*[-\u2212]\s*\d")  # "-5", "\u22125": the strict number reader refuses these


def _real_date(value: str) -> bool:
    """YYYY, YYYY-MM or YYYY-MM-DD that is a day in the calendar (2023-02-30 is not)."""
    if not _DATE.match(value):
        return False
    import datetime as dt

    try:
        dt.date.fromisoformat(value if len(value) == 10 else (value + "-01-01")[:10])
    except ValueError:
        return False
    return True

# Hardware names (Epoch's and model cards') -> datasets/hardware.yaml ids. Names that fit more
# than one catalog chip stay unmapped on purpose: "NVIDIA A100" (40 or 80 GB), "NVIDIA V100"
# (SXM2 or PCIe, different peaks), "NVIDIA P100" (SXM2 or PCIe), "Huawei Ascend 910" (not 910B).
HARDWARE_IDS = {
    "NVIDIA H100 SXM5 80GB": "nvidia-h100-sxm", "NVIDIA H100 SXM5": "nvidia-h100-sxm",
    "NVIDIA H100 SXM": "nvidia-h100-sxm",
    "H100-80GB": "nvidia-h100-sxm",  # Meta's cards: 80 GB at 700 W TDP is the SXM5 part (PCIe: 350 W)
    "NVIDIA H100 PCIe": "nvidia-h100-pcie", "NVIDIA H100 PCIe 80GB": "nvidia-h100-pcie",
    "NVIDIA A100 SXM4 40 GB": "nvidia-a100-40gb", "NVIDIA A100 SXM4 80 GB": "nvidia-a100-80gb",
    "NVIDIA A800 SXM": "nvidia-a800", "NVIDIA A800 SXM4 80 GB": "nvidia-a800",
    "NVIDIA H800 SXM5": "nvidia-h800", "NVIDIA H800": "nvidia-h800", "H800": "nvidia-h800",
    "NVIDIA H20": "nvidia-h20", "NVIDIA HGX H20": "nvidia-h20", "NVIDIA H200": "nvidia-h200", "NVIDIA H200 SXM": "nvidia-h200",
    "NVIDIA B200": "nvidia-b200",
    "NVIDIA Tesla V100 SXM2": "nvidia-v100", "NVIDIA Tesla V100 SXM2 32 GB": "nvidia-v100",
    "NVIDIA Tesla V100 DGXS 32 GB": "nvidia-v100",  # DGX Station: SXM2 modules, 32 GB
    "NVIDIA Tesla P100 SXM2": "nvidia-p100",
    "AMD Radeon Instinct MI250X": "amd-mi250x", "AMD Instinct MI250X": "amd-mi250x",
    "AMD Instinct MI300X": "amd-mi300x", "AMD Radeon Instinct MI300X": "amd-mi300x",
    "Google TPU v2": "google-tpu-v2", "Google TPU v3": "google-tpu-v3", "Google TPU v4": "google-tpu-v4",
    "Google TPU v5e": "google-tpu-v5e", "Google TPU v5p": "google-tpu-v5p",
    "Google TPU v6e Trillium": "google-tpu-v6e", "Google TPU v6e": "google-tpu-v6e",
    "Intel Habana Gaudi2": "intel-gaudi2", "Intel Gaudi2": "intel-gaudi2", "Habana Gaudi2": "intel-gaudi2",
    "Huawei Ascend 910B": "huawei-ascend-910b",
}
# Organisation names -> datasets/organizations.yaml ids. DeepMind merged into Google DeepMind
# (April 2023); the catalog keeps the one id. Google Research and Brain are Google.
ORGANIZATION_IDS = {
    "Google": "google", "Google Research": "google", "Google Brain": "google", "Google AI": "google",
    "Google DeepMind": "google-deepmind", "DeepMind": "google-deepmind",
    "OpenAI": "openai", "Meta AI": "meta", "Meta": "meta", "Facebook AI Research": "meta", "Facebook AI": "meta",
    "Facebook": "meta", "Microsoft": "microsoft", "Microsoft Research": "microsoft",
    "Microsoft Research Asia": "microsoft", "Hugging Face": "huggingface", "Mistral AI": "mistral",
    "DeepSeek": "deepseek", "Alibaba": "alibaba", "Alibaba Cloud": "alibaba", "Moonshot": "moonshot",
    "Moonshot AI": "moonshot", "Allen Institute for AI": "allenai", "Technology Innovation Institute": "tii",
    "EleutherAI": "eleutherai", "Zhuiyi Technology": "zhuiyi", "Stanford University": "stanford",
    "NVIDIA": "nvidia", "AMD": "amd", "Intel": "intel", "Intel Labs": "intel", "Huawei": "huawei",
    "Huawei Noah's Ark Lab": "huawei",
}


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def with_catalog_names(table: dict[str, str], rows: list[dict]) -> dict[str, str]:
    """The synonym table plus each catalog row's own id and name ({"id", "name"} dicts)."""
    merged = dict(table)
    for row in rows:
        if isinstance(row.get("id"), str):
            merged.setdefault(row["id"], row["id"])
            if isinstance(row.get("name"), str):
                merged.setdefault(row["name"], row["id"])
    return merged


def map_ids(names: list[str], table: dict[str, str]) -> tuple[list[str], list[str]]:
    """(catalog ids in order without repeats, names the table does not know)."""
    lookup = {_norm(k): v for k, v in table.items()}
    mapped, unmapped = [], []
    for name in names:
        found = lookup.get(_norm(name))
        if found is None:
            unmapped.append(name)
        elif found not in mapped:
            mapped.append(found)
    return mapped, unmapped


def _split(cell: str) -> list[str]:
    # Lists are comma-joined, and a name with a comma inside is quoted CSV-style:
    # 'EleutherAI,"Booz Allen Hamilton, McLean",University of Cambridge'.
    try:
        parts = next(csv.reader([cell.replace("\n", " ")]), [])
    except csv.Error:
        parts = cell.split(",")
    return [p.strip() for p in parts if p.strip()]


def parse_epoch_csv(data: bytes | str, source: str | None = None) -> dict:
    """{"models": [...], "columns": {"mapped", "unmapped", "shadowed"}, "row_errors": [...]}."""
    text = decode_text(data, source)
    reader = csv.reader(io.StringIO(text))
    header = read_header(reader, source)
    by_name = {_norm(col): key for key, cols in COLUMNS.items() for col in cols}
    mapped, unmapped, shadowed, positions = {}, [], [], {}
    for index, column in enumerate(header):
        key = by_name.get(_norm(column), "?")
        if key == "?":
            unmapped.append(column)
        elif key is None:
            continue
        elif key in positions:
            shadowed.append(column)  # a second spelling of a column already read
        else:
            mapped[column], positions[key] = key, index
    if "model" not in positions:
        raise ParseError(source, "Model", f"no model-name column among {header[:8]}...")
    models, errors = [], []
    for line, cells in mapped_rows(reader, source, positions):
        name = cells.get("model")
        if not name:
            errors.append({"row": line, "model": None, "field": "Model", "message": "row without a model name"})
            continue
        models.append(_record(cells, line, name, source, errors))
    return {"models": models, "columns": {"mapped": mapped, "unmapped": unmapped, "shadowed": shadowed},
            "row_errors": errors}


def _record(cells: dict, line: int, name: str, source: str | None, errors: list) -> dict:
    record: dict = {"model": name.strip(), "row": line}
    notes = {}
    for key, value in cells.items():
        if key == "model" or (is_missing(value) and key != "confidence"):
            continue
        if key.startswith("note:"):
            notes[key[5:]] = value
        elif key in NUMBERS:
            if NEGATIVE.match(value):
                errors.append({"row": line, "model": name, "field": key,
                               "message": f"negative value {value!r:.40}: a {key} cannot be negative"})
                continue
            try:
                record[key] = parse_quantity(value, source=source, field=key).value
            except ParseError as exc:
                errors.append({"row": line, "model": name, "field": key, "message": exc.message})
        elif key in LISTS:
            record[key] = _split(value)
        elif key == "publication_date" and not _real_date(value):
            errors.append({"row": line, "model": name, "field": key, "message": f"{value!r:.40} is not a calendar date"})
        else:
            record[key] = value
    if "links" in record:
        record["links"] = re.findall(r"https?://\S+", record["links"]) or [record["links"]]
    confidence = record.pop("confidence", None)
    if confidence:
        record["confidence_epoch"] = confidence
        record["confidence"] = CONFIDENCE.get(confidence.lower())
    for flag in ("foundation_model", "frontier_model"):
        if flag in record:  # "checked" in older exports, "True" in the late-2025 ones
            record[flag] = record[flag].strip().lower() in ("checked", "true", "yes")
    formats = [PRECISION[f.lower()] for f in record.get("numerical_format", []) if f.lower() in PRECISION]
    if len(set(formats)) == 1:
        record["training_precision"] = formats[0]
    if "training_time_hours" in record:
        record["training_days"] = record["training_time_hours"] / 24
    bounds = {k: record.pop(f"training_compute_{k}") for k in ("lower", "upper") if f"training_compute_{k}" in record}
    if bounds:
        record["bounds"] = {"training_compute_flop": bounds}
    if "dataset_size" in record or "dataset_size_gradients" in record:
        from scrapers.parsers.epoch_dataset import dataset_claims  # it reads notes with readable_note below

        dataset_claims(record, notes)
    if "parameters" in record and notes.get("parameters"):
        _active_parameters(record, notes["parameters"])
    if notes:
        record["notes"] = notes
    return {k: v for k, v in record.items() if v is not None}


def readable_note(note: str) -> str:
    # Epoch's notes write "374b words", "1382b tokens": lower-case suffixes the strict reader refuses.
    return re.sub(r"(?<=\d)([kmbt])\b", lambda m: m.group(1).upper(), clean_text(note))


def _active_parameters(record: dict, note: str) -> None:
    # MoE rows give total parameters; the note sometimes names the active count ("39B activated").
    text = readable_note(note)
    for q in find_quantities(text):
        if re.match(r"\s*(?:parameters?\s+)?(?:activated|active)\b", q.rest, re.I) and q.value < record["parameters"]:
            record["active_parameters"] = q.value
            record["parameters_scope"] = "total (mixture of experts)"
            return
