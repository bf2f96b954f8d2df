"""Hugging Face `config.json` of many checkpoints -> the generated layer (datasets/scraped/hf/).

`cegdb scrape hf-configs --targets datasets/scrape-targets/hf-configs.yaml` reads each target's
config.json, parses it with `scrapers.parsers.hf_config.parse_hf_config` and writes one generated
file (docs/generated-layer.md): a `source` per config, a model per checkpoint with architecture and
parameter-count claims, and a `retrieved:` header naming every raw config by URL and sha256.

Two routes for the bytes (the header says which one each config took):

- `direct`: `https://huggingface.co/<repo>/resolve/main/config.json` through the PoliteClient
  (robots.txt, retries, cache, snapshot store); `retrieved_on` is the date of the fetch.
- `public-copy`: a byte copy of the config in a public GitHub repository, named in the target
  (`github:<owner>/<repo>@<commit>:<path>`) and read from a local copy under `--copies-root`:
  a bare git directory `<root>/<owner>+<repo>/repo` (what the fetch tool leaves) or a plain folder
  `<root>/<owner>+<repo>/<commit>/<path>`. `retrieved_on` is the commit date of the copy (UTC),
  or, for a plain folder, the `copied_on` date the target states.

Fetch (here), parse (the pure parser) and write (`scrapers.generated`) stay apart. One target that
cannot be read or parsed fails alone: its message names the repository and the field, and the
others are written.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import yaml

from catalog.fields import MODEL_FIELDS, ValueProblem
from scrapers.errors import ParseError
from scrapers.generated import sha256_bytes, write_generated
from scrapers.parsers.hf_config import SYNONYMS, parse_hf_config
from scrapers.parsers.hf_mixers import MIXER_INNOVATIONS
from scrapers.store import slug

ORIGIN = "scraper:hf"
COMMAND = "cegdb scrape hf-configs"
HUB = "https://huggingface.co"
REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
COPY_SPEC = re.compile(r"^github:(?P<owner>[A-Za-z0-9][\w.-]*)/(?P<repo>[\w.-]+)@(?P<commit>[0-9a-f]{40}):(?P<path>.+)$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TARGET_KEYS = {"repo", "copy", "copied_on", "id", "organization", "release_date", "base_model"}
ORGANIZATION_KEYS = {"id", "name", "country", "kind"}
# Read straight from one config key: the released configuration is authoritative for the shape
# of the released weights (method reported, confidence high).
DIRECT = ("num_layers", "hidden_size", "num_heads", "kv_heads", "vocab_size", "moe_experts",
          "moe_active_experts", "moe_shared_experts", "sliding_window")
# Inferred by the parser from several keys or from the family table (method derived).
INFERRED = ("attention", "positional", "activation", "norm", "norm_position")
COUNTS = ("parameters", "active_parameters")


class TargetsError(ValueError):
    """The target list itself is wrong (file, entry and key in the message); nothing is scraped."""


@dataclass(frozen=True)
class Target:
    repo: str
    copy: str | None = None
    copied_on: str | None = None
    id: str | None = None
    organization: str | None = None
    release_date: str | None = None
    base_model: str | None = None  # Hub id of the checkpoint this one was made from

    @property
    def owner(self) -> str:
        return self.repo.split("/", 1)[0]

    @property
    def name(self) -> str:
        return self.repo.split("/", 1)[1]

    @property
    def model_id(self) -> str:
        return self.id or slug(self.name)


@dataclass
class Targets:
    targets: list[Target]
    organizations: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class Raw:
    """The bytes of one config and where they came from (one `retrieved:` entry)."""
    content: bytes
    url: str
    retrieved_on: str
    route: str
    copy: str | None = None

    def header(self) -> dict:
        return {"url": self.url, "sha256": sha256_bytes(self.content), "retrieved_on": self.retrieved_on,
                "route": self.route, "copy": self.copy}


@dataclass
class Result:
    path: Path
    changed: bool
    written: list[str]
    failures: list[str]
    warnings: list[str]


def config_url(repo: str) -> str:
    """The raw config.json address: what the direct route fetches and what sha256 is of."""
    return f"{HUB}/{repo}/resolve/main/config.json"


def page_url(repo: str) -> str:
    """The config.json page a reader opens on the Hub: the source's url."""
    return f"{HUB}/{repo}/blob/main/config.json"


def source_id(repo: str) -> str:
    # The same key `cegdb scrape hf` gives the same document (scrapers/sources/hf.py source_ids).
    owner, name = repo.split("/", 1)
    return f"hf-{slug(owner)}-{slug(name)}-config"


# --- the target list ------------------------------------------------------------------------

def load_targets(path: Path) -> Targets:
    """Read and check datasets/scrape-targets/hf-configs.yaml; TargetsError names entry and key."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise TargetsError(f"{path}: cannot read the target list: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("targets"), list):
        raise TargetsError(f"{path}: expected a mapping with a `targets:` list")
    organizations = []
    for i, org in enumerate(data.get("organizations") or []):
        where = f"{path}: organizations[{i}]"
        if not isinstance(org, dict) or not org.get("id") or not org.get("name"):
            raise TargetsError(f"{where}: needs id and name")
        unknown = set(org) - ORGANIZATION_KEYS
        if unknown:
            raise TargetsError(f"{where}: unknown keys {sorted(unknown)}")
        if not SLUG.match(str(org["id"])):
            raise TargetsError(f"{where}: id {org['id']!r} is not a slug")
        organizations.append({k: str(v) for k, v in org.items()})
    targets: list[Target] = []
    for i, entry in enumerate(data["targets"]):
        where = f"{path}: targets[{i}]"
        if not isinstance(entry, dict):
            raise TargetsError(f"{where}: expected a mapping with at least `repo`")
        unknown = set(entry) - TARGET_KEYS
        if unknown:
            raise TargetsError(f"{where}: unknown keys {sorted(unknown)} (known: {sorted(TARGET_KEYS)})")
        values = {k: (v.isoformat() if isinstance(v, dt.date) else str(v)) for k, v in entry.items()
                  if v is not None}
        repo = values.get("repo", "")
        where = f"{path}: targets[{i}] ({repo or 'no repo'})"
        if not REPO_ID.match(repo):
            raise TargetsError(f"{where}: repo must be a Hugging Face id owner/name")
        if "copy" in values and not COPY_SPEC.match(values["copy"]):
            raise TargetsError(f"{where}: copy must read github:<owner>/<repo>@<40-hex commit>:<path>")
        for key in ("release_date", "copied_on"):
            if key in values and not DATE.match(values[key]):
                raise TargetsError(f"{where}: {key} must be YYYY-MM-DD, got {values[key]!r}")
        for key in ("id", "organization"):
            if key in values and not SLUG.match(values[key]):
                raise TargetsError(f"{where}: {key} {values[key]!r} is not a slug (lowercase, digits, . _ -)")
        if "base_model" in values and not REPO_ID.match(values["base_model"]):
            raise TargetsError(f"{where}: base_model must be the Hugging Face id (owner/name) of the base")
        targets.append(Target(**values))
    seen: dict[tuple[str, str], int] = {}
    for i, target in enumerate(targets):
        for key, kind in ((target.repo.lower(), "repo"), (target.model_id, "model id")):
            if (kind, key) in seen:
                first = seen[(kind, key)]
                hint = " (give one of them an `id:`)" if kind == "model id" else ""
                raise TargetsError(f"{path}: targets[{i}] ({target.repo}): {kind} {key!r} is also that of "
                                   f"targets[{first}] ({targets[first].repo}){hint}")
            seen[(kind, key)] = i
    return Targets(targets, organizations)


# --- fetch: the two routes ------------------------------------------------------------------

def _git_dir(root: Path, owner: str, repo: str) -> Path | None:
    for candidate in (root / f"{owner}+{repo}" / "repo", root / f"{owner}+{repo}"):
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return candidate
    return None


def read_copy(spec: str, roots: Iterable[Path], copied_on: str | None = None) -> tuple[bytes, str]:
    """The bytes a copy spec names and the date to record; OSError says what is missing where."""
    match = COPY_SPEC.match(spec)
    if match is None:
        raise OSError(f"not a copy spec: {spec!r}")
    owner, repo, commit, path = match["owner"], match["repo"], match["commit"], match["path"]
    looked = []
    for root in roots:
        git_dir = _git_dir(Path(root), owner, repo)
        if git_dir is not None:
            shown = subprocess.run(["git", "--git-dir", str(git_dir), "show", f"{commit}:{path}"],
                                   capture_output=True)
            if shown.returncode != 0:
                raise OSError(f"{git_dir}: no {commit}:{path} ({shown.stderr.decode(errors='replace').strip()})")
            stamp = subprocess.run(["git", "--git-dir", str(git_dir), "show", "-s", "--format=%ct", commit],
                                   capture_output=True, text=True)
            # The commit date in UTC, not the committer's zone: the same copy gives the same date anywhere.
            day = dt.datetime.fromtimestamp(int(stamp.stdout.strip()), dt.timezone.utc).date().isoformat()
            return shown.stdout, day
        plain = Path(root) / f"{owner}+{repo}" / commit / path
        if plain.is_file():
            if not copied_on:
                raise OSError(f"{plain}: a plain-folder copy needs `copied_on` in its target (no commit date)")
            return plain.read_bytes(), copied_on
        looked.append(str(Path(root) / f"{owner}+{repo}"))
    raise OSError(f"no local copy of github:{owner}/{repo}; looked in {', '.join(looked) or 'no --copies-root'}")


def fetch_raw(target: Target, copies_roots: list[Path] | None, get: Callable | None) -> Raw:
    """One target's config bytes: a public copy when roots are given and the target names one, else direct."""
    if copies_roots and target.copy:
        content, day = read_copy(target.copy, copies_roots, target.copied_on)
        return Raw(content, config_url(target.repo), day, "public-copy", target.copy)
    if get is None:
        raise OSError("no copy of this config under --copies-root and no network route (--offline without "
                      "snapshots, or no copy named in the target)")
    fetched = get(config_url(target.repo))
    return Raw(fetched.content, config_url(target.repo), fetched.snapshot.fetched_at[:10], "direct")


# --- parse -> generated entries -------------------------------------------------------------

def _claim_value(field_name: str, value):
    spec = MODEL_FIELDS[field_name]
    if spec.kind == "num":
        number = float(value)
        spec.check_number(number)
        return int(number) if number.is_integer() else number
    if spec.kind == "enum" and value not in spec.choices:
        raise ValueProblem(f"{value!r} is not one of {', '.join(spec.choices)}")
    return value


def model_entry(target: Target, raw: Raw, ids_by_repo: dict[str, str]) -> tuple[dict, list[str]]:
    """The generated model entry of one config, and notes for the summary. ParseError when the config is bad."""
    label = f"{target.repo} ({raw.copy or raw.url})"
    record = parse_hf_config(raw.content, label)
    top = config = json.loads(raw.content)
    prefix = ""
    if isinstance(config.get("text_config"), dict):
        config, prefix = config["text_config"], "text_config."
    sid = source_id(target.repo)
    claims: dict[str, dict] = {}
    warnings: list[str] = []

    def add(field_name: str, value, **claim) -> None:
        try:
            claims[field_name] = {"value": _claim_value(field_name, value), "source": sid, "evidence": "primary",
                                  **claim}
        except ValueProblem as exc:
            warnings.append(f"{field_name}: {exc}; not claimed")

    for name in DIRECT + ("context_length", "tied_embeddings") + INFERRED:
        if name not in record:
            continue
        value = record[name]
        key = next((k for k in SYNONYMS.get(name, ()) if config.get(k) is not None), None)
        if name == "context_length" and key:
            add(name, value, locator=f"config.json: {prefix}{key}", quote=f'"{key}": {json.dumps(config[key])}',
                method="reported", confidence="medium",
                note=f"{key}: the longest position the released weights accept, which can exceed the context "
                     "the model was trained or evaluated at")
        elif name == "tied_embeddings":
            # A multimodal wrapper may state it at the top level for its text model (WRAPPER_INHERITED).
            where = prefix if "tie_word_embeddings" in config else "" if "tie_word_embeddings" in top else None
            present = where is not None
            add(name, bool(value), locator=f"config.json: {where}tie_word_embeddings" if present else "config.json",
                quote=f'"tie_word_embeddings": {json.dumps(bool(value))}' if present else None,
                method="reported" if present else "derived", confidence="high" if present else "medium",
                note=None if present else "tie_word_embeddings absent: transformers ties by default")
        elif name in DIRECT and key:
            add(name, value, locator=f"config.json: {prefix}{key}", quote=f'"{key}": {json.dumps(config[key])}',
                method="reported", confidence="high")
        else:
            add(name, value, locator="config.json (architecture keys)", method="derived", confidence="medium",
                note=f"inferred by the config parser from the architecture keys "
                     f"(model_type {record.get('text_model_type') or record.get('model_type')!r})")
    count_note = record.get("parameters_note")
    for name in COUNTS:
        if record.get(name) is not None:
            add(name, record[name], locator="config.json (computed from every shape key)", method="derived",
                confidence="medium" if count_note else "high",
                note="counted tensor by tensor from config.json (scrapers/parsers/hf_config.py)"
                     + (f"; {count_note}" if count_note else ""))
    # `warnings` go into the file (shown and faceted with the model); `notes` only to the scrape's summary.
    warnings.extend(record.get("count_warnings", ()))
    warnings.extend(name_size_warnings(target.name, record))
    notes = list(warnings)
    if record.get("text_parameters") and "parameters" not in record:
        active = record.get("text_active_parameters")
        warnings.append(f"multimodal wrapper: the language model alone has {record['text_parameters']:,} parameters"
                        + (f" ({active:,} active)" if active else "")
                        + "; the vision tower is not counted, so no parameters claim")
        notes.append(warnings[-1])
    elif "parameters" not in record and count_note:
        notes.append(f"parameters: {count_note}")
    base = ids_by_repo.get(target.base_model.lower()) if target.base_model else None
    # A base that is not a target is named for the build to match against the catalog by name.
    base_name = target.base_model.split("/", 1)[1] if target.base_model and base is None else None
    entry = {"id": target.model_id, "name": target.name, "organization": target.organization,
             "innovations": innovation_links(record, sid) or None,
             "release_date": target.release_date, "domain": "multimodal" if record.get("multimodal") else "language",
             "accessibility": "open_weights", "hf_repo": target.repo, "base_model": base, "base_model_name": base_name,
             "claims": claims, "warnings": sorted(warnings) or None}
    return entry, notes


# A size in a checkpoint's name: "7B", "1.5b", "130m", "2.4T", "8x7B" (experts x size); "A3B" (active) and
# "E2B" (effective) are not totals and are skipped by the look-behind; RWKV writes 1.5B as "1b5".
NAME_SIZE = re.compile(r"(?<![A-Za-z0-9.])(?:(\d+)x)?(\d+(?:\.\d+)?)([mbt])(\d)?(?![a-z0-9])", re.I)
UNITS = {"m": 1e6, "b": 1e9, "t": 1e12}
NAME_SIZE_FACTOR = 3


def name_size(name: str) -> tuple[float, str] | None:
    """The total size a checkpoint's name states, and the words that state it; None when it states none."""
    match = NAME_SIZE.search(name.replace("_", "-"))
    if match is None:
        return None
    experts, number, unit, tenths = match.groups()
    value = float(number + (f".{tenths}" if tenths else "")) * UNITS[unit.lower()]
    return value * (int(experts) if experts else 1), match.group(0)


def name_size_warnings(name: str, record: dict) -> list[str]:
    """A count more than 3x from the size in the checkpoint's name is a warning (never a refusal)."""
    stated = name_size(name)
    count = record.get("parameters") or record.get("text_parameters")
    if stated is None or not count:
        return []
    size, words = stated
    if size / NAME_SIZE_FACTOR <= count <= size * NAME_SIZE_FACTOR:
        return []
    return [f"parameters: {count:,} counted from config.json is more than {NAME_SIZE_FACTOR}x from the {words} in the "
            f"name {name!r}; the config may not be this checkpoint's, or the layout is not the one counted"]


# What a config's architecture keys say about the innovations a model uses (datasets/innovations.yaml ids).
ATTENTION_INNOVATIONS = {"gqa": "grouped-query-attention", "mqa": "multi-query-attention",
                         "mla": "multi-head-latent-attention"}
FEATURE_INNOVATIONS = {("positional", "rope"): "rope", ("positional", "alibi"): "alibi",
                       ("activation", "swiglu"): "swiglu", ("activation", "geglu"): "geglu",
                       ("norm", "rmsnorm"): "rmsnorm"}


def innovation_links(record: dict, source: str) -> list[dict]:
    """Model-innovation links the config itself shows, each with the detail it was read from."""
    links = []
    attention = ATTENTION_INNOVATIONS.get(record.get("attention"))
    if attention:
        kv = record.get("kv_heads")
        links.append({"id": attention, "source": source,
                      "detail": f"{kv:g} KV heads" if attention != "multi-head-latent-attention" and kv else None})
    if record.get("moe_experts"):
        active = record.get("moe_active_experts")
        links.append({"id": "sparse-moe", "source": source,
                      "detail": f"{record['moe_experts']:g} routed experts" + (f", top-{active:g}" if active else "")})
        if record.get("moe_shared_experts"):
            links.append({"id": "shared-experts", "source": source,
                          "detail": f"{record['moe_shared_experts']:g} shared expert(s)"})
    for mixer, layers in sorted((record.get("layer_mixers") or {}).items()):
        innovation = MIXER_INNOVATIONS.get(mixer)
        if innovation:
            links.append({"id": innovation, "source": source, "detail": f"{layers} of {record.get('num_layers')} layers"})
    for (key, value), innovation in FEATURE_INNOVATIONS.items():
        if record.get(key) == value:
            links.append({"id": innovation, "source": source, "detail": None})
    if record.get("sliding_window"):
        links.append({"id": "sliding-window-attention", "source": source,
                      "detail": f"window {record['sliding_window']:g} tokens"})
    return [{k: v for k, v in link.items() if v is not None} for link in links]


def flag_identical_configs(by_digest: dict[str, list[dict]]) -> list[str]:
    """Checkpoints read from byte-identical configs get a warning naming each other: two checkpoints of one
    architecture (a base and its instruct model), or a copy that is of the wrong file (Doge-320M's public copy
    was Doge-60M's config). Either way their counts agree by construction, not by two readings."""
    notes = []
    for digest, entries in sorted(by_digest.items()):
        if len(entries) < 2:
            continue
        for entry in entries:
            others = ", ".join(e["hf_repo"] for e in entries if e is not entry)
            line = (f"config.json byte-identical to that of {others} (sha256 {digest[:12]}): one architecture "
                    "read twice, or a copy of the wrong checkpoint's file")
            entry["warnings"] = sorted((entry.get("warnings") or []) + [line])
            notes.append(f"{entry['hf_repo']}: {line}")
    return notes


def source_entry(target: Target) -> dict:
    return {"id": source_id(target.repo), "kind": "repo", "title": f"{target.repo} config.json",
            "authors": target.owner, "venue": "Hugging Face Hub", "url": page_url(target.repo)}


def scrape(targets: Targets, out: Path, *, copies_roots: list[Path] | None = None,
           get: Callable | None = None) -> Result:
    """Read, parse and write every target; a failing target is left out and reported, never fatal."""
    ids_by_repo = {t.repo.lower(): t.model_id for t in targets.targets}
    models, sources, retrieved, failures, warnings = [], [], [], [], []
    by_digest: dict[str, list[dict]] = {}
    used_orgs = set()
    for target in targets.targets:
        try:
            raw = fetch_raw(target, copies_roots, get)
        except Exception as exc:  # FetchError, OSError: this target only
            failures.append(f"{target.repo}: config.json not read: {exc}")
            continue
        try:
            entry, notes = model_entry(target, raw, ids_by_repo)
        except ParseError as exc:
            failures.append(f"{target.repo}: {exc}")
            continue
        except (ValueError, TypeError) as exc:  # json that parse_hf_config accepted but json.loads did not
            failures.append(f"{target.repo}: config.json: {exc}")
            continue
        models.append(entry)
        sources.append(source_entry(target))
        retrieved.append(raw.header())
        by_digest.setdefault(retrieved[-1]["sha256"], []).append(entry)
        warnings.extend(f"{target.repo}: {n}" for n in notes)
        if target.organization:
            used_orgs.add(target.organization)
    warnings.extend(flag_identical_configs(by_digest))
    organizations = [o for o in targets.organizations if o["id"] in used_orgs]
    changed = write_generated(out, COMMAND, ORIGIN, retrieved,
                              {"sources": sources, "organizations": organizations, "models": models})
    return Result(Path(out), changed, [m["hf_repo"] for m in models], failures, warnings)
