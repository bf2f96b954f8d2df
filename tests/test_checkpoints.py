"""One row per trained model (issue 20): format and quantisation re-uploads are checkpoints of the
model they copy, not models; datasets/distinct.yaml keeps apart what really is two models."""

from __future__ import annotations

from pathlib import Path

import pytest
from datasette.app import Datasette

from catalog.build import BuildFailed
from catalog.names import split_format
from cegdb.pipeline import build
from conftest import rows, write_catalog
from publish import serving
from scrapers.generated import dump_generated

RETRIEVED = [{"url": "https://example.org/x.json", "sha256": "cd" * 32, "retrieved_on": "2025-06-30",
              "route": "direct"}]


@pytest.mark.parametrize("name, stem, formats", [
    ("Qwen3-235B-A22B-FP8", "Qwen3-235B-A22B", ["fp8"]),
    ("Qwen3-235B-A22B-NVFP4", "Qwen3-235B-A22B", ["nvfp4"]),
    ("CodeLlama-34b-hf", "CodeLlama-34b", ["hf"]),
    ("DeepSeek-V4-Flash-NVFP4-FP8", "DeepSeek-V4-Flash", ["nvfp4", "fp8"]),
    ("Llama-3-8B-Instruct-GPTQ-Int4", "Llama-3-8B-Instruct", ["gptq", "int4"]),
    ("Mistral-7B-Instruct-v0.3-AWQ", "Mistral-7B-Instruct-v0.3", ["awq"]),
    ("Llama-3.2-1B-Instruct-GGUF", "Llama-3.2-1B-Instruct", ["gguf"]),
    ("Qwen2.5-7B-Instruct-MLX-4bit", "Qwen2.5-7B-Instruct", ["mlx", "4bit"]),
    ("Meta-Llama-3.1-8B-Instruct-bnb-4bit", "Meta-Llama-3.1-8B-Instruct", ["bnb-4bit"]),
    ("Ministral-3-14B-Instruct-2512-BF16", "Ministral-3-14B-Instruct-2512", ["bf16"]),
    # not formats: versions, sizes, post-training, and a suffix that is the whole name
    ("OLMo-7B-0424", "OLMo-7B-0424", []), ("DeepSeek-V3-Base", "DeepSeek-V3-Base", []),
    ("Bamba-9B-2T", "Bamba-9B-2T", []), ("Phi-3-mini-4k-instruct", "Phi-3-mini-4k-instruct", []),
    ("GGUF", "GGUF", []), ("chatglm-6b", "chatglm-6b", []),
])
def test_format_suffixes_are_read_from_the_end_of_a_name(name, stem, formats):
    assert split_format(name) == (stem, formats)


SOURCES = [{"id": "toydb-2025", "kind": "dataset", "title": "Toy database", "url": "https://example.org/db",
            "year": 2025}]


def claim(value, locator="row 2", source="toydb-2025", **extra):
    return {"value": value, "source": source, "locator": locator, "confidence": "medium", **extra}


IMPORTED = {
    "sources": SOURCES,
    "organizations": [{"id": "coder-lab", "name": "Coder Lab"}, {"id": "quant-co", "name": "Quant Co"}],
    "models": [
        # the Code Llama case: the import's name, the Hub's "-hf" conversion below
        {"id": "code-toy-7b", "name": "Code Toy-7B", "organization": "coder-lab", "release_date": "2023-08-24",
         "claims": {"training_tokens": claim(5e11)}},
        {"id": "twin-9b", "name": "Twin-9B", "organization": "coder-lab"},
    ],
}

HF = {
    "sources": [{"id": f"hf-{n}-config", "kind": "model_card", "title": f"{n} config.json",
                 "url": f"https://huggingface.co/x/{n}/blob/main/config.json"}
                for n in ("a", "b", "c", "d", "e", "f", "g", "h", "i")],
    "models": [
        # Listed before the model it copies, as a file may: read after every plain entry.
        {"id": "aaa-toy-moe-fp8", "name": "Toy-MoE-FP8", "hf_repo": "toylab/Toy-MoE-FP8", "organization": "toylab",
         "claims": {"num_layers": claim(48, "config.json: num_hidden_layers", "hf-a-config")},
         "innovations": [{"id": "rope", "source": "hf-a-config"}]},
        {"id": "codetoy-7b-hf", "name": "CodeToy-7b-hf", "hf_repo": "coder-lab/CodeToy-7b-hf",
         "organization": "coder-lab", "release_date": "2024-01-01",
         "claims": {"hidden_size": claim(4096, "config.json: hidden_size", "hf-b-config")}},
        {"id": "toy-moe-nvfp4", "name": "Toy-MoE-NVFP4", "hf_repo": "quant-co/Toy-MoE-NVFP4", "organization": "quant-co",
         "base_model": "toy-moe", "claims": {"num_layers": claim(48, "config.json: num_hidden_layers", "hf-c-config")}},
        # An uploader's prefix before the base model's Hub account and name, base declared.
        {"id": "toylab-toy-moe-fp16", "name": "toylab-Toy-MoE-FP16", "hf_repo": "quant-co/toylab-Toy-MoE-FP16",
         "organization": "quant-co", "base_model_name": "Toy-MoE",
         "claims": {"vocab_size": claim(32000, "config.json: vocab_size", "hf-d-config")}},
        # A fine-tune's quantised upload names its base but is not the base: never folded into it.
        {"id": "distill-toy-chat-fp8", "name": "Distill-Toy-Chat-FP8", "hf_repo": "quant-co/Distill-Toy-Chat-FP8",
         "organization": "quant-co", "base_model_name": "Toy-Chat",
         "claims": {"vocab_size": claim(32000, "config.json: vocab_size", "hf-e-config")}},
        # Re-uploads of a model the catalog does not have: one model row, named without the suffix,
        # without the uploader as its developer.
        {"id": "ghost-9b-fp8", "name": "Ghost-9B-FP8", "hf_repo": "quant-co/Ghost-9B-FP8", "organization": "quant-co",
         "release_date": "2025-05-05", "claims": {"num_layers": claim(40, "config.json: num_hidden_layers", "hf-f-config")}},
        {"id": "ghost-9b-nvfp4", "name": "Ghost-9B-NVFP4", "hf_repo": "quant-co/Ghost-9B-NVFP4",
         "organization": "quant-co", "claims": {"num_layers": claim(40, "config.json: num_hidden_layers", "hf-g-config")}},
        # One pre-training run: base and post-trained checkpoints by name.
        {"id": "toy-moe-base", "name": "Toy-MoE-Base", "hf_repo": "toylab/Toy-MoE-Base", "organization": "toylab"},
        {"id": "ghost-9b-instruct", "name": "Ghost-9B-Instruct", "hf_repo": "ghost/Ghost-9B-Instruct"},
        {"id": "toy", "name": "Toy", "hf_repo": "toylab/Toy"},  # curated Toy-Chat keeps its own word
        {"id": "solo-3b", "name": "Solo-3B", "hf_repo": "solo/Solo-3B"},
        {"id": "solo-3b-instruct", "name": "Solo-3B-Instruct", "hf_repo": "solo/Solo-3B-Instruct",
         "claims": {"training_compute_flop": claim(1e22, "config.json", "hf-i-config")}},
        # "Base" as a size beside "Large": not a base checkpoint of "Sizer".
        {"id": "sizer", "name": "Sizer", "hf_repo": "sizer/Sizer"},
        {"id": "sizer-base", "name": "Sizer-Base", "hf_repo": "sizer/Sizer-Base"},
        {"id": "sizer-large", "name": "Sizer-Large", "hf_repo": "sizer/Sizer-Large"},
        {"id": "pair-1b", "name": "Pair-1B", "hf_repo": "pair/Pair-1B"},
        {"id": "pair-1b-chat", "name": "Pair-1B-Chat", "hf_repo": "pair/Pair-1B-Chat"},
        # Marked distinct in datasets/distinct.yaml: its own model.
        {"id": "twin-9b-hf", "name": "Twin-9B-hf", "hf_repo": "coder-lab/Twin-9B-hf", "organization": "coder-lab",
         "claims": {"num_layers": claim(30, "config.json: num_hidden_layers", "hf-h-config")}},
    ],
}

DISTINCT = """\
- models: [hf/twin-9b-hf, toydb/twin-9b]
  why: the -hf upload is a retrained Twin (the card says so), not a conversion
- models: [hf/pair-1b, hf/pair-1b-chat]
  why: Pair-1B-Chat was pre-trained from scratch on dialogue (its card says so)
"""


def layer(datasets: Path, rel: str, origin: str, sections: dict) -> None:
    path = datasets / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_generated("cegdb scrape test", origin, RETRIEVED, sections))


def _catalog(tmp_path: Path, distinct: str | None = DISTINCT) -> Path:
    datasets = write_catalog(tmp_path, **({"distinct.yaml": distinct} if distinct else {}))
    layer(datasets, "imported/toydb/models.yaml", "import:toydb", IMPORTED)
    layer(datasets, "scraped/hf/configs.yaml", "scraper:hf", HF)
    return datasets


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    tmp_path = tmp_path_factory.mktemp("checkpoints")
    db = tmp_path / "cat.sqlite"
    build(_catalog(tmp_path), f"sqlite:///{db}")
    return db


def test_reuploads_are_checkpoints_of_the_model_they_copy(built):
    assert rows(built, "select id, model_id, format, hf_repo_id, organization_id from checkpoint order by id") == [
        ("aaa-toy-moe-fp8", "toy-moe", "fp8", "toylab/Toy-MoE-FP8", "toylab"),
        ("codetoy-7b-hf", "code-toy-7b", "hf", "coder-lab/CodeToy-7b-hf", "coder-lab"),
        ("distill-toy-chat-fp8", "distill-toy-chat", "fp8", "quant-co/Distill-Toy-Chat-FP8", "quant-co"),
        ("ghost-9b-fp8", "ghost-9b", "fp8", "quant-co/Ghost-9B-FP8", "quant-co"),
        ("ghost-9b-nvfp4", "ghost-9b", "nvfp4", "quant-co/Ghost-9B-NVFP4", "quant-co"),
        ("toy-moe-nvfp4", "toy-moe", "nvfp4", "quant-co/Toy-MoE-NVFP4", "quant-co"),
        ("toylab-toy-moe-fp16", "toy-moe", "fp16", "quant-co/toylab-Toy-MoE-FP16", "quant-co"),
    ]
    ids = {r[0] for r in rows(built, "select id from model")}
    assert not ids & {"aaa-toy-moe-fp8", "toy-moe-nvfp4", "codetoy-7b-hf", "toylab-toy-moe-fp16", "ghost-9b-fp8"}


def test_a_checkpoints_claims_and_links_land_on_its_model_whose_columns_stay_its_own(built):
    assert rows(built, "select count(*) from claim where model_id = 'toy-moe' and field = 'num_layers'") == [(2,)]
    assert rows(built, "select count(*) from model_innovation where model_id = 'toy-moe' and innovation_id = 'rope'") \
        == [(1,)]
    # Code Toy-7B keeps the import's date and has no repository: the conversion's are the upload's.
    assert rows(built, "select hidden_size, release_date, hf_repo_id, organization_id from model "
                       "where id = 'code-toy-7b'") == [(4096.0, "2023-08-24", None, "coder-lab")]
    assert rows(built, "select hf_repo_id, organization_id from model where id = 'toy-moe'") == \
        [("toylab/Toy-MoE", "toylab")]


def test_a_model_known_only_from_reuploads_is_one_row_without_the_uploaders_facts(built):
    assert rows(built, "select id, name, organization_id, release_date, hf_repo_id, num_layers, origin from model "
                       "where name like 'Ghost-9B%' and id <> 'ghost-9b-instruct'") == [("ghost-9b", "Ghost-9B", None, None, None, 40.0, "scraper:hf")]


def test_a_fine_tunes_quantised_upload_is_not_folded_into_its_base(built):
    assert rows(built, "select id, name from model where id like 'distill%'") == [("distill-toy-chat", "Distill-Toy-Chat")]


def test_a_file_keeps_two_models_of_matching_names_apart(built):
    assert rows(built, "select id, name from model where name like 'Twin%' order by id") == \
        [("twin-9b", "Twin-9B"), ("twin-9b-hf", "Twin-9B-hf")]
    assert rows(built, "select count(*) from checkpoint where model_id like 'twin%'") == [(0,)]


def test_without_the_file_they_are_one_model(tmp_path):
    db = tmp_path / "cat.sqlite"
    build(_catalog(tmp_path, distinct=None), f"sqlite:///{db}")
    assert rows(db, "select id from model where name like 'Twin%'") == [("twin-9b",)]
    assert rows(db, "select model_id, format from checkpoint where id = 'twin-9b-hf'") == [("twin-9b", "hf")]


def test_a_stale_distinct_entry_is_an_error_naming_the_line(tmp_path):
    stale = DISTINCT + "- models: [hf/no-such-upload, toy-moe]\n  why: stale\n"
    with pytest.raises(BuildFailed) as failed:
        build(_catalog(tmp_path, distinct=stale), f"sqlite:///{tmp_path / 'cat.sqlite'}")
    line = DISTINCT.count("\n") + 1
    assert any(p.path.endswith("distinct.yaml") and p.line == line and "no-such-upload" in p.message
               for p in failed.value.problems)


async def test_the_model_page_links_to_its_checkpoints(built):
    datasette = Datasette(immutables=[str(built)], metadata=serving.metadata(built.stem), settings=serving.SETTINGS)
    response = await datasette.client.get(f"/{built.stem}/model/toy-moe")
    assert response.status_code == 200
    assert "3 rows</a> from model_id in checkpoint" in response.text


def test_base_and_post_trained_checkpoints_of_one_run_share_it(built):
    assert dict(rows(built, "select id, same_pretraining_as from model where same_pretraining_as is not null")) == {
        "toy-moe-base": "toy-moe",  # the plain name is where the run is counted
        "ghost-9b-instruct": "ghost-9b",  # also when the plain row was made from re-uploads
        "solo-3b": "solo-3b-instruct",  # only the instruct row has numbers: the run is counted there
    }
    # not linked: the curated Toy-Chat (its file says so itself), the pair distinct.yaml keeps apart,
    # and Sizer-Base, a size beside Sizer-Large
    assert rows(built, "select count(*) from model where id in ('toy-chat', 'pair-1b-chat', 'pair-1b', 'sizer-base') "
                       "and same_pretraining_as is null") == [(4,)]
