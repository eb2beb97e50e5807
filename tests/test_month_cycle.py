"""new-month carries the month forward (history once, inputs cleared); close seals it."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from tests.cycle_support import fill_inputs, set_cell, write_book
from xlkpi.errors import SealedMonthError, WorkbookError
from xlkpi.inputs import HistoryRecord
from xlkpi.layout import (
    ALERTS,
    ATTENDANCE,
    HISTORY,
    NOT_APPLICABLE,
    PAYROLL,
    PLAN_BY_LABEL,
    ROSTER,
    SALES,
    SheetLayout,
    column_letter,
    month_columns,
)
from xlkpi.month_cycle import close, new_month
from xlkpi.policy_io import default_policy
from xlkpi.recalc import recalc
from xlkpi.sample_data import demo_month
from xlkpi.workbook.reader import read_workbook
from xlkpi.workbook.xlsx_patch import read_sheet


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return write_book(tmp_path / "2026-10.xlsx", demo_month())


def history_months(path: Path) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in read_sheet(path, HISTORY.name)[1:] if r[0]]


def test_new_month_carries_forward(book: Path, tmp_path: Path) -> None:
    result = recalc(book).result
    out = tmp_path / "2026-11.xlsx"
    r = new_month("2026-11", out, source=book)
    assert (r.history_added, r.history_skipped, r.employees) == (38, 0, 38)
    contents = read_workbook(out)
    assert contents.month_name == "2026-11" and contents.status == "new"
    assert contents.meta.get("input_hash", "") == ""
    months = history_months(out)
    assert months.count(("2026-10", "E00001")) == 1
    assert len([m for m in months if m[0] == "2026-10"]) == 38
    rows = read_sheet(out, HISTORY.name)
    last = next(r for r in rows if r[0] == "2026-10" and r[1] == result.results[-1].employee.id)
    assert str(last[6]) == str(float(result.results[-1].total))
    # roster and policy carried, inputs cleared, payroll and alerts emptied
    assert read_sheet(out, "花名册") == read_sheet(book, "花名册")
    assert read_sheet(out, "参数") == read_sheet(book, "参数")
    assert cleared_or_not_applicable(out, ATTENDANCE) and cleared_or_not_applicable(out, SALES)
    assert read_sheet(out, "业绩")[1][0] == "E00001"
    sales_row = read_sheet(out, "业绩")[1]
    assert sales_row[-1] == read_sheet(book, "花名册")[1][2]  # the roster's plan (a formula)
    assert all(v == "" for v in read_sheet(out, "主管自评")[1][2:4])
    assert all(v == "" for v in read_sheet(out, "客服考核")[1][2:])
    assert read_sheet(out, "团队目标")[1][:2] == ["A组", 180000.0]  # targets are kept
    assert len(read_sheet(out, PAYROLL.name)) == 1 and len(read_sheet(out, ALERTS.name)) == 1
    assert any("为空" in p.message for p in contents.problems)


def cleared_or_not_applicable(path: Path, sheet: SheetLayout) -> bool:
    """Every month input of ``sheet`` is blank where the row's plan reads it, else 不适用."""
    roster = read_sheet(path, ROSTER.name)
    plan_col = roster[0].index(ROSTER.column("plan").header)
    plans = {row[0]: PLAN_BY_LABEL[row[plan_col]] for row in roster[1:] if row[0]}
    rows = read_sheet(path, sheet.name)
    policy = default_policy()
    seen = 0
    for row in rows[1:]:
        if row[0] not in plans:
            continue
        for column in month_columns(sheet):
            value = row[rows[0].index(column.header)]
            wanted = "" if column.reads(plans[row[0]], policy) else NOT_APPLICABLE
            assert value == wanted, (sheet.name, row[0], column.header, value)
            seen += wanted == NOT_APPLICABLE
    return seen > 0


def test_new_month_writes_not_applicable_where_the_plan_does_not_read_and_check_accepts_it(
    book: Path, tmp_path: Path
) -> None:
    recalc(book)
    out = tmp_path / "2026-11.xlsx"
    new_month("2026-11", out, source=book)
    assert cleared_or_not_applicable(out, ATTENDANCE) and cleared_or_not_applicable(out, SALES)
    marked = {
        (sheet.name, f"{column_letter(c + 1)}{r + 1}")
        for sheet in (ATTENDANCE, SALES)
        for r, row in enumerate(read_sheet(out, sheet.name))
        for c, value in enumerate(row)
        if value == NOT_APPLICABLE
    }
    problems = {(p.sheet, p.cell) for p in read_workbook(out).problems}
    assert marked and not marked & problems


def test_history_is_never_duplicated(tmp_path: Path) -> None:
    month = demo_month()
    already = [
        HistoryRecord("2026-10", e.id, Decimal(80), "good", Decimal("1.2"), Decimal(1), "")
        for e in month.employees[:5]
    ]
    book = write_book(tmp_path / "m.xlsx", replace(month, history=[*month.history, *already]))
    recalc(book)
    r = new_month("2026-11", tmp_path / "n.xlsx", source=book)
    assert (r.history_added, r.history_skipped) == (33, 5)
    months = history_months(tmp_path / "n.xlsx")
    assert len([m for m in months if m[0] == "2026-10"]) == 38
    assert len(set(months)) == len(months)


def test_refuses_a_month_never_recalculated(book: Path, tmp_path: Path) -> None:
    with pytest.raises(WorkbookError, match="还没有重算过"):
        new_month("2026-11", tmp_path / "n.xlsx", source=book)
    assert not (tmp_path / "n.xlsx").exists()


def test_refuses_inputs_changed_since_recalc(book: Path, tmp_path: Path) -> None:
    recalc(book)
    set_cell(book, "业绩", "C2", 1000)
    with pytest.raises(WorkbookError, match="在上次重算后被改动"):
        new_month("2026-11", tmp_path / "n.xlsx", source=book)


def test_force_carries_an_unrecalculated_month(book: Path, tmp_path: Path) -> None:
    r = new_month("2026-11", tmp_path / "n.xlsx", source=book, force=True)
    assert r.history_added == 38 and r.warnings


def test_month_must_move_forward(book: Path, tmp_path: Path) -> None:
    recalc(book)
    with pytest.raises(WorkbookError, match="新月份必须在它之后"):
        new_month("2026-09", tmp_path / "n.xlsx", source=book)


def test_bad_month_and_existing_output(book: Path, tmp_path: Path) -> None:
    with pytest.raises(WorkbookError, match="YYYY-MM"):
        new_month("2026-13", tmp_path / "n.xlsx", source=book)
    recalc(book)
    with pytest.raises(WorkbookError, match="已存在"):
        new_month("2026-11", book, source=book)


def test_close_seals(book: Path) -> None:
    recalc(book)
    r = close(book)
    contents = read_workbook(book)
    assert contents.status == "sealed"
    assert contents.meta["seal_hash"] == r.seal
    assert contents.meta["seal_inputs"] == contents.input_hash
    with pytest.raises(SealedMonthError, match="已经封账"):
        close(book)


def test_close_refuses_unrecalculated_or_stale(book: Path) -> None:
    with pytest.raises(WorkbookError, match="还没有重算过"):
        close(book)
    recalc(book)
    set_cell(book, "考勤", "C3", 2)
    with pytest.raises(WorkbookError, match="在上次重算后被改动"):
        close(book)


def test_close_refuses_a_payroll_edited_by_hand(book: Path) -> None:
    recalc(book)
    set_cell(book, PAYROLL.name, f"{PAYROLL.letter('total')}3", 1)
    with pytest.raises(WorkbookError, match="但计算结果是"):
        close(book)


def test_a_dated_policy_change_moves_into_the_policy_sheet(tmp_path: Path) -> None:
    from workbook_templates import build_workbook
    from xlkpi.policy import Change
    from xlkpi.policy_io import default_policy

    policy = default_policy().model_copy(
        update={"changes": [Change(effective_from="2026-11", path="review.neutral", value=15)]}
    )
    book = build_workbook(tmp_path / "oct.xlsx", policy=policy, month=demo_month())
    recalc(book)
    assert read_workbook(book).policy.at("2026-10").review.neutral == 10  # type: ignore[union-attr]
    out = tmp_path / "nov.xlsx"
    r = new_month("2026-11", out, source=book)
    assert any("按月生效的参数变更" in w for w in r.warnings)
    rows = read_sheet(out, "参数")
    neutral = next(row for row in rows if row[0] == "review.neutral")
    assert neutral[2] == 15 and neutral[4] in ("", None)  # the base value now; no pending row
    assert not any(row[4] for row in rows[1:] if row and len(row) > 4)
    contents = read_workbook(out)
    assert contents.policy is not None and contents.policy.review.neutral == 15
    assert contents.policy.changes == []


def test_history_carries_the_tax_ledger_through_the_year(tmp_path: Path) -> None:
    """累计预扣法 through new-month: month 3 withholds on the year so far; January resets.

    22,000 a month, social insurance and housing fund 17.5% = 3,850, basic deduction 5,000:
    13,150 taxable a month. October 3% × 13,150 = 394.50; November 3% × 26,300 − 394.50 =
    394.50; December 10% × 39,450 − 2,520 − 789.00 = 636.00; January starts again: 394.50.
    """
    demo = demo_month()
    designer = next(e for e in demo.employees if e.plan == "designer")
    emp = replace(designer, base_pay=Decimal(22000))
    # a score below 60 earns no performance pay: the month's income is the base pay alone
    inputs = {emp.id: replace(demo.inputs[emp.id], score=Decimal(55))}
    month = replace(demo, employees=[emp], inputs=inputs, history=[], shops=[])
    book = write_book(tmp_path / "2026-10.xlsx", month)
    withheld = [recalc(book).result.results[0].pay.withholding.tax]
    for name in ("2026-11", "2026-12", "2027-01"):
        out = tmp_path / f"{name}.xlsx"
        new_month(name, out, source=book)
        fill_inputs(out, inputs, Decimal(0))
        result = recalc(out).result.results[0]
        assert result.gross == Decimal(22000) and result.pay.social_insurance == Decimal(3850)
        withheld.append(result.pay.withholding.tax)
        book = out
    assert withheld == [Decimal("394.50"), Decimal("394.50"), Decimal("636.00"), Decimal("394.50")]
    rows = read_sheet(book, HISTORY.name)
    col = {h: i for i, h in enumerate(rows[0])}
    december = next(r for r in rows if r[0] == "2026-12")
    assert december[col["本期收入"]] == 22000 and december[col["本期预扣个税"]] == 636
    assert december[col["本年任职月数"]] == 3 and december[col["累计收入"]] == 66000
    assert december[col["累计专项扣除"]] == 11550 and december[col["累计应纳税所得额"]] == 39450
    assert december[col["累计已预扣个税"]] == 1425


def test_a_new_month_shows_no_last_month_figures_beside_blank_inputs(tmp_path: Path) -> None:
    import openpyxl
    from openpyxl.worksheet.formula import ArrayFormula

    from workbook_templates import build_workbook

    built = build_workbook(tmp_path / "built.xlsx", month=demo_month())  # with live formulas
    recalc(built)
    last = openpyxl.load_workbook(built, data_only=True)
    computed = {  # sheet → headers of the formulas computed from the month's inputs
        "主管自评": ["绩效分数"],
        "美工考核": ["总分"],
        "客服考核": ["总分"],
        "团队目标": ["团队销售额", "完成率"],
    }
    for sheet, headers in computed.items():  # last month shows them …
        ws = last[sheet]
        cols = [[c.value for c in ws[1]].index(h) for h in headers]
        assert all(ws.cell(2, c + 1).value not in (None, "") for c in cols), sheet
    out = tmp_path / "2026-11.xlsx"
    new_month("2026-11", out, source=built)
    formulas = openpyxl.load_workbook(out)
    values = openpyxl.load_workbook(out, data_only=True)
    for sheet, headers in computed.items():  # … the new month keeps the formulas, not the values
        header = [c.value for c in values[sheet][1]]
        for h in headers:
            col = header.index(h) + 1
            for row in range(2, values[sheet].max_row + 1):
                assert values[sheet].cell(row, col).value in (None, ""), (sheet, h, row)
            kept = formulas[sheet].cell(2, col).value
            text = kept.text if isinstance(kept, ArrayFormula) else str(kept)  # 团队销售额: array
            assert text.startswith("="), (sheet, h)
    assert values["主管自评"]["B2"].value  # the name lookup keeps its value: the roster stays


def test_the_readme_shows_the_new_month(tmp_path: Path) -> None:
    def readme(path: Path) -> str:
        return "\n".join(str(v) for row in read_sheet(path, "说明") for v in row if v)

    template = tmp_path / "t.xlsx"
    new_month("2026-11", template)  # from the template
    assert "2026-11" in readme(template) and "未设置" not in readme(template)
    from workbook_templates import build_workbook

    built = build_workbook(tmp_path / "built.xlsx", month=demo_month())  # says 2026-10
    recalc(built)
    assert "2026-10" in readme(built)
    out = tmp_path / "2026-11.xlsx"
    new_month("2026-11", out, source=built)
    assert "2026-11" in readme(out) and "2026-10" not in readme(out)
