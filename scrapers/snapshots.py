"""The snapshot store: every raw response body, kept by its SHA-256, before anything parses it.

Layout under the store root:

    sha256/ab/ab12...ef     the body; the file name is its SHA-256; written once, never overwritten
    urls/<sha256 of URL>.json   the latest fetch of that URL: body hash, time, status, content type

Bodies are written to a temporary file in the same folder and hard-linked into place, so a reader
never sees half a file and an existing body is never replaced (a link onto an existing name fails).
The URL index is a pointer, not evidence: it is replaced (temp file + rename) on every fetch, and is
what `--offline` reads. The `snapshot` table in the database mirrors the bodies (`record`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import Connection, text


@dataclass(frozen=True)
class SnapshotInfo:
    sha256: str
    url: str
    fetched_at: str
    status: int | None
    content_type: str | None
    size: int
    path: str  # relative to the store root, so a store can be moved or copied whole


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def _url_key(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()


class SnapshotStore:
    def __init__(self, root: Path | str):
        self.root = Path(root)

    def body_path(self, sha256: str) -> Path:
        return self.root / "sha256" / sha256[:2] / sha256

    def put(self, body: bytes, *, url: str, status: int | None = 200, content_type: str | None = None,
            fetched_at: str | None = None) -> SnapshotInfo:
        """Keep `body` (if not kept already) and point `url` at it. Safe from several threads."""
        sha = hashlib.sha256(body).hexdigest()
        path = self.body_path(sha)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = _write_temp(path.parent, body)
            try:
                os.link(tmp, path)  # fails if the name exists: a body is never overwritten
            except FileExistsError:
                pass  # another thread or process stored the same bytes first
            finally:
                os.unlink(tmp)
        info = SnapshotInfo(sha256=sha, url=url, fetched_at=fetched_at or utc_now(), status=status,
                            content_type=content_type, size=len(body),
                            path=str(path.relative_to(self.root)))
        index = self.root / "urls" / f"{_url_key(url)}.json"
        index.parent.mkdir(parents=True, exist_ok=True)
        # Not fsynced: the index is a pointer a re-fetch rewrites, and an index lost in a power cut
        # reads as "not fetched" (lookup), never as a wrong body. The body above is the evidence.
        tmp = _write_temp(index.parent, json.dumps(asdict(info), sort_keys=True).encode(), sync=False)
        os.replace(tmp, index)
        return info

    def lookup(self, url: str) -> SnapshotInfo | None:
        """The latest snapshot of `url`, or None when it was never fetched (or its body is gone)."""
        index = self.root / "urls" / f"{_url_key(url)}.json"
        try:
            info = SnapshotInfo(**json.loads(index.read_bytes()))
        except (FileNotFoundError, ValueError, TypeError):
            return None
        return info if self.body_path(info.sha256).exists() else None

    def read(self, sha256: str) -> bytes:
        body = self.body_path(sha256).read_bytes()
        if hashlib.sha256(body).hexdigest() != sha256:
            raise ValueError(f"snapshot {sha256} is corrupt: its content no longer matches its name")
        return body


def _write_temp(folder: Path, data: bytes, sync: bool = True) -> str:
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if sync:  # on disk before it gets its name: a named body is a whole body
                handle.flush()
                os.fsync(handle.fileno())
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def record(conn: Connection, info: SnapshotInfo) -> None:
    """Insert the `snapshot` row for a body unless it exists (the primary key is the hash)."""
    exists = conn.execute(text("SELECT 1 FROM snapshot WHERE sha256 = :s"), {"s": info.sha256}).first()
    if exists is None:
        conn.execute(text("""
            INSERT INTO snapshot (sha256, url, fetched_at, status, content_type, size, path)
            VALUES (:sha256, :url, :fetched_at, :status, :content_type, :size, :path)
        """), asdict(info))
