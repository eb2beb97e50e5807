"""Stored values survive opening: the calcPr of what we write, and the add-in notice."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.support.libreoffice import recalculate, require_soffice
from workbook_templates import TEMPLATE_FILE, build_workbook
from workbook_templates import payroll as template
from xlkpi import layout, recalc
from xlkpi.sample_data import demo_month
from xlkpi.workbook import calc_properties
from xlkpi.workbook.calc_properties import CALC_ID, calc_pr, fix_workbook_xml

TEMPLATE = Path(template.__file__).with_name(TEMPLATE_FILE)
OPENPYXL_WB = (
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets>'
    b'<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
)


def _calc_pr(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as zf:
        found = re.search(rb"<(?:\w+:)?calcPr\b([^>]*)>", zf.read("xl/workbook.xml"))
    assert found is not None, path
    return {k.decode(): v.decode() for k, v in re.findall(rb'(\w+)="([^"]*)"', found.group(1))}


def assert_keeps_values_on_open(path: Path) -> None:
    """No full calculation on load and no engine id older than current Excel's."""
    attrs = _calc_pr(path)
    assert attrs.get("fullCalcOnLoad", "0") in ("0", "false"), (path, attrs)
    assert "forceFullCalc" not in attrs, (path, attrs)
    assert int(attrs["calcId"]) >= CALC_ID, (path, attrs)


def test_openpyxl_s_calc_pr_becomes_ours() -> None:
    fixed = fix_workbook_xml(OPENPYXL_WB)
    assert b'<calcPr calcId="191029" fullCalcOnLoad="0"/></workbook>' in fixed
    assert fixed.replace(b'191029" fullCalcOnLoad="0', b'124519" fullCalcOnLoad="1') == (
        OPENPYXL_WB
    )


def test_other_attributes_stay_a_newer_engine_id_is_kept_force_full_calc_goes() -> None:
    assert calc_pr({"calcId": "999999", "iterate": "1", "forceFullCalc": "1"}) == (
        b'<calcPr calcId="999999" iterate="1" fullCalcOnLoad="0"/>'
    )
    xml = b'<x:workbook xmlns:x="s"><x:calcPr calcId="1" calcMode="manual"></x:calcPr></x:workbook>'
    assert fix_workbook_xml(xml) == (
        b'<x:workbook xmlns:x="s"><x:calcPr calcId="191029" calcMode="manual" '
        b'fullCalcOnLoad="0"/></x:workbook>'
    )


def test_a_missing_calc_pr_is_added_where_the_schema_puts_it() -> None:
    xml = b"<workbook><sheets/><definedNames/><extLst/></workbook>"
    assert fix_workbook_xml(xml) == (
        b'<workbook><sheets/><definedNames/><calcPr calcId="191029" fullCalcOnLoad="0"/>'
        b"<extLst/></workbook>"
    )
    assert fix_workbook_xml(b"<workbook><sheets/></workbook>").endswith(
        b'<calcPr calcId="191029" fullCalcOnLoad="0"/></workbook>'
    )
    with pytest.raises(ValueError):
        fix_workbook_xml(b"<worksheet/>")


def test_xlsxwriter_books_are_configured_the_same(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "x.xlsx"
    wb = xlsxwriter.Workbook(path)
    calc_properties.configure_xlsxwriter(wb)
    wb.add_worksheet().write_formula("A1", "=1+1", None, 2)
    wb.close()
    assert _calc_pr(path) == {"calcId": str(CALC_ID)}  # no fullCalcOnLoad at all


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.xlsx"
    build_workbook(path, month=demo_month())
    recalc.recalc(path)
    return path


def test_the_shipped_template_and_a_recalculated_month_keep_their_values(demo_book: Path) -> None:
    assert_keeps_values_on_open(TEMPLATE)
    assert_keeps_values_on_open(demo_book)


def test_recalc_fixes_the_calc_pr_of_a_book_written_before(tmp_path: Path, demo_book: Path) -> None:
    old = tmp_path / "old.xlsx"
    with zipfile.ZipFile(demo_book) as src, zipfile.ZipFile(old, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/workbook.xml":
                data = re.sub(
                    rb"<calcPr[^>]*/>", b'<calcPr calcId="124519" fullCalcOnLoad="1"/>', data
                )
            dst.writestr(info, data)
    assert _calc_pr(old)["fullCalcOnLoad"] == "1"
    recalc.recalc(old)
    assert_keeps_values_on_open(old)


def test_the_notice_is_a_native_formula_around_one_volatile_probe(demo_book: Path) -> None:
    formula = template.notice_formula()
    assert formula.startswith("=IF(ISERROR(") and "NOW()" in formula
    assert formula.count("(") - formula.count("ISERROR(") - formula.count("IF(") == 2  # AMOUNT, NOW
    wb = openpyxl.load_workbook(demo_book)
    assert wb[layout.PAYROLL.name][template.notice_cell()].value == formula
    assert wb[layout.README][template.README_NOTICE_CELL].value == template.readme_notice_formula()
    assert "xlkpi recalc" in template.ADDIN_NOTICE and "修改" in template.ADDIN_NOTICE
    assert not re.search(r"[,;:!?()]", template.ADDIN_NOTICE)  # Chinese punctuation only


def test_recalc_stores_the_notice_as_the_cached_value(demo_book: Path) -> None:
    """Hosts that show cached values (WPS, LibreOffice, previews) have no add-in: they show it."""
    values = openpyxl.load_workbook(demo_book, data_only=True)
    assert values[layout.PAYROLL.name][template.notice_cell()].value == template.ADDIN_NOTICE
    assert values[layout.README][template.README_NOTICE_CELL].value == template.ADDIN_NOTICE
    # 说明 keeps its readme below the notice
    assert "使用说明" in str(values[layout.README]["A2"].value)


def test_an_older_book_s_readme_title_is_not_overwritten(tmp_path: Path, demo_book: Path) -> None:
    path = Path(shutil.copy(demo_book, tmp_path / "b.xlsx"))
    wb = openpyxl.load_workbook(path)
    wb[layout.README].delete_rows(1)  # as books built before the notice
    wb.save(path)
    recalc.recalc(path)
    readme = openpyxl.load_workbook(path)[layout.README]
    assert "使用说明" in str(readme["A1"].value)


def test_libreoffice_recalculating_without_the_add_in_shows_the_notice(
    tmp_path: Path, demo_book: Path
) -> None:
    require_soffice()
    out = recalculate(demo_book, tmp_path / "lo")
    values = openpyxl.load_workbook(out, data_only=True)
    assert values[layout.PAYROLL.name][template.notice_cell()].value == template.ADDIN_NOTICE
    assert values[layout.README][template.README_NOTICE_CELL].value == template.ADDIN_NOTICE
