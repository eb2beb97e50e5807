"""Number formats and column widths a patch sets (xlkpi.cell_formats, SheetEdit.formats/columns)."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from xlkpi.cell_formats import ensure_formats
from xlkpi.workbook.xlsx_patch import SheetEdit, patch_workbook

STYLES = (
    b'<styleSheet xmlns="x"><fonts count="1"><font/></fonts>'
    b'<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    b'<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0">'
    b'<protection locked="0"/></xf></cellXfs></styleSheet>'
)


def test_a_custom_code_gets_a_numfmt_and_a_plain_style_once() -> None:
    styles, index = ensure_formats(STYLES, ["0.0%", "#,##0.00"])
    # the existing #,##0.00 style unlocks its cells: not a plain one, so a new style is added
    assert index == {"0.0%": 2, "#,##0.00": 3}
    assert b'<numFmts count="1"><numFmt numFmtId="164" formatCode="0.0%"/></numFmts>' in styles
    assert b'<cellXfs count="4">' in styles
    again, same = ensure_formats(styles, ["#,##0.00", "0.0%", "0%"])
    assert same == {"#,##0.00": 3, "0.0%": 2, "0%": 4} and again.count(b"<numFmt ") == 1


def test_patched_cells_read_back_with_their_formats_and_widths(tmp_path: Path) -> None:
    src, dst = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "S"
    wb.active["A1"] = "x"
    wb.active.column_dimensions["B"].width = 30
    wb.save(src)
    edit = SheetEdit(
        values={"A2": 1234.5, "B2": 0.1, "C2": 7},
        formats={"A2": "#,##0.00", "B2": "0%"},
        styles={"C2": 0},
        columns={1: (14.0, False), 3: (6.0, True)},
    )
    patch_workbook(src, dst, {"S": edit})
    ws = openpyxl.load_workbook(dst)["S"]
    assert (ws["A2"].number_format, ws["B2"].number_format) == ("#,##0.00", "0%")
    assert ws["C2"].number_format == "General" and ws["A2"].value == 1234.5
    assert ws.column_dimensions["A"].width == 14 and ws.column_dimensions["C"].hidden
    assert ws.column_dimensions["B"].width != 30  # the old widths are replaced


def test_column_formats_format_every_cell_of_rows_in_their_columns(tmp_path: Path) -> None:
    """``column_formats`` for the cells given by ``rows``; a cell's own format or style wins,
    and cells outside ``rows`` or outside those columns keep theirs."""
    src, dst = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "S"
    wb.active["A1"] = "x"
    wb.save(src)
    edit = SheetEdit(
        values={"A9": 5},
        rows={2: {1: 1234.5, 2: 0.1, 3: "text"}, 3: {1: 7, 2: 0.25}, 4: {3: "only C"}},
        column_formats={1: "#,##0.00", 2: "0%"},
        formats={"B3": "0.0%"},
        styles={"A3": 0},
    )
    patch_workbook(src, dst, {"S": edit})
    ws = openpyxl.load_workbook(dst)["S"]
    assert (ws["A2"].number_format, ws["B2"].number_format) == ("#,##0.00", "0%")
    assert ws["B3"].number_format == "0.0%" and ws["A3"].number_format == "General"
    assert ws["C2"].number_format == "General" and ws["C4"].value == "only C"
    assert ws["A9"].number_format == "General" and ws["A2"].value == 1234.5


def test_a_negative_column_style_is_refused(tmp_path: Path) -> None:
    import pytest

    src = tmp_path / "a.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "S"
    wb.save(src)
    with pytest.raises(ValueError, match="column style"):
        patch_workbook(src, tmp_path / "b.xlsx", {"S": SheetEdit(column_styles={1: -1})})
