"""Reading a ``.zwo`` file's XML: safely, with line numbers, names in any letter case.

defusedxml with DTDs forbidden: no "billion laughs", no external entities.
Every element remembers the line it starts on, so an error can point at it.
Zwift's own files mix letter cases (``textevent``/``TextEvent``,
``Power``/``power``), so names are compared in lower case.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from hiitd.errors import WorkoutError

__all__ = ["attr", "child_text", "parse_xml", "tag_name"]


class _LineBuilder(ET.TreeBuilder):
    """A TreeBuilder that remembers the line each element starts on, read from its parser."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[int, int] = {}
        # The builder makes its own parser: it needs it for the line numbers, and
        # the parser needs the builder as its target.
        self.parser = DefusedXMLParser(target=self, forbid_dtd=True)

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        elem = super().start(tag, attrs)
        self.lines[id(elem)] = self.parser.parser.CurrentLineNumber
        return elem


def parse_xml(data: bytes, source: str) -> tuple[ET.Element, dict[int, int]]:
    """The root element, and the line each element starts on (by ``id``); bad XML is refused."""
    builder = _LineBuilder()
    parser = builder.parser
    try:
        parser.feed(data)
        root = parser.close()
    except ET.ParseError as exc:
        line, col = exc.position
        raise WorkoutError(
            f"not well-formed XML: {exc}", source=source, position=f"line {line}, column {col}"
        ) from None
    except DefusedXmlException as exc:
        # DTDs and entities are refused before any expansion happens.
        line = parser.parser.CurrentLineNumber
        raise WorkoutError(
            f"refused: {type(exc).__name__} ({exc}); a .zwo needs no DTD or entities",
            source=source,
            position=f"line {line}",
        ) from None
    except (ValueError, UnicodeError) as exc:
        raise WorkoutError(f"unreadable XML: {exc}", source=source, position="line 1") from None
    return root, builder.lines


def tag_name(elem: ET.Element) -> str:
    """The element's name without namespace, in lower case."""
    return str(elem.tag).rsplit("}", 1)[-1].lower()


def attr(elem: ET.Element, *names: str) -> str | None:
    """An attribute by any of ``names``, in any letter case (Power, power, POWER)."""
    wanted = {n.lower() for n in names}
    for key, value in elem.attrib.items():
        if key.lower() in wanted:
            return value
    return None


def child_text(root: ET.Element, name: str) -> str:
    """The stripped text of ``root``'s first child named ``name`` (lower case); "" when none."""
    for child in root:
        if tag_name(child) == name:
            return (child.text or "").strip()
    return ""
