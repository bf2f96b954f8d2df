"""The one exception a parser may raise: what it could not read, in which input, in which field."""

from __future__ import annotations


class ParseError(ValueError):
    """A value a parser cannot read. `source` names the input (file name or URL), `field` the key.

    Parsers never let another exception escape (the fuzz tests check this), so a scrape of many
    items can record this error against one item and carry on with the others.
    """

    def __init__(self, source: str | None, field: str | None, message: str):
        self.source = source or "<input>"
        self.field = field
        self.message = message
        where = f"{self.source}: {field}" if field else self.source
        super().__init__(f"{where}: {message}")
