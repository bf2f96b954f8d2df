"""YAML loading that remembers line numbers, so every problem can be reported as file:line.

libyaml parses (when PyYAML was built with it: about 4x faster than the pure-Python loader on
generated files), PyYAML's own composer builds the nodes: libyaml's C composer recurses without
a limit and crashes the interpreter on 50,000-deep nesting, the Python one lets us refuse what
curated data never needs: anchors and aliases (a 1 KB alias bomb grew past 2.4 GB), nesting
deeper than MAX_DEPTH, and keys that are not scalars.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class LineDict(dict):
    """A mapping from YAML that knows the line of itself and of each of its keys (1-based)."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    line: int = 0


MAX_DEPTH = 64  # datasets/ nest 5 deep; generated files a few more

try:
    from yaml.cyaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml.parser import Parser as _Parser
    from yaml.reader import Reader as _Reader
    from yaml.scanner import Scanner as _Scanner

    class _Parser(_Reader, _Scanner, _Parser):  # type: ignore[no-redef]
        def __init__(self, stream):
            _Reader.__init__(self, stream)
            _Scanner.__init__(self)
            _Parser.__init__(self)


class _LineLoader(_Parser, yaml.composer.Composer, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
    def __init__(self, stream):
        _Parser.__init__(self, stream)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)
        self._depth = 0

    # The pure-Python composer, also over libyaml's events (the C parser brings its own).
    get_single_node = yaml.composer.Composer.get_single_node
    compose_document = yaml.composer.Composer.compose_document
    check_node = yaml.composer.Composer.check_node
    get_node = yaml.composer.Composer.get_node

    def compose_node(self, parent, index):
        # Composer.compose_node, less the anchor bookkeeping this loader refuses anyway.
        event = self.peek_event()
        kind = type(event)
        if kind is yaml.events.AliasEvent:
            raise yaml.composer.ComposerError(None, None, f"YAML alias *{event.anchor} is not allowed in "
                                              "datasets/ (write the value out)", event.start_mark)
        if event.anchor is not None:
            raise yaml.composer.ComposerError(None, None, f"YAML anchor &{event.anchor} is not allowed in "
                                              "datasets/ (write the value out)", event.start_mark)
        if kind is yaml.events.ScalarEvent:
            return self.compose_scalar_node(None)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(None, None, f"nested deeper than {MAX_DEPTH} levels",
                                                  event.start_mark)
            if kind is yaml.events.SequenceStartEvent:
                return self.compose_sequence_node(None)
            return self.compose_mapping_node(None)
        finally:
            self._depth -= 1

    compose_scalar_node = yaml.composer.Composer.compose_scalar_node
    compose_sequence_node = yaml.composer.Composer.compose_sequence_node
    compose_mapping_node = yaml.composer.Composer.compose_mapping_node


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    seen: set = set()
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value, not a list or mapping", key_node.start_mark)
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            # PyYAML silently keeps the last duplicate key; a curator almost never means that.
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[str(key)] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    return result


def _construct_int(loader: _LineLoader, node: yaml.ScalarNode) -> int:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)
    except ValueError:  # more than Python's 4,300 digits
        raise yaml.constructor.ConstructorError(None, None, f"integer of {len(node.value)} digits is too large",
                                                node.start_mark) from None


def _construct_timestamp_as_text(loader: _LineLoader, node: yaml.ScalarNode) -> str:
    # Dates stay ISO text: the schema stores them as text and datetime objects do not round-trip.
    return loader.construct_scalar(node)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp_as_text)
_LineLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


class YamlError(Exception):
    def __init__(self, path: Path, line: int, message: str):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


def load_yaml(path: Path) -> Any:
    """Parse one file; malformed YAML raises YamlError with the line PyYAML points at."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise YamlError(path, 0, f"cannot read file: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The line of the first bad byte, not line 0: the user has to find it.
        line = raw[:exc.start].count(b"\n") + 1
        raise YamlError(path, line, f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                                    "save the file as UTF-8") from None
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise YamlError(path, line, f"malformed YAML: {exc.problem or exc}") from exc
    except yaml.reader.ReaderError as exc:
        # A character YAML does not allow (NUL, other control characters): the reader gives an
        # offset, not a mark.
        line = text[:exc.position].count("\n") + 1
        char = chr(exc.character) if isinstance(exc.character, int) else exc.character
        raise YamlError(path, line, f"character {char!r} is not allowed in YAML; remove it") from None
    except yaml.YAMLError as exc:
        raise YamlError(path, 0, f"malformed YAML: {exc}") from exc
