"""Issue 20 (Epoch part): each defect a reader met in the generated layer, pinned by a test that fails on it."""

from __future__ import annotations

import pytest

from catalog.generated import Reconciler
from catalog.names import name_key
from catalog.row_checks import row_warnings
from scrapers.parsers.epoch_dataset import dataset_claims, dataset_unit
from scrapers.sources.epoch_labels import label


@pytest.mark.parametrize("size, domains, note, compute_note, gradients, unit", [
    # Qwen3: "36T" names no unit; Epoch's compute note multiplies the same figure as tokens.
    (36e12, ["Language"], "36T", "6 FLOP / parameter / token * 22*10^9 active parameters * 36000000000000 tokens",
     None, "tokens"),
    # Gemma 3 4B: the late-2025 gradients column holds the same figure for a language-only row.
    (4e12, ["Language"], "4T", "", 4e12, "tokens"),
    # MT-NLG: "270 billions tokens", a plural the number reader did not know.
    (270e9, ["Language"], '"we trained MT-NLG on 270 billions tokens by blending" 1 token ~ 0.75 words', "", None,
     "tokens"),
    # GPT-3: Epoch's own words figure.
    (374e9, ["Language"], "499 billion tokens. We multiply this by 0.75 to give 374B words.", "", None, "words"),
    # Llama 3.2 90B: image-text pairs are never tokens.
    (6e9, ["Multimodal", "Vision", "Language"], '"6B (image, text) pairs"', "", None, "image-text pairs"),
    # The 1997 LSTM counts training sequences.
    (1273000, ["Language"], "Table 8 lists numbers of training sequences required", "", None, "sequences"),
    # Whisper: audio hours.
    (680000, ["Speech"], "680,000 hours of multilingual supervision", "", None, "audio hours"),
    # A bare figure with no unit anywhere stays unstated (not words).
    (3.3e9, ["Language"], "BooksCorpus plus English Wikipedia", "", None, "unstated"),
])
def test_regression_dataset_unit_is_read_not_assumed(size, domains, note, compute_note, gradients, unit):
    assert dataset_unit(size, domains=domains, note=note, compute_note=compute_note, gradients=gradients)[0] == unit


def test_regression_words_convert_with_arithmetic_and_tokens_seen_multiply_epochs():
    gpt3 = {"dataset_size": 374e9, "domain": ["Language"], "epochs": 0.6}
    dataset_claims(gpt3, {"dataset_size": "We multiply this by 0.75 to give 374B words."})
    assert gpt3["dataset_tokens_from"] == {"inputs": {"words": 374e9}, "formula": "words * 4 / 3"}
    assert gpt3["tokens_seen_from"] == {"inputs": {"words": 374e9, "epochs": 0.6}, "formula": "words * 4 / 3 * epochs"}
    assert gpt3["tokens_seen"] == pytest.approx(299.2e9)  # the paper's 300B tokens
    qwen = {"dataset_size": 36e12, "domain": ["Language"], "epochs": 1.0}
    dataset_claims(qwen, {"dataset_size": "36T", "training_compute_flop": "22*10^9 * 36000000000000 tokens"})
    assert qwen["tokens_seen"] == 36e12 and "dataset_tokens_from" not in qwen  # not 48T
    audio = {"dataset_size": 61.56e6, "domain": ["Audio", "Speech"]}
    dataset_claims(audio, {"dataset_size": "4,500 hours * 13,680 English words per hour = 61560000 words"})
    assert audio["dataset_size_unit"] == "words" and "tokens_seen" not in audio  # audio hours, never tokens
    llama = {"dataset_size": 6e9, "domain": ["Multimodal", "Vision", "Language"]}
    dataset_claims(llama, {"dataset_size": '"6B (image, text) pairs"'})
    assert "tokens_seen" not in llama and "dataset_tokens" not in llama


@pytest.mark.parametrize("field, value, note, row, expected", [
    # Llama 3.1 405B's training time: Epoch's arithmetic, not the paper's figure.
    ("training_days", 2142, "30.84M / 16k = 1927.5 hours or ~80 days. 1927.5 / 0.9 = 2142 hours", "high",
     ("estimated", "medium")),
    # GPT-3's 10,000 GPUs: no note; the row's "Confident" does not rate this column.
    ("hardware_count", 10000, None, "high", ("reported", "medium")),
    # A parameter count quoted from the paper keeps the row's label.
    ("parameters", 175e9, '"we train GPT-3, an autoregressive language model with 175 billion parameters"', "high",
     ("reported", "high")),
    # Mixtral-style guesses are low whatever the row says.
    ("parameters", 1e12, "we guess the model has about 1T parameters", "high", ("estimated", "low")),
])
def test_regression_confidence_and_method_per_field(field, value, note, row, expected):
    assert label(field, value, note, row)[:2] == expected


def test_regression_greek_letters_keep_pangu_alpha_and_sigma_apart():
    assert name_key("PanGu-α") != name_key("PanGu-Σ")


def test_regression_entries_of_one_file_never_share_a_row():
    r = Reconciler()

    def place(*args, **kwargs):
        placed = r.place(*args, **kwargs)
        return placed.model_id, placed.created

    f = "datasets/imported/epoch/models.yaml"
    a, created_a = place("epoch/nvila-15b", "nvila-15b", "NVILA 15B", "Efficient-Large-Model/NVILA", [], [],
                           file=f, release_date="2024-12-05", names_first=True)
    b, created_b = place("epoch/nvila-8b", "nvila-8b", "NVILA 8B", "Efficient-Large-Model/NVILA", [], [],
                           file=f, release_date="2024-12-05", names_first=True)
    assert created_a and created_b and a != b
    lstm, _ = place("epoch/lstm", "lstm", "LSTM", None, [], [], file=f, release_date="1997-11-15")
    cache, created = place("epoch/lstm-hebbian", "lstm-hebbian-cache-mbpa", "LSTM (Hebbian, Cache, MbPA)", None,
                             [], [], file="other.yaml", release_date="2018-03-27")
    assert created and cache != lstm  # same name key once the parenthesis goes, 21 years apart
    # The same system in a later export (another file) joins its row.
    again, created = place("epoch/nvila-8b", "nvila-8b", "NVILA 8B", "Efficient-Large-Model/NVILA", [], [],
                             file="datasets/imported/epoch/models-2025-12.yaml", release_date="2024-12-05",
                             names_first=True)
    assert again == b and not created


def _row(**kw):
    base = dict(mid="m", compute=None, hours=None, hw="nvidia-v100", params=None, active=None, tokens=None,
                epochs=None, base=None, no_6nd=None, peak=125.0, precision="fp16", base_compute=None,
                method="reported", confidence="high", origin="import:epoch", stated_peak=None, stated=None)
    base.update(kw)
    return tuple(base.values())


def test_regression_impossible_mfu_is_a_warning():
    # FLAN 137B: pre-training compute against 3,840 TPU-hours of instruction tuning.
    warnings = row_warnings(_row(compute=2.047e24, hours=3840, peak=123.0, precision="bf16"))
    assert len(warnings) == 1 and warnings[0].startswith("implied_mfu:") and "above 100%" in warnings[0]
    assert row_warnings(_row(compute=3.14e23, hours=3.552e6)) == []  # GPT-3: 19.6%, plausible
    assert "below 1%" in row_warnings(_row(compute=1e19, hours=1e6))[0]
    # The report's MFU is 6ND's: flagged too, even when the row's compute is plausible.
    sixnd = row_warnings(_row(compute=1e21, hours=1e4, params=1e11, tokens=1e12, peak=125.0))
    assert any(w.startswith("implied_mfu:") and "6ND" in w for w in sixnd)


def test_regression_6nd_disagreement_carries_a_reason_or_says_none():
    gpt1 = row_warnings(_row(compute=1.76e19, params=117e6, tokens=1.33e9, peak=None))
    assert gpt1 and gpt1[0].startswith("compute_vs_6nd:") and "no reason on record" in gpt1[0]
    multi = row_warnings(_row(compute=6e18, params=1e8, tokens=1e9, epochs=10, peak=None))
    assert "Epoch counts 10 epochs" in multi[0]
    moe = row_warnings(_row(compute=6 * 37e9 * 14.8e12, params=671e9, active=37e9, tokens=14.8e12, peak=None))
    assert moe == []  # active, not total, parameters
    assert row_warnings(_row(compute=1e22, params=1e9, tokens=1e12, no_6nd="shared layers", peak=None)) == []


def test_regression_finetune_compute_and_speculative_compute():
    ft = row_warnings(_row(compute=1e20, base="llama-2-7b", base_compute=8e22, peak=None))
    assert any(w.startswith("finetune_compute:") for w in ft)
    guess = row_warnings(_row(compute=7.7e23, confidence="low", peak=None))
    assert guess[0].startswith("speculative_compute:")


FRONTIER = (b"Model,Domain,Publication date,Parameters,Training compute (FLOP),Training chip-hours,Confidence,"
            b"Training dataset size,Dataset size notes,Epochs\n"
            b"Big LM,Language,2025-01-01,1e11,6e23,1e6,Confident,1e12,1T tokens,1\n")
NOTABLE = (b"Model,Domain,Publication date,Parameters,Training dataset size (gradients),Dataset size notes,"
           b"Training compute cost (cloud),Hardware utilization (HFU),Frontier model,Confidence\n"
           b"Small LM,Language,2024-06-01,1e9,2e10,,12345.6,0.41,,Likely\n"
           b"Big LM,Language,2025-01-01,1e11,1e12,1T tokens,5000000,,True,Confident\n")


def test_regression_december_2025_export_files_merge_with_each_cell_located():
    from scrapers.sources.epoch_models import build_models

    sections, report = build_models([("frontier_ai_models.csv", FRONTIER), ("notable_ai_models.csv", NOTABLE)],
                                    file_name="frontier_ai_models.csv", hardware_names={}, known_hardware=set(),
                                    organizations={}, source_id="epoch-ai-models-2025-12", source_date="2025-12-02")
    models = {m["id"]: m for m in sections["models"]}
    assert set(models) == {"big-lm", "small-lm"} and report.rows == 2  # one record per model across files
    big = models["big-lm"]["claims"]
    assert big["gpu_hours"]["locator"] == "frontier_ai_models.csv row 2, column 'Training chip-hours'"
    assert big["training_cost_cloud_usd"]["locator"] == "notable_ai_models.csv row 3, column 'Training compute cost (cloud)'"
    assert big["training_cost_cloud_usd"]["method"] == "estimated" and big["frontier_model"]["value"] is True
    small = models["small-lm"]["claims"]
    # Only the gradients column gives a size: tokens for a language model, located at that cell.
    assert small["training_tokens"]["value"] == 2e10
    assert small["training_tokens"]["locator"] == "notable_ai_models.csv row 2, column 'Training dataset size (gradients)'"
    assert small["hardware_utilization_hfu"]["value"] == 0.41
    assert sections["sources"][0]["date"] == "2025-12-02"
