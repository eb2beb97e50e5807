"""Printed pages, as LibreOffice lays them out (issue 9, item 7): the recalculated demo month's
工资表 over a few pages across (工号 and 姓名 repeated), 参数 in a handful of pages, 个税 two
pages wide, and the payslips eight strips to an A4 page.

Each sheet is printed alone: the other sheets of a copy are hidden in ``xl/workbook.xml``
(hidden sheets are not exported), stored values kept, one LibreOffice run for every copy.
Without LibreOffice the tests skip locally and fail on CI (CI=true).
"""

from __future__ import annotations

import re
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.support import libreoffice as lo
from workbook_templates import build_workbook
from xlkpi import layout
from xlkpi.month_cycle import write_demo_workbook
from xlkpi.payslips import STRIPS_PER_PAGE, write_payslips

_SHEET = re.compile(rb"<sheet [^>]*/>")
_NAME = re.compile(rb'name="([^"]*)"')


def only_sheet(book: Path, sheet: str, out: Path) -> Path:
    """A copy of ``book`` in which every sheet but ``sheet`` is hidden."""
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/workbook.xml":
                data = _hide_others(data, sheet)
            dst.writestr(info, data)
    return out


def _hide_others(xml: bytes, keep: str) -> bytes:
    position = 0
    names = []

    def hide(match: re.Match[bytes]) -> bytes:
        nonlocal position
        tag = re.sub(rb'\s+state="[^"]*"', b"", match.group(0))
        name = _NAME.search(tag)
        assert name is not None
        names.append(name.group(1).decode())
        position += 1
        if names[-1] == keep:
            return tag
        return tag[:-2].rstrip() + b' state="hidden"/>'

    xml = _SHEET.sub(hide, xml)
    assert keep in names, (keep, names)
    active = names.index(keep)
    xml = re.sub(rb'activeTab="\d+"', f'activeTab="{active}"'.encode(), xml)
    # LibreOffice prints a hidden sheet's print area: keep only the kept sheet's
    other = rb'<definedName name="_xlnm.Print_Area" localSheetId="(?!%d")\d+"[^>]*>[^<]*'
    other += rb"</definedName>"
    return re.sub(other % active, b"", xml)


def pdf_pages(pdf: Path) -> int:
    """Pages of a PDF (its page objects)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, int]:
    lo.require_soffice()
    root = tmp_path_factory.mktemp("print")
    book = write_demo_workbook(root / "demo")
    slips = write_payslips(book, root / "slips").sheet_file
    copies = root / "copies"
    copies.mkdir()
    sources = {
        name: only_sheet(book, name, copies / f"{key}.xlsx")
        for key, name in {
            "payroll": layout.PAYROLL.name,
            "policy": layout.POLICY,
            "tax": layout.TAX_SHEET.name,
        }.items()
    }
    sources["payslips"] = slips
    pdfs = lo.convert(list(sources.values()), root / "pdf", "pdf", recalc=False)
    return {name: pdf_pages(pdf) for name, pdf in zip(sources, pdfs, strict=True)}


def test_the_payroll_prints_four_pages_across_one_down(pages: dict[str, int]) -> None:
    # 38 staff fit one page down; 54 visible columns at 70 % or more need four pages across
    # (before issue 9: one page at about a fifth of full size)
    assert pages[layout.PAYROLL.name] == 4


def test_the_policy_sheet_prints_in_a_handful_of_pages(pages: dict[str, int]) -> None:
    assert pages[layout.POLICY] <= 12  # 22 pages before issue 9


def test_a_sheet_too_wide_for_one_page_prints_two_pages_across(pages: dict[str, int]) -> None:
    assert pages[layout.TAX_SHEET.name] == 2  # 个税: 29 columns, 38 rows: two across, one down


def test_payslips_print_eight_strips_to_an_a4_page(pages: dict[str, int]) -> None:
    assert STRIPS_PER_PAGE == 8
    assert pages["payslips"] == -(-38 // STRIPS_PER_PAGE)


def test_the_payroll_print_area_survives_a_libreoffice_save(tmp_path: Path) -> None:
    # A print area over whole columns (A1:AU1048576) came back from LibreOffice as
    # 工资表!$A:$AU, which openpyxl refuses ("Print area cannot be set to Defined name")
    lo.require_soffice()
    saved = lo.convert([build_workbook(tmp_path / "t.xlsx")], tmp_path / "lo", recalc=False)[0]
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Print area")
        wb = openpyxl.load_workbook(saved)
    last = layout.column_letter(len(layout.PAYROLL.columns) - len(layout.PAYROLL_HELPERS))
    area = f"'{layout.PAYROLL.name}'!$A$1:${last}${layout.data_last_row(0)}"
    assert wb[layout.PAYROLL.name].print_area == area
