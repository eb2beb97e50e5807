"""Computed sheets of an older workbook, rewritten to the current layout by recalc.

The 工资表 and the 个税 sheet hold nothing a user types: recalc writes every cell below the
header. A workbook built before a column existed (the 工资表 before 应发 → 扣除 → 实发, whose
total column was then labelled 实发合计) still recalculates: when the sheet's headers are not
the layout's, the whole sheet — header row included — is written again in the layout's order,
with the layout's column widths (helper columns hidden), the old header row's style on the new
header cells and the number formats of :data:`FORMATS` on the money and rate cells.
"""

from __future__ import annotations

from typing import Any
from zipfile import ZipFile

from xlkpi import layout
from xlkpi.layout import HEADER_ROW, SheetLayout, column_letter
from xlkpi.workbook.sheets import Sheet
from xlkpi.workbook.xlsx_patch import SheetEdit, workbook_parts

# Number format of a computed cell by the column's kind (rates show as percentages).
FORMATS: dict[str, str] = {"amount": layout.AMOUNT_FORMAT, "ratio": "0%"}
NOTICE_WIDTH = 100.0  # the 工资表's add-in notice column, as the template has it


def outdated(sheet: Sheet | None, sheet_layout: SheetLayout) -> bool:
    """True when ``sheet`` exists but its row 1 is not the layout's headers, in order."""
    if sheet is None:
        return False
    return [sheet.value(HEADER_ROW, i) for i in range(len(sheet_layout.columns))] != list(
        sheet_layout.headers
    )


def current_sheet(sheet: Sheet, sheet_layout: SheetLayout) -> Sheet:
    """An empty stand-in for ``sheet`` with the layout's headers (what recalc then writes)."""
    headers = list(sheet_layout.headers)
    return Sheet(sheet.name, [headers], {h: i for i, h in reversed(list(enumerate(headers)))})


def _row1_styles(path: Any, sheet_name: str) -> tuple[int | None, int | None]:
    """(style of A1, style of the first formula cell) of row 1 in the workbook's sheet part."""
    import re

    with ZipFile(path) as zf:
        xml = zf.read(workbook_parts(zf).sheets[sheet_name])
    start = xml.find(b"<sheetData")
    m = re.search(rb"<row\b[^>]*>(.*?)</row>", xml[start:], re.S) if start >= 0 else None
    if m is None:
        return None, None
    header = notice = None
    for cell in re.finditer(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", m.group(1), re.S):
        s = re.search(rb'\ss="(\d+)"', cell.group(1))
        style = int(s.group(1)) if s else None
        if header is None and re.search(rb'\sr="A1"', cell.group(1)):
            header = style
        if notice is None and cell.group(2) and b"<f" in cell.group(2):
            notice = style
    return header, notice


def header_edit(
    edit: SheetEdit,
    path: Any,
    sheet: Sheet,
    sheet_layout: SheetLayout,
    notice_cell: str | None = None,
) -> SheetEdit:
    """``edit`` (rows from 2) extended to rewrite the header row and the column widths.

    The old row 1 is dropped (a formula there, such as an older notice cell, would otherwise
    keep its place); the new header cells take the old header's style, the notice cell the
    old notice's.
    """
    header_style, notice_style = _row1_styles(path, sheet.name)
    n = len(sheet_layout.columns)
    values = dict(edit.values)
    styles = dict(edit.styles)
    for i, header in enumerate(sheet_layout.headers):
        cell = f"{column_letter(i + 1)}{HEADER_ROW}"
        values[cell] = header
        if header_style is not None:
            styles[cell] = header_style
    if notice_cell is not None and notice_style is not None:
        styles[notice_cell] = notice_style
    widths: dict[int, tuple[float, bool]] = {
        i + 1: (float(c.width), c.kind == "helper") for i, c in enumerate(sheet_layout.columns)
    }
    if notice_cell is not None:
        widths[n + 1] = (NOTICE_WIDTH, False)
    return SheetEdit(
        values=values,
        formulas=edit.formulas,
        styles=styles,
        style_from_row=edit.style_from_row or layout.FIRST_DATA_ROW,
        clear_rows_from=HEADER_ROW,
        formats=edit.formats,
        columns=widths,
        arrays=edit.arrays,
        rows=edit.rows,
        column_formats=edit.column_formats,
        column_styles=edit.column_styles,
    )


def formats_by_column(sheet_layout: SheetLayout, fields: set[str] | None = None) -> dict[int, str]:
    """1-based column → number format of the amount / rate columns of a sheet.

    ``fields`` limits it to those columns (default: every column of a formatted kind).
    """
    out: dict[int, str] = {}
    for i, column in enumerate(sheet_layout.columns):
        code = FORMATS.get(column.kind)
        if code and (fields is None or column.field in fields):
            out[i + 1] = code
    return out


def column_formats(
    sheet_layout: SheetLayout, cells: dict[str, Any], fields: set[str] | None = None
) -> dict[str, str]:
    """Cell → number format for the cells of ``cells`` in amount / rate columns.

    ``fields`` limits it to those columns (default: every column of a formatted kind).
    """
    by_letter = {
        column_letter(col): code for col, code in formats_by_column(sheet_layout, fields).items()
    }
    out: dict[str, str] = {}
    for cell in cells:
        code = by_letter.get(cell.rstrip("0123456789"))
        if code is not None:
            out[cell] = code
    return out
