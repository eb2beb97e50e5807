"""The native build (issue 11): plain formulas only, equal to ``xlkpi recalc`` when LibreOffice
recalculates them itself, live when an input changes, and the monthly cycle on both builds.

One module-scoped LibreOffice run recalculates the native books the tests compare: a small
synthetic month with every pay plan and a History (so a streak reward is due), the demo
month, the demo month with one input edited after recalc, and an add-in month converted by
new-month. Without LibreOffice the oracle tests skip locally and fail on CI (CI=true).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

import udfs
from tests.cycle_support import fill_inputs, patch_cell
from tests.support import libreoffice as lo
from tests.support.native_proof import compare_books, functions_called
from workbook_templates import build_workbook
from xlkpi import builds, layout, month_cycle
from xlkpi.check import check
from xlkpi.errors import WorkbookError
from xlkpi.payplans import PLANS
from xlkpi.payslips import write_payslips
from xlkpi.recalc import recalc
from xlkpi.sample_data import demo_month, synthetic_month
from xlkpi.workbook.reader import read_workbook
from xlkpi.workbook.xlsx_patch import read_formulas, read_sheet

STAFF = 66  # six on each of the eleven plans


@dataclass(frozen=True)
class Books:
    """Native books recalculated by xlkpi, and LibreOffice's recalculation of each."""

    synthetic: Path
    demo: Path
    edited: Path
    converted: Path
    lo: dict[str, Path]


def _native(path: Path, month: object) -> Path:
    build_workbook(path, month=month, build=builds.NATIVE)  # type: ignore[arg-type]
    recalc(path)
    return path


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Books:
    root = tmp_path_factory.mktemp("native")
    synthetic = _native(root / "synthetic.xlsx", synthetic_month(STAFF))
    demo = _native(root / "demo.xlsx", demo_month())
    edited = Path(shutil.copy(demo, root / "edited.xlsx"))
    _edit_first_sales(edited, Decimal(123456))
    addin = root / "addin.xlsx"
    build_workbook(addin, month=demo_month())
    recalc(addin)
    converted = root / "converted.xlsx"
    month_cycle.new_month("2026-11", converted, source=addin, formulas=builds.NATIVE)
    month = demo_month()
    fill_inputs(converted, dict(month.inputs), month.public_sales, shops=month.shops)
    recalc(converted)
    out: dict[str, Path] = {}
    if lo.soffice_available():
        done = lo.recalculate_many([synthetic, demo, edited, converted], root / "lo")
        out = dict(zip(("synthetic", "demo", "edited", "converted"), done, strict=True))
    return Books(synthetic, demo, edited, converted, out)


def _first_sales_row(path: Path) -> tuple[str, int, str]:
    """(id, 业绩 row, 销售额 cell) of the first employee with a commission line."""
    contents = read_workbook(path)
    assert contents.month is not None
    for e in contents.month.employees:
        if e.plan in ("cs_000", "promotion", "ops_specialist", "cs_2017"):
            row = contents.id_rows[layout.SALES.name][e.id]
            return e.id, row, f"{layout.SALES.letter('sales')}{row}"
    raise AssertionError("no commission plan in the month")


def _edit_first_sales(path: Path, amount: Decimal) -> None:
    _id, _row, cell = _first_sales_row(path)
    patch_cell(path, layout.SALES.name, cell, float(amount))


def _require_lo(books: Books) -> None:
    lo.require_soffice()
    assert books.lo, "LibreOffice did not run"


def test_every_plan_is_in_the_small_month() -> None:
    month = synthetic_month(STAFF)
    assert {e.plan for e in month.employees} == set(PLANS)


@pytest.mark.parametrize("which", ["synthetic", "demo", "converted"])
def test_libreoffice_recalculating_equals_xlkpi_recalc_on_every_formula_cell(
    books: Books, which: str
) -> None:
    _require_lo(books)
    ours = getattr(books, which)
    result = compare_books(ours, books.lo[which])
    assert not result.mismatches, result.table()
    staff = len(read_workbook(ours).month.employees)  # type: ignore[union-attr]
    # every staff row's pay lines and lookups, plus the input sheets' computed cells
    assert result.per_sheet[layout.PAYROLL.name] > 10 * staff
    assert result.compared > result.per_sheet[layout.PAYROLL.name]


def test_an_edited_input_recalculates_live_and_recalc_agrees(books: Books) -> None:
    """After an edit, LibreOffice's values differ from the stored ones; xlkpi recalc of the
    edited book then stores exactly what LibreOffice computed."""
    _require_lo(books)
    stale = compare_books(books.edited, books.lo["edited"])
    assert stale.mismatches, "the edit changed nothing LibreOffice computes"
    assert {sheet for sheet, *_ in stale.mismatches} <= {layout.PAYROLL.name, layout.TEAMS.name}
    emp_id, _row, _cell = _first_sales_row(books.edited)
    payroll = read_sheet(books.edited, layout.PAYROLL.name)
    row = next(i + 1 for i, r in enumerate(payroll) if r[0] == emp_id)
    commission = f"{layout.PAYROLL.letter('commission')}{row}"
    assert (layout.PAYROLL.name, commission) in {(s, c) for s, c, *_ in stale.mismatches}
    recalc(books.edited)
    fresh = compare_books(books.edited, books.lo["edited"])
    # what still differs: the 合计 of the 应发 → 实发 columns, which are values in both builds
    # (recalc computes the withholding); every formula of the pay lines agrees
    total_row = len(payroll)
    values = {f"{layout.PAYROLL.letter(f)}{total_row}" for f in layout.NET_PAY_COLUMNS}
    assert {c for _s, c, *_ in fresh.mismatches} <= values, fresh.table()


def test_no_udf_name_appears_in_a_native_book(books: Books, tmp_path: Path) -> None:
    template = tmp_path / "native_template.xlsx"
    month_cycle.new_month("2026-11", template, formulas=builds.NATIVE)
    for book in (books.synthetic, books.demo, books.converted, template):
        called = functions_called(book)
        assert book == template or {"ROUND", "SUMPRODUCT", "LOOKUP"} <= called, book.name
        assert not called & set(udfs.__all__), (book.name, sorted(called & set(udfs.__all__)))
        assert builds.build_of(read_workbook(book).meta) == builds.NATIVE


def test_the_addin_book_does_call_udfs(books: Books, tmp_path: Path) -> None:
    """The check above could fail: the add-in build of the same month calls them."""
    addin = tmp_path / "addin.xlsx"
    build_workbook(addin, month=demo_month())
    assert functions_called(addin) & set(udfs.__all__) >= {"PAY_TABLE", "AMOUNT"}
    assert builds.build_of(read_workbook(addin).meta) == builds.ADDIN


def test_the_readme_names_the_build(books: Books) -> None:
    for book in (books.demo, books.converted):
        assert read_sheet(book, layout.README)[0][0].startswith(
            "本工作簿公式版本：原生公式（无需加载项）"
        )
    addin_notice = read_formulas(books.converted, layout.PAYROLL.name)
    assert not any("AMOUNT(" in f for f in addin_notice.values())


def test_new_month_keeps_the_native_build_and_refuses_to_go_back(
    books: Books, tmp_path: Path
) -> None:
    nxt = tmp_path / "next.xlsx"
    month_cycle.new_month("2026-11", nxt, source=books.demo)
    assert builds.build_of(read_workbook(nxt).meta) == builds.NATIVE
    back = tmp_path / "back.xlsx"
    with pytest.raises(WorkbookError, match="原生公式版本的工作簿，不能转换为加载项版本"):
        month_cycle.new_month("2026-11", back, source=books.demo, formulas=builds.ADDIN)
    assert not back.exists()


def test_a_converted_book_has_native_formulas_on_its_input_sheets(books: Books) -> None:
    card = layout.SCORECARD_SHEETS["design"]
    formulas = read_formulas(books.converted, card)
    totals = [f for cell, f in formulas.items() if "MIN(" in f]
    assert totals, formulas
    assert not any("SCORECARD_TOTAL" in f for f in formulas.values())
    weighted = read_formulas(books.converted, layout.SUPERVISOR_SELF.name)
    assert not any("WEIGHTED_SCORE" in f for f in weighted.values())


def test_check_payslips_and_close_work_on_a_native_book(books: Books, tmp_path: Path) -> None:
    book = Path(shutil.copy(books.synthetic, tmp_path / "month.xlsx"))
    report = check(book)
    assert not report.problems
    slips = write_payslips(book, tmp_path / "slips", per_employee=True)
    assert len(slips.employee_files) == STAFF
    total = recalc(book).result.total
    closed = month_cycle.close(book)
    assert (closed.employees, closed.total) == (STAFF, total)
    assert check(book).seal_broken == []


def test_the_command_line_makes_and_keeps_a_native_book(
    books: Books, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from xlkpi import cli, messages

    messages.set_lang("zh")
    first = tmp_path / "first.xlsx"
    args = ["--no-progress", "new-month", "--template", "--month", "2026-11", "--out", str(first)]
    assert cli.main([*args, "--formulas", "native"]) == 0
    assert builds.build_of(read_workbook(first).meta) == builds.NATIVE
    demo = tmp_path / "demo"
    assert cli.main(["--no-progress", "demo", "--out", str(demo), "--formulas", "native"]) == 0
    (book,) = [p for p in demo.glob("xlkpi_demo_*.xlsx") if ".bak" not in p.name]
    assert builds.build_of(read_workbook(book).meta) == builds.NATIVE
    assert not functions_called(book) & set(udfs.__all__)
    capsys.readouterr()
    back = [
        "new-month",
        "--from",
        str(book),
        "--month",
        "2026-11",
        "--out",
        str(tmp_path / "b.xlsx"),
    ]
    assert cli.main(["--no-progress", *back, "--formulas", "addin"]) == 2
    assert "不能转换为加载项版本" in capsys.readouterr().err


def test_the_ribbons_recalc_writes_the_native_formulas_too(books: Books, tmp_path: Path) -> None:
    """重算薪资 (the add-in's recalc, here on the file) keeps a native book native: the same
    formulas as the command line's recalc."""
    from xlkpi.addin import macros
    from xlkpi.workbook.access import FileWorkbook

    pristine = tmp_path / "pristine.xlsx"
    build_workbook(pristine, month=demo_month(), build=builds.NATIVE)
    book = FileWorkbook(pristine)
    assert macros.recalc(book) is not None
    book.save()
    ours = read_formulas(pristine, layout.PAYROLL.name)
    assert ours == read_formulas(books.demo, layout.PAYROLL.name)
    assert not functions_called(pristine) & set(udfs.__all__)
    # (on a file the macro writes through openpyxl, which stores formulas without values)


def test_a_native_book_calls_only_excel_worksheet_functions(books: Books) -> None:
    """Every function a native book calls is one of Excel's own (the list WPS and LibreOffice
    implement for .xlsx), so no host needs anything but its built-in functions."""
    listed = Path(__file__).with_name("data") / "excel_worksheet_functions.txt"
    excel = {
        line.strip().upper()
        for line in listed.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    called = functions_called(books.synthetic) | functions_called(books.demo)
    assert called and called <= excel, sorted(called - excel)
    assert "COMMISSION" not in excel  # the list is Excel's, not ours
