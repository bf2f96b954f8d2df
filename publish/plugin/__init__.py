"""cegdb's Datasette plugin: the model and innovation pages, readable units, /cite, and `.bib` output.

Registered through the `datasette` entry point in pyproject.toml, so `datasette` and the tests'
`Datasette(...)` both load it; its templates/ folder overrides row.html for the model table only.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import sys

from datasette import hookimpl
from datasette.utils import tilde_decode, to_css_class
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from publish import bibtex
from publish.plugin.chart import Fit, ceg_chart
from publish.plugin import front, pages, readable_js, routes
from publish.plugin.facets import replace_column_facet
from publish.plugin import guards
from catalog.schema import Model, column_docs
from catalog.units import readable

BIB_COLUMNS = {"id", "title", "url"}
# The model columns people read first, in that order, for the navigation's "models" link (Datasette
# 0.65 has no column-order setting; the stored table keeps its order and all its columns).
MODEL_COLUMNS = ("name", "organization_id", "release_date", "parameters", "active_parameters", "training_tokens",
                 "training_compute_flop", "gpu_hours", "hardware_id", "hardware_count", "accessibility")
MODEL_COLUMNS_QUERY = "&".join(f"_col={c}" for c in MODEL_COLUMNS)


# Served connections: SQLite's own limits, since the SQL time limit (a progress handler between
# virtual-machine instructions) cannot stop one long call to a built-in function. 100 kB is far
# above any value in the catalog (the longest: 4,050 bytes, a full-text index page) and keeps the
# quadratic built-ins (instr on two long blobs) around 0.1 s; randomblob(300000000) or a 1 GB
# replace() now fail at once instead of allocating GBs.
MAX_VALUE_BYTES = 100_000
SERVED_LIMITS = {
    "SQLITE_LIMIT_LENGTH": MAX_VALUE_BYTES,
    "SQLITE_LIMIT_SQL_LENGTH": MAX_VALUE_BYTES,
    "SQLITE_LIMIT_LIKE_PATTERN_LENGTH": 1_000,
}
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    # Datasette's and datasette-dashboards' pages have inline scripts; Vega compiles chart
    # expressions with Function(). Links are made safe where they are rendered (web_url).
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
SECURITY_HEADERS = [(b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"strict-origin-when-cross-origin")]

READ_METHODS = {"GET", "HEAD", "OPTIONS"}
# Error answers wait this long before they are sent (asyncio.sleep: no CPU, no thread). A client
# that sends failing requests back to back (a typo loop, a scanner, the probes of issue 10) is
# slowed to a few requests a second, whatever its address, while no successful answer waits.
ERROR_DELAY_S = 0.25


def web_url(value) -> str | None:
    """The URL when it is http(s), else None: a `javascript:` URL must never become a link."""
    if isinstance(value, str) and value.strip().lower().startswith(("http://", "https://")):
        return value
    return None


# datasette-render-markdown comes with datasette-dashboards; it converts only columns named
# *_markdown (we have none), yet its render_cell hook merges the whole metadata once per string
# cell: about a quarter of the model table's time at 100,000 models. Nothing of ours needs it.
@hookimpl
def startup(datasette):
    # Imported here, not at the top: importing datasette.plugins loads every plugin's entry point,
    # this module's included, and a module that loads itself half-initialised registers no hooks.
    import datasette.handle_exception
    from datasette.plugins import pm

    # Datasette 0.65's default error handler prints a rich traceback with every local variable on
    # each failing request when `rich` is importable (it is: the CLI uses it): about 300 ms of CPU
    # and 50 KiB of log per `?_sort=nope`, so a few clients sending bad requests stalled everyone
    # (issue 10: 39.6 -> 2.9 requests/s). The error page itself stays Datasette's.
    datasette.handle_exception.rich = None
    _install_guards()
    if pm.has_plugin("render_markdown"):
        pm.unregister(name="render_markdown")


@hookimpl(wrapper=True)
def register_facet_classes():
    # Column facets of an immutable database counted once per distinct query (facets.py says why).
    groups = yield
    return replace_column_facet(groups)


@hookimpl
def prepare_jinja2_environment(env, datasette):
    env.filters["readable"] = readable
    env.filters["cegdb_rows"] = rows_html
    env.filters["web_url"] = web_url
    env.filters["readable_text"] = front.readable_text
    env.globals["cegdb_db_name"] = lambda: routes.first_database(datasette)[0]
    env.globals["cegdb_model_columns"] = lambda: MODEL_COLUMNS_QUERY


def rows_html(display_rows) -> Markup:
    """The <tr> rows of a table page in one pass (templates/_table.html says why)."""
    classes: dict[str, str] = {}
    out = []
    for row in display_rows:
        out.append("<tr>")
        for cell in row:
            column = cell["column"]
            css = classes.get(column)
            if css is None:
                css = classes[column] = str(escape(to_css_class(column)))
            # escape() leaves Markup (links, &nbsp;) as it is and escapes plain text.
            out.append(f'<td class="col-{css} type-{escape(cell["value_type"])}">{escape(cell["value"])}</td>')
        out.append("</tr>\n")
    return Markup("".join(out))


@hookimpl
def prepare_connection(conn, database, datasette):
    for name, value in SERVED_LIMITS.items():
        if hasattr(conn, "setlimit") and hasattr(sqlite3, name):
            conn.setlimit(getattr(sqlite3, name), value)
    _bounded_printf(conn)


class PrintfRefused(ValueError):
    """A refused printf call: the request gets SQLite's error, the log stays quiet."""


def _quiet_refusals(previous):
    # Datasette turns on sqlite3 callback tracebacks, so an exception raised in a SQL function
    # is printed through sys.unraisablehook: a traceback in the log for every refused call.
    def hook(unraisable):
        if not isinstance(unraisable.exc_value, PrintfRefused):
            previous(unraisable)
    hook.cegdb_quiet = True
    return hook


if not getattr(sys.unraisablehook, "cegdb_quiet", False):
    sys.unraisablehook = _quiet_refusals(sys.unraisablehook)


def _bounded_printf(conn) -> None:
    """printf('%.*c', 999999999, 'x') runs for seconds inside one SQLite call, past the length
    limit; printf and format are replaced by a check of width and precision in front of the
    built-in, evaluated on a private in-memory connection."""
    helper = sqlite3.connect(":memory:", check_same_thread=False)
    if hasattr(helper, "setlimit"):
        helper.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)

    def printf(fmt=None, *args):
        refusal = guards.printf_refusal(fmt, args)  # by value, whatever the arguments' types
        if refusal:
            raise PrintfRefused(refusal)
        marks = ", ".join("?" * (len(args) + 1))
        return helper.execute(f"SELECT printf({marks})", (fmt, *args)).fetchone()[0]

    for name in ("printf", "format"):
        conn.create_function(name, -1, printf, deterministic=True)


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def with_headers(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            scope = guards.pinned_host(scope)
            refused = guards.request_refusal(scope)
            if refused is not None:
                await asyncio.sleep(ERROR_DELAY_S)
                await send({"type": "http.response.start", "status": refused[0],
                            "headers": [(b"content-type", b"text/plain; charset=utf-8"), *SECURITY_HEADERS]})
                await send({"type": "http.response.body", "body": refused[1]})
                return
            if scope.get("method", "GET") not in READ_METHODS:
                await asyncio.sleep(ERROR_DELAY_S)
                # The catalog is immutable and its canned queries read-only: a POST can only fail,
                # and inside Datasette it fails as a 500 with a traceback in the log.
                await send({"type": "http.response.start", "status": 405,
                            "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                        (b"allow", b"GET, HEAD, OPTIONS"), *SECURITY_HEADERS]})
                await send({"type": "http.response.body", "body": b"405: this server is read-only\n"})
                return

            async def send_with_headers(event):
                if event["type"] == "http.response.start":
                    if event.get("status", 200) >= 400:
                        await asyncio.sleep(ERROR_DELAY_S)
                    headers = [h for h in event.get("headers", []) if h[0].lower() not in
                               {name for name, _ in SECURITY_HEADERS}]
                    event = {**event, "headers": headers + SECURITY_HEADERS}
                await send(event)

            return await app(scope, receive, send_with_headers)
        return with_headers
    return wrap


def _install_guards() -> None:
    """guards.py's patches of Datasette: quiet failing queries, short access lines, CSV formulas."""
    import datasette.database
    import datasette.views.base

    guards.quiet_sql_errors(datasette.database.Database)
    guards.install_log_limits()
    if not isinstance(datasette.views.base.csv, guards.NeutralisingCsv):
        datasette.views.base.csv = guards.NeutralisingCsv(datasette.views.base.csv)


@hookimpl(wrapper=True, specname="handle_exception")
def user_mistakes_are_400(datasette, request, exception):
    # Every handler runs; the first answer is sent. Request mistakes Datasette calls a 500 go first as a 400.
    answers = yield
    message = guards.user_error(exception)
    if message is None:
        return answers
    from datasette.handle_exception import handle_exception as default
    from datasette.views.base import DatasetteError

    return [default(datasette, request, DatasetteError(message, status=400)), *answers]


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    if view_name == "index" and request is not None:
        return front.index_vars(datasette, request)
    if view_name == "database" and request is not None:
        return front.database_vars(datasette, database)
    if view_name != "row" or table not in ("model", "innovation", "hardware") or request is None:
        return {}
    if table == "innovation":
        return _innovation_page(database, request, datasette)
    if table == "hardware":
        return front.hardware_vars(datasette, database, tilde_decode(request.url_vars["pks"]))

    async def model_page():
        db = datasette.get_database(database)
        model_id = tilde_decode(request.url_vars["pks"])
        innovations = await db.execute(
            """select i.id, i.name, i.category, i.compute_class, mi.detail, s.id as source_id,
                      s.title as source_title, s.url as source_url
               from model_innovation mi join innovation i on i.id = mi.innovation_id
               join source s on s.id = mi.source_id where mi.model_id = ? order by i.category, i.id""", [model_id])
        model = (await db.execute("select * from model where id = ?", [model_id])).first()
        return {"cegdb_model": dict(model) if model is not None else None,
                "cegdb_page": await pages.entity_page(db, "model", model_id),
                "cegdb_data_version": await front.data_version(db),
                "cegdb_innovations": [dict(r) for r in innovations.rows]}

    return model_page


def _innovation_page(database, request, datasette):
    async def innovation_page():
        db = datasette.get_database(database)
        innovation_id = tilde_decode(request.url_vars["pks"])
        innovation = (await db.execute("select * from innovation where id = ?", [innovation_id])).first()
        if innovation is None:
            return {"cegdb_innovation": None}
        summaries = [dict(r) for r in (await db.execute(
            "select * from innovation_summary where innovation_id = ? order by basis = 'flop' desc, basis",
            [innovation_id])).rows]
        verdicts = await db.execute(
            """select v.id, v.compute_class, v.quote, v.locator, v.note, s.id as source_id, s.title as source_title,
                      s.url as source_url, s.year as source_year
               from verdict v join source s on s.id = v.source_id where v.innovation_id = ?
               order by s.year, v.id""", [innovation_id])
        estimates = [dict(r) for r in (await db.execute(
            """select e.id, e.method, e.basis, e.series, e.compute_flop, e.ceg, e.lower, e.upper, e.censored,
                      e.extrapolated, e.evidence, e.run_ids, e.ablation_ids, e.note, s.id as source_id,
                      s.title as source_title, s.url as source_url
               from ceg_estimate e left join source s on s.id = e.source_id where e.innovation_id = ?
               order by e.basis, e.series, e.compute_flop, e.id""", [innovation_id])).rows]
        runs = await db.execute(
            """select r.id, r.series, r.arm, r.parameters, r.tokens, r.compute_flop, r.compute_method, r.loss,
                      r.loss_on, r.evidence, r.locator, r.origin, s.id as source_id, s.title as source_title,
                      s.url as source_url
               from run r join source s on s.id = r.source_id where r.innovation_id = ?
               order by r.series, r.arm, r.compute_flop, r.id limit 500""", [innovation_id])
        ablations = await db.execute(
            """select a.id, a.series, a.setting, a.parameters, a.compute_flop, a.metric, a.baseline_value,
                      a.treatment_value, a.gain, a.gain_basis, a.evidence, a.locator, a.quote,
                      s.id as source_id, s.title as source_title, s.url as source_url
               from ablation a join source s on s.id = a.source_id where a.innovation_id = ? order by a.id""",
            [innovation_id])
        flop = next((s for s in summaries if s["basis"] == "flop"), None)
        fit = None
        if flop and flop["slope"] is not None and flop["pivot_compute_flop"] and flop["compute_min"]:
            fit = Fit(flop["slope"], flop["slope_lower"], flop["slope_upper"], flop["pivot_compute_flop"],
                      flop["pivot_ceg"], flop["compute_min"], flop["compute_max"])
        chart_points = chart_points_of(estimates, flop)
        headline = await front.headline_rows(db, innovation_id)
        return {"cegdb_innovation": dict(innovation), "cegdb_summaries": summaries,
                "cegdb_headline": headline[0] if headline else None,
                "cegdb_verdicts": [dict(r) for r in verdicts.rows], "cegdb_estimates": estimates,
                "cegdb_runs": [dict(r) for r in runs.rows], "cegdb_ablations": [dict(r) for r in ablations.rows],
                "cegdb_chart": ceg_chart(chart_points, fit, f"CEG of {innovation['name']} against compute")}

    return innovation_page


def _ids(text) -> set[str]:
    return {part.strip() for part in str(text or "").split(",") if part.strip()}


def chart_points_of(estimates: list[dict], summary: dict | None) -> list[dict]:
    """FLOP-basis estimates as chart points; in_fit says whether the summary's class rests on them
    (its run and ablation ids), so points left out are drawn hollow."""
    runs, ablations = _ids((summary or {}).get("run_ids")), _ids((summary or {}).get("ablation_ids"))
    points = []
    for e in estimates:
        if e["basis"] != "flop" or not e["compute_flop"]:
            continue
        # method runs: the treatment run is listed first, its baselines after it
        treatment_run = str(e["run_ids"] or "").split(",")[0].strip()
        in_fit = None if not (runs or ablations) else (
            not e["extrapolated"] and (treatment_run in runs or bool(_ids(e["ablation_ids"]) & ablations)))
        if e.get("evidence") == "model-implied":
            in_fit = False  # computed from someone's fitted law: shown, never a basis of the class
        series = e["series"] or e["source_id"] or e["method"]
        label = f'{series} ({e["source_title"]})' if e.get("source_title") and e["series"] else series
        points.append({**e, "series": series, "label": label, "in_fit": in_fit})
    return points


@hookimpl
def register_output_renderer(datasette):
    return {"extension": "bib", "render": render_bib, "can_render": can_render_bib}


def can_render_bib(columns, table):
    return table == "source" or BIB_COLUMNS <= set(columns or [])


def render_bib(rows, columns, table):
    if not can_render_bib(columns, table):
        # model.bib, hardware.bib: rows without a title and URL are not citable works; the
        # dataset's own entry is on /cite and every source's in source.bib.
        return Response.text("BibTeX is offered for sources (source.bib) and for queries with id, title and url "
                             "columns; cite the dataset itself from /cite.\n", status=404)
    entries = bibtex.source_entries(dict(zip(columns, row)) for row in rows)
    return Response(entries, content_type="application/x-bibtex; charset=utf-8",
                    headers={"content-disposition": 'inline; filename="sources.bib"'})


@hookimpl
def register_routes():
    return [(r"^/cite$", cite), *routes.ROUTES]


@hookimpl(specname="handle_exception")
def missing_rows_redirect_or_suggest(datasette, request, exception):
    # (Two handle_exception hooks, so each has its own name: one module attribute per name.)
    # A missing row of an entity table: a redirect when the id is found loosely (case, alias,
    # unique prefix), else a 404 page with suggestions. Everything else: Datasette's handling.
    from datasette.utils.asgi import NotFound

    if not isinstance(exception, NotFound) or request is None:
        return None

    async def inner():
        return await routes.row_not_found(datasette, request)
    return inner


async def cite(datasette, request):
    database = next((name for name in datasette.databases if name != "_internal"), None)
    version, built = None, None
    if database is not None:
        db = datasette.get_database(database)
        for sql in ("select data_version, built_at from release order by built_at desc limit 1",
                    "select data_version, null from compute_estimate limit 1"):
            try:
                row = (await db.execute(sql)).first()
            except Exception:  # a table missing in an older database: try the next source
                row = None
            if row:
                version, built = row[0], row[1]
                break
    version = version or "unversioned"
    year = int(str(built)[:4]) if built else dt.date.today().year
    return Response.html(await datasette.render_template(
        "cite.html", {"data_version": version, "released": built, "bibtex": bibtex.dataset_entry(version, year),
                      "database": database}, request=request))


# Datasette 0.65 prints every column description above the rows; with descriptions on every
# column (they carry the units) that pushes the data off the first screen. Fold them into a
# <details> element, open on demand.
FOLD_COLUMN_DESCRIPTIONS = """
document.querySelectorAll("dl.column-descriptions").forEach(function (dl) {
  var details = document.createElement("details");
  details.className = "column-descriptions-fold";
  var summary = document.createElement("summary");
  summary.textContent = "Column descriptions and units";
  dl.parentNode.insertBefore(details, dl);
  details.appendChild(summary);
  details.appendChild(dl);
});
"""


READABLE_SCRIPT = readable_js.script()


@hookimpl
def extra_body_script(view_name):
    if view_name == "table":
        return FOLD_COLUMN_DESCRIPTIONS + READABLE_SCRIPT
    return READABLE_SCRIPT
