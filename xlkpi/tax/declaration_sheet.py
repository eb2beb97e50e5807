"""The 个税 sheet: per employee, the month's figures a withholding declaration asks for.

Written by recalc (values, rows from 2, one per employee in roster order): this period's
income and the individual's social insurance and housing fund by item, the year's special
additional deductions by item (earlier months from 历史, plus this month's entry), the
cumulative income, basic deduction, special deductions, other deductions, taxable income,
rate and quick deduction, the cumulative tax, what earlier months withheld and this month's
withholding; the year-end bonus taxed separately and merged, side by side, and the way
applied. Money cells are formatted ``#,##0.00`` and the rate as a percentage; a 个税 sheet
of an older layout is written anew with the current headers (:mod:`xlkpi.sheet_upgrade`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from xlkpi.engine import EmployeeResult, MonthResult
from xlkpi.inputs import HistoryRecord, Month
from xlkpi.layout import (
    BONUS_METHODS,
    FIRST_DATA_ROW,
    TAX_ITEM_HEADERS,
    TAX_SHEET,
    column_letter,
)
from xlkpi.money import ZERO
from xlkpi.tax.ledger import year_records
from xlkpi.workbook.xlsx_patch import SheetEdit

if TYPE_CHECKING:
    from xlkpi.workbook.reader import WorkbookContents


def tax_row(r: EmployeeResult, month: Month, earlier: list[HistoryRecord]) -> dict[str, Any]:
    """Field of :data:`xlkpi.layout.TAX_SHEET` → value for one employee (empty without 实发)."""
    pay = r.pay
    if pay is None:
        return {}
    w = pay.withholding
    values: dict[str, Any] = {
        "id": r.employee.id,
        "name": r.employee.name,
        "tax_months": w.months,
        "income": pay.taxable_income,
        "cumulative_income": w.cumulative_income,
        "cumulative_basic": w.basic_deduction,
        "cumulative_deductions": w.cumulative_deductions,
        "cumulative_other": w.cumulative_other,
        "cumulative_taxable": w.taxable,
        "rate": w.rate,
        "quick_deduction": w.quick_deduction,
        "cumulative_tax": w.tax_due,
        "withheld_before": w.withheld_before,
        "tax": w.tax,
    }
    for code in ("si_pension", "si_medical", "si_unemployment", "housing_fund"):
        line = pay.line(code)
        values[code] = -line.amount if line is not None else ZERO
    if pay.bonus is not None:  # both ways side by side, and the one applied
        values["year_end_bonus"] = pay.bonus.bonus
        values["bonus_separate"] = pay.bonus.separate_tax
        values["bonus_merged"] = pay.bonus.merged_tax
        values["bonus_method"] = BONUS_METHODS[pay.bonus_method]
    entry = month.tax_inputs.get(r.employee.id)
    earlier_items = [dict(record.additional_items) for record in earlier]
    for item in TAX_ITEM_HEADERS:
        total: Decimal = getattr(entry, item) if entry is not None else ZERO
        total += sum((items.get(item, ZERO) for items in earlier_items), ZERO)
        values[f"item:{item}"] = total
    return values


def tax_sheet_rows(result: MonthResult, month: Month) -> dict[int, dict[int, Any]]:
    """Row → {column → value} of the 个税 sheet's data rows for a computed month."""
    ledgers = year_records(month.history, month.month)
    numbers = [(c.field, i + 1) for i, c in enumerate(TAX_SHEET.columns)]
    rows: dict[int, dict[int, Any]] = {}
    row = FIRST_DATA_ROW
    for r in result.results:
        values = tax_row(r, month, ledgers.get(r.employee.id, []))
        if not values:
            continue
        cells: dict[int, Any] = {}
        for fieldname, col in numbers:
            value = values.get(fieldname)
            if value is not None:
                cells[col] = value
        rows[row] = cells
        row += 1
    return rows


def tax_sheet_values(result: MonthResult, month: Month) -> dict[str, Any]:
    """Cell → value of the 个税 sheet's data rows for a computed month."""
    return {
        f"{column_letter(col)}{row}": value
        for row, cells in tax_sheet_rows(result, month).items()
        for col, value in cells.items()
    }


def tax_sheet_edit(result: MonthResult, contents: WorkbookContents) -> SheetEdit:
    """The recalc edit of the 个税 sheet: its rows, formatted, and its header if outdated."""
    from xlkpi import sheet_upgrade

    assert contents.month is not None
    edit = SheetEdit(
        rows=tax_sheet_rows(result, contents.month),
        style_from_row=FIRST_DATA_ROW,
        clear_rows_from=FIRST_DATA_ROW,
        column_formats=sheet_upgrade.formats_by_column(TAX_SHEET),
    )
    sheet = contents.sheets.get(TAX_SHEET.name)
    if sheet is not None and sheet_upgrade.outdated(sheet, TAX_SHEET):
        edit = sheet_upgrade.header_edit(edit, contents.path, sheet, TAX_SHEET)
    return edit
