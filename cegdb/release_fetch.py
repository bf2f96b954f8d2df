"""Find, download and verify the SQLite file of a release (a folder made by `cegdb release`).

A release folder holds cegdb-VERSION.sqlite, CSVs, datapackage.json, ... and SHA256SUMS (lines of
`<sha256>  <file name>`, sha256sum's format). Before a release is used every file SHA256SUMS lists is
hashed; a missing file or a different hash raises ChecksumMismatch naming the file.

A release at an http(s) URL (the folder's URL, or the URL of its SHA256SUMS or SQLite file) is
downloaded once into the cache (`$CEGDB_CACHE`, else `$XDG_CACHE_HOME/cegdb`, else `~/.cache/cegdb`),
one folder per URL: SHA256SUMS and the SQLite file only, not the CSVs the API does not read. The
download is verified before it is moved into place, and the cached copy is verified again at every
open (about 30 ms for a 10 MB file), so a corrupted cache is an error, never a silent use.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from cegdb.errors import CatalogError, ChecksumMismatch

SUMS = "SHA256SUMS"
SUM_LINE = re.compile(r"^([0-9a-f]{64}) [ *](\S.*)$")
RELEASE_SQLITE = re.compile(r"^cegdb-[0-9][0-9.]*\.sqlite$")
# A release is a few tens of MB today; refuse anything absurd rather than fill a disk.
MAX_DOWNLOAD_BYTES = 2 * 1024**3
# SHA256SUMS lists about 30 files (80 bytes a line); it is read whole, so it is capped hard.
MAX_SUMS_BYTES = 1024**2


def is_url(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def parse_sums(text: str, where: str) -> dict[str, str]:
    """File name -> sha256 from SHA256SUMS text."""
    sums = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        match = SUM_LINE.match(line.strip())
        if not match:
            raise CatalogError(f"{where}: line {number}: not '<sha256>  <file>': {line[:80]!r}")
        name = match.group(2)
        if "/" in name or "\\" in name or name in (".", ".."):
            raise CatalogError(f"{where}: line {number}: {name!r} is not a file name in the release folder")
        sums[name] = match.group(1)
    if not sums:
        raise CatalogError(f"{where}: no checksums listed")
    return sums


def read_sums(path: Path, where: str | None = None) -> dict[str, str]:
    """parse_sums of a SHA256SUMS file, with errors that name it (size, encoding)."""
    where = where or str(path)
    if path.stat().st_size > MAX_SUMS_BYTES:
        raise CatalogError(f"{where}: larger than {MAX_SUMS_BYTES} bytes; not a cegdb release's {SUMS}")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CatalogError(f"{where}: not UTF-8 text (byte {exc.start}); not a cegdb release's {SUMS}") from None
    return parse_sums(text, where)


def release_sqlite_name(sums: dict[str, str], where: str) -> str:
    names = sorted(n for n in sums if RELEASE_SQLITE.match(n))
    if len(names) != 1:
        raise CatalogError(f"{where}: expected one cegdb-VERSION.sqlite listed, found {names or 'none'}")
    return names[0]


def verify_file(path: Path, expected: str) -> None:
    if not path.is_file():
        raise ChecksumMismatch(f"{path}: listed in {SUMS} but missing")
    actual = sha256_file(path)
    if actual != expected:
        raise ChecksumMismatch(f"{path}: sha256 {actual} does not match {expected} in {SUMS}; "
                               f"the file was changed or damaged, get the release again")


def verified_folder(folder: Path, only: str | None = None) -> Path:
    """The SQLite file of a release folder, after every listed file (or just `only`) is verified."""
    sums_path = folder / SUMS
    if not sums_path.is_file():
        raise CatalogError(f"{folder}: no {SUMS}; a release folder is made by `cegdb release`, "
                           f"a built catalog is opened by its .sqlite path")
    sums = read_sums(sums_path)
    name = only or release_sqlite_name(sums, str(sums_path))
    for listed, expected in sorted(sums.items()):
        if only is None or listed == only:
            verify_file(folder / listed, expected)
    return folder / name


def cache_root() -> Path:
    if os.environ.get("CEGDB_CACHE"):
        return Path(os.environ["CEGDB_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "cegdb"


def _split_url(url: str) -> tuple[str, str | None]:
    """(folder URL ending in '/', the SQLite file name when the URL names it)."""
    head, _, last = url.partition("?")[0].rstrip("/").rpartition("/")
    if last == SUMS:
        return head + "/", None
    if last.endswith(".sqlite"):
        return head + "/", last
    return url.partition("?")[0].rstrip("/") + "/", None


def _download(client, url: str, target: Path, expected: str | None = None,
              max_bytes: int = MAX_DOWNLOAD_BYTES) -> None:
    """Stream url into target through a private temporary file in the same folder, hashed on the way;
    renamed into place only when its sha256 is `expected` (two processes filling one cache never see
    each other's partial files)."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as handle, client.stream("GET", url) as response:
            if response.status_code != 200:
                raise CatalogError(f"{url}: HTTP {response.status_code}")
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise CatalogError(f"{url}: larger than {max_bytes} bytes; not a cegdb release")
                digest.update(chunk)
                handle.write(chunk)
        if expected is not None and digest.hexdigest() != expected:
            raise ChecksumMismatch(f"{url}: the download's sha256 {digest.hexdigest()} does not match "
                                   f"{expected} in {SUMS}; nothing was kept")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def fetch_release(url: str, cache: Path | None = None, client=None) -> Path:
    """The verified local SQLite file of the release at url, downloaded on first use.

    When what the cache holds fails (its SHA256SUMS is stale and names a file the server no longer
    has, or the cached file was damaged), both are fetched once more: a cache is never pinned to an
    error."""
    import httpx

    folder_url, named = _split_url(url)
    folder = (cache or cache_root()) / hashlib.sha256(folder_url.encode()).hexdigest()[:16]
    folder.mkdir(parents=True, exist_ok=True)
    own_client = client is None
    client = client or httpx.Client(timeout=60.0, follow_redirects=True,
                                    headers={"User-Agent": "cegdb (Python API; release download)"})
    try:
        cached = (folder / SUMS).is_file()
        try:
            return _fetch(client, folder_url, named, folder)
        except CatalogError:
            if not cached:
                raise
        for stale in folder.iterdir():  # the cache is what failed: start it again, once
            if stale.is_file():
                stale.unlink(missing_ok=True)
        return _fetch(client, folder_url, named, folder)
    finally:
        if own_client:
            client.close()


def _fetch(client, folder_url: str, named: str | None, folder: Path) -> Path:
    import httpx

    sums_path = folder / SUMS
    if not sums_path.is_file():
        try:
            _download(client, folder_url + SUMS, sums_path, max_bytes=MAX_SUMS_BYTES)
        except httpx.HTTPError as exc:
            raise CatalogError(f"{folder_url}{SUMS}: download failed: {exc}") from None
    try:
        sums = read_sums(sums_path, folder_url + SUMS)
    except CatalogError:
        sums_path.unlink(missing_ok=True)  # a bad download is not kept as the cache
        raise
    name = named or release_sqlite_name(sums, folder_url + SUMS)
    if name not in sums:
        raise CatalogError(f"{folder_url}{SUMS} does not list {name}")
    target = folder / name
    if not target.is_file():
        try:
            _download(client, folder_url + name, target, expected=sums[name])
        except httpx.HTTPError as exc:
            raise CatalogError(f"{folder_url}{name}: download failed: {exc}") from None
    verify_file(target, sums[name])
    return target
