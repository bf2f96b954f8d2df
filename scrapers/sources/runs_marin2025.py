"""The Marin speedrun (GitHub marin-community/marin, experiments/speedrun/): submissions trained at
four sizes (130M, 300M, 520M and 1.2B nominal; 154M-1.43B parameters) on one FineWeb-Edu cache,
each size's result in <family>/<size>/speedrun_results.json.

What a file is. `runs[0].run_info` of a speedrun submission (marin.speedrun writes it when the run
completes): `eval/paloma/c4_en/bpb` (the Paloma C4-en validation loss in bits per byte at the end of
training: the one evaluation every submission reports), `model_flops` (the run's training FLOPs as
the speedrun counts them, attention included: compute_method stated), `model_size` (parameters),
`total_tokens`, `tokenized_dataset` (the training cache), `model_config` and `train_config` (with
the whole `optimizer_config`). Bits per byte do not depend on the tokenizer; each comparison here
has one tokenizer anyway. `model_flops` is 0.74-1.12 x 6 N D across the sizes, not an error: it
counts attention over 4096-token sequences but not the input-embedding lookup, and the input
embedding (128,256 tokens x 512) is 43% of the smallest model's 154M parameters.

What is compared (families and sizes as the submitters ran them, one run per cell, no seed given):
  * `adamc`: AdamW against AdamC (Defazio 2025), llama-style models: optimizer settings identical
    at every size except `adamc_weight_decay` (checked); and Cautious against C-AdamC, the same
    switch on top of Cautious AdamW (checked the same way). Two series.
  * `attention-sink`: the "hackable transformer" with standard attention against the same model
    with `use_attention_sink` on (model and optimizer settings identical otherwise: checked).
  * `parallel-blocks`: the same standard-attention baseline against parallel_llama, the same model
    with `use_parallel_blocks` on (attention and MLP read the same normalised input and are summed;
    everything else identical: checked).
  * `qk-norm`: Muon-trained llama models against the same geometry as Levanter's Qwen3 model, which
    is the Llama architecture plus an RMSNorm on each head's queries and keys (sliding window off);
    optimizer, batch, steps, tokens and cache identical (checked).
  * `cautious-optimizer` and `muon`: Cautious AdamW and Muon against AdamW on the llama models, each
    optimizer with its own submitted learning rate (Muon also its own schedule and, at 520M, batch):
    the tuning is part of the optimizer comparison, as in Wen et al. 2025 (recorded under `differs`).
Every pair is checked to share the training cache, tokens, parameters, sequence length and FLOPs
per size; a difference is an error naming the file. Left out: gated attention (its cache differs
from the baseline's: `...-ac65f6` against `...-6fbcbb`), AdamH (it also changes the architecture)
and families with fewer than three sizes.

Where the numbers came from. The repository is over this workplace's fetch limit, so each file was
read through a code index, which keeps one version of each file (the commit per file is in
FILE_COMMITS and every locator); the fields this importer uses were transcribed into files of the
same path and nesting (a full checkout parses the same way), checked against a second, independent
reading of the same files (parallel_llama's and muon_qwen3_scaling's four files each: one reading, checked field by field against
its text; their FLOPs, parameters and tokens equal the baseline's, which the parser checks). The
generated file's sha256 values are those of the transcripts.
"""

from __future__ import annotations

from typing import Mapping, NamedTuple

from scrapers.errors import ParseError
from scrapers.parsers import load_json
from scrapers.sources.runs_common import Release, parity, positive

SOURCE = "marin2025speedrunrepo"
ROOT = "experiments/speedrun"
METRIC = "eval/paloma/c4_en/bpb"
LOSS_ON = "Paloma C4-en validation loss in bits per byte (eval/paloma/c4_en/bpb) at the end of training"
LLAMA_SIZES = ("130m", "300m", "520m", "1_2b")
HACK_SIZES = {"std_attn": ("130m", "300m", "520m", "1.2b"), "attnsink": ("130m", "300m", "520m", "1_2b")}
FAMILIES = {
    "adamw": [f"adamw_llama_scaling/{s}" for s in LLAMA_SIZES],
    "adamc": [f"adamc_llama_scaling/{s}" for s in LLAMA_SIZES],
    "cautious": [f"cautious_llama_scaling/{s}" for s in LLAMA_SIZES],
    "c-adamc": [f"c-adamc_llama_scaling/{s}" for s in LLAMA_SIZES],
    "muon": [f"muon_llama_scaling/{s}" for s in LLAMA_SIZES],
    "std_attn": [f"hackable_transformer_starter/std_attn/{s}" for s in HACK_SIZES["std_attn"]],
    "attnsink": [f"hackable_transformer_starter/attnsink/{s}" for s in HACK_SIZES["attnsink"]],
    "parallel": [f"parallel_llama/{s}" for s in LLAMA_SIZES],
    "muon_qwen3": [f"muon_qwen3_scaling/{s}" for s in LLAMA_SIZES],
}
PATHS = {family: [f"{ROOT}/{folder}/speedrun_results.json" for folder in folders]
         for family, folders in FAMILIES.items()}
# The commit the code index gave for each file (read_file's answer).
FILE_COMMITS = {
    f"{ROOT}/adamc_llama_scaling/130m/speedrun_results.json": "3cb4a055864191d2b9022185e3ccdb8186a1802e",
    f"{ROOT}/adamc_llama_scaling/1_2b/speedrun_results.json": "32f0364fa9d9e756c4914bf0406ec88a10f1a37b",
    f"{ROOT}/adamc_llama_scaling/300m/speedrun_results.json": "3cb4a055864191d2b9022185e3ccdb8186a1802e",
    f"{ROOT}/adamc_llama_scaling/520m/speedrun_results.json": "3cb4a055864191d2b9022185e3ccdb8186a1802e",
    f"{ROOT}/adamw_llama_scaling/130m/speedrun_results.json": "38359f7806df06ce7e187696999fb951f819f34d",
    f"{ROOT}/adamw_llama_scaling/1_2b/speedrun_results.json": "3cb4a055864191d2b9022185e3ccdb8186a1802e",
    f"{ROOT}/adamw_llama_scaling/300m/speedrun_results.json": "3cb4a055864191d2b9022185e3ccdb8186a1802e",
    f"{ROOT}/adamw_llama_scaling/520m/speedrun_results.json": "0343cb27cea4d76839476eec68614793639e4288",
    f"{ROOT}/c-adamc_llama_scaling/130m/speedrun_results.json": "3cb4a055864191d2b9022185e3ccdb8186a1802e",
    f"{ROOT}/c-adamc_llama_scaling/1_2b/speedrun_results.json": "08468c85df2a00a3a81d4cff9afcd43062ace0c9",
    f"{ROOT}/c-adamc_llama_scaling/300m/speedrun_results.json": "3cb4a055864191d2b9022185e3ccdb8186a1802e",
    f"{ROOT}/c-adamc_llama_scaling/520m/speedrun_results.json": "3283eaf00c69b3a7ba9f933a97aadada4dd0f8b6",
    f"{ROOT}/cautious_llama_scaling/130m/speedrun_results.json": "3cb4a055864191d2b9022185e3ccdb8186a1802e",
    f"{ROOT}/cautious_llama_scaling/1_2b/speedrun_results.json": "08468c85df2a00a3a81d4cff9afcd43062ace0c9",
    f"{ROOT}/cautious_llama_scaling/300m/speedrun_results.json": "3cb4a055864191d2b9022185e3ccdb8186a1802e",
    f"{ROOT}/cautious_llama_scaling/520m/speedrun_results.json": "3cb4a055864191d2b9022185e3ccdb8186a1802e",
    f"{ROOT}/hackable_transformer_starter/attnsink/130m/speedrun_results.json": "a8b63c685dc183f2a1847a3e8bee03d01ff4b799",
    f"{ROOT}/hackable_transformer_starter/attnsink/1_2b/speedrun_results.json": "258a499622fec7f4782dae1fc48b5b53678747be",
    f"{ROOT}/hackable_transformer_starter/attnsink/300m/speedrun_results.json": "258a499622fec7f4782dae1fc48b5b53678747be",
    f"{ROOT}/hackable_transformer_starter/attnsink/520m/speedrun_results.json": "258a499622fec7f4782dae1fc48b5b53678747be",
    f"{ROOT}/hackable_transformer_starter/std_attn/1.2b/speedrun_results.json": "3cb4a055864191d2b9022185e3ccdb8186a1802e",
    f"{ROOT}/hackable_transformer_starter/std_attn/130m/speedrun_results.json": "3cb4a055864191d2b9022185e3ccdb8186a1802e",
    f"{ROOT}/hackable_transformer_starter/std_attn/300m/speedrun_results.json": "3cb4a055864191d2b9022185e3ccdb8186a1802e",
    f"{ROOT}/hackable_transformer_starter/std_attn/520m/speedrun_results.json": "3cb4a055864191d2b9022185e3ccdb8186a1802e",
    f"{ROOT}/muon_qwen3_scaling/130m/speedrun_results.json": "0b62a3384eadbf8cfe2bf8b1027a813ca7d607c7",
    f"{ROOT}/muon_qwen3_scaling/300m/speedrun_results.json": "3cb4a055864191d2b9022185e3ccdb8186a1802e",
    f"{ROOT}/muon_qwen3_scaling/520m/speedrun_results.json": "3cb4a055864191d2b9022185e3ccdb8186a1802e",
    f"{ROOT}/muon_qwen3_scaling/1_2b/speedrun_results.json": "0b62a3384eadbf8cfe2bf8b1027a813ca7d607c7",
    f"{ROOT}/parallel_llama/130m/speedrun_results.json": "3cb4a055864191d2b9022185e3ccdb8186a1802e",
    f"{ROOT}/parallel_llama/300m/speedrun_results.json": "3cb4a055864191d2b9022185e3ccdb8186a1802e",
    f"{ROOT}/parallel_llama/520m/speedrun_results.json": "3cb4a055864191d2b9022185e3ccdb8186a1802e",
    f"{ROOT}/parallel_llama/1_2b/speedrun_results.json": "3cb4a055864191d2b9022185e3ccdb8186a1802e",
    f"{ROOT}/muon_llama_scaling/130m/speedrun_results.json": "38359f7806df06ce7e187696999fb951f819f34d",
    f"{ROOT}/muon_llama_scaling/1_2b/speedrun_results.json": "3cb4a055864191d2b9022185e3ccdb8186a1802e",
    f"{ROOT}/muon_llama_scaling/300m/speedrun_results.json": "3cb4a055864191d2b9022185e3ccdb8186a1802e",
    f"{ROOT}/muon_llama_scaling/520m/speedrun_results.json": "1e810866cad9f1e82fbfecdc33a1b338d109cc80",
}
class Comparison(NamedTuple):
    innovation: str
    series: str
    base: str                  # baseline family (a key of PATHS)
    treat: str                 # treatment family
    arms: str                  # the parity record's one phrase
    switch: frozenset[str]     # one-switch pair: the only settings allowed to differ (checked)
    tuned: dict[str, str] | None = None  # tuned-optimizer pair: what differs and why (not checked)
    note: str = ""             # what the record's note adds for this pair


LLAMA = "llama models 154M-1.43B"
HACK = "Muon-trained transformer 154M-1.43B"


def _tuned(name: str, schedule: str) -> dict[str, str]:
    return {"tuning_budget": f"the optimizer is the innovation: {name} with its own submitted learning rate, betas, "
                             "epsilon, clipping and weight decay, as AdamW with its own (one submission per size "
                             "each, no seed)",
            "schedule": f"part of each optimizer's submitted recipe: {schedule}"}


COMPARISONS = (
    Comparison("adamc", "marin2025-adamc-vs-adamw", "adamw", "adamc",
               f"AdamW (baseline) against AdamC (treatment), {LLAMA}", frozenset({"adamc_weight_decay"})),
    Comparison("adamc", "marin2025-cautious-adamc-vs-cautious", "cautious", "c-adamc",
               "Cautious AdamW (baseline) against C-AdamC, Cautious with AdamC's weight decay (treatment)",
               frozenset({"adamc_weight_decay"})),
    Comparison("attention-sink", "marin2025-attnsink-vs-std-attn", "std_attn", "attnsink",
               f"standard attention (baseline) against attention with a sink (treatment), {HACK}",
               frozenset({"use_attention_sink"})),
    Comparison("parallel-blocks", "marin2025-parallel-vs-std-attn", "std_attn", "parallel",
               f"serial attention and MLP (baseline) against parallel blocks (treatment), {HACK}",
               frozenset({"use_parallel_blocks"})),
    Comparison("qk-norm", "marin2025-qwen3-qknorm-vs-llama", "muon", "muon_qwen3",
               "the llama models with Muon (baseline) against the same sizes as Qwen3 models, i.e. with QK-norm "
               "(treatment), 154M-1.43B", frozenset({"use_sliding_window", "sliding_window"}),
               note="The model class is the switch: Levanter's Qwen3Config is the Llama architecture plus QK-norm "
                    "(its sliding window, the only other setting, is off in these runs). "),
    Comparison("cautious-optimizer", "marin2025-cautious-vs-adamw", "adamw", "cautious",
               f"AdamW (baseline) against Cautious AdamW (treatment), {LLAMA}", frozenset(),
               _tuned("Cautious AdamW", "the same cosine shape, with Cautious's own warmup (2000 steps against "
                                        "AdamW's 1000 at 520M and 1.2B)")),
    Comparison("muon", "marin2025-muon-vs-adamw", "adamw", "muon",
               f"AdamW (baseline) against Muon (treatment), {LLAMA}", frozenset(),
               _tuned("Muon", "Muon's is linear without warmup against AdamW's cosine with warmup, and at 520M "
                              "batch 128 x 19836 steps against AdamW's 256 x 9918 (the same tokens)")),
)
SAME_PER_SIZE = ("model_size", "total_tokens", "tokenized_dataset", "model_flops")


def _wanted(path: str) -> bool:
    return any(path in paths for paths in PATHS.values())


RELEASE = Release(
    slug="marin2025",
    repo="marin-community/marin",
    commit="3cb4a055864191d2b9022185e3ccdb8186a1802e",  # the commit most files were read at
    retrieved_on="2026-12-07",  # the day of the reading: the code index gives no commit dates
    wanted=_wanted,
    description="Marin speedrun submissions at 130M-1.2B on one FineWeb-Edu cache: AdamC, attention sinks, "
                "Cautious and Muon against their baselines, Paloma C4-en bits per byte",
    paths=tuple(p for paths in PATHS.values() for p in paths),
    file_commits=FILE_COMMITS,
)


def _run(path: str, data: bytes) -> dict:
    try:
        info = load_json(data, path)["runs"][0]["run_info"]
        train = info["train_config"]
        model = info["model_config"]
        optimizer = train["optimizer_config"]
    except (KeyError, IndexError, TypeError) as exc:
        raise ParseError(path, "runs[0].run_info", f"not a speedrun result: {exc!r}") from None
    run = {key: positive(info.get(key), path, f"runs[0].run_info.{key}")
           for key in (METRIC, "model_flops", "model_size", "total_tokens")}
    if not isinstance(info.get("tokenized_dataset"), str):
        raise ParseError(path, "runs[0].run_info.tokenized_dataset", "missing")
    return {**run, "path": path, "tokenized_dataset": info["tokenized_dataset"].rsplit("/", 1)[-1],
            "model": model, "optimizer": optimizer,
            "train": {k: train.get(k) for k in ("learning_rate", "num_train_steps", "train_batch_size")}}


def _differing(a: Mapping, b: Mapping) -> set[str]:
    """Keys whose values differ; a key one file leaves out and the other sets to null or false is the
    same setting (later speedrun versions write defaults that earlier ones omit)."""
    def value(d, k):
        v = d.get(k)
        return None if v is False else v
    return {k for k in set(a) | set(b) if value(a, k) != value(b, k)}


def parse(files: Mapping[str, bytes], *, repo: str = RELEASE.repo, commit: str = RELEASE.commit) -> list[dict]:
    runs = {}
    for family, paths in PATHS.items():
        for path in paths:
            if path not in files:
                raise ParseError(path, None, f"a file of release {RELEASE.slug} is missing")
            runs[path] = _run(path, files[path])
    rows = []
    for c in COMPARISONS:
        for base_path, treat_path in zip(PATHS[c.base], PATHS[c.treat]):
            b, t = runs[base_path], runs[treat_path]
            for key in SAME_PER_SIZE:
                if b[key] != t[key]:
                    raise ParseError(treat_path, f"runs[0].run_info.{key}",
                                     f"{t[key]!r} differs from {b[key]!r} in {base_path}")
            if b["model"].get("seq_len") != t["model"].get("seq_len"):
                raise ParseError(treat_path, "model_config.seq_len", "differs from the baseline's")
            if c.tuned is None:
                extra = (_differing(b["optimizer"], t["optimizer"]) | _differing(b["model"], t["model"])
                         | _differing(b["train"], t["train"])) - c.switch
                if extra:
                    raise ParseError(treat_path, ", ".join(sorted(extra)),
                                     f"differs from {base_path} beyond {sorted(c.switch)}")
            for arm, run in (("baseline", b), ("treatment", t)):
                path = run["path"]
                at = FILE_COMMITS.get(path, commit)
                rows.append({
                    "innovation": c.innovation, "arm": arm, "series": c.series,
                    "parameters": run["model_size"], "tokens": run["total_tokens"],
                    "compute_flop": run["model_flops"], "compute_method": "stated", "loss": run[METRIC],
                    "loss_on": LOSS_ON, "source": SOURCE, "evidence": "primary",
                    "locator": f"{repo}@{at}:{path}, runs[0].run_info ({METRIC}, model_flops, model_size, total_tokens)",
                    "note": f"{'/'.join(path.split('/')[2:-1])}; learning rate {run['train']['learning_rate']}, batch "
                            f"{run['train']['train_batch_size']} x {run['model'].get('seq_len')} tokens, "
                            f"{run['train']['num_train_steps']} steps; one run, no seed given",
                })
    return rows


def series_records(rows: list[dict]) -> list[dict]:
    used = {row["series"] for row in rows}
    records = []
    for c in sorted((c for c in COMPARISONS if c.series in used), key=lambda c: c.series):
        held = {"data": "one FineWeb-Edu training cache (fineweb-edu-10B-6fbcbb) and the same tokens per size",
                "tokenizer": "the same cache, hence the same tokenizer; the loss is per byte",
                "loss": LOSS_ON + ", for both arms",
                "tokens_per_parameter": "the same parameters and tokens per size in both arms (checked)"}
        if c.tuned is None:
            held |= {"schedule": "the same learning-rate schedule, warmup, batch and steps (checked)",
                     "tuning_budget": "the same submitted settings in both arms; only "
                                      f"{', '.join(sorted(c.switch))} may differ (checked)"}
        records.append(parity(c.series, SOURCE, arms=c.arms,
                              locator=f"{RELEASE.repo}@{RELEASE.commit}:{ROOT}/ (speedrun_results.json per size)",
                              held_equal=held, differs=c.tuned,
                              note=c.note + "One run per size and arm, no seed given; the engine's noise comes "
                                            "from the scatter around the joint fit."))
    return records
