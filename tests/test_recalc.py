"""recalc: engine values land in the Payroll as cached values, formulas stay, nothing is lost."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from tests.cycle_support import set_cell, write_book
from xlkpi import recalc as recalc_module
from xlkpi.errors import SealedMonthError, WorkbookLockedError, WorkbookValidationError
from xlkpi.layout import INPUT_SHEETS, PAYROLL, PAYROLL_TOTAL_LABEL
from xlkpi.month_cycle import close
from xlkpi.recalc import recalc
from xlkpi.sample_data import demo_month
from xlkpi.workbook.atomic_file import backup_path
from xlkpi.workbook.reader import read_workbook
from xlkpi.workbook.xlsx_patch import read_formulas, read_sheet


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return write_book(tmp_path / "month.xlsx", demo_month())


def fake_formulas(row: int, employee: object, policy: object) -> dict[str, str]:
    """Stand-in for the template's payroll formulas: one per computed column."""
    return {"total": f"=SUM(G{row}:AC{row})", "score": f"=ROUND({row}*0,0)+1"}


def payroll_totals(path: Path) -> dict[str, float]:
    rows = read_sheet(path, PAYROLL.name)
    total_col = PAYROLL.index("total")
    return {r[0]: r[total_col] for r in rows[1:] if r[0] and r[0] != PAYROLL_TOTAL_LABEL}


def input_cells(path: Path) -> dict[str, list[list[object]]]:
    return {s.name: read_sheet(path, s.name) for s in INPUT_SHEETS}


def test_values_read_back_equal_the_engine(book: Path) -> None:
    result = recalc(book).result
    totals = payroll_totals(book)
    assert len(totals) == len(result.results) == 38
    for r in result.results:
        assert Decimal(repr(totals[r.employee.id])) == r.total
    rows = read_sheet(book, PAYROLL.name)
    first = result.results[0]
    assert rows[1][PAYROLL.index("name")] == first.employee.name
    assert rows[1][PAYROLL.index("trace")] == first.trace
    for line in first.lines:
        assert Decimal(repr(rows[1][PAYROLL.index(line.code)])) == line.amount


def test_openpyxl_sees_formulas_and_data_only_sees_values(
    book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(recalc_module, "payroll_formula_source", lambda: fake_formulas)
    result = recalc(book).result
    ws = openpyxl.load_workbook(book)[PAYROLL.name]
    total_letter = PAYROLL.letter("total")
    assert ws[f"{total_letter}2"].value == "=SUM(G2:AC2)"
    values = openpyxl.load_workbook(book, data_only=True)[PAYROLL.name]
    assert Decimal(repr(values[f"{total_letter}2"].value)) == result.results[0].total
    assert read_formulas(book, PAYROLL.name)[f"{total_letter}31"] == "=SUM(G31:AC31)"


def test_input_cells_are_never_written(book: Path) -> None:
    before = input_cells(book)
    recalc(book)
    after = input_cells(book)
    for sheet in INPUT_SHEETS:
        rows = before[sheet.name]
        outputs = {c.header for c in sheet.columns if c.kind == "formula"}
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if rows[0][c] in outputs:
                    continue  # formula columns: recalc refreshes their cached values
                assert after[sheet.name][r][c] == value, (sheet.name, r, c)


def test_formula_columns_on_input_sheets_get_cached_values(book: Path) -> None:
    recalc(book)
    assert read_sheet(book, "考勤")[1][1] == demo_month().employees[0].name


def test_meta_records_status_and_hash(book: Path) -> None:
    recalc(book)
    contents = read_workbook(book)
    assert contents.status == "recalculated"
    assert contents.meta["input_hash"] == contents.input_hash
    assert contents.meta["employees"] == "38"


def test_recalc_twice_gives_the_same_values(book: Path) -> None:
    recalc(book)
    first = read_sheet(book, PAYROLL.name)
    history = read_sheet(book, "历史")
    recalc(book)
    assert read_sheet(book, PAYROLL.name) == first
    assert read_sheet(book, "历史") == history


def test_fewer_staff_leaves_no_stale_rows(book: Path) -> None:
    recalc(book)
    wb = openpyxl.load_workbook(book)
    for name in ("花名册", "考勤", "业绩", "主管自评", "专项附加扣除"):
        ws = wb[name]
        for row in range(2, ws.max_row + 1):
            if ws.cell(row, 1).value == "E00002":
                ws.delete_rows(row)
                break
    wb.save(book)
    result = recalc(book).result
    assert len(payroll_totals(book)) == len(result.results) == 37


def test_backup_keeps_the_previous_version(book: Path) -> None:
    original = book.read_bytes()
    r = recalc(book)
    assert r.backup == backup_path(book)
    assert backup_path(book).read_bytes() == original


def test_bad_inputs_leave_the_file_byte_identical(book: Path) -> None:
    set_cell(book, "业绩", "C3", "lots")
    original = book.read_bytes()
    with pytest.raises(WorkbookValidationError) as info:
        recalc(book)
    assert "业绩!C3" in str(info.value)
    assert book.read_bytes() == original


def test_failure_while_writing_leaves_the_file_byte_identical(
    book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = book.read_bytes()

    def broken(src: Path, dst: Path, edits: object) -> None:
        Path(dst).write_bytes(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(recalc_module, "patch_workbook", broken)
    with pytest.raises(OSError):
        recalc(book)
    assert book.read_bytes() == original
    assert sorted(p.name for p in book.parent.iterdir()) == ["month.xlsx"]


def test_open_in_excel_is_refused(book: Path) -> None:
    lock = book.with_name("~$" + book.name)
    lock.write_bytes(b"")
    original = book.read_bytes()
    with pytest.raises(WorkbookLockedError, match="正在 Excel"):
        recalc(book)
    assert book.read_bytes() == original


def test_sealed_month_needs_reopen(book: Path) -> None:
    recalc(book)
    close(book)
    with pytest.raises(SealedMonthError, match="--reopen"):
        recalc(book)
    recalc(book, reopen=True)
    contents = read_workbook(book)
    assert contents.status == "recalculated"
    assert contents.meta.get("seal_hash", "") == ""


def test_formula_cache_matches_the_template_row_by_row() -> None:
    from workbook_templates import payroll_formulas
    from xlkpi.policy_io import default_policy
    from xlkpi.recalc import FormulaCache

    policy = default_policy()
    cache = FormulaCache(payroll_formulas, policy)
    for row, emp in enumerate(demo_month().employees, start=2):
        assert cache(row, emp) == payroll_formulas(row, emp, policy)
    assert all(pattern is not None for pattern in cache.by_plan.values())


def test_formula_cache_falls_back_when_rows_do_not_just_substitute() -> None:
    from xlkpi.policy_io import default_policy
    from xlkpi.recalc import FormulaCache

    def odd(row: int, employee: object, policy: object) -> dict[str, str]:
        return {"total": f"=G{row}+G{row - 1}"}

    cache = FormulaCache(odd, default_policy())
    emp = demo_month().employees[0]
    assert cache(7, emp) == {"total": "=G7+G6"}
    assert cache.by_plan[emp.plan] is None


def test_second_recalc_updates_values_in_place(tmp_path: Path) -> None:
    from tests.cycle_support import patch_cell
    from workbook_templates import build_workbook

    book = build_workbook(tmp_path / "m.xlsx", month=demo_month())
    recalc(book)
    formulas = read_formulas(book, PAYROLL.name)
    patch_cell(book, "业绩", "C3", 123456.78)  # E00002's sales
    patch_cell(book, "_xlkpi", "A30", "probe")  # meta grows: fine
    result = recalc(book).result
    assert read_formulas(book, PAYROLL.name) == formulas  # formulas untouched
    fresh = tmp_path / "fresh.xlsx"
    fresh.write_bytes(book.read_bytes())
    contents = read_workbook(fresh)
    row = contents.meta_rows["payroll_shape"]
    patch_cell(fresh, "_xlkpi", f"B{row}", "other")  # forces a full regeneration
    recalc(fresh)
    assert read_sheet(book, PAYROLL.name) == read_sheet(fresh, PAYROLL.name)
    assert Decimal(repr(payroll_totals(book)["E00002"])) == result.results[1].total


def test_repeat_recalc_needs_no_template_code(tmp_path: Path) -> None:
    """Formulas in place: the template's formula modules (and openpyxl) are not even imported."""
    import subprocess
    import sys

    from tests.cycle_support import patch_cell
    from workbook_templates import build_workbook

    book = build_workbook(tmp_path / "m.xlsx", month=demo_month())
    recalc(book)
    formulas = read_formulas(book, PAYROLL.name)
    patch_cell(book, "业绩", "C3", 123456.78)
    code = (
        "import sys\n"
        "from xlkpi.recalc import recalc\n"
        "recalc(sys.argv[1])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('openpyxl', 'numpy')"
        " or m in ('workbook_templates.payroll', 'workbook_templates.input_sheets')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(book)], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
    assert read_formulas(book, PAYROLL.name) == formulas
    again = tmp_path / "again.xlsx"
    again.write_bytes(book.read_bytes())
    contents = read_workbook(again)
    patch_cell(again, "_xlkpi", f"B{contents.meta_rows['payroll_shape']}", "other")
    recalc(again)  # a full regeneration gives the same sheet
    assert read_sheet(book, PAYROLL.name) == read_sheet(again, PAYROLL.name)


def test_a_pay_line_that_goes_away_shows_zero_on_a_repeat_recalc(tmp_path: Path) -> None:
    from tests.cycle_support import patch_cell
    from workbook_templates import build_workbook

    book = build_workbook(tmp_path / "m.xlsx", month=demo_month())
    first = recalc(book).result
    lines = {r.employee.id: {ln.code for ln in r.lines if ln.amount} for r in first.results}
    rows = read_sheet(book, PAYROLL.name)
    sales = read_sheet(book, "业绩")
    row = next(i for i, r in enumerate(sales) if r[0] and lines.get(r[0], set()) & {"commission"})
    emp = sales[row][0]
    patch_cell(book, "业绩", f"C{row + 1}", 0)  # no sales: no commission this time
    formulas = read_formulas(book, PAYROLL.name)
    second = recalc(book).result
    now = {r.employee.id: {ln.code for ln in r.lines if ln.amount} for r in second.results}
    assert "commission" not in now[emp]
    rows = read_sheet(book, PAYROLL.name)
    payroll_row = next(r for r in rows if r[0] == emp)
    assert payroll_row[PAYROLL.index("commission")] == 0
    assert read_formulas(book, PAYROLL.name) == formulas  # values only: formulas kept
