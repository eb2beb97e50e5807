"""Shared look of the template: font, header style, number formats, fills, protection, printing."""

from __future__ import annotations

from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Color, Font, PatternFill, Protection, Side
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from xlkpi.layout import (
    AMOUNT_FORMAT,
    FIRST_DATA_ROW,
    HEADER_ROW,
    LAST_DATA_ROW,
    PLAN_HELPER,
    SheetLayout,
)
from xlkpi.payplans import PLAN_LABELS

NUMBER_FORMAT = "0.##"
PERCENT_FORMAT = "0.00%"  # a completion rate
DATE_FORMAT = "yyyy-mm-dd"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
# A CJK-capable default font: 等线 (Excel's Chinese default; WPS falls back to 宋体). Styled fonts
# (bold headers, notes) name no font and so keep the default's family. No charset / family
# elements: openpyxl writes them in an order the OOXML audit rejects (tests/test_format_proof).
FONT_NAME = "等线"
DEFAULT_FONT = Font(name=FONT_NAME, family=2, color=Color(theme=1), sz=11)  # as openpyxl's own
HEADER_FONT = Font(bold=True)
_THIN = Side(style="thin", color="A6A6A6")
HEADER_BORDER = Border(bottom=_THIN)
UNLOCKED = Protection(locked=False)
RIGHT = Alignment(horizontal="right")
INPUT_FILL = PatternFill("solid", fgColor="FFF9E5")  # every input cell: one colour
COMPUTED_FILL = PatternFill("solid", fgColor="EEF3F8")  # every computed cell: another
NOT_READ_FILL = PatternFill("solid", fgColor="D9D9D9")  # a cell the row's plan does not read
# Column-width units that fit an A4 page at 100 % (0.4" side margins), portrait and landscape;
# wider sheets print landscape, scaled to one page wide down to MIN_PRINT_SCALE, then over
# several pages across (docs/template.md, "Printing").
PORTRAIT_WIDTH = 95
LANDSCAPE_WIDTH = 138
MIN_PRINT_SCALE = 0.7

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
    lines = max((header_lines(c.header, c.width) for c in sheet.columns), default=1)
    ws.row_dimensions[HEADER_ROW].height = HEADER_LINE_HEIGHT * lines
    ws.freeze_panes = f"A{FIRST_DATA_ROW}"


HEADER_LINE_HEIGHT = 15  # points per line of an 11-point bold header


def header_lines(text: str, width: float) -> int:
    """Lines a wrapped header takes in a column ``width`` units wide (a CJK character is two
    units, others one): the header row is made that tall, so no header runs into the data."""
    units = sum(2 if ord(ch) > 0x2E7F else 1 for ch in text) + 1
    return max(1, -(-units // max(int(width) - 1, 1)))


def unlock_inputs(ws: Worksheet, sheet: SheetLayout, last_row: int) -> None:
    """Unlock the input columns (everything but formulas) and set their number formats."""
    for column in sheet.columns:
        if column.kind in ("formula", "helper"):
            continue
        letter = sheet.letter(column.field)
        number_format = FORMATS.get(column.kind)
        # numbers and a 不适用 in their place line up at the right
        aligned = number_format is not None and column.kind != "date"
        for row in range(FIRST_DATA_ROW, last_row + 1):
            cell = ws[f"{letter}{row}"]
            cell.protection = UNLOCKED
            if number_format:
                cell.number_format = number_format
            if aligned:
                cell.alignment = RIGHT
    fill_columns(ws, sheet, last_row)
    ws.protection.sheet = True
    allow_row_edits(ws)


def font(**kwargs: object) -> Font:
    """A styled font on the workbook's default family (``bold=True``, ``size=14``, ``color=…``)."""
    return Font(**kwargs)  # type: ignore[arg-type]


def set_default_font(wb: Workbook) -> None:
    """Make :data:`DEFAULT_FONT` the workbook's default (font 0 and the Normal style)."""
    wb._fonts = IndexedList([DEFAULT_FONT])
    wb._named_styles["Normal"].font = DEFAULT_FONT


def fill_columns(ws: Worksheet, sheet: SheetLayout, last_row: int) -> None:
    """Input cells get :data:`INPUT_FILL`, computed (formula) cells :data:`COMPUTED_FILL`."""
    for column in sheet.columns:
        if column.kind == "helper":
            continue
        fill = INPUT_FILL if column.is_input else COMPUTED_FILL
        letter = sheet.letter(column.field)
        for row in range(FIRST_DATA_ROW, last_row + 1):
            ws[f"{letter}{row}"].fill = fill


def shade_not_read(ws: Worksheet, sheet: SheetLayout, policy: object, last_row: int) -> None:
    """Grey, by conditional format, each input cell the row's plan does not read.

    Keyed on the sheet's 岗位 helper column (the roster's plan label) and derived from each
    column's readers in the contract (:meth:`xlkpi.layout.Column.readers`).
    """
    if PLAN_HELPER.field not in {c.field for c in sheet.columns}:
        return
    plan = f"${sheet.letter(PLAN_HELPER.field)}{FIRST_DATA_ROW}"
    for column in sheet.columns:
        readers = column.readers(policy)
        if not column.is_input or readers is None:
            continue
        labels = sorted(PLAN_LABELS[p][0] for p in readers if p in PLAN_LABELS)
        checks = ",".join([f'{plan}<>""', *(f'{plan}<>"{label}"' for label in labels)])
        letter = sheet.letter(column.field)
        ws.conditional_formatting.add(
            f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}",
            FormulaRule(formula=[f"AND({checks})"], fill=NOT_READ_FILL, stopIfTrue=True),
        )


def allow_row_edits(ws: Worksheet) -> None:
    """On a protected input sheet HR may insert and delete rows (and sort, filter)."""
    ws.protection.insertRows = False  # False = not protected = allowed
    ws.protection.deleteRows = False
    ws.protection.sort = False
    ws.protection.autoFilter = False


def print_setup(
    ws: Worksheet,
    title_rows: int | None = HEADER_ROW,
    columns: int | None = None,
    title_header: str = "姓名",
    last_row: int = LAST_DATA_ROW,
) -> None:
    """A4, landscape when the printed columns are wide, the header row repeated on every page.

    One page wide (any number tall) while that keeps the print at :data:`MIN_PRINT_SCALE` or
    more; a wider sheet (the 工资表) prints as few pages across as keep that scale, with its
    columns up to ``title_header`` (工号, 姓名) repeated at the left of each. ``columns``: the
    number of columns printed (a print area ``A1:…`` down to ``last_row``, the sheet's
    ``layout.data_last_row`` bound), default all. Not whole columns: LibreOffice saves
    ``A1:AU1048576`` back as ``工资表!$A:$AU``, a print area openpyxl cannot load (it warns and
    drops it).
    """
    last = columns or ws.max_column
    widths = []
    for index in range(1, last + 1):
        dim = ws.column_dimensions[_letter(index)]
        widths.append(0.0 if dim.hidden else (dim.width or 8.43))
    width = sum(widths)
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    landscape = width > PORTRAIT_WIDTH
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    page = LANDSCAPE_WIDTH if landscape else PORTRAIT_WIDTH
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    if title_rows is not None:
        ws.print_title_rows = f"{title_rows}:{title_rows}"
    if columns is not None:
        ws.print_area = f"A1:{_letter(last)}{last_row}"
    if width <= page / MIN_PRINT_SCALE:
        return
    title = _title_columns(ws, title_header)
    repeated = sum(widths[:title])
    per_page = page / MIN_PRINT_SCALE
    pages = 2
    while (width + repeated * (pages - 1)) / pages > per_page:
        pages += 1
    ws.page_setup.fitToWidth = pages
    ws.print_options.horizontalCentered = False
    if title:
        ws.print_title_cols = f"A:{_letter(title)}"


def _title_columns(ws: Worksheet, header: str) -> int:
    """How many leading columns, up to the one headed ``header`` (among the first three)."""
    for index in range(1, 4):
        if ws.cell(row=HEADER_ROW, column=index).value == header:
            return index
    return 0


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)
