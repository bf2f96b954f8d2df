"""`cegdb scrape hf|card|arxiv|s2|epoch`: fetch, parse and store sourced claims.

Progress and the summary go to stderr (rich; quiet when stderr is not a terminal). The exit
status is 1 when any item failed: the others are stored all the same, and a re-run retries only
the failed ones.
"""

from __future__ import annotations

import functools
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from catalog import db, safety
from scrapers import pipeline
from scrapers.http import PoliteClient
from scrapers.snapshots import SnapshotStore

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


@scrape.command()
@click.option("--url", "url", default=None, help="Download the CSV from this URL.")
@click.option("--file", "file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Read a CSV downloaded before.")
@common_options
def epoch(options: Options, url: str | None, file: Path | None) -> None:
    """Import Epoch AI's models CSV (CC BY 4.0) as claims with origin import:epoch.

    Models not in the catalog become model rows (origin import:epoch); values for catalog models
    are kept beside the curated ones and disagreements are listed in `conflict`.

    \b
    Example:
        cegdb scrape epoch --file All_ML_Systems_-_full_view.csv
        cegdb scrape epoch --url https://epoch.ai/data/all_ai_models.csv
    """
    from scrapers.sources import epoch as glue

    from scrapers.parsers.epoch import HARDWARE_IDS, ORGANIZATION_IDS, with_catalog_names

    if (url is None) == (file is None):
        raise click.UsageError("give exactly one of --url or --file")
    organizations = with_catalog_names(ORGANIZATION_IDS, catalog_names(options, "organization"))
    hardware = with_catalog_names(HARDWARE_IDS, catalog_names(options, "hardware"))
    run_tasks(options, "epoch", [glue.task(url=url, file=file, organizations=organizations, hardware=hardware)])
