"""Read an output sheet's header row and first column from the xlsx bytes, without the rest.

A recalc rewrites the Payroll and Alerts sheets; it needs only their headers (to find the
columns) and the first column (which employee each row holds, and where the rows end), not
the 1.5 million cells of a 50,000-staff Payroll. :func:`read_heads` streams the sheet's XML
through zlib and a few regular expressions, row by row, and returns rows as calamine gives
them: row 1 complete, every later row as ``[first cell]`` — or ``[first cell, OTHER]`` when
the row holds anything in a later column, so ``Sheet.last_row`` still finds the last row
holding anything. Text comes from inline strings, formula strings or the shared-string table
(only the entries the returned cells use are decoded); numbers are floats, booleans bools.

Anything this reader does not expect (a prefixed namespace, a part that is not in the zip,
a malformed row) makes it return None for that sheet, and the caller reads it in full.
"""

from __future__ import annotations

import html
import re
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from zipfile import ZIP_DEFLATED, ZIP_STORED, ZipFile, ZipInfo

OTHER = "\x00…"  # stands for the cells of a row beyond the first column, which are not read
_CHUNK = 1 << 20

_ROW_NUM_RE = re.compile(rb'\sr="(\d+)"')
_CELL_RE = re.compile(rb"<c\b([^>]*?)(/>|>(.*?)</c>)", re.S)
_CELL_REF_RE = re.compile(rb'\sr="([A-Z]{1,3})(\d+)"')
_TYPE_RE = re.compile(rb'\st="(\w+)"')
_V_RE = re.compile(rb"<v>(.*?)</v>", re.S)
_T_RE = re.compile(rb"<t(?:\s[^>]*)?>(.*?)</t>|<t\s*/>", re.S)
_RPH_RE = re.compile(rb"<rPh\b.*?</rPh>", re.S)
_SI_RE = re.compile(rb"<si>(.*?)</si>|<si\s*/>", re.S)
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


class _Unsupported(Exception):
    """The sheet is laid out in a way this reader does not handle: read it in full."""


class _Shared:
    """A shared-string index, resolved once the table is read."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1


def _text(raw: bytes) -> str:
    text = html.unescape(raw.decode("utf-8"))
    if "_x" in text:
        text = _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)
    return text


def _rich_text(body: bytes) -> str:
    """The text of an ``<is>`` or ``<si>`` body: every ``<t>`` run, phonetic runs left out."""
    if b"<rPh" in body:
        body = _RPH_RE.sub(b"", body)
    return "".join(_text(m.group(1) or b"") for m in _T_RE.finditer(body))


def _value(attrs: bytes, body: bytes | None) -> Any:
    """One cell's value as calamine gives it ("" for an empty cell)."""
    if not body:
        return ""
    m = _TYPE_RE.search(attrs)
    kind = m.group(1) if m else b"n"
    if kind == b"inlineStr":
        return _rich_text(body)
    v = _V_RE.search(body)
    if v is None:
        return ""
    raw = v.group(1)
    if kind == b"s":
        return _Shared(int(raw))
    if kind in (b"str", b"e"):
        return _text(raw)
    if kind == b"b":
        return raw.strip() == b"1"
    if kind == b"n":
        return float(raw) if raw.strip() else ""
    raise _Unsupported(f"cell type {kind!r}")


def _xml_chunks(zf: ZipFile, info: ZipInfo) -> Iterator[bytes]:
    """The member's inflated bytes in pieces of about a megabyte."""
    with zf.open(info) as fh:
        while chunk := fh.read(_CHUNK):
            yield chunk


def _complete_rows(buffer: bytes, stop: int) -> Iterator[tuple[int, int, int]]:
    """(start of the tag, end of the start tag, end of the row) of each ``<row`` before
    ``stop``, found with ``bytes.find`` (each row ends where the next begins)."""
    at = buffer.find(b"<row", 0, stop)
    while at >= 0:
        tag_end = buffer.find(b">", at, stop)
        if tag_end < 0:
            raise _Unsupported("broken row tag")
        nxt = buffer.find(b"<row", tag_end, stop)
        yield at, tag_end + 1, (stop if nxt < 0 else nxt)
        at = nxt


def _row_starts(chunks: Iterable[bytes]) -> Iterator[tuple[bytes, int, int, int]]:
    """(buffer, row start, start-tag end, row end) for every ``<row>`` of the sheet, streamed:
    the rows before the last row start of a buffer are complete."""
    buffer = b""
    started = False
    for chunk in chunks:
        buffer += chunk
        if not started:
            at = buffer.find(b"<sheetData")
            if at < 0:
                if len(buffer) > 65536:
                    raise _Unsupported("no unprefixed sheetData")
                continue
            started = True
            buffer = buffer[at:]
        cut = buffer.rfind(b"<row")
        if cut <= 0:
            continue
        for row in _complete_rows(buffer, cut):
            yield (buffer, *row)
        buffer = buffer[cut:]
    if not started:
        raise _Unsupported("no sheetData")
    end = buffer.find(b"</sheetData>")
    for row in _complete_rows(buffer, len(buffer) if end < 0 else end):
        yield (buffer, *row)


def _cells(body: bytes) -> list[Any]:
    """Every cell of a row body, by column (gaps filled with "")."""
    cells: list[Any] = []
    for c in _CELL_RE.finditer(body):
        ref = _CELL_REF_RE.search(c.group(1))
        col = _column(ref.group(1)) if ref else len(cells)
        if col < len(cells):
            raise _Unsupported("cells out of order")
        cells.extend([""] * (col - len(cells)))
        cells.append(_value(c.group(1), c.group(3)))
    return cells


def _sheet_rows(zf: ZipFile, info: ZipInfo, header_only: bool = False) -> list[list[Any]]:
    """The rows of the module docstring; with ``header_only``, row 1 alone, the part inflated
    no further than its second row."""
    rows: list[list[Any]] = []
    for buf, start, body, end in _row_starts(_xml_chunks(zf, info)):
        m = _ROW_NUM_RE.search(buf, start, body)
        number = int(m.group(1)) if m else len(rows) + 1
        if header_only and number > 1:
            break
        if number < len(rows) + 1:
            raise _Unsupported("rows out of order")
        while len(rows) < number - 1:
            rows.append([])
        if buf[body - 2] == 47:  # "/>": an empty row
            rows.append([])
            continue
        if number == 1:
            rows.append(_cells(buf[body:end]))
            continue
        cells: list[Any] = []
        c = _CELL_RE.match(buf, body, end) or _CELL_RE.search(buf, body, end)
        rest = body
        if c is not None:
            ref = _CELL_REF_RE.search(c.group(1))
            if ref is None or ref.group(1) == b"A":
                cells.append(_value(c.group(1), c.group(3)))
                rest = c.end()
            else:
                cells.append("")
        if buf.find(b"<v", rest, end) >= 0 or buf.find(b"<is>", rest, end) >= 0:
            if not cells:
                cells.append("")
            cells.append(OTHER)
        rows.append(cells)
    while rows and all(v == "" for v in rows[-1]):  # calamine ends at the last cell with a value
        rows.pop()
    return rows


def _shared_strings(zf: ZipFile, part: str | None, wanted: set[int]) -> dict[int, str]:
    """The entries ``wanted`` of the shared-string table."""
    if not wanted or part is None:
        return {}
    data = zf.read(part)
    out: dict[int, str] = {}
    last = max(wanted)
    for i, m in enumerate(_SI_RE.finditer(data)):
        if i in wanted:
            out[i] = _rich_text(m.group(1) or b"")
        if i >= last:
            break
    return out


def read_heads(
    path: Path, names: Iterable[str], header_only: Iterable[str] = ()
) -> dict[str, list[list[Any]] | None]:
    """Sheet name → its rows (row 1 whole, later rows their first cell; see the module
    docstring), or None for a sheet this reader cannot handle. Sheets not in the workbook
    are left out. Of the sheets in ``header_only`` (some of ``names``) row 1 alone is read."""
    from xlkpi.workbook.xlsx_patch import workbook_parts

    out: dict[str, list[list[Any]] | None] = {}
    header_only = set(header_only)
    with ZipFile(path) as zf:
        parts = workbook_parts(zf)
        members = {i.filename: i for i in zf.infolist()}
        shared_part = next((n for n in members if n.lower() == "xl/sharedstrings.xml"), None)
        for name in names:
            part = parts.sheets.get(name)
            if part is None:
                continue
            info = members.get(part)
            if info is None or info.compress_type not in (ZIP_DEFLATED, ZIP_STORED):
                out[name] = None
                continue
            try:
                rows = _sheet_rows(zf, info, name in header_only)
                shared = {v.index for r in rows for v in r if isinstance(v, _Shared)}
                table = _shared_strings(zf, shared_part, shared)
                for r in rows:
                    for k, v in enumerate(r):
                        if isinstance(v, _Shared):
                            if v.index not in table:
                                raise _Unsupported("shared string out of range")
                            r[k] = table[v.index]
            except (_Unsupported, ValueError, zlib.error, UnicodeDecodeError):
                out[name] = None
                continue
            out[name] = rows
    return out
