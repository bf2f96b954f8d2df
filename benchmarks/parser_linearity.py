"""Growth of every parser's time with its input (issue 10): each parser reads an input of size n
and of size 10n (inputs shaped to stress it: many numbers in one clause, many rows, many
entries); the ratio of the two times should be about 10 (linear), not about 100 (quadratic).

    python benchmarks/parser_linearity.py [--scale 1]

Also times catalog.yamlio.load_yaml on a generated file of `--yaml-entries` models (the
generated layer loads ~50,000 entries on every build). Prints; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scrapers.parsers.arxiv import parse_arxiv_atom  # noqa: E402
from scrapers.parsers.epoch import parse_epoch_csv  # noqa: E402
from scrapers.parsers.hf_api import parse_hf_api  # noqa: E402
from scrapers.parsers.hf_config import parse_hf_config  # noqa: E402
from scrapers.parsers.model_card import parse_model_card  # noqa: E402
from scrapers.parsers.s2 import parse_s2_paper  # noqa: E402


def card_one_clause(n: int) -> bytes:
    return ("# Model\n\nWe trained it on " + "1.2 " * n + "tokens.\n").encode()


def card_many_sentences(n: int) -> bytes:
    sentence = "Model-X was pre-trained on 15T tokens with 2.788M H800 GPU hours, using 2,048 H800 GPUs. "
    table = "\n| Model | Params |\n| --- | --- |\n" + "".join(f"| M{i} | {i}B |\n" for i in range(n // 10))
    return ("# Model-X\n\n" + sentence * n + "\n" + table).encode()


def epoch_csv(n: int) -> bytes:
    head = "Model,Publication date,Parameters,Training compute (FLOP),Training dataset size (datapoints),Confidence\n"
    return (head + "".join(f"Model {i},2023-01-{i % 28 + 1:02d},{i + 1}e9,1e23,1e12,Likely\n" for i in range(n))).encode()


def arxiv_feed(n: int) -> bytes:
    entry = ("<entry><id>http://arxiv.org/abs/2401.{i:05d}v1</id><title>Paper {i}</title><summary>s</summary>"
             "<published>2024-01-01T00:00:00Z</published><updated>2024-01-01T00:00:00Z</updated>"
             "<author><name>A</name></author></entry>")
    return ('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">'
            + "".join(entry.format(i=i) for i in range(n)) + "</feed>").encode()


def s2_paper(n: int) -> bytes:
    return json.dumps({"paperId": "x", "title": "T", "externalIds": {"DOI": "10.1/X"},
                       "authors": [{"authorId": str(i), "name": f"Author {i}"} for i in range(n)]}).encode()


def hf_config(n: int) -> bytes:
    config = {"model_type": "llama", "hidden_size": 4096, "num_hidden_layers": 32, "num_attention_heads": 32,
              "num_key_value_heads": 8, "intermediate_size": 14336, "vocab_size": 128256}
    config.update({f"extra_{i}": i for i in range(n)})
    return json.dumps(config).encode()


def hf_api(n: int) -> bytes:
    return json.dumps({"id": "org/model", "modelId": "org/model", "tags": [f"tag-{i}" for i in range(n)],
                       "siblings": [{"rfilename": f"model-{i:05d}.safetensors"} for i in range(n)],
                       "cardData": {"license": "apache-2.0"}}).encode()


CASES = [
    ("model card, numbers in one clause", parse_model_card, card_one_clause, 800),
    ("model card, many sentences", parse_model_card, card_many_sentences, 100),
    ("epoch csv rows", parse_epoch_csv, epoch_csv, 300),
    ("arxiv atom entries", parse_arxiv_atom, arxiv_feed, 100),
    ("s2 paper authors", parse_s2_paper, s2_paper, 2000),
    ("hf config keys", parse_hf_config, hf_config, 2000),
    ("hf api siblings", parse_hf_api, hf_api, 1000),
]


def timed(parse, data: bytes) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        try:
            parse(data, "bench")
        except Exception as exc:  # noqa: BLE001 - a benchmark input a parser refuses is still timed
            if type(exc).__name__ != "ParseError":
                raise
        best = min(best, time.perf_counter() - start)
    return best


def yaml_file(path: Path, entries: int) -> None:
    with path.open("w") as f:
        for i in range(entries):
            f.write(f"- id: model-{i}\n  name: Model {i}\n  release_date: 2024-01-{i % 28 + 1:02d}\n"
                    f"  claims:\n    parameters: {{value: {i + 1}e9, source: s-{i}, locator: Table 1, "
                    f"confidence: high, quote: \"{i + 1}B parameters\"}}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--yaml-entries", type=int, default=5000)
    args = parser.parse_args()
    print(f"{'parser':38s} {'n':>7s} {'t(n)':>9s} {'t(10n)':>9s} {'ratio':>6s}")
    worst = 0.0
    for name, parse, make, n in CASES:
        n = max(1, int(n * args.scale))
        small, large = timed(parse, make(n)), timed(parse, make(10 * n))
        ratio = large / small
        worst = max(worst, ratio)
        print(f"{name:38s} {n:7d} {small * 1000:7.1f}ms {large * 1000:7.1f}ms {ratio:6.1f}")
    print(f"largest ratio {worst:.1f} (linear: about 10; quadratic: about 100)")

    from catalog import yamlio

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "models.yaml"
        yaml_file(path, args.yaml_entries)
        start = time.perf_counter()
        yamlio.load_yaml(path)
        elapsed = time.perf_counter() - start
        print(f"load_yaml: {args.yaml_entries} entries ({path.stat().st_size / 1e6:.1f} MB) in {elapsed:.2f} s "
              f"({'libyaml parser' if yamlio._Parser.__module__.startswith('yaml._yaml') else 'pure-Python parser'})")


if __name__ == "__main__":
    main()
