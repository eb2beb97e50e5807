"""The 个税 sheet: recalc writes the withholding declaration's figures, by item, per month."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from tests.cycle_support import fill_inputs, patch_cell, write_book
from xlkpi import layout
from xlkpi.inputs import TaxInput
from xlkpi.month_cycle import new_month
from xlkpi.recalc import recalc
from xlkpi.sample_data import demo_month
from xlkpi.workbook.xlsx_patch import read_sheet


def _rows(path: Path, name: str) -> list[dict[str, object]]:
    rows = read_sheet(path, name)
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:] if row and row[0]]


def test_the_tax_sheet_and_the_payroll_show_the_year_so_far(tmp_path: Path) -> None:
    """22,000 a month, 3,850 social insurance, 1,500 rent: 11,650 taxable a month.

    October 3% × 11,650 = 349.50; November 3% × 23,300 − 349.50 = 349.50.
    """
    demo = demo_month()
    emp = replace(next(e for e in demo.employees if e.plan == "designer"), base_pay=Decimal(22000))
    # a score below 60 earns no performance pay: the month's income is the base pay alone
    inputs = {emp.id: replace(demo.inputs[emp.id], score=Decimal(55))}
    rent = {emp.id: TaxInput(emp.id, housing_rent=Decimal(1500))}
    month = replace(demo, employees=[emp], inputs=inputs, history=[], shops=[], tax_inputs=rent)
    october = write_book(tmp_path / "2026-10.xlsx", month)
    assert recalc(october).result.results[0].pay.withholding.tax == Decimal("349.50")
    november = tmp_path / "2026-11.xlsx"
    new_month("2026-11", november, source=october)
    fill_inputs(november, inputs, Decimal(0))
    result = recalc(november).result.results[0]
    [row] = _rows(november, layout.TAX_SHEET.name)
    assert row["工号"] == emp.id and row["本年任职月数"] == 2 and row["本期收入"] == 22000
    assert row["本期基本养老保险"] == 1760 and row["本期住房公积金"] == float(
        -result.pay.line("housing_fund").amount
    )
    assert row["累计住房租金"] == 3000 and row["累计子女教育"] == 0  # the rent carried over
    assert row["累计收入"] == 44000 and row["累计减除费用"] == 10000
    assert row["累计专项扣除"] == 7700 and row["累计应纳税所得额"] == 23300
    assert row["累计应纳税额"] == 699 and row["累计已预扣税额"] == 349.5
    assert row["本期应预扣税额"] == 349.5
    [pay] = _rows(november, layout.PAYROLL.name)[:1]
    assert pay["应发工资"] == 22000 and pay["应发合计"] == 22000
    assert pay["个人所得税"] == 349.5 and pay["扣款合计"] == 3850 + 349.5
    assert pay["实发合计"] == 22000 - 3850 - 349.5
    rent_cell = f"{layout.TAX_INPUTS.letter('housing_rent')}2"
    patch_cell(november, layout.TAX_INPUTS.name, rent_cell, 0)  # rent stopped: recalc follows
    assert recalc(november).result.results[0].pay.withholding.tax == Decimal("394.50")


def test_the_bonus_method_per_employee_and_the_cliff_alert(tmp_path: Path) -> None:
    """8,000 wage (no social insurance) + 36,001 bonus: wage tax 3% × 3,000 = 90.00; separate
    36,001 × 10% − 210 = 3,390.10; merged 39,001 × 10% − 2,520 = 1,380.10 (1,290.10 more)."""
    from xlkpi.check import check

    demo = demo_month()
    emp = replace(next(e for e in demo.employees if e.plan == "designer"), base_pay=Decimal(8000))
    inputs = {emp.id: replace(demo.inputs[emp.id], score=Decimal(55))}
    bonus = {emp.id: TaxInput(emp.id, contribution_base=Decimal(0), year_end_bonus=Decimal(36001))}
    month = replace(demo, employees=[emp], inputs=inputs, history=[], shops=[], tax_inputs=bonus)
    book = write_book(tmp_path / "2026-10.xlsx", month)
    base = f"{layout.TAX_INPUTS.letter('contribution_base')}2"
    patch_cell(book, layout.TAX_INPUTS.name, base, 0)  # 0 = not enrolled
    report = check(book)
    assert report.result is not None
    [alert] = [a for a in report.result.alerts if a.code == "bonus_cliff"]
    assert "建议降低1.00元至36,000.00元" in alert.message
    recalc(book)
    [row] = _rows(book, layout.TAX_SHEET.name)
    assert row["全年一次性奖金"] == 36001 and row["年终奖计税方式"] == "单独计税"
    assert row["年终奖单独计税税额"] == 3390.1 and row["年终奖并入综合所得税额"] == 1290.1
    assert row["本期收入"] == 8000 and row["本期应预扣税额"] == 90
    [pay] = _rows(book, layout.PAYROLL.name)[:1]
    assert pay["年终奖个税"] == 3390.1 and pay["实发合计"] == 44001 - 90 - 3390.1
    assert any("36,000.00" in str(r["内容"]) for r in _rows(book, layout.ALERTS.name))
    method = f"{layout.TAX_INPUTS.letter('bonus_method')}2"
    patch_cell(book, layout.TAX_INPUTS.name, method, "并入综合所得")
    result = recalc(book).result
    assert not [a for a in result.alerts if a.code == "bonus_cliff"]
    [row] = _rows(book, layout.TAX_SHEET.name)
    assert row["年终奖计税方式"] == "并入综合所得" and row["本期应预扣税额"] == 1380.1
    assert row["年终奖单独计税税额"] == 3390.1  # still shown beside the one applied
    [pay] = _rows(book, layout.PAYROLL.name)[:1]
    assert pay["个人所得税"] == 1380.1 and pay["年终奖个税"] == 0
    assert pay["实发合计"] == 44001 - 1380.1


def test_new_month_carries_the_ledger_and_january_starts_the_year_again(tmp_path: Path) -> None:
    """22,000 a month, 3,850 social insurance: December (the 12th month since January has
    no history here: the ledger's first month) withholds 3% × 13,150 = 394.50; January
    starts again from nothing and withholds the same 394.50."""
    demo = demo_month("2026-12")
    emp = replace(next(e for e in demo.employees if e.plan == "designer"), base_pay=Decimal(22000))
    inputs = {emp.id: replace(demo.inputs[emp.id], score=Decimal(55))}
    month = replace(demo, employees=[emp], inputs=inputs, history=[], shops=[], tax_inputs={})
    december = write_book(tmp_path / "2026-12.xlsx", month)
    assert recalc(december).result.results[0].pay.withholding.tax == Decimal("394.50")
    january = tmp_path / "2027-01.xlsx"
    new_month("2027-01", january, source=december)
    [carried] = [r for r in _rows(january, layout.HISTORY.name) if r["月份"] == "2026-12"]
    assert carried["本期收入"] == 22000 and carried["本期预扣个税"] == 394.5
    assert carried["本年任职月数"] == 1 and carried["累计已预扣个税"] == 394.5
    fill_inputs(january, inputs, Decimal(0))
    w = recalc(january).result.results[0].pay.withholding
    assert (w.months, w.cumulative_income, w.withheld_before) == (1, 22000, 0)
    assert w.tax == Decimal("394.50")
    [row] = _rows(january, layout.TAX_SHEET.name)
    assert row["累计收入"] == 22000 and row["累计已预扣税额"] == 0


def test_the_tax_sheet_formats_its_money_and_rate_columns(tmp_path: Path) -> None:
    """Every written row: money as #,##0.00, the rate as a percentage, text as it is."""
    import openpyxl

    from xlkpi.sheet_upgrade import FORMATS

    book = write_book(tmp_path / "m.xlsx", demo_month())
    recalc(book)
    ws = openpyxl.load_workbook(book)[layout.TAX_SHEET.name]
    written = [r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value]
    assert len(written) >= 5
    kinds = {i + 1: c.kind for i, c in enumerate(layout.TAX_SHEET.columns)}
    assert "amount" in kinds.values() and any(k in FORMATS for k in kinds.values())
    for r in written:
        for col, kind in kinds.items():
            cell = ws.cell(r, col)
            if cell.value is None:
                continue
            assert cell.number_format == FORMATS.get(kind, "General"), (cell.coordinate, kind)
