"""Porian, Wortsman, Jitsev, Schmidt, Carmon 2024, "Resolving Discrepancies in Compute-Optimal
Scaling of Language Models" (arXiv 2406.19146), data in GitHub formll/resolving-scaling-law-discrepancies:
data/summary_df.pickle.xz (RefinedWeb) and data/summary_df_owt2.pickle.xz (OpenWebText2).

What a file is. An xz-compressed pickle of a pandas DataFrame, one row per configuration
(dataset, hparams, warmup, decay, param_count, val), made by the repository's make_paper.ipynb
from the raw run logs (data/experiment_results.pickle.xz, not read here). Its `optimal_pairs`
column is a DataFrame with one row per compute budget `flops` (1.25e16 to 2.56e19, doubling:
configs.FLOP_VALS) holding the IsoFLOP points the authors fit: `n_vals` (model sizes), `t_vals`
(tokens) and `loss_vals` (the loss at that budget for each size). analysis.fetch_flop makes them:
each run's logged validation loss, log-log interpolated at the budget (a logged point within 10%
of it), then the lowest over the runs of one size; t = budget / (6 N) with N the authors'
"standard" count (open_lm parameters with the embedding/last layer, attention FLOPs not counted),
so compute = 6 N D exactly (checked per point, compute_method 6ND).

What is compared (clean, one-difference pairs of the paper's Figure 1 steps; configs.py labels):
  * warmup: the Kaplan et al. warmup, 3000 steps of 2^19 tokens (about 1.6B tokens) for every size
    (warmup='long'; paper_figures.warm_evidence_figure draws it), against the authors' warmup of
    about N tokens (warmup='short', "Correcting warmup"); both with decay='kaplan', base
    hyperparameters, validation loss. Innovation `warmup-scaled-to-model-size`.
  * decay: decay='kaplan' (the Kaplan et al. reproduction's schedule: the loss at a budget is read
    from a run whose cosine does not end there) against decay='chinchilla' ("Cosine decay": the
    schedule ends at the budget, as Hoffmann et al. 2022 recommend); both with the short warmup,
    base hyperparameters, validation loss. Innovation `budget-matched-lr-decay`.
Each for both datasets, one series per (innovation, dataset); the short-warmup kaplan-decay runs
are the treatment of one and the baseline of the other. The 'tuned hparams, constant' step differs
in two things at once (tuning and no decay) and the 'kaplan' param_count / training-loss rows use
another compute and loss definition: neither is imported.

Safety: the pickles are loaded with an unpickler that resolves only the pandas/numpy classes such
a DataFrame needs (ALLOWED); anything else is a ParseError naming the file and the global.
"""

from __future__ import annotations

import io
import lzma
import math
import pickle
import warnings
from typing import Mapping

from scrapers.errors import ParseError
from scrapers.sources.runs_common import Release, parity

SOURCE = "porian2024resolvingrepo"
FILES = {"data/summary_df.pickle.xz": ("rw", "RefinedWeb"), "data/summary_df_owt2.pickle.xz": ("owt2", "OpenWebText2")}
CONFIG_KEYS = ("hparams", "warmup", "decay", "param_count", "val")
# innovation -> (short, baseline config, treatment config, what differs)
COMPARISONS = {
    "warmup-scaled-to-model-size": (
        "warmup", ("base", "long", "kaplan", "standard", "val"), ("base", "short", "kaplan", "standard", "val"),
        "warmup: 3000 steps of 2^19 tokens for every size (Kaplan et al.) against about N tokens (the authors')"),
    "budget-matched-lr-decay": (
        "decay", ("base", "short", "kaplan", "standard", "val"), ("base", "short", "chinchilla", "standard", "val"),
        "learning-rate decay: the Kaplan et al. reproduction's schedule, read at intermediate budgets, against a "
        "cosine that ends at the budget (Hoffmann et al.)"),
}
# (module, name) pairs a pickled pandas DataFrame of these files needs (as pandas 2, which wrote
# them, and pandas 3, which writes the tests' fixtures, name them); nothing else is resolved.
ALLOWED = {
    ("builtins", "slice"), ("numpy", "ndarray"), ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"), ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "scalar"),
    ("numpy.core.numeric", "_frombuffer"), ("numpy._core.numeric", "_frombuffer"),
    ("pandas._libs.internals", "_unpickle_block"), ("pandas.core.frame", "DataFrame"),
    ("pandas.core.series", "Series"), ("pandas.core.indexes.base", "_new_Index"),
    ("pandas.core.indexes.base", "Index"), ("pandas.core.indexes.range", "RangeIndex"),
    ("pandas.core.internals.managers", "BlockManager"), ("pandas.core.internals.managers", "SingleBlockManager"),
    ("pandas", "DataFrame"), ("pandas", "Series"), ("pandas", "Index"), ("pandas", "RangeIndex"),
    ("pandas", "StringDtype"), ("pandas.arrays", "StringArray"), ("pandas._libs.arrays", "__pyx_unpickle_NDArrayBacked"),
}

RELEASE = Release(
    slug="porian2024",
    repo="formll/resolving-scaling-law-discrepancies",
    commit="0dc60d91b8a525858a3067fc9e4a46ff5374cc6f",
    retrieved_on="2025-11-04",  # the commit date; the two summary files last changed 2024-07-08 (859f146)
    wanted=lambda path: path in FILES,
    description="Porian et al. 2024 IsoFLOP grids (5M-901M parameters, 1.25e16-2.56e19 FLOP) on RefinedWeb and "
                "OpenWebText2: Kaplan et al.'s warmup and decay against the corrected ones, validation loss",
    paths=tuple(FILES),
)


class _Unpickler(pickle.Unpickler):
    def __init__(self, data: bytes, path: str):
        super().__init__(io.BytesIO(data))
        self.path = path

    def find_class(self, module, name):
        if (module, name) not in ALLOWED:
            raise ParseError(self.path, None, f"the pickle asks for {module}.{name}, which a pandas DataFrame of "
                                              "this release does not need; not loaded")
        with warnings.catch_warnings():  # numpy.core -> numpy._core rename
            warnings.simplefilter("ignore", DeprecationWarning)
            return super().find_class(module, name)


def load_frame(path: str, data: bytes):
    """The DataFrame in one .pickle.xz; ParseError names the file for any other content."""
    try:
        raw = lzma.decompress(data)
    except lzma.LZMAError as exc:
        raise ParseError(path, None, f"not xz-compressed: {exc}") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            frame = _Unpickler(raw, path).load()
    except ParseError:
        raise
    except Exception as exc:  # a truncated or foreign pickle: name the file, never a traceback
        raise ParseError(path, None, f"not a readable pickle: {type(exc).__name__}: {exc}") from None
    columns = getattr(frame, "columns", None)
    needed = ("dataset",) + CONFIG_KEYS + ("optimal_pairs",)
    if columns is None or any(c not in columns for c in needed):
        raise ParseError(path, ", ".join(needed), "expected a summary DataFrame with these columns")
    return frame


def _points(path: str, label: str, pairs) -> list[tuple[float, float, float, float, int]]:
    """(N, D, budget, loss, row) of every size at every budget of one configuration."""
    out = []
    for row_index, row in enumerate(pairs.itertuples(index=False)):
        where = f"{label}, optimal_pairs row {row_index}"
        try:
            budget = float(row.flops)
            sizes, tokens, losses = list(row.n_vals), list(row.t_vals), list(row.loss_vals)
        except (AttributeError, TypeError, ValueError) as exc:
            raise ParseError(path, f"{where}: flops, n_vals, t_vals, loss_vals", str(exc)) from None
        if not (len(sizes) == len(tokens) == len(losses)):
            raise ParseError(path, f"{where}: n_vals, t_vals, loss_vals", "lengths differ")
        for n, t, loss in zip(sizes, tokens, losses):
            n, t, loss = float(n), float(t), float(loss)
            if not all(math.isfinite(v) and v > 0 for v in (n, t, loss)):
                raise ParseError(path, f"{where}: n_vals, t_vals, loss_vals", f"not a positive number: {(n, t, loss)}")
            if abs(6 * n * t / budget - 1) > 1e-6:
                raise ParseError(path, f"{where}: t_vals", f"6 N D = {6 * n * t:.4g} is not the budget {budget:.4g}")
            out.append((n, t, budget, loss, row_index))
    return out


def parse(files: Mapping[str, bytes], *, repo: str = RELEASE.repo, commit: str = RELEASE.commit) -> list[dict]:
    rows = []
    for path, (short, name) in FILES.items():
        if path not in files:
            raise ParseError(path, None, f"a file of release {RELEASE.slug} is missing")
        frame = load_frame(path, files[path])
        configs = {}
        for index, record in frame.iterrows():
            configs[tuple(record[k] for k in CONFIG_KEYS)] = (index, record["optimal_pairs"])
        for innovation, (what, base, treat, _) in COMPARISONS.items():
            series = f"porian2024-{short}-{what}"
            for arm, config in (("baseline", base), ("treatment", treat)):
                if config not in configs:
                    raise ParseError(path, "hparams, warmup, decay, param_count, val", f"no configuration {config}")
                index, pairs = configs[config]
                label = f"row {index} ({', '.join(config)})"
                for n, t, budget, loss, pair_row in _points(path, label, pairs):
                    rows.append({
                        "innovation": innovation, "arm": arm, "series": series,
                        "parameters": n, "tokens": t, "compute_flop": budget, "compute_method": "6ND",
                        "loss": loss, "loss_on": f"{name} validation loss (val/loss) at the budget",
                        "source": SOURCE, "evidence": "primary",
                        "locator": f"{repo}@{commit}:{path}, {label}, optimal_pairs row {pair_row} "
                                   f"(flops {budget:.4g}), n_vals/t_vals/loss_vals",
                        "note": f"{name}, {config[1]} warmup, {config[2]} decay; the loss at the budget as the authors' "
                                "analysis.fetch_flop reads it (interpolated between logged points within 10%, lowest "
                                "over the runs of this size)",
                    })
    return rows


def series_records(rows: list[dict]) -> list[dict]:
    records = []
    for series in sorted({row["series"] for row in rows}):
        innovation = next(r["innovation"] for r in rows if r["series"] == series)
        what, base, treat, differs = COMPARISONS[innovation]
        name = "RefinedWeb" if "-rw-" in series else "OpenWebText2"
        records.append(parity(
            series, SOURCE,
            arms=f"open_lm IsoFLOP grids on {name}: {base[1]} warmup / {base[2]} decay (baseline) against "
                 f"{treat[1]} warmup / {treat[2]} decay (treatment)",
            locator=f"{RELEASE.repo}@{RELEASE.commit}:configs.py FIGURE1_CONFIGS, CONFIG_DICT_LABEL",
            held_equal={
                "data": f"{name} for both arms",
                "tokenizer": "the same open_lm tokenizer (one vocabulary, 50432) for both arms",
                "tuning_budget": "the authors' base hyperparameters (hparams='base') in both arms, no per-arm tuning",
                "loss": f"{name} validation loss at each budget, read the same way for both arms",
                "tokens_per_parameter": "every size at every budget from 1.25e16 to 2.56e19 FLOP (IsoFLOP grids); "
                                        "each arm's frontier is its best size per budget",
            },
            differs={"schedule": f"the innovation: {differs}"},
            note="The Kaplan-decay arms' points at a budget come from runs whose schedule does not end there, "
                 "the Kaplan et al. protocol the comparison is about; the engine takes each arm's lower envelope."))
    return records
