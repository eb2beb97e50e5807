"""Three months end to end on the real template: check, recalc, payslips, close, new-month."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula

from tests.cycle_support import fill_inputs, patch_cell
from workbook_templates import build_workbook
from xlkpi.check import check
from xlkpi.engine import MonthResult, compute_month
from xlkpi.errors import SealedMonthError
from xlkpi.inputs import HistoryRecord, Month, MonthInput
from xlkpi.layout import ALERTS, PAYROLL, PAYROLL_TOTAL_LABEL
from xlkpi.month_cycle import close, new_month
from xlkpi.payslips import write_payslips
from xlkpi.recalc import recalc
from xlkpi.sample_data import demo_month
from xlkpi.workbook.atomic_file import backup_path
from xlkpi.workbook.reader import read_workbook
from xlkpi.workbook.xlsx_patch import read_sheet

CS003 = "E00020"  # a customer-service (doc 003) employee of the demo shop


def inputs_for(seed: int, score: int) -> dict[str, MonthInput]:
    """Another month's inputs for the demo staff; the cs_003 employee gets ``score``."""
    inputs = dict(demo_month(seed=seed).inputs)
    inputs[CS003] = replace(inputs[CS003], score=Decimal(score))
    return inputs


def history_of(result: MonthResult, month: Month) -> list[HistoryRecord]:
    """What new-month must append to History for a computed month."""
    return [
        HistoryRecord(
            result.month,
            r.employee.id,
            r.score,
            r.grade,
            r.coefficient or Decimal(0),
            r.total,
            r.employee.rank,
            month.inputs[r.employee.id].complaints,
            r.bad_record,
        )
        for r in result.results
    ]


def assert_book_shows(book: Path, result: MonthResult) -> None:
    """calamine reads the engine's numbers; openpyxl still sees the formulas."""
    rows = read_sheet(book, PAYROLL.name)
    index = {row[0]: row for row in rows[1:] if row[0]}
    for r in result.results:
        row = index[r.employee.id]
        assert Decimal(repr(row[PAYROLL.index("total")])) == r.total, r.employee.id
        for line in r.lines:
            assert Decimal(repr(row[PAYROLL.index(line.code)])) == line.amount
        assert row[PAYROLL.index("trace")] == r.trace
    assert Decimal(repr(index[PAYROLL_TOTAL_LABEL][PAYROLL.index("total")])) == result.total
    ws = openpyxl.load_workbook(book)[PAYROLL.name]
    total = PAYROLL.letter("total")
    assert str(ws[f"{total}2"].value).startswith("=")
    assert result.results[0].employee.plan == "store_manager"  # paid by its task coefficient
    # 绩效分数..特殊奖励 is one array formula (the UDF-call budget): PAY_TABLE over the staff
    table = ws[f"{PAYROLL.letter('score')}2"].value
    assert isinstance(table, ArrayFormula) and table.text.startswith("=IF(ISERROR(AMOUNT(0)),")
    assert ",PAY_TABLE(" in table.text  # the add-in's table, else the last recalc's copy
    last = PAYROLL.letter("special_awards") + str(1 + len(result.results))
    assert table.ref == f"{PAYROLL.letter('score')}2:{last}"
    assert ws[f"{PAYROLL.letter('coefficient')}2"].value == float(result.results[0].coefficient)
    values = openpyxl.load_workbook(book, data_only=True)[PAYROLL.name]
    assert Decimal(repr(values[f"{total}2"].value)) == result.results[0].total


def warned(book: Path, employee: str) -> bool:
    return any(
        row[0] == employee and row[3] == "cs003_two_below_65"
        for row in read_sheet(book, ALERTS.name)[1:]
    )


def run_month(book: Path, expected: Month, tmp_path: Path) -> MonthResult:
    """check → recalc → payslips → close on one month's book; returns the engine's month."""
    report = check(book)
    assert report.ok, report.problems[:5]
    want = compute_month(expected)
    before = book.read_bytes()
    result = recalc(book).result
    assert backup_path(book).read_bytes() == before
    assert result.total == want.total
    assert [r.total for r in result.results] == [r.total for r in want.results]
    assert_book_shows(book, result)
    again = recalc(book).result  # idempotent
    assert again.total == result.total
    assert read_sheet(book, PAYROLL.name) == read_sheet(backup_path(book), PAYROLL.name)
    slips = write_payslips(book, tmp_path / "slips", per_employee=True)
    assert len(slips.employee_files) == len(result.results)
    close(book)
    assert read_workbook(book).status == "sealed" and check(book).ok
    return result


def test_three_months(tmp_path: Path) -> None:
    october = demo_month()
    october = replace(
        october,
        inputs={**october.inputs, CS003: replace(october.inputs[CS003], score=Decimal(90))},
    )
    oct_book = build_workbook(tmp_path / "2026-10.xlsx", month=october)
    oct_result = run_month(oct_book, october, tmp_path)
    assert not warned(oct_book, CS003)

    nov_book = tmp_path / "2026-11.xlsx"
    made = new_month("2026-11", nov_book, source=oct_book)
    assert made.history_added == len(october.employees)
    assert not check(nov_book).ok  # inputs are blank until HR fills them
    nov_inputs = inputs_for(2027, 60)
    fill_inputs(nov_book, nov_inputs, Decimal(380000), shops=october.shops)
    november = Month(
        "2026-11",
        october.employees,
        nov_inputs,
        october.team_targets,
        Decimal(380000),
        [*october.history, *history_of(oct_result, october)],
        shops=october.shops,
    )
    nov_result = run_month(nov_book, november, tmp_path)
    assert not warned(nov_book, CS003)  # one month below 65 is not yet a warning

    dec_book = tmp_path / "2026-12.xlsx"
    new_month("2026-12", dec_book, source=nov_book)
    dec_inputs = inputs_for(2028, 62)
    fill_inputs(dec_book, dec_inputs, Decimal(410000), shops=october.shops)
    december = replace(
        november,
        month="2026-12",
        inputs=dec_inputs,
        public_sales=Decimal(410000),
        history=[*november.history, *history_of(nov_result, november)],
    )
    dec_result = run_month(dec_book, december, tmp_path)
    assert warned(dec_book, CS003)  # two months in a row below 65 (document 003)
    assert any(a.code == "cs003_two_below_65" and a.employee_id == CS003 for a in dec_result.alerts)

    history = [(r[0], r[1]) for r in read_sheet(dec_book, "历史")[1:] if r[0]]
    assert len(history) == len(set(history))
    assert {m for m, _ in history} >= {"2026-08", "2026-09", "2026-10", "2026-11"}
    assert "2026-12" not in {m for m, _ in history}


def test_sealed_month_edit_is_reported_on_the_template(tmp_path: Path) -> None:
    book = build_workbook(tmp_path / "m.xlsx", month=demo_month())
    recalc(book)
    close(book)
    patch_cell(book, "考勤", "C5", 5)  # the demo has 3 there
    report = check(book)
    assert len(report.seal_broken) == 1 and report.seal_broken[0].startswith("考勤!C5 封账时是")
    with pytest.raises(SealedMonthError, match="--reopen"):
        recalc(book)


FINED, CLEAN, LONG_AGO = "E00021", "E00024", "E00026"  # customer service due a rank (demo)
CLEAN_RECORD = {
    "complaints": 0,
    "chat_violations": 0,
    "contact_leaks": 0,
    "penalties": Decimal(0),
    "losses": Decimal(0),
    "absences": Decimal(0),
}


def promoted(result: MonthResult) -> set[str]:
    return {a.employee_id for a in result.alerts if a.code.startswith("rank_")}


def test_a_bad_record_in_any_month_of_the_history_blocks_the_rank(tmp_path: Path) -> None:
    """rules.md A11 over the whole 历史: a fine in October still blocks the iron rank in
    November (written as 不良记录 = 是 by new-month, read back), and so does a July record three
    months before October; a clean history allows it."""
    october = demo_month()
    inputs = {i: replace(v, **CLEAN_RECORD) for i, v in october.inputs.items()}
    inputs[FINED] = replace(inputs[FINED], chat_violations=1)  # a 违纪罚款 in October
    july = replace(
        next(h for h in october.history if h.employee_id == LONG_AGO),
        month="2026-07",
        bad_record=True,
    )
    october = replace(october, inputs=inputs, history=[july, *october.history])
    book = build_workbook(tmp_path / "2026-10.xlsx", month=october)
    assert any(h.bad_record for h in read_workbook(book).month.history)
    oct_result = recalc(book).result
    assert CLEAN in promoted(oct_result)
    assert FINED not in promoted(oct_result) and LONG_AGO not in promoted(oct_result)
    close(book)

    nov_book = tmp_path / "2026-11.xlsx"
    new_month("2026-11", nov_book, source=book)
    history = read_sheet(nov_book, "历史")
    column = history[0].index("不良记录")
    flags = {(r[0], r[1]): r[column] for r in history[1:] if r[0]}
    assert flags[("2026-10", FINED)] == "是" and flags[("2026-10", CLEAN)] == "否"
    assert flags[("2026-07", LONG_AGO)] == "是"
    nov_inputs = {
        i: replace(
            v, **CLEAN_RECORD, score=Decimal(90) if i in (FINED, CLEAN, LONG_AGO) else v.score
        )
        for i, v in inputs_for(2027, 90).items()
    }
    fill_inputs(nov_book, nov_inputs, Decimal(380000), shops=october.shops)
    nov_result = recalc(nov_book).result
    assert CLEAN in promoted(nov_result)
    assert FINED not in promoted(nov_result)  # October's fine, from the 历史 sheet
    assert LONG_AGO not in promoted(nov_result)  # four months back


def test_an_old_history_without_the_bad_record_column_still_reads(tmp_path: Path) -> None:
    """A 历史 sheet made before 不良记录 existed reads; its blank column means no bad record,
    and the complaint count still counts (docs/decisions.md)."""
    month = demo_month()
    book = build_workbook(tmp_path / "m.xlsx", month=month)
    wb = openpyxl.load_workbook(book)
    ws = wb["历史"]
    header = [c.value for c in ws[1]]
    ws.delete_cols(header.index("不良记录") + 1)
    wb.save(book)
    history = read_workbook(book).month.history
    assert len(history) == len(month.history) and not any(h.bad_record for h in history)
