"""Size limits every stored value respects, so what a build accepts can also be served.

The public server caps values at 100 kB (`SQLITE_LIMIT_LENGTH`, publish/plugin): a longer text
passed `cegdb validate` and `cegdb build`, then made its model page a 500 and cut the claim CSV
stream off mid-way. A build now refuses it with the file and line (or the claim's origin), and a
scrape refuses the item. The longest text in the current catalog is about 4 kB.
"""

from __future__ import annotations

from typing import Iterable, Iterator

from sqlalchemy import String, text

MAX_TEXT_BYTES = 50_000  # half the server's limit: room for the page's own joins and concatenations


def too_long(value) -> bool:
    return isinstance(value, str) and len(value.encode("utf-8", "surrogatepass")) > MAX_TEXT_BYTES


def _is_text(kind) -> bool:
    """String columns, SQLModel's AutoString (a TypeDecorator over String) included."""
    return isinstance(getattr(kind, "impl", kind), String)


def long_texts(conn, tables: Iterable) -> Iterator[tuple[str, str, object, str | None, int]]:
    """(table, column, primary key, origin_ref or None, bytes) of every text value over the limit;
    one scan per table."""
    for table in tables:
        pk = [c.name for c in table.columns if c.primary_key]
        ref = "origin_ref" if "origin_ref" in table.columns else None
        columns = [c.name for c in table.columns if _is_text(c.type)]
        if not columns:
            continue
        sqlite = conn.dialect.name == "sqlite"
        size = "length(CAST({} AS BLOB))" if sqlite else "octet_length({})"
        sizes = ", ".join(f"coalesce({size.format(c)}, 0)" for c in columns)  # max() of a NULL is NULL
        sql = (f"SELECT {pk[0]}, {ref or 'NULL'}, {sizes} FROM {table.name} "
               f"WHERE {'max' if sqlite else 'greatest'}({sizes}, 0) > :limit LIMIT 20")
        for key, origin_ref, *lengths in conn.execute(text(sql), {"limit": MAX_TEXT_BYTES}):
            for column, size in zip(columns, lengths):
                if size is not None and size > MAX_TEXT_BYTES:
                    yield table.name, column, key, origin_ref, size


def check_text_lengths(conn, tables: Iterable, problems) -> None:
    """Add a problem (file:line when the row knows it) for every text value over MAX_TEXT_BYTES."""
    for table, column, key, origin_ref, size in long_texts(conn, tables):
        path, _, line = (origin_ref or "").rpartition(":")
        where = (path, int(line)) if path and line.isdigit() else (f"{table} {key}", 0)
        problems.add(where[0], where[1], column,
                     f"{size:,} bytes of text; the limit is {MAX_TEXT_BYTES:,} (the server could not show "
                     "it). Shorten it: quote the passage that states the number, not the whole page")
