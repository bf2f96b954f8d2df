"""Small fixture catalogs written by the tests themselves, in the shape of datasets/."""

from __future__ import annotations

import os
import shutil
import sqlite3
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

SOURCES = """\
toy2024paper:
  kind: paper
  title: A Toy Mixture-of-Experts Model
  authors: A. Author and B. Author
  date: 2024-05-01
  url: https://arxiv.org/abs/2405.00001
  arxiv_id: "2405.00001"
toy2025card:
  kind: model_card
  title: Toy model card
  year: 2025
  url: https://example.org/toy/MODEL_CARD.md
chipco2023datasheet:
  kind: website
  title: ChipCo X100 datasheet
  year: 2023
  url: https://example.org/x100.pdf
"""

ORGANIZATIONS = """\
- {id: toylab, name: Toy Lab, country: FR, kind: industry}
- {id: chipco, name: ChipCo, country: US, kind: industry}
"""

HARDWARE = """\
- id: chipco-x100
  name: ChipCo X100
  vendor: chipco
  kind: gpu
  release_date: 2023-03-01
  primary_source: chipco2023datasheet
  claims:
    memory_gb: {value: 80, source: chipco2023datasheet, locator: p. 1, confidence: high, evidence: primary}
    bf16_tflops: {value: 1000, source: chipco2023datasheet, locator: p. 1, confidence: high, evidence: primary,
                  quote: "2,000 TFLOPS with sparsity", note: dense = half the sparse figure}
    fp8_tflops: {value: 2000, source: chipco2023datasheet, locator: p. 1, confidence: high, evidence: primary}
"""

INNOVATIONS = """\
- {id: moe, name: Mixture of experts, category: moe, year: 2024, introduced_in: toy2024paper, axis: training_flop}
- {id: rope, name: Rotary embeddings, category: positional, year: 2024, introduced_in: toy2024paper,
   axis: training_flop, description: Rotary position embeddings.}
"""

TOY_MOE = """\
id: toy-moe
name: Toy-MoE
family: Toy
organization: toylab
release_date: 2024-05-01
domain: language
accessibility: open_weights
hf_repo: toylab/Toy-MoE
primary_source: toy2024paper
claims:
  parameters:        {value: 100e9, source: toy2024paper, locator: abstract, confidence: high, evidence: primary,
                      quote: "100B total parameters"}
  active_parameters: {value: 10B, source: toy2024paper, locator: abstract, confidence: high, evidence: primary}
  training_tokens:   {value: 1T, source: toy2024paper, locator: Table 1, confidence: high, evidence: primary}
  gpu_hours:
    - {value: 1.5M, source: toy2024paper, locator: Table 1, hardware: chipco-x100, confidence: high,
       evidence: primary}
    - {value: 2.0M, source: toy2025card, locator: Hardware, confidence: medium, evidence: primary}
  attention:         {value: gqa, source: toy2024paper, locator: Section 2, confidence: high}
  tied_embeddings:   {value: false, source: toy2024paper, locator: Section 2, confidence: high}
innovations:
  - {id: moe, detail: "64 experts, top-4", source: toy2024paper}
  - {id: rope, source: toy2024paper}
"""

TOY_CHAT = """\
id: toy-chat
name: Toy-Chat
organization: toylab
release_date: 2025-01-01
domain: language
accessibility: api
base_model: toy-moe
primary_source: toy2025card
claims:
  parameters: {value: 100e9, source: toy2025card, locator: Overview, confidence: medium}
"""


def rows(path: Path, sql: str, *args) -> list[tuple]:
    """Run one read query on a SQLite file and return all rows."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def write_catalog(root: Path, **overrides: str) -> Path:
    """Write a valid fixture catalog under root/datasets; overrides replace files by relative path."""
    files = {
        "sources/main.yaml": SOURCES,
        "organizations.yaml": ORGANIZATIONS,
        "hardware.yaml": HARDWARE,
        "innovations.yaml": INNOVATIONS,
        "models/toylab/toy-moe.yaml": TOY_MOE,
        "models/toylab/toy-chat.yaml": TOY_CHAT,
    }
    files.update(overrides)
    datasets = root / "datasets"
    for rel, content in files.items():
        path = datasets / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            continue
        path.write_text(textwrap.dedent(content))
    return datasets


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    return write_catalog(tmp_path)


@pytest.fixture
def built_db(tmp_path: Path, catalog_dir: Path) -> Path:
    from cegdb.pipeline import build

    path = tmp_path / "cat.sqlite"
    build(catalog_dir, f"sqlite:///{path}")
    return path


@pytest.fixture
def postgres_url() -> str:
    url = os.environ.get("CEGDB_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("CEGDB_TEST_POSTGRES_URL is not set: no PostgreSQL server to test against "
                    "(.ci/run starts one)")
    return url


@pytest.fixture(scope="session")
def repo_catalog_once(tmp_path_factory) -> Path:
    """The repository's datasets/ built once per test session (it takes ~17 s on 2 cores, and five
    test modules read it); use `repo_catalog`, which hands each module its own copy."""
    from cegdb.pipeline import build

    path = tmp_path_factory.mktemp("repo-catalog") / "cegdb.sqlite"
    build(REPO / "datasets", f"sqlite:///{path}")
    return path


@pytest.fixture(scope="module")
def repo_catalog(repo_catalog_once: Path, tmp_path_factory) -> Path:
    """A private copy of the built repository catalog, so a module that writes cannot change another's."""
    path = tmp_path_factory.mktemp("repo-catalog-copy") / "cegdb.sqlite"
    shutil.copyfile(repo_catalog_once, path)
    return path


def scrape_runs_twice(release: str, root: Path, out: Path) -> dict:
    """`cegdb scrape runs <release>` on a fixture release, twice: the first writes the generated file,
    the second must leave it unchanged (the file is deterministic). Returns the parsed file."""
    import yaml
    from click.testing import CliRunner

    from scrapers.scrape_cli import scrape

    args = ["runs", release, "--file", str(root), "--out", str(out)]
    first = CliRunner().invoke(scrape, args)
    assert first.exit_code == 0, first.output
    again = CliRunner().invoke(scrape, args)
    assert again.exit_code == 0 and "(unchanged)" in again.output, again.output
    data = yaml.safe_load(out.read_bytes())
    assert data["origin"] == f"import:{release}"
    assert {s["id"] for s in data["series"]} == {r["series"] for r in data["runs"]}
    return data
