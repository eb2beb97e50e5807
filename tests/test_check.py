"""check: every problem at once, notes about staleness, and edits to a sealed month."""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.contract_support import contract_month, input_cells
from tests.cycle_support import patch_cell, set_cell, write_book
from xlkpi import cli, layout
from xlkpi.check import check
from xlkpi.errors import WorkbookValidationError
from xlkpi.month_cycle import close
from xlkpi.policy_io import default_policy
from xlkpi.recalc import recalc
from xlkpi.sample_data import demo_month
from xlkpi.workbook.xlsx_patch import ExcelError, SheetEdit, patch_workbook, read_sheet


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return write_book(tmp_path / "month.xlsx", demo_month())


def test_clean_book(book: Path) -> None:
    report = check(book)
    assert report.ok
    assert report.month == "2026-10" and report.employees == 38
    assert report.result is not None and report.result.total > 0
    assert any("还没有重算" in n for n in report.notes)


def test_problems_are_all_listed(book: Path) -> None:
    set_cell(book, "业绩", "C2", -5)
    set_cell(book, "考勤", "E9", "三")
    report = check(book)
    assert not report.ok
    assert {(p.sheet, p.cell) for p in report.problems} == {("业绩", "C2"), ("考勤", "E9")}
    assert all(p.remedy for p in report.problems)


def test_inputs_changed_after_recalc_is_noted(book: Path) -> None:
    recalc(book)
    assert check(book).notes == []
    set_cell(book, "考勤", "C3", 7)  # an operations specialist's late arrivals
    report = check(book)
    assert report.ok
    assert any("上次重算后输入被改动" in n for n in report.notes)


def test_sealed_month_untouched(book: Path) -> None:
    recalc(book)
    close(book)
    report = check(book)
    assert report.ok and report.seal_broken == []


def test_sealed_month_input_edit_is_reported(book: Path) -> None:
    recalc(book)
    close(book)
    patch_cell(book, "业绩", "C5", 1)
    report = check(book)
    assert not report.ok
    assert len(report.seal_broken) == 1
    assert report.seal_broken[0].startswith("业绩!C5 封账时是") and report.seal_broken[0].endswith(
        "现在是 1"
    )


def test_sealed_month_policy_edit_is_reported(book: Path) -> None:
    recalc(book)
    close(book)
    patch_cell(book, "参数", "B5", "anything")
    assert any(f.startswith("参数!B5 封账时是") for f in check(book).seal_broken)


def test_sealed_month_payroll_edit_is_reported(book: Path) -> None:
    recalc(book)
    close(book)
    patch_cell(book, "工资表", "AD2", 99999)
    findings = check(book).seal_broken
    assert any("工资表" in f for f in findings)


def test_sealed_month_meta_edit_is_reported(book: Path) -> None:
    recalc(book)
    close(book)
    meta = read_sheet(book, "_xlkpi")
    row = next(i for i, r in enumerate(meta, start=1) if r[0] == "seal_hash")
    patch_cell(book, "_xlkpi", f"B{row}", "0" * 64)
    assert any("封账信息本身被改动" in f for f in check(book).seal_broken)


# ------------------------------------------------------------------ the contract, cell by cell
# Every input column × every kind of bad value: check reports exactly that cell (once), the
# command line exits 1, and recalc leaves the file byte-identical.

BAD_VALUES: dict[str, object] = {
    "percent": "50%",
    "text": "很多",
    "negative": -5,
    "huge": 1e308,
    "digits": "9" * 10_000,
    "inf": "inf",
    "nan": "NaN",
    "blank": None,
    "date": date(2026, 1, 5),
    "bool": True,
    "error": ExcelError("#DIV/0!"),
}
_CHOICE_KINDS = ("plan", "level", "rank", "bool", "choice")


def is_bad(column: layout.Column, bad: str, read: bool | None) -> bool:
    """Whether the bad value ``bad`` in ``column`` must be a problem (``read``: see _reads)."""
    if read is None:
        return bad == "error"
    if bad == "blank":
        return read and column.blank_means == layout.BLANK_REQUIRED
    if not read:
        return True  # typed where the plan does not read it
    kind = layout.KINDS[column.kind]
    if column.kind == "text":
        return bad == "error"
    if column.kind == "date":
        return bad != "date"
    if column.kind == "bool":
        return bad != "bool"
    if column.kind in _CHOICE_KINDS:
        return True
    return not (bad == "percent" and kind.percent)


@pytest.fixture(scope="module")
def contract_book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list, int]:
    book = write_book(tmp_path_factory.mktemp("contract") / "2026-10.xlsx", contract_month())
    assert check(book).ok, check(book).problems
    cells = input_cells(book, contract_month(), default_policy())
    with zipfile.ZipFile(book) as zf:
        roster = zf.read("xl/worksheets/sheet1.xml").decode()
    style = re.search(r'<c r="E2" s="(\d+)"', roster)
    assert style is not None  # the hire dates' date style
    return book, cells, int(style.group(1))


def _reads(sheet: str, cell: str, column: layout.Column) -> bool | None:
    """Does the plan of the employee on this cell's row read the column?

    None for a roster column the plan does not read: the roster is a record, so a value
    there is allowed, but an error value is still a problem.
    """
    if sheet not in (layout.ROSTER.name, layout.ATTENDANCE.name, layout.SALES.name):
        return True
    row = int(re.sub(r"[A-Z]", "", cell))
    emp = contract_month().employees[row - layout.FIRST_DATA_ROW]
    reads = column.reads(emp.plan, default_policy())
    if sheet == layout.ROSTER.name and not reads:
        return None
    return reads


def _table(book: tuple[Path, list, int]) -> list[tuple[str, str, layout.Column, str]]:
    _path, cells, _style = book
    return [
        (sheet, cell, column, bad)
        for sheet, cell, column in cells
        for bad in BAD_VALUES
        if is_bad(column, bad, _reads(sheet, cell, column))
    ]


def test_every_input_cell_and_every_bad_value_is_reported_at_its_cell(
    contract_book: tuple[Path, list, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, _cells, date_style = contract_book
    table = _table(contract_book)
    exit_checked: set[str] = set()
    failures = []
    for sheet, cell, column, bad in table:
        target = tmp_path / "case.xlsx"
        value = BAD_VALUES[bad]
        styles = {}
        if isinstance(value, date):
            value, styles = (value - date(1899, 12, 30)).days, {cell: date_style}
        patch_workbook(path, target, {sheet: SheetEdit(values={cell: value}, styles=styles)})
        found = [(p.sheet, p.cell) for p in check(target).problems]
        if found != [(sheet, cell)]:
            failures.append((sheet, cell, column.field, bad, found[:3]))
            continue
        before = target.read_bytes()
        with pytest.raises(WorkbookValidationError):
            recalc(target)
        assert target.read_bytes() == before, (sheet, cell, bad)
        if bad not in exit_checked:  # the command line's exit code, once per kind of value
            exit_checked.add(bad)
            assert cli.main(["--no-progress", "check", str(target)]) == 1
            capsys.readouterr()
    assert failures == [], f"{len(failures)} of {len(table)} pairs not reported at their cell"
    assert len(table) >= 700  # the pairs the table covers (see the closing note)


# ------------------------------------------------------------------ any single-cell corruption
# Property: corrupt any one cell of a valid month's input sheets (headers, formula columns and
# the cells around the tables included) with an impossible value: either check reports that
# cell (or, for an id typed on an empty row, the blanks of that row), or check finds nothing
# and every employee's pay is what it was.

CORRUPTIONS: tuple[str, ...] = tuple(k for k in BAD_VALUES if k != "blank")


def _area(path: Path) -> list[tuple[str, str, str]]:
    """(sheet, cell, column kind) of every cell in and around the input tables."""
    from xlkpi.workbook.reader import read_workbook
    from xlkpi.workbook.sheets import ref

    contents = read_workbook(path)
    kinds: dict[tuple[str, str], str] = {}
    for sheet_layout in layout.INPUT_SHEETS:
        for column in sheet_layout.columns:
            kinds[(sheet_layout.name, column.header)] = column.kind
    out = []
    names = [s.name for s in layout.INPUT_SHEETS] + [
        layout.SCORECARD_SHEETS[k] for k, c in default_policy().scorecards.items() if c.plans
    ]
    for name in names:
        sheet = contents.sheets[name]
        width = max(len(r) for r in sheet.rows) + 1
        header_of = {i: h for h, i in sheet.headers.items()}
        for r in range(1, sheet.last_row + 2):
            for c in range(width):
                kind = kinds.get((name, header_of.get(c, "")), "points")
                out.append((name, ref(c, r), kind))
    out.append((layout.SHOPS.name, layout.PUBLIC_SALES_CELL, "amount"))
    return out


_VALID_IN: dict[str, str] = {"percent": "ratio", "date": "date", "bool": "bool"}


@pytest.fixture(scope="module")
def baseline(contract_book: tuple[Path, list, int]) -> tuple[dict, list]:
    path = contract_book[0]
    report = check(path)
    assert report.result is not None
    pay = {r.employee.id: r.total for r in report.result.results}
    return pay, _area(path)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    derandomize=True,
)
@given(data=st.data())
def test_any_single_cell_corruption_is_reported_or_changes_no_pay(
    contract_book: tuple[Path, list, int],
    baseline: tuple[dict, list],
    tmp_path_factory: pytest.TempPathFactory,
    data: st.DataObject,
) -> None:
    path, _cells, date_style = contract_book
    pay, area = baseline
    sheet, cell, kind = data.draw(st.sampled_from(area))
    bad = data.draw(st.sampled_from(CORRUPTIONS))
    assume(_VALID_IN.get(bad) != kind)  # a percentage is a valid ratio, a date a valid date
    target = tmp_path_factory.mktemp("corrupt") / "case.xlsx"
    value = BAD_VALUES[bad]
    styles = {}
    if isinstance(value, date):
        value, styles = (value - date(1899, 12, 30)).days, {cell: date_style}
    patch_workbook(path, target, {sheet: SheetEdit(values={cell: value}, styles=styles)})
    report = check(target)
    if (sheet, cell) in {(p.sheet, p.cell) for p in report.problems}:
        return
    row = re.sub(r"[A-Z]", "", cell)  # an id typed on an empty row: that row's blanks are named
    if any(p.sheet == sheet and re.sub(r"[A-Z]", "", p.cell) == row for p in report.problems):
        return
    if kind == "text" and bad != "error" and report.problems:
        return  # any text is a valid name; a renamed group is then named where it is missing
    assert report.problems == [], (sheet, cell, bad, report.problems[:2])
    assert report.result is not None
    assert {r.employee.id: r.total for r in report.result.results} == pay, (sheet, cell, bad)


def test_a_deleted_payroll_sheet_is_refused(book: Path) -> None:
    wb = openpyxl.load_workbook(book)
    del wb[layout.PAYROLL.name]
    wb.save(book)
    report = check(book)
    assert [(p.sheet, p.cell) for p in report.problems] == [(layout.PAYROLL.name, "A1")]
    assert "缺失" in report.problems[0].message


def test_a_roster_amount_the_policy_replaces_is_a_warning(book: Path) -> None:
    set_cell(book, "花名册", "G2", 2500)  # the store manager's base is the policy's 1,800
    report = check(book)
    assert report.ok
    assert any(n.startswith("花名册!G2：") and "不会被使用" in n for n in report.notes)


def test_a_special_deduction_above_its_cap_is_reported_at_its_cell(tmp_path: Path) -> None:
    from workbook_templates import build_workbook

    book = build_workbook(tmp_path / "tax.xlsx", month=demo_month())
    sheet = layout.TAX_INPUTS
    rent = f"{sheet.letter('housing_rent')}3"
    patch_cell(book, sheet.name, rent, 1600)  # the highest rent cap is 1,500
    before = book.read_bytes()
    report = check(book)
    found = [p for p in report.problems if (p.sheet, p.cell) == (sheet.name, rent)]
    assert len(found) == 1 and "超过上限1,500.00元" in found[0].message
    assert "参数" in found[0].remedy
    with pytest.raises(WorkbookValidationError):
        recalc(book)
    assert book.read_bytes() == before
    patch_cell(book, sheet.name, rent, 1500)
    assert check(book).ok
    second = recalc(book).result.results[1]  # row 3: the engine deducts it
    assert second.pay is not None and second.pay.additional == 1500
    assert second.pay.withholding.cumulative_additional == 1500


def test_check_warns_when_the_city_table_is_older_than_the_month(tmp_path: Path) -> None:
    current = check(write_book(tmp_path / "2026-10.xlsx", demo_month()))
    assert not any("社保公积金参数" in n for n in current.notes)
    later = write_book(tmp_path / "2027-01.xlsx", replace(demo_month(), month="2027-01"))
    report = check(later)
    stale = [n for n in report.notes if "社保公积金参数" in n]
    assert len(stale) == 1 and "2026年" in stale[0] and "早于2027年" in stale[0]
