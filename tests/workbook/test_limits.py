"""Workbook size limits: zip bombs, huge grids and .xls files are refused with a message."""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from xlkpi.errors import WorkbookError, WorkbookTooLargeError
from xlkpi.workbook import limits as workbook_limits
from xlkpi.workbook.limits import check_workbook_file, col_letters, col_number, extent
from xlkpi.workbook.sheets import load_sheets

SHEET = "xl/worksheets/sheet1.xml"


@pytest.fixture
def base(tmp_path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "考勤"
    ws["A1"] = 1
    ws["B2"] = "x"
    path = tmp_path / "base.xlsx"
    wb.save(path)
    return path


def _rewrite(src: Path, dst: Path, part: str, change: object) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part:
                data = change(data)  # type: ignore[operator]
            zout.writestr(info, data)
    return dst


def _far_cell(data: bytes) -> bytes:
    return data.replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row></sheetData>'
    )


def test_a_far_cell_is_refused_before_calamine_aborts(base: Path, tmp_path: Path) -> None:
    book = _rewrite(base, tmp_path / "far.xlsx", SHEET, _far_cell)
    with pytest.raises(WorkbookTooLargeError, match=r"工作表“考勤”用到了 A1:XFD1048576"):
        load_sheets(book)
    script = f"from xlkpi import cli; raise SystemExit(cli.main(['check', {str(book)!r}]))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 2 and "超过上限" in done.stderr and "panic" not in done.stderr


def test_a_huge_dimension_alone_reads_normally(base: Path, tmp_path: Path) -> None:
    def dimension(data: bytes) -> bytes:
        return re.sub(rb'<dimension ref="[^"]+" ?/>', b'<dimension ref="A1:XFD1048576"/>', data)

    book = _rewrite(base, tmp_path / "dim.xlsx", SHEET, dimension)
    assert b"XFD1048576" in zipfile.ZipFile(book).read(SHEET)
    _names, sheets = load_sheets(book)
    assert sheets["考勤"].value(1, 0) == 1


def test_a_zip_bomb_is_refused_by_its_ratio(base: Path, tmp_path: Path) -> None:
    book = _rewrite(
        base, tmp_path / "bomb.xlsx", "docProps/app.xml", lambda d: d + b" " * (64 << 20)
    )
    with pytest.raises(WorkbookTooLargeError, match="压缩炸弹"):
        check_workbook_file(book)


def test_a_part_too_large_is_refused(
    base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workbook_limits, "MAX_PART_BYTES", 1000)
    with pytest.raises(WorkbookTooLargeError, match="超过单个部件的上限"):
        check_workbook_file(base)


def test_total_inflated_size_is_limited(base: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workbook_limits, "MAX_TOTAL_BYTES", 2000)
    with pytest.raises(WorkbookTooLargeError, match="解压后共有"):
        check_workbook_file(base)


def test_a_lying_size_in_the_zip_directory_is_refused(base: Path, tmp_path: Path) -> None:
    book = tmp_path / "lying.xlsx"
    data = bytearray(base.read_bytes())
    name = SHEET.encode()
    at = data.rfind(b"PK\x01\x02", 0, data.rfind(name))  # the sheet's central directory entry
    true_size = struct.unpack_from("<I", data, at + 24)[0]
    struct.pack_into("<I", data, at + 24, true_size // 4)  # claims a quarter of its size
    book.write_bytes(bytes(data))
    with pytest.raises(WorkbookError, match="不是可读的 Excel 工作簿"):
        check_workbook_file(book)


def test_an_xls_file_is_asked_to_be_saved_as_xlsx(tmp_path: Path) -> None:
    book = tmp_path / "old.xls"
    book.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024)
    with pytest.raises(WorkbookError, match=r"另存为” \.xlsx"):
        check_workbook_file(book)
    from xlkpi import cli

    assert cli.main(["--no-progress", "check", str(book)]) == 2


def test_a_file_too_large_is_refused(base: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workbook_limits, "MAX_FILE_BYTES", 100)
    with pytest.raises(WorkbookTooLargeError, match="超过上限"):
        check_workbook_file(base)


def test_extent_finds_the_farthest_cell() -> None:
    assert extent(b'<row r="3"><c r="A3"/><c r="AB3"/></row>') == (3, 28)
    assert extent(b'<row r="3"><c r="D3"/><c r="B3"/></row>') == (3, 4)
    assert extent(b'<x:row r="7"><x:c r="K7"/></x:row>') == (7, 11)
    assert extent(b'<row r="2"><c r="C1048576"/></row>') == (1048576, 3)
    assert extent(b'<row r="1"><c r="XFD1"/></row>') == (1, 16384)
    assert col_number(b"XFD") == 16384 and col_letters(16384) == "XFD" and col_letters(27) == "AA"


def test_an_unreadable_file_is_a_message_not_an_internal_error(
    base: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import builtins

    real_open = builtins.open

    def denied(file: object, *args: object, **kwargs: object) -> object:
        if str(file) == str(base):
            raise PermissionError(13, "Permission denied")
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(builtins, "open", denied)
    with pytest.raises(WorkbookError, match=r"无法读取 .*Permission denied"):
        check_workbook_file(base)


@pytest.fixture
def two_sheets(tmp_path: Path) -> Path:
    """考勤 with a far cell (sheet1) beside a small sheet 元 that calamine may read alone."""
    wb = openpyxl.Workbook()
    wb.active.title = "考勤"
    wb.active["A1"] = 1
    wb.create_sheet("元")["A1"] = "lang"
    path = tmp_path / "two.xlsx"
    wb.save(path)
    return _rewrite(path, tmp_path / "two-far.xlsx", SHEET, _far_cell)


def test_a_sheet_calamine_will_not_read_is_not_scanned(two_sheets: Path) -> None:
    with pytest.raises(WorkbookTooLargeError):
        check_workbook_file(two_sheets)
    check_workbook_file(two_sheets, skip={"考勤"})
    _names, sheets = load_sheets(two_sheets, ["元"])
    assert list(sheets) == ["元"] and sheets["元"].value(1, 0) == "lang"
    _names, sheets = load_sheets(two_sheets, heads_only=["考勤"])  # its head, not its grid
    assert sheets["考勤"].value(1, 0) == 1
    with pytest.raises(WorkbookTooLargeError):
        load_sheets(two_sheets, ["考勤", "元"])


def test_a_sheet_left_unread_is_neither_read_nor_scanned(two_sheets: Path) -> None:
    names, sheets = load_sheets(two_sheets, unread=["考勤"])
    assert names == ["考勤", "元"] and list(sheets) == ["元"]


def test_a_skipped_sheet_still_has_its_directory_sizes_checked(
    base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workbook_limits, "MAX_PART_BYTES", 1000)
    big = _rewrite(base, tmp_path / "big.xlsx", SHEET, lambda d: d + b" " * 2000)
    with pytest.raises(WorkbookTooLargeError, match="超过单个部件的上限"):
        check_workbook_file(big, skip={"考勤"})


def test_a_sheet_whose_head_cannot_be_read_alone_is_checked_before_calamine(
    two_sheets: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xlkpi.workbook import sheets as sheets_module

    monkeypatch.setattr(sheets_module, "_heads", lambda path, names, header_only=(): {})
    with pytest.raises(WorkbookTooLargeError):
        load_sheets(two_sheets, heads_only=["考勤"])


def test_the_total_counts_the_parts_the_read_inflates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sheet left to its head (the Payroll recalc rewrites) is not part of the total: a
    100,000-staff month inflates to 580 MB in all, 200 MB of it what recalc reads."""
    wb = openpyxl.Workbook()
    wb.active.title = "工资表"
    for r in range(1, 3001):
        wb.active.append([f"E{r:05d}", "实发合计" * 4, r * 1.5])
    wb.create_sheet("元")["A1"] = "lang"
    path = tmp_path / "big-payroll.xlsx"
    wb.save(path)
    with zipfile.ZipFile(path) as zf:
        sizes = {i.filename: i.file_size for i in zf.infolist()}
    payroll = sizes["xl/worksheets/sheet1.xml"]
    assert payroll > sum(sizes.values()) / 2
    monkeypatch.setattr(workbook_limits, "MAX_TOTAL_BYTES", sum(sizes.values()) - payroll // 2)
    with pytest.raises(WorkbookTooLargeError, match="解压后共有"):
        check_workbook_file(path)
    check_workbook_file(path, skip={"工资表"})
