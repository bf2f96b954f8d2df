"""Recipe parity of run series: what the two arms of a sweep hold equal (issue 16).

A CEG read off a series is the gain of the innovation only if everything else in the recipe is the
same in both arms. Each series used by a run therefore has one record, written beside the runs
(`series:` in a curated run file or in a generated file):

    series:
      - id: toy-sweep
        source: toy2024paper              # where the recipe was read
        locator: "Section 3"              # optional
        arms: "learned positions (baseline) vs RoPE (treatment), 125M-1.3B"   # optional, one phrase
        held_equal:                       # what is the same in both arms, in words
          data: "OpenWebText, same order"
          tokenizer: "GPT-2 BPE"
          ...
        differs:                          # differences besides the innovation, each with why it is
          tokens_per_parameter: "..."     # part of the innovation (MoE: more parameters per FLOP)
        not_stated: [tuning_budget]       # what the source does not say (an honest gap)
        note: "..."

Each of PARITY_FIELDS is in exactly one of the three. The runs are then checked against the
record, and a series whose arms differ in more than the record allows is refused, the problem
naming the file, the series and the field:
  * `loss`: the arms' `loss_on` texts differ;
  * `tokens_per_parameter`: the arms' typical tokens per parameter (geometric mean over the runs
    that give both) differ by more than TOKENS_PER_PARAMETER_TOLERANCE.
Both checks are skipped when the record lists the field under `differs` (with its why). A record
no run uses and a run whose series has no record are problems too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from catalog.datasets import Problems, Refs, _line, _source_ref, _text, _unknown_keys
from catalog.schema import PARITY_FIELDS

SERIES_KEYS = {"id", "source", "locator", "arms", "held_equal", "differs", "not_stated", "note"}
# Sweeps put both arms on one grid of sizes and budgets; a factor of 1.5 in the arms' typical
# tokens per parameter is more than grid jitter (e.g. a treatment with 10% fewer parameters) and
# less than a different allocation rule (Kaplan vs Chinchilla differ by ~10x).
TOKENS_PER_PARAMETER_TOLERANCE = 1.5


@dataclass
class SeriesRecord:
    row: dict
    rel: Path
    line: int
    differs: set[str] = field(default_factory=set)
    held: set[str] = field(default_factory=set)


def _parity_map(entry: Mapping, key: str, rel: Path, problems: Problems) -> dict[str, str]:
    value = entry.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.add(rel, _line(entry, key), key, f"expected a mapping of {', '.join(PARITY_FIELDS)} to text")
        return {}
    out = {}
    for name, text in value.items():
        if name not in PARITY_FIELDS:
            problems.add(rel, _line(value, name), f"{key}.{name}",
                         f"unknown parity field; expected one of {', '.join(PARITY_FIELDS)}")
        elif not isinstance(text, str) or not text.strip():
            what = "why the difference is part of the innovation" if key == "differs" else "what is held equal"
            problems.add(rel, _line(value, name), f"{key}.{name}", f"needs a text saying {what}")
        else:
            out[name] = text.strip()
    return out


def _one(rel: Path, entry: Mapping, origin: str, problems: Problems, refs: Refs) -> SeriesRecord | None:
    before = len(problems)
    _unknown_keys(entry, SERIES_KEYS, rel, problems)
    series_id = _text(entry, "id", rel, problems, required=True)
    held = _parity_map(entry, "held_equal", rel, problems)
    differs = _parity_map(entry, "differs", rel, problems)
    gaps = entry.get("not_stated") or []
    if not isinstance(gaps, list) or not all(isinstance(g, str) for g in gaps):
        problems.add(rel, _line(entry, "not_stated"), "not_stated", "expected a list of parity field names")
        gaps = []
    for name in gaps:
        if name not in PARITY_FIELDS:
            problems.add(rel, _line(entry, "not_stated"), "not_stated",
                         f"unknown parity field {name!r}; expected one of {', '.join(PARITY_FIELDS)}")
    row = {"id": series_id, "source_id": _source_ref(entry, "source", rel, problems, refs),
           "locator": _text(entry, "locator", rel, problems), "arms": _text(entry, "arms", rel, problems),
           "note": _text(entry, "note", rel, problems),
           "origin": origin, "origin_ref": f"{rel}:{entry.line}"}
    label = f"series {series_id!r}"
    for name in PARITY_FIELDS:
        places = [where for where, names in (("held_equal", held), ("differs", differs), ("not_stated", gaps))
                  if name in names]
        if not places:
            problems.add(rel, entry.line, name,
                         f"{label}: recipe parity not recorded; say under held_equal what both arms share, "
                         f"under differs why the difference is part of the innovation, or list it in not_stated")
        elif len(places) > 1:
            problems.add(rel, entry.line, name, f"{label}: listed in both {places[0]} and {places[1]}")
        elif name in held:
            row[name] = f"held equal: {held[name]}"
        elif name in differs:
            row[name] = f"differs: {differs[name]}"
        else:
            row[name] = "not stated"
    row["parity"] = ("incomplete" if gaps else "justified differences" if differs else "held equal")
    if len(problems) != before:
        return None
    return SeriesRecord(row, rel, entry.line, set(differs), set(held))


def read_series(declared: Iterable[tuple[Path, Mapping, str]], problems: Problems,
                refs: Refs) -> dict[str, SeriesRecord | None]:
    """Series id -> its record (None for a record already reported as faulty, so that its runs are
    not reported again as having none); a second record of the same id is a problem naming both."""
    records: dict[str, SeriesRecord | None] = {}
    for rel, entry, origin in declared:
        record = _one(rel, entry, origin, problems, refs)
        if record is None:
            if isinstance(entry.get("id"), str):
                records.setdefault(entry["id"], None)
            continue
        sid = record.row["id"]
        if records.get(sid) is not None:
            first = records[sid]
            problems.add(rel, entry.line, "series",
                         f"series {sid!r} is declared twice (first at {first.rel}:{first.line})")
            continue
        records[sid] = record
    return records


def _typical_ratio(runs: list[dict]) -> float | None:
    logs = [math.log(r["tokens"] / r["parameters"]) for r in runs if r.get("tokens") and r.get("parameters")]
    return math.exp(sum(logs) / len(logs)) if logs else None


def check_parity(records: Mapping[str, SeriesRecord | None], runs: list[dict], problems: Problems) -> None:
    """Refuse series whose runs differ between arms in more than their record allows."""
    groups: dict[tuple[str, str], dict[str, list[dict]]] = {}
    first_ref: dict[str, str] = {}
    for run in runs:
        groups.setdefault((run["series"], run["innovation_id"]), {}).setdefault(run["arm"], []).append(run)
        first_ref.setdefault(run["series"], run["origin_ref"])
    for sid in sorted(set(first_ref) - set(records)):
        rel, _, line = first_ref[sid].rpartition(":")
        problems.add(rel, int(line), "series",
                     f"series {sid!r} has no recipe-parity record: add it under `series:` (id, source, "
                     f"held_equal / differs / not_stated for {', '.join(PARITY_FIELDS)})")
    for sid in sorted(set(records) - set(first_ref)):
        record = records[sid]
        if record is None:
            continue
        problems.add(record.rel, record.line, "series", f"series {sid!r} is declared but no run uses it")
    for (sid, innovation), arms in sorted(groups.items()):
        record = records.get(sid)
        if record is None or set(arms) != {"baseline", "treatment"}:
            continue
        where = f"series {sid!r} (innovation {innovation!r})"
        if "loss" not in record.differs:
            losses = {arm: sorted({r["loss_on"] or "(not given)" for r in rows}) for arm, rows in arms.items()}
            if losses["baseline"] != losses["treatment"]:
                problems.add(record.rel, record.line, "loss",
                             f"{where}: the arms' losses are measured on different data (baseline "
                             f"{losses['baseline']}, treatment {losses['treatment']}); refused unless "
                             f"`differs: loss` says why this is part of the innovation")
        if "tokens_per_parameter" not in record.differs:
            base, treat = _typical_ratio(arms["baseline"]), _typical_ratio(arms["treatment"])
            if base and treat and max(base, treat) / min(base, treat) > TOKENS_PER_PARAMETER_TOLERANCE:
                problems.add(record.rel, record.line, "tokens_per_parameter",
                             f"{where}: the arms train at different tokens per parameter (baseline "
                             f"{base:.3g}, treatment {treat:.3g}, typical over their runs); refused unless "
                             f"`differs: tokens_per_parameter` says why this is part of the innovation")
