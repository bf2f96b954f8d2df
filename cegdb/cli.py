"""The `cegdb` command line: one click group, data on stdout, logs and progress on stderr."""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from pathlib import Path

import click
from rich.console import Console
from rich.logging import RichHandler

from cegdb.cli_errors import remember_db, restrict_sizes
from cegdb.cli_lazy import LazyGroup, lazy_module

# Imported at first use (cegdb/cli_lazy.py): `cegdb ceg FILE.csv` needs neither the database layer nor
# the build, ~1 s of CPU before any work.
db = lazy_module("catalog.db")

stderr = Console(stderr=True)
DEFAULT_DATASETS = Path("datasets")

db_option = click.option(
    "--db", "db_url", envvar="CEGDB_DATABASE_URL", default=None, callback=remember_db,
    help="Database path or SQLAlchemy URL (sqlite:///..., postgresql+psycopg://...). "
         "Default: $CEGDB_DATABASE_URL, else ./cegdb.sqlite.")
datasets_option = click.option(
    "--datasets", "datasets_dir", type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_DATASETS, show_default=True, help="Folder with the curated YAML.")


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Debug logging on stderr, and a traceback with every error.")
@click.version_option(package_name="cegdb")
def main(verbose: bool) -> None:
    """cegdb: a sourced catalog of AI models, accelerators and innovations.

    \b
    Example:
        cegdb build && cegdb serve
    """
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, format="%(message)s",
                        handlers=[RichHandler(console=stderr, show_path=False)])


def _report_problems(problems) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


@main.command()
@db_option
@datasets_option
@click.option("--carry-from", default=None,
              help="Take scraped and imported data from this database URL instead of the one being "
                   "replaced (e.g. the team's PostgreSQL when writing the SQLite snapshot).")
@click.option("--force", is_flag=True,
              help="Replace the --db file even if it is not a cegdb catalog, or is damaged.")
def build(db_url: str | None, datasets_dir: Path, carry_from: str | None, force: bool) -> None:
    """Migrate, load datasets/, resolve claims and index, all or nothing.

    A SQLite target is built in a temporary file and renamed over the old one only on success.
    Scraped and imported claims in the database being replaced are carried over. A build refuses
    to replace a file that is not a cegdb catalog (unless --force) and to run while a scrape or
    another build writes the same catalog.

    \b
    Examples:
        cegdb build --db cegdb.sqlite
        cegdb build --db cegdb.sqlite --carry-from postgresql+psycopg://localhost/cegdb
    """
    url = db.database_url(db_url)
    _do_build(url, datasets_dir, carry_from=db.database_url(carry_from) if carry_from else None, force=force)


def _do_build(url: str, datasets_dir: Path, carry_from: str | None = None, force: bool = False):
    from catalog.build import BuildFailed
    from cegdb.pipeline import build as run_build

    if not datasets_dir.is_dir():
        raise click.ClickException(f"{datasets_dir}: no such datasets folder (run from the repository root "
                                   "or pass --datasets)")
    with stderr.status("building the catalog", spinner="dots") if stderr.is_terminal else _null():
        try:
            report = run_build(datasets_dir, url, carry_from=carry_from, force=force)
        except BuildFailed as exc:
            _report_problems(exc.problems)
            raise click.ClickException(str(exc)) from None
    counts = ", ".join(f"{v} {k}" for k, v in report.counts.items())
    stderr.print(f"built {report.path}: {counts}")
    return report


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@main.command()
@datasets_option
@click.option("--sample", "size", default=15, show_default=True, help="How many numeric claims to draw.")
@click.option("--seed", default=0, show_default=True, help="Random seed: the same seed draws the same claims.")
@click.option("--coverage", "coverage_only", is_flag=True, help="Print only quote coverage and computed counts.")
@click.option("--generated", "generated_origin", default=None, metavar="ORIGIN",
              help="Draw from the generated layer instead: files whose origin starts with ORIGIN "
                   "(import:epoch, scraper:hf, import:).")
def audit(datasets_dir: Path, size: int, seed: int, coverage_only: bool, generated_origin: str | None) -> None:
    """Draw curated numeric claims at random and print what a reviewer checks against each source.

    Then the quote coverage, and model pairs that look like one pre-training run but are not linked.

    \b
    Example:
        cegdb audit --sample 15 --seed 7
        cegdb audit --generated import:epoch --sample 40 --seed 2020
    """
    from catalog import audit as audit_mod

    curated = (audit_mod.read_generated(datasets_dir, generated_origin) if generated_origin
               else audit_mod.read_curated(datasets_dir))
    if curated.problems:  # claims with problems are left out of the draw; validate lists them
        _report_problems(curated.problems)
        stderr.print(f"{len(curated.problems)} problem(s) in datasets/ (run cegdb validate); "
                     "claims with problems are not drawn")
    if not coverage_only:
        for claim in audit_mod.sample(curated.claims, size, seed):
            click.echo(audit_mod.describe(claim, curated.sources) + "\n")
    click.echo(str(audit_mod.coverage(curated.claims)))
    for a, b in audit_mod.unlinked_shared_runs(curated):
        click.echo(f"possibly one pre-training run counted twice: {a} and {b} state the same GPU-hours and "
                   "tokens (link them with same_pretraining_as, or say why not)")


@main.command()
@db_option
@datasets_option
def validate(db_url: str | None, datasets_dir: Path) -> None:
    """Check datasets/ (and the database, if it exists) and print every problem as file:line: field: message.

    \b
    Example:
        cegdb validate
    """
    from catalog.build import BuildFailed
    from cegdb.pipeline import build as run_build

    with tempfile.TemporaryDirectory() as tmp:
        try:
            report = run_build(datasets_dir, f"sqlite:///{Path(tmp) / 'validate.sqlite'}", fts=False,
                               analysis=None)
        except BuildFailed as exc:
            _report_problems(exc.problems)
            raise click.ClickException(str(exc)) from None
    stderr.print("datasets: ok (" + ", ".join(f"{v} {k}" for k, v in report.counts.items()) + ")")
    path = db.sqlite_path(db.database_url(db_url))
    if path is not None and path.exists():
        import sqlite3

        from catalog import safety

        _require_catalog(path)
        conn = sqlite3.connect(safety.sqlite_uri(path, mode="ro"), uri=True)
        try:
            integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
            foreign = conn.execute("PRAGMA foreign_key_check").fetchall()
        finally:
            conn.close()
        if integrity != "ok" or foreign:
            raise click.ClickException(f"{path}: integrity {integrity}; foreign key violations: {foreign[:5]}")
        stderr.print(f"database {path}: integrity ok, foreign keys ok")


@main.command()
@db_option
@datasets_option
@click.option("--port", default=8001, show_default=True, help="Port on 127.0.0.1.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--rebuild/--no-rebuild", default=False, help="Build even if the database exists.")
def serve(db_url: str | None, datasets_dir: Path, port: int, host: str, rebuild: bool) -> None:
    """Build if needed, then serve a private copy of the catalog with Datasette (immutable, read-only).

    Builds and scrapes may go on writing the catalog: the server keeps the copy it started with
    until it is restarted. SIGTERM, SIGINT and SIGHUP are passed on to Datasette.

    \b
    Example:
        cegdb serve --port 8001
    """
    from publish import serving

    url = db.database_url(db_url)
    path = db.sqlite_path(url)
    if path is None:
        raise click.ClickException("Datasette serves SQLite: pass --db PATH.sqlite (build a snapshot from "
                                   "PostgreSQL with `cegdb build --db file.sqlite`)")
    if rebuild or not path.exists():
        _do_build(url, datasets_dir)
    path = path.resolve()
    from catalog import safety

    _require_catalog(path)
    _refuse_crafted(path)
    with safety.serving_copy(path) as copy:
        # Beside the private copy, not beside the catalog: a catalog on a read-only filesystem
        # (a mounted release) is served as it is, and nothing is left behind when the server stops.
        meta = serving.write_metadata(copy.with_name(path.stem + ".metadata.json"), database=path.stem)
        counts = serving.inspect(copy, copy.with_name(path.stem + ".inspect.json"))
        args = serving.datasette_args(copy, meta, counts, host, port)
        stderr.print(f"serving a copy of {path} on http://{host}:{port}/")
        code = serving.run_forwarding_signals(args)
    sys.exit(code)


@main.command()
@db_option
@click.argument("which", type=click.Choice(["compute", "ceg", "progress", "all"]), default="all")
@click.option("--bootstrap", default=200, show_default=True, help="Bootstrap resamples per CEG series.")
@click.option("--resamples", default=100, show_default=True, help="Bootstrap resamples of the progress fit.")
@click.option("--seed", default=0, show_default=True, help="Random seed (results are reproducible).")
@click.option("--figures", "figures_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Also write the figures (SVG and PNG) to this folder.")
def analyze(db_url, which, bootstrap, resamples, seed, figures_dir) -> None:
    """Estimate training compute, CEGs and classes, and the progress trend; write the result tables.

    \b
    Example:
        cegdb analyze all --bootstrap 1000 --figures figures/
    """
    from analysis.store import analyze as run_analysis

    url = db.database_url(db_url)
    _require_database(url)
    engine = db.make_engine(url)
    try:
        with _writing(url, "analyze"), engine.begin() as conn:
            counts = run_analysis(conn, which, bootstrap=bootstrap, resamples=resamples, seed=seed)
        if figures_dir is not None:
            from analysis.figures import write_figures

            with engine.connect() as conn:
                paths = write_figures(conn, figures_dir)
            stderr.print(f"wrote {len(paths)} figure files to {figures_dir}")
    finally:
        engine.dispose()
    stderr.print(", ".join(f"{k}: {v}" for k, v in counts.items()))


@main.command()
@db_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("report"),
              show_default=True, help="Folder for index.html and the figures.")
def report(db_url, out_dir) -> None:
    """Write a static HTML report with the figures and the summary tables.

    \b
    Example:
        cegdb report --out report/ && open report/index.html
    """
    from analysis.figures import write_report

    url = db.database_url(db_url)
    _require_database(url)
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            path = write_report(conn, out_dir)
    finally:
        engine.dispose()
    click.echo(str(path))


@main.command(name="export")
@db_option
@click.argument("what", type=click.Choice(["csv", "datapackage", "bib"]))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("export"),
              show_default=True, help="Folder to write into.")
def export_command(db_url, what, out_dir) -> None:
    """Export the catalog: one CSV per table, datapackage.json (CSV included), or sources.bib.

    \b
    Example:
        cegdb export datapackage --out export/
    """
    import sqlite3

    from catalog.safety import sqlite_uri
    from publish import export

    path = _sqlite_file(db_url)
    conn = sqlite3.connect(sqlite_uri(path, mode="ro"), uri=True)
    try:
        if what == "bib":
            written = [export.write_bib(conn, out_dir)]
        elif what == "csv":
            written = export.write_csvs(conn, out_dir)
        else:
            written = [*export.write_csvs(conn, out_dir), export.write_datapackage(out_dir)]
    except export.ExportRefused as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        conn.close()
    for p in written:
        click.echo(str(p))


@main.command(name="release")
@db_option
@click.argument("version")
@click.option("--dist", type=click.Path(file_okay=False, path_type=Path), default=Path("dist"), show_default=True,
              help="Releases folder; the new one is dist/VERSION/.")
def release_command(db_url, version, dist) -> None:
    """Freeze the catalog as release VERSION (CalVer): SQLite, CSV, datapackage.json, sources.bib,
    CITATION.cff, CHANGES.md and SHA256SUMS in dist/VERSION/.

    \b
    Example:
        cegdb build && cegdb release 2026.12.0
    """
    from publish.release import ReleaseError, release

    path = _sqlite_file(db_url)
    try:
        report = release(path, version, dist, Path.cwd())
    except ReleaseError as exc:
        raise click.ClickException(str(exc)) from None
    stderr.print(f"released {version} in {report.folder}: content sha256 {report.content_sha256[:16]}, "
                 f"claims added {report.changes['added']}, changed {report.changes['changed']}, "
                 f"removed {report.changes['removed']}")
    for p in report.files:
        click.echo(str(p))


def _sqlite_file(db_url: str | None) -> Path:
    url = db.database_url(db_url)
    path = db.sqlite_path(url)
    if path is None:
        raise click.ClickException("exports and releases read a SQLite file: build one from PostgreSQL with "
                                   "`cegdb build --db cegdb.sqlite` (after `cegdb scrape`/curation there)")
    _require_database(url)
    return path


def _writing(url: str, command: str):
    """The SQLite catalog's writer lock (catalog/safety.py); nothing for other databases."""
    from contextlib import nullcontext

    from catalog import safety

    path = db.sqlite_path(url)
    return nullcontext() if path is None else safety.writer_lock(path, command)


def _require_database(url: str) -> None:
    path = db.sqlite_path(url)
    if path is not None and not path.exists():
        raise click.ClickException(f"{path}: no such database; run `cegdb build` first")
    if path is not None:
        _require_catalog(path)


def _refuse_crafted(path: Path) -> None:
    """The checks of `cegdb.open` (views, triggers or generated columns where the schema has tables)
    before a catalog is served to the public."""
    from cegdb.api import Catalog
    from cegdb.errors import CatalogError

    try:
        Catalog(path).close()
    except CatalogError as exc:
        raise click.ClickException(str(exc)) from None


def _require_catalog(path: Path) -> None:
    """A SQLite path a command reads must be a cegdb catalog: one line naming it, never a traceback."""
    from catalog import safety

    problem = safety.catalog_problem(path)
    if problem:
        raise click.ClickException(f"{path}: {problem}; pass the catalog `cegdb build` wrote")


@main.group(name="db")
def db_group() -> None:
    """Schema migrations (Alembic).

    \b
    Example:
        cegdb db upgrade --db postgresql+psycopg://localhost/cegdb
    """


@db_group.command()
@db_option
@click.argument("revision", default="head")
@click.option("--force", is_flag=True, help="Add the catalog's tables even to a SQLite database of something else.")
def upgrade(db_url: str | None, revision: str, force: bool) -> None:
    """Upgrade the schema to REVISION (default head).

    \b
    Example:
        cegdb db upgrade
    """
    path = db.sqlite_path(db.database_url(db_url))
    if path is not None:
        from catalog import safety

        safety.check_writable(path)
        if not force:
            problem = safety.foreign_database_problem(path)
            if problem:
                raise click.ClickException(f"{path}: {problem}; `cegdb db upgrade` would add the catalog's "
                                           "tables to it. Pass another --db, or --force.")
    with _writing(db.database_url(db_url), "db upgrade"):
        db.upgrade(db.database_url(db_url), revision)
    click.echo(db.current_revision(db.database_url(db_url)) or "base")


@db_group.command()
@db_option
@click.argument("revision", default="base")
def downgrade(db_url: str | None, revision: str) -> None:
    """Downgrade the schema to REVISION (default base: drops every table).

    \b
    Example:
        cegdb db downgrade -- -1
    """
    with _writing(db.database_url(db_url), "db downgrade"):
        db.downgrade(db.database_url(db_url), revision)
    click.echo(db.current_revision(db.database_url(db_url)) or "base")


@db_group.command()
@db_option
def current(db_url: str | None) -> None:
    """Print the schema revision of the database.

    \b
    Example:
        cegdb db current
    """
    click.echo(db.current_revision(db.database_url(db_url)) or "base")




@main.command(name="ceg")
@click.argument("runs_csv", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one object per (innovation, series), "
              "or per innovation from the catalog.")
@click.option("--method", type=click.Choice(["frontier", "recipe"]), default="frontier", show_default=True,
              help="frontier: both arms' frontiers fitted jointly; recipe: the earlier recipe-path placement "
                   "(an alternative, with bootstrap intervals).")
@click.option("--bootstrap", default=200, show_default=True, help="Bootstrap resamples (method recipe only).")
@click.option("--seed", default=0, show_default=True, help="Random seed (method recipe; results are reproducible).")
def ceg_command(runs_csv: Path | None, db_url, as_json: bool, method: str, bootstrap: int, seed: int) -> None:
    """The CEG engine: (a) the gain at the smallest measured compute, (b) the trend of ln CEG on ln C,
    the class, and what was compared (docs/analysis.md).

    With RUNS_CSV, your own runs: columns innovation,arm,series,params,tokens,compute_flop,loss; arm
    is baseline or treatment; series, params and tokens may be empty (an empty compute_flop is
    6 x params x tokens); other columns are ignored. Runs are compared within a series. Without it,
    the catalog's answers (innovation_summary of --db, FLOP basis).

    \b
    Example:
        cegdb ceg my_runs.csv --json > ceg.json
        cegdb ceg --db cegdb.sqlite
    """
    import json

    if runs_csv is None:
        items = _catalog_answers(db_url)
        if as_json:
            click.echo(json.dumps(items, indent=2))
        else:
            for item in items:
                click.echo(_answer_text(item))
        return

    from analysis.ceg_runs import RunsFileError, SeriesError, read_runs_csv, series_ceg_many, series_summary

    import csv

    try:
        groups = read_runs_csv(runs_csv.read_text(encoding="utf-8-sig"), str(runs_csv))
    except RunsFileError as exc:
        raise click.ClickException(str(exc)) from None
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{runs_csv}: not UTF-8 text (byte {exc.start}: {exc.reason}); save it as "
                                   "UTF-8 CSV") from None
    except csv.Error as exc:
        raise click.ClickException(f"{runs_csv}: not a readable CSV ({exc})") from None
    from cegdb.runs import RunsRangeError, check_run_ranges

    try:
        check_run_ranges(groups, str(runs_csv))
    except RunsRangeError as exc:
        raise click.ClickException(str(exc)) from None
    keys = sorted(groups)
    # all series at once: their joint fits are solved together (1,000 series of 16 runs: 10 s -> under 1 s)
    try:
        fitted = series_ceg_many([groups[key] for key in keys], bootstrap=bootstrap, seed=seed, method=method)
    except SeriesError as exc:
        innovation, series = keys[exc.index]
        raise click.ClickException(f"{runs_csv}: innovation {innovation!r}, series {series!r}: {exc}") from None
    results = [series_summary(innovation, series, result) for (innovation, series), result in zip(keys, fitted)]
    if as_json:
        # Strict JSON: NaN and Infinity are not JSON; the input checks keep them out of the results.
        # Every item is checked before anything is printed, then the list is written item by item:
        # one string of 200,000 points at once cost more memory than the results themselves.
        try:
            for item in results:
                json.dumps(item, allow_nan=False)
        except ValueError:
            raise click.ClickException(f"{runs_csv}: a result is not a finite number; nothing printed") from None
        from cegdb import json_out

        out = click.get_text_stream("stdout")
        out.write("[")
        for i, item in enumerate(results):
            text = json_out.dumps(item).replace("\n", "\n  ")  # = json.dumps(indent=2), faster
            out.write(("," if i else "") + "\n  " + text)
        out.write("\n]\n" if results else "]\n")
        return
    for item in results:
        click.echo(_ceg_text(item))


def _g(value) -> str:
    return "-" if value is None else f"{value:.3g}"


def _answer_lines(item: dict) -> list[str]:
    """(a), (b), the class and the comparison, as `cegdb ceg` prints them."""
    if item["gain_small"] is None:
        gain = "none"
    elif item["gain_small_lower"] is None and item["gain_small_upper"] is not None:
        gain = f"<= {_g(item['gain_small_upper'])} (an upper bound, censored; no noise estimate)"
    elif item["gain_small_lower"] is not None and item["gain_small_upper"] is None:
        gain = f">= {_g(item['gain_small_lower'])} (a lower bound, censored; no noise estimate)"
    elif item["gain_small_lower"] is None:
        gain = f"{_g(item['gain_small'])} (point without an interval: no noise estimate)"
    else:
        gain = f"{_g(item['gain_small'])} [{_g(item['gain_small_lower'])}, {_g(item['gain_small_upper'])}]"
    if item.get("compute_small"):
        gain += f" at {item['compute_small']:.2g} FLOP"
    slope = ("none" if item["slope"] is None else
             f"{item['slope']:+.3f}" + ("" if item["slope_lower"] is None else
                                       f" [{item['slope_lower']:+.3f}, {item['slope_upper']:+.3f}]"))
    klass = item["class"] + (" (tentative)" if item.get("tentative") else "")
    lines = [f"  (a) gain at the smallest measured compute: {gain}",
             f"  (b) trend: {item['trend']} (slope of ln CEG on ln C {slope})",
             f"  class: {klass}"]
    if item.get("tau") is not None:
        lines.append(f"  heterogeneity: tau {item['tau']:.3f}, I² {item['i_squared']:.0%}"
                     + ("; series disagree" if item.get("series_disagree") else ""))
    lines.append(f"  compared: {item['comparison']}")
    return lines


def _ceg_text(item: dict) -> str:
    head = f"{item['innovation']}" + (f" / {item['series']}" if item["series"] else "") + f" ({item['method']})"
    lines = [head, *_answer_lines(item), f"  why: {item['reason']}",
             f"  {'compute_flop':>12}  {'loss':>8}  {'CEG':>9}  {'95% interval':>19}  flags"]
    for p in item["points"]:
        flags = ", ".join(f for f in ((p["censored"] and f"censored {p['censored']}"),
                                      p["extrapolated"] and "extrapolated",
                                      not p.get("on_frontier", True) and "off the frontier (not used)",
                                      p["ceg_lower"] is None and not p["censored"] and "no interval") if f)
        ceg = (p["censored"] or "") + _g(p["ceg"])
        interval = "" if p["ceg_lower"] is None else f"[{_g(p['ceg_lower'])}, {_g(p['ceg_upper'])}]"
        lines.append(f"  {p['compute_flop']:>12.3g}  {p['loss']:>8.4g}  {ceg:>9}  {interval:>19}  {flags}")
    return "\n".join(lines) + "\n"


def _catalog_answers(db_url) -> list[dict]:
    from sqlalchemy import text

    url = db.database_url(db_url)
    _require_database(url)
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT * FROM innovation_summary WHERE basis = 'flop' ORDER BY innovation_id")).mappings().all()
    finally:
        engine.dispose()
    if not rows:
        raise click.ClickException(f"{url}: innovation_summary is empty; run `cegdb analyze ceg` first")
    keep = ("slope", "slope_lower", "slope_upper", "tentative", "gain_small", "gain_small_lower", "gain_small_upper",
            "compute_small", "trend", "tau", "i_squared", "series_disagree", "comparison", "reason", "n_series",
            "literature_class", "agreement")
    return [{"innovation": r["innovation_id"], "class": r["compute_class"], **{k: r[k] for k in keep}}
            for r in rows]


def _answer_text(item: dict) -> str:
    literature = (f"  literature: {item['literature_class']} ({item['agreement']})" if item["literature_class"]
                  else "  literature: no verdict")
    return "\n".join([item["innovation"], *_answer_lines(item), literature]) + "\n"



# Scraper commands live with the scrapers; registered here so there is one `cegdb` group, and
# imported when invoked (their parsers cost every other command ~0.3 s).
main.add_lazy("parse", "scrapers.parse_cli:parse")
main.add_lazy("scrape", "scrapers.scrape_cli:scrape")
restrict_sizes(main)  # --sample, --bootstrap, --resamples of every command: one range check

main.add_lazy("cost", "cegdb.cost_cli:cost_command")


if __name__ == "__main__":  # pragma: no cover
    main()
