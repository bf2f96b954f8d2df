"""What Epoch's dataset-size cell counts: tokens, words, or something that is not text at all.

Epoch's "Training dataset size" counts datapoints in the unit of the domain: words for its older
language rows ("This is a text generation model so dataset size is measured in number of words",
SaulLM-large; GPT-3 175B: "499 billion tokens ... multiply this by 0.75 to give 374B words"),
tokens for many recent ones (Qwen3: "36T", the figure Qwen states in tokens; Epoch's own compute
note multiplies the same cell as tokens: "22*10^9 active parameters * 36000000000000 tokens"),
images, image-text pairs or audio hours elsewhere (Llama 3.2 90B: "6B (image, text) pairs").
The late-2025 exports add "Training dataset size (gradients)", Epoch's figure in the unit the model
is trained on (tokens for language models: GPT-1's 1G words is 1,333,333,333 there).

So the unit is read, never assumed, in this order:
1. the number in the dataset-size note equal to the cell (within 2%) and the unit word right after it;
2. the same number followed by "tokens" in Epoch's training-compute note;
3. a language-only row whose gradients column holds the same figure: tokens;
4. a note that names exactly one of words / tokens;
otherwise the unit is "unstated". Words become tokens at Epoch's 4/3 tokens per word (0.75 words
per token) only when the source says words; a non-text unit never becomes tokens.
"""

from __future__ import annotations

import re

from scrapers.numbers import find_quantities
from scrapers.parsers.epoch import readable_note

TOKENS_PER_WORD_FORMULA = "words * 4 / 3"  # Epoch's ratio: 0.75 words per token
# Unit words after a number -> the unit. Anything not text is kept apart from tokens.
_UNITS = (
    (re.compile(r"^tokens?\b", re.I), "tokens"),
    (re.compile(r"^(?:running\s+|unique\s+)?words?\b", re.I), "words"),
    (re.compile(r"^\(?\s*(?:image|text|video)[\s,/-]*(?:text|image|caption)?\s*\)?[\s-]*pairs?\b", re.I),
     "image-text pairs"),
    (re.compile(r"^pairs?\b", re.I), "pairs"),
    (re.compile(r"^(?:images?|photos?|pictures?)\b", re.I), "images"),
    (re.compile(r"^(?:hours?|h)\b", re.I), "audio hours"),
    (re.compile(r"^(?:videos?|clips?|frames?)\b", re.I), "videos"),
    (re.compile(r"^(?:samples?|examples?|sequences?|sentences?|documents?|episodes?|games?|steps?|"
                r"molecules?|proteins?|structures?|utterances?|characters?|chars?|bytes?)\b", re.I), "other"),
)
# Non-text domains: a bare figure there is never taken as tokens.
TEXT_DOMAINS = {"language"}


def readable(text: str) -> str:
    # "270 billions tokens" (MT-NLG's note): the plural the number reader does not know.
    return re.sub(r"\b(thousand|million|billion|trillion)s\b", r"\1", readable_note(text or ""), flags=re.I)


def _unit_after(rest: str) -> str | None:
    # Up to two adjectives between the number and the unit ("3.1T highly-engineered tokens" does not
    # occur; "27 M running words", "250 million text-images pairs" do).
    rest = rest.lstrip(" ~\"'")
    for skip in range(3):
        for pattern, unit in _UNITS:
            if pattern.match(rest):
                return unit
        parts = rest.split(None, 1)
        if len(parts) < 2 or re.match(r"^[\d.,]", parts[0]) or parts[0].endswith((".", ",", ";", ":")):
            return None
        rest = parts[1]
    return None


def _stated_unit(text: str, size: float) -> str | None:
    for q in find_quantities(readable(text)):
        if size and abs(q.value - size) <= 0.02 * size:
            unit = _unit_after(q.rest)
            if unit:
                return unit
    return None


def dataset_unit(size: float, *, domains: list[str], note: str = "", compute_note: str = "",
                 gradients: float | None = None) -> tuple[str, str]:
    """(unit, basis): unit is tokens | words | a non-text unit | "unstated"; basis says where it was read."""
    unit = _stated_unit(note, size)
    if unit:
        return unit, "dataset-size note"
    if _stated_unit(compute_note, size) == "tokens":
        return "tokens", "training-compute note"
    text_only = bool(domains) and {d.lower() for d in domains} <= TEXT_DOMAINS
    if text_only and gradients and abs(gradients - size) <= 0.02 * size:
        return "tokens", "gradients column"
    text = readable(note)
    says_words = re.search(r"\bwords?\b", text, re.I)
    says_tokens = re.search(r"\btokens?\b", text, re.I)
    if says_words and not says_tokens:
        return "words", "dataset-size note"
    if says_tokens and not says_words and text_only:
        return "tokens", "dataset-size note"
    # A note that speaks only of sequences, images, pairs or hours (the 1997 LSTM's "training
    # sequences") counts those, whatever the domain.
    other = re.search(r"\b(sequences|images|pairs|samples|examples|hours|utterances|episodes|games)\b", text, re.I)
    if other and not says_tokens and not says_words:
        return other.group(1).lower(), "dataset-size note"
    return "unstated", "no unit in the note"


def dataset_claims(record: dict, notes: dict) -> None:
    """Fill the record's dataset keys: `dataset_size_unit`, `dataset_tokens` (with `dataset_tokens_from`
    when converted), `tokens_seen` (with `tokens_seen_from`) and their notes.

    `tokens_seen` is the dataset in tokens times Epoch's epochs, when Epoch gives epochs; without
    epochs it is the dataset figure read as one pass, and the note says so.
    """
    domains = record.get("domain", [])
    text_only = bool(domains) and {d.lower() for d in domains} <= TEXT_DOMAINS
    size, gradients = record.get("dataset_size"), record.get("dataset_size_gradients")
    tokens = how = None
    if size == 0:  # no fact: the importer drops the field with a warning naming the cell
        record["dataset_tokens"] = record["tokens_seen"] = 0
        return
    if size:
        unit, basis = dataset_unit(size, domains=domains, note=notes.get("dataset_size", ""),
                                   compute_note=notes.get("training_compute_flop", ""), gradients=gradients)
        record["dataset_size_unit"], record["dataset_size_unit_basis"] = unit, basis
        if unit == "tokens":
            tokens, how = size, f"Epoch gives {size:.4g} tokens (unit from its {basis})"
        elif unit == "words" and text_only:  # a speech row's words are hours of audio transcribed:
            # Audioseal's "4,500 hours * 13,680 English words per hour" is audio, never tokens
            record["dataset_tokens_from"] = {"inputs": {"words": size}, "formula": TOKENS_PER_WORD_FORMULA}
            tokens = size * 4 / 3
            how = (f"Epoch gives {size:.4g} words (unit from its {basis}); converted at Epoch's 4/3 tokens per "
                   "word (0.75 words per token)")
        elif unit == "unstated" and text_only:
            tokens, how = size, ("Epoch's note gives no unit; taken as tokens as given, not converted "
                                 "(a words figure would be 25% low)")
            record["dataset_size_unit_unstated"] = True
    elif gradients and text_only:
        record["dataset_size_unit"], record["dataset_size_unit_basis"] = "tokens", "gradients column"
        tokens, how = gradients, "Epoch's 'Training dataset size (gradients)', in tokens for a language model"
    if tokens is None:
        return
    record["dataset_tokens"], record["dataset_tokens_note"] = tokens, how
    epochs = record.get("epochs")
    if epochs and epochs < 1 and not size:
        # The gradients column counts the data gradients were taken on: a fraction of an epoch is
        # already in it (BloombergGPT: 569B of a 709B-token set at Epoch's 0.8 epochs).
        how += f"; Epoch's {epochs:g} epochs are already in the gradients figure"
        epochs = None
    if epochs and epochs != 1:
        words = record.get("dataset_tokens_from")
        record["tokens_seen_from"] = (
            {"inputs": {"words": size, "epochs": epochs}, "formula": f"{TOKENS_PER_WORD_FORMULA} * epochs"} if words
            else {"inputs": {"dataset_tokens": tokens, "epochs": epochs}, "formula": "dataset_tokens * epochs"})
        record["tokens_seen"] = tokens * epochs
        record["tokens_seen_note"] = f"{how}; times Epoch's {epochs:g} epochs"
    else:
        if record.get("dataset_tokens_from"):
            record["tokens_seen_from"] = record["dataset_tokens_from"]
        record["tokens_seen"] = tokens
        record["tokens_seen_note"] = how + ("; Epoch gives 1 epoch" if epochs == 1 else
                                            "" if "already in the gradients" in how else
                                            "; Epoch gives no epochs: taken as one pass")
