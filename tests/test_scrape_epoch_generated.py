"""`cegdb scrape epoch` / `epoch-chips` / `all`: Epoch's exports into the generated layer, offline.

Fixtures (tests/fixtures/epoch/) are ours, in the shape of Epoch's CSV exports: TD-Gammon-sized
values, negative and unreadable cells, zeros, impossible dates, names listed twice, Hugging Face
links, sparsity-doubled chip figures. The real June 2025 / November 2025 exports are checked when
../shared/reference is there.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
import respx
import yaml
from click.testing import CliRunner

from cegdb.cli import main

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "epoch"
MODELS_CSV = FIXTURES / "models-awkward.csv"
CHIPS_CSV = FIXTURES / "chips-awkward.csv"
REFERENCE = REPO.parent / "shared/reference/epoch"
MODELS_COPY = ("github:epoch-research/training-cost-trends@39afc3de1beb16ee18dbe89f925759fa713dc744:"
               "data/All ML Systems - full view.csv")
CHIPS_COPY = ("github:epoch-research/training-cost-trends@5deb003d233687beaa59f9957d6c69534b234364:"
              "data/Chip dataset-Grid view.csv")

ORGANIZATIONS = """\
- {id: openai, name: OpenAI, country: US, kind: industry}
- {id: deepseek, name: DeepSeek, country: CN, kind: industry}
- {id: toylab, name: Toy Lab, country: FR, kind: industry}
- {id: nvidia, name: NVIDIA, country: US, kind: industry}
- {id: google, name: Google, country: US, kind: industry}
"""

HARDWARE = """\
- id: nvidia-h100-sxm
  name: NVIDIA H100 SXM5 (80 GB)
  claims:
    bf16_tflops: {value: 989.4, source: s, locator: x}
    fp16_tflops: {value: 989.4, source: s, locator: x}
    tdp_w: {value: 700, source: s, locator: x}
- id: nvidia-a100-80gb
  name: NVIDIA A100 80GB (SXM4)
  claims:
    bf16_tflops: {value: 312, source: s, locator: x}
    int8_tops: {value: 624, source: s, locator: x}
    tdp_w: {value: 400, source: s, locator: x}
- id: nvidia-h800
  name: NVIDIA H800 (SXM)
  claims:
    bf16_tflops: {value: 989.4, source: s, locator: x}
- id: nvidia-v100
  name: NVIDIA Tesla V100 (SXM2, 32 GB)
  claims:
    fp16_tflops: {value: 125, source: s, locator: x}
    tdp_w: {value: 300, source: s, locator: x}
"""


@pytest.fixture
def curated(tmp_path) -> Path:
    root = tmp_path / "datasets"
    root.mkdir()
    (root / "organizations.yaml").write_text(ORGANIZATIONS)
    (root / "hardware.yaml").write_text(HARDWARE)
    return root


def scrape(*args: str):
    return CliRunner().invoke(main, ["scrape", *args])


def chips(curated: Path, out: Path, csv: Path = CHIPS_CSV, *extra: str):
    return scrape("epoch-chips", "--file", str(csv), "--out", str(out), "--datasets", str(curated),
                  "--retrieved-on", "2025-11-28", "--copy", CHIPS_COPY, *extra)


def models(curated: Path, out: Path, csv: Path = MODELS_CSV, *extra: str):
    return scrape("epoch", "--file", str(csv), "--out", str(out), "--datasets", str(curated),
                  "--retrieved-on", "2025-08-07", "--copy", MODELS_COPY, *extra)


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture
def generated(curated, tmp_path):
    """Chips, then models (whose hardware claims use the chip ids), into one folder."""
    folder = tmp_path / "imported" / "epoch"
    chip_result = chips(curated, folder / "hardware.yaml")
    assert chip_result.exit_code == 0, chip_result.output
    result = models(curated, folder / "models.yaml")
    assert result.exit_code == 0, result.output
    entries = {m["id"]: m for m in load(folder / "models.yaml")["models"]}
    hardware = {h["id"]: h for h in load(folder / "hardware.yaml")["hardware"]}
    return folder, result, entries, hardware


# --- models ------------------------------------------------------------------------------------

def test_every_row_becomes_an_entry_and_the_exit_status_is_0_with_warnings(generated):
    folder, result, entries, _ = generated
    assert "25 row(s) -> 24 model entr(ies)" in result.output  # Twin Model's two rows are one system
    names = sorted(e["name"] for e in entries.values())
    assert names.count("Echo") == 2 and names.count("Twin Model") == 1 and len(names) == 24
    assert "refused for magnitude: 0" in result.output
    assert re.search(r"warnings: \d+ \(", result.output)


def test_out_of_range_values_are_kept_with_a_warning(generated):
    _, result, entries, _ = generated
    gammon = entries["td-gammon"]
    assert gammon["claims"]["parameters"]["value"] == 25000
    assert gammon["claims"]["training_compute_flop"]["value"] == 1.8e13
    assert gammon["warnings"] == [
        "parameters: 2.5e+04 parameters is below the usual range (100000..1e+14); kept (row 2, column 'Parameters')",
        "training_compute_flop: 1.8e+13 FLOP is below the usual range (1e+14..1e+28); kept "
        "(row 2, column 'Training compute (FLOP)')"]
    huge = entries["huge-claim-net"]
    assert huge["claims"]["parameters"]["value"] == 2e15 and "above the usual range" in huge["warnings"][0]
    perceptron = entries["perceptron-mark-i"]
    assert perceptron["release_date"] == "1957-01-01" and len(perceptron["warnings"]) == 2  # params, FLOP
    assert "training_tokens" not in perceptron["claims"]  # a vision data set counts datapoints, not tokens
    warned = sum(len(e.get("warnings", [])) for e in entries.values())
    assert f"warnings: {warned} (" in result.output


@pytest.mark.parametrize("model_id, field, row, column, why", [
    ("broken-net-a", "parameters", 5, "Parameters", "negative"),
    ("broken-net-b", "training_compute_flop", 6, "Training compute (FLOP)", "cannot read a number"),
    ("zero-data-net", "training_tokens", 7, "Training dataset size (datapoints)", "0 is not a meaningful"),
    ("zero-data-net", "training_days", 7, "Training time (hours)", "0 is not a meaningful"),
    ("bad-date-net", "release_date", 8, "Publication date", "not a calendar date"),
    ("year-only-net", "release_date", 9, "Publication date", "not a YYYY-MM-DD date"),
    ("negative-hours-net", "training_days", 22, "Training time (hours)", "negative"),
    ("negative-hours-net", "hardware_count", 22, "Hardware quantity", "negative"),
])
def test_an_impossible_value_drops_that_field_alone_with_row_and_column(generated, model_id, field, row, column,
                                                                          why):
    _, result, entries, _ = generated
    entry = entries[model_id]
    assert field not in entry.get("claims", {}) and field not in entry
    message = next(w for w in entry["warnings"] if w.startswith(f"{field}: dropped"))
    assert f"(row {row}, column '{column}')" in message and why in message
    assert message in result.output  # the summary lists every dropped field
    assert entry["name"] and entry["organization"]  # the rest of the row is kept


def test_the_rest_of_a_row_with_a_dropped_field_is_kept(generated):
    _, _, entries, _ = generated
    assert entries["broken-net-a"]["claims"]["training_compute_flop"]["value"] == 2e17
    assert entries["broken-net-b"]["claims"]["parameters"]["value"] == 60e6
    assert entries["zero-data-net"]["claims"]["parameters"]["value"] == 1e9
    assert entries["bad-date-net"]["claims"]["parameters"]["value"] == 2e9


def test_claims_carry_locator_confidence_method_and_short_quotes(generated):
    _, _, entries, _ = generated
    gpt3 = entries["gpt-3-175b-davinci"]["claims"]
    assert gpt3["parameters"] == {
        "value": 175000000000, "source": "epoch-ai-models", "locator": "row 3, column 'Parameters'",
        "confidence": "high", "evidence": "secondary", "method": "reported",  # Epoch compiles, it is no paper
        "quote": "we train GPT-3, an autoregressive language model with 175 billion parameters"}
    # Words become tokens only with the arithmetic shown; the loader computes the value.
    assert gpt3["training_dataset_tokens"]["derived_from"] == {"inputs": {"words": 374000000000},
                                                                "formula": "words * 4 / 3"}
    assert gpt3["training_dataset_tokens"]["method"] == "derived"
    assert gpt3["training_dataset_tokens"]["quote"] == "We multiply this by 0.75 to give 374B words."
    assert gpt3["training_days"]["derived_from"] == {"inputs": {"hours": 355.2}, "formula": "hours / 24"}
    assert gpt3["training_precision"]["value"] == "fp16"
    assert gpt3["training_precision"]["confidence"] == "medium"  # Epoch's row label rates compute, not this
    deepseek = entries["deepseek-v3"]["claims"]
    assert deepseek["active_parameters"]["value"] == 37e9 and deepseek["active_parameters"]["method"] == "derived"
    assert deepseek["training_compute_flop"]["method"] == "estimated"  # Epoch's own estimate, not reported
    assert "Operation counting, Hardware" in deepseek["training_compute_flop"]["note"]
    toy = entries["toy-moe"]["claims"]
    assert toy["training_compute_flop"]["method"] == "reported"
    assert (toy["training_compute_flop"]["lower"], toy["training_compute_flop"]["upper"]) == (3e22, 1.2e23)
    assert toy["training_tokens"]["derived_from"]["inputs"]["words"] == 750e9  # 750B words x 4/3 = 1e12
    unknown = entries["bad-date-net"]["claims"]["parameters"]
    assert unknown["confidence"] == "low" and "Unknown" in unknown["note"]
    quotes = [c.get("quote", "") for e in entries.values() for c in e.get("claims", {}).values()
              if isinstance(c, dict)]
    assert max(map(len, quotes)) <= 200


def test_no_prose_reaches_the_generated_file(generated):
    folder, _, _, _ = generated
    text = (folder / "models.yaml").read_text()
    assert "Long prose abstract" not in text and "abstract" not in text.lower()


def test_inverted_compute_bounds_are_dropped_and_the_value_kept(generated):
    _, _, entries, _ = generated
    chat = entries["open-model-7b-chat"]
    claim = chat["claims"]["training_compute_flop"]
    assert claim["value"] == 8.5e22 and "lower" not in claim and "upper" not in claim
    assert any(w.startswith("training_compute_flop bounds: dropped (row 17") for w in chat["warnings"])


def test_a_name_listed_twice_is_merged_when_the_same_system_else_kept_apart(generated):
    _, result, entries, _ = generated
    twin = entries["twin-model"]
    assert twin["claims"]["training_compute_flop"]["locator"] == "row 10, column 'Training compute (FLOP)'"
    assert "Twin Model: rows 10, 11 -> twin-model" in result.output
    assert entries["echo"]["distinct_from"] == ["echo-2"] and entries["echo-2"]["distinct_from"] == ["echo"]
    assert entries["echo"]["release_date"] == "2018-01-10" and entries["echo-2"]["release_date"] == "2021-07-01"
    # Different names that slug alike are distinct systems too.
    assert entries["calm"]["distinct_from"] == ["calm-2"] and entries["calm-2"]["name"] == "CaLM"
    assert "same id, distinct systems (suffixed, distinct_from): 2" in result.output


def test_hf_repo_only_when_unambiguous_and_base_models_by_name(generated):
    _, _, entries, _ = generated
    assert entries["open-model-7b"]["hf_repo"] == "toy-org/Open-Model-7B"
    assert entries["deepseek-v3"]["hf_repo"] == "deepseek-ai/DeepSeek-V3"  # from the accessibility note
    assert entries["hub-only-net"]["hf_repo"] == "hub-org/hub-only-1.5b"  # papers/ links are not repositories
    assert "hf_repo" not in entries["open-model-7b-chat"]  # two repositories: ambiguous
    assert entries["open-model-7b-chat"]["base_model"] == "open-model-7b"
    assert entries["open-model-7b-chat"]["base_model_name"] == "Open Model 7B"
    assert entries["twin-model"]["base_model_name"] == "Open Model 7B"


def test_organizations_reuse_curated_ids_and_generate_the_rest(generated):
    folder, _, entries, _ = generated
    assert entries["gpt-3-175b-davinci"]["organization"] == "openai"
    assert entries["toy-moe"]["organization"] == "toylab"
    orgs = {o["id"]: o for o in load(folder / "models.yaml")["organizations"]}
    assert "openai" not in orgs and "toylab" not in orgs  # curated ids are not repeated
    assert orgs["some-university"] == {"id": "some-university", "name": "Some University", "country": "CA",
                                       "kind": "academia"}
    assert orgs["unknown-institute"] == {"id": "unknown-institute", "name": "Unknown Institute", "kind": "nonprofit"}
    assert entries["mystery-net"]["organization"] == "unknown-institute"


def test_hardware_claims_use_chip_ids_from_the_chip_file_or_curated(generated):
    folder, result, entries, hardware = generated
    assert entries["deepseek-v3"]["claims"]["hardware"]["value"] == "nvidia-h800"
    assert entries["deepseek-v3"]["claims"]["gpu_hours"]["hardware"] == "nvidia-h800"
    assert entries["alexnet"]["claims"]["hardware"]["value"] == "nvidia-geforce-gtx-580"
    assert entries["twin-model"]["claims"]["hardware"]["value"] == "nvidia-rtx-a6000"
    assert "hardware" not in entries["open-model-7b-chat"]["claims"]  # two chips: no single hardware claim
    assert "hardware" not in entries["mystery-net"]["claims"] and "'Mystery Chip 9000' (1 row(s))" in result.output
    # "Echo Card" names two distinct chips of the chip file: it maps to neither.
    assert "hardware" not in entries["echo-card-net"]["claims"] and "'Echo Card' (1 row(s))" in result.output
    curated = {h["id"] for h in yaml.safe_load(HARDWARE)}
    used = {e["claims"]["hardware"]["value"] for e in entries.values() if "hardware" in e.get("claims", {})}
    assert used <= set(hardware) | curated


def test_header_names_url_sha256_date_and_public_copy(generated):
    import hashlib

    folder, _, _, _ = generated
    header = load(folder / "models.yaml")
    assert header["generated_by"] == "cegdb scrape epoch" and header["origin"] == "import:epoch"
    assert header["retrieved"] == [{
        "url": "https://epoch.ai/data/all_ai_models.csv",
        "sha256": hashlib.sha256(MODELS_CSV.read_bytes()).hexdigest(), "retrieved_on": "2025-08-07",
        "route": "public-copy", "copy": MODELS_COPY}]
    assert header["sources"][0]["id"] == "epoch-ai-models" and header["sources"][0]["license"] == "CC-BY-4.0"
    first_line = (folder / "models.yaml").read_text().splitlines()[0]
    assert first_line.startswith("# Generated by `cegdb scrape epoch`")


def test_runs_are_deterministic_byte_for_byte(curated, tmp_path, generated):
    folder, _, _, _ = generated
    again = tmp_path / "again"
    assert chips(curated, again / "hardware.yaml").exit_code == 0
    result = models(curated, again / "models.yaml")
    assert result.exit_code == 0
    for name in ("models.yaml", "hardware.yaml"):
        assert (again / name).read_bytes() == (folder / name).read_bytes(), name
    rerun = models(curated, again / "models.yaml")
    assert "(unchanged)" in rerun.output


def test_a_rerun_with_fixed_rows_simply_rewrites_the_file(curated, tmp_path, generated):
    """Issue 10: a re-run of an import whose rows partly failed used to skip the whole file."""
    folder, _, entries, _ = generated
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(MODELS_CSV.read_text().replace(",-5,", ",5000000,"))
    result = models(curated, folder / "models.yaml", fixed)
    assert result.exit_code == 0 and "(written)" in result.output
    rewritten = {m["id"]: m for m in load(folder / "models.yaml")["models"]}
    assert rewritten["broken-net-a"]["claims"]["parameters"]["value"] == 5e6
    assert "parameters" not in entries["broken-net-a"]["claims"]


def test_retrieval_date_of_a_file_is_kept_across_reruns_of_the_same_bytes(curated, tmp_path):
    out = tmp_path / "models.yaml"
    assert models(curated, out).exit_code == 0
    result = scrape("epoch", "--file", str(MODELS_CSV), "--out", str(out), "--datasets", str(curated),
                    "--copy", MODELS_COPY)
    assert result.exit_code == 0 and load(out)["retrieved"][0]["retrieved_on"] == "2025-08-07"


def test_url_is_fetched_into_the_snapshot_store_and_read_back_offline(curated, tmp_path):
    url = "https://epoch.example/data/all_ai_models.csv"
    snaps = tmp_path / "snaps"
    out = tmp_path / "models.yaml"
    with respx.mock(assert_all_called=False) as router:
        router.get("https://epoch.example/robots.txt").respond(404)
        router.get(url).respond(200, content=MODELS_CSV.read_bytes(), headers={"content-type": "text/csv"})
        result = scrape("epoch", "--url", url, "--out", str(out), "--datasets", str(curated),
                        "--snapshots", str(snaps), "--retrieved-on", "2025-08-07")
    assert result.exit_code == 0, result.output
    first = out.read_bytes()
    assert load(out)["retrieved"][0]["route"] == "direct" and load(out)["retrieved"][0]["url"] == url
    out.unlink()
    offline = scrape("epoch", "--url", url, "--out", str(out), "--datasets", str(curated), "--snapshots", str(snaps),
                     "--retrieved-on", "2025-08-07", "--offline")
    assert offline.exit_code == 0, offline.output
    assert out.read_bytes() == first
    missing = scrape("epoch", "--url", url + "?v=2", "--out", str(out), "--snapshots", str(snaps), "--offline")
    assert missing.exit_code == 1 and "without --offline" in missing.output


@pytest.mark.parametrize("args, message", [
    ((), "exactly one of --url or --file"),
    (("--file", str(MODELS_CSV), "--retrieved-on", "7 Aug 2025"), "YYYY-MM-DD"),
    (("--file", str(MODELS_CSV), "--copy", "epoch-research/training-cost-trends"), "github:<owner>"),
])
def test_bad_options_are_usage_errors(tmp_path, args, message):
    result = scrape("epoch", *args, "--out", str(tmp_path / "m.yaml"))
    assert result.exit_code == 2 and message in result.output


def test_an_unreadable_file_writes_nothing(curated, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("Name,Something\nx,y\n")
    out = tmp_path / "models.yaml"
    result = models(curated, out, bad)
    assert result.exit_code == 1 and "no model-name column" in result.output and not out.exists()


# --- chips -------------------------------------------------------------------------------------

def test_chips_every_accelerator_kept_cpus_only_when_ml_hardware(generated):
    folder, _, _, hardware = generated
    names = {h["name"] for h in hardware.values()}
    assert "Intel Xeon E5-2690" not in names  # a CPU Epoch does not mark as ML hardware
    assert hardware["amd-epyc-7413"]["kind"] == "cpu"  # marked as ML hardware
    assert hardware["google-tpu-v4"]["kind"] == "tpu"
    assert hardware["cambricon-mlu370-x8"]["kind"] == "asic"  # no type: classed by name
    assert hardware["radeon-hd-7970"]["kind"] == "gpu"
    assert hardware["cerebras-wse-2"]["kind"] == "asic"  # Epoch's "Other"
    assert len(hardware) == 19  # 21 rows - 1 CPU - 1 repeated row


def test_chips_dense_figures_are_kept_and_sparsity_doubled_ones_halved(generated, curated, tmp_path):
    _, _, _, hardware = generated
    h100 = hardware["nvidia-h100-sxm"]["claims"]  # curated id reused for Epoch's "NVIDIA H100 SXM5 80GB"
    assert h100["bf16_tflops"]["value"] == 989.4 and h100["bf16_tflops"]["method"] == "reported"
    assert h100["int8_tops"]["value"] == 1979 and h100["tf32_tflops"]["value"] == 494.7
    a100 = hardware["nvidia-a100-80gb"]["claims"]  # the fixture gives NVIDIA's "with sparsity" 624 and 1248
    assert a100["bf16_tflops"]["value"] == 312 and a100["bf16_tflops"]["method"] == "derived"
    assert "sparsity-doubled" in a100["bf16_tflops"]["note"] and "624" in a100["bf16_tflops"]["note"]
    assert a100["int8_tops"]["value"] == 624 and a100["int8_tops"]["method"] == "derived"
    assert a100["tf32_tflops"]["value"] == 156 and a100["tf32_tflops"]["method"] == "reported"
    result = chips(curated, tmp_path / "again.yaml")
    assert "dense check against curated peaks: 4 dense, 2 sparsity-doubled and halved" in result.output
    assert "nvidia-a100-80gb bf16_tflops: 624 -> 312" in result.output


def test_chips_units_and_formats(generated):
    _, _, _, hardware = generated
    h100 = hardware["nvidia-h100-sxm"]["claims"]
    assert (h100["memory_gb"]["value"], h100["memory_bandwidth_tbps"]["value"], h100["tdp_w"]["value"],
            h100["interconnect_gbps"]["value"], h100["fp32_tflops"]["value"]) == (80, 3.35, 700, 900, 66.91)
    assert h100["memory_gb"]["locator"] == "row 2, column 'Memory size per board (Byte)'"
    v100 = hardware["nvidia-v100"]["claims"]
    assert v100["fp16_tflops"]["value"] == 125 and "bf16_tflops" not in v100  # Volta has no bf16
    tpu = hardware["google-tpu-v4"]["claims"]
    assert tpu["bf16_tflops"]["value"] == 275 and "fp16_tflops" not in tpu
    gtx = hardware["nvidia-geforce-gtx-580"]["claims"]
    assert gtx["fp32_tflops"]["value"] == 1.581 and "bf16_tflops" not in gtx
    old = hardware["nvidia-geforce-256"]
    assert old["claims"]["fp32_tflops"]["value"] == 0.00048  # a true 1999 number, kept
    assert old["warnings"][0].startswith("fp32_tflops: 0.00048 TFLOP/s is below the usual range")
    assert "above the usual range" in hardware["cerebras-wse-2"]["warnings"][0]  # 20 PB/s on a wafer


def test_chips_impossible_values_drop_one_field(generated):
    _, _, _, hardware = generated
    broken = hardware["broken-board"]
    assert set(broken["claims"]) == {"fp32_tflops"} and "release_date" not in broken
    assert any("memory_bytes: dropped (row 12, column 'Memory size per board (Byte)'): cannot read a number" in w
               for w in broken["warnings"])
    assert any("tdp_w: dropped (row 12, column 'TDP (W)'): negative" in w for w in broken["warnings"])
    assert any(w.startswith("release_date: dropped (row 12") for w in broken["warnings"])


def test_chips_names_listed_twice(generated):
    _, result, _, hardware = generated
    assert "twin-card" in hardware and "twin-card-2" not in hardware  # identical rows: one chip
    assert hardware["echo-card"]["distinct_from"] == ["echo-card-2"]
    assert hardware["echo-card-2"]["claims"]["memory_gb"]["value"] == 32


def test_chips_export_control_notes(generated):
    _, _, _, hardware = generated
    h800_pcie = hardware["nvidia-h800-pcie"]["export_control"]
    assert h800_pcie.startswith("China-market H100 variant") and "88 FR 73458" in h800_pcie
    assert "TPP 12,104 >= 4800 (from Epoch's dense int8 peak)" in h800_pcie
    assert "TPP 5,285 >= 4800" in hardware["nvidia-geforce-rtx-4090"]["export_control"]
    assert "export_control" not in hardware["nvidia-h100-sxm"]  # curated chips keep their reviewed notes
    assert "export_control" not in hardware["nvidia-tesla-k80"]
    vendors = {o["id"] for o in load(generated[0] / "hardware.yaml")["organizations"]}
    assert {"chipco", "cambricon", "cerebras"} <= vendors and "nvidia" not in vendors
    assert hardware["nvidia-h800-pcie"]["vendor"] == "nvidia"


# --- the manifest ------------------------------------------------------------------------------

def write_manifest(path: Path, curated: Path, out: Path, *, broken: bool = False) -> Path:
    text = textwrap.dedent(f"""\
        scrapes:
          - name: epoch-chips
            description: chips
            args: [epoch-chips, --file, "{CHIPS_CSV}", --out, "{out / 'hardware.yaml'}", --datasets, "{curated}",
                   --retrieved-on, "2025-11-28"]
            writes: ["{out / 'hardware.yaml'}"]
          - name: epoch-models
            args: [epoch, --file, "{MODELS_CSV if not broken else out / 'missing.csv'}", --out,
                   "{out / 'models.yaml'}", --datasets, "{curated}", --retrieved-on, "2025-08-07"]
            writes: ["{out / 'models.yaml'}"]
        """)
    path.write_text(text)
    return path


def test_scrape_all_runs_every_manifest_entry_offline(curated, tmp_path):
    out = tmp_path / "gen"
    manifest = write_manifest(tmp_path / "scrapes.yaml", curated, out)
    result = scrape("all", "--manifest", str(manifest), "--offline")
    assert result.exit_code == 0, result.output
    assert "epoch-chips: ok" in result.output and "epoch-models: ok" in result.output
    entries = {m["id"]: m for m in load(out / "models.yaml")["models"]}
    assert entries["alexnet"]["claims"]["hardware"]["value"] == "nvidia-geforce-gtx-580"  # chips ran first
    (out / "models.yaml").unlink()
    only = scrape("all", "--manifest", str(manifest), "--only", "epoch-chips")
    assert only.exit_code == 0 and "epoch-models" not in only.output and not (out / "models.yaml").exists()


def test_scrape_all_reports_a_failing_scrape_and_runs_the_others(curated, tmp_path):
    out = tmp_path / "gen"
    manifest = write_manifest(tmp_path / "scrapes.yaml", curated, out, broken=True)
    result = scrape("all", "--manifest", str(manifest))
    assert result.exit_code == 1
    assert "epoch-chips: ok" in result.output and "epoch-models: failed (exit 2)" in result.output
    assert (out / "hardware.yaml").exists()


@pytest.mark.parametrize("text, message", [
    ("scrapes: {}", "expected a mapping with a `scrapes:` list"),
    ("scrapes:\n  - {name: Bad_Name, args: [epoch]}", "must be kebab-case"),
    ("scrapes:\n  - {name: a, args: [epoch]}\n  - {name: a, args: [epoch]}", "duplicate name 'a'"),
    ("scrapes:\n  - {name: a, args: []}", "args must be a non-empty list"),
    ("scrapes:\n  - {name: a, args: [epoch], when: daily}", "unknown key"),
])
def test_a_bad_manifest_is_a_clear_error(tmp_path, text, message):
    manifest = tmp_path / "scrapes.yaml"
    manifest.write_text(text)
    result = scrape("all", "--manifest", str(manifest))
    assert result.exit_code == 1 and message in result.output


def test_only_names_a_scrape_in_the_manifest(curated, tmp_path):
    manifest = write_manifest(tmp_path / "scrapes.yaml", curated, tmp_path / "gen")
    result = scrape("all", "--manifest", str(manifest), "--only", "hf-configs")
    assert result.exit_code == 1 and "no scrape named hf-configs" in result.output


def test_the_repository_manifest_lists_the_committed_epoch_files():
    from scrapers.manifest import load_manifest

    scrapes = {s.name: s for s in load_manifest(REPO / "datasets/scrapes.yaml")}
    assert scrapes["epoch-chips"].writes == ("datasets/imported/epoch/hardware.yaml",)
    assert scrapes["epoch-models"].writes == ("datasets/imported/epoch/models.yaml",)
    assert list(scrapes).index("epoch-chips") < list(scrapes).index("epoch-models")
    for entry in scrapes.values():
        for path in entry.writes:
            assert (REPO / path).exists(), path


# --- the real exports ----------------------------------------------------------------------------

@pytest.mark.skipif(not (REFERENCE / "All_ML_Systems_-_full_view.csv").exists(),
                    reason=f"{REFERENCE} is not here (reference samples)")
def test_done_when_the_real_exports_give_the_committed_files(tmp_path):
    """Every one of the June 2025 export's 1,892 rows present, none refused for magnitude, >= 100
    accelerators; and the committed files are exactly what the commands write."""
    folder = tmp_path / "epoch"
    chip_result = scrape("epoch-chips", "--file", str(REFERENCE / "Chip_dataset-Grid_view.csv"),
                         "--out", str(folder / "hardware.yaml"), "--datasets", str(REPO / "datasets"),
                         "--retrieved-on", "2025-11-28", "--copy", CHIPS_COPY)
    assert chip_result.exit_code == 0, chip_result.output
    result = scrape("epoch", "--file", str(REFERENCE / "All_ML_Systems_-_full_view.csv"),
                    "--out", str(folder / "models.yaml"), "--datasets", str(REPO / "datasets"),
                    "--retrieved-on", "2025-08-07", "--copy", MODELS_COPY)
    assert result.exit_code == 0, result.output
    assert "1892 row(s) -> 1891 model entr(ies)" in result.output  # P-LLama3's two rows are one system
    assert "refused for magnitude: 0" in result.output
    entries = load(folder / "models.yaml")["models"]
    assert sum(1 for e in entries if e.get("warnings")) > 50
    hardware = load(folder / "hardware.yaml")["hardware"]
    accelerators = [h for h in hardware if h["kind"] != "cpu"]
    assert len(accelerators) >= 100
    with_peaks = [h for h in accelerators if {"bf16_tflops", "fp16_tflops"} & set(h.get("claims", {}))]
    assert len(with_peaks) >= 100
    for name in ("models.yaml", "hardware.yaml"):
        assert (folder / name).read_bytes() == (REPO / "datasets/imported/epoch" / name).read_bytes(), (
            f"datasets/imported/epoch/{name} is not what the command writes: re-run `cegdb scrape epoch-chips` "
            "and `cegdb scrape epoch` as in the test")


@pytest.mark.parametrize("command", ["epoch", "epoch-chips", "all"])
def test_generated_layer_commands_have_an_example(command):
    result = scrape(command, "--help")
    assert result.exit_code == 0 and "Example:" in result.output
