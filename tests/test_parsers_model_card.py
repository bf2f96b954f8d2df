"""Model cards -> quoted claims per model; fixtures in the shape of Meta's and DeepSeek's cards."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers_support import fixture
from scrapers.errors import ParseError
from scrapers.parsers.model_card import parse_model_card


def models(name: str) -> dict:
    result = parse_model_card(fixture("model_card", name), name)
    return {m["model"]: m for m in result["models"]}


def values(record: dict, field: str) -> list:
    return [claim["value"] for claim in record.get(field, [])]


def test_html_table_with_rowspan_gives_one_record_per_size():
    cards = models("multi_model_html_rowspan_unclosed_cell.md")
    assert {"Llama 3.1 8B", "Llama 3.1 70B", "Llama 3.1 405B"} <= set(cards)
    assert values(cards["Llama 3.1 8B"], "gpu_hours") == [1_460_000]
    assert values(cards["Llama 3.1 405B"], "gpu_hours") == [30_840_000]
    assert values(cards["Llama 3.1 70B"], "emissions_location_tco2eq") == [2_040]
    # The rowspan cell "15T+" applies to all three rows and is a lower bound.
    for name in ("Llama 3.1 8B", "Llama 3.1 70B", "Llama 3.1 405B"):
        (tokens,) = cards[name]["training_tokens"]
        assert (tokens["value"], tokens["bound"], tokens["as_written"]) == (15 * 10 ** 12, "lower", "15T+")
    assert values(cards["Llama 3.1 405B"], "context_length") == [131_072]  # "128k"
    assert values(cards["Llama 3.1 8B"], "attention") == ["gqa"]


def test_every_claim_carries_its_row_or_sentence():
    cards = models("multi_model_html_rowspan_unclosed_cell.md")
    (row,) = cards["Llama 3.1 405B"]["gpu_hours"]
    assert row["quote"] == "| Llama 3.1 405B | 30.84M | 700 | 8,930 |"
    assert "table 2" in row["locator"] and "Training Time (GPU hours)" in row["locator"]
    (sentence,) = cards[None]["gpu_hours"]
    assert sentence["value"] == 39_300_000  # "**39.3**M"
    assert sentence["quote"].startswith("Training Energy Use Training utilized a cumulative of 39.3M GPU hours")
    assert sentence["scope"] == "total"
    assert values(cards[None], "hardware") == ["H100-80GB"]
    assert values(cards[None], "gpu_power_w") == [700]


def test_total_rows_and_benchmark_tables_are_not_models():
    cards = models("multi_model_html_rowspan_unclosed_cell.md")
    assert "Total" not in cards and "General" not in cards
    assert values(cards[None], "emissions_location_tco2eq") == [11_390]
    assert values(cards[None], "emissions_market_tco2eq") == [0]


def test_family_sentence_goes_to_the_family_when_it_has_several_models():
    cards = models("multi_model_html_rowspan_unclosed_cell.md")
    (tokens,) = cards["Llama 3.1"]["training_tokens"]
    assert (tokens["value"], tokens["approximate"], tokens["scope"]) == (15 * 10 ** 12, True, "pre-training")


def test_card_contradicting_itself_gives_both_claims():
    # Llama 3.3's card: the only model's table row says 7.0M GPU hours and 12.9 t CO2eq; the prose
    # above it says 39.3M and 11,390 (the Llama 3.1 totals). Both are kept for the same model.
    (card,) = [m for name, m in models("single_model_table_contradicts_prose.md").items() if name]
    assert card["model"] == "Llama 3.3 70B"
    assert sorted(values(card, "gpu_hours")) == [7_000_000, 39_300_000]
    assert sorted(values(card, "emissions_location_tco2eq")) == [12.9, 11_390]
    quotes = {claim["quote"][:20] for claim in card["gpu_hours"]}
    assert len(quotes) == 2  # one table row, one sentence
    assert [c.get("approximate", False) for c in card["training_tokens"]] == [False, True]


def test_continuation_rows_carry_values_and_bracketed_counts_win():
    cards = models("continuation_rows_precise_params.md")
    assert values(cards["Llama 3.2 1B"], "parameters") == [1_230_000_000]  # "1B (1.23B)"
    assert values(cards["Llama 3.2 3B"], "parameters") == [3_210_000_000]
    (tokens,) = cards["Llama 3.2 3B"]["training_tokens"]
    assert (tokens["value"], tokens["bound"]) == (9 * 10 ** 12, "upper")  # "Up to 9T tokens"
    assert tokens["note"] == "value carried from the row above"
    assert values(cards["Llama 3.2 Quantized 3B"], "context_length") == [8_192]
    assert values(cards["Llama 3.2 3B"], "tied_embeddings") == [True]
    assert values(cards["Llama 3.2 3B"], "gpu_hours") == [460_000]
    assert values(cards[None], "gpu_hours") == [916_000]  # "**916k**"


def test_logit_generation_column_and_words_in_number_cells():
    result = parse_model_card(fixture("model_card", "continuation_rows_precise_params.md"), "card.md")
    cards = {m["model"]: m for m in result["models"]}
    assert values(cards["Llama 3.2 1B SpinQuant"], "gpu_hours") == [1.7]  # not the 0 logit-generation hours
    assert [u["text"] for u in result["unread"]] == ["Negligible"]


def test_moe_total_and_activated_and_scopes():
    cards = models("moe_total_activated_scopes_benchmarks.md")
    v3 = cards["DeepSeek-V3"]
    assert values(v3, "parameters") == [671e9, 671e9]  # table row and introduction
    assert values(v3, "active_parameters") == [37e9, 37e9]
    assert values(cards["DeepSeek-V3-Base"], "active_parameters") == [37e9]
    hours = {claim["value"]: claim.get("scope") for claim in v3["gpu_hours"]}
    assert hours == {2_788_000: "full training", 2_664_000: "pre-training"}
    assert values(v3, "hardware") == ["H800", "H800"]
    # "14.8 trillion ... tokens, followed by Supervised Fine-Tuning": the clause says pre-training.
    assert {c.get("scope") for c in v3["training_tokens"]} == {"pre-training"}
    post = cards[None]["gpu_hours"]
    assert [(c["value"], c["scope"]) for c in post] == [(100_000, "post-training")]


def test_expert_sentences_without_total_or_active_are_not_parameter_claims():
    cards = models("moe_total_activated_scopes_benchmarks.md")
    assert not any(16e9 in values(m, "parameters") for m in cards.values())
    assert "LLaMA3.1 405B" not in cards and "DeepSeek-V2" not in cards  # benchmark columns


def test_front_matter_and_hub_co2_metadata():
    result = parse_model_card(fixture("model_card", "hub_front_matter_co2.md"), "README.md")
    assert result["front_matter"]["license"] == "apache-2.0"
    assert result["front_matter"]["base_model"] == "example-org/tiny-base"
    cards = {m["model"]: m for m in result["models"]}
    assert values(cards[None], "emissions_tco2eq") == [0.1492]  # 149,200 g
    assert values(cards[None], "hardware") == ["NVIDIA A100 SXM4 40 GB"]
    chat = cards["tiny-chat"]
    assert values(chat, "training_tokens") == [3e12, 3e12]
    assert values(chat, "hardware_count") == [16] and values(chat, "training_days") == [90]


def test_gfm_tables_setext_sections_html_tables_and_no_facts_from_code_blocks():
    result = parse_model_card(fixture("model_card", "gfm_tables_fence_setext_html.md"), "card.md")
    cards = {m["model"]: m for m in result["models"]}
    assert set(cards) == {"Toy-Coder 1B", "Toy-Coder 7B"}  # not "Toy-Coder 70B" from the fenced example
    assert not any(v in values(m, "gpu_hours") for m in cards.values() for v in (9_900_000, 5_500_000))
    one, seven = cards["Toy-Coder 1B"], cards["Toy-Coder 7B"]
    # A linked model name, a count in a code span, escaped pipes kept inside their cell.
    (params,) = one["parameters"]
    assert params["value"] == 1_100_000_000
    assert params["quote"] == "| Toy-Coder 1B | 1.1B | splits a|b at the pipe | 2T |"
    assert params["locator"] == "table 1 in 'Model sizes', row 'Toy-Coder 1B', column 'Params'"  # a setext heading
    assert values(seven, "training_tokens") == [2_500_000_000_000]
    # The HTML table: <th> header, a link around <strong>, "12<b>.5</b>k", a blank line, a rowspan.
    (hours,) = one["gpu_hours"]
    assert (hours["value"], hours["locator"]) == (
        12_500, "table 2 in 'Training', row 'Toy-Coder 1B', column 'Training time (GPU hours)'")
    assert values(one, "gpu_power_w") == values(seven, "gpu_power_w") == [400]
    assert values(seven, "gpu_hours") == [80_000, 80_000]  # table row and sentence


@pytest.mark.parametrize("name", ["front_matter_unclosed.md", "front_matter_invalid_yaml.md"])
def test_broken_front_matter_is_a_parse_error_naming_the_card(name):
    with pytest.raises(ParseError) as caught:
        parse_model_card(fixture("model_card", name), name)
    assert (caught.value.source, caught.value.field) == (name, "front_matter")


def test_plain_text_without_facts_gives_no_models():
    assert parse_model_card(b"# A card\n\nNothing to see here.\n", "x.md")["models"] == []


_pieces = st.sampled_from(["| a | b |\n", "|---|---|\n", "| Model | Params | GPU hours |\n", "| x | 7B | 1.2M |\n",
                           "<table><tr><td rowspan=\"3\">", "<td>8B", "</tr>", "</table>", "**39.3**M GPU hours. ",
                           "Llama 3.1 8B ", "~15 trillion tokens were used to train it. ", "---\n", "# Head\n",
                           "\n", "with 37B activated ", "671B total parameters. ", "TDP of 700W ", "colspan=\"0\" ",
                           "| Total | 9 |\n", "|  | 3B (3.21B) |\n", "<![x]]>", "```\n", "<h2>", "=====\n",
                           "|---|---|---|\n", "<th colspan=\"2\">"])


@settings(max_examples=500, deadline=None)
@given(st.lists(_pieces, max_size=30).map("".join) | st.text(max_size=200))
def test_fuzz_cards_raise_only_parse_error(text):
    try:
        result = parse_model_card(text.encode("utf-8", "surrogatepass"), "fuzz.md")
    except ParseError:
        return
    for record in result["models"]:
        for field, claims in record.items():
            if field != "model":
                assert all("quote" in claim for claim in claims)
