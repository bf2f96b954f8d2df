"""The errors a user of the Python API can cause, each with a message that says what to do."""


class CatalogError(Exception):
    """The catalog cannot be opened or used: missing, not a cegdb catalog, an unreadable release."""


class ChecksumMismatch(CatalogError):
    """A release file's sha256 differs from its line in SHA256SUMS; the file is never used."""


class QueryRefused(CatalogError):
    """`Catalog.sql` runs one read-only SELECT; anything else is refused before it reaches SQLite."""
