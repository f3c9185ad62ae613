"""Where each XML element starts, so every record an XML reader yields has its own line.

The standard library's parsers give no line numbers, and returns are often written on one
line, so a record's place is its element path (``Child[12]/CINdetails[1]``); its line is found
here as well, for files that do have lines. Every start tag's byte offset is found at once with
numpy. In a well-formed file those tags come in document order, which is the order of
``Element.iter()`` and of iterparse's 'start' events, so the n-th element read is the n-th tag.
A tag written inside a comment or CDATA section breaks that match; ``Lines.span`` notices (the
count of tags differs from the count of elements) and the reader keeps the enclosing line.
"""

from __future__ import annotations

import numpy as np

_LT = ord("<")
# Bytes that may begin an element name: a letter, '_' or ':', or any non-ASCII byte. End tags
# ('</'), comments and CDATA ('<!') and processing instructions ('<?') are not elements.
_NAME_START = np.zeros(256, dtype=bool)
for _low, _high in ((ord("A"), ord("Z")), (ord("a"), ord("z"))):
    _NAME_START[_low : _high + 1] = True
_NAME_START[[ord("_"), ord(":")]] = True
_NAME_START[0x80:] = True


class Lines:
    """The byte offset and line of every start tag in one XML file."""

    def __init__(self, data: bytes) -> None:
        array = np.frombuffer(data, dtype=np.uint8)
        opens = np.flatnonzero(array[:-1] == _LT)
        self.offsets = opens[_NAME_START[array[opens + 1]]]
        newlines = np.flatnonzero(array == 10)
        self.lines = np.searchsorted(newlines, self.offsets) + 1

    def line_at(self, offset: int) -> int:
        """The line of the byte ``offset`` (1-based)."""
        return int(self.lines[np.searchsorted(self.offsets, offset, side="right") - 1])

    def span(self, start: int, end: int, elements: int) -> np.ndarray | None:
        """The lines of the ``elements`` start tags between bytes ``start`` and ``end``.

        None when the count differs, as when a comment in the span holds a tag.
        """
        first, last = np.searchsorted(self.offsets, [start, end])
        if last - first != elements:
            return None
        return self.lines[first:last]

    def __len__(self) -> int:
        return len(self.offsets)
