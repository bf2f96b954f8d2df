"""Bad curated input: every problem is reported as file:line: field: message, and nothing is written."""

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalog.build import BuildFailed

from cegdb.pipeline import build
from cegdb.cli import main
from conftest import SOURCES, TOY_MOE, write_catalog


def problems_for(tmp_path: Path, **overrides) -> list[str]:
    datasets = write_catalog(tmp_path, **overrides)
    with pytest.raises(BuildFailed) as info:
        build(datasets, f"sqlite:///{tmp_path / 'out.sqlite'}")
    assert not (tmp_path / "out.sqlite").exists()
    return [str(p) for p in info.value.problems]


MOE = "models/toylab/toy-moe.yaml"


@pytest.mark.parametrize("case, content, expected", [
    ("malformed yaml", "id: toy-moe\nclaims: {parameters: [1, 2\n", r"toy-moe\.yaml:\d+: yaml: malformed YAML"),
    ("unknown source key", TOY_MOE.replace("source: toy2024paper, locator: abstract, confidence: high, evidence: primary,\n",
                                           "source: nosuch2024, locator: abstract, confidence: high, evidence: primary,\n"),
     r"toy-moe\.yaml:11: parameters\.source: unknown source key 'nosuch2024'"),
    ("missing source key", TOY_MOE.replace("{value: 10B, source: toy2024paper,", "{value: 10B,"),
     r"toy-moe\.yaml:13: active_parameters\.source: missing source key"),
    ("unknown innovation", TOY_MOE.replace("- {id: rope,", "- {id: ropee,"),
     r"toy-moe\.yaml:23: innovations\.id: unknown innovation id 'ropee'"),
    ("unknown hardware", TOY_MOE.replace("hardware: chipco-x100", "hardware: chipco-x999"),
     r"toy-moe\.yaml:\d+: gpu_hours\.hardware: unknown hardware id 'chipco-x999'"),
    ("unknown organization", TOY_MOE.replace("organization: toylab", "organization: nolab"),
     r"toy-moe\.yaml:4: organization: unknown organization id 'nolab'"),
    ("negative value", TOY_MOE.replace("value: 1T,", "value: -1T,"),
     r"toy-moe\.yaml:14: training_tokens: -1e\+12 is negative"),
    ("implausible magnitude", TOY_MOE.replace("value: 100e9,", "value: 671,"),
     r"toy-moe\.yaml:11: parameters: implausible magnitude: 671 parameters is below 100000"),
    ("unit string with words", TOY_MOE.replace("value: 1.5M,", "value: 1.5M GPU hours,"),
     r"toy-moe\.yaml:16: gpu_hours: cannot read '1\.5M GPU hours' as a number"),
    ("unknown field", TOY_MOE.replace("  attention:", "  attentoin:"),
     r"toy-moe\.yaml:19: attentoin: unknown model field"),
    ("enum value", TOY_MOE.replace("value: gqa", "value: grouped"),
     r"toy-moe\.yaml:19: attention: 'grouped' is not one of"),
    ("missing confidence", TOY_MOE.replace("locator: Section 2, confidence: high}", "locator: Section 2}", 1),
     r"toy-moe\.yaml:19: attention\.confidence: is required"),
    ("numeric claim without locator", TOY_MOE.replace("{value: 1T, source: toy2024paper, locator: Table 1,",
                                                      "{value: 1T, source: toy2024paper,"),
     r"toy-moe\.yaml:14: training_tokens\.locator: numeric claims need a locator"),
])
def test_bad_model_file_is_reported_with_file_line_and_field(tmp_path, case, content, expected):
    problems = problems_for(tmp_path, **{MOE: content})
    assert any(re.search(expected, p) for p in problems), (case, problems)


def test_duplicate_model_id_is_reported_with_the_first_location(tmp_path):
    problems = problems_for(tmp_path, **{"models/other/toy-moe.yaml": TOY_MOE})
    assert any(re.search(r"toy-moe\.yaml:1: id: duplicate model id 'toy-moe' \(first in", p) for p in problems)


def test_duplicate_source_key_across_files(tmp_path):
    problems = problems_for(tmp_path, **{"sources/more.yaml": "toy2025card:\n  kind: blog\n  title: x\n  url: https://x.org\n"})
    assert any(re.search(r"more\.yaml:1: id: duplicate source key 'toy2025card'", p) for p in problems)


def test_duplicate_yaml_key_in_one_mapping_is_an_error(tmp_path):
    content = TOY_MOE.replace("name: Toy-MoE\n", "name: Toy-MoE\nname: Again\n")
    problems = problems_for(tmp_path, **{MOE: content})
    assert any("duplicate key 'name'" in p for p in problems)


def test_unknown_base_model(tmp_path):
    from conftest import TOY_CHAT
    problems = problems_for(tmp_path, **{"models/toylab/toy-chat.yaml": TOY_CHAT.replace("base_model: toy-moe",
                                                                                        "base_model: toy-zero")})
    assert any(re.search(r"toy-chat\.yaml:\d+: base_model: unknown model id 'toy-zero'", p) for p in problems)


def test_all_problems_are_reported_in_one_run(tmp_path):
    content = TOY_MOE.replace("value: 100e9,", "value: 671,").replace("- {id: rope,", "- {id: ropee,")
    problems = problems_for(tmp_path, **{MOE: content})
    assert len(problems) >= 2


def test_failed_build_leaves_the_existing_database_untouched(tmp_path):
    datasets = write_catalog(tmp_path)
    target = tmp_path / "cat.sqlite"
    build(datasets, f"sqlite:///{target}")
    before = target.read_bytes()
    (datasets / MOE).write_text(TOY_MOE.replace("value: 100e9,", "value: 671,"))
    with pytest.raises(BuildFailed):
        build(datasets, f"sqlite:///{target}")
    assert target.read_bytes() == before
    # Only the writer lock stays beside the catalog (catalog/safety.py), no temporary build file.
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".cat.sqlite")] == [".cat.sqlite.lock"]


def test_cli_validate_prints_problems_and_exits_nonzero(tmp_path):
    datasets = write_catalog(tmp_path, **{MOE: TOY_MOE.replace("value: 100e9,", "value: 671,")})
    result = CliRunner().invoke(main, ["validate", "--datasets", str(datasets), "--db", str(tmp_path / "none.sqlite")])
    assert result.exit_code == 1
    assert re.search(r"toy-moe\.yaml:11: parameters: implausible magnitude", result.output)


def test_cli_validate_clean_catalog(tmp_path):
    datasets = write_catalog(tmp_path)
    result = CliRunner().invoke(main, ["validate", "--datasets", str(datasets), "--db", str(tmp_path / "none.sqlite")])
    assert result.exit_code == 0, result.output
    assert "datasets: ok" in result.output


ABLATION = """\
- innovation: moe
  source: toy2024paper
  locator: Table 3
  evidence: primary
  confidence: high
  metric: loss
  lower_is_better: true
  baseline_value: 2.95
  treatment_value: 2.90
"""


@pytest.mark.parametrize("case, content, expected", [
    ("gain without its basis", ABLATION + "  gain: 1.3\n", r"part\.yaml:10: gain_basis: a reported gain needs its basis"),
    ("unknown innovation", ABLATION.replace("innovation: moe", "innovation: mixture"),
     r"part\.yaml:1: innovation: unknown innovation id 'mixture'"),
    ("neither values nor gain", ABLATION.replace("  baseline_value: 2.95\n", ""),
     r"part\.yaml:1: ablation: needs baseline_value and treatment_value, or gain"),
    ("implausible scale", ABLATION + "  parameters: 30\n", r"part\.yaml:10: parameters: implausible magnitude"),
    ("evidence not in the list", ABLATION.replace("evidence: primary", "evidence: read it"),
     r"part\.yaml:4: evidence: 'read it' is not one of"),
])
def test_bad_ablation_rows_are_reported(tmp_path, case, content, expected):
    problems = problems_for(tmp_path, **{"ablations/part.yaml": content})
    assert any(re.search(expected, p) for p in problems), (case, problems)


def test_negative_metric_values_are_allowed_in_ablations(tmp_path):
    datasets = write_catalog(tmp_path, **{"ablations/part.yaml": ABLATION.replace("2.95", "-1.95").replace(
        "2.90", "-1.90").replace("lower_is_better: true", "lower_is_better: false")})
    build(datasets, f"sqlite:///{tmp_path / 'ok.sqlite'}", analysis=None)


BENCHMARK = """\
- model_name: Toy LSTM
  benchmark: ptb
  perplexity: 78.4
  parameters: 20M
  training_tokens: 929k
  publication_date: 2014-09-08
  source: toy2024paper
  locator: Table 1
  evidence: primary
  confidence: high
"""


@pytest.mark.parametrize("case, content, expected", [
    ("bad date", BENCHMARK.replace("2014-09-08", "Sept 2014"), r"ptb\.yaml:6: publication_date: 'Sept 2014' does not match"),
    ("unknown benchmark", BENCHMARK.replace("benchmark: ptb", "benchmark: enwik8"),
     r"ptb\.yaml:2: benchmark: 'enwik8' is not one of"),
    ("missing perplexity", BENCHMARK.replace("  perplexity: 78.4\n", ""), r"ptb\.yaml:1: perplexity: is required"),
    ("unknown catalog model", BENCHMARK + "  model: toy-lstm\n", r"ptb\.yaml:11: model: unknown model id 'toy-lstm'"),
])
def test_bad_benchmark_results_are_reported(tmp_path, case, content, expected):
    problems = problems_for(tmp_path, **{"benchmark_results/ptb.yaml": content})
    assert any(re.search(expected, p) for p in problems), (case, problems)


@pytest.mark.parametrize("case, overrides, expected", [
    ("model without a name", {MOE: TOY_MOE.replace("name: Toy-MoE\n", "")}, r"toy-moe\.yaml:1: name: is required"),
    ("source without a title", {"sources/main.yaml": SOURCES.replace(
        "  title: Toy model card\n", "")}, r"main\.yaml:\d+: title: is required"),
])
def test_missing_required_values_are_problems_not_database_errors(tmp_path, case, overrides, expected):
    # Regression: these rows used to reach the database and fail there as an IntegrityError
    # instead of being reported as file:line: field: message.
    problems = problems_for(tmp_path, **overrides)
    assert any(re.search(expected, p) for p in problems), (case, problems)
