"""xlsx_patch writes cached values and cells, leaving formulas, styles and other parts intact."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from tests.support import libreoffice as lo
from xlkpi.errors import InvalidNumberError, WorkbookError
from xlkpi.workbook import xlsx_patch
from xlkpi.workbook.calc_properties import fix_workbook_xml
from xlkpi.workbook.xlsx_patch import (
    ExcelError,
    SheetEdit,
    number_text,
    patch_sheet_xml,
    patch_workbook,
    read_formulas,
    read_sheet,
    split_ref,
    workbook_parts,
)

PAY = "绩效 Pay"


def openpyxl_book(path: Path) -> Path:
    """Inputs, a formula sheet with a non-ASCII name, an Alerts sheet; styles, validation, names."""
    wb = openpyxl.Workbook()
    inputs = wb.active
    inputs.title = "Inputs"
    inputs.append(["Name", "Base", "Score"])
    for cell in inputs[1]:
        cell.font = Font(bold=True)
    for i in range(2, 7):
        inputs.append([f"emp{i}", 5000 + i, 80 + i])
        inputs[f"B{i}"].number_format = "#,##0.00"
    dv = DataValidation(type="whole", operator="between", formula1="0", formula2="100")
    inputs.add_data_validation(dv)
    dv.add("C2:C20")
    pay = wb.create_sheet(PAY)
    pay.append(["Name", "Pay", "Status", "Flag"])
    fill = PatternFill("solid", fgColor="FFFF00")
    for i in range(2, 7):
        pay.append(
            [f"=Inputs!A{i}", f"=Inputs!B{i}*Inputs!C{i}/100", f'=IF(B{i}>0,"ok","bad")', None]
        )
        pay[f"B{i}"].fill = fill
        pay[f"B{i}"].number_format = "0.00"
    alerts = wb.create_sheet("Alerts")
    alerts.append(["Level", "Message"])
    alerts["A1"].font = Font(bold=True)
    for i in range(2, 9):
        alerts.append(["warn", f"old alert {i}"])
        alerts[f"B{i}"].font = Font(italic=True)
    wb.defined_names["BaseRate"] = DefinedName("BaseRate", attr_text="Inputs!$B$2")
    wb.save(path)
    return path


def xlsxwriter_book(path: Path) -> Path:
    """The same shape written by xlsxwriter: shared strings, stored formula results, spans."""
    wb = xlsxwriter.Workbook(str(path))
    bold = wb.add_format({"bold": True})
    money = wb.add_format({"num_format": "#,##0.00", "bg_color": "#FFFF00"})
    inputs = wb.add_worksheet("Inputs")
    inputs.write_row(0, 0, ["Name", "Base", "Score"], bold)
    pay = wb.add_worksheet(PAY)
    pay.write_row(0, 0, ["Name", "Pay", "Status", "Flag"], bold)
    for i in range(2, 7):
        inputs.write_row(i - 1, 0, [f"emp{i}", 5000 + i, 80 + i])
        pay.write_formula(f"A{i}", f"=Inputs!A{i}", None, "")
        pay.write_formula(f"B{i}", f"=Inputs!B{i}*Inputs!C{i}/100", money, 0)
        pay.write_formula(f"C{i}", f'=IF(B{i}>0,"ok","bad")', None, "")
    inputs.data_validation(
        "C2:C20", {"validate": "integer", "criteria": "between", "minimum": 0, "maximum": 100}
    )
    alerts = wb.add_worksheet("Alerts")
    alerts.write_row(0, 0, ["Level", "Message"], bold)
    italic = wb.add_format({"italic": True})
    for i in range(2, 9):
        alerts.write_row(i - 1, 0, ["warn", f"old alert {i}"], italic)
    wb.define_name("BaseRate", "=Inputs!$B$2")
    wb.close()
    return path


@pytest.fixture(params=["openpyxl", "xlsxwriter"])
def book(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    build = openpyxl_book if request.param == "openpyxl" else xlsxwriter_book
    return build(tmp_path / "src" / "book.xlsx")


def sheet_xml(path: Path, sheet: str) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read(workbook_parts(zf).sheets[sheet]).decode()


def cell_xml(path: Path, sheet: str, ref: str) -> str:
    m = re.search(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', sheet_xml(path, sheet))
    assert m is not None, f"no cell {ref}"
    return m.group(0)


def all_formulas(path: Path) -> dict[str, dict[str, object]]:
    wb = openpyxl.load_workbook(path)
    return {
        ws.title: {
            c.coordinate: c.value
            for row in ws.iter_rows()
            for c in row
            if isinstance(c.value, str) and c.value.startswith("=")
        }
        for ws in wb.worksheets
    }


PAY_EDIT = SheetEdit(
    values={
        "B2": Decimal("1410.10"),
        "B3": Decimal("4321.05"),
        "B4": 7,
        "B5": 1.5,
        "B6": ExcelError("#DIV/0!"),
        "C2": "ok",
        "C3": True,
        "C4": None,
        "D2": "plain <text> & more",
        "D3": Decimal("-0.00"),
    }
)


def test_values_are_read_back_by_calamine_and_openpyxl_data_only(
    book: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.xlsx"
    patch_workbook(book, out, {PAY: PAY_EDIT})
    rows = read_sheet(out, PAY)
    assert [r[1] for r in rows[1:6]] == [1410.1, 4321.05, 7, 1.5, ""]  # calamine: error -> ""
    assert rows[1][2:4] == ["ok", "plain <text> & more"]
    assert rows[2][2:4] == [True, 0]
    assert rows[3][2] == ""
    ws = openpyxl.load_workbook(out, data_only=True)[PAY]
    assert ws["B2"].value == 1410.1
    assert ws["B6"].value == "#DIV/0!"
    assert ws["C2"].value == "ok" and ws["C3"].value is True and ws["C4"].value is None
    assert ws["D2"].value == "plain <text> & more"


def test_cell_xml_types_and_exact_decimals(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    patch_workbook(book, out, {PAY: PAY_EDIT})
    b2 = cell_xml(out, PAY, "B2")
    assert "<v>1410.1</v>" in b2 and "<f>" in b2 and " t=" not in b2
    assert 't="e"' in cell_xml(out, PAY, "B6") and "<v>#DIV/0!</v>" in cell_xml(out, PAY, "B6")
    assert 't="str"' in cell_xml(out, PAY, "C2")
    assert 't="b"' in cell_xml(out, PAY, "C3") and "<v>1</v>" in cell_xml(out, PAY, "C3")
    c4 = cell_xml(out, PAY, "C4")
    assert "<f>" in c4 and "<v" not in c4 and " t=" not in c4
    assert 't="inlineStr"' in cell_xml(out, PAY, "D2")
    assert "<v>0</v>" in cell_xml(out, PAY, "D3")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("1410.10"), "1410.1"),
        (Decimal("100"), "100"),
        (Decimal("1E+3"), "1000"),
        (Decimal("-0.00"), "0"),
        (Decimal("0E-10"), "0"),
        (Decimal("12345678901234567.89"), "12345678901234567.89"),
        (Decimal("0.000001"), "0.000001"),
        (Decimal("-2.50"), "-2.5"),
        (3, "3"),
        (0.1, "0.1"),
    ],
)
def test_number_text_is_exact(value: Decimal | int | float, text: str) -> None:
    assert number_text(value) == text


@pytest.mark.parametrize("bad", [Decimal("NaN"), Decimal("Infinity"), float("inf"), float("nan")])
def test_non_finite_numbers_are_refused_before_writing(
    bad: object, book: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.xlsx"
    with pytest.raises(InvalidNumberError):
        patch_workbook(book, out, {PAY: SheetEdit(values={"B2": bad})})  # type: ignore[dict-item]


def test_formulas_are_exactly_the_same_for_openpyxl(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    patch_workbook(book, out, {PAY: PAY_EDIT})
    assert all_formulas(out) == all_formulas(book)
    assert read_formulas(out, PAY) == all_formulas(book)[PAY]


def test_styles_validations_and_defined_names_are_preserved(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    patch_workbook(book, out, {PAY: PAY_EDIT, "Inputs": SheetEdit(values={"B3": 6000})})
    before, after = openpyxl.load_workbook(book), openpyxl.load_workbook(out)
    for ws in before.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                new = after[ws.title][cell.coordinate]
                assert (repr(new.font), repr(new.fill), new.number_format) == (
                    repr(cell.font),
                    repr(cell.fill),
                    cell.number_format,
                ), cell.coordinate
    dv = after["Inputs"].data_validations.dataValidation
    assert [(str(d.sqref), d.formula1, d.formula2) for d in dv] == [("C2:C20", "0", "100")]
    assert after.defined_names["BaseRate"].attr_text == "Inputs!$B$2"
    assert after["Inputs"]["B3"].value == 6000


def test_other_zip_members_are_byte_identical(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    patch_workbook(book, out, {PAY: PAY_EDIT})
    with zipfile.ZipFile(book) as a, zipfile.ZipFile(out) as b:
        assert b.testzip() is None
        assert a.namelist() == b.namelist()
        parts = workbook_parts(a)
        changed = parts.sheets[PAY]
        for info in a.infolist():
            if info.filename == changed:
                continue
            if info.filename == parts.workbook:  # only its calcPr changes
                assert fix_workbook_xml(a.read(info.filename)) == b.read(info.filename)
                continue
            new = b.getinfo(info.filename)
            assert a.read(info.filename) == b.read(info.filename), info.filename
            assert (new.compress_type, new.compress_size, new.CRC) == (
                info.compress_type,
                info.compress_size,
                info.CRC,
            ), info.filename


def test_new_cells_and_rows_are_created_in_order(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    edit = SheetEdit(
        values={"F3": 1, "E3": 2, "A9": "after", "C8": Decimal("3.25"), "A1": "Nom"},
        formulas={"G4": "=B4*2", "H20": "SUM(B2:B6)"},
        styles={"C8": 1},
    )
    patch_workbook(book, out, {PAY: edit})
    xml = sheet_xml(out, PAY)
    rows = [int(r) for r in re.findall(r'<row r="(\d+)"', xml)]
    assert rows == sorted(rows) and {8, 9, 20} <= set(rows)
    for row in re.findall(r"<row [^>]*>(.*?)</row>", xml):
        cols = [split_ref(ref)[1] for ref in re.findall(r'<c r="([A-Z]+\d+)"', row)]
        assert cols == sorted(cols) and len(cols) == len(set(cols))
    assert 'ref="A1:H20"' in xml
    assert 's="1"' in cell_xml(out, PAY, "C8")
    ws = openpyxl.load_workbook(out)[PAY]
    assert (ws["E3"].value, ws["F3"].value, ws["A9"].value, ws["A1"].value) == (
        2,
        1,
        "after",
        "Nom",
    )
    assert ws["G4"].value == "=B4*2" and ws["H20"].value == "=SUM(B2:B6)"
    assert ws["B3"].value == "=Inputs!B3*Inputs!C3/100"


def test_formula_with_cached_value_replaces_existing_formula(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    edit = SheetEdit(values={"B2": Decimal("12.5")}, formulas={"B2": "=ROUND(Inputs!B2/3,2)"})
    patch_workbook(book, out, {PAY: edit})
    assert openpyxl.load_workbook(out)[PAY]["B2"].value == "=ROUND(Inputs!B2/3,2)"
    assert read_sheet(out, PAY)[1][1] == 12.5


def test_clear_rows_from_regenerates_a_sheet(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    edit = SheetEdit(
        values={"A2": "error", "B2": "new alert", "A3": "info", "B3": "second"},
        clear_rows_from=2,
        style_from_row=2,
    )
    patch_workbook(book, out, {"Alerts": edit})
    assert read_sheet(out, "Alerts") == [
        ["Level", "Message"],
        ["error", "new alert"],
        ["info", "second"],
    ]
    assert 'ref="A1:B3"' in sheet_xml(out, "Alerts")
    ws = openpyxl.load_workbook(out)["Alerts"]
    assert ws.max_row == 3
    assert ws["B3"].font.italic and ws["A1"].font.bold  # style taken from the dropped row 2


def test_clear_rows_from_with_nothing_new_leaves_the_header(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    patch_workbook(book, out, {"Alerts": SheetEdit(clear_rows_from=2)})
    assert read_sheet(out, "Alerts") == [["Level", "Message"]]
    assert 'ref="A1:B1"' in sheet_xml(out, "Alerts")


def test_text_is_escaped_and_round_trips(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    texts = ["  leading and trailing  ", "a\nb", "<&>\"'", "tab\there", "中文", "cr\r\nlf"]
    escaped = ["_x0041_ is not A", "control \x01 char"]  # Excel's _xHHHH_ escapes
    edit = SheetEdit(values={f"E{i}": t for i, t in enumerate(texts + escaped, start=2)})
    patch_workbook(book, out, {PAY: edit})
    ws = openpyxl.load_workbook(out)[PAY]
    assert [ws[f"E{i}"].value for i in range(2, 2 + len(texts))] == texts
    # openpyxl does not decode _xHHHH_ escapes; calamine does, as Excel does
    assert [r[4] for r in read_sheet(out, PAY)[1:]] == texts + escaped


def test_errors_in_cells_without_formula(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    patch_workbook(book, out, {PAY: SheetEdit(values={"D4": ExcelError("#N/A")})})
    assert openpyxl.load_workbook(out, data_only=True)[PAY]["D4"].value == "#N/A"
    with pytest.raises(ValueError, match="not an Excel error code"):
        ExcelError("#OOPS!")


def test_unknown_sheet_and_bad_refs_are_refused(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    with pytest.raises(WorkbookError, match="没有名为“Nope”的工作表"):
        patch_workbook(book, out, {"Nope": SheetEdit(values={"A1": 1})})
    for bad in ["A0", "1A", "$A$1", "XFE1", "A1048577", "A01"]:
        with pytest.raises(ValueError):
            patch_workbook(book, out, {PAY: SheetEdit(values={bad: 1})})


def test_calc_chain_is_removed_with_its_references(tmp_path: Path) -> None:
    src = openpyxl_book(tmp_path / "plain.xlsx")
    with_chain = tmp_path / "src" / "chain.xlsx"
    with_chain.parent.mkdir()
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(with_chain, "w", zipfile.ZIP_DEFLATED) as b:
        for info in a.infolist():
            data = a.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/calcChain.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>',
                )
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/calcChain" Target="calcChain.xml"/>'
                    b"</Relationships>",
                )
            b.writestr(info, data)
        b.writestr("xl/calcChain.xml", b'<calcChain><c r="B2" i="2"/></calcChain>')
    out = tmp_path / "out.xlsx"
    patch_workbook(with_chain, out, {PAY: PAY_EDIT})
    with zipfile.ZipFile(out) as zf:
        assert "xl/calcChain.xml" not in zf.namelist()
        assert b"calcChain" not in zf.read("[Content_Types].xml")
        assert b"calcChain" not in zf.read("xl/_rels/workbook.xml.rels")
        assert b"rId1" in zf.read("xl/_rels/workbook.xml.rels")
        assert zf.read("xl/workbook.xml") == fix_workbook_xml(
            zipfile.ZipFile(src).read("xl/workbook.xml")
        )
    assert openpyxl.load_workbook(out)[PAY]["B2"].value == "=Inputs!B2*Inputs!C2/100"


SHARED_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<dimension ref="A1:B4"/><sheetData>'
    b'<row r="1"><c r="A1"><v>1</v></c>'
    b'<c r="B1"><f t="shared" ref="B1:B4" si="0">A1*2</f><v>2</v></c></row>'
    b'<row r="2"><c r="A2"><v>2</v></c><c r="B2"><f t="shared" si="0"/><v>4</v></c></row>'
    b'<row r="3"><c r="A3"><v>3</v></c><c r="B3"><f t="shared" si="0"/><v>6</v></c></row>'
    b'<row r="4"><c r="A4"><v>4</v></c><c r="B4"><f t="shared" si="0"/><v>8</v></c></row>'
    b"</sheetData></worksheet>"
)


def test_shared_formulas_keep_working() -> None:
    new = patch_sheet_xml(SHARED_SHEET, SheetEdit(values={"B1": 20, "B3": 60}))
    assert b'<c r="B1"><f t="shared" ref="B1:B4" si="0">A1*2</f><v>20</v></c>' in new
    assert b'<c r="B3"><f t="shared" si="0"/><v>60</v></c>' in new
    with pytest.raises(WorkbookError, match="共享公式"):
        patch_sheet_xml(SHARED_SHEET, SheetEdit(formulas={"B1": "A1*3"}))
    follower = patch_sheet_xml(SHARED_SHEET, SheetEdit(formulas={"B2": "A2*3"}))
    assert b'<c r="B2"><f>A2*3</f></c>' in follower
    cut = patch_sheet_xml(SHARED_SHEET, SheetEdit(clear_rows_from=3))
    assert b'ref="B1:B2"' in cut and b'<row r="3"' not in cut and b'ref="A1:B2"' in cut


def test_prefixed_namespace_and_implicit_refs_take_the_general_path() -> None:
    xml = (
        b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<x:dimension ref="A1:B2"/><x:sheetData>'
        b'<x:row r="1"><x:c r="A1" s="2"><x:v>1</x:v></x:c>'
        b"<x:c><x:f>A1*2</x:f><x:v>0</x:v></x:c></x:row>"
        b"<x:row><x:c><x:v>5</x:v></x:c></x:row>"
        b"</x:sheetData></x:worksheet>"
    )
    new = patch_sheet_xml(xml, SheetEdit(values={"B1": 2, "C2": "t", "A3": True}))
    assert b'<x:c r="B1"><x:f>A1*2</x:f><x:v>2</x:v></x:c>' in new
    assert b'<x:row r="2"><x:c r="A2"><x:v>5</x:v></x:c><x:c r="C2" t="inlineStr">' in new
    assert b'<x:c r="A3" t="b"><x:v>1</x:v></x:c>' in new
    assert b'ref="A1:C3"' in new


def test_empty_sheet_gets_rows() -> None:
    xml = b'<worksheet xmlns="urn:x"><dimension ref="A1"/><sheetData/></worksheet>'
    new = patch_sheet_xml(xml, SheetEdit(values={"B2": 1}, styles={"B2": 3}))
    assert new == (
        b'<worksheet xmlns="urn:x"><dimension ref="A1:B2"/><sheetData>'
        b'<row r="2"><c r="B2" s="3"><v>1</v></c></row></sheetData></worksheet>'
    )


def test_libreoffice_opens_the_patched_file_and_shows_cached_values(
    book: Path, tmp_path: Path
) -> None:
    lo.require_soffice()
    out = tmp_path / "patched" / "out.xlsx"
    out.parent.mkdir()
    edit = SheetEdit(values={f"B{i}": Decimal(i) + Decimal("0.25") for i in range(2, 7)})
    patch_workbook(book, out, {"Inputs": SheetEdit(values={"A1": "名字"}), PAY: edit})
    text = lo.to_csv(out, tmp_path / "csv").read_text("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "名字"  # the first sheet, Inputs
    recalculated = lo.recalculate(out, tmp_path / "lo")
    pay = read_sheet(recalculated, PAY)
    assert [r[1] for r in pay[1:6]] == [(5000 + i) * (80 + i) / 100 for i in range(2, 7)]
    ws = openpyxl.load_workbook(recalculated)[PAY]
    assert ws["B2"].value == "=Inputs!B2*Inputs!C2/100"


def test_libreoffice_without_recalc_shows_our_cached_values(book: Path, tmp_path: Path) -> None:
    lo.require_soffice()
    out = tmp_path / "patched" / "out.xlsx"
    out.parent.mkdir()
    patch_workbook(book, out, {PAY: SheetEdit(values={"B2": Decimal("1410.10")})})
    kept = lo.convert([out], tmp_path / "lo", recalc=False)[0]
    assert read_sheet(kept, PAY)[1][1] == 1410.1


# ---------------------------------------------------------------------------------------------
# fast paths: rows written straight from the plan, cells inserted into existing rows


STYLED_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<dimension ref="A1:D6"/><sheetData>'
    b'<row r="1" spans="1:4"><c r="A1" s="1" t="inlineStr"><is><t>Name</t></is></c>'
    b'<c r="B1" s="1" t="inlineStr"><is><t>Pay</t></is></c></row>'
    b'<row r="2" spans="1:4" s="4" customFormat="1" ht="18" customHeight="1">'
    b'<c r="A2" s="2"><v>1</v></c><c r="B2" s="05"><f>A2*2</f><v>2</v></c>'
    b'<c r="D2" s="3"/></row>'
    b'<row r="4" spans="1:4"><c r="A4" s="2"><v>4</v></c><c r="C4" s="6"><v>9</v></c></row>'
    b'<row r="6" spans="1:4"><c r="A6" s="2"><v>6</v></c></row>'
    b"</sheetData><pageMargins/></worksheet>"
)

ALL_KINDS = {
    "A": Decimal("1410.10"),
    "B": "  padded text & <more>  ",
    "C": True,
    "D": ExcelError("#DIV/0!"),
    "E": Decimal("-0.00"),
    "F": 7,
    "G": 1.5,
    "H": None,
    "I": "multi\nline\r\nwith \x01 control and _x0041_ look-alike, 中文",
    "J": Decimal("1E+3"),
    "K": Decimal("0E-5"),
    "L": Decimal("123456789012345678.000100"),
    "M": False,
    "N": "",
}
TRICKY_FORMULAS = {
    "A": '=IF(B2>0,"a&b","<none>")',
    "C": "=AND(B2<>1,'Sheet \"x\"'!A1>=2)",
    "D": "==1/0",
    "O": '=T("_x0041_")&"\r"',
    "P": "SUM(A2:N2)",
}


def _tricky_edit(rows: list[int], **kw: object) -> SheetEdit:
    values: dict[str, object] = {}
    formulas: dict[str, str] = {}
    for r in rows:
        for col, value in ALL_KINDS.items():
            values[f"{col}{r}"] = value
        for col, formula in TRICKY_FORMULAS.items():
            formulas[f"{col}{r}"] = formula.replace("2", str(r))
    values[f"P{rows[0]}"] = "cached text under a formula: <&>"
    values[f"O{rows[-1]}"] = ExcelError("#N/A")
    return SheetEdit(values=values, formulas=formulas, **kw)  # type: ignore[arg-type]


FAST_CASES = {
    "regenerate from row 2 (first recalc)": (
        STYLED_SHEET,
        _tricky_edit([2, 3, 4, 5, 9], style_from_row=2, clear_rows_from=2),
    ),
    "gaps and rows past the end, style row kept": (
        STYLED_SHEET,
        _tricky_edit([3, 5, 8, 20], style_from_row=2),
    ),
    "explicit styles, style-only and formula-only cells": (
        STYLED_SHEET,
        SheetEdit(
            values={"A7": 1, "C7": Decimal("2.50")},
            formulas={"B7": "A7*2", "E8": '=B7&"<>"'},
            styles={"A7": 9, "D7": 0, "Q8": 12, "B7": 3},
            style_from_row=2,
            clear_rows_from=3,
        ),
    ),
    "no style row": (STYLED_SHEET, _tricky_edit([7, 8])),
    "empty sheet": (
        b'<worksheet xmlns="urn:x"><dimension ref="A1"/><sheetData/></worksheet>',
        _tricky_edit([1, 2, 40]),
    ),
    "namespace prefix": (
        b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<x:dimension ref="A1:B2"/><x:sheetData>'
        b'<x:row r="1" ht="30" customHeight="1"><x:c r="A1" s="2"><x:v>1</x:v></x:c></x:row>'
        b"</x:sheetData></x:worksheet>",
        _tricky_edit([2, 5], style_from_row=1),
    ),
}


@pytest.mark.parametrize("case", list(FAST_CASES))
def test_rows_written_from_the_plan_equal_the_general_path_byte_for_byte(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    xml, edit = FAST_CASES[case]
    fast = patch_sheet_xml(xml, edit)
    monkeypatch.setattr(xlsx_patch, "_FAST_NEW_ROWS", False)
    general = patch_sheet_xml(xml, edit)
    assert fast == general
    assert fast.count(b"row r=") >= 2  # the edit did write rows


def test_rows_written_from_the_plan_are_read_back(tmp_path: Path) -> None:
    book = xlsxwriter_book(tmp_path / "src.xlsx")
    out = tmp_path / "out.xlsx"
    edit = _tricky_edit([2, 3], style_from_row=2, clear_rows_from=2)
    patch_workbook(book, out, {"Alerts": edit})
    ws = openpyxl.load_workbook(out)["Alerts"]
    assert ws["A2"].value == '=IF(B2>0,"a&b","<none>")'
    assert ws["C3"].value == "=AND(B3<>1,'Sheet \"x\"'!A1>=3)"
    assert ws["D2"].value == "==1/0"
    assert ws["B3"].value == "  padded text & <more>  " and ws["B3"].font.italic
    values = openpyxl.load_workbook(out, data_only=True)["Alerts"]
    assert [values[f"{c}2"].value for c in "ABCDEFGHJKM"] == [
        1410.1,
        "  padded text & <more>  ",
        True,
        "#DIV/0!",
        0,
        7,
        1.5,
        None,
        1000,
        0,
        False,
    ]
    assert values["P2"].value == "cached text under a formula: <&>"
    assert read_sheet(out, "Alerts")[1][8] == ALL_KINDS["I"]  # CR, control char, _x escapes


def test_rows_are_written_from_the_plan_only_where_the_source_has_no_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    written: list[list[int]] = []
    real = xlsx_patch._NewCells.rows

    def spy(self: xlsx_patch._NewCells, numbers: list[int]) -> bytes:
        written.append(list(numbers))
        return real(self, numbers)

    monkeypatch.setattr(xlsx_patch._NewCells, "rows", spy)
    edit = SheetEdit(
        values={"B2": 5, "B3": 6, "B4": 7, "A5": 8, "A6": 9, "A7": 10, "A30": 11},
        style_from_row=2,
        clear_rows_from=6,
    )
    new = patch_sheet_xml(STYLED_SHEET, edit)
    # 2 and 4 exist before the cut: merged (A2 kept, C4 kept); 3 fills a gap; 5 on: the plan
    assert written == [[3], [5, 6, 7, 30]]
    assert b'<c r="A2" s="2"><v>1</v></c><c r="B2" s="05"><f>A2*2</f><v>5</v></c>' in new
    assert b'<c r="C4" s="6"><v>9</v></c>' in new
    assert b'<row r="6" s="4" customFormat="1" ht="18" customHeight="1"><c r="A6" s="2">' in new
    assert b"<v>6</v></c></row>" not in new.split(b'<row r="6"')[1]  # old row 6 dropped


INSERT_SHEET = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<dimension ref="A1:F3"/><sheetData>'
    b'<row r="1" spans="2:3"><c r="B1" s="1"><v>1</v></c><c r="C1" s="1"><v>2</v></c></row>'
    b'<row r="2" spans="2:4"><c r="B2" s="2"><f>B1+1</f><v>0</v></c>'
    b'<c r="D2" s="2" t="inlineStr"><is><t>x</t></is></c></row>'
    b'<row r="3"><c r="C3"><v>3</v></c><c r="E3"/></row>'
    b"</sheetData></worksheet>"
)
INSERT_EDITS = {
    "before, between and after existing cells": SheetEdit(
        values={"A2": "first", "B2": Decimal("2.50"), "C2": 3, "F2": True, "A3": 1, "D3": 4}
    ),
    "with the style of a style row": SheetEdit(
        values={"A3": Decimal("1.10"), "D3": "d", "G3": ExcelError("#N/A")}, style_from_row=2
    ),
    "existing cells only": SheetEdit(values={"B2": 5, "D2": "y", "C3": None}),
}


@pytest.mark.parametrize("case", list(INSERT_EDITS))
def test_cells_inserted_into_existing_rows_equal_the_general_path(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit = INSERT_EDITS[case]
    fast = patch_sheet_xml(INSERT_SHEET, edit)
    monkeypatch.setattr(xlsx_patch, "_patch_row_fast", lambda *a, **k: None)
    assert fast == patch_sheet_xml(INSERT_SHEET, edit)


def test_spans_are_widened_when_cells_are_inserted() -> None:
    new = patch_sheet_xml(INSERT_SHEET, SheetEdit(values={"A2": 1, "F2": 2}))
    assert b'<row r="2" spans="1:6"><c r="A2"><v>1</v></c><c r="B2" s="2">' in new


@pytest.mark.parametrize(
    "row",
    [
        b'<row r="2"><c s="2" r="B2"><v>0</v></c></row>',  # r not first
        b'<row r="2"><c r="C2"><v>0</v></c><c r="B2"><v>0</v></c></row>',  # out of order
        b'<row r="2"><c r="B2" t="inlineStr"><is><r><rPr><color rgb="FF0000FF"/></rPr>'
        b"<t>rich</t></r></is></c></row>",  # rich text: not sure every cell was seen
    ],
)
def test_rows_the_insert_path_cannot_read_take_the_general_path(
    row: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    xml = b"<worksheet><sheetData>" + row + b"</sheetData></worksheet>"
    edit = SheetEdit(values={"A2": 1, "D2": 2})
    fast = patch_sheet_xml(xml, edit)
    monkeypatch.setattr(xlsx_patch, "_patch_row_fast", lambda *a, **k: None)
    assert fast == patch_sheet_xml(xml, edit)
    cols = [split_ref(r.decode())[1] for r in re.findall(rb'<c r="([A-Z]+2)"', fast)]
    assert cols == sorted(set(cols)) and {1, 4} <= set(cols)


@pytest.mark.parametrize(
    "ref", ["A1", "h12", "Xfd1048576", "AA10", "ZZ99", "b7", "AAA1", "XFD1", "C0100"]
)
def test_plan_splits_references_like_split_ref(ref: str) -> None:
    try:
        expected: object = split_ref(ref)
    except ValueError as exc:
        expected = type(exc)
    edit = SheetEdit(values={"B5": 1, ref: 2, "C5": 3})
    try:
        plan = xlsx_patch._plan(edit)
    except ValueError as exc:
        assert expected is type(exc)
        return
    r, c = expected  # type: ignore[misc]
    assert plan.values[r][c] == 2 and plan.values[5][2] == 1


def test_formulas_are_stripped_and_escaped_like_cell_text() -> None:
    formulas = ['=A2&"<x>"', "==B1", "B1>\r0", "_x0041_&\x02", "=中文!A1"]
    assert [xlsx_patch._formula_xml(f) for f in formulas] == [
        xlsx_patch._xml_str('A2&"<x>"'),
        "=B1",
        "B1&gt;&#13;0",
        "_x005F_x0041_&amp;_x0002_",
        "中文!A1",
    ]
    for empty in ("", "="):
        with pytest.raises(ValueError, match="empty formula for B9"):
            patch_sheet_xml(STYLED_SHEET, SheetEdit(formulas={"A1": "1", "B9": empty}))


def test_columns_past_zz_take_the_general_path() -> None:
    xml = (
        b'<worksheet xmlns="urn:x"><dimension ref="A1:AAA1"/><sheetData>'
        b'<row r="1"><c r="A1"><v>1</v></c><c r="AAA1"><f>A1*2</f><v>0</v></c></row>'
        b"</sheetData></worksheet>"
    )
    new = patch_sheet_xml(xml, SheetEdit(values={"AAA1": 2, "XFD2": "far", "ZZ2": 3}))
    assert b'<c r="AAA1"><f>A1*2</f><v>2</v></c>' in new
    assert b'<c r="ZZ2"><v>3</v></c><c r="XFD2" t="inlineStr"><is><t>far</t></is></c>' in new
    assert b'ref="A1:XFD2"' in new


def test_patch_workbook_deflates_the_same_bytes_as_patch_sheet_xml(tmp_path: Path) -> None:
    import zipfile

    src = tmp_path / "in.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet("S")
    for r in range(2000):
        ws.write_row(r, 0, [f"id{r}", r, r * 1.5])
    wb.close()
    edit = SheetEdit(values={f"D{r}": r for r in range(1, 2001)}, formulas={"E5": "D5*2"})
    dst = tmp_path / "out.xlsx"
    patch_workbook(src, dst, {"S": edit})
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst) as zout:
        assert zout.testzip() is None  # every CRC agrees
        part = "xl/worksheets/sheet1.xml"
        assert zout.read(part) == patch_sheet_xml(zin.read(part), edit)


# ---------------------------------------------------------------------------------------------
# array formulas (SheetEdit.arrays): one master <f t="array" ref=…>, cached values everywhere


ARRAY_EDIT = SheetEdit(
    values={
        "B2": Decimal("10.50"),
        "C2": "甲 & <乙>",
        "B3": 7,
        "C3": "ok",
        "D2": "outside",
    },
    arrays={"B2:C3": "=DOUBLE_TABLE(Inputs!$B$2:$B$3)"},
    formulas={"E2": "=SUM(B2:B3)"},
    clear_rows_from=2,
)


@pytest.mark.parametrize("fast_new_rows", [True, False])
def test_an_array_formula_is_written_once_with_cached_values_in_its_block(
    book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast_new_rows: bool
) -> None:
    monkeypatch.setattr(xlsx_patch, "_FAST_NEW_ROWS", fast_new_rows)
    out = tmp_path / "out.xlsx"
    patch_workbook(book, out, {PAY: ARRAY_EDIT})
    master = cell_xml(out, PAY, "B2")
    assert '<f t="array" ref="B2:C3">DOUBLE_TABLE(Inputs!$B$2:$B$3)</f><v>10.5</v>' in master
    assert sheet_xml(out, PAY).count("<f t=") == 1  # the other cells hold values only
    assert cell_xml(out, PAY, "C2") == '<c r="C2" t="str"><v>甲 &amp; &lt;乙&gt;</v></c>'
    assert cell_xml(out, PAY, "B3") == '<c r="B3"><v>7</v></c>'
    assert 't="inlineStr"' in cell_xml(out, PAY, "D2")  # text outside the block: inline
    wb = openpyxl.load_workbook(out)
    formula = wb[PAY]["B2"].value
    assert formula.ref == "B2:C3" and formula.text == "=DOUBLE_TABLE(Inputs!$B$2:$B$3)"
    assert wb[PAY]["E2"].value == "=SUM(B2:B3)"
    cached = openpyxl.load_workbook(out, data_only=True)[PAY]
    assert [[c.value for c in row] for row in cached["B2:C3"]] == [[10.5, "甲 & <乙>"], [7, "ok"]]
    rows = read_sheet(out, PAY)
    assert rows[1][1:3] == [10.5, "甲 & <乙>"]


def test_new_values_in_place_keep_the_array_formula(book: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    patch_workbook(book, first, {PAY: ARRAY_EDIT})
    patch_workbook(first, second, {PAY: SheetEdit(values={"B2": 11, "C2": "new", "C3": "x"})})
    assert '<f t="array" ref="B2:C3">' in cell_xml(second, PAY, "B2")
    assert cell_xml(second, PAY, "B2").endswith("<v>11</v></c>")
    # a value rewritten in a block cell of the source is plain text there (no array known)
    cached = openpyxl.load_workbook(second, data_only=True)[PAY]
    assert (cached["C2"].value, cached["C3"].value) == ("new", "x")


def test_overlapping_or_broken_array_blocks_are_refused(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    for edit in (
        SheetEdit(arrays={"B2:C3": "=X()", "C3:D4": "=Y()"}),
        SheetEdit(arrays={"B2": "=X()"}),
        SheetEdit(arrays={"B2:C3": "=X()"}, formulas={"C3": "=1"}),
        SheetEdit(arrays={"B2:C3": "="}),
    ):
        with pytest.raises(ValueError):
            patch_workbook(book, out, {PAY: edit})


def test_an_array_over_cells_with_formulas_of_their_own_drops_them(
    book: Path, tmp_path: Path
) -> None:
    """An older book's per-row formulas (B2:B6 here) become one array: only the master keeps
    a formula, the other cells keep their cached values."""
    out = tmp_path / "out.xlsx"
    values = {f"B{r}": r * 10 for r in range(2, 7)}
    patch_workbook(book, out, {PAY: SheetEdit(values=values, arrays={"B2:B6": "=TABLE()"})})
    formulas = read_formulas(out, PAY)
    assert formulas["B2"] == "=TABLE()"
    assert not {f"B{r}" for r in range(3, 7)} & set(formulas)
    assert formulas["C3"].startswith("=IF(")  # outside the block: untouched
    cached = openpyxl.load_workbook(out, data_only=True)[PAY]
    assert [cached[f"B{r}"].value for r in range(2, 7)] == [20, 30, 40, 50, 60]


# Rows whose cells all exist, in every shape a cell takes: the split path of a repeat recalc.
IN_PLACE_ROW = (
    b'<row r="2" spans="1:14" ht="18" customHeight="1">'
    b'<c r="A2" s="3"><f>B2*2</f><v>0</v></c>'
    b'<c r="B2" t="inlineStr"><is><t>old &amp; text</t></is></c>'
    b'<c r="C2" s="4" t="b"><v>1</v></c>'
    b'<c r="D2" t="e" vm="1"><f t="shared" ref="D2:D3" si="0">A2/0</f><v>#DIV/0!</v></c>'
    b'<c r="E2" s="2"/>'
    b'<c r="F2" s="2"><f t="shared" si="0"/><v>3</v></c>'
    b'<c r="G2" t="str"><f>"x"</f><v>x</v></c>'
    b'<c r="H2"><f>1</f></c>'
    b'<c r="I2" t="s"><v>0</v></c>'
    b'<c r="J2"><v>2</v></c><c r="K2"><v>2</v></c><c r="L2"><v>2</v></c>'
    b'<c r="M2" s="1" t="n"><v>0</v></c><c r="N2" t="inlineStr"><is><t>n</t></is></c>'
    b"</row>"
)


@pytest.mark.parametrize(
    "values",
    [
        {f"{col}2": value for col, value in ALL_KINDS.items()},
        {"A2": Decimal("-0.00"), "D2": "text", "F2": None, "G2": Decimal("12.50"), "H2": 5},
        {"E2": Decimal("0E-5"), "I2": ExcelError("#N/A"), "M2": "  x  ", "N2": None},
    ],
)
def test_cells_patched_in_place_equal_the_general_path(
    values: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    xml = b"<worksheet><sheetData>" + IN_PLACE_ROW + b"</sheetData></worksheet>"
    edit = SheetEdit(values=values)  # type: ignore[arg-type]
    used: list[bytes | None] = []
    real = xlsx_patch._patch_row_split

    def spy(*args: object) -> bytes | None:
        used.append(real(*args))  # type: ignore[arg-type]
        return used[-1]

    monkeypatch.setattr(xlsx_patch, "_patch_row_split", spy)
    split = patch_sheet_xml(xml, edit)
    assert used and used[0] is not None  # the split path wrote the row
    monkeypatch.setattr(xlsx_patch, "_patch_row_split", lambda *a: None)
    assert split == patch_sheet_xml(xml, edit)  # the bytes.find path
    monkeypatch.setattr(xlsx_patch, "_patch_row_fast", lambda *a, **k: None)
    assert split == patch_sheet_xml(xml, edit)  # the general path


@pytest.mark.parametrize(
    "row",
    [
        b'<row r="2"><c r="A2"><v>1</v></c></row>',  # B2 missing: cells are inserted
        b'<row r="2"><c r="B2"><v>1</v></c><c r="A2"><v>1</v></c></row>',  # out of order
        b'<row r="2"><c r="A2"><v>1</v></c><c r="B3"><v>1</v></c></row>',  # another row's ref
        b'<row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>1</v></c>'
        b'<c r="B2"><v>1</v></c></row>',  # a column twice
        b'<row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>1</v></row>',  # unclosed cell
    ],
)
def test_rows_the_split_path_cannot_patch_are_left_to_the_others(
    row: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    xml = b"<worksheet><sheetData>" + row + b"</sheetData></worksheet>"
    rows = list(xlsx_patch._iter_rows(xml[22:-23], xlsx_patch._Tags(b"")))
    assert xlsx_patch._patch_row_split(rows[0], b"2", {1: 5, 2: 6}) is None
    edit = SheetEdit(values={"A2": 5, "B2": 6})
    fast = patch_sheet_xml(xml, edit)
    monkeypatch.setattr(xlsx_patch, "_patch_row_split", lambda *a: None)
    assert fast == patch_sheet_xml(xml, edit)


# ---------------------------------------------------------------------------------------------
# SheetEdit.rows: values by row and column number, the same bytes as by reference


def _by_numbers(values: dict[str, object]) -> dict[int, dict[int, object]]:
    rows: dict[int, dict[int, object]] = {}
    for ref, value in values.items():
        r, c = split_ref(ref)
        rows.setdefault(r, {})[c] = value
    return rows


@pytest.mark.parametrize("case", list(FAST_CASES))
def test_values_by_row_number_give_the_bytes_of_values_by_reference(case: str) -> None:
    from dataclasses import replace

    xml, edit = FAST_CASES[case]
    by_rows = replace(edit, values={}, rows=_by_numbers(edit.values))  # type: ignore[arg-type]
    assert patch_sheet_xml(xml, by_rows) == patch_sheet_xml(xml, edit)


def test_rows_in_place_array_text_and_references_mix_as_values_alone(
    book: Path, tmp_path: Path
) -> None:
    """Cells by number and by reference are one edit (a reference wins a cell given both);
    text by number inside an array's block is a formula result, as by reference."""
    from dataclasses import replace

    rows = _by_numbers(ARRAY_EDIT.values)  # type: ignore[arg-type]
    rows[2][4] = "D2 by number loses"
    given = {r: dict(cols) for r, cols in rows.items()}
    mixed = replace(ARRAY_EDIT, values={"D2": "outside"}, rows=rows)
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    patch_workbook(book, a, {PAY: ARRAY_EDIT})
    patch_workbook(book, b, {PAY: mixed})
    assert sheet_xml(a, PAY) == sheet_xml(b, PAY)
    assert cell_xml(b, PAY, "C2") == '<c r="C2" t="str"><v>甲 &amp; &lt;乙&gt;</v></c>'
    assert rows == given and type(rows[2][3]) is str  # the caller's rows are left as given
    c, d = tmp_path / "c.xlsx", tmp_path / "d.xlsx"
    in_place = {"B2": 11, "C2": "new", "C3": "x"}
    patch_workbook(a, c, {PAY: SheetEdit(values=in_place)})  # type: ignore[arg-type]
    patch_workbook(a, d, {PAY: SheetEdit(rows=_by_numbers(in_place))})  # type: ignore[arg-type]
    assert sheet_xml(c, PAY) == sheet_xml(d, PAY)


@pytest.mark.parametrize(
    ("rows", "error"),
    [
        ({0: {1: 1}}, ValueError),
        ({1_048_577: {1: 1}}, ValueError),
        ({2: {0: 1}}, ValueError),
        ({2: {16_385: 1}}, ValueError),
        ({2: {1: 1, 3: object()}}, TypeError),
    ],
)
def test_rows_outside_the_sheet_or_of_bad_values_are_refused(
    rows: dict[int, dict[int, object]], error: type[Exception]
) -> None:
    with pytest.raises(error):
        patch_sheet_xml(STYLED_SHEET, SheetEdit(rows=rows))  # type: ignore[arg-type]


def test_a_row_already_holding_its_edit_is_copied_as_it_is() -> None:
    """A repeat recalc's edit of a row whose cells hold those values already writes nothing:
    the row's own bytes come back (and the sheet is byte-identical); one changed cell is
    rewritten alone."""
    xml = b"<worksheet><sheetData>" + IN_PLACE_ROW + b"</sheetData></worksheet>"
    same = {"A2": 0, "G2": "x", "J2": Decimal("2.00"), "K2": 2, "N2": "n"}
    rows = list(xlsx_patch._iter_rows(xml[22:-23], xlsx_patch._Tags(b"")))
    edits = {split_ref(r)[1]: v for r, v in same.items()}
    kept = xlsx_patch._patch_row_split(rows[0], b"2", edits)  # type: ignore[arg-type]
    assert type(kept) is xlsx_patch._Unchanged and kept == IN_PLACE_ROW
    assert patch_sheet_xml(xml, SheetEdit(values=same)) == xml  # type: ignore[arg-type]
    changed = patch_sheet_xml(xml, SheetEdit(values={**same, "K2": 3}))  # type: ignore[arg-type]
    assert changed == xml.replace(b'<c r="K2"><v>2</v>', b'<c r="K2"><v>3</v>')


@pytest.mark.parametrize(
    "text", ["a", "新 & <表>", 'x"y', "it's", '#,##0.00 "元";[Red]-0.00', "a\nb\tc\rd", ""]
)
def test_quote_attr_gives_an_attribute_that_reads_back_as_the_text(text: str) -> None:
    import xml.etree.ElementTree as ET

    from xlkpi.workbook.xlsx_patch import quote_attr

    quoted = quote_attr(text)
    assert quoted[0] == quoted[-1] == '"'
    assert ET.fromstring(f"<a v={quoted}/>").get("v") == text


def test_the_rows_an_edit_leaves_alone_are_passed_on_uncopied() -> None:
    """A sheet's unchanged runs of rows are views of its XML (deflated from there), not
    copies: a 50,000-staff 工资表 is 120 MB of XML."""
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 2001))
    xml = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows}</sheetData></worksheet>"
    ).encode()
    pieces = xlsx_patch._patch_sheet_pieces(xml, SheetEdit(values={"A2": 7}))
    whole = b"".join(pieces)
    assert whole == xml.replace(b'<c r="A2"><v>2</v></c>', b'<c r="A2"><v>7</v></c>')
    views = [p for p in pieces if isinstance(p, memoryview)]
    assert views and max(len(v) for v in views) > len(xml) * 0.9
    assert all(v.obj is xml for v in views)
