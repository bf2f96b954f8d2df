"""`cegdb scrape hf|card|arxiv|s2|epoch`: fetch, parse and store sourced claims.

Progress and the summary go to stderr (rich; quiet when stderr is not a terminal). The exit
status is 1 when any item failed: the others are stored all the same, and a re-run retries only
the failed ones.
"""

from __future__ import annotations

import collections
import functools
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from catalog import db, safety
from scrapers import pipeline
from scrapers.errors import ParseError
from scrapers.http import PoliteClient
from scrapers.snapshots import SnapshotStore
from scrapers.sources.runs_common import RELEASES as RUN_RELEASES

stderr = Console(stderr=True)
MAX_LISTED = 40  # failures and warnings printed one per line; the rest are counted


@dataclass
class Options:
    db_url: str | None
    snapshots: Path | None
    offline: bool
    refresh: bool
    to_yaml: Path | None
    store: bool
    workers: int


def common_options(command):
    @click.option("--db", "db_url", envvar="CEGDB_DATABASE_URL", default=None,
                  help="Catalog to store into (path or SQLAlchemy URL); it must exist: run `cegdb build` first. "
                       "Default: $CEGDB_DATABASE_URL, else ./cegdb.sqlite.")
    @click.option("--snapshots", type=click.Path(file_okay=False, path_type=Path), envvar="CEGDB_SNAPSHOTS",
                  default=None, help="Snapshot store and HTTP cache folder. Default: $CEGDB_SNAPSHOTS, else "
                                     "snapshots/ beside the SQLite catalog (./snapshots for other databases).")
    @click.option("--offline", is_flag=True, help="Fetch nothing: read every body from the snapshot store.")
    @click.option("--refresh", is_flag=True, help="Fetch and store again items that are stored already.")
    @click.option("--to-yaml", "to_yaml", type=click.Path(file_okay=False, path_type=Path), default=None,
                  help="Also write curation YAML in the datasets/ format to this folder, for review.")
    @click.option("--store/--no-store", default=True, show_default=True,
                  help="Store into the catalog (--no-store with --to-yaml needs no database).")
    @click.option("--workers", default=pipeline.DEFAULT_WORKERS, show_default=True,
                  help="Fetching threads; each host's own connection cap still applies "
                       "(arXiv 1, Semantic Scholar 1, huggingface.co 4).")
    @functools.wraps(command)
    def wrapper(db_url, snapshots, offline, refresh, to_yaml, store, workers, **kwargs):
        options = Options(db_url, snapshots, offline, refresh, to_yaml, store, workers)
        return command(options, **kwargs)
    return wrapper


class _RichProgress:
    def __init__(self, progress: Progress, description: str):
        self.progress, self.description, self.task = progress, description, None

    def start(self, total: int) -> None:
        self.task = self.progress.add_task(self.description, total=total)

    def add(self, count: int) -> None:
        if count:
            self.progress.update(self.task, total=self.progress.tasks[self.task].total + count)

    def advance(self, label: str) -> None:
        self.progress.update(self.task, advance=1, description=f"{self.description} {label[:40]}")


def _snapshot_dir(options: Options, url: str) -> Path:
    if options.snapshots is not None:
        return options.snapshots
    path = db.sqlite_path(url)
    return (path.expanduser().resolve().parent if path is not None else Path.cwd()) / "snapshots"


def _check_database(url: str) -> None:
    path = db.sqlite_path(url)
    if path is not None and not path.exists():
        raise click.ClickException(f"{path}: no such catalog; run `cegdb build` first (or pass --db)")
    current, head = db.current_revision(url), db.head_revision()
    if current != head:
        raise click.ClickException(f"{url}: schema revision {current or 'none'}, the code needs {head}; "
                                   "run `cegdb build` (or `cegdb db upgrade`) first")


def catalog_names(options: Options, table: str) -> list[dict]:
    """Rows (id, name, ...) of a catalog table, for mapping names to ids before fetching; [] without a database."""
    if not options.store:
        return []
    url = db.database_url(options.db_url)
    _check_database(url)
    columns = "id, name, hf_repo_id" if table == "model" else "id, name"
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.exec_driver_sql(f"SELECT {columns} FROM {table}")]
    finally:
        engine.dispose()


def run_tasks(options: Options, name: str, tasks: list[pipeline.Task]) -> pipeline.Summary:
    """Run the tasks against the catalog and print the summary; exit 1 when any item failed."""
    if not options.store and options.to_yaml is None:
        raise click.UsageError("--no-store without --to-yaml would do nothing")
    url = db.database_url(options.db_url)
    if options.store:
        _check_database(url)
    store = SnapshotStore(_snapshot_dir(options, url))
    origin = "import:epoch" if name == "epoch" else f"scraper:{name}"
    engine = db.make_engine(url) if options.store else None
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    # One writer at a time: a build that replaced the catalog under a running scrape would drop
    # what the scrape stored (catalog/safety.py).
    path = db.sqlite_path(url) if options.store else None
    try:
        with (safety.writer_lock(path, "scrape") if path is not None else nullcontext()), \
                PoliteClient(store, offline=options.offline, refresh=options.refresh) as client, \
                Progress(*columns, console=stderr, transient=True, disable=not stderr.is_terminal) as bar:
            progress = _RichProgress(bar, f"scrape {name}")
            if engine is None:
                summary = pipeline.run(tasks, client, origin=origin, conn=None, refresh=options.refresh,
                                       workers=options.workers, progress=progress, keep_items=True)
            else:
                with engine.connect() as conn:
                    summary = pipeline.run(tasks, client, origin=origin, conn=conn, refresh=options.refresh,
                                           workers=options.workers, progress=progress,
                                           keep_items=options.to_yaml is not None)
    finally:
        if engine is not None:
            engine.dispose()
    if options.to_yaml is not None:
        from scrapers.curation import write_yaml

        written = write_yaml(options.to_yaml, summary.items, summary.model_ids)
        stderr.print(f"wrote {len(written)} YAML file(s) for review under {options.to_yaml}", soft_wrap=True)
    print_summary(name, summary, stored=options.store)
    if summary.failures:
        raise click.exceptions.Exit(1)
    return summary


def print_summary(name: str, summary: pipeline.Summary, *, stored: bool) -> None:
    def out(line: str, **kwargs) -> None:
        # One line per item however long: the summary is read with grep as often as with eyes.
        stderr.print(line, soft_wrap=True, **kwargs)

    if stored:
        skipped = (f", {summary.items_skipped} skipped (stored already; --refresh fetches them again)"
                   if summary.items_skipped else "")
        out(f"scrape {name}: {summary.items_stored} item(s) stored{skipped}, "
            f"{summary.models_created} model(s) created")
        conflicts = f" ({summary.conflicts_total} conflicts in the catalog)" if summary.conflicts_total is not None else ""
        out(f"claims: {summary.claims_new} new, {summary.claims_unchanged} unchanged, "
            f"{summary.claims_conflicting} conflicting{conflicts}"
            + (f", {summary.claims_removed} removed (no longer in the source)" if summary.claims_removed else ""))
    else:
        out(f"scrape {name}: {len(summary.items)} item(s) parsed (not stored)")
    if summary.warnings:
        _list_some(out, f"warnings: {len(summary.warnings)}", summary.warnings)
    if summary.failures:
        _list_some(out, f"failed: {len(summary.failures)} item(s); a re-run retries only these",
                   [f"{failure.label}: {failure.reason}" for failure in summary.failures])


def say(line: str, **_) -> None:
    """One report line on stderr, printed as it is (names hold brackets rich would read as markup)."""
    stderr.print(line, soft_wrap=True, markup=False, highlight=False)


def _list_some(out, heading: str, lines: list[str]) -> None:
    """A heading, the first MAX_LISTED lines verbatim (no rich markup), and how many more."""
    out(heading)
    for line in lines[:MAX_LISTED]:
        out(f"  {line}", markup=False, highlight=False)
    if len(lines) > MAX_LISTED:
        out(f"  ... and {len(lines) - MAX_LISTED} more")


@click.group()
def scrape() -> None:
    """Fetch published model details and store them as sourced claims.

    Every response is kept in the snapshot store before it is parsed; every value becomes a claim
    with its source, locator and quote, checked like curated data. Each item is stored in its own
    transaction, and a re-run skips what is stored unless --refresh.

    \b
    Example:
        cegdb scrape hf meta-llama/Llama-3.1-8B deepseek-ai/DeepSeek-V3
    """


@scrape.command()
@click.argument("repo_ids", nargs=-1, required=True)
@common_options
def hf(options: Options, repo_ids: tuple[str, ...]) -> None:
    """Hugging Face repositories: API facts, config.json architecture and counts, model card.

    Gated repositories need a token: set HF_TOKEN (sent to huggingface.co only).

    \b
    Example:
        cegdb scrape hf meta-llama/Llama-3.1-8B Qwen/Qwen2.5-7B
        cegdb scrape hf mistralai/Mixtral-8x7B-v0.1 --to-yaml review/ --no-store
    """
    from scrapers.sources import hf as glue

    bad = [r for r in repo_ids if not glue.REPO_ID.match(r)]
    if bad:
        raise click.UsageError(f"not a Hugging Face repository id (owner/name): {', '.join(bad)}")
    names = {(m["hf_repo_id"] or "").lower(): [m["id"], m["name"]] for m in catalog_names(options, "model")}
    run_tasks(options, "hf", [glue.task(repo, names=names.get(repo.lower(), [])) for repo in dict.fromkeys(repo_ids)])


@scrape.command()
@click.argument("url_or_file")
@click.option("--model", "model_id", required=True, help="Catalog id of the model the card describes.")
@click.option("--url", "public_url", default=None,
              help="Public URL of a local card file (the source's url); default: the file's file:// URI.")
@common_options
def card(options: Options, url_or_file: str, model_id: str, public_url: str | None) -> None:
    """A model card (markdown: tables, prose, YAML front matter): GPU-hours, hardware, tokens, ...

    \b
    Example:
        cegdb scrape card https://raw.githubusercontent.com/meta-llama/llama-models/main/models/llama3_1/MODEL_CARD.md --model llama-3.1-405b
        cegdb scrape card MODEL_CARD.md --model llama-3.1-8b --url https://github.com/meta-llama/llama-models
    """
    from scrapers.sources import card as glue

    models = {m["id"]: m for m in catalog_names(options, "model")}
    if options.store and model_id not in models:
        raise click.UsageError(f"--model {model_id!r} is not in the catalog (ids are like llama-3.1-8b)")
    model = models.get(model_id, {})
    names = [n for n in (model.get("name"), (model.get("hf_repo_id") or "").split("/")[-1]) if n]
    run_tasks(options, "card", [glue.task(url_or_file, model_id, public_url, model_names=names)])


@scrape.command()
@click.argument("arxiv_ids", nargs=-1, required=True)
@common_options
def arxiv(options: Options, arxiv_ids: tuple[str, ...]) -> None:
    """arXiv papers (API Atom): title, authors, dates, DOI, journal reference, as source rows.

    arXiv asks for one request every 3 s over one connection; this command keeps to that.

    \b
    Example:
        cegdb scrape arxiv 2412.19437 2407.21783
    """
    from scrapers.sources import arxiv as glue

    run_tasks(options, "arxiv", [glue.task(i) for i in dict.fromkeys(arxiv_ids)])


@scrape.command()
@click.argument("paper_ids", nargs=-1, required=True)
@common_options
def s2(options: Options, paper_ids: tuple[str, ...]) -> None:
    """Semantic Scholar papers: citation counts, DOI, venue and external ids, on source rows.

    IDS are anything the Graph API takes: arXiv:2412.19437, DOI:10.48550/..., a paper id.

    \b
    Example:
        cegdb scrape s2 arXiv:2412.19437 arXiv:1706.03762
    """
    from scrapers.sources import s2 as glue

    run_tasks(options, "s2", [glue.task(i) for i in dict.fromkeys(paper_ids)])


def generated_options(default_out: str, default_source_url: str):
    """Options of the commands that write the generated layer (docs/generated-layer.md)."""
    def decorate(command):
        for option in reversed([
            click.option("--url", "url", default=None, help="Download the CSV from this URL (kept in the snapshot "
                                                            "store; with --offline, read from it)."),
            click.option("--file", "file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                         default=None, help="Read a CSV downloaded before."),
            click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=Path(default_out),
                         show_default=True, help="Generated file to write."),
            click.option("--datasets", "datasets_dir", type=click.Path(file_okay=False, path_type=Path),
                         default=Path("datasets"), show_default=True,
                         help="Curated datasets/ folder, for the ids of curated organisations and chips."),
            click.option("--source-url", default=default_source_url, show_default=True,
                         help="The original address of the data, recorded in the header's `retrieved: url` "
                              "(with --file, or when --url is a copy)."),
            click.option("--copy", "copy", default=None,
                         help="The public copy read instead of the original: github:<owner>/<repo>@<commit>:<path> "
                              "(the header then says route: public-copy)."),
            click.option("--retrieved-on", "retrieved_on", default=None,
                         help="Date the raw file was retrieved (YYYY-MM-DD). Default: the snapshot's fetch date "
                              "with --url; with --file, the date already in --out for the same sha256, else today."),
        ]):
            command = option(command)
        return command
    return decorate


def _explicit_db(ctx: click.Context) -> bool:
    source = ctx.get_parameter_source("db_url")
    return source is not None and source.name == "COMMANDLINE"


def _raw_input(options: Options, url: str | None, file: Path | None, *, source_url: str, copy: str | None,
               retrieved_on: str | None, out: Path) -> tuple[bytes, dict, str]:
    """(raw bytes, the header's `retrieved` entry, a file name for messages)."""
    import datetime as dt
    import re

    from scrapers.generated import sha256_bytes

    if (url is None) == (file is None):
        raise click.UsageError("give exactly one of --url or --file")
    if retrieved_on is not None and not re.match(r"^\d{4}-\d{2}-\d{2}$", retrieved_on):
        raise click.UsageError(f"--retrieved-on must be YYYY-MM-DD, got {retrieved_on!r}")
    if copy is not None and not re.match(r"^github:[\w.-]+/[\w.-]+@[0-9a-f]{7,40}:.+$", copy):
        raise click.UsageError(f"--copy must be github:<owner>/<repo>@<commit>:<path>, got {copy!r}")
    if url is not None:
        snapshots = options.snapshots or Path("snapshots")
        try:
            with PoliteClient(SnapshotStore(snapshots), offline=options.offline, refresh=options.refresh) as client:
                fetched = client.get(url)
        except Exception as exc:  # FetchError and transport errors: say what to do
            hint = " (run without --offline to fetch it)" if options.offline else ""
            raise click.ClickException(f"{url}: {exc}{hint}") from exc
        content, name = fetched.content, url.rsplit("/", 1)[-1]
        date = retrieved_on or str(fetched.snapshot.fetched_at)[:10]
        original = url if copy is None else source_url
    else:
        content, name = Path(file).read_bytes(), Path(file).name
        date = retrieved_on or _previous_date(out, sha256_bytes(content)) or dt.datetime.now(dt.timezone.utc).date().isoformat()
        original = source_url
    entry = {"url": original, "sha256": sha256_bytes(content), "retrieved_on": date,
             "route": "public-copy" if copy else "direct"}
    if copy:
        entry["copy"] = copy
    return content, entry, name


def _load_yaml(path: Path):
    """A generated file, read with libyaml when there is one (the models file is ~2 MB: 1 s, not 20 s)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader


def _previous_date(out: Path, sha256: str) -> str | None:
    """The retrieval date an earlier run recorded for the same bytes: re-runs keep the file unchanged."""
    import yaml

    if not out.exists():
        return None
    try:
        data = _load_yaml(out) or {}
    except yaml.YAMLError:
        return None
    for entry in data.get("retrieved") or []:
        if isinstance(entry, dict) and entry.get("sha256") == sha256 and entry.get("retrieved_on"):
            return str(entry["retrieved_on"])
    return None


def _curated(datasets_dir: Path) -> dict:
    """Names -> ids of curated organisations and chips, and curated dense peaks, read from datasets/."""
    import yaml

    from catalog.fields import parse_number
    from scrapers.parsers.epoch import HARDWARE_IDS, ORGANIZATION_IDS, with_catalog_names

    def load(name: str) -> list:
        path = datasets_dir / name
        if not path.exists():
            return []
        return yaml.safe_load(path.read_text(encoding="utf-8")) or []

    orgs = [o for o in load("organizations.yaml") if isinstance(o, dict)]
    chips = [h for h in load("hardware.yaml") if isinstance(h, dict)]
    figures: dict[str, dict[str, float]] = {}
    for chip in chips:
        peaks = {}
        for field, claim in (chip.get("claims") or {}).items():
            claims = claim if isinstance(claim, list) else [claim]
            chosen = next((c for c in claims if c.get("rank") == "preferred"), claims[0] if claims else None)
            try:
                peaks[field] = parse_number(chosen["value"])
            except (KeyError, TypeError, ValueError):
                continue
        figures[chip["id"]] = peaks
    curated_orgs = with_catalog_names({k: v for k, v in ORGANIZATION_IDS.items()
                                       if v in {o.get("id") for o in orgs}}, orgs)
    # Chips by name and synonym only: an id read as a name would match too loosely
    # ("nvidia-p100" is Epoch's "NVIDIA P100", SXM2 or PCIe; the curated chip is the SXM2 part).
    curated_chips = {k: v for k, v in HARDWARE_IDS.items() if v in figures}
    curated_chips.update({c["name"]: c["id"] for c in chips if isinstance(c.get("name"), str)})
    return {"organizations": curated_orgs, "hardware": curated_chips, "figures": figures}


def _write(out: Path, command: str, retrieved: dict | list[dict], sections: dict) -> bool:
    from scrapers.generated import write_generated

    try:
        return write_generated(out, command, "import:epoch", retrieved if isinstance(retrieved, list) else [retrieved],
                               sections)
    except ValueError as exc:
        raise click.ClickException(f"{out}: {exc}") from exc


@scrape.command()
@click.option("--url", "url", default=None, help="Download the CSV from this URL.")
@click.option("--file", "files", type=click.Path(exists=True, dir_okay=False, path_type=Path), multiple=True,
              help="Read a CSV downloaded before; repeat for several files of one export (notable, "
                   "large-scale, frontier), each with its own --copy and --source-url in the same order.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("datasets/imported/epoch/models.yaml"), show_default=True,
              help="Generated file to write (ignored with --db).")
@click.option("--datasets", "datasets_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("datasets"), show_default=True,
              help="Curated datasets/ folder: ids of curated organisations and chips.")
@click.option("--hardware-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The generated chip file whose ids `hardware` claims use. Default: hardware.yaml beside --out.")
@click.option("--source-url", "source_urls", multiple=True, default=("https://epoch.ai/data/all_ai_models.csv",),
              show_default=True,
              help="The original address of the CSV, recorded in the header (with --file, or when --url is a copy).")
@click.option("--copy", "copies", multiple=True,
              help="The public copy read instead of the original: github:<owner>/<repo>@<commit>:<path>.")
@click.option("--retrieved-on", "retrieved_on", default=None,
              help="Date the raw file was retrieved (YYYY-MM-DD). Default: the snapshot's fetch date with --url; "
                   "with --file, the date --out already records for the same sha256, else today.")
@click.option("--source-id", default="epoch-ai-models", show_default=True,
              help="Source key of the claims (another key for a second export kept beside the first).")
@click.option("--source-title", default="Epoch AI, Data on AI Models (all models)", show_default=True)
@click.option("--source-date", default=None, help="The export's date (YYYY-MM-DD); default: its latest 'Last modified'.")
@common_options
@click.pass_context
def epoch(ctx: click.Context, options: Options, url: str | None, files: tuple[Path, ...], out: Path,
          datasets_dir: Path, hardware_file: Path | None, source_urls: tuple[str, ...], copies: tuple[str, ...],
          retrieved_on: str | None, source_id: str, source_title: str, source_date: str | None) -> None:
    """Import Epoch AI's models CSV (CC BY 4.0) into the generated layer, every row a model entry.

    Writes --out (datasets/imported/epoch/models.yaml): one entry per model with its organisation,
    date, domain, accessibility, Hugging Face repo and base model, and claims with row-and-column
    locators. Values outside the catalog's plausible ranges are kept with a `warnings:` line;
    impossible values (negative, unreadable, zero, not a date) drop that field alone. Exit 0 with
    warnings. Run `cegdb scrape epoch-chips` first so training hardware maps to chip ids.

    With --db (given on the command line; $CEGDB_DATABASE_URL does not switch modes) the rows are
    stored straight into that catalog instead, as before (all or nothing per row, exit 1 on failures).

    \b
    Example:
        cegdb scrape epoch --file All_ML_Systems_-_full_view.csv --retrieved-on 2025-08-07 \\
          --copy "github:epoch-research/training-cost-trends@39afc3de1beb16ee18dbe89f925759fa713dc744:data/All ML Systems - full view.csv"
        cegdb scrape epoch --url https://epoch.ai/data/all_ai_models.csv
        cegdb scrape epoch --file All_ML_Systems_-_full_view.csv --db cegdb.sqlite
    """
    file = files[0] if files else None
    if len(files) > 1 and (url is not None or (copies and len(copies) != len(files))
                           or len(source_urls) not in (1, len(files))):
        raise click.UsageError("several --file take one --copy each (or none) and one --source-url each, "
                               "in the same order, and no --url")
    copy = copies[0] if copies else None
    source_url = source_urls[0]
    if _explicit_db(ctx) or options.to_yaml is not None or not options.store:
        from scrapers.sources import epoch as glue

        from scrapers.parsers.epoch import HARDWARE_IDS, ORGANIZATION_IDS, with_catalog_names

        if (url is None) == (file is None):
            raise click.UsageError("give exactly one of --url or --file")
        organizations = with_catalog_names(ORGANIZATION_IDS, catalog_names(options, "organization"))
        hardware = with_catalog_names(HARDWARE_IDS, catalog_names(options, "hardware"))
        run_tasks(options, "epoch", [glue.task(url=url, file=file, organizations=organizations, hardware=hardware)])
        return
    import yaml

    from scrapers.sources.epoch_models import build_models

    inputs = [_raw_input(options, url if i == 0 else None, f, source_url=source_urls[i % len(source_urls)],
                         copy=copies[i] if copies else None, retrieved_on=retrieved_on, out=out)
              for i, f in enumerate(files or [None])]
    content, retrieved, name = inputs[0]
    if len(inputs) > 1:
        content = [(n, c) for c, _, n in inputs]
    curated = _curated(datasets_dir)
    names = dict(curated["hardware"])
    known = set(curated["figures"])
    chips_path = hardware_file or out.parent / "hardware.yaml"
    if chips_path.exists():
        chips = (_load_yaml(chips_path) or {}).get("hardware") or []
        counts = collections.Counter(chip["name"] for chip in chips)
        for chip in chips:
            known.add(chip["id"])
            if counts[chip["name"]] == 1:  # a name Epoch gives two distinct chips maps to neither
                names.setdefault(chip["name"], chip["id"])
    else:
        stderr.print(f"{chips_path}: no generated chip file; training hardware maps to curated chips only "
                     "(run `cegdb scrape epoch-chips` first)", soft_wrap=True)
    try:
        sections, report = build_models(content, file_name=name, hardware_names=names, known_hardware=known,
                                        organizations=curated["organizations"], source_id=source_id,
                                        source_title=source_title, source_date=source_date)
    except ParseError as exc:
        raise click.ClickException(f"{exc}; nothing written") from exc
    changed = _write(out, "cegdb scrape epoch", [r for _, r, _ in inputs], sections)


    say(f"scrape epoch: {report.rows} row(s) -> {report.entries} model entr(ies) in {out} "
        f"({'written' if changed else 'unchanged'}); {len(sections['organizations'])} generated organisation(s)")
    say(f"warnings: {report.warnings} ({', '.join(f'{k} {v}' for k, v in sorted(report.warnings_by_field.items()))}); "
        f"fields dropped: {len(report.dropped_fields)}; refused for magnitude: {report.refused_for_magnitude}")
    if report.unmapped_columns:
        say(f"columns not in the synonym table (ignored): {', '.join(report.unmapped_columns)}")
    for title, lines in (("same name, one system (merged)", report.merged_duplicates),
                         ("same id, distinct systems (suffixed, distinct_from)", report.distinct_duplicates),
                         ("fields dropped", report.dropped_fields),
                         ("training hardware not mapped to a chip id",
                          [f"{n!r} ({c} row(s))" for (_, n), c in report.unmapped.most_common()])):
        if lines:
            _list_some(say, f"{title}: {len(lines)}", lines)


@scrape.command("epoch-chips")
@generated_options("datasets/imported/epoch/hardware.yaml", "https://epoch.ai/data/machine-learning-hardware")
@common_options
def epoch_chips(options: Options, url: str | None, file: Path | None, out: Path, datasets_dir: Path,
                source_url: str, copy: str | None, retrieved_on: str | None) -> None:
    """Import Epoch AI's chip dataset (CC BY 4.0) into the generated layer as hardware entries.

    Every accelerator (GPU, TPU, NPU, ASIC, ...; CPUs and SoCs only when Epoch marks them as ML
    hardware), with release date, memory, bandwidth, TDP and dense peak TFLOP/s per precision.
    A chip that datasets/hardware.yaml describes keeps its curated id. Figures twice the curated
    dense peak are sparsity-doubled and halved (method derived); export-control notes by name
    (China-market variants) and by the TPP threshold of the US rule of Oct 2023.

    \b
    Example:
        cegdb scrape epoch-chips --file Chip_dataset-Grid_view.csv --retrieved-on 2025-11-28 \\
          --copy "github:epoch-research/training-cost-trends@5deb003d233687beaa59f9957d6c69534b234364:data/Chip dataset-Grid view.csv"
    """
    from scrapers.sources.epoch_chips import build_chips

    content, retrieved, name = _raw_input(options, url, file, source_url=source_url, copy=copy,
                                          retrieved_on=retrieved_on, out=out)
    curated = _curated(datasets_dir)
    try:
        sections, report = build_chips(content, file_name=name, curated_names=curated["hardware"],
                                       curated_figures=curated["figures"], vendors=curated["organizations"])
    except ParseError as exc:
        raise click.ClickException(f"{exc}; nothing written") from exc
    changed = _write(out, "cegdb scrape epoch-chips", retrieved, sections)


    say(f"scrape epoch-chips: {report.rows} row(s) -> {report.entries} hardware entr(ies) in {out} "
        f"({'written' if changed else 'unchanged'}): {', '.join(f'{k} {v}' for k, v in sorted(report.by_kind.items()))}")
    say(f"skipped: {', '.join(f'{v} {k}' for k, v in sorted(report.skipped.items())) or 'none'}; "
        f"warnings: {report.warnings}; export-control notes: {report.export_control}")
    say(f"curated ids reused: {len(report.curated_ids)} "
        f"({', '.join(f'{k} = {v!r}' for k, v in sorted(report.curated_ids.items()))})")
    say(f"dense check against curated peaks: {len(report.dense_confirmed)} dense, "
        f"{len(report.halved_sparse)} sparsity-doubled and halved")
    for title, lines in (("halved", report.halved_sparse), ("same name, one chip (merged)", report.merged_duplicates),
                         ("same id, distinct chips (suffixed, distinct_from)", report.distinct_duplicates)):
        if lines:
            _list_some(say, f"{title}: {len(lines)}", lines)


@scrape.command("epoch-prices")
@generated_options("datasets/imported/epoch/hardware_prices.yaml", "https://epoch.ai/data/machine-learning-hardware")
@common_options
def epoch_prices(options: Options, url: str | None, file: Path | None, out: Path, datasets_dir: Path,
                 source_url: str, copy: str | None, retrieved_on: str | None) -> None:
    """Import Epoch AI's hardware price series (CC BY 4.0) into the generated layer.

    One entry per price row whose chip maps to a catalog id (curated, or the generated chip file
    beside --out): date, provider, region, price per chip-hour on demand and with 1- and 3-year
    commitments, purchase price per chip, and the row as locator. The training-cost claims
    (docs/cost.md) are priced from these rows. Run `cegdb scrape epoch-chips` first.

    \b
    Example:
        cegdb scrape epoch-prices --file Hardware_prices.csv --retrieved-on 2025-11-28 \\
          --copy "github:epoch-research/training-cost-trends@5deb003d233687beaa59f9957d6c69534b234364:data/Hardware prices.csv"
    """
    from scrapers.sources.epoch_prices import build_prices

    content, retrieved, name = _raw_input(options, url, file, source_url=source_url, copy=copy,
                                          retrieved_on=retrieved_on, out=out)
    names = dict(_curated(datasets_dir)["hardware"])
    chips_path = out.parent / "hardware.yaml"
    if chips_path.exists():
        chips = (_load_yaml(chips_path) or {}).get("hardware") or []
        counts = collections.Counter(chip["name"] for chip in chips)
        for chip in chips:
            if counts[chip["name"]] == 1:  # a name Epoch gives two distinct chips maps to neither
                names.setdefault(chip["name"], chip["id"])
    try:
        sections, report = build_prices(content, file_name=name, hardware_names=names)
    except ParseError as exc:
        raise click.ClickException(f"{exc}; nothing written") from exc
    changed = _write(out, "cegdb scrape epoch-prices", retrieved, sections)
    say(f"scrape epoch-prices: {report.rows} row(s) -> {report.entries} price entr(ies) for {len(report.by_chip)} "
        f"chip(s) in {out} ({'written' if changed else 'unchanged'})")
    if report.unmapped:
        _list_some(say, f"chips not mapped to a catalog id (left out): {len(report.unmapped)}",
                   [f"{n!r} ({c} row(s))" for n, c in report.unmapped.most_common()])
    if report.row_errors:
        _list_some(say, f"rows refused: {len(report.row_errors)}",
                   [f"row {e['row']} ({e['chip']}): {e['field']}: {e['message']}" for e in report.row_errors])


@scrape.command("price-index")
@generated_options("datasets/imported/fred/pcu518210518210.yaml", "https://fred.stlouisfed.org/series/PCU518210518210")
@click.option("--title", default="Producer Price Index by Industry: Data Processing, Hosting and Related Services",
              show_default=True, help="The series' title, for its source row.")
@common_options
def price_index(options: Options, url: str | None, file: Path | None, out: Path, datasets_dir: Path,
                source_url: str, copy: str | None, retrieved_on: str | None, title: str) -> None:
    """Import a monthly FRED price index (CSV) into the generated layer: restates training costs in
    dollars of one year (docs/cost.md; Cottier et al. 2024 use PCU518210518210).

    \b
    Example:
        cegdb scrape price-index --file PCU518210518210.csv --retrieved-on 2025-11-28 \\
          --copy "github:epoch-research/training-cost-trends@5deb003d233687beaa59f9957d6c69534b234364:data/PCU518210518210.csv"
    """
    from scrapers.parsers.fred import parse_fred_series

    content, retrieved, name = _raw_input(options, url, file, source_url=source_url, copy=copy,
                                          retrieved_on=retrieved_on, out=out)
    try:
        parsed = parse_fred_series(content, name)
    except ParseError as exc:
        raise click.ClickException(f"{exc}; nothing written") from exc
    series = parsed["series"]
    source_id = f"fred-{series.lower()}"
    sections = {
        "sources": [{"id": source_id, "kind": "dataset", "title": f"FRED {series}: {title}",
                     "authors": "U.S. Bureau of Labor Statistics, via FRED (Federal Reserve Bank of St. Louis)",
                     "url": f"https://fred.stlouisfed.org/series/{series}", "license": "public-domain"}],
        "price_index": [{"id": month, "series": series, "value": value} for month, value in parsed["values"]],
    }
    from scrapers.generated import write_generated

    try:
        changed = write_generated(out, "cegdb scrape price-index", "import:fred", [retrieved], sections)
    except ValueError as exc:
        raise click.ClickException(f"{out}: {exc}") from exc
    months = [m for m, _ in parsed["values"]]
    say(f"scrape price-index: {series}, {len(months)} month(s) {months[0] if months else ''} to "
        f"{months[-1] if months else ''} in {out} ({'written' if changed else 'unchanged'})")


@scrape.command("all")
@click.option("--manifest", type=click.Path(dir_okay=False, path_type=Path), default=Path("datasets/scrapes.yaml"),
              show_default=True, help="The manifest of scrapes.")
@click.option("--offline", is_flag=True, help="Fetch nothing: every scrape reads the snapshot store.")
@click.option("--only", "only", multiple=True, help="Run only the scrape(s) with this name (repeatable).")
def scrape_all(manifest: Path, offline: bool, only: tuple[str, ...]) -> None:
    """Re-run every scrape of datasets/scrapes.yaml, in order, and rewrite the generated layer.

    Each entry's `args` are what follows `cegdb scrape`; they run in this process. Review the
    result with `git diff datasets/`. Exit 1 when any scrape failed (the others still ran).

    \b
    Example:
        cegdb scrape all
        cegdb scrape all --only epoch-chips --offline
    """
    from scrapers.manifest import ManifestError, load_manifest, run_manifest

    try:
        entries = load_manifest(manifest)
        results = run_manifest(entries, scrape, offline=offline, only=only)
    except ManifestError as exc:
        raise click.ClickException(str(exc)) from exc
    failed = [r for r in results if r.exit_code != 0]
    for result in results:
        stderr.print(f"{result.name}: {'ok' if result.exit_code == 0 else f'failed (exit {result.exit_code})'}",
                     soft_wrap=True, markup=False, highlight=False)
    if failed:
        raise click.exceptions.Exit(1)


@scrape.command()
@click.argument("release", type=click.Choice(RUN_RELEASES))
@click.option("--file", "file", type=click.Path(exists=True, path_type=Path), required=True,
              help="The release's raw file, or a folder holding the repository at the release's commit "
                   "(e.g. `git archive <commit> | tar -x -C DIR`).")
@click.option("--copy", "copy", default=None,
              help="Where the bytes came from: github:<owner>/<repo>@<commit>[:path] (default: the release's).")
@click.option("--retrieved-on", "retrieved_on", default=None, help="Date of the raw input, YYYY-MM-DD "
                                                                   "(default: the release commit's date).")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Generated file to write (default: datasets/imported/runs/<release>.yaml).")
def runs(release: str, file: Path, copy: str | None, retrieved_on: str | None, out: Path | None) -> None:
    """Import training-run points (loss vs compute, baseline and treatment arms) for the CEG engine.

    Writes the generated file datasets/imported/runs/<release>.yaml (origin import:<release>);
    the rules each importer follows (which runs, which point of each run) are in its module,
    scrapers/sources/runs_<release>.py.

    \b
    Example:
        git --git-dir=SLD.git archive bf7e8e33... data/moe_scaling_law | tar -x -C /tmp/sld
        cegdb scrape runs clark2022 --file /tmp/sld/data/moe_scaling_law/data.csv
        cegdb scrape runs gundlach2025 --file /tmp/Experimental_Progress
    """
    from scrapers.errors import ParseError
    from scrapers.sources.runs_common import release_module, write_release

    module = release_module(release)
    out = out or Path("datasets") / "imported" / "runs" / f"{release}.yaml"
    try:
        count, changed = write_release(module, file, out, copy=copy, retrieved_on=retrieved_on)
    except (ParseError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    stderr.print(f"scrape runs {release}: {count} run point(s) or comparison(s) -> {out} ({'changed' if changed else 'unchanged'})",
                 soft_wrap=True)


@scrape.command("hf-configs")
@click.option("--targets", "targets_file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Curated target list (datasets/scrape-targets/hf-configs.yaml).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("datasets/scraped/hf/configs.yaml"),
              show_default=True, help="Generated file to write.")
@click.option("--copies-root", "copies_roots", multiple=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder of local copies of the public GitHub repositories the targets name (bare git "
                   "directories <owner>+<repo>/repo, or plain <owner>+<repo>/<commit>/<path>); repeatable. "
                   "Without it every config is fetched from huggingface.co.")
@click.option("--snapshots", type=click.Path(file_okay=False, path_type=Path), envvar="CEGDB_SNAPSHOTS",
              default=Path("snapshots"), show_default=True, help="Snapshot store and HTTP cache for the direct route.")
@click.option("--offline", is_flag=True, help="Fetch nothing: direct-route configs come from the snapshot store.")
@click.option("--refresh", is_flag=True, help="Bypass the HTTP cache for the direct route.")
def hf_configs(targets_file: Path, out: Path, copies_roots: tuple[Path, ...], snapshots: Path, offline: bool,
               refresh: bool) -> None:
    """Many checkpoints' config.json -> the generated layer (architecture and parameter counts).

    Writes one deterministic YAML file (docs/generated-layer.md); no database is needed. A target
    that cannot be read or parsed is reported and left out; the exit status is then 1.

    \b
    Example:
        cegdb scrape hf-configs --targets datasets/scrape-targets/hf-configs.yaml
        cegdb scrape hf-configs --targets datasets/scrape-targets/hf-configs.yaml --copies-root /work/.mirror
    """
    from scrapers.sources import hf_configs as glue

    try:
        targets = glue.load_targets(targets_file)
    except glue.TargetsError as exc:
        raise click.ClickException(str(exc)) from exc
    roots = list(copies_roots) or None
    needs_network = [t for t in targets.targets if not (roots and t.copy)]
    if needs_network:
        with PoliteClient(SnapshotStore(snapshots), offline=offline, refresh=refresh) as client:
            result = glue.scrape(targets, out, copies_roots=roots, get=client.get)
    else:
        result = glue.scrape(targets, out, copies_roots=roots)
    stderr.print(f"scrape hf-configs: {len(result.written)} of {len(targets.targets)} config(s) written to "
                 f"{result.path}" + ("" if result.changed else " (unchanged)"), soft_wrap=True)
    if result.warnings:
        _list_some(lambda line, **kw: stderr.print(line, soft_wrap=True, **kw),
                   f"warnings: {len(result.warnings)}", result.warnings)
    if result.failures:
        _list_some(lambda line, **kw: stderr.print(line, soft_wrap=True, **kw),
                   f"failed: {len(result.failures)} target(s)", result.failures)
        raise click.exceptions.Exit(1)
