"""Read the CEG engine's evidence: training-run points and the literature's verdicts.

Run points come from two places, in this order:
  * curated lists in datasets/runs/*.yaml (origin `curated`);
  * the `runs:` section of generated files, datasets/imported/**/*.yaml and
    datasets/scraped/**/*.yaml (origin from the file's `origin:` header; the other sections of
    those files are read by the generated-layer loader, not here).
Each series used by a run has a recipe-parity record (`series:` beside `runs:` in the same kinds of
file; catalog/parity.py): what its arms hold equal, and why any difference is part of the
innovation. Verdicts come from datasets/verdicts/*.yaml. Every problem is reported as file:line: field:
message, like catalog/datasets.py, whose helpers this module reuses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, Mapping, Sequence

from catalog import schema
from catalog.datasets import (_SCALE_RANGES, CURATED, Problems, Refs, _line, _list_entries,
                              _optional_number, _source_ref, _text, _unknown_keys)
from catalog.parity import check_parity, read_series
from catalog.fields import ValueProblem, parse_number
from catalog.generated import GeneratedFile
from catalog.yamlio import YamlError, load_yaml

RUN_KEYS = {"innovation", "arm", "series", "parameters", "tokens", "compute_flop", "compute_method", "loss",
            "loss_on", "source", "locator", "evidence", "quote", "note"}
CURATED_FILE_KEYS = {"series", "runs"}
VERDICT_KEYS = {"innovation", "source", "class", "quote", "locator", "note"}
# 6 FLOP per parameter per token: a multiply-add forward (2) and backward (4), Kaplan et al. 2020.
FLOP_PER_PARAMETER_TOKEN = 6.0


def _curated_run_files(root: Path, problems: Problems) -> Iterator[tuple[Path, Mapping]]:
    """(file relative to the repository, top-level data) of datasets/runs/*.yaml: either a list of
    runs, or a mapping with `series:` (recipe-parity records) and `runs:`."""
    for path in sorted((root / "runs").glob("*.yaml")):
        rel = path.relative_to(root.parent)
        try:
            data = load_yaml(path)
        except YamlError as exc:
            problems.add(rel, exc.line, "yaml", exc.message)
            continue
        if data is None:
            continue
        if isinstance(data, list):
            data = _ListFile(data)
        elif not isinstance(data, dict):
            problems.add(rel, getattr(data, "line", 1), "yaml", "expected a list of runs, or a mapping with "
                                                                "`series:` and `runs:`")
            continue
        else:
            _unknown_keys(data, CURATED_FILE_KEYS, rel, problems)
        yield rel, data


class _ListFile(dict):
    """A curated run file written as a bare list: its runs, and no series records."""

    def __init__(self, runs: list):
        super().__init__(runs=runs)
        self.line = 1


def _section(rel: Path, data: Mapping, name: str, problems: Problems) -> Iterator[Mapping]:
    entries = data.get(name)
    if entries is None:
        return
    if not isinstance(entries, list):
        problems.add(rel, _line(data, name), name, f"expected a list of {name}")
        return
    for entry in entries:
        if not isinstance(entry, dict):
            problems.add(rel, getattr(entry, "line", _line(data, name)), name, "expected a mapping")
            continue
        yield entry


def _files(root: Path, files: Sequence[GeneratedFile],
           problems: Problems) -> Iterator[tuple[Path, Mapping, str]]:
    """(file, data, origin): curated run files, then the generated files in their order.

    Generated files come already read and their headers checked by catalog.generated (one parse
    per build: the three largest took 3 s to parse again); a file whose origin it refused is not
    among them, and that problem is already reported."""
    for rel, data in _curated_run_files(root, problems):
        yield rel, data, CURATED
    for gen in files:
        yield gen.path, gen.data, gen.origin


def _run_entries(sources: Sequence[tuple[Path, Mapping, str]],
                 problems: Problems) -> Iterator[tuple[Path, Mapping, str]]:
    """(file relative to the repository, run entry, origin) for every run, in a fixed order."""
    for rel, data, origin in sources:
        for entry in _section(rel, data, "runs", problems):
            _unknown_keys(entry, RUN_KEYS, rel, problems)
            yield rel, entry, origin


def _innovation(entry: Mapping, rel: Path, problems: Problems, refs: Refs) -> str | None:
    innovation = _text(entry, "innovation", rel, problems, required=True)
    if innovation is not None and innovation not in refs.innovations:
        problems.add(rel, _line(entry, "innovation"), "innovation", f"unknown innovation id {innovation!r}")
        return None
    return innovation


def read_run(rel: Path, entry: Mapping, origin: str, problems: Problems, refs: Refs) -> dict | None:
    """One run row, or None (with the problems recorded) when it cannot be used."""
    before = len(problems)
    row = {"innovation_id": _innovation(entry, rel, problems, refs),
           "arm": _text(entry, "arm", rel, problems, required=True, choices=schema.ARMS),
           "series": _text(entry, "series", rel, problems, required=True),
           "compute_method": _text(entry, "compute_method", rel, problems),
           "loss_on": _text(entry, "loss_on", rel, problems),
           "source_id": _source_ref(entry, "source", rel, problems, refs),
           "locator": _text(entry, "locator", rel, problems, required=True),
           "evidence": _text(entry, "evidence", rel, problems, required=True, choices=schema.RUN_EVIDENCE),
           "quote": _text(entry, "quote", rel, problems),
           "note": _text(entry, "note", rel, problems),
           "origin": origin,
           "origin_ref": f"{rel}:{entry.line}"}
    for key, (low, high) in _SCALE_RANGES.items():
        row[key] = _optional_number(entry, key, rel, problems, low, high)
    if row["compute_flop"] is None and entry.get("compute_flop") is None:
        if row["parameters"] is not None and row["tokens"] is not None:
            row["compute_flop"] = FLOP_PER_PARAMETER_TOKEN * row["parameters"] * row["tokens"]
            if row["compute_method"] not in (None, "6ND"):
                problems.add(rel, _line(entry, "compute_method"), "compute_method",
                             f"{row['compute_method']!r} given without compute_flop: the loader can only "
                             f"compute 6ND from parameters and tokens")
            row["compute_method"] = "6ND"
        elif entry.get("parameters") is None or entry.get("tokens") is None:
            problems.add(rel, entry.line, "compute_flop",
                         "is required (or parameters and tokens, from which the loader computes 6ND)")
    loss = entry.get("loss")
    row["loss"] = None
    if loss is None:
        problems.add(rel, entry.line, "loss", "is required")
    else:
        try:
            row["loss"] = parse_number(loss)
            if row["loss"] <= 0:
                problems.add(rel, _line(entry, "loss"), "loss", f"{row['loss']:.6g} is not a positive loss")
        except ValueProblem as exc:
            problems.add(rel, _line(entry, "loss"), "loss", str(exc))
    return row if len(problems) == before else None


def read_runs(sources: Sequence[tuple[Path, Mapping, str]], problems: Problems, refs: Refs) -> list[dict]:
    """Every run point, numbered in reading order (curated files, then imported, then scraped);
    `sources` is list(_files(...)), so that each curated file is parsed (and its problems told) once."""
    rows = [row for rel, entry, origin in _run_entries(sources, problems)
            if (row := read_run(rel, entry, origin, problems, refs)) is not None]
    for number, row in enumerate(rows, 1):
        row["id"] = number
    return rows


def read_run_series(sources: Sequence[tuple[Path, Mapping, str]], problems: Problems, refs: Refs,
                    runs: list[dict]) -> list[dict]:
    """Every series' recipe-parity record, checked against the runs that use it (catalog.parity)."""
    declared = [(rel, entry, origin) for rel, data, origin in sources
                for entry in _section(rel, data, "series", problems)]
    series = read_series(declared, problems, refs)
    check_parity(series, runs, problems)
    return [record.row for record in series.values() if record is not None]


def read_verdicts(root: Path, problems: Problems, refs: Refs) -> list[dict]:
    rows = []
    seen: dict[tuple[str, str], str] = {}
    for rel, entry in _list_entries(root, "verdicts", "verdict", VERDICT_KEYS, problems):
        before = len(problems)
        row = {"innovation_id": _innovation(entry, rel, problems, refs),
               "source_id": _source_ref(entry, "source", rel, problems, refs),
               "compute_class": _text(entry, "class", rel, problems, required=True,
                                      choices=schema.VERDICT_CLASSES),
               "quote": _text(entry, "quote", rel, problems),
               "locator": _text(entry, "locator", rel, problems, required=True),
               "note": _text(entry, "note", rel, problems),
               "origin_ref": f"{rel}:{entry.line}"}
        key = (row["innovation_id"], row["source_id"])
        if len(problems) == before and key in seen:
            problems.add(rel, entry.line, "verdict",
                         f"a second verdict of {key[1]!r} on {key[0]!r} (first at {seen[key]}); "
                         f"one verdict per publication and innovation")
        if len(problems) == before:
            seen[key] = row["origin_ref"]
            rows.append(row)
    for number, row in enumerate(rows, 1):
        row["id"] = number
    return rows


def read_evidence(root: Path, files: Sequence[GeneratedFile], problems: Problems,
                  refs: Refs) -> list[tuple[str, list[dict]]]:
    """(table, rows) for the build: runs, their series, then verdicts; `files` is
    catalog.generated.read_files()."""
    sources = list(_files(root, files, problems))
    runs = read_runs(sources, problems, refs)
    return [("run", runs), ("run_series", read_run_series(sources, problems, refs, runs)),
            ("verdict", read_verdicts(root, problems, refs))]
