"""Shared parts of the run-data importers (`cegdb scrape runs <release>`): reading CSV numbers with
errors that name file, row and column, the `retrieved:` header of a release, and writing the
generated file datasets/imported/runs/<release>.yaml (docs/generated-layer.md).

A release module (scrapers/sources/runs_<release>.py) defines `RELEASE` (a `Release`) and
`parse(files)`, a pure function from {path inside the repository: raw bytes} to run rows:
innovation, arm (baseline | treatment), series, parameters, tokens, compute_flop, compute_method,
loss, loss_on, source, locator, evidence, note. Baseline and treatment points of one comparison
share a series name; the CEG engine compares arms within (innovation, series).

A release module also defines `series_records(rows)`: one recipe-parity record per series
(catalog/parity.py: id, source, locator, held_equal / differs / not_stated over PARITY_FIELDS,
note), filled from what the release itself shows (its configs, its CSV columns) and, where the
release is silent, `not_stated`. They are written as the file's `series:` section.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping

from scrapers.errors import ParseError
from scrapers.generated import sha256_bytes, write_generated

ARMS = ("baseline", "treatment")
EVIDENCE = ("primary", "secondary", "unverified", "model-implied")
ROW_KEYS = ("innovation", "arm", "series", "parameters", "tokens", "compute_flop", "compute_method", "loss",
            "loss_on", "source", "locator", "evidence", "note")
COPY_SPEC = re.compile(r"^github:(?P<repo>[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)@(?P<commit>[0-9a-f]{40})(?::(?P<path>.+))?$")


@dataclass(frozen=True)
class Release:
    """Where a release's raw files live and which of them the importer reads."""

    slug: str                      # release id: file name and origin import:<slug>
    repo: str                      # owner/name on GitHub
    commit: str                    # 40 hex digits: the version the numbers were read from
    retrieved_on: str              # the commit's date (YYYY-MM-DD): the raw input's date, not the run's
    wanted: Callable[[str], bool]  # which paths inside the repository the importer reads
    description: str
    route: str = "direct"          # direct: the authors' own repository; public-copy: someone else's copy
    original_url: str | None = None  # for public-copy: the original the copy stands for
    paths: tuple[str, ...] = ()      # the fixed paths, for releases that read named files
    # path -> commit, for a release whose files were read at different commits (a code index keeps
    # one version of each file); `commit` is then the one most files were read at, and these name
    # each file's own in locators and `retrieved:` entries.
    file_commits: Mapping[str, str] | None = None

    def locator(self, path: str, where: str, commit: str | None = None) -> str:
        return f"{self.repo}@{commit or self.commit}:{path}, {where}"


def read_csv(data: bytes, name: str, required: Iterable[str]) -> list[dict[str, str]]:
    """Rows of a CSV as dicts (header row = line 1, first data row = row 2); checks the columns."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(name, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in required if c not in header]
    if missing:
        raise ParseError(name, ", ".join(missing), f"required column(s) missing; the header has {header}")
    return list(reader)


def number(row: Mapping[str, str], column: str, name: str, row_number: int, *, positive: bool = True) -> float:
    """A finite number from one CSV cell; ParseError names file, row and column otherwise."""
    raw = (row.get(column) or "").strip()
    try:
        value = float(raw)
    except ValueError:
        raise ParseError(name, f"row {row_number}, column {column}", f"not a number: {raw!r}") from None
    if not math.isfinite(value) or (positive and value <= 0):
        raise ParseError(name, f"row {row_number}, column {column}",
                         f"expected a positive finite number, got {raw!r}")
    return value


def positive(value: object, name: str, where: str) -> float:
    """A positive finite number from a JSON value (not a bool, not a string); ParseError names file and field."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ParseError(name, where, f"expected a positive number, got {value!r}")
    return float(value)


def check_rows(rows: list[dict], release: str) -> list[dict]:
    """Every row has the contract's keys and plausible values; both arms are present in every series.

    Raises ValueError naming the release and the row: a parser that produced such a row is wrong,
    or the upstream file changed under the same commit-pinned name."""
    def fail(i: int, message: str) -> None:
        raise ValueError(f"{release} run row {i}: {message}")

    arms: dict[tuple[str, str], set[str]] = {}
    for i, row in enumerate(rows):
        unknown = set(row) - set(ROW_KEYS)
        if unknown:
            fail(i, f"unknown keys {sorted(unknown)}")
        if row.get("arm") not in ARMS:
            fail(i, f"arm {row.get('arm')!r} is not one of {ARMS}")
        if row.get("evidence") not in EVIDENCE:
            fail(i, f"evidence {row.get('evidence')!r} is not one of {EVIDENCE}")
        # Language-model losses in nats per token (reducible losses from fitted laws can be small);
        # FLOP of small runs to frontier runs.
        if not 0.1 < row.get("loss", 0) < 15:
            fail(i, f"loss {row.get('loss')} outside 0.1..15 nats")
        if not 1e10 < row.get("compute_flop", 0) < 1e27:
            fail(i, f"compute {row.get('compute_flop')} FLOP outside 1e10..1e27")
        arms.setdefault((row["innovation"], row["series"]), set()).add(row["arm"])
    lonely = sorted(k for k, v in arms.items() if v != set(ARMS))
    if lonely:
        raise ValueError(f"{release}: series without both arms: {lonely[:5]}")
    return rows


PARITY_FIELDS = ("tokens_per_parameter", "data", "tokenizer", "schedule", "tuning_budget", "loss")
SERIES_KEYS = ("id", "source", "locator", "arms", "held_equal", "differs", "not_stated", "note")


def parity(series_id: str, source: str, *, locator: str | None = None, note: str | None = None,
           held_equal: Mapping[str, str] | None = None, differs: Mapping[str, str] | None = None,
           arms: str | None = None) -> dict:
    """One series' parity record; the PARITY_FIELDS neither held equal nor differing are `not_stated`."""
    held, diff = dict(held_equal or {}), dict(differs or {})
    record = {"id": series_id, "source": source, "locator": locator, "arms": arms, "held_equal": held or None,
              "differs": diff or None,
              "not_stated": [f for f in PARITY_FIELDS if f not in held and f not in diff] or None, "note": note}
    return {k: v for k, v in record.items() if v is not None}


def check_series(records: list[dict], rows: list[dict], release: str) -> list[dict]:
    """Every series of the rows has exactly one parity record and every record a series.

    The loader (catalog/parity.py) checks the records against the runs again at build time."""
    used = {row["series"] for row in rows}
    ids = [r.get("id") for r in records]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"{release}: series records declared twice: {duplicates}")
    missing, unused = sorted(used - set(ids)), sorted(set(ids) - used)
    if missing or unused:
        raise ValueError(f"{release}: series without a parity record {missing[:5]}; records without runs {unused[:5]}")
    for record in records:
        if set(record) - set(SERIES_KEYS):
            raise ValueError(f"{release}: series {record['id']!r}: unknown keys {sorted(set(record) - set(SERIES_KEYS))}")
        named = [f for key in ("held_equal", "differs") for f in record.get(key, {})] + record.get("not_stated", [])
        if sorted(named) != sorted(PARITY_FIELDS):
            raise ValueError(f"{release}: series {record['id']!r} must name each of {PARITY_FIELDS} once, got {named}")
    return records


def read_inputs(release: Release, path: Path) -> dict[str, bytes]:
    """{path inside the repository: bytes} from a checkout (a folder) or from one raw file.

    A folder is read as the repository's root at the release's commit (e.g. `git archive` output):
    every file that `release.wanted` selects. A single file stands for the one wanted path whose
    name it has (the releases that read one file name it in `wanted`)."""
    path = Path(path)
    if path.is_dir():
        files = {}
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            rel = file.relative_to(path).as_posix()
            if release.wanted(rel):
                files[rel] = file.read_bytes()
        if not files:
            raise ParseError(str(path), None, f"no file of release {release.slug} under this folder "
                                              "(give the repository's root at the release's commit)")
        return files
    candidates = [p for p in release.paths if Path(p).name == path.name]
    rel = candidates[0] if candidates else path.name
    if not release.wanted(rel):
        raise ParseError(str(path), None, f"not a file of release {release.slug}")
    return {rel: path.read_bytes()}


def retrieved(release: Release, files: Mapping[str, bytes], repo: str, commit: str, retrieved_on: str) -> list[dict]:
    entries = []
    for rel, data in sorted(files.items()):
        at = (release.file_commits or {}).get(rel, commit)
        entry = {"url": f"https://github.com/{repo}/blob/{at}/{rel}", "sha256": sha256_bytes(data),
                 "retrieved_on": retrieved_on, "route": release.route, "copy": f"github:{repo}@{at}:{rel}"}
        if release.route == "public-copy" and release.original_url:
            entry["url"] = release.original_url
        entries.append(entry)
    return entries


def parse_copy(spec: str) -> tuple[str, str]:
    match = COPY_SPEC.match(spec or "")
    if not match:
        raise ValueError(f"--copy must look like github:<owner>/<repo>@<40-hex commit>[:path], got {spec!r}")
    return match["repo"], match["commit"]


def write_release(module, input_path: Path, out: Path, *, copy: str | None = None,
                  retrieved_on: str | None = None) -> tuple[int, bool]:
    """Parse a release's raw files and write its generated file; return (rows, whether bytes changed)."""
    release: Release = module.RELEASE
    repo, commit = parse_copy(copy) if copy else (release.repo, release.commit)
    if commit != release.commit:
        # The parser's folder choices and locators were checked against one commit; another one
        # may hold different runs under the same names.
        raise ValueError(f"release {release.slug} is read at commit {release.commit}; --copy names {commit}")
    files = read_inputs(release, input_path)
    rows = check_rows(module.parse(files), release.slug)
    records = check_series(module.series_records(rows), rows, release.slug)
    # Comparisons that are not loss-vs-compute runs (benchmark scores): the ablation table's shape.
    ablations = module.ablations(files) if hasattr(module, "ablations") else []
    if not rows and not ablations:
        raise ValueError(f"{release.slug}: the release gave no run points and no comparisons")
    command = f"cegdb scrape runs {release.slug}"
    sections = {name: value for name, value in (("series", records), ("runs", rows), ("ablations", ablations))
                if value}
    changed = write_generated(out, command, f"import:{release.slug}",
                              retrieved(release, files, repo, commit, retrieved_on or release.retrieved_on),
                              sections)
    return len(rows) + len(ablations), changed


# Release slug -> module (scrapers/sources/runs_<slug>.py); `cegdb scrape runs <slug>` reads it.
RELEASES = ("biderman2023", "brandfonbrener2024", "clark2022", "gadre2024", "gundlach2025", "ho2024", "li2024dclm",
            "marin2025", "mcleish2025", "porian2024", "sanderson2025", "wen2025")


def release_module(slug: str):
    import importlib

    if slug not in RELEASES:
        raise ValueError(f"unknown run-data release {slug!r}; known: {', '.join(RELEASES)}")
    return importlib.import_module(f"scrapers.sources.runs_{slug}")
