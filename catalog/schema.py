"""The catalog's tables, one SQLModel class each.

This module is the single source of truth for the schema: the first Alembic revision was
generated from it, and the Datasette metadata, the data dictionary and (later) datapackage.json
read the column descriptions and units from the `description` and `unit` given here.

Every numeric value is a float in SI base units (or the unit named in the column name):
1e26 FLOP does not fit in an int64.
"""

from __future__ import annotations

from typing import Any, Optional

from sqlalchemy import CheckConstraint, Index, MetaData
from sqlmodel import Field, SQLModel

# Stable constraint names, so Alembic can alter constraints on SQLite (batch mode) and on
# PostgreSQL alike: unnamed constraints cannot be dropped portably.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata = MetaData(naming_convention=NAMING_CONVENTION)

CLAIM_METHODS = ("reported", "derived", "estimated", "imputed")
CONFIDENCES = ("high", "medium", "low")
EVIDENCE = ("primary", "secondary", "unverified")
RANKS = ("preferred", "normal", "deprecated")
ENTITY_TYPES = ("model", "hardware", "organization", "innovation")
SOURCE_KINDS = ("paper", "preprint", "tech_report", "model_card", "blog", "repo", "dataset", "website")
ORGANIZATION_KINDS = ("industry", "academia", "nonprofit", "government", "collaboration")
HARDWARE_KINDS = ("gpu", "tpu", "asic", "cpu")
DOMAINS = ("language", "vision", "multimodal", "speech", "other")
ACCESSIBILITY = ("open_weights", "api", "unreleased")
INNOVATION_CATEGORIES = (
    "architecture", "attention", "moe", "positional", "normalization", "activation", "optimizer",
    "schedule", "precision", "parallelism", "systems", "data", "scaling_recipe", "post_training",
)
INNOVATION_AXES = ("training_flop", "hardware_efficiency", "inference", "capability")
GAIN_BASES = ("flop", "steps", "wallclock", "tokens")
BENCHMARKS = ("wikitext-103", "ptb", "wikitext-2")
ARMS = ("baseline", "treatment")
# Run points add "model-implied": computed from someone's fitted law, not measured (shown, never
# the only basis of a class).
RUN_EVIDENCE = (*EVIDENCE, "model-implied")
VERDICT_CLASSES = ("compute-dependent", "compute-independent", "diminishing", "mixed", "other")


def col(description: str, unit: str | None = None, **kwargs: Any) -> Any:
    """A column with its description and unit recorded once, for every generated document."""
    extra = {"unit": unit} if unit else {}
    return Field(description=description, schema_extra={"json_schema_extra": extra}, **kwargs)


def _one_of(column: str, values: tuple[str, ...], name: str | None = None) -> CheckConstraint:
    allowed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IS NULL OR {column} IN ({allowed})", name=name or column)


class Source(SQLModel, table=True):
    """What a claim cites: a paper, model card, datasheet, repository or data set."""

    __tablename__ = "source"
    __table_args__ = (_one_of("kind", SOURCE_KINDS),)

    id: str = col("Citation key, e.g. deepseekai2024v3", primary_key=True)
    kind: str = col("paper | preprint | tech_report | model_card | blog | repo | dataset | website")
    title: str = col("Title of the work")
    authors: Optional[str] = col("Authors, as written in the source", default=None)
    date: Optional[str] = col("Publication date (ISO 8601)", default=None)
    year: Optional[int] = col("Publication year", default=None)
    venue: Optional[str] = col("Journal, conference or publisher", default=None)
    url: str = col("Where the source can be read")
    arxiv_id: Optional[str] = col("arXiv identifier without version", default=None)
    doi: Optional[str] = col("Digital Object Identifier", default=None)
    license: Optional[str] = col("Licence of the source's text or data, where known", default=None)
    retrieved_at: Optional[str] = col("When the source was read or fetched (ISO 8601)", default=None)
    citation_count: Optional[int] = col("Citations counted by Semantic Scholar when fetched", unit="citations",
                                        default=None)
    origin: str = col("Who wrote the row: curated | scraper:<name> | import:<name> | derived:cegdb",
                      default="curated", sa_column_kwargs={"server_default": "curated"})


class Organization(SQLModel, table=True):
    """A lab, company or vendor that develops models or accelerators."""

    __tablename__ = "organization"
    __table_args__ = (_one_of("kind", ORGANIZATION_KINDS),)

    id: str = col("Stable slug, e.g. deepseek", primary_key=True)
    name: str = col("Display name")
    country: Optional[str] = col("ISO 3166-1 alpha-2 country code of the headquarters", default=None)
    kind: Optional[str] = col("industry | academia | nonprofit | government | collaboration", default=None)


class Hardware(SQLModel, table=True):
    """An accelerator; numeric columns are resolved from its claims."""

    __tablename__ = "hardware"
    __table_args__ = (_one_of("kind", HARDWARE_KINDS),)

    id: str = col("Stable slug, e.g. nvidia-h800", primary_key=True)
    name: str = col("Display name")
    vendor: Optional[str] = col("Organisation that makes the chip", default=None,
                                foreign_key="organization.id")
    kind: Optional[str] = col("gpu | tpu | asic | cpu", default=None)
    release_date: Optional[str] = col("Release or announcement date (ISO 8601)", default=None)
    memory_gb: Optional[float] = col("Accelerator memory", unit="GB", default=None)
    memory_bandwidth_tbps: Optional[float] = col("Memory bandwidth", unit="TB/s", default=None)
    tdp_w: Optional[float] = col("Thermal design power", unit="W", default=None)
    fp32_tflops: Optional[float] = col("Dense peak FP32", unit="TFLOP/s", default=None)
    tf32_tflops: Optional[float] = col("Dense peak TF32 tensor", unit="TFLOP/s", default=None)
    fp16_tflops: Optional[float] = col("Dense peak FP16 tensor", unit="TFLOP/s", default=None)
    bf16_tflops: Optional[float] = col("Dense peak BF16 tensor", unit="TFLOP/s", default=None)
    fp8_tflops: Optional[float] = col("Dense peak FP8 tensor", unit="TFLOP/s", default=None)
    int8_tops: Optional[float] = col("Dense peak INT8 tensor", unit="TOP/s", default=None)
    interconnect_gbps: Optional[float] = col("Chip-to-chip interconnect bandwidth (e.g. NVLink total)",
                                             unit="GB/s", default=None)
    export_control: Optional[str] = col("Export-control status and market variant notes", default=None)
    source_id: Optional[str] = col("Primary source (datasheet)", default=None, foreign_key="source.id")
    origin: str = col("Where the row came from: curated (datasets/hardware.yaml) | import:epoch",
                      default="curated", sa_column_kwargs={"server_default": "curated"})
    warnings: Optional[str] = col("Plausibility notes from the generated layer (values kept, not refused)",
                                  default=None)
    warning_fields: Optional[str] = col("Fields with a warning, as a JSON array (facet with _facet_array)",
                                        default=None)


class Model(SQLModel, table=True):
    """One row per model: descriptive facts plus the resolved view of its claims."""

    __tablename__ = "model"
    __table_args__ = (
        _one_of("domain", DOMAINS),
        _one_of("accessibility", ACCESSIBILITY),
        _one_of("attention", ("mha", "mqa", "gqa", "mla", "other")),
        _one_of("positional", ("learned", "sinusoidal", "relative", "rope", "alibi", "none")),
        _one_of("activation", ("relu", "gelu", "swiglu", "geglu", "other")),
        _one_of("norm", ("layernorm", "rmsnorm")),
        _one_of("norm_position", ("pre", "post")),
    )

    id: str = col("Stable slug, e.g. deepseek-v3", primary_key=True)
    name: str = col("Display name")
    family: Optional[str] = col("Model family", default=None)
    organization_id: Optional[str] = col("Developer", default=None, foreign_key="organization.id", index=True)
    release_date: Optional[str] = col("First public release or paper (ISO 8601)", default=None, index=True)
    release_year: Optional[int] = col("Year of release_date, for faceting", default=None, index=True)
    domain: Optional[str] = col("language | vision | multimodal | speech | other", default=None, index=True)
    accessibility: Optional[str] = col("open_weights | api | unreleased", default=None, index=True)
    base_model_id: Optional[str] = col("Model this one was fine-tuned from", default=None,
                                       foreign_key="model.id")
    same_pretraining_as: Optional[str] = col(
        "Model whose pre-training run this one shares (its numbers describe that run, not a second "
        "one); aggregates count the run once, under that model", default=None, foreign_key="model.id")
    no_6nd_reason: Optional[str] = col(
        "Why 6 x parameters x tokens does not count this model's training FLOP (parameters shared across "
        "layers, encoder-decoder); when set, no 6ND claim or estimate is derived", default=None)
    hf_repo_id: Optional[str] = col("Hugging Face repository id", default=None)
    primary_source_id: Optional[str] = col("Main paper or model card", default=None,
                                           foreign_key="source.id")
    parameters: Optional[float] = col("Total parameters", unit="parameters", default=None)
    active_parameters: Optional[float] = col("Parameters active per token (MoE)", unit="parameters",
                                             default=None)
    training_tokens: Optional[float] = col("Pre-training tokens", unit="tokens", default=None)
    training_compute_flop: Optional[float] = col("Pre-training compute", unit="FLOP", default=None)
    training_compute_method: Optional[str] = col(
        "How the resolved training_compute_flop was obtained: reported | derived | estimated", default=None)
    gpu_hours: Optional[float] = col("Accelerator-hours of training", unit="hours", default=None)
    hardware_id: Optional[str] = col("Training accelerator", default=None, foreign_key="hardware.id", index=True)
    hardware_count: Optional[float] = col("Number of accelerators used", unit="chips", default=None)
    training_days: Optional[float] = col("Wall-clock pre-training time", unit="days", default=None)
    training_precision: Optional[str] = col("Numeric format of training: fp32 | fp16 | bf16 | fp8",
                                            default=None)
    context_length: Optional[float] = col("Maximum context length", unit="tokens", default=None)
    attention: Optional[str] = col("Attention type: mha | mqa | gqa | mla | other", default=None, index=True)
    num_layers: Optional[float] = col("Transformer layers", unit="layers", default=None)
    hidden_size: Optional[float] = col("Model (residual stream) width", unit="dimensions", default=None)
    num_heads: Optional[float] = col("Attention (query) heads", unit="heads", default=None)
    kv_heads: Optional[float] = col("Key/value heads", unit="heads", default=None)
    moe_experts: Optional[float] = col("Routed experts per MoE layer", unit="experts", default=None)
    moe_active_experts: Optional[float] = col("Routed experts active per token", unit="experts",
                                              default=None)
    moe_shared_experts: Optional[float] = col("Shared (always active) experts", unit="experts",
                                              default=None)
    positional: Optional[str] = col("Position scheme: learned | sinusoidal | relative | rope | alibi | none",
                                    default=None)
    activation: Optional[str] = col("Feed-forward activation: relu | gelu | swiglu | geglu | other",
                                    default=None)
    norm: Optional[str] = col("Normalisation: layernorm | rmsnorm", default=None)
    norm_position: Optional[str] = col("Normalisation placement: pre | post", default=None)
    sliding_window: Optional[float] = col("Sliding attention window, when used", unit="tokens",
                                          default=None)
    tied_embeddings: Optional[bool] = col("Input and output embeddings shared", default=None)
    vocab_size: Optional[float] = col("Vocabulary size", unit="tokens", default=None)
    training_dataset_tokens: Optional[float] = col(
        "Size of the training data set in tokens (unique data, before epochs); training_tokens is what was "
        "seen (data set x epochs)", unit="tokens", default=None)
    training_epochs: Optional[float] = col("Passes over the training data set", unit="epochs", default=None)
    hardware_utilization_mfu: Optional[float] = col("Model FLOP utilisation stated by a source", unit="ratio",
                                                    default=None)
    hardware_utilization_hfu: Optional[float] = col("Hardware FLOP utilisation stated by a source", unit="ratio",
                                                    default=None)
    frontier_model: Optional[bool] = col("A source lists the model as a frontier model (Epoch: top 10 by "
                                         "training compute when released)", default=None)
    origin: str = col("Where the row came from: curated (datasets/) | import:epoch | scraper:hf",
                      default="curated", sa_column_kwargs={"server_default": "curated"})
    warnings: Optional[str] = col("Plausibility notes from the generated layer: unusual magnitudes kept, "
                                  "not refused (e.g. TD-Gammon's 25,000 parameters)", default=None)
    warning_fields: Optional[str] = col("Fields with a warning, as a JSON array (facet with _facet_array)",
                                        default=None)
    # Training cost (issue 19): the resolved claim of each method (ours, a publisher's or Epoch's:
    # the claims keep them apart); bounds, inputs and assumptions are on the claims (docs/cost.md).
    training_cost_cloud_usd: Optional[float] = col(
        "Training cost at cloud rental prices (chip-hours x price per chip-hour)", unit="USD", default=None)
    training_cost_amortized_usd: Optional[float] = col(
        "Training cost as amortised hardware (chips, servers, interconnect) plus energy, after Cottier et "
        "al. 2024", unit="USD", default=None)
    training_cost_upfront_usd: Optional[float] = col(
        "Up-front cost of acquiring the training hardware (Epoch's 'upfront' column)", unit="USD", default=None)


class HardwarePrice(SQLModel, table=True):
    """One observed price of an accelerator: a cloud rental offer or a purchase price (Epoch's series)."""

    __tablename__ = "hardware_price"

    id: int = col("Row number (file order of the generated layer)", primary_key=True)
    hardware_id: str = col("Accelerator priced", foreign_key="hardware.id", index=True)
    chip_name: str = col("The chip's name as the price series writes it")
    price_date: str = col("Date the price was observed (ISO 8601)")
    provider: Optional[str] = col("Cloud provider for rental prices; empty for purchase prices", default=None)
    location: Optional[str] = col("Region of the cloud offer", default=None)
    on_demand_usd_per_hour: Optional[float] = col("On-demand rental price per chip-hour", unit="USD/hour",
                                                  default=None)
    commit_1y_usd_per_hour: Optional[float] = col("Rental price per chip-hour with a 1-year commitment",
                                                  unit="USD/hour", default=None)
    commit_3y_usd_per_hour: Optional[float] = col("Rental price per chip-hour with a 3-year commitment",
                                                  unit="USD/hour", default=None)
    purchase_usd: Optional[float] = col("Purchase price per chip (a server's price divided by its chips "
                                        "where the series says so)", unit="USD", default=None)
    single_unit: Optional[bool] = col("The purchase price is for the chip alone (no server around it)",
                                      default=None)
    price_url: Optional[str] = col("Where the series read the price", default=None)
    source_id: str = col("The price series", foreign_key="source.id")
    locator: str = col("Row of the series")
    origin: str = col("Where the row came from, e.g. import:epoch")
    origin_ref: Optional[str] = col("file:line of the generated-layer entry", default=None)


class PriceIndex(SQLModel, table=True):
    """A monthly price index that restates dollars of one date in dollars of another (FRED series)."""

    __tablename__ = "price_index"

    series: str = col("Series id, e.g. PCU518210518210 (PPI: data processing, hosting and related services)",
                      primary_key=True)
    month: str = col("Month of the observation (YYYY-MM)", primary_key=True)
    value: float = col("Index value", unit="index")
    source_id: str = col("Where the series was read", foreign_key="source.id")
    origin: str = col("Where the row came from, e.g. import:fred")


class Checkpoint(SQLModel, table=True):
    """A re-upload of a trained model's weights in another format or number format (FP8, NVFP4,
    AWQ, GPTQ, GGUF, MLX, bnb-4bit, a "-hf" Transformers conversion): not a model of its own.
    Its facts are claims of the model it copies; this row says which repository they came from."""

    __tablename__ = "checkpoint"

    id: str = col("Stable slug of the checkpoint, e.g. qwen3-235b-a22b-fp8", primary_key=True)
    model_id: str = col("The trained model whose weights this is", foreign_key="model.id", index=True)
    name: str = col("Name as published, e.g. Qwen3-235B-A22B-FP8")
    format: Optional[str] = col("Format or quantisation, from the name's suffixes (fp8, nvfp4, hf, gguf, ...; "
                                "several joined by +)", default=None)
    hf_repo_id: Optional[str] = col("Hugging Face repository id", default=None)
    organization_id: Optional[str] = col("Account that published the checkpoint", default=None,
                                         foreign_key="organization.id")
    source_id: Optional[str] = col("Where the checkpoint was read (e.g. its config.json)", default=None,
                                   foreign_key="source.id")
    origin: str = col("Where the row came from: import:<name> | scraper:<name>")
    reason: str = col("Why it is a checkpoint of model_id: the name rule, or the file that says so")


class Snapshot(SQLModel, table=True):
    """A raw response kept by content hash before it is parsed."""

    __tablename__ = "snapshot"

    sha256: str = col("SHA-256 of the body; the file name in the snapshot store", primary_key=True)
    url: str = col("URL fetched")
    fetched_at: str = col("When it was fetched (ISO 8601, UTC)")
    status: Optional[int] = col("HTTP status", default=None)
    content_type: Optional[str] = col("Content-Type header", default=None)
    size: Optional[int] = col("Body size", unit="bytes", default=None)
    path: Optional[str] = col("Path of the body in the snapshot store", default=None)


class Claim(SQLModel, table=True):
    """One sourced value for one field of one entity. Entity rows are resolved from these."""

    __tablename__ = "claim"
    __table_args__ = (
        _one_of("entity_type", ENTITY_TYPES),
        _one_of("method", CLAIM_METHODS),
        _one_of("confidence", CONFIDENCES),
        _one_of("evidence", EVIDENCE),
        _one_of("rank", RANKS),
        Index("ix_claim_entity_field", "entity_type", "entity_id", "field"),
        # A scrape looks up an item's earlier claims by origin and the URL they came from.
        Index("ix_claim_origin_ref", "origin", "origin_ref"),
        # /claim/<stable_key> finds the claim whatever its id in this build.
        Index("ix_claim_stable_key", "stable_key"),
    )

    id: Optional[int] = col("Claim number, stable for the same inputs", default=None, primary_key=True)
    entity_type: str = col("model | hardware | organization | innovation")
    entity_id: str = col("Id of the model, hardware, organisation or innovation")
    model_id: Optional[str] = col("Same as entity_id when the entity is a model (for links)",
                                  default=None, foreign_key="model.id", index=True)
    hardware_id: Optional[str] = col("Same as entity_id when the entity is hardware (for links)",
                                     default=None, foreign_key="hardware.id", index=True)
    field: str = col("Column of the entity the value is for, e.g. training_compute_flop")
    value_num: Optional[float] = col("Numeric value in the unit named by `unit`", default=None)
    value_text: Optional[str] = col("Text value (enumerations, ids)", default=None)
    unit: Optional[str] = col("Unit of value_num", default=None)
    lower: Optional[float] = col("Lower bound, same unit", default=None)
    upper: Optional[float] = col("Upper bound, same unit", default=None)
    method: str = col("reported | derived | estimated | imputed", default="reported")
    confidence: str = col("high | medium | low", default="medium")
    evidence: str = col("primary (read in the source) | secondary (from a summary) | unverified",
                        default="unverified")
    source_id: str = col("What the claim cites", foreign_key="source.id", index=True)
    locator: Optional[str] = col("Where in the source: table, section, page, line", default=None)
    quote: Optional[str] = col("The words the value was read from", default=None)
    quote_absent: Optional[str] = col("Why there is no quote: value only in a figure, computed, a config "
                                      "value, source text not checked", default=None)
    origin: str = col("curated | scraper:<name> | import:<name> | derived:cegdb")
    origin_ref: Optional[str] = col("File and line (curated) or URL (scraped) the claim came from",
                                    default=None)
    snapshot_id: Optional[str] = col("Raw response the claim was parsed from", default=None,
                                     foreign_key="snapshot.sha256")
    rank: str = col("preferred | normal | deprecated", default="normal")
    note: Optional[str] = col("Formula, caveat or reason", default=None)
    stable_key: Optional[str] = col("Key that survives rebuilds: a hash of entity, field, source, locator and "
                                    "value (the claim's citable URL is /claim/<stable_key>)", default=None)


class Conflict(SQLModel, table=True):
    """Two non-deprecated claims for the same field that disagree (numbers: by more than 5%)."""

    __tablename__ = "conflict"

    id: Optional[int] = col("Conflict number", default=None, primary_key=True)
    entity_type: str = col("model | hardware | ...")
    entity_id: str = col("Entity the claims are about")
    field: str = col("Field they disagree on")
    claim_a_id: int = col("First claim", foreign_key="claim.id")
    claim_b_id: int = col("Second claim", foreign_key="claim.id")
    source_a_id: str = col("Source of the first claim", foreign_key="source.id")
    source_b_id: str = col("Source of the second claim", foreign_key="source.id")
    value_a: Optional[str] = col("First value, as text")
    value_b: Optional[str] = col("Second value, as text")
    relative_difference: Optional[float] = col("|a - b| / max(|a|, |b|) for numbers", unit="ratio",
                                               default=None)


class Innovation(SQLModel, table=True):
    """An algorithmic innovation whose compute-equivalent gain the analysis estimates."""

    __tablename__ = "innovation"
    __table_args__ = (
        _one_of("category", INNOVATION_CATEGORIES),
        _one_of("axis", INNOVATION_AXES),
    )

    id: str = col("Stable slug, e.g. multi-head-latent-attention", primary_key=True)
    name: str = col("Display name")
    category: str = col("architecture | attention | moe | positional | normalization | activation | "
                        "optimizer | schedule | precision | parallelism | systems | data | "
                        "scaling_recipe | post_training")
    year: Optional[int] = col("Year of the introducing publication", default=None)
    introduced_in_source_id: Optional[str] = col("Introducing publication", default=None,
                                                 foreign_key="source.id")
    description: Optional[str] = col("What it is and what it is claimed to save", default=None)
    axis: Optional[str] = col("What it saves: training_flop | hardware_efficiency | inference | capability",
                              default=None)
    compute_class: Optional[str] = col("Analysis result (FLOP basis): compute-dependent | compute-independent | "
                                       "diminishing | undetermined | insufficient evidence, with ' (tentative)' appended when "
                                       "innovation_summary.tentative", default=None)


class ModelInnovation(SQLModel, table=True):
    """Which innovations a model uses, with the source that says so."""

    __tablename__ = "model_innovation"

    model_id: str = col("Model", primary_key=True, foreign_key="model.id")
    innovation_id: str = col("Innovation", primary_key=True, foreign_key="innovation.id", index=True)
    detail: Optional[str] = col("How the model uses it, e.g. '8 KV heads'", default=None)
    source_id: str = col("Source that says the model uses it", foreign_key="source.id")


class Ablation(SQLModel, table=True):
    """One measured comparison from the literature: baseline against treatment at one scale."""

    __tablename__ = "ablation"
    __table_args__ = (
        _one_of("evidence", EVIDENCE),
        _one_of("gain_basis", GAIN_BASES),
        _one_of("confidence", CONFIDENCES),
    )

    id: Optional[int] = col("Ablation number", default=None, primary_key=True)
    innovation_id: str = col("Innovation measured", foreign_key="innovation.id", index=True)
    source_id: str = col("Where it was measured", foreign_key="source.id", index=True)
    locator: Optional[str] = col("Table or figure", default=None)
    evidence: str = col("primary | secondary | unverified: was the number read in the paper itself?",
                        default="unverified")
    setting: Optional[str] = col("Baseline description", default=None)
    parameters: Optional[float] = col("Model size of the comparison", unit="parameters", default=None)
    tokens: Optional[float] = col("Training tokens of the comparison", unit="tokens", default=None)
    compute_flop: Optional[float] = col("Training compute of the comparison", unit="FLOP", default=None)
    metric: Optional[str] = col("loss | perplexity | accuracy | ...", default=None)
    lower_is_better: Optional[bool] = col("Direction of the metric", default=None)
    baseline_value: Optional[float] = col("Metric without the innovation", default=None)
    treatment_value: Optional[float] = col("Metric with the innovation", default=None)
    gain: Optional[float] = col("Reported gain as a multiplier", unit="x", default=None)
    gain_basis: Optional[str] = col("What the gain counts: flop | steps | wallclock | tokens", default=None)
    seeds: Optional[int] = col("Number of seeds", default=None)
    note: Optional[str] = col("Caveats", default=None)
    series: Optional[str] = col("Rows measured in one sweep share a series id (for loss-vs-compute fits)",
                                default=None, index=True)
    confidence: Optional[str] = col("high | medium | low (values read off a plot are at most medium)",
                                    default=None)
    quote: Optional[str] = col("The words the numbers were read from", default=None)
    origin_ref: Optional[str] = col("File and line the row was curated in", default=None)


class Run(SQLModel, table=True):
    """One training-run result (one point of a loss-vs-compute sweep) for the CEG engine."""

    __tablename__ = "run"
    __table_args__ = (
        _one_of("arm", ARMS),
        _one_of("evidence", RUN_EVIDENCE),
        Index("ix_run_innovation_series", "innovation_id", "series"),
    )

    id: Optional[int] = col("Run number, stable for the same inputs", default=None, primary_key=True)
    innovation_id: str = col("Innovation the sweep measures", foreign_key="innovation.id")
    arm: str = col("baseline (without the innovation) | treatment (with it)")
    series: str = col("One sweep: CEGs compare the arms within a series, never across series")
    parameters: Optional[float] = col("Model size of the run", unit="parameters", default=None)
    tokens: Optional[float] = col("Training tokens of the run", unit="tokens", default=None)
    compute_flop: float = col("Training compute of the run", unit="FLOP")
    compute_method: Optional[str] = col("How compute_flop was obtained: stated | 6ND (6 x parameters x tokens, "
                                        "computed by the loader when not given) | other text", default=None)
    loss: float = col("Final loss of the run, lower is better (cross-entropy in nats per token unless loss_on "
                      "says otherwise)")
    loss_on: Optional[str] = col("Data the loss was measured on (validation set)", default=None)
    source_id: str = col("Where the run's numbers come from", foreign_key="source.id", index=True)
    locator: Optional[str] = col("repository@commit:path, table or figure", default=None)
    evidence: str = col("primary | secondary | unverified | model-implied (computed from someone's fitted law)",
                        default="unverified")
    quote: Optional[str] = col("The words or table row the numbers were read from", default=None)
    note: Optional[str] = col("Caveats", default=None)
    origin: str = col("curated (datasets/runs/) | import:<name> | scraper:<name> (generated layer)",
                      default="curated")
    origin_ref: Optional[str] = col("File and line the row was read from", default=None)


# Recipe parity (issue 16): what a run series holds equal between its arms. Each field is
# "held equal: <what>", "differs: <why the difference is part of the innovation>" or "not stated".
PARITY_FIELDS = ("tokens_per_parameter", "data", "tokenizer", "schedule", "tuning_budget", "loss")


class RunSeries(SQLModel, table=True):
    """One run series (sweep): what its arms hold equal, so that a CEG compares the innovation alone."""

    __tablename__ = "run_series"

    id: str = col("Series id, as in run.series", primary_key=True)
    source_id: str = col("Where the recipe was read", foreign_key="source.id", index=True)
    locator: Optional[str] = col("Section, table or repository@commit:path the recipe was read from", default=None)
    arms: Optional[str] = col("What the two arms are, in one phrase (baseline vs treatment)", default=None)
    tokens_per_parameter: str = col("Tokens per parameter: 'held equal: ...', 'differs: <why>' or 'not stated'")
    data: str = col("Training data: 'held equal: ...', 'differs: <why>' or 'not stated'")
    tokenizer: str = col("Tokenizer: 'held equal: ...', 'differs: <why>' or 'not stated'")
    schedule: str = col("Learning-rate schedule and steps: 'held equal: ...', 'differs: <why>' or 'not stated'")
    tuning_budget: str = col("Hyperparameter tuning per arm: 'held equal: ...', 'differs: <why>' or 'not stated'")
    loss: str = col("Loss definition and evaluation data: 'held equal: ...', 'differs: <why>' or 'not stated'")
    parity: str = col("held equal (all six) | justified differences (some differ, each with why) | "
                      "incomplete (some not stated)")
    note: Optional[str] = col("Caveats", default=None)
    origin: str = col("curated (datasets/runs/) | import:<name> | scraper:<name>", default="curated")
    origin_ref: Optional[str] = col("File and line the series was declared in", default=None)


class Verdict(SQLModel, table=True):
    """What a publication concludes about an innovation's compute dependence, shown beside cegdb's class."""

    __tablename__ = "verdict"
    __table_args__ = (_one_of("compute_class", VERDICT_CLASSES),)

    id: Optional[int] = col("Verdict number, stable for the same inputs", default=None, primary_key=True)
    innovation_id: str = col("Innovation judged", foreign_key="innovation.id", index=True)
    source_id: str = col("Publication that states the verdict", foreign_key="source.id", index=True)
    compute_class: str = col("The publication's class: compute-dependent | compute-independent | diminishing | "
                             "mixed | other")
    quote: Optional[str] = col("The words the class was read from", default=None)
    locator: Optional[str] = col("Section, table or page", default=None)
    note: Optional[str] = col("Caveats", default=None)
    origin_ref: Optional[str] = col("File and line the row was read from", default=None)


class BenchmarkResult(SQLModel, table=True):
    """A published language-model perplexity, for the progress fit (Ho et al. 2024 style)."""

    __tablename__ = "benchmark_result"
    __table_args__ = (
        _one_of("evidence", EVIDENCE),
        _one_of("confidence", CONFIDENCES),
        _one_of("benchmark", BENCHMARKS),
    )

    id: Optional[int] = col("Result number", default=None, primary_key=True)
    model_name: str = col("Model as named in the paper")
    model_id: Optional[str] = col("Catalog model, when it is in the catalog", default=None,
                                  foreign_key="model.id")
    benchmark: str = col("wikitext-103 | ptb | wikitext-2")
    perplexity: float = col("Test perplexity as reported", unit="perplexity")
    parameters: Optional[float] = col("Model size as reported", unit="parameters", default=None)
    training_tokens: Optional[float] = col("Training-set size", unit="tokens", default=None)
    epochs: Optional[float] = col("Passes over the training set, when stated", unit="epochs", default=None)
    architecture: Optional[str] = col("lstm | transformer | rnn | cnn | other", default=None)
    publication_date: Optional[str] = col("First arXiv version (ISO 8601)", default=None)
    publication_year: Optional[float] = col("publication_date as a fractional year", unit="years",
                                            default=None)
    source_id: str = col("Paper the result is from", foreign_key="source.id", index=True)
    locator: Optional[str] = col("Table or section", default=None)
    evidence: str = col("primary | secondary | unverified", default="unverified")
    confidence: str = col("high | medium | low", default="medium")
    quote: Optional[str] = col("The words or table row the value was read from", default=None)
    note: Optional[str] = col("Caveats", default=None)
    origin_ref: Optional[str] = col("File and line the row was curated in", default=None)


class ComputeEstimate(SQLModel, table=True):
    """Training compute of a model by operation counting and by hardware time (analysis result)."""

    __tablename__ = "compute_estimate"

    model_id: str = col("Model", primary_key=True, foreign_key="model.id")
    active_parameters: Optional[float] = col("Resolved active (or total) parameters used", unit="parameters",
                                             default=None)
    training_tokens: Optional[float] = col("Resolved training tokens used", unit="tokens", default=None)
    gpu_hours: Optional[float] = col("Resolved GPU-hours used", unit="hours", default=None)
    hardware_id: Optional[str] = col("Hardware whose peak was used", default=None, foreign_key="hardware.id")
    operation_count_flop: Optional[float] = col("6 x active parameters x tokens", unit="FLOP", default=None)
    hardware_time_flop: Optional[float] = col("GPU-hours x 3600 x peak x assumed utilisation", unit="FLOP",
                                              default=None)
    hardware_time_lower_flop: Optional[float] = col("Same at the lower utilisation bound", unit="FLOP",
                                                    default=None)
    hardware_time_upper_flop: Optional[float] = col("Same at the upper utilisation bound", unit="FLOP",
                                                    default=None)
    precision: Optional[str] = col("Precision whose dense peak was used", default=None)
    peak_tflops: Optional[float] = col("Dense peak used", unit="TFLOP/s", default=None)
    assumed_utilisation: Optional[float] = col("Utilisation assumed for hardware_time_flop", unit="ratio",
                                               default=None)
    implied_utilisation: Optional[float] = col("MFU at which the GPU-hours deliver the 6ND compute, "
                                               "against the peak used", unit="ratio", default=None)
    implied_utilisation_bf16: Optional[float] = col("Same against the BF16 peak (the usual MFU convention)",
                                                    unit="ratio", default=None)
    note: Optional[str] = col("The arithmetic, in words", default=None)
    analysis_version: str = col("Version of the analysis code that wrote the row")
    data_version: str = col("Content hash of the catalog the row was computed from")


class CegEstimate(SQLModel, table=True):
    """One compute-equivalent gain: fitted from a loss-vs-compute series, or reported by a paper."""

    __tablename__ = "ceg_estimate"
    __table_args__ = (_one_of("basis", GAIN_BASES),)

    id: Optional[int] = col("Estimate number", default=None, primary_key=True)
    innovation_id: str = col("Innovation", foreign_key="innovation.id", index=True)
    source_id: Optional[str] = col("Source of the underlying measurements", default=None,
                                   foreign_key="source.id")
    series: Optional[str] = col("Ablation series the fit used", default=None)
    method: str = col("fit (L = E + A C^-alpha per arm, inverted) | reported (as given by the source) | "
                      "runs (one treatment run placed on its series' baseline runs)")
    basis: str = col("What the gain counts: flop | steps | wallclock | tokens")
    compute_flop: Optional[float] = col("Compute at which the gain holds", unit="FLOP", default=None)
    ceg: float = col("Compute-equivalent gain", unit="x")
    lower: Optional[float] = col("Lower end of the 95% interval", unit="x", default=None)
    upper: Optional[float] = col("Upper end of the 95% interval", unit="x", default=None)
    censored: Optional[str] = col("'>' lower bound, '<' upper bound, empty when exact", default=None)
    extrapolated: Optional[bool] = col("Outside the measured compute range", default=None)
    interpolated_ceg: Optional[float] = col("Model-free cross-check by interpolation", unit="x", default=None)
    ablation_ids: Optional[str] = col("Ablation rows it rests on (comma-separated ids)", default=None)
    note: Optional[str] = col("Caveats", default=None)
    analysis_version: str = col("Version of the analysis code that wrote the row")
    data_version: str = col("Content hash of the catalog the row was computed from")
    run_ids: Optional[str] = col("Run rows it rests on (method runs: the treatment run first, then the "
                                 "baseline runs; comma-separated ids)", default=None)
    evidence: Optional[str] = col("Weakest evidence among the rows it rests on: primary | secondary | "
                                  "unverified | model-implied", default=None)
    baseline_compute_flop: Optional[float] = col("Compute at which the baseline reaches the treatment's loss "
                                                 "(method runs)", unit="FLOP", default=None)


class InnovationSummary(SQLModel, table=True):
    """Is the innovation's gain compute-dependent? One row per innovation and gain basis."""

    __tablename__ = "innovation_summary"
    __table_args__ = (_one_of("basis", GAIN_BASES),)

    innovation_id: str = col("Innovation", primary_key=True, foreign_key="innovation.id")
    basis: str = col("Gain basis the class rests on: flop | steps | wallclock | tokens", primary_key=True)
    compute_class: str = col("compute-dependent | compute-independent | diminishing | undetermined (measured, "
                             "but (a) and (b) define no class) | insufficient evidence (nothing measured decides)")
    slope: Optional[float] = col("d ln CEG / d ln C", unit="ratio", default=None)
    slope_lower: Optional[float] = col("Lower end of the slope's 95% interval", unit="ratio", default=None)
    slope_upper: Optional[float] = col("Upper end of the slope's 95% interval", unit="ratio", default=None)
    n_points: int = col("CEG points the slope rests on")
    compute_min: Optional[float] = col("Smallest compute among the points", unit="FLOP", default=None)
    compute_max: Optional[float] = col("Largest compute among the points", unit="FLOP", default=None)
    ceg_at_min: Optional[float] = col("CEG at the smallest compute", unit="x", default=None)
    ceg_at_max: Optional[float] = col("CEG at the largest compute", unit="x", default=None)
    ablation_ids: Optional[str] = col("Ablation rows the class rests on (comma-separated ids)", default=None)
    reason: Optional[str] = col("Which threshold decided the class", default=None)
    analysis_version: str = col("Version of the analysis code that wrote the row")
    data_version: str = col("Content hash of the catalog the row was computed from")
    tentative: Optional[bool] = col("The class rests on less than one decade of compute", default=None)
    run_ids: Optional[str] = col("Run rows the class rests on (comma-separated ids)", default=None)
    n_series: Optional[int] = col("Sweeps (series) the points come from; each has its own intercept in the "
                                  "slope fit", unit="series", default=None)
    pivot_compute_flop: Optional[float] = col("Weighted mean compute of the points: the fitted line and its "
                                              "slope band pass through (pivot_compute_flop, pivot_ceg)",
                                              unit="FLOP", default=None)
    pivot_ceg: Optional[float] = col("Fitted CEG at pivot_compute_flop", unit="x", default=None)
    literature_class: Optional[str] = col("The literature's verdict(s) on the innovation (distinct classes, "
                                          "'; '-separated)", default=None)
    literature_sources: Optional[str] = col("Sources of the verdicts (comma-separated ids)", default=None)
    agreement: Optional[str] = col("agree | disagree | partly (verdicts differ, one matches) | no class "
                                   "(ours is undetermined or insufficient evidence) | no verdict", default=None)
    gain_small: Optional[float] = col("(a) CEG at the smallest measured compute (compute_small), from measured "
                                      "series only", unit="x", default=None)
    gain_small_lower: Optional[float] = col("Lower end of gain_small's 95% interval (empty: no noise estimate)",
                                            unit="x", default=None)
    gain_small_upper: Optional[float] = col("Upper end of gain_small's 95% interval", unit="x", default=None)
    compute_small: Optional[float] = col("Compute at which gain_small holds", unit="FLOP", default=None)
    trend: Optional[str] = col("(b) grows | shrinks | flat | undetermined, from the slope's 95% interval",
                               default=None)
    tau: Optional[float] = col("Between-cluster standard deviation of the series' slopes (DerSimonian-Laird)",
                               unit="ratio", default=None)
    i_squared: Optional[float] = col("Share of the slopes' spread that is heterogeneity rather than noise (I²)",
                                     unit="fraction", default=None)
    series_disagree: Optional[bool] = col("One series' gain grows and another's shrinks, each decided by its "
                                          "own interval (the class is then undetermined)", default=None)
    comparison: Optional[str] = col("One sentence: what was compared (arms, recipe, loss, compute range, "
                                    "measured or model-derived)", default=None)


class ProgressEstimate(SQLModel, table=True):
    """Results of the augmented scaling-law fit to published perplexities."""

    __tablename__ = "progress_estimate"

    id: Optional[int] = col("Estimate number", default=None, primary_key=True)
    quantity: str = col("doubling_time_months | ceg | parameter")
    innovation_id: Optional[str] = col("Innovation, for a CEG", default=None, foreign_key="innovation.id")
    compute_flop: Optional[float] = col("Compute at which a CEG is evaluated", unit="FLOP", default=None)
    value: Optional[float] = col("Point estimate")
    lower: Optional[float] = col("Lower end of the bootstrap 95% interval", default=None)
    upper: Optional[float] = col("Upper end of the bootstrap 95% interval", default=None)
    unit: Optional[str] = col("Unit of value", default=None)
    extrapolated: Optional[bool] = col("Evaluated outside the compute range of the results", default=None)
    n_results: int = col("Benchmark results the fit used")
    resamples: int = col("Bootstrap resamples that converged")
    note: Optional[str] = col("Caveats", default=None)
    analysis_version: str = col("Version of the analysis code that wrote the row")
    data_version: str = col("Content hash of the catalog the row was computed from")


class Release(SQLModel, table=True):
    """A frozen, citable version of the catalog."""

    __tablename__ = "release"

    data_version: str = col("CalVer, e.g. 2026.12.0", primary_key=True)
    schema_revision: str = col("Alembic head revision of the schema")
    built_at: str = col("When it was built (ISO 8601, UTC)")
    git_commit: Optional[str] = col("Commit of the code and datasets", default=None)
    content_sha256: Optional[str] = col("SHA-256 over the catalog's content")


class Alias(SQLModel, table=True):
    """Old or alternative ids, so a renamed entity keeps its citations working."""

    __tablename__ = "alias"

    alias: str = col("Old or alternative id", primary_key=True)
    entity_type: str = col("model | hardware | organization | innovation")
    entity_id: str = col("Current id")
    note: Optional[str] = col("Why the alias exists", default=None)


TABLES: tuple[type[SQLModel], ...] = (
    Source, Organization, Hardware, HardwarePrice, PriceIndex, Model, Checkpoint, Snapshot, Claim, Conflict, Innovation, ModelInnovation,
    Ablation, Run, RunSeries, Verdict, BenchmarkResult, Release, Alias, ComputeEstimate, CegEstimate, InnovationSummary,
    ProgressEstimate,
)


def column_docs(table: type[SQLModel]) -> dict[str, tuple[str, str | None]]:
    """Column name -> (description, unit) as declared above."""
    docs = {}
    for name, info in table.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        docs[name] = (info.description or "", extra.get("unit"))
    return docs
