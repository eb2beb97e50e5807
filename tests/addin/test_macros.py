"""The ribbon actions: same results as the command line, on a file and on a (fake) live book,
written in batches, and never raising into Excel."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula

from tests.cycle_support import set_cell
from tests.fake_xlwings import FakeBook, FakeComError, from_file
from workbook_templates import build_workbook
from workbook_templates import payroll as payroll_template
from xlkpi import check as check_module
from xlkpi import layout, month_cycle, recalc
from xlkpi.addin import macros
from xlkpi.addin.build import RIBBON_ACTIONS
from xlkpi.engine import compute_month
from xlkpi.layout import ALERTS, LAST_RECALC, META, PAYROLL
from xlkpi.money import format_yuan
from xlkpi.payslips import write_payslips
from xlkpi.sample_data import demo_month
from xlkpi.workbook import reader as workbook_reader
from xlkpi.workbook.access import FileWorkbook, XlwingsWorkbook
from xlkpi.workbook.meta import (
    META_EMPLOYEES,
    META_INPUT_HASH,
    META_MONTH,
    META_PAYROLL_TOTAL,
    META_SEAL_HASH,
    META_SEAL_INPUTS,
    META_SEAL_POLICY,
    META_SEAL_RESULTS,
    META_SEAL_SHEETS,
    META_STATUS,
)
from xlkpi.workbook.xlsx_patch import SheetEdit, split_ref

MONTH = demo_month()


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template filled with the demo month, never recalculated."""
    path = tmp_path_factory.mktemp("demo") / "店铺_2026-10.xlsx"
    build_workbook(path, month=MONTH)
    return path


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory: pytest.TempPathFactory, pristine: Path) -> Path:
    """The demo book after the command line's recalc."""
    path = tmp_path_factory.mktemp("cli") / pristine.name
    shutil.copy(pristine, path)
    recalc.recalc(path)
    return path


@pytest.fixture(autouse=True)
def log_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    log = tmp_path / "logs" / "macros.log"
    monkeypatch.setattr(macros, "LOG_FILE", log)
    return log


def _copy(src: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(src, folder / src.name))


def _sheet(path: Path, name: str) -> list[list[Any]]:
    """A sheet as openpyxl sees it in formula mode (formulas as text, values as stored)."""
    ws = openpyxl.load_workbook(path)[name]
    return [
        [("array", v.ref, v.text) if isinstance(v, ArrayFormula) else v for v in r]
        for r in ws.iter_rows(values_only=True)
    ]


def _meta(path: Path) -> dict[str, Any]:
    return {r[0]: r[1] for r in _sheet(path, META)}


def _live_from(path: Path) -> FakeBook:
    """A fake live book holding what Excel would show for the file (formulas computed),
    protected as the file is (writes to its locked cells raise, as in Excel)."""
    return from_file(path)


def _same_cells(a: list[list[Any]], b: list[list[Any]]) -> None:
    """Equal cell for cell; "" and blank are the same (Excel stores no empty text)."""
    a = [[None if v == "" else v for v in r] for r in a]
    b = [[None if v == "" else v for v in r] for r in b]
    width = max(len(r) for r in a + b)
    pad = (
        [[*r, *[None] * (width - len(r))] for r in a],
        [[*r, *[None] * (width - len(r))] for r in b],
    )
    assert len(pad[0]) == len(pad[1])
    for i, (x, y) in enumerate(zip(*pad, strict=True), start=1):
        assert x == y, f"row {i}: {x} != {y}"


# ---------------------------------------------------------------------------------------------
# the ribbon's contract


def test_every_ribbon_action_exists_and_needs_no_argument() -> None:
    import inspect

    for action in RIBBON_ACTIONS:
        params = inspect.signature(getattr(macros, action)).parameters.values()
        assert all(p.default is not p.empty for p in params), action
        assert "book" in inspect.signature(getattr(macros, action)).parameters


@pytest.mark.parametrize("action", RIBBON_ACTIONS)
def test_without_excel_an_action_logs_and_returns_instead_of_raising(
    action: str, log_file: Path
) -> None:
    assert getattr(macros, action)() is None  # xw.Book.caller() fails outside Excel
    assert "Traceback" in log_file.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# recalc: the macro path gives the command line's Payroll


def test_recalc_on_a_file_matches_the_command_line(
    tmp_path: Path, pristine: Path, recalculated: Path
) -> None:
    path = _copy(pristine, tmp_path)
    book = FileWorkbook(path)
    result = macros.recalc(book)
    book.save()
    assert result is not None
    expected = compute_month(MONTH)
    assert result.total == expected.total
    _same_cells(_sheet(path, PAYROLL.name), _sheet(recalculated, PAYROLL.name))
    _same_cells(_sheet(path, ALERTS.name), _sheet(recalculated, ALERTS.name))
    ours, theirs = _meta(path), _meta(recalculated)
    for key in (
        META_STATUS,
        META_INPUT_HASH,
        META_EMPLOYEES,
        META_PAYROLL_TOTAL,
    ):
        assert ours[key] == theirs[key], key
    # the numbers the macro computed are the ones the command line cached, row for row
    total_col = PAYROLL.index("total")
    cached = openpyxl.load_workbook(recalculated, data_only=True)[PAYROLL.name]
    n = len(result.results)
    totals = [
        row[total_col] for row in cached.iter_rows(min_row=2, max_row=n + 1, values_only=True)
    ]
    assert [Decimal(repr(float(t))) for t in totals] == [r.total for r in result.results]
    (_title, text, error) = book.messages[-1]
    assert not error and format_yuan(expected.total) in text


def test_live_recalc_adds_the_hidden_copy_to_a_book_made_before_it(
    pristine: Path, recalculated: Path
) -> None:
    """A book from before 上次重算 existed gains it, hidden, holding the table's values."""
    fake = _live_from(pristine)
    fake.sheets._sheets.remove(fake.sheets[LAST_RECALC])  # as a book made before it
    assert macros.recalc(XlwingsWorkbook(fake)) is not None
    added = fake.sheets[LAST_RECALC]
    assert ("add_sheet", LAST_RECALC, fake.sheets[len(fake.sheets) - 2].name) in fake.calls
    assert added.visible is False
    _same_cells(added.rows(), _sheet(recalculated, LAST_RECALC))
    assert any(isinstance(v, float) and v > 0 for row in added.rows() for v in row)


def test_live_recalc_matches_the_command_line_in_a_few_batched_writes(
    pristine: Path, recalculated: Path
) -> None:
    fake = _live_from(pristine)
    result = macros.recalc(XlwingsWorkbook(fake))
    assert result is not None
    cli = _sheet(recalculated, PAYROLL.name)
    n = len(MONTH.employees)
    # the table is entered as ONE array formula over its block, as the command line wrote it
    live_payroll = fake.sheets[PAYROLL.name]
    (_a, block, text) = cli[1][PAYROLL.index("score")]
    table = (split_ref(block.split(":")[0]), split_ref(block.split(":")[1]))
    assert live_payroll.arrays == {table: text}
    assert [c for c in fake.calls if c[0] == "formula_array"] == [
        ("formula_array", PAYROLL.name, *table)
    ]
    cli[1][PAYROLL.index("score")] = live_payroll.cells[table[0]]  # its cached value
    _same_cells(live_payroll.rows(), cli)
    _same_cells(fake.sheets[ALERTS.name].rows(), _sheet(recalculated, ALERTS.name))
    # Payroll: one clear and ONE write for the whole table, never a call per cell or row;
    # one more for the add-in notice in row 1
    notice = split_ref(payroll_template.notice_cell())
    payroll_writes = fake.writes(PAYROLL.name)
    assert [w[2] for w in payroll_writes if w[2] != (2, 1)] == [notice]
    assert len(payroll_writes) == 2
    (_kind, _name, first, last) = next(w for w in payroll_writes if w[2] == (2, 1))
    assert first == (2, 1) and last[1] >= PAYROLL.index("trace") + 1
    assert last[0] == len(cli) >= n + 1  # every employee's row (and a total row, if any)
    assert len(fake.writes(ALERTS.name)) == 1
    assert len(fake.writes(META)) <= 2
    # the hidden copy the array shows without the add-in: ONE write, the table's values
    assert [w[2:] for w in fake.writes(LAST_RECALC)] == [table]
    _same_cells(fake.sheets[LAST_RECALC].rows(), _sheet(recalculated, LAST_RECALC))
    assert len(fake.writes()) <= 6
    # reads: one per sheet; Payroll and Alerts only down to their header row
    reads = [c for c in fake.calls if c[0] == "read"]
    assert len(reads) == len({c[1] for c in reads})
    assert {c[1]: c[3][0] for c in reads}[PAYROLL.name] == 1
    # Excel left as found: screen updating and calculation restored, status bar handed back
    assert fake.app.screen_updating is True and fake.app.calculation == "automatic"
    assert fake.calls[-1] == ("status_bar", False)
    assert ("save",) not in fake.calls  # the person saves
    meta = {r[0]: r[1] for r in fake.sheets[META].rows()}
    assert meta[META_INPUT_HASH] == _meta(recalculated)["input_hash"]


def test_the_template_saves_payroll_protected_so_excel_refuses_a_plain_write(
    pristine: Path,
) -> None:
    fake = _live_from(pristine)
    payroll = fake.sheets[PAYROLL.name]
    assert payroll.api.ProtectContents  # as saved by the template: every cell locked
    with pytest.raises(FakeComError):
        XlwingsWorkbook(fake).write_values(PAYROLL.name, 2, 2, [["x"]])


def test_live_recalc_on_the_protected_book_protects_every_sheet_again_as_it_was(
    pristine: Path,
) -> None:
    fake = _live_from(pristine)
    before = {s.name: s.api.options() for s in fake.sheets}
    assert macros.recalc(XlwingsWorkbook(fake)) is not None
    assert ("refused", PAYROLL.name) not in fake.calls
    assert {s.name: s.api.options() for s in fake.sheets} == before
    # unprotected only for the writes: unprotect, clear and write, protect, in that order
    kinds = [c[0] for c in fake.calls if c[1:2] == (PAYROLL.name,)]
    # the table's array is entered as a short stand-in (Range.FormulaArray takes at most 255
    # characters), then Range.Replace puts each long argument and the function name back
    kinds = kinds[kinds.index("unprotect") :]
    replaces = kinds.count("replace")
    assert replaces > 1
    assert kinds == [
        "unprotect",
        "clear_contents",
        "formula",
        "formula",
        "formula_array",
        *["replace"] * replaces,
        "protect",
    ]
    assert before[PAYROLL.name]["drawing_objects"] is False  # not Protect()'s default True
    alert = next(c for c in reversed(fake.calls) if c[0] == "alert")
    assert alert[3] == "info" and "已重算" in alert[1]


def test_a_write_failing_half_way_still_protects_the_sheets_again(
    pristine: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _live_from(pristine)
    before = {s.name: s.api.options() for s in fake.sheets}
    live = XlwingsWorkbook(fake)

    def broken(sheet: str, row: int, col: int, rows: Any) -> None:
        raise RuntimeError("Excel went away half-way")

    monkeypatch.setattr(live, "write_formulas", broken)
    assert macros.recalc(live) is None
    assert {s.name: s.api.options() for s in fake.sheets} == before
    assert ("unprotect", PAYROLL.name) in fake.calls and ("protect", PAYROLL.name) in fake.calls
    alert = next(c for c in reversed(fake.calls) if c[0] == "alert")
    assert alert[3] == "critical" and "half-way" in alert[1]


def test_a_password_on_the_payroll_is_reported_and_nothing_is_written(pristine: Path) -> None:
    fake = _live_from(pristine)
    api = fake.sheets[PAYROLL.name].api
    api.Unprotect()
    api.Protect(Password="秘密", DrawingObjects=False)
    before = fake.sheets[PAYROLL.name].rows()
    assert macros.recalc(XlwingsWorkbook(fake)) is None
    assert fake.sheets[PAYROLL.name].rows() == before
    assert not fake.writes(PAYROLL.name)
    alert = next(c for c in reversed(fake.calls) if c[0] == "alert")
    assert alert[3] == "critical" and "密码" in alert[1] and PAYROLL.name in alert[1]
    assert api.ProtectContents


def test_on_a_mac_the_live_recalc_writes_values_where_formulas_would_show_name_errors(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = FakeBook("/Users/a/b.xlsx", {"S": [["h1", "h2"]]})
    path = tmp_path / "f.xlsx"
    openpyxl.Workbook().save(path)
    for platform, live, files in (("darwin", False, True), ("win32", True, True)):
        monkeypatch.setattr(macros.sys, "platform", platform)
        assert macros.udfs_run_in(XlwingsWorkbook(fake)) is live
        assert macros.udfs_run_in(FileWorkbook(path)) is files
    edit = SheetEdit(values={"A2": 5, "B2": 7}, formulas={"B2": "UDF(A2)"}, clear_rows_from=2)
    macros.apply_edits(XlwingsWorkbook(fake), {"S": edit}, formulas=False)
    assert fake.writes() == [("value", "S", (2, 1), (2, 2))]
    assert fake.sheets["S"].rows()[1] == [5, 7]
    macros.apply_edits(XlwingsWorkbook(fake), {"S": edit}, formulas=True)
    assert fake.writes()[-1][0] == "formula"
    assert fake.sheets["S"].rows()[1] == [5, "=UDF(A2)"]


def test_edit_blocks_join_adjacent_cells_only() -> None:
    edit = SheetEdit(values={"B3": "x", "B4": "y", "B5": "z", "D9": 1, "E9": 2, "G9": 3})
    blocks = macros.edit_blocks(edit)
    assert [(b.row, b.col, b.rows) for b in blocks] == [
        (3, 2, [["x"], ["y"], ["z"]]),
        (9, 4, [[1, 2]]),
        (9, 7, [[3]]),
    ]
    assert not any(b.formulas for b in blocks)
    # below clear_rows_from gaps are blank anyway: one block for the table
    table = SheetEdit(
        values={"A2": 1, "C2": 3, "A3": 4, "B3": 5, "C3": 6},
        formulas={"B2": "A2*2"},
        clear_rows_from=2,
    )
    (block,) = macros.edit_blocks(table)
    assert (block.row, block.col, block.rows, block.formulas) == (
        2,
        1,
        [[1, "=A2*2", 3], [4, 5, 6]],
        True,
    )


# ---------------------------------------------------------------------------------------------
# check


def test_check_lists_every_problem_on_a_sheet_like_the_command_line(
    tmp_path: Path, pristine: Path
) -> None:
    path = _copy(pristine, tmp_path)
    sales_col = layout.SALES.letter("sales")
    set_cell(path, layout.SALES.name, f"{sales_col}3", "很多")
    set_cell(path, layout.ATTENDANCE.name, f"{layout.ATTENDANCE.letter('lates')}4", None)
    cli = check_module.check(path)
    assert len(cli.problems) >= 2
    fake = _live_from(path)
    report = macros.check(XlwingsWorkbook(fake))
    assert report is not None and report.problems == cli.problems
    rows = fake.sheets[macros.CHECK_SHEET.name].rows()
    assert rows[0] == macros.CHECK_SHEET.headers
    listed = [tuple(r[:2]) for r in rows[1:]]
    assert listed == [(p.sheet, p.cell) for p in cli.problems]
    bad = next(r for r in rows[1:] if r[:2] == [layout.SALES.name, f"{sales_col}3"])
    assert bad[2] == "很多" and bad[3] and bad[4]  # value, message and remedy
    assert len(fake.writes(macros.CHECK_SHEET.name)) == 1
    (prompt, _title, mode) = next(c for c in fake.calls if c[0] == "alert")[1:]
    assert mode == "critical" and f"有 {len(cli.problems)} 个问题" in prompt
    # recalc refuses, shows the same problems, and leaves Payroll alone
    assert macros.recalc(XlwingsWorkbook(fake)) is None
    assert fake.writes(PAYROLL.name) == []
    # fixed: the check sheet is refreshed to say so
    fixed = _live_from(pristine)
    fixed.sheets.add(macros.CHECK_SHEET.name, after=fixed.sheets[len(fixed.sheets) - 1])
    fixed.sheets[macros.CHECK_SHEET.name].cells[(2, 1)] = "old problem"
    report = macros.check(XlwingsWorkbook(fixed))
    assert report is not None and report.ok
    assert fixed.sheets[macros.CHECK_SHEET.name].rows()[1][3].startswith("没有问题")
    assert "old problem" not in str(fixed.sheets[macros.CHECK_SHEET.name].rows())


# ---------------------------------------------------------------------------------------------
# explain


def test_explain_shows_lines_with_base_quantity_rate_trace_and_alerts(
    recalculated: Path,
) -> None:
    expected = recalc.compute_checked(workbook_reader.read_workbook(recalculated))
    alerted = next(r for r in expected.results if r.alerts)
    row = 2 + expected.results.index(alerted)
    fake = _live_from(recalculated)
    fake.select(PAYROLL.name, row)
    text = macros.explain(XlwingsWorkbook(fake))
    assert text is not None
    assert text.startswith(f"{alerted.employee.id} {alerted.employee.name}")
    assert f"应发合计：{format_yuan(alerted.gross)}" in text
    assert f"实发合计：{format_yuan(alerted.net)}" in text
    assert alerted.trace in text
    shown = [line for line in alerted.lines if line.amount or line.term]
    for line in shown:
        assert f"{line.label_zh}：{format_yuan(line.amount)}" in text
    assert text.count("基数 ") == len(shown) and "数量" in text and "比例" in text
    for alert in alerted.alerts:
        assert alert.message in text
    (_prompt, title, mode) = next(c for c in fake.calls if c[0] == "alert")[1:]
    assert mode == "info" and alerted.employee.name in title
    assert fake.writes() == []  # explain never writes
    # the same employee, selected on another sheet
    fake.select(layout.ROSTER.name, row)
    assert macros.explain(XlwingsWorkbook(fake)) == text


@pytest.mark.parametrize(
    "where", [None, (PAYROLL.name, 1), (META, 3), (PAYROLL.name, len(MONTH.employees) + 2)]
)
def test_explain_without_an_employee_row_says_what_to_select(
    recalculated: Path, where: tuple[str, int] | None
) -> None:
    book = FileWorkbook(recalculated, selected=where)
    assert macros.explain(book) is None
    (_title, text, error) = book.messages[-1]
    assert error and "请在员工所在的行中选一个单元格" in text


# ---------------------------------------------------------------------------------------------
# close, payslips, new month


def test_close_month_seals_like_the_command_line_then_recalc_refuses(
    tmp_path: Path, recalculated: Path
) -> None:
    cli_path = _copy(recalculated, tmp_path / "cli")
    month_cycle.close(cli_path)
    path = _copy(recalculated, tmp_path / "macro")
    fake = _live_from(path)
    seal = macros.close_month(XlwingsWorkbook(fake))
    cli_meta = _meta(cli_path)
    assert seal == cli_meta[META_SEAL_HASH]
    meta = {r[0]: r[1] for r in fake.sheets[META].rows()}
    for key in (
        META_STATUS,
        META_SEAL_INPUTS,
        META_SEAL_POLICY,
        META_SEAL_RESULTS,
        META_SEAL_SHEETS,
    ):
        assert meta[key] == cli_meta[key], key
    assert ("save",) in fake.calls
    before = fake.sheets[PAYROLL.name].rows()
    assert macros.recalc(XlwingsWorkbook(fake)) is None
    (prompt, _title, mode) = [c for c in fake.calls if c[0] == "alert"][-1][1:]
    assert mode == "critical" and "已封账" in prompt
    assert fake.sheets[PAYROLL.name].rows() == before
    assert macros.close_month(XlwingsWorkbook(fake)) is None  # already sealed: a message


def test_close_month_refuses_a_stale_payroll(tmp_path: Path, pristine: Path) -> None:
    book = FileWorkbook(_copy(pristine, tmp_path))
    assert macros.close_month(book) is None
    (_title, text, error) = book.messages[-1]
    assert error and "还没有重算过" in text


def test_payslips_from_the_live_book_match_the_command_line(
    tmp_path: Path, recalculated: Path
) -> None:
    cli = write_payslips(_copy(recalculated, tmp_path / "cli"))
    path = _copy(recalculated, tmp_path / "macro")
    fake = _live_from(path)
    fake.fullname = str(path)
    out = macros.payslips(XlwingsWorkbook(fake))
    assert out is not None and out.parent == path.parent and out.name == cli.sheet_file.name
    assert ("open", str(out)) in fake.calls
    ours = openpyxl.load_workbook(out).active
    theirs = openpyxl.load_workbook(cli.sheet_file).active
    assert [list(r) for r in ours.iter_rows(values_only=True)] == [
        list(r) for r in theirs.iter_rows(values_only=True)
    ]


def test_new_month_saves_builds_the_next_month_beside_the_book_and_opens_it(
    tmp_path: Path, recalculated: Path
) -> None:
    path = _copy(recalculated, tmp_path)
    book = FileWorkbook(path)
    out = macros.new_month(book)
    assert out == path.with_name("店铺_2026-11.xlsx")
    assert book.opened == [out]
    meta = _meta(out)
    assert meta[META_MONTH] == "2026-11"
    history = _sheet(out, layout.HISTORY.name)
    assert sum(1 for r in history if r[0] == "2026-10") == len(MONTH.employees)
    assert "2026-11" in book.messages[-1][1]
    # a second click does not overwrite the month already started
    assert macros.new_month(FileWorkbook(path)) is None


def test_next_month_path() -> None:
    assert macros.next_month_path(Path("/a/店铺_2026-10.xlsx"), "2026-10", "2026-11") == Path(
        "/a/店铺_2026-11.xlsx"
    )
    assert macros.next_month_path(Path("/a/工资.xlsm"), "2026-10", "2026-11") == Path(
        "/a/工资_2026-11.xlsm"
    )


def test_an_unsaved_book_is_asked_to_be_saved_first(recalculated: Path) -> None:
    fake = _live_from(recalculated)
    fake.fullname = "Book1"
    for action in (macros.payslips, macros.new_month, macros.close_month):
        assert action(XlwingsWorkbook(fake)) is None
    prompts = [c[1] for c in fake.calls if c[0] == "alert"]
    assert len(prompts) == 3 and all("请先保存工作簿" in p for p in prompts)


# ---------------------------------------------------------------------------------------------
# errors


def test_an_unexpected_error_shows_a_short_message_and_the_log_location(
    recalculated: Path, log_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = FileWorkbook(recalculated)

    def broken(sheet: str, max_rows: int | None = None) -> list[list[Any]]:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(book, "read_rows", broken)
    assert macros.recalc(book) is None
    (_title, text, error) = book.messages[-1]
    assert error and "disk on fire" in text and str(log_file) in text
    assert "Traceback" not in text
    assert "RuntimeError: disk on fire" in log_file.read_text(encoding="utf-8")
    assert book.statuses[-1] is None  # status bar handed back


def test_a_failing_message_box_does_not_raise_either(
    recalculated: Path, log_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = FileWorkbook(recalculated, selected=None)

    def gone(*args: Any, **kwargs: Any) -> None:
        raise OSError("Excel went away")

    monkeypatch.setattr(book, "message", gone)
    assert macros.explain(book) is None
    assert "Excel went away" in log_file.read_text(encoding="utf-8")


def test_check_reads_the_live_cells_not_the_saved_file(pristine: Path) -> None:
    assert check_module.check(pristine).problems == []
    fake = _live_from(pristine)
    col = layout.SALES.index("sales") + 1
    fake.sheets[layout.SALES.name].cells[(5, col)] = -3.0  # typed in Excel, not saved
    report = macros.check(XlwingsWorkbook(fake))
    assert report is not None
    cell = f"{layout.SALES.letter('sales')}5"
    assert [(p.sheet, p.cell, p.value) for p in report.problems] == [
        (layout.SALES.name, cell, -3.0)
    ]
    assert fake.calls.count(("save",)) == 0


def test_the_live_payroll_is_rewritten_whole_since_excel_refuses_part_of_an_array(
    recalculated: Path,
) -> None:
    """On a book the command line recalculated, the table is an array: a value written into
    one of its cells is refused (as Excel does), so the live recalc clears the rows and enters
    the array again over its whole block — it never writes into part of it."""
    fake = _live_from(recalculated)
    payroll = fake.sheets[PAYROLL.name]
    assert len(payroll.arrays) == 1
    (first, last), text = next(iter(payroll.arrays.items()))
    assert text.startswith("=IF(ISERROR(AMOUNT(0)),") and ",PAY_TABLE(" in text
    payroll.api.Unprotect()
    with pytest.raises(FakeComError, match="part of an array"):
        XlwingsWorkbook(fake).write_values(PAYROLL.name, first[0] + 1, first[1] + 1, [[1]])
    payroll.api.Protect(DrawingObjects=False)
    assert macros.recalc(XlwingsWorkbook(fake)) is not None
    assert payroll.arrays == {(first, last): text}
    assert ("refused", PAYROLL.name) not in fake.calls[
        fake.calls.index(("protect", PAYROLL.name)) :
    ]
