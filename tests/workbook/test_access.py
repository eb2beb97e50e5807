"""The workbook-access layer: the live implementation against a fake of the xlwings surface it
uses, the file implementation against real workbooks, and both against the command line's
reader."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.cycle_support import write_book
from tests.fake_xlwings import FakeBook, FakeComError
from workbook_templates import build_workbook
from xlkpi.sample_data import demo_month
from xlkpi.workbook import access as workbook_access
from xlkpi.workbook.access import FileWorkbook, WorkbookAccess, XlwingsWorkbook
from xlkpi.workbook.fingerprints import input_fingerprints
from xlkpi.workbook.sheets import Sheet as ReaderSheet
from xlkpi.workbook.sheets import header_map, load_sheets

ROWS: list[list[Any]] = [
    ["工号", "姓名", "入职日期", "销售额"],
    ["E001", "张三", datetime(2024, 3, 1), 38000.0],
    ["E002", "李四", datetime(2025, 1, 2, 9, 30), None],
]


def _live(rows: list[list[object]] | None = None) -> tuple[FakeBook, XlwingsWorkbook]:
    book = FakeBook("C:\\pay\\2026-10.xlsx", {"花名册": rows or ROWS, "空": []})
    return book, XlwingsWorkbook(book)


def test_both_implementations_satisfy_the_protocol(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    openpyxl.Workbook().save(path)
    assert isinstance(XlwingsWorkbook(FakeBook("x.xlsx", {})), WorkbookAccess)
    assert isinstance(FileWorkbook(path), WorkbookAccess)


def test_live_read_is_one_call_from_a1_with_dates_normalised() -> None:
    book, live = _live()
    rows = live.read_rows("花名册")
    assert book.calls == [("read", "花名册", (1, 1), (3, 4))]
    assert rows[1] == ["E001", "张三", date(2024, 3, 1), 38000.0]
    assert type(rows[1][2]) is date  # midnight: a date, as python-calamine reads it
    assert rows[2][2] == datetime(2025, 1, 2, 9, 30)
    assert live.read_rows("空") == []
    assert live.read_rows("花名册", max_rows=1) == [ROWS[0]]
    assert book.calls[-1] == ("read", "花名册", (1, 1), (1, 4))


def test_live_read_starts_at_a1_even_when_the_used_range_does_not() -> None:
    book, live = _live([[None, None], [None, "x"]])
    assert book.sheets["花名册"].used_range.row == 2  # Excel's used range starts at B2
    assert live.read_rows("花名册") == [[None, None], [None, "x"]]
    assert book.calls[-1] == ("read", "花名册", (1, 1), (2, 2))


def test_live_writes_a_block_in_one_call_with_decimals_as_floats() -> None:
    book, live = _live()
    block = [[f"E{i:03}", Decimal("1410.50"), i] for i in range(30)]
    live.write_values("花名册", 5, 2, block)
    assert book.writes() == [("value", "花名册", (5, 2), (34, 4))]
    sheet = book.sheets["花名册"]
    assert sheet.cells[(5, 3)] == 1410.5 and type(sheet.cells[(5, 3)]) is float
    live.write_formulas("花名册", 2, 6, [["=B2*2", 7], ["=B3*2", None]])
    assert book.writes()[-1] == ("formula", "花名册", (2, 6), (3, 7))
    assert sheet.cells[(2, 6)] == "=B2*2" and (3, 7) not in sheet.cells
    assert len(book.writes()) == 2


def test_live_write_pads_short_rows_to_a_rectangle() -> None:
    book, live = _live()
    live.write_values("花名册", 1, 1, [["a", "b", "c"], ["d"]])
    assert book.writes() == [("value", "花名册", (1, 1), (2, 3))]


def test_live_clear_rows_is_one_call_keeping_the_rows_above() -> None:
    book, live = _live()
    live.clear_rows("花名册", 2)
    assert book.calls == [("clear_contents", "花名册", (2, 1), (3, 4))]
    assert live.read_rows("花名册") == [ROWS[0]]
    live.clear_rows("花名册", 9)  # nothing below: no call
    assert [c for c in book.calls if c[0] == "clear_contents"] == [book.calls[0]]


def test_live_add_sheet_appends_once_and_can_hide_it() -> None:
    book, live = _live()
    live.add_sheet("_meta", hidden=True)
    live.add_sheet("_meta")
    assert live.sheet_names() == ["花名册", "空", "_meta"]
    assert [c for c in book.calls if c[0] == "add_sheet"] == [("add_sheet", "_meta", "空")]
    assert book.sheets["_meta"].visible is False


def test_live_selection_message_status_save_and_open() -> None:
    book, live = _live()
    assert live.selection() is None
    book.select("花名册", 3)
    assert live.selection() == ("花名册", 3)
    live.message("ok")
    live.message("x" * 5000, "标题", error=True)
    alerts = [c for c in book.calls if c[0] == "alert"]
    assert alerts[0] == ("alert", "ok", workbook_access.TITLE, "info")
    assert alerts[1][2:] == ("标题", "critical")
    assert len(alerts[1][1]) == workbook_access.MESSAGE_LIMIT and alerts[1][1].endswith("…")
    live.status("working")
    live.status(None)
    assert [c for c in book.calls if c[0] == "status_bar"] == [
        ("status_bar", "working"),
        ("status_bar", False),  # False hands the status bar back to Excel
    ]
    live.save()
    live.open_other(Path("/tmp/next.xlsx"))
    assert book.calls[-2:] == [("save",), ("open", "/tmp/next.xlsx")]
    assert live.path == Path("C:\\pay\\2026-10.xlsx")


def test_live_bulk_restores_screen_and_calculation_even_after_an_error() -> None:
    book, live = _live()
    with pytest.raises(RuntimeError), live.bulk():
        assert book.app.screen_updating is False
        assert book.app.calculation == "manual"
        raise RuntimeError("boom")
    assert book.app.screen_updating is True
    assert book.app.calculation == "automatic"


def test_file_workbook_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "花名册"
    for row in ROWS:
        ws.append(row)
    ws["F2"] = "=D2*2"  # no cached value: openpyxl never computes
    wb.save(path)
    book = FileWorkbook(path, selected=("花名册", 2))
    assert book.sheet_names() == ["花名册"]
    rows = book.read_rows("花名册")
    assert rows[1][:4] == ["E001", "张三", date(2024, 3, 1), 38000.0]
    assert type(rows[1][3]) is float  # as Excel and python-calamine give numbers
    assert rows[1][5] is None  # a formula reads as its cached value (none here)
    book.clear_rows("花名册", 3)
    book.write_values("花名册", 4, 1, [["E003", Decimal("12.30")]])
    book.write_formulas("花名册", 4, 3, [["=B4+1"]])
    book.add_sheet("_meta", hidden=True)
    book.message("hi")
    book.status("s")
    book.save()
    again = openpyxl.load_workbook(path)
    assert again["_meta"].sheet_state == "hidden"
    cells = [list(r) for r in again["花名册"].iter_rows(values_only=True)]
    assert cells[2] == [None] * 6  # row 3 cleared
    assert cells[3] == ["E003", 12.3, "=B4+1", None, None, None]
    assert book.selection() == ("花名册", 2)
    assert book.messages == [(workbook_access.TITLE, "hi", False)]
    assert book.statuses == ["s"]


def test_file_workbook_reads_cached_formula_results(tmp_path: Path) -> None:
    """A workbook whose formulas carry cached values (as recalc writes them) reads as values."""
    from xlkpi.workbook.xlsx_patch import SheetEdit, patch_workbook

    src, dst = tmp_path / "src.xlsx", tmp_path / "dst.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "S"
    wb.active.append([1, 2])
    wb.save(src)
    patch_workbook(src, dst, {"S": SheetEdit(values={"C1": 3}, formulas={"C1": "A1+B1"})})
    assert FileWorkbook(dst).read_rows("S") == [[1, 2, 3]]


def _as_reader_sheets(book: WorkbookAccess) -> dict[str, ReaderSheet]:
    out = {}
    for name in book.sheet_names():
        rows = book.read_rows(name)
        out[name] = ReaderSheet(name, rows, header_map(rows))
    return out


@pytest.mark.parametrize("build", ["template", "layout"])
def test_every_access_path_gives_the_command_line_readers_fingerprints(
    tmp_path: Path, build: str
) -> None:
    """calamine (CLI), openpyxl (FileWorkbook) and xlwings (live) see the same input cells."""
    path = tmp_path / "demo.xlsx"
    if build == "template":
        build_workbook(path, month=demo_month())
    else:
        write_book(path, demo_month())
    _names, cli_sheets = load_sheets(path)
    expected = input_fingerprints(cli_sheets)
    as_file = _as_reader_sheets(FileWorkbook(path))
    fake = FakeBook(str(path), {n: FileWorkbook(path).read_rows(n) for n in cli_sheets})
    as_live = _as_reader_sheets(XlwingsWorkbook(fake))
    assert len(expected) >= 8
    assert input_fingerprints(as_file) == expected
    assert input_fingerprints(as_live) == expected
    # one read call per sheet, nothing else
    assert [c[0] for c in fake.calls] == ["read"] * len(cli_sheets)


def test_values_that_look_like_formulas_stay_text(tmp_path: Path) -> None:
    book, live = _live()
    live.write_values("花名册", 5, 1, [["=not a formula", "x"]])
    assert book.sheets["花名册"].cells[(5, 1)] == "'=not a formula"  # Excel keeps it as text
    path = tmp_path / "a.xlsx"
    openpyxl.Workbook().save(path)
    file_book = FileWorkbook(path)
    file_book.write_values("Sheet", 1, 1, [["=SUM(1)"]])
    file_book.write_formulas("Sheet", 2, 1, [["=SUM(1)"]])
    file_book.save()
    ws = openpyxl.load_workbook(path)["Sheet"]
    assert (ws["A1"].data_type, ws["A2"].data_type) == ("s", "f")


# ---------------------------------------------------------------------------------------------
# protection: Excel refuses writes to locked cells of a protected sheet


def _protected() -> tuple[FakeBook, XlwingsWorkbook]:
    book, live = _live()
    book.protect(
        "花名册",
        unlocked={(2, 4)},
        DrawingObjects=False,
        Scenarios=False,
        AllowSorting=True,
        AllowFiltering=True,
        EnableSelection=1,
    )
    return book, live


def test_a_protected_sheet_takes_writes_to_unlocked_cells_only() -> None:
    book, live = _protected()
    live.write_values("花名册", 2, 4, [[1.0]])
    with pytest.raises(FakeComError):
        live.write_values("花名册", 2, 3, [[1.0]])
    with pytest.raises(FakeComError):
        live.clear_rows("花名册", 2)
    assert book.sheets["花名册"].rows()[1][3] == 1.0


def test_unprotected_lets_writes_through_and_restores_the_same_options() -> None:
    book, live = _protected()
    before = book.sheets["花名册"].api.options()
    assert live.protection("空") is None
    with live.unprotected(["花名册", "空", "no such sheet", "花名册"]):
        assert not book.sheets["花名册"].api.ProtectContents
        live.clear_rows("花名册", 2)
        live.write_values("花名册", 2, 1, [["E009"]])
    assert book.sheets["花名册"].api.options() == before
    assert before["AllowSorting"] and not before["AllowFormattingCells"]
    assert before["enable_selection"] == 1 and not before["drawing_objects"]
    assert [c for c in book.calls if c[0] in ("protect", "unprotect")] == [
        ("unprotect", "花名册"),
        ("protect", "花名册"),
    ]
    assert not book.sheets["空"].api.ProtectContents  # an unprotected sheet stays so


def test_unprotected_protects_again_when_the_block_fails() -> None:
    book, live = _protected()
    before = book.sheets["花名册"].api.options()
    with pytest.raises(RuntimeError), live.unprotected(["花名册"]):
        live.write_values("花名册", 2, 1, [["E009"]])
        raise RuntimeError("half-way")
    assert book.sheets["花名册"].api.options() == before


def test_a_password_is_reported_in_chinese_and_leaves_the_sheet_protected() -> None:
    book, live = _live()
    book.sheets["花名册"].api.Protect(Password="pw")
    with pytest.raises(workbook_access.ProtectedSheetError) as caught:
        with live.unprotected(["空", "花名册"]):
            raise AssertionError("must not run")
    assert "密码" in str(caught.value) and "花名册" in str(caught.value)
    assert book.sheets["花名册"].api.ProtectContents


def test_the_file_implementation_keeps_protection_as_saved(tmp_path: Path) -> None:
    path = tmp_path / "p.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "S"
    wb.active.protection.sheet = True
    wb.save(path)
    book = FileWorkbook(path)
    with book.unprotected(["S"]):
        book.write_values("S", 1, 1, [["x"]])
    book.save()
    assert openpyxl.load_workbook(path)["S"].protection.sheet


def test_a_long_array_formula_is_entered_short_and_put_back_by_replace() -> None:
    """Range.FormulaArray takes at most 255 characters: the stand-in is within it, calls no UDF
    (the function name is a placeholder too), and the replacements, applied in order, give
    back the formula exactly."""
    from xlkpi.workbook.access import FORMULA_ARRAY_LIMIT, short_array_formula

    blocks = ",".join(f"'考勤 ({i})'!$C$1:$N$10001" for i in range(20))
    formula = f'=PAY_TABLE("score","special_awards",$A$2:$A$10001,{blocks},"a,b")'
    assert len(formula) > FORMULA_ARRAY_LIMIT
    short, parts = short_array_formula(formula)
    assert len(short) <= FORMULA_ARRAY_LIMIT and "PAY_TABLE" not in short
    assert parts[-1] == ("XQ_00(", "PAY_TABLE(")
    again = short
    for placeholder, text in parts:
        assert again.count(placeholder) == 1
        again = again.replace(placeholder, text)
    assert again == formula
    assert short_array_formula("=SUM(A1:A2)") == ("=SUM(A1:A2)", [])


def test_a_long_call_inside_the_array_formula_is_split_too() -> None:
    """The product's formula: IF(ISERROR(probe), the hidden copy, PAY_TABLE(…)) — PAY_TABLE's
    call is longer than one replacement may be, so its arguments are placeholders as well;
    every replacement is within the limit, the names go back innermost first, IF last."""
    from workbook_templates.payroll import payroll_array, table_runs
    from xlkpi.policy_io import default_policy
    from xlkpi.workbook.access import FORMULA_ARRAY_LIMIT, short_array_formula

    policy = default_policy()
    rows = {name: 10_001 for name, _runs in table_runs(policy)}
    ((_block, formula),) = payroll_array(policy, 10_000, rows).items()
    assert formula.startswith("=IF(") and len(formula) > 2 * FORMULA_ARRAY_LIMIT
    short, parts = short_array_formula(formula)
    assert len(short) <= FORMULA_ARRAY_LIMIT and "PAY_TABLE" not in short and "AMOUNT" not in short
    assert all(len(text) <= FORMULA_ARRAY_LIMIT for _p, text in parts)
    assert [text for _p, text in parts[-2:]] == ["PAY_TABLE(", "IF("]
    again = short
    for placeholder, text in parts:
        assert again.count(placeholder) == 1
        again = again.replace(placeholder, text)
    assert again == formula


def test_an_array_formula_that_cannot_be_shortened_is_refused_in_chinese() -> None:
    from xlkpi.errors import WorkbookError
    from xlkpi.workbook.access import short_array_formula

    with pytest.raises(WorkbookError, match="无法通过 Excel 输入"):
        short_array_formula("=" + "A1+" * 100 + "A1")  # no call to split: too long as it is
