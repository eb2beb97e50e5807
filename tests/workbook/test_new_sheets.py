"""Adding a worksheet to a package: xlsx_patch creates a sheet an edit may create."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName

from tests.support import ooxml
from xlkpi.errors import WorkbookError
from xlkpi.workbook.new_sheets import add_sheet
from xlkpi.workbook.xlsx_patch import SheetEdit, patch_workbook, read_sheet


def _book(path: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.active.title = "A"
    wb["A"]["A1"] = "kept"
    wb.create_sheet("B")["B2"] = 2
    local = DefinedName("only_b", attr_text="B!$B$2", localSheetId=1)
    wb["B"].defined_names["only_b"] = local
    wb.save(path)
    return path


def test_an_edit_that_may_create_its_sheet_adds_it_hidden_with_its_cells(tmp_path: Path) -> None:
    src = _book(tmp_path / "src.xlsx")
    dst = tmp_path / "dst.xlsx"
    edit = SheetEdit(values={"D2": 1.5, "E3": "文本"}, clear_rows_from=2, create_as="hidden")
    patch_workbook(src, dst, {"_上次重算": edit, "A": SheetEdit(values={"B1": 3})})
    wb = openpyxl.load_workbook(dst)
    assert wb.sheetnames == ["A", "B", "_上次重算"]
    assert wb["_上次重算"].sheet_state == "hidden"
    assert wb["A"]["A1"].value == "kept" and wb["A"]["B1"].value == 3
    # a sheet-scoped name still means the sheet it meant (the new sheet is appended last)
    assert wb["B"].defined_names["only_b"].attr_text == "B!$B$2"
    rows = read_sheet(dst, "_上次重算")
    assert rows[1][3] == 1.5 and rows[2][4] == "文本"
    assert not ooxml.validate_package(dst)
    assert not ooxml.audit_package(dst)
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(dst) as b:
        assert a.read("xl/worksheets/sheet2.xml") == b.read("xl/worksheets/sheet2.xml")


def test_two_new_sheets_get_their_own_parts_and_ids(tmp_path: Path) -> None:
    src = _book(tmp_path / "src.xlsx")
    dst = tmp_path / "dst.xlsx"
    edits = {
        "X": SheetEdit(values={"A1": 1}, create_as="visible"),
        "Y": SheetEdit(values={"A1": 2}, create_as="veryHidden"),
    }
    patch_workbook(src, dst, edits)
    wb = openpyxl.load_workbook(dst)
    assert wb.sheetnames[-2:] == ["X", "Y"]
    assert [wb[n].sheet_state for n in ("X", "Y")] == ["visible", "veryHidden"]
    assert (wb["X"]["A1"].value, wb["Y"]["A1"].value) == (1, 2)
    assert not ooxml.validate_package(dst)


def test_a_missing_sheet_the_edit_may_not_create_is_an_error(tmp_path: Path) -> None:
    src = _book(tmp_path / "src.xlsx")
    with pytest.raises(WorkbookError, match="没有名为“C”的工作表"):
        patch_workbook(src, tmp_path / "dst.xlsx", {"C": SheetEdit(values={"A1": 1})})


def test_the_sheet_element_uses_the_parts_own_prefix_and_a_free_part_name() -> None:
    workbook = (
        b'<x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<x:sheets><x:sheet name="A" sheetId="7" r:id="rId3" xmlns:r="urn:r"/></x:sheets>'
        b"</x:workbook>"
    )
    rels = b'<Relationships><Relationship Id="rId3"/><Relationship Id="rId9"/></Relationships>'
    types = b"<Types></Types>"
    new = add_sheet(
        "新 & <表>",
        "hidden",
        "xl/workbook.xml",
        workbook,
        "xl/_rels/workbook.xml.rels",
        rels,
        types,
        {"xl/worksheets/sheet1.xml"},
    )
    assert new.part == "xl/worksheets/sheet2.xml"
    xml = new.changed["xl/workbook.xml"]
    assert b'<x:sheet xmlns:r="' in xml and b'sheetId="8"' in xml and b'r:id="rId10"' in xml
    assert b'name="\xe6\x96\xb0 &amp; &lt;\xe8\xa1\xa8&gt;"' in xml and b'state="hidden"' in xml
    assert b'Target="worksheets/sheet2.xml"' in new.changed["xl/_rels/workbook.xml.rels"]
    assert b'PartName="/xl/worksheets/sheet2.xml"' in new.changed["[Content_Types].xml"]
    with pytest.raises(ValueError):
        add_sheet("S", "shown", "xl/workbook.xml", workbook, "r", rels, types, set())
