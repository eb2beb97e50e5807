"""Limits on what a workbook file may make xlkpi allocate, checked before calamine reads it.

python-calamine allocates a sheet's whole grid, from A1 to its farthest cell, and a Rust
allocation failure aborts the process (no exception, no message). So before a workbook is
read, :func:`check_workbook_file` looks at the zip itself and refuses, with a clear Chinese
message, a file that is

* larger than :data:`MAX_FILE_BYTES`, or an old ``.xls`` (asked to be saved as ``.xlsx``);
* a zip whose parts inflate beyond :data:`MAX_PART_BYTES` each or, the parts the read
  inflates, :data:`MAX_TOTAL_BYTES` in all, or at a compression ratio above :data:`MAX_RATIO`
  (a zip bomb) — measured while inflating, so a lying size in the zip's directory does not
  help;
* a sheet whose cells span more than :data:`MAX_SHEET_CELLS` (rows × columns from A1 to the
  farthest cell, found from the ``r="…"`` references in the sheet's XML; a ``<dimension>``
  element is not trusted either way).

With these limits the largest grid calamine can be asked for is about :data:`MAX_SHEET_CELLS`
cells per sheet (a few hundred MB); a month of 100,000 staff needs about half of it (its
工资表, 54 columns; the limits are sized so that such a month is read whole, by `xlkpi
check`, with room to spare).
Cells written without an ``r`` reference are counted by their row only (Excel, WPS and
LibreOffice always write one).

A caller names the sheets calamine will not read (``skip``): their parts are neither inflated
nor scanned, nor counted in the total (their directory sizes are still checked one by one).
Calamine opens a sheet's part only when that sheet is read, and Python's zipfile, which reads
such parts otherwise (the Payroll's head, the patch), never inflates a part beyond its
directory size. At 10,000 staff that spares the 25 MB Payroll: most of the check's time.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Collection
from pathlib import Path

from xlkpi.errors import WorkbookError, WorkbookTooLargeError
from xlkpi.messages import t

MB = 1 << 20
MAX_FILE_BYTES = 200 * MB
MAX_PART_BYTES = 512 * MB  # a 100,000-staff 工资表 is about 250 MB of XML
MAX_TOTAL_BYTES = 1024 * MB  # a 100,000-staff month is about 580 MB in all
MAX_RATIO = 200  # inflated ÷ compressed, for parts above RATIO_FLOOR inflated
RATIO_FLOOR = 4 * MB
MAX_SHEET_CELLS = 10_000_000
_CHUNK = 1 * MB
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and also an encrypted .xlsx
# Searches that start with a literal run at memchr speed; a search capturing every cell ref
# would cost a third of the read time, so columns beyond Z and rows beyond the <row> maximum
# are looked for separately.
_ROWS = (re.compile(rb'<row\b[^>]*? r="(\d+)"'), re.compile(rb':row\b[^>]*? r="(\d+)"'))
_LONG_COLUMNS = (re.compile(rb'r="([A-Z]{3})\d'), re.compile(rb'r="([A-Z]{2})\d'))
_ANY_COLUMN = re.compile(rb'r="[A-Z]\d')
_TAIL = 256  # bytes kept between chunks so a tag cut in two is still seen


def col_number(letters: bytes) -> int:
    """``A`` → 1, ``Z`` → 26, ``AA`` → 27, ``XFD`` → 16384."""
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def col_letters(n: int) -> str:
    """The inverse of :func:`col_number`."""
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def extent(data: bytes, rows_so_far: int = 0) -> tuple[int, int]:
    """(farthest row, farthest column) referenced in a piece of sheet XML.

    ``rows_so_far`` is the farthest row already seen: cell references are then searched only
    for rows with more digits than it has, e.g. ``r="A1048576"`` in a sheet of 30 rows.
    """
    rows = max((int(r) for pattern in _ROWS for r in pattern.findall(data)), default=0)
    cols = 0
    for pattern in _LONG_COLUMNS:
        found = set(pattern.findall(data))
        if found:
            cols = max(col_number(letters) for letters in found)
            break
    if not cols and _ANY_COLUMN.search(data):
        cols = 26
    digits = len(str(max(rows, rows_so_far, 1))) + 1
    far = re.compile(rb'r="[A-Z]{1,3}(\d{%d,})"' % digits)
    rows = max([rows, *(int(r) for r in far.findall(data))])
    if cols == 26:  # the farthest single letter, by halving the range A–Z
        lo, hi = 1, 26
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if re.search(rb'r="[%c-Z]\d' % (64 + mid), data):
                lo = mid
            else:
                hi = mid - 1
        cols = lo
    return rows, cols


def check_workbook_file(path: Path, skip: Collection[str] = ()) -> None:
    """Refuse a workbook that would make the reader allocate too much (see the module docstring).

    ``skip``: sheets calamine will not read; their parts are not inflated. Raises
    WorkbookTooLargeError, or WorkbookError for an ``.xls`` file; returns quietly for files
    that are not zips at all (calamine then says what they are).
    """
    path = Path(path)
    try:
        _check(path, skip)
    except OSError as exc:  # no permission to read it, or it vanished
        raise WorkbookError(t("file.unreadable", path=path, reason=exc.strerror or exc)) from None


def _check(path: Path, skip: Collection[str]) -> None:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise WorkbookTooLargeError(
            t("limits.file_too_big", name=path.name, size=size // MB, limit=MAX_FILE_BYTES // MB)
        )
    with open(path, "rb") as fh:
        magic = fh.read(8)
    if magic == _CFB_MAGIC and path.suffix.lower() in (".xls", ".xlt"):
        raise WorkbookError(t("limits.xls", name=path.name))
    if not zipfile.is_zipfile(path):
        return
    try:
        with zipfile.ZipFile(path) as zf:
            _check_parts(path, zf, skip)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as exc:
        raise WorkbookError(t("limits.corrupt", name=path.name, reason=exc)) from None
    except NotImplementedError as exc:  # a compression method zipfile cannot inflate
        raise WorkbookError(t("limits.corrupt", name=path.name, reason=exc)) from None


def _check_parts(path: Path, zf: zipfile.ZipFile, skip: Collection[str]) -> None:
    infos = zf.infolist()
    for info in infos:  # the directory's own claims first: cheap refusals
        if info.file_size > MAX_PART_BYTES:
            _too_big(path, info.filename, info.file_size)
        _check_ratio(path, info.filename, info.file_size, info.compress_size)
    sheets = _sheet_names(zf)
    read = [info for info in infos if _sheet_of(info, sheets) not in skip]
    claimed = sum(info.file_size for info in read)  # the total of what this read inflates
    if claimed > MAX_TOTAL_BYTES:
        _too_big_total(path, claimed)
    total = 0
    for info in read:  # a skipped sheet: calamine will not read it, nothing inflates it unchecked
        total += _inflate(path, zf, info, total, _sheet_of(info, sheets))


def _sheet_of(info: zipfile.ZipInfo, sheets: dict[str, str]) -> str | None:
    """The name of the sheet whose part ``info`` is (None for other parts)."""
    if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
        return sheets.get(info.filename)
    return None


def _inflate(
    path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, before: int, sheet: str | None
) -> int:
    """Inflate one part within the limits; for a sheet, find its farthest cell. Returns bytes."""
    size = 0
    max_row = max_col = 0
    tail = b""
    with zf.open(info) as part:
        while chunk := part.read(_CHUNK):
            size += len(chunk)
            if size > MAX_PART_BYTES:
                _too_big(path, info.filename, size)
            if before + size > MAX_TOTAL_BYTES:
                _too_big_total(path, before + size)
            _check_ratio(path, info.filename, size, info.compress_size)
            if sheet is None and not info.filename.startswith("xl/worksheets/"):
                continue
            data = tail + chunk
            rows, cols = extent(data, max_row)
            max_row, max_col = max(max_row, rows), max(max_col, cols)
            if max_row * max(max_col, 1) > MAX_SHEET_CELLS:
                _too_many_cells(path, sheet or info.filename, max_row, max_col)
            tail = data[-_TAIL:]
    return size


def _sheet_names(zf: zipfile.ZipFile) -> dict[str, str]:
    """Part name → sheet name, from workbook.xml and its relationships (best effort)."""
    try:
        workbook = zf.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except KeyError:
        return {}
    targets = {}
    for rel in re.finditer(r"<Relationship\b[^>]*>", rels):
        tag = rel.group(0)
        rid = re.search(r'\bId="([^"]+)"', tag)
        target = re.search(r'\bTarget="([^"]+)"', tag)
        if rid and target:
            name = target.group(1).lstrip("/")
            targets[rid.group(1)] = name if name.startswith("xl/") else f"xl/{name}"
    out = {}
    for sheet in re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", workbook):
        tag = sheet.group(0)
        name = re.search(r'\bname="([^"]*)"', tag)
        rid = re.search(r'\br:id="([^"]+)"|\bid="([^"]+)"', tag)
        if name and rid:
            key = rid.group(1) or rid.group(2)
            if key in targets:
                out[targets[key]] = _unescape(name.group(1))
    return out


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


def _check_ratio(path: Path, part: str, inflated: int, compressed: int) -> None:
    if inflated > RATIO_FLOOR and inflated > MAX_RATIO * max(compressed, 1):
        ratio = inflated // max(compressed, 1)
        raise WorkbookTooLargeError(
            t("limits.ratio", name=path.name, part=part, ratio=ratio, limit=MAX_RATIO)
        )


def _too_big(path: Path, part: str, size: int) -> None:
    raise WorkbookTooLargeError(
        t(
            "limits.part_too_big",
            name=path.name,
            part=part,
            size=size // MB,
            limit=MAX_PART_BYTES // MB,
        )
    )


def _too_big_total(path: Path, size: int) -> None:
    raise WorkbookTooLargeError(
        t("limits.total_too_big", name=path.name, size=size // MB, limit=MAX_TOTAL_BYTES // MB)
    )


def _too_many_cells(path: Path, sheet: str, rows: int, cols: int) -> None:
    extent = f"A1:{col_letters(max(cols, 1))}{rows}"
    raise WorkbookTooLargeError(
        t(
            "limits.grid",
            sheet=sheet,
            extent=extent,
            cells=f"{rows * max(cols, 1):,}",
            limit=f"{MAX_SHEET_CELLS:,}",
        )
    )
