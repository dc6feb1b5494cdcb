"""DMN import, stage 1: read a DMN model's XML safely, keeping each element's line.

Models come from elsewhere, so the XML is parsed with defusedxml (no entity expansion, no
external entities or DTDs: "billion laughs" and XXE are refused). Every element keeps the
line and column where it starts, so that what the importer refuses is reported at its
place in the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.parsers.expat import ParserCreate

import attrs

from ..errors import RulesetError

__all__ = ["MAX_BYTES", "Element", "parse"]

MAX_BYTES = 16 * 1024 * 1024  # a DMN model larger than this is refused (PR841)


@attrs.frozen
class Element:
    """An XML element: its local name (namespace dropped), attributes, text and place."""

    tag: str
    attrib: dict[str, str]
    text: str
    line: int
    column: int
    children: tuple[Element, ...]

    def find(self, tag: str) -> Element | None:
        """The first child with this local name, or None."""
        return next((c for c in self.children if c.tag == tag), None)

    def findall(self, tag: str) -> list[Element]:
        """Every child with this local name, in document order."""
        return [c for c in self.children if c.tag == tag]

    def child_text(self, tag: str) -> str | None:
        """The stripped text of the first ``tag`` child's ``<text>`` (DMN's usual nesting),
        or of the child itself; None when there is no such child."""
        child = self.find(tag)
        if child is None:
            return None
        text = child.find("text")
        return (text.text if text is not None else child.text).strip()

    def iter(self) -> Iterator[Element]:
        """This element and every descendant, in document order."""
        yield self
        for child in self.children:
            yield from child.iter()


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


class _Builder:
    """A tree builder that records where each element starts (expat's position)."""

    def __init__(self) -> None:
        self.stack: list[tuple[str, dict[str, str], int, int, list[Element], list[str]]] = []
        self.root: Element | None = None
        self.position = (1, 0)

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        line, column = self.position
        attrs_ = {_local(k): v for k, v in attrib.items()}
        self.stack.append((_local(tag), attrs_, line, column + 1, [], []))

    def data(self, text: str) -> None:
        if self.stack:
            self.stack[-1][5].append(text)

    def end(self, tag: str) -> None:
        name, attrib, line, column, children, text = self.stack.pop()
        element = Element(name, attrib, "".join(text), line, column, tuple(children))
        if self.stack:
            self.stack[-1][4].append(element)
        else:
            self.root = element

    def close(self) -> Element | None:
        return self.root


def parse(data: bytes, source: str) -> Element:
    """The root element of the XML document ``data`` (a DMN model read from ``source``).

    Raises RulesetError PR841 for XML that is not well formed, too large, or uses DTDs,
    entities or external references. defusedxml checks the document first; once it has
    refused every DTD and entity, expat reads it again to record each element's line.
    """
    import defusedxml.ElementTree as safe_et
    from defusedxml import DefusedXmlException

    if len(data) > MAX_BYTES:
        raise RulesetError(f"the DMN model is larger than {MAX_BYTES // (1024 * 1024)} MiB",
                           code="PR841", source=source)
    try:
        safe_et.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as e:
        raise RulesetError(f"the DMN model uses a refused XML feature ({type(e).__name__}: "
                           "DTDs, entities and external references are not read)",
                           code="PR841", source=source) from None
    except safe_et.ParseError as e:
        line, column = getattr(e, "position", (None, None))
        raise RulesetError(f"the DMN model is not well-formed XML: {e}", code="PR841",
                           source=source, line=line,
                           column=None if column is None else column + 1) from None
    builder = _Builder()
    expat = ParserCreate(namespace_separator="}")

    def start(tag: str, attrib: dict[str, str]) -> None:
        builder.position = (expat.CurrentLineNumber, expat.CurrentColumnNumber)
        builder.start(tag, attrib)

    expat.StartElementHandler = start
    expat.EndElementHandler = builder.end
    expat.CharacterDataHandler = builder.data
    expat.Parse(data, True)
    root = builder.close()
    if root is None:  # pragma: no cover - the first parse refuses an empty document
        raise RulesetError("the DMN model is empty", code="PR841", source=source)
    return root
