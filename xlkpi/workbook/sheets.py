"""The month workbook's sheets as values, read with python-calamine in one pass.

Headers are located by text; cached error values and percent number formats, which calamine
does not report, are put back from the sheet XML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from xlkpi import layout
from xlkpi.errors import WorkbookError
from xlkpi.layout import (
    HEADER_ROW,
    column_letter,
)
from xlkpi.messages import t


@dataclass
class Sheet:
    """One sheet's values (``rows[r-1][c-1]``) and where each header text sits (0-based column)."""

    name: str
    rows: list[list[Any]]
    headers: dict[str, int] = field(default_factory=dict)
    # (1-based row, 0-based column) of numbers shown as percentages (their number format)
    percent_cells: set[tuple[int, int]] = field(default_factory=set)

    def value(self, row: int, col: int) -> Any:
        """The value at 1-based ``row`` and 0-based ``col`` ("" when outside the used area)."""
        if row - 1 < len(self.rows):
            cells = self.rows[row - 1]
            if col < len(cells):
                return cells[col]
        return ""

    @property
    def last_row(self) -> int:
        """Number of the last row holding anything (0 for an empty sheet)."""
        for i in range(len(self.rows) - 1, -1, -1):
            if any(v not in ("", None) for v in self.rows[i]):
                return i + 1
        return 0


def header_map(rows: list[list[Any]]) -> dict[str, int]:
    if len(rows) < HEADER_ROW:
        return {}
    out: dict[str, int] = {}
    for i, value in enumerate(rows[HEADER_ROW - 1]):
        text = cell_text(value)
        if text and text not in out:
            out[text] = i
    return out


def load_sheets(
    path: Path,
    names: Iterable[str] | None = None,
    heads_only: Iterable[str] = (),
    unread: Iterable[str] = (),
    header_only: Iterable[str] = (),
) -> tuple[list[str], dict[str, Sheet]]:
    """Read sheets of ``path`` with python-calamine in one open: (all sheet names, read sheets).

    ``names`` limits which sheets are read (all when None); of the sheets in ``heads_only``
    only row 1 and the first column are read (:func:`xlkpi.workbook.sheet_heads.read_heads`);
    of those in ``header_only`` row 1 alone; the sheets in
    ``unread`` are not read at all (still listed in the names). Raises
    WorkbookError when the file is missing, not a workbook, encrypted or corrupted.
    """
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    path = Path(path)
    if not path.exists():
        raise WorkbookError(t("file.missing", path=path))
    if path.is_dir():
        raise WorkbookError(t("file.is_folder", path=path))
    from xlkpi.workbook.limits import check_workbook_file

    wanted_names = None if names is None else list(names)
    header_only = list(header_only)
    heads_only = [*heads_only, *(n for n in header_only if n not in heads_only)]
    unread = set(unread)
    skip = set(heads_only) | unread  # the sheets calamine will not read: parts not checked
    if wanted_names is not None:
        skip |= set(_workbook_sheet_names(path)) - set(wanted_names)
    check_workbook_file(path, skip)  # a zip bomb or a huge grid would abort calamine
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except PasswordError:
        raise WorkbookError(t("file.password_protected", name=path.name)) from None
    except (CalamineError, OSError, ValueError) as exc:
        raise WorkbookError(t("limits.corrupt", name=path.name, reason=exc)) from None
    try:
        all_names = list(wb.sheet_names)
        wanted = all_names if wanted_names is None else [n for n in wanted_names if n in all_names]
        wanted = [n for n in wanted if n not in unread]
        sheets: dict[str, Sheet] = {}
        heads = _heads(path, [n for n in heads_only if n in wanted], header_only)
        for name in wanted:
            if heads.get(name) is not None:
                sheets[name] = Sheet(name, heads[name], header_map(heads[name]))
                continue
            if name in skip:  # its head could not be read alone: calamine reads it whole
                check_workbook_file(path, skip - {name})
            try:
                rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            except (CalamineError, ValueError) as exc:
                raise WorkbookError(
                    t("file.sheet_unreadable", name=path.name, sheet=name, reason=exc)
                ) from None
            sheets[name] = Sheet(name, rows, header_map(rows))
    finally:
        wb.close()
    _mark_cells(path, sheets)
    return all_names, sheets


_INPUT_SHEET_NAMES = frozenset(
    [s.name for s in layout.INPUT_SHEETS] + list(layout.SCORECARD_SHEETS.values())
)


_CELL_REF = re.compile(rb"([A-Z]{1,3})([0-9]+)")


_ERROR_CELL = re.compile(
    rb'<c r="([A-Z]{1,3}[0-9]+)"[^>]*?t="e"[^>]*>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)?<v>([^<]*)</v>'
)


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1


def _mark_cells(path: Path, sheets: dict[str, Sheet]) -> None:
    """Put cached error values back (calamine reads them as blank) and note percent cells.

    Only the input sheets are scanned; a file that is not a zip (e.g. .xls) is left as read.
    """
    import html
    import zipfile

    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return
    with zf:
        try:
            parts = _sheet_parts(zf)
            percent_styles = _percent_styles(zf)
        except (KeyError, ValueError):
            return
        for name, sheet in sheets.items():
            part = parts.get(name)
            if name not in _INPUT_SHEET_NAMES or part is None:
                continue
            try:
                data = zf.read(part)
            except KeyError:
                continue
            if b't="e"' in data:
                for m in _ERROR_CELL.finditer(data):
                    r, c = _split_ref(m.group(1))
                    put_value(sheet, r, c, CellError(html.unescape(m.group(2).decode())))
            if percent_styles:
                ids = b"|".join(str(i).encode() for i in sorted(percent_styles))
                pattern = re.compile(rb'<c r="([A-Z]{1,3}[0-9]+)" s="(?:' + ids + rb')"')
                for m in pattern.finditer(data):
                    sheet.percent_cells.add(_split_ref(m.group(1)))


def _workbook_sheet_names(path: Path) -> list[str]:
    """Every sheet's name, from the zip's workbook part (none when it cannot be read: then no
    sheet is spared the size check, and calamine says what is wrong with the file)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            return list(_sheet_parts(zf))
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return []


def _split_ref(cell: bytes) -> tuple[int, int]:
    m = _CELL_REF.match(cell)
    assert m is not None
    return int(m.group(2)), _col_index(m.group(1))


def put_value(sheet: Sheet, row: int, col: int, value: Any) -> None:
    while len(sheet.rows) < row:
        sheet.rows.append([])
    cells = sheet.rows[row - 1]
    while len(cells) <= col:
        cells.append("")
    if is_blank(cells[col]):
        cells[col] = value


def _sheet_parts(zf: Any) -> dict[str, str]:
    """Sheet name → its part in the zip (xl/worksheets/sheetN.xml)."""
    import html

    book = zf.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    targets = {}
    for m in re.finditer(r"<Relationship\b([^>]*)/?>", rels):
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
        if "Id" in attrs and "Target" in attrs:
            target = attrs["Target"].lstrip("/")
            targets[attrs["Id"]] = target if target.startswith("xl/") else "xl/" + target
    out = {}
    for m in re.finditer(r"<(?:\w+:)?sheet\b([^>]*)/?>", book):
        attrs = dict(re.findall(r'([\w:]+)="([^"]*)"', m.group(1)))
        rid = next((v for k, v in attrs.items() if k.endswith(":id")), None)
        if "name" in attrs and rid in targets:
            out[html.unescape(attrs["name"])] = targets[rid]
    return out


_PERCENT_BUILTIN = frozenset({9, 10})


def _percent_styles(zf: Any) -> set[int]:
    """Indexes of the cell styles (cellXfs) whose number format shows a percentage."""
    try:
        styles = zf.read("xl/styles.xml").decode("utf-8", "replace")
    except KeyError:
        return set()
    custom = set()
    for m in re.finditer(r'<numFmt\b[^>]*numFmtId="(\d+)"[^>]*formatCode="([^"]*)"', styles):
        code = re.sub(r'"[^"]*"|\\.', "", m.group(2).replace("&quot;", '"'))
        if "%" in code:
            custom.add(int(m.group(1)))
    block = re.search(r"<cellXfs\b[^>]*>(.*?)</cellXfs>", styles, re.S)
    if block is None:
        return set()
    out = set()
    for i, m in enumerate(re.finditer(r"<xf\b([^>]*)", block.group(1))):
        fmt = re.search(r'numFmtId="(\d+)"', m.group(1))
        if fmt and (int(fmt.group(1)) in _PERCENT_BUILTIN or int(fmt.group(1)) in custom):
            out.add(i)
    return out


def _heads(
    path: Path, names: list[str], header_only: Iterable[str] = ()
) -> dict[str, list[list[Any]] | None]:
    if not names:
        return {}
    from zipfile import BadZipFile

    from xlkpi.workbook.sheet_heads import read_heads

    try:
        return read_heads(path, names, header_only)
    except (OSError, ValueError, KeyError, BadZipFile, WorkbookError):  # calamine reports
        return {}


def cell_text(value: Any) -> str:
    """A cell as text: ids and labels; integral floats lose their ``.0``."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if not value.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def ref(col: int, row: int) -> str:
    """A1 reference of 0-based ``col`` and 1-based ``row``."""
    return f"{column_letter(col + 1)}{row}"


class CellError(str):
    """A cached Excel error value (``#DIV/0!``, ``#N/A`` …) in a cell: never read as blank."""

    __slots__ = ()


def public_sales_cell(sheet: Sheet) -> tuple[int, int] | None:
    """(1-based row, 0-based column) of the public-sales value: right of its label."""
    for r, row in enumerate(sheet.rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, str) and value.strip() == layout.PUBLIC_SALES_LABEL:
                return r, c + 1
    return None
