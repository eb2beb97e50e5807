"""Shared look of the template: header style, number formats, unlocked input columns."""

from __future__ import annotations

from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.worksheet import Worksheet

from xlkpi.layout import FIRST_DATA_ROW, HEADER_ROW, SheetLayout

AMOUNT_FORMAT = "#,##0.00"
NUMBER_FORMAT = "0.##"
DATE_FORMAT = "yyyy-mm-dd"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_FONT = Font(bold=True)
_THIN = Side(style="thin", color="A6A6A6")
HEADER_BORDER = Border(bottom=_THIN)
UNLOCKED = Protection(locked=False)
INPUT_FILL = PatternFill("solid", fgColor="FFF9E5")  # every input cell: one colour
COMPUTED_FILL = PatternFill("solid", fgColor="EEF3F8")  # every computed cell: another

FORMATS = {
    "amount": AMOUNT_FORMAT,
    "date": DATE_FORMAT,
    "count": "0",
    "days": NUMBER_FORMAT,
    "hours": NUMBER_FORMAT,
    "score": NUMBER_FORMAT,
    "ratio": "0.####",
    "points": NUMBER_FORMAT,
}


def style_header(ws: Worksheet, sheet: SheetLayout) -> None:
    """Bold, filled header row; column widths; frozen below the header."""
    for i, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(row=HEADER_ROW, column=i)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.border = HEADER_BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[sheet.letter(column.field)].width = column.width
    ws.freeze_panes = f"A{FIRST_DATA_ROW}"


def unlock_inputs(ws: Worksheet, sheet: SheetLayout, last_row: int) -> None:
    """Unlock the input columns (everything but formulas) and set their number formats."""
    for column in sheet.columns:
        if column.kind in ("formula", "helper"):
            continue
        letter = sheet.letter(column.field)
        number_format = FORMATS.get(column.kind)
        for row in range(FIRST_DATA_ROW, last_row + 1):
            cell = ws[f"{letter}{row}"]
            cell.protection = UNLOCKED
            if number_format:
                cell.number_format = number_format
    ws.protection.sheet = True
