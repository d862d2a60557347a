"""Safe XML parsing that remembers the line of every element, so errors can point users at it.

defusedxml refuses document type declarations (DTDs, internal or external), entity declarations and external
references (billion laughs, XXE, external DTDs that a parser might fetch): the formats Kalkan reads (NRML,
exposure models, logic trees) need none of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder
from xml.parsers import expat

from defusedxml.common import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from kalkan.errors import InputError


class _LineTarget:
    """An ElementTree builder that remembers the line of each start tag (ElementTree forgets it)."""

    def __init__(self) -> None:
        self.builder = TreeBuilder()
        self.lines: dict[int, int] = {}
        self.parser: Any = None

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        elem = self.builder.start(tag, attrs)
        self.lines[id(elem)] = int(self.parser.parser.CurrentLineNumber)
        return elem

    def end(self, tag: str) -> Element:
        return self.builder.end(tag)

    def data(self, data: str) -> None:
        self.builder.data(data)

    def close(self) -> Element:
        return self.builder.close()


def parse_with_lines(data: bytes, source: str) -> tuple[Element, dict[int, int]]:
    """The root element and ``{id(element): line}``; malformed or unsafe XML is an InputError naming
    ``source``, the line and the column."""
    target = _LineTarget()
    parser = DefusedXMLParser(target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    target.parser = parser
    try:
        parser.feed(data)
        root = parser.close()
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        code = getattr(exc, "code", None)
        reason = expat.ErrorString(code) if isinstance(code, int) else str(exc)
        raise InputError(
            f"{source}: not valid XML at line {line}, column {column + 1}: {reason}.",
            code="input.syntax",
            row=line or None,
        ) from exc
    except DefusedXmlException as exc:
        raise InputError(
            f"{source}: the XML declares entities or external references, or a document type (DTD) ({exc}); "
            "the files Kalkan reads need none and Kalkan refuses them for safety.",
            code="input.unsafe",
        ) from exc
    return root, target.lines


def read_file_bytes(path: Path | str) -> tuple[bytes, str]:
    """A file's bytes and its name for messages; a missing or unreadable file is an InputError naming it."""
    p = Path(path)
    try:
        return p.read_bytes(), str(p)
    except FileNotFoundError as exc:
        raise InputError(f"{p}: file not found.", code="input.not_found") from exc
    except OSError as exc:
        raise InputError(f"{p}: cannot read the file ({exc.strerror or exc}).", code="input.unreadable") from exc
