"""The template's look as stored in the file: font, fills, 不适用 shading, protection, printing."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import openpyxl.worksheet.worksheet
import pytest

from workbook_templates import build_workbook
from workbook_templates.style import (
    COMPUTED_FILL,
    FONT_NAME,
    INPUT_FILL,
    LANDSCAPE_WIDTH,
    MIN_PRINT_SCALE,
    NOT_READ_FILL,
    PORTRAIT_WIDTH,
)
from xlkpi import layout
from xlkpi.payplans import PLAN_LABELS
from xlkpi.policy_io import default_policy

INPUT_SHEETS = (layout.ROSTER, layout.ATTENDANCE, layout.SALES, layout.SHOPS, layout.TEAMS)


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    path = build_workbook(Path(tmp_path_factory.mktemp("style")) / "t.xlsx")
    return openpyxl.load_workbook(path)


def printed_width(ws: openpyxl.worksheet.worksheet.Worksheet, columns: int) -> float:
    dims = [ws.column_dimensions[layout.column_letter(i)] for i in range(1, columns + 1)]
    return sum(0 if d.hidden else (d.width or 8.43) for d in dims)


def test_every_visible_sheet_prints_on_a4_with_its_header_repeated(
    book: openpyxl.Workbook,
) -> None:
    for ws in book.worksheets:
        if ws.sheet_state != "visible":
            continue
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_setup.fitToHeight == 0, ws.title
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4), ws.title
        if ws.title != layout.README:
            assert ws.print_title_rows == "$1:$1", ws.title


def test_a_sheet_fits_one_page_wide_unless_that_would_print_it_below_the_minimum_scale(
    book: openpyxl.Workbook,
) -> None:
    for ws in book.worksheets:
        if ws.sheet_state != "visible":
            continue
        columns = ws.max_column
        if ws.title == layout.PAYROLL.name:
            columns = len(layout.PAYROLL.columns) - len(layout.PAYROLL_HELPERS)
        page = LANDSCAPE_WIDTH if ws.page_setup.orientation == "landscape" else PORTRAIT_WIDTH
        one_page = printed_width(ws, columns) <= page / MIN_PRINT_SCALE
        assert (ws.page_setup.fitToWidth == 1) == one_page, ws.title
        if not one_page:  # 工号 and 姓名 repeated at the left of each page across
            assert ws.print_title_cols in ("$A:$B", "$A:$C"), ws.title
            name = layout.ROSTER.column("name").header
            assert ws[f"{ws.print_title_cols[-1]}1"].value == name, ws.title


def test_the_payroll_prints_landscape_over_pages_across_with_id_and_name_repeated(
    book: openpyxl.Workbook,
) -> None:
    ws = book[layout.PAYROLL.name]
    columns = len(layout.PAYROLL.columns) - len(layout.PAYROLL_HELPERS)
    assert ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == "$1:$1" and ws.print_title_cols == "$A:$B"
    last = layout.column_letter(columns)
    # no notice column; rows to the staff sheets' bound, not whole columns (LibreOffice would
    # save those as $A:$AU, which openpyxl cannot read back)
    assert ws.print_area == f"'{ws.title}'!$A$1:${last}${layout.data_last_row(0)}"
    pages = ws.page_setup.fitToWidth
    repeated = printed_width(ws, 2)
    per_page = (printed_width(ws, columns) + repeated * (pages - 1)) / pages
    assert per_page <= LANDSCAPE_WIDTH / MIN_PRINT_SCALE  # at least the minimum scale
    assert pages >= 2


def test_wide_sheets_print_landscape_and_narrow_ones_portrait(book: openpyxl.Workbook) -> None:
    assert book[layout.PAYROLL.name].page_setup.orientation == "landscape"
    assert book[layout.POLICY].page_setup.orientation == "landscape"
    narrow = book[layout.TEAMS.name]
    width = sum(narrow.column_dimensions[c].width or 8.43 for c in "ABCD")
    assert width <= PORTRAIT_WIDTH
    assert narrow.page_setup.orientation == "portrait"


def test_the_default_font_is_cjk_capable(book: openpyxl.Workbook) -> None:
    assert book._fonts[0].name == FONT_NAME
    assert book._named_styles["Normal"].font.name == FONT_NAME


def test_input_cells_have_one_fill_and_computed_cells_another(book: openpyxl.Workbook) -> None:
    ws = book[layout.SALES.name]
    sales, name = layout.SALES.letter("sales"), layout.SALES.letter("name")
    assert ws[f"{sales}2"].fill.fgColor.rgb == INPUT_FILL.fgColor.rgb
    assert ws[f"{name}2"].fill.fgColor.rgb == COMPUTED_FILL.fgColor.rgb
    assert INPUT_FILL.fgColor.rgb != COMPUTED_FILL.fgColor.rgb


def test_columns_a_plan_does_not_read_are_shaded_from_the_contract(
    book: openpyxl.Workbook,
) -> None:
    policy = default_policy()
    ws = book[layout.SALES.name]
    rules = {
        str(cf.sqref).split(":")[0].rstrip("0123456789"): rule
        for cf in ws.conditional_formatting
        for rule in cf.rules
        if rule.dxf is not None
        and rule.dxf.fill is not None
        and rule.dxf.fill.fgColor.rgb == NOT_READ_FILL.fgColor.rgb
    }
    for column in layout.SALES.inputs:
        readers = column.readers(policy)
        letter = layout.SALES.letter(column.field)
        if readers is None:
            assert letter not in rules, column.header
            continue
        formula = rules[letter].formula[0]
        for plan, (label, *_rest) in PLAN_LABELS.items():
            assert (f'"{label}"' in formula) == (plan in readers), (column.header, plan)


def test_input_sheets_let_hr_insert_and_delete_rows(book: openpyxl.Workbook) -> None:
    for sheet in INPUT_SHEETS:
        protection = book[sheet.name].protection
        assert protection.sheet is True, sheet.name
        assert protection.insertRows is False and protection.deleteRows is False, sheet.name
    payroll = book[layout.PAYROLL.name].protection
    assert payroll.sheet is True and payroll.insertRows is not False


def test_the_public_sales_cell_is_an_unlocked_input(book: openpyxl.Workbook) -> None:
    cell = book[layout.SHOPS.name][layout.PUBLIC_SALES_CELL]
    assert cell.protection.locked is False
    assert cell.fill.fgColor.rgb == INPUT_FILL.fgColor.rgb
