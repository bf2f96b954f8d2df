"""Stable claim keys: a claim's address that survives rebuilds.

Claim ids follow the order files are read in, so adding one model renumbers every claim after
it and a cited claim URL would point at another claim. The key is a hash of what the claim says
and where it says it (entity, field, source, locator, value): the same statement gets the same
key in every build, and a corrected value is, rightly, a different claim.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import Connection, text

KEY_LENGTH = 16  # hex digits: 64 bits, no collision expected among millions of claims


def claim_key(entity_type, entity_id, field, source_id, locator, value_num, value_text) -> str:
    # repr(float) is the shortest round-tripping text: 671e9 and 671000000000.0 give one key.
    value = repr(float(value_num)) if value_num is not None else (value_text or "")
    content = "\x1f".join(str(part or "") for part in (entity_type, entity_id, field, source_id, locator, value))
    return hashlib.blake2b(content.encode(), digest_size=KEY_LENGTH // 2).hexdigest()


def key_of(claim: dict) -> str:
    return claim_key(claim.get("entity_type"), claim.get("entity_id"), claim.get("field"), claim.get("source_id"),
                     claim.get("locator"), claim.get("value_num"), claim.get("value_text"))


def fill_claim_keys(conn: Connection, batch_size: int = 5000) -> int:
    """Key the claims written without one (derived and carried-over claims). Returns how many.

    Pages by id (keyset), so memory stays flat however many claims a large catalog derives."""
    select = text("SELECT id, entity_type, entity_id, field, source_id, locator, value_num, value_text "
                  "FROM claim WHERE stable_key IS NULL AND id > :last ORDER BY id LIMIT :size")
    update = text("UPDATE claim SET stable_key = :key WHERE id = :id")
    last, count = -1, 0
    while True:
        rows = conn.execute(select, {"last": last, "size": batch_size}).all()
        if not rows:
            return count
        conn.execute(update, [{"id": r[0], "key": claim_key(*r[1:])} for r in rows])
        last, count = rows[-1][0], count + len(rows)
