"""Workbooks made before 实发 (issue 10) still check, recalc, close and start the next month.

A month is built with the current template, then stripped with openpyxl back to the older
shape: the 工资表 without the net-pay columns (its total column still labelled 实发合计), 历史
without the ledger columns, no 专项附加扣除 sheet, a 个税 sheet of an older layout.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from tests.cycle_support import fill_inputs
from workbook_templates import build_workbook
from xlkpi import layout
from xlkpi.check import check
from xlkpi.month_cycle import close, new_month
from xlkpi.recalc import recalc
from xlkpi.sample_data import demo_month
from xlkpi.workbook.xlsx_patch import read_sheet

PAYROLL, HISTORY, TAX_SHEET = layout.PAYROLL, layout.HISTORY, layout.TAX_SHEET
OLD_TAX_COLUMNS = 4  # the 个税 sheet of the first 实发 version ended with one bonus column


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("built") / "2026-10.xlsx"
    build_workbook(path, month=demo_month())
    return path


def _strip(path: Path) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb[PAYROLL.name]
    heads = [c.value for c in ws[1]]
    ws.delete_cols(heads.index("全年一次性奖金") + 1, len(layout.NET_PAY_COLUMNS))
    ws.cell(1, heads.index("应发工资") + 1).value = "实发合计"
    history = wb[HISTORY.name]
    first = [c.value for c in history[1]].index("本期收入") + 1
    history.delete_cols(first, len(layout.HISTORY_LEDGER))
    del wb[layout.TAX_INPUTS.name]
    wb[TAX_SHEET.name].delete_cols(len(TAX_SHEET.columns) - OLD_TAX_COLUMNS + 1, OLD_TAX_COLUMNS)
    wb.save(path)


@pytest.fixture
def old_book(built: Path, tmp_path: Path) -> Path:
    path = tmp_path / "2026-10.xlsx"
    shutil.copy(built, path)
    _strip(path)
    return path


def _rows(path: Path, name: str) -> list[dict[str, object]]:
    rows = read_sheet(path, name)
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:] if row and row[0]]


def test_check_warns_that_the_ledger_starts_this_month(old_book: Path) -> None:
    report = check(old_book)
    assert report.ok, report.problems
    [note] = [n for n in report.notes if "累计预扣从本月开始" in n]
    assert note.startswith(f"{HISTORY.name}!A1") and "new-month" in note


def test_recalc_rewrites_the_payroll_and_tax_sheet_in_the_current_layout(old_book: Path) -> None:
    result = recalc(old_book).result
    wb = openpyxl.load_workbook(old_book)
    ws = wb[PAYROLL.name]
    assert [c.value for c in ws[1]][: len(PAYROLL.columns)] == PAYROLL.headers
    for column in PAYROLL.columns:  # the new columns visible, the helpers hidden again
        letter = PAYROLL.letter(column.field)
        assert ws.column_dimensions[letter].hidden == (column.kind == "helper"), column.header
    assert ws.cell(1, 1).font.b and ws[f"{PAYROLL.letter('net')}1"].font.b  # header style
    block = ws["D2"].value  # the pay block D..AB is the add-in's array formula again
    assert isinstance(block, openpyxl.worksheet.formula.ArrayFormula)
    assert "PAY_TABLE(" in block.text and block.ref.endswith(f"{len(result.results) + 1}")
    net = {r["工号"]: r for r in _rows(old_book, PAYROLL.name)}
    for r in result.results:
        assert net[r.employee.id]["实发合计"] == float(r.pay.net)
        assert net[r.employee.id]["应发工资"] == float(r.total)
    taxes = wb[TAX_SHEET.name]
    assert [c.value for c in taxes[1]] == TAX_SHEET.headers
    assert len(_rows(old_book, TAX_SHEET.name)) == len(result.results)
    # the ledger starts in October: one month employed for someone hired before the year
    veteran = next(r for r in result.results if r.employee.hire_date.year < 2026)
    assert veteran.pay.withholding.months == 1


def test_an_older_month_closes_and_starts_the_next_with_the_ledger(
    old_book: Path, tmp_path: Path
) -> None:
    recalc(old_book)
    close(old_book)
    november = tmp_path / "2026-11.xlsx"
    new_month("2026-11", november, source=old_book)
    heads = read_sheet(november, HISTORY.name)[0]
    assert [c.header for c in layout.HISTORY_LEDGER] == [
        h for h in heads if h in {c.header for c in layout.HISTORY_LEDGER}
    ]
    october = [r for r in _rows(november, HISTORY.name) if r["月份"] == "2026-10"]
    assert october and all(r["本期收入"] != "" for r in october)
    demo = demo_month()
    fill_inputs(november, demo.inputs, demo.public_sales, shops=demo.shops)
    result = recalc(november).result
    veteran = next(r for r in result.results if r.employee.hire_date.year < 2026)
    w = veteran.pay.withholding
    assert w.months == 2  # October (the first ledger month) and November
    first = next(r for r in october if r["工号"] == veteran.employee.id)
    assert w.withheld_before == Decimal(str(first["本期预扣个税"]))


def test_the_total_row_sums_every_money_column(built: Path, tmp_path: Path) -> None:
    path = tmp_path / "2026-10.xlsx"
    shutil.copy(built, path)
    result = recalc(path).result
    rows = read_sheet(path, PAYROLL.name)
    heads = rows[0]
    n = len(result.results)
    total_row = rows[n + 1]
    assert total_row[0] == layout.PAYROLL_TOTAL_LABEL
    formulas = openpyxl.load_workbook(path)[PAYROLL.name]
    money = ["应发工资", *layout.NET_PAY_COLUMNS.values()]
    for header in money:
        col = heads.index(header)
        column = [Decimal(str(row[col] or 0)) for row in rows[1 : n + 1]]
        assert Decimal(str(total_row[col])) == sum(column, Decimal(0)), header
        letter = layout.column_letter(col + 1)
        want = "=" + layout.money_sum_formula(letter, n + 1)  # native: no UDF call
        assert formulas.cell(n + 2, col + 1).value == want
    gross = Decimal(str(total_row[heads.index("应发合计")]))
    deductions = Decimal(str(total_row[heads.index("扣款合计")]))
    assert Decimal(str(total_row[heads.index("实发合计")])) == gross - deductions
    assert sum((r.pay.net for r in result.results), Decimal(0)) == gross - deductions
    assert deductions > 0


def _formats(path: Path, sheet: str, row: int, headers: list[str]) -> dict[str, str]:
    ws = openpyxl.load_workbook(path)[sheet]
    heads = [c.value for c in ws[1]]
    return {h: ws.cell(row, heads.index(h) + 1).number_format for h in headers}


def test_number_formats_of_the_tax_sheet_history_and_payroll(
    old_book: Path, tmp_path: Path
) -> None:
    recalc(old_book)
    money = ["本期收入", "累计应纳税所得额", "本期应预扣税额", "累计减除费用"]
    formats = _formats(old_book, TAX_SHEET.name, 2, [*money, "税率"])
    assert formats == {**dict.fromkeys(money, "#,##0.00"), "税率": "0%"}
    net = _formats(old_book, PAYROLL.name, 2, list(layout.NET_PAY_COLUMNS.values()))
    assert set(net.values()) == {"#,##0.00"}
    november = tmp_path / "2026-11.xlsx"
    new_month("2026-11", november, source=old_book)
    rows = read_sheet(november, HISTORY.name)
    last = len(rows)  # the October rows new-month appended to the older 历史
    ledger = ["本期收入", "本期预扣个税", "累计收入", "累计已预扣个税"]
    assert set(_formats(november, HISTORY.name, last, ledger).values()) == {"#,##0.00"}
    demo = demo_month()
    fill_inputs(november, demo.inputs, demo.public_sales, shops=demo.shops)
    recalc(november)  # the 个税 sheet of a later month: formatted again
    assert _formats(november, TAX_SHEET.name, 2, ["本期收入", "税率"]) == {
        "本期收入": "#,##0.00",
        "税率": "0%",
    }


def test_recalc_twice_adds_no_styles(built: Path, tmp_path: Path) -> None:
    path = tmp_path / "2026-10.xlsx"
    shutil.copy(built, path)
    recalc(path)
    count = len(openpyxl.load_workbook(path)._cell_styles)
    recalc(path)
    assert len(openpyxl.load_workbook(path)._cell_styles) == count
