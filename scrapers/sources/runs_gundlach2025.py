"""Gundlach et al. 2025 (arXiv 2511.21622), run logs in GitHub hansgundlach/Experimental_Progress.

Each run is one CSV (columns step, training_loss, validation_loss, total_flops_profiler,
theoretical_flops, tokens; one row every 50 or 200 steps), one file per model width. The point
kept per run is its LAST row: validation loss at the run's total profiler-counted FLOPs and
tokens. That is NOT the authors' frontier rule: their figure scripts at this commit
(experimental_analysis/historical_modern_transformer_panel.py, lstm_layer1_layer2_panel.py,
lstm_lr_trend_panel.py) call graphing_utils.identify_frontier_by_class(method="pareto",
use_all_points=True), a Pareto frontier per model class over EVERY logged checkpoint of every run
(validation loss minus a fitted irreducible loss, compute column total_flops_profiler, FLOP range
1e14..5e17 in the panels). Final rows are kept here because the modern arm uses a cosine schedule
to the end of each run (experiment_utils base config lr_schedule "cosine_warmup"), where an
intermediate checkpoint is not a finished run; the series notes say so.
Training_loss in the last row is a partial-window average (e.g. 27.8) and is not used.

When the runs were added: every CSV under new_experiments_folder_1/ was first committed between
2026-04-22 and 2026-05-06 (git log --diff-filter=A: x2_lstm_layer2 2026-04-22, x1_lstm_layer1 and
lstm_layer1 2026-04-23, x1_historical, x1_rms_historical, x2_modern and the *_lr_trend folders
2026-05-06), i.e. after arXiv v1 (2511.21622, November 2025); the SGD/AdamW pair under
experimental_data_folder_backup_/ was committed 2025-11-15. So most of these runs are not the
runs behind the v1 figures.
Two kinds of run are left out, each listed in `skipped`: a diverged run (last validation loss
`nan`: x1_modern_all_lr_trend/128d.csv) and a run stopped early, i.e. one whose final token count
is below that of a narrower run of the same family (x1_lstm_layer1_lr_trend/384d.csv ends at
616M tokens, below the 352d run's 749M; every complete run trains on about 40 tokens/parameter).

Which folders, and why (the repository holds many exploratory, retried and duplicated sweeps):
- new_experiments_folder_1/ is the results folder of the current code (experiment_utils
  get_base_config results_folder) and the one the current figure scripts read
  (experimental_analysis/lstm_layer1_layer2_panel.py, historical_modern_transformer_panel.py,
  lstm_lr_trend_panel.py, modern_lr_trend_panel.py). Runs: C4 subset, GPT-2 tokenizer, validation
  on 500k held-out tokens, about 40 tokens per parameter (token_to_param_ratio=40).
  * x1_lstm_layer1 + lstm_layer1 (80/96/112d): 1-layer LSTM widths, the paper's LSTM class.
  * x2_lstm_layer2: 2-layer LSTM widths.
  * x1_historical: the 2017-style transformer (GELU, post-norm LayerNorm, sinusoidal positions,
    Adam, inverse-sqrt schedule). x1_retry_historical_experiments is an earlier, shorter attempt
    at the same sweep (identical first rows, fewer steps): left out as a duplicate.
  * x1_rms_historical: the same 2017-style transformer with RMSNorm instead of LayerNorm.
  * x2_modern: the modern transformer (RoPE, SwiGLU, pre-norm RMSNorm, AdamW, cosine schedule).
  * x1_lstm_layer1_lr_trend, x1_all_lr_historical_trend, x1_modern_all_lr_trend: the same three
    families re-run with learning rates from a fitted LR-vs-width trend instead of per-width
    sweeps; kept as separate series (they were committed in 2026, after arXiv v1).
  * *_lr_sweep folders (learning-rate searches), x1_lstm_layer1_old, x2_lstm_layer2_nonparab
    (a variant), debug_runs: left out.
- experimental_data_folder_backup_/ holds the v1-era sweeps; from it only the SGD-vs-AdamW pair,
  which is not in new_experiments_folder_1: new_sgd_scaling/<d>d_sgdbs64.csv (modern transformer,
  SGD with momentum 0.98, no weight decay) against new_modern_scaling_study/<d>_modern_40.csv (the
  same model and token budget with AdamW; identical tokens and FLOPs per width). 256_sgd_nowd.csv
  and the *_kaplan_40 / unsuffixed *_modern files (other token budgets) are left out.
- The v1-era exploratory sweeps in experimental_data_folder_backup_/ that look like more
  comparisons are left out on purpose: sin_scaling/128d and 160d are byte-identical to
  transformer_scaling/128d and 160d (so the RoPE-vs-sinusoidal and GELU-vs-SwiGLU pairs cannot be
  trusted), and several of those logs are empty (header only).

Model-implied points (evidence `model-implied`): experimental_analysis/how-bitter-graphs/constants.py
holds the authors' fitted compute-optimal laws, reducible loss L = A * C**alpha, for the LSTM
(A_L, alpha_L), the 2017-style transformer (A_T17, alpha_T17) and the modern transformer (A_TM,
alpha_TM); their utils.py inverts them for the paper's extrapolated CEGs. They are evaluated here at
one point per decade, 1e14..1e24 FLOP (a grid chosen here: the runs' range and the extrapolation
to frontier compute), as series gundlach2025-fitted-lstm-vs-transformer2017 and
gundlach2025-fitted-lstm-vs-modern-transformer. Such points are never the only basis of a class.
"""

from __future__ import annotations

import re
from typing import Mapping

from scrapers.errors import ParseError
from scrapers.sources.runs_common import Release, number, parity, read_csv

NEW = "new_experiments_folder_1"
BACKUP = "experimental_data_folder_backup_"
SOURCE = "gundlach2025experimentalprogressrepo"
LOSS_ON = "C4 subset, 500k held-out validation tokens (GPT-2 tokenizer)"
COLUMNS = ("step", "validation_loss", "total_flops_profiler", "tokens")

# name -> (folder, file-name pattern with the width as group 1, what it is)
FAMILIES = {
    "lstm1": ([f"{NEW}/x1_lstm_layer1", f"{NEW}/lstm_layer1"], r"(\d+)d\.csv", "1-layer LSTM"),
    "lstm2": ([f"{NEW}/x2_lstm_layer2"], r"(\d+)d\.csv", "2-layer LSTM"),
    "historical": ([f"{NEW}/x1_historical"], r"(\d+)_all_reset\.csv",
                   "2017-style transformer (post-norm LayerNorm, GELU, sinusoidal, Adam)"),
    "historical-rms": ([f"{NEW}/x1_rms_historical"], r"(\d+)_all_reset\.csv",
                       "2017-style transformer with RMSNorm"),
    "modern": ([f"{NEW}/x2_modern"], r"(\d+)_modern(?:_40)?\.csv",
               "modern transformer (RoPE, SwiGLU, pre-norm RMSNorm, AdamW, cosine)"),
    "lstm1-lrtrend": ([f"{NEW}/x1_lstm_layer1_lr_trend"], r"(\d+)d\.csv", "1-layer LSTM, trend learning rates"),
    "historical-lrtrend": ([f"{NEW}/x1_all_lr_historical_trend"], r"(\d+)d\.csv",
                           "2017-style transformer, trend learning rates"),
    "modern-lrtrend": ([f"{NEW}/x1_modern_all_lr_trend"], r"(\d+)d\.csv", "modern transformer, trend learning rates"),
    "modern-sgd": ([f"{BACKUP}/new_sgd_scaling"], r"(\d+)d_sgdbs64\.csv", "modern transformer trained with SGD"),
    "modern-adamw": ([f"{BACKUP}/new_modern_scaling_study"], r"(\d+)_modern_40\.csv",
                     "modern transformer trained with AdamW"),
}

# (innovation, series, baseline family, treatment family)
COMPARISONS = (
    ("transformer", "gundlach2025-lstm1-vs-transformer", "lstm1", "historical"),
    ("transformer", "gundlach2025-lstm2-vs-transformer", "lstm2", "historical"),
    ("transformer", "gundlach2025-lstm1-vs-transformer-lr-trend", "lstm1-lrtrend", "historical-lrtrend"),
    ("rmsnorm", "gundlach2025-historical-layernorm-vs-rmsnorm", "historical", "historical-rms"),
    ("modern-transformer-recipe", "gundlach2025-historical-vs-modern", "historical", "modern"),
    ("modern-transformer-recipe", "gundlach2025-historical-vs-modern-lr-trend", "historical-lrtrend",
     "modern-lrtrend"),
    ("adam", "gundlach2025-sgd-vs-adamw", "modern-sgd", "modern-adamw"),
)


def _family_of(path: str) -> tuple[str, int] | None:
    folder, _, name = path.rpartition("/")
    for family, (folders, pattern, _) in FAMILIES.items():
        match = re.fullmatch(pattern, name)
        if folder in folders and match:
            return family, int(match[1])
    return None


CONSTANTS = "experimental_analysis/how-bitter-graphs/constants.py"
FIT_NAMES = {"lstm": ("A_L", "alpha_L"), "transformer2017": ("A_T17", "alpha_T17"),
             "modern-transformer": ("A_TM", "alpha_TM")}
FIT_SERIES = (("transformer", "gundlach2025-fitted-lstm-vs-transformer2017", "lstm", "transformer2017"),
              ("transformer", "gundlach2025-fitted-lstm-vs-modern-transformer", "lstm", "modern-transformer"))
FIT_GRID_FLOP = tuple(10.0 ** e for e in range(14, 25))
FIT_LOSS_ON = "reducible loss from the authors' fitted law L = A*C^alpha (C4 validation loss minus a fitted floor)"


def wanted(path: str) -> bool:
    return path == CONSTANTS or _family_of(path) is not None


def fitted_constants(data: bytes, path: str = CONSTANTS) -> dict[str, tuple[float, float]]:
    """{fit name: (A, alpha)} from the tuple assignments `A_L, alpha_L = 3.63e1, -0.065` in constants.py."""
    import ast

    try:
        tree = ast.parse(data.decode("utf-8"), filename=path)
    except (SyntaxError, UnicodeDecodeError) as exc:
        raise ParseError(path, None, f"not Python: {exc}") from None
    values: dict[str, float] = {}
    for node in tree.body:
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target, value = node.targets[0], node.value
        names = [t.id for t in target.elts] if isinstance(target, ast.Tuple) else [getattr(target, "id", None)]
        exprs = value.elts if isinstance(value, ast.Tuple) else [value]
        for name, expr in zip(names, exprs):
            try:
                values[name] = float(ast.literal_eval(expr))
            except (ValueError, TypeError, SyntaxError):
                continue
    fits = {}
    for fit, (a_name, alpha_name) in FIT_NAMES.items():
        if a_name not in values or alpha_name not in values:
            raise ParseError(path, f"{a_name}, {alpha_name}", "fitted constant(s) missing")
        if values[a_name] <= 0 or values[alpha_name] >= 0:
            raise ParseError(path, f"{a_name}, {alpha_name}", "expected A > 0 and a negative exponent")
        fits[fit] = (values[a_name], values[alpha_name])
    return fits


def model_implied_rows(data: bytes, *, repo: str, commit: str) -> list[dict]:
    fits = fitted_constants(data)
    rows = []
    for innovation, series, base, treat in FIT_SERIES:
        for arm, fit in (("baseline", base), ("treatment", treat)):
            a, alpha = fits[fit]
            a_name, alpha_name = FIT_NAMES[fit]
            for compute in FIT_GRID_FLOP:
                rows.append({
                    "innovation": innovation, "arm": arm, "series": series, "compute_flop": compute,
                    "compute_method": "grid point (model-implied)", "loss": a * compute ** alpha,
                    "loss_on": FIT_LOSS_ON, "source": SOURCE, "evidence": "model-implied",
                    "locator": f"{repo}@{commit}:{CONSTANTS}, {a_name}, {alpha_name}",
                    "note": f"{fit} fit A={a:g}, alpha={alpha:g} evaluated at C={compute:.0e} FLOP",
                })
    return rows


RELEASE = Release(
    slug="gundlach2025",
    repo="hansgundlach/Experimental_Progress",
    commit="fe9f6c9254a5398c35314662ca50e2db69770cbc",
    retrieved_on="2026-05-06",  # the commit date
    wanted=wanted,
    description="Gundlach et al. 2025 run logs: LSTM vs transformer, LayerNorm vs RMSNorm, 2017-style vs modern "
                "transformer, SGD vs AdamW, one CSV per width",
)


def final_point(data: bytes, path: str) -> dict | None:
    """The last logged row of one run: step, validation loss, profiler FLOPs, tokens; None if it diverged."""
    rows = read_csv(data, path, COLUMNS)
    if not rows:
        raise ParseError(path, None, "no data rows")
    last = rows[-1]
    row_number = len(rows) + 1  # the header is line 1
    if (last.get("validation_loss") or "").strip().lower() == "nan":
        return None
    return {"step": int(number(last, "step", path, row_number)),
            "loss": number(last, "validation_loss", path, row_number),
            "compute_flop": number(last, "total_flops_profiler", path, row_number),
            "tokens": number(last, "tokens", path, row_number)}


def parse(files: Mapping[str, bytes], *, repo: str = RELEASE.repo, commit: str = RELEASE.commit,
          skipped: list[str] | None = None) -> list[dict]:
    """Run rows for every comparison whose two families are both among `files`.

    Runs left out (diverged, stopped early) are appended to `skipped` as "path: why"."""
    skipped = [] if skipped is None else skipped
    points: dict[str, list[tuple[int, str, dict]]] = {}
    for path in sorted(files):
        found = _family_of(path)
        if found is None:
            continue
        family, width = found
        point = final_point(files[path], path)
        if point is None:
            skipped.append(f"{path}: diverged (last validation_loss is nan)")
            continue
        points.setdefault(family, []).append((width, path, point))
    for family, runs in points.items():
        runs.sort()
        kept, most_tokens = [], 0.0
        for width, path, point in runs:
            if point["tokens"] < most_tokens:
                skipped.append(f"{path}: stopped early ({point['tokens']:.3g} tokens, fewer than a narrower run's "
                               f"{most_tokens:.3g})")
                continue
            most_tokens = point["tokens"]
            kept.append((width, path, point))
        points[family] = kept
    rows = model_implied_rows(files[CONSTANTS], repo=repo, commit=commit) if CONSTANTS in files else []
    for innovation, series, base, treat in COMPARISONS:
        if base not in points or treat not in points:
            continue
        for arm, family in (("baseline", base), ("treatment", treat)):
            for width, path, point in sorted(points[family]):
                rows.append({
                    "innovation": innovation, "arm": arm, "series": series,
                    "tokens": point["tokens"], "compute_flop": point["compute_flop"],
                    "compute_method": "stated", "loss": point["loss"], "loss_on": LOSS_ON,
                    "source": SOURCE, "evidence": "primary",
                    "locator": f"{repo}@{commit}:{path}, last row (step {point['step']}), "
                               "columns validation_loss, total_flops_profiler, tokens",
                    "note": f"{FAMILIES[family][2]}, width d={width}; final logged point of the run "
                            "(compute = the authors' profiler FLOP count)",
                })
    return rows


# When each family's CSVs were first committed (git log --diff-filter=A at the release commit).
ADDED = {"lstm1": "2026-04-23", "lstm2": "2026-04-22", "historical": "2026-05-06", "historical-rms": "2026-05-06",
         "modern": "2026-05-06", "lstm1-lrtrend": "2026-05-06", "historical-lrtrend": "2026-05-06",
         "modern-lrtrend": "2026-05-06", "modern-sgd": "2025-11-15", "modern-adamw": "2025-11-15"}
FRONTIER_NOTE = ("The authors compare Pareto frontiers over every logged checkpoint "
                 "(graphing_utils.identify_frontier_by_class(method='pareto', use_all_points=True)); this series "
                 "keeps each run's final row.")
NEW_RECIPE = {
    "data": "C4 subset (Datasets/c4_subset_6billion_char.npy, experiment_utils.get_base_config) in both arms",
    "tokenizer": "GPT-2 tokenizer (gpt2_tokenizer/) in both arms",
    "tokens_per_parameter": "about 40 training tokens per parameter in every run of both arms (token_to_param_ratio)",
    "loss": f"validation loss on {LOSS_ON} in both arms",
}


def series_records(rows: list[dict]) -> list[dict]:
    """Recipe parity per comparison, from the repository's base config and folder layout."""
    records = []
    present = {row["series"] for row in rows}
    for innovation, series, base, treat in COMPARISONS:
        if series not in present:
            continue
        added = f"CSVs first committed {ADDED[base]} (baseline) and {ADDED[treat]} (treatment)"
        arms = f"{FAMILIES[base][2]} (baseline) vs {FAMILIES[treat][2]} (treatment), a width sweep each"
        if base == "modern-sgd":
            records.append(parity(
                series, SOURCE, arms=arms, locator=f"{RELEASE.repo}@{RELEASE.commit}:{BACKUP}/new_sgd_scaling, "
                                        f"{BACKUP}/new_modern_scaling_study",
                held_equal={"tokens_per_parameter": "the same model widths and the same tokens and FLOPs per width "
                                                    "in both arms (the *_modern_40 files: 40 tokens per parameter)",
                            "loss": f"validation loss on {LOSS_ON} in both arms"},
                differs={"tuning_budget": "the optimiser is the innovation: SGD with momentum 0.98 and no weight "
                                          "decay against AdamW; each has its own learning rate"},
                note=f"v1-era sweeps ({added}). Data, tokenizer and schedule of these older runs are not recorded "
                     f"beside the CSVs. {FRONTIER_NOTE}"))
            continue
        held = dict(NEW_RECIPE)
        differs = {}
        if innovation == "modern-transformer-recipe":
            differs["schedule"] = ("part of the modern recipe: cosine with warmup (modern) against the 2017 "
                                   "transformer's inverse-square-root schedule")
            differs["tuning_budget"] = "part of the recipe: AdamW (modern) against Adam (2017-style)"
        elif innovation == "rmsnorm":
            held["schedule"] = "the same 2017-style transformer recipe (inverse-square-root schedule) in both arms"
        if base.endswith("lrtrend") and "tuning_budget" in differs:
            differs["tuning_budget"] += "; learning rates from the authors' fitted trend in both arms"
        elif base.endswith("lrtrend"):
            held["tuning_budget"] = ("learning rates from the authors' fitted learning-rate-vs-width trend in both "
                                     "arms (no per-width sweep)")
        caveat = (" Schedules not checked per arm: the LSTM base config (LSTM_model/lstm_experiment_utils.py) "
                  "says lr_schedule cosine_warmup, the 2017-style transformer definitions (experiment_definitions.py) "
                  "inverse_sqrt." if innovation == "transformer" else "")
        records.append(parity(series, SOURCE, arms=arms,
                              locator=f"{RELEASE.repo}@{RELEASE.commit}:experiment_utils.py, "
                                                      f"get_base_config; {NEW}/",
                              held_equal=held, differs=differs,
                              note=f"{added}, after arXiv v1 (November 2025). {FRONTIER_NOTE}{caveat}"))
    for innovation, series, base, treat in FIT_SERIES:
        if series not in present:
            continue
        records.append(parity(series, SOURCE, locator=f"{RELEASE.repo}@{RELEASE.commit}:{CONSTANTS}",
                              arms=f"the authors' fitted compute-optimal law for the {base.replace('-', ' ')} (baseline) "
                                   f"vs for the {treat.replace('-', ' ')} (treatment), evaluated 1e14-1e24 FLOP",
                              held_equal={"loss": "reducible loss of the authors' fitted compute-optimal laws, "
                                                  "one definition for both arms"},
                              differs={"tokens_per_parameter": "each arm at its own fitted compute-optimal allocation: "
                                                               "the laws are per architecture"},
                              note="Model-implied points evaluated from fitted laws; the fits' inputs are the runs above."))
    return records
