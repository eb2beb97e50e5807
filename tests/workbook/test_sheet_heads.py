"""sheet_heads: row 1 and the first column of a sheet, as calamine reads them, without the rest."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import xlsxwriter

from tests.cycle_support import write_book
from xlkpi import layout
from xlkpi.layout import ALERTS, META, PAYROLL
from xlkpi.recalc import build_edits, recalc
from xlkpi.sample_data import demo_month
from xlkpi.workbook.reader import read_workbook
from xlkpi.workbook.sheet_heads import OTHER, read_heads
from xlkpi.workbook.sheets import Sheet, load_sheets
from xlkpi.workbook.xlsx_patch import SheetEdit, patch_workbook


def agrees_with_calamine(path: Path, name: str) -> list[list[object]]:
    """The heads of ``name`` equal calamine's row 1, first column and last row."""
    rows = read_heads(path, [name])[name]
    assert rows is not None
    _, sheets = load_sheets(path, [name])
    full = sheets[name].rows
    assert len(rows) == len(full)
    assert rows[0] == full[0][: len(rows[0])]
    assert all(v == "" for v in full[0][len(rows[0]) :])
    for mine, theirs in zip(rows[1:], full[1:], strict=True):
        assert (mine[0] if mine else "") == (theirs[0] if theirs else "")
        has_more = any(v not in ("", None) for v in theirs[1:])
        assert (len(mine) > 1 and mine[1] == OTHER) == has_more
    assert Sheet(name, rows).last_row == sheets[name].last_row
    return rows


@pytest.fixture
def recalculated(tmp_path: Path) -> Path:
    book = write_book(tmp_path / "month.xlsx", demo_month())
    recalc(book)
    return book


def test_payroll_and_alerts_of_a_recalculated_book(recalculated: Path) -> None:
    rows = agrees_with_calamine(recalculated, PAYROLL.name)
    assert rows[0][:2] == ["工号", "姓名"]
    assert len(rows) > 30  # every employee and the total row
    agrees_with_calamine(recalculated, ALERTS.name)


def test_shared_strings_numbers_booleans_gaps_and_empty_rows(tmp_path: Path) -> None:
    path = tmp_path / "shared.xlsx"
    wb = xlsxwriter.Workbook(str(path))  # xlsxwriter writes text as shared strings
    ws = wb.add_worksheet("S")
    ws.write_row(0, 0, ["工号", None, "a & <b>", 3.5, True])
    ws.write_string(1, 0, "E1")
    ws.write_number(1, 3, 12)
    ws.write_number(2, 0, 42)
    ws.write_string(4, 2, "only later columns")
    ws.write_boolean(5, 0, False)
    ws.write_formula(6, 0, '="E"&"7"', None, "E7")
    ws.write_blank(7, 0, None, wb.add_format({"bold": True}))
    wb.close()
    rows = agrees_with_calamine(path, "S")
    assert rows[0] == ["工号", "", "a & <b>", 3.5, True]
    assert [r[:1] for r in rows[1:7]] == [["E1"], [42.0], [], [""], [False], ["E7"]]


def test_rows_across_chunk_boundaries_stream_through(tmp_path: Path) -> None:
    path = tmp_path / "wide.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("W")
    for r in range(40):
        ws.write_row(r, 0, [f"id{r}", *(f"{'x' * 200}{r}{c}" for c in range(300))])
    wb.close()
    rows = agrees_with_calamine(path, "W")
    assert [r[0] for r in rows[1:]] == [f"id{r}" for r in range(1, 40)]


def test_a_prefixed_sheet_is_left_to_the_full_reader(tmp_path: Path) -> None:
    path = tmp_path / "plain.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("P").write_row(0, 0, ["a", "b"])
    wb.close()
    prefixed = tmp_path / "prefixed.xlsx"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(prefixed, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                text = text.replace("<worksheet xmlns=", "<x:worksheet xmlns:x=")
                text = text.replace("</worksheet>", "</x:worksheet>")
                for tag in ("sheetData", "row", "c", "v", "dimension", "sheetViews"):
                    text = text.replace(f"<{tag}", f"<x:{tag}").replace(f"</{tag}", f"</x:{tag}")
                data = text.encode()
            zout.writestr(info, data)
    assert read_heads(prefixed, ["P"]) == {"P": None}
    _, sheets = load_sheets(prefixed, heads_only=["P"])  # read in full instead
    assert sheets["P"].rows[0][:2] == ["a", "b"]
    assert read_heads(prefixed, ["missing"]) == {}


def test_a_header_row_alone_is_read_without_inflating_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xlkpi.workbook import sheet_heads

    path = tmp_path / "long.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("P")
    ws.write_row(0, 0, ["工号", "金额"])
    for r in range(1, 60_000):  # several megabytes of sheet XML
        ws.write_row(r, 0, [f"E{r:05d}", r * 1.5, "说明" * 5])
    wb.close()
    chunks: list[int] = []
    real = sheet_heads._xml_chunks

    def counted(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
        for chunk in real(zf, info):
            chunks.append(len(chunk))
            yield chunk

    monkeypatch.setattr(sheet_heads, "_xml_chunks", counted)
    assert read_heads(path, ["P"], header_only=["P"]) == {"P": [["工号", "金额"]]}
    assert len(chunks) == 1
    chunks.clear()
    full = read_heads(path, ["P"])["P"]
    assert full is not None and len(full) == 60_000 and full[-1] == ["E59999", OTHER]
    assert len(chunks) > 2


def test_the_hidden_copy_of_the_last_recalc_is_not_read(recalculated: Path) -> None:
    """Every recalc rewrites _上次重算 whole and no rule reads it: reading a month skips it."""
    contents = read_workbook(recalculated)
    assert layout.LAST_RECALC in contents.sheet_names
    assert layout.LAST_RECALC not in contents.sheets
    assert contents.ok


def test_recalc_builds_the_same_edits_from_the_heads(recalculated: Path, tmp_path: Path) -> None:
    changed = tmp_path / "changed.xlsx"
    patch_workbook(recalculated, changed, {"业绩": SheetEdit(values={"C2": 12345})})
    full = read_workbook(changed)
    rewritten = (ALERTS.name, layout.TAX_SHEET.name)  # as recalc reads: their header rows
    heads = read_workbook(changed, heads_only=(PAYROLL.name, *rewritten), header_only=rewritten)
    assert [len(heads.sheets[name].rows) for name in rewritten] == [1, 1]
    assert heads.month == full.month
    assert heads.input_hash == full.input_hash
    result = recalc(shutil.copyfile(changed, tmp_path / "again.xlsx")).result
    a, b = build_edits(full, result), build_edits(heads, result)
    a.pop(META), b.pop(META)  # the time of the recalc
    assert a == b
    assert a[PAYROLL.name].formulas == {}  # rows in place: only the cached values change
