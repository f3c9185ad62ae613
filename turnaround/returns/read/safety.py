"""Guards every reader passes through: size, encoding and hostile XML.

Each guard turns a bad file into one ``InputError`` line that names the file and says what to
do, before any parsing starts, so a bad file never yields partial data.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import xml.parsers.expat
from collections.abc import Iterator
from pathlib import Path

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException

from turnaround.errors import InputError

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
"""Files larger than this are refused; a whole city's year is far smaller."""

UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def read_bytes(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The file's bytes, refusing a missing, unreadable, empty or oversized file."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or exc})", path=path) from None
    if size > max_bytes:
        raise InputError(
            f"file is too large ({_megabytes(size)}; the limit is {_megabytes(max_bytes)})",
            path=path,
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or exc})", path=path) from None
    if not data.strip(b" \t\r\n" + UTF8_BOM):
        raise InputError("file is empty", path=path)
    return data


def utf8_text(data: bytes, path: Path, *, kind: str = "CSV") -> tuple[bytes, bool]:
    """UTF-8 bytes without any byte-order mark, and whether one was removed.

    Anything that is not UTF-8 is refused with a hint: UTF-16 (Excel's "Unicode text") and
    Windows-1252 (Excel's "CSV" on older Windows) are the usual culprits.
    """
    if data.startswith(_UTF16_BOMS) or _looks_utf16(data):
        raise InputError(f"not UTF-8 text (looks like UTF-16); save it as UTF-8 {kind}", path=path)
    had_bom = data.startswith(UTF8_BOM)
    if had_bom:
        data = data[len(UTF8_BOM) :]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start]
        raise InputError(
            f"not UTF-8 text (byte 0x{byte:02X} on line {line}; perhaps Windows-1252); "
            f"save it as UTF-8 {kind}",
            path=path,
        ) from None
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise InputError(f"not a text file (a NUL byte on line {line})", path=path)
    return data, had_bom


def iter_xml(data: bytes, path: Path) -> Iterator[tuple[str, ET.Element]]:
    """Stream ('start' | 'end', element) events from XML that cannot attack the reader.

    Returns never have a DTD, so any DOCTYPE or ENTITY declaration goes to defusedxml, which
    refuses entity bombs and external entities; everything else streams through the C parser.
    Truncated or malformed XML becomes an InputError with the line and column.
    """
    if _DOCTYPE.search(data):
        _refuse_dtd(data, path)
    try:
        yield from ET.iterparse(io.BytesIO(data), events=("start", "end"))
    except ET.ParseError as exc:
        raise _xml_error(exc, path, data) from None
    except (LookupError, ValueError) as exc:  # an XML declaration naming an unknown encoding
        raise InputError(f"cannot read as XML ({exc})", path=path) from None


def check_xml(data: bytes, path: Path) -> None:
    """Refuse XML that is unsafe (any DTD goes to defusedxml) or not well formed.

    The whole file goes through expat with no handlers, which is all C and fast, so a reader
    may then parse pieces of it knowing the file as a whole is sound.
    """
    if _DOCTYPE.search(data):
        _refuse_dtd(data, path)
    parser = xml.parsers.expat.ParserCreate()
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        error = ET.ParseError(str(exc))
        error.position = (exc.lineno, exc.offset)
        raise _xml_error(error, path, data) from None
    except (LookupError, ValueError) as exc:  # an XML declaration naming an unknown encoding
        raise InputError(f"cannot read as XML ({exc})", path=path) from None


def _refuse_dtd(data: bytes, path: Path) -> None:
    try:
        DET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise InputError(
            f"XML declares entities ({type(exc).__name__}); refused as unsafe "
            "(returns never need a DTD)",
            path=path,
        ) from None
    except ET.ParseError as exc:
        raise _xml_error(exc, path, data) from None
    except (LookupError, ValueError) as exc:
        raise InputError(f"cannot read as XML ({exc})", path=path) from None
    raise InputError("XML has a DOCTYPE; returns never need one, so it is refused", path=path)


def _xml_error(exc: ET.ParseError, path: Path, data: bytes) -> InputError:
    line, column = getattr(exc, "position", (None, None))
    reason = str(exc).split(":")[0].strip() or "malformed XML"
    if reason.startswith("no element found") or (line is not None and _at_end(data, line)):
        return InputError(
            f"XML ends too soon (truncated at line {line}, column {column})", path=path
        )
    return InputError(
        f"XML is not well formed ({reason} at line {line}, column {column})", path=path
    )


def _at_end(data: bytes, line: int) -> bool:
    return line >= data.rstrip().count(b"\n") + 1 and not data.rstrip().endswith(b">")


def _looks_utf16(data: bytes) -> bool:
    sample = data[:200]
    return len(sample) >= 4 and sample.count(b"\x00") > len(sample) // 4


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"
