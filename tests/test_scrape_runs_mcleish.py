"""`cegdb scrape runs mcleish2025`: the Gemstones' constant-rate and cooldown checkpoints, offline.

The fixtures are JSON lines in the shape of wandb_dfs/wandb_df_for_fitting_{hot,cool_end}.jsonl,
written here with made-up values.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import scrape_runs_twice
from scrapers.errors import ParseError
from scrapers.sources import runs_mcleish2025 as gem
from scrapers.sources.runs_common import check_rows, check_series, read_inputs

MODELS = {(256, 23): 48_377_600, (1024, 28): 543_482_880, (512, 11): 90_000_000}


def _line(width, depth, step, loss, **edits):
    record = {"run_name": f"PyGemma-{width}x{depth}_pretrain", "params_active_precise": MODELS[(width, depth)],
              "width": width, "depth": depth, "tokens": step * 2048 * 2048, "step": step, "num_nodes": 32,
              "seconds_per_step": 1.4, "final_loss": loss}
    return json.dumps({**record, **edits})


def _release(root: Path, cool_extra: str | None = None) -> Path:
    hot = [_line(w, d, s, 4.0 - 0.1 * i - 0.0005 * w) for (w, d) in MODELS for i, s in enumerate((2385, 4770))]
    cool = [_line(w, d, s, 3.9 - 0.1 * i - 0.0005 * w) for (w, d) in list(MODELS)[:2] for i, s in enumerate((2622, 5246))]
    if cool_extra:
        cool.append(cool_extra)
    for path, lines in ((gem.HOT, hot), (gem.COOL, cool)):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text("\n".join(lines) + "\n")
    return root


def test_constant_against_cooldown_on_the_models_both_files_have(tmp_path):
    skipped: list[str] = []
    rows = check_rows(gem.parse(read_inputs(gem.RELEASE, _release(tmp_path)), skipped=skipped), "mcleish2025")
    assert {r["series"] for r in rows} == {gem.SERIES} and {r["innovation"] for r in rows} == {"lr-cooldown"}
    # 512x11 was never cooled: left out of both arms, and said so
    assert not any("512x11" in r["note"] for r in rows)
    assert len(skipped) == 2 and all("PyGemma-512x11_pretrain is not in both files" in s for s in skipped)
    cooled = next(r for r in rows if r["arm"] == "treatment" and r["locator"].endswith(
        "line 1 (PyGemma-256x23_pretrain, step 2622), final_loss, params_active_precise, tokens"))
    assert cooled["tokens"] == 2622 * 2048 * 2048  # the cooldown's tokens are counted
    assert cooled["compute_flop"] == 6 * 48_377_600 * 2622 * 2048 * 2048
    assert cooled["loss"] == pytest.approx(3.9 - 0.0005 * 256)
    assert cooled["locator"].startswith(f"{gem.RELEASE.repo}@{gem.RELEASE.commit}:{gem.COOL}")
    record = check_series(gem.series_records(rows), rows, "mcleish2025")[0]
    assert set(record["differs"]) == {"schedule"}


@pytest.mark.parametrize("extra, where, message", [
    ("{not json", "line 5", "not JSON"),
    (_line(256, 23, 7870, float("nan")), "line 5, final_loss", "expected a positive number"),
    (_line(256, 23, 7870, 3.5, tokens=1), "line 5, tokens", "is not step x 2048 x 2048"),
    (_line(256, 23, 7870, 3.5, run_name="PyGemma-999x1_pretrain"), "line 5, run_name", "unexpected run name"),
])
def test_bad_lines_name_file_line_and_field(tmp_path, extra, where, message):
    root = _release(tmp_path, cool_extra=extra)
    with pytest.raises(ParseError, match=rf"wandb_df_for_fitting_cool_end\.jsonl.*{where}.*{message}"):
        gem.parse(read_inputs(gem.RELEASE, root))


def test_generated_file_is_deterministic_and_names_its_inputs(tmp_path):
    data = scrape_runs_twice("mcleish2025", _release(tmp_path / "repo"), tmp_path / "out.yaml")
    assert sorted(e["copy"] for e in data["retrieved"]) == sorted(
        f"github:{gem.RELEASE.repo}@{gem.RELEASE.commit}:{path}" for path in (gem.HOT, gem.COOL))
