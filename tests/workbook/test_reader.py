"""The workbook reader: a month round-trips; every bad input is a problem naming sheet and cell."""

from __future__ import annotations

import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from tests.cycle_support import as_written, delete_row, rename_sheet, set_cell, write_book
from xlkpi import layout
from xlkpi.engine import compute_month
from xlkpi.errors import WorkbookError, WorkbookValidationError
from xlkpi.policy_io import default_policy
from xlkpi.sample_data import demo_month
from xlkpi.workbook.reader import read_workbook


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return write_book(tmp_path / "month.xlsx", demo_month())


def problems_at(path: Path) -> dict[str, str]:
    """'sheet!cell' → message of every problem found."""
    contents = read_workbook(path)
    return {f"{p.sheet}!{p.cell}": p.message for p in contents.problems}


def test_month_round_trips_through_the_workbook(book: Path) -> None:
    month = as_written(demo_month())
    contents = read_workbook(book)
    assert contents.problems == []
    assert contents.month is not None
    assert contents.month_name == month.month
    assert contents.month.employees == month.employees
    for emp in month.employees:
        assert contents.month.inputs[emp.id] == month.inputs[emp.id], emp.id
    assert contents.month.team_targets == month.team_targets
    assert contents.month.public_sales == month.public_sales
    assert len(contents.month.history) == len(month.history)
    assert compute_month(contents.month).total == compute_month(month).total


def test_require_ok_lists_every_problem(book: Path) -> None:
    set_cell(book, "业绩", "C2", "abc")
    set_cell(book, "考勤", "C3", None)
    with pytest.raises(WorkbookValidationError) as info:
        read_workbook(book).require_ok()
    assert len(info.value.problems) == 2
    assert "业绩!C2" in str(info.value) and "考勤!C3" in str(info.value)


def test_missing_sheet_is_named(book: Path) -> None:
    rename_sheet(book, "考勤", "考勤表")
    found = problems_at(book)
    assert "考勤!A1" in found
    assert "缺失或被改名" in found["考勤!A1"]


def test_renamed_header_names_its_cell(book: Path) -> None:
    set_cell(book, "业绩", "C1", "销售额")
    found = problems_at(book)
    assert "个人销售额" in found["业绩!C1"]


def test_duplicate_employee_id(book: Path) -> None:
    set_cell(book, "花名册", "A3", "E00001")
    found = problems_at(book)
    assert "重复" in found["花名册!A3"]


def test_unknown_role(book: Path) -> None:
    set_cell(book, "花名册", "C2", "厨师")
    contents = read_workbook(book)
    problem = next(p for p in contents.problems if p.cell == "C2")
    assert problem.sheet == "花名册" and problem.value == "厨师"
    assert "未知的岗位" in problem.message and "美工" in problem.remedy


def test_text_in_a_number_cell(book: Path) -> None:
    set_cell(book, "业绩", "C4", "很多")
    assert "不是数字" in problems_at(book)["业绩!C4"]


def test_number_text_is_accepted(book: Path) -> None:
    set_cell(book, "业绩", "C4", "¥25,000")
    contents = read_workbook(book)
    assert contents.problems == []
    assert contents.month is not None
    assert contents.month.inputs["E00003"].sales == Decimal(25000)


def test_score_over_the_maximum(book: Path) -> None:
    set_cell(book, "主管自评", "C2", 130)
    assert "超过评分上限" in problems_at(book)["主管自评!C2"]


def test_scorecard_item_over_its_points(book: Path) -> None:
    set_cell(book, "客服考核", "C2", 16)  # the pre-sale script item is worth 15
    assert "上限15" in problems_at(book)["客服考核!C2"]


def test_negative_sales(book: Path) -> None:
    set_cell(book, "业绩", "C2", -100)
    assert "不能小于0" in problems_at(book)["业绩!C2"]


def test_fractional_count(book: Path) -> None:
    set_cell(book, "考勤", "C3", 1.5)  # an operations specialist's late arrivals
    assert "整数" in problems_at(book)["考勤!C3"]


def test_blank_required_input_is_not_zero(book: Path) -> None:
    set_cell(book, "考勤", "D5", None)
    assert "为空" in problems_at(book)["考勤!D5"]


def test_blank_optional_target_is_fine(book: Path) -> None:
    set_cell(book, "业绩", "F3", None)  # 个人目标 may stay blank
    assert read_workbook(book).problems == []


def test_id_not_on_the_roster(book: Path) -> None:
    set_cell(book, "考勤", "A7", "X999")
    found = problems_at(book)
    assert "不在花名册" in found["考勤!A7"]
    assert "在「考勤」表上没有行" in found["花名册!A7"]  # and E00006 lost its attendance row


def test_roster_id_missing_on_a_sheet(book: Path) -> None:
    delete_row(book, "业绩", 10)
    found = problems_at(book)
    assert "E00009 在「业绩」表上没有行" in found["花名册!A10"]


def test_impossible_team_target(book: Path) -> None:
    set_cell(book, "团队目标", "B2", 1e308)
    assert "超过上限" in problems_at(book)["团队目标!B2"]


def test_bad_hire_date_and_trial(book: Path) -> None:
    set_cell(book, "花名册", "E2", "去年")
    set_cell(book, "花名册", "F2", "也许")
    found = problems_at(book)
    assert "不是日期" in found["花名册!E2"]
    assert "是/否" in found["花名册!F2"]


def test_missing_month_in_meta(book: Path) -> None:
    set_cell(book, "_xlkpi", "B1", None)
    assert "月份未设置" in problems_at(book)["_xlkpi!B1"]


def test_many_problems_are_reported_together(book: Path) -> None:
    set_cell(book, "业绩", "C2", -1)
    set_cell(book, "考勤", "C3", "x")
    set_cell(book, "花名册", "C4", "厨师")
    set_cell(book, "主管自评", "D2", 121)
    found = problems_at(book)
    assert {"业绩!C2", "考勤!C3", "花名册!C4", "主管自评!D2"} <= set(found)


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    path.write_text("this is not a workbook")
    with pytest.raises(WorkbookError, match="不是可读的 Excel 工作簿"):
        read_workbook(path)


def test_corrupted_workbook(book: Path) -> None:
    data = book.read_bytes()
    book.write_bytes(data[: len(data) // 2])
    with pytest.raises(WorkbookError, match="已损坏"):
        read_workbook(book)


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(WorkbookError):
        read_workbook(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(WorkbookError, match="不存在"):
        read_workbook(tmp_path / "nope.xlsx")


def test_input_hash_follows_inputs_only(book: Path) -> None:
    first = read_workbook(book).input_hash
    assert read_workbook(book).input_hash == first
    set_cell(book, "考勤", "B2", "someone else")  # a formula column (name lookup): not an input
    assert read_workbook(book).input_hash == first
    set_cell(book, "考勤", "C2", 2)
    assert read_workbook(book).input_hash != first


# ------------------------------------------------------------------ 不适用 (issue 9, item 1)


def _cell_of(path: Path, sheet: layout.SheetLayout, field: str, reads: bool) -> str:
    """The cell of ``field`` on ``sheet`` of the first row whose plan reads it (or does not)."""
    month, policy = demo_month(), default_policy()
    column = sheet.column(field)
    for i, emp in enumerate(month.employees):
        if column.reads(emp.plan, policy) == reads:
            return f"{sheet.letter(field)}{layout.FIRST_DATA_ROW + i}"
    raise AssertionError(f"no employee whose plan reads={reads} {field}")


_MARKED = [(layout.SALES, "sales"), (layout.ATTENDANCE, "lates")]


def _set_lang(path: Path, lang: str) -> None:
    wb = openpyxl.load_workbook(path)
    wb[layout.META].append(["lang", lang])
    wb.save(path)


@pytest.mark.parametrize(("sheet", "field"), _MARKED)
def test_not_applicable_where_the_plan_does_not_read_is_blank(
    book: Path, sheet: layout.SheetLayout, field: str
) -> None:
    before = read_workbook(book).month
    cell = _cell_of(book, sheet, field, reads=False)
    set_cell(book, sheet.name, cell, f" {layout.NOT_APPLICABLE} ")
    contents = read_workbook(book)
    assert contents.problems == []
    assert contents.month == before  # read exactly as the blank it replaced


@pytest.mark.parametrize(("sheet", "field"), _MARKED)
def test_not_applicable_where_the_plan_reads_is_a_problem_at_its_cell(
    book: Path, sheet: layout.SheetLayout, field: str
) -> None:
    cell = _cell_of(book, sheet, field, reads=True)
    set_cell(book, sheet.name, cell, layout.NOT_APPLICABLE)
    problems = read_workbook(book).problems
    assert [(p.sheet, p.cell) for p in problems] == [(sheet.name, cell)]
    assert "不适用" in problems[0].message and sheet.column(field).header in problems[0].message
    assert problems[0].remedy.startswith("该岗位方案需要此项，请填写")


def test_other_text_where_the_plan_does_not_read_stays_a_problem(book: Path) -> None:
    cell = _cell_of(book, layout.SALES, "sales", reads=False)
    set_cell(book, layout.SALES.name, cell, "不用")
    problems = read_workbook(book).problems
    assert [(p.sheet, p.cell) for p in problems] == [(layout.SALES.name, cell)]
    assert "不读取" in problems[0].message


def test_n_a_is_the_english_workbooks_not_applicable(book: Path) -> None:
    unread = _cell_of(book, layout.SALES, "sales", reads=False)
    read = _cell_of(book, layout.SALES, "sales", reads=True)
    set_cell(book, layout.SALES.name, unread, layout.NOT_APPLICABLE_EN)
    zh = read_workbook(book, lang="zh").problems  # a Chinese workbook: N/A is just text
    assert [(p.sheet, p.cell) for p in zh] == [(layout.SALES.name, unread)]
    _set_lang(book, "en")
    assert read_workbook(book, lang="en").problems == []
    set_cell(book, layout.SALES.name, read, layout.NOT_APPLICABLE_EN)
    en = read_workbook(book, lang="en").problems
    assert [(p.sheet, p.cell) for p in en] == [(layout.SALES.name, read)]
    assert "N/A" in en[0].message
