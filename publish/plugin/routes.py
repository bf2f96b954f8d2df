"""Forgiving URLs and search: permanent claim links, alias and case-insensitive redirects, a 404
page with suggestions, one search over models, innovations, accelerators and sources, and the
complete source.bib.

Each lookup is an indexed query or a full-text match, at most a few dozen rows.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from datasette.utils.asgi import NotFound, Response

from publish import bibtex

# Tables with a page per row that a URL may name loosely, and the column people know them by.
ENTITY_TABLES = {"model": "name", "innovation": "name", "hardware": "name", "source": "title",
                 "organization": "name"}
SEARCH_LIMIT = 20
_TOKEN = re.compile(r"[\w.+-]+", re.UNICODE)


def first_database(datasette):
    name = next((n for n in datasette.databases if n != "_internal"), None)
    return name, (datasette.get_database(name) if name else None)


async def resolve_id(db, table: str, wanted: str) -> tuple[str | None, list[dict]]:
    """(the id `wanted` stands for, or None; close matches to suggest).

    In order: the id itself, any case; an alias; the display name, any case; the only id that
    starts with `wanted` followed by a hyphen (gpt-3 -> gpt-3-175b) or holds it as a whole
    hyphen-separated part (moe -> sparse-moe).
    """
    label = ENTITY_TABLES[table]
    key = wanted.strip().lower()
    row = (await db.execute(f"select id from {table} where lower(id) = :k or lower({label}) = :k "
                            f"order by lower(id) = :k desc limit 1", {"k": key})).first()
    if row:
        return row[0], []
    try:
        row = (await db.execute("select entity_id from alias where lower(alias) = :k and entity_type = :t limit 1",
                                {"k": key, "t": table})).first()
    except Exception:  # no alias table in an older database
        row = None
    if row:
        return row[0], []
    pattern = key.replace("%", "").replace("_", "")
    candidates = [dict(r) for r in (await db.execute(
        f"select id, {label} as label from {table} where lower(id) like :prefix or lower(id) like :part "
        f"or lower(id) like :end or lower({label}) like :anywhere order by length(id), id limit 10",
        {"prefix": f"{pattern}-%", "part": f"%-{pattern}-%", "end": f"%-{pattern}", "anywhere": f"%{pattern}%"})).rows]
    whole = [c for c in candidates if key in c["id"].lower().split("-") or c["id"].lower().startswith(key + "-")]
    if len(whole) == 1:
        return whole[0]["id"], []
    return None, candidates[:8]


async def short_entity_url(datasette, request):
    """/model/gpt-3, /innovation/MoE: the row's page, found forgivingly."""
    table, wanted = request.url_vars["table"], request.url_vars["id"]
    name, db = first_database(datasette)
    if db is None:
        raise NotFound("no database")
    found, suggestions = await resolve_id(db, table, wanted)
    if found:
        return Response.redirect(datasette.urls.row(name, table, found))
    return await not_found_page(datasette, request, name, table, wanted, suggestions)


async def not_found_page(datasette, request, database, table, wanted, suggestions):
    html = await datasette.render_template("cegdb_404.html", {
        "database": database, "table": table, "wanted": wanted, "suggestions": suggestions}, request=request)
    return Response.html(html, status=404)


_ROW_PATH = re.compile(r"^/(?P<database>[^/]+)/(?P<table>[^/]+)/(?P<id>[^/]+?)(?P<ext>\.json)?$")


async def row_not_found(datasette, request):
    """A 404 on a row page of an entity table: redirect when the id is found loosely, else suggest."""
    match = _ROW_PATH.match(request.path)
    if not match or match["table"] not in ENTITY_TABLES or match["database"] not in datasette.databases:
        return None
    from datasette.utils import tilde_decode

    db = datasette.get_database(match["database"])
    wanted = tilde_decode(match["id"])
    found, suggestions = await resolve_id(db, match["table"], wanted)
    if found and found != wanted:
        url = datasette.urls.row(match["database"], match["table"], found) + (match["ext"] or "")
        return Response.redirect(url)
    if match["ext"]:
        return None
    return await not_found_page(datasette, request, match["database"], match["table"], wanted, suggestions)


async def claim_by_key(datasette, request):
    """/claim/<stable_key>: the permanent address of a claim, whatever its id in this build."""
    name, db = first_database(datasette)
    key = request.url_vars["key"]
    row = (await db.execute("select id from claim where stable_key = :k order by id limit 1", {"k": key})).first() \
        if db is not None else None
    if row is None:
        raise NotFound(f"No claim with key {key} in this version of the catalog")
    return Response.redirect(datasette.urls.row(name, "claim", str(row[0])))


async def search_rows(db, query: str, limit: int = SEARCH_LIMIT) -> list[dict]:
    """Models, innovations, accelerators and sources matching `query`: exact id or name first, then
    names that start with it, then full-text relevance (bm25), then the rest of the LIKE matches."""
    text = query.strip()
    if not text:
        return []
    key = text.lower()
    like = "%" + key.replace("%", "").replace("_", "") + "%"
    tokens = _TOKEN.findall(text)
    fts = " ".join('"' + t.replace('"', "") + '"*' for t in tokens) if tokens else None
    results: dict[tuple[str, str], dict] = {}
    for table, label in (("model", "name"), ("innovation", "name"), ("hardware", "name"), ("source", "title")):
        rank_sql = "null"
        fts_join = ""
        if fts and await db.table_exists(f"{table}_fts"):
            fts_join = (f"left join (select rowid, bm25({table}_fts) as score from {table}_fts "
                        f"where {table}_fts match :fts) f on f.rowid = t.rowid")
            rank_sql = "f.score"
        sql = (f"select t.id, t.{label} as label, {rank_sql} as score, "
               f"case when lower(t.id) = :key or lower(t.{label}) = :key then 0 "
               f"when lower(t.{label}) like :prefix or lower(t.id) like :prefix then 1 else 2 end as tier "
               f"from {table} t {fts_join} "
               f"where {'f.score is not null or ' if fts_join else ''}lower(t.id) like :like or lower(t.{label}) like :like "
               f"order by tier, score is null, score, length(t.{label}) limit :limit")
        params = {"key": key, "prefix": key.replace("%", "") + "%", "like": like, "limit": limit}
        if fts_join:
            params["fts"] = fts
        try:
            rows = (await db.execute(sql, params)).rows
        except Exception:  # a query the full-text syntax refuses: fall back to the LIKE match alone
            rows = (await db.execute(sql.replace(fts_join, "").replace("f.score is not null or ", "")
                                     .replace("f.score", "null"), {k: v for k, v in params.items() if k != "fts"})).rows
        for r in rows:
            results[(table, r["id"])] = {"table": table, "id": r["id"], "label": r["label"], "tier": r["tier"],
                                         "score": r["score"] if r["score"] is not None else 0.0}
    kind_order = {"model": 0, "innovation": 1, "hardware": 2, "source": 3}
    # bm25 scores are comparable within one table only: tier, then kind, then relevance.
    ordered = sorted(results.values(), key=lambda r: (r["tier"], kind_order[r["table"]], r["score"], len(r["label"] or "")))
    return ordered[:limit * 2]


async def search(datasette, request):
    name, db = first_database(datasette)
    query = request.args.get("q", "")[:200]
    rows = await search_rows(db, query) if db is not None and query else []
    for row in rows:
        row["url"] = datasette.urls.row(name, row["table"], row["id"])
    if request.args.get("_format") == "json":
        return Response.json({"q": query, "results": rows})
    return Response.html(await datasette.render_template(
        "cegdb_search.html", {"q": query, "results": rows, "database": name}, request=request))


async def source_bib(datasette, request):
    """Every source row as BibTeX (the table page's renderer only sees one page of rows)."""
    database = request.url_vars["database"]
    if database not in datasette.databases:
        raise NotFound("Database not found")
    db = datasette.get_database(database)
    columns = {r[1] for r in (await db.execute("pragma table_info(source)")).rows}
    where, params = [], {}
    for i, (arg, value) in enumerate((k, request.args.get(k)) for k in request.args.keys()):
        if arg in columns:  # simple column=value filters, as on the table page
            where.append(f"[{arg}] = :p{i}")
            params[f"p{i}"] = value
    sql = "select * from source" + (" where " + " and ".join(where) if where else "") + " order by id"
    rows = (await db.execute(sql, params, custom_time_limit=10_000)).rows
    body = bibtex.source_entries(dict(r) for r in rows)
    return Response(body, content_type="application/x-bibtex; charset=utf-8",
                    headers={"content-disposition": 'inline; filename="sources.bib"'})


ROUTES = [
    (r"^/claim/(?P<key>[0-9a-f]{1,64})$", claim_by_key),
    (r"^/(?P<table>model|innovation|hardware|source|organization)/(?P<id>[^/]+)$", short_entity_url),
    (r"^/-/search$", search),
    (r"^/(?P<database>[^/_.-][^/]*)/source\.bib$", source_bib),
]


def quote_path(value: str) -> str:
    return quote(value, safe="")
